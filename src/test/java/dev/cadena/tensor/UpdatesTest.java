package dev.cadena.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cadena.tensor.kernel.Parallel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fused updates against the published formulas evaluated naively on double arrays, in both
 * dtypes, on contiguous, offset, strided and transposed parameters and gradients of odd sizes;
 * and the layout does not change a single bit of the result.
 */
class UpdatesTest {
  private static final int STEPS = 4;
  private static final int[][] SIZES = {{1, 1}, {3, 7}, {5, 33}, {17, 61}};

  // ------------------------------------------------------------------ cases

  /** One update: how to call it, and its reference on row-major double arrays. */
  abstract static class Case {
    final String name;
    /** State buffer names and their initial values. */
    final String[] state;
    final double[] init;

    Case(String name, String[] state, double[] init) {
      this.name = name;
      this.state = state;
      this.init = init;
    }

    abstract void apply(NDArray p, NDArray g, NDArray[] s, long t);

    abstract void reference(double[] p, double[] g, double[][] s, long t);

    @Override
    public String toString() {
      return name;
    }
  }

  static Case sgd(String name, double lr, double mu, double tau, double wd, boolean nesterov) {
    return new Case(name, mu == 0 ? new String[0] : new String[] {"b"}, new double[] {0}) {
      @Override
      void apply(NDArray p, NDArray g, NDArray[] s, long t) {
        Updates.sgd(p, g, s.length == 0 ? null : s[0], t, lr, mu, tau, wd, nesterov);
      }

      @Override
      void reference(double[] p, double[] grad, double[][] s, long t) {
        for (int i = 0; i < p.length; i++) {
          double g = grad[i] + wd * p[i];
          if (mu != 0) {
            s[0][i] = t == 1 ? g : mu * s[0][i] + (1 - tau) * g;
            g = nesterov ? g + mu * s[0][i] : s[0][i];
          }
          p[i] = p[i] - lr * g;
        }
      }
    };
  }

  static Case adam(String name, double lr, double b1, double b2, double eps, double wd, boolean decoupled) {
    return new Case(name, new String[] {"m", "v"}, new double[] {0, 0}) {
      @Override
      void apply(NDArray p, NDArray g, NDArray[] s, long t) {
        Updates.adam(p, g, s[0], s[1], t, lr, b1, b2, eps, wd, decoupled);
      }

      @Override
      void reference(double[] p, double[] grad, double[][] s, long t) {
        double[] m = s[0];
        double[] v = s[1];
        for (int i = 0; i < p.length; i++) {
          double g = grad[i];
          if (decoupled) {
            p[i] = p[i] - lr * wd * p[i];
          } else {
            g = g + wd * p[i];
          }
          m[i] = b1 * m[i] + (1 - b1) * g;
          v[i] = b2 * v[i] + (1 - b2) * g * g;
          double mHat = m[i] / (1 - Math.pow(b1, t));
          double vHat = v[i] / (1 - Math.pow(b2, t));
          p[i] = p[i] - lr * mHat / (Math.sqrt(vHat) + eps);
        }
      }
    };
  }

  static Case rmsprop(String name, double lr, double alpha, double eps, double wd, double mu, boolean centered) {
    List<String> names = new ArrayList<>(List.of("v"));
    if (centered) {
      names.add("gBar");
    }
    if (mu > 0) {
      names.add("b");
    }
    return new Case(name, names.toArray(new String[0]), new double[] {0, 0, 0}) {
      @Override
      void apply(NDArray p, NDArray g, NDArray[] s, long t) {
        NDArray gBar = centered ? s[1] : null;
        NDArray b = mu > 0 ? s[s.length - 1] : null;
        Updates.rmsprop(p, g, s[0], gBar, b, lr, alpha, eps, wd, mu);
      }

      @Override
      void reference(double[] p, double[] grad, double[][] s, long t) {
        for (int i = 0; i < p.length; i++) {
          double g = grad[i] + wd * p[i];
          s[0][i] = alpha * s[0][i] + (1 - alpha) * g * g;
          double var = s[0][i];
          if (centered) {
            s[1][i] = alpha * s[1][i] + (1 - alpha) * g;
            var = var - s[1][i] * s[1][i];
          }
          double step = g / (Math.sqrt(var) + eps);
          if (mu > 0) {
            double[] b = s[s.length - 1];
            b[i] = mu * b[i] + step;
            step = b[i];
          }
          p[i] = p[i] - lr * step;
        }
      }
    };
  }

  static Case adagrad(String name, double lr, double lrDecay, double wd, double s0, double eps) {
    return new Case(name, new String[] {"sum"}, new double[] {s0}) {
      @Override
      void apply(NDArray p, NDArray g, NDArray[] s, long t) {
        Updates.adagrad(p, g, s[0], t, lr, lrDecay, wd, eps);
      }

      @Override
      void reference(double[] p, double[] grad, double[][] s, long t) {
        double lrT = lr / (1 + (t - 1) * lrDecay);
        for (int i = 0; i < p.length; i++) {
          double g = grad[i] + wd * p[i];
          s[0][i] = s[0][i] + g * g;
          p[i] = p[i] - lrT * g / (Math.sqrt(s[0][i]) + eps);
        }
      }
    };
  }

  static List<Case> allCases() {
    return List.of(
        sgd("sgd weight decay", 0.1, 0, 0, 0.05, false),
        sgd("sgd momentum dampening weight decay", 0.05, 0.9, 0.3, 0.01, false),
        sgd("sgd nesterov weight decay", 0.05, 0.8, 0, 0.02, true),
        adam("adam weight decay", 0.02, 0.8, 0.99, 1e-6, 0.1, false),
        adam("adamw", 0.01, 0.9, 0.999, 1e-8, 0.1, true),
        rmsprop("rmsprop", 0.01, 0.99, 1e-8, 0, 0, false),
        rmsprop("rmsprop centered", 0.01, 0.9, 1e-6, 0, 0, true),
        rmsprop("rmsprop centered momentum weight decay", 0.01, 0.9, 1e-6, 0.05, 0.5, true),
        rmsprop("rmsprop momentum", 0.01, 0.99, 1e-8, 0, 0.9, false),
        adagrad("adagrad lr decay weight decay accumulator", 0.1, 0.2, 0.05, 0.1, 1e-8));
  }

  // ------------------------------------------------------------------ layouts

  /** Where the elements of a {@code [r, c]} array sit in its storage. */
  enum Layout {
    /** Offset 0, row-major. */
    CONTIGUOUS,
    /** Row-major, starting at offset 5 of a larger storage array (a contiguous view). */
    OFFSET,
    /** Every other column of an {@code [r, 2c]} array. */
    STRIDED,
    /** The transpose of a contiguous {@code [c, r]} array. */
    TRANSPOSED
  }

  /** An {@code [r, c]} array of {@code dtype} whose row-major elements are {@code v}. */
  static NDArray make(Layout layout, DType dtype, double[] v, int r, int c) {
    switch (layout) {
      case CONTIGUOUS:
        return wrap(dtype, v.clone(), r, c);
      case OFFSET: {
        double[] s = new double[v.length + 9];
        Arrays.fill(s, Double.NaN); // any read outside the view shows up
        System.arraycopy(v, 0, s, 5, v.length);
        return wrap(dtype, s, s.length).slice(0, 5, 5 + v.length, 1).reshape(r, c);
      }
      case STRIDED: {
        double[] s = new double[2 * v.length];
        Arrays.fill(s, Double.NaN);
        for (int i = 0; i < v.length; i++) {
          s[2 * i] = v[i];
        }
        return wrap(dtype, s, r, 2 * c).slice(1, 0, 2 * c, 2);
      }
      default: {
        double[] s = new double[v.length];
        for (int i = 0; i < r; i++) {
          for (int j = 0; j < c; j++) {
            s[j * r + i] = v[i * c + j];
          }
        }
        return wrap(dtype, s, c, r).permute(1, 0);
      }
    }
  }

  private static NDArray wrap(DType dtype, double[] s, int... shape) {
    if (dtype == DType.FLOAT64) {
      return NDArray.wrap(s, shape);
    }
    float[] f = new float[s.length];
    for (int i = 0; i < s.length; i++) {
      f[i] = (float) s[i];
    }
    return NDArray.wrap(f, shape);
  }

  /** Random values exactly representable in {@code dtype}, so that the reference sees the same. */
  private static double[] random(SplittableRandom rng, DType dtype, int n, double lo, double hi) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      double x = rng.nextDouble(lo, hi);
      v[i] = dtype == DType.FLOAT32 ? (float) x : x;
    }
    return v;
  }

  /** The final parameter and state of {@link #STEPS} updates, each row-major. */
  private static double[][] run(Case c, DType dtype, Layout pl, Layout gl, int r, int cols, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int n = r * cols;
    NDArray p = make(pl, dtype, random(rng, dtype, n, -2, 2), r, cols);
    NDArray[] s = new NDArray[c.state.length];
    for (int k = 0; k < s.length; k++) {
      s[k] = NDArray.full(dtype, c.init[k], r, cols);
    }
    for (int t = 1; t <= STEPS; t++) {
      double[] gv = random(rng, dtype, n, -1, 1);
      NDArray g = make(gl, dtype, gv, r, cols);
      c.apply(p, g, s, t);
      assertArrayEquals(gv, g.toDoubleArray(), 0, "the gradient is not written");
    }
    double[][] out = new double[1 + s.length][];
    out[0] = p.toDoubleArray();
    for (int k = 0; k < s.length; k++) {
      out[1 + k] = s[k].toDoubleArray();
    }
    return out;
  }

  /**
   * The reference's final parameter and state after {@link #STEPS} updates of {@code n} elements,
   * from the values {@link #run} draws with the same seed.
   */
  private static double[][] reference(Case c, DType dtype, int n, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[] p = random(rng, dtype, n, -2, 2);
    double[][] s = new double[c.state.length][n];
    for (int k = 0; k < s.length; k++) {
      Arrays.fill(s[k], c.init[k]);
    }
    for (int t = 1; t <= STEPS; t++) {
      c.reference(p, random(rng, dtype, n, -1, 1), s, t);
    }
    double[][] out = new double[1 + s.length][];
    out[0] = p;
    System.arraycopy(s, 0, out, 1, s.length);
    return out;
  }

  static Stream<Arguments> casesAndDtypes() {
    List<Arguments> out = new ArrayList<>();
    for (Case c : allCases()) {
      out.add(Arguments.of(c, DType.FLOAT64));
      out.add(Arguments.of(c, DType.FLOAT32));
    }
    return out.stream();
  }

  // ------------------------------------------------------------------ tests

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("casesAndDtypes")
  void testUpdate_matchesReference(Case c, DType dtype) {
    // float64 runs the reference's arithmetic. float32 rounds every operation to 24 bits; the
    // largest terms are RMSprop's first steps, g / sqrt((1 - alpha) g^2) = +-10 for alpha = 0.99,
    // which the momentum buffer adds up with alternating signs, so its error is a few ulps of 10
    // (1e-6 each), not of the result.
    double tol = dtype == DType.FLOAT64 ? 1e-13 : 2e-5;
    for (int[] size : SIZES) {
      int r = size[0];
      int cols = size[1];
      double[][] want = reference(c, dtype, r * cols, 42);
      double[][] got = run(c, dtype, Layout.CONTIGUOUS, Layout.CONTIGUOUS, r, cols, 42);
      String what = c + " " + dtype + " [" + r + ", " + cols + "]";
      assertClose(what + " parameter", want[0], got[0], tol);
      for (int k = 0; k < c.state.length; k++) {
        assertClose(what + " " + c.state[k], want[1 + k], got[1 + k], tol);
      }
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("casesAndDtypes")
  void testUpdate_anyLayout_sameBitsAsContiguous(Case c, DType dtype) {
    for (int[] size : SIZES) {
      double[][] expected = run(c, dtype, Layout.CONTIGUOUS, Layout.CONTIGUOUS, size[0], size[1], 7);
      for (Layout pl : Layout.values()) {
        for (Layout gl : Layout.values()) {
          double[][] got = run(c, dtype, pl, gl, size[0], size[1], 7);
          for (int k = 0; k < expected.length; k++) {
            assertArrayEquals(expected[k], got[k], 0,
                c + " " + dtype + " " + Arrays.toString(size) + " parameter " + pl + ", gradient "
                    + gl + ", array " + k);
          }
        }
      }
    }
  }

  /**
   * A parameter large enough to be split across threads ({@code [211, 307]}, 64,777 elements, in
   * four chunks or more): the same bits on two threads as on one, at an offset and with a
   * transposed gradient, and the reference's values.
   */
  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("casesAndDtypes")
  void testUpdate_splitAcrossThreads_sameBitsAsOneThread(Case c, DType dtype) {
    int r = 211;
    int cols = 307;
    int before = Parallel.threads();
    try {
      for (Layout[] l : new Layout[][] {{Layout.CONTIGUOUS, Layout.CONTIGUOUS},
          {Layout.OFFSET, Layout.OFFSET}, {Layout.OFFSET, Layout.TRANSPOSED}}) {
        Parallel.setThreads(1);
        double[][] one = run(c, dtype, l[0], l[1], r, cols, 3);
        Parallel.setThreads(2);
        double[][] two = run(c, dtype, l[0], l[1], r, cols, 3);
        for (int k = 0; k < one.length; k++) {
          assertArrayEquals(one[k], two[k], 0,
              c + " " + dtype + " parameter " + l[0] + ", gradient " + l[1] + ", array " + k);
        }
      }
      double[][] got = run(c, dtype, Layout.CONTIGUOUS, Layout.CONTIGUOUS, r, cols, 3);
      double tol = dtype == DType.FLOAT64 ? 1e-13 : 2e-5;
      assertClose(c + " " + dtype + " two threads, parameter", reference(c, dtype, r * cols, 3)[0],
          got[0], tol);
    } finally {
      Parallel.setThreads(before);
    }
  }

  private static void assertClose(String what, double[] expected, double[] actual, double tol) {
    assertEquals(expected.length, actual.length, what + ": length");
    for (int i = 0; i < expected.length; i++) {
      if (!(Math.abs(expected[i] - actual[i]) <= tol * Math.max(1, Math.abs(expected[i])))) {
        fail(what + ", element " + i + ": expected " + expected[i] + ", got " + actual[i]);
      }
    }
  }

  @Test
  void testSgd_float32_isFloatArithmetic() {
    // p - lr * (g + wd * p) with every operation rounded to float, as PyTorch's float32 step.
    float p = 1.1f;
    float g = 0.3f;
    float lr = 0.1f;
    float wd = 0.01f;
    NDArray a = NDArray.wrap(new float[] {p}, 1);
    Updates.sgd(a, NDArray.wrap(new float[] {g}, 1), null, 1, 0.1, 0, 0, 0.01, false);
    assertEquals(p - lr * (g + wd * p), (float) a.getFlat(0));
  }

  @Test
  void testUpdate_bumpsVersionsOfParameterAndState() {
    NDArray p = NDArray.wrap(new double[] {1, 2, 3}, 3);
    NDArray g = NDArray.wrap(new double[] {0.5, 0.5, 0.5}, 3);
    NDArray m = NDArray.zeros(DType.FLOAT64, 3);
    NDArray v = NDArray.zeros(DType.FLOAT64, 3);
    NDArray view = p.slice(0, 1, 3, 1);
    int pv = p.version();
    int gv = g.version();
    Updates.adam(p, g, m, v, 1, 0.1, 0.9, 0.999, 1e-8, 0, false);
    assertEquals(pv + 1, p.version());
    assertEquals(pv + 1, view.version(), "views share the counter");
    assertEquals(gv, g.version(), "the gradient is only read");
    assertEquals(1, m.version());
    assertEquals(1, v.version());

    NDArray base = NDArray.wrap(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
    int bv = base.version();
    Updates.sgd(base.permute(1, 0), NDArray.full(DType.FLOAT32, 1, 3, 2), null, 1, 0.5, 0, 0, 0, false);
    assertTrue(base.version() > bv, "a strided parameter's storage is written and bumped");
    assertArrayEquals(new double[] {0.5, 1.5, 2.5, 3.5, 4.5, 5.5}, base.toDoubleArray(), 0);
  }

  @Test
  void testUpdate_float32State_noFloat64Anywhere() {
    NDArray p = NDArray.wrap(new float[] {1, -1}, 2);
    NDArray s = NDArray.full(DType.FLOAT32, 0.1, 2);
    Updates.adagrad(p, NDArray.wrap(new float[] {0.5f, 0.25f}, 2), s, 1, 0.1, 0, 0, 1e-10);
    assertEquals(DType.FLOAT32, p.dtype());
    assertArrayEquals(new float[] {0.1f + 0.25f, 0.1f + 0.0625f}, s.toFloatArray());
    DTypeException e = assertThrows(DTypeException.class,
        () -> Updates.adagrad(p, p, NDArray.zeros(DType.FLOAT64, 2), 1, 0.1, 0, 0, 1e-10));
    assertEquals("adagrad_: sum must have the parameter's dtype float32, got float64", e.getMessage());
  }

  @Test
  void testUpdate_gradientOfOtherDtype_isConverted() {
    double[] gv = {0.1, -0.7, 1.3};
    NDArray a = NDArray.wrap(new float[] {1, 2, 3}, 3);
    NDArray b = NDArray.wrap(new float[] {1, 2, 3}, 3);
    Updates.sgd(a, NDArray.wrap(gv, 3), null, 1, 0.1, 0, 0, 0, false);
    Updates.sgd(b, NDArray.wrap(gv, 3).astype(DType.FLOAT32), null, 1, 0.1, 0, 0, 0, false);
    assertArrayEquals(b.toFloatArray(), a.toFloatArray());
  }

  @Test
  void testUpdate_gradientSharingParameterStorage_readsOldValues() {
    // grad is the parameter shifted by one element, in the same storage: every element must see
    // the gradient as it was before the step.
    double[] s = {1, 2, 3, 4, 5};
    NDArray all = NDArray.wrap(s, 5);
    NDArray p = all.slice(0, 0, 4, 1);
    NDArray g = all.slice(0, 1, 5, 1);
    Updates.sgd(p, g, null, 1, 1, 0, 0, 0, false);
    assertArrayEquals(new double[] {1 - 2, 2 - 3, 3 - 4, 4 - 5, 5}, all.toDoubleArray(), 0);
  }

  @Test
  void testUpdate_badArguments_namedErrors_stateUntouched() {
    NDArray p = NDArray.zeros(DType.FLOAT64, 2, 3);
    NDArray g = NDArray.zeros(DType.FLOAT64, 2, 3);
    NDArray b = NDArray.zeros(DType.FLOAT64, 2, 3);
    expect(ShapeException.class, "sgd_: gradient shape [3, 2] does not match parameter shape [2, 3]",
        () -> Updates.sgd(p, NDArray.zeros(DType.FLOAT64, 3, 2), b, 1, 0.1, 0.9, 0, 0, false));
    expect(ShapeException.class, "adam_: expAvgSq shape [6] does not match parameter shape [2, 3]",
        () -> Updates.adam(p, g, b, NDArray.zeros(DType.FLOAT64, 6), 1, 0.1, 0.9, 0.9, 1e-8, 0, false));
    expect(ShapeException.class, "rmsprop_: squareAvg must be contiguous, got strides [1, 2] for shape [2, 3]",
        () -> Updates.rmsprop(p, g, NDArray.zeros(DType.FLOAT64, 3, 2).permute(1, 0), null, null,
            0.1, 0.9, 1e-8, 0, 0));
    expect(NullPointerException.class, "sgd_: momentumBuffer is null",
        () -> Updates.sgd(p, g, null, 1, 0.1, 0.9, 0, 0, false));
    expect(NullPointerException.class, "adamw_: grad is null",
        () -> Updates.adam(p, null, b, b, 1, 0.1, 0.9, 0.9, 1e-8, 0, true));
    expect(IllegalArgumentException.class, "adagrad_: step must be >= 1, got 0",
        () -> Updates.adagrad(p, g, b, 0, 0.1, 0, 0, 1e-10));
    NDArray ints = NDArray.zeros(DType.INT64, 2, 3);
    expect(DTypeException.class, "sgd_: parameter and gradient must be float32 or float64, got int64 and float64",
        () -> Updates.sgd(ints, g, null, 1, 0.1, 0, 0, 0, false));

    // A broadcast parameter is rejected before its momentum buffer changes.
    NDArray one = NDArray.wrap(new double[] {1}, 1, 1).expand(2, 3);
    NDArray ones = NDArray.full(DType.FLOAT64, 1, 2, 3);
    ShapeException e = assertThrows(ShapeException.class,
        () -> Updates.sgd(one, ones, b, 1, 0.1, 0.9, 0, 0, false));
    assertTrue(e.getMessage().startsWith("sgd_: cannot update a broadcast view in place (shape [2, 3]"),
        e.getMessage());
    assertArrayEquals(new double[6], b.toDoubleArray(), 0);
    assertEquals(0, b.version());
  }

  private static void expect(Class<? extends RuntimeException> type, String message, Runnable call) {
    RuntimeException e = assertThrows(type, call::run);
    assertEquals(message, e.getMessage());
  }

  // ------------------------------------------------------------------ sums of squares

  @Test
  void testSumOfSquares_everyDtypeAndLayout() {
    double[] v = {3, -4, 0.5, 12, -1, 2};
    double expected = 9 + 16 + 0.25 + 144 + 1 + 4;
    for (DType dtype : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
      for (Layout layout : Layout.values()) {
        assertEquals(expected, Updates.sumOfSquares(make(layout, dtype, v, 2, 3)), 0, dtype + " " + layout);
      }
    }
    assertEquals(1 + 4 + 9, Updates.sumOfSquares(NDArray.wrap(new long[] {1, -2, 3}, 3)), 0);
    assertEquals(0, Updates.sumOfSquares(NDArray.zeros(DType.FLOAT32, 0, 4)), 0);
    assertEquals(8, Updates.sumOfSquares(NDArray.scalar(DType.FLOAT64, 2).expand(2)), 0,
        "a broadcast view counts every element");
    // float32 squares are summed in float64: 1e20^2 overflows a float, not a double.
    double big = 1e20f;
    assertEquals(2 * big * big, Updates.sumOfSquares(NDArray.wrap(new float[] {1e20f, 1e20f}, 2)), 0);
  }

  @Test
  void testSumOfSquaredDifferences_matchesNaiveSum() {
    SplittableRandom rng = new SplittableRandom(3);
    for (DType dtype : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
      double[] a = random(rng, dtype, 35, -2, 2);
      double[] b = random(rng, DType.FLOAT64, 35, -2, 2);
      double expected = 0;
      for (int i = 0; i < a.length; i++) {
        expected += (a[i] - b[i]) * (a[i] - b[i]);
      }
      for (Layout layout : Layout.values()) {
        double got = Updates.sumOfSquaredDifferences(make(layout, dtype, a, 5, 7),
            make(layout, DType.FLOAT64, b, 5, 7));
        assertEquals(expected, got, 0, dtype + " " + layout);
      }
    }
    ShapeException e = assertThrows(ShapeException.class, () -> Updates.sumOfSquaredDifferences(
        NDArray.zeros(DType.FLOAT64, 2), NDArray.zeros(DType.FLOAT64, 3)));
    assertEquals("sumOfSquaredDifferences: shapes differ: [2] and [3]", e.getMessage());
    assertFalse(Double.isNaN(Updates.sumOfSquaredDifferences(
        NDArray.wrap(new long[] {1, 2}, 2), NDArray.wrap(new double[] {0, 0}, 2))));
  }
}
