package dev.cadena.ops;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.Tensor.ValuesIndices;
import dev.cadena.autograd.Anomaly;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.DTypeException;
import dev.cadena.tensor.NDArray;
import dev.cadena.tensor.ShapeException;
import dev.cadena.tensor.Shapes;
import java.util.Arrays;

/**
 * Sorting and selection along one axis: {@code sort}, {@code argsort}, {@code topk}, {@code
 * kthvalue}, {@code max} and {@code min} with their indices, and {@code takeAlongDim}. All are
 * compositions: the indices are computed without a graph (an int64 constant), and the values are
 * {@link Movement#gather gathered} with them, so the gradient of each value flows to the element
 * it was taken from (the one whose index is returned), as in PyTorch.
 *
 * <p>A 0-d tensor counts as one element along axis 0 (or -1), as in PyTorch. None of these has a
 * {@code vmap} rule yet: under {@code vmap} they throw.
 */
public final class Sorting {
  private Sorting() {}

  /**
   * {@code x} sorted along {@code axis}, with the indices that sort it (int64): ascending, or
   * descending when {@code descending}; stable, NaN sorting as the largest value (last in
   * ascending order, first in descending order), as PyTorch's {@code sort(stable=True)}. The
   * values are {@code gather(x, axis, indices)}.
   *
   * @throws ShapeException for a bad axis
   * @throws DTypeException for int64 data
   */
  public static ValuesIndices sort(Tensor x, int axis, boolean descending) {
    try (var o = Anomaly.operands("sort", "x", x)) {
      return sortImpl(x, axis, descending);
    }
  }

  private static ValuesIndices sortImpl(Tensor x, int axis, boolean descending) {
    checkNotNull(x, "sort: x is null");
    Tensor idx = argsort("sort", x, axis, descending);
    return new ValuesIndices(pick(x, axis, idx), idx);
  }

  /**
   * The indices that sort {@code x} along {@code axis} (int64, x's shape), as {@link #sort};
   * no gradient.
   */
  public static Tensor argsort(Tensor x, int axis, boolean descending) {
    try (var o = Anomaly.operands("argsort", "x", x)) {
      return argsortImpl(x, axis, descending);
    }
  }

  private static Tensor argsortImpl(Tensor x, int axis, boolean descending) {
    checkNotNull(x, "argsort: x is null");
    return argsort("argsort", x, axis, descending);
  }

  /**
   * The {@code k} largest (or, unless {@code largest}, smallest) entries along {@code axis} with
   * their indices, as PyTorch's {@code topk}: the first {@code k} of {@link #sort} (descending for
   * the largest). They always come sorted; {@code sorted == false} allows any order in PyTorch,
   * and the sorted one is such an order. Ties keep their order in {@code x}.
   *
   * @throws ShapeException when {@code k} is negative or above the axis's size
   */
  public static ValuesIndices topk(Tensor x, int k, int axis, boolean largest, boolean sorted) {
    try (var o = Anomaly.operands("topk", "x", x)) {
      return topkImpl(x, k, axis, largest, sorted);
    }
  }

  private static ValuesIndices topkImpl(Tensor x, int k, int axis, boolean largest, boolean sorted) {
    checkNotNull(x, "topk: x is null");
    int a = axis("topk", x, axis);
    int n = x.rank() == 0 ? 1 : x.size(a);
    if (k < 0 || k > n) {
      throw new ShapeException("topk: k (" + k + ") is out of range for axis " + axis
          + " of size " + n + " (shape " + Shapes.str(x.shape()) + ")");
    }
    Tensor idx = argsort("topk", x, axis, largest);
    if (x.rank() > 0) {
      idx = idx.slice(a, 0, k);
    }
    return new ValuesIndices(pick(x, axis, idx), idx);
  }

  /**
   * The {@code k}-th smallest entry ({@code k} from 1) along {@code axis} and its index, as
   * PyTorch's {@code kthvalue}; the axis is removed unless {@code keepDims}. NaN counts as the
   * largest value.
   *
   * @throws ShapeException when {@code k} is not in {@code 1 .. size of the axis}
   */
  public static ValuesIndices kthvalue(Tensor x, int k, int axis, boolean keepDims) {
    try (var o = Anomaly.operands("kthvalue", "x", x)) {
      return kthvalueImpl(x, k, axis, keepDims);
    }
  }

  private static ValuesIndices kthvalueImpl(Tensor x, int k, int axis, boolean keepDims) {
    checkNotNull(x, "kthvalue: x is null");
    int a = axis("kthvalue", x, axis);
    int n = x.rank() == 0 ? 1 : x.size(a);
    if (k < 1 || k > n) {
      throw new ShapeException("kthvalue: k (" + k + ") is out of range for axis "
          + axis + " of size " + n + " (valid: 1 to " + n + ", shape " + Shapes.str(x.shape()) + ")");
    }
    Tensor idx = argsort("kthvalue", x, axis, false);
    if (x.rank() == 0) {
      return new ValuesIndices(pick(x, axis, idx), idx);
    }
    idx = idx.slice(a, k - 1, k);
    Tensor values = pick(x, axis, idx);
    return keepDims ? new ValuesIndices(values, idx)
        : new ValuesIndices(values.squeeze(a), idx.squeeze(a));
  }

  /**
   * The largest entry along {@code axis} and its index (the first one on ties, the first NaN if
   * any), as PyTorch's {@code x.max(dim, keepdim)}: the values are {@code gather(x, axis,
   * argmax(x, axis))}, so the gradient goes to that one element (where {@code amax} splits it
   * among ties).
   *
   * @throws ShapeException for a bad axis or an empty one
   */
  public static ValuesIndices max(Tensor x, int axis, boolean keepDims) {
    try (var o = Anomaly.operands("max", "x", x)) {
      return maxImpl(x, axis, keepDims);
    }
  }

  private static ValuesIndices maxImpl(Tensor x, int axis, boolean keepDims) {
    checkNotNull(x, "max: x is null");
    return extreme("max", true, x, axis, keepDims);
  }

  /** The smallest entry along {@code axis} and its index; see {@link #max(Tensor, int, boolean)}. */
  public static ValuesIndices min(Tensor x, int axis, boolean keepDims) {
    try (var o = Anomaly.operands("min", "x", x)) {
      return minImpl(x, axis, keepDims);
    }
  }

  private static ValuesIndices minImpl(Tensor x, int axis, boolean keepDims) {
    checkNotNull(x, "min: x is null");
    return extreme("min", false, x, axis, keepDims);
  }

  private static ValuesIndices extreme(String op, boolean max, Tensor x, int axis, boolean keepDims) {
    int a = axis(op, x, axis);
    Elementwise.floatType(op, x);
    if (x.rank() == 0) {
      return new ValuesIndices(x.reshape(1).gather(0, Tensor.ofLongs(0)).reshape(),
          Tensor.fromData(NDArray.zeros(DType.INT64)));
    }
    if (x.size(a) == 0) {
      throw new ShapeException(op + ": cannot reduce an empty dimension of shape "
          + Shapes.str(x.shape()) + " over axis " + axis + " (no maximum or minimum)");
    }
    Tensor idx = max ? Reductions.argmax(x, a, true) : Reductions.argmin(x, a, true);
    Tensor values = x.gather(a, idx);
    return keepDims ? new ValuesIndices(values, idx)
        : new ValuesIndices(values.squeeze(a), idx.squeeze(a));
  }

  /**
   * PyTorch's {@code take_along_dim(x, indices, dim)}: the entries of {@code x} that {@code
   * indices} (int64, x's rank) names along {@code axis}, after broadcasting {@code x} and {@code
   * indices} against each other on every other axis; {@code gather} of the broadcast operands,
   * so the gradient flows back to the entries taken. With the indices of {@link #sort}, {@link
   * #argsort} or {@link #topk} it gives the sorted values.
   *
   * @throws ShapeException when the ranks differ, the other axes do not broadcast, or the axis is
   *     bad
   * @throws IllegalArgumentException when the indices are not int64
   */
  public static Tensor takeAlongDim(Tensor x, Tensor indices, int axis) {
    try (var o = Anomaly.operands("takeAlongDim", "x", x, "indices", indices)) {
      return takeAlongDimImpl(x, indices, axis);
    }
  }

  private static Tensor takeAlongDimImpl(Tensor x, Tensor indices, int axis) {
    checkNotNull(x, "takeAlongDim: x is null");
    checkNotNull(indices, "takeAlongDim: indices is null");
    if (indices.dtype() != DType.INT64) {
      throw new DTypeException("takeAlongDim: indices must be int64, got " + indices.dtype());
    }
    if (x.rank() == 0 && indices.rank() == 0) {
      Shapes.axis("takeAlongDim", axis, 1);
      return x.reshape(1).gather(0, indices.reshape(1)).reshape();
    }
    if (x.rank() != indices.rank()) {
      throw new ShapeException("takeAlongDim: x and indices must have the same rank, got "
          + Shapes.str(x.shape()) + " and " + Shapes.str(indices.shape()));
    }
    int a = Shapes.axis("takeAlongDim", axis, x.rank());
    int[] xs = x.shape();
    int[] is = indices.shape();
    int[] xt = xs.clone();
    int[] it = is.clone();
    for (int i = 0; i < xs.length; i++) {
      if (i == a) {
        continue;
      }
      if (xs[i] != is[i] && xs[i] != 1 && is[i] != 1) {
        throw new ShapeException("takeAlongDim: x " + Shapes.str(xs) + " and indices "
            + Shapes.str(is) + " do not broadcast on axis " + i + " (" + xs[i] + " vs " + is[i]
            + ")");
      }
      int b = xs[i] == 1 ? is[i] : xs[i];
      xt[i] = b;
      it[i] = b;
    }
    Tensor xb = Arrays.equals(xt, xs) ? x : x.expand(xt);
    Tensor ib = Arrays.equals(it, is) ? indices : indices.expand(it);
    return xb.gather(a, ib);
  }

  /**
   * PyTorch's {@code take_along_dim(x, indices)} without a dim: both flattened, then {@code
   * gather} along the only axis.
   */
  public static Tensor takeAlongDim(Tensor x, Tensor indices) {
    checkNotNull(x, "takeAlongDim: x is null");
    checkNotNull(indices, "takeAlongDim: indices is null");
    return takeAlongDim(x.flatten(), indices.flatten(), 0);
  }

  // ------------------------------------------------------------------ helpers

  /** The checked axis; a 0-d tensor has the one axis 0 (also as -1). */
  private static int axis(String op, Tensor x, int axis) {
    return Shapes.axis(op, axis, Math.max(x.rank(), 1));
  }

  /** The sorting indices of {@code x} along {@code axis} as a constant; checks for {@code op}. */
  private static Tensor argsort(String op, Tensor x, int axis, boolean descending) {
    int a = axis(op, x, axis);
    Elementwise.floatType(op, x);
    if (x.rank() == 0) {
      return Tensor.fromData(NDArray.zeros(DType.INT64));
    }
    if (x.isBatched()) {
      // Under vmap: each sample sorted on its own, one axis on in the physical array (the batch
      // axis first); the indices differ per sample, so they are batched too.
      return Tensor.vmapBatched(x.data().argsort(a + 1, descending));
    }
    return Tensor.fromData(x.data().argsort(a, descending));
  }

  /** {@code gather(x, axis, idx)}, with a 0-d {@code x} (and {@code idx}) seen as one element. */
  private static Tensor pick(Tensor x, int axis, Tensor idx) {
    if (x.rank() == 0) {
      return x.reshape(1).gather(0, idx.reshape(1)).reshape();
    }
    return x.gather(axis("gather", x, axis), idx);
  }
}
