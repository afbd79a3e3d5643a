package dev.cadena.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.autograd.Engine;
import dev.cadena.autograd.GradMode;
import dev.cadena.autograd.Node;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.DTypeException;
import dev.cadena.tensor.NDArray;
import dev.cadena.tensor.ShapeException;
import dev.cadena.tensor.kernel.Parallel;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fused primitives (linear with bias and ReLU, ReLU's one-pass VJP, softmax cross-entropy)
 * against the compositions of ordinary ops they replace: values and gradients, both dtypes,
 * odd sizes, views, one and two threads.
 */
class FusedOpsTest {

  /** Elementwise within {@code tol} relative to {@code max(1, |expected|)}; also used by other tests here. */
  static void assertClose(Tensor expected, Tensor actual, double tol, String what) {
    assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
    double[] e = expected.toDoubleArray();
    double[] a = actual.toDoubleArray();
    for (int i = 0; i < e.length; i++) {
      double scale = Math.max(1, Math.abs(e[i]));
      assertTrue(Math.abs(e[i] - a[i]) <= tol * scale,
          () -> what + ": element differs, expected " + java.util.Arrays.toString(e) + " got "
              + java.util.Arrays.toString(a));
    }
  }

  private static double tol(DType dtype, int k) {
    return dtype == DType.FLOAT64 ? 1e-12 * k : 2e-6 * k;
  }

  /** linear(x, w, b, relu) and its gradients equal matmul + add (+ relu). */
  @ParameterizedTest(name = "{0} rows={1} in={2} out={3} bias={4} relu={5} threads={6}")
  @CsvSource({
      "float64, 5, 7, 3, true, true, 1",
      "float32, 5, 7, 3, true, false, 1",
      "float64, 1, 1, 1, false, true, 1",
      "float32, 37, 129, 65, true, true, 2",
      "float64, 37, 129, 65, false, true, 2",
      "float32, 128, 200, 33, true, true, 1",
      "float64, 9, 64, 128, true, false, 2"})
  void linear_matchesComposition(String dt, int rows, int in, int out, boolean bias, boolean relu,
      int threads) {
    DType dtype = DType.parse(dt);
    int before = Parallel.threads();
    Parallel.setThreads(threads);
    try {
      SplittableRandom rng = new SplittableRandom(rows * 31L + in);
      Tensor x = Tensor.randn(rng, dtype, rows, in);
      Tensor w = Tensor.randn(rng, dtype, in, out);
      Tensor b = bias ? Tensor.randn(rng, dtype, out) : null;
      Tensor g = Tensor.randn(rng, dtype, rows, out);
      Tensor[] leaves = bias ? new Tensor[] {x, w, b} : new Tensor[] {x, w};
      for (Tensor t : leaves) {
        t.requiresGrad(true);
      }
      Tensor fused = LinearAlgebra.linear(x, w, b, relu);
      Tensor plain = x.matmul(w);
      plain = bias ? plain.add(b) : plain;
      plain = relu ? plain.relu() : plain;
      assertEquals("linear", fused.gradFn().name());
      assertClose(plain, fused, tol(dtype, in), "forward");
      Tensor[] gf = Engine.grad(new Tensor[] {fused}, leaves, new Tensor[] {g}, false, false);
      Tensor[] gp = Engine.grad(new Tensor[] {plain}, leaves, new Tensor[] {g}, false, false);
      for (int i = 0; i < leaves.length; i++) {
        assertClose(gp[i], gf[i], tol(dtype, Math.max(rows, out)), "gradient of input " + i);
      }
    } finally {
      Parallel.setThreads(before);
    }
  }

  @Test
  void linear_threeDimensionalAndTransposedInputs_matchComposition() {
    SplittableRandom rng = new SplittableRandom(3);
    Tensor x3 = Tensor.randn(rng, 2, 3, 4).requiresGrad(true);
    Tensor xt = Tensor.randn(rng, 4, 6).requiresGrad(true);
    Tensor w = Tensor.randn(rng, 4, 5).requiresGrad(true);
    Tensor b = Tensor.randn(rng, 5).requiresGrad(true);
    for (Tensor x : new Tensor[] {x3, xt.mT()}) {
      Tensor fused = LinearAlgebra.linear(x, w, b, true);
      Tensor plain = x.matmul(w).add(b).relu();
      assertClose(plain, fused, 1e-12, "forward");
      Tensor leaf = x == x3 ? x3 : xt;
      Tensor[] in = {leaf, w, b};
      // Both graphs share the transpose node of x: keep it for the second pass.
      Tensor[] gf = Engine.grad(new Tensor[] {fused.sum()}, in, new Tensor[] {Tensor.scalar(1.0)}, true, false);
      Tensor[] gp = Engine.grad(new Tensor[] {plain.sum()}, in, new Tensor[] {Tensor.scalar(1.0)}, true, false);
      for (int i = 0; i < in.length; i++) {
        assertClose(gp[i], gf[i], 1e-12, "gradient of input " + i);
      }
    }
  }

  @Test
  void linear_mixedDtypes_promoteThroughTheComposition() {
    SplittableRandom rng = new SplittableRandom(4);
    Tensor x = Tensor.randn(rng, DType.FLOAT32, 3, 4);
    Tensor w = Tensor.randn(rng, DType.FLOAT64, 4, 2);
    Tensor y = LinearAlgebra.linear(x, w, null, false);
    assertEquals(DType.FLOAT64, y.dtype());
    assertClose(x.to(DType.FLOAT64).matmul(w), y, 1e-12, "forward");
  }

  /** The one-pass VJP of ReLU equals the composition used under createGraph, zeros included. */
  @ParameterizedTest
  @ValueSource(strings = {"float32", "float64"})
  void reluGrad_fastPathMatchesComposition(String dt) {
    DType dtype = DType.parse(dt);
    double tiny = dtype == DType.FLOAT64 ? Double.MIN_VALUE : Float.MIN_VALUE;
    Tensor out = Tensor.of(0.0, 1.5, 0.0, 2.0, 0.25, 0.0, 3.0,
        -0.0, -1.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, tiny, -tiny,
        Double.MAX_VALUE).to(dtype);
    Tensor grad = Tensor.of(1.0, -2.0, Double.NaN, 4.0, Double.POSITIVE_INFINITY, -1.0, 0.5,
        7.0, 7.0, 7.0, -7.0, 7.0, -3.0, 3.0, 2.0).to(dtype);
    Tensor fast;
    try (GradMode.Scope s = GradMode.noGrad()) {
      fast = Elementwise.reluGrad(grad, out);
    }
    Tensor composed;
    try (GradMode.Scope s = GradMode.set(true)) {
      composed = Elementwise.reluGrad(grad, out);
    }
    double[] want = {0, -2, 0, 4, Double.POSITIVE_INFINITY, 0, 0.5,
        0, 0, 0, -7, 0, -3, 0, 2};
    assertArrayEquals(want, fast.toDoubleArray());
    assertArrayEquals(want, composed.toDoubleArray());
  }

  /** tanh's and the sigmoid's one-pass VJPs give exactly the composition's values. */
  @ParameterizedTest
  @ValueSource(strings = {"float32", "float64"})
  void tanhAndSigmoidGrad_fastPathsEqualTheComposition(String dt) {
    DType dtype = DType.parse(dt);
    SplittableRandom rng = new SplittableRandom(21);
    Tensor x = Tensor.randn(rng, dtype, 3, 37).mul(3.0);
    Tensor grad = Tensor.randn(rng, dtype, 3, 37);
    Tensor[] outs = {x.tanh(), x.sigmoid()};
    for (int k = 0; k < 2; k++) {
      Tensor out = outs[k];
      Tensor fast;
      try (GradMode.Scope s = GradMode.noGrad()) {
        fast = k == 0 ? Elementwise.tanhGrad(grad, out) : Elementwise.sigmoidGrad(grad, out);
      }
      Tensor composed;
      try (GradMode.Scope s = GradMode.set(true)) {
        composed = k == 0 ? Elementwise.tanhGrad(grad, out) : Elementwise.sigmoidGrad(grad, out);
      }
      assertArrayEquals(composed.toDoubleArray(), fast.toDoubleArray(), k == 0 ? "tanh" : "sigmoid");
    }
    assertMessage(ShapeException.class, "tanhBackward: gradient shape [2] differs from output shape [3]",
        () -> NDArray.tanhBackward(NDArray.zeros(dtype, 2), NDArray.zeros(dtype, 3)));
    assertMessage(NullPointerException.class, "sigmoidBackward: grad is null",
        () -> NDArray.sigmoidBackward(null, NDArray.zeros(dtype, 3)));
  }

  /** crossEntropy rows and gradient equal -logSoftmax(x)[label], also for large logits. */
  @ParameterizedTest
  @CsvSource({"float64, 1", "float64, 1000", "float32, 1", "float32, 50"})
  void crossEntropy_matchesLogSoftmaxGather(String dt, double scale) {
    DType dtype = DType.parse(dt);
    SplittableRandom rng = new SplittableRandom(11);
    Tensor x = Tensor.randn(rng, dtype, 6, 5).mul(scale).requiresGrad(true);
    Tensor y = Tensor.ofLongs(4, 0, 2, 2, 1, 3);
    Tensor g = Tensor.randn(rng, dtype, 6);
    Tensor fused = Reductions.crossEntropy(x, y);
    Tensor plain = x.logSoftmax(1).gather(1, y.unsqueeze(1)).squeeze(1).neg();
    double t = dtype == DType.FLOAT64 ? 1e-12 : 1e-5;
    assertClose(plain, fused, t * scale, "loss rows");
    Tensor gf = Engine.grad(new Tensor[] {fused}, new Tensor[] {x}, new Tensor[] {g}, true, false)[0];
    Tensor gp = Engine.grad(new Tensor[] {plain}, new Tensor[] {x}, new Tensor[] {g}, false, false)[0];
    assertClose(gp, gf, t, "gradient");
    // With createGraph the VJP is the composition; it gives the same gradient.
    Tensor gc = Engine.grad(new Tensor[] {fused}, new Tensor[] {x}, new Tensor[] {g}, false, true)[0];
    assertTrue(gc.requiresGrad());
    assertClose(gp, gc, t, "gradient with createGraph");
  }

  @Test
  void crossEntropy_infiniteLogits_behaveAsTheComposition() {
    double inf = Double.POSITIVE_INFINITY;
    Tensor x = Tensor.fromArray(new double[][] {{-inf, 0.0, 1.0}, {2.0, -inf, -inf}});
    Tensor y = Tensor.ofLongs(2, 0);
    Tensor fused = Reductions.crossEntropy(x, y);
    Tensor plain = x.logSoftmax(1).gather(1, y.unsqueeze(1)).squeeze(1).neg();
    assertClose(plain, fused, 1e-15, "loss rows");
    // A label on a -inf logit costs +inf, as in the composition and PyTorch.
    Tensor bad = Reductions.crossEntropy(x, Tensor.ofLongs(0, 1));
    assertEquals(inf, bad.toDoubleArray()[0]);
    assertEquals(inf, bad.toDoubleArray()[1]);
  }

  @Test
  void crossEntropy_badLabels_areRejectedWithTheirPosition() {
    Tensor x = Tensor.zeros(2, 3);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Reductions.crossEntropy(x, Tensor.ofLongs(1, 3)));
    assertEquals("crossEntropy: label 3 at position 1 is out of range [0, 3)", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Reductions.crossEntropy(x, Tensor.ofLongs(1)));
  }

  @Test
  void crossEntropy_labelsChangedAfterForward_doNotChangeTheGradient() {
    Tensor x = Tensor.fromArray(new double[][] {{1.0, 2.0}, {0.5, -1.0}}).requiresGrad(true);
    Tensor y = Tensor.ofLongs(0, 1);
    Tensor loss = Reductions.crossEntropy(x, y).sum();
    Tensor expected = Engine.grad(new Tensor[] {loss}, new Tensor[] {x},
        new Tensor[] {Tensor.scalar(1.0)}, true, false)[0];
    y.data().assign(Tensor.ofLongs(1, 0).data());
    Tensor again = Engine.grad(new Tensor[] {loss}, new Tensor[] {x},
        new Tensor[] {Tensor.scalar(1.0)}, false, false)[0];
    assertArrayEquals(expected.toDoubleArray(), again.toDoubleArray());
  }

  // ------------------------------------------------------------------ bad input

  private static void assertMessage(Class<? extends Throwable> type, String expected,
      org.junit.jupiter.api.function.Executable call) {
    Throwable e = assertThrows(type, call);
    assertEquals(expected, e.getMessage());
  }

  @Test
  void linear_badArguments_nameTheOpAndTheShapes() {
    NDArray x = NDArray.zeros(DType.FLOAT64, 2, 3);
    NDArray w = NDArray.zeros(DType.FLOAT64, 3, 4);
    assertMessage(NullPointerException.class, "linear: x is null", () -> NDArray.linear(null, w, null, false));
    assertMessage(NullPointerException.class, "linear: w is null", () -> NDArray.linear(x, null, null, true));
    assertMessage(ShapeException.class, "linear: expected [rows, in] @ [in, out], got [2, 3] @ [4, 3]",
        () -> NDArray.linear(x, NDArray.zeros(DType.FLOAT64, 4, 3), null, false));
    assertMessage(ShapeException.class, "linear: bias must have shape [4], got [3]",
        () -> NDArray.linear(x, w, NDArray.zeros(DType.FLOAT64, 3), false));
    assertThrows(DTypeException.class, () -> NDArray.linear(x, NDArray.zeros(DType.FLOAT32, 3, 4), null, false));
    Tensor tx = Tensor.zeros(2, 3);
    assertMessage(NullPointerException.class, "linear: w is null", () -> LinearAlgebra.linear(tx, null, null, false));
    assertMessage(ShapeException.class, "linear: expected x [..., in] and w [in, out], got [2, 3] and [2, 3]",
        () -> LinearAlgebra.linear(tx, Tensor.zeros(2, 3), null, false));
    assertMessage(ShapeException.class, "linear: bias must have shape [4], got [2, 2]",
        () -> LinearAlgebra.linear(tx, Tensor.zeros(3, 4), Tensor.zeros(2, 2), true));
  }

  @Test
  void matmulInto_badDestination_isRejected() {
    NDArray a = NDArray.zeros(DType.FLOAT32, 2, 3);
    NDArray b = NDArray.zeros(DType.FLOAT32, 3, 4);
    assertMessage(NullPointerException.class, "matmulInto: into is null", () -> a.matmulInto(b, null));
    assertMessage(IllegalArgumentException.class,
        "matmul: destination must be a dense float32 array of shape [2, 4], got float32 [4, 2]",
        () -> a.matmulInto(b, NDArray.zeros(DType.FLOAT32, 4, 2)));
    assertMessage(IllegalArgumentException.class, "matmulInto: the destination overlaps an operand",
        () -> a.matmulInto(NDArray.zeros(DType.FLOAT32, 3, 3), a.slice(1, 0, 3, 1)));
    NDArray into = NDArray.full(DType.FLOAT32, 7, 2, 4);
    a.matmulInto(b, into);
    assertArrayEquals(new float[8], into.toFloatArray(), "stale values are overwritten");
  }

  @Test
  void reluBackward_andCrossEntropy_badArguments_areRejected() {
    NDArray g = NDArray.zeros(DType.FLOAT64, 3);
    assertMessage(NullPointerException.class, "reluBackward: out is null", () -> NDArray.reluBackward(g, null));
    assertMessage(ShapeException.class, "reluBackward: gradient shape [3] differs from output shape [2]",
        () -> NDArray.reluBackward(g, NDArray.zeros(DType.FLOAT64, 2)));
    NDArray logits = NDArray.zeros(DType.FLOAT64, 2, 3);
    NDArray labels = Tensor.ofLongs(0, 2).data();
    assertMessage(NullPointerException.class, "crossEntropy: labels is null",
        () -> NDArray.crossEntropyRows(logits, null));
    assertMessage(ShapeException.class, "crossEntropy: labels must be int64 [2], got float64 [2]",
        () -> NDArray.crossEntropyRows(logits, NDArray.zeros(DType.FLOAT64, 2)));
    assertMessage(ShapeException.class, "crossEntropy: logits must be 2-d [N, C] with C >= 1, got [2]",
        () -> NDArray.crossEntropyRows(NDArray.zeros(DType.FLOAT64, 2), labels));
    assertMessage(ShapeException.class,
        "crossEntropy: upstream gradient must have shape [2] or one element, got [3]",
        () -> NDArray.crossEntropyBackward(logits, labels, g));
    assertMessage(NullPointerException.class, "crossEntropy: logits is null",
        () -> Reductions.crossEntropy(null, Tensor.ofLongs(0)));
  }

  @Test
  void gradBuffer_outOfRange_namesTheOp() {
    Tensor x = Tensor.of(1.0, 2.0).requiresGrad(true);
    Tensor y = Node.record("probe", x.data().copy(), new Tensor[] {x}, (n, grad) -> {
      n.gradBuffer(1);
      return new Tensor[] {grad};
    });
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> y.sum().backward());
    assertEquals("probe: input 1 does not exist (1 input)", e.getMessage());
  }
}
