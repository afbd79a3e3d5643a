package dev.cadena.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Gradients lent to VJPs to overwrite ({@link Node#mayOverwriteGrad}, the fast path) against
 * passes without lending (the reference path): the same bits everywhere, and nothing the engine
 * does not hold alone is ever written: a caller's gradient, a gradient returned by {@code
 * Tensor.grad}, a retained gradient, a leaf's, a custom function's result.
 */
class GradLendingTest {

  private static long[] bits(Tensor t) {
    return TwoWays.bits(t);
  }

  /** Runs {@code f} with lending on, then off, and returns both results. */
  private static <T> List<T> bothWays(Supplier<T> f) {
    return TwoWays.bothWays(Engine::setLending, f);
  }

  /**
   * A random graph over the ops that lend and borrow (x * c, x / c, x + c, tanh, sigmoid, relu,
   * exp, a * b, a / b) and the ones that do not (sums of a value used twice, reshape), from two
   * leaves.
   */
  private static Tensor randomGraph(long seed, Tensor a, Tensor b) {
    SplittableRandom rng = new SplittableRandom(seed);
    List<Tensor> values = new ArrayList<>(List.of(a, b));
    for (int k = 0; k < 40; k++) {
      Tensor x = values.get(rng.nextInt(values.size()));
      Tensor y;
      switch (rng.nextInt(12)) {
        case 0 -> y = x.mul(rng.nextDouble(-2, 2));
        case 1 -> y = x.div(rng.nextDouble(0.5, 2));
        case 2 -> y = x.add(rng.nextDouble(-1, 1));
        case 3 -> y = x.tanh();
        case 4 -> y = x.mul(values.get(rng.nextInt(values.size())));
        case 5 -> y = x.add(x);
        case 6 -> y = x.sub(0.25).reshape(3, 2).reshape(6);
        case 8 -> y = x.sigmoid();
        case 9 -> y = x.relu().add(x.mul(0.1)); // relu's mask and a second consumer of x
        case 10 -> y = x.tanh().exp(); // bounded, so that chains of exp stay finite
        case 11 -> y = x.div(values.get(rng.nextInt(values.size())).tanh().add(2.0)); // in [1, 3]
        default -> y = x.neg().tanh();
      }
      values.add(y);
    }
    Tensor loss = values.get(values.size() - 1).add(a.mul(b).tanh()); // both leaves reached
    for (int k = 0; k < 4; k++) {
      loss = loss.add(values.get(rng.nextInt(values.size())).tanh());
    }
    return loss.mul(Tensor.randn(new SplittableRandom(seed + 1), DType.FLOAT64, 6)).sum();
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void backward_randomGraphs_sameBitsWithAndWithoutLending(long seed) {
    Tensor a = Tensor.randn(new SplittableRandom(seed * 31), DType.FLOAT64, 6).requiresGrad(true);
    Tensor b = Tensor.randn(new SplittableRandom(seed * 37), DType.FLOAT64, 6).requiresGrad(true);
    List<long[][]> r = bothWays(() -> {
      a.setGrad(null);
      b.setGrad(null);
      randomGraph(seed, a, b).backward();
      return new long[][] {bits(a.grad()), bits(b.grad())};
    });
    assertArrayEquals(r.get(1)[0], r.get(0)[0], "a");
    assertArrayEquals(r.get(1)[1], r.get(0)[1], "b");
    List<long[][]> g = bothWays(() -> {
      List<Tensor> gs = Tensor.grad(randomGraph(seed, a, b), List.of(a, b), false);
      return new long[][] {bits(gs.get(0)), bits(gs.get(1))};
    });
    assertArrayEquals(g.get(1)[0], g.get(0)[0], "grad a");
    assertArrayEquals(g.get(1)[1], g.get(0)[1], "grad b");
  }

  @ParameterizedTest(name = "n = {0}")
  @ValueSource(ints = {16, 20_000})
  void backward_chainLikeW3_sameBitsWithAndWithoutLending_andFloat32(int n) {
    // 20,000 elements is past the scalar kernel's size: the in-place op takes the general path.
    for (DType dtype : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
      Tensor x = Tensor.randn(new SplittableRandom(3), dtype, n).requiresGrad(true);
      List<long[]> r = bothWays(() -> {
        x.setGrad(null);
        Tensor y = x;
        for (int i = 0; i < (n > 1000 ? 40 : 400); i++) {
          switch (i & 3) {
            case 0 -> y = y.mul(1.0001);
            case 1 -> y = y.add(0.001);
            case 2 -> y = y.tanh();
            default -> y = y.mul(0.999);
          }
        }
        y.sum().backward();
        return bits(x.grad());
      });
      assertArrayEquals(r.get(1), r.get(0), dtype.toString());
    }
  }

  @ParameterizedTest(name = "n = {0}")
  @ValueSource(ints = {16, 20_000})
  void backward_chainOfActivations_sameBitsWithAndWithoutLending_andFloat32(int n) {
    // sigmoid, relu, exp and a * b each overwrite the gradient lent to them; mul(c) lends them
    // its own. The two-input mul has both inputs wanted (the scale is a leaf), one broadcast.
    for (DType dtype : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
      Tensor x = Tensor.randn(new SplittableRandom(4), dtype, n).requiresGrad(true);
      Tensor scale = Tensor.full(0.3, dtype, 1).requiresGrad(true);
      List<long[]> r = bothWays(() -> {
        x.setGrad(null);
        scale.setGrad(null);
        Tensor y = x;
        for (int i = 0; i < 40; i++) {
          switch (i & 3) {
            case 0 -> y = y.mul(1.5).sub(0.5);
            case 1 -> y = y.sigmoid();
            case 2 -> y = y.mul(4.0).sub(1.0).relu();
            default -> y = y.exp().mul(scale);
          }
        }
        y.mul(Tensor.randn(new SplittableRandom(9), dtype, n)).sum().backward();
        long[] both = java.util.Arrays.copyOf(bits(x.grad()), n + 1);
        both[n] = bits(scale.grad())[0];
        return both;
      });
      assertArrayEquals(r.get(1), r.get(0), dtype.toString());
      // The chain must not die in a ReLU, or a wrong in-place pass would go unnoticed.
      long nonZero = java.util.Arrays.stream(r.get(0)).filter(b -> b != 0 && b != Long.MIN_VALUE)
          .count();
      assertTrue(nonZero > n / 4, "non-zero gradient elements: " + nonZero + " of " + n);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"float64", "float32"})
  void backward_mlpWithFusedLinearReLU_sameBitsWithAndWithoutLending(String dt) {
    // Each Linear followed by a ReLU is one fused node; the layer above lends it dx, which its
    // ReLU mask overwrites. Two steps, so the second reuses the weights' gradient buffers.
    DType dtype = DType.parse(dt);
    List<List<long[]>> r = bothWays(() -> {
      SplittableRandom rng = new SplittableRandom(5);
      dev.cadena.nn.Sequential net = new dev.cadena.nn.Sequential(
          new dev.cadena.nn.Linear(12, 9, true, dtype, rng), new dev.cadena.nn.ReLU(),
          new dev.cadena.nn.Linear(9, 7, true, dtype, rng), new dev.cadena.nn.ReLU(),
          new dev.cadena.nn.Linear(7, 3, true, dtype, rng));
      Tensor x = Tensor.randn(rng, dtype, 5, 12);
      Tensor labels = Tensor.ofLongs(0, 2, 1, 1, 0);
      List<long[]> out = new ArrayList<>();
      for (int step = 0; step < 2; step++) {
        for (Tensor p : net.parameters()) {
          p.zeroGrad();
        }
        dev.cadena.nn.Loss.crossEntropy(net.forward(x), labels).backward();
        for (Tensor p : net.parameters()) {
          out.add(bits(p.grad()));
        }
      }
      return out;
    });
    assertEquals(r.get(1).size(), r.get(0).size());
    for (int i = 0; i < r.get(0).size(); i++) {
      assertArrayEquals(r.get(1).get(i), r.get(0).get(i), "parameter gradient " + i);
    }
  }

  @Test
  void backward_callersGradient_isNeverOverwritten() {
    Tensor x = Tensor.of(0.5, -1.5, 2.0).requiresGrad(true);
    Tensor g = Tensor.of(1.0, 2.0, 3.0);
    x.mul(2.0).mul(3.0).add(1.0).tanh().mul(0.5).backward(g);
    assertArrayEquals(new double[] {1.0, 2.0, 3.0}, g.toDoubleArray());
    // The leaf's gradient does not share the caller's storage either.
    assertNotSame(g.data().storageKey(), x.grad().data().storageKey());
  }

  @Test
  void grad_capturedIntermediate_isNotOverwrittenByItsOwnVjp() {
    Tensor x = Tensor.of(0.3, -0.7).requiresGrad(true);
    List<List<double[]>> r = bothWays(() -> {
      Tensor z = x.mul(2.0);
      Tensor w = z.mul(3.0).tanh().mul(4.0);
      List<Tensor> gs = Tensor.grad(w.sum(), List.of(z, x), false);
      return List.of(gs.get(0).toDoubleArray(), gs.get(1).toDoubleArray());
    });
    assertArrayEquals(r.get(1).get(0), r.get(0).get(0), "dz");
    assertArrayEquals(r.get(1).get(1), r.get(0).get(1), "dx");
    // dz = 12 (1 - tanh^2(6x)), dx = 2 dz: independent of either path.
    for (int i = 0; i < 2; i++) {
      double t = Math.tanh(6 * x.get(i));
      assertEquals(12 * (1 - t * t), r.get(0).get(0)[i], 1e-12);
      assertEquals(24 * (1 - t * t), r.get(0).get(1)[i], 1e-12);
    }
  }

  @Test
  void backward_retainedGradient_isNotOverwritten() {
    Tensor x = Tensor.of(0.3, -0.7).requiresGrad(true);
    List<double[]> r = bothWays(() -> {
      Tensor z = x.mul(2.0).retainGrad();
      z.mul(3.0).tanh().mul(4.0).sum().backward();
      double[] v = z.grad().toDoubleArray();
      x.setGrad(null);
      return v;
    });
    assertArrayEquals(r.get(1), r.get(0));
    double t = Math.tanh(6 * 0.3);
    assertEquals(12 * (1 - t * t), r.get(0)[0], 1e-12);
  }

  @Test
  void backward_customFunctionResult_isNotLent() {
    // A backward that returns a tensor the user still holds: no later VJP may write into it.
    Tensor held = Tensor.of(5.0, 7.0);
    Function returnsHeld = new Function("returnsHeld") {
      @Override
      protected Tensor forward(Context ctx, Tensor... in) {
        return in[0].mul(1.0);
      }

      @Override
      protected Tensor[] backward(Context ctx, Tensor grad) {
        return new Tensor[] {held};
      }
    };
    Tensor x = Tensor.of(1.0, 2.0).requiresGrad(true);
    returnsHeld.apply(x.mul(3.0).tanh().mul(2.0)).sum().backward();
    assertArrayEquals(new double[] {5.0, 7.0}, held.toDoubleArray());
    assertEquals(0, held.version());
  }

  @Test
  void backward_retainGraphTwice_sameBitsWithAndWithoutLending() {
    Tensor x = Tensor.of(0.1, 0.2, -0.3).requiresGrad(true);
    List<long[]> r = bothWays(() -> {
      x.setGrad(null);
      Tensor loss = x.mul(2.0).tanh().add(0.5).mul(x).div(3.0).tanh().sum();
      loss.backward(true);
      loss.backward(true);
      return bits(x.grad());
    });
    assertArrayEquals(r.get(1), r.get(0));
  }

  @Test
  void secondOrder_createGraph_sameBitsWithAndWithoutLending() {
    Tensor x = Tensor.of(0.1, 0.2, -0.3).requiresGrad(true);
    List<long[]> r = bothWays(() -> {
      Tensor g = Tensor.grad(x.mul(2.0).tanh().mul(1.5).tanh().sum(), List.of(x), true).get(0);
      return bits(Tensor.grad(g.mul(x).sum(), List.of(x), false).get(0));
    });
    assertArrayEquals(r.get(1), r.get(0));
  }

  @Test
  void lending_happens_andOnlyInsideTheVjp() {
    // x -> probe -> mul(3) -> tanh -> sum: tanh's result is fresh, so mul(3) is lent it and
    // scales it in place (its version counter moves), and the probe receives that tensor.
    int[] versionSeen = new int[1];
    Function probe = new Function("probe") {
      @Override
      protected Tensor forward(Context ctx, Tensor... in) {
        return in[0].mul(1.0);
      }

      @Override
      protected Tensor[] backward(Context ctx, Tensor grad) {
        versionSeen[0] = grad.version();
        return new Tensor[] {grad.mul(1.0)};
      }
    };
    Tensor x = Tensor.of(0.5, -0.25).requiresGrad(true);
    List<Integer> seen = bothWays(() -> {
      Tensor p = probe.apply(x);
      Tensor m = p.mul(3.0);
      Node n = m.gradFn();
      assertFalse(n.mayOverwriteGrad());
      m.tanh().sum().backward(true);
      assertFalse(n.mayOverwriteGrad());
      return versionSeen[0];
    });
    assertEquals(1, seen.get(0), "lent: scaled in place");
    assertEquals(0, seen.get(1), "not lent: a new array");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"sigmoid", "relu", "exp", "mul", "div"})
  void lending_happens_forActivationsMulAndDiv(String op) {
    // x -> probe -> op -> mul(3) -> sum: mul(3)'s result is fresh, so op is lent it and writes
    // its VJP into it (one version bump), and the probe receives that tensor.
    int[] versionSeen = new int[1];
    Function probe = new Function("probe") {
      @Override
      protected Tensor forward(Context ctx, Tensor... in) {
        return in[0].mul(1.0);
      }

      @Override
      protected Tensor[] backward(Context ctx, Tensor grad) {
        versionSeen[0] = grad.version();
        return new Tensor[] {grad.mul(1.0)};
      }
    };
    Tensor x = Tensor.of(0.5, -0.25, 1.5).requiresGrad(true);
    List<double[]> got = bothWays(() -> {
      x.setGrad(null);
      Tensor p = probe.apply(x);
      Tensor a = switch (op) {
        case "sigmoid" -> p.sigmoid();
        case "relu" -> p.relu();
        case "exp" -> p.exp();
        case "mul" -> p.mul(Tensor.of(2.0, -0.5, 4.0)); // a constant b: only a's gradient wanted
        default -> p.div(Tensor.of(2.0, -0.5, 4.0));
      };
      a.mul(3.0).sum().backward();
      return new double[] {versionSeen[0], x.grad().get(0), x.grad().get(1), x.grad().get(2)};
    });
    assertEquals(1, got.get(0)[0], "lent: written in place");
    assertEquals(0, got.get(1)[0], "not lent: a new array");
    // d/dx of 3 f(x), by hand: 3 s(1 - s), 3 [x > 0], 3 e^x, 3 b, 3 / b.
    double[] xs = {0.5, -0.25, 1.5};
    double[] bs = {2.0, -0.5, 4.0};
    for (int i = 0; i < 3; i++) {
      double s = 1 / (1 + Math.exp(-xs[i]));
      double want = switch (op) {
        case "sigmoid" -> 3 * s * (1 - s);
        case "relu" -> xs[i] > 0 ? 3 : 0;
        case "exp" -> 3 * Math.exp(xs[i]);
        case "mul" -> 3 * bs[i];
        default -> 3 / bs[i];
      };
      assertEquals(want, got.get(0)[i + 1], 1e-12, op + " lent, element " + i);
      assertEquals(want, got.get(1)[i + 1], 1e-12, op + " not lent, element " + i);
    }
  }
}
