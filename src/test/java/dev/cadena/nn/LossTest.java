package dev.cadena.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.autograd.GradCheck;
import dev.cadena.tensor.DTypeException;
import dev.cadena.tensor.ShapeException;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.function.DoubleBinaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LossTest {
  // ------------------------------------------------------------------ elementwise losses

  /** A loss of (input, target) and its per-element formula in plain doubles. */
  static final class Pointwise {
    final String name;
    final TriFunction f;
    final DoubleBinaryOperator reference;
    final double inLo;
    final double inHi;

    Pointwise(String name, TriFunction f, DoubleBinaryOperator reference, double inLo, double inHi) {
      this.name = name;
      this.f = f;
      this.reference = reference;
      this.inLo = inLo;
      this.inHi = inHi;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  interface TriFunction {
    Tensor apply(Tensor input, Tensor target, Reduction r);
  }

  private static double log(double v) {
    return Math.max(Math.log(v), -100);
  }

  static Stream<Pointwise> pointwise() {
    return Stream.of(
        new Pointwise("mse", Loss::mse, (x, y) -> (x - y) * (x - y), -3, 3),
        new Pointwise("l1", Loss::l1, (x, y) -> Math.abs(x - y), -3, 3),
        new Pointwise("huber(0.7)", (x, y, r) -> Loss.huber(x, y, 0.7, r),
            (x, y) -> Math.abs(x - y) < 0.7 ? 0.5 * (x - y) * (x - y) : 0.7 * (Math.abs(x - y) - 0.35), -3, 3),
        new Pointwise("binaryCrossEntropy", Loss::binaryCrossEntropy,
            (p, y) -> -(y * log(p) + (1 - y) * log(1 - p)), 0.02, 0.98),
        new Pointwise("binaryCrossEntropyWithLogits", Loss::binaryCrossEntropyWithLogits,
            (x, y) -> {
              double p = 1 / (1 + Math.exp(-x));
              return -(y * Math.log(p) + (1 - y) * Math.log(1 - p));
            }, -6, 6));
  }

  private static Tensor targets(Pointwise c, int... shape) {
    return c.inLo >= 0 || c.name.contains("Logits")
        ? Tensor.rand(new SplittableRandom(2), shape)   // probabilities as targets
        : Tensor.uniform(new SplittableRandom(2), -3, 3, shape);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pointwise")
  void values_matchLoopFormulaForEveryReduction(Pointwise c) {
    Tensor x = Tensor.uniform(new SplittableRandom(1), c.inLo, c.inHi, 3, 4);
    Tensor y = targets(c, 3, 4);
    double[] xv = x.toDoubleArray();
    double[] yv = y.toDoubleArray();
    double[] per = new double[xv.length];
    double sum = 0;
    for (int i = 0; i < per.length; i++) {
      per[i] = c.reference.applyAsDouble(xv[i], yv[i]);
      sum += per[i];
    }
    Tensor none = c.f.apply(x, y, Reduction.NONE);
    assertArrayEquals(new int[] {3, 4}, none.shape());
    assertArrayEquals(per, none.toDoubleArray(), 1e-12);
    assertEquals(sum, c.f.apply(x, y, Reduction.SUM).item(), 1e-11);
    assertEquals(sum / per.length, c.f.apply(x, y, Reduction.MEAN).item(), 1e-12);
    assertEquals(0, c.f.apply(x, y, Reduction.MEAN).rank());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pointwise")
  void gradients_matchFiniteDifferences(Pointwise c) {
    Tensor x = Tensor.uniform(new SplittableRandom(3), c.inLo, c.inHi, 3, 4);
    Tensor y = targets(c, 3, 4);
    // Keep |x - y| away from the kinks of l1 (0) and huber (delta).
    if (c.name.startsWith("l1") || c.name.startsWith("huber")) {
      Tensor d = x.sub(y);
      Tensor far = d.abs().lt(0.1).add(d.abs().sub(0.7).abs().lt(0.1));
      x = Tensor.where(far, x.add(0.3), x);
    }
    for (Reduction r : Reduction.values()) {
      Tensor xi = x.detach().requiresGrad(true);
      Tensor yi = y.detach().requiresGrad(true);
      GradCheck.Report rep = GradCheck.check(in -> c.f.apply(in[0], in[1], r), xi, yi);
      assertTrue(rep.passed(), () -> c + " " + r + ": " + rep);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pointwise")
  void mismatchedShapes_areShapeErrorsNamingBoth(Pointwise c) {
    ShapeException e = assertThrows(ShapeException.class,
        () -> c.f.apply(Tensor.full(0.5, 2, 3), Tensor.full(0.5, 3), Reduction.MEAN));
    String op = c.name.replaceAll("\\(.*", "");
    assertEquals(op + ": input shape [2, 3] and target shape [3] differ", e.getMessage());
    assertThrows(DTypeException.class,
        () -> c.f.apply(Tensor.ofLongs(0, 1), Tensor.of(0.0, 1.0), Reduction.MEAN));
    assertEquals(op + ": reduction is null", assertThrows(NullPointerException.class,
        () -> c.f.apply(Tensor.of(0.5), Tensor.of(0.5), null)).getMessage());
    assertEquals(op + ": target is null", assertThrows(NullPointerException.class,
        () -> c.f.apply(Tensor.of(0.5), null, Reduction.MEAN)).getMessage());
    NullPointerException n = assertThrows(NullPointerException.class,
        () -> c.f.apply(null, Tensor.of(0.5), Reduction.MEAN));
    assertTrue(n.getMessage().startsWith(op + ": ") && n.getMessage().endsWith(" is null"), n::getMessage);
  }

  @Test
  void binaryCrossEntropy_clampsLogsAtMinus100() {
    Tensor p = Tensor.of(0.0, 1.0, 0.0, 1.0).requiresGrad(true);
    Tensor y = Tensor.of(1.0, 0.0, 0.0, 1.0);
    Tensor l = Loss.binaryCrossEntropy(p, y, Reduction.NONE);
    assertArrayEquals(new double[] {100, 100, 0, 0}, l.toDoubleArray(), 1e-12);
    l.sum().backward();
    for (double g : p.grad().toDoubleArray()) {
      assertTrue(Double.isFinite(g), "gradient must stay finite at p in {0, 1}");
    }
  }

  @Test
  void binaryCrossEntropy_rejectsNonProbabilities() {
    assertEquals("binaryCrossEntropy: input 1.5 at position 1 is not a probability in [0, 1];"
            + " for logits use binaryCrossEntropyWithLogits",
        assertThrows(IllegalArgumentException.class,
            () -> Loss.binaryCrossEntropy(Tensor.of(0.5, 1.5), Tensor.of(1.0, 0.0))).getMessage());
  }

  @Test
  void binaryCrossEntropyWithLogits_isStableForHugeLogits() {
    Tensor x = Tensor.of(-1000.0, 1000.0, 50.0, -50.0).requiresGrad(true);
    Tensor y = Tensor.of(1.0, 0.0, 1.0, 0.0);
    Tensor l = Loss.binaryCrossEntropyWithLogits(x, y, Reduction.NONE);
    assertArrayEquals(new double[] {1000, 1000, Math.log1p(Math.exp(-50)), Math.log1p(Math.exp(-50))},
        l.toDoubleArray(), 1e-36);
    l.sum().backward();
    // d/dx = sigmoid(x) - y.
    assertArrayEquals(new double[] {-1, 1, -1 / (1 + Math.exp(50)), 1 / (1 + Math.exp(50))},
        x.grad().toDoubleArray(), 1e-15);
  }

  @Test
  void huber_rejectsNonPositiveDelta() {
    assertEquals("huber: delta must be positive and finite, got 0.0",
        assertThrows(IllegalArgumentException.class,
            () -> Loss.huber(Tensor.of(1.0), Tensor.of(0.0), 0.0)).getMessage());
  }

  // ------------------------------------------------------------------ class-index losses

  static Stream<Arguments> classification() {
    BiFunction<Tensor, Tensor, Tensor> ce = Loss::crossEntropy;
    BiFunction<Tensor, Tensor, Tensor> nll = Loss::nll;
    return Stream.of(Arguments.of("crossEntropy", ce), Arguments.of("nll", nll));
  }

  @Test
  void crossEntropy_matchesLoopFormula() {
    Tensor logits = Tensor.randn(new SplittableRandom(4), 5, 4).mul(3.0);
    long[] labels = {0, 3, 2, 2, 1};
    double[] per = new double[5];
    for (int i = 0; i < 5; i++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < 4; c++) {
        max = Math.max(max, logits.get(i, c));
      }
      double s = 0;
      for (int c = 0; c < 4; c++) {
        s += Math.exp(logits.get(i, c) - max);
      }
      per[i] = -(logits.get(i, (int) labels[i]) - max - Math.log(s));
    }
    Tensor lab = Tensor.ofLongs(labels);
    assertArrayEquals(per, Loss.crossEntropy(logits, lab, Reduction.NONE).toDoubleArray(), 1e-12);
    double mean = Arrays.stream(per).average().orElseThrow();
    assertEquals(mean, Loss.crossEntropy(logits, lab).item(), 1e-12);
    assertEquals(mean * 5, Loss.crossEntropy(logits, lab, Reduction.SUM).item(), 1e-11);
    // nll of log-probabilities is the same thing.
    assertEquals(mean, Loss.nll(logits.logSoftmax(1), lab).item(), 1e-12);
  }

  @Test
  void crossEntropy_gradientIsSoftmaxMinusOneHot() {
    Tensor logits = Tensor.randn(new SplittableRandom(5), 3, 4).requiresGrad(true);
    Tensor labels = Tensor.ofLongs(2, 0, 3);
    Loss.crossEntropy(logits, labels, Reduction.SUM).backward();
    Tensor want = logits.detach().softmax(1).sub(labels.oneHot(4));
    assertTrue(logits.grad().allClose(want, 0, 1e-14));
  }

  @Test
  void crossEntropy_isStableForHugeLogits() {
    Tensor logits = Tensor.of(new double[][] {{1000, 0, -1000}, {-1000, 1000, 0}});
    Tensor l = Loss.crossEntropy(logits, Tensor.ofLongs(0, 0), Reduction.NONE);
    assertArrayEquals(new double[] {0, 2000}, l.toDoubleArray(), 1e-9);
  }

  @Test
  void classificationLosses_gradientsMatchFiniteDifferences() {
    Tensor labels = Tensor.ofLongs(1, 0, 3, 3, 2);
    for (Reduction r : Reduction.values()) {
      Tensor logits = Tensor.randn(new SplittableRandom(6), 5, 4).requiresGrad(true);
      GradCheck.Report ce = GradCheck.check(in -> Loss.crossEntropy(in[0], labels, r), logits);
      assertTrue(ce.passed(), () -> "crossEntropy " + r + ": " + ce);
      GradCheck.Report ce2 = GradCheck.checkSecondOrder(in -> Loss.crossEntropy(in[0], labels, r),
          GradCheck.Options.defaults().atol(1e-4), logits);
      assertTrue(ce2.passed(), () -> "crossEntropy second order " + r + ": " + ce2);
      GradCheck.Report nll = GradCheck.check(in -> Loss.nll(in[0], labels, r), logits);
      assertTrue(nll.passed(), () -> "nll " + r + ": " + nll);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("classification")
  void classification_rejectsBadLabels(String op, BiFunction<Tensor, Tensor, Tensor> f) {
    Tensor logits = Tensor.zeros(5, 10);
    assertEquals(op + ": label 12 at position 3 is out of range [0, 10)",
        assertThrows(IllegalArgumentException.class,
            () -> f.apply(logits, Tensor.ofLongs(0, 1, 2, 12, 4))).getMessage());
    assertEquals(op + ": label -1 at position 0 is out of range [0, 10)",
        assertThrows(IllegalArgumentException.class,
            () -> f.apply(logits, Tensor.ofLongs(-1, 1, 2, 3, 4))).getMessage());
    assertEquals(op + ": labels must be int64 class indices, got float64 (shape [5]); build them with"
            + " Tensor.ofLongs(...)",
        assertThrows(DTypeException.class,
            () -> f.apply(logits, Tensor.of(0.0, 1.0, 2.0, 3.0, 4.0))).getMessage());
    assertEquals(op + ": labels must have shape [5] (one per row of the input), got [4]",
        assertThrows(ShapeException.class, () -> f.apply(logits, Tensor.ofLongs(0, 1, 2, 3))).getMessage());
    assertEquals(op + ": input must be 2-d [N, C] with C >= 1, got shape [10]",
        assertThrows(ShapeException.class, () -> f.apply(Tensor.zeros(10), Tensor.ofLongs(1))).getMessage());
    assertEquals(op + ": labels is null",
        assertThrows(NullPointerException.class, () -> f.apply(logits, null)).getMessage());
  }
}
