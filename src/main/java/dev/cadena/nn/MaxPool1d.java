package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import org.jspecify.annotations.Nullable;

/**
 * 1-d max pooling (PyTorch's {@code MaxPool1d}): the maximum of each window along the last axis,
 * see {@link Functional#maxPool1d}. No parameters.
 *
 * <p><b>Args:</b> {@code kernelSize} -- k; {@code stride} -- default the kernel size; {@code
 * padding} -- implicit {@code -inf} on both sides, at most half the kernel (default 0); {@code
 * dilation} -- distance between window taps (default 1); {@code ceilMode} -- round the output size
 * up (default false). PyTorch's {@code return_indices=True} is {@link #forwardWithIndices}.
 *
 * <p><b>Shape:</b> {@code [N, C, L]} (or {@code [C, L]}) to {@code [N, C, oL]}, {@code oL = (L +
 * 2p - d (k - 1) - 1) / s + 1} (rounded up in ceil mode).
 *
 * <p><b>Example:</b>
 *
 * <pre>{@code
 * MaxPool1d pool = new MaxPool1d(2);
 * pool.forward(Tensor.randn(rng, 8, 4, 10)).shape();   // [8, 4, 5]
 * System.out.println(pool);   // MaxPool1d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
 * }</pre>
 */
public class MaxPool1d extends Module {
  private final int kernel;
  private final int stride;
  private final int padding;
  private final int dilation;
  private final boolean ceilMode;

  /** Stride = kernel, no padding, dilation 1. */
  public MaxPool1d(int kernelSize) {
    this(kernelSize, null, 0, 1, false);
  }

  /**
   * The general layer; {@code stride} null means the kernel size.
   *
   * @throws IllegalArgumentException for non-positive sizes, a negative padding or one above half
   *     the kernel
   */
  public MaxPool1d(int kernelSize, @Nullable Integer stride, int padding, int dilation,
      boolean ceilMode) {
    String name = getClass().getSimpleName();
    this.kernel = kernelSize;
    this.stride = stride == null ? kernelSize : stride;
    this.padding = padding;
    this.dilation = dilation;
    Functional.checkPool1dArgs(name, kernel, this.stride, padding, dilation);
    this.ceilMode = ceilMode;
  }

  @Override
  public Tensor forward(Tensor x) {
    String name = getClass().getSimpleName();
    checkNotNull(x, "%s: input is null", name);
    return Functional.pool1d(name, true, false, x, kernel, stride, padding, dilation, ceilMode,
        true)[0];
  }

  /**
   * The maxima and their int64 positions in {@code [0, L)}, as PyTorch's {@code MaxPool1d(...,
   * return_indices=True)}.
   *
   * @throws NullPointerException when {@code x} is null
   * @throws dev.cadena.tensor.ShapeException for a wrong rank or a window larger than the padded
   *     input
   */
  public Tensor.ValuesIndices forwardWithIndices(Tensor x) {
    String name = getClass().getSimpleName();
    checkNotNull(x, "%s: input is null", name);
    Tensor[] r = Functional.pool1d(name, true, true, x, kernel, stride, padding, dilation,
        ceilMode, true);
    return new Tensor.ValuesIndices(r[0], r[1]);
  }

  @Override
  protected String extraRepr() {
    return "kernel_size=" + kernel + ", stride=" + stride + ", padding=" + padding + ", dilation="
        + dilation + ", ceil_mode=" + Repr.bool(ceilMode);
  }
}
