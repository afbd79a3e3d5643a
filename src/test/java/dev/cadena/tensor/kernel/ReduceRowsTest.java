package dev.cadena.tensor.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link ReduceRowsF64}, its float32 twin and {@link SumRows} against naive loops, on rows and
 * column blocks at non-zero offsets, with NaN, signed zeros and ties among the values.
 */
class ReduceRowsTest {

  private static double[] values(SplittableRandom rng, int length, boolean specials) {
    double[] v = new double[length];
    for (int i = 0; i < length; i++) {
      int k = rng.nextInt(10);
      v[i] = !specials || k > 2 ? rng.nextInt(7) - 3 + (rng.nextBoolean() ? 0.5 : 0)
          : k == 0 ? Double.NaN : k == 1 ? -0.0 : 0.0;
    }
    return v;
  }

  private static float[] toFloat(double[] v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = (float) v[i];
    }
    return f;
  }

  /** Row max or min: NaN if any element is NaN, else the first of the extreme elements (+0 and -0 tie). */
  private static double naiveRow(double[] x, int o, int n, boolean max) {
    double m = max ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      double v = x[o + i];
      if (Double.isNaN(v)) {
        return Double.NaN;
      }
      if (max ? v > m : v < m) {
        m = v;
      }
    }
    return m;
  }

  /** Column max or min: NaN if any element is NaN, else the extreme with -0 below +0 (Math.max). */
  private static double naiveColumn(double[] x, int o, int n, boolean max) {
    double m = x[o];
    for (int i = 1; i < n; i++) {
      double v = x[o + i];
      if (Double.isNaN(v) || Double.isNaN(m)) {
        m = Double.NaN;
      } else if (max ? Double.compare(v, m) > 0 : Double.compare(v, m) < 0) {
        m = v;
      }
    }
    return m;
  }

  private static int naiveArg(double[] x, int o, int n, boolean max) {
    for (int i = 0; i < n; i++) {
      if (Double.isNaN(x[o + i])) {
        return i;
      }
    }
    int best = 0;
    for (int i = 1; i < n; i++) {
      if (max ? x[o + i] > x[o + best] : x[o + i] < x[o + best]) {
        best = i;
      }
    }
    return best;
  }

  @Test
  void rows_maxMinArgSum_matchNaiveLoops_inBothDtypes() {
    SplittableRandom rng = new SplittableRandom(21);
    for (int trial = 0; trial < 300; trial++) {
      int n = rng.nextInt(12);
      int o = rng.nextInt(3);
      boolean specials = rng.nextBoolean();
      double[] x = values(rng, o + n + 2, specials);
      float[] xf = toFloat(x);
      String what = "trial " + trial + " n=" + n;
      assertEquals(naiveRow(x, o, n, true), ReduceRowsF64.max(x, o, n), what + " max");
      assertEquals(naiveRow(x, o, n, false), ReduceRowsF64.min(x, o, n), what + " min");
      assertEquals((float) naiveRow(x, o, n, true), ReduceRowsF32.max(xf, o, n), what + " max32");
      assertEquals((float) naiveRow(x, o, n, false), ReduceRowsF32.min(xf, o, n), what + " min32");
      double sum = 0;
      for (int i = 0; i < n; i++) {
        sum += x[o + i];
      }
      // Halves and small integers: every order of summation is exact.
      assertEquals(sum, SumRows.sum(x, o, n), what + " sum");
      assertEquals(sum, SumRows.sum(xf, o, n), what + " sum32");
      if (n > 0) {
        assertEquals(naiveArg(x, o, n, true), ReduceRowsF64.argmax(x, o, n), what + " argmax");
        assertEquals(naiveArg(x, o, n, false), ReduceRowsF64.argmin(x, o, n), what + " argmin");
        assertEquals(naiveArg(x, o, n, true), ReduceRowsF32.argmax(xf, o, n), what + " argmax32");
        assertEquals(naiveArg(x, o, n, false), ReduceRowsF32.argmin(xf, o, n), what + " argmin32");
      }
    }
  }

  @Test
  void columns_maxMinSum_matchNaiveLoops_onAColumnRange_inBothDtypes() {
    SplittableRandom rng = new SplittableRandom(22);
    for (int trial = 0; trial < 100; trial++) {
      int rows = 1 + rng.nextInt(6);
      int m = 1 + rng.nextInt(9);
      int xo = rng.nextInt(3);
      int oo = rng.nextInt(2);
      int c0 = rng.nextInt(m);
      int c1 = c0 + rng.nextInt(m - c0 + 1);
      double[] x = values(rng, xo + rows * m, rng.nextBoolean());
      float[] xf = toFloat(x);
      double[] mx = new double[oo + m];
      double[] mn = new double[oo + m];
      double[] sm = new double[oo + m];
      float[] mx32 = new float[oo + m];
      float[] mn32 = new float[oo + m];
      float[] sm32 = new float[oo + m];
      ReduceRowsF64.maxColumns(x, xo, rows, m, mx, oo, c0, c1);
      ReduceRowsF64.minColumns(x, xo, rows, m, mn, oo, c0, c1);
      SumRows.sumColumns(x, xo, rows, m, sm, oo, c0, c1);
      ReduceRowsF32.maxColumns(xf, xo, rows, m, mx32, oo, c0, c1);
      ReduceRowsF32.minColumns(xf, xo, rows, m, mn32, oo, c0, c1);
      SumRows.sumColumns(xf, xo, rows, m, sm32, oo, c0, c1);
      for (int j = 0; j < m; j++) {
        double[] col = new double[rows];
        for (int i = 0; i < rows; i++) {
          col[i] = x[xo + i * m + j];
        }
        // float64 starts from the first row (a column of -0s sums to -0), float32's float64
        // accumulator from +0.
        double s = col[0];
        double s32 = 0;
        for (int i = 0; i < rows; i++) {
          if (i > 0) {
            s += col[i];
          }
          s32 += col[i];
        }
        boolean in = j >= c0 && j < c1;
        String what = "trial " + trial + " column " + j;
        assertEquals(in ? naiveColumn(col, 0, rows, true) : 0, mx[oo + j], what + " max");
        assertEquals(in ? naiveColumn(col, 0, rows, false) : 0, mn[oo + j], what + " min");
        assertEquals(in ? s : 0, sm[oo + j], what + " sum");
        assertEquals(in ? (float) naiveColumn(col, 0, rows, true) : 0, mx32[oo + j], what + " max32");
        assertEquals(in ? (float) naiveColumn(col, 0, rows, false) : 0, mn32[oo + j], what + " min32");
        assertEquals(in ? (float) s32 : 0, sm32[oo + j], what + " sum32");
      }
    }
  }

  @Test
  void float32Sums_accumulateInFloat64() {
    // 2^24 + 1 + 1 + ... : a float32 running sum would stay at 2^24.
    float[] x = new float[101];
    x[0] = 1 << 24;
    for (int i = 1; i < x.length; i++) {
      x[i] = 1;
    }
    assertEquals((1 << 24) + 100.0, SumRows.sum(x, 0, x.length));
    float[] col = new float[1];
    SumRows.sumColumns(x, 0, x.length, 1, col, 0, 0, 1);
    assertEquals((float) ((1 << 24) + 100), col[0]);
  }

  @Test
  void argColumns_matchesArgOfEachColumn_withNaNsAndTies_inBothDtypes() {
    SplittableRandom rng = new SplittableRandom(23);
    for (int trial = 0; trial < 200; trial++) {
      int n = 1 + rng.nextInt(6);
      int s = 1 + rng.nextInt(11);
      int o = rng.nextInt(3);
      int io = rng.nextInt(2);
      double[] x = values(rng, o + n * s + 1, rng.nextBoolean());
      float[] xf = toFloat(x);
      for (boolean max : new boolean[] {true, false}) {
        long[] idx = new long[io + s];
        long[] idx32 = new long[io + s];
        java.util.Arrays.fill(idx, 99);
        java.util.Arrays.fill(idx32, 99);
        ReduceRowsF64.argColumns(x, o, n, s, max, new double[s + 2], idx, io);
        ReduceRowsF32.argColumns(xf, o, n, s, max, new float[s], idx32, io);
        for (int k = 0; k < s; k++) {
          double[] col = new double[n];
          for (int j = 0; j < n; j++) {
            col[j] = x[o + j * s + k];
          }
          String what = "trial " + trial + " column " + k + (max ? " argmax" : " argmin");
          assertEquals(naiveArg(col, 0, n, max), idx[io + k], what);
          assertEquals(naiveArg(col, 0, n, max), idx32[io + k], what + "32");
        }
        if (io > 0) {
          assertEquals(99, idx[0], "trial " + trial + ": wrote before io");
        }
      }
    }
  }
}
