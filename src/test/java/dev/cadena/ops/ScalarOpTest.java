package dev.cadena.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.autograd.ForwardAD;
import dev.cadena.autograd.GradCheck;
import dev.cadena.tensor.BinaryOp;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.DTypeException;
import dev.cadena.tensor.NDArray;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The scalar fast path of {@code x + c}, {@code x - c}, {@code x * c}, {@code x / c} (the scalar
 * passed to the kernel as a value, the node recorded with {@code x} alone) against the reference
 * path (the scalar as a 0-d tensor, the general broadcasting primitive): the same bits forward,
 * backward, with {@code createGraph} and in forward mode, and central differences in float64.
 */
class ScalarOpTest {

  private static final double[] SCALARS = {
      0.999, -2.5, 1.0, 0.0, -0.0, 3e-310, 1e300, Double.NaN, Double.POSITIVE_INFINITY, 1.0 / 3};

  private static final BinaryOp[] OPS = {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV};

  /** Raw bits of every element, so that -0.0 and 0.0 differ (NaNs are canonicalised). */
  private static long[] bits(NDArray a) {
    double[] v = a.toDoubleArray();
    long[] b = new long[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = Double.doubleToLongBits(v[i]);
    }
    return b;
  }

  private static NDArray random(SplittableRandom rng, DType dtype, int... shape) {
    Tensor t = Tensor.randn(rng, dtype, shape);
    // Some exact zeros of both signs, for the sign-of-zero cases.
    double[] v = t.toDoubleArray();
    if (v.length > 2) {
      v[0] = 0.0;
      v[1] = -0.0;
    }
    NDArray d = NDArray.wrap(v, shape);
    return dtype == DType.FLOAT64 ? d : d.astype(dtype);
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
      "float64, 16", "float32, 16", "float64, 1", "float32, 0", "float64, 1025",
      "float32, 17000", "float64, 17000"})
  void binaryScalar_matchesReference_contiguous(String dt, int n) {
    DType dtype = DType.parse(dt);
    NDArray a = random(new SplittableRandom(n), dtype, n);
    for (BinaryOp op : OPS) {
      for (double c : SCALARS) {
        NDArray fast = a.binary(op, c);
        NDArray ref = a.binaryReference(op, c);
        assertEquals(dtype, fast.dtype());
        assertArrayEquals(ref.shape(), fast.shape());
        assertArrayEquals(bits(ref), bits(fast), op + " " + c + " " + dtype);
      }
    }
  }

  @Test
  void binaryScalar_matchesReference_viewsAndOtherOps() {
    SplittableRandom rng = new SplittableRandom(7);
    NDArray m = random(rng, DType.FLOAT64, 5, 6);
    NDArray[] views = {m.permute(1, 0), m.slice(1, 1, 5, 1), m.slice(0, 2, 3, 1), m.reshape(30),
        NDArray.scalar(DType.FLOAT64, -1.5)};
    for (NDArray v : views) {
      for (BinaryOp op : BinaryOp.values()) {
        for (double c : SCALARS) {
          assertArrayEquals(bits(v.binaryReference(op, c)), bits(v.binary(op, c)),
              op + " " + c + " on " + v);
        }
      }
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"float64, 16", "float32, 16", "float64, 0", "float32, 17000", "float64, 17000"})
  void applyInPlaceScalar_matchesBinary_andBumpsTheVersion(String dt, int n) {
    DType dtype = DType.parse(dt);
    for (BinaryOp op : BinaryOp.values()) {
      for (double c : SCALARS) {
        NDArray a = random(new SplittableRandom(n + 1), dtype, n);
        long[] expected = bits(a.binary(op, c));
        int version = a.version();
        a.applyInPlace(op, c);
        assertArrayEquals(expected, bits(a), op + " " + c);
        assertEquals(version + 1, a.version());
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"float64", "float32"})
  void tanhBackwardInPlace_matchesTanhBackward(String dt) {
    DType dtype = DType.parse(dt);
    SplittableRandom rng = new SplittableRandom(23);
    NDArray out = random(rng, dtype, 4, 5).unary(dev.cadena.tensor.UnaryOp.TANH);
    NDArray grad = random(rng, dtype, 4, 5);
    long[] expected = bits(NDArray.tanhBackward(grad, out));
    NDArray.tanhBackwardInPlace(grad, out);
    assertArrayEquals(expected, bits(grad));
    assertEquals(1, grad.version());
    // A strided output is read through a copy; a view as the gradient is refused.
    NDArray g2 = random(rng, dtype, 5, 4);
    long[] expected2 = bits(NDArray.tanhBackward(g2, out.permute(1, 0)));
    NDArray.tanhBackwardInPlace(g2, out.permute(1, 0));
    assertArrayEquals(expected2, bits(g2));
    assertThrows(IllegalArgumentException.class,
        () -> NDArray.tanhBackwardInPlace(g2.permute(1, 0), out));
    assertThrows(dev.cadena.tensor.ShapeException.class,
        () -> NDArray.tanhBackwardInPlace(g2, out));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"float64", "float32"})
  void reluBackwardInPlace_matchesReluBackward(String dt) {
    DType dtype = DType.parse(dt);
    SplittableRandom rng = new SplittableRandom(29);
    // Outputs with exact zeros of both signs, NaN and infinities, where the masks must agree.
    double[] o = random(rng, dtype, 30).toDoubleArray();
    o[2] = Double.NaN;
    o[3] = Double.POSITIVE_INFINITY;
    o[4] = Double.NEGATIVE_INFINITY;
    o[5] = Double.MIN_VALUE;
    NDArray out = NDArray.wrap(o, 30).astype(dtype);
    NDArray grad = random(rng, dtype, 30);
    long[] expected = bits(NDArray.reluBackward(grad, out));
    NDArray.reluBackwardInPlace(grad, out);
    assertArrayEquals(expected, bits(grad));
    assertEquals(1, grad.version());
    assertThrows(IllegalArgumentException.class,
        () -> NDArray.reluBackwardInPlace(grad.slice(0, 0, 10, 1), out.slice(0, 0, 10, 1)));
  }

  @Test
  void binaryScalar_doesNotShareStorageOrChangeTheInput() {
    NDArray a = NDArray.wrap(new double[] {1, 2, 3}, 3);
    NDArray out = a.binary(BinaryOp.MUL, 2.0);
    assertTrue(out.storageKey() != a.storageKey());
    assertArrayEquals(new double[] {1, 2, 3}, a.toDoubleArray());
    assertArrayEquals(new double[] {2, 4, 6}, out.toDoubleArray());
    assertEquals(0, a.version());
  }

  @Test
  void binaryScalar_int64_throwsAsReference() {
    NDArray a = NDArray.wrap(new long[] {1, 2}, 2);
    DTypeException e = assertThrows(DTypeException.class, () -> a.binary(BinaryOp.MUL, 2.0));
    DTypeException r = assertThrows(DTypeException.class, () -> a.binaryReference(BinaryOp.MUL, 2.0));
    assertEquals(r.getMessage(), e.getMessage());
    Tensor t = Tensor.ofLongs(1, 2);
    assertTrue(assertThrows(DTypeException.class, () -> t.mul(2.0)).getMessage().contains("mul"));
    assertTrue(assertThrows(DTypeException.class, () -> t.sub(2.0)).getMessage().contains("sub"));
    assertTrue(assertThrows(DTypeException.class, () -> t.div(2.0)).getMessage().contains("div"));
  }

  /** The tensor ops, fast (the Tensor methods) and reference (a 0-d tensor operand). */
  private record Pair(String name, BiFunction<Tensor, Double, Tensor> fast,
      BiFunction<Tensor, Double, Tensor> ref) {}

  private static final List<Pair> PAIRS = List.of(
      new Pair("add", Tensor::add, (x, c) -> Elementwise.add(x, Tensor.scalar(c, x.dtype()))),
      new Pair("sub", Tensor::sub, (x, c) -> Elementwise.add(x, Tensor.scalar(-c, x.dtype()))),
      new Pair("mul", Tensor::mul, (x, c) -> Elementwise.mul(x, Tensor.scalar(c, x.dtype()))),
      new Pair("div", Tensor::div, (x, c) -> Elementwise.div(x, Tensor.scalar(c, x.dtype()))),
      new Pair("rsub", Tensor::rsub,
          (x, c) -> Elementwise.add(Elementwise.mul(x, Tensor.scalar(-1.0, x.dtype())),
              Tensor.scalar(c, x.dtype()))));

  /** A chain through every scalar op and tanh, ended by a weighted sum. */
  private static Tensor chain(Tensor x, boolean fast, Tensor w) {
    Tensor y = x;
    double[] cs = {1.0001, 0.001, -0.75, 1.7};
    for (int k = 0; k < 3; k++) {
      for (int i = 0; i < PAIRS.size(); i++) {
        Pair p = PAIRS.get(i);
        y = (fast ? p.fast() : p.ref()).apply(y, cs[(i + k) % cs.length]).tanh();
      }
    }
    return y.mul(w).sum();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"float64", "float32"})
  void tensorOps_forwardBackwardAndSecondOrder_matchReference(String dt) {
    DType dtype = DType.parse(dt);
    SplittableRandom rng = new SplittableRandom(11);
    Tensor x = Tensor.randn(rng, dtype, 3, 4).requiresGrad(true);
    Tensor w = Tensor.randn(rng, dtype, 3, 4);
    for (Pair p : PAIRS) {
      for (double c : SCALARS) {
        assertArrayEquals(bits(p.ref().apply(x, c).data()), bits(p.fast().apply(x, c).data()),
            p.name() + " " + c);
      }
    }
    Tensor fast = chain(x, true, w);
    Tensor ref = chain(x, false, w);
    assertArrayEquals(bits(ref.data()), bits(fast.data()));
    Tensor gFast = Tensor.grad(fast, List.of(x), true).get(0);
    Tensor gRef = Tensor.grad(ref, List.of(x), true).get(0);
    assertArrayEquals(bits(gRef.data()), bits(gFast.data()), "first order");
    Tensor hFast = Tensor.grad(gFast.mul(w).sum(), List.of(x), false).get(0);
    Tensor hRef = Tensor.grad(gRef.mul(w).sum(), List.of(x), false).get(0);
    assertArrayEquals(bits(hRef.data()), bits(hFast.data()), "second order");
    // backward() into grad(): the same bits.
    chain(x, true, w).backward();
    Tensor accFast = x.grad();
    x.setGrad(null);
    chain(x, false, w).backward();
    assertArrayEquals(bits(x.grad().data()), bits(accFast.data()), "backward()");
    x.setGrad(null);
  }

  @Test
  void tensorOps_forwardMode_matchesReference() {
    SplittableRandom rng = new SplittableRandom(13);
    Tensor x = Tensor.randn(rng, DType.FLOAT64, 5);
    Tensor v = Tensor.randn(rng, DType.FLOAT64, 5);
    Tensor w = Tensor.randn(rng, DType.FLOAT64, 5);
    Tensor[][] fast = ForwardAD.jvp(a -> new Tensor[] {chain(a[0], true, w)},
        new Tensor[] {x}, new Tensor[] {v});
    Tensor[][] ref = ForwardAD.jvp(a -> new Tensor[] {chain(a[0], false, w)},
        new Tensor[] {x}, new Tensor[] {v});
    assertArrayEquals(bits(ref[0][0].data()), bits(fast[0][0].data()));
    assertArrayEquals(bits(ref[1][0].data()), bits(fast[1][0].data()), "tangent");
  }

  @Test
  void tensorOps_gradCheck_firstAndSecondOrder() {
    SplittableRandom rng = new SplittableRandom(17);
    Tensor x = Tensor.randn(rng, DType.FLOAT64, 2, 3).requiresGrad(true);
    Tensor w = Tensor.randn(rng, DType.FLOAT64, 2, 3);
    for (Pair p : PAIRS) {
      java.util.function.Function<Tensor[], Tensor> f =
          in -> p.fast().apply(in[0].tanh(), -1.3).square().mul(w);
      GradCheck.Report r1 = GradCheck.check(f, x);
      assertTrue(r1.passed(), p.name() + ": " + r1);
      GradCheck.Report r2 = GradCheck.checkSecondOrder(f, x);
      assertTrue(r2.passed(), p.name() + ": " + r2);
      GradCheck.Report r3 = GradCheck.checkJvp(f, x);
      assertTrue(r3.passed(), p.name() + ": " + r3);
    }
  }

  @Test
  void scalarNode_hasOneInput_andChecksItsVersion() {
    Tensor x = Tensor.of(1.0, 2.0).requiresGrad(true);
    Tensor y = x.mul(3.0);
    assertEquals("mul", y.gradFn().name());
    assertEquals(1, y.gradFn().inputCount());
    assertEquals("add", x.add(1.0).gradFn().name());
    assertEquals("div", x.div(2.0).gradFn().name());
    // The VJP of x * c reads no saved tensor (d(x*c)/dx = c), so updating x is harmless, as
    // for the reference path; the tanh after it reads its output, which is checked.
    Tensor z = y.tanh();
    Tensor loss = z.sum();
    x.data().fillInPlace(0.1);
    Tensor loss2 = x.mul(3.0).tanh().sum();
    loss2.backward();
    double slope = 3 * (1 - Math.tanh(0.3) * Math.tanh(0.3));
    assertArrayEquals(new double[] {slope, slope}, x.grad().toDoubleArray(), 1e-15);
    z.data().fillInPlace(0.0);
    var e = assertThrows(dev.cadena.autograd.AutogradException.class, loss::backward);
    assertTrue(e.getMessage().contains("modified in place"), e.getMessage());
  }
}
