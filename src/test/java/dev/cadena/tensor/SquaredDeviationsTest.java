package dev.cadena.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cadena.tensor.kernel.Parallel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link NDArray#sumOfSquaredDeviations}: its block path (contiguous, kept axes between reduced
 * leading and trailing ones: a batch norm's statistics) bit for bit against the general path (a
 * float64 copy, the mean subtracted, squared, reduced), in both dtypes, ranks 3 to 5, with NaN
 * and infinities, on one and two threads; other layouts and the small example against sums
 * written out.
 */
class SquaredDeviationsTest {

  private static NDArray values(SplittableRandom rng, DType dtype, int[] shape, boolean specials) {
    double[] v = new double[Shapes.numel(shape)];
    for (int i = 0; i < v.length; i++) {
      int k = rng.nextInt(50);
      v[i] = !specials || k > 2 ? 3 + rng.nextGaussian()
          : k == 0 ? Double.NaN : k == 1 ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    }
    return NDArray.wrap(v, shape).astype(dtype);
  }

  /** Reduced axes: a leading run, a kept block, a trailing run, each non-empty. */
  private static int[] blockAxes(SplittableRandom rng, int rank) {
    int k0 = 1 + rng.nextInt(rank - 2);
    int k1 = k0 + 1 + rng.nextInt(rank - k0 - 1);
    List<Integer> ax = new ArrayList<>();
    for (int i = 0; i < rank; i++) {
      if (i < k0 || i >= k1) {
        ax.add(i);
      }
    }
    return ax.stream().mapToInt(Integer::intValue).toArray();
  }

  private static long count(int[] shape, int[] ax) {
    long c = 1;
    for (int a : ax) {
      c *= shape[a];
    }
    return c;
  }

  @Test
  void blockPath_matchesGeneralPath_bitForBit() {
    int before = Parallel.threads();
    try {
      for (int threads = 1; threads <= 2; threads++) {
        Parallel.setThreads(threads);
        SplittableRandom rng = new SplittableRandom(61);
        for (int trial = 0; trial < 120; trial++) {
          int rank = 3 + rng.nextInt(3);
          int[] shape = new int[rank];
          for (int i = 0; i < rank; i++) {
            shape[i] = 1 + rng.nextInt(trial < 100 ? 6 : 40);
          }
          int[] ax = blockAxes(rng, rank);
          DType dtype = rng.nextBoolean() ? DType.FLOAT32 : DType.FLOAT64;
          NDArray x = values(rng, dtype, shape, rng.nextInt(4) == 0);
          NDArray got = x.sumOfSquaredDeviations(ax);
          NDArray want = Reductions.sumOfSquaredDeviationsGeneral(x, ax, count(shape, ax));
          String what = threads + " threads, trial " + trial + " " + dtype + " "
              + Arrays.toString(shape) + " over " + Arrays.toString(ax);
          assertArrayEquals(want.shape(), got.shape(), what);
          assertEquals(DType.FLOAT64, got.dtype(), what);
          assertArrayEquals(want.toDoubleArray(), got.toDoubleArray(), what);
        }
        // A batch norm's statistics: [N, C, H, W] over (N, H, W), float32.
        NDArray bn = values(rng, DType.FLOAT32, new int[] {64, 32, 24, 24}, false);
        int[] ax = {0, 2, 3};
        assertArrayEquals(
            Reductions.sumOfSquaredDeviationsGeneral(bn, ax, 64 * 24 * 24).toDoubleArray(),
            bn.sumOfSquaredDeviations(ax).toDoubleArray(), threads + " threads, batch norm");
      }
    } finally {
      Parallel.setThreads(before);
    }
  }

  @Test
  void otherLayouts_andTheExample_matchSumsWrittenOut() {
    NDArray x = NDArray.wrap(new double[] {1, 2, 3, 4}, 2, 2);
    assertArrayEquals(new double[] {2, 2}, x.sumOfSquaredDeviations(new int[] {0}).toDoubleArray());
    assertArrayEquals(new int[] {1, 2}, x.sumOfSquaredDeviations(new int[] {0}).shape());
    // Over the last axis: (1 - 1.5)^2 + (2 - 1.5)^2 and (3 - 3.5)^2 + (4 - 3.5)^2.
    assertArrayEquals(new double[] {0.5, 0.5},
        x.astype(DType.FLOAT32).sumOfSquaredDeviations(new int[] {1}).toDoubleArray());
    // A transposed view over (0, 2) of [2, 2, 2]: not contiguous, the general path.
    NDArray y = NDArray.wrap(new double[] {0, 1, 2, 3, 4, 5, 6, 7}, 2, 2, 2).permute(2, 1, 0);
    // y[i, j, k] = x[k, j, i] = 4k + 2j + i; for j fixed the values 2j + {0, 1, 4, 5}, mean
    // 2j + 2.5: 2.5^2 + 1.5^2 + 1.5^2 + 2.5^2 = 17.
    assertArrayEquals(new double[] {17, 17},
        y.sumOfSquaredDeviations(new int[] {0, 2}).toDoubleArray());
  }
}
