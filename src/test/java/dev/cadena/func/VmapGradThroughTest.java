package dev.cadena.func;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.autograd.VmapBoundary;
import dev.cadena.tensor.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Gradients, backward() and JVPs taken AROUND vmap: the same as around the Java loop it replaces
 * (select each sample, apply f, stack; all recorded ops, so the loop is differentiable too).
 */
class VmapGradThroughTest {
  private static final double TOL = 1e-11;
  private static final int NB = Func.NOT_BATCHED;

  /** The differentiable reference: f applied per sample, stacked along outDim. */
  private static TensorFn loop(TensorFn f, int[] inDims, int outDim) {
    return xs -> {
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
        outs.add(f.apply(sample));
      }
      int rank = outs.get(0).rank() + 1;
      return Tensor.stack(outs, outDim < 0 ? outDim + rank : outDim);
    };
  }

  private static void assertClose(Tensor want, Tensor got) {
    assertArrayEquals(want.shape(), got.shape(), "shape");
    assertArrayEquals(want.toDoubleArray(), got.toDoubleArray(), TOL);
  }

  /** grad around vmap, for every floating argument, against grad around the loop. */
  private static void assertGradsAroundMatchLoop(TensorFn f, int[] inDims, int outDim,
      Tensor... xs) {
    TensorFn mapped = Func.vmap(f, inDims, outDim);
    TensorFn looped = loop(f, inDims, outDim);
    SplittableRandom r = new SplittableRandom(5);
    Tensor probe = Tensor.randn(r, DType.FLOAT64, looped.apply(xs).shape());
    for (int k = 0; k < xs.length; k++) {
      if (!xs[k].dtype().isFloatingPoint()) {
        continue;
      }
      Tensor got = Func.grad(a -> mapped.apply(a).mul(probe).sum(), k).apply(xs)[0];
      Tensor want = Func.grad(a -> looped.apply(a).mul(probe).sum(), k).apply(xs)[0];
      assertClose(want, got);
    }
  }

  private final SplittableRandom rng = new SplittableRandom(808);

  private Tensor randn(int... shape) {
    return Tensor.randn(rng, DType.FLOAT64, shape);
  }

  @Test
  void testGradAroundVmap_mappedAndUnmappedArguments() {
    TensorFn f = a -> a[0].matmul(a[1]).tanh().mul(a[2]).sum(0);     // x [2, 3], w [3, 4], b [4]
    Tensor x = randn(5, 2, 3);
    Tensor w = randn(3, 4);
    Tensor b = randn(4);
    assertGradsAroundMatchLoop(f, new int[] {0, NB, NB}, 0, x, w, b);
    assertGradsAroundMatchLoop(f, new int[] {0, 0, NB}, 0, x, randn(5, 3, 4), b);
    // inDims 1 and -1, outDim 1 and -1.
    assertGradsAroundMatchLoop(f, new int[] {1, NB, -1}, 1, randn(2, 5, 3), w, randn(4, 5));
    assertGradsAroundMatchLoop(f, new int[] {2, NB, NB}, -1, randn(2, 3, 5), w, b);
    // An f whose result does not depend on the mapped argument (repeated, then summed).
    assertGradsAroundMatchLoop(a -> a[1].sin(), new int[] {0, NB}, 0, randn(3, 2), randn(4));
  }

  @Test
  void testGradAroundVmap_ofIndexingAndCrossEntropyRules() {
    Tensor table = randn(6, 3);
    Tensor idx = Tensor.ofLongs(new long[] {0, 5, 2, 2, 1, 3, 4, 0}).reshape(4, 2);
    assertGradsAroundMatchLoop(a -> a[0].indexSelect(0, a[1]).square().sum(0),
        new int[] {NB, 0}, 0, table, idx);
    Tensor logits = randn(4, 2, 3);
    Tensor labels = Tensor.ofLongs(new long[] {0, 2, 1, 1, 2, 0, 0, 1}).reshape(4, 2);
    assertGradsAroundMatchLoop(a -> dev.cadena.nn.Loss.crossEntropy(a[0], a[1]),
        new int[] {0, 0}, 0, logits, labels);
  }

  @Test
  void testBackwardOnVmappedResult_fillsGradOfMappedAndUnmappedLeaves() {
    Tensor x = randn(5, 3).requiresGrad(true);
    Tensor w = randn(3).requiresGrad(true);
    TensorFn f = a -> a[0].mul(a[1]).sin().sum();
    Func.vmap(f, new int[] {0, NB}, 0).apply(x, w).square().sum().backward();
    Tensor xg = x.grad();
    Tensor wg = w.grad();
    assertNotNull(xg);
    assertNotNull(wg);
    Tensor x2 = x.detach().requiresGrad(true);
    Tensor w2 = w.detach().requiresGrad(true);
    loop(f, new int[] {0, NB}, 0).apply(x2, w2).square().sum().backward();
    assertClose(x2.grad(), xg);
    assertClose(w2.grad(), wg);
    assertTrue(!wg.isBatched() && !xg.isBatched());
  }

  @Test
  void testGradAroundVmapOfGrad_secondOrderThroughPerSampleGradients() {
    // d/dw sum_i |grad_w loss(w, x_i, y_i)|^2: per-sample gradients inside, their sum outside.
    Tensor w = randn(3, 2);
    Tensor xs = randn(4, 3);
    Tensor ys = randn(4, 2);
    TensorFn loss = a -> a[1].matmul(a[0]).tanh().sub(a[2]).square().sum();
    int[] dims = {NB, 0, 0};
    TensorFn perSample = Func.vmap(Func.grad(loss), dims, 0);
    TensorFn perSampleLoop = loop(Func.grad(loss), dims, 0);
    Tensor got = Func.grad(a -> perSample.apply(a).square().sum()).apply(w, xs, ys);
    Tensor want = Func.grad(a -> perSampleLoop.apply(a).square().sum()).apply(w, xs, ys);
    assertClose(want, got);
  }

  @Test
  void testJvpAndJacobiansAroundVmap() {
    TensorFn f = a -> a[0].exp().mul(a[1]).sum();
    Tensor x = randn(4, 3);
    Tensor w = randn(3);
    int[] dims = {0, NB};
    TensorFn mapped = Func.vmap(f, dims, 0);
    TensorFn looped = loop(f, dims, 0);
    Tensor[] tangents = {randn(4, 3), randn(3)};
    assertClose(Func.jvp(looped, new Tensor[] {x, w}, tangents).tangent(),
        Func.jvp(mapped, new Tensor[] {x, w}, tangents).tangent());
    assertClose(Func.jacrev(looped, 0).apply(x, w)[0], Func.jacrev(mapped, 0).apply(x, w)[0]);
    assertClose(Func.jacfwd(looped, 1).apply(x, w)[0], Func.jacfwd(mapped, 1).apply(x, w)[0]);
    assertClose(Func.hessian(a -> looped.apply(a).sum()).apply(x, w),
        Func.hessian(a -> mapped.apply(a).sum()).apply(x, w));
  }

  @Test
  void testVmapBoundary_scopeAndNesting() {
    assertTrue(!VmapBoundary.inside());
    boolean[] seen = new boolean[1];
    Func.vmap(a -> {
      seen[0] = VmapBoundary.inside();
      return a[0];
    }).apply(randn(2, 2));
    assertTrue(seen[0]);
    assertTrue(!VmapBoundary.inside());
    // f throwing leaves the thread outside vmap.
    assertThrows(IllegalStateException.class,
        () -> Func.vmap(a -> Tensor.scalar(a[0].sum().item())).apply(randn(2, 2)));
    assertTrue(!VmapBoundary.inside());
  }
  /** x^3 with a backward written with tensor ops (takes batched cotangents). */
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

  /** x^3 with a backward that reads the cotangent's values (cannot run on a batched one). */
  private static final dev.cadena.autograd.Function CUBE_READING =
      new dev.cadena.autograd.Function("cubeReading") {
        @Override
        protected Tensor forward(Context ctx, Tensor... in) {
          ctx.saveForBackward(in[0]);
          return in[0].pow(3);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor grad) {
          Tensor x = ctx.saved(0);
          double[] g = grad.toDoubleArray();
          double[] v = x.toDoubleArray();
          for (int i = 0; i < g.length; i++) {
            g[i] *= 3 * v[i] * v[i];
          }
          return new Tensor[] {Tensor.fromArray(g, x.shape())};
        }
      };

  @Test
  void testJacrev_rowsByVmapOrLoop_matchTheHandDerivedJacobian() {
    // f(x) = (W x)^3 elementwise: J = diag(3 (W x)^2) W, for m = 2 (loop) and m = 6 (vmap).
    for (int m : new int[] {2, 6}) {
      Tensor w = randn(m, 3);
      Tensor x = randn(3);
      double[] wx = w.matmul(x).toDoubleArray();
      double[] wv = w.toDoubleArray();
      double[] want = new double[m * 3];
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < 3; j++) {
          want[i * 3 + j] = 3 * wx[i] * wx[i] * wv[i * 3 + j];
        }
      }
      for (dev.cadena.autograd.Function cube : new dev.cadena.autograd.Function[] {CUBE, CUBE_READING}) {
        Tensor j = Func.jacrev(a -> cube.apply(w.matmul(a[0]))).apply(x);
        assertArrayEquals(new int[] {m, 3}, j.shape());
        assertArrayEquals(want, j.toDoubleArray(), 1e-12, cube.name() + " m=" + m);
      }
      Tensor plain = Func.jacrev(a -> w.matmul(a[0]).pow(3)).apply(x);
      assertArrayEquals(want, plain.toDoubleArray(), 1e-12);
    }
  }
}
