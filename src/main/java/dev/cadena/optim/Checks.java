package dev.cadena.optim;

/**
 * Hyper-parameter checks shared by the optimisers and schedules. Each returns the value it
 * checked and throws an {@link IllegalArgumentException} that names the owner, the
 * hyper-parameter, the rule and the value: {@code Adam: beta1 must be in [0, 1), got 1.2}.
 */
final class Checks {
  private Checks() {}

  /** {@code value >= 0} and finite (learning rates, weight decay). */
  static double nonNegative(String owner, String name, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(owner + ": " + name + " must be >= 0 and finite, got " + value);
    }
    return value;
  }

  /** {@code value > 0} and finite (eps, gamma). */
  static double positive(String owner, String name, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(owner + ": " + name + " must be > 0 and finite, got " + value);
    }
    return value;
  }

  /** {@code 0 <= value < 1} (momentum, betas). */
  static double halfOpenUnit(String owner, String name, double value) {
    if (!(value >= 0 && value < 1)) {
      throw new IllegalArgumentException(owner + ": " + name + " must be in [0, 1), got " + value);
    }
    return value;
  }

  /** {@code 0 <= value <= 1} (dampening, RMSprop's smoothing constant). */
  static double closedUnit(String owner, String name, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(owner + ": " + name + " must be in [0, 1], got " + value);
    }
    return value;
  }

  /** {@code value > 0} for counts (step sizes, periods). */
  static int positive(String owner, String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(owner + ": " + name + " must be > 0, got " + value);
    }
    return value;
  }
}
