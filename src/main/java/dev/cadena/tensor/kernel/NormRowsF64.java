package dev.cadena.tensor.kernel;

/**
 * The kernels of the batch-norm primitive over a dense {@code [n, c, l]} array: channel {@code
 * ch} is the {@code n} rows of {@code l} elements that start at {@code (i * c + ch) * l}. Each
 * method handles the channels {@code [from, to)}, so that callers can split channels across
 * threads; a channel's rows are read two or three times in a row, while they are still in the
 * cache (a channel of a convolution's feature map is some hundreds of kilobytes).
 *
 * <ul>
 *   <li>{@link #stats}: the mean and the biased variance of each channel, two passes (the mean,
 *       then the squared deviations from it, as {@code var} computes them);
 *   <li>{@link #forward}: {@code y = (x - mean) * (rstd * w) + b}, one pass in the data's type;
 *   <li>{@link #backward}: {@code sum(g)} and {@code sum(g * xhat)} per channel, then {@code dx
 *       = w * rstd * (g - mean(g) - xhat * mean(g * xhat))}, two passes where the composition
 *       of mean, var, mul and add makes about ten and as many full-size temporaries.
 * </ul>
 *
 * <p>The statistics and their sums are 64-bit in both twins. The elementwise passes run in the
 * data's type with the per-channel coefficients rounded to it (as PyTorch's kernels do), so that
 * the JIT vectorizes them; the 32-bit twin's sums widen each element. Arguments are trusted, as
 * in BLAS: the callers check shapes.
 */
// The (double) casts are redundant here; in the generated float32 twin they are the rounding.
@SuppressWarnings("cast")
public final class NormRowsF64 {
  private NormRowsF64() {}

  /**
   * {@code mean[ch]} and the biased variance {@code var[ch]} of each channel {@code ch} in
   * {@code [from, to)}, with 64-bit sums: the mean first, then the squared deviations from it.
   */
  public static void stats(
      double[] x, int n, int c, int l, // f32: float[] x, int n, int c, int l,
      double[] mean, double[] var, int from, int to) { // f32: double[] mean, double[] var, int from, int to) {
    double count = (double) n * l; // f32: double count = (double) n * l;
    for (int ch = from; ch < to; ch++) {
      double s = 0; // f32: double s = 0;
      for (int i = 0; i < n; i++) {
        s += sum(x, (i * c + ch) * l, l);
      }
      double m = s / count; // f32: double m = s / count;
      double q = 0; // f32: double q = 0;
      for (int i = 0; i < n; i++) {
        q += squaredDeviations(x, (i * c + ch) * l, l, m);
      }
      mean[ch] = m;
      var[ch] = q / count;
    }
  }

  /**
   * {@code sum(x[base .. base + len))} in four 64-bit partial sums: one running sum would
   * wait on the latency of each addition (four cycles), four keep the adder busy.
   */
  private static double sum(double[] x, int base, int len) { // f32: private static double sum(float[] x, int base, int len) {
    double s0 = 0; // f32: double s0 = 0;
    double s1 = 0; // f32: double s1 = 0;
    double s2 = 0; // f32: double s2 = 0;
    double s3 = 0; // f32: double s3 = 0;
    int end = base + len;
    int j = base;
    for (; j + 3 < end; j += 4) {
      s0 += x[j];
      s1 += x[j + 1];
      s2 += x[j + 2];
      s3 += x[j + 3];
    }
    for (; j < end; j++) {
      s0 += x[j];
    }
    return (s0 + s1) + (s2 + s3);
  }

  /** {@code sum((x[j] - m)^2)} over {@code [base, base + len)}, four 64-bit partial sums. */
  private static double squaredDeviations(double[] x, int base, int len, double m) { // f32: private static double squaredDeviations(float[] x, int base, int len, double m) {
    double s0 = 0; // f32: double s0 = 0;
    double s1 = 0; // f32: double s1 = 0;
    double s2 = 0; // f32: double s2 = 0;
    double s3 = 0; // f32: double s3 = 0;
    int end = base + len;
    int j = base;
    for (; j + 3 < end; j += 4) {
      double d0 = x[j] - m; // f32: double d0 = x[j] - m;
      double d1 = x[j + 1] - m; // f32: double d1 = x[j + 1] - m;
      double d2 = x[j + 2] - m; // f32: double d2 = x[j + 2] - m;
      double d3 = x[j + 3] - m; // f32: double d3 = x[j + 3] - m;
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
    }
    for (; j < end; j++) {
      double d = x[j] - m; // f32: double d = x[j] - m;
      s0 += d * d;
    }
    return (s0 + s1) + (s2 + s3);
  }

  /**
   * {@code y = (x - mean[ch]) * (rstd[ch] * w[ch]) + b[ch]} for the channels {@code [from, to)};
   * {@code w} and {@code b} may be null (1 and 0).
   */
  public static void forward(
      double[] x, double[] y, int n, int c, int l, double[] w, double[] b,
      double[] mean, double[] rstd, int from, int to) { // f32: double[] mean, double[] rstd, int from, int to) {
    for (int ch = from; ch < to; ch++) {
      // The coefficients rounded to the data's type, so that the loop runs in it (vectorized by
      // the JIT): in float32 the rounding of the mean costs what the rounding of x already did.
      double m = (double) mean[ch];
      double scale = (double) (w == null ? rstd[ch] : rstd[ch] * w[ch]);
      double shift = b == null ? 0 : b[ch];
      for (int i = 0; i < n; i++) {
        int base = (i * c + ch) * l;
        for (int j = base; j < base + l; j++) {
          y[j] = (x[j] - m) * scale + shift;
        }
      }
    }
  }

  /**
   * The VJP of {@link #forward} with batch statistics, for the channels {@code [from, to)}:
   * {@code sumG[ch] = sum(g)} and {@code sumGXhat[ch] = sum(g * xhat)} with {@code xhat = (x -
   * mean) * rstd} (the gradients of b and w), then, when {@code dx} is not null, {@code dx = w *
   * rstd * (g - sumG / count - xhat * sumGXhat / count)} with {@code count = n * l}; {@code w}
   * may be null (1).
   */
  public static void backward(
      double[] x, double[] g, double[] dx, int n, int c, int l, double[] w,
      double[] mean, double[] rstd, double[] sumG, double[] sumGXhat, // f32: double[] mean, double[] rstd, double[] sumG, double[] sumGXhat,
      int from, int to) {
    double count = (double) n * l; // f32: double count = (double) n * l;
    for (int ch = from; ch < to; ch++) {
      double m = mean[ch]; // f32: double m = mean[ch];
      double r = rstd[ch]; // f32: double r = rstd[ch];
      double sg = 0; // f32: double sg = 0;
      double sgd = 0; // f32: double sgd = 0;
      for (int i = 0; i < n; i++) {
        int base = (i * c + ch) * l;
        sg += sum(g, base, l);
        sgd += dotDeviations(g, x, base, l, m);
      }
      sumG[ch] = sg;
      sumGXhat[ch] = sgd * r;
      if (dx == null) {
        continue;
      }
      // Coefficients in the data's type, as in forward; xhat * mean(g * xhat) = (x - m) * r *
      // (sgd * r / count).
      double k = (double) (w == null ? r : r * w[ch]);
      double a = (double) (sg / count);
      double slope = (double) (sgd * r * r / count);
      double mc = (double) m;
      for (int i = 0; i < n; i++) {
        int base = (i * c + ch) * l;
        for (int j = base; j < base + l; j++) {
          dx[j] = k * (g[j] - a - (x[j] - mc) * slope);
        }
      }
    }
  }

  /** {@code sum(g[j] * (x[j] - m))} over {@code [base, base + len)}, four 64-bit partial sums. */
  private static double dotDeviations(double[] g, double[] x, int base, int len, double m) { // f32: private static double dotDeviations(float[] g, float[] x, int base, int len, double m) {
    double s0 = 0; // f32: double s0 = 0;
    double s1 = 0; // f32: double s1 = 0;
    double s2 = 0; // f32: double s2 = 0;
    double s3 = 0; // f32: double s3 = 0;
    int end = base + len;
    int j = base;
    for (; j + 3 < end; j += 4) {
      s0 += g[j] * (x[j] - m);
      s1 += g[j + 1] * (x[j + 1] - m);
      s2 += g[j + 2] * (x[j + 2] - m);
      s3 += g[j + 3] * (x[j + 3] - m);
    }
    for (; j < end; j++) {
      s0 += g[j] * (x[j] - m);
    }
    return (s0 + s1) + (s2 + s3);
  }
}
