package dev.cadena.diagnostics;

import dev.cadena.tensor.NDArray;
import dev.cadena.tensor.Updates;

/**
 * The sums behind {@link GradientMonitor}'s norms, accumulated in float64 by the tensor layer's
 * kernels ({@link Updates}), and the copy of the parameters they are compared with.
 */
final class Norms {
  private Norms() {}

  /** {@code sum(a^2)}. */
  static double sumOfSquares(NDArray a) {
    return Updates.sumOfSquares(a);
  }

  /** Copies the elements of {@code a}, in row-major order, into {@code out} (of a's size). */
  static void copy(NDArray a, double[] out) {
    // A view of out with a's shape; writing through it fills out, converting from a's dtype.
    NDArray.wrap(out, a.shape()).assign(a);
  }

  /** {@code sum((a - before)^2)}, where {@code before} holds a's elements in row-major order. */
  static double sumOfSquaredDifferences(NDArray a, double[] before) {
    return Updates.sumOfSquaredDifferences(a, NDArray.wrap(before, a.shape()));
  }
}
