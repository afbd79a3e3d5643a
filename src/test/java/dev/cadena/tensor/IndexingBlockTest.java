package dev.cadena.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cadena.tensor.kernel.Parallel;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The block path of {@code gather} and {@code scatterAdd} (contiguous operands, an index of the
 * input's shape outside the axis: a max pooling's windows) against the strided element-by-element
 * loops it bypasses, bit for bit: both dtypes, ranks 1 to 4, every axis, negative and repeated
 * indices, index rows fewer or more than the axis, indices as views (at an offset, transposed),
 * on one thread and on two.
 */
class IndexingBlockTest {

  private static int[] randomShape(SplittableRandom rng, int rank, int max) {
    int[] s = new int[rank];
    for (int i = 0; i < rank; i++) {
      s[i] = 1 + rng.nextInt(max);
    }
    return s;
  }

  private static NDArray randn(SplittableRandom rng, DType dtype, int[] shape) {
    double[] v = new double[Shapes.numel(shape)];
    for (int i = 0; i < v.length; i++) {
      v[i] = rng.nextGaussian();
    }
    return NDArray.wrap(v, shape).astype(dtype);
  }

  private static NDArray index(SplittableRandom rng, int[] shape, int n) {
    long[] v = new long[Shapes.numel(shape)];
    for (int i = 0; i < v.length; i++) {
      v[i] = rng.nextInt(2 * n) - n; // [-n, n): negative ones count from the end
    }
    return NDArray.wrap(v, shape);
  }

  private static void compare(SplittableRandom rng, int[] shape, int a, int ni, DType dtype,
      String what) {
    NDArray x = randn(rng, dtype, shape);
    int[] is = shape.clone();
    is[a] = ni;
    NDArray idx = index(rng, is, shape[a]);
    int layout = rng.nextInt(3);
    if (layout == 1) {
      // A view at an offset: the last of two stacked index arrays.
      int[] two = new int[is.length + 1];
      two[0] = 2;
      System.arraycopy(is, 0, two, 1, is.length);
      idx = index(rng, two, shape[a]).slice(0, 1, 2, 1).reshape(is);
    } else if (layout == 2 && is.length >= 2) {
      // A transposed view (not contiguous): read through a copy.
      int[] swapped = is.clone();
      swapped[0] = is[is.length - 1];
      swapped[is.length - 1] = is[0];
      int[] perm = new int[is.length];
      for (int i = 0; i < perm.length; i++) {
        perm[i] = i;
      }
      perm[0] = is.length - 1;
      perm[is.length - 1] = 0;
      idx = index(rng, swapped, shape[a]).permute(perm);
    }
    NDArray src = randn(rng, dtype, is);
    NDArray got = Indexing.gather(x, a, idx);
    NDArray want = Indexing.gatherStrided(x, a, idx, idx.toLongArray(), NDArray.zeros(dtype, is));
    assertArrayEquals(want.toDoubleArray(), got.toDoubleArray(), what + " gather");
    assertArrayEquals(is, got.shape(), what + " gather shape");
    NDArray sgot = Indexing.scatterAdd(x, a, idx, src);
    NDArray swant = Indexing.scatterAddStrided(x, a, idx, idx.toLongArray(), x.copy(), src);
    assertArrayEquals(swant.toDoubleArray(), sgot.toDoubleArray(), what + " scatterAdd");
    assertEquals(dtype, sgot.dtype(), what + " scatterAdd dtype");
  }

  @Test
  void gatherAndScatterAdd_blockPath_matchesStridedLoops_bitForBit() {
    SplittableRandom rng = new SplittableRandom(41);
    for (int trial = 0; trial < 300; trial++) {
      int rank = 1 + rng.nextInt(4);
      int[] shape = randomShape(rng, rank, 5);
      int a = rng.nextInt(rank);
      int ni = rng.nextInt(shape[a] + 2);
      DType dtype = rng.nextBoolean() ? DType.FLOAT32 : DType.FLOAT64;
      compare(rng, shape, a, ni, dtype,
          "trial " + trial + " shape " + Arrays.toString(shape) + " axis " + a + " ni " + ni);
    }
  }

  @Test
  void gatherAndScatterAdd_blockPath_matchesStridedLoops_onOneAndTwoThreads() {
    int before = Parallel.threads();
    try {
      for (int threads = 1; threads <= 2; threads++) {
        Parallel.setThreads(threads);
        SplittableRandom rng = new SplittableRandom(42);
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
          // A 2 x 2 max pooling's windows of a [64, 32, 24, 24] batch: [N*C, kH*kW, L].
          compare(rng, new int[] {64 * 32, 4, 144}, 1, 1, dtype, threads + " threads pool");
          compare(rng, new int[] {37, 5, 301}, 1, 7, dtype, threads + " threads odd");
          compare(rng, new int[] {3001, 9}, 0, 2999, dtype, threads + " threads axis 0");
        }
      }
    } finally {
      Parallel.setThreads(before);
    }
  }

  @Test
  void scatterAdd_intoABroadcastZero_matchesStridedLoops_signedZerosKept() {
    SplittableRandom rng = new SplittableRandom(44);
    for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      for (double zero : new double[] {0.0, -0.0}) {
        int[] shape = {6, 4, 5};
        NDArray x = NDArray.wrap(new double[] {zero}, 1, 1, 1).astype(dtype).expand(shape);
        NDArray idx = index(rng, new int[] {6, 2, 5}, 4);
        // -0 sources: into +0 they give +0, into -0 they stay -0.
        NDArray src =
            NDArray.wrap(new double[60], 6, 2, 5).binary(BinaryOp.MUL, -1.0).astype(dtype);
        for (NDArray s : new NDArray[] {src, randn(rng, dtype, new int[] {6, 2, 5})}) {
          NDArray got = Indexing.scatterAdd(x, 1, idx, s);
          NDArray want = Indexing.scatterAddStrided(
              x, 1, idx, idx.toLongArray(), x.copy(), s.contiguous());
          double[] g = got.toDoubleArray();
          double[] w = want.toDoubleArray();
          for (int i = 0; i < w.length; i++) {
            assertEquals(Double.doubleToRawLongBits(w[i]), Double.doubleToRawLongBits(g[i]),
                dtype + " zero " + zero + " element " + i);
          }
        }
      }
    }
  }

  @Test
  void gatherAndScatterAdd_blockPath_nonContiguousInput_goesStridedAndAgrees() {
    SplittableRandom rng = new SplittableRandom(43);
    NDArray base = randn(rng, DType.FLOAT32, new int[] {6, 4, 5});
    NDArray x = base.permute(2, 1, 0); // [5, 4, 6], not contiguous
    NDArray idx = index(rng, new int[] {5, 3, 6}, 4);
    NDArray viaBlock = Indexing.gather(x.contiguous(), 1, idx);
    NDArray viaStrides = Indexing.gather(x, 1, idx);
    assertArrayEquals(viaStrides.toDoubleArray(), viaBlock.toDoubleArray());
  }

  @Test
  void gatherAndScatterAdd_outOfRangeIndex_throwsTheStridedLoopsMessage() {
    NDArray x = NDArray.wrap(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
    NDArray idx = NDArray.wrap(new long[] {0, 1, 3, -4}, 2, 2);
    NDArray src = NDArray.wrap(new double[] {1, 1, 1, 1}, 2, 2);
    ShapeException g = assertThrows(ShapeException.class, () -> Indexing.gather(x, 1, idx));
    assertEquals("gather: index 3 is out of range for dimension 1 of size 3", g.getMessage());
    ShapeException s =
        assertThrows(ShapeException.class, () -> Indexing.scatterAdd(x, 1, idx, src));
    assertEquals("scatterAdd: index 3 is out of range for dimension 1 of size 3", s.getMessage());
    // On two threads, a bad index in a late chunk and one in an early chunk: the first is named.
    int before = Parallel.threads();
    try {
      Parallel.setThreads(2);
      long[] big = new long[4096 * 2 * 16];
      big[big.length - 1] = 7;
      big[40_000] = -9;
      NDArray bigIdx = NDArray.wrap(big, 4096, 2, 16);
      NDArray bigX = NDArray.zeros(DType.FLOAT32, 4096, 3, 16);
      ShapeException e = assertThrows(ShapeException.class, () -> Indexing.gather(bigX, 1, bigIdx));
      assertEquals("gather: index -9 is out of range for dimension 1 of size 3", e.getMessage());
    } finally {
      Parallel.setThreads(before);
    }
    ShapeException ref = assertThrows(ShapeException.class,
        () -> Indexing.gatherStrided(
            x, 1, idx, idx.toLongArray(), NDArray.zeros(DType.FLOAT64, 2, 2)));
    assertEquals(ref.getMessage(), g.getMessage());
  }
}
