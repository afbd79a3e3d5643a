package dev.cadena.func;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * vmap of the indexing ops, var/std and argmax equals the loop over samples, over random sample
 * shapes (size-1 and empty dims included, rank 1 to 3), batch sizes, axes, and each of data and
 * index mapped or not; for the differentiable ops also the per-sample gradient.
 */
class VmapIndexingPropertyTest {
  private static final int NB = Func.NOT_BATCHED;

  @Property(tries = 100, seed = "20261202")
  void vmap_indexingAndStatistics_equalLoop(@ForAll @IntRange(min = 1, max = 3) int rank,
      @ForAll @IntRange(min = 1, max = 3) int batch, @ForAll @IntRange(min = 0, max = 2) int mode,
      @ForAll @IntRange(min = 0, max = 2) int axisPick, @ForAll @IntRange(min = 0, max = 3) int k,
      @ForAll long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int[] s = new int[rank];
    for (int i = 0; i < rank; i++) {
      s[i] = rng.nextInt(4); // 0 (empty) to 3
    }
    int a = axisPick % rank;
    int kk = s[a] == 0 ? 0 : k;
    boolean mapX = mode != 1;
    boolean mapI = mode != 0;
    Tensor x = Tensor.randn(rng, DType.FLOAT64, mapX ? prepend(batch, s) : s);
    int[] is = s.clone();
    is[a] = kk;
    Tensor gIdx = longs(rng, s[a], mapI ? prepend(batch, is) : is);
    Tensor sIdx = longs(rng, s[a], mapI ? new int[] {batch, kk} : new int[] {kk});
    int[] dims = {mapX ? 0 : NB, mapI ? 0 : NB};
    List<TensorFn> fs = new ArrayList<>();
    fs.add(t -> t[0].gather(a, t[1]).square());
    fs.add(t -> t[0].scatterAdd(a, t[1], t[0].gather(a, t[1]).sin()));
    fs.add(t -> t[0].var(new int[] {a}, 0, false).add(t[0].gather(a, t[1]).sum()));
    fs.add(t -> t[0].std(new int[] {}, 1, true).add(t[0].gather(a, t[1]).sum()));
    for (TensorFn f : fs) {
      check(f, dims, x, gIdx);
      check(t -> Func.grad(u -> f.apply(u).tanh().sum(), 0).apply(t)[0], dims, x, gIdx);
    }
    TensorFn sel = t -> t[0].indexSelect(a, t[1]).exp().add(t[0].indexAdd(a, t[1],
        t[0].indexSelect(a, t[1])).sum());
    check(sel, dims, x, sIdx);
    check(t -> Func.grad(u -> sel.apply(u).sum(), 0).apply(t)[0], dims, x, sIdx);
    if (x.numel() > 0) {
      check(t -> t[0].argmax().to(DType.FLOAT64), dims, x, gIdx);
    }
  }

  private static void check(TensorFn f, int[] dims, Tensor... xs) {
    Tensor got = Func.vmap(f, dims, 0).apply(xs);
    int batch = dims[0] != NB ? xs[0].size(0) : xs[1].size(0);
    List<Tensor> outs = new ArrayList<>();
    for (int i = 0; i < batch; i++) {
      Tensor[] sample = new Tensor[xs.length];
      for (int j = 0; j < xs.length; j++) {
        sample[j] = dims[j] == NB ? xs[j] : xs[j].select(0, i);
      }
      outs.add(f.apply(sample).detach());
    }
    Tensor want = Tensor.stack(outs, 0);
    assertArrayEquals(want.shape(), got.shape());
    assertArrayEquals(want.toDoubleArray(), got.toDoubleArray(), 1e-12);
  }

  private static Tensor longs(SplittableRandom rng, int bound, int[] shape) {
    int n = 1;
    for (int v : shape) {
      n *= v;
    }
    long[] v = new long[n];
    for (int i = 0; i < n; i++) {
      v[i] = bound == 0 ? 0 : rng.nextInt(bound);
    }
    return Tensor.ofLongs(v).reshape(shape);
  }

  private static int[] prepend(int n, int[] s) {
    int[] r = new int[s.length + 1];
    r[0] = n;
    System.arraycopy(s, 0, r, 1, s.length);
    return r;
  }
}
