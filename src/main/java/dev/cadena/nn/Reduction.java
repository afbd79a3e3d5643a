package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;

/**
 * How a loss turns its per-element values {@code l_i} into the result: {@link #MEAN} {@code (1/n)
 * sum_i l_i} (the default), {@link #SUM} {@code sum_i l_i}, or {@link #NONE} (the per-element
 * tensor itself).
 *
 * <pre>{@code
 * Tensor perSample = Loss.crossEntropy(logits, labels, Reduction.NONE);  // [N]
 * Tensor total = Loss.crossEntropy(logits, labels, Reduction.SUM);       // 0-d
 * }</pre>
 */
public enum Reduction {
  /** The mean of the per-element losses (a 0-d tensor). */
  MEAN,
  /** The sum of the per-element losses (a 0-d tensor). */
  SUM,
  /** The per-element losses, unreduced. */
  NONE;

  /** Applies this reduction to per-element losses. */
  public Tensor apply(Tensor perElement) {
    checkNotNull(perElement, "Reduction.apply: perElement is null");
    switch (this) {
      case MEAN:
        return perElement.mean();
      case SUM:
        return perElement.sum();
      default:
        return perElement;
    }
  }
}
