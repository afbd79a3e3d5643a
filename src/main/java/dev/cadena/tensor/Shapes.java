package dev.cadena.tensor;

import static com.google.common.base.Preconditions.checkNotNull;

import java.math.BigInteger;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Shape arithmetic shared by kernels and ops: sizes, broadcasting, axis normalisation.
 *
 * <p>Every size, offset and step is computed without overflow: products and sums go through
 * {@code long} arithmetic (or {@link Math#multiplyExact}) and are checked against {@link
 * #MAX_ELEMENTS} before they become an {@code int}. A shape with more elements than that is a
 * {@link ShapeException} naming the op, the shape and the element count, never a negative size,
 * a {@link NegativeArraySizeException} or an {@link OutOfMemoryError} from the JVM.
 */
public final class Shapes {
  /**
   * The most elements a tensor (or a view of one) may have: {@code 2^31 - 9 = 2147483639}, the
   * largest length for which the common JVMs allocate a primitive array at all (HotSpot refuses
   * {@code Integer.MAX_VALUE - 1} and above with "Requested array size exceeds VM limit", and
   * some JVMs reserve a few more words of header). A size that fits but does not fit the heap is
   * still the JVM's {@link OutOfMemoryError}; a size beyond this limit is a {@link
   * ShapeException}.
   *
   * <p>The limit also applies to the product of the non-zero sizes of an empty shape ({@code [0,
   * 65536, 65536]} is refused although it has no elements; PyTorch accepts it): its row-major
   * strides would not fit an {@code int}.
   */
  public static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;

  private Shapes() {}

  /**
   * Number of elements of a shape (1 for the 0-d shape {@code []}).
   *
   * @throws ShapeException for a negative size, or more than {@link #MAX_ELEMENTS} elements
   */
  public static int numel(int[] shape) {
    checkNotNull(shape, "numel: shape is null");
    return numel("shape", shape);
  }

  /**
   * Number of elements of a shape, checked: {@code op} names the caller in the message.
   *
   * @throws ShapeException for a negative size, or when the sizes (the non-zero ones, for an
   *     empty shape) multiply to more than {@link #MAX_ELEMENTS}
   */
  static int numel(String op, int[] shape) {
    long n = 1;
    boolean empty = false;
    for (int s : shape) {
      if (s <= 0) {
        if (s < 0) {
          throw new ShapeException(op + ": negative dimension in shape " + str(shape));
        }
        empty = true;
        continue;
      }
      n *= s;
      if (n > MAX_ELEMENTS) {
        throw tooManyElements(op, shape);
      }
    }
    return empty ? 0 : (int) n;
  }

  /**
   * The exception for a shape whose sizes multiply past {@link #MAX_ELEMENTS}, naming the exact
   * product (computed without overflow, whatever the rank).
   */
  static ShapeException tooManyElements(String op, int[] shape) {
    BigInteger total = BigInteger.ONE;
    BigInteger nonZero = BigInteger.ONE;
    for (int s : shape) {
      total = total.multiply(BigInteger.valueOf(s));
      if (s != 0) {
        nonZero = nonZero.multiply(BigInteger.valueOf(s));
      }
    }
    if (total.signum() == 0) {
      return new ShapeException(
          op + ": shape " + str(shape) + " is too large: its non-zero sizes multiply to "
              + nonZero + ", more than " + MAX_ELEMENTS + ", so its strides do not fit an int");
    }
    return tooManyElements(op, str(shape), total.toString());
  }

  /**
   * The exception for a tensor of {@code count} elements (a decimal number, possibly beyond any
   * {@code long}) described by {@code what}: {@code <op>: too many elements: <what> has <count>
   * elements, more than the 2147483639 a tensor can hold}.
   */
  static ShapeException tooManyElements(String op, String what, String count) {
    return new ShapeException(
        op + ": too many elements: " + what + " has " + count + " elements, more than the "
            + MAX_ELEMENTS + " a tensor can hold");
  }

  /**
   * {@code count} as a tensor size: checks that a count computed in {@code long} (a length, a
   * sum of lengths, a product) lies in {@code [0, MAX_ELEMENTS]}.
   *
   * @throws ShapeException naming {@code op}, {@code what} and the count otherwise
   */
  public static int checkedSize(String op, String what, long count) {
    checkNotNull(op, "checkedSize: op is null");
    checkNotNull(what, "checkedSize: what is null");
    if (count < 0) {
      throw new ShapeException(op + ": negative size: " + what + " is " + count);
    }
    if (count > MAX_ELEMENTS) {
      throw tooManyElements(op, what, Long.toString(count));
    }
    return (int) count;
  }

  /** Formats a shape like {@code [2, 3]}. */
  public static String str(int[] shape) {
    checkNotNull(shape, "str: shape is null");
    return Arrays.toString(shape);
  }

  /**
   * Checks that every size is non-negative and that the shape holds at most {@link
   * #MAX_ELEMENTS} elements; {@code op} names the caller in the message. Returns a copy.
   *
   * @throws ShapeException for a null shape, a negative size or too many elements
   */
  public static int[] checkShape(String op, int[] shape) {
    checkNotNull(op, "checkShape: op is null");
    checkNotNull(shape, "%s: shape is null", op);
    numel(op, shape);
    return shape.clone();
  }

  /**
   * The shape two operands broadcast to, by NumPy's rules: align trailing dimensions; each pair
   * must be equal or one of them 1.
   *
   * @throws ShapeException naming the op and both shapes, or when the result has more than
   *     {@link #MAX_ELEMENTS} elements
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
    if (out.length > 1) {
      // Two valid shapes can broadcast to one too large for an array: [65536, 1] and [1, 65536].
      numel(op, out);
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
    if (axes.length == 1) {
      return new int[] {axis(op, axes[0], rank)};
    }
    boolean[] seen = new boolean[rank];
    for (int i = 0; i < axes.length; i++) {
      int a = axis(op, axes[i], rank);
      if (seen[a]) {
        throw new ShapeException(op + ": axis " + axes[i] + " appears twice in " + Arrays.toString(axes));
      }
      seen[a] = true;
    }
    // In increasing order: the marks read from the front.
    int[] out = new int[axes.length];
    for (int a = 0, j = 0; a < rank; a++) {
      if (seen[a]) {
        out[j++] = a;
      }
    }
    return out;
  }

  /**
   * Row-major (C-order) strides of a shape (a size 0 counts as 1, so an empty shape gets the
   * strides of its non-empty sizes).
   *
   * @throws ArithmeticException when a stride overflows an {@code int}, which {@link
   *     #checkShape} rules out for every shape it accepted
   */
  public static int[] contiguousStrides(int[] shape) {
    checkNotNull(shape, "contiguousStrides: shape is null");
    int[] st = new int[shape.length];
    int s = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      st[i] = s;
      if (i > 0) {
        s = Math.multiplyExact(s, Math.max(shape[i], 1));
      }
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

  /**
   * Checks that {@code length} values fill {@code shape} (a valid shape).
   *
   * @throws ShapeException naming {@code op} for an invalid shape or a different element count
   */
  public static void checkLength(String op, int length, int[] shape) {
    checkNotNull(op, "checkLength: op is null");
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
   * @throws ShapeException for two {@code -1}s, a negative size, a different element count or a
   *     shape of more than {@link #MAX_ELEMENTS} elements
   */
  static int[] inferShape(String op, int[] newShape, int[] shape) {
    int size = numel(shape);
    int[] s = newShape.clone();
    int infer = -1;
    // The product of the given sizes, saturated just above the limit (so it cannot overflow):
    // any product above MAX_ELEMENTS differs from size, which is at most MAX_ELEMENTS.
    long known = 1;
    boolean zero = false;
    for (int i = 0; i < s.length; i++) {
      if (s[i] == -1) {
        if (infer >= 0) {
          throw new ShapeException(op + ": only one dimension can be -1: " + Arrays.toString(newShape));
        }
        infer = i;
      } else if (s[i] < 0) {
        throw new ShapeException(op + ": negative dimension in " + Arrays.toString(newShape));
      } else if (s[i] == 0) {
        zero = true;
      } else {
        known = Math.min(known * s[i], (long) MAX_ELEMENTS + 1);
      }
    }
    if (infer >= 0) {
      if (zero || size % known != 0) {
        throw new ShapeException(
            op + ": cannot infer -1 in " + Arrays.toString(newShape) + " for " + size
                + " elements of shape " + str(shape));
      }
      s[infer] = (int) (size / known);
      known *= s[infer];
    }
    if (zero) {
      known = 0;
    }
    if (known != size) {
      throw new ShapeException(
          op + ": shape " + str(shape) + " (" + size + " elements) cannot be viewed as "
              + Arrays.toString(newShape) + " (" + describeCount(newShape) + " elements)");
    }
    // An empty target whose other sizes are huge: refused like any such shape (its strides).
    numel(op, s);
    return s;
  }

  /** The exact element count of a shape without -1s, as a decimal number (for messages). */
  private static String describeCount(int[] shape) {
    BigInteger total = BigInteger.ONE;
    for (int v : shape) {
      total = total.multiply(BigInteger.valueOf(v));
    }
    return total.toString();
  }

  /**
   * Strides that show the elements of an array of {@code shape} and {@code strides} in row-major
   * order as {@code newShape} (same element count), without moving them, or null when none
   * exist (then a reshape must copy). PyTorch's rule ({@code computeStride}): the old dimensions
   * split into chunks, each laid out evenly ({@code stride[i] == stride[i+1] * shape[i+1]}, size-1
   * dimensions ignored); every new dimension must fall within one chunk, whose element count it
   * shares out. A chunk of stride 0 (a broadcast dimension) gives new dimensions of stride 0.
   * O(rank).
   */
  static int[] viewStrides(int[] shape, int[] strides, int[] newShape) {
    int[] out = new int[newShape.length];
    if (shape.length == 0 || numel(shape) == 0) {
      // Nothing to address (or a single element): any strides do; take the row-major ones.
      return contiguousStrides(newShape);
    }
    int view = newShape.length - 1;
    long chunkStride = strides[shape.length - 1];
    long chunkCount = 1;
    long viewCount = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      chunkCount *= shape[i];
      boolean chunkEnds = i == 0
          || (shape[i - 1] != 1 && strides[i - 1] != chunkCount * chunkStride);
      if (chunkEnds) {
        while (view >= 0 && (viewCount < chunkCount || newShape[view] == 1)) {
          // Below the chunk's span (inside the storage) for a dimension of size > 1; a size-1
          // dimension's stride is never used, and is capped so that it cannot wrap.
          out[view] = (int) Math.min(viewCount * chunkStride, Integer.MAX_VALUE);
          viewCount *= newShape[view];
          view--;
        }
        if (viewCount != chunkCount) {
          return null;
        }
        if (i > 0) {
          chunkStride = strides[i - 1];
          chunkCount = 1;
          viewCount = 1;
        }
      }
    }
    return view == -1 ? out : null;
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
   *
   * @throws ShapeException naming {@code op}, the shape and the strides
   */
  public static void checkWritable(String op, int[] shape, int[] strides) {
    checkNotNull(op, "checkWritable: op is null");
    checkNotNull(shape, "checkWritable: shape is null");
    checkNotNull(strides, "checkWritable: strides is null");
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
