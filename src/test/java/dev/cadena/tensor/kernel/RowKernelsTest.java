package dev.cadena.tensor.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cadena.tensor.BinaryOp;
import dev.cadena.tensor.UnaryOp;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The pointwise row kernels ({@link UnaryRowsF64}, {@link BinaryRowsF64}, their float32 twins and
 * {@link ConvertRowsF64}) against naive formulas, element by element and bit for bit, for every op
 * and every row layout each kernel tells apart: one offset with unit strides (the vectorised
 * loops), unit strides at different offsets, a scalar operand (stride 0), any strides, and an
 * output that is its own first operand. Elements outside the row must stay untouched.
 */
class RowKernelsTest {
  private static final int N = 37;
  private static final double GUARD = -12345.5;

  /** Offsets and strides of one row: {@code {ao, as, bo, bs, oo, os}}; b unused by unary ops. */
  private static final int[][] LAYOUTS = {
    {3, 1, 3, 1, 3, 1}, // same offset, unit strides
    {3, 1, 5, 0, 3, 1}, // same offset, b a scalar
    {1, 1, 4, 1, 2, 1}, // unit strides, different offsets
    {1, 1, 4, 0, 2, 1}, // unit strides, b a scalar
    {0, 2, 1, 3, 1, 2}, // strided
    {0, 2, 6, 0, 1, 3}, // strided, b a scalar
    {2, 2, 2, 2, 2, 2}, // one offset, equal non-unit strides
  };

  private static double[] values(SplittableRandom rng, int length) {
    double[] specials = {0.0, -0.0, 1, -1, 0.5, Double.NaN, Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY, 40, -40, 1e-3, 3};
    double[] v = new double[length];
    for (int i = 0; i < length; i++) {
      v[i] = rng.nextInt(4) == 0 ? specials[rng.nextInt(specials.length)] : rng.nextDouble(-4, 4);
    }
    return v;
  }

  private static float[] toFloat(double[] v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = (float) v[i];
    }
    return f;
  }

  private static double[] toDouble(float[] v) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      d[i] = v[i];
    }
    return d;
  }

  private static double[] guarded(int length) {
    double[] o = new double[length];
    Arrays.fill(o, GUARD);
    return o;
  }

  /** The expected output array: {@code f} at the row's positions, GUARD elsewhere. */
  private static void checkRow(String what, double[] expectedRow, double[] actual, int oo, int os) {
    for (int p = 0; p < actual.length; p++) {
      boolean inRow = p >= oo && (p - oo) % os == 0 && (p - oo) / os < N;
      double e = inRow ? expectedRow[(p - oo) / os] : GUARD;
      assertEquals(e, actual[p], what + " at storage index " + p + (inRow ? " (element " + (p - oo) / os + ")" : " (outside the row)"));
    }
  }

  // ------------------------------------------------------------------ unary

  private static DoubleUnaryOperator reference(UnaryOp op) {
    switch (op) {
      case COPY:
        return v -> v;
      case NEG:
        return v -> -v;
      case EXP:
        return Math::exp;
      case LOG:
        return Math::log;
      case SQRT:
        return Math::sqrt;
      case ABS:
        return Math::abs;
      case SIN:
        return Math::sin;
      case COS:
        return Math::cos;
      case TANH:
        return Math::tanh;
      case SIGMOID:
        return v -> v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
      case RELU:
        return v -> v > 0 ? v : (v == v ? 0.0 : v);
      case SIGN:
        // PyTorch's sign: NaN and both zeros give +0 (Math.signum would keep NaN and -0).
        return v -> v > 0 ? 1.0 : v < 0 ? -1.0 : 0.0;
      case LOG1P:
        return Math::log1p;
      case EXPM1:
        return Math::expm1;
      case ERF:
        // The row layouts and the float32 rounding; ErfTest checks Erf's values.
        return Erf::erf;
      case ERFC:
        return Erf::erfc;
      default:
        throw new AssertionError("no reference for " + op);
    }
  }

  @Test
  void unaryRows_everyOpAndLayout_matchNaiveFormula_inBothDtypes() {
    SplittableRandom rng = new SplittableRandom(8);
    for (UnaryOp op : UnaryOp.values()) {
      DoubleUnaryOperator ref = reference(op);
      for (int[] l : LAYOUTS) {
        int xo = l[0];
        int xs = l[1];
        int oo = l[4];
        int os = l[5];
        double[] x = values(rng, xo + N * xs + 3);
        double[] e64 = new double[N];
        double[] e32 = new double[N];
        float[] x32 = toFloat(x);
        for (int i = 0; i < N; i++) {
          e64[i] = ref.applyAsDouble(x[xo + i * xs]);
          e32[i] = (float) ref.applyAsDouble(x32[xo + i * xs]);
        }
        String what = op + " xo=" + xo + " xs=" + xs + " oo=" + oo + " os=" + os;
        double[] o64 = guarded(oo + N * os + 3);
        UnaryRowsF64.apply(op, x, xo, xs, o64, oo, os, N);
        checkRow(what + " float64", e64, o64, oo, os);
        float[] o32 = toFloat(guarded(oo + N * os + 3));
        UnaryRowsF32.apply(op, x32, xo, xs, o32, oo, os, N);
        checkRow(what + " float32", e32, toDouble(o32), oo, os);
        if (xo == oo && xs == os) {
          // In place: the output is the input.
          double[] in = x.clone();
          UnaryRowsF64.apply(op, in, xo, xs, in, oo, os, N);
          float[] in32 = x32.clone();
          UnaryRowsF32.apply(op, in32, xo, xs, in32, oo, os, N);
          for (int i = 0; i < N; i++) {
            assertEquals(e64[i], in[oo + i * os], what + " in place, float64, element " + i);
            assertEquals(e32[i], in32[oo + i * os], what + " in place, float32, element " + i);
          }
        }
      }
    }
  }

  // ------------------------------------------------------------------ binary

  private static DoubleBinaryOperator reference(BinaryOp op) {
    switch (op) {
      case ADD:
        return (x, y) -> x + y;
      case SUB:
        return (x, y) -> x - y;
      case MUL:
        return (x, y) -> x * y;
      case DIV:
        return (x, y) -> x / y;
      case POW:
        return Math::pow;
      case MAX:
        // NaN wins; +0 is larger than -0.
        return (x, y) -> x != x || y != y ? Double.NaN : x > y ? x : y > x ? y : 1 / x > 0 ? x : y;
      case MIN:
        return (x, y) -> x != x || y != y ? Double.NaN : x < y ? x : y < x ? y : 1 / x < 0 ? x : y;
      case EQ:
        return (x, y) -> x == y ? 1 : 0;
      case NE:
        return (x, y) -> x != y ? 1 : 0;
      case LT:
        return (x, y) -> x < y ? 1 : 0;
      case LE:
        return (x, y) -> x <= y ? 1 : 0;
      case GT:
        return (x, y) -> x > y ? 1 : 0;
      case GE:
        return (x, y) -> x >= y ? 1 : 0;
      default:
        throw new AssertionError("no reference for " + op);
    }
  }

  @Test
  void binaryRows_everyOpAndLayout_matchNaiveFormula_inBothDtypes() {
    SplittableRandom rng = new SplittableRandom(88);
    for (BinaryOp op : BinaryOp.values()) {
      DoubleBinaryOperator ref = reference(op);
      for (int[] l : LAYOUTS) {
        int ao = l[0];
        int as = l[1];
        int bo = l[2];
        int bs = l[3];
        int oo = l[4];
        int os = l[5];
        double[] a = values(rng, ao + N * as + 3);
        double[] b = values(rng, bo + N * bs + 3);
        float[] a32 = toFloat(a);
        float[] b32 = toFloat(b);
        double[] e64 = new double[N];
        double[] e32 = new double[N];
        for (int i = 0; i < N; i++) {
          e64[i] = ref.applyAsDouble(a[ao + i * as], b[bo + i * bs]);
          e32[i] = (float) ref.applyAsDouble(a32[ao + i * as], b32[bo + i * bs]);
        }
        String what = op + " layout " + Arrays.toString(l);
        double[] o64 = guarded(oo + N * os + 3);
        BinaryRowsF64.apply(op, a, ao, as, b, bo, bs, o64, oo, os, N);
        checkRow(what + " float64", e64, o64, oo, os);
        float[] o32 = toFloat(guarded(oo + N * os + 3));
        BinaryRowsF32.apply(op, a32, ao, as, b32, bo, bs, o32, oo, os, N);
        checkRow(what + " float32", e32, toDouble(o32), oo, os);
        if (ao == oo && as == os) {
          // In place (an optimiser's update): the output is the first operand.
          double[] in = a.clone();
          BinaryRowsF64.apply(op, in, ao, as, b, bo, bs, in, oo, os, N);
          float[] in32 = a32.clone();
          BinaryRowsF32.apply(op, in32, ao, as, b32, bo, bs, in32, oo, os, N);
          for (int i = 0; i < N; i++) {
            assertEquals(e64[i], in[oo + i * os], what + " in place, float64, element " + i);
            assertEquals(e32[i], in32[oo + i * os], what + " in place, float32, element " + i);
          }
        }
      }
    }
  }

  @Test
  void where_picksA_whereConditionIsNonZero_anyStrides() {
    SplittableRandom rng = new SplittableRandom(3);
    double[] c = values(rng, 2 * N + 1);
    c[0] = Double.NaN; // NaN != 0: picks a
    c[2] = -0.0; // -0 == 0: picks b
    double[] a = values(rng, N + 1);
    double[] b = {7.5};
    double[] o = guarded(3 * N + 1);
    BinaryRowsF64.where(c, 0, 2, a, 1, 1, b, 0, 0, o, 1, 3, N);
    float[] o32 = toFloat(guarded(3 * N + 1));
    BinaryRowsF32.where(toFloat(c), 0, 2, toFloat(a), 1, 1, toFloat(b), 0, 0, o32, 1, 3, N);
    double[] e = new double[N];
    double[] e32 = new double[N];
    for (int i = 0; i < N; i++) {
      e[i] = c[2 * i] != 0 ? a[1 + i] : 7.5;
      e32[i] = (float) e[i];
    }
    checkRow("where float64", e, o, 1, 3);
    checkRow("where float32", e32, toDouble(o32), 1, 3);
    assertEquals(a[1], o[1]);
    assertEquals(7.5, o[1 + 3 * 1]);
  }

  @Test
  void axpy_addsAlphaTimesX_inTheElementType() {
    double[] x = {1, 2, 3, 4, 5};
    double[] o = {10, 20, 30, 40, 50};
    BinaryRowsF64.axpy(0.5, x, 1, o, 2, 3);
    assertArrayEquals(new double[] {10, 20, 31, 41.5, 52}, o);
    float[] x32 = {1, 2, 3, 4, 5};
    float[] o32 = {10, 20, 30, 40, 50};
    BinaryRowsF32.axpy(0.1f, x32, 0, o32, 0, 5);
    for (int i = 0; i < 5; i++) {
      float expected = (10f * (i + 1)) + 0.1f * x32[i];
      assertEquals(expected, o32[i], "float32 element " + i);
    }
  }

  // ------------------------------------------------------------------ conversions

  @Test
  void convertRows_everyDtypePair_unitAndStrided() {
    double[] v = {0.0, -0.0, 1.5, -1.5, 2.5e9, -7, Double.NaN, 1e30, 3.25};
    for (int[] l : new int[][] {{0, 1, 0, 1}, {1, 2, 2, 3}}) {
      int xo = l[0];
      int xs = l[1];
      int oo = l[2];
      int os = l[3];
      int n = 4;
      double[] x = new double[xo + n * xs];
      for (int i = 0; i < n; i++) {
        x[xo + i * xs] = v[(i * 3 + xo) % v.length];
      }
      float[] xf = toFloat(x);
      long[] xl = new long[x.length];
      for (int i = 0; i < x.length; i++) {
        xl[i] = (long) x[i];
      }
      double[] od = new double[oo + n * os];
      float[] of = new float[oo + n * os];
      long[] ol = new long[oo + n * os];
      String what = " layout " + Arrays.toString(l);
      ConvertRowsF64.fromOtherFloat(xf, xo, xs, od, oo, os, n);
      for (int i = 0; i < n; i++) {
        assertEquals((double) xf[xo + i * xs], od[oo + i * os], "float32 -> float64" + what);
      }
      ConvertRowsF32.fromOtherFloat(x, xo, xs, of, oo, os, n);
      for (int i = 0; i < n; i++) {
        assertEquals((float) x[xo + i * xs], of[oo + i * os], "float64 -> float32" + what);
      }
      ConvertRowsF64.fromInt64(xl, xo, xs, od, oo, os, n);
      for (int i = 0; i < n; i++) {
        assertEquals((double) xl[xo + i * xs], od[oo + i * os], "int64 -> float64" + what);
      }
      ConvertRowsF32.fromInt64(xl, xo, xs, of, oo, os, n);
      for (int i = 0; i < n; i++) {
        assertEquals((float) xl[xo + i * xs], of[oo + i * os], "int64 -> float32" + what);
      }
      ConvertRowsF64.toInt64(x, xo, xs, ol, oo, os, n);
      for (int i = 0; i < n; i++) {
        assertEquals((long) x[xo + i * xs], ol[oo + i * os], "float64 -> int64" + what);
      }
      ConvertRowsF32.toInt64(xf, xo, xs, ol, oo, os, n);
      for (int i = 0; i < n; i++) {
        assertEquals((long) xf[xo + i * xs], ol[oo + i * os], "float32 -> int64" + what);
      }
      long[] cl = new long[oo + n * os];
      ConvertRowsF64.copyInt64(xl, xo, xs, cl, oo, os, n);
      for (int i = 0; i < n; i++) {
        assertEquals(xl[xo + i * xs], cl[oo + i * os], "int64 copy" + what);
      }
    }
  }

  @Test
  void convertRows_int64ToFloat32_roundsOnce_alsoWhenStrided() {
    // 2^60 + 2^36 + 1 rounds up to 2^60 + 2^37 in float32; through float64 it would first lose
    // the 1 and then round the tie to even, 2^60.
    long v = (1L << 60) + (1L << 36) + 1;
    assertEquals((float) ((1L << 60) + (1L << 37)), (float) v);
    float[] unit = new float[1];
    float[] strided = new float[3];
    ConvertRowsF32.fromInt64(new long[] {v}, 0, 1, unit, 0, 1, 1);
    ConvertRowsF32.fromInt64(new long[] {0, v, 0, v}, 1, 2, strided, 0, 2, 2);
    assertEquals((float) v, unit[0]);
    assertEquals((float) v, strided[0]);
    assertEquals((float) v, strided[2]);
  }

  // ------------------------------------------------------------------ plan

  @Test
  void stridedPlan_mergesContiguousDimensions_andGivesRowOffsets() {
    // [2, 3, 4] with a contiguous operand and one broadcast along the first dimension.
    StridedPlan p = new StridedPlan(new int[] {2, 3, 4}, new int[] {12, 4, 1}, new int[] {0, 4, 1});
    assertEquals(2, p.rows());
    assertEquals(12, p.inner());
    assertEquals(1, p.innerStride(0));
    assertEquals(1, p.innerStride(1));
    int[] offs = new int[2];
    p.rowOffsets(1, new int[] {5, 7}, offs);
    assertArrayEquals(new int[] {17, 7}, offs);
    // A transposed operand stops the merge; size-1 dimensions are dropped.
    StridedPlan t = new StridedPlan(new int[] {2, 1, 3}, new int[] {3, 3, 1}, new int[] {1, 9, 2});
    assertEquals(2, t.rows());
    assertEquals(3, t.inner());
    assertEquals(2, t.innerStride(1));
    t.rowOffsets(1, new int[] {0, 0}, offs);
    assertArrayEquals(new int[] {3, 1}, offs);
    // A scalar is one row of one element.
    StridedPlan s = new StridedPlan(new int[0], new int[0]);
    assertEquals(1, s.rows());
    assertEquals(1, s.inner());
  }
}
