package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import org.jspecify.annotations.Nullable;

/**
 * 2-d max pooling (PyTorch's {@code MaxPool2d}): the maximum of each window, see {@link
 * Functional#maxPool2d(Tensor, int[], int[], int[], int[])}. No parameters.
 *
 * <p><b>Args:</b> {@code kernelSize} -- window size, one value or {@code (kH, kW)}; {@code
 * stride} -- default the kernel size; {@code padding} -- implicit {@code -inf} on both sides, at
 * most half the kernel (default 0); {@code dilation} -- distance between window taps (default 1);
 * {@code ceilMode} -- round the output size up (default false), see {@link
 * Functional#maxPool2d(Tensor, int[], int[], int[], int[], boolean)}. PyTorch's {@code
 * return_indices=True} is {@link #forwardWithIndices}, which returns the values and their flat
 * positions in each input plane ({@link #forward} is the values alone, as a layer of a {@link
 * Sequential} needs).
 *
 * <p><b>Shape:</b> {@code [N, C, H, W]} (or {@code [C, H, W]}) to {@code [N, C, oH, oW]}, {@code
 * oH = (H + 2 pH - dH (kH - 1) - 1) / sH + 1} (rounded up in ceil mode).
 *
 * <p><b>Example:</b>
 *
 * <pre>{@code
 * MaxPool2d pool = new MaxPool2d(2);
 * pool.forward(Tensor.randn(rng, 8, 16, 24, 24)).shape();   // [8, 16, 12, 12]
 * System.out.println(pool);   // MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
 * }</pre>
 */
public class MaxPool2d extends Module {
  private final int[] kernel;
  private final int[] stride;
  private final int[] padding;
  private final int[] dilation;
  private final boolean ceilMode;

  /** Stride = kernel, no padding, dilation 1. */
  public MaxPool2d(int kernelSize) {
    this(new int[] {kernelSize}, null, new int[] {0}, new int[] {1});
  }

  /**
   * The general layer; {@code stride} null means the kernel size.
   *
   * @throws NullPointerException when {@code kernelSize}, {@code padding} or {@code dilation} is
   *     null
   * @throws IllegalArgumentException for non-positive sizes, a negative padding or one above half
   *     the kernel
   */
  public MaxPool2d(int[] kernelSize, int @Nullable [] stride, int[] padding, int[] dilation) {
    this(kernelSize, stride, padding, dilation, false);
  }

  /**
   * The general layer with PyTorch's {@code ceil_mode}; {@code stride} null means the kernel size.
   *
   * @throws NullPointerException when {@code kernelSize}, {@code padding} or {@code dilation} is
   *     null
   * @throws IllegalArgumentException for non-positive sizes, a negative padding or one above half
   *     the kernel
   */
  public MaxPool2d(int[] kernelSize, int @Nullable [] stride, int[] padding, int[] dilation,
      boolean ceilMode) {
    String name = getClass().getSimpleName();
    Functional.nulls(name, "kernelSize", kernelSize, "padding", padding, "dilation", dilation);
    this.kernel = Functional.pair(name, "kernel_size", kernelSize);
    this.stride = stride == null ? kernel.clone() : Functional.pair(name, "stride", stride);
    this.padding = Functional.pair(name, "padding", padding);
    this.dilation = Functional.pair(name, "dilation", dilation);
    Functional.checkPoolArgs(name, kernel, this.stride, this.padding, this.dilation);
    this.ceilMode = ceilMode;
  }

  @Override
  public Tensor forward(Tensor x) {
    checkNotNull(x, "%s: input is null", getClass().getSimpleName());
    return Functional.pool2d(getClass().getSimpleName(), true, false, x, kernel, stride, padding,
        dilation, ceilMode, true, null)[0];
  }

  /**
   * The maxima and their int64 flat positions {@code row * W + column} in each input plane, as
   * PyTorch's {@code MaxPool2d(..., return_indices=True)}; see {@link
   * Functional#maxPool2dWithIndices}.
   *
   * @throws NullPointerException when {@code x} is null
   * @throws dev.cadena.tensor.ShapeException for a wrong rank or a window larger than the padded
   *     input
   */
  public Tensor.ValuesIndices forwardWithIndices(Tensor x) {
    String name = getClass().getSimpleName();
    checkNotNull(x, "%s: input is null", name);
    Tensor[] r = Functional.pool2d(name, true, true, x, kernel, stride, padding, dilation,
        ceilMode, true, null);
    return new Tensor.ValuesIndices(r[0], r[1]);
  }

  /** PyTorch prints a value given as one number without parentheses. */
  static String value(int[] v) {
    return v[0] == v[1] ? Integer.toString(v[0]) : Repr.tuple(v);
  }

  @Override
  protected String extraRepr() {
    return "kernel_size=" + value(kernel) + ", stride=" + value(stride) + ", padding="
        + value(padding) + ", dilation=" + value(dilation) + ", ceil_mode=" + Repr.bool(ceilMode);
  }
}
