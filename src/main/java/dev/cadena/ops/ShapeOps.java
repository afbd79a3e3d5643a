package dev.cadena.ops;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.autograd.Anomaly;
import dev.cadena.tensor.DTypeException;
import dev.cadena.tensor.NDArray;
import dev.cadena.tensor.ShapeException;
import dev.cadena.tensor.Shapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * PyTorch's shape ops as compositions of primitives ({@code slice}, {@code concat}, {@code
 * reshape}, {@code expand}, {@code indexSelect}, {@code where}, {@code mul}): none has a VJP of
 * its own, so each is differentiable to any order and has forward-mode tangents. Lists of pieces
 * ({@link #split}, {@link #chunk}, {@link #unbind}) are unmodifiable {@code List<Tensor>}, as
 * {@link Tensor#concat} takes them.
 */
public final class ShapeOps {
  private ShapeOps() {}

  /**
   * Pieces of {@code splitSize} along {@code dim} (the last one smaller when the size does not
   * divide), as {@code torch.split(x, splitSize, dim)}: each a {@code slice} view. A dimension
   * of size 0 gives one empty piece.
   */
  public static List<Tensor> split(Tensor x, int splitSize, int dim) {
    try (var o = Anomaly.operands("split", "x", x)) {
      return splitImpl(x, splitSize, dim);
    }
  }

  private static List<Tensor> splitImpl(Tensor x, int splitSize, int dim) {
    checkNotNull(x, "split: x is null");
    int a = Shapes.axis("split", dim, x.rank());
    if (splitSize <= 0) {
      throw new ShapeException("split: splitSize must be positive, got " + splitSize
          + " (shape " + Shapes.str(x.shape()) + ", dim " + dim + ")");
    }
    int n = x.size(a);
    List<Tensor> r = new ArrayList<>();
    if (n == 0) {
      r.add(x.slice(a, 0, 0));
    }
    for (long start = 0; start < n; start += splitSize) {
      r.add(x.slice(a, (int) start, (int) Math.min(n, start + splitSize)));
    }
    return Collections.unmodifiableList(r);
  }

  /**
   * Pieces of the given sizes along {@code dim}, which must add up to its size, as {@code
   * torch.split(x, [s0, s1, ...], dim)}.
   */
  public static List<Tensor> split(Tensor x, int[] sizes, int dim) {
    try (var o = Anomaly.operands("split", "x", x)) {
      return splitImpl(x, sizes, dim);
    }
  }

  private static List<Tensor> splitImpl(Tensor x, int[] sizes, int dim) {
    checkNotNull(x, "split: x is null");
    checkNotNull(sizes, "split: sizes is null");
    int a = Shapes.axis("split", dim, x.rank());
    int n = x.size(a);
    long total = 0;
    for (int s : sizes) {
      if (s < 0) {
        throw new ShapeException("split: sizes must be >= 0, got " + Arrays.toString(sizes));
      }
      total += s;
    }
    if (total != n) {
      throw new ShapeException("split: sizes " + Arrays.toString(sizes) + " add up to " + total
          + " but dimension " + dim + " of shape " + Shapes.str(x.shape()) + " has size " + n);
    }
    List<Tensor> r = new ArrayList<>(sizes.length);
    int start = 0;
    for (int s : sizes) {
      r.add(x.slice(a, start, start + s));
      start += s;
    }
    return Collections.unmodifiableList(r);
  }

  /**
   * The most pieces {@link #chunk} makes of an empty dimension: each is a tensor object, so a
   * count near {@code Integer.MAX_VALUE} would exhaust the heap rather than fail clearly.
   */
  public static final int MAX_EMPTY_CHUNKS = 1 << 16;

  /**
   * At most {@code chunks} pieces of {@code ceil(size / chunks)} along {@code dim}, as {@code
   * torch.chunk}: fewer when the size runs out first ({@code chunk(3)} of size 4 gives pieces of
   * 2 and 2); a dimension of size 0 gives {@code chunks} empty pieces (at most {@link
   * #MAX_EMPTY_CHUNKS}).
   */
  public static List<Tensor> chunk(Tensor x, int chunks, int dim) {
    try (var o = Anomaly.operands("chunk", "x", x)) {
      return chunkImpl(x, chunks, dim);
    }
  }

  private static List<Tensor> chunkImpl(Tensor x, int chunks, int dim) {
    checkNotNull(x, "chunk: x is null");
    int a = Shapes.axis("chunk", dim, x.rank());
    if (chunks <= 0) {
      throw new ShapeException("chunk: chunks must be positive, got " + chunks + " (shape "
          + Shapes.str(x.shape()) + ", dim " + dim + ")");
    }
    int n = x.size(a);
    if (n == 0) {
      if (chunks > MAX_EMPTY_CHUNKS) {
        throw new ShapeException("chunk: " + chunks + " empty pieces of a dimension of size 0 ("
            + "shape " + Shapes.str(x.shape()) + ", dim " + dim + ") are too many; at most "
            + MAX_EMPTY_CHUNKS);
      }
      return split(x, new int[chunks], a);
    }
    int size = (int) ((n + (long) chunks - 1) / chunks);
    return split(x, size, a);
  }

  /** The slices at each index along {@code dim}, that axis removed ({@code select}), in order. */
  public static List<Tensor> unbind(Tensor x, int dim) {
    try (var o = Anomaly.operands("unbind", "x", x)) {
      return unbindImpl(x, dim);
    }
  }

  private static List<Tensor> unbindImpl(Tensor x, int dim) {
    checkNotNull(x, "unbind: x is null");
    int a = Shapes.axis("unbind", dim, x.rank());
    int n = x.size(a);
    List<Tensor> r = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      r.add(x.select(a, i));
    }
    return Collections.unmodifiableList(r);
  }

  /**
   * The order of elements reversed along each of {@code dims} ({@code indexSelect} with the
   * indices {@code n-1, ..., 0}, also under {@code vmap}, where its rule shifts the axis).
   */
  public static Tensor flip(Tensor x, int... dims) {
    try (var o = Anomaly.operands("flip", "x", x)) {
      return flipImpl(x, dims);
    }
  }

  private static Tensor flipImpl(Tensor x, int... dims) {
    checkNotNull(x, "flip: x is null");
    checkNotNull(dims, "flip: dims is null");
    int[] axes = distinctAxes("flip", x, dims);
    Tensor r = x;
    for (int a : axes) {
      int n = x.size(a);
      if (n <= 1) {
        continue;
      }
      long[] idx = new long[n];
      for (int i = 0; i < n; i++) {
        idx[i] = n - 1 - i;
      }
      r = r.indexSelect(a, Tensor.ofLongs(idx));
    }
    return r;
  }

  /**
   * Elements shifted by {@code shifts[i]} along {@code dims[i]}, wrapping around, one dim after
   * the other as {@code torch.roll}: {@code out[(j + s) mod n] = x[j]}, a {@code concat} of two
   * slices per dim.
   */
  public static Tensor roll(Tensor x, int[] shifts, int[] dims) {
    try (var o = Anomaly.operands("roll", "x", x)) {
      return rollImpl(x, shifts, dims);
    }
  }

  private static Tensor rollImpl(Tensor x, int[] shifts, int[] dims) {
    checkNotNull(x, "roll: x is null");
    checkNotNull(shifts, "roll: shifts is null");
    checkNotNull(dims, "roll: dims is null");
    if (shifts.length != dims.length || dims.length == 0) {
      throw new ShapeException("roll: shifts " + Arrays.toString(shifts) + " and dims "
          + Arrays.toString(dims) + " must have the same, non-zero length (shape "
          + Shapes.str(x.shape()) + ")");
    }
    int[] axes = new int[dims.length];
    for (int i = 0; i < dims.length; i++) {
      axes[i] = Shapes.axis("roll", dims[i], x.rank());
    }
    Tensor r = x;
    for (int i = 0; i < axes.length; i++) {
      r = rollAxis(r, shifts[i], axes[i]);
    }
    return r;
  }

  /** {@code x} flattened, rolled by {@code shift}, and given its shape back, as PyTorch. */
  public static Tensor roll(Tensor x, int shift) {
    checkNotNull(x, "roll: x is null");
    int[] shape = x.shape();
    return rollAxis(x.reshape(x.numel()), shift, 0).reshape(shape);
  }

  private static Tensor rollAxis(Tensor x, int shift, int a) {
    int n = x.size(a);
    if (n == 0) {
      return x;
    }
    int s = (int) Math.floorMod((long) shift, (long) n);
    if (s == 0) {
      return x;
    }
    return Tensor.concat(List.of(x.slice(a, n - s, n), x.slice(a, 0, n - s)), a);
  }

  /**
   * {@code x} repeated {@code sizes[i]} times along each dim, as {@code torch.Tensor.repeat}:
   * {@code sizes} has at least {@code x.rank()} entries, and extra leading ones add dims. One
   * {@code reshape} to {@code [1, s0, 1, s1, ...]}, an {@code expand} to {@code [r0, s0, r1, s1,
   * ...]} and a {@code reshape} merging each pair (a single copy).
   */
  public static Tensor repeat(Tensor x, int... sizes) {
    try (var o = Anomaly.operands("repeat", "x", x)) {
      return repeatImpl(x, sizes);
    }
  }

  private static Tensor repeatImpl(Tensor x, int... sizes) {
    checkNotNull(x, "repeat: x is null");
    checkNotNull(sizes, "repeat: sizes is null");
    int[] shape = x.shape();
    if (sizes.length < shape.length) {
      throw new ShapeException("repeat: " + sizes.length + " sizes " + Arrays.toString(sizes)
          + " are fewer than the " + shape.length + " dims of shape " + Shapes.str(shape));
    }
    return repeatChecked("repeat", x, sizes);
  }

  /**
   * {@link #repeat} after padding {@code reps} with leading 1s to {@code x.rank()} entries, as
   * {@code torch.tile} (so fewer entries than dims repeat the trailing dims).
   */
  public static Tensor tile(Tensor x, int... reps) {
    try (var o = Anomaly.operands("tile", "x", x)) {
      return tileImpl(x, reps);
    }
  }

  private static Tensor tileImpl(Tensor x, int... reps) {
    checkNotNull(x, "tile: x is null");
    checkNotNull(reps, "tile: reps is null");
    int rank = x.rank();
    int[] r = reps;
    if (reps.length < rank) {
      r = new int[rank];
      Arrays.fill(r, 1);
      System.arraycopy(reps, 0, r, rank - reps.length, reps.length);
    }
    return repeatChecked("tile", x, r);
  }

  private static Tensor repeatChecked(String op, Tensor x, int[] sizes) {
    int[] shape = x.shape();
    int lead = sizes.length - shape.length;
    int[] in = new int[2 * sizes.length];
    int[] wide = new int[2 * sizes.length];
    int[] out = new int[sizes.length];
    // In double: the product of several int sizes may overflow a long.
    double total = 1;
    for (int i = 0; i < sizes.length; i++) {
      if (sizes[i] < 0) {
        throw new ShapeException(op + ": sizes must be >= 0, got " + Arrays.toString(sizes)
            + " (shape " + Shapes.str(shape) + ")");
      }
      int s = i < lead ? 1 : shape[i - lead];
      long o = (long) s * sizes[i];
      total *= o;
      in[2 * i] = 1;
      in[2 * i + 1] = s;
      wide[2 * i] = sizes[i];
      wide[2 * i + 1] = s;
      out[i] = (int) Math.min(o, Integer.MAX_VALUE);
    }
    for (int i = 0; i < sizes.length; i++) {
      if (total > Shapes.MAX_ELEMENTS || out[i] > Shapes.MAX_ELEMENTS) {
        throw new ShapeException(op + ": repeating shape " + Shapes.str(shape) + " by "
            + Arrays.toString(sizes) + " gives more than the " + Shapes.MAX_ELEMENTS
            + " elements a tensor can hold");
      }
    }
    return x.reshape(in).expand(wide).reshape(out);
  }

  /**
   * The lower triangle of the last two dims: entries {@code [i, j]} with {@code j - i <=
   * diagonal} kept, the others 0, as {@code torch.tril} ({@code where} with a constant mask).
   */
  public static Tensor tril(Tensor x, int diagonal) {
    try (var o = Anomaly.operands("tril", "x", x)) {
      return trilImpl(x, diagonal);
    }
  }

  private static Tensor trilImpl(Tensor x, int diagonal) {
    checkNotNull(x, "tril: x is null");
    return triangle("tril", x, diagonal, true);
  }

  /** The upper triangle: entries with {@code j - i >= diagonal} kept, as {@code torch.triu}. */
  public static Tensor triu(Tensor x, int diagonal) {
    try (var o = Anomaly.operands("triu", "x", x)) {
      return triuImpl(x, diagonal);
    }
  }

  private static Tensor triuImpl(Tensor x, int diagonal) {
    checkNotNull(x, "triu: x is null");
    return triangle("triu", x, diagonal, false);
  }

  private static Tensor triangle(String op, Tensor x, int diagonal, boolean lower) {
    if (!x.dtype().isFloatingPoint()) {
      // As every arithmetic op here (where, mul): int64 holds indices and labels.
      throw DTypeException.int64NotSupported(op);
    }
    if (x.rank() < 2) {
      throw new ShapeException(op + ": expects a tensor of rank >= 2, got shape "
          + Shapes.str(x.shape()));
    }
    if (x.numel() == 0) {
      return clone(x);
    }
    int rows = x.size(-2);
    int cols = x.size(-1);
    double[] mask = new double[rows * cols];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        long d = (long) j - i;
        mask[i * cols + j] = (lower ? d <= diagonal : d >= diagonal) ? 1 : 0;
      }
    }
    NDArray m = NDArray.wrap(mask, rows, cols);
    return Tensor.where(Tensor.fromData(m), x, Tensor.scalar(0, x.dtype()));
  }

  /**
   * A copy that stays in the graph, as {@code torch.clone}: {@code mul(x, 1)} for floating-point
   * tensors (exact for every value, -0 and NaN included), so the gradient flows to {@code x}; an
   * int64 tensor (no gradient) is copied.
   */
  public static Tensor clone(Tensor x) {
    checkNotNull(x, "clone: x is null");
    if (!x.dtype().isFloatingPoint()) {
      return Tensor.vmapLike(x.data().copy(), x);
    }
    return Elementwise.mul(x, Tensor.scalar(1, x.dtype()));
  }

  /**
   * The target shape of {@code x.expand(shape)} (or {@code broadcastTo}, named by {@code op}) with
   * each -1 replaced by the size of the matching existing dim; -1 is not allowed for new leading
   * dims, as in PyTorch. Example: {@code expandShape("expand", zeros(3, 1), [2, -1, 4])} is
   * {@code [2, 3, 4]}.
   *
   * @throws ShapeException for a -1 on a new leading dim, or fewer dims than {@code x} has
   */
  public static int[] expandShape(String op, Tensor x, int[] shape) {
    checkNotNull(op, "expandShape: op is null");
    checkNotNull(x, "%s: x is null", op);
    checkNotNull(shape, "%s: shape is null", op);
    int[] in = x.shape();
    int lead = shape.length - in.length;
    if (lead < 0) {
      throw new ShapeException(op + ": the target shape " + Arrays.toString(shape)
          + " has fewer dims than shape " + Shapes.str(in));
    }
    int[] r = shape.clone();
    for (int i = 0; i < r.length; i++) {
      if (r[i] == -1) {
        if (i < lead) {
          throw new ShapeException(op + ": -1 is not allowed for the new leading dim " + i
              + " of " + Arrays.toString(shape) + " (shape " + Shapes.str(in) + ")");
        }
        r[i] = in[i - lead];
      }
    }
    return r;
  }

  /** The dims normalised, with an error naming a dim given twice. */
  private static int[] distinctAxes(String op, Tensor x, int[] dims) {
    int[] axes = new int[dims.length];
    boolean[] seen = new boolean[x.rank()];
    for (int i = 0; i < dims.length; i++) {
      axes[i] = Shapes.axis(op, dims[i], x.rank());
      if (seen[axes[i]]) {
        throw new ShapeException(op + ": dim " + dims[i] + " appears more than once in "
            + Arrays.toString(dims) + " (shape " + Shapes.str(x.shape()) + ")");
      }
      seen[axes[i]] = true;
    }
    return axes;
  }

}
