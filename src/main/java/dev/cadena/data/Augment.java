package dev.cadena.data;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.autograd.Anomaly;
import dev.cadena.tensor.DTypeException;
import dev.cadena.tensor.Images;
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
   * @throws IllegalArgumentException when {@code maxShift} is negative or above {@code 2^30 - 1}
   *     (the {@code 2 * maxShift + 1} possible offsets must fit an int)
   */
  public static Tensor randomShift(Tensor images, int height, int width, int maxShift, RandomGenerator rng) {
    checkNotNull(images, "randomShift: images is null");
    checkNotNull(
        rng, "randomShift: rng is null (pass a seeded generator, e.g. new SplittableRandom(42))");
    if (maxShift < 0 || maxShift > (Integer.MAX_VALUE - 1) / 2) {
      // 2 * maxShift + 1 offsets are drawn from: it must fit an int.
      throw new IllegalArgumentException(
          "randomShift: maxShift must be in [0, " + (Integer.MAX_VALUE - 1) / 2 + "], got " + maxShift);
    }
    if (images.rank() != 2 || images.size(1) != (long) height * width) {
      try (var o = Anomaly.operands("randomShift", "images", images)) {
        throw new ShapeException(
            "randomShift: expected images of shape [N, " + (long) height * width + "] (" + height
                + "x" + width + " pixels), got " + Shapes.str(images.shape()));
      }
    }
    if (!images.dtype().isFloatingPoint()) {
      throw new DTypeException(
          "randomShift: images must be float32 or float64, got " + images.dtype());
    }
    if (maxShift == 0) {
      return images;
    }
    int n = images.size(0);
    // Both offsets of an image are drawn before the next image's, in this order, so that a seed
    // gives the same augmentation as it always has.
    int[] dy = new int[n];
    int[] dx = new int[n];
    for (int k = 0; k < n; k++) {
      dy[k] = rng.nextInt(2 * maxShift + 1) - maxShift;
      dx[k] = rng.nextInt(2 * maxShift + 1) - maxShift;
    }
    NDArray out = Images.shift(images.data(), height, width, dy, dx);
    return Tensor.fromData(out);
  }
}
