package dev.cadena.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Kernels on strided views (permuted, sliced with steps, broadcast, reshaped) must agree with the
 * same kernel on a contiguous copy of the view, in float64 and float32.
 */
class NDArrayViewPropertiesTest {

  @Provide
  Arbitrary<DType> floatTypes() {
    return Arbitraries.of(DType.FLOAT64, DType.FLOAT32);
  }

  /** A random view of a random base array: each step permutes, slices, expands or reshapes. */
  static NDArray randomView(SplittableRandom rng, DType dtype) {
    int rank = 1 + rng.nextInt(4);
    int[] shape = new int[rank];
    for (int i = 0; i < rank; i++) {
      shape[i] = 1 + rng.nextInt(5);
    }
    double[] v = new double[Shapes.numel(shape)];
    for (int i = 0; i < v.length; i++) {
      v[i] = rng.nextDouble(-3, 3);
    }
    NDArray a = NDArray.wrap(v, shape).astype(dtype);
    int steps = 1 + rng.nextInt(4);
    for (int s = 0; s < steps; s++) {
      int r = a.rank();
      switch (rng.nextInt(4)) {
        case 0: {
          int[] perm = randomPermutation(rng, r);
          a = a.permute(perm);
          break;
        }
        case 1: {
          if (r == 0) {
            break;
          }
          int axis = rng.nextInt(r);
          int n = a.dim(axis);
          int start = rng.nextInt(n);
          int step = 1 + rng.nextInt(2);
          a = a.slice(axis, start, n, step);
          break;
        }
        case 2: {
          // Insert a size-1 axis and broadcast it (stride 0), or broadcast an existing size-1 axis.
          int[] s1 = new int[r + 1];
          int at = rng.nextInt(r + 1);
          for (int i = 0, j = 0; i <= r; i++) {
            s1[i] = i == at ? 1 : a.dim(j++);
          }
          int[] target = s1.clone();
          target[at] = 2 + rng.nextInt(2);
          a = a.reshape(s1).expand(target);
          break;
        }
        default: {
          if (a.size() == 0) {
            break;
          }
          a = a.reshape(a.size());
          int d = divisorOf(a.size(), rng);
          a = a.reshape(d, -1);
        }
      }
      if (a.rank() > 5) {
        a = a.reshape(-1);
      }
    }
    return a;
  }

  private static int divisorOf(int n, SplittableRandom rng) {
    for (int tries = 0; tries < 10; tries++) {
      int d = 1 + rng.nextInt(n);
      if (n % d == 0) {
        return d;
      }
    }
    return 1;
  }

  private static int[] randomPermutation(SplittableRandom rng, int r) {
    int[] p = new int[r];
    for (int i = 0; i < r; i++) {
      p[i] = i;
    }
    for (int i = r - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  private static void assertSameValues(NDArray expected, NDArray actual, double tol, String what) {
    assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
    assertEquals(expected.dtype(), actual.dtype(), what + ": dtype");
    double[] e = expected.toDoubleArray();
    double[] a = actual.toDoubleArray();
    for (int i = 0; i < e.length; i++) {
      if (tol == 0) {
        assertEquals(e[i], a[i], what + " element " + i);
      } else {
        assertEquals(e[i], a[i], tol * (1 + Math.abs(e[i])), what + " element " + i);
      }
    }
  }

  @Property(tries = 200, seed = "8675309", edgeCases = EdgeCasesMode.NONE)
  void unaryAndCopies_onViews_matchContiguousCopies(@ForAll long seed, @ForAll("floatTypes") DType dtype) {
    NDArray view = randomView(new SplittableRandom(seed), dtype);
    NDArray copy = view.copy();
    assertEquals(true, copy.isContiguous());
    // Logical element order: a copy reads through the strides.
    for (int i = 0; i < view.size(); i++) {
      assertEquals(view.getFlat(i), copy.getFlat(i));
    }
    assertArrayEquals(view.toDoubleArray(), copy.toDoubleArray());
    assertArrayEquals(view.toFloatArray(), copy.toFloatArray());
    for (UnaryOp op : new UnaryOp[] {UnaryOp.COPY, UnaryOp.NEG, UnaryOp.EXP, UnaryOp.TANH, UnaryOp.ABS,
        UnaryOp.SIGMOID, UnaryOp.RELU, UnaryOp.SIN}) {
      assertSameValues(copy.unary(op), view.unary(op), 0, op.toString());
    }
    DType other = dtype == DType.FLOAT64 ? DType.FLOAT32 : DType.FLOAT64;
    assertSameValues(copy.astype(other), view.astype(other), 0, "astype");
    assertSameValues(copy.contiguous(), view.contiguous(), 0, "contiguous");
  }

  @Property(tries = 200, seed = "5551212", edgeCases = EdgeCasesMode.NONE)
  void binary_onViews_matchContiguousCopies(@ForAll long seed, @ForAll("floatTypes") DType dtype) {
    SplittableRandom rng = new SplittableRandom(seed);
    NDArray a = randomView(rng, dtype);
    // The second operand: a transposed view with a's shape, or a's trailing shape (broadcast).
    int[] s = a.shape();
    NDArray b;
    if (rng.nextBoolean() && s.length > 0) {
      int[] tail = Arrays.copyOfRange(s, rng.nextInt(s.length), s.length);
      b = randomValues(rng, dtype, tail);
    } else {
      int[] rev = s.clone();
      for (int i = 0; i < rev.length / 2; i++) {
        int t = rev[i];
        rev[i] = rev[rev.length - 1 - i];
        rev[rev.length - 1 - i] = t;
      }
      int[] perm = new int[s.length];
      for (int i = 0; i < perm.length; i++) {
        perm[i] = perm.length - 1 - i;
      }
      b = randomValues(rng, dtype, rev).permute(perm);
    }
    for (BinaryOp op : BinaryOp.values()) {
      NDArray expected = a.copy().binary(op, b.copy());
      assertSameValues(expected, a.binary(op, b), 0, op.toString());
      assertSameValues(expected, a.binary(op, b.copy()), 0, op + " (b contiguous)");
    }
    NDArray cond = a.copy().binary(BinaryOp.GT, NDArray.scalar(dtype, 0));
    assertSameValues(NDArray.where(cond.copy(), a.copy(), b.copy()), NDArray.where(cond, a, b), 0, "where");
  }

  private static NDArray randomValues(SplittableRandom rng, DType dtype, int[] shape) {
    double[] v = new double[Shapes.numel(shape)];
    for (int i = 0; i < v.length; i++) {
      v[i] = rng.nextDouble(0.5, 2);
    }
    return NDArray.wrap(v, shape).astype(dtype);
  }

  @Property(tries = 200, seed = "1234567", edgeCases = EdgeCasesMode.NONE)
  void reductions_onViews_matchContiguousCopies(@ForAll long seed, @ForAll("floatTypes") DType dtype) {
    SplittableRandom rng = new SplittableRandom(seed);
    NDArray view = randomView(rng, dtype);
    NDArray copy = view.copy();
    int r = view.rank();
    int[] axes = randomAxes(rng, r);
    boolean keep = rng.nextBoolean();
    double tol = dtype == DType.FLOAT64 ? 1e-12 : 1e-5;
    assertSameValues(copy.reduce(NDArray.ReduceOp.SUM, axes, keep), view.reduce(NDArray.ReduceOp.SUM, axes, keep),
        tol, "sum over " + Arrays.toString(axes));
    if (view.size() > 0) {
      assertSameValues(copy.reduce(NDArray.ReduceOp.MAX, axes, keep),
          view.reduce(NDArray.ReduceOp.MAX, axes, keep), 0, "max");
      assertSameValues(copy.reduce(NDArray.ReduceOp.MIN, axes, keep),
          view.reduce(NDArray.ReduceOp.MIN, axes, keep), 0, "min");
      if (r > 0) {
        int axis = rng.nextInt(r);
        assertArrayEquals(copy.argReduce(true, axis, keep).toLongArray(),
            view.argReduce(true, axis, keep).toLongArray());
        assertArrayEquals(copy.argReduce(false, null, false).toLongArray(),
            view.argReduce(false, null, false).toLongArray());
      }
    }
  }

  private static int[] randomAxes(SplittableRandom rng, int rank) {
    int[] tmp = new int[rank];
    int n = 0;
    for (int i = 0; i < rank; i++) {
      if (rng.nextBoolean()) {
        tmp[n++] = rng.nextBoolean() ? i : i - rank;
      }
    }
    return Arrays.copyOf(tmp, n);
  }

  @Property(tries = 150, seed = "24680", edgeCases = EdgeCasesMode.NONE)
  void matmul_onViews_matchContiguousCopies(@ForAll long seed, @ForAll("floatTypes") DType dtype) {
    SplittableRandom rng = new SplittableRandom(seed);
    int m = 1 + rng.nextInt(4);
    int k = 1 + rng.nextInt(4);
    int n = 1 + rng.nextInt(4);
    int batch = 1 + rng.nextInt(3);
    // a: a transposed and step-sliced view; b: a permuted view, sometimes broadcast over the batch.
    NDArray a = randomValues(rng, dtype, new int[] {batch, k, 2 * m}).slice(2, 0, 2 * m, 2).permute(0, 2, 1);
    NDArray b = rng.nextBoolean()
        ? randomValues(rng, dtype, new int[] {n, k}).permute(1, 0)
        : randomValues(rng, dtype, new int[] {k, 1, n}).permute(1, 0, 2).expand(batch, k, n);
    assertFalse(a.isContiguous() && m > 1 && k > 1);
    double tol = dtype == DType.FLOAT64 ? 1e-12 : 1e-5;
    assertSameValues(a.copy().matmul(b.copy()), a.matmul(b), tol, "matmul");
  }

  @Property(tries = 150, seed = "97531", edgeCases = EdgeCasesMode.NONE)
  void indexingAndJoining_onViews_matchContiguousCopies(@ForAll long seed, @ForAll("floatTypes") DType dtype) {
    SplittableRandom rng = new SplittableRandom(seed);
    NDArray view = randomView(rng, dtype);
    NDArray copy = view.copy();
    int r = view.rank();
    if (r == 0 || view.size() == 0) {
      return;
    }
    int axis = rng.nextInt(r);
    int n = view.dim(axis);
    long[] idx = new long[1 + rng.nextInt(4)];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = rng.nextInt(n);
    }
    NDArray index = NDArray.wrap(idx, idx.length);
    assertSameValues(copy.indexSelect(axis, index), view.indexSelect(axis, index), 0, "indexSelect");
    assertSameValues(NDArray.concat(new NDArray[] {copy, copy}, axis),
        NDArray.concat(new NDArray[] {view, view}, axis), 0, "concat");
    int[] gshape = view.shape();
    long[] gidx = new long[Shapes.numel(gshape)];
    for (int i = 0; i < gidx.length; i++) {
      gidx[i] = rng.nextInt(n);
    }
    NDArray gi = NDArray.wrap(gidx, gshape);
    assertSameValues(copy.gather(axis, gi), view.gather(axis, gi), 0, "gather");
    assertSameValues(copy.scatterAdd(axis, gi, copy), view.scatterAdd(axis, gi, view),
        dtype == DType.FLOAT64 ? 1e-12 : 1e-5, "scatterAdd");
  }
}
