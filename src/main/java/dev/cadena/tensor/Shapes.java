package dev.cadena.tensor;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/** Shape arithmetic shared by kernels and ops: sizes, broadcasting, axis normalisation. */
public final class Shapes {
  private Shapes() {}

  /** Number of elements of a shape (1 for the 0-d shape {@code []}). */
  public static int numel(int[] shape) {
    checkNotNull(shape, "numel: shape is null");
    long n = 1;
    for (int s : shape) {
      n *= s;
      if (n > Integer.MAX_VALUE) {
        throw new ShapeException(
            "shape: too many elements: " + Arrays.toString(shape) + " (at most 2^31 - 1)");
      }
    }
    return (int) n;
  }

  /** Formats a shape like {@code [2, 3]}. */
  public static String str(int[] shape) {
    checkNotNull(shape, "str: shape is null");
    return Arrays.toString(shape);
  }

  /** Checks that every size is non-negative; {@code op} names the caller in the message. */
  public static int[] checkShape(String op, int[] shape) {
    checkNotNull(op, "checkShape: op is null");
    checkNotNull(shape, "%s: shape is null", op);
    for (int s : shape) {
      if (s < 0) {
        throw new ShapeException(op + ": negative dimension in shape " + str(shape));
      }
    }
    numel(shape);
    return shape.clone();
  }

  /**
   * The shape two operands broadcast to, by NumPy's rules: align trailing dimensions; each pair
   * must be equal or one of them 1.
   *
   * @throws ShapeException naming the op and both shapes
   */
  public static int[] broadcast(String op, int[] a, int[] b) {
    checkNotNull(op, "broadcast: op is null");
    checkNotNull(a, "broadcast: a is null");
    checkNotNull(b, "broadcast: b is null");
    int rank = Math.max(a.length, b.length);
    int[] out = new int[rank];
    for (int i = 0; i < rank; i++) {
      int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
      int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
      if (da == db || db == 1) {
        out[i] = da;
      } else if (da == 1) {
        out[i] = db;
      } else {
        throw new ShapeException(
            op + ": shapes cannot be broadcast together: " + str(a) + " and " + str(b)
                + " (dimension " + i + ": " + da + " vs " + db + ")");
      }
    }
    return out;
  }

  /** True when {@code from} broadcasts to {@code to} (the rule {@code expand} uses). */
  public static boolean broadcastsTo(int[] from, int[] to) {
    checkNotNull(from, "broadcastsTo: from is null");
    checkNotNull(to, "broadcastsTo: to is null");
    if (from.length > to.length) {
      return false;
    }
    int lead = to.length - from.length;
    for (int i = 0; i < from.length; i++) {
      if (from[i] != 1 && from[i] != to[lead + i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Normalises an axis that may be negative (counting from the end, {@code -1} is the last).
   *
   * @throws ShapeException when the axis is out of range, naming op, axis and rank
   */
  public static int axis(String op, int axis, int rank) {
    checkNotNull(op, "axis: op is null");
    int a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) {
      throw new ShapeException(
          op + ": axis " + axis + " is out of range for a tensor of rank " + rank
              + " (valid: " + (rank == 0 ? "none" : -rank + " to " + (rank - 1)) + ")");
    }
    return a;
  }

  /**
   * Normalises a list of axes: negative axes count from the end; an empty list (or null) means
   * every axis; duplicates are an error. The result is sorted.
   */
  public static int[] axes(String op, int @Nullable [] axes, int rank) {
    checkNotNull(op, "axes: op is null");
    if (axes == null || axes.length == 0) {
      int[] all = new int[rank];
      for (int i = 0; i < rank; i++) {
        all[i] = i;
      }
      return all;
    }
    boolean[] seen = new boolean[rank];
    int[] out = new int[axes.length];
    for (int i = 0; i < axes.length; i++) {
      int a = axis(op, axes[i], rank);
      if (seen[a]) {
        throw new ShapeException(op + ": axis " + axes[i] + " appears twice in " + Arrays.toString(axes));
      }
      seen[a] = true;
      out[i] = a;
    }
    Arrays.sort(out);
    return out;
  }

  /** Row-major (C-order) strides of a shape. */
  public static int[] contiguousStrides(int[] shape) {
    checkNotNull(shape, "contiguousStrides: shape is null");
    int[] st = new int[shape.length];
    int s = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      st[i] = s;
      s *= Math.max(shape[i], 1);
    }
    return st;
  }

  /** The shape after reducing {@code axes} (sorted, normalised), with or without kept dims. */
  public static int[] reduced(int[] shape, int[] axes, boolean keepDims) {
    checkNotNull(shape, "reduced: shape is null");
    checkNotNull(axes, "reduced: axes is null");
    boolean[] red = new boolean[shape.length];
    for (int a : axes) {
      red[a] = true;
    }
    int[] out = new int[keepDims ? shape.length : shape.length - axes.length];
    int j = 0;
    for (int i = 0; i < shape.length; i++) {
      if (red[i]) {
        if (keepDims) {
          out[j++] = 1;
        }
      } else {
        out[j++] = shape[i];
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ views (for NDArray)

  /** Checks that {@code length} values fill {@code shape} (a valid shape). */
  static void checkLength(String op, int length, int[] shape) {
    checkShape(op, shape);
    int n = numel(shape);
    if (n != length) {
      throw new ShapeException(
          op + ": " + length + " values do not fill shape " + str(shape) + " (" + n
              + " elements)");
    }
  }

  /**
   * {@code newShape} with its one allowed {@code -1} inferred so that it holds as many elements
   * as {@code shape}.
   *
   * @throws ShapeException for two {@code -1}s, a negative size, or a different element count
   */
  static int[] inferShape(String op, int[] newShape, int[] shape) {
    int size = numel(shape);
    int[] s = newShape.clone();
    int infer = -1;
    long known = 1;
    for (int i = 0; i < s.length; i++) {
      if (s[i] == -1) {
        if (infer >= 0) {
          throw new ShapeException(op + ": only one dimension can be -1: " + Arrays.toString(newShape));
        }
        infer = i;
      } else if (s[i] < 0) {
        throw new ShapeException(op + ": negative dimension in " + Arrays.toString(newShape));
      } else {
        known *= s[i];
      }
    }
    if (infer >= 0) {
      if (known == 0 || size % known != 0) {
        throw new ShapeException(
            op + ": cannot infer -1 in " + Arrays.toString(newShape) + " for " + size
                + " elements of shape " + str(shape));
      }
      s[infer] = (int) (size / known);
      known *= s[infer];
    }
    if (known != size) {
      throw new ShapeException(
          op + ": shape " + str(shape) + " (" + size + " elements) cannot be viewed as "
              + Arrays.toString(newShape) + " (" + known + " elements)");
    }
    return s;
  }

  /** True when {@code strides} lay {@code shape} out in row-major order without gaps. */
  static boolean isContiguous(int[] shape, int[] strides) {
    int s = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      if (shape[i] != 1 && strides[i] != s) {
        return false;
      }
      s *= shape[i];
    }
    return true;
  }

  /** A Python-style slice bound: negative counts from the end, then clamped to {@code [0, n]}. */
  static int clampIndex(int i, int n) {
    if (i < 0) {
      i += n;
    }
    return Math.max(0, Math.min(i, n));
  }

  /**
   * Rejects in-place writes into a view where several elements share one storage location (a
   * broadcast view made by {@link NDArray#expand}, stride 0 along a dimension of size > 1): the
   * kernels would update that location once per element, e.g. multiplying it n times.
   */
  static void checkWritable(String op, int[] shape, int[] strides) {
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] > 1 && strides[i] == 0) {
        throw new ShapeException(
            op + ": cannot write in place into a broadcast view (shape " + str(shape)
                + ", strides " + Arrays.toString(strides) + "): several elements share one memory"
                + " location; write into a contiguous copy instead");
      }
    }
  }
}
