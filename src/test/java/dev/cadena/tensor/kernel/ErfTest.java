package dev.cadena.tensor.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Erf} against values it did not compute: a table of erf and erfc (glibc's, correctly
 * rounded within an ulp, and the published erf(0.5) = 0.5204998778130465), and erf's Taylor
 * series summed in 60-digit decimal arithmetic on a dense seeded sample of [-3, 3].
 */
class ErfTest {
  /** Relative accuracy required of both functions. */
  private static final double RTOL = 1e-15;

  /** {x, erf(x), erfc(x)}. */
  private static final double[][] TABLE = {
    {0.0, 0.0, 1.0},
    {1e-300, 1.1283791670955126e-300, 1.0},
    {1e-10, 1.1283791670955126e-10, 0.999999999887162},
    {0.1, 0.1124629160182849, 0.8875370839817152},
    {0.25, 0.2763263901682369, 0.7236736098317631},
    {0.46875, 0.49261347321793797, 0.507386526782062},
    {0.5, 0.5204998778130465, 0.4795001221869535},
    {0.75, 0.7111556336535151, 0.28884436634648486},
    {1.0, 0.8427007929497149, 0.15729920705028513},
    {1.5, 0.9661051464753108, 0.033894853524689274},
    {2.0, 0.9953222650189527, 0.004677734981047265},
    {2.5, 0.999593047982555, 0.0004069520174449589},
    {3.0, 0.9999779095030014, 2.2090496998585438e-05},
    {3.9, 0.9999999652077514, 3.479224859723177e-08},
    {4.0, 0.9999999845827421, 1.541725790028002e-08},
    {4.5, 0.9999999998033839, 1.9661604415428873e-10},
    {5.0, 0.9999999999984626, 1.5374597944280351e-12},
    {6.0, 1.0, 2.1519736712498916e-17},
    {8.0, 1.0, 1.1224297172982928e-29},
    {10.0, 1.0, 2.088487583762545e-45},
    {15.0, 1.0, 7.212994172451206e-100},
    {20.0, 1.0, 5.3958656116079005e-176},
    {26.0, 1.0, 5.663192408856143e-296},
    {-0.3, -0.3286267594591274, 1.3286267594591274},
    {-1.0, -0.8427007929497149, 1.842700792949715},
    {-2.2, -0.9981371537020182, 1.998137153702018},
    {-4.25, -0.9999999981494259, 1.9999999981494259},
    {-7.0, -1.0, 2.0},
  };

  private static void assertRelative(double want, double got, String what) {
    assertEquals(want, got, RTOL * Math.abs(want), what);
  }

  @Test
  void erfAndErfc_matchTheTable() {
    for (double[] row : TABLE) {
      assertRelative(row[1], Erf.erf(row[0]), "erf(" + row[0] + ")");
      assertRelative(row[2], Erf.erfc(row[0]), "erfc(" + row[0] + ")");
    }
  }

  @Test
  void erf_matchesItsTaylorSeriesInHighPrecision() {
    MathContext mc = new MathContext(60);
    BigDecimal pi = new BigDecimal("3.14159265358979323846264338327950288419716939937510582097494459");
    BigDecimal twoOverSqrtPi = BigDecimal.valueOf(2).divide(pi.sqrt(mc), mc);
    SplittableRandom rng = new SplittableRandom(11);
    for (int k = 0; k < 400; k++) {
      double x = rng.nextDouble(-3, 3);
      BigDecimal bx = new BigDecimal(x);
      BigDecimal x2 = bx.multiply(bx, mc);
      // erf(x) = 2/sqrt(pi) sum_n (-1)^n x^(2n+1) / (n! (2n+1))
      BigDecimal power = bx;
      BigDecimal factorial = BigDecimal.ONE;
      BigDecimal sum = BigDecimal.ZERO;
      for (int n = 0; n < 200; n++) {
        if (n > 0) {
          power = power.multiply(x2, mc).negate();
          factorial = factorial.multiply(BigDecimal.valueOf(n));
        }
        BigDecimal term = power.divide(factorial.multiply(BigDecimal.valueOf(2L * n + 1)), mc);
        sum = sum.add(term, mc);
        if (term.abs().compareTo(new BigDecimal("1e-40")) < 0) {
          break;
        }
      }
      BigDecimal erf = sum.multiply(twoOverSqrtPi, mc);
      assertRelative(erf.doubleValue(), Erf.erf(x), "erf(" + x + ")");
      assertRelative(BigDecimal.ONE.subtract(erf, mc).doubleValue(), Erf.erfc(x), "erfc(" + x + ")");
    }
  }

  @Test
  void specialValues() {
    assertEquals(1.0, Erf.erf(Double.POSITIVE_INFINITY), 0.0);
    assertEquals(-1.0, Erf.erf(Double.NEGATIVE_INFINITY), 0.0);
    assertEquals(0.0, Erf.erfc(Double.POSITIVE_INFINITY), 0.0);
    assertEquals(2.0, Erf.erfc(Double.NEGATIVE_INFINITY), 0.0);
    assertTrue(Double.isNaN(Erf.erf(Double.NaN)) && Double.isNaN(Erf.erfc(Double.NaN)));
    assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(Erf.erf(-0.0)),
        "erf keeps the sign of zero");
    assertEquals(0.0, Erf.erfc(28.0), 0.0);
  }

  @Test
  void erf_isOddAndMonotone_erfcIsTwoMinusItsMirror() {
    SplittableRandom rng = new SplittableRandom(12);
    double previous = -1;
    for (int k = -3000; k <= 3000; k++) {
      double x = k / 500.0;
      double e = Erf.erf(x);
      assertTrue(e >= previous, () -> "erf decreases at " + x);
      previous = e;
    }
    for (int k = 0; k < 200; k++) {
      double x = rng.nextDouble(0, 10);
      assertEquals(-Erf.erf(x), Erf.erf(-x), 0.0, "odd at " + x);
      // Within rounding: below 0.46875 both sides are 1 -+ x P/Q, rounded separately.
      assertEquals(2 - Erf.erfc(x), Erf.erfc(-x), Math.ulp(2.0), "erfc(-x) at " + x);
    }
  }
}
