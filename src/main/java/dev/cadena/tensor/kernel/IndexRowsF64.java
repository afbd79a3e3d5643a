package dev.cadena.tensor.kernel;

/**
 * The loops of {@code gather} and {@code scatterAdd} along one axis of contiguous arrays, seen as
 * blocks {@code [P, n, S]}: the axis in the middle, everything before it folded into {@code P}
 * and everything after it into {@code S}. The index array has the shape {@code [P, ni, S]}
 * (row-major, the caller's copy) and holds rows along the axis already resolved into {@code [0,
 * nx)}; the caller ({@code dev.cadena.tensor.Indexing}) has checked shapes and indices. Each
 * {@code p} is one parallel item: the blocks of different {@code p} are disjoint, and inside a
 * block the elements are visited in row-major order, so a {@code scatterAdd} sums repeated
 * indices in the order of the strided loop it replaces. A max pooling's forward (the first
 * maximum of each window) and its gradient run here.
 *
 * <p>Written once, for 64-bit floats: {@code src/build/java/dev/cadena/build/GenerateF32.java}
 * makes the 32-bit version of this class in every build. Edit the 64-bit source only.
 */
public final class IndexRowsF64 {
  private IndexRowsF64() {}

  /**
   * {@code out[(p*ni + j)*s + k] = x[xo + (p*nx + idx[(p*ni + j)*s + k])*s + k]} for {@code p0 <=
   * p < p1}, {@code j < ni}, {@code k < s}.
   */
  public static void gather(
      double[] x, int xo, int nx, long[] idx, int ni, int s, double[] out, int p0, int p1) {
    for (int p = p0; p < p1; p++) {
      int src = xo + p * nx * s;
      int t = p * ni * s;
      for (int j = 0; j < ni; j++, t += s) {
        for (int k = 0; k < s; k++) {
          out[t + k] = x[src + (int) idx[t + k] * s + k];
        }
      }
    }
  }

  /**
   * {@code out[(p*nx + idx[t])*s + k] += src[so + t]} with {@code t = (p*ni + j)*s + k}, for
   * {@code p0 <= p < p1}, {@code j < ni}, {@code k < s}, in that order; {@code out} is dense
   * {@code [P, nx, S]} from index 0.
   */
  public static void scatterAdd(
      double[] out, int nx, long[] idx, int ni, int s, double[] src, int so, int p0, int p1) {
    for (int p = p0; p < p1; p++) {
      int dst = p * nx * s;
      int t = p * ni * s;
      for (int j = 0; j < ni; j++, t += s) {
        for (int k = 0; k < s; k++) {
          out[dst + (int) idx[t + k] * s + k] += src[so + t + k];
        }
      }
    }
  }
}
