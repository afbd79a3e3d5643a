package dev.cadena.ops;

import static com.google.common.base.Preconditions.checkNotNull;
import static dev.cadena.ops.Recording.grads;
import static dev.cadena.ops.Recording.record;

import dev.cadena.Tensor;
import dev.cadena.autograd.Anomaly;
import dev.cadena.tensor.Im2Col;
import dev.cadena.tensor.NDArray;

/**
 * The sliding-window primitives {@link Primitive#UNFOLD} (im2col) and {@link Primitive#FOLD}
 * (col2im), on which convolution and pooling are built as compositions ({@code
 * dev.cadena.nn.Functional#conv2d} is an unfold and a matrix product). Both are linear and each is
 * the other's transpose, so each one's VJP is the other op on {@code grad} (differentiable again,
 * to any order) and its JVP the op itself on the tangent. The window geometry is that of {@link
 * Im2Col}: four {@code (height, width)} pairs {@code kernel}, {@code dilation}, {@code padding},
 * {@code stride}.
 */
public final class Windows {
  private Windows() {}

  /**
   * The primitive {@link Primitive#UNFOLD}: {@code [N, C, H, W]} to {@code [N, C * kH * kW, L]},
   * one column per window position (PyTorch's {@code torch.nn.functional.unfold}).
   *
   * <pre>{@code
   * Tensor x = Tensor.arange(9).reshape(1, 1, 3, 3);
   * Windows.unfold(x, new int[] {2, 2}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1});
   * // [1, 4, 4]: row 0 holds the windows' top-left pixels [0, 1, 3, 4]
   * }</pre>
   *
   * @throws dev.cadena.tensor.ShapeException when {@code x} is not 4-d or no window fits
   * @throws IllegalArgumentException for a bad geometry
   */
  public static Tensor unfold(Tensor x, int[] kernel, int[] dilation, int[] padding, int[] stride) {
    checkNotNull(x, "unfold: x is null");
    try (var o = Anomaly.operands("unfold", "x", x)) {
      return unfold0(x, kernel, dilation, padding, stride);
    }
  }

  private static Tensor unfold0(Tensor x, int[] kernel, int[] dilation, int[] padding,
      int[] stride) {
    Im2Col.checkGeometry("unfold", kernel, dilation, padding, stride);
    Batching.refuse("unfold", x);
    int[] k = kernel.clone();
    int[] d = dilation.clone();
    int[] p = padding.clone();
    int[] s = stride.clone();
    int[] size = {x.size(2), x.size(3)};
    NDArray r = Im2Col.unfold(x.data(), k, d, p, s);
    return record(Primitive.UNFOLD, r, x,
        (n, grad) -> grads(fold(grad, size, k, d, p, s)),
        (t, in, out) -> unfold(t[0], k, d, p, s));
  }

  /**
   * The primitive {@link Primitive#FOLD}: {@code [N, C * kH * kW, L]} columns summed back into
   * {@code [N, C, H, W]} images with {@code outputSize = (H, W)} (PyTorch's {@code
   * torch.nn.functional.fold}); the transpose of {@link #unfold}.
   *
   * <pre>{@code
   * Tensor ones = Tensor.ones(1, 4, 4);
   * Windows.fold(ones, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1});
   * // [[1, 2, 1], [2, 4, 2], [1, 2, 1]]: how many 2x2 windows cover each pixel
   * }</pre>
   *
   * @throws dev.cadena.tensor.ShapeException when the column count does not match {@code
   *     outputSize} or the rows are not a multiple of {@code kH * kW}
   * @throws IllegalArgumentException for a bad geometry or output size
   */
  public static Tensor fold(
      Tensor cols, int[] outputSize, int[] kernel, int[] dilation, int[] padding, int[] stride) {
    checkNotNull(cols, "fold: cols is null");
    checkNotNull(outputSize, "fold: outputSize is null");
    try (var o = Anomaly.operands("fold", "cols", cols)) {
      return fold0(cols, outputSize, kernel, dilation, padding, stride);
    }
  }

  private static Tensor fold0(
      Tensor cols, int[] outputSize, int[] kernel, int[] dilation, int[] padding, int[] stride) {
    Im2Col.checkGeometry("fold", kernel, dilation, padding, stride);
    Batching.refuse("fold", cols);
    int[] o = outputSize.clone();
    int[] k = kernel.clone();
    int[] d = dilation.clone();
    int[] p = padding.clone();
    int[] s = stride.clone();
    NDArray r = Im2Col.fold(cols.data(), o, k, d, p, s);
    return record(Primitive.FOLD, r, cols,
        (n, grad) -> grads(unfold(grad, k, d, p, s)),
        (t, in, out) -> fold(t[0], o, k, d, p, s));
  }
}
