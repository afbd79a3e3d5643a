package dev.cadena.func;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.nn.Loss;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.ShapeException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The batching rules of the indexing ops, {@code var}/{@code std}, {@code binaryCrossEntropy},
 * {@code argmax}/{@code argmin} over all axes and the reductions over one or all axes: each
 * against a Java loop that stacks {@code f(x_i)} (computed outside any vmap), for values and,
 * where the op is differentiable, per-sample gradients; with inDims 0 and 1 and batched and
 * unbatched mixes of operands.
 */
class VmapRulesTest {
  private static final double TOL = 1e-12;
  private static final int NB = Func.NOT_BATCHED;

  /** The reference: a Java loop over samples, stacked along outDim. */
  static Tensor loop(TensorFn f, int[] inDims, int outDim, Tensor... xs) {
    int batch = -1;
    for (int k = 0; k < xs.length; k++) {
      if (inDims[k] != NB) {
        batch = xs[k].size(inDims[k]);
      }
    }
    List<Tensor> outs = new ArrayList<>();
    for (int i = 0; i < batch; i++) {
      Tensor[] sample = new Tensor[xs.length];
      for (int k = 0; k < xs.length; k++) {
        sample[k] = inDims[k] == NB ? xs[k] : xs[k].select(inDims[k], i);
      }
      outs.add(f.apply(sample).detach());
    }
    int rank = outs.get(0).rank() + 1;
    return Tensor.stack(outs, outDim < 0 ? outDim + rank : outDim);
  }

  static void assertMatchesLoop(TensorFn f, int[] inDims, int outDim, Tensor... xs) {
    Tensor got = Func.vmap(f, inDims, outDim).apply(xs);
    Tensor want = loop(f, inDims, outDim, xs);
    assertFalse(got.isBatched());
    assertArrayEquals(want.shape(), got.shape(), "shape");
    assertArrayEquals(want.toDoubleArray(), got.toDoubleArray(), TOL);
  }

  /** Values of {@code f}, and its gradient with respect to each floating argument, per sample. */
  static void assertValuesAndGradsMatchLoop(TensorFn f, int[] inDims, Tensor... xs) {
    assertMatchesLoop(f, inDims, 0, xs);
    for (int k = 0; k < xs.length; k++) {
      if (!xs[k].dtype().isFloatingPoint()) {
        continue;
      }
      TensorFn loss = a -> f.apply(a).sum();
      int arg = k;
      assertMatchesLoop(a -> Func.grad(loss, arg).apply(a)[0], inDims, 0, xs);
    }
  }

  private final SplittableRandom rng = new SplittableRandom(2026);

  private Tensor randn(int... shape) {
    return Tensor.randn(rng, DType.FLOAT64, shape);
  }

  /** int64 indices in [0, bound), of the given shape. */
  private Tensor indices(int bound, int... shape) {
    int n = 1;
    for (int s : shape) {
      n *= s;
    }
    long[] v = new long[n];
    for (int i = 0; i < n; i++) {
      v[i] = rng.nextInt(bound);
    }
    return Tensor.ofLongs(v).reshape(shape);
  }

  @Test
  void testVmap_indexSelect_batchedDataOrIndexOrBoth() {
    // Samples: x [4, 3], index [5] into axis 0 (repeats included), or axis 1.
    Tensor xs = randn(6, 4, 3);
    Tensor x = randn(4, 3);
    Tensor idxs = indices(4, 6, 5);
    Tensor idx = indices(4, 5);
    TensorFn f0 = a -> a[0].indexSelect(0, a[1]).mul(a[0].sum(0).unsqueeze(0));
    assertValuesAndGradsMatchLoop(f0, new int[] {0, NB}, xs, idx);
    assertValuesAndGradsMatchLoop(f0, new int[] {NB, 0}, x, idxs);
    assertValuesAndGradsMatchLoop(f0, new int[] {0, 0}, xs, idxs);
    // inDims 1 for both the data ([4, 6, 3]) and the index ([5, 6]), and a negative axis.
    TensorFn f1 = a -> a[0].indexSelect(-1, a[1]).tanh();
    assertValuesAndGradsMatchLoop(f1, new int[] {1, 1}, randn(4, 6, 3),
        indices(3, 5, 6));
    assertValuesAndGradsMatchLoop(f1, new int[] {NB, 1}, x, indices(3, 2, 6));
    // An empty index, per sample.
    assertMatchesLoop(a -> a[0].indexSelect(0, a[1]), new int[] {NB, 0}, 0, x,
        Tensor.zeros(DType.INT64, 6, 0));
  }

  @Test
  void testVmap_indexAdd_everyMixOfBatchedOperands() {
    Tensor x = randn(4, 3);
    Tensor xs = randn(5, 4, 3);
    Tensor idx = indices(4, 6);
    Tensor idxs = indices(4, 5, 6);
    Tensor src = randn(6, 3);
    Tensor srcs = randn(5, 6, 3);
    TensorFn f = a -> a[0].indexAdd(0, a[1], a[2].square()).mul(a[0]);
    int[][] dims = {
        {0, NB, NB}, {NB, 0, NB}, {NB, NB, 0}, {0, 0, NB}, {0, NB, 0}, {NB, 0, 0}, {0, 0, 0}};
    for (int[] d : dims) {
      assertValuesAndGradsMatchLoop(f, d, d[0] == NB ? x : xs, d[1] == NB ? idx : idxs,
          d[2] == NB ? src : srcs);
    }
    // Along axis 1, data mapped over its dim 1 and the index over its dim 1.
    TensorFn g = a -> a[0].indexAdd(1, a[1], a[2]);
    assertValuesAndGradsMatchLoop(g, new int[] {1, 1, NB}, randn(4, 5, 3), indices(3, 2, 5),
        randn(4, 2));
  }

  @Test
  void testVmap_gather_batchedDataOrIndexOrBoth() {
    // Per sample: x [4, 3], index [2, 3] along axis 0, or [4, 1] along axis 1 (the label pick).
    Tensor x = randn(4, 3);
    Tensor xs = randn(5, 4, 3);
    Tensor idx = indices(4, 2, 3);
    Tensor idxs = indices(4, 5, 2, 3);
    TensorFn f = a -> a[0].gather(0, a[1]).exp();
    assertValuesAndGradsMatchLoop(f, new int[] {0, NB}, xs, idx);
    assertValuesAndGradsMatchLoop(f, new int[] {NB, 0}, x, idxs);
    assertValuesAndGradsMatchLoop(f, new int[] {0, 0}, xs, idxs);
    TensorFn pick = a -> a[0].gather(1, a[1].unsqueeze(1)).squeeze(1);
    assertValuesAndGradsMatchLoop(pick, new int[] {1, 1}, randn(4, 5, 3), indices(3, 4, 5));
    // An index smaller than the data in a non-gathered dimension.
    assertValuesAndGradsMatchLoop(a -> a[0].gather(1, a[1]), new int[] {0, 0}, xs,
        indices(3, 5, 2, 2));
  }

  @Test
  void testVmap_scatterAdd_everyMixOfBatchedOperands() {
    Tensor x = randn(4, 3);
    Tensor xs = randn(5, 4, 3);
    Tensor idx = indices(4, 2, 3);
    Tensor idxs = indices(4, 5, 2, 3);
    Tensor src = randn(2, 3);
    Tensor srcs = randn(5, 2, 3);
    TensorFn f = a -> a[0].scatterAdd(0, a[1], a[2].sin()).mul(a[0].cos());
    int[][] dims = {
        {0, NB, NB}, {NB, 0, NB}, {NB, NB, 0}, {0, 0, NB}, {0, NB, 0}, {NB, 0, 0}, {0, 0, 0}};
    for (int[] d : dims) {
      assertValuesAndGradsMatchLoop(f, d, d[0] == NB ? x : xs, d[1] == NB ? idx : idxs,
          d[2] == NB ? src : srcs);
    }
    assertValuesAndGradsMatchLoop(a -> a[0].scatterAdd(-1, a[1], a[2]), new int[] {1, 1, NB},
        randn(4, 5, 3), indices(3, 4, 5, 2), randn(4, 2));
  }

  @Test
  void testVmap_indexingErrorsNameTheOpAndLogicalShapes() {
    ShapeException e = assertThrows(ShapeException.class,
        () -> Func.vmap(a -> a[0].gather(0, a[1]), new int[] {NB, 0}, 0)
            .apply(randn(4, 3), indices(4, 5, 3)));
    assertTrue(e.getMessage().contains("gather: index rank 1 differs from tensor rank 2"),
        e.getMessage());
    e = assertThrows(ShapeException.class,
        () -> Func.vmap(a -> a[0].indexSelect(0, a[1]), new int[] {NB, 0}, 0)
            .apply(randn(4, 3), indices(4, 5, 2, 2)));
    assertTrue(e.getMessage().contains("indexSelect: index must be 1-d, got shape [2, 2]"),
        e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> Func.vmap(a -> a[0].indexSelect(0, a[1]), new int[] {NB, 0}, 0)
            .apply(randn(4, 3), indices(9, 5, 20).add(Tensor.ofLongs(4)).to(DType.INT64)));
  }

  @Test
  void testVmap_argmaxArgminOverAllAxesPerSample() {
    Tensor x = randn(5, 3, 4);
    assertMatchesLoop(a -> a[0].argmax().to(DType.FLOAT64), new int[] {0}, 0, x);
    assertMatchesLoop(a -> a[0].argmin().to(DType.FLOAT64), new int[] {1}, 0, x);
    assertMatchesLoop(a -> dev.cadena.ops.Reductions.argmax(a[0], null, true).to(DType.FLOAT64),
        new int[] {0}, 0, x);
    // A logical scalar: index 0 for every sample.
    assertMatchesLoop(a -> a[0].argmax().to(DType.FLOAT64), new int[] {0}, 0, randn(5));
    // A transposed (non-contiguous) batch: inDims 2.
    assertMatchesLoop(a -> a[0].argmax().to(DType.FLOAT64), new int[] {2}, 0, x);
    assertThrows(ShapeException.class,
        () -> Func.vmap(a -> a[0].argmax()).apply(Tensor.zeros(DType.FLOAT64, 3, 0)));
  }

  @Test
  void testVmap_varAndStd_axesAllAxesCorrectionAndGradients() {
    Tensor x = randn(5, 3, 4);
    Tensor w = randn(3, 4);
    assertValuesAndGradsMatchLoop(a -> a[0].var(), new int[] {0}, x);
    assertValuesAndGradsMatchLoop(a -> a[0].std(), new int[] {1}, x);
    assertValuesAndGradsMatchLoop(a -> a[0].var(1), new int[] {0}, x);
    assertValuesAndGradsMatchLoop(a -> a[0].mul(a[1]).std(new int[] {0}, 0, true),
        new int[] {0, NB}, x, w);
    assertValuesAndGradsMatchLoop(a -> a[0].var(new int[] {-1, 0}, 2, false), new int[] {2}, x);
    // A logical scalar: over no axes the variance is 0 / (1 - c): NaN for c = 1, 0 for c = 0.
    assertMatchesLoop(a -> a[0].var(new int[] {}, 0, false), new int[] {0}, 0, randn(5));
    assertMatchesLoop(a -> a[0].var(), new int[] {0}, 0, randn(5));
  }

  @Test
  void testVmap_binaryCrossEntropy_elementwiseAndViaLoss() {
    Tensor p = randn(5, 4).sigmoid();
    Tensor y = randn(5, 4).gt(0.0);
    Tensor yShared = randn(4).gt(0.0);
    TensorFn bce = a -> dev.cadena.ops.Elementwise.binaryCrossEntropy(a[0], a[1]);
    assertValuesAndGradsMatchLoop(bce, new int[] {0, 0}, p, y);
    assertValuesAndGradsMatchLoop(bce, new int[] {0, NB}, p, yShared);
    assertValuesAndGradsMatchLoop(bce, new int[] {NB, 1}, p.select(0, 0), y.transpose(0, 1));
    // Through nn.Loss (its range check reads every sample's probabilities), logits per sample.
    Tensor w = randn(3, 4);
    Tensor xs = randn(5, 2, 3);
    Tensor ys = randn(5, 2, 4).gt(0.0);
    TensorFn loss = a -> Loss.binaryCrossEntropy(a[1].matmul(a[0]).sigmoid(), a[2]);
    assertValuesAndGradsMatchLoop(loss, new int[] {NB, 0, 0}, w, xs, ys);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Func.vmap(a -> Loss.binaryCrossEntropy(a[0], a[1])).apply(p.add(1.0), y));
    assertTrue(e.getMessage().contains("is not a probability"), e.getMessage());
  }

  @Test
  void testVmap_reductionsOverOneAndAllAxes() {
    Tensor x = randn(4, 3, 5);
    int[] d0 = {0};
    int[] d1 = {1};
    List<TensorFn> fs = List.of(
        a -> a[0].sum(), a -> a[0].sum(1), a -> a[0].mean(), a -> a[0].mean(-1, true),
        a -> a[0].max(), a -> a[0].amax(0), a -> a[0].min(), a -> a[0].amin(new int[] {1}, true),
        a -> a[0].logsumexp(new int[] {}, false), a -> a[0].logsumexp(0),
        a -> a[0].var(), a -> a[0].std(1), a -> a[0].softmax(0).square().sum(),
        a -> a[0].logSoftmax(-1).mul(a[0]).mean());
    for (TensorFn f : fs) {
      assertValuesAndGradsMatchLoop(f, d0, x);
      assertValuesAndGradsMatchLoop(f, d1, x);
    }
    // A size-1 batch and size-1 sample axes.
    for (TensorFn f : fs) {
      assertValuesAndGradsMatchLoop(f, d0, randn(1, 1, 1));
    }
  }
}
