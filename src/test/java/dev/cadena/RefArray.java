package dev.cadena;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cadena.tensor.NDArray;
import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * A deliberately naive n-dimensional array for tests: a row-major {@code double[]} and a shape,
 * with every operation written as plain loops over multi-indices. It shares no code with the
 * library (except for reading a tensor's values), so that it can serve as an independent
 * reference for forward values.
 */
public final class RefArray {
  public final int[] shape;
  public final double[] v;

  public RefArray(int[] shape, double[] v) {
    if (count(shape) != v.length) {
      throw new IllegalArgumentException(
          "RefArray: " + v.length + " values for shape " + Arrays.toString(shape));
    }
    this.shape = shape.clone();
    this.v = v;
  }

  /** The values of a tensor (any dtype), read element by element through {@code get}. */
  public static RefArray of(Tensor t) {
    int[] s = t.shape();
    double[] v = new double[count(s)];
    int[] idx = new int[s.length];
    for (int i = 0; i < v.length; i++) {
      unflatten(i, s, idx);
      v[i] = t.get(idx);
    }
    return new RefArray(s, v);
  }

  public static RefArray filled(int[] shape, double value) {
    double[] v = new double[count(shape)];
    Arrays.fill(v, value);
    return new RefArray(shape, v);
  }

  public Tensor toTensor() {
    return Tensor.fromData(NDArray.wrap(v.clone(), shape));
  }

  public int size() {
    return v.length;
  }

  // ------------------------------------------------------------------ index arithmetic

  public static int count(int[] shape) {
    int n = 1;
    for (int s : shape) {
      n *= s;
    }
    return n;
  }

  public static void unflatten(int flat, int[] shape, int[] idx) {
    for (int d = shape.length - 1; d >= 0; d--) {
      idx[d] = flat % shape[d];
      flat /= shape[d];
    }
  }

  public static int flatten(int[] idx, int[] shape) {
    int f = 0;
    for (int d = 0; d < shape.length; d++) {
      f = f * shape[d] + idx[d];
    }
    return f;
  }

  public double at(int... idx) {
    return v[flatten(idx, shape)];
  }

  /**
   * The element that broadcasting maps to position {@code outIdx} of a larger shape: trailing
   * dimensions align, size-1 dimensions repeat.
   */
  public double atBroadcast(int[] outIdx) {
    int lead = outIdx.length - shape.length;
    int f = 0;
    for (int d = 0; d < shape.length; d++) {
      int i = shape[d] == 1 ? 0 : outIdx[lead + d];
      f = f * shape[d] + i;
    }
    return v[f];
  }

  /** NumPy's broadcast rule, written out independently of the library; null when incompatible. */
  public static int[] broadcastShape(int[] a, int[] b) {
    int r = Math.max(a.length, b.length);
    int[] out = new int[r];
    for (int i = 0; i < r; i++) {
      int ia = i - (r - a.length);
      int ib = i - (r - b.length);
      int da = ia < 0 ? 1 : a[ia];
      int db = ib < 0 ? 1 : b[ib];
      if (da != db && da != 1 && db != 1) {
        return null;
      }
      out[i] = da == 1 ? db : da;
    }
    return out;
  }

  // ------------------------------------------------------------------ operations

  public RefArray map(DoubleUnaryOperator f) {
    double[] r = new double[v.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = f.applyAsDouble(v[i]);
    }
    return new RefArray(shape, r);
  }

  public static RefArray zip(RefArray a, RefArray b, DoubleBinaryOperator f) {
    int[] s = broadcastShape(a.shape, b.shape);
    double[] r = new double[count(s)];
    int[] idx = new int[s.length];
    for (int i = 0; i < r.length; i++) {
      unflatten(i, s, idx);
      r[i] = f.applyAsDouble(a.atBroadcast(idx), b.atBroadcast(idx));
    }
    return new RefArray(s, r);
  }

  /** The same values (row-major) with another shape of the same size. */
  public RefArray reshape(int... newShape) {
    return new RefArray(newShape, v.clone());
  }

  /** This array repeated to a larger shape by broadcasting. */
  public RefArray broadcastTo(int[] target) {
    double[] r = new double[count(target)];
    int[] idx = new int[target.length];
    for (int i = 0; i < r.length; i++) {
      unflatten(i, target, idx);
      r[i] = atBroadcast(idx);
    }
    return new RefArray(target, r);
  }

  /**
   * Folds the elements over {@code axes} (non-negative, any order) with {@code f}, starting from
   * {@code init}.
   */
  public RefArray reduce(int[] axes, boolean keepDims, double init, DoubleBinaryOperator f) {
    boolean[] red = new boolean[shape.length];
    for (int a : axes) {
      red[a] = true;
    }
    int[] keep = new int[shape.length];
    for (int d = 0; d < shape.length; d++) {
      keep[d] = red[d] ? 1 : shape[d];
    }
    double[] acc = new double[count(keep)];
    Arrays.fill(acc, init);
    int[] idx = new int[shape.length];
    int[] k = new int[shape.length];
    for (int i = 0; i < v.length; i++) {
      unflatten(i, shape, idx);
      for (int d = 0; d < shape.length; d++) {
        k[d] = red[d] ? 0 : idx[d];
      }
      int o = flatten(k, keep);
      acc[o] = f.applyAsDouble(acc[o], v[i]);
    }
    if (keepDims) {
      return new RefArray(keep, acc);
    }
    int[] s = new int[shape.length - distinct(axes)];
    for (int d = 0, j = 0; d < shape.length; d++) {
      if (!red[d]) {
        s[j++] = shape[d];
      }
    }
    return new RefArray(s, acc);
  }

  private static int distinct(int[] axes) {
    return (int) Arrays.stream(axes).distinct().count();
  }

  public RefArray sum(int[] axes, boolean keepDims) {
    return reduce(axes, keepDims, 0, Double::sum);
  }

  /** Result axis i is this array's axis perm[i]. */
  public RefArray permute(int... perm) {
    int[] s = new int[perm.length];
    for (int i = 0; i < perm.length; i++) {
      s[i] = shape[perm[i]];
    }
    double[] r = new double[v.length];
    int[] out = new int[s.length];
    int[] in = new int[s.length];
    for (int i = 0; i < r.length; i++) {
      unflatten(i, s, out);
      for (int d = 0; d < perm.length; d++) {
        in[perm[d]] = out[d];
      }
      r[i] = at(in);
    }
    return new RefArray(s, r);
  }

  /**
   * Batched matrix product of rank >= 2 arrays with broadcast batch dimensions, as a triple loop
   * per batch entry.
   */
  public static RefArray matmul(RefArray a, RefArray b) {
    int ra = a.shape.length;
    int rb = b.shape.length;
    int m = a.shape[ra - 2];
    int k = a.shape[ra - 1];
    int n = b.shape[rb - 1];
    if (b.shape[rb - 2] != k) {
      throw new IllegalArgumentException("RefArray.matmul: inner dimensions differ");
    }
    int[] batch = broadcastShape(
        Arrays.copyOf(a.shape, ra - 2), Arrays.copyOf(b.shape, rb - 2));
    int[] outShape = Arrays.copyOf(batch, batch.length + 2);
    outShape[batch.length] = m;
    outShape[batch.length + 1] = n;
    double[] r = new double[count(outShape)];
    int[] oi = new int[outShape.length];
    int[] ai = new int[batch.length + 2];
    int[] bi = new int[batch.length + 2];
    for (int f = 0; f < r.length; f++) {
      unflatten(f, outShape, oi);
      System.arraycopy(oi, 0, ai, 0, batch.length);
      System.arraycopy(oi, 0, bi, 0, batch.length);
      double s = 0;
      for (int p = 0; p < k; p++) {
        ai[batch.length] = oi[batch.length];
        ai[batch.length + 1] = p;
        bi[batch.length] = p;
        bi[batch.length + 1] = oi[batch.length + 1];
        s += a.atBroadcast(ai) * b.atBroadcast(bi);
      }
      r[f] = s;
    }
    return new RefArray(outShape, r);
  }

  // ------------------------------------------------------------------ assertions

  /** Asserts the tensor has this shape and every element is within {@code tol} (absolute+relative). */
  public void assertClose(Tensor actual, double tol) {
    assertArrayEquals(shape, actual.shape(), "shape");
    double[] a = actual.toDoubleArray();
    for (int i = 0; i < v.length; i++) {
      double want = v[i];
      double got = a[i];
      if (Double.isNaN(want)) {
        assertEquals(want, got, "element " + i);
        continue;
      }
      int at = i;
      assertEquals(want, got, tol * (1 + Math.abs(want)),
          () -> "element " + Arrays.toString(unflattenNew(at, shape)) + " of shape "
              + Arrays.toString(shape) + ": expected " + Arrays.toString(v) + " got "
              + Arrays.toString(a));
    }
  }

  private static int[] unflattenNew(int flat, int[] shape) {
    int[] idx = new int[shape.length];
    unflatten(flat, shape, idx);
    return idx;
  }

  @Override
  public String toString() {
    return "RefArray" + Arrays.toString(shape) + Arrays.toString(v);
  }
}
