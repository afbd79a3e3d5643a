package dev.cadena.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cadena.tensor.kernel.Parallel;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A batched {@code matmul} with many products, which {@link MatmulDispatch} splits across threads
 * by whole products, against the same products one by one (each a 2-d {@code matmul}, split
 * inside the GEMM): bit for bit, since a product's result does not depend on how its GEMM is
 * split. Convolution shapes (a weight broadcast over the images, transposed views as the VJPs
 * make them), odd sizes, batch counts on both sides of the split threshold, both dtypes, one and
 * two threads.
 */
class MatmulBatchSplitTest {

  private static NDArray random(SplittableRandom rng, DType dtype, int... shape) {
    double[] v = new double[Shapes.numel(shape)];
    for (int i = 0; i < v.length; i++) {
      v[i] = rng.nextDouble(-2, 2);
    }
    return NDArray.wrap(v, shape).astype(dtype);
  }

  /** {@code a @ b} against the products of its matrices one at a time, in row-major order. */
  private static void check(NDArray a, NDArray b, String what) {
    NDArray got = a.matmul(b);
    int[] s = got.shape();
    int m = s[s.length - 2];
    int n = s[s.length - 1];
    int nb = got.size() / (m * n);
    double[] want = new double[got.size()];
    NDArray a3 = a.rank() == 2 ? null : a.expand(batched(s, a)).reshape(nb, a.dim(-2), a.dim(-1));
    NDArray b3 = b.rank() == 2 ? null : b.expand(batched(s, b)).reshape(nb, b.dim(-2), b.dim(-1));
    for (int t = 0; t < nb; t++) {
      NDArray at = a3 == null ? a : a3.slice(0, t, t + 1, 1).reshape(a.dim(-2), a.dim(-1));
      NDArray bt = b3 == null ? b : b3.slice(0, t, t + 1, 1).reshape(b.dim(-2), b.dim(-1));
      System.arraycopy(at.matmul(bt).toDoubleArray(), 0, want, t * m * n, m * n);
    }
    assertArrayEquals(want, got.toDoubleArray(), what);
  }

  /**
   * {@code a @ b} for a dense stack {@code a} and a 2-d {@code b}: bit for bit the one product of
   * the stacked rows {@code [B*m, k] @ b}, and equal to the products one at a time up to the
   * rounding of a differently tiled float32 GEMM (float64: 1e-12).
   */
  private static void checkStacked(NDArray a, NDArray b, String what) {
    NDArray got = a.matmul(b);
    int k = a.dim(-1);
    NDArray rows = a.reshape(a.size() / k, k).matmul(b);
    assertArrayEquals(rows.toDoubleArray(), got.toDoubleArray(), what + " (stacked rows)");
    int[] s = got.shape();
    int m = s[s.length - 2];
    int n = s[s.length - 1];
    int nb = got.size() / (m * n);
    NDArray a3 = a.reshape(nb, m, k);
    double tol = a.dtype() == DType.FLOAT64 ? 1e-12 : 1e-5;
    double[] g = got.toDoubleArray();
    for (int t = 0; t < nb; t++) {
      double[] want = a3.slice(0, t, t + 1, 1).reshape(m, k).matmul(b).toDoubleArray();
      for (int i = 0; i < want.length; i++) {
        double w = want[i];
        assertEquals(w, g[t * m * n + i], tol * Math.max(1, Math.abs(w)),
            what + " product " + t + " element " + i);
      }
    }
  }

  /**
   * {@code a @ b} for a 2-d {@code a} and a dense stack of column vectors {@code b} {@code [...,
   * k, 1]}: bit for bit the one product {@code b' a^T} of the stacked vectors {@code b' [B, k]}
   * (with {@code a} copied first when {@code copied}: an {@code a} without a BLAS layout is
   * copied by the product too), and equal to the matrix-vector products one at a time up to the
   * rounding of a differently tiled GEMM (float64: 1e-12).
   */
  private static void checkStackedVectors(NDArray a, NDArray b, boolean copied, String what) {
    NDArray got = a.matmul(b);
    int k = b.dim(-2);
    int m = a.dim(0);
    int nb = b.size() / k;
    int[] want = b.shape().clone();
    want[want.length - 2] = m;
    assertArrayEquals(want, got.shape(), what + " shape");
    NDArray rows = b.reshape(nb, k).matmul((copied ? a.copy() : a).permute(1, 0));
    assertArrayEquals(rows.toDoubleArray(), got.toDoubleArray(), what + " (stacked vectors)");
    NDArray b3 = b.reshape(nb, k, 1);
    double tol = a.dtype() == DType.FLOAT64 ? 1e-12 : 1e-5;
    double[] g = got.toDoubleArray();
    for (int t = 0; t < nb; t++) {
      double[] one = a.matmul(b3.slice(0, t, t + 1, 1).reshape(k, 1)).toDoubleArray();
      for (int i = 0; i < m; i++) {
        assertEquals(one[i], g[t * m + i], tol * Math.max(1, Math.abs(one[i])),
            what + " product " + t + " element " + i);
      }
    }
  }

  /** The shape of {@code x} broadcast to the batch dimensions of the product shape {@code s}. */
  private static int[] batched(int[] s, NDArray x) {
    int[] r = s.clone();
    r[s.length - 2] = x.dim(-2);
    r[s.length - 1] = x.dim(-1);
    return r;
  }

  @Test
  void matmul_manyProducts_splitByProduct_matchesProductsOneByOne() {
    int before = Parallel.threads();
    try {
      for (int threads = 1; threads <= 2; threads++) {
        Parallel.setThreads(threads);
        SplittableRandom rng = new SplittableRandom(51);
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
          String w = threads + " threads " + dtype;
          // A 5 x 5 convolution of 32 channels on 12 x 12 images: weight [O, K] @ cols [N, K, L].
          NDArray weight = random(rng, dtype, 32, 800);
          NDArray cols = random(rng, dtype, 16, 800, 64);
          check(weight, cols, w + " forward");
          NDArray grad = random(rng, dtype, 16, 32, 64);
          // Its VJPs: grad @ cols^T and weight^T @ grad, on transposed views.
          check(grad, cols.permute(0, 2, 1), w + " weight gradient");
          check(weight.permute(1, 0), grad, w + " input gradient");
          // Odd sizes, two batch dimensions, one broadcast; below and at the split threshold.
          check(random(rng, dtype, 3, 1, 7, 13), random(rng, dtype, 1, 5, 13, 9), w + " 3x5");
          // A dense stack times one matrix goes as one [B*m, k] product (checkStacked); a
          // strided stack (a transposed view) still goes product by product.
          checkStacked(random(rng, dtype, 7, 33, 5), random(rng, dtype, 5, 17), w + " 7");
          checkStacked(random(rng, dtype, 8, 33, 5), random(rng, dtype, 5, 17), w + " 8");
          checkStacked(random(rng, dtype, 32, 1, 78), random(rng, dtype, 78, 12), w + " 32x1");
          checkStacked(random(rng, dtype, 4, 3, 6, 5), random(rng, dtype, 17, 5).permute(1, 0),
              w + " 4x3, b transposed");
          check(random(rng, dtype, 1, 33, 5), random(rng, dtype, 5, 17), w + " 1");
          // One matrix times a dense stack of vectors (a vmapped matrix-vector product) goes as
          // one [B, k] @ a^T product; a transposed, a broadcast and a copied (strided) matrix, a
          // stack that starts inside its array, two batch dimensions, a stack of one.
          checkStackedVectors(random(rng, dtype, 128, 32), random(rng, dtype, 32, 32, 1), false,
              w + " vectors 32");
          checkStackedVectors(random(rng, dtype, 64, 128).permute(1, 0),
              random(rng, dtype, 7, 64, 1), false, w + " vectors, a transposed");
          checkStackedVectors(random(rng, dtype, 1, 19).expand(9, 19),
              random(rng, dtype, 5, 19, 1), false, w + " vectors, a broadcast");
          checkStackedVectors(random(rng, dtype, 9, 40).slice(1, 0, 40, 2),
              random(rng, dtype, 3, 20, 1), true, w + " vectors, a strided");
          checkStackedVectors(random(rng, dtype, 17, 11),
              random(rng, dtype, 6, 11, 1).slice(0, 2, 6, 1), false,
              w + " vectors, b at an offset");
          checkStackedVectors(random(rng, dtype, 13, 6), random(rng, dtype, 2, 3, 6, 1), false,
              w + " vectors, two batch dimensions");
          check(random(rng, dtype, 13, 6), random(rng, dtype, 1, 6, 1), w + " one vector");
          // Not a dense stack: product by product.
          check(random(rng, dtype, 13, 6), random(rng, dtype, 4, 6, 2).slice(2, 0, 1, 1),
              w + " vectors, b strided");
          check(random(rng, dtype, 8, 5, 33).permute(0, 2, 1), random(rng, dtype, 5, 17),
              w + " 8, a a view");
        }
      }
    } finally {
      Parallel.setThreads(before);
    }
  }
}
