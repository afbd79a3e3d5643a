package dev.cadena.tensor.kernel;

import dev.cadena.tensor.BinaryOp;

/**
 * Pointwise functions of two operands over a row: {@code o[oo + i*os] = op(a[ao + i*as], b[bo +
 * i*bs])} for {@code i < n}, where a stride of 0 repeats one element (a broadcast operand, or a
 * scalar). The tensor layer splits broadcast arrays into rows with a {@link StridedPlan}.
 *
 * <p>Each op is one method with its arithmetic written once per row layout, the layout decided
 * once per row by {@link #layout}:
 *
 * <ul>
 *   <li>{@code SAME}: unit strides and one offset for a, b and o; {@code SAME_SCALAR}: the same
 *       with b a single value. Every access uses the same index {@code i}, the only form C2
 *       vectorises: with different offsets it must assume that the arrays overlap. Arithmetic
 *       ops only (add, sub, mul, div, max, min).
 *   <li>{@code UNIT}, {@code UNIT_SCALAR}: unit strides at different offsets (a bias row added
 *       to each row of a matrix, say): not vectorised, but unrolled without range checks.
 *   <li>{@code STRIDED}: anything else; the index {@code offset + i*stride} keeps one range check
 *       per access.
 * </ul>
 *
 * <p>Comparisons give 1 or 0 through a conditional, which C2 does not vectorise by default, so
 * they have no same-offset form; pow costs far more than its addressing and has only the strided
 * loop. Add, sub, mul and div compute in the element type, which gives the same result as
 * computing in 64 bits and rounding once.
 *
 * <p>Both dtypes' versions are one source: the class for 32-bit floats is generated at build
 * time from the one for 64-bit floats (the element type renamed, literals suffixed), which is the
 * only one edited by hand. Every loop is monomorphic over primitive arrays.
 */
// The (double) casts of Math results are redundant in this file; in the generated float32
// twin they become the (float) rounding, so they stay.
@SuppressWarnings("cast")
public final class BinaryRowsF64 {
  /** Unit strides; a, b and o start at one offset. */
  private static final int SAME = 0;
  /** Unit strides for a and o, which start at one offset; b is one value. */
  private static final int SAME_SCALAR = 1;
  /** Unit strides. */
  private static final int UNIT = 2;
  /** Unit strides for a and o; b is one value. */
  private static final int UNIT_SCALAR = 3;
  /** Any other strides. */
  private static final int STRIDED = 4;

  private BinaryRowsF64() {}

  /** {@code o[oo + i*os] = op(a[ao + i*as], b[bo + i*bs])} for {@code 0 <= i < n}. */
  public static void apply(BinaryOp op, double[] a, int ao, int as, double[] b, int bo, int bs, double[] o, int oo, int os, int n) {
    switch (op) {
      case ADD:
        add(a, ao, as, b, bo, bs, o, oo, os, n);
        return;
      case SUB:
        sub(a, ao, as, b, bo, bs, o, oo, os, n);
        return;
      case MUL:
        mul(a, ao, as, b, bo, bs, o, oo, os, n);
        return;
      case DIV:
        div(a, ao, as, b, bo, bs, o, oo, os, n);
        return;
      case MAX:
        max(a, ao, as, b, bo, bs, o, oo, os, n);
        return;
      case MIN:
        min(a, ao, as, b, bo, bs, o, oo, os, n);
        return;
      case POW:
        pow(a, ao, as, b, bo, bs, o, oo, os, n);
        return;
      case EQ:
        eq(a, ao, as, b, bo, bs, o, oo, os, n);
        return;
      case NE:
        ne(a, ao, as, b, bo, bs, o, oo, os, n);
        return;
      case LT:
        lt(a, ao, as, b, bo, bs, o, oo, os, n);
        return;
      case LE:
        le(a, ao, as, b, bo, bs, o, oo, os, n);
        return;
      case GT:
        gt(a, ao, as, b, bo, bs, o, oo, os, n);
        return;
      case GE:
        ge(a, ao, as, b, bo, bs, o, oo, os, n);
        return;
      default:
        throw new AssertionError("binary row kernel: no case for " + op);
    }
  }

  /** The row's layout: one of SAME, SAME_SCALAR, UNIT, UNIT_SCALAR, STRIDED. */
  private static int layout(int ao, int as, int bo, int bs, int oo, int os) {
    if (as != 1 || os != 1 || (bs != 0 && bs != 1)) {
      return STRIDED;
    }
    if (bs == 0) {
      return ao == oo ? SAME_SCALAR : UNIT_SCALAR;
    }
    return ao == oo && bo == oo ? SAME : UNIT;
  }

  /** {@code a + b}. */
  private static void add(double[] a, int ao, int as, double[] b, int bo, int bs, double[] o, int oo, int os, int n) {
    switch (layout(ao, as, bo, bs, oo, os)) {
      case SAME:
        for (int i = oo, end = oo + n; i < end; i++) {
          o[i] = a[i] + b[i];
        }
        return;
      case SAME_SCALAR: {
        double c = b[bo];
        for (int i = oo, end = oo + n; i < end; i++) {
          o[i] = a[i] + c;
        }
        return;
      }
      case UNIT:
        for (int i = 0; i < n; i++) {
          o[oo + i] = a[ao + i] + b[bo + i];
        }
        return;
      case UNIT_SCALAR: {
        double c = b[bo];
        for (int i = 0; i < n; i++) {
          o[oo + i] = a[ao + i] + c;
        }
        return;
      }
      default:
        for (int i = 0; i < n; i++) {
          o[oo + i * os] = a[ao + i * as] + b[bo + i * bs];
        }
    }
  }

  /** {@code a - b}. */
  private static void sub(double[] a, int ao, int as, double[] b, int bo, int bs, double[] o, int oo, int os, int n) {
    switch (layout(ao, as, bo, bs, oo, os)) {
      case SAME:
        for (int i = oo, end = oo + n; i < end; i++) {
          o[i] = a[i] - b[i];
        }
        return;
      case SAME_SCALAR: {
        double c = b[bo];
        for (int i = oo, end = oo + n; i < end; i++) {
          o[i] = a[i] - c;
        }
        return;
      }
      case UNIT:
        for (int i = 0; i < n; i++) {
          o[oo + i] = a[ao + i] - b[bo + i];
        }
        return;
      case UNIT_SCALAR: {
        double c = b[bo];
        for (int i = 0; i < n; i++) {
          o[oo + i] = a[ao + i] - c;
        }
        return;
      }
      default:
        for (int i = 0; i < n; i++) {
          o[oo + i * os] = a[ao + i * as] - b[bo + i * bs];
        }
    }
  }

  /** {@code a * b}. */
  private static void mul(double[] a, int ao, int as, double[] b, int bo, int bs, double[] o, int oo, int os, int n) {
    switch (layout(ao, as, bo, bs, oo, os)) {
      case SAME:
        for (int i = oo, end = oo + n; i < end; i++) {
          o[i] = a[i] * b[i];
        }
        return;
      case SAME_SCALAR: {
        double c = b[bo];
        for (int i = oo, end = oo + n; i < end; i++) {
          o[i] = a[i] * c;
        }
        return;
      }
      case UNIT:
        for (int i = 0; i < n; i++) {
          o[oo + i] = a[ao + i] * b[bo + i];
        }
        return;
      case UNIT_SCALAR: {
        double c = b[bo];
        for (int i = 0; i < n; i++) {
          o[oo + i] = a[ao + i] * c;
        }
        return;
      }
      default:
        for (int i = 0; i < n; i++) {
          o[oo + i * os] = a[ao + i * as] * b[bo + i * bs];
        }
    }
  }

  /** {@code a / b}. */
  private static void div(double[] a, int ao, int as, double[] b, int bo, int bs, double[] o, int oo, int os, int n) {
    switch (layout(ao, as, bo, bs, oo, os)) {
      case SAME:
        for (int i = oo, end = oo + n; i < end; i++) {
          o[i] = a[i] / b[i];
        }
        return;
      case SAME_SCALAR: {
        double c = b[bo];
        for (int i = oo, end = oo + n; i < end; i++) {
          o[i] = a[i] / c;
        }
        return;
      }
      case UNIT:
        for (int i = 0; i < n; i++) {
          o[oo + i] = a[ao + i] / b[bo + i];
        }
        return;
      case UNIT_SCALAR: {
        double c = b[bo];
        for (int i = 0; i < n; i++) {
          o[oo + i] = a[ao + i] / c;
        }
        return;
      }
      default:
        for (int i = 0; i < n; i++) {
          o[oo + i * os] = a[ao + i * as] / b[bo + i * bs];
        }
    }
  }

  /** {@code the larger of a and b, NaN if either is NaN (Math.max)}. */
  private static void max(double[] a, int ao, int as, double[] b, int bo, int bs, double[] o, int oo, int os, int n) {
    switch (layout(ao, as, bo, bs, oo, os)) {
      case SAME:
        for (int i = oo, end = oo + n; i < end; i++) {
          o[i] = Math.max(a[i], b[i]);
        }
        return;
      case SAME_SCALAR: {
        double c = b[bo];
        for (int i = oo, end = oo + n; i < end; i++) {
          o[i] = Math.max(a[i], c);
        }
        return;
      }
      case UNIT:
        for (int i = 0; i < n; i++) {
          o[oo + i] = Math.max(a[ao + i], b[bo + i]);
        }
        return;
      case UNIT_SCALAR: {
        double c = b[bo];
        for (int i = 0; i < n; i++) {
          o[oo + i] = Math.max(a[ao + i], c);
        }
        return;
      }
      default:
        for (int i = 0; i < n; i++) {
          o[oo + i * os] = Math.max(a[ao + i * as], b[bo + i * bs]);
        }
    }
  }

  /** {@code the smaller of a and b, NaN if either is NaN (Math.min)}. */
  private static void min(double[] a, int ao, int as, double[] b, int bo, int bs, double[] o, int oo, int os, int n) {
    switch (layout(ao, as, bo, bs, oo, os)) {
      case SAME:
        for (int i = oo, end = oo + n; i < end; i++) {
          o[i] = Math.min(a[i], b[i]);
        }
        return;
      case SAME_SCALAR: {
        double c = b[bo];
        for (int i = oo, end = oo + n; i < end; i++) {
          o[i] = Math.min(a[i], c);
        }
        return;
      }
      case UNIT:
        for (int i = 0; i < n; i++) {
          o[oo + i] = Math.min(a[ao + i], b[bo + i]);
        }
        return;
      case UNIT_SCALAR: {
        double c = b[bo];
        for (int i = 0; i < n; i++) {
          o[oo + i] = Math.min(a[ao + i], c);
        }
        return;
      }
      default:
        for (int i = 0; i < n; i++) {
          o[oo + i * os] = Math.min(a[ao + i * as], b[bo + i * bs]);
        }
    }
  }

  /** {@code a^b} (Math.pow, in 64 bits, rounded once to the element type; see {@link #pow(double, double)}). */
  private static void pow(double[] a, int ao, int as, double[] b, int bo, int bs, double[] o, int oo, int os, int n) {
    for (int i = 0; i < n; i++) {
      o[oo + i * os] = pow(a[ao + i * as], b[bo + i * bs]);
    }
  }

  /**
   * {@code Math.pow} with C99's (and PyTorch's) values where Java's differ: {@code pow(1, y) = 1}
   * for every {@code y}, NaN included, and {@code pow(-1, +-inf) = 1} (Java gives NaN for both).
   * The test on the result is taken only for NaN, so it costs a predictable branch.
   */
  private static double pow(double a, double b) { // f32: private static float pow(float a, float b) {
    double r = Math.pow(a, b); // f32: double r = Math.pow(a, b);
    return (double) (r == r || (a != 1 && !(a == -1 && Double.isInfinite(b))) ? r : 1);
  }

  /** {@code a == b ? 1 : 0}. */
  private static void eq(double[] a, int ao, int as, double[] b, int bo, int bs, double[] o, int oo, int os, int n) {
    switch (layout(ao, as, bo, bs, oo, os)) {
      case SAME:
      case UNIT:
        for (int i = 0; i < n; i++) {
          o[oo + i] = a[ao + i] == b[bo + i] ? 1 : 0;
        }
        return;
      case SAME_SCALAR:
      case UNIT_SCALAR: {
        double c = b[bo];
        for (int i = 0; i < n; i++) {
          o[oo + i] = a[ao + i] == c ? 1 : 0;
        }
        return;
      }
      default:
        for (int i = 0; i < n; i++) {
          o[oo + i * os] = a[ao + i * as] == b[bo + i * bs] ? 1 : 0;
        }
    }
  }

  /** {@code a != b ? 1 : 0}. */
  private static void ne(double[] a, int ao, int as, double[] b, int bo, int bs, double[] o, int oo, int os, int n) {
    switch (layout(ao, as, bo, bs, oo, os)) {
      case SAME:
      case UNIT:
        for (int i = 0; i < n; i++) {
          o[oo + i] = a[ao + i] != b[bo + i] ? 1 : 0;
        }
        return;
      case SAME_SCALAR:
      case UNIT_SCALAR: {
        double c = b[bo];
        for (int i = 0; i < n; i++) {
          o[oo + i] = a[ao + i] != c ? 1 : 0;
        }
        return;
      }
      default:
        for (int i = 0; i < n; i++) {
          o[oo + i * os] = a[ao + i * as] != b[bo + i * bs] ? 1 : 0;
        }
    }
  }

  /** {@code a < b ? 1 : 0}. */
  private static void lt(double[] a, int ao, int as, double[] b, int bo, int bs, double[] o, int oo, int os, int n) {
    switch (layout(ao, as, bo, bs, oo, os)) {
      case SAME:
      case UNIT:
        for (int i = 0; i < n; i++) {
          o[oo + i] = a[ao + i] < b[bo + i] ? 1 : 0;
        }
        return;
      case SAME_SCALAR:
      case UNIT_SCALAR: {
        double c = b[bo];
        for (int i = 0; i < n; i++) {
          o[oo + i] = a[ao + i] < c ? 1 : 0;
        }
        return;
      }
      default:
        for (int i = 0; i < n; i++) {
          o[oo + i * os] = a[ao + i * as] < b[bo + i * bs] ? 1 : 0;
        }
    }
  }

  /** {@code a <= b ? 1 : 0}. */
  private static void le(double[] a, int ao, int as, double[] b, int bo, int bs, double[] o, int oo, int os, int n) {
    switch (layout(ao, as, bo, bs, oo, os)) {
      case SAME:
      case UNIT:
        for (int i = 0; i < n; i++) {
          o[oo + i] = a[ao + i] <= b[bo + i] ? 1 : 0;
        }
        return;
      case SAME_SCALAR:
      case UNIT_SCALAR: {
        double c = b[bo];
        for (int i = 0; i < n; i++) {
          o[oo + i] = a[ao + i] <= c ? 1 : 0;
        }
        return;
      }
      default:
        for (int i = 0; i < n; i++) {
          o[oo + i * os] = a[ao + i * as] <= b[bo + i * bs] ? 1 : 0;
        }
    }
  }

  /** {@code a > b ? 1 : 0}. */
  private static void gt(double[] a, int ao, int as, double[] b, int bo, int bs, double[] o, int oo, int os, int n) {
    switch (layout(ao, as, bo, bs, oo, os)) {
      case SAME:
      case UNIT:
        for (int i = 0; i < n; i++) {
          o[oo + i] = a[ao + i] > b[bo + i] ? 1 : 0;
        }
        return;
      case SAME_SCALAR:
      case UNIT_SCALAR: {
        double c = b[bo];
        for (int i = 0; i < n; i++) {
          o[oo + i] = a[ao + i] > c ? 1 : 0;
        }
        return;
      }
      default:
        for (int i = 0; i < n; i++) {
          o[oo + i * os] = a[ao + i * as] > b[bo + i * bs] ? 1 : 0;
        }
    }
  }

  /** {@code a >= b ? 1 : 0}. */
  private static void ge(double[] a, int ao, int as, double[] b, int bo, int bs, double[] o, int oo, int os, int n) {
    switch (layout(ao, as, bo, bs, oo, os)) {
      case SAME:
      case UNIT:
        for (int i = 0; i < n; i++) {
          o[oo + i] = a[ao + i] >= b[bo + i] ? 1 : 0;
        }
        return;
      case SAME_SCALAR:
      case UNIT_SCALAR: {
        double c = b[bo];
        for (int i = 0; i < n; i++) {
          o[oo + i] = a[ao + i] >= c ? 1 : 0;
        }
        return;
      }
      default:
        for (int i = 0; i < n; i++) {
          o[oo + i * os] = a[ao + i * as] >= b[bo + i * bs] ? 1 : 0;
        }
    }
  }

  /**
   * {@code o[oo + i*os] = c[co + i*cs] != 0 ? a[ao + i*as] : b[bo + i*bs]} for {@code 0 <= i <
   * n}: the row kernel of {@code where}, a choice between two operands rather than a function of
   * them, all three broadcast (any stride, 0 included).
   */
  public static void where(double[] c, int co, int cs, double[] a, int ao, int as, double[] b,
      int bo, int bs, double[] o, int oo, int os, int n) {
    for (int i = 0; i < n; i++) {
      o[oo + i * os] = c[co + i * cs] != 0 ? a[ao + i * as] : b[bo + i * bs];
    }
  }

  /**
   * {@code o[oo + i] += alpha * x[xo + i]} for {@code 0 <= i < n} (BLAS axpy, unit strides), the
   * in-place update of optimisers; {@code alpha} is given in the element type.
   */
  public static void axpy(double alpha, double[] x, int xo, double[] o, int oo, int n) {
    for (int i = 0; i < n; i++) {
      o[oo + i] += alpha * x[xo + i];
    }
  }

  /**
   * {@code o[oo + i] = op(a[ao + i], c)} for {@code 0 <= i < n}, unit strides, with the scalar
   * operand passed as a value (no 0-d array for {@code x * 0.5}): the same arithmetic as {@link
   * #apply} with {@code b = {c}} and {@code bs = 0}, for the four arithmetic ops only.
   *
   * @throws IllegalArgumentException for another op
   */
  public static void applyScalar(BinaryOp op, double[] a, int ao, double c, double[] o, int oo, int n) {
    switch (op) {
      case ADD:
        for (int i = 0; i < n; i++) {
          o[oo + i] = a[ao + i] + c;
        }
        return;
      case SUB:
        for (int i = 0; i < n; i++) {
          o[oo + i] = a[ao + i] - c;
        }
        return;
      case MUL:
        for (int i = 0; i < n; i++) {
          o[oo + i] = a[ao + i] * c;
        }
        return;
      case DIV:
        for (int i = 0; i < n; i++) {
          o[oo + i] = a[ao + i] / c;
        }
        return;
      default:
        throw new IllegalArgumentException("applyScalar: not an arithmetic op: " + op);
    }
  }
}
