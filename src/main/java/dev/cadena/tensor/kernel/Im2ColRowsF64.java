package dev.cadena.tensor.kernel;

/**
 * The loops of {@code dev.cadena.tensor.Im2Col} on one plane: unfold copies each in-image stretch
 * of a window row with {@code System.arraycopy} (stride 1) or a strided loop, fold adds them
 * back. Written once, for 64-bit floats: {@code src/build/java/dev/cadena/build/GenerateF32.java}
 * makes the 32-bit version of this class in every build. Edit the 64-bit source only.
 */
public final class Im2ColRowsF64 {
  private Im2ColRowsF64() {}

  /** im2col of one plane: window rows of {@code in} copied into the columns {@code out}. */
  public static void unfoldPlane(double[] in, int inBase, double[] out, int outBase, WindowGeometry g) {
    int row = outBase;
    for (int i = 0; i < g.kh; i++) {
      for (int j = 0; j < g.kw; j++, row += g.l) {
        int lo = g.lo[j];
        int hi = g.hi[j];
        int colOff = j * g.dw - g.pw;
        for (int q = 0; q < g.oh; q++) {
          int y = q * g.sh - g.ph + i * g.dh;
          if (y < 0 || y >= g.h || lo >= hi) {
            continue;
          }
          int src = inBase + y * g.w + colOff;
          int dst = row + q * g.ow;
          if (g.sw == 1) {
            System.arraycopy(in, src + lo, out, dst + lo, hi - lo);
          } else {
            for (int p = lo; p < hi; p++) {
              out[dst + p] = in[src + p * g.sw];
            }
          }
        }
      }
    }
  }

  /** col2im of one plane: the columns {@code in} added back into the image rows {@code out}. */
  public static void foldPlane(double[] in, int inBase, double[] out, int outBase, WindowGeometry g) {
    int row = inBase;
    for (int i = 0; i < g.kh; i++) {
      for (int j = 0; j < g.kw; j++, row += g.l) {
        int lo = g.lo[j];
        int hi = g.hi[j];
        int colOff = j * g.dw - g.pw;
        for (int q = 0; q < g.oh; q++) {
          int y = q * g.sh - g.ph + i * g.dh;
          if (y < 0 || y >= g.h) {
            continue;
          }
          int dst = outBase + y * g.w + colOff;
          int src = row + q * g.ow;
          if (g.sw == 1) {
            for (int p = lo; p < hi; p++) {
              out[dst + p] += in[src + p];
            }
          } else {
            for (int p = lo; p < hi; p++) {
              out[dst + p * g.sw] += in[src + p];
            }
          }
        }
      }
    }
  }
}
