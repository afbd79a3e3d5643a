package dev.cadena.nn;

import dev.cadena.Tensor;

/**
 * How a loss turns its per-element values into the result: their {@link #MEAN} (the default),
 * their {@link #SUM}, or {@link #NONE} (the per-element tensor itself).
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
