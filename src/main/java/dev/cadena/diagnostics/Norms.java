package dev.cadena.diagnostics;

import dev.cadena.tensor.DType;
import dev.cadena.tensor.NDArray;

/** Sums over raw storage, accumulated in float64; strided arrays are copied first. */
final class Norms {
  private Norms() {}

  /** {@code sum(a^2)}. */
  static double sumOfSquares(NDArray a) {
    NDArray c = a.contiguous();
    int n = c.size();
    int o = c.offset();
    double s = 0;
    if (c.dtype() == DType.FLOAT32) {
      float[] f = c.floatStorage();
      for (int i = 0; i < n; i++) {
        double v = f[o + i];
        s += v * v;
      }
    } else {
      double[] d = c.dtype() == DType.FLOAT64 ? c.doubleStorage() : c.toDoubleArray();
      int off = c.dtype() == DType.FLOAT64 ? o : 0;
      for (int i = 0; i < n; i++) {
        double v = d[off + i];
        s += v * v;
      }
    }
    return s;
  }

  /** Copies the elements of {@code a}, in row-major order, into {@code out}. */
  static void copy(NDArray a, double[] out) {
    NDArray c = a.contiguous();
    int n = c.size();
    int o = c.offset();
    if (c.dtype() == DType.FLOAT64) {
      System.arraycopy(c.doubleStorage(), o, out, 0, n);
    } else if (c.dtype() == DType.FLOAT32) {
      float[] f = c.floatStorage();
      for (int i = 0; i < n; i++) {
        out[i] = f[o + i];
      }
    } else {
      System.arraycopy(c.toDoubleArray(), 0, out, 0, n);
    }
  }

  /** {@code sum((a - before)^2)}. */
  static double sumOfSquaredDifferences(NDArray a, double[] before) {
    NDArray c = a.contiguous();
    int n = c.size();
    int o = c.offset();
    double s = 0;
    if (c.dtype() == DType.FLOAT32) {
      float[] f = c.floatStorage();
      for (int i = 0; i < n; i++) {
        double v = f[o + i] - before[i];
        s += v * v;
      }
    } else {
      double[] d = c.dtype() == DType.FLOAT64 ? c.doubleStorage() : c.toDoubleArray();
      int off = c.dtype() == DType.FLOAT64 ? o : 0;
      for (int i = 0; i < n; i++) {
        double v = d[off + i] - before[i];
        s += v * v;
      }
    }
    return s;
  }
}
