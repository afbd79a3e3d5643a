package dev.cadena.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.autograd.Engine;
import dev.cadena.tensor.kernel.Parallel;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * {@link NDArray#matmulSum}, the batch's products summed without their stack, against its
 * reference: the batched {@code matmul} summed over the batch axes. Convolution shapes (the
 * weight's gradient {@code grad @ cols.mT}, a transposed view), broadcast operands, odd and
 * empty sizes, both dtypes, one and two threads; bit for bit across thread counts where the
 * threads split columns, not the batch.
 */
class MatmulSumTest {

  private static NDArray random(SplittableRandom rng, DType dtype, int... shape) {
    double[] v = new double[Shapes.numel(shape)];
    for (int i = 0; i < v.length; i++) {
      v[i] = rng.nextDouble(-2, 2);
    }
    return NDArray.wrap(v, shape).astype(dtype);
  }

  /** The reference: the stack of products, summed over its leading axes in float64. */
  private static double[] reference(NDArray a, NDArray b) {
    NDArray p = a.astype(DType.FLOAT64).matmul(b.astype(DType.FLOAT64));
    int[] axes = new int[p.rank() - 2];
    for (int i = 0; i < axes.length; i++) {
      axes[i] = i;
    }
    return axes.length == 0 ? p.toDoubleArray() : p.reduce(NDArray.ReduceOp.SUM, axes, false).toDoubleArray();
  }

  private static void check(NDArray a, NDArray b, String what) {
    double[] want = reference(a, b);
    int before = Parallel.threads();
    try {
      Parallel.setThreads(1);
      NDArray one = NDArray.matmulSum(a, b);
      Parallel.setThreads(2);
      NDArray two = NDArray.matmulSum(a, b);
      assertEquals(a.dtype(), one.dtype());
      assertArrayEquals(new int[] {a.dim(-2), b.dim(-1)}, one.shape(), what + ": shape");
      // Two threads split the columns when there are at least 2 * 2 blocks of 16 (and 4
      // products): then the sums are the same, bit for bit; else they split the batch.
      int products = 1;
      int[] as = a.shape();
      int[] bs = b.shape();
      for (int i = 0; i < Math.max(as.length, bs.length) - 2; i++) {
        int ai = i - (Math.max(as.length, bs.length) - as.length);
        int bi = i - (Math.max(as.length, bs.length) - bs.length);
        products *= Math.max(ai >= 0 ? as[ai] : 1, bi >= 0 ? bs[bi] : 1);
      }
      if (b.dim(-1) >= 64 && products >= 4) {
        assertArrayEquals(one.toDoubleArray(), two.toDoubleArray(), what + ": 1 vs 2 threads");
      }
      // Rounding error bound: a few ulps of the sum of the terms' magnitudes, times the number
      // of terms' logarithm is ample; the sum of magnitudes is the same product of |a| and |b|.
      double[] magnitude = reference(a.unary(UnaryOp.ABS), b.unary(UnaryOp.ABS));
      double ulp = a.dtype() == DType.FLOAT64 ? 0x1p-52 : 0x1p-23;
      for (NDArray r : new NDArray[] {one, two}) {
        double[] got = r.toDoubleArray();
        for (int i = 0; i < want.length; i++) {
          assertEquals(want[i], got[i], 64 * ulp * magnitude[i] + 1e-300,
              what + ": element " + i + (r == one ? ", 1 thread" : ", 2 threads"));
        }
      }
    } finally {
      Parallel.setThreads(before);
    }
  }

  @ParameterizedTest(name = "{0} n={1} m={2} k={3} l={4}")
  @CsvSource({
      "float64, 3, 4, 5, 6",
      "float32, 3, 4, 5, 6",
      "float32, 64, 32, 800, 64",
      "float64, 9, 7, 37, 65",
      "float32, 5, 1, 3, 1",
      "float64, 12, 16, 33, 17",
      "float32, 1, 8, 40, 24"})
  void weightGradientOfAConvolution(String dt, int n, int m, int k, int l) {
    DType dtype = DType.parse(dt);
    SplittableRandom rng = new SplittableRandom(n * 1000L + m * 100 + k * 10 + l);
    NDArray grad = random(rng, dtype, n, m, l);       // [N, O, L]
    NDArray cols = random(rng, dtype, n, k, l);       // [N, K, L]
    check(grad, cols.permute(0, 2, 1), dt + " grad @ cols.mT");
    NDArray w = random(rng, dtype, m, k);
    check(w.permute(1, 0), grad, dt + " w.mT @ grad");
  }

  @Test
  void broadcastAndEmptyOperands() {
    SplittableRandom rng = new SplittableRandom(4);
    NDArray a = random(rng, DType.FLOAT64, 2, 1, 3, 4);
    NDArray b = random(rng, DType.FLOAT64, 5, 4, 6);
    check(a, b, "batch [2, 1] with [5]");
    check(random(rng, DType.FLOAT32, 3, 4).expand(7, 3, 4), random(rng, DType.FLOAT32, 7, 4, 2),
        "a stride-0 stack");
    check(random(rng, DType.FLOAT64, 3, 4), random(rng, DType.FLOAT64, 4, 5), "no batch");
    NDArray empty = NDArray.matmulSum(NDArray.zeros(DType.FLOAT32, 0, 3, 4),
        NDArray.zeros(DType.FLOAT32, 0, 4, 2));
    assertArrayEquals(new int[] {3, 2}, empty.shape());
    assertArrayEquals(new double[6], empty.toDoubleArray());
    NDArray zeroK = NDArray.matmulSum(NDArray.zeros(DType.FLOAT64, 2, 3, 0),
        NDArray.zeros(DType.FLOAT64, 2, 0, 2));
    assertArrayEquals(new double[6], zeroK.toDoubleArray());
  }

  @Test
  void errorsNameTheShapes() {
    ShapeException inner = assertThrows(ShapeException.class, () -> NDArray.matmulSum(
        NDArray.zeros(DType.FLOAT64, 2, 3, 4), NDArray.zeros(DType.FLOAT64, 2, 5, 6)));
    assertTrue(inner.getMessage().contains("matmulSum") && inner.getMessage().contains("4 != 5"),
        inner.getMessage());
    ShapeException batch = assertThrows(ShapeException.class, () -> NDArray.matmulSum(
        NDArray.zeros(DType.FLOAT64, 2, 3, 4), NDArray.zeros(DType.FLOAT64, 3, 4, 6)));
    assertTrue(batch.getMessage().contains("[2, 3, 4]"), batch.getMessage());
    assertThrows(NullPointerException.class, () -> NDArray.matmulSum(null,
        NDArray.zeros(DType.FLOAT64, 2, 2)));
  }

  /** The engine takes it for a weight that multiplies a batch: the gradient is the same. */
  @Test
  void matmulVjp_ofABroadcastWeight_equalsTheSummedStack() {
    SplittableRandom rng = new SplittableRandom(11);
    Tensor w = Tensor.fromData(random(rng, DType.FLOAT64, 6, 20)).requiresGrad(true);
    Tensor cols = Tensor.fromData(random(rng, DType.FLOAT64, 8, 20, 9)).requiresGrad(true);
    Tensor g = Tensor.fromData(random(rng, DType.FLOAT64, 8, 6, 9));
    Tensor[] fast = Engine.grad(new Tensor[] {w.matmul(cols)}, new Tensor[] {w, cols},
        new Tensor[] {g}, false, false);
    // The reference: w expanded to the batch, so its gradient is the stack summed by the engine.
    Tensor[] ref = Engine.grad(new Tensor[] {w.expand(8, 6, 20).mul(1.0).matmul(cols)},
        new Tensor[] {w, cols}, new Tensor[] {g}, false, false);
    assertTrue(fast[0].allClose(ref[0], 1e-12, 1e-12), "weight gradient");
    assertTrue(fast[1].allClose(ref[1], 1e-12, 1e-12), "batch gradient");
    // Second order (createGraph) takes the composition and agrees.
    Tensor[] graph = Engine.grad(new Tensor[] {w.matmul(cols)}, new Tensor[] {w, cols},
        new Tensor[] {g}, false, true);
    assertTrue(graph[0].allClose(fast[0], 1e-12, 1e-12), "weight gradient with createGraph");
    // A 2-d right operand under a batched left one: the other case.
    Tensor x = Tensor.fromData(random(rng, DType.FLOAT32, 5, 3, 4)).requiresGrad(true);
    Tensor v = Tensor.fromData(random(rng, DType.FLOAT32, 4, 7)).requiresGrad(true);
    Tensor gx = Tensor.fromData(random(rng, DType.FLOAT32, 5, 3, 7));
    Tensor dv = Engine.grad(new Tensor[] {x.matmul(v)}, new Tensor[] {v}, new Tensor[] {gx},
        false, false)[0];
    Tensor dvRef = x.detach().mT().matmul(gx).sum(0);
    assertTrue(dv.allClose(dvRef, 1e-5, 1e-5), "right operand gradient");
  }
}
