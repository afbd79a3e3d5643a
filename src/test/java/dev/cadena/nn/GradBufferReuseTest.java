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
import dev.cadena.tensor.BinaryOp;
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
      // The fresh model computes the same step with a new gradient every time: it reads its
      // gradients with grad(), so setGrad(null) keeps none of them for reuse.
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

  /** d(sum(f(a @ b)))/da and /db for fresh leaves holding the same values. */
  private static Tensor[] freshMatmulGrads(Tensor a, Tensor b, boolean sameLeaf) {
    Tensor a2 = a.detach().requiresGrad(true);
    Tensor b2 = sameLeaf ? a2 : b.detach().requiresGrad(true);
    a2.matmul(b2).tanh().sum().backward();
    return new Tensor[] {a2.grad(), b2.grad()};
  }

  /**
   * W1's loop: two leaves, {@code setGrad(null)}, {@code (a @ b)} and backward. The matrix
   * product's VJP writes each leaf's gradient into the buffer its last one left, in both
   * dtypes; the values are a fresh computation's.
   */
  @Test
  void matmulOfTwoLeaves_reusesBothGradientBuffers() {
    for (DType dtype : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
      SplittableRandom rng = new SplittableRandom(9);
      Tensor a = Tensor.randn(rng, dtype, 37, 23).requiresGrad(true);
      Tensor b = Tensor.randn(rng, dtype, 23, 41).requiresGrad(true);
      Object[] first = new Object[2];
      for (int step = 0; step < 4; step++) {
        a.setGrad(null);
        b.setGrad(null);
        a.matmul(b).tanh().sum().backward();
        Object[] now = {a.borrowGrad().data().storageKey(), b.borrowGrad().data().storageKey()};
        if (step == 0) {
          first = now;
        } else {
          assertTrue(first[0] == now[0], dtype + " step " + step + ": a's buffer is a new array");
          assertTrue(first[1] == now[1], dtype + " step " + step + ": b's buffer is a new array");
        }
        Tensor[] want = freshMatmulGrads(a, b, false);
        double tol = dtype == DType.FLOAT64 ? 1e-12 : 1e-4;
        assertArrayEquals(want[0].toDoubleArray(), a.borrowGrad().toDoubleArray(), tol);
        assertArrayEquals(want[1].toDoubleArray(), b.borrowGrad().toDoubleArray(), tol);
        // The next step's inputs: the values move, so a stale buffer would show.
        try (var s = dev.cadena.autograd.GradMode.noGrad()) {
          a.data().assign(a.data().binary(BinaryOp.ADD, 0.125));
        }
      }
    }
  }

  /** {@code x @ x}: one leaf on both sides gets the sum of both products, step after step. */
  @Test
  void matmulOfALeafWithItself_getsBothTerms() {
    SplittableRandom rng = new SplittableRandom(10);
    Tensor x = Tensor.randn(rng, 19, 19).requiresGrad(true);
    for (int step = 0; step < 3; step++) {
      x.setGrad(null);
      x.matmul(x).tanh().sum().backward();
      assertArrayEquals(freshMatmulGrads(x, x, true)[0].toDoubleArray(),
          x.borrowGrad().toDoubleArray(), 1e-12, "step " + step);
    }
  }

  /** A matrix product's gradient that the caller read with grad() is never written again. */
  @Test
  void matmulGradientTheCallerHolds_isNeverOverwritten() {
    SplittableRandom rng = new SplittableRandom(11);
    Tensor a = Tensor.randn(rng, 12, 7).requiresGrad(true);
    Tensor b = Tensor.randn(rng, 7, 5);
    a.matmul(b).sum().backward();
    Tensor held = a.grad();
    double[] before = held.toDoubleArray();
    a.setGrad(null);
    a.matmul(b).mul(3.0).sum().backward();
    assertArrayEquals(before, held.toDoubleArray(), "held gradient changed");
    assertNotSame(held.data().storageKey(), a.borrowGrad().data().storageKey());
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
