package dev.cadena.tensor.kernel;

/** Placeholder GEMM (replaced by the blocked kernel). */
public final class Gemm {
  private Gemm() {}

  public static void gemm(boolean transA, boolean transB, int m, int n, int k,
      double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
      double[] c, int cOff, int ldc, boolean accumulate) {
    for (int i = 0; i < m; i++) {
      if (!accumulate) {
        java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0.0);
      }
      for (int p = 0; p < k; p++) {
        double av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
        for (int j = 0; j < n; j++) {
          double bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
          c[cOff + i * ldc + j] += av * bv;
        }
      }
    }
  }

  public static void gemm(boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc, boolean accumulate) {
    for (int i = 0; i < m; i++) {
      if (!accumulate) {
        java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
      }
      for (int p = 0; p < k; p++) {
        float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
        for (int j = 0; j < n; j++) {
          float bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
          c[cOff + i * ldc + j] += av * bv;
        }
      }
    }
  }
}
