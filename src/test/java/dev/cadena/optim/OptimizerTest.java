package dev.cadena.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.autograd.AutogradException;
import dev.cadena.nn.Module;
import dev.cadena.tensor.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Behaviour shared by all optimisers: skipping, zeroGrad, versions, views, state, training. */
class OptimizerTest {

  @Test
  void testStep_skipsParametersWithoutGrad() {
    Tensor a = Tensor.of(1.0, 2.0).requiresGrad(true);
    Tensor b = Tensor.of(3.0, 4.0).requiresGrad(true);
    Optimizer opt = Adam.builder(List.of(a, b)).lr(0.1).build();
    b.setGrad(Tensor.of(1.0, -1.0));
    opt.step();
    assertArrayEquals(new double[] {1.0, 2.0}, a.toDoubleArray());
    assertEquals(0, opt.stepCount(0));
    assertEquals(1, opt.stepCount(1));
    assertFalse(opt.state(0).containsKey("exp_avg"), "no state before a parameter's first step");
    // Adam's first step moves every element by lr (m / sqrt(v) = sign(g) after bias correction).
    assertArrayEquals(new double[] {2.9, 4.1}, b.toDoubleArray(), 1e-8);
  }

  @Test
  void testZeroGrad_setsGradsToNull() {
    Tensor a = Tensor.of(1.0).requiresGrad(true);
    Optimizer opt = SGD.builder(List.of(a)).lr(0.1).build();
    a.mul(3.0).sum().backward();
    opt.zeroGrad();
    assertNull(a.grad());
  }

  @Test
  void testStep_withBackward_updatesInPlaceAndStaysALeaf() {
    Tensor w = Tensor.of(1.0, -2.0).requiresGrad(true);
    Optimizer opt = SGD.builder(List.of(w)).lr(0.25).build();
    w.pow(2).sum().backward(); // grad = 2w
    int before = w.version();
    opt.step();
    assertArrayEquals(new double[] {0.5, -1.0}, w.toDoubleArray(), 0);
    assertTrue(w.isLeaf());
    assertTrue(w.requiresGrad());
    assertEquals(before + 1, w.version(), "the step bumps the version counter");
  }

  @Test
  void testStep_invalidatesGraphRecordedBefore() {
    Tensor w = Tensor.of(0.5, 1.5).requiresGrad(true);
    Optimizer opt = SGD.builder(List.of(w)).lr(0.1).build();
    Tensor y = w.mul(w).sum(); // mul's VJP reads w
    w.setGrad(Tensor.of(1.0, 1.0));
    opt.step();
    AutogradException e = assertThrows(AutogradException.class, y::backward);
    assertTrue(e.getMessage().contains("modified"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"float64", "float32"})
  void testStep_nonContiguousParameter_writesThroughTheView(String dtypeName) {
    DType dtype = DType.parse(dtypeName);
    Tensor base = Tensor.fromArray(new double[] {1, 2, 3, 4, 5, 6}, 2, 3).to(dtype);
    Tensor view = base.t().requiresGrad(true); // shape [3, 2], strides [1, 3]
    assertFalse(view.data().isContiguous());
    Optimizer opt = SGD.builder(List.of(view)).lr(0.5).build();
    view.setGrad(Tensor.ones(dtype, 3, 2));
    int version = base.version();
    opt.step();
    assertArrayEquals(new double[] {0.5, 1.5, 2.5, 3.5, 4.5, 5.5}, base.toDoubleArray(), 0);
    assertTrue(base.version() > version);
  }

  @Test
  void testStep_broadcastGradient_readsEveryElement() {
    Tensor w = Tensor.of(1.0, 2.0, 3.0).requiresGrad(true);
    w.setGrad(Tensor.ones(1).expand(3)); // a stride-0 view of ones
    assertFalse(w.grad().data().isContiguous());
    SGD.builder(List.of(w)).lr(0.5).build().step();
    assertArrayEquals(new double[] {0.5, 1.5, 2.5}, w.toDoubleArray(), 0);
    assertArrayEquals(new double[] {1, 1, 1}, w.grad().toDoubleArray(), 0, "grad is not written");
  }

  @Test
  void testStep_sharedGradientTensor_isReadNotWritten() {
    Tensor a = Tensor.of(1.0, 2.0).requiresGrad(true);
    Tensor b = Tensor.of(3.0, 4.0).requiresGrad(true);
    a.add(b).mul(Tensor.of(1.0, 2.0)).sum().backward(); // add's VJP gives both the same tensor
    Optimizer opt = SGD.builder(List.of(a, b)).lr(0.1).momentum(0.9).build();
    opt.step();
    assertArrayEquals(new double[] {0.9, 1.8}, a.toDoubleArray(), 1e-15);
    assertArrayEquals(new double[] {2.9, 3.8}, b.toDoubleArray(), 1e-15);
  }

  @Test
  void testState_namesAndValues() {
    Tensor w = Tensor.of(1.0, 2.0).requiresGrad(true);
    SGD sgd = SGD.builder(List.of(w)).lr(0.1).momentum(0.9).build();
    assertEquals(Map.of("step", 0.0), Map.of("step", sgd.state(0).get("step").item()));
    w.setGrad(Tensor.of(0.5, -0.5));
    sgd.step();
    Map<String, Tensor> s = sgd.state(0);
    assertEquals(1.0, s.get("step").item());
    assertArrayEquals(new double[] {0.5, -0.5}, s.get("momentum_buffer").toDoubleArray(), 0);

    Tensor v = Tensor.of(1.0, 2.0).requiresGrad(true);
    RMSprop rms = RMSprop.builder(List.of(v)).centered(true).build();
    v.setGrad(Tensor.of(1.0, 1.0));
    rms.step();
    assertEquals(List.of("step", "square_avg", "grad_avg"), List.copyOf(rms.state(0).keySet()));
    assertThrows(IllegalArgumentException.class, () -> rms.state(1));
  }

  @ParameterizedTest
  @ValueSource(strings = {"sgd", "momentum", "nesterov", "adam", "adamw", "rmsprop", "adagrad"})
  void testState_float32Parameter_keepsFloat32State(String name) {
    Tensor w = Tensor.of(1f, 2f, -3f).requiresGrad(true);
    Optimizer opt = Optimizers.create(name, List.of(w), 0.1);
    w.setGrad(Tensor.of(0.5f, -0.5f, 0.25f));
    opt.step();
    assertEquals(DType.FLOAT32, w.dtype());
    for (Map.Entry<String, Tensor> e : opt.state(0).entrySet()) {
      if (!e.getKey().equals("step")) {
        assertEquals(DType.FLOAT32, e.getValue().dtype(), name + " " + e.getKey());
        assertArrayEquals(new int[] {3}, e.getValue().shape(), name + " " + e.getKey());
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sgd", "momentum", "nesterov", "adam", "adamw", "rmsprop", "adagrad"})
  void testStep_viewParameter_sameBitsAsContiguous(String name) {
    for (DType dtype : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
      SplittableRandom rng = new SplittableRandom(5);
      Tensor values = Tensor.randn(rng, dtype, 3, 5);
      Tensor plain = values.add(0.0).requiresGrad(true);
      Tensor base = values.t().add(0.0); // [5, 3]; its transpose is a strided [3, 5] view
      Tensor view = base.t().requiresGrad(true);
      Optimizer a = Optimizers.create(name, List.of(plain), 0.05);
      Optimizer b = Optimizers.create(name, List.of(view), 0.05);
      for (int t = 0; t < 3; t++) {
        Tensor g = Tensor.randn(rng, dtype, 3, 5);
        plain.setGrad(g);
        view.setGrad(g);
        a.step();
        b.step();
      }
      assertArrayEquals(plain.toDoubleArray(), view.toDoubleArray(), 0, name + " " + dtype);
      assertArrayEquals(plain.toDoubleArray(), base.t().toDoubleArray(), 0, "written through the view");
    }
  }

  @Test
  void testState_isACopy() {
    Tensor w = Tensor.of(1.0, 2.0).requiresGrad(true);
    SGD sgd = SGD.builder(List.of(w)).lr(0.1).momentum(0.9).build();
    w.setGrad(Tensor.of(0.5, -0.5));
    sgd.step();
    Tensor b = sgd.state(0).get("momentum_buffer");
    try (var s = Tensor.noGrad()) {
      b.mul_(0.0);
    }
    assertArrayEquals(new double[] {0.5, -0.5}, sgd.state(0).get("momentum_buffer").toDoubleArray(), 0);
  }

  @Test
  void testLearningRate_setAndUsed() {
    Tensor w = Tensor.of(1.0).requiresGrad(true);
    Optimizer opt = SGD.builder(List.of(w)).lr(0.1).build();
    opt.setLearningRate(0.5);
    assertEquals(0.5, opt.learningRate());
    w.setGrad(Tensor.of(1.0));
    opt.step();
    assertEquals(0.5, w.item(), 0);
  }

  @Test
  void testToString_showsHyperParameters() {
    Tensor w = Tensor.of(1.0).requiresGrad(true);
    assertEquals(
        "Adam(lr=0.001, betas=(0.9, 0.999), eps=1.0E-8, weightDecay=0.0)",
        Adam.builder(List.of(w)).build().toString());
    assertEquals(
        "SGD(lr=0.1, momentum=0.9, dampening=0.0, weightDecay=0.0, nesterov=true)",
        Optimizers.create("nesterov", List.of(w), 0.1).toString());
  }

  @Test
  void testParameters_copiedAndUnmodifiable() {
    Tensor w = Tensor.of(1.0).requiresGrad(true);
    List<Tensor> list = new ArrayList<>(List.of(w));
    Optimizer opt = SGD.builder(list).lr(0.1).build();
    list.add(Tensor.of(2.0).requiresGrad(true));
    assertEquals(1, opt.parameters().size());
    assertThrows(UnsupportedOperationException.class, () -> opt.parameters().add(w));
  }

  @Test
  void testCreate_byName() {
    Tensor w = Tensor.of(1.0).requiresGrad(true);
    List<Tensor> ps = List.of(w);
    assertEquals(0.0, ((SGD) Optimizers.create("sgd", ps, 0.1)).momentum());
    SGD momentum = (SGD) Optimizers.create("Momentum", ps, 0.1);
    assertEquals(0.9, momentum.momentum());
    assertFalse(momentum.nesterov());
    assertTrue(((SGD) Optimizers.create("nesterov", ps, 0.1)).nesterov());
    assertInstanceOf(Adam.class, Optimizers.create("adam", ps, 0.1));
    assertEquals(0.01, ((AdamW) Optimizers.create("adamw", ps, 0.1)).weightDecay());
    assertInstanceOf(RMSprop.class, Optimizers.create("rmsprop", ps, 0.1));
    assertInstanceOf(Adagrad.class, Optimizers.create("adagrad", ps, 0.1));
    for (String name : Optimizers.names()) {
      assertEquals(0.1, Optimizers.create(name, ps, 0.1).learningRate(), name);
    }
  }

  /** A two-parameter linear model, defined here so that these tests do not depend on nn layers. */
  static final class Linear extends Module {
    final Tensor weight;
    final Tensor bias;

    Linear(SplittableRandom rng, int in, int out) {
      weight = registerParameter("weight", Tensor.randn(rng, in, out).mul(0.5));
      bias = registerParameter("bias", Tensor.zeros(out));
    }

    @Override
    public Tensor forward(Tensor x) {
      return x.matmul(weight).add(bias);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sgd", "momentum", "nesterov", "adam", "adamw", "rmsprop", "adagrad"})
  void testTraining_reducesLossOnLinearRegression(String name) {
    SplittableRandom rng = new SplittableRandom(7);
    Tensor x = Tensor.randn(rng, 32, 3);
    Tensor y = x.matmul(Tensor.of(new double[][] {{1.0}, {-2.0}, {0.5}})).add(0.3);
    Linear model = new Linear(rng, 3, 1);
    double lr = Map.of("adagrad", 0.5, "adam", 0.05, "adamw", 0.05, "rmsprop", 0.02).getOrDefault(name, 0.1);
    Optimizer opt = Optimizers.create(name, model.parameters(), lr);
    double first = Double.NaN;
    double last = Double.NaN;
    for (int i = 0; i < 100; i++) {
      opt.zeroGrad();
      Tensor loss = model.forward(x).sub(y).pow(2).mean();
      loss.backward();
      opt.step();
      last = loss.item();
      if (i == 0) {
        first = last;
      }
    }
    assertTrue(last < 0.1 * first, name + ": loss went from " + first + " to " + last);
  }
}
