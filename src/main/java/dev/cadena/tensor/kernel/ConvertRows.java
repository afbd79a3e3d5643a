package dev.cadena.tensor.kernel;

/**
 * Dtype conversion over a row: {@code o[oo + i*os] = (T) x[xo + i*xs]} for {@code i < n}, one
 * overload per pair of element types, plus the int64 copy (the only kernel int64 arrays have).
 * Each has a unit-stride loop (contiguous arrays, one row) and a strided one.
 *
 * <p>Java's casts define the values: to float32 rounds to nearest (an int64 is rounded once,
 * directly, not through float64), to int64 truncates toward zero, maps NaN to 0 and saturates at
 * the int64 range. float32 to float64 and int64 values up to 2^53 to float64 are exact.
 *
 * <p>Hand-written for each pair: these are not float/double twins (each pair is its own cast).
 */
public final class ConvertRows {
  private ConvertRows() {}

  /** float32 to float64 (exact). */
  public static void convert(float[] x, int xo, int xs, double[] o, int oo, int os, int n) {
    if (xs == 1 && os == 1) {
      for (int i = 0; i < n; i++) {
        o[oo + i] = x[xo + i];
      }
    } else {
      for (int i = 0; i < n; i++) {
        o[oo + i * os] = x[xo + i * xs];
      }
    }
  }

  /** float64 to float32 (rounded to nearest). */
  public static void convert(double[] x, int xo, int xs, float[] o, int oo, int os, int n) {
    if (xs == 1 && os == 1) {
      for (int i = 0; i < n; i++) {
        o[oo + i] = (float) x[xo + i];
      }
    } else {
      for (int i = 0; i < n; i++) {
        o[oo + i * os] = (float) x[xo + i * xs];
      }
    }
  }

  /** int64 to float64 (exact up to 2^53, rounded to nearest beyond). */
  public static void convert(long[] x, int xo, int xs, double[] o, int oo, int os, int n) {
    if (xs == 1 && os == 1) {
      for (int i = 0; i < n; i++) {
        o[oo + i] = x[xo + i];
      }
    } else {
      for (int i = 0; i < n; i++) {
        o[oo + i * os] = x[xo + i * xs];
      }
    }
  }

  /** int64 to float32 (rounded to nearest, once). */
  public static void convert(long[] x, int xo, int xs, float[] o, int oo, int os, int n) {
    if (xs == 1 && os == 1) {
      for (int i = 0; i < n; i++) {
        o[oo + i] = x[xo + i];
      }
    } else {
      for (int i = 0; i < n; i++) {
        o[oo + i * os] = x[xo + i * xs];
      }
    }
  }

  /** float64 to int64 (toward zero; NaN to 0; saturating). */
  public static void convert(double[] x, int xo, int xs, long[] o, int oo, int os, int n) {
    if (xs == 1 && os == 1) {
      for (int i = 0; i < n; i++) {
        o[oo + i] = (long) x[xo + i];
      }
    } else {
      for (int i = 0; i < n; i++) {
        o[oo + i * os] = (long) x[xo + i * xs];
      }
    }
  }

  /** float32 to int64 (toward zero; NaN to 0; saturating). */
  public static void convert(float[] x, int xo, int xs, long[] o, int oo, int os, int n) {
    if (xs == 1 && os == 1) {
      for (int i = 0; i < n; i++) {
        o[oo + i] = (long) x[xo + i];
      }
    } else {
      for (int i = 0; i < n; i++) {
        o[oo + i * os] = (long) x[xo + i * xs];
      }
    }
  }

  /** int64 to int64: a copy. */
  public static void copy(long[] x, int xo, int xs, long[] o, int oo, int os, int n) {
    if (xs == 1 && os == 1) {
      System.arraycopy(x, xo, o, oo, n);
    } else {
      for (int i = 0; i < n; i++) {
        o[oo + i * os] = x[xo + i * xs];
      }
    }
  }
}
