package dev.cadena.ops;

import static com.google.common.base.Preconditions.checkNotNull;
import static dev.cadena.ops.Recording.grads;
import static dev.cadena.ops.Recording.record;

import dev.cadena.Tensor;
import dev.cadena.autograd.Anomaly;
import dev.cadena.autograd.ForwardAD;
import dev.cadena.autograd.GradMode;
import dev.cadena.tensor.BinaryOp;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.NDArray;
import dev.cadena.tensor.ShapeException;
import dev.cadena.tensor.Shapes;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Reductions over any set of axes (negative axes count from the end; an empty list means all
 * axes), with or without kept dimensions. {@code sum} and {@code max} are primitives; the rest are
 * compositions.
 */
public final class Reductions {
  private Reductions() {}

  /** The primitive {@link Primitive#SUM} over {@code axes}. */
  public static Tensor sum(Tensor x, int[] axes, boolean keepDims) {
    try (var o = Anomaly.operands("sum", "x", x)) {
      return sumImpl(x, axes, keepDims);
    }
  }

  private static Tensor sumImpl(Tensor x, int[] axes, boolean keepDims) {
    checkNotNull(x, "sum: x is null");
    checkNotNull(axes, "sum: axes is null");
    int[] shape = x.shape();
    int[] ax = Shapes.axes("sum", axes, shape.length);
    int[] keepShape = Shapes.reduced(shape, ax, true);
    if (x.isBatched() && ax.length == 0) {
      return x; // a reduction over no axes of a logical scalar
    }
    return record(Primitive.SUM,
        x.data().reduce(NDArray.ReduceOp.SUM, Batching.axes(x, ax), keepDims),
        x, (n, grad) -> grads(grad.reshape(keepShape).expand(shape)),
        (t, in, out) -> sum(t[0], ax, keepDims));
  }

  /**
   * The primitive {@link Primitive#MAX} over {@code axes}: tied maxima share the gradient evenly
   * (as PyTorch's {@code amax}); a NaN maximum gives its gradient to the NaNs (as PyTorch's
   * {@code max()}), not NaN to every element.
   */
  public static Tensor max(Tensor x, int[] axes, boolean keepDims) {
    try (var o = Anomaly.operands("max", "x", x)) {
      return maxImpl(x, axes, keepDims);
    }
  }

  private static Tensor maxImpl(Tensor x, int[] axes, boolean keepDims) {
    checkNotNull(x, "max: x is null");
    checkNotNull(axes, "max: axes is null");
    int[] shape = x.shape();
    int[] ax = Shapes.axes("max", axes, shape.length);
    int[] keepShape = Shapes.reduced(shape, ax, true);
    if (x.isBatched() && ax.length == 0) {
      return x; // a reduction over no axes of a logical scalar
    }
    return record(Primitive.MAX,
        x.data().reduce(NDArray.ReduceOp.MAX, Batching.axes(x, ax), keepDims),
        x, (n, grad) -> {
          Tensor in = n.input(0);
          Tensor out = n.out().reshape(keepShape);
          Tensor mask = in.eq(out).add(in.ne(in).mul(out.ne(out)));
          Tensor count = mask.sum(ax, true);
          return grads(grad.reshape(keepShape).mul(mask).div(count));
        },
        (t, in, out) -> {
          Tensor kept = out.reshape(keepShape);
          Tensor mask = in[0].eq(kept).add(in[0].ne(in[0]).mul(kept.ne(kept)));
          return sum(t[0].mul(mask).div(mask.sum(ax, true)), ax, keepDims);
        });
  }

  /** Minimum over {@code axes}: {@code -max(-x)}; a composition. */
  public static Tensor min(Tensor x, int[] axes, boolean keepDims) {
    try (var o = Anomaly.operands("min", "x", x)) {
      return minImpl(x, axes, keepDims);
    }
  }

  private static Tensor minImpl(Tensor x, int[] axes, boolean keepDims) {
    checkNotNull(x, "min: x is null");
    checkNotNull(axes, "min: axes is null");
    int[] ax = Shapes.axes("min", axes, x.rank());
    floatType("min", x);
    int[] shape = x.shape();
    if (count(shape, ax) == 0 && Shapes.numel(Shapes.reduced(shape, ax, false)) > 0) {
      throw new ShapeException(
          "min: cannot reduce an empty dimension of shape " + Shapes.str(shape) + " over axes "
              + Arrays.toString(ax) + " (no identity for min)");
    }
    if (!(GradMode.isEnabled() && x.requiresGrad()) && ForwardAD.tangent(x) == null) {
      // Nothing to record: the array reduction gives the same values (NaN and signed zeros
      // included) without the negated copy, which for a broadcast view is the whole expansion.
      if (x.isBatched() && ax.length == 0) {
        return x;
      }
      return Tensor.vmapLike(
          x.data().reduce(NDArray.ReduceOp.MIN, Batching.axes(x, ax), keepDims), x);
    }
    return max(x.neg(), ax, keepDims).neg();
  }

  /** Mean over {@code axes}: {@code sum / count}; a composition (NaN over no elements). */
  public static Tensor mean(Tensor x, int[] axes, boolean keepDims) {
    try (var o = Anomaly.operands("mean", "x", x)) {
      return meanImpl(x, axes, keepDims);
    }
  }

  private static Tensor meanImpl(Tensor x, int[] axes, boolean keepDims) {
    checkNotNull(x, "mean: x is null");
    checkNotNull(axes, "mean: axes is null");
    int[] ax = Shapes.axes("mean", axes, x.rank());
    floatType("mean", x);
    return sum(x, ax, keepDims).div((double) count(x.shape(), ax));
  }

  /** The number of elements that a reduction over {@code ax} (checked axes) takes together. */
  private static long count(int[] shape, int[] ax) {
    long count = 1;
    for (int a : ax) {
      count *= shape[a];
    }
    return count;
  }

  /**
   * The primitive {@link Primitive#VAR}: variance over {@code axes} with {@code correction} (1 =
   * unbiased, the default of PyTorch's {@code var}; 0 = population), {@code sum((x - mean)^2) /
   * (N - correction)}; NaN when {@code N - correction <= 0}. Float32 data is reduced in float64
   * and rounded once.
   *
   * @throws IllegalArgumentException for a negative correction or int64 data
   */
  public static Tensor var(Tensor x, int[] axes, int correction, boolean keepDims) {
    try (var o = Anomaly.operands("var", "x", x)) {
      return varImpl(x, axes, correction, keepDims);
    }
  }

  private static Tensor varImpl(Tensor x, int[] axes, int correction, boolean keepDims) {
    checkNotNull(x, "var: x is null");
    checkNotNull(axes, "var: axes is null");
    return var("var", x, axes, correction, keepDims);
  }

  private static Tensor var(String op, Tensor x, int[] axes, int correction, boolean keepDims) {
    int[] shape = x.shape();
    int[] ax = Shapes.axes(op, axes, shape.length);
    floatType(op, x);
    if (correction < 0) {
      throw new IllegalArgumentException(op + ": correction must be >= 0, got " + correction);
    }
    long count = count(shape, ax);
    double denom = Math.max(count - correction, 0);
    Tensor c = untrackedDistinct(x);
    if (c != null) {
      // The sum of squared deviations over x is count / count(c) times that over c.
      return overDistinct(x, ax, keepDims, var(op, c, ax, 0, true).mul(count / denom));
    }
    int[] keepShape = Shapes.reduced(shape, ax, true);
    // Under vmap the logical axes are physical ax + 1; over no axes (a logical scalar) every
    // sample is its own mean, where a physical reduction over no axes would reduce the batch.
    boolean none = x.isBatched() && ax.length == 0;
    int[] pax = Batching.axes(x, ax);
    NDArray squares;
    if (none) {
      // Every sample its own mean: the deviations are x - x.
      NDArray x64 = x.data().astype(DType.FLOAT64);
      squares = x64.binary(BinaryOp.SUB, x64);
      squares.applyInPlace(BinaryOp.MUL, squares);
    } else {
      // In float64, without a float64 copy of x where the layout allows (a batch norm's).
      squares = x.data().sumOfSquaredDeviations(pax);
      if (!keepDims) {
        squares = squares.reshape(Shapes.reduced(x.data().shape(), pax, false));
      }
    }
    NDArray v = squares.binary(BinaryOp.DIV, denom).astype(x.dtype());
    return record(Primitive.VAR, v, x, (n, grad) -> {
      Tensor in = n.input(0);
      return grads(grad.reshape(keepShape).mul(2.0 / denom).mul(in.sub(mean(in, ax, true))));
    }, (t, in, out) -> sum(t[0].mul(in[0].sub(mean(in[0], ax, true))), ax, keepDims).mul(2.0 / denom));
  }

  /**
   * Standard deviation {@code sqrt(var)}; a composition on {@link Primitive#VAR}, computed in
   * float64 also for float32 data (so that {@code std} of values near 1e30 does not overflow a
   * float32 variance). Its gradient is PyTorch's: 0 where the deviation is 0 (constant data),
   * instead of {@code sqrt}'s {@code 1 / (2 * 0) * 0 = NaN}: the square root is taken of {@code
   * where(v == 0, 1, v)} and its result replaced by 0 there, so no infinity enters the graph.
   *
   * @throws IllegalArgumentException for a negative correction or int64 data
   */
  public static Tensor std(Tensor x, int[] axes, int correction, boolean keepDims) {
    try (var o = Anomaly.operands("std", "x", x)) {
      return stdImpl(x, axes, correction, keepDims);
    }
  }

  private static Tensor stdImpl(Tensor x, int[] axes, int correction, boolean keepDims) {
    checkNotNull(x, "std: x is null");
    checkNotNull(axes, "std: axes is null");
    Shapes.axes("std", axes, x.rank());
    DType t = floatType("std", x);
    Tensor c = untrackedDistinct(x);
    if (c != null) {
      // Before the cast to float64, which would copy the whole broadcast view.
      int[] ax = Shapes.axes("std", axes, x.rank());
      if (correction < 0) {
        throw new IllegalArgumentException("std: correction must be >= 0, got " + correction);
      }
      long count = count(x.shape(), ax);
      Tensor v = var("std", c.to(DType.FLOAT64), ax, 0, true)
          .mul(count / (double) Math.max(count - correction, 0));
      return overDistinct(x, ax, keepDims, sqrtOrZero(v).to(t));
    }
    return sqrtOrZero(var("std", x.to(DType.FLOAT64), axes, correction, keepDims)).to(t);
  }

  /** {@code sqrt(v)}, with 0 and a zero gradient where {@code v == 0} (see {@link #std}). */
  private static Tensor sqrtOrZero(Tensor v) {
    Tensor constant = v.eq(0.0);
    Tensor zero = Tensor.scalar(0.0, v.dtype());
    Tensor one = Tensor.scalar(1.0, v.dtype());
    return Tensor.where(constant, zero, Tensor.where(constant, one, v).sqrt());
  }

  /**
   * {@code x} with each broadcast dimension (size above 1, stride 0) cut to size 1, when no graph
   * is recorded for {@code x} and it has such a dimension; null otherwise. A reduction of a
   * broadcast view then reads each distinct element once instead of copying the expansion
   * (2^30 elements for {@code scalar(1.5).expand(1 << 15, 1 << 15)}). Only without a graph: with
   * one, the gradient of {@code x} itself must reach every repeated element.
   */
  private static @Nullable Tensor untrackedDistinct(Tensor x) {
    if ((GradMode.isEnabled() && x.requiresGrad()) || x.numel() == 0 || x.isBatched()
        || ForwardAD.tangent(x) != null) {
      return null;
    }
    NDArray d = x.data();
    if (d.isContiguous()) {
      return null;
    }
    int[] shape = d.shape();
    int[] strides = d.strides();
    Tensor c = null;
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] > 1 && strides[i] == 0) {
        c = (c == null ? x : c).slice(i, 0, 1);
      }
    }
    return c;
  }

  /**
   * {@code r}, a reduction over {@code ax} with kept dimensions of {@link #untrackedDistinct}
   * {@code (x)}, as the reduction of {@code x}: repeated along x's kept broadcast dimensions
   * (a fresh array), without the reduced axes unless {@code keepDims}.
   */
  private static Tensor overDistinct(Tensor x, int[] ax, boolean keepDims, Tensor r) {
    int[] keepShape = Shapes.reduced(x.shape(), ax, true);
    NDArray d = r.data();
    if (!Arrays.equals(d.shape(), keepShape)) {
      d = d.expand(keepShape).copy();
    }
    Tensor out = Tensor.fromData(d);
    return keepDims ? out : out.reshape(Shapes.reduced(x.shape(), ax, false));
  }

  /**
   * {@code log(sum(exp(x)))} over {@code axes}, computed as {@code m + log(sum(exp(x - m)))} with
   * {@code m = max(x)} held constant, and 0 where that is infinite (PyTorch's choice: {@code
   * logsumexp([inf, 1]) = inf}, and {@code -inf} for a row of {@code -inf}), so that it stays
   * finite for inputs of 1e3; {@code -inf} over an empty axis; a composition.
   */
  public static Tensor logsumexp(Tensor x, int[] axes, boolean keepDims) {
    try (var o = Anomaly.operands("logsumexp", "x", x)) {
      return logsumexpImpl(x, axes, keepDims);
    }
  }

  private static Tensor logsumexpImpl(Tensor x, int[] axes, boolean keepDims) {
    checkNotNull(x, "logsumexp: x is null");
    checkNotNull(axes, "logsumexp: axes is null");
    int[] ax = Shapes.axes("logsumexp", axes, x.rank());
    floatType("logsumexp", x);
    Tensor c = untrackedDistinct(x);
    if (c != null) {
      // Each distinct element repeats count(x) / count(c) times in every reduced slice.
      double repeats = (double) count(x.shape(), ax) / count(c.shape(), ax);
      return overDistinct(x, ax, keepDims, logsumexp(c, ax, true).add(Math.log(repeats)));
    }
    Tensor m = shift(x, ax);
    Tensor finite = m.abs().lt(Double.POSITIVE_INFINITY);
    m = Tensor.where(finite, m, Tensor.scalar(0.0, m.dtype()));
    Tensor r = sum(x.sub(m).exp(), ax, true).log().add(m);
    return keepDims ? r : r.reshape(Shapes.reduced(x.shape(), ax, false));
  }

  /**
   * {@code max(x)} over {@code ax} (kept dims), detached: the shift of a stable softmax; zeros
   * when an axis is empty (there is no maximum, and nothing to shift).
   */
  private static Tensor shift(Tensor x, int[] ax) {
    if (count(x.shape(), ax) == 0) {
      return Tensor.zeros(x.dtype(), Shapes.reduced(x.shape(), ax, true));
    }
    return x.detach().amax(ax, true);
  }

  /**
   * {@code e / sum(e)} with {@code e = exp(x - max(x))} along {@code axis}; a composition. The
   * shift is subtracted before anything else: going through {@code x - logsumexp(x)} would round
   * {@code logsumexp} at the magnitude of {@code x} (at 1e3, softmax([1000, 1000]) would not be
   * exactly 0.5; at 1e15 it would be off by percent). An infinite maximum is subtracted as it
   * is, as in PyTorch: a slice holding {@code +inf}, or only {@code -inf}, is NaN. Over an empty
   * axis the result is empty.
   */
  public static Tensor softmax(Tensor x, int axis) {
    try (var o = Anomaly.operands("softmax", "x", x)) {
      return softmaxImpl(x, axis);
    }
  }

  private static Tensor softmaxImpl(Tensor x, int axis) {
    checkNotNull(x, "softmax: x is null");
    int[] ax = {Shapes.axis("softmax", axis, x.rank())};
    floatType("softmax", x);
    Tensor e = x.sub(shift(x, ax)).exp();
    return e.div(sum(e, ax, true));
  }

  /**
   * {@code z - log(sum(exp(z)))} with {@code z = x - max(x)} along {@code axis}; stable; a
   * composition. Infinite maxima and empty axes as for {@link #softmax}.
   */
  public static Tensor logSoftmax(Tensor x, int axis) {
    try (var o = Anomaly.operands("logSoftmax", "x", x)) {
      return logSoftmaxImpl(x, axis);
    }
  }

  private static Tensor logSoftmaxImpl(Tensor x, int axis) {
    checkNotNull(x, "logSoftmax: x is null");
    int[] ax = {Shapes.axis("logSoftmax", axis, x.rank())};
    floatType("logSoftmax", x);
    Tensor z = x.sub(shift(x, ax));
    return z.sub(sum(z.exp(), ax, true).log());
  }

  private static DType floatType(String op, Tensor x) {
    return Elementwise.floatType(op, x);
  }

  /**
   * The primitive {@link Primitive#CROSS_ENTROPY}: per row {@code i} of {@code logits [N, C]},
   * {@code logsumexp(x_i) - x_i[labels_i]}, a {@code [N]} tensor; {@code labels} is int64
   * {@code [N]} with values in {@code [0, C)} (copied, so changing it later does not change the
   * gradient). Equals {@code -logSoftmax(logits, 1).gather(1, labels)} to rounding.
   *
   * @throws ShapeException for other shapes
   * @throws IllegalArgumentException for a label out of range
   */
  public static Tensor crossEntropy(Tensor logits, Tensor labels) {
    try (var o = Anomaly.operands("crossEntropy", "logits", logits, "labels", labels)) {
      return crossEntropyImpl(logits, labels);
    }
  }

  private static Tensor crossEntropyImpl(Tensor logits, Tensor labels) {
    checkNotNull(logits, "crossEntropy: logits is null");
    checkNotNull(labels, "crossEntropy: labels is null");
    if (Tensor.anyBatched(logits, labels)) {
      return batchedCrossEntropy(logits, labels);
    }
    NDArray y = labels.data().copy();
    NDArray loss = NDArray.crossEntropyRows(logits.data(), y);
    int classes = logits.size(1);
    return record(Primitive.CROSS_ENTROPY, loss, logits, (n, grad) -> {
      Tensor x = n.input(0);
      if (!GradMode.isEnabled() && !ForwardAD.anyTangent(x, grad)) {
        return grads(Tensor.fromData(NDArray.crossEntropyBackward(x.data(), y, grad.data())));
      }
      Tensor onehot = Tensor.fromData(oneHot(y, classes, x.dtype()));
      return grads(softmax(x, 1).sub(onehot).mul(grad.unsqueeze(1)));
    }, (t, in, out) -> {
      Tensor onehot = Tensor.fromData(oneHot(y, classes, in[0].dtype()));
      return softmax(in[0], 1).sub(onehot).mul(t[0]).sum(1);
    });
  }

  /**
   * crossEntropy's batching rule: the composition {@code -sum(where(onehot(y), logSoftmax(x, 1),
   * 0), 1)}, whose VJP is the primitive's {@code softmax(x) - onehot(y)}; the one-hot rows of
   * batched labels are batched too.
   */
  private static Tensor batchedCrossEntropy(Tensor logits, Tensor labels) {
    if (logits.rank() != 2 || labels.rank() != 1 || labels.size(0) != logits.size(0)) {
      throw new ShapeException("crossEntropy: expected logits [N, C] and labels [N], got "
          + Shapes.str(logits.shape()) + " and " + Shapes.str(labels.shape()));
    }
    if (labels.dtype() != DType.INT64) {
      throw new dev.cadena.tensor.DTypeException("crossEntropy: labels must be int64, got " + labels.dtype());
    }
    floatType("crossEntropy", logits);
    int classes = logits.size(1);
    NDArray y = labels.data();
    long[] v = y.toLongArray();
    for (long c : v) {
      if (c < 0 || c >= classes) {
        throw new IllegalArgumentException(
            "crossEntropy: label " + c + " is out of range for " + classes + " classes");
      }
    }
    int[] shape = Arrays.copyOf(y.shape(), y.rank() + 1);
    shape[y.rank()] = classes;
    Tensor onehot = Tensor.vmapLike(oneHot(y, classes, logits.dtype()).reshape(shape), labels);
    Tensor zero = Tensor.scalar(0.0, logits.dtype());
    return Elementwise.where(onehot, logSoftmax(logits, 1), zero).sum(new int[] {1}, false).neg();
  }

  private static NDArray oneHot(NDArray labels, int classes, DType dtype) {
    long[] v = labels.toLongArray();
    double[] h = new double[Math.multiplyExact(v.length, classes)];
    for (int i = 0; i < v.length; i++) {
      h[i * classes + (int) v[i]] = 1;
    }
    return NDArray.wrap(h, v.length, classes).astype(dtype);
  }

  /** Index of the largest element along {@code axis} (null: over all), as int64; no gradient. */
  public static Tensor argmax(Tensor x, @Nullable Integer axis, boolean keepDims) {
    try (var o = Anomaly.operands("argmax", "x", x)) {
      return argmaxImpl(x, axis, keepDims);
    }
  }

  private static Tensor argmaxImpl(Tensor x, @Nullable Integer axis, boolean keepDims) {
    checkNotNull(x, "argmax: x is null");
    return argReduce("argmax", true, x, axis, keepDims);
  }

  /** Index of the smallest element along {@code axis} (null: over all), as int64; no gradient. */
  public static Tensor argmin(Tensor x, @Nullable Integer axis, boolean keepDims) {
    try (var o = Anomaly.operands("argmin", "x", x)) {
      return argminImpl(x, axis, keepDims);
    }
  }

  private static Tensor argminImpl(Tensor x, @Nullable Integer axis, boolean keepDims) {
    checkNotNull(x, "argmin: x is null");
    return argReduce("argmin", false, x, axis, keepDims);
  }

  private static Tensor argReduce(
      String op, boolean max, Tensor x, @Nullable Integer axis, boolean keepDims) {
    if (!x.isBatched()) {
      return Tensor.fromData(x.data().argReduce(max, axis, keepDims));
    }
    if (axis == null) {
      // Over all axes of each sample: the argReduce of the rows of [B, numel].
      int batch = x.data().dim(0);
      if (x.numel() == 0) {
        throw new ShapeException(
            op + ": cannot reduce an empty dimension of shape " + Shapes.str(x.shape()));
      }
      NDArray r = x.data().reshape(batch, x.numel()).argReduce(max, 1, false);
      if (keepDims) {
        int[] s = new int[x.rank() + 1];
        Arrays.fill(s, 1);
        s[0] = batch;
        r = r.reshape(s);
      }
      return Tensor.vmapBatched(r);
    }
    int a = Shapes.axis(op, axis, x.rank()) + 1;
    return Tensor.vmapBatched(x.data().argReduce(max, a, keepDims));
  }

  /**
   * Sums {@code x} down to {@code shape}, which must broadcast to x's shape: the inverse of
   * broadcasting, used by the engine for every broadcast gradient; a composition.
   */
  public static Tensor sumTo(Tensor x, int[] shape) {
    try (var o = Anomaly.operands("sumTo", "x", x)) {
      return sumToImpl(x, shape);
    }
  }

  private static Tensor sumToImpl(Tensor x, int[] shape) {
    checkNotNull(x, "sumTo: x is null");
    checkNotNull(shape, "sumTo: shape is null");
    int[] xs = x.shape();
    if (!Shapes.broadcastsTo(shape, xs)) {
      throw new ShapeException(
          "sumTo: shape " + Shapes.str(shape) + " does not broadcast to " + Shapes.str(xs));
    }
    int lead = xs.length - shape.length;
    int count = 0;
    int[] ax = new int[xs.length];
    for (int i = 0; i < xs.length; i++) {
      if (i < lead || (shape[i - lead] == 1 && xs[i] != 1)) {
        ax[count++] = i;
      }
    }
    Tensor r = count == 0 ? x : sum(x, Arrays.copyOf(ax, count), true);
    return Arrays.equals(r.shape(), shape) ? r : r.reshape(shape);
  }

  // ------------------------------------------------------------------ any and all (masks)

  /**
   * 1 where some element along {@code axes} is nonzero (NaN counts as nonzero), else 0: {@code
   * sum(x != 0, axes) > 0}. A mask in {@code x}'s dtype (float64 for int64), not differentiable;
   * over an empty axis the result is 0, as PyTorch's {@code False}.
   */
  public static Tensor any(Tensor x, int[] axes, boolean keepDims) {
    try (var o = Anomaly.operands("any", "x", x)) {
      return anyImpl(x, axes, keepDims);
    }
  }

  private static Tensor anyImpl(Tensor x, int[] axes, boolean keepDims) {
    checkNotNull(x, "any: x is null");
    checkNotNull(axes, "any: axes is null");
    int[] ax = Shapes.axes("any", axes, x.rank());
    Tensor count = sum(Elementwise.logicalNot(x.detach()).rsub(1.0), ax, keepDims);
    return count.gt(0.0);
  }

  /**
   * 1 where every element along {@code axes} is nonzero (NaN counts as nonzero), else 0: {@code
   * sum(x == 0, axes) == 0}. A mask in {@code x}'s dtype (float64 for int64), not differentiable;
   * over an empty axis the result is 1, as PyTorch's {@code True}.
   */
  public static Tensor all(Tensor x, int[] axes, boolean keepDims) {
    try (var o = Anomaly.operands("all", "x", x)) {
      return allImpl(x, axes, keepDims);
    }
  }

  private static Tensor allImpl(Tensor x, int[] axes, boolean keepDims) {
    checkNotNull(x, "all: x is null");
    checkNotNull(axes, "all: axes is null");
    int[] ax = Shapes.axes("all", axes, x.rank());
    Tensor zeros = sum(Elementwise.logicalNot(x.detach()), ax, keepDims);
    return zeros.eq(0.0);
  }
}
