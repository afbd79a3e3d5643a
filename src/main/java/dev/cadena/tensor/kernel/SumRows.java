package dev.cadena.tensor.kernel;

/**
 * Sums over contiguous rows and columns, for both floating dtypes. A row is {@code n} elements
 * from {@code x[o]}; the columns are those of a row-major block of {@code rows x m} elements from
 * {@code x[xo]}, summed over its rows.
 *
 * <p>Written by hand for each dtype, not as float/double twins, because the accumulator differs:
 * float32 elements are summed in float64 and rounded once at the end, since a float32 running
 * sum loses about one bit per doubling of the count. float64 rows are summed in four
 * interleaved partial sums, so that the additions need not wait for each other.
 */
public final class SumRows {
  private SumRows() {}

  /** {@code x[o] + ... + x[o+n-1]} (0 for {@code n == 0}), in four partial sums. */
  public static double sum(double[] x, int o, int n) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int i = 0;
    for (; i + 3 < n; i += 4) {
      s0 += x[o + i];
      s1 += x[o + i + 1];
      s2 += x[o + i + 2];
      s3 += x[o + i + 3];
    }
    for (; i < n; i++) {
      s0 += x[o + i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  /**
   * {@code x[o] + ... + x[o+n-1]} accumulated in float64, in four partial sums as the float64
   * overload (one running sum made each addition wait for the previous one: a batch norm's
   * statistics over 64 x 576 elements per channel spent 10% of a CNN step here); the caller
   * rounds to float32.
   */
  public static double sum(float[] x, int o, int n) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int i = 0;
    for (; i + 3 < n; i += 4) {
      s0 += x[o + i];
      s1 += x[o + i + 1];
      s2 += x[o + i + 2];
      s3 += x[o + i + 3];
    }
    for (; i < n; i++) {
      s0 += x[o + i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  /**
   * {@code (x[o] - mu)^2 + ... + (x[o+n-1] - mu)^2} in four partial sums, in the order of {@link
   * #sum} over the squared deviations (so equal to summing a float64 array of them).
   */
  public static double sumOfSquaredDeviations(double[] x, int o, int n, double mu) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int i = 0;
    for (; i + 3 < n; i += 4) {
      double d0 = x[o + i] - mu;
      double d1 = x[o + i + 1] - mu;
      double d2 = x[o + i + 2] - mu;
      double d3 = x[o + i + 3] - mu;
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
    }
    for (; i < n; i++) {
      double d = x[o + i] - mu;
      s0 += d * d;
    }
    return (s0 + s1) + (s2 + s3);
  }

  /** The float32 row's squared deviations from {@code mu}, each element widened to float64. */
  public static double sumOfSquaredDeviations(float[] x, int o, int n, double mu) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int i = 0;
    for (; i + 3 < n; i += 4) {
      double d0 = x[o + i] - mu;
      double d1 = x[o + i + 1] - mu;
      double d2 = x[o + i + 2] - mu;
      double d3 = x[o + i + 3] - mu;
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
    }
    for (; i < n; i++) {
      double d = x[o + i] - mu;
      s0 += d * d;
    }
    return (s0 + s1) + (s2 + s3);
  }

  /**
   * {@code out[oo + j] = sum over i < rows of x[xo + i*m + j]} for {@code c0 <= j < c1}: the
   * column sums of a contiguous {@code rows x m} block ({@code rows >= 1}), one row of the block
   * at a time so that the inner loop runs along memory.
   */
  public static void sumColumns(double[] x, int xo, int rows, int m, double[] out, int oo, int c0,
      int c1) {
    for (int j = c0; j < c1; j++) {
      out[oo + j] = x[xo + j];
    }
    for (int i = 1; i < rows; i++) {
      int base = xo + i * m;
      for (int j = c0; j < c1; j++) {
        out[oo + j] += x[base + j];
      }
    }
  }

  /**
   * The column sums of a float32 block, accumulated in float64 from +0 (so a column of -0s sums
   * to +0, where the float64 overload, starting from the first row, gives -0); see the other
   * overload.
   */
  public static void sumColumns(float[] x, int xo, int rows, int m, float[] out, int oo, int c0,
      int c1) {
    double[] acc = new double[c1 - c0];
    for (int i = 0; i < rows; i++) {
      int base = xo + i * m;
      for (int j = c0; j < c1; j++) {
        acc[j - c0] += x[base + j];
      }
    }
    for (int j = c0; j < c1; j++) {
      out[oo + j] = (float) acc[j - c0];
    }
  }
}
