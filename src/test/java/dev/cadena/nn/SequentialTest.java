package dev.cadena.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SequentialTest {
  private static Sequential mlp() {
    SplittableRandom r = new SplittableRandom(0);
    return new Sequential(
        new Linear(784, 256, true, r), new ReLU(), new Dropout(0.5, r), new Linear(256, 10, true, r));
  }

  @Test
  void toString_printsTheTree() {
    assertEquals(
        "Sequential(\n"
            + "  (0): Linear(in=784, out=256, bias=true)\n"
            + "  (1): ReLU()\n"
            + "  (2): Dropout(p=0.5)\n"
            + "  (3): Linear(in=256, out=10, bias=true)\n"
            + ")",
        mlp().toString());
  }

  @Test
  void toString_nestedIndents() {
    SplittableRandom r = new SplittableRandom(0);
    Sequential inner = new Sequential(new Linear(2, 2, true, r), new BatchNorm1d(2));
    Sequential outer = new Sequential(inner, new Tanh());
    assertEquals(
        "Sequential(\n"
            + "  (0): Sequential(\n"
            + "    (0): Linear(in=2, out=2, bias=true)\n"
            + "    (1): BatchNorm1d(2, eps=1.0E-5, momentum=0.1, affine=true)\n"
            + "  )\n"
            + "  (1): Tanh()\n"
            + ")",
        outer.toString());
  }

  @Test
  void stateDict_usesIndexNames() {
    SplittableRandom r = new SplittableRandom(0);
    Sequential s = new Sequential(new Linear(3, 4, true, r), new ReLU(), new Linear(4, 2, false, r), new BatchNorm1d(2));
    assertEquals(List.of("0.weight", "0.bias", "2.weight", "3.weight", "3.bias"),
        List.copyOf(s.namedParameters().keySet()));
    assertEquals(
        List.of("0.weight", "0.bias", "2.weight", "3.weight", "3.bias",
            "3.running_mean", "3.running_var", "3.num_batches_tracked"),
        List.copyOf(s.stateDict().keySet()));
    // PyTorch's layout: Linear(3, 4).weight is [4, 3] in the state dict, [3, 4] in memory.
    assertArrayEquals(new int[] {4, 3}, s.stateDict().get("0.weight").shape());
    assertArrayEquals(new int[] {3, 4}, ((Linear) s.get(0)).weight().shape());
  }

  @Test
  void forward_appliesModulesInOrder() {
    SplittableRandom r = new SplittableRandom(0);
    Linear a = new Linear(3, 4, true, r);
    Linear b = new Linear(4, 2, true, r);
    Sequential s = new Sequential(a, new Tanh(), b);
    Tensor x = Tensor.randn(new SplittableRandom(1), 5, 3);
    assertTrue(s.forward(x).allClose(b.forward(a.forward(x).tanh()), 0, 0));
  }

  @Test
  void addGetSize() {
    Sequential s = new Sequential();
    assertEquals(0, s.size());
    ReLU relu = new ReLU();
    s.add(new Tanh()).add(relu);
    assertEquals(2, s.size());
    assertSame(relu, s.get(1));
    assertEquals(List.of("0", "1"), List.copyOf(s.namedChildren().keySet()));
    int count = 0;
    for (Module m : s) {
      count++;
    }
    assertEquals(2, count);
    Tensor x = Tensor.of(-1.0, 0.5);
    assertTrue(s.forward(x).allClose(x.tanh().relu(), 0, 0));
  }

  @Test
  void trainEval_propagatesToChildren() {
    Sequential s = mlp();
    s.eval();
    assertFalse(s.get(2).isTraining());
    Tensor x = Tensor.ones(1, 784);
    assertTrue(s.forward(x).allClose(s.forward(x), 0, 0), "eval must be deterministic");
    s.train();
    assertTrue(s.get(2).isTraining());
  }

  @Test
  void errors_nameTheIndex() {
    Sequential s = new Sequential(new ReLU());
    assertEquals("Sequential: index 1 is out of range for 1 modules",
        assertThrows(IllegalArgumentException.class, () -> s.get(1)).getMessage());
    assertEquals("Sequential: index -1 is out of range for 1 modules",
        assertThrows(IllegalArgumentException.class, () -> s.get(-1)).getMessage());
    assertEquals("Sequential.add: module is null",
        assertThrows(NullPointerException.class, () -> s.add(null)).getMessage());
    assertEquals(1, s.size());
    assertEquals("Sequential: modules[1] is null",
        assertThrows(NullPointerException.class, () -> new Sequential(new ReLU(), null)).getMessage());
    assertEquals("Sequential: input is null",
        assertThrows(NullPointerException.class, () -> s.forward(null)).getMessage());
  }

  @Test
  void loadStateDict_roundTrips() {
    Sequential a = mlp();
    Sequential b = new Sequential(
        new Linear(784, 256, true, new SplittableRandom(9)), new ReLU(), new Dropout(0.5, new SplittableRandom(9)),
        new Linear(256, 10, true, new SplittableRandom(9)));
    b.loadStateDict(a.stateDict());
    assertTrue(((Linear) b.get(3)).weight().allClose(((Linear) a.get(3)).weight(), 0, 0));
  }
}
