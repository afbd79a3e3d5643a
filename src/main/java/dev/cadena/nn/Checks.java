package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.DTypeException;
import dev.cadena.tensor.ShapeException;
import dev.cadena.tensor.Shapes;
import java.util.Arrays;

/**
 * Argument checks shared by layers, functions and losses, and by the optimisers and schedules of
 * {@code dev.cadena.optim}. Every message starts with the op, layer or optimiser name and names
 * the values involved, so that a user's mistake reads as an explanation instead of a stack trace
 * from deep inside a kernel: {@code Adam: beta1 must be in [0, 1), got 1.2}.
 *
 * <p><b>Internal.</b> This class is public only so that {@code dev.cadena.optim} (the layer above
 * {@code nn}) can share it; it is not part of Cadena's API and may change in any release. The
 * checks that only {@code nn} uses stay package-private.
 *
 * <p>Two wordings of "positive" remain from when these were two classes, and tests pin both: the
 * layer checks ({@link #positiveFinite}, {@link #positiveSize}) say {@code must be positive}, the
 * hyper-parameter checks ({@link #positive(String, String, double)}, {@link #positive(String,
 * String, int)}) say {@code must be > 0}.
 */
public final class Checks {
  private Checks() {}

  // ------------------------------------------------------------------ hyper-parameters (optim)

  /** {@code value >= 0} and finite (learning rates, weight decay). */
  public static double nonNegative(String owner, String name, double value) {
    checkNotNull(owner, "nonNegative: owner is null");
    checkNotNull(name, "nonNegative: name is null");
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(owner + ": " + name + " must be >= 0 and finite, got " + value);
    }
    return value;
  }

  /** {@code value > 0} and finite (eps, gamma). */
  public static double positive(String owner, String name, double value) {
    checkNotNull(owner, "positive: owner is null");
    checkNotNull(name, "positive: name is null");
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(owner + ": " + name + " must be > 0 and finite, got " + value);
    }
    return value;
  }

  /** {@code 0 <= value < 1} (momentum, betas). */
  public static double halfOpenUnit(String owner, String name, double value) {
    checkNotNull(owner, "halfOpenUnit: owner is null");
    checkNotNull(name, "halfOpenUnit: name is null");
    if (!(value >= 0 && value < 1)) {
      throw new IllegalArgumentException(owner + ": " + name + " must be in [0, 1), got " + value);
    }
    return value;
  }

  /** {@code 0 <= value <= 1} (dampening, RMSprop's smoothing constant). */
  public static double closedUnit(String owner, String name, double value) {
    checkNotNull(owner, "closedUnit: owner is null");
    checkNotNull(name, "closedUnit: name is null");
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(owner + ": " + name + " must be in [0, 1], got " + value);
    }
    return value;
  }

  /** {@code value > 0} for counts (step sizes, periods). */
  public static int positive(String owner, String name, int value) {
    checkNotNull(owner, "positive: owner is null");
    checkNotNull(name, "positive: name is null");
    if (value <= 0) {
      throw new IllegalArgumentException(owner + ": " + name + " must be > 0, got " + value);
    }
    return value;
  }

  // ------------------------------------------------------------------ layers, functions, losses

  /** The tensor, or a NullPointerException naming the op and the argument. */
  static Tensor notNull(String op, String what, Tensor t) {
    return checkNotNull(t, "%s: %s is null", op, what);
  }

  /** A non-null floating-point tensor. */
  static Tensor floating(String op, String what, Tensor t) {
    notNull(op, what, t);
    if (!t.dtype().isFloatingPoint()) {
      throw new DTypeException(
          op + ": " + what + " must be float32 or float64, got " + t.dtype() + " (shape "
              + Shapes.str(t.shape()) + "); convert with .to(DType.FLOAT64)");
    }
    return t;
  }

  /** Both tensors have exactly the same shape. */
  static void sameShape(String op, String aName, Tensor a, String bName, Tensor b) {
    if (!Arrays.equals(a.shape(), b.shape())) {
      throw new ShapeException(
          op + ": " + aName + " shape " + Shapes.str(a.shape()) + " and " + bName + " shape "
              + Shapes.str(b.shape()) + " differ");
    }
  }

  /** A finite value in [lo, hi) (or [lo, hi] when hiInclusive). */
  static double inRange(String op, String what, double v, double lo, double hi, boolean hiInclusive) {
    boolean ok = v >= lo && (hiInclusive ? v <= hi : v < hi);
    if (!ok) {
      throw new IllegalArgumentException(
          op + ": " + what + " must be in [" + lo + ", " + hi + (hiInclusive ? "]" : ")")
              + ", got " + v);
    }
    return v;
  }

  /** A finite, strictly positive value. */
  static double positiveFinite(String op, String what, double v) {
    if (!(v > 0) || !Double.isFinite(v)) {
      throw new IllegalArgumentException(op + ": " + what + " must be positive and finite, got " + v);
    }
    return v;
  }

  /** A finite value. */
  static double finite(String op, String what, double v) {
    if (!Double.isFinite(v)) {
      throw new IllegalArgumentException(op + ": " + what + " must be finite, got " + v);
    }
    return v;
  }

  /** A positive size (feature counts, shapes). */
  static int positiveSize(String op, String what, int v) {
    if (v <= 0) {
      throw new IllegalArgumentException(op + ": " + what + " must be positive, got " + v);
    }
    return v;
  }

  /**
   * Class labels: int64, of shape {@code [n]}, each in {@code [0, classes)}. The message names the
   * first offending label and its position.
   */
  static void labels(String op, Tensor labels, int n, int classes) {
    notNull(op, "labels", labels);
    if (labels.dtype() != DType.INT64) {
      throw new DTypeException(
          op + ": labels must be int64 class indices, got " + labels.dtype() + " (shape "
              + Shapes.str(labels.shape()) + "); build them with Tensor.ofLongs(...)");
    }
    if (labels.rank() != 1 || labels.size(0) != n) {
      throw new ShapeException(
          op + ": labels must have shape [" + n + "] (one per row of the input), got "
              + Shapes.str(labels.shape()));
    }
    // Under vmap the labels are per sample: their physical values hold every sample's.
    long[] v = labels.isBatched() ? labels.data().toLongArray() : labels.toLongArray();
    for (int i = 0; i < v.length; i++) {
      if (v[i] < 0 || v[i] >= classes) {
        String at = labels.isBatched()
            ? "position " + i % n + " of sample " + i / n
            : "position " + i;
        throw new IllegalArgumentException(
            op + ": label " + v[i] + " at " + at + " is out of range [0, " + classes + ")");
      }
    }
  }

  /** A float scalar of the tensor's dtype (constants never promote the computation). */
  static Tensor scalarLike(Tensor t, double v) {
    return Tensor.scalar(v, t.dtype());
  }
}
