package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import org.jspecify.annotations.Nullable;

/**
 * 2-d average pooling (PyTorch's {@code AvgPool2d} with its defaults {@code
 * count_include_pad=True}, {@code ceil_mode=False}): the mean of each window, zero padding
 * counted, see {@link Functional#avgPool2d(Tensor, int[], int[], int[])}. No parameters.
 *
 * <p><b>Args:</b> {@code kernelSize} -- window size, one value or {@code (kH, kW)}; {@code
 * stride} -- default the kernel size; {@code padding} -- zeros on both sides, at most half the
 * kernel (default 0).
 *
 * <p><b>Shape:</b> {@code [N, C, H, W]} (or {@code [C, H, W]}) to {@code [N, C, oH, oW]}, {@code
 * oH = (H + 2 pH - kH) / sH + 1}.
 *
 * <p><b>Example:</b>
 *
 * <pre>{@code
 * AvgPool2d pool = new AvgPool2d(2);
 * pool.forward(Tensor.ones(1, 1, 4, 4));   // [1, 1, 2, 2] of ones
 * System.out.println(pool);                // AvgPool2d(kernel_size=2, stride=2, padding=0)
 * }</pre>
 */
public class AvgPool2d extends Module {
  private final int[] kernel;
  private final int[] stride;
  private final int[] padding;

  /** Stride = kernel, no padding. */
  public AvgPool2d(int kernelSize) {
    this(new int[] {kernelSize}, null, new int[] {0});
  }

  /**
   * The general layer; {@code stride} null means the kernel size.
   *
   * @throws NullPointerException when {@code kernelSize} or {@code padding} is null
   * @throws IllegalArgumentException for non-positive sizes, a negative padding or one above half
   *     the kernel
   */
  public AvgPool2d(int[] kernelSize, int @Nullable [] stride, int[] padding) {
    String name = getClass().getSimpleName();
    Functional.nulls(name, "kernelSize", kernelSize, "padding", padding);
    this.kernel = Functional.pair(name, "kernel_size", kernelSize);
    this.stride = stride == null ? kernel.clone() : Functional.pair(name, "stride", stride);
    this.padding = Functional.pair(name, "padding", padding);
    Functional.Im2ColArgs.checkPositive(name, "kernel_size", kernel);
    Functional.Im2ColArgs.checkPositive(name, "stride", this.stride);
    Functional.Im2ColArgs.checkNonNegative(name, "padding", this.padding);
    if (this.padding[0] > kernel[0] / 2 || this.padding[1] > kernel[1] / 2) {
      throw new IllegalArgumentException(
          name + ": padding must be at most half the kernel size, got padding "
              + Repr.tuple(this.padding) + " for kernel_size " + Repr.tuple(kernel));
    }
  }

  @Override
  public Tensor forward(Tensor x) {
    checkNotNull(x, "%s: input is null", getClass().getSimpleName());
    return Functional.pool2d(getClass().getSimpleName(), false, x, kernel, stride, padding,
        new int[] {1, 1});
  }

  @Override
  protected String extraRepr() {
    return "kernel_size=" + MaxPool2d.value(kernel) + ", stride=" + MaxPool2d.value(stride)
        + ", padding=" + MaxPool2d.value(padding);
  }
}
