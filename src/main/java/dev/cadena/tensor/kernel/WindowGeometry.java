package dev.cadena.tensor.kernel;

/**
 * The geometry of a sliding-window op on one {@code [H, W]} plane (kernel, dilation, padding,
 * stride, output size), as {@link Im2ColRowsF64} reads it, with the range of window columns
 * {@code [lo[j], hi[j])} whose kernel column {@code j} falls inside the image, so that the loops
 * need no bounds test per element. The caller ({@code dev.cadena.tensor.Im2Col}) has checked the
 * sizes.
 */
public final class WindowGeometry {
  public final int h;
  public final int w;
  public final int kh;
  public final int kw;
  public final int dh;
  public final int dw;
  public final int ph;
  public final int pw;
  public final int sh;
  public final int sw;
  public final int oh;
  public final int ow;
  public final int l;
  public final int plane;
  public final int colsPerChannel;
  public final int[] lo;
  public final int[] hi;

  /** The geometry of a {@code c}-channel {@code [h, w]} input and its {@code [oh, ow]} windows. */
  public WindowGeometry(int c, int h, int w, int[] k, int[] d, int[] p, int[] s, int oh, int ow) {
    this.h = h;
    this.w = w;
    this.kh = k[0];
    this.kw = k[1];
    this.dh = d[0];
    this.dw = d[1];
    this.ph = p[0];
    this.pw = p[1];
    this.sh = s[0];
    this.sw = s[1];
    this.oh = oh;
    this.ow = ow;
    this.l = oh * ow;
    this.plane = h * w;
    this.colsPerChannel = kh * kw * l;
    lo = new int[kw];
    hi = new int[kw];
    for (int j = 0; j < kw; j++) {
      // Window column q reads image column q * sw - pw + j * dw, inside [0, w) for q in [lo, hi).
      long off = (long) j * dw - pw;
      long first = off >= 0 ? 0 : (-off + sw - 1) / sw;
      long last = w - 1 - off < 0 ? -1 : (w - 1 - off) / sw;
      lo[j] = (int) Math.min(ow, first);
      hi[j] = (int) Math.max(lo[j], Math.min(ow, last + 1));
    }
  }
}
