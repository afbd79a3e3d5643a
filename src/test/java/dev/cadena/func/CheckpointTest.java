package dev.cadena.func;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.autograd.AutogradException;
import dev.cadena.autograd.GradCheck;
import dev.cadena.autograd.GradMode;
import dev.cadena.nn.Functional;
import dev.cadena.nn.Linear;
import dev.cadena.nn.Module;
import dev.cadena.nn.Sequential;
import dev.cadena.nn.Tanh;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CheckpointTest {

  /** A block of {@code depth} Linear+Tanh layers of width {@code w}. */
  private static Sequential block(int w, int depth, SplittableRandom rng) {
    Sequential s = new Sequential();
    for (int i = 0; i < depth; i++) {
      s.add(new Linear(w, w, true, rng));
      s.add(new Tanh());
    }
    return s;
  }

  private static List<Tensor> allParams(List<Sequential> blocks) {
    List<Tensor> ps = new ArrayList<>();
    for (Module b : blocks) {
      ps.addAll(b.parameters());
    }
    return ps;
  }

  private static Tensor forward(List<Sequential> blocks, Tensor x, boolean checkpointed) {
    Tensor h = x;
    for (Sequential b : blocks) {
      h = checkpointed ? Checkpoint.checkpoint(xs -> b.forward(xs[0]), b.parameters(), h) : b.forward(h);
    }
    return h;
  }

  private static List<double[]> gradsOf(List<Tensor> ts) {
    List<double[]> out = new ArrayList<>();
    for (Tensor t : ts) {
      out.add(t.grad().toDoubleArray());
      t.zeroGrad();
    }
    return out;
  }

  @Test
  void testCheckpoint_mlpGradientsBitwiseEqual() {
    SplittableRandom rng = new SplittableRandom(7);
    List<Sequential> blocks = List.of(block(6, 2, rng), block(6, 2, rng), block(6, 1, rng));
    Tensor x = Tensor.randn(new SplittableRandom(8), 5, 6).requiresGrad(true);
    List<Tensor> watched = new ArrayList<>(allParams(blocks));
    watched.add(x);

    forward(blocks, x, false).square().sum().backward();
    List<double[]> plain = gradsOf(watched);
    Tensor y = forward(blocks, x, true);
    assertEquals("checkpoint", y.gradFn().name());
    y.square().sum().backward();
    List<double[]> ckpt = gradsOf(watched);
    for (int i = 0; i < plain.size(); i++) {
      assertArrayEquals(plain.get(i), ckpt.get(i), 0.0, "gradient " + i);
    }
  }

  @Test
  void testCheckpoint_valuesEqualAndGraphHoldsOneNode() {
    SplittableRandom rng = new SplittableRandom(1);
    Sequential b = block(4, 3, rng);
    Tensor x = Tensor.randn(new SplittableRandom(2), 3, 4).requiresGrad(true);
    Tensor plain = b.forward(x);
    Tensor ck = Checkpoint.checkpoint(xs -> b.forward(xs[0]), b.parameters(), x);
    assertArrayEquals(plain.toDoubleArray(), ck.toDoubleArray(), 0.0);
    // inputs of the node: x then the six parameters; nothing of the inner graph
    assertEquals(1 + 6, ck.gradFn().inputCount());
    assertTrue(ck.gradFn().inputs().get(0) == x);
  }

  @Test
  void testCheckpoint_secondDerivativesUnderCreateGraph() {
    SplittableRandom rng = new SplittableRandom(3);
    Tensor w = Tensor.randn(rng, 3, 3).requiresGrad(true);
    Tensor x = Tensor.randn(rng, 2, 3).requiresGrad(true);
    TensorFn f = xs -> xs[0].matmul(w).tanh().mul(xs[0]).sin();
    double[][] plain = secondOrder(xs -> f.apply(xs), x, w);
    double[][] ckpt = secondOrder(xs -> Checkpoint.checkpoint(f, List.of(w), xs[0]), x, w);
    for (int i = 0; i < plain.length; i++) {
      // x is used twice in f, and the recomputed graph adds the two contributions to its gradient
      // in another order than the plain one: equal to round-off (1 ulp here), not bitwise
      assertArrayEquals(plain[i], ckpt[i], 1e-13 * (1 + Math.abs(plain[i][0])), "second-order gradient " + i);
    }
  }

  /** d/d(x, w) of |d sum(f(x))^2 / dx|^2, through Tensor.grad with createGraph. */
  private static double[][] secondOrder(TensorFn f, Tensor x, Tensor w) {
    Tensor loss = f.apply(x).square().sum();
    Tensor gx = Tensor.grad(loss, List.of(x), true).get(0);
    Tensor s = gx.square().sum();
    List<Tensor> g2 = Tensor.grad(s, List.of(x, w), false);
    return new double[][] {gx.toDoubleArray(), g2.get(0).toDoubleArray(), g2.get(1).toDoubleArray()};
  }

  @Test
  void testCheckpoint_thirdOrderThroughNestedCheckpoints() {
    Tensor x = Tensor.of(0.3, -0.7, 1.1).requiresGrad(true);
    TensorFn f = xs -> xs[0].sin().mul(xs[0].exp());
    double[] plain = third(f, x);
    double[] ck = third(xs -> Checkpoint.checkpoint(f, xs[0]), x);
    assertArrayEquals(plain, ck, 0.0);
  }

  private static double[] third(TensorFn f, Tensor x) {
    Tensor g1 = Tensor.grad(f.apply(x).sum(), List.of(x), true).get(0);
    Tensor g2 = Tensor.grad(g1.sum(), List.of(x), true).get(0);
    return Tensor.grad(g2.sum(), List.of(x), false).get(0).toDoubleArray();
  }

  @Test
  void testCheckpoint_finiteDifferences() {
    SplittableRandom rng = new SplittableRandom(11);
    Tensor a = Tensor.randn(rng, 2, 3).requiresGrad(true);
    Tensor b = Tensor.randn(rng, 3).requiresGrad(true);
    GradCheck.Report r = GradCheck.check(
        xs -> Checkpoint.checkpoint(ys -> ys[0].tanh().mul(ys[1]).exp(), xs[0], xs[1]), a, b);
    assertTrue(r.passed(), r.toString());
    GradCheck.Report r2 = GradCheck.checkSecondOrder(
        xs -> Checkpoint.checkpoint(ys -> ys[0].tanh().mul(ys[1]).exp(), xs[0], xs[1]), a, b);
    assertTrue(r2.passed(), r2.toString());
  }

  @Test
  void testCheckpoint_inputWithoutGrad_paramsStillGetGradients() {
    SplittableRandom rng = new SplittableRandom(5);
    Linear l = new Linear(4, 3, true, rng);
    Tensor x = Tensor.randn(rng, 2, 4); // data: no grad
    l.forward(x).tanh().sum().backward();
    double[] w = l.weight().grad().toDoubleArray();
    double[] b = l.bias().grad().toDoubleArray();
    l.zeroGrad();
    Checkpoint.checkpoint(xs -> l.forward(xs[0]).tanh(), l.parameters(), x).sum().backward();
    assertArrayEquals(w, l.weight().grad().toDoubleArray(), 0.0);
    assertArrayEquals(b, l.bias().grad().toDoubleArray(), 0.0);
    assertNull(x.grad());
  }

  @Test
  void testCheckpoint_capturedParameterMissingFromParams_failsNamingIt() {
    Tensor w = Tensor.ones(2, 3).requiresGrad(true);
    Tensor x = Tensor.ones(4, 2).requiresGrad(true);
    Tensor y = Checkpoint.checkpoint(xs -> xs[0].matmul(w), x);
    AutogradException e = assertThrows(AutogradException.class, () -> y.sum().backward());
    assertTrue(e.getMessage().contains("checkpoint") && e.getMessage().contains("[2, 3]")
        && e.getMessage().contains("params"), e.getMessage());
  }

  @Test
  void testCheckpoint_nonLeafInput_gradientReachesLeafBelow() {
    Tensor a = Tensor.of(0.5, -1.0, 2.0).requiresGrad(true);
    Tensor h = a.mul(a); // non-leaf input of the checkpoint
    Tensor y = Checkpoint.checkpoint(xs -> xs[0].exp().mul(xs[0]), h);
    y.sum().add(h.sum()).backward();
    double[] got = a.grad().toDoubleArray();
    double[] av = {0.5, -1.0, 2.0};
    for (int i = 0; i < 3; i++) {
      double hv = av[i] * av[i];
      double expect = (Math.exp(hv) * hv + Math.exp(hv) + 1.0) * 2 * av[i];
      assertEquals(expect, got[i], 1e-12);
    }
  }

  @Test
  void testCheckpoint_tensorGradLeavesGradUntouched() {
    Tensor w = Tensor.of(1.0, 2.0).requiresGrad(true);
    Tensor x = Tensor.of(3.0, -1.0).requiresGrad(true);
    Tensor y = Checkpoint.checkpoint(xs -> xs[0].mul(w).square(), List.of(w), x);
    List<Tensor> g = Tensor.grad(y.sum(), List.of(x, w), false);
    // d/dx (xw)^2 = 2 x w^2; d/dw = 2 x^2 w
    assertArrayEquals(new double[] {6.0, -8.0}, g.get(0).toDoubleArray(), 0.0);
    assertArrayEquals(new double[] {18.0, 4.0}, g.get(1).toDoubleArray(), 0.0);
    assertNull(w.grad());
    assertNull(x.grad());
  }

  @Test
  void testCheckpointMany_severalOutputsAndAConstantOne() {
    SplittableRandom rng = new SplittableRandom(9);
    Tensor x = Tensor.randn(rng, 2, 3).requiresGrad(true);
    Tensor y = Tensor.randn(rng, 3).requiresGrad(true);
    TensorsFn f = xs -> new Tensor[] {xs[0].exp(), xs[0].sin().mul(xs[1]).sum(0), Tensor.ones(2)};
    Tensor[] p = f.apply(x, y);
    p[0].square().sum().add(p[1].mul(p[1]).sum()).backward();
    double[] gx = x.grad().toDoubleArray();
    double[] gy = y.grad().toDoubleArray();
    x.zeroGrad();
    y.zeroGrad();
    Tensor[] c = Checkpoint.checkpointMany(f, x, y);
    assertEquals(3, c.length);
    for (int i = 0; i < 3; i++) {
      assertArrayEquals(p[i].shape(), c[i].shape());
      assertArrayEquals(p[i].toDoubleArray(), c[i].toDoubleArray(), 0.0);
    }
    c[0].square().sum().add(c[1].mul(c[1]).sum()).add(c[2].sum()).backward();
    assertArrayEquals(gx, x.grad().toDoubleArray(), 0.0);
    assertArrayEquals(gy, y.grad().toDoubleArray(), 0.0);
  }

  @Test
  void testCheckpoint_leafGivenTwice_gradientCountedOnce() {
    Tensor w = Tensor.of(1.5, -2.0).requiresGrad(true);
    // f(a, b) = a * b with a = b = w, and w also a param: d/dw sum(w^2) = 2w
    Checkpoint.checkpoint(xs -> xs[0].mul(xs[1]), List.of(w), w, w).sum().backward();
    assertArrayEquals(new double[] {3.0, -4.0}, w.grad().toDoubleArray(), 0.0);
  }

  @Test
  void testCheckpoint_outputIndependentOfInputs_getsZeroGradients() {
    Tensor x = Tensor.of(1.0, 2.0).requiresGrad(true);
    Tensor y = Checkpoint.checkpoint(xs -> Tensor.of(4.0, 5.0), x);
    y.sum().backward();
    assertArrayEquals(new double[] {0.0, 0.0}, x.grad().toDoubleArray(), 0.0);
  }

  @Test
  void testCheckpoint_dropoutWithSeedInsideFn_recomputesTheSameMask() {
    SplittableRandom rng = new SplittableRandom(21);
    Linear l = new Linear(8, 8, true, rng);
    Tensor x = Tensor.randn(rng, 4, 8).requiresGrad(true);
    long seed = 1234;
    TensorFn f = xs -> Functional.dropout(l.forward(xs[0]).tanh(), 0.5, true, new SplittableRandom(seed));
    f.apply(x).square().sum().backward();
    double[] gx = x.grad().toDoubleArray();
    double[] gw = l.weight().grad().toDoubleArray();
    x.zeroGrad();
    l.zeroGrad();
    Checkpoint.checkpoint(f, l.parameters(), x).square().sum().backward();
    assertArrayEquals(gx, x.grad().toDoubleArray(), 0.0);
    assertArrayEquals(gw, l.weight().grad().toDoubleArray(), 0.0);
    // the contrast: one generator shared by the forward and the recomputation draws a second
    // mask in backward, and the gradients no longer match (so the test can tell masks apart)
    SplittableRandom shared = new SplittableRandom(seed);
    TensorFn g = xs -> Functional.dropout(l.forward(xs[0]).tanh(), 0.5, true, shared);
    x.zeroGrad();
    l.zeroGrad();
    Checkpoint.checkpoint(g, l.parameters(), x).square().sum().backward();
    assertFalse(java.util.Arrays.equals(gx, x.grad().toDoubleArray()));
  }

  @Test
  void testCheckpoint_underNoGrad_isAConstant() {
    Tensor x = Tensor.of(1.0).requiresGrad(true);
    try (GradMode.Scope s = GradMode.noGrad()) {
      Tensor y = Checkpoint.checkpoint(xs -> xs[0].exp(), x);
      assertFalse(y.requiresGrad());
      assertNull(y.gradFn());
    }
  }

  @Test
  void testCheckpointMany_mixedDtypes_rejected() {
    Tensor x = Tensor.of(1.0).requiresGrad(true);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Checkpoint.checkpointMany(
            xs -> new Tensor[] {xs[0], xs[0].to(dev.cadena.tensor.DType.FLOAT32)}, x));
    assertTrue(e.getMessage().contains("float32"), e.getMessage());
  }
}
