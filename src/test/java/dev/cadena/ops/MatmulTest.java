package dev.cadena.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cadena.RefArray;
import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** matmul against a naive triple loop, for every rank combination NumPy allows. */
class MatmulTest {
  private static final double TOL = 1e-12;

  private static Tensor randn(long seed, int... shape) {
    return Tensor.randn(new SplittableRandom(seed), shape);
  }

  @Test
  void matrixTimesMatrix() {
    Tensor a = randn(1, 3, 4);
    Tensor b = randn(2, 4, 5);
    RefArray.matmul(RefArray.of(a), RefArray.of(b)).assertClose(a.matmul(b), TOL);
  }

  @Test
  void handWorkedExample() {
    Tensor a = Tensor.of(new double[][] {{1, 2}, {3, 4}});
    Tensor b = Tensor.of(new double[][] {{5, 6}, {7, 8}});
    assertArrayEquals(new double[] {19, 22, 43, 50}, a.matmul(b).toDoubleArray());
  }

  @Test
  void vectorCases_dropThePromotedDimension() {
    Tensor v = randn(3, 4);
    Tensor w = randn(4, 4);
    Tensor m = randn(5, 4, 3);
    Tensor n = randn(6, 2, 4);
    Tensor dot = v.matmul(w);
    assertArrayEquals(new int[0], dot.shape());
    double expected = 0;
    for (int i = 0; i < 4; i++) {
      expected += v.get(i) * w.get(i);
    }
    assertEquals(expected, dot.item(), TOL);

    Tensor vm = v.matmul(m);
    assertArrayEquals(new int[] {3}, vm.shape());
    RefArray.matmul(RefArray.of(v.reshape(1, 4)), RefArray.of(m)).assertClose(vm.reshape(1, 3), TOL);

    Tensor mv = n.matmul(v);
    assertArrayEquals(new int[] {2}, mv.shape());
    RefArray.matmul(RefArray.of(n), RefArray.of(v.reshape(4, 1))).assertClose(mv.reshape(2, 1), TOL);

    Tensor batchV = randn(7, 3, 2, 4).matmul(v);
    assertArrayEquals(new int[] {3, 2}, batchV.shape());
    Tensor vBatch = v.matmul(randn(8, 3, 4, 5));
    assertArrayEquals(new int[] {3, 5}, vBatch.shape());
  }

  @Test
  void batched_withBroadcastBatchDims() {
    int[][][] cases = {
      {{2, 3, 4}, {2, 4, 5}},
      {{2, 1, 3, 4}, {5, 4, 2}},
      {{3, 4}, {6, 4, 2}},
      {{1, 2, 3}, {4, 1, 3, 2}},
      {{2, 2, 1, 3}, {1, 3, 3}},
    };
    long seed = 10;
    for (int[][] c : cases) {
      Tensor a = randn(seed++, c[0]);
      Tensor b = randn(seed++, c[1]);
      RefArray.matmul(RefArray.of(a), RefArray.of(b)).assertClose(a.matmul(b), TOL);
    }
  }

  @Test
  void nonContiguousOperands() {
    Tensor a = randn(20, 4, 3).mT();
    Tensor b = randn(21, 5, 2, 4).permute(1, 2, 0);
    Tensor c = randn(22, 2, 6, 5).slice(1, 0, 6, 2).narrow(2, 1, 4).mT();
    RefArray ab = RefArray.matmul(RefArray.of(a), RefArray.of(b));
    ab.assertClose(a.matmul(b), TOL);
    RefArray.matmul(RefArray.of(c), ab).assertClose(c.matmul(a.matmul(b)), TOL);
    Tensor wide = randn(25, 4, 9).slice(1, 1, 9, 3);
    RefArray.matmul(RefArray.of(a), RefArray.of(wide)).assertClose(a.matmul(wide), TOL);
    Tensor e = randn(23, 3).expand(2, 4, 3);
    Tensor f = randn(24, 3, 2);
    RefArray.matmul(RefArray.of(e), RefArray.of(f)).assertClose(e.matmul(f), TOL);
  }

  @Test
  void float32_matchesFloat64Reference() {
    Tensor a = randn(30, 2, 5, 7).to(DType.FLOAT32);
    Tensor b = randn(31, 7, 3).to(DType.FLOAT32);
    Tensor c = a.matmul(b);
    assertEquals(DType.FLOAT32, c.dtype());
    RefArray.matmul(RefArray.of(a), RefArray.of(b)).assertClose(c, 1e-5);
  }

  @Test
  void emptyInnerDimension_givesZeros() {
    Tensor c = Tensor.zeros(2, 0).matmul(Tensor.zeros(0, 3));
    assertArrayEquals(new int[] {2, 3}, c.shape());
    assertArrayEquals(new double[6], c.toDoubleArray());
  }

  @Test
  void gradients_areGradTimesTransposes_summedOverBroadcastBatches() {
    Tensor a = randn(40, 2, 1, 3, 4).requiresGrad(true);
    Tensor b = randn(41, 5, 4, 2).requiresGrad(true);
    Tensor g = randn(42, 2, 5, 3, 2);
    a.matmul(b).backward(g);
    RefArray ra = RefArray.of(a);
    RefArray rb = RefArray.of(b);
    RefArray rg = RefArray.of(g);
    // dA = G @ B^T summed over the broadcast batch axis 1; dB = A^T @ G summed over axis 0.
    RefArray da = RefArray.matmul(rg, rb.permute(0, 2, 1)).sum(new int[] {1}, true);
    RefArray db = RefArray.matmul(ra.permute(0, 1, 3, 2), rg).sum(new int[] {0}, false);
    da.assertClose(a.grad(), TOL);
    db.assertClose(b.grad(), TOL);
  }
}
