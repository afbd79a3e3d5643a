package dev.cadena.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Grad mode is per thread; independent graphs on different threads do not interfere. */
class GradModeThreadTest {

  @Test
  void noGradOnOneThread_doesNotAffectAnother() throws Exception {
    CyclicBarrier inside = new CyclicBarrier(2);
    CyclicBarrier checked = new CyclicBarrier(2);
    AtomicBoolean otherRecorded = new AtomicBoolean();
    AtomicBoolean otherEnabled = new AtomicBoolean();
    Thread other = new Thread(() -> {
      try {
        inside.await(10, TimeUnit.SECONDS);
        otherEnabled.set(GradMode.isEnabled());
        Tensor w = Tensor.of(1.0).requiresGrad(true);
        otherRecorded.set(w.mul(2.0).requiresGrad());
        checked.await(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    other.start();
    try (var s = Tensor.noGrad()) {
      inside.await(10, TimeUnit.SECONDS);
      checked.await(10, TimeUnit.SECONDS);
      assertFalse(GradMode.isEnabled());
    }
    other.join(10_000);
    assertTrue(otherEnabled.get(), "the other thread's grad mode stayed on");
    assertTrue(otherRecorded.get(), "the other thread kept recording");
  }

  /** Trains a 2-layer model on a fixed regression task with plain tensors and manual SGD. */
  private static double[][] train(long seed, int steps, CyclicBarrier lockstep) throws Exception {
    SplittableRandom rng = new SplittableRandom(seed);
    Tensor x = Tensor.randn(rng, 16, 3);
    Tensor y = x.matmul(Tensor.randn(rng, 3, 1)).tanh();
    Tensor w1 = Tensor.randn(rng, 3, 8).mul(0.5).requiresGrad(true);
    Tensor b1 = Tensor.zeros(8).requiresGrad(true);
    Tensor w2 = Tensor.randn(rng, 8, 1).mul(0.5).requiresGrad(true);
    Tensor[] params = {w1, b1, w2};
    for (int step = 0; step < steps; step++) {
      Tensor pred = x.matmul(w1).add(b1).tanh().matmul(w2);
      Tensor loss = pred.sub(y).square().mean();
      loss.backward();
      if (lockstep != null) {
        // Interleave: both threads are between backward and update at the same time.
        lockstep.await(10, TimeUnit.SECONDS);
      }
      try (var s = Tensor.noGrad()) {
        for (Tensor p : params) {
          p.sub_(p.grad().mul(0.1));
          p.zeroGrad();
        }
      }
    }
    double[][] out = new double[params.length][];
    for (int i = 0; i < params.length; i++) {
      out[i] = params[i].toDoubleArray();
    }
    return out;
  }

  @Test
  void twoModelsTrainedConcurrently_matchSequentialBitwise() throws Exception {
    int steps = 40;
    double[][] seqA = train(1, steps, null);
    double[][] seqB = train(2, steps, null);
    CyclicBarrier lockstep = new CyclicBarrier(2);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<double[][]> fa = pool.submit(() -> train(1, steps, lockstep));
      Future<double[][]> fb = pool.submit(() -> train(2, steps, lockstep));
      double[][] parA = fa.get(60, TimeUnit.SECONDS);
      double[][] parB = fb.get(60, TimeUnit.SECONDS);
      for (int i = 0; i < seqA.length; i++) {
        assertArrayEquals(seqA[i], parA[i], "model A parameter " + i);
        assertArrayEquals(seqB[i], parB[i], "model B parameter " + i);
      }
    } finally {
      pool.shutdownNow();
    }
    assertFalse(Arrays.equals(seqA[0], seqB[0]), "the two models differ");
  }
}
