package dev.cadena.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Properties over random shapes and values (jqwik), each seeded from its parameters. */
class NnProperties {
  @Property(tries = 50, seed = "20240611")
  void dense_leadingDimensionsAreBatchDimensions(
      @ForAll @IntRange(min = 1, max = 4) int a, @ForAll @IntRange(min = 1, max = 3) int b,
      @ForAll @IntRange(min = 1, max = 5) int in, @ForAll @IntRange(min = 1, max = 5) int out,
      @ForAll long seed) {
    Linear d = new Linear(in, out, true, new SplittableRandom(seed));
    Tensor x = Tensor.randn(new SplittableRandom(seed + 1), a, b, in);
    Tensor y = d.forward(x);
    assertArrayEquals(new int[] {a, b, out}, y.shape());
    assertTrue(y.allClose(d.forward(x.reshape(a * b, in)).reshape(a, b, out), 0, 1e-12));
  }

  @Property(tries = 50, seed = "20240611")
  void softmax_isAProbabilityVectorAndMatchesExpOfLogSoftmax(
      @ForAll @IntRange(min = 1, max = 4) int rows, @ForAll @IntRange(min = 1, max = 6) int cols,
      @ForAll @IntRange(min = 0, max = 3) int scaleExp, @ForAll long seed) {
    double scale = Math.pow(10, scaleExp);
    Tensor x = Tensor.randn(new SplittableRandom(seed), rows, cols).mul(scale);
    Tensor p = Functional.softmax(x, 1);
    Tensor sums = p.sum(1);
    for (int r = 0; r < rows; r++) {
      assertEquals(1.0, sums.get(r), 1e-12);
    }
    assertTrue(Functional.logSoftmax(x, 1).exp().allClose(p, 1e-9, 1e-300));
  }

  @Property(tries = 50, seed = "20240611")
  void layerNorm_withoutAffineGivesZeroMeanUnitVariance(
      @ForAll @IntRange(min = 1, max = 4) int rows, @ForAll @IntRange(min = 2, max = 8) int cols,
      @ForAll long seed) {
    Tensor x = Tensor.randn(new SplittableRandom(seed), rows, cols).mul(3.0).add(1.0);
    Tensor y = new LayerNorm(new int[] {cols}, 1e-12, false).forward(x);
    assertTrue(y.mean(1).allClose(Tensor.zeros(rows), 0, 1e-9));
    // Unit variance up to eps, unless a row is (nearly) constant.
    Tensor var = y.var(new int[] {1}, 0, false);
    for (int r = 0; r < rows; r++) {
      assertEquals(1.0, var.get(r), 1e-6);
    }
  }
}
