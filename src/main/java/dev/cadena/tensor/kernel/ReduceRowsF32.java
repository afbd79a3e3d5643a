// GENERATED from ReduceRowsF64.java (rules of issue 8); deleted at merge
package dev.cadena.tensor.kernel;

/**
 * Max, min, argmax and argmin over contiguous rows and columns. A row is {@code n} elements from
 * {@code x[o]}; the columns are those of a row-major block of {@code rows x m} elements from
 * {@code x[xo]}, reduced over its rows. Sums are in {@link SumRows}: their accumulator type
 * differs between the dtypes.
 *
 * <p>NaN propagates: the max or min of elements one of which is NaN is NaN, and argmax or argmin
 * is the index of the first NaN. Otherwise ties go to the first element; along a row +0 and -0
 * tie, while the column kernels use Math.max and Math.min, which put -0 below +0.f
 *
 * <p>Both dtypes' versions are one source: the class for 32-bit floats is generated at build
 * time from the one for 64-bit floats (the element type renamed, literals suffixed), which is the
 * only one edited by hand.
 */
public final class ReduceRowsF32 {
  private ReduceRowsF32() {}

  /** The largest of {@code x[o .. o+n-1]}; NaN if one is NaN; -infinity for {@code n == 0}. */
  public static float max(float[] x, int o, int n) {
    float m = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      float v = x[o + i];
      if (v != v) {
        return v;
      }
      m = v > m ? v : m;
    }
    return m;
  }

  /** The smallest of {@code x[o .. o+n-1]}; NaN if one is NaN; +infinity for {@code n == 0}. */
  public static float min(float[] x, int o, int n) {
    float m = Float.POSITIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      float v = x[o + i];
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
  public static void maxColumns(float[] x, int xo, int rows, int m, float[] out, int oo, int c0,
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
  public static void minColumns(float[] x, int xo, int rows, int m, float[] out, int oo, int c0,
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
  public static int argmax(float[] x, int o, int n) {
    int best = 0;
    float bv = x[o];
    for (int i = 1; i < n && bv == bv; i++) {
      float v = x[o + i];
      if (v != v || v > bv) {
        best = i;
        bv = v;
      }
    }
    return best;
  }

  /** The index of the smallest element of a row; see {@link #argmax}. */
  public static int argmin(float[] x, int o, int n) {
    int best = 0;
    float bv = x[o];
    for (int i = 1; i < n && bv == bv; i++) {
      float v = x[o + i];
      if (v != v || v < bv) {
        best = i;
        bv = v;
      }
    }
    return best;
  }
}
