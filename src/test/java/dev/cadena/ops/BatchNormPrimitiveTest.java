package dev.cadena.ops;

import static dev.cadena.ops.FusedOpsTest.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.autograd.Engine;
import dev.cadena.nn.BatchNorm2d;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.DTypeException;
import dev.cadena.tensor.NDArray;
import dev.cadena.tensor.ShapeException;
import dev.cadena.tensor.kernel.Parallel;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The batch-norm primitive against the composition of mean, var, mul and add it replaces (the
 * reference, computed here in float64 with ordinary ops): outputs, statistics and gradients, both
 * dtypes, 2-d and 3-d inputs, views, with and without weight and bias, one and two threads; the
 * VJP with {@code createGraph} against the one-pass kernel; errors.
 */
class BatchNormPrimitiveTest {

  /** The reference: the composition in float64, on copies of the inputs. */
  private static Tensor reference(Tensor x, Tensor w, Tensor b, double eps) {
    int[] axes = x.rank() == 2 ? new int[] {0} : new int[] {0, 2};
    int c = x.size(1);
    int[] stat = x.rank() == 2 ? new int[] {c} : new int[] {c, 1};
    Tensor mean = x.mean(axes, true);
    Tensor var = x.var(axes, 0, true);
    Tensor y = x.sub(mean).div(var.add(eps).sqrt());
    if (w != null) {
      y = y.mul(w.reshape(stat));
    }
    return b == null ? y : y.add(b.reshape(stat));
  }

  private static Tensor leaf(Tensor t) {
    return t == null ? null : t.to(DType.FLOAT64).detach().requiresGrad(true);
  }

  @ParameterizedTest(name = "{0} [{1}, {2}, {3}] weight={4} bias={5} threads={6} view={7}")
  @CsvSource({
      "float64, 4, 3, 5, true, true, 1, false",
      "float32, 4, 3, 5, true, true, 1, false",
      "float64, 7, 2, 0, false, false, 1, false",
      "float32, 7, 2, 0, true, false, 2, false",
      "float64, 1, 3, 1, false, true, 1, false",
      "float64, 16, 8, 300, true, true, 2, false",
      "float32, 16, 8, 300, true, true, 2, false",
      "float32, 16, 8, 300, false, true, 1, true",
      "float64, 5, 6, 9, true, false, 2, true"})
  void matchesComposition(String dt, int n, int c, int l, boolean weight, boolean bias,
      int threads, boolean view) {
    DType dtype = DType.parse(dt);
    int before = Parallel.threads();
    Parallel.setThreads(threads);
    try {
      SplittableRandom rng = new SplittableRandom(n * 131L + c * 17L + l);
      int[] shape = l == 0 ? new int[] {n, c} : new int[] {n, c, l};
      Tensor x;
      if (view) {
        // The same shape as a non-contiguous view: a transpose of a [c, n, l] array.
        int[] swapped = shape.clone();
        swapped[0] = c;
        swapped[1] = n;
        x = Tensor.randn(rng, dtype, swapped).mul(3.0).add(1.5).transpose(0, 1);
      } else {
        x = Tensor.randn(rng, dtype, shape).mul(3.0).add(1.5);
      }
      x.requiresGrad(true);
      Tensor w = weight ? Tensor.randn(rng, dtype, c).requiresGrad(true) : null;
      Tensor b = bias ? Tensor.randn(rng, dtype, c).requiresGrad(true) : null;
      Tensor g = Tensor.randn(rng, dtype, shape);
      double tol = dtype == DType.FLOAT64 ? 1e-12 : 3e-6;

      Tensor[] r = Normalization.batchNorm(x, w, b, 1e-5);
      assertEquals("batchNorm", r[0].gradFn().name());
      assertEquals(dtype, r[0].dtype());
      Tensor x64 = leaf(x);
      Tensor w64 = leaf(w);
      Tensor b64 = leaf(b);
      Tensor ref = reference(x64, w64, b64, 1e-5);
      assertClose(ref, r[0], tol, "output");
      int[] axes = l == 0 ? new int[] {0} : new int[] {0, 2};
      assertClose(x64.mean(axes, false), r[1], tol, "mean");
      assertClose(x64.var(axes, 0, false), r[2], tol * 10, "biased variance");
      assertEquals(dtype, r[1].dtype());
      assertTrue(r[1].gradFn() == null && !r[1].requiresGrad(), "the statistics are constants");

      Tensor[] leaves = weight && bias ? new Tensor[] {x, w, b}
          : weight ? new Tensor[] {x, w} : bias ? new Tensor[] {x, b} : new Tensor[] {x};
      Tensor[] leaves64 = weight && bias ? new Tensor[] {x64, w64, b64}
          : weight ? new Tensor[] {x64, w64} : bias ? new Tensor[] {x64, b64} : new Tensor[] {x64};
      Tensor[] gf = Engine.grad(new Tensor[] {r[0]}, leaves, new Tensor[] {g}, true, false);
      Tensor[] gr = Engine.grad(new Tensor[] {ref}, leaves64,
          new Tensor[] {g.to(DType.FLOAT64)}, false, false);
      // The gradient through the statistics cancels to a small difference of large terms.
      double gtol = dtype == DType.FLOAT64 ? 1e-10 : 2e-4;
      for (int i = 0; i < leaves.length; i++) {
        assertEquals(dtype, gf[i].dtype());
        assertClose(gr[i], gf[i], gtol, "gradient of input " + i);
      }
      // With createGraph the VJP is the same formula in differentiable ops.
      Tensor[] gg = Engine.grad(new Tensor[] {r[0]}, leaves, new Tensor[] {g}, false, true);
      for (int i = 0; i < leaves.length; i++) {
        assertClose(gf[i], gg[i], gtol, "createGraph gradient of input " + i);
      }
    } finally {
      Parallel.setThreads(before);
    }
  }

  /** Shapes drawn from a seeded generator, size 1 included, against the reference. */
  @Test
  void drawnShapes_matchComposition() {
    SplittableRandom rng = new SplittableRandom(2026);
    for (int k = 0; k < 60; k++) {
      int n = 1 + rng.nextInt(5);
      int c = 1 + rng.nextInt(4);
      int l = rng.nextInt(5);
      int[] shape = l == 0 ? new int[] {n, c} : new int[] {n, c, l};
      Tensor x = Tensor.randn(rng, DType.FLOAT64, shape).requiresGrad(true);
      Tensor w = rng.nextBoolean() ? Tensor.randn(rng, DType.FLOAT64, c).requiresGrad(true) : null;
      Tensor b = rng.nextBoolean() ? Tensor.randn(rng, DType.FLOAT64, c) : null;
      Tensor g = Tensor.randn(rng, DType.FLOAT64, shape);
      String what = Arrays.toString(shape) + " weight=" + (w != null) + " bias=" + (b != null);
      Tensor y = Normalization.batchNorm(x, w, b, 1e-3)[0];
      Tensor x64 = leaf(x);
      Tensor w64 = leaf(w);
      Tensor ref = reference(x64, w64, b, 1e-3);
      assertClose(ref, y, 1e-12, what);
      Tensor[] gf = Engine.grad(new Tensor[] {y}, w == null ? new Tensor[] {x} : new Tensor[] {x, w},
          new Tensor[] {g}, false, false);
      Tensor[] gr = Engine.grad(new Tensor[] {ref},
          w == null ? new Tensor[] {x64} : new Tensor[] {x64, w64}, new Tensor[] {g}, false, false);
      for (int i = 0; i < gf.length; i++) {
        assertClose(gr[i], gf[i], 1e-9, what + ": gradient " + i);
      }
    }
  }

  /** Only the inputs that require grad get one; a constant x still gives weight and bias theirs. */
  @Test
  void gradients_onlyForInputsThatRequireThem() {
    SplittableRandom rng = new SplittableRandom(5);
    Tensor x = Tensor.randn(rng, DType.FLOAT32, 3, 2, 4);
    Tensor w = Tensor.randn(rng, DType.FLOAT32, 2).requiresGrad(true);
    Tensor b = Tensor.randn(rng, DType.FLOAT32, 2).requiresGrad(true);
    Tensor y = Normalization.batchNorm(x, w, b, 1e-5)[0];
    y.mul(y).sum().backward();
    assertNull(x.grad());
    // d/db sum(y^2) = 2 sum(y) per channel, d/dw = 2 sum(y * xhat).
    Tensor sumY = y.detach().sum(new int[] {0, 2}, false).mul(2.0);
    assertClose(sumY, b.grad(), 1e-5, "bias gradient");
  }

  /** A mixed-dtype call (float32 input, float64 weight) takes the composition, which promotes. */
  @Test
  void mixedDtypes_takeTheComposition() {
    SplittableRandom rng = new SplittableRandom(9);
    Tensor x = Tensor.randn(rng, DType.FLOAT32, 4, 3);
    Tensor w = Tensor.randn(rng, DType.FLOAT64, 3);
    Tensor[] r = Normalization.batchNorm(x, w, null, 1e-5);
    assertEquals(DType.FLOAT64, r[0].dtype());
    assertClose(reference(x.to(DType.FLOAT64), w, null, 1e-5), r[0], 1e-6, "output");
  }

  /** BatchNorm2d's running estimates use the primitive's statistics: PyTorch's update. */
  @Test
  void batchNorm2d_runningStatistics() {
    SplittableRandom rng = new SplittableRandom(3);
    BatchNorm2d bn = new BatchNorm2d(3, 1e-5, 0.1, true, DType.FLOAT64);
    Tensor x = Tensor.randn(rng, DType.FLOAT64, 4, 3, 2, 5).mul(2.0).add(0.7);
    bn.forward(x);
    Tensor flat = x.reshape(4, 3, 10);
    Tensor mean = flat.mean(new int[] {0, 2}, false);
    Tensor unbiased = flat.var(new int[] {0, 2}, 1, false);
    assertClose(mean.mul(0.1), bn.runningMean(), 1e-12, "running mean");
    assertClose(unbiased.mul(0.1).add(0.9), bn.runningVar(), 1e-12, "running variance");
    assertEquals(1, bn.numBatchesTracked());
  }

  /** The array-level kernels check what the op above them already checked, for direct callers. */
  @Test
  void arrayLevelErrors_nameTheOpAndTheValues() {
    NDArray x = NDArray.zeros(DType.FLOAT32, 2, 3, 4);
    NDArray[] f = NDArray.batchNorm(x, null, null, 1e-5);
    ShapeException grad = assertThrows(ShapeException.class, () -> NDArray.batchNormBackward(
        x, NDArray.zeros(DType.FLOAT32, 2, 3, 5), f[1], f[3], null, true));
    assertTrue(grad.getMessage().contains("batchNorm: gradient shape [2, 3, 5]")
        && grad.getMessage().contains("[2, 3, 4]"), grad.getMessage());
    ShapeException stats = assertThrows(ShapeException.class, () -> NDArray.batchNormBackward(
        x, x, NDArray.zeros(DType.FLOAT64, 4), f[3], null, true));
    assertTrue(stats.getMessage().contains("statistics must be float64 [3]")
        && stats.getMessage().contains("[4]"), stats.getMessage());
    ShapeException weight = assertThrows(ShapeException.class,
        () -> NDArray.batchNorm(x, NDArray.zeros(DType.FLOAT32, 2), null, 1e-5));
    assertTrue(weight.getMessage().contains("shape [3]"), weight.getMessage());
    assertThrows(DTypeException.class,
        () -> NDArray.batchNorm(x, NDArray.zeros(DType.FLOAT64, 3), null, 1e-5));
    IllegalArgumentException eps = assertThrows(IllegalArgumentException.class,
        () -> NDArray.batchNorm(x, null, null, Double.POSITIVE_INFINITY));
    assertTrue(eps.getMessage().contains("batchNorm: eps") && eps.getMessage().contains("Infinity"),
        eps.getMessage());
    assertThrows(ShapeException.class,
        () -> NDArray.batchNorm(NDArray.zeros(DType.FLOAT64, 4), null, null, 1e-5));
    // Without the input's gradient only the parameters' sums are made.
    NDArray[] d = NDArray.batchNormBackward(x, x, f[1], f[3], null, false);
    assertNull(d[0]);
    assertArrayEquals(new int[] {3}, d[1].shape());
  }

  @Test
  void errors_nameTheOpAndTheValues() {
    Tensor x = Tensor.zeros(2, 3, 4);
    ShapeException rank = assertThrows(ShapeException.class,
        () -> Normalization.batchNorm(Tensor.zeros(2, 3, 4, 5), null, null, 1e-5));
    assertTrue(rank.getMessage().contains("batchNorm") && rank.getMessage().contains("[2, 3, 4, 5]"),
        rank.getMessage());
    ShapeException weight = assertThrows(ShapeException.class,
        () -> Normalization.batchNorm(x, Tensor.zeros(4), null, 1e-5));
    assertTrue(weight.getMessage().contains("weight must have shape [3]")
        && weight.getMessage().contains("[4]"), weight.getMessage());
    ShapeException bias = assertThrows(ShapeException.class,
        () -> Normalization.batchNorm(x, null, Tensor.zeros(3, 1), 1e-5));
    assertTrue(bias.getMessage().contains("bias must have shape [3]"), bias.getMessage());
    IllegalArgumentException eps = assertThrows(IllegalArgumentException.class,
        () -> Normalization.batchNorm(x, null, null, 0.0));
    assertTrue(eps.getMessage().contains("batchNorm: eps") && eps.getMessage().contains("0.0"),
        eps.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> Normalization.batchNorm(x, null, null, Double.NaN));
    assertThrows(DTypeException.class,
        () -> Normalization.batchNorm(Tensor.ofLongs(1, 2).reshape(2, 1), null, null, 1e-5));
    NullPointerException npe = assertThrows(NullPointerException.class,
        () -> Normalization.batchNorm(null, null, null, 1e-5));
    assertTrue(npe.getMessage().contains("batchNorm") && npe.getMessage().contains("x"),
        npe.getMessage());
  }
}
