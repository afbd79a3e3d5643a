package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import org.jspecify.annotations.Nullable;

/**
 * 1-d average pooling (PyTorch's {@code AvgPool1d}): the mean of each window along the last axis,
 * see {@link Functional#avgPool1d}. No parameters.
 *
 * <p><b>Args:</b> {@code kernelSize} -- k; {@code stride} -- default the kernel size; {@code
 * padding} -- zeros on both sides, at most half the kernel (default 0); {@code ceilMode} -- round
 * the output size up (default false); {@code countIncludePad} -- count the padding zeros in the
 * divisor (default true).
 *
 * <p><b>Shape:</b> {@code [N, C, L]} (or {@code [C, L]}) to {@code [N, C, oL]}, {@code oL = (L +
 * 2p - k) / s + 1} (rounded up in ceil mode).
 *
 * <p><b>Example:</b>
 *
 * <pre>{@code
 * AvgPool1d pool = new AvgPool1d(2);
 * pool.forward(Tensor.ones(1, 1, 4));   // [1, 1, 2] of ones
 * System.out.println(pool);             // AvgPool1d(kernel_size=(2,), stride=(2,), padding=(0,))
 * }</pre>
 */
public class AvgPool1d extends Module {
  private final int kernel;
  private final int stride;
  private final int padding;
  private final boolean ceilMode;
  private final boolean countIncludePad;

  /** Stride = kernel, no padding. */
  public AvgPool1d(int kernelSize) {
    this(kernelSize, null, 0, false, true);
  }

  /**
   * The general layer; {@code stride} null means the kernel size.
   *
   * @throws IllegalArgumentException for non-positive sizes, a negative padding or one above half
   *     the kernel
   */
  public AvgPool1d(int kernelSize, @Nullable Integer stride, int padding, boolean ceilMode,
      boolean countIncludePad) {
    String name = getClass().getSimpleName();
    this.kernel = kernelSize;
    this.stride = stride == null ? kernelSize : stride;
    this.padding = padding;
    Functional.checkPool1dArgs(name, kernel, this.stride, padding, 1);
    this.ceilMode = ceilMode;
    this.countIncludePad = countIncludePad;
  }

  @Override
  public Tensor forward(Tensor x) {
    String name = getClass().getSimpleName();
    checkNotNull(x, "%s: input is null", name);
    return Functional.pool1d(name, false, false, x, kernel, stride, padding, 1, ceilMode,
        countIncludePad)[0];
  }

  /** PyTorch prints only the window, as 1-tuples. */
  @Override
  protected String extraRepr() {
    return "kernel_size=" + Repr.tuple(kernel) + ", stride=" + Repr.tuple(stride) + ", padding="
        + Repr.tuple(padding);
  }
}
