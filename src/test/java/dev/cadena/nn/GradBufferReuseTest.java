package dev.cadena.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.autograd.Engine;
import dev.cadena.optim.Optimizer;
import dev.cadena.optim.SGD;
import dev.cadena.tensor.DType;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Weight gradients reuse one buffer per parameter across steps when nothing outside the library
 * holds them, and never when something might: the values are those of a fresh computation.
 */
class GradBufferReuseTest {

  private static Sequential mlp(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    return new Sequential(new Linear(6, 5, true, DType.FLOAT32, rng), new ReLU(),
        new Linear(5, 3, true, DType.FLOAT32, rng));
  }

  private static Tensor loss(Sequential m, int step) {
    SplittableRandom rng = new SplittableRandom(100 + step);
    Tensor x = Tensor.randn(rng, DType.FLOAT32, 4, 6);
    return Loss.crossEntropy(m.forward(x), Tensor.ofLongs(0, 2, 1, 2));
  }

  @Test
  void trainingLoop_reusesTheWeightGradientStorage_andMatchesAFreshRun() {
    Sequential reused = mlp(1);
    Sequential fresh = mlp(1);
    Optimizer opt = SGD.builder(reused.parameters()).lr(0.1).build();
    Tensor w = reused.parameters().get(0);
    Object firstStorage = null;
    for (int step = 0; step < 4; step++) {
      opt.zeroGrad();
      loss(reused, step).backward();
      Object storage = w.borrowGrad().data().storageKey();
      if (step == 0) {
        firstStorage = storage;
      } else {
        assertSame(firstStorage, storage, "step " + step + " should write into the same buffer");
      }
      // The fresh model computes the same step with a new gradient every time (setGrad(null)
      // does not recycle).
      for (Tensor p : fresh.parameters()) {
        p.setGrad(null);
      }
      loss(fresh, step).backward();
      for (int i = 0; i < reused.parameters().size(); i++) {
        assertArrayEquals(fresh.parameters().get(i).grad().toFloatArray(),
            reused.parameters().get(i).borrowGrad().toFloatArray(), 1e-6f, "param " + i);
      }
      opt.step();
      try (var s = dev.cadena.autograd.GradMode.noGrad()) {
        for (int i = 0; i < fresh.parameters().size(); i++) {
          Tensor p = fresh.parameters().get(i);
          p.data().assign(reused.parameters().get(i).data());
        }
      }
    }
  }

  @Test
  void aGradientTheCallerHolds_isNeverOverwritten() {
    Sequential m = mlp(2);
    Tensor w = m.parameters().get(0);
    loss(m, 0).backward();
    Tensor held = w.grad();
    float[] before = held.toFloatArray();
    w.zeroGrad();
    loss(m, 1).backward();
    assertArrayEquals(before, held.toFloatArray(), "held gradient changed");
    assertNotSame(held.data().storageKey(), w.borrowGrad().data().storageKey());
  }

  @Test
  void aGradientSetByTheCaller_isNeverRecycled() {
    Sequential m = mlp(3);
    Tensor w = m.parameters().get(0);
    Tensor mine = Tensor.zeros(DType.FLOAT32, w.shape());
    w.setGrad(mine);
    w.zeroGrad();
    loss(m, 0).backward();
    assertArrayEquals(new float[mine.numel()], mine.toFloatArray());
    assertNotSame(mine.data().storageKey(), w.borrowGrad().data().storageKey());
  }

  @Test
  void aTiedWeight_getsTheSumOfBothUses() {
    SplittableRandom rng = new SplittableRandom(4);
    Tensor w = Tensor.randn(rng, 3, 3).requiresGrad(true);
    Tensor x = Tensor.randn(rng, 2, 3);
    for (int step = 0; step < 3; step++) {
      w.zeroGrad();
      Functional.linear(Functional.linear(x, w, null).relu(), w, null).sum().backward();
      Tensor got = w.borrowGrad();
      Tensor w2 = w.detach().requiresGrad(true);
      x.matmul(w2).relu().matmul(w2).sum().backward();
      assertArrayEquals(w2.grad().toDoubleArray(), got.toDoubleArray(), 1e-12);
    }
  }

  @Test
  void createGraph_neverLendsABuffer() {
    Sequential m = mlp(5);
    Tensor w = m.parameters().get(0);
    loss(m, 0).backward();
    Object storage = w.borrowGrad().data().storageKey();
    w.zeroGrad();
    Engine.backward(new Tensor[] {loss(m, 1)}, new Tensor[] {Tensor.scalar(1.0, DType.FLOAT32)},
        false, true);
    Tensor g = w.grad();
    assertTrue(g.requiresGrad(), "with createGraph the gradient is differentiable");
    assertNotSame(storage, g.data().storageKey());
  }

  @Test
  void zeroGrad_clearsTheGradient() {
    Sequential m = mlp(6);
    Tensor w = m.parameters().get(0);
    loss(m, 0).backward();
    w.zeroGrad();
    assertNull(w.borrowGrad());
    assertNull(w.grad());
  }

  @Test
  void sequential_linearThenRelu_isOneFusedNode_withTheSameValuesAndGradients() {
    Sequential fused = mlp(7);
    Sequential split = mlp(7);
    SplittableRandom rng = new SplittableRandom(8);
    Tensor x = Tensor.randn(rng, DType.FLOAT32, 4, 6);
    Tensor h = fused.forward(x);
    Tensor manual = split.get(2).forward(split.get(1).forward(split.get(0).forward(x)));
    assertEquals("linear", h.gradFn().name());
    assertEquals("relu", split.get(1).forward(split.get(0).forward(x)).gradFn().name());
    assertArrayEquals(manual.toFloatArray(), h.toFloatArray(), 1e-6f);
    h.sum().backward();
    manual.sum().backward();
    for (int i = 0; i < fused.parameters().size(); i++) {
      assertArrayEquals(split.parameters().get(i).grad().toFloatArray(),
          fused.parameters().get(i).grad().toFloatArray(), 1e-6f, "param " + i);
    }
  }
}
