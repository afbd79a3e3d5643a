package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;

/**
 * {@code softplus(x) = log(1 + e^(beta x)) / beta}, and {@code x} where {@code beta x >
 * threshold}, elementwise; a smooth ReLU whose derivative is {@code sigmoid(beta x)}. The module
 * form of {@link Functional#softplus(Tensor, double, double)}, which never overflows.
 *
 * <p><b>Args:</b> {@code beta} (default 1, positive), {@code threshold} (default 20).
 *
 * <p><b>Shape:</b> input {@code [*]}, output the same shape.
 *
 * <p><b>Example:</b>
 *
 * <pre>{@code
 * Tensor y = new Softplus().forward(Tensor.of(-1000.0, 0.0, 1000.0)); // [0, 0.6931, 1000]
 * }</pre>
 */
public final class Softplus extends Module {
  private final double beta;
  private final double threshold;

  /** beta 1, threshold 20. */
  public Softplus() {
    this(1.0, 20.0);
  }

  /**
   * The given beta and threshold.
   *
   * @throws IllegalArgumentException unless beta is positive and threshold finite
   */
  public Softplus(double beta, double threshold) {
    this.beta = Checks.positiveFinite("Softplus", "beta", beta);
    this.threshold = Checks.finite("Softplus", "threshold", threshold);
  }

  @Override
  public Tensor forward(Tensor x) {
    checkNotNull(x, "Softplus: input is null");
    return Functional.softplus(x, beta, threshold);
  }

  @Override
  protected String extraRepr() {
    return "beta=" + beta + ", threshold=" + threshold;
  }
}
