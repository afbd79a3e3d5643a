package dev.cadena.nn;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.autograd.GradCheck;
import dev.cadena.nn.Functional.GeluApproximation;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Gradient checks (float64, central differences) of every module in dev.cadena.nn, with respect to
 * its input and to its parameters. A coverage test finds every concrete Module subclass in the
 * package and fails when one has no sample here, so a new layer cannot skip its check.
 */
class ModuleGradCheckTest {
  /** A module factory (seeded, so each call builds the same module) and an input shape. */
  static final class Sample {
    final String name;
    final Supplier<Module> factory;
    final int[] shape;

    Sample(String name, Supplier<Module> factory, int... shape) {
      this.name = name;
      this.factory = factory;
      this.shape = shape;
    }

    Class<?> type() {
      return factory.get().getClass();
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static List<Sample> samples() {
    List<Sample> s = new ArrayList<>();
    s.add(new Sample("Linear [3, 4] -> 5", () -> new Linear(4, 5, true, new SplittableRandom(1)), 3, 4));
    s.add(new Sample("Linear batched [2, 3, 4], no bias", () -> new Linear(4, 2, false, new SplittableRandom(2)), 2, 3, 4));
    s.add(new Sample("Linear 1-d input", () -> new Linear(4, 3, true, new SplittableRandom(3)), 4));
    s.add(new Sample("Linear", () -> new Linear(3, 2, true, new SplittableRandom(4)), 5, 3));
    s.add(new Sample("Sequential Linear-Tanh-Linear", () -> {
      SplittableRandom r = new SplittableRandom(5);
      return new Sequential(new Linear(3, 4, true, r), new Tanh(), new Linear(4, 2, true, r));
    }, 4, 3));
    s.add(new Sample("Sigmoid", Sigmoid::new, 3, 4));
    s.add(new Sample("Tanh", Tanh::new, 3, 4));
    s.add(new Sample("ReLU", ReLU::new, 3, 4));
    s.add(new Sample("LeakyReLU(0.2)", () -> new LeakyReLU(0.2), 3, 4));
    s.add(new Sample("ELU(1.5)", () -> new ELU(1.5), 3, 4));
    s.add(new Sample("GELU erf", GELU::new, 3, 4));
    s.add(new Sample("GELU tanh", () -> new GELU(GeluApproximation.TANH), 3, 4));
    s.add(new Sample("Softplus(1, 20)", Softplus::new, 3, 4));
    s.add(new Sample("Softplus(2, 1) (threshold crossed)", () -> new Softplus(2.0, 1.0), 3, 4));
    s.add(new Sample("SiLU", SiLU::new, 3, 4));
    s.add(new Sample("LogSigmoid", LogSigmoid::new, 3, 4));
    s.add(new Sample("Hardtanh", Hardtanh::new, 3, 4));
    s.add(new Sample("Hardtanh(-0.5, 0.7)", () -> new Hardtanh(-0.5, 0.7), 3, 4));
    s.add(new Sample("Softmax(1)", () -> new Softmax(1), 3, 4));
    s.add(new Sample("Softmax(0)", () -> new Softmax(0), 3, 4));
    s.add(new Sample("LogSoftmax(-1)", () -> new LogSoftmax(-1), 2, 3, 4));
    s.add(new Sample("Dropout(0.3), fixed seed", () -> new Dropout(0.3, new SplittableRandom(7)), 4, 5));
    s.add(new Sample("BatchNorm1d train [N, C]", () -> affineBatchNorm(3), 6, 3));
    s.add(new Sample("BatchNorm1d train [N, C, L]", () -> affineBatchNorm(2), 3, 2, 4));
    s.add(new Sample("BatchNorm1d eval", () -> {
      BatchNorm1d bn = affineBatchNorm(3);
      bn.forward(Tensor.randn(new SplittableRandom(8), 5, 3));
      bn.eval();
      return bn;
    }, 4, 3));
    s.add(new Sample("LayerNorm(4)", () -> affineLayerNorm(new int[] {4}), 3, 4));
    s.add(new Sample("LayerNorm(3, 4)", () -> affineLayerNorm(new int[] {3, 4}), 2, 3, 4));
    // Recurrent layers at T=3, B=2, F=3, H=2: gradients through time.
    s.add(new Sample("RNNCell tanh [2, 3] -> 2", () -> new RNNCell(3, 2, new SplittableRandom(11)), 2, 3));
    s.add(new Sample("RNNCell relu, no bias, 1-d input", () -> new RNNCell(3, 2, false,
        RNN.Nonlinearity.RELU, dev.cadena.tensor.DType.FLOAT64, new SplittableRandom(12)), 3));
    s.add(new Sample("LSTMCell [2, 3] -> 2", () -> new LSTMCell(3, 2, new SplittableRandom(13)), 2, 3));
    s.add(new Sample("GRUCell [2, 3] -> 2", () -> new GRUCell(3, 2, new SplittableRandom(14)), 2, 3));
    s.add(new Sample("RNN tanh [3, 2, 3]", () -> new RNN(3, 2, new SplittableRandom(15)), 3, 2, 3));
    s.add(new Sample("RNN relu, 2 layers, bidirectional", () -> new RNN(3, 2, 2, RNN.Nonlinearity.RELU,
        true, false, 0.0, true, new SplittableRandom(16)), 3, 2, 3));
    s.add(new Sample("LSTM 2 layers [3, 2, 3]", () -> new LSTM(3, 2, 2, new SplittableRandom(17)), 3, 2, 3));
    s.add(new Sample("LSTM batchFirst, bidirectional [2, 3, 3]", () -> new LSTM(3, 2, 1, true, true, 0.0,
        true, new SplittableRandom(18)), 2, 3, 3));
    s.add(new Sample("GRU 2 layers [3, 2, 3]", () -> new GRU(3, 2, 2, new SplittableRandom(20)), 3, 2, 3));
    s.add(new Sample("GRU unbatched, bidirectional [3, 3]", () -> new GRU(3, 2, 1, true, false, 0.0,
        true, new SplittableRandom(21)), 3, 3));
    // Convolution and pooling (h6); more against naive loops in ConvolutionTest.
    s.add(new Sample("Conv2d stride, padding, dilation, groups", () -> new Conv2d(4, 2,
        new int[] {2, 3}, new int[] {2, 1}, new int[] {1, 0}, new int[] {1, 2}, 2, true,
        dev.cadena.tensor.DType.FLOAT64, new SplittableRandom(11)), 2, 4, 5, 7));
    s.add(new Sample("Conv2d 'same'", () -> new Conv2d(1, 2, new int[] {2}, new int[] {1}, "same",
        new int[] {1}, 1, false, dev.cadena.tensor.DType.FLOAT64, new SplittableRandom(12)), 1, 1, 3, 4));
    s.add(new Sample("Conv1d", () -> new Conv1d(2, 3, 3, 1, 1, 2, 1, true,
        dev.cadena.tensor.DType.FLOAT64, new SplittableRandom(13)), 2, 2, 6));
    s.add(new Sample("MaxPool2d(3, 2, 1)", () -> new MaxPool2d(new int[] {3}, new int[] {2},
        new int[] {1}, new int[] {1}), 2, 2, 5, 6));
    s.add(new Sample("AvgPool2d(2)", () -> new AvgPool2d(2), 1, 2, 4, 6));
    s.add(new Sample("AdaptiveAvgPool2d(2, 3)", () -> new AdaptiveAvgPool2d(new int[] {2, 3}), 2, 1, 5, 4));
    // Pooling options (h2); against PyTorch in PoolingOptionsTest.
    s.add(new Sample("MaxPool2d(3, 2, 1, ceil_mode)", () -> new MaxPool2d(new int[] {3}, new int[] {2},
        new int[] {1}, new int[] {1}, true), 1, 2, 6, 5));
    s.add(new Sample("AvgPool2d(3, 2, 1, ceil_mode, count_include_pad=False)", () -> new AvgPool2d(
        new int[] {3}, new int[] {2}, new int[] {1}, true, false, null), 1, 2, 6, 5));
    s.add(new Sample("AvgPool2d(2, divisor_override=3)", () -> new AvgPool2d(new int[] {2}, null,
        new int[] {1}, true, true, 3), 1, 2, 4, 5));
    s.add(new Sample("MaxPool1d(3, 2, 1, ceil_mode)", () -> new MaxPool1d(3, 2, 1, 1, true), 2, 2, 6));
    s.add(new Sample("AvgPool1d(3, 2, 1, ceil_mode)", () -> new AvgPool1d(3, 2, 1, true, true), 2, 2, 6));
    s.add(new Sample("AdaptiveAvgPool1d(3)", () -> new AdaptiveAvgPool1d(3), 2, 2, 7));
    s.add(new Sample("AdaptiveMaxPool2d(2, 3)", () -> new AdaptiveMaxPool2d(new int[] {2, 3}), 2, 1, 5, 4));
    s.add(new Sample("Conv1d 'same'", () -> new Conv1d(2, 3, 4, 1, "same", 1, 1, true,
        dev.cadena.tensor.DType.FLOAT64, new SplittableRandom(15)), 2, 2, 6));
    s.add(new Sample("BatchNorm2d train", () -> {
      BatchNorm2d bn = new BatchNorm2d(2);
      SplittableRandom r = new SplittableRandom(14);
      Init.uniform(bn.weight(), 0.5, 1.5, r);
      Init.uniform(bn.bias(), -0.5, 0.5, r);
      return bn;
    }, 3, 2, 2, 3));
    s.add(new Sample("Dropout2d(0.4), fixed seed", () -> new Dropout2d(0.4, new SplittableRandom(15)), 2, 4, 2, 2));
    s.add(new Sample("Flatten", Flatten::new, 2, 3, 2));
    s.add(new Sample("Unflatten", () -> new Unflatten(-1, 2, 3), 2, 6));
    s.add(new Sample("Identity", Identity::new, 3));
    return s;
  }

  /** Non-trivial weight and bias, so their gradients are checked away from ones and zeros. */
  private static BatchNorm1d affineBatchNorm(int c) {
    BatchNorm1d bn = new BatchNorm1d(c);
    SplittableRandom r = new SplittableRandom(9);
    Init.uniform(bn.weight(), 0.5, 1.5, r);
    Init.uniform(bn.bias(), -0.5, 0.5, r);
    return bn;
  }

  private static LayerNorm affineLayerNorm(int[] shape) {
    LayerNorm ln = new LayerNorm(shape);
    SplittableRandom r = new SplittableRandom(10);
    Init.uniform(ln.weight(), 0.5, 1.5, r);
    Init.uniform(ln.bias(), -0.5, 0.5, r);
    return ln;
  }

  private static Tensor input(Sample s) {
    return Tensor.uniform(new SplittableRandom(s.name.hashCode()), -2, 2, s.shape).requiresGrad(true);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void forward_inputGradientMatchesFiniteDifferences(Sample s) {
    // A fresh module per evaluation: seeded construction makes them identical (and gives Dropout
    // the same mask every time).
    GradCheck.Report r = GradCheck.check(in -> s.factory.get().forward(in[0]), input(s));
    assertTrue(r.passed(), () -> s + ": " + r);
  }

  static Stream<Sample> samplesWithParameters() {
    return samples().stream().filter(s -> !s.factory.get().parameters().isEmpty());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samplesWithParameters")
  void forward_parameterGradientsMatchFiniteDifferences(Sample s) {
    Module m = s.factory.get();
    String problems = ParameterGradCheck.check(m, input(s).detach(), 1e-6, 1e-5, 1e-3);
    assertNull(problems, () -> s + ":\n" + problems);
  }

  @Test
  void coverage_everyModuleInThePackageHasASample() throws IOException, URISyntaxException {
    Path dir = Paths.get(Module.class.getResource("Module.class").toURI()).getParent();
    Set<String> modules = new TreeSet<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.collect(Collectors.toList())) {
        String f = p.getFileName().toString();
        if (!f.endsWith(".class") || f.contains("$")) {
          continue;
        }
        Class<?> c;
        try {
          c = Class.forName("dev.cadena.nn." + f.substring(0, f.length() - 6));
        } catch (ClassNotFoundException e) {
          throw new AssertionError(e);
        }
        if (Module.class.isAssignableFrom(c) && !Modifier.isAbstract(c.getModifiers())
            && Modifier.isPublic(c.getModifiers())) {
          modules.add(c.getSimpleName());
        }
      }
    }
    Set<String> covered = samples().stream().map(s -> s.type().getSimpleName()).collect(Collectors.toSet());
    // Containers have no forward; Embedding's input is int64 indices (its weight gradient is
    // checked in ConvolutionTest).
    covered.addAll(Set.of("ModuleList", "ModuleDict", "Embedding"));
    modules.removeAll(covered);
    assertTrue(modules.isEmpty(), () -> "modules without gradient-check samples: " + modules);
  }
}
