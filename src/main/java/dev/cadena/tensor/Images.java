package dev.cadena.tensor;

/**
 * Kernels on images stored as rows of pixels, {@code [N, height * width]} in row-major order, for
 * data augmentation ({@code dev.cadena.data.Augment}) that must not touch storage itself.
 */
public final class Images {
  private Images() {}

  /**
   * Image {@code k} moved by {@code dy[k]} pixels down and {@code dx[k]} pixels right (negative:
   * up, left), the uncovered border filled with 0:
   *
   * <pre>
   *   out[k, y, x] = images[k, y - dy[k], x - dx[k]]   where that pixel exists, else 0
   * </pre>
   *
   * <p>A new contiguous array of the same dtype and shape; {@code images} may be any view. A
   * shift of a whole side or more leaves the image blank.
   *
   * <pre>{@code
   * Images.shift(NDArray.wrap(new double[] {1, 2, 3, 4}, 1, 4), 2, 2, new int[] {0}, new int[] {1})
   * // [[0, 1, 0, 3]]
   * }</pre>
   *
   * @throws NullPointerException when an argument is null
   * @throws ShapeException when {@code images} is not {@code [N, height * width]}, or {@code dy}
   *     or {@code dx} does not have {@code N} entries
   */
  public static NDArray shift(NDArray images, int height, int width, int[] dy, int[] dx) {
    String op = "shift";
    if (images == null || dy == null || dx == null) {
      throw new NullPointerException(
          op + ": " + (images == null ? "images" : dy == null ? "dy" : "dx") + " is null");
    }
    if (height < 0 || width < 0 || images.rank() != 2
        || (long) images.dim(1) != (long) height * width) {
      throw new ShapeException(
          op + ": expected images of shape [N, " + (long) height * width + "] (" + height + "x"
              + width + " pixels), got " + Shapes.str(images.shape()));
    }
    int n = images.dim(0);
    if (dy.length != n || dx.length != n) {
      throw new ShapeException(
          op + ": need one shift per image, got " + dy.length + " dy and " + dx.length
              + " dx for " + n + " images");
    }
    int px = height * width;
    NDArray c = images.contiguous();
    NDArray out = NDArray.zeros(c.dtype(), n, px);
    Object src = storage(c);
    Object dst = storage(out);
    int so = c.offset();
    for (int k = 0; k < n; k++) {
      // Clamp first, so that a shift larger than the image cannot overflow the index sums.
      int sy = Math.max(-height, Math.min(height, dy[k]));
      int sx = Math.max(-width, Math.min(width, dx[k]));
      int base = k * px;
      // Each destination row's covered columns [x0, x1) come from one source row in one copy.
      int x0 = Math.max(0, sx);
      int x1 = Math.min(width, width + sx);
      if (x1 <= x0) {
        continue;
      }
      for (int y = Math.max(0, sy); y < Math.min(height, height + sy); y++) {
        System.arraycopy(src, so + base + (y - sy) * width + x0 - sx, dst, base + y * width + x0,
            x1 - x0);
      }
    }
    return out;
  }

  /** The primitive storage array, for {@link System#arraycopy}, which copies any of them. */
  private static Object storage(NDArray a) {
    switch (a.dtype()) {
      case FLOAT64:
        return a.doubleStorage();
      case FLOAT32:
        return a.floatStorage();
      default:
        return a.longStorage();
    }
  }
}
