package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;

/**
 * {@code leakyRelu(x) = x} for {@code x > 0}, else {@code slope * x}, elementwise; the module form
 * of {@link Functional#leakyRelu}.
 *
 * <p><b>Args:</b> {@code slope} -- the negative slope (PyTorch's default 0.01).
 *
 * <p><b>Shape:</b> input {@code [*]}, output the same shape.
 *
 * <p><b>Example:</b>
 *
 * <pre>{@code
 * Tensor y = new LeakyReLU(0.1).forward(Tensor.of(-2.0, 3.0)); // [-0.2, 3]
 * }</pre>
 */
public final class LeakyReLU extends Module {
  private final double slope;

  /** Negative slope 0.01. */
  public LeakyReLU() {
    this(0.01);
  }

  /**
   * The given negative slope.
   *
   * @throws IllegalArgumentException for a non-finite slope
   */
  public LeakyReLU(double slope) {
    this.slope = Checks.finite("LeakyReLU", "negative slope", slope);
  }

  /** The negative slope. */
  public double slope() {
    return slope;
  }

  @Override
  public Tensor forward(Tensor x) {
    checkNotNull(x, "LeakyReLU: input is null");
    return Functional.leakyRelu(x, slope);
  }

  @Override
  protected String extraRepr() {
    return "slope=" + slope;
  }
}
