package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;

/**
 * {@code elu(x) = x} for {@code x > 0}, else {@code alpha (e^x - 1)}, elementwise (Clevert et al.
 * 2015); the module form of {@link Functional#elu}.
 *
 * <p><b>Args:</b> {@code alpha} -- the saturation value for negative inputs (default 1).
 *
 * <p><b>Shape:</b> input {@code [*]}, output the same shape.
 *
 * <p><b>Example:</b>
 *
 * <pre>{@code
 * Tensor y = new ELU(1.0).forward(Tensor.of(-1.0, 2.0)); // [-0.6321, 2]
 * }</pre>
 */
public final class ELU extends Module {
  private final double alpha;

  /** alpha = 1. */
  public ELU() {
    this(1.0);
  }

  /**
   * The given alpha.
   *
   * @throws IllegalArgumentException for a non-finite alpha
   */
  public ELU(double alpha) {
    this.alpha = Checks.finite("ELU", "alpha", alpha);
  }

  /** The alpha. */
  public double alpha() {
    return alpha;
  }

  @Override
  public Tensor forward(Tensor x) {
    checkNotNull(x, "ELU: input is null");
    return Functional.elu(x, alpha);
  }

  @Override
  protected String extraRepr() {
    return "alpha=" + alpha;
  }
}
