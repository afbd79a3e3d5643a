package dev.cadena.tensor.kernel;

/**
 * The error function and its complement in double precision, after W. J. Cody, "Rational
 * Chebyshev approximations for the error function", Math. Comp. 23 (1969) 631-637, with the
 * coefficients of his SPECFUN routine CALERF (relative error below about 1e-16 on each interval).
 * Three intervals of {@code y = |x|}:
 *
 * <ul>
 *   <li>{@code y <= 0.46875}: {@code erf(x) = x P(x^2) / Q(x^2)};
 *   <li>{@code 0.46875 < y <= 4}: {@code erfc(y) = e^(-y^2) P(y) / Q(y)};
 *   <li>{@code y > 4}: {@code erfc(y) = e^(-y^2) / y (1/sqrt(pi) + z P(z) / Q(z))}, {@code z =
 *       1/y^2}.
 * </ul>
 *
 * <p>{@code e^(-y^2)} is evaluated as {@code e^(-s^2) e^(-(y - s)(y + s))} with {@code s} = y
 * truncated to a multiple of 1/16, so that the rounding error of {@code y^2} does not enter the
 * exponent. {@code erf} for {@code y > 0.46875} is {@code 1 - erfc(y)}, with the sign of
 * {@code x}; {@code erfc(x) = 2 - erfc(-x)} for negative {@code x}. Not a {@code *F64} source:
 * the float32 kernels call it too and round its result once.
 */
public final class Erf {
  private Erf() {}

  private static final double[] A = {
    3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
    3.20937758913846947e03, 1.85777706184603153e-1
  };
  private static final double[] B = {
    2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
    2.84423683343917062e03
  };
  private static final double[] C = {
    5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
    2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
    2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8
  };
  private static final double[] D = {
    1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
    1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
    3.43936767414372164e03, 1.23033935480374942e03
  };
  private static final double[] P = {
    3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
    1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2
  };
  private static final double[] Q = {
    2.56852019228982242e00, 1.87295284992346725e00, 5.27905102951428412e-1,
    6.05183413124413191e-2, 2.33520497626869185e-3
  };
  /** {@code 1 / sqrt(pi)}. */
  private static final double SQRPI = 5.6418958354775628695e-1;
  /**
   * Beyond this {@code erfc} underflows to 0 in double precision (Cody stops at 26.543, where it
   * leaves the normal range; between the two it is subnormal, with fewer significant digits).
   */
  private static final double XBIG = 27.3;

  /** {@code erf(x)}; odd, {@code erf(+-inf) = +-1}, NaN for NaN. */
  public static double erf(double x) {
    double y = Math.abs(x);
    if (y <= 0.46875) {
      return x * small(x * x);
    }
    if (Double.isNaN(x)) {
      return x;
    }
    double r = 0.5 - tail(y) + 0.5;
    return x < 0 ? -r : r;
  }

  /** {@code erfc(x) = 1 - erf(x)}, accurate where it is tiny; {@code erfc(-inf) = 2}. */
  public static double erfc(double x) {
    double y = Math.abs(x);
    if (y <= 0.46875) {
      return 1 - x * small(x * x);
    }
    if (Double.isNaN(x)) {
      return x;
    }
    double r = tail(y);
    return x < 0 ? 2 - r : r;
  }

  /** {@code erf(x) / x} for {@code |x| <= 0.46875}, from {@code ysq = x^2}. */
  private static double small(double ysq) {
    double num = A[4] * ysq;
    double den = ysq;
    for (int i = 0; i < 3; i++) {
      num = (num + A[i]) * ysq;
      den = (den + B[i]) * ysq;
    }
    return (num + A[3]) / (den + B[3]);
  }

  /** {@code erfc(y)} for {@code y > 0.46875} (infinity included). */
  private static double tail(double y) {
    double r;
    if (y <= 4) {
      double num = C[8] * y;
      double den = y;
      for (int i = 0; i < 7; i++) {
        num = (num + C[i]) * y;
        den = (den + D[i]) * y;
      }
      r = (num + C[7]) / (den + D[7]);
    } else {
      if (y >= XBIG) {
        return 0;
      }
      double z = 1 / (y * y);
      double num = P[5] * z;
      double den = z;
      for (int i = 0; i < 4; i++) {
        num = (num + P[i]) * z;
        den = (den + Q[i]) * z;
      }
      r = z * (num + P[4]) / (den + Q[4]);
      r = (SQRPI - r) / y;
    }
    double s = Math.floor(y * 16) / 16;
    double del = (y - s) * (y + s);
    return Math.exp(-s * s) * Math.exp(-del) * r;
  }
}
