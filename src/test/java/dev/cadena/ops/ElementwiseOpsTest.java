package dev.cadena.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.RefArray;
import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BinaryOperator;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Forward values (against java.lang.Math on plain arrays) and derivatives of elementwise ops. */
class ElementwiseOpsTest {
  private static final double TOL = 1e-14;

  private static Tensor random(long seed, double lo, double hi, int... shape) {
    return Tensor.uniform(new SplittableRandom(seed), lo, hi, DType.FLOAT64, shape);
  }

  private static void checkUnary(UnaryOperator<Tensor> op, DoubleUnaryOperator ref, double lo, double hi) {
    Tensor x = random(17, lo, hi, 3, 4);
    RefArray.of(x).map(ref).assertClose(op.apply(x), TOL);
    // Also on a non-contiguous view (a transpose).
    Tensor xt = x.transpose(0, 1);
    RefArray.of(xt).map(ref).assertClose(op.apply(xt), TOL);
    // And on a 0-d tensor.
    Tensor s = Tensor.scalar(x.get(0, 0));
    RefArray.of(s).map(ref).assertClose(op.apply(s), TOL);
  }

  @Test
  void unary_forwardMatchesMath() {
    checkUnary(Tensor::neg, v -> -v, -3, 3);
    checkUnary(Tensor::exp, Math::exp, -3, 3);
    checkUnary(Tensor::log, Math::log, 0.1, 5);
    checkUnary(Tensor::sqrt, Math::sqrt, 0, 5);
    checkUnary(Tensor::abs, Math::abs, -3, 3);
    checkUnary(Tensor::sin, Math::sin, -4, 4);
    checkUnary(Tensor::cos, Math::cos, -4, 4);
    checkUnary(Tensor::tanh, Math::tanh, -4, 4);
    checkUnary(Tensor::sigmoid, v -> 1 / (1 + Math.exp(-v)), -6, 6);
    checkUnary(Tensor::relu, v -> v > 0 ? v : 0, -3, 3);
    checkUnary(Tensor::square, v -> v * v, -3, 3);
    checkUnary(Tensor::reciprocal, v -> 1 / v, 0.5, 3);
    checkUnary(t -> t.pow(3.0), v -> v * v * v, -2, 2);
    checkUnary(t -> t.pow(0.5), Math::sqrt, 0.1, 4);
    checkUnary(t -> t.clamp(-0.5, 1.0), v -> Math.min(Math.max(v, -0.5), 1.0), -2, 2);
    checkUnary(t -> t.clampMin(0.25), v -> Math.max(v, 0.25), -2, 2);
    checkUnary(t -> t.clampMax(0.25), v -> Math.min(v, 0.25), -2, 2);
    checkUnary(t -> t.add(2.5), v -> v + 2.5, -2, 2);
    checkUnary(t -> t.sub(2.5), v -> v - 2.5, -2, 2);
    checkUnary(t -> t.rsub(2.5), v -> 2.5 - v, -2, 2);
    checkUnary(t -> t.mul(-1.5), v -> v * -1.5, -2, 2);
    checkUnary(t -> t.div(4.0), v -> v / 4.0, -2, 2);
    checkUnary(Tensor::sign, Math::signum, -2, 2);
  }

  @Test
  void sigmoid_isStableForLargeInputs() {
    double[] s = Tensor.of(-1000.0, -40.0, 0.0, 40.0, 1000.0).sigmoid().toDoubleArray();
    assertEquals(0.0, s[0]);
    assertEquals(Math.exp(-40) / (1 + Math.exp(-40)), s[1], 1e-30);
    assertEquals(0.5, s[2]);
    assertEquals(1.0, s[4]);
    for (double v : s) {
      assertFalse(Double.isNaN(v));
    }
  }

  private static void checkBinary(BinaryOperator<Tensor> op, DoubleBinaryOperator ref, double lo, double hi) {
    int[][][] pairs = {
      {{2, 3}, {2, 3}}, {{4, 3}, {3}}, {{3, 1}, {1, 4}}, {{}, {2, 2}}, {{2, 1, 3}, {4, 1}}, {{5}, {}}
    };
    long seed = 1;
    for (int[][] p : pairs) {
      Tensor a = random(seed++, lo, hi, p[0]);
      Tensor b = random(seed++, lo, hi, p[1]);
      RefArray.zip(RefArray.of(a), RefArray.of(b), ref).assertClose(op.apply(a, b), TOL);
    }
  }

  @Test
  void binary_forwardMatchesMath_withBroadcasting() {
    checkBinary(Tensor::add, Double::sum, -3, 3);
    checkBinary(Tensor::sub, (x, y) -> x - y, -3, 3);
    checkBinary(Tensor::mul, (x, y) -> x * y, -3, 3);
    checkBinary(Tensor::div, (x, y) -> x / y, 0.5, 3);
    checkBinary(Tensor::pow, Math::pow, 0.5, 2);
    checkBinary(Tensor::maximum, Math::max, -3, 3);
    checkBinary(Tensor::minimum, Math::min, -3, 3);
  }

  @Test
  void comparisons_areMasksWithoutGradient() {
    Tensor a = Tensor.of(1.0, 2.0, 3.0).requiresGrad(true);
    Tensor b = Tensor.of(2.0, 2.0, 2.0);
    assertArrayEquals(new double[] {0, 1, 0}, a.eq(b).toDoubleArray());
    assertArrayEquals(new double[] {1, 0, 1}, a.ne(b).toDoubleArray());
    assertArrayEquals(new double[] {1, 0, 0}, a.lt(b).toDoubleArray());
    assertArrayEquals(new double[] {1, 1, 0}, a.le(b).toDoubleArray());
    assertArrayEquals(new double[] {0, 0, 1}, a.gt(b).toDoubleArray());
    assertArrayEquals(new double[] {0, 1, 1}, a.ge(b).toDoubleArray());
    assertArrayEquals(new double[] {0, 0, 1}, a.gt(2.0).toDoubleArray());
    assertArrayEquals(new double[] {1, 0, 0}, a.lt(Tensor.of(new double[][] {{2}})).reshape(3).toDoubleArray());
    for (Tensor m : List.of(a.eq(b), a.ne(b), a.lt(b), a.le(b), a.gt(b), a.ge(b), a.sign())) {
      assertFalse(m.requiresGrad(), "a mask carries no gradient");
    }
    // Using a mask in a product: only the values path is differentiated.
    a.mul(a.gt(1.5)).sum().backward();
    assertArrayEquals(new double[] {0, 1, 1}, a.grad().toDoubleArray());
  }

  @Test
  void where_selectsAndRoutesGradient_maskGetsNone() {
    Tensor x = Tensor.of(-1.0, 2.0, -3.0, 4.0).requiresGrad(true);
    Tensor y = Tensor.of(10.0, 20.0, 30.0, 40.0).requiresGrad(true);
    Tensor cond = x.gt(0.0);
    Tensor r = Tensor.where(cond, x, y);
    assertArrayEquals(new double[] {10, 2, 30, 4}, r.toDoubleArray());
    r.mul(Tensor.of(1.0, 2.0, 3.0, 4.0)).sum().backward();
    assertArrayEquals(new double[] {0, 2, 0, 4}, x.grad().toDoubleArray());
    assertArrayEquals(new double[] {1, 0, 3, 0}, y.grad().toDoubleArray());
    assertNull(cond.grad());
    // Broadcasting: a column condition against a row of values.
    Tensor c2 = Tensor.of(new double[][] {{1}, {0}});
    Tensor w = Tensor.where(c2, Tensor.of(1.0, 2.0, 3.0), Tensor.scalar(-1.0));
    assertArrayEquals(new int[] {2, 3}, w.shape());
    assertArrayEquals(new double[] {1, 2, 3, -1, -1, -1}, w.toDoubleArray());
  }

  // ------------------------------------------------------------------ derivatives by hand

  private static double[] gradOf(UnaryOperator<Tensor> f, double... xs) {
    Tensor x = Tensor.of(xs).requiresGrad(true);
    f.apply(x).sum().backward();
    return x.grad().toDoubleArray();
  }

  @Test
  void unary_derivativesMatchCalculus() {
    double[] xs = {-1.3, -0.2, 0.4, 1.7};
    assertArrayEquals(map(xs, Math::exp), gradOf(Tensor::exp, xs), TOL);
    assertArrayEquals(map(xs, Math::cos), gradOf(Tensor::sin, xs), TOL);
    assertArrayEquals(map(xs, v -> -Math.sin(v)), gradOf(Tensor::cos, xs), TOL);
    assertArrayEquals(map(xs, v -> 1 - Math.tanh(v) * Math.tanh(v)), gradOf(Tensor::tanh, xs), TOL);
    assertArrayEquals(map(xs, v -> Math.exp(-v) / Math.pow(1 + Math.exp(-v), 2)), gradOf(Tensor::sigmoid, xs), TOL);
    assertArrayEquals(map(xs, v -> v > 0 ? 1 : 0), gradOf(Tensor::relu, xs), TOL);
    assertArrayEquals(map(xs, Math::signum), gradOf(Tensor::abs, xs), TOL);
    assertArrayEquals(map(xs, v -> -1), gradOf(Tensor::neg, xs), TOL);
    assertArrayEquals(map(xs, v -> 3 * v * v), gradOf(t -> t.pow(3.0), xs), TOL);
    double[] pos = {0.3, 1.0, 2.5};
    assertArrayEquals(map(pos, v -> 1 / v), gradOf(Tensor::log, pos), TOL);
    assertArrayEquals(map(pos, v -> 0.5 / Math.sqrt(v)), gradOf(Tensor::sqrt, pos), TOL);
    assertArrayEquals(map(pos, v -> -1 / (v * v)), gradOf(Tensor::reciprocal, pos), TOL);
    assertArrayEquals(new double[] {0, 1, 0}, gradOf(t -> t.clamp(-1, 1), -2, 0.5, 2), TOL);
  }

  @Test
  void derivativesAtKinks_followTheConvention() {
    assertArrayEquals(new double[] {0}, gradOf(Tensor::relu, 0.0), "relu'(0) = 0");
    assertArrayEquals(new double[] {0}, gradOf(Tensor::abs, 0.0), "|x|'(0) = 0");
    Tensor a = Tensor.of(1.0, 2.0, 3.0).requiresGrad(true);
    Tensor b = Tensor.of(1.0, 1.0, 4.0).requiresGrad(true);
    a.maximum(b).sum().backward();
    assertArrayEquals(new double[] {0.5, 1, 0}, a.grad().toDoubleArray(), "ties share the gradient");
    assertArrayEquals(new double[] {0.5, 0, 1}, b.grad().toDoubleArray());
  }

  @Test
  void binary_derivativesMatchCalculus() {
    Tensor a = Tensor.of(0.5, 1.5, 2.0).requiresGrad(true);
    Tensor b = Tensor.of(2.0, 0.5, 3.0).requiresGrad(true);
    a.div(b).sum().backward();
    for (int i = 0; i < 3; i++) {
      double x = a.get(i);
      double y = b.get(i);
      assertEquals(1 / y, a.grad().get(i), TOL);
      assertEquals(-x / (y * y), b.grad().get(i), TOL);
    }
    a.zeroGrad();
    b.zeroGrad();
    a.pow(b).sum().backward();
    for (int i = 0; i < 3; i++) {
      double x = a.get(i);
      double y = b.get(i);
      assertEquals(y * Math.pow(x, y - 1), a.grad().get(i), 1e-13);
      assertEquals(Math.pow(x, y) * Math.log(x), b.grad().get(i), 1e-13);
    }
    a.zeroGrad();
    b.zeroGrad();
    a.sub(b).sum().backward();
    assertArrayEquals(new double[] {1, 1, 1}, a.grad().toDoubleArray());
    assertArrayEquals(new double[] {-1, -1, -1}, b.grad().toDoubleArray());
    a.zeroGrad();
    b.zeroGrad();
    a.minimum(b).sum().backward();
    // Delta 0: equal values, but a zero gradient may come back as -0 through minimum's negations.
    assertArrayEquals(new double[] {1, 0, 1}, a.grad().toDoubleArray(), 0.0);
    assertArrayEquals(new double[] {0, 1, 0}, b.grad().toDoubleArray(), 0.0);
  }

  @Test
  void cast_float32RoundTrip_keepsGradientDtype() {
    Tensor x = Tensor.of(1.0, 2.0).requiresGrad(true);
    Tensor y = x.to(DType.FLOAT32);
    assertEquals(DType.FLOAT32, y.dtype());
    assertEquals("to", y.gradFn().name());
    y.mul(3.0).sum().backward();
    assertEquals(DType.FLOAT64, x.grad().dtype());
    assertArrayEquals(new double[] {3, 3}, x.grad().toDoubleArray());
    Tensor f = Tensor.of(1f, 2f).requiresGrad(true);
    f.mul(Tensor.of(0.5, 0.25)).sum().backward();
    assertEquals(DType.FLOAT32, f.grad().dtype(), "a float32 leaf gets a float32 gradient");
    assertArrayEquals(new float[] {0.5f, 0.25f}, f.grad().toFloatArray());
  }

  @Test
  void clamp_withLowAboveHigh_throws() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.of(1.0).clamp(2, 1));
    assertTrue(e.getMessage().startsWith("clamp:"), e.getMessage());
  }

  private static double[] map(double[] xs, DoubleUnaryOperator f) {
    double[] r = new double[xs.length];
    for (int i = 0; i < xs.length; i++) {
      r[i] = f.applyAsDouble(xs[i]);
    }
    return r;
  }
}
