package dev.cadena.tensor.kernel;

/**
 * Max, min, argmax and argmin over contiguous rows and columns. A row is {@code n} elements from
 * {@code x[o]}; the columns are those of a row-major block of {@code rows x m} elements from
 * {@code x[xo]}, reduced over its rows. Sums are in {@link SumRows}: their accumulator type
 * differs between the dtypes.
 *
 * <p>NaN propagates: the max or min of elements one of which is NaN is NaN, and argmax or argmin
 * is the index of the first NaN. Otherwise ties go to the first element; along a row +0 and -0
 * tie, while the column kernels use Math.max and Math.min, which put -0 below +0.
 *
 * <p>Both dtypes' versions are one source: the class for 32-bit floats is generated at build
 * time from the one for 64-bit floats (the element type renamed, literals suffixed), which is the
 * only one edited by hand.
 */
public final class ReduceRowsF64 {
  private ReduceRowsF64() {}

  /** The largest of {@code x[o .. o+n-1]}; NaN if one is NaN; -infinity for {@code n == 0}. */
  public static double max(double[] x, int o, int n) {
    double m = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      double v = x[o + i];
      if (v != v) {
        return v;
      }
      m = v > m ? v : m;
    }
    return m;
  }

  /** The smallest of {@code x[o .. o+n-1]}; NaN if one is NaN; +infinity for {@code n == 0}. */
  public static double min(double[] x, int o, int n) {
    double m = Double.POSITIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      double v = x[o + i];
      if (v != v) {
        return v;
      }
      m = v < m ? v : m;
    }
    return m;
  }

  /**
   * {@code out[oo + j] = max over i < rows of x[xo + i*m + j]} for {@code c0 <= j < c1}: the
   * column maxima of a contiguous {@code rows x m} block ({@code rows >= 1}), one row of the block
   * at a time so that the inner loop runs along memory.
   */
  public static void maxColumns(double[] x, int xo, int rows, int m, double[] out, int oo, int c0,
      int c1) {
    for (int j = c0; j < c1; j++) {
      out[oo + j] = x[xo + j];
    }
    for (int i = 1; i < rows; i++) {
      int base = xo + i * m;
      for (int j = c0; j < c1; j++) {
        out[oo + j] = Math.max(out[oo + j], x[base + j]);
      }
    }
  }

  /** The column minima of a contiguous block; see {@link #maxColumns}. */
  public static void minColumns(double[] x, int xo, int rows, int m, double[] out, int oo, int c0,
      int c1) {
    for (int j = c0; j < c1; j++) {
      out[oo + j] = x[xo + j];
    }
    for (int i = 1; i < rows; i++) {
      int base = xo + i * m;
      for (int j = c0; j < c1; j++) {
        out[oo + j] = Math.min(out[oo + j], x[base + j]);
      }
    }
  }

  /**
   * The index in {@code 0 .. n-1} of the largest of {@code x[o .. o+n-1]} ({@code n >= 1}): the
   * first one on ties, the first NaN if there is one.
   */
  public static int argmax(double[] x, int o, int n) {
    int best = 0;
    double bv = x[o];
    for (int i = 1; i < n && bv == bv; i++) {
      double v = x[o + i];
      if (v != v || v > bv) {
        best = i;
        bv = v;
      }
    }
    return best;
  }

  /** The index of the smallest element of a row; see {@link #argmax}. */
  public static int argmin(double[] x, int o, int n) {
    int best = 0;
    double bv = x[o];
    for (int i = 1; i < n && bv == bv; i++) {
      double v = x[o + i];
      if (v != v || v < bv) {
        best = i;
        bv = v;
      }
    }
    return best;
  }

  /**
   * {@link #argmax} (or {@link #argmin} when {@code !max}) down the columns of a contiguous
   * {@code n x s} block from {@code x[o]} ({@code n >= 1}): {@code idx[io + k]} becomes the row
   * {@code j} of the largest (smallest) {@code x[o + j*s + k]}, the first on ties, the first NaN
   * if there is one. The {@code s} running extremes live in {@code best} (scratch, {@code >= s}
   * elements), so the block is read once, row by row along memory: a max pooling's argmax over
   * the {@code kH*kW} taps of {@code [N*C, kH*kW, L]} windows.
   */
  public static void argColumns(
      double[] x, int o, int n, int s, boolean max, double[] best, long[] idx, int io) {
    for (int k = 0; k < s; k++) {
      best[k] = x[o + k];
      idx[io + k] = 0;
    }
    // Branch-free updates: which tap of a window wins is data-dependent, and a mispredicted
    // branch per element cost more than the comparisons. best only feeds later comparisons,
    // where Math.max's +0 for (-0, +0) compares as the first zero does, and NaN stays NaN.
    for (int j = 1; j < n; j++) {
      int row = o + j * s;
      if (max) {
        for (int k = 0; k < s; k++) {
          double b = best[k];
          double v = x[row + k];
          boolean take = (b == b) & ((v != v) | (v > b));
          long cur = idx[io + k];
          idx[io + k] = take ? j : cur;
          best[k] = Math.max(b, v);
        }
      } else {
        for (int k = 0; k < s; k++) {
          double b = best[k];
          double v = x[row + k];
          boolean take = (b == b) & ((v != v) | (v < b));
          long cur = idx[io + k];
          idx[io + k] = take ? j : cur;
          best[k] = Math.min(b, v);
        }
      }
    }
  }
}
