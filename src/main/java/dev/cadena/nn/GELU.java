package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.nn.Functional.GeluApproximation;
import java.util.Locale;

/**
 * {@code gelu(x) = x Phi(x)}, Phi the standard normal CDF, elementwise (Hendrycks and Gimpel
 * 2016); the module form of {@link Functional#gelu(Tensor, GeluApproximation)}.
 *
 * <p><b>Args:</b> {@code approximation} -- {@link GeluApproximation#NONE} (default; Phi from a
 * composed erf accurate to 1.2e-7) or {@link GeluApproximation#TANH} ({@code Phi(x) ~ (1 +
 * tanh(sqrt(2/pi) (x + 0.044715 x^3))) / 2}).
 *
 * <p><b>Shape:</b> input {@code [*]}, output the same shape.
 *
 * <p><b>Example:</b>
 *
 * <pre>{@code
 * Tensor y = new GELU().forward(Tensor.of(-1.0, 0.0, 1.0)); // [-0.1587, 0, 0.8413]
 * }</pre>
 */
public final class GELU extends Module {
  private final GeluApproximation approximation;

  /** The erf-based GELU. */
  public GELU() {
    this(GeluApproximation.NONE);
  }

  /**
   * The given approximation.
   *
   * @throws NullPointerException for null
   */
  public GELU(GeluApproximation approximation) {
    checkNotNull(approximation, "GELU: approximation is null");
    this.approximation = approximation;
  }

  @Override
  public Tensor forward(Tensor x) {
    checkNotNull(x, "GELU: input is null");
    return Functional.gelu(x, approximation);
  }

  @Override
  protected String extraRepr() {
    return "approximate=" + approximation.name().toLowerCase(Locale.ROOT);
  }
}
