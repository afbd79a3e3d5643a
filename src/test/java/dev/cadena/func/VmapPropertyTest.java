package dev.cadena.func;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.cadena.ShapeArbitraries;
import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * vmap of broadcasting elementwise ops and a reduction, and of their per-sample gradient, equals
 * the loop over samples, over shapes that broadcast (0-d included), each operand mapped or not.
 */
class VmapPropertyTest {
  @Provide
  Arbitrary<int[][]> pairs() {
    return ShapeArbitraries.broadcastPairs(3, 3);
  }

  @Property(tries = 120, seed = "20261214")
  void vmap_broadcastAndReduce_equalsLoop(@ForAll("pairs") int[][] p,
      @ForAll @IntRange(min = 1, max = 4) int batch, @ForAll @IntRange(min = 0, max = 2) int mode,
      @ForAll @IntRange(min = -1, max = 2) int axis, @ForAll long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    boolean mapA = mode != 1;
    boolean mapB = mode != 0;
    Tensor a = Tensor.randn(rng, DType.FLOAT64, mapA ? prepend(batch, p[0]) : p[0]);
    Tensor b = Tensor.randn(rng, DType.FLOAT64, mapB ? prepend(batch, p[1]) : p[1]);
    int rank = Math.max(p[0].length, p[1].length);
    int[] axes = axis < 0 || axis >= rank ? new int[0] : new int[] {axis};
    TensorFn f = x -> x[0].mul(x[1]).add(x[0].sin()).sum(axes, false);
    TensorFn g = x -> Func.grad(y -> f.apply(y).tanh().sum(), 0).apply(x)[0];
    int[] inDims = {mapA ? 0 : Func.NOT_BATCHED, mapB ? 0 : Func.NOT_BATCHED};
    for (TensorFn fn : new TensorFn[] {f, g}) {
      Tensor got = Func.vmap(fn, inDims, 0).apply(a, b);
      List<Tensor> outs = new ArrayList<>();
      for (int i = 0; i < batch; i++) {
        outs.add(fn.apply(mapA ? a.select(0, i) : a, mapB ? b.select(0, i) : b).detach());
      }
      Tensor want = Tensor.stack(outs, 0);
      assertArrayEquals(want.shape(), got.shape());
      assertArrayEquals(want.toDoubleArray(), got.toDoubleArray(), 1e-12);
    }
  }

  private static int[] prepend(int n, int[] s) {
    int[] r = new int[s.length + 1];
    r[0] = n;
    System.arraycopy(s, 0, r, 1, s.length);
    return r;
  }
}
