package dev.cadena.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Optimizer#loadState}, {@link Optimizer#stateDict()} and {@link Optimizer#loadStateDict}:
 * an optimiser restored from another's state continues bitwise as the other does, and a bad state
 * is refused before anything changes.
 */
class OptimizerStateTest {

  /** Every optimiser and the configurations that keep different buffers. */
  static Stream<Arguments> configurations() {
    Map<String, Function<List<Tensor>, Optimizer>> m = new LinkedHashMap<>();
    m.put("sgd", ps -> SGD.builder(ps).lr(0.05).build());
    m.put("sgd-momentum-decay", ps -> SGD.builder(ps).lr(0.05).momentum(0.9).dampening(0.1)
        .weightDecay(0.01).build());
    m.put("sgd-nesterov", ps -> SGD.builder(ps).lr(0.05).momentum(0.9).nesterov(true).build());
    m.put("adam", ps -> Adam.builder(ps).lr(0.01).weightDecay(0.01).build());
    m.put("adamw", ps -> AdamW.builder(ps).lr(0.01).build());
    m.put("rmsprop", ps -> RMSprop.builder(ps).lr(0.01).build());
    m.put("rmsprop-centered-momentum", ps -> RMSprop.builder(ps).lr(0.01).centered(true)
        .momentum(0.5).build());
    m.put("adagrad", ps -> Adagrad.builder(ps).lr(0.05).lrDecay(0.01).initialAccumulatorValue(0.1)
        .build());
    List<Arguments> out = new ArrayList<>();
    for (var e : m.entrySet()) {
      for (DType dt : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
        out.add(Arguments.of(e.getKey(), dt, e.getValue()));
      }
    }
    return out.stream();
  }

  private static List<Tensor> params(DType dtype, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    return List.of(Tensor.randn(rng, 3, 4).to(dtype).requiresGrad(true),
        Tensor.randn(rng, 4).to(dtype).requiresGrad(true));
  }

  private static List<Tensor> copies(List<Tensor> ps) {
    List<Tensor> out = new ArrayList<>();
    for (Tensor p : ps) {
      out.add(Tensor.fromData(p.data().copy()).requiresGrad(true));
    }
    return out;
  }

  /** One step on a loss whose gradient depends on the parameters and on {@code step}. */
  private static void step(Optimizer opt, int step) {
    opt.zeroGrad();
    Tensor loss = null;
    for (Tensor p : opt.parameters()) {
      Tensor l = p.pow(3).sum().add(p.mul(0.3 * step - 1).sum());
      loss = loss == null ? l : loss.add(l);
    }
    loss.backward();
    opt.step();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("configurations")
  void testLoadStateDict_continuesBitwiseAsWithoutStopping(
      String label, DType dtype, Function<List<Tensor>, Optimizer> make) {
    Optimizer a = make.apply(params(dtype, 7));
    for (int s = 0; s < 5; s++) {
      step(a, s);
    }
    Map<String, Tensor> saved = a.stateDict();
    Optimizer b = make.apply(copies(a.parameters()));
    b.loadStateDict(saved);
    for (int i = 0; i < a.parameters().size(); i++) {
      assertEquals(a.stepCount(i), b.stepCount(i));
    }
    for (int s = 5; s < 12; s++) {
      step(a, s);
      step(b, s);
    }
    for (int i = 0; i < a.parameters().size(); i++) {
      assertArrayEquals(a.parameters().get(i).toDoubleArray(), b.parameters().get(i).toDoubleArray(),
          0.0, label + ": parameter " + i + " after restoring");
      for (var e : a.state(i).entrySet()) {
        assertArrayEquals(e.getValue().toDoubleArray(), b.state(i).get(e.getKey()).toDoubleArray(),
            0.0, label + ": state " + i + "." + e.getKey());
      }
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("configurations")
  void testLoadState_perParameter_continuesBitwise(
      String label, DType dtype, Function<List<Tensor>, Optimizer> make) {
    Optimizer a = make.apply(params(dtype, 11));
    for (int s = 0; s < 3; s++) {
      step(a, s);
    }
    Optimizer b = make.apply(copies(a.parameters()));
    for (int i = 0; i < a.parameters().size(); i++) {
      b.loadState(i, a.state(i));
    }
    step(a, 3);
    step(b, 3);
    for (int i = 0; i < a.parameters().size(); i++) {
      assertArrayEquals(a.parameters().get(i).toDoubleArray(), b.parameters().get(i).toDoubleArray(),
          0.0, label);
    }
  }

  @Test
  void testLoadState_copiesTheValues() {
    Optimizer a = Adam.builder(params(DType.FLOAT64, 1)).lr(0.01).build();
    step(a, 0);
    Map<String, Tensor> saved = new LinkedHashMap<>(a.state(0));
    Optimizer b = Adam.builder(copies(a.parameters())).lr(0.01).build();
    b.loadState(0, saved);
    double before = b.state(0).get("exp_avg").toDoubleArray()[0];
    try (var s = Tensor.noGrad()) {
      saved.get("exp_avg").mul_(0.0);
    }
    assertEquals(before, b.state(0).get("exp_avg").toDoubleArray()[0], 0.0);
  }

  @Test
  void testStateDict_keys() {
    Optimizer a = RMSprop.builder(params(DType.FLOAT64, 2)).centered(true).build();
    assertEquals(List.of("0.step", "1.step"), List.copyOf(a.stateDict().keySet()));
    step(a, 0);
    assertEquals(List.of("0.step", "0.square_avg", "0.grad_avg", "1.step", "1.square_avg",
        "1.grad_avg"), List.copyOf(a.stateDict().keySet()));
  }

  @Test
  void testLoadStateDict_freshOptimiserState_isAccepted() {
    Optimizer a = Adam.builder(params(DType.FLOAT64, 3)).build();
    Optimizer b = Adam.builder(copies(a.parameters())).build();
    b.loadStateDict(a.stateDict());
    assertEquals(0, b.stepCount(0));
    assertTrue(b.state(0).keySet().equals(java.util.Set.of("step")));
  }

  /** A stepped Adam's state with one entry changed; the optimiser it goes into. */
  private static IllegalArgumentException refused(String key, Tensor value) {
    Optimizer a = Adam.builder(params(DType.FLOAT64, 4)).lr(0.01).build();
    step(a, 0);
    Map<String, Tensor> bad = new LinkedHashMap<>(a.stateDict());
    if (value == null) {
      bad.remove(key);
    } else {
      bad.put(key, value);
    }
    Optimizer b = Adam.builder(copies(a.parameters())).lr(0.01).build();
    step(b, 1);
    Map<String, Tensor> before = b.stateDict();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> b.loadStateDict(bad));
    // Nothing changed: every entry is as before the failed load.
    Map<String, Tensor> after = b.stateDict();
    assertEquals(before.keySet(), after.keySet());
    for (String k : before.keySet()) {
      assertArrayEquals(before.get(k).toDoubleArray(), after.get(k).toDoubleArray(), 0.0, k);
    }
    return e;
  }

  @Test
  void testLoadStateDict_badStates_refusedBeforeAnyChange() {
    SplittableRandom rng = new SplittableRandom(5);
    assertTrue(refused("1.step", null).getMessage().contains("\"step\" is missing"));
    assertTrue(refused("1.exp_avg_sq", null).getMessage()
        .contains("Adam.loadState: parameter 1 (shape [4], float64): step is 1 but buffer"
            + " 'exp_avg_sq' is missing"));
    assertTrue(refused("1.momentum_buffer", Tensor.zeros(4)).getMessage()
        .contains("unknown state buffer 'momentum_buffer' (this optimiser keeps [exp_avg,"
            + " exp_avg_sq])"));
    assertTrue(refused("1.exp_avg", Tensor.zeros(5)).getMessage()
        .contains("buffer 'exp_avg' has shape [5], float64; expected the parameter's shape"));
    assertTrue(refused("1.exp_avg", Tensor.zeros(4).to(DType.FLOAT32)).getMessage()
        .contains("has shape [4], float32"));
    assertTrue(refused("0.step", Tensor.scalar(1.5)).getMessage()
        .contains("\"step\" must be a whole number >= 0, got 1.5"));
    assertTrue(refused("0.step", Tensor.scalar(-1)).getMessage()
        .contains("got -1.0"));
    assertTrue(refused("0.step", Tensor.randn(rng, 2)).getMessage()
        .contains("\"step\" must hold one value, got shape [2]"));
    assertTrue(refused("2.step", Tensor.scalar(1)).getMessage()
        .contains("Adam.loadStateDict: key '2.step' is not '<index>.<name>' with an index in [0, 2)"));
    assertTrue(refused("step", Tensor.scalar(1)).getMessage().contains("key 'step'"));
  }

  @Test
  void testLoadState_bufferWithStepZero_refused() {
    Optimizer a = SGD.builder(params(DType.FLOAT64, 6)).momentum(0.9).build();
    Map<String, Tensor> state = Map.of("step", Tensor.scalar(0), "momentum_buffer",
        Tensor.zeros(3, 4));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> a.loadState(0, state));
    assertTrue(e.getMessage().contains("SGD.loadState: parameter 0 (shape [3, 4], float64): step is 0"
        + " but buffer 'momentum_buffer' is given"), e.getMessage());
  }

  @Test
  void testLoadState_badIndexAndNulls() {
    Optimizer a = SGD.builder(params(DType.FLOAT64, 8)).build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> a.loadState(2, Map.of("step", Tensor.scalar(0))));
    assertTrue(e.getMessage().contains("SGD: parameter index 2 is out of range for 2 parameters"));
    NullPointerException n = assertThrows(NullPointerException.class, () -> a.loadState(0, null));
    assertEquals("SGD.loadState: state is null", n.getMessage());
    n = assertThrows(NullPointerException.class, () -> a.loadStateDict(null));
    assertEquals("SGD.loadStateDict: stateDict is null", n.getMessage());
    Map<String, Tensor> withNull = new LinkedHashMap<>();
    withNull.put("step", null);
    n = assertThrows(NullPointerException.class, () -> a.loadState(0, withNull));
    assertEquals("SGD.loadState: parameter 0: \"step\" is null", n.getMessage());
  }
}
