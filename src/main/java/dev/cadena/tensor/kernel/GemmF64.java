package dev.cadena.tensor.kernel;

import java.util.Arrays;

/**
 * The float64 entry of {@link Gemm#gemm}: checks the arguments, settles the empty products and
 * picks the kernel, {@link VectorGemmF64} or {@link ScalarGemmF64}.
 *
 * <p>Written once, for 64-bit floats: in every build {@code
 * src/build/java/dev/cadena/build/GenerateF32.java} makes the 32-bit version of this class from
 * the 64-bit one (lines that must differ carry the 32-bit text in an end-of-line comment). Edit
 * the 64-bit source only.
 */
final class GemmF64 {

  private GemmF64() {}

  /**
   * Initialised, once, by the first product that runs on {@link VectorGemmF64}: warms the
   * vector kernel up first (see {@link JitWarmUp}). The JVM runs a class initialiser exactly once
   * and makes other threads wait for it, and once it has run, C2 folds the read of {@code DONE}
   * away.
   */
  private static final class Warm {
    static final boolean DONE = warmUp();

    private Warm() {}

    /** Small products, all four transposition cases, until compiled. */
    private static boolean warmUp() {
      int m = 8;
      int n = 32;
      int k = 8;
      double[] a = new double[m * k];
      double[] b = new double[k * n];
      double[] c = new double[m * n];
      for (int i = 0; i < a.length; i++) {
        a[i] = 1;
      }
      for (int i = 0; i < b.length; i++) {
        b[i] = 1;
      }
      // Too small for Parallel to split: this runs on the calling thread. Every fourth round
      // starts with empty packing buffers, so that C2 sees them grow as real products do (and
      // three rounds in a row can still allocate nothing, which ends the warm-up).
      int[] rounds = {0};
      JitWarmUp.run(() -> {
        if ((rounds[0]++ & 3) == 0) {
          VectorGemmF64.shrinkWorkspaceForWarmUp();
        }
        VectorGemmF64.gemm(false, false, m, n, k, a, 0, k, b, 0, n, c, 0, n, false);
        VectorGemmF64.gemm(true, false, m, n, k, a, 0, m, b, 0, n, c, 0, n, true);
        VectorGemmF64.gemm(false, true, m, n, k, a, 0, k, b, 0, k, c, 0, n, false);
        VectorGemmF64.gemm(true, true, m, n, k, a, 0, m, b, 0, k, c, 0, n, true);
        // At most one vector wide: the narrow kernel, e.g. an MLP's 10-class output layer.
        VectorGemmF64.gemm(false, false, m, 8, k, a, 0, k, b, 0, 8, c, 0, 8, false);
        VectorGemmF64.gemm(true, true, m, 8, k, a, 0, m, b, 0, k, c, 0, 8, false);
      }, () -> VectorGemmF64.gemm(false, false, m, n, k, a, 0, k, b, 0, n, c, 0, n, false));
      return true;
    }
  }

  /**
   * {@link Gemm#gemm} on a chosen implementation; {@code VECTOR} needs {@link
   * Gemm#VECTOR_AVAILABLE}. Same parameters and exceptions.
   */
  static void gemm(Gemm.Impl impl, boolean transA, boolean transB, int m, int n, int k,
      double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
      double[] c, int cOff, int ldc, boolean accumulate) {
    Gemm.checkArgs(transA, transB, m, n, k, a == null ? -1 : a.length, aOff, lda,
        b == null ? -1 : b.length, bOff, ldb, c == null ? -1 : c.length, cOff, ldc);
    if (m == 0 || n == 0) {
      return;
    }
    if (k == 0) {
      if (!accumulate) {
        for (int i = 0; i < m; i++) {
          Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0.0);
        }
      }
      return;
    }
    if (impl == Gemm.Impl.VECTOR && Gemm.useVector(m, n, k)) {
      if (!Warm.DONE) {
        throw new AssertionError("gemm: vector warm-up did not finish");
      }
      VectorGemmF64.gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc,
          accumulate);
    } else {
      ScalarGemmF64.gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc,
          accumulate);
    }
  }
}
