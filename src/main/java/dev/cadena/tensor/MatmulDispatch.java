package dev.cadena.tensor;

import dev.cadena.tensor.kernel.Gemm;
import dev.cadena.tensor.kernel.Parallel;
import java.util.Arrays;

/**
 * Batched matrix products, behind {@link NDArray#matmul}: checks the shapes, broadcasts the batch
 * dimensions, and hands each pair of matrices to {@link Gemm} as BLAS-style arguments (array,
 * offset, leading dimension, transposed or not), so that transposed, sliced and broadcast
 * (stride-0, leading dimension 0) views multiply without a copy; other layouts are made
 * contiguous first, those whose rows or columns all repeat as a single row or column. Many
 * products (at least {@link #BATCH_SPLIT_PER_THREAD} per thread: a convolution's images) are
 * split across the threads by whole products; fewer are each split inside the GEMM.
 */
final class MatmulDispatch {
  private MatmulDispatch() {}

  /**
   * Products per thread from which a batched product is split across threads by whole products
   * (each GEMM then runs on its thread) rather than inside each product: with fewer, a thread
   * could be left with one product more than another for a large share of the time.
   */
  static final int BATCH_SPLIT_PER_THREAD = 4;

  /** A conservative GEMM throughput for the split's cost estimate (flops per ns on one core). */
  private static final long GEMM_FLOPS_PER_NANO = 16;

  /** See {@link NDArray#matmul}. */
  static NDArray matmul(NDArray a, NDArray b) {
    return matmul(a, b, null, false);
  }

  /**
   * {@code a @ b} written into {@code into} when it is not null (a dense array of the product's
   * shape and dtype, offset 0, that the caller owns), else into a new array; with {@code
   * accumulate} the product is added to what {@code into} holds (a bias, say).
   */
  static NDArray matmul(NDArray a, NDArray b, NDArray into, boolean accumulate) {
    a.checkSameFloat("matmul", b);
    if (a.rank() < 2 || b.rank() < 2) {
      throw new ShapeException(
          "matmul: NDArray.matmul needs rank >= 2, got " + Shapes.str(a.shape) + " @ "
              + Shapes.str(b.shape));
    }
    int m = a.shape[a.rank() - 2];
    int k = a.shape[a.rank() - 1];
    int k2 = b.shape[b.rank() - 2];
    int n = b.shape[b.rank() - 1];
    if (k != k2) {
      throw new ShapeException(
          "matmul: inner dimensions differ: " + Shapes.str(a.shape) + " @ " + Shapes.str(b.shape)
              + " (" + k + " != " + k2 + ")");
    }
    int[] aBatch = Arrays.copyOf(a.shape, a.rank() - 2);
    int[] bBatch = Arrays.copyOf(b.shape, b.rank() - 2);
    int[] batch;
    try {
      batch = Shapes.broadcast("matmul", aBatch, bBatch);
    } catch (ShapeException e) {
      throw new ShapeException(
          "matmul: batch dimensions cannot be broadcast together: " + Shapes.str(a.shape) + " @ "
              + Shapes.str(b.shape));
    }
    int[] outShape = Arrays.copyOf(batch, batch.length + 2);
    outShape[batch.length] = m;
    outShape[batch.length + 1] = n;
    Shapes.checkShape("matmul", outShape);
    NDArray out;
    if (into == null) {
      // Every element is written below (the storage may be recycled, holding old values),
      // unless the product is to be added to it.
      out = accumulate
          ? NDArray.zeros(a.dtype, outShape)
          : NDArray.uninitialized(a.dtype, outShape);
    } else {
      if (!Arrays.equals(into.shape, outShape) || into.dtype != a.dtype || !into.contiguous
          || into.offset != 0) {
        throw new IllegalArgumentException(
            "matmul: destination must be a dense " + a.dtype + " array of shape "
                + Shapes.str(outShape) + ", got " + into.dtype + " " + Shapes.str(into.shape));
      }
      out = into;
      out.markModified();
    }
    if (out.size == 0) {
      return out;
    }
    MatLayout la = MatLayout.of(a);
    MatLayout lb = MatLayout.of(b);
    NDArray aa = la.source;
    NDArray bb = lb.source;
    int[] aBs = batchStrides(aa, batch);
    int[] bBs = batchStrides(bb, batch);
    int nb = Shapes.numel(batch);
    if (nb > 1 && b.rank() == 2 && a.contiguous && !la.trans && aa == a
        && Shapes.numel(aBatch) == nb && (long) nb * m <= Integer.MAX_VALUE) {
      // A dense stack of matrices times one matrix (a vmapped layer: [B, m, k] @ [k, n]): the
      // stacked rows are one [B*m, k] matrix, so one product reads b once instead of B times.
      int rows = nb * m;
      if (a.dtype == DType.FLOAT64) {
        Gemm.gemm(false, lb.trans, rows, n, k, aa.d, aa.offset, k, bb.d, bb.offset, lb.ld, out.d,
            0, n, accumulate);
      } else {
        Gemm.gemm(false, lb.trans, rows, n, k, aa.f, aa.offset, k, bb.f, bb.offset, lb.ld, out.f,
            0, n, accumulate);
      }
      return out;
    }
    if (nb > 1 && n == 1 && a.rank() == 2 && b.contiguous && Shapes.numel(bBatch) == nb) {
      stackedVectors(la, b, nb, m, k, out, accumulate);
      return out;
    }
    boolean accumulateFinal = accumulate;
    Parallel.RangeBody products = (t0, t1) -> {
      int[] idx = batchIndex(batch, t0);
      for (int t = t0; t < t1; t++) {
        int ao = offset(aa.offset, idx, aBs);
        int bo = offset(bb.offset, idx, bBs);
        int co = t * m * n;
        if (a.dtype == DType.FLOAT64) {
          Gemm.gemm(la.trans, lb.trans, m, n, k, aa.d, ao, la.ld, bb.d, bo, lb.ld, out.d, co, n,
              accumulateFinal);
        } else {
          Gemm.gemm(la.trans, lb.trans, m, n, k, aa.f, ao, la.ld, bb.f, bo, lb.ld, out.f, co, n,
              accumulateFinal);
        }
        advance(idx, batch);
      }
    };
    if (nb >= BATCH_SPLIT_PER_THREAD * Parallel.threads()) {
      // Many products (a convolution's images): each thread takes whole products, where
      // splitting every small product across the threads met at a barrier per product. A
      // product's result does not depend on how its GEMM is split, so this is bit for bit the
      // product loop below.
      Parallel.forRange(nb, Math.max(1, 2L * m * n * k / GEMM_FLOPS_PER_NANO), products);
    } else {
      products.run(0, nb);
    }
    return out;
  }

  /**
   * One matrix times a dense stack of {@code nb} vectors, {@code [m, k] @ [nb, k, 1]} (a vmapped
   * matrix-vector product): the vectors are the rows of one {@code [nb, k]} matrix and the
   * results the rows of {@code [nb, m]}, so {@code out = b' a^T} is one product instead of
   * {@code nb} matrix-vector ones. A method of its own, so that {@link #matmul} stays small
   * enough for the JIT to treat as before.
   */
  private static void stackedVectors(MatLayout la, NDArray b, int nb, int m, int k, NDArray out,
      boolean accumulate) {
    NDArray aa = la.source;
    if (b.dtype == DType.FLOAT64) {
      Gemm.gemm(false, !la.trans, nb, m, k, b.d, b.offset, k, aa.d, aa.offset, la.ld, out.d, 0,
          m, accumulate);
    } else {
      Gemm.gemm(false, !la.trans, nb, m, k, b.f, b.offset, k, aa.f, aa.offset, la.ld, out.f, 0,
          m, accumulate);
    }
  }

  /**
   * See {@link NDArray#matmulSum}: the products of the broadcast batch summed into one {@code
   * [m, n]} array, each added onto it by the GEMM in batch order. With several threads the
   * columns are split among them (in multiples of 16), so every element is summed in the same
   * order whatever the number of threads; with too few columns, the batch is split instead.
   */
  static NDArray matmulSum(NDArray a, NDArray b) {
    a.checkSameFloat("matmulSum", b);
    if (a.rank() < 2 || b.rank() < 2) {
      throw new ShapeException(
          "matmulSum: needs rank >= 2, got " + Shapes.str(a.shape) + " @ " + Shapes.str(b.shape));
    }
    int m = a.shape[a.rank() - 2];
    int k = a.shape[a.rank() - 1];
    int n = b.shape[b.rank() - 1];
    if (k != b.shape[b.rank() - 2]) {
      throw new ShapeException(
          "matmulSum: inner dimensions differ: " + Shapes.str(a.shape) + " @ "
              + Shapes.str(b.shape) + " (" + k + " != " + b.shape[b.rank() - 2] + ")");
    }
    int[] batch;
    try {
      batch = Shapes.broadcast("matmulSum", Arrays.copyOf(a.shape, a.rank() - 2),
          Arrays.copyOf(b.shape, b.rank() - 2));
    } catch (ShapeException e) {
      throw new ShapeException(
          "matmulSum: batch dimensions cannot be broadcast together: " + Shapes.str(a.shape)
              + " @ " + Shapes.str(b.shape));
    }
    NDArray out = NDArray.zeros(a.dtype, m, n);
    int nb = Shapes.numel(batch);
    if (out.size == 0 || nb == 0 || k == 0) {
      return out;
    }
    MatLayout la = MatLayout.of(a);
    MatLayout lb = MatLayout.of(b);
    int[] aBs = batchStrides(la.source, batch);
    int[] bBs = batchStrides(lb.source, batch);
    int pieces = (n + 15) / 16;
    int threads = Parallel.threads();
    long cost = Math.max(Parallel.SERIAL_THRESHOLD, 2L * m * n * k * nb / GEMM_FLOPS_PER_NANO
        / Math.max(1, threads));
    if (threads > 1 && pieces >= 2 * threads && nb >= BATCH_SPLIT_PER_THREAD) {
      // One block of columns per thread, each running the whole batch on its columns: every
      // element is summed in batch order, whatever the number of threads.
      int per = (pieces + threads - 1) / threads;
      Parallel.forRange(threads, cost, (t0, t1) -> sumProducts(la, lb, batch, aBs, bBs, m, n, k,
          0, nb, Math.min(n, t0 * per * 16), Math.min(n, t1 * per * 16), out));
    } else if (threads > 1 && nb >= BATCH_SPLIT_PER_THREAD * threads) {
      // Too few columns to split (a 5 x 5 kernel's 25): each thread sums a share of the batch
      // into its own [m, n] array, and the shares are added in order, so the result depends on
      // the number of threads but not on their timing.
      NDArray[] parts = new NDArray[threads];
      parts[0] = out;
      for (int t = 1; t < threads; t++) {
        parts[t] = NDArray.zeros(a.dtype, m, n);
      }
      Parallel.forRange(threads, cost, (t0, t1) -> {
        for (int t = t0; t < t1; t++) {
          sumProducts(la, lb, batch, aBs, bBs, m, n, k, (int) ((long) nb * t / threads),
              (int) ((long) nb * (t + 1) / threads), 0, n, parts[t]);
        }
      });
      for (int t = 1; t < threads; t++) {
        out.applyInPlace(BinaryOp.ADD, parts[t]);
      }
    } else {
      sumProducts(la, lb, batch, aBs, bBs, m, n, k, 0, nb, 0, n, out);
    }
    return out;
  }

  /**
   * Adds {@code op(A_t) @ op(B_t)} restricted to columns {@code [j0, j1)}, for the batch
   * positions {@code t0 <= t < t1} (row-major over {@code batch}), onto {@code dest}, in order.
   */
  private static void sumProducts(MatLayout la, MatLayout lb, int[] batch, int[] aBs, int[] bBs,
      int m, int n, int k, int t0, int t1, int j0, int j1, NDArray dest) {
    if (j0 >= j1 || t0 >= t1) {
      return;
    }
    NDArray aa = la.source;
    NDArray bb = lb.source;
    // Column j of op(B) starts at j (stored as is) or j * ld (stored transposed).
    int bColumnStep = lb.trans ? lb.ld : 1;
    int[] idx = batchIndex(batch, t0);
    for (int t = t0; t < t1; t++) {
      int ao = offset(aa.offset, idx, aBs);
      int bo = offset(bb.offset, idx, bBs) + j0 * bColumnStep;
      if (dest.dtype == DType.FLOAT64) {
        Gemm.gemm(la.trans, lb.trans, m, j1 - j0, k, aa.d, ao, la.ld, bb.d, bo, lb.ld, dest.d,
            j0, n, true);
      } else {
        Gemm.gemm(la.trans, lb.trans, m, j1 - j0, k, aa.f, ao, la.ld, bb.f, bo, lb.ld, dest.f,
            j0, n, true);
      }
      advance(idx, batch);
    }
  }

  /** The batch coordinates of the {@code t}-th product in row-major order over {@code batch}. */
  private static int[] batchIndex(int[] batch, int t) {
    int[] idx = new int[batch.length];
    int rest = t;
    for (int i = batch.length - 1; i >= 0; i--) {
      idx[i] = rest % batch[i];
      rest /= batch[i];
    }
    return idx;
  }

  /** Moves the batch coordinates {@code idx} to the next product, row-major. */
  private static void advance(int[] idx, int[] batch) {
    for (int i = batch.length - 1; i >= 0; i--) {
      if (++idx[i] < batch[i]) {
        break;
      }
      idx[i] = 0;
    }
  }

  /** {@code base} plus the batch coordinates times their strides. */
  private static int offset(int base, int[] idx, int[] strides) {
    int o = base;
    for (int i = 0; i < idx.length; i++) {
      o += idx[i] * strides[i];
    }
    return o;
  }

  private static int[] batchStrides(NDArray a, int[] batch) {
    int r = a.rank() - 2;
    int lead = batch.length - r;
    int[] st = new int[batch.length];
    for (int i = 0; i < r; i++) {
      st[lead + i] = a.shape[i] == 1 ? 0 : a.strides[i];
    }
    return st;
  }

  /**
   * How the last two dimensions of an array map onto a BLAS-style matrix: the array whose
   * storage {@link Gemm} reads (the operand itself, or a copy when its layout has no BLAS form),
   * whether it is stored transposed, and the leading dimension.
   */
  private static final class MatLayout {
    final NDArray source;
    final boolean trans;
    final int ld;

    private MatLayout(NDArray source, boolean trans, int ld) {
      this.source = source;
      this.trans = trans;
      this.ld = ld;
    }

    /**
     * The layout of {@code x}, copying only what has no BLAS form. A broadcast operand is read
     * in place with leading dimension 0 (Gemm repeats one stored row): strides {@code (0, 1)}
     * are rows that repeat, {@code (1, 0)} columns that repeat (stored transposed). Any other
     * operand whose rows (or columns) all repeat, a constant {@code (0, 0)} one for instance,
     * is copied as one row (column) per matrix, never as the whole matrix.
     */
    static MatLayout of(NDArray x) {
      MatLayout direct = inPlace(x);
      if (direct != null) {
        return direct;
      }
      int r = x.rank();
      if (x.shape[r - 2] > 1 && x.strides[r - 2] == 0) {
        return new MatLayout(x.slice(r - 2, 0, 1, 1).contiguous(), false, 0);
      }
      if (x.shape[r - 1] > 1 && x.strides[r - 1] == 0) {
        return new MatLayout(x.slice(r - 1, 0, 1, 1).contiguous(), true, 0);
      }
      NDArray c = x.contiguous();
      return new MatLayout(c, false, Math.max(x.shape[r - 1], 1));
    }

    /** The layout of {@code x} read where it is, or null when it has no BLAS form. */
    private static MatLayout inPlace(NDArray x) {
      int r = x.rank();
      int rows = x.shape[r - 2];
      int cols = x.shape[r - 1];
      int sr = rows == 1 ? Math.max(cols, 1) : x.strides[r - 2];
      int sc = cols == 1 ? 1 : x.strides[r - 1];
      if (sc == 1 && (sr >= Math.max(cols, 1) || sr == 0)) {
        return new MatLayout(x, false, sr);
      }
      int sr2 = rows == 1 ? 1 : x.strides[r - 2];
      int sc2 = cols == 1 ? Math.max(rows, 1) : x.strides[r - 1];
      if (sr2 == 1 && (sc2 >= Math.max(rows, 1) || sc2 == 0)) {
        return new MatLayout(x, true, sc2);
      }
      return null;
    }
  }
}
