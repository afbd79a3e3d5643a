package dev.cadena.tensor.kernel;

/**
 * Conversions between int64 and float64 over a row, {@code o[oo + i*os] = (T) x[xo + i*xs]} for
 * {@code i < n}, each with a unit-stride loop (contiguous arrays, one row) and a strided one.
 * Java's casts define the values: to int64 truncates toward zero, maps NaN to 0 and saturates at
 * the int64 range; from int64 rounds to nearest, once.
 *
 * <p>One source for both element types: the float32 class is generated at build time from the
 * float64 one, the only one edited by hand.
 */
public final class Int64RowsF64 {
  private Int64RowsF64() {}

  /** int64 to float64 (exact up to 2^53, rounded to nearest beyond). */ // f32: /** int64 to float32 (exact up to 2^24, rounded to nearest once beyond, not through float64). */
  public static void fromInt64(long[] x, int xo, int xs, double[] o, int oo, int os, int n) {
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
  public static void toInt64(double[] x, int xo, int xs, long[] o, int oo, int os, int n) {
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
}
