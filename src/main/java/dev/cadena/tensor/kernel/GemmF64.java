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

    /**
     * The vector kernels' every path (see {@link VectorGemmF64#warmUpWide}), until compiled,
     * the wide and the narrow kernels on two threads; then the narrow tiles' scalar store.
     */
    private static boolean warmUp() {
      JitWarmUp.runBoth(VectorGemmF64::warmUpWide, VectorGemmF64::warmUpNarrow);
      JitWarmUp.repeat(VectorGemmF64::warmUpScalars);
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
          accumulate, impl == Gemm.Impl.VECTOR && VectorDotF64.USABLE);
    }
  }
}
