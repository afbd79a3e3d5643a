package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;

/**
 * Adaptive 1-d average pooling to a fixed output length (PyTorch's {@code AdaptiveAvgPool1d}), see
 * {@link Functional#adaptiveAvgPool1d}. No parameters.
 *
 * <p><b>Args:</b> {@code outputSize} -- oL.
 *
 * <p><b>Shape:</b> {@code [N, C, L]} (or {@code [C, L]}) to {@code [N, C, oL]}.
 *
 * <p><b>Example:</b>
 *
 * <pre>{@code
 * AdaptiveAvgPool1d gap = new AdaptiveAvgPool1d(1);
 * gap.forward(Tensor.randn(rng, 8, 64, 9)).shape();   // [8, 64, 1]
 * System.out.println(gap);                            // AdaptiveAvgPool1d(output_size=1)
 * }</pre>
 */
public class AdaptiveAvgPool1d extends Module {
  private final int outputSize;

  /**
   * Output length {@code outputSize}.
   *
   * @throws IllegalArgumentException for a non-positive size
   */
  public AdaptiveAvgPool1d(int outputSize) {
    this.outputSize = Checks.positiveSize(getClass().getSimpleName(), "output_size", outputSize);
  }

  @Override
  public Tensor forward(Tensor x) {
    checkNotNull(x, "%s: input is null", getClass().getSimpleName());
    return Functional.adaptiveAvgPool1d(getClass().getSimpleName(), x, outputSize);
  }

  @Override
  protected String extraRepr() {
    return "output_size=" + outputSize;
  }
}
