package dev.cadena.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** State dicts of random Linear/BatchNorm1d/LayerNorm chains, sizes down to 1. */
class StateDictPropertyTest {
  /** A chain of widths[0] -> widths[1] -> ... with a layer kind per step. */
  private static Sequential chain(int[] widths, int[] kinds, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    Sequential s = new Sequential();
    for (int i = 0; i + 1 < widths.length; i++) {
      s.add(new Linear(widths[i], widths[i + 1], kinds[i] % 2 == 0, DType.FLOAT32, r));
      if (kinds[i] % 3 == 1) {
        s.add(new BatchNorm1d(widths[i + 1], 1e-5, 0.1, kinds[i] % 2 == 0, DType.FLOAT32));
      } else if (kinds[i] % 3 == 2) {
        s.add(new LayerNorm(new int[] {widths[i + 1]}, 1e-5, true, DType.FLOAT32));
      }
      s.add(new Tanh());
    }
    return s;
  }

  @Property(tries = 100, seed = "20261203")
  void stateDict_isPyTorchsLayoutAndRoundTrips(
      @ForAll @IntRange(min = 1, max = 4) int depth, @ForAll("seed") long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int[] widths = new int[depth + 1];
    int[] kinds = new int[depth];
    for (int i = 0; i <= depth; i++) {
      widths[i] = 1 + r.nextInt(5);
    }
    for (int i = 0; i < depth; i++) {
      kinds[i] = r.nextInt(6);
    }
    Sequential a = chain(widths, kinds, seed);
    Sequential b = chain(widths, kinds, seed + 1);
    // one training pass (batch 3) so BatchNorm1d's buffers move
    a.forward(Tensor.randn(r, DType.FLOAT32, 3, widths[0]));

    Map<String, Tensor> state = a.stateDict();
    // the names PyTorch's nn.Sequential of the same layers would give, built independently
    List<String> want = new ArrayList<>();
    int index = 0;
    for (Module m : a) {
      String p = index++ + ".";
      if (m instanceof Linear l) {
        want.add(p + "weight");
        assertArrayEquals(new int[] {l.outFeatures(), l.inFeatures()}, state.get(p + "weight").shape());
        if (l.bias() != null) {
          want.add(p + "bias");
        }
      } else if (m instanceof BatchNorm1d bn) {
        if (bn.weight() != null) {
          want.add(p + "weight");
          want.add(p + "bias");
        }
        want.addAll(List.of(p + "running_mean", p + "running_var", p + "num_batches_tracked"));
        assertEquals(0, state.get(p + "num_batches_tracked").rank());
        assertEquals(DType.INT64, state.get(p + "num_batches_tracked").dtype());
      } else if (m instanceof LayerNorm) {
        want.add(p + "weight");
        want.add(p + "bias");
      }
    }
    assertEquals(want, List.copyOf(state.keySet()));

    b.loadStateDict(state);
    for (Map.Entry<String, Tensor> e : a.namedParameters().entrySet()) {
      assertArrayEquals(e.getValue().toDoubleArray(), b.namedParameters().get(e.getKey()).toDoubleArray(), 0.0, e.getKey());
    }
    for (Map.Entry<String, Tensor> e : a.namedBuffers().entrySet()) {
      assertArrayEquals(e.getValue().toDoubleArray(), b.namedBuffers().get(e.getKey()).toDoubleArray(), 0.0, e.getKey());
    }
  }

  @Provide
  Arbitrary<Long> seed() {
    return Arbitraries.longs().between(0, 1_000_000);
  }
}
