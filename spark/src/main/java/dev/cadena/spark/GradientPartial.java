package dev.cadena.spark;

import java.io.Serializable;

/**
 * What the tasks of one step send towards the driver, summed on the way by {@code treeAggregate}:
 * the gradients of the <em>summed</em> loss, how many examples they cover, the summed loss, and
 * the slowest task's compute time. An empty partition's partial ({@link #empty()}) carries no
 * array and adds nothing.
 */
final class GradientPartial implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Null for the empty partial. */
  FlatVector grads;
  long examples;
  double lossSum;
  long maxComputeNanos;
  /** How many non-empty partitions' partials this sum holds. */
  long partials;

  GradientPartial(FlatVector grads, long examples, double lossSum, long computeNanos) {
    this.grads = grads;
    this.partials = grads == null ? 0 : 1;
    this.examples = examples;
    this.lossSum = lossSum;
    this.maxComputeNanos = computeNanos;
  }

  static GradientPartial empty() {
    return new GradientPartial(null, 0, 0, 0);
  }

  /**
   * Adds {@code b} into {@code a} and returns {@code a} (or {@code b} when {@code a} is empty):
   * {@code treeAggregate} allows both its functions to modify and return their first argument.
   * The sum of two partials is commutative bit for bit, so with two partials per step the result
   * does not depend on which task finished first.
   */
  static GradientPartial merge(GradientPartial a, GradientPartial b) {
    if (b.grads == null) {
      a.maxComputeNanos = Math.max(a.maxComputeNanos, b.maxComputeNanos);
      return a;
    }
    if (a.grads == null) {
      b.maxComputeNanos = Math.max(a.maxComputeNanos, b.maxComputeNanos);
      return b;
    }
    a.grads.addInPlace(b.grads);
    a.examples += b.examples;
    a.lossSum += b.lossSum;
    a.partials += b.partials;
    a.maxComputeNanos = Math.max(a.maxComputeNanos, b.maxComputeNanos);
    return a;
  }
}
