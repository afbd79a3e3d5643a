package dev.cadena.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.ShapeException;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NormalizationTest {
  /** Mean and biased variance of column c of a row-major [n, k] array, by plain loops. */
  private static double[] columnStats(double[] x, int n, int k, int c) {
    double mean = 0;
    for (int i = 0; i < n; i++) {
      mean += x[i * k + c];
    }
    mean /= n;
    double var = 0;
    for (int i = 0; i < n; i++) {
      var += (x[i * k + c] - mean) * (x[i * k + c] - mean);
    }
    return new double[] {mean, var / n};
  }

  @Test
  void batchNormTrain_normalisesEachColumnWithBiasedBatchVariance() {
    BatchNorm1d bn = new BatchNorm1d(3);
    Tensor x = Tensor.randn(new SplittableRandom(1), 8, 3).mul(4.0).add(2.0);
    Tensor y = bn.forward(x);
    double[] xv = x.toDoubleArray();
    for (int c = 0; c < 3; c++) {
      double[] s = columnStats(xv, 8, 3, c);
      for (int i = 0; i < 8; i++) {
        assertEquals((xv[i * 3 + c] - s[0]) / Math.sqrt(s[1] + 1e-5), y.get(i, c), 1e-12);
      }
    }
  }

  @Test
  void batchNormRunningStats_matchIndependentMomentumUpdate() {
    double momentum = 0.3;
    BatchNorm1d bn = new BatchNorm1d(2, 1e-5, momentum, true);
    double[] rm = {0, 0};
    double[] rv = {1, 1};
    SplittableRandom rng = new SplittableRandom(7);
    for (int step = 0; step < 4; step++) {
      int n = 5 + step;
      Tensor x = Tensor.randn(rng, n, 2).mul(3.0).add(1.0);
      bn.forward(x);
      double[] xv = x.toDoubleArray();
      for (int c = 0; c < 2; c++) {
        double[] s = columnStats(xv, n, 2, c);
        double unbiased = s[1] * n / (n - 1);
        rm[c] = (1 - momentum) * rm[c] + momentum * s[0];
        rv[c] = (1 - momentum) * rv[c] + momentum * unbiased;
      }
    }
    assertArrayEquals(rm, bn.runningMean().toDoubleArray(), 1e-12);
    assertArrayEquals(rv, bn.runningVar().toDoubleArray(), 1e-12);
    assertEquals(4, bn.numBatchesTracked());
  }

  @Test
  void batchNormEval_usesRunningStatsAndDoesNotUpdateThem() {
    BatchNorm1d bn = new BatchNorm1d(2);
    Init.uniform(bn.weight(), 0.5, 2, new SplittableRandom(3));
    Init.uniform(bn.bias(), -1, 1, new SplittableRandom(4));
    bn.forward(Tensor.randn(new SplittableRandom(5), 10, 2).add(3.0));
    bn.eval();
    double[] rm = bn.runningMean().toDoubleArray();
    double[] rv = bn.runningVar().toDoubleArray();
    Tensor x = Tensor.randn(new SplittableRandom(6), 4, 2);
    Tensor y = bn.forward(x);
    for (int i = 0; i < 4; i++) {
      for (int c = 0; c < 2; c++) {
        double want = (x.get(i, c) - rm[c]) / Math.sqrt(rv[c] + 1e-5) * bn.weight().get(c) + bn.bias().get(c);
        assertEquals(want, y.get(i, c), 1e-12);
      }
    }
    assertArrayEquals(rm, bn.runningMean().toDoubleArray(), 0.0);
    assertEquals(1, bn.numBatchesTracked());
    // A single sample is fine in eval mode: its output does not depend on the batch.
    assertTrue(bn.forward(x.slice(0, 0, 1)).allClose(y.slice(0, 0, 1), 0, 1e-15));
  }

  @Test
  void batchNorm_stateDictRoundTripCarriesRunningStats() {
    BatchNorm1d a = new BatchNorm1d(3);
    a.forward(Tensor.randn(new SplittableRandom(1), 6, 3).add(2.0));
    a.forward(Tensor.randn(new SplittableRandom(2), 6, 3).mul(3.0));
    BatchNorm1d b = new BatchNorm1d(3);
    b.loadStateDict(a.stateDict());
    assertEquals(2, b.numBatchesTracked());
    a.eval();
    b.eval();
    Tensor x = Tensor.randn(new SplittableRandom(3), 4, 3);
    assertTrue(a.forward(x).allClose(b.forward(x), 0, 0));
  }

  @Test
  void batchNorm3d_normalisesOverBatchAndLength() {
    BatchNorm1d bn = new BatchNorm1d(2);
    Tensor x = Tensor.randn(new SplittableRandom(9), 3, 2, 5);
    Tensor y = bn.forward(x);
    Tensor perChannelMean = y.mean(new int[] {0, 2}, false);
    Tensor perChannelVar = y.var(new int[] {0, 2}, 0, false);
    assertTrue(perChannelMean.allClose(Tensor.zeros(2), 0, 1e-12));
    assertTrue(perChannelVar.allClose(Tensor.ones(2), 1e-4, 0));
  }

  @Test
  void batchNorm_buffersAndParameters() {
    BatchNorm1d bn = new BatchNorm1d(4);
    assertEquals(List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked"),
        List.copyOf(bn.stateDict().keySet()));
    assertTrue(bn.weight().allClose(Tensor.ones(4), 0, 0));
    assertTrue(bn.bias().allClose(Tensor.zeros(4), 0, 0));
    assertTrue(bn.runningVar().allClose(Tensor.ones(4), 0, 0));
    assertEquals(DType.INT64, bn.namedBuffers().get("num_batches_tracked").dtype());
    BatchNorm1d plain = new BatchNorm1d(4, 1e-3, 0.2, false);
    assertEquals(List.of(), List.copyOf(plain.namedParameters().keySet()));
    assertEquals("BatchNorm1d(4, eps=0.001, momentum=0.2, affine=false)", plain.toString());
  }

  @Test
  void batchNorm_errors() {
    BatchNorm1d bn = new BatchNorm1d(3);
    assertEquals("BatchNorm1d: expected input [N, 3] or [N, 3, L], got shape [4, 2]",
        assertThrows(ShapeException.class, () -> bn.forward(Tensor.zeros(4, 2))).getMessage());
    assertEquals("BatchNorm1d: expected input [N, 3] or [N, 3, L], got shape [3]",
        assertThrows(ShapeException.class, () -> bn.forward(Tensor.zeros(3))).getMessage());
    assertTrue(assertThrows(ShapeException.class, () -> bn.forward(Tensor.zeros(1, 3)))
        .getMessage().startsWith("BatchNorm1d: training needs more than 1 value per channel"));
    assertEquals("BatchNorm1d: momentum must be in [0.0, 1.0], got 1.5",
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm1d(3, 1e-5, 1.5, true)).getMessage());
    assertEquals("BatchNorm1d: eps must be positive and finite, got 0.0",
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm1d(3, 0, 0.1, true)).getMessage());
    assertEquals("BatchNorm1d: numFeatures must be positive, got 0",
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm1d(0)).getMessage());
    assertEquals("batchNorm: var must have shape [3] (one per channel), got [2]",
        assertThrows(ShapeException.class, () -> Functional.batchNorm(
            Tensor.zeros(2, 3), Tensor.zeros(3), Tensor.ones(2), null, null, 1e-5)).getMessage());
  }

  @Test
  void layerNorm_matchesLoopFormulaPerRow() {
    LayerNorm ln = new LayerNorm(4);
    Init.uniform(ln.weight(), 0.5, 2, new SplittableRandom(1));
    Init.uniform(ln.bias(), -1, 1, new SplittableRandom(2));
    Tensor x = Tensor.randn(new SplittableRandom(3), 2, 3, 4).mul(5.0);
    Tensor y = ln.forward(x);
    for (int a = 0; a < 2; a++) {
      for (int b = 0; b < 3; b++) {
        double mean = 0;
        for (int k = 0; k < 4; k++) {
          mean += x.get(a, b, k) / 4;
        }
        double var = 0;
        for (int k = 0; k < 4; k++) {
          var += (x.get(a, b, k) - mean) * (x.get(a, b, k) - mean) / 4;
        }
        for (int k = 0; k < 4; k++) {
          double want = (x.get(a, b, k) - mean) / Math.sqrt(var + 1e-5) * ln.weight().get(k) + ln.bias().get(k);
          assertEquals(want, y.get(a, b, k), 1e-12);
        }
      }
    }
  }

  @Test
  void layerNorm_sameInTrainAndEval() {
    LayerNorm ln = new LayerNorm(new int[] {2, 3}, 1e-5, false);
    Tensor x = Tensor.randn(new SplittableRandom(3), 4, 2, 3);
    Tensor a = ln.forward(x);
    ln.eval();
    assertTrue(a.allClose(ln.forward(x), 0, 0));
    assertEquals("LayerNorm([2, 3], eps=1.0E-5, elementwiseAffine=false)", ln.toString());
  }

  @Test
  void layerNorm_errors() {
    LayerNorm ln = new LayerNorm(4);
    assertEquals("LayerNorm: input shape [2, 3] does not end with the normalized shape [4]",
        assertThrows(ShapeException.class, () -> ln.forward(Tensor.zeros(2, 3))).getMessage());
    assertEquals("LayerNorm: normalizedShape must name at least one dimension",
        assertThrows(IllegalArgumentException.class, () -> new LayerNorm()).getMessage());
    assertEquals("LayerNorm: normalizedShape sizes must be positive, got [0]",
        assertThrows(IllegalArgumentException.class, () -> new LayerNorm(0)).getMessage());
    assertEquals("layerNorm: weight must have shape [4], got [3]",
        assertThrows(ShapeException.class, () -> Functional.layerNorm(
            Tensor.zeros(2, 4), new int[] {4}, Tensor.ones(3), null, 1e-5)).getMessage());
  }
}
