package dev.cadena.ops;

import static com.google.common.base.Preconditions.checkNotNull;
import static dev.cadena.ops.Recording.checkElements;
import static dev.cadena.ops.Recording.grads;
import static dev.cadena.ops.Recording.orZeros;
import static dev.cadena.ops.Recording.promote;
import static dev.cadena.ops.Recording.record;

import dev.cadena.Tensor;
import dev.cadena.autograd.Anomaly;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.DTypeException;
import dev.cadena.tensor.NDArray;
import dev.cadena.tensor.ShapeException;
import dev.cadena.tensor.Shapes;
import java.util.Arrays;
import java.util.List;

/**
 * Ops that move elements without arithmetic: views (reshape, permute, expand, slice) and the
 * joining and indexing ops. Views share storage with their input: no copy.
 */
public final class Movement {
  private Movement() {}

  /** The primitive {@link Primitive#RESHAPE}: same elements, new shape (one size may be -1). */
  public static Tensor reshape(Tensor x, int... shape) {
    try (var o = Anomaly.operands("reshape", "x", x)) {
      return reshapeImpl(x, shape);
    }
  }

  private static Tensor reshapeImpl(Tensor x, int... shape) {
    checkNotNull(x, "reshape: x is null");
    checkNotNull(shape, "reshape: shape is null");
    int[] in = x.shape();
    NDArray r = x.data().reshape(Batching.shape(x, shape));
    if (Arrays.equals(Batching.logical(x, r), in)) {
      return x;
    }
    return record(Primitive.RESHAPE, r, x, (n, grad) -> grads(grad.reshape(in)),
        (t, ins, out) -> t[0].reshape(out.shape()));
  }

  /** {@code perm} over the logical axes of batched {@code x} as a physical permutation. */
  private static int[] batchedPerm(Tensor x, int[] perm) {
    if (perm.length != x.rank()) {
      throw new dev.cadena.tensor.ShapeException("permute: perm " + Arrays.toString(perm)
          + " does not have one entry per axis of shape " + Shapes.str(x.shape()));
    }
    int[] p = new int[perm.length + 1];
    for (int i = 0; i < perm.length; i++) {
      p[i + 1] = Shapes.axis("permute", perm[i], perm.length) + 1;
    }
    return p;
  }

  /** The primitive {@link Primitive#PERMUTE}: result axis i is x's axis {@code perm[i]}. */
  public static Tensor permute(Tensor x, int... perm) {
    try (var o = Anomaly.operands("permute", "x", x)) {
      return permuteImpl(x, perm);
    }
  }

  private static Tensor permuteImpl(Tensor x, int... perm) {
    checkNotNull(x, "permute: x is null");
    checkNotNull(perm, "permute: perm is null");
    NDArray r = x.data().permute(x.isBatched() ? batchedPerm(x, perm) : perm);
    int[] inv = new int[perm.length];
    for (int i = 0; i < perm.length; i++) {
      inv[Shapes.axis("permute", perm[i], perm.length)] = i;
    }
    return record(Primitive.PERMUTE, r, x, (n, grad) -> grads(grad.permute(inv)),
        (t, in, out) -> t[0].permute(perm));
  }

  /** The primitive {@link Primitive#EXPAND}: a broadcast view of {@code x} with a larger shape. */
  public static Tensor expand(Tensor x, int... shape) {
    try (var o = Anomaly.operands("expand", "x", x)) {
      return expandImpl(x, shape);
    }
  }

  private static Tensor expandImpl(Tensor x, int... shape) {
    checkNotNull(x, "expand: x is null");
    checkNotNull(shape, "expand: shape is null");
    NDArray r = x.data().expand(Batching.shape(x, shape));
    if (Arrays.equals(Batching.logical(x, r), x.shape())) {
      return x;
    }
    return record(Primitive.EXPAND, r, x, (n, grad) -> grads(grad),
        (t, in, out) -> t[0].expand(out.shape()));
  }

  /**
   * The primitive {@link Primitive#SLICE}: elements {@code start, start+step, ...} below {@code
   * end} along {@code axis} (a view; Python slice clamping).
   */
  public static Tensor slice(Tensor x, int axis, int start, int end, int step) {
    try (var o = Anomaly.operands("slice", "x", x)) {
      return sliceImpl(x, axis, start, end, step);
    }
  }

  private static Tensor sliceImpl(Tensor x, int axis, int start, int end, int step) {
    checkNotNull(x, "slice: x is null");
    NDArray r = x.isBatched()
        ? x.data().slice(Shapes.axis("slice", axis, x.rank()) + 1, start, end, step)
        : x.data().slice(axis, start, end, step);
    int[] shape = x.shape();
    DType dt = x.dtype();
    return record(Primitive.SLICE, r, x,
        (n, grad) -> grads(sliceScatter(Tensor.zeros(dt, shape), grad, axis, start, end, step)),
        (t, in, out) -> slice(t[0], axis, start, end, step));
  }

  /**
   * The primitive {@link Primitive#SLICE_SCATTER}: a copy of {@code x} with its slice {@code
   * start:end:step} along {@code axis} replaced by {@code src}.
   */
  public static Tensor sliceScatter(Tensor x, Tensor src, int axis, int start, int end, int step) {
    try (var o = Anomaly.operands("sliceScatter", "x", x, "src", src)) {
      return sliceScatterImpl(x, src, axis, start, end, step);
    }
  }

  private static Tensor sliceScatterImpl(Tensor x, Tensor src, int axis, int start, int end, int step) {
    checkNotNull(x, "sliceScatter: x is null");
    checkNotNull(src, "sliceScatter: src is null");
    Tensor[] p = promote("sliceScatter", x, src);
    NDArray r;
    if (Tensor.anyBatched(x, src)) {
      if (x.rank() != src.rank()) {
        throw new dev.cadena.tensor.ShapeException("sliceScatter: src of shape "
            + Shapes.str(src.shape()) + " does not fit x of shape " + Shapes.str(x.shape()));
      }
      int batch = Batching.batchSize(p);
      p = new Tensor[] {Batching.batch(p[0], batch), Batching.batch(p[1], batch)};
      int a = Shapes.axis("sliceScatter", axis, x.rank()) + 1;
      r = p[0].data().sliceScatter(p[1].data(), a, start, end, step);
    } else {
      r = p[0].data().sliceScatter(p[1].data(), axis, start, end, step);
    }
    int[] srcShape = p[1].shape();
    return record(Primitive.SLICE_SCATTER, r, p,
        (n, grad) -> grads(
            n.needsGrad(0)
                ? sliceScatter(grad, Tensor.zeros(grad.dtype(), srcShape), axis, start, end, step)
                : null,
            n.needsGrad(1) ? slice(grad, axis, start, end, step) : null),
        (t, in, out) -> sliceScatter(orZeros(t[0], in[0]), orZeros(t[1], in[1]), axis, start, end, step));
  }

  /** The primitive {@link Primitive#CONCAT}: tensors joined along {@code axis}, dtypes promoted. */
  public static Tensor concat(List<Tensor> parts, int axis) {
    try (var o = Anomaly.operands("concat", "parts", parts)) {
      return concatImpl(parts, axis);
    }
  }

  private static Tensor concatImpl(List<Tensor> parts, int axis) {
    checkElements("concat", "parts", parts);
    if (parts.isEmpty()) {
      throw new ShapeException("concat: needs at least one tensor");
    }
    DType t = parts.get(0).dtype();
    for (Tensor p : parts) {
      t = DType.promote(t, p.dtype());
    }
    Tensor[] in = new Tensor[parts.size()];
    NDArray[] arrays = new NDArray[in.length];
    for (int i = 0; i < in.length; i++) {
      in[i] = Elementwise.cast(parts.get(i), t);
    }
    boolean batched = Tensor.anyBatched(in);
    if (batched) {
      // Every part batched (an unbatched one by adding batched zeros), joined along axis + 1.
      int rank = in[0].rank();
      for (int i = 0; i < in.length; i++) {
        if (in[i].rank() != rank) {
          throw new ShapeException("concat: tensors must have the same rank: "
              + Shapes.str(in[0].shape()) + " and " + Shapes.str(in[i].shape()) + " (tensor " + i
              + ")");
        }
      }
      int batch = Batching.batchSize(in);
      for (int i = 0; i < in.length; i++) {
        in[i] = Batching.batch(in[i], batch);
      }
    }
    for (int i = 0; i < in.length; i++) {
      arrays[i] = in[i].data();
    }
    int a;
    NDArray r;
    if (batched) {
      a = Shapes.axis("concat", axis, in[0].rank());
      r = NDArray.concat(arrays, a + 1);
    } else {
      r = NDArray.concat(arrays, axis);
      a = Shapes.axis("concat", axis, r.rank());
    }
    int pa = batched ? a + 1 : a;
    int[] offsets = new int[in.length + 1];
    for (int i = 0; i < in.length; i++) {
      offsets[i + 1] = offsets[i] + arrays[i].dim(pa);
    }
    return record(Primitive.CONCAT, r, in, (n, grad) -> {
      Tensor[] g = new Tensor[offsets.length - 1];
      for (int i = 0; i < g.length; i++) {
        g[i] = n.needsGrad(i) ? slice(grad, a, offsets[i], offsets[i + 1], 1) : null;
      }
      return g;
    }, (tan, ins, out) -> {
      Tensor[] joined = new Tensor[ins.length];
      for (int i = 0; i < joined.length; i++) {
        joined[i] = orZeros(tan[i], ins[i]);
      }
      return concat(Arrays.asList(joined), a);
    });
  }

  /**
   * The primitive {@link Primitive#INDEX_SELECT}: entries {@code index} (1-d int64) along {@code
   * axis}.
   */
  public static Tensor indexSelect(Tensor x, int axis, Tensor index) {
    try (var o = Anomaly.operands("indexSelect", "x", x, "index", index)) {
      return indexSelectImpl(x, axis, index);
    }
  }

  private static Tensor indexSelectImpl(Tensor x, int axis, Tensor index) {
    checkNotNull(x, "indexSelect: x is null");
    checkNotNull(index, "indexSelect: index is null");
    if (index.isBatched()) {
      // Per-sample indices: the gather with the index spread along the other axes.
      int a = Shapes.axis("indexSelect", axis, x.rank());
      int[] s = x.shape();
      s[a] = index.rank() == 1 ? index.size(0) : 0;
      return gather(x, a, Batching.spreadIndex("indexSelect", a, index, s));
    }
    NDArray idx = index.data();
    NDArray r = x.isBatched()
        ? x.data().indexSelect(Shapes.axis("indexSelect", axis, x.rank()) + 1, idx)
        : x.data().indexSelect(axis, idx);
    int[] shape = x.shape();
    return record(Primitive.INDEX_SELECT, r, x,
        (n, grad) -> grads(indexAdd(Tensor.zeros(grad.dtype(), shape), axis, index, grad)),
        (t, in, out) -> indexSelect(t[0], axis, index));
  }

  /**
   * The primitive {@link Primitive#INDEX_ADD}: a copy of {@code x} with {@code src} added at
   * entries {@code index} along {@code axis}.
   */
  public static Tensor indexAdd(Tensor x, int axis, Tensor index, Tensor src) {
    try (var o = Anomaly.operands("indexAdd", "x", x, "index", index, "src", src)) {
      return indexAddImpl(x, axis, index, src);
    }
  }

  private static Tensor indexAddImpl(Tensor x, int axis, Tensor index, Tensor src) {
    checkNotNull(x, "indexAdd: x is null");
    checkNotNull(index, "indexAdd: index is null");
    checkNotNull(src, "indexAdd: src is null");
    Tensor[] p = promote("indexAdd", x, src);
    NDArray r;
    if (index.isBatched()) {
      // Per-sample indices: the scatterAdd with the index spread along src's other axes.
      int a = Shapes.axis("indexAdd", axis, x.rank());
      if (src.rank() != x.rank() || (index.rank() == 1 && src.size(a) != index.size(0))) {
        throw new ShapeException("indexAdd: src of shape " + Shapes.str(src.shape())
            + " does not fit x of shape " + Shapes.str(x.shape()) + " and an index of shape "
            + Shapes.str(index.shape()) + " along axis " + axis);
      }
      return scatterAdd(x, a, Batching.spreadIndex("indexAdd", a, index, src.shape()), src);
    } else if (Tensor.anyBatched(p)) {
      int batch = Batching.batchSize(p);
      p = new Tensor[] {Batching.batch(p[0], batch), Batching.batch(p[1], batch)};
      int a = Shapes.axis("indexAdd", axis, x.rank()) + 1;
      r = p[0].data().indexAdd(a, index.data(), p[1].data());
    } else {
      r = p[0].data().indexAdd(axis, index.data(), p[1].data());
    }
    return record(Primitive.INDEX_ADD, r, p,
        (n, grad) -> grads(
            n.needsGrad(0) ? grad : null,
            n.needsGrad(1) ? indexSelect(grad, axis, index) : null),
        (t, in, out) -> indexAdd(orZeros(t[0], in[0]), axis, index, orZeros(t[1], in[1])));
  }

  /**
   * The primitive {@link Primitive#GATHER}: one entry along {@code axis} per position of {@code
   * index} (int64, same rank as x), e.g. the score of each row's class: {@code logits.gather(1,
   * labels.unsqueeze(1))}.
   */
  public static Tensor gather(Tensor x, int axis, Tensor index) {
    try (var o = Anomaly.operands("gather", "x", x, "index", index)) {
      return gatherImpl(x, axis, index);
    }
  }

  private static Tensor gatherImpl(Tensor x, int axis, Tensor index) {
    checkNotNull(x, "gather: x is null");
    checkNotNull(index, "gather: index is null");
    NDArray r;
    Tensor xb = x;
    if (Tensor.anyBatched(x, index)) {
      int a = Shapes.axis("gather", axis, x.rank());
      checkIndexRank("gather", x, index);
      int batch = Batching.batchSize(x, index);
      xb = Batching.batch(x, batch);
      r = xb.data().gather(a + 1, Batching.physical(index, batch));
    } else {
      r = x.data().gather(axis, index.data());
    }
    int[] shape = x.shape();
    return record(Primitive.GATHER, r, xb,
        // Into a broadcast zero, which scatterAdd copies by allocating one zero array.
        (n, grad) -> grads(scatterAdd(Tensor.zeros(grad.dtype()).expand(shape), axis, index, grad)),
        (t, in, out) -> gather(t[0], axis, index));
  }

  /**
   * The primitive {@link Primitive#SCATTER_ADD}: a copy of {@code x} with each {@code src} element
   * added at the position {@code index} names along {@code axis}.
   */
  public static Tensor scatterAdd(Tensor x, int axis, Tensor index, Tensor src) {
    try (var o = Anomaly.operands("scatterAdd", "x", x, "index", index, "src", src)) {
      return scatterAddImpl(x, axis, index, src);
    }
  }

  private static Tensor scatterAddImpl(Tensor x, int axis, Tensor index, Tensor src) {
    checkNotNull(x, "scatterAdd: x is null");
    checkNotNull(index, "scatterAdd: index is null");
    checkNotNull(src, "scatterAdd: src is null");
    Tensor[] p = promote("scatterAdd", x, src);
    NDArray r;
    if (Tensor.anyBatched(x, index, src)) {
      int a = Shapes.axis("scatterAdd", axis, x.rank());
      checkIndexRank("scatterAdd", x, index);
      int batch = Batching.batchSize(x, index, src);
      p = new Tensor[] {Batching.batch(p[0], batch), Batching.batch(p[1], batch)};
      r = p[0].data().scatterAdd(a + 1, Batching.physical(index, batch), p[1].data());
    } else {
      r = p[0].data().scatterAdd(axis, index.data(), p[1].data());
    }
    return record(Primitive.SCATTER_ADD, r, p,
        (n, grad) -> grads(
            n.needsGrad(0) ? grad : null,
            n.needsGrad(1) ? gather(grad, axis, index) : null),
        (t, in, out) -> scatterAdd(orZeros(t[0], in[0]), axis, index, orZeros(t[1], in[1])));
  }

  /**
   * gather's and scatterAdd's logical rank check under vmap (before the physical op, whose message
   * would count the batch axis).
   */
  private static void checkIndexRank(String op, Tensor x, Tensor index) {
    if (index.rank() != x.rank()) {
      throw new ShapeException(op + ": index rank " + index.rank() + " differs from tensor rank "
          + x.rank() + " (index " + Shapes.str(index.shape()) + ", tensor "
          + Shapes.str(x.shape()) + ")");
    }
  }

  // ------------------------------------------------------------------ compositions

  /** Inserts a size-1 axis at {@code axis} (from -rank-1 to rank); a reshape. */
  public static Tensor unsqueeze(Tensor x, int axis) {
    try (var o = Anomaly.operands("unsqueeze", "x", x)) {
      return unsqueezeImpl(x, axis);
    }
  }

  private static Tensor unsqueezeImpl(Tensor x, int axis) {
    checkNotNull(x, "unsqueeze: x is null");
    int[] s = x.shape();
    int a = Shapes.axis("unsqueeze", axis, s.length + 1);
    int[] r = new int[s.length + 1];
    for (int i = 0, j = 0; i < r.length; i++) {
      r[i] = i == a ? 1 : s[j++];
    }
    return reshape(x, r);
  }

  /** Removes axis {@code axis}, which must have size 1; a reshape. */
  public static Tensor squeeze(Tensor x, int axis) {
    try (var o = Anomaly.operands("squeeze", "x", x)) {
      return squeezeImpl(x, axis);
    }
  }

  private static Tensor squeezeImpl(Tensor x, int axis) {
    checkNotNull(x, "squeeze: x is null");
    int[] s = x.shape();
    int a = Shapes.axis("squeeze", axis, s.length);
    if (s[a] != 1) {
      throw new ShapeException(
          "squeeze: axis " + axis + " has size " + s[a] + ", not 1 (shape " + Shapes.str(s) + ")");
    }
    int[] r = new int[s.length - 1];
    for (int i = 0, j = 0; i < s.length; i++) {
      if (i != a) {
        r[j++] = s[i];
      }
    }
    return reshape(x, r);
  }

  /** Removes every size-1 axis; a reshape. */
  public static Tensor squeeze(Tensor x) {
    try (var o = Anomaly.operands("squeeze", "x", x)) {
      return squeezeImpl(x);
    }
  }

  private static Tensor squeezeImpl(Tensor x) {
    checkNotNull(x, "squeeze: x is null");
    return reshape(x, Arrays.stream(x.shape()).filter(v -> v != 1).toArray());
  }

  /** Swaps two axes; a permute. */
  public static Tensor transpose(Tensor x, int axis0, int axis1) {
    try (var o = Anomaly.operands("transpose", "x", x)) {
      return transposeImpl(x, axis0, axis1);
    }
  }

  private static Tensor transposeImpl(Tensor x, int axis0, int axis1) {
    checkNotNull(x, "transpose: x is null");
    int r = x.rank();
    int a = Shapes.axis("transpose", axis0, r);
    int b = Shapes.axis("transpose", axis1, r);
    int[] perm = new int[r];
    for (int i = 0; i < r; i++) {
      perm[i] = i;
    }
    perm[a] = b;
    perm[b] = a;
    return permute(x, perm);
  }

  /** Stacks equally shaped tensors along a new axis; unsqueeze + concat. */
  public static Tensor stack(List<Tensor> parts, int axis) {
    try (var o = Anomaly.operands("stack", "parts", parts)) {
      return stackImpl(parts, axis);
    }
  }

  private static Tensor stackImpl(List<Tensor> parts, int axis) {
    checkElements("stack", "parts", parts);
    if (parts.isEmpty()) {
      throw new ShapeException("stack: needs at least one tensor");
    }
    int[] s0 = parts.get(0).shape();
    int a = Shapes.axis("stack", axis, s0.length + 1);
    Tensor[] u = new Tensor[parts.size()];
    for (int i = 0; i < u.length; i++) {
      if (!Arrays.equals(parts.get(i).shape(), s0)) {
        throw new ShapeException(
            "stack: all tensors must have the same shape: " + Shapes.str(s0) + " and "
                + Shapes.str(parts.get(i).shape()) + " (tensor " + i + ")");
      }
      u[i] = unsqueeze(parts.get(i), a);
    }
    return concat(Arrays.asList(u), a);
  }

  /** One-hot rows: for int64 labels of shape S, a float64 tensor of shape S + [numClasses]. */
  public static Tensor oneHot(Tensor labels, int numClasses) {
    checkNotNull(labels, "oneHot: labels is null");
    try (var o = Anomaly.operands("oneHot", "labels", labels)) {
      return checkedOneHot(labels, numClasses);
    }
  }

  private static Tensor checkedOneHot(Tensor labels, int numClasses) {
    if (labels.dtype() != DType.INT64) {
      throw new DTypeException(
          "oneHot: labels must be int64, got " + labels.dtype());
    }
    if (numClasses <= 0) {
      throw new IllegalArgumentException("oneHot: numClasses must be positive, got " + numClasses);
    }
    // Checked before the labels are copied out: they may be a broadcast view far larger than
    // its storage.
    long count = (long) labels.numel() * numClasses;
    if (count > Shapes.MAX_ELEMENTS) {
      throw new ShapeException(
          "oneHot: too many elements: " + labels.numel() + " labels (shape "
              + Shapes.str(labels.shape()) + ") x " + numClasses
              + " classes is " + count + " elements, more than the " + Shapes.MAX_ELEMENTS
              + " a tensor can hold");
    }
    long[] v = labels.toLongArray();
    double[] out = new double[v.length * numClasses];
    for (int i = 0; i < v.length; i++) {
      if (v[i] < 0 || v[i] >= numClasses) {
        throw new IllegalArgumentException(
            "oneHot: label " + v[i] + " at position " + i + " is out of range [0, " + numClasses + ")");
      }
      out[i * numClasses + (int) v[i]] = 1.0;
    }
    int[] s = Arrays.copyOf(labels.shape(), labels.rank() + 1);
    s[labels.rank()] = numClasses;
    return Tensor.fromData(NDArray.wrap(out, s));
  }
}
