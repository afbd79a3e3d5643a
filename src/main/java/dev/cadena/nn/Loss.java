package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;
import static dev.cadena.nn.Checks.floating;
import static dev.cadena.nn.Checks.sameShape;

import dev.cadena.Tensor;
import dev.cadena.autograd.Anomaly;
import dev.cadena.ops.Elementwise;
import dev.cadena.ops.Reductions;
import dev.cadena.tensor.ShapeException;
import dev.cadena.tensor.Shapes;

/**
 * Loss functions (PyTorch's {@code torch.nn.functional} losses), each a composition of tensor ops
 * and each with a {@link Reduction} ({@link Reduction#MEAN} when not given). Inputs and targets
 * must have the same shape (no silent broadcasting); class-index losses take int64 labels.
 *
 * <pre>{@code
 * Tensor logits = model.forward(x);                          // [N, C]
 * Tensor loss = Loss.crossEntropy(logits, labels);           // labels: int64 [N]
 * loss.backward();
 * }</pre>
 *
 * <table>
 *   <caption>Per-element formulas (x input, y target)</caption>
 *   <tr><th>loss</th><th>l(x, y)</th></tr>
 *   <tr><td>mse</td><td>(x - y)^2</td></tr>
 *   <tr><td>l1</td><td>|x - y|</td></tr>
 *   <tr><td>huber</td><td>(x - y)^2 / 2 if |x - y| &lt; delta, else delta (|x - y| - delta / 2)</td></tr>
 *   <tr><td>binaryCrossEntropy</td><td>-(y log p + (1 - y) log(1 - p)), logs clamped at -100</td></tr>
 *   <tr><td>binaryCrossEntropyWithLogits</td><td>(1 - y) x + max(-x, 0) + log(1 + e^-|x|)</td></tr>
 *   <tr><td>crossEntropy</td><td>-logSoftmax(x)[label] per row</td></tr>
 *   <tr><td>nll</td><td>-x[label] per row</td></tr>
 * </table>
 */
public final class Loss {
  private Loss() {}

  /** Mean squared error, {@link Reduction#MEAN}. */
  public static Tensor mse(Tensor input, Tensor target) {
    checkNotNull(input, "mse: input is null");
    checkNotNull(target, "mse: target is null");
    return mse(input, target, Reduction.MEAN);
  }

  /**
   * Squared error {@code (x - y)^2}, reduced.
   *
   * @throws ShapeException when the shapes differ
   */
  public static Tensor mse(Tensor input, Tensor target, Reduction reduction) {
    checkNotNull(input, "mse: input is null");
    checkNotNull(target, "mse: target is null");
    checkNotNull(reduction, "mse: reduction is null");
    pair("mse", input, target, reduction);
    return reduction.apply(input.sub(target).square());
  }

  /** Mean absolute error, {@link Reduction#MEAN}. */
  public static Tensor l1(Tensor input, Tensor target) {
    checkNotNull(input, "l1: input is null");
    checkNotNull(target, "l1: target is null");
    return l1(input, target, Reduction.MEAN);
  }

  /**
   * Absolute error {@code |x - y|}, reduced. Its derivative at {@code x = y} is 0.
   *
   * @throws ShapeException when the shapes differ
   */
  public static Tensor l1(Tensor input, Tensor target, Reduction reduction) {
    checkNotNull(input, "l1: input is null");
    checkNotNull(target, "l1: target is null");
    checkNotNull(reduction, "l1: reduction is null");
    pair("l1", input, target, reduction);
    return reduction.apply(input.sub(target).abs());
  }

  /** Huber loss with the given delta, {@link Reduction#MEAN}. */
  public static Tensor huber(Tensor input, Tensor target, double delta) {
    checkNotNull(input, "huber: input is null");
    checkNotNull(target, "huber: target is null");
    return huber(input, target, delta, Reduction.MEAN);
  }

  /**
   * Huber loss: quadratic {@code d^2 / 2} for {@code |d| < delta}, linear {@code delta (|d| -
   * delta / 2)} beyond, with {@code d = x - y}; the two pieces and their slopes meet at {@code
   * |d| = delta}.
   *
   * @throws IllegalArgumentException for a non-positive delta or differing shapes
   */
  public static Tensor huber(Tensor input, Tensor target, double delta, Reduction reduction) {
    checkNotNull(input, "huber: input is null");
    checkNotNull(target, "huber: target is null");
    checkNotNull(reduction, "huber: reduction is null");
    pair("huber", input, target, reduction);
    Checks.positiveFinite("huber", "delta", delta);
    Tensor d = input.sub(target);
    Tensor a = d.abs();
    // Quadratic unless |d| > delta, as PyTorch's gradient has it (NaN stays NaN; at |d| = delta
    // both pieces agree). The quadratic branch sees only those differences: an infinite d there
    // would put 0 * inf = NaN into the gradient of the branch that where() does not pick.
    Tensor small = a.gt(delta).rsub(1.0);
    Tensor quadratic = Tensor.where(small, d, Tensor.scalar(0.0, d.dtype())).square().mul(0.5);
    Tensor linear = a.sub(0.5 * delta).mul(delta);
    return reduction.apply(Tensor.where(small, quadratic, linear));
  }

  /** Binary cross-entropy on probabilities, {@link Reduction#MEAN}. */
  public static Tensor binaryCrossEntropy(Tensor probs, Tensor target) {
    checkNotNull(probs, "binaryCrossEntropy: probs is null");
    checkNotNull(target, "binaryCrossEntropy: target is null");
    return binaryCrossEntropy(probs, target, Reduction.MEAN);
  }

  /**
   * Binary cross-entropy {@code -(y log p + (1 - y) log(1 - p))} of probabilities {@code p} (e.g. a
   * sigmoid's output) and targets {@code y} in [0, 1], PyTorch's {@code binary_cross_entropy}: each
   * log is clamped at -100, so a confident wrong answer costs 100 rather than infinity, and the
   * gradient in {@code p} is PyTorch's {@code (p - y) / max(p (1 - p), 1e-12)}, finite for every
   * {@code p} in [0, 1], also where a float32 sigmoid has saturated to exactly 0 or 1 (see {@link
   * dev.cadena.ops.Primitive#BINARY_CROSS_ENTROPY}). The target's gradient, {@code -log(p / (1 -
   * p))}, is infinite at {@code p = 0} or 1, as in PyTorch. Prefer {@link
   * #binaryCrossEntropyWithLogits} for logits: it is exact where the sigmoid saturates.
   *
   * @throws IllegalArgumentException when a probability is outside [0, 1] or NaN (naming it and
   *     its position) or the shapes differ
   */
  public static Tensor binaryCrossEntropy(Tensor probs, Tensor target, Reduction reduction) {
    checkNotNull(probs, "binaryCrossEntropy: probs is null");
    checkNotNull(target, "binaryCrossEntropy: target is null");
    checkNotNull(reduction, "binaryCrossEntropy: reduction is null");
    pair("binaryCrossEntropy", probs, target, reduction);
    // Under vmap every sample's probabilities, in the physical order (sample after sample).
    double[] p = probs.isBatched() ? probs.data().toDoubleArray() : probs.toDoubleArray();
    for (int i = 0; i < p.length; i++) {
      if (!(p[i] >= 0 && p[i] <= 1)) {
        throw new IllegalArgumentException(
            "binaryCrossEntropy: input " + p[i] + " at position " + i
                + " is not a probability in [0, 1]; for logits use binaryCrossEntropyWithLogits");
      }
    }
    return reduction.apply(Elementwise.binaryCrossEntropy(probs, target));
  }

  /** Binary cross-entropy on logits, {@link Reduction#MEAN}. */
  public static Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor target) {
    checkNotNull(logits, "binaryCrossEntropyWithLogits: logits is null");
    checkNotNull(target, "binaryCrossEntropyWithLogits: target is null");
    return binaryCrossEntropyWithLogits(logits, target, Reduction.MEAN);
  }

  /**
   * Binary cross-entropy of {@code sigmoid(x)} and {@code y}, computed from the logits x as
   * {@code (1 - y) x + max(-x, 0) + log(1 + e^-|x|)}, which equals {@code -(y log sigmoid(x) + (1 -
   * y) log(1 - sigmoid(x)))} but never overflows and never takes the log of 0. Written in
   * PyTorch's order, so that infinite logits give what PyTorch gives ({@code inf} for {@code x =
   * inf, y < 1}, NaN where {@code inf - inf} arises).
   *
   * @throws ShapeException when the shapes differ
   */
  public static Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor target, Reduction reduction) {
    checkNotNull(logits, "binaryCrossEntropyWithLogits: logits is null");
    checkNotNull(target, "binaryCrossEntropyWithLogits: target is null");
    checkNotNull(reduction, "binaryCrossEntropyWithLogits: reduction is null");
    pair("binaryCrossEntropyWithLogits", logits, target, reduction);
    Tensor softplusOfMinusAbs = Functional.log1pExp(logits.abs().neg());
    return reduction.apply(
        target.rsub(1.0).mul(logits).add(logits.neg().maximum(0.0)).add(softplusOfMinusAbs));
  }

  /** Cross-entropy of logits and class labels, {@link Reduction#MEAN}. */
  public static Tensor crossEntropy(Tensor logits, Tensor labels) {
    checkNotNull(logits, "crossEntropy: logits is null");
    checkNotNull(labels, "crossEntropy: labels is null");
    return crossEntropy(logits, labels, Reduction.MEAN);
  }

  /**
   * Cross-entropy of unnormalised scores {@code logits [N, C]} and class indices {@code labels}
   * (int64 {@code [N]}, each in [0, C)): {@code -logSoftmax(logits)[i, labels[i]]} per row, i.e.
   * {@code nll(logSoftmax(logits, 1), labels)}; stable for large logits.
   *
   * @throws IllegalArgumentException e.g. {@code crossEntropy: label 12 at position 3 is out of
   *     range [0, 10)}, for non-int64 labels or mismatched shapes
   */
  public static Tensor crossEntropy(Tensor logits, Tensor labels, Reduction reduction) {
    checkNotNull(logits, "crossEntropy: logits is null");
    checkNotNull(labels, "crossEntropy: labels is null");
    checkNotNull(reduction, "crossEntropy: reduction is null");
    classification("crossEntropy", logits, labels, reduction);
    return reduction.apply(Reductions.crossEntropy(logits, labels));
  }

  /** Negative log-likelihood, {@link Reduction#MEAN}. */
  public static Tensor nll(Tensor logProbs, Tensor labels) {
    checkNotNull(logProbs, "nll: logProbs is null");
    checkNotNull(labels, "nll: labels is null");
    return nll(logProbs, labels, Reduction.MEAN);
  }

  /**
   * Negative log-likelihood of log-probabilities {@code [N, C]} (e.g. a {@link LogSoftmax}'s
   * output) at class indices {@code labels} (int64 {@code [N]}): {@code -logProbs[i, labels[i]]}
   * per row.
   *
   * @throws IllegalArgumentException for labels out of range, non-int64 labels or mismatched
   *     shapes
   */
  public static Tensor nll(Tensor logProbs, Tensor labels, Reduction reduction) {
    checkNotNull(logProbs, "nll: logProbs is null");
    checkNotNull(labels, "nll: labels is null");
    checkNotNull(reduction, "nll: reduction is null");
    classification("nll", logProbs, labels, reduction);
    return pick(logProbs, labels, reduction);
  }

  private static Tensor pick(Tensor logProbs, Tensor labels, Reduction reduction) {
    Tensor picked = logProbs.gather(1, labels.unsqueeze(1)).squeeze(1);
    return reduction.apply(picked.neg());
  }

  private static void classification(String op, Tensor scores, Tensor labels, Reduction reduction) {
    try (var o = Anomaly.operands(op, "input", scores, "labels", labels)) {
      floating(op, "input", scores);
      checkReduction(op, reduction);
      if (scores.rank() != 2 || scores.size(1) == 0) {
        throw new ShapeException(
            op + ": input must be 2-d [N, C] with C >= 1, got shape " + Shapes.str(scores.shape()));
      }
      Checks.labels(op, labels, scores.size(0), scores.size(1));
    }
  }

  private static void pair(String op, Tensor input, Tensor target, Reduction reduction) {
    try (var o = Anomaly.operands(op, "input", input, "target", target)) {
      floating(op, "input", input);
      floating(op, "target", target);
      checkReduction(op, reduction);
      sameShape(op, "input", input, "target", target);
    }
  }

  private static void checkReduction(String op, Reduction reduction) {
    checkNotNull(reduction, "%s: reduction is null", op);
  }
}
