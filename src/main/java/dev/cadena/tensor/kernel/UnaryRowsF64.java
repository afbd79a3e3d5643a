package dev.cadena.tensor.kernel;

import dev.cadena.tensor.UnaryOp;

/**
 * Pointwise functions of one operand over a row: {@code o[oo + i*os] = op(x[xo + i*xs])} for
 * {@code i < n}. The tensor layer splits an array into rows with a {@link StridedPlan}.
 *
 * <p>Each op is one method with its arithmetic written once per row layout: unit strides (the
 * common case, a loop the JIT unrolls without range checks) and any strides. NEG and RELU also
 * have the form where both arrays start at the same offset and every access uses the same index
 * {@code i}: only then does C2 vectorise, since with different offsets it must assume the arrays
 * overlap. The transcendental functions (exp, tanh, ...) compute in 64 bits and round the result
 * once to the element type.
 *
 * <p>Both dtypes' versions are one source: the class for 32-bit floats is generated at build
 * time from the one for 64-bit floats (the element type renamed, literals suffixed), which is the
 * only one edited by hand. Every loop is monomorphic over primitive arrays.
 */
// The (double) casts of Math results are redundant in this file; in the generated float32
// twin they become the (float) rounding, so they stay.
@SuppressWarnings("cast")
public final class UnaryRowsF64 {
  private UnaryRowsF64() {}

  /** {@code o[oo + i*os] = op(x[xo + i*xs])} for {@code 0 <= i < n}. */
  public static void apply(UnaryOp op, double[] x, int xo, int xs, double[] o, int oo, int os, int n) {
    switch (op) {
      case COPY:
        copy(x, xo, xs, o, oo, os, n);
        return;
      case NEG:
        neg(x, xo, xs, o, oo, os, n);
        return;
      case EXP:
        exp(x, xo, xs, o, oo, os, n);
        return;
      case LOG:
        log(x, xo, xs, o, oo, os, n);
        return;
      case SQRT:
        sqrt(x, xo, xs, o, oo, os, n);
        return;
      case ABS:
        abs(x, xo, xs, o, oo, os, n);
        return;
      case SIN:
        sin(x, xo, xs, o, oo, os, n);
        return;
      case COS:
        cos(x, xo, xs, o, oo, os, n);
        return;
      case TANH:
        tanh(x, xo, xs, o, oo, os, n);
        return;
      case SIGMOID:
        sigmoid(x, xo, xs, o, oo, os, n);
        return;
      case RELU:
        relu(x, xo, xs, o, oo, os, n);
        return;
      case SIGN:
        sign(x, xo, xs, o, oo, os, n);
        return;
      case LOG1P:
        log1p(x, xo, xs, o, oo, os, n);
        return;
      case EXPM1:
        expm1(x, xo, xs, o, oo, os, n);
        return;
      case ERF:
        erf(x, xo, xs, o, oo, os, n);
        return;
      case ERFC:
        erfc(x, xo, xs, o, oo, os, n);
        return;
      default:
        throw new AssertionError("unary row kernel: no case for " + op);
    }
  }

  private static void copy(double[] x, int xo, int xs, double[] o, int oo, int os, int n) {
    if (xs == 1 && os == 1) {
      System.arraycopy(x, xo, o, oo, n);
      return;
    }
    for (int i = 0; i < n; i++) {
      o[oo + i * os] = x[xo + i * xs];
    }
  }

  private static void neg(double[] x, int xo, int xs, double[] o, int oo, int os, int n) {
    if (xs == 1 && os == 1 && xo == oo) {
      for (int i = oo, end = oo + n; i < end; i++) {
        o[i] = -x[i];
      }
    } else if (xs == 1 && os == 1) {
      for (int i = 0; i < n; i++) {
        o[oo + i] = -x[xo + i];
      }
    } else {
      for (int i = 0; i < n; i++) {
        o[oo + i * os] = -x[xo + i * xs];
      }
    }
  }

  /** {@code max(x, 0)}: Math.max keeps NaN and maps -0 to 0, and vectorises. */
  private static void relu(double[] x, int xo, int xs, double[] o, int oo, int os, int n) {
    if (xs == 1 && os == 1 && xo == oo) {
      for (int i = oo, end = oo + n; i < end; i++) {
        o[i] = Math.max(x[i], 0.0);
      }
    } else if (xs == 1 && os == 1) {
      for (int i = 0; i < n; i++) {
        o[oo + i] = Math.max(x[xo + i], 0.0);
      }
    } else {
      for (int i = 0; i < n; i++) {
        o[oo + i * os] = Math.max(x[xo + i * xs], 0.0);
      }
    }
  }

  private static void abs(double[] x, int xo, int xs, double[] o, int oo, int os, int n) {
    if (xs == 1 && os == 1) {
      for (int i = 0; i < n; i++) {
        o[oo + i] = Math.abs(x[xo + i]);
      }
    } else {
      for (int i = 0; i < n; i++) {
        o[oo + i * os] = Math.abs(x[xo + i * xs]);
      }
    }
  }

  /**
   * {@code -1, 0 or 1}, as PyTorch's {@code sign}: {@code (x > 0) - (x < 0)}, so NaN and both
   * zeros give 0 (the VJP of {@code abs} multiplies by it: no NaN gradient from a NaN input).
   */
  private static void sign(double[] x, int xo, int xs, double[] o, int oo, int os, int n) {
    for (int i = 0; i < n; i++) {
      double v = x[xo + i * xs];
      o[oo + i * os] = (v > 0 ? 1 : 0) - (v < 0 ? 1 : 0);
    }
  }

  private static void exp(double[] x, int xo, int xs, double[] o, int oo, int os, int n) {
    if (xs == 1 && os == 1) {
      for (int i = 0; i < n; i++) {
        o[oo + i] = (double) Math.exp(x[xo + i]);
      }
    } else {
      for (int i = 0; i < n; i++) {
        o[oo + i * os] = (double) Math.exp(x[xo + i * xs]);
      }
    }
  }

  private static void log(double[] x, int xo, int xs, double[] o, int oo, int os, int n) {
    if (xs == 1 && os == 1) {
      for (int i = 0; i < n; i++) {
        o[oo + i] = (double) Math.log(x[xo + i]);
      }
    } else {
      for (int i = 0; i < n; i++) {
        o[oo + i * os] = (double) Math.log(x[xo + i * xs]);
      }
    }
  }

  private static void sqrt(double[] x, int xo, int xs, double[] o, int oo, int os, int n) {
    if (xs == 1 && os == 1) {
      for (int i = 0; i < n; i++) {
        o[oo + i] = (double) Math.sqrt(x[xo + i]);
      }
    } else {
      for (int i = 0; i < n; i++) {
        o[oo + i * os] = (double) Math.sqrt(x[xo + i * xs]);
      }
    }
  }

  private static void sin(double[] x, int xo, int xs, double[] o, int oo, int os, int n) {
    if (xs == 1 && os == 1) {
      for (int i = 0; i < n; i++) {
        o[oo + i] = (double) Math.sin(x[xo + i]);
      }
    } else {
      for (int i = 0; i < n; i++) {
        o[oo + i * os] = (double) Math.sin(x[xo + i * xs]);
      }
    }
  }

  private static void cos(double[] x, int xo, int xs, double[] o, int oo, int os, int n) {
    if (xs == 1 && os == 1) {
      for (int i = 0; i < n; i++) {
        o[oo + i] = (double) Math.cos(x[xo + i]);
      }
    } else {
      for (int i = 0; i < n; i++) {
        o[oo + i * os] = (double) Math.cos(x[xo + i * xs]);
      }
    }
  }

  private static void tanh(double[] x, int xo, int xs, double[] o, int oo, int os, int n) {
    if (xs == 1 && os == 1) {
      for (int i = 0; i < n; i++) {
        o[oo + i] = (double) Math.tanh(x[xo + i]);
      }
    } else {
      for (int i = 0; i < n; i++) {
        o[oo + i * os] = (double) Math.tanh(x[xo + i * xs]);
      }
    }
  }

  private static void sigmoid(double[] x, int xo, int xs, double[] o, int oo, int os, int n) {
    if (xs == 1 && os == 1) {
      for (int i = 0; i < n; i++) {
        o[oo + i] = sigmoid(x[xo + i]);
      }
    } else {
      for (int i = 0; i < n; i++) {
        o[oo + i * os] = sigmoid(x[xo + i * xs]);
      }
    }
  }

  /**
   * {@code 1 / (1 + e^-v)} without overflow: with {@code e = e^-|v|} (at most 1) it is {@code 1 /
   * (1 + e)} for {@code v >= 0} and {@code e / (1 + e)} otherwise. {@code e} has the type of
   * Math.exp, so the quotient is computed in 64 bits and rounded once to the element type.
   */
  private static double sigmoid(double v) {
    var e = Math.exp(-Math.abs(v));
    return (double) (v >= 0 ? 1 / (1 + e) : e / (1 + e));
  }

  private static void log1p(double[] x, int xo, int xs, double[] o, int oo, int os, int n) {
    for (int i = 0; i < n; i++) {
      o[oo + i * os] = (double) Math.log1p(x[xo + i * xs]);
    }
  }

  private static void expm1(double[] x, int xo, int xs, double[] o, int oo, int os, int n) {
    for (int i = 0; i < n; i++) {
      o[oo + i * os] = (double) Math.expm1(x[xo + i * xs]);
    }
  }

  /** {@link Erf#erf} computes in 64 bits; the float32 twin rounds its result once. */
  private static void erf(double[] x, int xo, int xs, double[] o, int oo, int os, int n) {
    for (int i = 0; i < n; i++) {
      o[oo + i * os] = (double) Erf.erf(x[xo + i * xs]);
    }
  }

  private static void erfc(double[] x, int xo, int xs, double[] o, int oo, int os, int n) {
    for (int i = 0; i < n; i++) {
      o[oo + i * os] = (double) Erf.erfc(x[xo + i * xs]);
    }
  }
}
