package dev.cadena.tensor;

import dev.cadena.tensor.kernel.IndexRowsF32;
import dev.cadena.tensor.kernel.IndexRowsF64;
import dev.cadena.tensor.kernel.Parallel;
import java.util.Arrays;

/**
 * Joining and indexing, behind {@link NDArray#concat}, {@link NDArray#sliceScatter}, {@link
 * NDArray#indexSelect}, {@link NDArray#indexAdd}, {@link NDArray#gather} and {@link
 * NDArray#scatterAdd}: shape and index checks, then copies through views (whole slices go
 * through {@link Pointwise#copyInto}) or element by element through the strides. Gather and
 * scatterAdd on contiguous operands whose index has the input's shape outside the axis (a max
 * pooling's windows) run as {@code [P, n, S]} blocks in {@code IndexRowsF64} and its twin,
 * parallel over {@code P}.
 */
final class Indexing {
  private Indexing() {}

  /** See {@link NDArray#concat}. */
  static NDArray concat(NDArray[] parts, int axis) {
    if (parts.length == 0) {
      throw new ShapeException("concat: needs at least one tensor");
    }
    NDArray first = parts[0];
    int a = Shapes.axis("concat", axis, first.rank());
    long total = 0;
    for (NDArray p : parts) {
      if (p.dtype != first.dtype) {
        throw new DTypeException("concat: dtypes differ: " + first.dtype + " and " + p.dtype);
      }
      if (p.rank() != first.rank()) {
        throw new ShapeException(
            "concat: ranks differ: " + Shapes.str(first.shape) + " and " + Shapes.str(p.shape));
      }
      for (int i = 0; i < p.rank(); i++) {
        if (i != a && p.shape[i] != first.shape[i]) {
          throw new ShapeException(
              "concat: shapes differ outside axis " + a + ": " + Shapes.str(first.shape) + " and "
                  + Shapes.str(p.shape));
        }
      }
      total += p.shape[a];
    }
    int[] s = first.shape.clone();
    // The joined axis may pass any int (two parts of 2^30 + 1 rows): checked in long.
    s[a] = Shapes.checkedSize("concat", "axis " + a + " of the result", total);
    Shapes.checkShape("concat", s);
    NDArray out = NDArray.zeros(first.dtype, s);
    int pos = 0;
    for (NDArray p : parts) {
      Pointwise.copyInto(p, out.slice(a, pos, pos + p.shape[a], 1));
      pos += p.shape[a];
    }
    return out;
  }

  /** See {@link NDArray#sliceScatter}. */
  static NDArray sliceScatter(NDArray x, NDArray src, int axis, int start, int end, int step) {
    NDArray out = x.copy();
    NDArray view = out.slice(axis, start, end, step);
    if (!Arrays.equals(view.shape, src.shape)) {
      throw new ShapeException(
          "sliceScatter: source shape " + Shapes.str(src.shape) + " does not match the slice shape "
              + Shapes.str(view.shape));
    }
    Pointwise.copyInto(src, view);
    return out;
  }

  private static int checkedIndex(String op, long i, int n, int axis) {
    long k = i < 0 ? i + n : i;
    if (k < 0 || k >= n) {
      throw new ShapeException(
          op + ": index " + i + " is out of range for dimension " + axis + " of size " + n);
    }
    return (int) k;
  }

  /** See {@link NDArray#indexSelect}. */
  static NDArray indexSelect(NDArray x, int axis, NDArray index) {
    int a = Shapes.axis("indexSelect", axis, x.rank());
    long[] idx = indexValues("indexSelect", index, true);
    int[] shape = x.shape;
    int[] s = shape.clone();
    s[a] = idx.length;
    NDArray out = NDArray.zeros(x.dtype, s);
    if (a == 0 && x.contiguous) {
      // Gathering whole rows (batches from a dataset): one array copy per row.
      int row = shape.length == 0 ? 1 : x.size / Math.max(shape[0], 1);
      Object src = x.storageKey();
      Object dst = out.storageKey();
      for (int i = 0; i < idx.length; i++) {
        int k = checkedIndex("indexSelect", idx[i], shape[a], a);
        System.arraycopy(src, x.offset + k * row, dst, i * row, row);
      }
      return out;
    }
    for (int i = 0; i < idx.length; i++) {
      int k = checkedIndex("indexSelect", idx[i], shape[a], a);
      Pointwise.copyInto(x.slice(a, k, k + 1, 1), out.slice(a, i, i + 1, 1));
    }
    return out;
  }

  /** See {@link NDArray#indexAdd}. */
  static NDArray indexAdd(NDArray x, int axis, NDArray index, NDArray src) {
    int a = Shapes.axis("indexAdd", axis, x.rank());
    long[] idx = indexValues("indexAdd", index, true);
    x.checkSameFloat("indexAdd", src);
    int[] expect = x.shape.clone();
    expect[a] = idx.length;
    if (!Arrays.equals(expect, src.shape)) {
      throw new ShapeException(
          "indexAdd: source shape " + Shapes.str(src.shape) + " should be " + Shapes.str(expect));
    }
    NDArray out = x.copy();
    for (int i = 0; i < idx.length; i++) {
      int k = checkedIndex("indexAdd", idx[i], x.shape[a], a);
      NDArray dst = out.slice(a, k, k + 1, 1);
      Pointwise.binaryInto(BinaryOp.ADD, dst, src.slice(a, i, i + 1, 1), dst);
    }
    return out;
  }

  private static long[] indexValues(String op, NDArray index, boolean oneD) {
    if (index.dtype != DType.INT64) {
      throw new DTypeException(op + ": index must be int64, got " + index.dtype);
    }
    if (oneD && index.rank() != 1) {
      throw new ShapeException(op + ": index must be 1-d, got shape " + Shapes.str(index.shape));
    }
    return index.toLongArray();
  }

  /** See {@link NDArray#gather}. */
  static NDArray gather(NDArray x, int axis, NDArray index) {
    int a = Shapes.axis("gather", axis, x.rank());
    int[] shape = x.shape;
    checkGatherShapes("gather", index, shape, a);
    NDArray out = NDArray.zeros(x.dtype, index.shape);
    if (x.contiguous && x.dtype != DType.INT64 && sameOutsideAxis(index.shape, shape, a)) {
      checkIndexDtype("gather", index);
      IndexBlock ib = IndexBlock.of(index);
      Block b = new Block(shape, a, index.shape[a]);
      FirstBad bad = new FirstBad();
      Parallel.forRange(b.outer, (long) b.ni * b.inner, (p0, p1) -> {
        bad.report(x.d != null
            ? IndexRowsF64.gather(
                x.d, x.offset, b.nx, ib.values, ib.offset, b.ni, b.inner, out.d, p0, p1)
            : IndexRowsF32.gather(
                x.f, x.offset, b.nx, ib.values, ib.offset, b.ni, b.inner, out.f, p0, p1));
      });
      bad.rethrow("gather", ib, shape[a], a);
      return out;
    }
    long[] idx = indexValues("gather", index, false);
    return gatherStrided(x, a, index, idx, out);
  }

  /**
   * The general {@link #gather}, element by element through the strides: any layout, int64
   * included. The reference the block path is tested against.
   */
  static NDArray gatherStrided(NDArray x, int a, NDArray index, long[] idx, NDArray out) {
    int[] shape = x.shape;
    int r = x.rank();
    int[] pos = new int[r];
    for (int t = 0; t < idx.length; t++) {
      int p = x.offset;
      for (int i = 0; i < r; i++) {
        int c = i == a ? checkedIndex("gather", idx[t], shape[a], a) : pos[i];
        p += c * x.strides[i];
      }
      if (x.dtype == DType.FLOAT64) {
        out.d[t] = x.d[p];
      } else if (x.dtype == DType.FLOAT32) {
        out.f[t] = x.f[p];
      } else {
        out.l[t] = x.l[p];
      }
      for (int i = r - 1; i >= 0; i--) {
        if (++pos[i] < index.shape[i]) {
          break;
        }
        pos[i] = 0;
      }
    }
    return out;
  }

  private static void checkGatherShapes(String op, NDArray index, int[] shape, int a) {
    if (index.rank() != shape.length) {
      throw new ShapeException(
          op + ": index rank " + index.rank() + " differs from tensor rank " + shape.length
              + " (index " + Shapes.str(index.shape) + ", tensor " + Shapes.str(shape) + ")");
    }
    for (int i = 0; i < shape.length; i++) {
      if (i != a && index.shape[i] > shape[i]) {
        throw new ShapeException(
            op + ": index shape " + Shapes.str(index.shape) + " exceeds tensor shape "
                + Shapes.str(shape) + " in dimension " + i);
      }
    }
  }

  /** See {@link NDArray#scatterAdd}. */
  static NDArray scatterAdd(NDArray x, int axis, NDArray index, NDArray src) {
    int a = Shapes.axis("scatterAdd", axis, x.rank());
    int[] shape = x.shape;
    x.checkSameFloat("scatterAdd", src);
    checkGatherShapes("scatterAdd", index, shape, a);
    if (!Arrays.equals(index.shape, src.shape)) {
      throw new ShapeException(
          "scatterAdd: index shape " + Shapes.str(index.shape) + " and source shape "
              + Shapes.str(src.shape) + " differ");
    }
    // gather's VJP scatters into a broadcast zero: a fresh array is already its copy.
    NDArray out = isBroadcastPositiveZero(x) ? NDArray.zeros(x.dtype, shape) : x.copy();
    NDArray s = src.contiguous();
    if (sameOutsideAxis(index.shape, shape, a)) {
      checkIndexDtype("scatterAdd", index);
      IndexBlock ib = IndexBlock.of(index);
      Block b = new Block(shape, a, index.shape[a]);
      FirstBad bad = new FirstBad();
      Parallel.forRange(b.outer, (long) b.ni * b.inner, (p0, p1) -> {
        bad.report(out.d != null
            ? IndexRowsF64.scatterAdd(
                out.d, b.nx, ib.values, ib.offset, b.ni, b.inner, s.d, s.offset, p0, p1)
            : IndexRowsF32.scatterAdd(
                out.f, b.nx, ib.values, ib.offset, b.ni, b.inner, s.f, s.offset, p0, p1));
      });
      bad.rethrow("scatterAdd", ib, shape[a], a);
      return out;
    }
    long[] idx = indexValues("scatterAdd", index, false);
    return scatterAddStrided(x, a, index, idx, out, s);
  }

  /**
   * The general {@link #scatterAdd} into {@code out} (a dense copy of {@code x}) from contiguous
   * {@code s}, element by element through the strides, on the calling thread. The reference the
   * block path is tested against.
   */
  static NDArray scatterAddStrided(
      NDArray x, int a, NDArray index, long[] idx, NDArray out, NDArray s) {
    int[] shape = x.shape;
    int r = x.rank();
    int[] pos = new int[r];
    for (int t = 0; t < idx.length; t++) {
      int p = 0;
      for (int i = 0; i < r; i++) {
        int c = i == a ? checkedIndex("scatterAdd", idx[t], shape[a], a) : pos[i];
        p += c * out.strides[i];
      }
      if (x.dtype == DType.FLOAT64) {
        out.d[p] += s.d[s.offset + t];
      } else {
        out.f[p] += s.f[s.offset + t];
      }
      for (int i = r - 1; i >= 0; i--) {
        if (++pos[i] < index.shape[i]) {
          break;
        }
        pos[i] = 0;
      }
    }
    return out;
  }

  /**
   * True when every element of non-empty {@code x} is one stored {@code +0} (stride 0 along
   * every dimension of size above 1): then a fresh zero array is its copy.
   */
  private static boolean isBroadcastPositiveZero(NDArray x) {
    if (x.size == 0) {
      return false;
    }
    for (int i = 0; i < x.shape.length; i++) {
      if (x.shape[i] > 1 && x.strides[i] != 0) {
        return false;
      }
    }
    return x.d != null ? Double.doubleToRawLongBits(x.d[x.offset]) == 0
        : Float.floatToRawIntBits(x.f[x.offset]) == 0;
  }

  /** True when {@code index} has the shape {@code shape} outside axis {@code a}. */
  private static boolean sameOutsideAxis(int[] index, int[] shape, int a) {
    for (int i = 0; i < shape.length; i++) {
      if (i != a && index[i] != shape[i]) {
        return false;
      }
    }
    return true;
  }

  private static void checkIndexDtype(String op, NDArray index) {
    if (index.dtype != DType.INT64) {
      throw new DTypeException(op + ": index must be int64, got " + index.dtype);
    }
  }

  /** An int64 index as the block loops read it: its storage and offset, or a contiguous copy. */
  private static final class IndexBlock {
    final long[] values;
    final int offset;

    private IndexBlock(long[] values, int offset) {
      this.values = values;
      this.offset = offset;
    }

    static IndexBlock of(NDArray index) {
      return index.contiguous ? new IndexBlock(index.l, index.offset)
          : new IndexBlock(index.toLongArray(), 0);
    }
  }

  /**
   * The smallest position of an out-of-range index that any chunk reported: each chunk stops at
   * its first, so the smallest is the first in row-major order, the one the strided loops name.
   */
  private static final class FirstBad {
    private final java.util.concurrent.atomic.AtomicInteger first =
        new java.util.concurrent.atomic.AtomicInteger(Integer.MAX_VALUE);

    void report(int t) {
      if (t >= 0) {
        first.accumulateAndGet(t, Math::min);
      }
    }

    void rethrow(String op, IndexBlock ib, int n, int a) {
      int t = first.get();
      if (t != Integer.MAX_VALUE) {
        checkedIndex(op, ib.values[ib.offset + t], n, a); // throws: the value is out of range
        throw new IllegalStateException(op + ": index check disagrees at position " + t);
      }
    }
  }

  /**
   * A contiguous shape seen as {@code [outer, nx, inner]} around axis {@code a}, with {@code ni}
   * index rows along the axis.
   */
  private static final class Block {
    final int outer;
    final int nx;
    final int ni;
    final int inner;

    Block(int[] shape, int a, int ni) {
      int o = 1;
      for (int i = 0; i < a; i++) {
        o *= shape[i];
      }
      int in = 1;
      for (int i = a + 1; i < shape.length; i++) {
        in *= shape[i];
      }
      this.outer = o;
      this.nx = shape[a];
      this.ni = ni;
      this.inner = in;
    }
  }
}
