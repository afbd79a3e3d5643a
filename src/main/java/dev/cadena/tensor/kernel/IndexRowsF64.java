package dev.cadena.tensor.kernel;

/**
 * The loops of {@code gather} and {@code scatterAdd} along one axis of contiguous arrays, seen as
 * blocks {@code [P, n, S]}: the axis in the middle, everything before it folded into {@code P}
 * and everything after it into {@code S}. The index is a contiguous int64 array of the shape
 * {@code [P, ni, S]} from {@code idx[io]}, read where it is: an entry {@code v} names row {@code
 * v} along the axis, or {@code v + nx} when negative, and the loops stop at the first entry
 * outside {@code [-nx, nx)} and return its position, so that the caller ({@code
 * dev.cadena.tensor.Indexing}, which has checked the shapes) can throw. Each {@code p} is one
 * parallel item: the blocks of different {@code p} are disjoint, and inside a block the elements
 * are visited in row-major order, so a {@code scatterAdd} sums repeated indices in the order of
 * the strided loop it replaces. A max pooling's forward (the first maximum of each window) and
 * its gradient run here.
 *
 * <p>Written once, for 64-bit floats: {@code src/build/java/dev/cadena/build/GenerateF32.java}
 * makes the 32-bit version of this class in every build. Edit the 64-bit source only.
 */
public final class IndexRowsF64 {
  private IndexRowsF64() {}

  /**
   * {@code out[t] = x[xo + (p*nx + v)*s + k]} for {@code t = (p*ni + j)*s + k}, {@code v} the
   * resolved {@code idx[io + t]}, for {@code p0 <= p < p1}, {@code j < ni}, {@code k < s}.
   *
   * @return -1, or the first {@code t} whose index is out of range (nothing after it written)
   */
  public static int gather(double[] x, int xo, int nx, long[] idx, int io, int ni, int s,
      double[] out, int p0, int p1) {
    for (int p = p0; p < p1; p++) {
      int src = xo + p * nx * s;
      int t = p * ni * s;
      for (int j = 0; j < ni; j++, t += s) {
        for (int k = 0; k < s; k++) {
          long v = idx[io + t + k];
          v = v < 0 ? v + nx : v;
          if (v < 0 || v >= nx) {
            return t + k;
          }
          out[t + k] = x[src + (int) v * s + k];
        }
      }
    }
    return -1;
  }

  /**
   * {@code out[(p*nx + v)*s + k] += src[so + t]} with {@code t = (p*ni + j)*s + k} and {@code v}
   * the resolved {@code idx[io + t]}, for {@code p0 <= p < p1}, {@code j < ni}, {@code k < s}, in
   * that order; {@code out} is dense {@code [P, nx, S]} from index 0.
   *
   * @return -1, or the first {@code t} whose index is out of range (nothing after it added)
   */
  public static int scatterAdd(double[] out, int nx, long[] idx, int io, int ni, int s,
      double[] src, int so, int p0, int p1) {
    for (int p = p0; p < p1; p++) {
      int dst = p * nx * s;
      int t = p * ni * s;
      for (int j = 0; j < ni; j++, t += s) {
        for (int k = 0; k < s; k++) {
          long v = idx[io + t + k];
          v = v < 0 ? v + nx : v;
          if (v < 0 || v >= nx) {
            return t + k;
          }
          out[dst + (int) v * s + k] += src[so + t + k];
        }
      }
    }
    return -1;
  }
}
