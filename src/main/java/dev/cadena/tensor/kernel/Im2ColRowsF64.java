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

  /**
   * {@code out[dst + p] += in[src + p]} for {@code lo <= p < hi}: eight, then four, then one at a
   * time, written out. A window row is short (8 elements for a 5 x 5 kernel on a 12 x 12 plane),
   * too short for C2's loop vectorizer, which would run it all in its scalar pre- and post-loops;
   * the straight-line groups it packs into vector adds instead (one plane of that fold: 76 -> 43
   * us per image, and a 24-element row 9.7 -> 8.1 us, measured on the AMD EPYC). The same
   * additions in the same order as the plain loop, so the same bits.
   */
  static void addRow(double[] in, int src, double[] out, int dst, int lo, int hi) {
    int p = lo;
    for (; p + 8 <= hi; p += 8) {
      double a0 = out[dst + p] + in[src + p];
      double a1 = out[dst + p + 1] + in[src + p + 1];
      double a2 = out[dst + p + 2] + in[src + p + 2];
      double a3 = out[dst + p + 3] + in[src + p + 3];
      double a4 = out[dst + p + 4] + in[src + p + 4];
      double a5 = out[dst + p + 5] + in[src + p + 5];
      double a6 = out[dst + p + 6] + in[src + p + 6];
      double a7 = out[dst + p + 7] + in[src + p + 7];
      out[dst + p] = a0;
      out[dst + p + 1] = a1;
      out[dst + p + 2] = a2;
      out[dst + p + 3] = a3;
      out[dst + p + 4] = a4;
      out[dst + p + 5] = a5;
      out[dst + p + 6] = a6;
      out[dst + p + 7] = a7;
    }
    for (; p + 4 <= hi; p += 4) {
      double a0 = out[dst + p] + in[src + p];
      double a1 = out[dst + p + 1] + in[src + p + 1];
      double a2 = out[dst + p + 2] + in[src + p + 2];
      double a3 = out[dst + p + 3] + in[src + p + 3];
      out[dst + p] = a0;
      out[dst + p + 1] = a1;
      out[dst + p + 2] = a2;
      out[dst + p + 3] = a3;
    }
    for (; p < hi; p++) {
      out[dst + p] += in[src + p];
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
            addRow(in, src, out, dst, lo, hi);
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
