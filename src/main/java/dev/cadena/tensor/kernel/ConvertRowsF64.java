package dev.cadena.tensor.kernel;

/**
 * Dtype conversions over a row, {@code o[oo + i*os] = (T) x[xo + i*xs]} for {@code i < n}, each
 * with a unit-stride loop (contiguous arrays, one row) and a strided one, plus the int64 copy
 * (the only kernel int64 arrays have). Java's casts define the values: float32 to float64 is
 * exact and float64 to float32 rounds to nearest; to int64 truncates toward zero, maps NaN to 0
 * and saturates at the int64 range; from int64 rounds to nearest, once (never through float64).
 *
 * <p>One source for both element types: the float32 class is generated at build time from the
 * float64 one, the only one edited by hand. Between them the two classes hold all six
 * conversions: {@code fromOtherFloat} of the float64 class widens float32, that of the float32
 * class narrows float64.
 */
// fromOtherFloat's widening cast is redundant in this file; in the generated twin it is the
// narrowing one, so it stays.
@SuppressWarnings("cast")
public final class ConvertRowsF64 {
  private ConvertRowsF64() {}

  /** float32 to float64 (exact). */ // f32: /** float64 to float32 (rounded to nearest). */
  public static void fromOtherFloat(float[] x, int xo, int xs, double[] o, int oo, int os, int n) { // f32: public static void fromOtherFloat(double[] x, int xo, int xs, float[] o, int oo, int os, int n) {
    if (xs == 1 && os == 1) {
      for (int i = 0; i < n; i++) {
        o[oo + i] = (double) x[xo + i];
      }
    } else {
      for (int i = 0; i < n; i++) {
        o[oo + i * os] = (double) x[xo + i * xs];
      }
    }
  }

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

  /** int64 to int64: a copy. */
  public static void copyInt64(long[] x, int xo, int xs, long[] o, int oo, int os, int n) {
    if (xs == 1 && os == 1) {
      System.arraycopy(x, xo, o, oo, n);
    } else {
      for (int i = 0; i < n; i++) {
        o[oo + i * os] = x[xo + i * xs];
      }
    }
  }
}
