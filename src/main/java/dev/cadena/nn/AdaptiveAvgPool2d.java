package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;

/**
 * Adaptive average pooling to a fixed output size (PyTorch's {@code AdaptiveAvgPool2d}), see
 * {@link Functional#adaptiveAvgPool2d(Tensor, int[])}. No parameters.
 *
 * <p><b>Args:</b> {@code outputSize} -- {@code (oH, oW)} or one value for both.
 *
 * <p><b>Shape:</b> {@code [N, C, H, W]} (or {@code [C, H, W]}) to {@code [N, C, oH, oW]}.
 *
 * <p><b>Example:</b>
 *
 * <pre>{@code
 * AdaptiveAvgPool2d gap = new AdaptiveAvgPool2d(1);
 * gap.forward(Tensor.randn(rng, 8, 64, 7, 7)).shape();   // [8, 64, 1, 1]
 * System.out.println(gap);                               // AdaptiveAvgPool2d(output_size=1)
 * }</pre>
 */
public class AdaptiveAvgPool2d extends Module {
  private final int[] outputSize;

  /** Output {@code size x size}. */
  public AdaptiveAvgPool2d(int size) {
    this(new int[] {size});
  }

  /**
   * Output {@code (oH, oW)}.
   *
   * @throws NullPointerException when {@code outputSize} is null
   * @throws IllegalArgumentException for a non-positive size or more than two values
   */
  public AdaptiveAvgPool2d(int[] outputSize) {
    this.outputSize = Functional.outputSize2d(getClass().getSimpleName(), outputSize);
  }

  @Override
  public Tensor forward(Tensor x) {
    checkNotNull(x, "%s: input is null", getClass().getSimpleName());
    return Functional.adaptiveAvgPool2d(x, outputSize);
  }

  @Override
  protected String extraRepr() {
    return "output_size=" + MaxPool2d.value(outputSize);
  }
}
