package dev.cadena.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.autograd.GradCheck;
import dev.cadena.nn.Functional.GeluApproximation;
import dev.cadena.tensor.DTypeException;
import dev.cadena.tensor.ShapeException;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ActivationsTest {
  private static final double[] GRID = {-30, -5, -2, -1, -0.5, -1e-3, 0, 1e-3, 0.5, 1, 2, 5, 30};

  /** An activation, its module form, and an independent double formula. */
  static final class Case {
    final String name;
    final UnaryOperator<Tensor> f;
    final Module module;
    final DoubleUnaryOperator reference;

    Case(String name, UnaryOperator<Tensor> f, Module module, DoubleUnaryOperator reference) {
      this.name = name;
      this.f = f;
      this.module = module;
      this.reference = reference;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private static double sigmoid(double x) {
    return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case("sigmoid", Functional::sigmoid, new Sigmoid(), ActivationsTest::sigmoid),
        new Case("tanh", Functional::tanh, new Tanh(), Math::tanh),
        new Case("relu", Functional::relu, new ReLU(), x -> Math.max(x, 0)),
        new Case("leakyRelu(0.1)", x -> Functional.leakyRelu(x, 0.1), new LeakyReLU(0.1),
            x -> x > 0 ? x : 0.1 * x),
        new Case("elu(1.5)", x -> Functional.elu(x, 1.5), new ELU(1.5),
            x -> x > 0 ? x : 1.5 * Math.expm1(x)),
        new Case("gelu tanh", x -> Functional.gelu(x, GeluApproximation.TANH),
            new GELU(GeluApproximation.TANH),
            x -> 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)))),
        new Case("softplus(1, 20)", Functional::softplus, new Softplus(),
            x -> x > 20 ? x : Math.log1p(Math.exp(x))),
        new Case("softplus(2, 5)", x -> Functional.softplus(x, 2, 5), new Softplus(2, 5),
            x -> 2 * x > 5 ? x : Math.log1p(Math.exp(2 * x)) / 2),
        new Case("silu", Functional::silu, new SiLU(), x -> x * sigmoid(x)),
        new Case("hardtanh", Functional::hardtanh, new Hardtanh(), x -> x < -1 ? -1 : x > 1 ? 1 : x),
        new Case("hardtanh(-0.25, 3)", x -> Functional.hardtanh(x, -0.25, 3), new Hardtanh(-0.25, 3),
            x -> x < -0.25 ? -0.25 : x > 3 ? 3 : x),
        // log(sigmoid(x)) written as -log(1 + e^-x), split so neither side overflows.
        new Case("logSigmoid", Functional::logSigmoid, new LogSigmoid(),
            x -> x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void values_matchIndependentFormula(Case c) {
    Tensor y = c.f.apply(Tensor.of(GRID));
    Tensor m = c.module.forward(Tensor.of(GRID));
    for (int i = 0; i < GRID.length; i++) {
      double want = c.reference.applyAsDouble(GRID[i]);
      assertEquals(want, y.get(i), 1e-12 * Math.max(1, Math.abs(want)), c + " at " + GRID[i]);
      assertEquals(y.get(i), m.get(i), 0.0, "module and function differ at " + GRID[i]);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void gradients_matchFiniteDifferences(Case c) {
    // Keep clear of the kinks at 0 (relu family) and of softplus's threshold, where the
    // derivative jumps and central differences straddle it.
    Tensor x = Tensor.uniform(new SplittableRandom(3), 0.1, 2, 4, 5);
    Tensor signs = Tensor.uniform(new SplittableRandom(4), -1, 1, 4, 5).sign();
    Tensor input = x.mul(signs).detach().requiresGrad(true);
    GradCheck.Report r = GradCheck.check(in -> c.f.apply(in[0]), input);
    assertTrue(r.passed(), r::toString);
    GradCheck.Report r2 = GradCheck.checkSecondOrder(in -> c.f.apply(in[0]),
        GradCheck.Options.defaults().atol(1e-4), input);
    assertTrue(r2.passed(), r2::toString);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void rejectsInt64_namingTheFunction(Case c) {
    DTypeException e = assertThrows(DTypeException.class, () -> c.f.apply(Tensor.ofLongs(1, 2)));
    assertTrue(e.getMessage().contains("input must be float32 or float64, got int64"), e::getMessage);
    assertTrue(assertThrows(NullPointerException.class, () -> c.f.apply(null)).getMessage()
        .endsWith(": input is null"));
  }

  @Test
  void geluExact_matchesNormalCdfAndItsDerivative() {
    // Phi values to 16 digits; gelu(x) = x Phi(x), gelu'(x) = Phi(x) + x phi(x).
    double[] xs = {-3, -1, -0.5, 0, 0.5, 1, 2};
    double[] phi = {
      0.0013498980316300946, 0.15865525393145707, 0.3085375387259869, 0.5,
      0.6914624612740131, 0.8413447460685429, 0.9772498680518208
    };
    Tensor x = Tensor.of(xs).requiresGrad(true);
    Tensor y = Functional.gelu(x);
    y.sum().backward();
    for (int i = 0; i < xs.length; i++) {
      assertEquals(xs[i] * phi[i], y.get(i), 1e-15, "gelu(" + xs[i] + ")");
      double density = Math.exp(-xs[i] * xs[i] / 2) / Math.sqrt(2 * Math.PI);
      assertEquals(phi[i] + xs[i] * density, x.grad().get(i), 1e-15, "gelu'(" + xs[i] + ")");
    }
  }

  @Test
  void erf_derivativeAtZeroIsTwoOverSqrtPi() {
    Tensor z = Tensor.of(0.0).requiresGrad(true);
    z.erf().sum().backward();
    // erf is a primitive now: its derivative is the exact 2/sqrt(pi) e^(-z^2).
    assertEquals(2 / Math.sqrt(Math.PI), z.grad().get(0), 1e-15);
    assertEquals(0.8427007929497149, Tensor.of(1.0).erf().get(0), 1e-15);
    assertEquals(-0.8427007929497149, Tensor.of(-1.0).erf().get(0), 1e-15);
  }

  @Test
  void softplus_isStableAndFiniteAtExtremes() {
    Tensor x = Tensor.of(-1000.0, -50.0, 0.0, 50.0, 1000.0).requiresGrad(true);
    Tensor y = Functional.softplus(x, 1, 1e9);  // threshold out of the way: the stable form alone
    assertEquals(0.0, y.get(0), 0.0);
    assertEquals(Math.log1p(Math.exp(-50)), y.get(1), 1e-36);
    assertEquals(Math.log(2), y.get(2), 1e-15);
    assertEquals(50.0, y.get(3), 1e-12);
    assertEquals(1000.0, y.get(4), 0.0);
    y.sum().backward();
    double[] want = {0, sigmoid(-50), 0.5, sigmoid(50), 1};
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], x.grad().get(i), 1e-15);
    }
  }

  @Test
  void hardtanh_gradientIsZeroAtTheBounds_unlikeClamp() {
    // PyTorch's hardtanh_backward passes the gradient only strictly inside (min, max).
    Tensor x = Tensor.of(-1.0, -0.5, 1.0, 2.0).requiresGrad(true);
    Functional.hardtanh(x).sum().backward();
    assertEquals(List.of(0.0, 1.0, 0.0, 0.0), List.of(x.grad().get(0), x.grad().get(1),
        x.grad().get(2), x.grad().get(3)));
    Tensor nan = Functional.hardtanh(Tensor.of(Double.NaN));
    assertTrue(Double.isNaN(nan.get(0)), "hardtanh keeps NaN");
  }

  @Test
  void hardtanh_rejectsAnEmptyRange() {
    assertEquals("Hardtanh: minVal 2.0 is greater than maxVal 1.0 (or one is NaN)",
        assertThrows(IllegalArgumentException.class, () -> new Hardtanh(2, 1)).getMessage());
    assertEquals("hardtanh: min 2.0 is greater than max 1.0 (or one is NaN)",
        assertThrows(IllegalArgumentException.class,
            () -> Functional.hardtanh(Tensor.of(0.0), 2, 1)).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new Hardtanh(Double.NaN, 1))
        .getMessage().startsWith("Hardtanh: "));
  }

  @Test
  void logSigmoid_isExactAtExtremes_andItsGradientIsSigmoidOfMinusX() {
    Tensor x = Tensor.of(-1000.0, -40.0, 0.0, 40.0, 1000.0).requiresGrad(true);
    Tensor y = Functional.logSigmoid(x);
    assertEquals(-1000.0, y.get(0), 0.0);
    // log(sigmoid(-40)) = -40 - log1p(e^-40); log(sigmoid(40)) = -log1p(e^-40) ~ -e^-40.
    assertEquals(-40 - Math.exp(-40), y.get(1), 1e-14);
    assertEquals(-Math.log(2), y.get(2), 1e-16);
    assertEquals(-Math.exp(-40), y.get(3), Math.exp(-40) * 1e-15);
    assertEquals(0.0, y.get(4), 0.0);
    y.sum().backward();
    double[] want = {1, 1 / (1 + Math.exp(-40)), 0.5, Math.exp(-40) / (1 + Math.exp(-40)), 0};
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], x.grad().get(i), 1e-15 * Math.max(want[i], 1e-300), "at " + x.get(i));
    }
  }

  @Test
  void silu_matchesXTimesSigmoid_andItsDerivative() {
    Tensor x = Tensor.of(-2.0, 0.0, 3.0).requiresGrad(true);
    Functional.silu(x).sum().backward();
    for (int i = 0; i < 3; i++) {
      double v = x.get(i);
      double s = 1 / (1 + Math.exp(-v));
      assertEquals(s * (1 + v * (1 - s)), x.grad().get(i), 1e-15, "silu'(" + v + ")");
    }
  }

  @Test
  void elu_largePositiveInputsGiveFiniteGradients() {
    Tensor x = Tensor.of(-800.0, 800.0).requiresGrad(true);
    Functional.elu(x, 1.0).sum().backward();
    assertEquals(0.0, x.grad().get(0), 0.0);
    assertEquals(1.0, x.grad().get(1), 0.0);
  }

  @Test
  void leakyRelu_derivativeAtZeroIsTheSlope() {
    Tensor x = Tensor.of(0.0).requiresGrad(true);
    Functional.leakyRelu(x, 0.2).sum().backward();
    assertEquals(0.2, x.grad().get(0), 0.0);
  }

  @Test
  void softmax_rowsSumToOneEvenForLargeLogits() {
    Tensor x = Tensor.of(new double[][] {{1000, 1001, 1002}, {-1000, 0, 1000}});
    Tensor p = new Softmax(1).forward(x);
    for (int r = 0; r < 2; r++) {
      // exp(x - logsumexp(x)): logsumexp ~ 1002 carries an absolute rounding error of ~1e-13.
      assertEquals(1.0, p.get(r, 0) + p.get(r, 1) + p.get(r, 2), 1e-12);
    }
    Tensor lp = new LogSoftmax(-1).forward(x);
    double lse = 1002 + Math.log(Math.exp(-2) + Math.exp(-1) + 1);
    assertEquals(1000 - lse, lp.get(0, 0), 1e-12);
    assertTrue(lp.exp().allClose(p, 1e-12, 1e-15));
  }

  @Test
  void softmax_badAxis_isAShapeError() {
    ShapeException e = assertThrows(ShapeException.class, () -> new Softmax(2).forward(Tensor.zeros(2, 3)));
    assertTrue(e.getMessage().startsWith("softmax: axis 2 is out of range"), e::getMessage);
  }

  @Test
  void constructors_rejectBadHyperparameters() {
    assertEquals("Softplus: beta must be positive and finite, got 0.0",
        assertThrows(IllegalArgumentException.class, () -> new Softplus(0, 20)).getMessage());
    assertEquals("LeakyReLU: negative slope must be finite, got NaN",
        assertThrows(IllegalArgumentException.class, () -> new LeakyReLU(Double.NaN)).getMessage());
    assertEquals("ELU: alpha must be finite, got Infinity",
        assertThrows(IllegalArgumentException.class, () -> new ELU(Double.POSITIVE_INFINITY)).getMessage());
    assertEquals("GELU: approximation is null",
        assertThrows(NullPointerException.class, () -> new GELU(null)).getMessage());
  }

  @Test
  void toString_showsHyperparameters() {
    List<String> got = List.of(new Sigmoid().toString(), new Tanh().toString(), new ReLU().toString(),
        new LeakyReLU().toString(), new ELU().toString(), new GELU().toString(),
        new GELU(GeluApproximation.TANH).toString(), new Softplus().toString(),
        new Softmax(-1).toString(), new LogSoftmax(1).toString(), new SiLU().toString(),
        new LogSigmoid().toString(), new Hardtanh().toString(), new Hardtanh(-2, 0.5).toString());
    assertEquals(List.of("Sigmoid()", "Tanh()", "ReLU()", "LeakyReLU(slope=0.01)", "ELU(alpha=1.0)",
        "GELU(approximate=none)", "GELU(approximate=tanh)", "Softplus(beta=1.0, threshold=20.0)",
        "Softmax(axis=-1)", "LogSoftmax(axis=1)", "SiLU()", "LogSigmoid()",
        "Hardtanh(minVal=-1.0, maxVal=1.0)", "Hardtanh(minVal=-2.0, maxVal=0.5)"), got);
  }
}
