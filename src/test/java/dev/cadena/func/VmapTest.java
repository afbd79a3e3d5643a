package dev.cadena.func;

import static org.junit.jupiter.api.Assertions.assertEquals;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * vmap against the loop it replaces: {@code vmap(f, inDims, outDim)(xs)} must equal stacking
 * {@code f} applied to each sample, computed here by slicing with {@code select} and {@code
 * Tensor.stack} outside any vmap.
 */
class VmapTest {
  private static final double TOL = 1e-12;

  /** The reference: a Java loop over samples. */
  private static Tensor loop(TensorFn f, int[] inDims, int outDim, Tensor... xs) {
    int batch = -1;
    for (int k = 0; k < xs.length; k++) {
      if (inDims[k] != Func.NOT_BATCHED) {
        batch = xs[k].size(inDims[k]);
      }
    }
    List<Tensor> outs = new ArrayList<>();
    for (int i = 0; i < batch; i++) {
      Tensor[] sample = new Tensor[xs.length];
      for (int k = 0; k < xs.length; k++) {
        sample[k] = inDims[k] == Func.NOT_BATCHED ? xs[k] : xs[k].select(inDims[k], i);
      }
      outs.add(f.apply(sample).detach());
    }
    int rank = outs.get(0).rank() + 1;
    return Tensor.stack(outs, outDim < 0 ? outDim + rank : outDim);
  }

  private static void assertVmapMatchesLoop(TensorFn f, int[] inDims, int outDim, Tensor... xs) {
    Tensor got = Func.vmap(f, inDims, outDim).apply(xs);
    Tensor want = loop(f, inDims, outDim, xs);
    assertFalse(got.isBatched());
    assertArrayEquals(want.shape(), got.shape(), "shape");
    assertArrayEquals(want.toDoubleArray(), got.toDoubleArray(), TOL);
  }

  private static int[] zeros(int n) {
    return new int[n];
  }

  private final SplittableRandom rng = new SplittableRandom(14);

  private Tensor randn(int... shape) {
    return Tensor.randn(rng, DType.FLOAT64, shape);
  }

  @Test
  void testVmap_elementwiseUnaryAndBinary() {
    TensorFn f = a -> a[0].exp().mul(a[1]).add(a[0].tanh()).div(a[1].square().add(1.0))
        .sub(a[0].sigmoid().mul(a[1].relu())).add(a[0].abs().add(1.0).log().sqrt().sin().cos());
    assertVmapMatchesLoop(f, zeros(2), 0, randn(4, 3, 2), randn(4, 3, 2));
  }

  @Test
  void testVmap_broadcastWithUnbatchedOfHigherAndLowerRank() {
    Tensor hi = randn(5, 3);
    Tensor lo = randn(3);
    TensorFn f = a -> a[0].mul(a[1]).add(a[2]);
    // x samples are [3]; a[1] is [5, 3] (higher rank), a[2] is [3] (lower or equal rank).
    assertVmapMatchesLoop(f, new int[] {0, Func.NOT_BATCHED, Func.NOT_BATCHED}, 0,
        randn(4, 3), hi, lo);
    // Two batched operands of different logical ranks: [2, 3] and [3].
    assertVmapMatchesLoop(a -> a[0].sub(a[1]), zeros(2), 0, randn(4, 2, 3), randn(4, 3));
    assertVmapMatchesLoop(a -> a[1].sub(a[0]), zeros(2), 0, randn(4, 2, 3), randn(4, 3));
    // A batched scalar sample against an unbatched matrix.
    assertVmapMatchesLoop(a -> a[0].mul(a[1]), new int[] {0, Func.NOT_BATCHED}, 0,
        randn(4), randn(2, 3));
  }

  @Test
  void testVmap_reductions() {
    Tensor x = randn(3, 4, 5);
    assertVmapMatchesLoop(a -> a[0].sum(), zeros(1), 0, x);
    assertVmapMatchesLoop(a -> a[0].sum(0), zeros(1), 0, x);
    assertVmapMatchesLoop(a -> a[0].sum(-1, true), zeros(1), 0, x);
    assertVmapMatchesLoop(a -> a[0].mean(1), zeros(1), 0, x);
    assertVmapMatchesLoop(a -> a[0].amax(new int[] {0, 1}, false), zeros(1), 0, x);
    assertVmapMatchesLoop(a -> a[0].amin(new int[] {1}, true), zeros(1), 0, x);
    // A logical scalar reduced over all (no) axes.
    assertVmapMatchesLoop(a -> a[0].sum().sum(), zeros(1), 0, randn(3));
  }

  @Test
  void testVmap_matmul() {
    TensorFn mm = a -> a[0].matmul(a[1]);
    assertVmapMatchesLoop(mm, zeros(2), 0, randn(4, 2, 3), randn(4, 3, 5));
    assertVmapMatchesLoop(mm, new int[] {0, Func.NOT_BATCHED}, 0, randn(4, 2, 3), randn(3, 5));
    assertVmapMatchesLoop(mm, new int[] {Func.NOT_BATCHED, 0}, 0, randn(2, 3), randn(4, 3, 5));
    // Logical batch axes of different ranks: [6, 2, 3] @ [3, 5] both batched, and unbatched
    // [6, 2, 3] @ batched [3, 5].
    assertVmapMatchesLoop(mm, zeros(2), 0, randn(4, 6, 2, 3), randn(4, 3, 5));
    assertVmapMatchesLoop(mm, new int[] {Func.NOT_BATCHED, 0}, 0, randn(6, 2, 3), randn(4, 3, 5));
    // The vector cases (compositions).
    assertVmapMatchesLoop(mm, zeros(2), 0, randn(4, 3), randn(4, 3, 5));
    assertVmapMatchesLoop(mm, zeros(2), 0, randn(4, 2, 3), randn(4, 3));
    assertVmapMatchesLoop(mm, new int[] {0, Func.NOT_BATCHED}, 0, randn(4, 3), randn(3));
  }

  @Test
  void testVmap_movement() {
    Tensor x = randn(3, 4, 6);
    assertVmapMatchesLoop(a -> a[0].reshape(2, 12), zeros(1), 0, x);
    assertVmapMatchesLoop(a -> a[0].reshape(-1), zeros(1), 0, x);
    assertVmapMatchesLoop(a -> a[0].permute(1, 0), zeros(1), 0, x);
    assertVmapMatchesLoop(a -> a[0].mT(), zeros(1), 0, x);
    assertVmapMatchesLoop(a -> a[0].slice(1, 1, 5, 2), zeros(1), 0, x);
    assertVmapMatchesLoop(a -> a[0].slice(-2, 1, 3), zeros(1), 0, x);
    assertVmapMatchesLoop(a -> a[0].unsqueeze(0).expand(2, 4, 6), zeros(1), 0, x);
  }

  @Test
  void testVmap_softmaxAndLogSoftmax() {
    Tensor x = randn(3, 4, 5);
    assertVmapMatchesLoop(a -> a[0].softmax(1), zeros(1), 0, x);
    assertVmapMatchesLoop(a -> a[0].logSoftmax(0), zeros(1), 0, x);
    assertVmapMatchesLoop(a -> a[0].logSoftmax(-1).exp().sum(), zeros(1), 0, x);
  }

  @Test
  void testVmap_mlpForward() {
    Tensor w1 = randn(4, 8);
    Tensor b1 = randn(8);
    Tensor w2 = randn(8, 3);
    TensorFn mlp = a -> a[0].matmul(a[1]).add(a[2]).tanh().matmul(a[3]).logSoftmax(-1);
    int nb = Func.NOT_BATCHED;
    assertVmapMatchesLoop(mlp, new int[] {0, nb, nb, nb}, 0, randn(5, 4), w1, b1, w2);
    assertVmapMatchesLoop(mlp, new int[] {0, nb, nb, nb}, 0, randn(5, 2, 4), w1, b1, w2);
  }

  @Test
  void testVmap_inDimsNonZeroAndNegative_outDim() {
    TensorFn f = a -> a[0].mul(a[1]).sum(0);
    // x mapped over dim 1 ([3, B=4, 2]), y over dim -1 ([3, 2, B=4]).
    assertVmapMatchesLoop(f, new int[] {1, -1}, 0, randn(3, 4, 2), randn(3, 2, 4));
    assertVmapMatchesLoop(a -> a[0].mul(2.0), new int[] {2}, 1, randn(3, 2, 4));
    assertVmapMatchesLoop(a -> a[0].mul(2.0), new int[] {0}, -1, randn(4, 3, 2));
  }

  @Test
  void testVmap_unbatchedResultIsRepeated() {
    Tensor c = randn(3);
    Tensor r = Func.vmap(a -> a[1].mul(2.0), new int[] {0, Func.NOT_BATCHED}, 0)
        .apply(randn(4, 2), c);
    assertArrayEquals(new int[] {4, 3}, r.shape());
    for (int i = 0; i < 4; i++) {
      assertArrayEquals(c.mul(2.0).toDoubleArray(), r.select(0, i).toDoubleArray(), 0.0);
    }
  }

  @Test
  void testVmap_logicalShapeInsideF() {
    Func.vmap(a -> {
      assertTrue(a[0].isBatched());
      assertArrayEquals(new int[] {3, 2}, a[0].shape());
      assertArrayEquals(new int[] {3, 2}, a[0].size());
      assertTrue(a[0].rank() == 2 && a[0].dim() == 2 && a[0].numel() == 6 && a[0].size(-1) == 2);
      return a[0];
    }).apply(randn(5, 3, 2));
  }

  /** The required test: per-sample gradients of an MLP loss against a loop of grad. */
  /** The accuracy primitives and the activations built on them, values and per-sample gradients. */
  @Test
  void testVmap_log1pExpm1ErfErfcAndTheirActivations() {
    TensorFn f = a -> a[0].log1p().add(a[0].expm1()).add(a[0].erf()).mul(a[0].erfc())
        .add(a[0].gelu()).add(a[0].softplus(2.0, 5.0)).add(a[0].logSigmoid());
    Tensor x = Tensor.uniform(new SplittableRandom(5), -0.9, 2.0, 4, 3, 2);
    assertVmapMatchesLoop(f, zeros(1), 0, x);
    TensorFn g = xs -> Func.grad(a -> f.apply(a).sum(), 0).apply(xs)[0];
    assertVmapMatchesLoop(g, zeros(1), 0, x);
  }

  @Test
  void testVmap_perSampleGradientsOfMlp() {
    Tensor w1 = randn(4, 6);
    Tensor b1 = randn(6);
    Tensor w2 = randn(6, 3);
    Tensor x = randn(7, 4);
    Tensor y = randn(7, 3);
    TensorFn loss = a -> a[1].matmul(a[0]).add(a[2]).relu().matmul(a[3]).tanh()
        .sub(a[4]).square().mean();
    int nb = Func.NOT_BATCHED;
    int[] inDims = {nb, 0, nb, nb, 0};
    for (int argnum : new int[] {0, 2, 3}) {
      TensorFn g = xs -> Func.grad(loss, argnum).apply(xs)[0];
      assertVmapMatchesLoop(g, inDims, 0, w1, x, b1, w2, y);
    }
    // The gradient with respect to the mapped input too.
    assertVmapMatchesLoop(xs -> Func.grad(loss, 1).apply(xs)[0], inDims, 0, w1, x, b1, w2, y);
  }

  /** vmapMany: all per-sample gradients in one call equal one vmap per argnum and a loop. */
  @Test
  void testVmapMany_perSampleGradientsOfSeveralParametersAtOnce() {
    Tensor w1 = randn(4, 6);
    Tensor b1 = randn(6);
    Tensor w2 = randn(6, 3);
    Tensor x = randn(5, 4);
    Tensor y = randn(5, 3);
    TensorFn loss = a -> a[1].matmul(a[0]).add(a[2]).tanh().matmul(a[3]).sub(a[4]).square().sum();
    int nb = Func.NOT_BATCHED;
    int[] inDims = {nb, 0, nb, nb, 0};
    Tensor[] all = Func.vmapMany(Func.grad(loss, 0, 2, 3), inDims, 0).apply(w1, x, b1, w2, y);
    int[] argnums = {0, 2, 3};
    for (int j = 0; j < argnums.length; j++) {
      for (int i = 0; i < 5; i++) {
        Tensor xi = x.slice(0, i, i + 1).reshape(4);
        Tensor yi = y.slice(0, i, i + 1).reshape(3);
        Tensor expected = Func.grad(loss, argnums[j]).apply(w1, xi, b1, w2, yi)[0];
        Tensor got = all[j].slice(0, i, i + 1).reshape(expected.shape());
        assertArrayEquals(expected.toDoubleArray(), got.toDoubleArray(), 1e-12,
            "argnum " + argnums[j] + " sample " + i);
      }
    }
    TensorsFn nothingMapped = Func.vmapMany(Func.grad(loss, 0), new int[] {nb, nb, nb, nb, nb}, 0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> nothingMapped.apply(w1, x, b1, w2, y));
    assertEquals("vmap: no argument is mapped (every inDim is NOT_BATCHED)", e.getMessage());
  }

  @Test
  void testVmap_perSampleGradientsViaNnStyleLinear() {
    Tensor w = randn(4, 3);
    Tensor b = randn(3);
    TensorFn loss = a -> dev.cadena.nn.Functional.linear(a[1], a[0], a[2]).square().sum();
    int nb = Func.NOT_BATCHED;
    assertVmapMatchesLoop(xs -> Func.grad(loss, 0).apply(xs)[0], new int[] {nb, 0, nb}, 0,
        w, randn(5, 4), b);
  }

  /** A user op: its forward runs on physical values, so vmap has no rule for it. */
  private static final dev.cadena.autograd.Function CUBE = new dev.cadena.autograd.Function("cube") {
    @Override
    protected Tensor forward(Context ctx, Tensor... in) {
      ctx.saveForBackward(in[0]);
      return in[0].pow(3);
    }

    @Override
    protected Tensor[] backward(Context ctx, Tensor grad) {
      return new Tensor[] {grad.mul(ctx.<Tensor>saved(0).square().mul(3.0))};
    }
  };

  @Test
  void testVmap_opWithoutRuleThrowsClearly() {
    Tensor x = randn(3, 4);
    UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
        () -> Func.vmap(a -> CUBE.apply(a[0])).apply(x));
    assertTrue(e.getMessage().contains("vmap: no batching rule for 'cube'"), e.getMessage());
  }

  @Test
  void testVmap_readingValuesThrows() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> Func.vmap(a -> Tensor.scalar(a[0].sum().item(), DType.FLOAT64)).apply(randn(3, 2)));
    assertTrue(e.getMessage().contains("vmap: item on a batched tensor"), e.getMessage());
  }

  @Test
  void testVmap_mismatchedBatchSizesThrow() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Func.vmap(a -> a[0].add(a[1])).apply(randn(3, 2), randn(4, 2)));
    assertTrue(e.getMessage().contains("mismatched batch sizes"), e.getMessage());
    assertTrue(e.getMessage().contains("3") && e.getMessage().contains("4"), e.getMessage());
  }

  @Test
  void testVmap_nestedMapsTheInnerLevelToo() {
    TensorFn inner = Func.vmap(a -> a[0].sum());
    Tensor x = randn(3, 4, 2);
    assertVmapMatchesLoop(a -> inner.apply(a[0]), zeros(1), 0, x);
  }

  @Test
  void testVmap_noMappedArgumentThrows() {
    assertThrows(IllegalArgumentException.class,
        () -> Func.vmap(a -> a[0], new int[] {Func.NOT_BATCHED}, 0).apply(randn(2)));
  }

  @Test
  void testVmap_masksWhereClampArgmax() {
    Tensor x = randn(4, 3, 5);
    Tensor u = randn(5);
    int nb = Func.NOT_BATCHED;
    assertVmapMatchesLoop(a -> a[0].gt(a[1]), new int[] {0, nb}, 0, x, u);
    assertVmapMatchesLoop(a -> Tensor.where(a[0].gt(0.0), a[0], a[1]), new int[] {0, nb}, 0, x, u);
    // A batched mask choosing between unbatched values.
    assertVmapMatchesLoop(a -> Tensor.where(a[0].gt(0.0), a[1], a[1].neg()), new int[] {0, nb}, 0,
        x, u);
    assertVmapMatchesLoop(a -> a[0].clamp(-0.5, 0.5).add(a[0].clampMin(0.1)), zeros(1), 0, x);
    assertVmapMatchesLoop(a -> a[0].argmax(1, false).to(DType.FLOAT64), zeros(1), 0, x);
    assertVmapMatchesLoop(a -> a[0].argmin(-2).to(DType.FLOAT64), zeros(1), 0, x);
  }

  @Test
  void testVmap_gradThroughWhereAndMaxAndSlice() {
    Tensor w = randn(5);
    int nb = Func.NOT_BATCHED;
    TensorFn loss = a -> Tensor.where(a[1].gt(0.0), a[0].mul(a[1]), a[0].square())
        .slice(0, 1, 5).amax(new int[] {0}, false).add(a[0].sin().sum());
    assertVmapMatchesLoop(xs -> Func.grad(loss, 0).apply(xs)[0], new int[] {nb, 0}, 0,
        w, randn(6, 5));
  }

  @Test
  void testVmap_refusedOpsNameThemselves() {
    Tensor x = randn(3, 4);
    Exception e = assertThrows(UnsupportedOperationException.class,
        () -> Func.vmap(a -> CUBE.apply(a[0].exp()).sum()).apply(x));
    assertTrue(e.getMessage().contains("vmap: no batching rule for 'cube'"), e.getMessage());
    e = assertThrows(IllegalStateException.class,
        () -> Func.vmap(a -> a[0].mul_(2.0)).apply(x));
    assertTrue(e.getMessage().contains("vmap: mul_ on a batched tensor"), e.getMessage());
  }

  @Test
  void testVmap_concatAndStack() {
    Tensor u = randn(2, 5);
    int nb = Func.NOT_BATCHED;
    assertVmapMatchesLoop(a -> Tensor.concat(List.of(a[0], a[1], a[0]), 0), new int[] {0, nb}, 0,
        randn(4, 3, 5), u);
    assertVmapMatchesLoop(a -> Tensor.concat(List.of(a[1], a[0]), -1), zeros(2), 0,
        randn(4, 2, 3), randn(4, 2, 1));
    assertVmapMatchesLoop(a -> Tensor.stack(List.of(a[0], a[1]), 1), new int[] {0, nb}, 0,
        randn(4, 2, 5), u);
    // Gradients through concat (its VJP slices), per sample.
    TensorFn loss = a -> Tensor.concat(List.of(a[0].mul(a[1]), a[0].sin()), 0).square().sum();
    assertVmapMatchesLoop(xs -> Func.grad(loss, 0).apply(xs)[0], new int[] {nb, 0}, 0,
        u, randn(3, 2, 5));
  }

  @Test
  void testVmap_jvpInside() {
    Tensor v = randn(3);
    int nb = Func.NOT_BATCHED;
    TensorFn f = a -> a[0].sin().mul(a[0]).sum();
    TensorFn jv = a -> Func.jvp(f, new Tensor[] {a[0]}, new Tensor[] {a[1]}).tangent();
    assertVmapMatchesLoop(jv, new int[] {0, nb}, 0, randn(4, 3), v);
    assertVmapMatchesLoop(jv, zeros(2), 0, randn(4, 3), randn(4, 3));
  }

  @Test
  void testVmap_crossEntropyPerSampleGradients() {
    Tensor w = randn(4, 3);
    Tensor x = randn(5, 2, 4);                        // 5 samples of 2 rows
    Tensor y = Tensor.ofLongs(new long[] {0, 2, 1, 1, 2, 0, 0, 0, 1, 2}).reshape(5, 2);
    Tensor shared = Tensor.ofLongs(2, 0);
    int nb = Func.NOT_BATCHED;
    TensorFn ce = a -> dev.cadena.ops.Reductions.crossEntropy(a[1].matmul(a[0]), a[2]);
    assertVmapMatchesLoop(ce, new int[] {nb, 0, 0}, 0, w, x, y);
    assertVmapMatchesLoop(ce, new int[] {nb, 0, nb}, 0, w, x, shared);
    TensorFn loss = a -> ce.apply(a).mean();
    assertVmapMatchesLoop(xs -> Func.grad(loss, 0).apply(xs)[0], new int[] {nb, 0, 0}, 0, w, x, y);
    assertVmapMatchesLoop(xs -> Func.grad(loss, 1).apply(xs)[0], new int[] {nb, 0, nb}, 0,
        w, x, shared);
    TensorFn viaLoss = a -> dev.cadena.nn.Loss.crossEntropy(a[1].matmul(a[0]), a[2]);
    assertVmapMatchesLoop(viaLoss, new int[] {nb, 0, nb}, 0, w, x, shared);
    // nn.Loss with batched labels: each sample's labels checked and used.
    assertVmapMatchesLoop(viaLoss, new int[] {nb, 0, 0}, 0, w, x, y);
    assertVmapMatchesLoop(a -> Func.grad(xs -> viaLoss.apply(xs), 0).apply(a)[0],
        new int[] {nb, 0, 0}, 0, w, x, y);
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> Func.vmap(viaLoss, new int[] {nb, 0, 0}, 0)
            .apply(w, x, Tensor.ofLongs(new long[] {0, 2, 1, 1, 2, 0, 0, 7, 1, 2}).reshape(5, 2)));
    assertTrue(bad.getMessage().contains(
        "crossEntropy: label 7 at position 1 of sample 3 is out of range [0, 3)"), bad.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Func.vmap(ce, new int[] {nb, 0, 0}, 0)
        .apply(w, x, y.add(Tensor.ofLongs(5)).to(DType.INT64)));
  }
  /**
   * THE per-sample-gradient use case: {@code vmap(grad(loss), inDims(NB, NB, 0, 0))} of an MLP's
   * cross-entropy with per-sample labels, against a Java loop of {@code Func.grad} per sample.
   */
  @Test
  void testVmap_perSampleGradientsOfMlpWithPerSampleLabels() {
    Tensor w1 = randn(6, 8);
    Tensor w2 = randn(8, 4);
    int batch = 7;
    Tensor xs = randn(batch, 6);
    long[] labels = new long[batch];
    for (int i = 0; i < batch; i++) {
      labels[i] = rng.nextInt(4);
    }
    Tensor ys = Tensor.ofLongs(labels);
    // loss(w1, w2, x, y) for one sample: x [6], y a 0-d label; crossEntropy wants [1, C], [1].
    TensorFn loss = a -> dev.cadena.nn.Loss.crossEntropy(
        a[2].unsqueeze(0).matmul(a[0]).tanh().matmul(a[1]), a[3].reshape(1));
    int nb = Func.NOT_BATCHED;
    Tensor[] got = Func.vmapMany(Func.grad(loss, 0, 1), new int[] {nb, nb, 0, 0}, 0)
        .apply(w1, w2, xs, ys);
    assertArrayEquals(new int[] {batch, 6, 8}, got[0].shape());
    assertArrayEquals(new int[] {batch, 8, 4}, got[1].shape());
    for (int i = 0; i < batch; i++) {
      Tensor[] want = Func.grad(loss, 0, 1).apply(w1, w2, xs.select(0, i), ys.select(0, i));
      assertArrayEquals(want[0].toDoubleArray(), got[0].select(0, i).toDoubleArray(), TOL);
      assertArrayEquals(want[1].toDoubleArray(), got[1].select(0, i).toDoubleArray(), TOL);
    }
  }
}
