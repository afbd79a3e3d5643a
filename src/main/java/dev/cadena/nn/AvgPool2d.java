package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import org.jspecify.annotations.Nullable;

/**
 * 2-d average pooling (PyTorch's {@code AvgPool2d}): the mean of each window, see {@link
 * Functional#avgPool2d(Tensor, int[], int[], int[], boolean, boolean, Integer)}. No parameters.
 *
 * <p><b>Args:</b> {@code kernelSize} -- window size, one value or {@code (kH, kW)}; {@code
 * stride} -- default the kernel size; {@code padding} -- zeros on both sides, at most half the
 * kernel (default 0); {@code ceilMode} -- round the output size up (default false); {@code
 * countIncludePad} -- count the padding zeros in the divisor (default true); {@code
 * divisorOverride} -- divide every window's sum by this instead (default null: none).
 *
 * <p><b>Shape:</b> {@code [N, C, H, W]} (or {@code [C, H, W]}) to {@code [N, C, oH, oW]}, {@code
 * oH = (H + 2 pH - kH) / sH + 1} (rounded up in ceil mode).
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
  private final boolean ceilMode;
  private final boolean countIncludePad;
  private final Integer divisorOverride;

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
    this(kernelSize, stride, padding, false, true, null);
  }

  /**
   * The layer with all of PyTorch's options; {@code stride} null means the kernel size.
   *
   * @throws NullPointerException when {@code kernelSize} or {@code padding} is null
   * @throws IllegalArgumentException for non-positive sizes, a negative padding or one above half
   *     the kernel, or a {@code divisorOverride} that is not positive
   */
  public AvgPool2d(int[] kernelSize, int @Nullable [] stride, int[] padding, boolean ceilMode,
      boolean countIncludePad, @Nullable Integer divisorOverride) {
    String name = getClass().getSimpleName();
    Functional.nulls(name, "kernelSize", kernelSize, "padding", padding);
    this.kernel = Functional.pair(name, "kernel_size", kernelSize);
    this.stride = stride == null ? kernel.clone() : Functional.pair(name, "stride", stride);
    this.padding = Functional.pair(name, "padding", padding);
    Functional.checkPoolArgs(name, kernel, this.stride, this.padding, new int[] {1, 1});
    if (divisorOverride != null && divisorOverride < 1) {
      throw new IllegalArgumentException(
          name + ": divisor_override must be positive, got " + divisorOverride);
    }
    this.ceilMode = ceilMode;
    this.countIncludePad = countIncludePad;
    this.divisorOverride = divisorOverride;
  }

  @Override
  public Tensor forward(Tensor x) {
    checkNotNull(x, "%s: input is null", getClass().getSimpleName());
    return Functional.pool2d(getClass().getSimpleName(), false, false, x, kernel, stride, padding,
        new int[] {1, 1}, ceilMode, countIncludePad, divisorOverride)[0];
  }

  /** PyTorch prints only the window (its {@code AvgPool2d.extra_repr}). */
  @Override
  protected String extraRepr() {
    return "kernel_size=" + MaxPool2d.value(kernel) + ", stride=" + MaxPool2d.value(stride)
        + ", padding=" + MaxPool2d.value(padding);
  }
}
