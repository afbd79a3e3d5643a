package dev.cadena.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Properties of the recurrent layers over random sizes (jqwik, seeded): the shapes PyTorch
 * documents, for every kind, layout and size 1; the samples of a batch are independent (each row
 * of a batched run equals the unbatched run of that sample); cells agree with a one-step layer.
 */
class RecurrentProperties {

  private static RNNBase build(int kind, int f, int h, int layers, boolean batchFirst, boolean bidi, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    return switch (kind) {
      case 0 -> new RNN(f, h, layers, RNN.Nonlinearity.TANH, true, batchFirst, 0.0, bidi, rng);
      case 1 -> new RNN(f, h, layers, RNN.Nonlinearity.RELU, false, batchFirst, 0.0, bidi, rng);
      case 2 -> new LSTM(f, h, layers, true, batchFirst, 0.0, bidi, rng);
      default -> new GRU(f, h, layers, true, batchFirst, 0.0, bidi, rng);
    };
  }

  private static Tensor[] run(RNNBase m, Tensor x) {
    if (m instanceof LSTM lstm) {
      LSTMOutput r = lstm.forward(x, null);
      return new Tensor[] {r.output(), r.hN(), r.cN()};
    }
    RecurrentOutput r = m instanceof GRU g ? g.forward(x, null) : ((RNN) m).forward(x, null);
    return new Tensor[] {r.output(), r.hN(), r.hN()};
  }

  @Property(tries = 60, seed = "20261202")
  void shapes_areTorchs_andBatchSamplesAreIndependent(
      @ForAll @IntRange(min = 0, max = 3) int kind, @ForAll @IntRange(min = 1, max = 4) int steps,
      @ForAll @IntRange(min = 1, max = 3) int batch, @ForAll @IntRange(min = 1, max = 3) int f,
      @ForAll @IntRange(min = 1, max = 3) int h, @ForAll @IntRange(min = 1, max = 2) int layers,
      @ForAll boolean batchFirst, @ForAll boolean bidi, @ForAll long seed) {
    RNNBase m = build(kind, f, h, layers, batchFirst, bidi, seed);
    int d = bidi ? 2 : 1;
    Tensor x = Tensor.randn(new SplittableRandom(seed + 1), batchFirst ? batch : steps, batchFirst ? steps : batch, f);
    Tensor[] r = run(m, x);
    assertArrayEquals(batchFirst ? new int[] {batch, steps, d * h} : new int[] {steps, batch, d * h}, r[0].shape());
    assertArrayEquals(new int[] {layers * d, batch, h}, r[1].shape());
    assertArrayEquals(new int[] {layers * d, batch, h}, r[2].shape());
    int batchAxis = batchFirst ? 0 : 1;
    for (int b = 0; b < batch; b++) {
      Tensor[] one = run(m, x.select(batchAxis, b));
      assertArrayEquals(new int[] {steps, d * h}, one[0].shape());
      assertArrayEquals(new int[] {layers * d, h}, one[1].shape());
      assertTrue(one[0].allClose(r[0].select(batchAxis, b), 0, 1e-12), "output of sample " + b);
      assertTrue(one[1].allClose(r[1].select(1, b), 0, 1e-12), "hN of sample " + b);
      assertTrue(one[2].allClose(r[2].select(1, b), 0, 1e-12), "cN of sample " + b);
    }
  }

  @Property(tries = 40, seed = "20261202")
  void cells_equalAOneStepLayerWithTheSameWeights(
      @ForAll @IntRange(min = 0, max = 2) int kind, @ForAll @IntRange(min = 1, max = 3) int batch,
      @ForAll @IntRange(min = 1, max = 4) int f, @ForAll @IntRange(min = 1, max = 4) int h,
      @ForAll long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    Tensor x = Tensor.randn(rng, batch, f);
    Tensor h0 = Tensor.randn(rng, batch, h);
    Tensor c0 = Tensor.randn(rng, batch, h);
    // Same seed, same registration order (weight_ih, weight_hh, bias_ih, bias_hh): same weights.
    Tensor cellOut;
    Tensor layerOut;
    switch (kind) {
      case 0 -> {
        cellOut = new RNNCell(f, h, new SplittableRandom(seed)).forward(x, h0);
        layerOut = new RNN(f, h, new SplittableRandom(seed)).forward(x.unsqueeze(0), h0.unsqueeze(0)).hN();
      }
      case 1 -> {
        LSTMState s = new LSTMCell(f, h, new SplittableRandom(seed)).forward(x, new LSTMState(h0, c0));
        LSTMOutput o = new LSTM(f, h, new SplittableRandom(seed))
            .forward(x.unsqueeze(0), new LSTMState(h0.unsqueeze(0), c0.unsqueeze(0)));
        assertTrue(s.c().allClose(o.cN().squeeze(0), 0, 0));
        cellOut = s.h();
        layerOut = o.hN();
      }
      default -> {
        cellOut = new GRUCell(f, h, new SplittableRandom(seed)).forward(x, h0);
        layerOut = new GRU(f, h, new SplittableRandom(seed)).forward(x.unsqueeze(0), h0.unsqueeze(0)).hN();
      }
    }
    assertArrayEquals(new int[] {batch, h}, cellOut.shape());
    assertTrue(cellOut.allClose(layerOut.squeeze(0), 0, 0));
  }
}
