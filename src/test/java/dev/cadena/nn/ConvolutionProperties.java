package dev.cadena.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.ShapeException;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Properties of the window ops over random geometries (jqwik, seeded): shapes (size-1 axes and
 * empty batches included), agreement with the naive loops of {@link ConvolutionTest}, the
 * transpose identity of fold, and a kernel larger than the padded input always refused.
 */
class ConvolutionProperties {
  @Property(tries = 80, seed = "20261202")
  void unfold_matchesNaiveLoops_andFoldIsItsTranspose(
      @ForAll @IntRange(min = 0, max = 2) int n, @ForAll @IntRange(min = 1, max = 3) int c,
      @ForAll @IntRange(min = 1, max = 7) int h, @ForAll @IntRange(min = 1, max = 7) int w,
      @ForAll @IntRange(min = 1, max = 3) int kh, @ForAll @IntRange(min = 1, max = 3) int kw,
      @ForAll @IntRange(min = 1, max = 2) int dh, @ForAll @IntRange(min = 1, max = 2) int dw,
      @ForAll @IntRange(min = 0, max = 2) int ph, @ForAll @IntRange(min = 0, max = 2) int pw,
      @ForAll @IntRange(min = 1, max = 3) int sh, @ForAll @IntRange(min = 1, max = 3) int sw,
      @ForAll long seed) {
    int[] s = {n, c, h, w};
    int[] k = {kh, kw};
    int[] d = {dh, dw};
    int[] p = {ph, pw};
    int[] st = {sh, sw};
    Tensor x = Tensor.uniform(new SplittableRandom(seed), -1, 1, s);
    boolean fits = h + 2 * ph >= dh * (kh - 1) + 1 && w + 2 * pw >= dw * (kw - 1) + 1;
    if (!fits) {
      assertThrows(ShapeException.class, () -> Functional.unfold(x, k, d, p, st));
      return;
    }
    Tensor u = Functional.unfold(x, k, d, p, st);
    int oh = ConvolutionTest.outSize(h, kh, dh, ph, sh);
    int ow = ConvolutionTest.outSize(w, kw, dw, pw, sw);
    assertArrayEquals(new int[] {n, c * kh * kw, oh * ow}, u.shape());
    assertArrayEquals(ConvolutionTest.naiveUnfold(x.toDoubleArray(), s, k, d, p, st),
        u.toDoubleArray(), 0.0);
    Tensor y = Tensor.uniform(new SplittableRandom(seed + 1), -1, 1, u.shape());
    Tensor back = Functional.fold(y, new int[] {h, w}, k, d, p, st);
    assertArrayEquals(s, back.shape());
    assertEquals(u.mul(y).sum().item(), x.mul(back).sum().item(), 1e-9);
  }

  @Property(tries = 60, seed = "20261203")
  void conv2d_matchesNaiveLoops(
      @ForAll @IntRange(min = 1, max = 2) int n, @ForAll @IntRange(min = 1, max = 2) int groups,
      @ForAll @IntRange(min = 1, max = 2) int cg, @ForAll @IntRange(min = 1, max = 2) int og,
      @ForAll @IntRange(min = 3, max = 6) int h, @ForAll @IntRange(min = 3, max = 6) int w,
      @ForAll @IntRange(min = 1, max = 3) int k, @ForAll @IntRange(min = 0, max = 1) int pad,
      @ForAll @IntRange(min = 1, max = 2) int stride, @ForAll boolean float32,
      @ForAll long seed) {
    DType dt = float32 ? DType.FLOAT32 : DType.FLOAT64;
    SplittableRandom r = new SplittableRandom(seed);
    int[] s = {n, cg * groups, h, w};
    int[] ws = {og * groups, cg, k, k};
    Tensor x = Tensor.uniform(r, -1, 1, dt, s);
    Tensor wt = Tensor.uniform(r, -1, 1, dt, ws);
    Tensor b = Tensor.uniform(r, -1, 1, dt, ws[0]);
    Tensor y = Functional.conv2d(x, wt, b, new int[] {stride}, new int[] {pad}, new int[] {1}, groups);
    double[] ref = ConvolutionTest.naiveConv(x.toDoubleArray(), s, wt.toDoubleArray(), ws,
        b.toDoubleArray(), new int[] {stride, stride}, new int[] {pad, pad}, new int[] {1, 1}, groups);
    assertArrayEquals(ref, y.toDoubleArray(), float32 ? 1e-5 : 1e-12);
  }
}
