package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;

/**
 * Adaptive max pooling to a fixed output size (PyTorch's {@code AdaptiveMaxPool2d}), see {@link
 * Functional#adaptiveMaxPool2d(Tensor, int[])}. No parameters. PyTorch's {@code
 * return_indices=True} is {@link #forwardWithIndices}.
 *
 * <p><b>Args:</b> {@code outputSize} -- {@code (oH, oW)} or one value for both.
 *
 * <p><b>Shape:</b> {@code [N, C, H, W]} (or {@code [C, H, W]}) to {@code [N, C, oH, oW]}.
 *
 * <p><b>Example:</b>
 *
 * <pre>{@code
 * AdaptiveMaxPool2d pool = new AdaptiveMaxPool2d(new int[] {2, 3});
 * pool.forward(Tensor.randn(rng, 8, 64, 7, 7)).shape();   // [8, 64, 2, 3]
 * System.out.println(pool);                               // AdaptiveMaxPool2d(output_size=(2, 3))
 * }</pre>
 */
public class AdaptiveMaxPool2d extends Module {
  private final int[] outputSize;

  /** Output {@code size x size}. */
  public AdaptiveMaxPool2d(int size) {
    this(new int[] {size});
  }

  /**
   * Output {@code (oH, oW)}.
   *
   * @throws NullPointerException when {@code outputSize} is null
   * @throws IllegalArgumentException for a non-positive size or more than two values
   */
  public AdaptiveMaxPool2d(int[] outputSize) {
    this.outputSize = Functional.outputSize2d(getClass().getSimpleName(), outputSize);
  }

  @Override
  public Tensor forward(Tensor x) {
    String name = getClass().getSimpleName();
    checkNotNull(x, "%s: input is null", name);
    return Functional.adaptiveMaxPool2d(name, false, x, outputSize)[0];
  }

  /**
   * The maxima and their int64 flat positions {@code row * W + column} in each input plane.
   *
   * @throws NullPointerException when {@code x} is null
   * @throws dev.cadena.tensor.ShapeException for a wrong rank or an empty image
   */
  public Tensor.ValuesIndices forwardWithIndices(Tensor x) {
    String name = getClass().getSimpleName();
    checkNotNull(x, "%s: input is null", name);
    Tensor[] r = Functional.adaptiveMaxPool2d(name, true, x, outputSize);
    return new Tensor.ValuesIndices(r[0], r[1]);
  }

  @Override
  protected String extraRepr() {
    return "output_size=" + MaxPool2d.value(outputSize);
  }
}
