package dev.cadena.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cadena.Tensor;
import dev.cadena.tensor.kernel.Parallel;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Broadcast (stride-0) operands of {@code matmul}, which {@link MatmulDispatch} hands to the GEMM
 * with leading dimension 0 (or as one materialised row or column), must give the product of
 * their contiguous copies, in both dtypes, on one and two threads.
 */
class MatmulBroadcastTest {

  private static final DType[] DTYPES = {DType.FLOAT64, DType.FLOAT32};

  private static NDArray random(SplittableRandom rng, DType dtype, int... shape) {
    double[] v = new double[Shapes.numel(shape)];
    for (int i = 0; i < v.length; i++) {
      v[i] = rng.nextDouble(-2, 2);
    }
    return NDArray.wrap(v, shape).astype(dtype);
  }

  private static void assertClose(NDArray expected, NDArray actual, String what) {
    assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
    double[] e = expected.toDoubleArray();
    double[] a = actual.toDoubleArray();
    double tol = expected.dtype() == DType.FLOAT32 ? 1e-3 : 1e-10;
    for (int i = 0; i < e.length; i++) {
      assertEquals(e[i], a[i], tol * (1 + Math.abs(e[i])), what + ": element " + i);
    }
  }

  /** x @ y against x.copy() @ y.copy(), and y^T-view products with x in the other slot. */
  private static void checkBothSlots(NDArray x, NDArray y, String what) {
    assertClose(x.copy().matmul(y.copy()), x.matmul(y), what + " (left)");
    NDArray xt = x.permute(1, 0);
    NDArray yt = y.permute(1, 0);
    assertClose(yt.copy().matmul(xt.copy()), yt.matmul(xt), what + " (right, transposed)");
  }

  private static void onThreads(Runnable body) {
    int before = Parallel.threads();
    try {
      for (int t : new int[] {1, 2}) {
        Parallel.setThreads(t);
        body.run();
      }
    } finally {
      Parallel.setThreads(before);
    }
  }

  @Test
  void matmul_broadcastOperands_matchContiguousCopies() {
    SplittableRandom rng = new SplittableRandom(17);
    onThreads(() -> {
      for (DType dtype : DTYPES) {
        for (int[] s : new int[][] {{1, 1, 1}, {3, 5, 7}, {13, 37, 9}, {37, 20, 33}, {96, 80, 130}}) {
          int m = s[0];
          int k = s[1];
          int n = s[2];
          NDArray b = random(rng, dtype, k, n);
          // Strides (0, 1): one row of k repeated m times.
          NDArray rows = random(rng, dtype, 1, k).expand(m, k);
          checkBothSlots(rows, b, "rows " + dtype + " " + m + "x" + k);
          // Strides (1, 0): one column of m repeated k times.
          NDArray cols = random(rng, dtype, m, 1).expand(m, k);
          checkBothSlots(cols, b, "cols " + dtype + " " + m + "x" + k);
          // Strides (0, 0): a constant matrix, as sum's gradient is.
          NDArray constant = NDArray.full(dtype, 1.5, 1, 1).expand(m, k);
          checkBothSlots(constant, b, "constant " + dtype + " " + m + "x" + k);
          // Strides (0, 2): repeated rows that are themselves strided.
          NDArray stepped = random(rng, dtype, 1, 2 * k).slice(1, 0, 2 * k, 2).expand(m, k);
          checkBothSlots(stepped, b, "stepped rows " + dtype + " " + m + "x" + k);
          // Both operands broadcast.
          NDArray bRows = random(rng, dtype, 1, n).expand(k, n);
          checkBothSlots(rows, bRows, "rows @ rows " + dtype);
          checkBothSlots(constant, NDArray.full(dtype, -0.5, 1, 1).expand(k, n),
              "constant @ constant " + dtype);
        }
      }
    });
  }

  @Test
  void matmul_broadcastBatchesAndMatrices_matchContiguousCopies() {
    SplittableRandom rng = new SplittableRandom(18);
    onThreads(() -> {
      for (DType dtype : DTYPES) {
        // A batch of constants (each matrix its own value): strides (1, 0, 0).
        NDArray perBatch = random(rng, dtype, 3, 1, 1).expand(3, 9, 11);
        NDArray b = random(rng, dtype, 3, 11, 6);
        assertClose(perBatch.copy().matmul(b), perBatch.matmul(b), "batch of constants");
        // Batch-broadcast B whose rows repeat: strides (0, 0, 1).
        NDArray bRows = random(rng, dtype, 1, 1, 6).expand(3, 11, 6);
        NDArray a = random(rng, dtype, 3, 9, 11);
        assertClose(a.matmul(bRows.copy()), a.matmul(bRows), "batch-broadcast rows");
        // Columns that repeat per batch matrix: strides (5, 1, 0), then transposed.
        NDArray cols = random(rng, dtype, 3, 5, 1).expand(3, 5, 9).permute(0, 2, 1);
        NDArray c = random(rng, dtype, 5, 4);
        assertClose(cols.copy().matmul(c), cols.matmul(c), "batch of repeated columns");
      }
    });
  }

  @Test
  void matmul_sumBackward_gradientsEqualMaterialisedProducts() {
    // C = A @ B; C.sum().backward() multiplies the stride-0 gradient of ones by B^T and A^T.
    onThreads(() -> {
      for (DType dtype : DTYPES) {
        for (int n : new int[] {1, 7, 33, 70}) {
          SplittableRandom rng = new SplittableRandom(19 + n);
          Tensor a = Tensor.randn(rng, dtype, n, n + 3).requiresGrad(true);
          Tensor b = Tensor.randn(rng, dtype, n + 3, n + 1).requiresGrad(true);
          a.matmul(b).sum().backward();
          NDArray ones = NDArray.full(dtype, 1, n, n + 1);
          assertClose(ones.matmul(b.data().permute(1, 0).copy()), a.grad().data(),
              "dA " + dtype + " n=" + n);
          assertClose(a.data().permute(1, 0).copy().matmul(ones), b.grad().data(),
              "dB " + dtype + " n=" + n);
        }
      }
    });
  }

  @Test
  void matmul_constantOperand_givesExactSums() {
    // The constant's storage is a single element, read as one materialised row.
    NDArray one = NDArray.full(DType.FLOAT32, 2, 1, 1);
    NDArray constant = one.expand(40, 50);
    NDArray b = NDArray.full(DType.FLOAT32, 1, 50, 30);
    float[] out = constant.matmul(b).toFloatArray();
    for (float v : out) {
      assertEquals(100f, v);
    }
  }
}
