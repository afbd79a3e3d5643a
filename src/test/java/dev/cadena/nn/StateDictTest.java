package dev.cadena.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.ShapeException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Module.stateDict / loadStateDict in PyTorch's names, order and layouts. */
class StateDictTest {
  private static Sequential mlp(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    return new Sequential(new Linear(3, 4, true, r), new BatchNorm1d(4), new ReLU(), new Linear(4, 2, true, r));
  }

  @Test
  void testStateDict_pytorchOrderOwnEntriesThenChildren() {
    // torch.nn.Sequential(Linear(3,4), BatchNorm1d(4), ReLU(), Linear(4,2)).state_dict().keys()
    assertEquals(
        List.of("0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
            "1.num_batches_tracked", "3.weight", "3.bias"),
        List.copyOf(mlp(0).stateDict().keySet()));
  }

  /** A module with its own parameter and buffer and two children, as in docs/nn.md. */
  static final class Block extends Module {
    Block(SplittableRandom r) {
      registerModule("first", new Linear(2, 2, true, r));
      registerParameter("scale", Tensor.ones(2));
      registerBuffer("calls", Tensor.scalar(0, DType.INT64));
      registerModule("second", new Linear(2, 2, false, r));
    }

    @Override
    public Tensor forward(Tensor x) {
      return x;
    }
  }

  @Test
  void testStateDict_ownParametersThenOwnBuffersThenChildren() {
    // PyTorch: module._parameters, module._buffers, then each child in registration order
    assertEquals(List.of("scale", "calls", "first.weight", "first.bias", "second.weight"),
        List.copyOf(new Block(new SplittableRandom(0)).stateDict().keySet()));
    // namedParameters keeps its own (PyTorch's named_parameters) order
    assertEquals(List.of("scale", "first.weight", "first.bias", "second.weight"),
        List.copyOf(new Block(new SplittableRandom(0)).namedParameters().keySet()));
  }

  @Test
  void testStateDict_linearWeightIsTheTransposedView() {
    Linear l = new Linear(3, 2, false, new SplittableRandom(4));
    Tensor w = l.stateDict().get("weight");
    assertArrayEquals(new int[] {2, 3}, w.shape());
    double[] mem = l.weight().toDoubleArray();  // [3, 2] row-major
    double[] file = w.toDoubleArray();          // [2, 3] row-major
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 2; j++) {
        assertEquals(mem[i * 2 + j], file[j * 3 + i], 0.0);
      }
    }
    assertTrue(!w.requiresGrad() && w.gradFn() == null, "a state-dict view is detached");
  }

  @Test
  void testLoadStateDict_roundTripsThroughTheTransposedLayout() {
    Sequential a = mlp(1);
    a.forward(Tensor.randn(new SplittableRandom(2), 5, 3));
    Sequential b = mlp(9);
    b.loadStateDict(a.stateDict());
    assertEquals(1, ((BatchNorm1d) b.get(1)).numBatchesTracked());
    for (String k : List.of("0.weight", "3.weight")) {
      assertArrayEquals(a.namedParameters().get(k).toDoubleArray(), b.namedParameters().get(k).toDoubleArray(), 0.0, k);
    }
    a.eval();
    b.eval();
    Tensor x = Tensor.randn(new SplittableRandom(3), 4, 3);
    assertTrue(a.forward(x).allClose(b.forward(x), 0, 0));
  }

  @Test
  void testLoadStateDict_strictListsMissingAndUnexpected() {
    Sequential m = mlp(0);
    Map<String, Tensor> state = new LinkedHashMap<>(m.stateDict());
    state.remove("3.bias");
    state.put("9.weight", Tensor.zeros(1));
    ShapeException e = assertThrows(ShapeException.class, () -> m.loadStateDict(state, true));
    assertEquals("loadStateDict: missing '3.bias'; unexpected '9.weight'", e.getMessage());
  }

  @Test
  void testLoadStateDict_nonStrictReportsAndLoadsTheRest() {
    Sequential m = mlp(0);
    Sequential src = mlp(5);
    Map<String, Tensor> state = new LinkedHashMap<>(src.stateDict());
    state.remove("3.bias");
    state.put("extra", Tensor.zeros(1));
    double[] biasBefore = m.namedParameters().get("3.bias").toDoubleArray();
    Module.LoadResult r = m.loadStateDict(state, false);
    assertEquals(List.of("3.bias"), r.missingKeys());
    assertEquals(List.of("extra"), r.unexpectedKeys());
    assertArrayEquals(biasBefore, m.namedParameters().get("3.bias").toDoubleArray(), 0.0);
    assertArrayEquals(src.namedParameters().get("0.weight").toDoubleArray(),
        m.namedParameters().get("0.weight").toDoubleArray(), 0.0);
  }

  @Test
  void testLoadStateDict_shapeMismatchNamesKeyAndBothShapesEvenWhenNotStrict() {
    Sequential m = mlp(0);
    Map<String, Tensor> state = new LinkedHashMap<>(m.stateDict());
    // the in-memory [in, out] layout is the wrong one for a state dict
    state.put("0.weight", ((Linear) m.get(0)).weight().detach());
    double[] before = m.namedParameters().get("0.bias").toDoubleArray();
    state.put("0.bias", Tensor.ones(4));
    ShapeException e = assertThrows(ShapeException.class, () -> m.loadStateDict(state, false));
    assertEquals("loadStateDict: '0.weight' has shape [3, 4], expected [4, 3]", e.getMessage());
    assertArrayEquals(before, m.namedParameters().get("0.bias").toDoubleArray(), 0.0, "untouched");
  }

  @Test
  void testLoadStateDict_convertsDtype() {
    Linear f64 = new Linear(2, 2, true, new SplittableRandom(1));
    Linear f32 = new Linear(2, 2, true, DType.FLOAT32, new SplittableRandom(2));
    f32.loadStateDict(f64.stateDict());
    assertEquals(DType.FLOAT32, f32.weight().dtype());
    assertArrayEquals(f64.weight().toDoubleArray(), f32.weight().toDoubleArray(), 1e-7);
  }

  @Test
  void testLoadStateDict_nullKeyIsRejectedBeforeAnyWork() {
    Sequential m = mlp(0);
    Map<String, Tensor> state = new java.util.HashMap<>(mlp(3).stateDict());
    state.put(null, Tensor.zeros(1));
    double[] before = m.namedParameters().get("0.weight").toDoubleArray();
    NullPointerException e = assertThrows(NullPointerException.class, () -> m.loadStateDict(state, false));
    assertEquals("loadStateDict: state has a null key", e.getMessage());
    assertArrayEquals(before, m.namedParameters().get("0.weight").toDoubleArray(), 0.0);
  }

  @Test
  void testLoadResult_copiesAndRejectsNull() {
    List<String> missing = new java.util.ArrayList<>(List.of("a"));
    Module.LoadResult r = new Module.LoadResult(missing, List.of());
    missing.add("b");
    assertEquals(List.of("a"), r.missingKeys());
    NullPointerException e = assertThrows(NullPointerException.class, () -> new Module.LoadResult(null, List.of()));
    assertEquals("LoadResult: missingKeys is null", e.getMessage());
    List<String> withNull = new java.util.ArrayList<>();
    withNull.add(null);
    assertEquals("LoadResult: unexpectedKeys[0] is null",
        assertThrows(NullPointerException.class, () -> new Module.LoadResult(List.of(), withNull)).getMessage());
  }
}
