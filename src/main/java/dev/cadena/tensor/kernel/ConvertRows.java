package dev.cadena.tensor.kernel;

/**
 * Conversion between float32 and float64 over a row: {@code o[oo + i*os] = (T) x[xo + i*xs]}
 * for {@code i < n}, plus the int64 copy (the only kernel int64 arrays have). Each has a
 * unit-stride loop (contiguous arrays, one row) and a strided one. Conversions to and from int64
 * are in {@link Int64RowsF64} and its generated float32 twin.
 *
 * <p>Java's casts define the values: float32 to float64 is exact, float64 to float32 rounds to
 * nearest.
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
