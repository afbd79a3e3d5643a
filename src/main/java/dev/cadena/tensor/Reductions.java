package dev.cadena.tensor;

import dev.cadena.tensor.NDArray.ReduceOp;
import dev.cadena.tensor.kernel.Parallel;
import dev.cadena.tensor.kernel.ReduceRowsF32;
import dev.cadena.tensor.kernel.ReduceRowsF64;
import dev.cadena.tensor.kernel.SumRows;
import java.util.Arrays;
import java.util.Locale;

/**
 * Reductions, behind {@link NDArray#reduce} and {@link NDArray#argReduce}: checks the axes,
 * brings the reduced elements together in memory, and calls the kernels of {@link SumRows} and
 * {@link ReduceRowsF64} (or its float32 twin).
 *
 * <p>Two layouts: when the array is contiguous and the reduced axes are a leading prefix (a sum
 * over the batch), the result is the column reduction of a {@code rows x m} block, split by
 * columns across threads; otherwise the kept axes are permuted first and the reduced ones last,
 * the view is made contiguous, and each output element reduces one contiguous row.
 */
final class Reductions {
  private Reductions() {}

  /** See {@link NDArray#reduce}. */
  static NDArray reduce(NDArray x, ReduceOp op, int[] axes, boolean keepDims) {
    String name = op.name().toLowerCase(Locale.ROOT);
    x.requireFloat(name);
    int[] shape = x.shape;
    int[] ax = Shapes.axes(name, axes, shape.length);
    int[] outShape = Shapes.reduced(shape, ax, keepDims);
    boolean[] red = new boolean[shape.length];
    int reduceCount = 1;
    for (int a : ax) {
      red[a] = true;
      reduceCount *= shape[a];
    }
    if (reduceCount == 0 && op != ReduceOp.SUM && Shapes.numel(outShape) > 0) {
      throw new ShapeException(
          name + ": cannot reduce an empty dimension of shape " + Shapes.str(shape)
              + " over axes " + Arrays.toString(ax) + " (no identity for " + name + ")");
    }
    NDArray out = NDArray.zeros(x.dtype, outShape);
    int m = out.size;
    if (m == 0 || reduceCount == 0) {
      return out;
    }
    boolean prefix = true;
    for (int i = 0; i < ax.length; i++) {
      if (ax[i] != i) {
        prefix = false;
        break;
      }
    }
    if (prefix && x.contiguous && ax.length < shape.length) {
      reduceColumns(op, x, reduceCount, m, out);
      return out;
    }
    int[] perm = new int[shape.length];
    int j = 0;
    for (int i = 0; i < shape.length; i++) {
      if (!red[i]) {
        perm[j++] = i;
      }
    }
    for (int a : ax) {
      perm[j++] = a;
    }
    NDArray s = x.permute(perm).contiguous();
    int rc = reduceCount;
    Parallel.forRange(m, rc, (r0, r1) -> {
      for (int r = r0; r < r1; r++) {
        int base = s.offset + r * rc;
        if (s.d != null) {
          out.d[r] = reduceRow(op, s.d, base, rc);
        } else {
          out.f[r] = reduceRow(op, s.f, base, rc);
        }
      }
    });
    return out;
  }

  private static double reduceRow(ReduceOp op, double[] x, int o, int n) {
    switch (op) {
      case SUM:
        return SumRows.sum(x, o, n);
      case MAX:
        return ReduceRowsF64.max(x, o, n);
      default:
        return ReduceRowsF64.min(x, o, n);
    }
  }

  private static float reduceRow(ReduceOp op, float[] x, int o, int n) {
    switch (op) {
      case SUM:
        return (float) SumRows.sum(x, o, n);
      case MAX:
        return ReduceRowsF32.max(x, o, n);
      default:
        return ReduceRowsF32.min(x, o, n);
    }
  }

  /** Reduces the {@code r} leading "rows" of contiguous {@code s} into its {@code m} columns. */
  private static void reduceColumns(ReduceOp op, NDArray s, int r, int m, NDArray out) {
    Parallel.forRange(m, r, (c0, c1) -> {
      if (s.d != null) {
        switch (op) {
          case SUM:
            SumRows.sumColumns(s.d, s.offset, r, m, out.d, out.offset, c0, c1);
            break;
          case MAX:
            ReduceRowsF64.maxColumns(s.d, s.offset, r, m, out.d, out.offset, c0, c1);
            break;
          default:
            ReduceRowsF64.minColumns(s.d, s.offset, r, m, out.d, out.offset, c0, c1);
        }
      } else {
        switch (op) {
          case SUM:
            SumRows.sumColumns(s.f, s.offset, r, m, out.f, out.offset, c0, c1);
            break;
          case MAX:
            ReduceRowsF32.maxColumns(s.f, s.offset, r, m, out.f, out.offset, c0, c1);
            break;
          default:
            ReduceRowsF32.minColumns(s.f, s.offset, r, m, out.f, out.offset, c0, c1);
        }
      }
    });
  }

  /** See {@link NDArray#argReduce}. */
  static NDArray argReduce(NDArray x, boolean max, Integer axis, boolean keepDims) {
    String name = max ? "argmax" : "argmin";
    x.requireFloat(name);
    int[] shape = x.shape;
    NDArray src;
    int[] outShape;
    int n;
    if (axis == null) {
      src = x.contiguous();
      n = x.size;
      outShape = keepDims ? Shapes.reduced(shape, Shapes.axes(name, null, shape.length), true) : new int[0];
    } else {
      int a = Shapes.axis(name, axis, shape.length);
      int[] perm = new int[shape.length];
      int j = 0;
      for (int i = 0; i < shape.length; i++) {
        if (i != a) {
          perm[j++] = i;
        }
      }
      perm[j] = a;
      src = x.permute(perm).contiguous();
      n = shape[a];
      outShape = Shapes.reduced(shape, new int[] {a}, keepDims);
    }
    if (n == 0) {
      throw new ShapeException(name + ": cannot reduce an empty dimension of shape " + Shapes.str(shape));
    }
    NDArray out = NDArray.zeros(DType.INT64, outShape);
    for (int r = 0; r < out.size; r++) {
      int base = src.offset + r * n;
      if (src.d != null) {
        out.l[r] = max ? ReduceRowsF64.argmax(src.d, base, n) : ReduceRowsF64.argmin(src.d, base, n);
      } else {
        out.l[r] = max ? ReduceRowsF32.argmax(src.f, base, n) : ReduceRowsF32.argmin(src.f, base, n);
      }
    }
    return out;
  }
}
