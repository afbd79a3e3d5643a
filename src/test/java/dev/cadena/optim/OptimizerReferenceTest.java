package dev.cadena.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Five steps of every optimiser against the published update equations, evaluated here on plain
 * double arrays, one reference per parameter. The gradients are fixed random sequences set with
 * {@code setGrad}, so a mistake in the optimiser cannot leak into the reference through the loss.
 */
class OptimizerReferenceTest {
  private static final int STEPS = 5;
  private static final int[][] SHAPES = {{2, 3}, {4}, {1}};

  /** One parameter's optimiser, written from the paper or PyTorch docs; {@code t} starts at 1. */
  interface Reference {
    void step(int t, double[] p, double[] grad);
  }

  static final class Case {
    final String name;
    final Function<List<Tensor>, Optimizer> make;
    final Supplier<Reference> reference;

    Case(String name, Function<List<Tensor>, Optimizer> make, Supplier<Reference> reference) {
      this.name = name;
      this.make = make;
      this.reference = reference;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> cases() {
    List<Case> cases = List.of(
        new Case("sgd", ps -> SGD.builder(ps).lr(0.1).build(),
            () -> sgd(0.1, 0, 0, 0, false)),
        new Case("sgd weight decay", ps -> SGD.builder(ps).lr(0.1).weightDecay(0.05).build(),
            () -> sgd(0.1, 0, 0, 0.05, false)),
        new Case("sgd momentum", ps -> SGD.builder(ps).lr(0.05).momentum(0.9).build(),
            () -> sgd(0.05, 0.9, 0, 0, false)),
        new Case("sgd momentum dampening weight decay",
            ps -> SGD.builder(ps).lr(0.05).momentum(0.8).dampening(0.3).weightDecay(0.01).build(),
            () -> sgd(0.05, 0.8, 0.3, 0.01, false)),
        new Case("sgd nesterov", ps -> SGD.builder(ps).lr(0.05).momentum(0.9).nesterov(true).build(),
            () -> sgd(0.05, 0.9, 0, 0, true)),
        new Case("sgd nesterov weight decay",
            ps -> SGD.builder(ps).lr(0.05).momentum(0.7).nesterov(true).weightDecay(0.02).build(),
            () -> sgd(0.05, 0.7, 0, 0.02, true)),
        new Case("adam", ps -> Adam.builder(ps).lr(0.01).build(),
            () -> adam(0.01, 0.9, 0.999, 1e-8, 0, false)),
        new Case("adam weight decay betas eps",
            ps -> Adam.builder(ps).lr(0.02).betas(0.8, 0.99).eps(1e-6).weightDecay(0.1).build(),
            () -> adam(0.02, 0.8, 0.99, 1e-6, 0.1, false)),
        new Case("adamw", ps -> AdamW.builder(ps).lr(0.01).weightDecay(0.1).build(),
            () -> adam(0.01, 0.9, 0.999, 1e-8, 0.1, true)),
        new Case("adamw default decay", ps -> AdamW.builder(ps).lr(0.03).build(),
            () -> adam(0.03, 0.9, 0.999, 1e-8, 0.01, true)),
        new Case("rmsprop", ps -> RMSprop.builder(ps).lr(0.01).build(),
            () -> rmsprop(0.01, 0.99, 1e-8, 0, 0, false)),
        new Case("rmsprop centered momentum weight decay",
            ps -> RMSprop.builder(ps).lr(0.01).alpha(0.9).eps(1e-6).weightDecay(0.05)
                .momentum(0.5).centered(true).build(),
            () -> rmsprop(0.01, 0.9, 1e-6, 0.05, 0.5, true)),
        new Case("rmsprop momentum", ps -> RMSprop.builder(ps).lr(0.01).momentum(0.9).build(),
            () -> rmsprop(0.01, 0.99, 1e-8, 0, 0.9, false)),
        new Case("adagrad", ps -> Adagrad.builder(ps).lr(0.1).build(),
            () -> adagrad(0.1, 0, 0, 0, 1e-10)),
        new Case("adagrad lr decay weight decay accumulator",
            ps -> Adagrad.builder(ps).lr(0.1).lrDecay(0.2).weightDecay(0.05)
                .initialAccumulatorValue(0.1).eps(1e-8).build(),
            () -> adagrad(0.1, 0.2, 0.05, 0.1, 1e-8)));
    List<Arguments> out = new ArrayList<>();
    for (Case c : cases) {
      out.add(Arguments.of(c, DType.FLOAT64));
      out.add(Arguments.of(c, DType.FLOAT32));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void testStep_matchesPublishedEquations(Case c, DType dtype) {
    SplittableRandom rng = new SplittableRandom(20240611L);
    List<Tensor> params = new ArrayList<>();
    List<double[]> expected = new ArrayList<>();
    List<Reference> refs = new ArrayList<>();
    for (int[] shape : SHAPES) {
      Tensor p = Tensor.randn(rng, dtype, shape).requiresGrad(true);
      params.add(p);
      expected.add(p.toDoubleArray());
      refs.add(c.reference.get());
    }
    Optimizer opt = c.make.apply(params);
    boolean f32 = dtype == DType.FLOAT32;
    for (int t = 1; t <= STEPS; t++) {
      for (int k = 0; k < params.size(); k++) {
        Tensor grad = Tensor.randn(rng, dtype, SHAPES[k]);
        params.get(k).setGrad(grad);
        refs.get(k).step(t, expected.get(k), grad.toDoubleArray());
      }
      opt.step();
      for (int k = 0; k < params.size(); k++) {
        assertClose(c + " " + dtype + " step " + t + " parameter " + k, expected.get(k),
            params.get(k).toDoubleArray(), f32 ? 2e-6 : 1e-12);
      }
    }
  }

  private static void assertClose(String what, double[] expected, double[] actual, double tol) {
    assertEquals(expected.length, actual.length, what + ": length");
    for (int i = 0; i < expected.length; i++) {
      double e = expected[i];
      if (!(Math.abs(e - actual[i]) <= tol * Math.max(1, Math.abs(e)))) {
        fail(what + ", element " + i + ": expected " + e + ", got " + actual[i]);
      }
    }
  }

  // -------------------------------------------------------------- references, one per algorithm

  /** torch.optim.SGD's algorithm box. */
  static Reference sgd(double lr, double mu, double dampening, double wd, boolean nesterov) {
    return new Reference() {
      double[] buf;

      @Override
      public void step(int t, double[] p, double[] grad) {
        if (buf == null) {
          buf = new double[p.length];
        }
        for (int i = 0; i < p.length; i++) {
          double g = grad[i];
          if (wd != 0) {
            g = g + wd * p[i];
          }
          if (mu != 0) {
            if (t > 1) {
              buf[i] = mu * buf[i] + (1 - dampening) * g;
            } else {
              buf[i] = g;
            }
            if (nesterov) {
              g = g + mu * buf[i];
            } else {
              g = buf[i];
            }
          }
          p[i] = p[i] - lr * g;
        }
      }
    };
  }

  /** Kingma and Ba's Algorithm 1; L2 in the gradient, or AdamW's decoupled decay first. */
  static Reference adam(double lr, double b1, double b2, double eps, double wd, boolean decoupled) {
    return new Reference() {
      double[] m;
      double[] v;

      @Override
      public void step(int t, double[] p, double[] grad) {
        if (m == null) {
          m = new double[p.length];
          v = new double[p.length];
        }
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

  /** torch.optim.RMSprop's algorithm box. */
  static Reference rmsprop(double lr, double alpha, double eps, double wd, double mu, boolean centered) {
    return new Reference() {
      double[] sq;
      double[] avg;
      double[] buf;

      @Override
      public void step(int t, double[] p, double[] grad) {
        if (sq == null) {
          sq = new double[p.length];
          avg = new double[p.length];
          buf = new double[p.length];
        }
        for (int i = 0; i < p.length; i++) {
          double g = grad[i] + wd * p[i];
          sq[i] = alpha * sq[i] + (1 - alpha) * g * g;
          double vTilde = sq[i];
          if (centered) {
            avg[i] = avg[i] * alpha + (1 - alpha) * g;
            vTilde = vTilde - avg[i] * avg[i];
          }
          if (mu > 0) {
            buf[i] = mu * buf[i] + g / (Math.sqrt(vTilde) + eps);
            p[i] = p[i] - lr * buf[i];
          } else {
            p[i] = p[i] - lr * g / (Math.sqrt(vTilde) + eps);
          }
        }
      }
    };
  }

  /** torch.optim.Adagrad's algorithm box. */
  static Reference adagrad(double lr, double lrDecay, double wd, double init, double eps) {
    return new Reference() {
      double[] sum;

      @Override
      public void step(int t, double[] p, double[] grad) {
        if (sum == null) {
          sum = new double[p.length];
          Arrays.fill(sum, init);
        }
        double clr = lr / (1 + (t - 1) * lrDecay);
        for (int i = 0; i < p.length; i++) {
          double g = grad[i] + wd * p[i];
          sum[i] = sum[i] + g * g;
          p[i] = p[i] - clr * g / (Math.sqrt(sum[i]) + eps);
        }
      }
    };
  }
}
