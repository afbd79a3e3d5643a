package dev.cadena.tensor;

import dev.cadena.tensor.NDArray.ReduceOp;
import dev.cadena.tensor.kernel.Parallel;
import dev.cadena.tensor.kernel.ReduceRowsF32;
import dev.cadena.tensor.kernel.ReduceRowsF64;
import dev.cadena.tensor.kernel.SumRows;
import java.util.Arrays;

/**
 * Reductions, behind {@link NDArray#reduce} and {@link NDArray#argReduce}: checks the axes,
 * brings the reduced elements together in memory, and calls the kernels of {@link SumRows} and
 * {@link ReduceRowsF64} (or its float32 twin).
 *
 * <p>Two layouts: when the array is contiguous and the reduced axes are a leading prefix (a sum
 * over the batch), the result is the column reduction of a {@code rows x m} block, split by
 * columns across threads; otherwise the kept axes are permuted first and the reduced ones last,
 * the view is made contiguous, and each output element reduces one contiguous row.
 *
 * <p>A broadcast view ({@link NDArray#expand}: stride 0 along a dimension of size > 1) is never
 * copied whole: its elements repeat along those dimensions, so the reduction runs over the
 * distinct elements only (the view with each broadcast dimension cut to size 1, which has at most
 * as many elements as its storage) and accounts for the repeats analytically: a sum over a
 * broadcast dimension of size {@code n} is {@code n} times the sum over one slice (the product
 * rounded once, where adding the {@code n} copies would round {@code n} times), a max or min is
 * the slice's, an argmax or argmin lies at coordinate 0; along a kept broadcast dimension the
 * result repeats and is expanded into the (contiguous) output. This costs O(rank) per call on
 * top of the reduction of the distinct elements, and nothing for a contiguous array.
 */
final class Reductions {
  private Reductions() {}

  /** See {@link NDArray#reduce}. */
  static NDArray reduce(NDArray x, ReduceOp op, int[] axes, boolean keepDims) {
    String name = op.opName();
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
    if (reduceCount > 0 && Shapes.numel(outShape) > 0 && hasBroadcastDims(x)) {
      return reduceBroadcast(x, op, ax, keepDims);
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
    if (x.contiguous && reduceOuterAndInner(op, x, red, out)) {
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

  /**
   * True when {@code x} has a broadcast dimension: size above 1 and stride 0, so that its
   * elements repeat along it. O(rank), and false at once for a contiguous array.
   */
  static boolean hasBroadcastDims(NDArray x) {
    if (x.contiguous) {
      return false;
    }
    for (int i = 0; i < x.shape.length; i++) {
      if (x.shape[i] > 1 && x.strides[i] == 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code x} with each broadcast dimension cut to size 1: every distinct element once, a view
   * with no broadcast dimension, so it has no more elements than its storage.
   */
  static NDArray distinct(NDArray x) {
    NDArray c = x;
    for (int i = 0; i < x.shape.length; i++) {
      if (x.shape[i] > 1 && x.strides[i] == 0) {
        c = c.slice(i, 0, 1, 1);
      }
    }
    return c;
  }

  /**
   * {@code r}, the result of a reduction with kept dimensions over {@link #distinct}{@code (x)},
   * expanded to the result over {@code x} (the reduced axes {@code ax}): a contiguous array of
   * {@code x}'s kept shape, or without the reduced axes unless {@code keepDims}.
   */
  private static NDArray repeatKept(NDArray r, int[] shape, int[] ax, boolean keepDims) {
    int[] keepShape = Shapes.reduced(shape, ax, true);
    if (!r.hasShape(keepShape)) {
      r = r.expand(keepShape).copy();
    }
    return keepDims ? r : r.reshape(Shapes.reduced(shape, ax, false));
  }

  /** {@link #reduce} of a non-empty broadcast view with a non-empty result; see the class doc. */
  private static NDArray reduceBroadcast(NDArray x, ReduceOp op, int[] ax, boolean keepDims) {
    NDArray c = distinct(x);
    NDArray r = reduce(c, op, ax, true);
    if (op == ReduceOp.SUM) {
      double repeats = 1;
      for (int a : ax) {
        repeats *= (double) x.shape[a] / c.shape[a];
      }
      if (repeats != 1) {
        // r is a fresh contiguous array: scale it in place.
        if (r.d != null) {
          for (int i = 0; i < r.size; i++) {
            r.d[i] *= repeats;
          }
        } else {
          for (int i = 0; i < r.size; i++) {
            r.f[i] = (float) (r.f[i] * repeats);
          }
        }
      }
    }
    return repeatKept(r, x.shape, ax, keepDims);
  }

  /**
   * The reduction of a contiguous array whose kept axes form one block between reduced leading
   * and reduced trailing axes, as a batch norm's statistics over {@code (N, H*W)} of {@code [N,
   * C, H*W]} or a convolution bias's gradient over {@code (N, H, W)}: seen as {@code [P, M, S]},
   * each output {@code m} reduces the {@code P} contiguous rows {@code x[p, m, :]} in place,
   * where the general path would first copy the whole array into a permuted layout. Returns
   * false (nothing written) for any other pattern.
   */
  private static boolean reduceOuterAndInner(ReduceOp op, NDArray x, boolean[] red, NDArray out) {
    int[] block = outerMidInner(red, x.shape);
    if (block == null) {
      return false; // no leading reduced axes, nothing kept, or no trailing ones: other paths
    }
    int pCount = block[0];
    int m = block[1];
    int sLen = block[2];
    Parallel.forRange(m, (long) pCount * sLen, (m0, m1) -> {
      for (int i = m0; i < m1; i++) {
        double acc = op == ReduceOp.SUM ? 0.0 : Double.NaN;
        for (int p = 0; p < pCount; p++) {
          int base = (int) (x.offset + ((long) p * m + i) * sLen);
          double v = x.d != null ? reduceRow(op, x.d, base, sLen) : reduceRow(op, x.f, base, sLen);
          if (op == ReduceOp.SUM) {
            acc += v;
          } else if (p == 0) {
            acc = v;
          } else {
            // Math.max and Math.min return NaN when either is NaN, as the row kernels do.
            acc = op == ReduceOp.MAX ? Math.max(acc, v) : Math.min(acc, v);
          }
        }
        if (out.d != null) {
          out.d[out.offset + i] = acc;
        } else {
          out.f[out.offset + i] = (float) acc;
        }
      }
    });
    return true;
  }

  /**
   * See {@link NDArray#sumOfSquaredDeviations}. The block path computes, per kept element, the
   * sum of its {@code P} rows (as {@link #reduceOuterAndInner} sums the float64 copy), the mean,
   * then the squared deviations in the same order: the values of the general path, bit for bit,
   * without its full-size float64 array and three passes over it.
   */
  static NDArray sumOfSquaredDeviations(NDArray x, int[] axes) {
    String name = "var";
    x.requireFloat(name);
    int[] shape = x.shape;
    int[] ax = Shapes.axes(name, axes, shape.length);
    boolean[] red = new boolean[shape.length];
    long count = 1;
    for (int a : ax) {
      red[a] = true;
      count *= shape[a];
    }
    int[] block = x.contiguous && x.size > 0 ? outerMidInner(red, shape) : null;
    if (block == null) {
      return sumOfSquaredDeviationsGeneral(x, ax, count);
    }
    NDArray out = NDArray.zeros(DType.FLOAT64, Shapes.reduced(shape, ax, true));
    int pCount = block[0];
    int m = block[1];
    int sLen = block[2];
    double n = (double) count;
    Parallel.forRange(m, 2L * pCount * sLen, (m0, m1) -> {
      for (int i = m0; i < m1; i++) {
        double sum = 0.0;
        for (int p = 0; p < pCount; p++) {
          int base = (int) (x.offset + ((long) p * m + i) * sLen);
          sum += x.d != null ? SumRows.sum(x.d, base, sLen) : SumRows.sum(x.f, base, sLen);
        }
        double mu = sum / n;
        double ss = 0.0;
        for (int p = 0; p < pCount; p++) {
          int base = (int) (x.offset + ((long) p * m + i) * sLen);
          ss += x.d != null
              ? SumRows.sumOfSquaredDeviations(x.d, base, sLen, mu)
              : SumRows.sumOfSquaredDeviations(x.f, base, sLen, mu);
        }
        out.d[i] = ss;
      }
    });
    return out;
  }

  /**
   * The reference for {@link #sumOfSquaredDeviations}, any layout: a float64 copy (or the
   * float64 array itself), its mean subtracted, squared, reduced.
   */
  static NDArray sumOfSquaredDeviationsGeneral(NDArray x, int[] ax, long count) {
    NDArray x64 = x.astype(DType.FLOAT64);
    NDArray mean = x64.reduce(ReduceOp.SUM, ax, true).binary(BinaryOp.DIV, (double) count);
    NDArray squares;
    if (x64 != x) {
      x64.applyInPlace(BinaryOp.SUB, mean);
      squares = x64;
    } else {
      squares = x64.binary(BinaryOp.SUB, mean);
    }
    squares.applyInPlace(BinaryOp.MUL, squares);
    return squares.reduce(ReduceOp.SUM, ax, true);
  }

  /**
   * {@code [P, M, S]} when the reduced axes {@code red} are a non-empty leading run and a
   * non-empty trailing run around a non-empty kept block of {@code shape}; null otherwise.
   */
  private static int[] outerMidInner(boolean[] red, int[] shape) {
    int n = red.length;
    int k0 = 0;
    while (k0 < n && red[k0]) {
      k0++;
    }
    int k1 = k0;
    while (k1 < n && !red[k1]) {
      k1++;
    }
    for (int i = k1; i < n; i++) {
      if (!red[i]) {
        return null;
      }
    }
    if (k0 == 0 || k1 == k0 || k1 == n) {
      return null;
    }
    int outer = 1;
    for (int i = 0; i < k0; i++) {
      outer *= shape[i];
    }
    int mid = 1;
    for (int i = k0; i < k1; i++) {
      mid *= shape[i];
    }
    int inner = 1;
    for (int i = k1; i < n; i++) {
      inner *= shape[i];
    }
    return new int[] {outer, mid, inner};
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
    if (hasBroadcastDims(x)) {
      return argReduceBroadcast(x, max, axis, keepDims);
    }
    NDArray src;
    int[] outShape;
    int n;
    if (axis == null) {
      src = x.contiguous();
      n = x.size;
      outShape = keepDims ? Shapes.reduced(shape, Shapes.axes(name, null, shape.length), true) : new int[0];
    } else {
      int a = Shapes.axis(name, axis, shape.length);
      if (x.contiguous && a < shape.length - 1 && x.size > 0) {
        return argReduceMiddle(x, max, a, Shapes.reduced(shape, new int[] {a}, keepDims));
      }
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

  /**
   * {@link #argReduce} of a contiguous array over an axis that is not the last, as a max
   * pooling's windows {@code [N*C, kH*kW, L]} over axis 1: seen as {@code [P, n, S]}, the {@code
   * S} running extremes of each {@code p} are updated row by row over the {@code n} contiguous
   * rows {@code x[p, j, :]}, where the general path would copy the array into a layout with the
   * axis last and then scan rows of {@code n} (4 for a 2 x 2 pooling). Same rule as {@code
   * ReduceRows*.argmax}: the first NaN, else the first extreme.
   */
  private static NDArray argReduceMiddle(NDArray x, boolean max, int a, int[] outShape) {
    int[] shape = x.shape;
    int outer = 1;
    for (int i = 0; i < a; i++) {
      outer *= shape[i];
    }
    int n = shape[a];
    int inner = 1;
    for (int i = a + 1; i < shape.length; i++) {
      inner *= shape[i];
    }
    NDArray out = NDArray.zeros(DType.INT64, outShape);
    if (n == 0) {
      throw new ShapeException((max ? "argmax" : "argmin")
          + ": cannot reduce an empty dimension of shape " + Shapes.str(shape));
    }
    int s = inner;
    Parallel.forRange(outer, (long) n * inner, (p0, p1) -> {
      if (x.d != null) {
        double[] best = new double[s];
        for (int p = p0; p < p1; p++) {
          ReduceRowsF64.argColumns(x.d, x.offset + p * n * s, n, s, max, best, out.l, p * s);
        }
      } else {
        float[] best = new float[s];
        for (int p = p0; p < p1; p++) {
          ReduceRowsF32.argColumns(x.f, x.offset + p * n * s, n, s, max, best, out.l, p * s);
        }
      }
    });
    return out;
  }

  /**
   * {@link #argReduce} of a broadcast view: over {@link #distinct}{@code (x)}, since the first
   * extreme element lies at coordinate 0 of every broadcast dimension.
   */
  private static NDArray argReduceBroadcast(NDArray x, boolean max, Integer axis, boolean keepDims) {
    String name = max ? "argmax" : "argmin";
    int[] shape = x.shape;
    NDArray c = distinct(x);
    if (axis == null) {
      if (x.size == 0) {
        throw new ShapeException(name + ": cannot reduce an empty dimension of shape " + Shapes.str(shape));
      }
      long k = argReduce(c, max, null, false).l[0];
      // k is a row-major index into c; the same element's row-major index into x, whose
      // broadcast dimensions have coordinate 0 (c has size 1 there).
      int[] coord = new int[shape.length];
      for (int i = shape.length - 1; i >= 0; i--) {
        coord[i] = (int) (k % c.shape[i]);
        k /= c.shape[i];
      }
      long flat = 0;
      for (int i = 0; i < shape.length; i++) {
        flat = flat * shape[i] + coord[i];
      }
      int[] all = Shapes.axes(name, null, shape.length);
      NDArray out = NDArray.zeros(DType.INT64, keepDims ? Shapes.reduced(shape, all, true) : new int[0]);
      out.l[0] = flat;
      return out;
    }
    int a = Shapes.axis(name, axis, shape.length);
    if (shape[a] == 0) {
      throw new ShapeException(name + ": cannot reduce an empty dimension of shape " + Shapes.str(shape));
    }
    int[] ax = {a};
    // Along a broadcast axis every element ties with the first: index 0.
    NDArray r = c.shape[a] == shape[a]
        ? argReduce(c, max, a, true)
        : NDArray.zeros(DType.INT64, Shapes.reduced(c.shape, ax, true));
    return repeatKept(r, shape, ax, keepDims);
  }
}
