package dev.cadena.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.tensor.ShapeException;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The pooling options over random geometries (jqwik, seeded) against naive loops written here
 * from PyTorch's definitions: output sizes (ceil mode's rule included), maxima and their flat
 * indices, and the three divisors of average pooling; the 1-d layers agree with the 2-d ones on
 * height 1. The fixed cases against PyTorch itself are in {@link PoolingOptionsTest}.
 */
class PoolingProperties {
  /** PyTorch's pooling_output_shape. */
  static int pooledSize(int size, int k, int d, int p, int s, boolean ceil) {
    int span = size + 2 * p - d * (k - 1) - 1;
    int out = (ceil ? Math.floorDiv(span + s - 1, s) : Math.floorDiv(span, s)) + 1;
    if (ceil && (out - 1) * s >= size + p) {
      out--;
    }
    return out;
  }

  /**
   * {values, indices} of max pooling by its definition; -inf outside the input. A window wholly in
   * the padding (dilation can make one) is -inf with no meaningful index (NaN here; PyTorch's
   * points outside the plane too).
   */
  static double[][] naiveMax(double[] x, int[] sh, int[] k, int[] s, int[] p, int[] d, int oh, int ow) {
    int planes = sh[0] * sh[1];
    double[] v = new double[planes * oh * ow];
    double[] idx = new double[v.length];
    for (int pl = 0; pl < planes; pl++) {
      for (int y = 0; y < oh; y++) {
        for (int xx = 0; xx < ow; xx++) {
          double best = Double.NEGATIVE_INFINITY;
          double at = Double.NaN;
          for (int a = 0; a < k[0]; a++) {
            for (int b = 0; b < k[1]; b++) {
              int r = y * s[0] - p[0] + a * d[0];
              int c = xx * s[1] - p[1] + b * d[1];
              if (r >= 0 && r < sh[2] && c >= 0 && c < sh[3]) {
                double e = x[(pl * sh[2] + r) * sh[3] + c];
                if (e > best) {
                  best = e;
                  at = (double) r * sh[3] + c;
                }
              }
            }
          }
          int o = (pl * oh + y) * ow + xx;
          v[o] = best;
          idx[o] = at;
        }
      }
    }
    return new double[][] {v, idx};
  }

  /** Average pooling by PyTorch's definition of its divisor. */
  static double[] naiveAvg(double[] x, int[] sh, int[] k, int[] s, int[] p, int oh, int ow,
      boolean countIncludePad, Integer divisor) {
    int planes = sh[0] * sh[1];
    double[] v = new double[planes * oh * ow];
    for (int pl = 0; pl < planes; pl++) {
      for (int y = 0; y < oh; y++) {
        for (int xx = 0; xx < ow; xx++) {
          double sum = 0;
          int inside = 0;
          int withPad = 0;
          for (int a = 0; a < k[0]; a++) {
            for (int b = 0; b < k[1]; b++) {
              int r = y * s[0] - p[0] + a;
              int c = xx * s[1] - p[1] + b;
              if (r < sh[2] + p[0] && c < sh[3] + p[1]) {
                withPad++;    // inside the padded input (windows start at -p or later)
              }
              if (r >= 0 && r < sh[2] && c >= 0 && c < sh[3]) {
                sum += x[(pl * sh[2] + r) * sh[3] + c];
                inside++;
              }
            }
          }
          double div = divisor != null ? divisor : countIncludePad ? withPad : Math.max(1, inside);
          v[(pl * oh + y) * ow + xx] = sum / div;
        }
      }
    }
    return v;
  }

  @Property(tries = 120, seed = "20261204")
  void pooling_withOptions_matchesNaiveLoops(
      @ForAll @IntRange(min = 1, max = 2) int n, @ForAll @IntRange(min = 1, max = 2) int c,
      @ForAll @IntRange(min = 1, max = 8) int h, @ForAll @IntRange(min = 1, max = 8) int w,
      @ForAll @IntRange(min = 1, max = 4) int kh, @ForAll @IntRange(min = 1, max = 4) int kw,
      @ForAll @IntRange(min = 1, max = 3) int sh, @ForAll @IntRange(min = 1, max = 3) int sw,
      @ForAll @IntRange(min = 0, max = 2) int ph, @ForAll @IntRange(min = 0, max = 2) int pw,
      @ForAll @IntRange(min = 1, max = 2) int dh, @ForAll boolean ceil,
      @ForAll boolean countIncludePad, @ForAll @IntRange(min = 0, max = 3) int divisor,
      @ForAll long seed) {
    ph = Math.min(ph, kh / 2);
    pw = Math.min(pw, kw / 2);
    int[] shape = {n, c, h, w};
    int[] k = {kh, kw};
    int[] s = {sh, sw};
    int[] p = {ph, pw};
    int[] d = {dh, 1};
    Tensor x = Tensor.uniform(new SplittableRandom(seed), -1, 1, shape);
    boolean fits = h + 2 * ph >= dh * (kh - 1) + 1 && w + 2 * pw >= kw;
    if (!fits) {
      assertThrows(ShapeException.class, () -> Functional.maxPool2d(x, k, s, p, d, ceil));
      return;
    }
    int oh = pooledSize(h, kh, dh, ph, sh, ceil);
    int ow = pooledSize(w, kw, 1, pw, sw, ceil);
    Tensor.ValuesIndices m = Functional.maxPool2dWithIndices(x, k, s, p, d, ceil);
    assertArrayEquals(new int[] {n, c, oh, ow}, m.values().shape());
    double[][] want = naiveMax(x.toDoubleArray(), shape, k, s, p, d, oh, ow);
    assertArrayEquals(want[0], m.values().toDoubleArray(), 0.0);
    double[] idx = m.indices().toDoubleArray();
    double[] plane = x.toDoubleArray();
    for (int i = 0; i < idx.length; i++) {
      if (!Double.isNaN(want[1][i])) {
        assertEquals(want[1][i], idx[i], 0.0, "index " + i);
        // the index points at the value in the sample's and channel's flattened plane
        assertEquals(want[0][i], plane[(i / (oh * ow)) * h * w + (int) idx[i]], 0.0, "value at index " + i);
      }
    }

    boolean avgFits = h + 2 * ph >= kh;
    if (avgFits) {
      Integer div = divisor == 0 ? null : divisor;
      Tensor a = Functional.avgPool2d(x, k, s, p, ceil, countIncludePad, div);
      int aoh = pooledSize(h, kh, 1, ph, sh, ceil);
      assertArrayEquals(new int[] {n, c, aoh, ow}, a.shape());
      assertArrayEquals(naiveAvg(x.toDoubleArray(), shape, k, s, p, aoh, ow, countIncludePad, div),
          a.toDoubleArray(), 1e-12);
    }
  }

  @Property(tries = 60, seed = "20261205")
  void pooling1d_isThe2dPoolingOnHeightOne(
      @ForAll @IntRange(min = 1, max = 2) int n, @ForAll @IntRange(min = 1, max = 3) int c,
      @ForAll @IntRange(min = 4, max = 12) int l, @ForAll @IntRange(min = 1, max = 4) int k,
      @ForAll @IntRange(min = 1, max = 3) int s, @ForAll @IntRange(min = 0, max = 2) int p,
      @ForAll @IntRange(min = 1, max = 3) int o, @ForAll boolean ceil,
      @ForAll boolean countIncludePad, @ForAll long seed) {
    int pad = Math.min(p, k / 2);
    Tensor x = Tensor.uniform(new SplittableRandom(seed), -1, 1, n, c, l);
    Tensor x2 = x.reshape(n, c, 1, l);
    Tensor.ValuesIndices m = new MaxPool1d(k, s, pad, 1, ceil).forwardWithIndices(x);
    Tensor.ValuesIndices m2 = Functional.maxPool2dWithIndices(x2, new int[] {1, k},
        new int[] {1, s}, new int[] {0, pad}, new int[] {1}, ceil);
    int ol = pooledSize(l, k, 1, pad, s, ceil);
    assertArrayEquals(new int[] {n, c, ol}, m.values().shape());
    assertArrayEquals(m2.values().toDoubleArray(), m.values().toDoubleArray(), 0.0);
    assertArrayEquals(m2.indices().toDoubleArray(), m.indices().toDoubleArray(), 0.0);
    Tensor a = new AvgPool1d(k, s, pad, ceil, countIncludePad).forward(x);
    Tensor a2 = Functional.avgPool2d(x2, new int[] {1, k}, new int[] {1, s}, new int[] {0, pad},
        ceil, countIncludePad, null);
    assertArrayEquals(new int[] {n, c, ol}, a.shape());
    assertArrayEquals(a2.toDoubleArray(), a.toDoubleArray(), 0.0);
    Tensor g = Functional.adaptiveAvgPool1d(x, o);
    assertArrayEquals(new int[] {n, c, o}, g.shape());
    assertArrayEquals(Functional.adaptiveAvgPool2d(x2, new int[] {1, o}).toDoubleArray(),
        g.toDoubleArray(), 0.0);
    // unbatched [C, L]
    assertTrue(new MaxPool1d(k, s, pad, 1, ceil).forward(x.select(0, 0)).rank() == 2);
  }
}
