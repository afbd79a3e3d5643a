package dev.cadena.func;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cadena.Tensor;
import dev.cadena.autograd.GraphMemory;
import dev.cadena.nn.Linear;
import dev.cadena.nn.Sequential;
import dev.cadena.nn.Tanh;
import dev.cadena.tensor.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A 20-layer MLP (width 256, batch 64, float64) with and without checkpointing each block of 4
 * layers: the same gradients, and the saved activations shrink from two per layer (linear's and
 * tanh's outputs) to one per block (the block's output).
 */
class CheckpointMemoryTest {
  private static final int LAYERS = 20;
  private static final int WIDTH = 256;
  private static final int BATCH = 64;
  private static final int PER_BLOCK = 4;

  @Test
  void testCheckpoint_twentyLayerMlp_savesOneActivationPerBlock() {
    SplittableRandom rng = new SplittableRandom(2026);
    List<Sequential> blocks = new ArrayList<>();
    for (int b = 0; b < LAYERS / PER_BLOCK; b++) {
      Sequential s = new Sequential();
      for (int i = 0; i < PER_BLOCK; i++) {
        s.add(new Linear(WIDTH, WIDTH, true, DType.FLOAT64, rng));
        s.add(new Tanh());
      }
      blocks.add(s);
    }
    Tensor x = Tensor.randn(new SplittableRandom(7), BATCH, WIDTH).requiresGrad(true);
    List<Tensor> watched = new ArrayList<>();
    for (Sequential s : blocks) {
      watched.addAll(s.parameters());
    }
    watched.add(x);

    long activation = (long) BATCH * WIDTH * 8; // one [64, 256] float64 tensor
    long leaves = activation + LAYERS * ((long) WIDTH * WIDTH * 8 + WIDTH * 8); // x, W and b

    Tensor plain = x;
    for (Sequential s : blocks) {
      plain = s.forward(plain);
    }
    GraphMemory plainMem = GraphMemory.of(plain);
    assertEquals(LAYERS * 2 * activation, plainMem.activationBytes());
    assertEquals(leaves, plainMem.leafBytes());
    plain.square().sum().backward();
    List<double[]> plainGrads = take(watched);

    Tensor ck = x;
    for (Sequential s : blocks) {
      ck = Checkpoint.checkpoint(xs -> s.forward(xs[0]), s.parameters(), ck);
    }
    GraphMemory ckMem = GraphMemory.of(ck);
    assertEquals((LAYERS / PER_BLOCK) * activation, ckMem.activationBytes());
    assertEquals(leaves, ckMem.leafBytes());
    assertEquals(LAYERS / PER_BLOCK, ckMem.entries().size());
    // 40 activations against 5: the ratio is 2 * PER_BLOCK
    assertEquals(2 * PER_BLOCK, plainMem.activationBytes() / ckMem.activationBytes());
    ck.square().sum().backward();
    List<double[]> ckGrads = take(watched);
    for (int i = 0; i < plainGrads.size(); i++) {
      assertArrayEquals(plainGrads.get(i), ckGrads.get(i), 0.0, "gradient " + i);
    }
  }

  private static List<double[]> take(List<Tensor> ts) {
    List<double[]> out = new ArrayList<>();
    for (Tensor t : ts) {
      out.add(t.grad().toDoubleArray());
      t.zeroGrad();
    }
    return out;
  }
}
