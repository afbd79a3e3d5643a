package dev.cadena.tensor;

import dev.cadena.tensor.kernel.BinaryRowsF64;
import dev.cadena.tensor.kernel.BinaryRowsF32;
import dev.cadena.tensor.kernel.ConvertRowsF32;
import dev.cadena.tensor.kernel.ConvertRowsF64;
import dev.cadena.tensor.kernel.Parallel;
import dev.cadena.tensor.kernel.StridedPlan;
import dev.cadena.tensor.kernel.UnaryRowsF64;
import dev.cadena.tensor.kernel.UnaryRowsF32;
import java.util.Arrays;
import java.util.Locale;

/**
 * Pointwise ops on arrays, behind {@link NDArray#unary}, {@link NDArray#binary}, {@link
 * NDArray#where} and the in-place updates: splits broadcast operands into rows with a {@link
 * StridedPlan}, splits the rows (or one long row) across threads with {@link Parallel}, and calls
 * the row kernels of {@code tensor.kernel} on the storage arrays. Shapes and dtypes were checked
 * by the caller; {@code out} is a fresh array or, for in-place updates, a checked writable one.
 */
final class Pointwise {
  /** Below this many elements, contiguous elementwise ops skip the general strided machinery. */
  private static final int SMALL = 1 << 14;

  private Pointwise() {}

  /** {@code out = op(x)}, {@code x} broadcast to {@code out}'s shape, both of one dtype. */
  static void unaryInto(UnaryOp op, NDArray x, NDArray out) {
    if (out.size == 0) {
      return;
    }
    if (out.size <= SMALL && x.size == out.size && x.dtype == out.dtype && x.contiguous
        && out.contiguous) {
      // Small contiguous operands: one row, no iteration plan (graph-overhead-bound workloads).
      unaryRow(op, x, x.offset, 1, out, out.offset, 1, out.size);
      return;
    }
    StridedPlan p = new StridedPlan(out.shape, x.broadcastStrides(out.shape), out.strides);
    int n = p.inner();
    int xs = p.innerStride(0);
    int os = p.innerStride(1);
    int rows = p.rows();
    int[] base = {x.offset, out.offset};
    long perElement = op == UnaryOp.COPY || op == UnaryOp.NEG || op == UnaryOp.RELU ? 1 : 8;
    if (rows == 1 && x.dtype != DType.INT64) {
      // One long row (contiguous operands): split the row itself across threads.
      Parallel.forRange(n, perElement, (i0, i1) ->
          unaryRow(op, x, base[0] + i0 * xs, xs, out, base[1] + i0 * os, os, i1 - i0));
      return;
    }
    long cost = (long) n * perElement;
    Parallel.forRange(rows, cost, (r0, r1) -> {
      int[] offs = new int[2];
      for (int r = r0; r < r1; r++) {
        p.rowOffsets(r, base, offs);
        unaryRow(op, x, offs[0], xs, out, offs[1], os, n);
      }
    });
  }

  private static void unaryRow(UnaryOp op, NDArray x, int xo, int xs, NDArray out, int oo, int os,
      int n) {
    switch (x.dtype) {
      case FLOAT64:
        UnaryRowsF64.apply(op, x.d, xo, xs, out.d, oo, os, n);
        return;
      case FLOAT32:
        UnaryRowsF32.apply(op, x.f, xo, xs, out.f, oo, os, n);
        return;
      default:
        // int64 has only COPY (NDArray.unary rejects the others).
        ConvertRowsF64.copyInt64(x.l, xo, xs, out.l, oo, os, n);
    }
  }

  /**
   * {@code out = op(a, b)}, {@code a} and {@code b} broadcast to {@code out}'s shape, all of one
   * floating dtype. {@code out} may be {@code a} itself (an in-place update).
   */
  static void binaryInto(BinaryOp op, NDArray a, NDArray b, NDArray out) {
    if (out.size == 0) {
      return;
    }
    if (out.size <= SMALL && a.size == out.size && (b.size == out.size || b.size == 1)
        && a.contiguous && b.contiguous && out.contiguous) {
      // Small contiguous operands (the second possibly a scalar): one row, no iteration plan.
      int bs = b.size == out.size ? 1 : 0;
      binaryRow(op, a, a.offset, 1, b, b.offset, bs, out, out.offset, 1, out.size);
      return;
    }
    StridedPlan p = new StridedPlan(out.shape, a.broadcastStrides(out.shape),
        b.broadcastStrides(out.shape), out.strides);
    int n = p.inner();
    int as = p.innerStride(0);
    int bs = p.innerStride(1);
    int os = p.innerStride(2);
    int rows = p.rows();
    int[] base = {a.offset, b.offset, out.offset};
    long perElement = op == BinaryOp.POW ? 16 : 1;
    if (rows == 1) {
      // One long row (contiguous operands): split the row itself across threads.
      Parallel.forRange(n, perElement, (i0, i1) ->
          binaryRow(op, a, base[0] + i0 * as, as, b, base[1] + i0 * bs, bs, out,
              base[2] + i0 * os, os, i1 - i0));
      return;
    }
    long cost = (long) n * perElement;
    Parallel.forRange(rows, cost, (r0, r1) -> {
      int[] offs = new int[3];
      for (int r = r0; r < r1; r++) {
        p.rowOffsets(r, base, offs);
        binaryRow(op, a, offs[0], as, b, offs[1], bs, out, offs[2], os, n);
      }
    });
  }

  /**
   * {@code op(a, c)} for a small contiguous float array {@code a} and an arithmetic op, the
   * scalar passed to the kernel as a value (rounded to float32 first for float32 data, as a 0-d
   * array of that dtype would be); null when another path must do it (int64, strided or large
   * operands, comparisons, pow, max and min).
   */
  static NDArray binaryScalar(BinaryOp op, NDArray a, double c) {
    if (a.dtype == DType.INT64 || !a.contiguous || a.size > SMALL
        || (op != BinaryOp.ADD && op != BinaryOp.SUB && op != BinaryOp.MUL && op != BinaryOp.DIV)) {
      return null;
    }
    // The 0-d array of the general path holds +0.0 for -0.0 (NDArray.full leaves zeros alone),
    // so a + -0.0 is a + 0.0 there; the same here, so that both paths agree to the sign of zero.
    c = c == 0 ? 0.0 : c;
    NDArray out = a.zerosWithShape(a.dtype);
    if (a.d != null) {
      BinaryRowsF64.applyScalar(op, a.d, a.offset, c, out.d, 0, a.size);
    } else {
      BinaryRowsF32.applyScalar(op, a.f, a.offset, (float) c, out.f, 0, a.size);
    }
    return out;
  }

  /**
   * {@code a = op(a, c)} in place through the scalar kernel, as {@link #binaryScalar} computes
   * it, bumping the version; false (nothing done) when {@link #binaryScalar} would not take it.
   */
  static boolean binaryScalarInPlace(BinaryOp op, NDArray a, double c) {
    if (a.dtype == DType.INT64 || !a.contiguous || a.size > SMALL
        || (op != BinaryOp.ADD && op != BinaryOp.SUB && op != BinaryOp.MUL && op != BinaryOp.DIV)) {
      return false;
    }
    c = c == 0 ? 0.0 : c; // as binaryScalar
    if (a.d != null) {
      BinaryRowsF64.applyScalar(op, a.d, a.offset, c, a.d, a.offset, a.size);
    } else {
      BinaryRowsF32.applyScalar(op, a.f, a.offset, (float) c, a.f, a.offset, a.size);
    }
    a.markModified();
    return true;
  }

  private static void binaryRow(BinaryOp op, NDArray a, int ao, int as, NDArray b, int bo, int bs,
      NDArray out, int oo, int os, int n) {
    if (out.d != null) {
      BinaryRowsF64.apply(op, a.d, ao, as, b.d, bo, bs, out.d, oo, os, n);
    } else {
      BinaryRowsF32.apply(op, a.f, ao, as, b.f, bo, bs, out.f, oo, os, n);
    }
  }

  /** See {@link NDArray#where}. */
  static NDArray where(NDArray cond, NDArray a, NDArray b) {
    a.checkSameFloat("where", b);
    int[] s = Shapes.broadcast("where", Shapes.broadcast("where", cond.shape, a.shape), b.shape);
    NDArray c = cond.astype(a.dtype);
    NDArray out = NDArray.zeros(a.dtype, s);
    if (out.size == 0) {
      return out;
    }
    StridedPlan p = new StridedPlan(s, c.broadcastStrides(s), a.broadcastStrides(s),
        b.broadcastStrides(s), out.strides);
    int n = p.inner();
    int cs = p.innerStride(0);
    int as = p.innerStride(1);
    int bs = p.innerStride(2);
    int os = p.innerStride(3);
    int[] offs = new int[4];
    int[] base = {c.offset, a.offset, b.offset, out.offset};
    for (int r = 0, rows = p.rows(); r < rows; r++) {
      p.rowOffsets(r, base, offs);
      if (out.d != null) {
        BinaryRowsF64.where(c.d, offs[0], cs, a.d, offs[1], as, b.d, offs[2], bs, out.d, offs[3],
            os, n);
      } else {
        BinaryRowsF32.where(c.f, offs[0], cs, a.f, offs[1], as, b.f, offs[2], bs, out.f, offs[3],
            os, n);
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ in place

  /** See {@link NDArray#applyInPlace}. */
  static void applyInPlace(BinaryOp op, NDArray x, NDArray other) {
    String name = op.name().toLowerCase(Locale.ROOT) + "_";
    x.checkSameFloat(name, other);
    if (!Shapes.broadcastsTo(other.shape, x.shape)) {
      throw new ShapeException(
          name + ": shape " + Shapes.str(other.shape) + " cannot be broadcast to "
              + Shapes.str(x.shape));
    }
    Shapes.checkWritable(name, x.shape, x.strides);
    binaryInto(op, x, other, x);
    x.markModified();
  }

  /** See {@link NDArray#axpyInPlace}. */
  static void axpyInPlace(NDArray x, double alpha, NDArray y) {
    x.checkSameFloat("axpy_", y);
    if (!Arrays.equals(x.shape, y.shape)) {
      throw new ShapeException(
          "axpy_: shapes differ: " + Shapes.str(x.shape) + " and " + Shapes.str(y.shape));
    }
    if (x.contiguous && y.contiguous) {
      if (x.d != null) {
        BinaryRowsF64.axpy(alpha, y.d, y.offset, x.d, x.offset, x.size);
      } else {
        BinaryRowsF32.axpy((float) alpha, y.f, y.offset, x.f, x.offset, x.size);
      }
      x.markModified();
    } else {
      applyInPlace(BinaryOp.ADD, x, y.binary(BinaryOp.MUL, alpha));
    }
  }

  /** See {@link NDArray#assign}. */
  static void assign(NDArray x, NDArray src) {
    if (!Shapes.broadcastsTo(src.shape, x.shape)) {
      throw new ShapeException(
          "copy_: shape " + Shapes.str(src.shape) + " cannot be broadcast to " + Shapes.str(x.shape));
    }
    Shapes.checkWritable("copy_", x.shape, x.strides);
    NDArray s = src.sharesStorage(x) ? src.copy() : src;
    copyInto(s, x);
    x.markModified();
  }

  // ------------------------------------------------------------------ copies and conversions

  /** Copies {@code src} (broadcast to {@code dst}'s shape, any dtype) into {@code dst}. */
  static void copyInto(NDArray src, NDArray dst) {
    if (src.dtype == dst.dtype) {
      unaryInto(UnaryOp.COPY, src, dst);
      return;
    }
    if (src.contiguous && dst.contiguous && src.size == dst.size) {
      // Dtype conversion between contiguous arrays of one size: one unit-stride row.
      convertRow(src, src.offset, 1, dst, dst.offset, 1, dst.size);
      return;
    }
    StridedPlan p = new StridedPlan(dst.shape, src.broadcastStrides(dst.shape), dst.strides);
    int n = p.inner();
    int ss = p.innerStride(0);
    int ds = p.innerStride(1);
    int[] offs = new int[2];
    int[] base = {src.offset, dst.offset};
    int rows = dst.size == 0 ? 0 : p.rows();
    for (int r = 0; r < rows; r++) {
      p.rowOffsets(r, base, offs);
      convertRow(src, offs[0], ss, dst, offs[1], ds, n);
    }
  }

  /** One row of a conversion between two different dtypes. */
  private static void convertRow(NDArray src, int so, int ss, NDArray dst, int doff, int ds, int n) {
    if (src.f != null && dst.d != null) {
      ConvertRowsF64.fromOtherFloat(src.f, so, ss, dst.d, doff, ds, n);
    } else if (src.d != null && dst.f != null) {
      ConvertRowsF32.fromOtherFloat(src.d, so, ss, dst.f, doff, ds, n);
    } else if (src.l != null && dst.d != null) {
      ConvertRowsF64.fromInt64(src.l, so, ss, dst.d, doff, ds, n);
    } else if (src.l != null) {
      ConvertRowsF32.fromInt64(src.l, so, ss, dst.f, doff, ds, n);
    } else if (src.d != null) {
      ConvertRowsF64.toInt64(src.d, so, ss, dst.l, doff, ds, n);
    } else {
      ConvertRowsF32.toInt64(src.f, so, ss, dst.l, doff, ds, n);
    }
  }
}
