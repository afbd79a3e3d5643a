package dev.cadena.tensor;

import dev.cadena.tensor.kernel.Im2ColRowsF32;
import dev.cadena.tensor.kernel.Im2ColRowsF64;
import dev.cadena.tensor.kernel.Parallel;
import dev.cadena.tensor.kernel.WindowGeometry;

/**
 * The sliding-window kernels behind convolution and pooling: {@link #unfold} (im2col) copies
 * every {@code kH x kW} window of an image batch into a column, {@link #fold} (col2im) adds the
 * columns back into images; each is the other's transpose. PyTorch's {@code
 * torch.nn.functional.unfold} and {@code fold}, on 4-d {@code [N, C, H, W]} images.
 *
 * <p>A window is described by four pairs {@code (height, width)}: {@code kernel} (window size,
 * {@code >= 1}), {@code dilation} (distance between window taps, {@code >= 1}), {@code padding}
 * (implicit zeros on both sides, {@code >= 0}) and {@code stride} (step between windows, {@code
 * >= 1}). Along one axis of size {@code H} there are
 *
 * <pre>
 *   oH = (H + 2 pH - dH (kH - 1) - 1) / sH + 1      (integer division)
 * </pre>
 *
 * window positions; {@code L = oH * oW}. Column {@code l = oh * oW + ow} of image {@code n} holds,
 * in row {@code (c * kH + i) * kW + j}, the pixel {@code x[n, c, oh sH - pH + i dH, ow sW - pW + j
 * dW]} (0 outside the image).
 *
 * <p>The loops run on the primitive arrays, one {@code (image, channel)} pair per parallel item;
 * each output row is written contiguously, and the in-image part of each row segment is found
 * once per tap, so the innermost loop has no bounds test (a plain copy for stride 1).
 */
public final class Im2Col {
  private Im2Col() {}

  /**
   * The number of window positions along an axis of size {@code size}, or a ShapeException naming
   * {@code op} when there is none (the dilated kernel is larger than the padded input).
   */
  public static int outputSize(
      String op, String axis, int size, int kernel, int dilation, int padding, int stride) {
    if (op == null || axis == null) {
      throw new NullPointerException("outputSize: " + (op == null ? "op" : "axis") + " is null");
    }
    long span = (long) dilation * (kernel - 1) + 1;
    long padded = (long) size + 2L * padding;
    if (padded < span) {
      throw new ShapeException(
          op + ": the " + axis + " of the dilated kernel (" + span + " = dilation " + dilation
              + " * (kernel " + kernel + " - 1) + 1) is larger than the padded input's ("
              + padded + " = " + size + " + 2 * padding " + padding + ")");
    }
    return Shapes.checkedSize(op, "window positions", (padded - span) / stride + 1);
  }

  /**
   * Checks a geometry: two entries each, kernel, dilation and stride {@code >= 1}, padding {@code
   * >= 0}.
   *
   * @throws IllegalArgumentException naming {@code op} and the offending values
   */
  public static void checkGeometry(
      String op, int[] kernel, int[] dilation, int[] padding, int[] stride) {
    if (op == null) {
      throw new NullPointerException("checkGeometry: op is null");
    }
    notNull(op, "kernel", kernel);
    notNull(op, "dilation", dilation);
    notNull(op, "padding", padding);
    notNull(op, "stride", stride);
    check(op, "kernel_size", kernel, 1);
    check(op, "dilation", dilation, 1);
    check(op, "padding", padding, 0);
    check(op, "stride", stride, 1);
  }

  private static void notNull(String op, String what, Object v) {
    if (v == null) {
      throw new NullPointerException(op + ": " + what + " is null");
    }
  }

  private static void check(String op, String what, int[] v, int min) {
    if (v.length != 2 || v[0] < min || v[1] < min) {
      throw new IllegalArgumentException(
          op + ": " + what + " must be 2 values >= " + min + ", got " + java.util.Arrays.toString(v));
    }
  }

  /**
   * im2col: {@code [N, C, H, W]} images to {@code [N, C * kH * kW, L]} columns, one per window
   * position (see the class comment), in a new contiguous array of {@code x}'s dtype.
   *
   * <pre>{@code
   * NDArray x = NDArray.wrap(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3);
   * Im2Col.unfold(x, new int[] {2, 2}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1});
   * // [1, 4, 4]: column 0 is the window [1, 2, 4, 5], column 3 is [5, 6, 8, 9]
   * }</pre>
   *
   * @throws ShapeException when {@code x} is not 4-d, no window fits, or the result would be too
   *     large
   * @throws IllegalArgumentException for a bad geometry (see {@link #checkGeometry})
   * @throws DTypeException for an int64 array
   */
  public static NDArray unfold(NDArray x, int[] kernel, int[] dilation, int[] padding, int[] stride) {
    String op = "unfold";
    notNull(op, "x", x);
    checkGeometry(op, kernel, dilation, padding, stride);
    if (x.rank() != 4) {
      throw new ShapeException(
          op + ": expected a 4-d input [N, C, H, W], got shape " + Shapes.str(x.shape()));
    }
    floating(op, x);
    int n = x.dim(0);
    int c = x.dim(1);
    int h = x.dim(2);
    int w = x.dim(3);
    int oh = outputSize(op, "height", h, kernel[0], dilation[0], padding[0], stride[0]);
    int ow = outputSize(op, "width", w, kernel[1], dilation[1], padding[1], stride[1]);
    long rows = (long) c * kernel[0] * kernel[1];
    int r = Shapes.checkedSize(op, "C * kH * kW", rows);
    int l = Shapes.checkedSize(op, "window positions oH * oW", (long) oh * ow);
    int[] outShape = Shapes.checkShape(op, new int[] {n, r, l});
    NDArray src = x.contiguous();
    NDArray out = NDArray.zeros(x.dtype(), outShape);
    WindowGeometry g = new WindowGeometry(c, h, w, kernel, dilation, padding, stride, oh, ow);
    long cost = Math.max(1, (long) kernel[0] * kernel[1] * l / 4);
    if (x.dtype() == DType.FLOAT64) {
      double[] in = src.doubleStorage();
      double[] o = out.doubleStorage();
      int base = src.offset();
      Parallel.forRange(n * c, cost, (i0, i1) -> {
        for (int i = i0; i < i1; i++) {
          Im2ColRowsF64.unfoldPlane(in, base + i * g.plane, o, i * g.colsPerChannel, g);
        }
      });
    } else {
      float[] in = src.floatStorage();
      float[] o = out.floatStorage();
      int base = src.offset();
      Parallel.forRange(n * c, cost, (i0, i1) -> {
        for (int i = i0; i < i1; i++) {
          Im2ColRowsF32.unfoldPlane(in, base + i * g.plane, o, i * g.colsPerChannel, g);
        }
      });
    }
    return out;
  }

  /**
   * col2im, the transpose of {@link #unfold}: {@code [N, C * kH * kW, L]} columns to {@code [N, C,
   * H, W]} images ({@code outputSize = (H, W)}), each column's entries added at the pixels
   * {@code unfold} took them from (overlapping windows sum; padding positions are dropped).
   *
   * <pre>{@code
   * NDArray cols = NDArray.full(DType.FLOAT64, 1, 1, 4, 4);
   * Im2Col.fold(cols, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1});
   * // [[1, 2, 1], [2, 4, 2], [1, 2, 1]]: how many windows cover each pixel
   * }</pre>
   *
   * @throws ShapeException when {@code cols} is not 3-d, its second size is not a multiple of
   *     {@code kH * kW}, or its third is not the number of window positions in {@code outputSize}
   * @throws IllegalArgumentException for a bad geometry or output size
   * @throws DTypeException for an int64 array
   */
  public static NDArray fold(
      NDArray cols, int[] outputSize, int[] kernel, int[] dilation, int[] padding, int[] stride) {
    String op = "fold";
    notNull(op, "cols", cols);
    notNull(op, "outputSize", outputSize);
    checkGeometry(op, kernel, dilation, padding, stride);
    check(op, "output_size", outputSize, 1);
    if (cols.rank() != 3) {
      throw new ShapeException(
          op + ": expected a 3-d input [N, C * kH * kW, L], got shape " + Shapes.str(cols.shape()));
    }
    floating(op, cols);
    int k2 = kernel[0] * kernel[1];
    if (cols.dim(1) % k2 != 0) {
      throw new ShapeException(
          op + ": the input's size " + cols.dim(1) + " along axis 1 is not a multiple of kH * kW = "
              + kernel[0] + " * " + kernel[1] + " = " + k2 + " (input shape "
              + Shapes.str(cols.shape()) + ")");
    }
    int h = outputSize[0];
    int w = outputSize[1];
    int oh = outputSize(op, "height", h, kernel[0], dilation[0], padding[0], stride[0]);
    int ow = outputSize(op, "width", w, kernel[1], dilation[1], padding[1], stride[1]);
    long l = (long) oh * ow;
    if (cols.dim(2) != l) {
      throw new ShapeException(
          op + ": the input has " + cols.dim(2) + " columns, but output_size "
              + java.util.Arrays.toString(outputSize) + " has " + oh + " * " + ow + " = " + l
              + " window positions (input shape " + Shapes.str(cols.shape()) + ")");
    }
    int n = cols.dim(0);
    int c = cols.dim(1) / k2;
    int[] outShape = Shapes.checkShape(op, new int[] {n, c, h, w});
    NDArray src = cols.contiguous();
    NDArray out = NDArray.zeros(cols.dtype(), outShape);
    WindowGeometry g = new WindowGeometry(c, h, w, kernel, dilation, padding, stride, oh, ow);
    long cost = Math.max(1, (long) k2 * l / 4);
    if (cols.dtype() == DType.FLOAT64) {
      double[] in = src.doubleStorage();
      double[] o = out.doubleStorage();
      int base = src.offset();
      Parallel.forRange(n * c, cost, (i0, i1) -> {
        for (int i = i0; i < i1; i++) {
          Im2ColRowsF64.foldPlane(in, base + i * g.colsPerChannel, o, i * g.plane, g);
        }
      });
    } else {
      float[] in = src.floatStorage();
      float[] o = out.floatStorage();
      int base = src.offset();
      Parallel.forRange(n * c, cost, (i0, i1) -> {
        for (int i = i0; i < i1; i++) {
          Im2ColRowsF32.foldPlane(in, base + i * g.colsPerChannel, o, i * g.plane, g);
        }
      });
    }
    return out;
  }

  private static void floating(String op, NDArray x) {
    if (!x.dtype().isFloatingPoint()) {
      throw new DTypeException(op + ": expected float32 or float64, got " + x.dtype());
    }
  }

  /**
   * The sizes of one geometry, and for each kernel column {@code j} the range {@code [lo[j],
   * hi[j])} of window columns whose tap falls inside the image (so the inner loops need no test).
   */
}
