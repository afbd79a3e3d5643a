package dev.cadena.data;

import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.NDArray;
import dev.cadena.tensor.ShapeException;
import dev.cadena.tensor.Shapes;
import java.util.random.RandomGenerator;

/**
 * Data augmentation for images stored as rows of pixels ({@code [N, height * width]}). Shifting
 * digits by a pixel or two is the classic cheap regulariser for MNIST: an MLP trained on 8,000
 * shifted digits generalises about a point better than on the fixed ones.
 */
public final class Augment {
  private Augment() {}

  /**
   * Shifts each image by an independent random offset in {@code [-maxShift, maxShift]} along each
   * axis, filling the uncovered border with 0 (background). Not differentiable: apply it to inputs.
   *
   * @param images {@code [N, height * width]}, float32 or float64
   * @throws ShapeException when the rows are not {@code height * width} pixels
   */
  public static Tensor randomShift(Tensor images, int height, int width, int maxShift, RandomGenerator rng) {
    if (maxShift < 0) {
      throw new IllegalArgumentException("randomShift: maxShift must be >= 0, got " + maxShift);
    }
    if (images.rank() != 2 || images.size(1) != height * width) {
      throw new ShapeException(
          "randomShift: expected images of shape [N, " + height * width + "] (" + height + "x" + width
              + " pixels), got " + Shapes.str(images.shape()));
    }
    if (!images.dtype().isFloatingPoint()) {
      throw new dev.cadena.tensor.DTypeException(
          "randomShift: images must be float32 or float64, got " + images.dtype());
    }
    if (maxShift == 0) {
      return images;
    }
    int n = images.size(0);
    int px = height * width;
    NDArray c = images.data().contiguous();
    boolean f64 = c.dtype() == DType.FLOAT64;
    Object src = f64 ? c.doubleStorage() : c.floatStorage();
    Object dst = f64 ? new double[n * px] : new float[n * px];
    for (int k = 0; k < n; k++) {
      int dy = rng.nextInt(2 * maxShift + 1) - maxShift;
      int dx = rng.nextInt(2 * maxShift + 1) - maxShift;
      int base = k * px;
      // Copy each destination row's covered span from the shifted source row in one go.
      int x0 = Math.max(0, dx);
      int x1 = Math.min(width, width + dx);
      for (int y = 0; y < height; y++) {
        int sy = y - dy;
        if (sy >= 0 && sy < height && x1 > x0) {
          System.arraycopy(src, c.offset() + base + sy * width + x0 - dx, dst, base + y * width + x0, x1 - x0);
        }
      }
    }
    NDArray out = f64 ? NDArray.wrap((double[]) dst, n, px) : NDArray.wrap((float[]) dst, n, px);
    return Tensor.fromData(out);
  }
}
