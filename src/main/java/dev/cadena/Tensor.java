package dev.cadena;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.autograd.Anomaly;
import dev.cadena.autograd.AutogradException;
import dev.cadena.autograd.Engine;
import dev.cadena.autograd.ForwardAD;
import dev.cadena.autograd.GradMode;
import dev.cadena.autograd.Node;
import dev.cadena.autograd.TensorAccess;
import dev.cadena.ops.Einsum;
import dev.cadena.ops.Elementwise;
import dev.cadena.ops.LinearAlgebra;
import dev.cadena.ops.Movement;
import dev.cadena.ops.Reductions;
import dev.cadena.ops.ShapeOps;
import dev.cadena.ops.Scans;
import dev.cadena.ops.Sorting;
import dev.cadena.tensor.BinaryOp;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.DTypeException;
import dev.cadena.tensor.NDArray;
import dev.cadena.tensor.ShapeException;
import dev.cadena.tensor.Shapes;
import java.lang.reflect.Array;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * An n-dimensional array that records the operations applied to it, so that {@link #backward()}
 * can compute gradients by the chain rule. The API follows {@code torch.Tensor}: a user who knows
 * PyTorch finds the same operation under the same name.
 *
 * <pre>{@code
 * Tensor x = Tensor.of(new double[][] {{0.05, 0.10}});
 * Tensor w = Tensor.of(new double[][] {{0.15, 0.25}, {0.20, 0.30}}).requiresGrad(true);
 * Tensor b = Tensor.of(0.35, 0.35).requiresGrad(true);
 * Tensor loss = x.matmul(w).add(b).sigmoid().sub(Tensor.of(0.01, 0.99)).pow(2).mean();
 * loss.backward();
 * System.out.println(w.grad());
 * }</pre>
 *
 * <p><b>Values are immutable</b>: every op returns a new tensor (or a view sharing storage). The
 * only in-place methods end in {@code _} ({@link #sub_}, {@link #copy_}, ...); they are for
 * optimisers and initialisers, work only under {@link #noGrad()} and bump a version counter so
 * that a backward pass that needs the old value fails with a clear error instead of computing a
 * wrong gradient.
 *
 * <p><b>dtypes</b>: float64 by default; float32 for speed; int64 for indices and labels. Mixed
 * dtypes promote as {@link DType#promote} says; Java scalars keep the tensor's dtype.
 *
 * <p><b>Broadcasting</b> follows NumPy: trailing dimensions align and size-1 dimensions stretch.
 *
 * <p><b>Nulls</b>: a null argument, or a null element of a list or array argument, throws a
 * {@link NullPointerException} naming the op and the parameter ({@code add: other is null},
 * {@code cat: tensors[2] is null}) before any work is done, unless the parameter is marked
 * {@code @Nullable} (where null has a documented meaning, as in {@link #setGrad}).
 */
public final class Tensor {
  static {
    TensorAccess.install(new GraphAccess());
  }

  private final NDArray data;
  private final Node gradFn;
  private boolean requiresGrad;
  private boolean retainsGrad;
  private Tensor grad;
  /**
   * True once {@link #grad()} or {@link #setGrad} let code outside the engine hold the current
   * gradient; such a gradient is never recycled.
   */
  private boolean gradHeld;
  /**
   * The gradient buffer last lent to a VJP for this tensor ({@code Node.gradBuffer}): storage the
   * library allocated for this tensor's gradient alone.
   */
  private NDArray lentGrad;
  /**
   * {@link #lentGrad} once {@link #zeroGrad()} released the gradient it held while no caller
   * held it: the next backward pass writes this tensor's gradient into it again.
   */
  private NDArray spareGrad;
  /**
   * The forward-mode tangent and its level ({@code autograd.ForwardAD}), or null: read only when
   * a forward level is open somewhere.
   */
  private Object forwardTangent;
  /**
   * True for a tensor inside {@code Func.vmap}: {@link #data} holds the physical values with the
   * batch axis first, and the shape methods report the logical shape without it.
   */
  private final boolean batched;
  /**
   * For an intermediate value given to {@code Node.recycleWithGraph}: the number of live nodes
   * that hold it (its producer and its consumers), whose storage goes back for reuse when the
   * last of them is freed; 0 for any other tensor (and for one that escaped, through a view or
   * the graph's accessors); -1 once its storage was given back, when {@link #data()} throws.
   */
  private int graphHolds;

  private Tensor(NDArray data, Node gradFn, boolean requiresGrad) {
    this(data, gradFn, requiresGrad, false);
  }

  private Tensor(NDArray data, Node gradFn, boolean requiresGrad, boolean batched) {
    if (batched && data.rank() == 0) {
      throw new IllegalArgumentException(
          "vmap: a batched tensor needs a batch axis, got a 0-d array");
    }
    this.data = data;
    this.gradFn = gradFn;
    this.requiresGrad = requiresGrad;
    this.batched = batched;
    // In anomaly mode a tensor without a node remembers where the user created it (a node keeps
    // its own site); off, one read of a shared counter.
    if (gradFn == null && Anomaly.isEnabled()) {
      Anomaly.created(this);
    }
  }

  /**
   * For {@code vmap}'s batching rules: a constant batched tensor whose physical values {@code
   * physical} hold the batch axis first; its logical shape is {@code physical.shape()} without
   * axis 0. Example: {@code vmapBatched(NDArray.zeros(FLOAT64, 5, 3)).shape()} is {@code [3]}.
   *
   * @throws IllegalArgumentException when {@code physical} is 0-d
   */
  public static Tensor vmapBatched(NDArray physical) {
    checkNotNull(physical, "vmapBatched: physical is null");
    return new Tensor(physical, null, false, true);
  }

  /**
   * For {@code vmap}'s batching rules: a constant holding {@code result}, batched (batch axis
   * first) when any of {@code sources} is batched, else plain {@link #fromData}. Example: a
   * comparison of a batched {@code x} wraps its physical mask with {@code x} as the source.
   */
  public static Tensor vmapLike(NDArray result, Tensor... sources) {
    checkNotNull(result, "vmapLike: result is null");
    checkNotNull(sources, "vmapLike: sources is null");
    return anyBatched(sources) ? new Tensor(result, null, false, true) : fromData(result);
  }

  /**
   * True inside {@code vmap} for a tensor that carries the batch axis: {@link #data()} is then
   * physical ({@code [B, shape()...]}). Example: false for {@code Tensor.zeros(3)}.
   */
  public boolean isBatched() {
    return batched;
  }

  /** True when any of {@code ts} {@link #isBatched()}; a loop of field reads. */
  public static boolean anyBatched(Tensor... ts) {
    checkNotNull(ts, "anyBatched: ts is null");
    for (Tensor t : ts) {
      if (t != null && t.batched) {
        return true;
      }
    }
    return false;
  }

  private void checkNotBatched(String method) {
    if (batched) {
      throw new IllegalStateException("vmap: " + method + " on a batched tensor");
    }
  }

  // ================================================================== factories

  /** Wraps an array as a constant tensor (a leaf that does not require grad). */
  public static Tensor fromData(NDArray data) {
    checkNotNull(data, "fromData: data is null");
    return new Tensor(data, null, false);
  }

  /**
   * How {@link Node#record} wraps a forward result with the node that produced it: the only way
   * to make a tensor with a {@code gradFn}, handed to autograd alone (users create ops through
   * {@link dev.cadena.autograd.Function} instead).
   */
  private static final class GraphAccess extends TensorAccess {
    @Override
    protected Tensor fromNode(NDArray data, Node node) {
      return new Tensor(data, node, true);
    }

    @Override
    protected Tensor fromNodeBatched(NDArray data, Node node) {
      return new Tensor(data, node, true, true);
    }

    @Override
    protected Tensor engineGrad(Tensor t) {
      return t.grad;
    }

    @Override
    protected void setEngineGrad(Tensor t, Tensor g) {
      t.grad = g;
      t.gradHeld = false;
    }

    @Override
    protected NDArray lendGradBuffer(Tensor t) {
      if (t.grad != null) {
        return null;
      }
      NDArray buffer = t.spareGrad;
      t.spareGrad = null;
      if (buffer == null) {
        buffer = NDArray.zeros(t.data.dtype(), t.data.shape());
      }
      t.lentGrad = buffer;
      return buffer;
    }

    @Override
    protected int graphHolds(Tensor t) {
      return t.graphHolds;
    }

    @Override
    protected void setGraphHolds(Tensor t, int holds) {
      t.graphHolds = holds;
    }

    @Override
    protected Object forwardTangent(Tensor t) {
      return t.forwardTangent;
    }

    @Override
    protected void setForwardTangent(Tensor t, Object dual) {
      t.forwardTangent = dual;
    }
  }

  /** A 1-d float64 tensor of the given values ({@code Tensor.of(0.35, 0.35)}). */
  public static Tensor of(double... values) {
    checkNotNull(values, "of: values is null");
    return fromData(NDArray.wrap(values.clone(), values.length));
  }

  /**
   * A 1-d float64 tensor of whole numbers: {@code Tensor.of(1, 2, 3)} is float64, not float32 or
   * int64 (without this overload Java would pick {@code of(float...)} for int literals). Use
   * {@link #ofLongs} for int64 indices.
   */
  public static Tensor of(int... values) {
    checkNotNull(values, "of: values is null");
    double[] v = new double[values.length];
    for (int i = 0; i < v.length; i++) {
      v[i] = values[i];
    }
    return fromData(NDArray.wrap(v, v.length));
  }

  /** A 1-d float32 tensor of the given values. */
  public static Tensor of(float... values) {
    checkNotNull(values, "of: values is null");
    return fromData(NDArray.wrap(values.clone(), values.length));
  }

  /** A 1-d int64 tensor (indices, labels). */
  public static Tensor ofLongs(long... values) {
    checkNotNull(values, "ofLongs: values is null");
    return fromData(NDArray.wrap(values.clone(), values.length));
  }

  /** A 1-d int64 tensor from ints (indices, labels). */
  public static Tensor ofLongs(int... values) {
    checkNotNull(values, "ofLongs: values is null");
    long[] v = new long[values.length];
    for (int i = 0; i < v.length; i++) {
      v[i] = values[i];
    }
    return fromData(NDArray.wrap(v, v.length));
  }

  /** A 2-d float64 tensor from a rectangular Java array. */
  public static Tensor of(double[][] values) {
    checkNotNull(values, "of: values is null");
    return fromArray(values);
  }

  /** A 3-d float64 tensor from a rectangular Java array. */
  public static Tensor of(double[][][] values) {
    checkNotNull(values, "of: values is null");
    return fromArray(values);
  }

  /** A 2-d float32 tensor from a rectangular Java array. */
  public static Tensor of(float[][] values) {
    checkNotNull(values, "of: values is null");
    return fromArray(values);
  }

  /**
   * A tensor from a rectangular Java array of any rank whose leaves are {@code double}, {@code
   * float}, {@code int} or {@code long} (float64, float32, int64, int64), or from a boxed
   * {@link Number} (a 0-d tensor).
   *
   * @throws NullPointerException when the array or one of its rows is null, naming the row
   * @throws IllegalArgumentException for ragged arrays or unsupported element types, naming the
   *     position
   */
  public static Tensor fromArray(Object array) {
    checkNotNull(array, "fromArray: array is null");
    if (array instanceof Number) {
      return scalar(((Number) array).doubleValue());
    }
    if (!array.getClass().isArray()) {
      throw new IllegalArgumentException(
          "fromArray: expected a Java array, got " + array.getClass().getName());
    }
    int rank = 0;
    Class<?> c = array.getClass();
    while (c.isArray()) {
      rank++;
      c = c.getComponentType();
    }
    DType dtype;
    if (c == double.class) {
      dtype = DType.FLOAT64;
    } else if (c == float.class) {
      dtype = DType.FLOAT32;
    } else if (c == long.class || c == int.class) {
      dtype = DType.INT64;
    } else {
      throw new IllegalArgumentException(
          "fromArray: unsupported element type " + c.getName() + " (use double, float, int or long)");
    }
    int[] shape = new int[rank];
    Object cur = array;
    StringBuilder where = new StringBuilder();
    for (int i = 0; i < rank; i++) {
      shape[i] = Array.getLength(cur);
      if (i < rank - 1) {
        if (shape[i] == 0) {
          break;
        }
        cur = Array.get(cur, 0);
        where.append("[0]");
        if (cur == null) {
          throw new NullPointerException("fromArray: row " + where + " is null");
        }
      }
    }
    int n = Shapes.numel(Shapes.checkShape("fromArray", shape));
    double[] d = dtype == DType.FLOAT64 ? new double[n] : null;
    float[] f = dtype == DType.FLOAT32 ? new float[n] : null;
    long[] l = dtype == DType.INT64 ? new long[n] : null;
    int[] pos = {0};
    fill(array, 0, shape, d, f, l, pos, "");
    NDArray a = d != null ? NDArray.wrap(d, shape) : f != null ? NDArray.wrap(f, shape) : NDArray.wrap(l, shape);
    return fromData(a);
  }

  private static void fill(Object arr, int depth, int[] shape, double[] d, float[] f, long[] l, int[] pos, String where) {
    int len = Array.getLength(arr);
    if (len != shape[depth]) {
      throw new IllegalArgumentException(
          "fromArray: ragged array: row " + where + " has length " + len + ", expected "
              + shape[depth]);
    }
    if (depth == shape.length - 1) {
      if (d != null) {
        System.arraycopy(arr, 0, d, pos[0], len);
      } else if (f != null) {
        System.arraycopy(arr, 0, f, pos[0], len);
      } else if (arr instanceof long[]) {
        System.arraycopy(arr, 0, l, pos[0], len);
      } else {
        int[] ia = (int[]) arr;
        for (int i = 0; i < len; i++) {
          l[pos[0] + i] = ia[i];
        }
      }
      pos[0] += len;
      return;
    }
    for (int i = 0; i < len; i++) {
      Object row = Array.get(arr, i);
      if (row == null) {
        throw new NullPointerException("fromArray: row " + where + "[" + i + "] is null");
      }
      fill(row, depth + 1, shape, d, f, l, pos, where + "[" + i + "]");
    }
  }

  /** A tensor of {@code data} (copied) with the given shape; float64. */
  public static Tensor fromArray(double[] data, int... shape) {
    checkNotNull(data, "fromArray: data is null");
    checkNotNull(shape, "fromArray: shape is null");
    Shapes.checkLength("fromArray", data.length, shape);
    return fromData(NDArray.wrap(data.clone(), shape));
  }

  /** A tensor of {@code data} (copied) with the given shape; float32. */
  public static Tensor fromArray(float[] data, int... shape) {
    checkNotNull(data, "fromArray: data is null");
    checkNotNull(shape, "fromArray: shape is null");
    Shapes.checkLength("fromArray", data.length, shape);
    return fromData(NDArray.wrap(data.clone(), shape));
  }

  /** A 0-d float64 tensor. */
  public static Tensor scalar(double value) {
    return scalar(value, DType.FLOAT64);
  }

  /** A 0-d tensor of the given dtype. */
  public static Tensor scalar(double value, DType dtype) {
    checkNotNull(dtype, "scalar: dtype is null");
    return fromData(NDArray.scalar(dtype, value));
  }

  /** Zeros, float64. */
  public static Tensor zeros(int... shape) {
    checkNotNull(shape, "zeros: shape is null");
    return zeros(DType.FLOAT64, shape);
  }

  /** Zeros of a dtype. */
  public static Tensor zeros(DType dtype, int... shape) {
    checkNotNull(dtype, "zeros: dtype is null");
    checkNotNull(shape, "zeros: shape is null");
    return fromData(NDArray.zeros(dtype, shape));
  }

  /** Ones, float64. */
  public static Tensor ones(int... shape) {
    checkNotNull(shape, "ones: shape is null");
    Shapes.checkShape("ones", shape);
    return full(1.0, DType.FLOAT64, shape);
  }

  /** Ones of a dtype. */
  public static Tensor ones(DType dtype, int... shape) {
    checkNotNull(dtype, "ones: dtype is null");
    checkNotNull(shape, "ones: shape is null");
    Shapes.checkShape("ones", shape);
    return full(1.0, dtype, shape);
  }

  /** A tensor filled with {@code value}, float64. */
  public static Tensor full(double value, int... shape) {
    checkNotNull(shape, "full: shape is null");
    return full(value, DType.FLOAT64, shape);
  }

  /** A tensor filled with {@code value}. */
  public static Tensor full(double value, DType dtype, int... shape) {
    checkNotNull(dtype, "full: dtype is null");
    checkNotNull(shape, "full: shape is null");
    Shapes.checkShape("full", shape);
    return fromData(NDArray.full(dtype, value, shape));
  }

  /** Zeros with this tensor's shape and dtype. */
  public Tensor zerosLike() {
    return zeros(dtype(), shape());
  }

  /** Ones with this tensor's shape and dtype. */
  public Tensor onesLike() {
    return ones(dtype(), shape());
  }

  /** {@code 0, 1, ..., end-1} as float64. */
  public static Tensor arange(double end) {
    return arange(0, end, 1);
  }

  /**
   * {@code start, start+step, ...} below {@code end} (above it for a negative step), float64:
   * {@code ceil((end - start) / step)} elements, as PyTorch counts them (none when that is not
   * positive).
   *
   * @throws IllegalArgumentException for a zero or non-finite step, or a non-finite bound
   * @throws ShapeException when the count exceeds {@link Shapes#MAX_ELEMENTS}, naming it ({@code
   *     arange(0, 3e9, 1)}: 3000000000 elements)
   */
  public static Tensor arange(double start, double end, double step) {
    if (step == 0 || !Double.isFinite(step) || !Double.isFinite(start) || !Double.isFinite(end)) {
      throw new IllegalArgumentException(
          "arange: start, end and step must be finite and step non-zero, got start=" + start
              + ", end=" + end + ", step=" + step);
    }
    // In double: (end - start) may overflow to infinity, and the count may exceed any int.
    double count = Math.ceil((end - start) / step);
    if (count > Shapes.MAX_ELEMENTS) {
      throw new ShapeException(
          "arange: too many elements: [" + start + ", " + end + ") in steps of " + step + " has "
              + (Double.isInfinite(count) ? "infinitely many"
                  : new java.math.BigDecimal(count).toPlainString())
              + " elements, more than the " + Shapes.MAX_ELEMENTS + " a tensor can hold");
    }
    int n = (int) Math.max(0, count);
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = start + i * step;
    }
    return fromData(NDArray.wrap(v, n));
  }

  /**
   * {@code steps} evenly spaced values from {@code start} to {@code end} inclusive, float64.
   *
   * @throws IllegalArgumentException for a negative {@code steps}
   * @throws ShapeException when {@code steps} exceeds {@link Shapes#MAX_ELEMENTS}
   */
  public static Tensor linspace(double start, double end, int steps) {
    if (steps < 0) {
      throw new IllegalArgumentException("linspace: steps must be >= 0, got " + steps);
    }
    Shapes.checkShape("linspace", new int[] {steps});
    double[] v = new double[steps];
    for (int i = 0; i < steps; i++) {
      v[i] = steps == 1 ? start : start + (end - start) * i / (steps - 1);
    }
    return fromData(NDArray.wrap(v, steps));
  }

  /**
   * The n x n identity matrix, float64.
   *
   * @throws IllegalArgumentException for a negative {@code n}
   * @throws ShapeException when {@code n * n} exceeds {@link Shapes#MAX_ELEMENTS}
   */
  public static Tensor eye(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("eye: n must be >= 0, got " + n);
    }
    Shapes.checkShape("eye", new int[] {n, n});
    double[] v = new double[n * n];
    for (int i = 0; i < n; i++) {
      v[i * n + i] = 1;
    }
    return fromData(NDArray.wrap(v, n, n));
  }

  /** Uniform samples in [0, 1), float64, drawn from {@code rng} (pass a seeded generator). */
  public static Tensor rand(RandomGenerator rng, int... shape) {
    checkRng("rand", rng);
    checkNotNull(shape, "rand: shape is null");
    Shapes.checkShape("rand", shape);
    return uniform(rng, 0, 1, DType.FLOAT64, shape);
  }

  /** Standard normal samples, float64, drawn from {@code rng} (pass a seeded generator). */
  public static Tensor randn(RandomGenerator rng, int... shape) {
    checkRng("randn", rng);
    checkNotNull(shape, "randn: shape is null");
    return randn(rng, DType.FLOAT64, shape);
  }

  /** Standard normal samples of a dtype, drawn from {@code rng}. */
  public static Tensor randn(RandomGenerator rng, DType dtype, int... shape) {
    checkNotNull(dtype, "randn: dtype is null");
    checkNotNull(shape, "randn: shape is null");
    checkRng("randn", rng);
    Shapes.checkShape("randn", shape);
    double[] v = new double[Shapes.numel(shape)];
    for (int i = 0; i < v.length; i++) {
      v[i] = rng.nextGaussian();
    }
    return fromData(NDArray.wrap(v, shape).astype(dtype));
  }

  /** Uniform samples in [lo, hi) of a dtype, drawn from {@code rng}. */
  public static Tensor uniform(RandomGenerator rng, double lo, double hi, DType dtype, int... shape) {
    checkNotNull(dtype, "uniform: dtype is null");
    checkNotNull(shape, "uniform: shape is null");
    checkRng("uniform", rng);
    if (!(lo <= hi)) {
      throw new IllegalArgumentException("uniform: lo must be <= hi, got lo=" + lo + ", hi=" + hi);
    }
    Shapes.checkShape("uniform", shape);
    double[] v = new double[Shapes.numel(shape)];
    for (int i = 0; i < v.length; i++) {
      v[i] = lo + (hi - lo) * rng.nextDouble();
    }
    return fromData(NDArray.wrap(v, shape).astype(dtype));
  }

  /** Uniform samples in [lo, hi), float64. */
  public static Tensor uniform(RandomGenerator rng, double lo, double hi, int... shape) {
    checkRng("uniform", rng);
    checkNotNull(shape, "uniform: shape is null");
    return uniform(rng, lo, hi, DType.FLOAT64, shape);
  }

  private static void checkRng(String op, RandomGenerator rng) {
    checkNotNull(
        rng, "%s: rng is null (pass a seeded generator, e.g. new SplittableRandom(42))", op);
  }

  /** The list, or a NullPointerException naming the op and the first null element. */
  private static List<Tensor> checkElements(String op, List<Tensor> tensors) {
    checkNotNull(tensors, "%s: tensors is null", op);
    int i = 0;
    for (Tensor t : tensors) {
      if (t == null) {
        throw new NullPointerException(op + ": tensors[" + i + "] is null");
      }
      i++;
    }
    return tensors;
  }

  // ================================================================== read-back

  /**
   * The underlying array (shared, not copied; do not modify it). Public on purpose, unlike the
   * graph hooks: it is the low-level door for code that works on arrays rather than on graphs
   * (optimiser updates, file formats, diagnostics, data augmentation). What is computed from it is
   * not recorded, so no gradient flows through it.
   */
  public NDArray data() {
    if (graphHolds < 0) {
      throw freedValue();
    }
    return data;
  }

  private IllegalStateException freedValue() {
    return new IllegalStateException(
        "tensor " + Shapes.str(shape()) + " (output of '" + gradFn.name() + "') was an"
            + " intermediate value whose storage was reused once the backward pass freed its"
            + " graph (Node.recycleWithGraph): it can no longer be read");
  }

  /** A copy of the shape. */
  public int[] shape() {
    return batched ? Arrays.copyOfRange(data.shape(), 1, data.rank()) : data.shape();
  }

  /** Size of dimension {@code i} (negative counts from the end). */
  public int size(int i) {
    int r = rank();
    if (i >= r || i < -r) {
      // Only the error names the operand: the accessor's own path stays a range check.
      try (var o = Anomaly.operands("size", "x", this)) {
        Shapes.axis("size", i, r);
      }
    }
    return data.dim(Shapes.axis("size", i, r) + (batched ? 1 : 0));
  }

  /** Number of dimensions (PyTorch's {@code dim()}). */
  public int rank() {
    return batched ? data.rank() - 1 : data.rank();
  }

  /** Number of dimensions; the same as {@link #rank()}, under PyTorch's name. */
  public int dim() {
    return rank();
  }

  /** A copy of the shape; the same as {@link #shape()}, under PyTorch's name. */
  public int[] size() {
    return shape();
  }

  /** Number of elements. */
  public int numel() {
    if (!batched) {
      return data.size();
    }
    int n = 1;
    for (int i = 1; i < data.rank(); i++) {
      n *= data.dim(i);
    }
    return n;
  }

  /** The element type. */
  public DType dtype() {
    return data.dtype();
  }

  /**
   * The value of a one-element tensor.
   *
   * @throws ShapeException when the tensor has more or fewer than one element
   */
  public double item() {
    checkNotBatched("item");
    if (data.size() != 1) {
      try (var o = Anomaly.operands("item", "x", this)) {
        throw new ShapeException(
            "item: only one-element tensors can be converted to a number, got shape "
                + Shapes.str(shape()) + " (" + data.size() + " elements)");
      }
    }
    return data.getFlat(0);
  }

  /** The element at a multi-index (negative indices count from the end). */
  public double get(int... index) {
    checkNotNull(index, "get: index is null");
    checkNotBatched("get");
    try (var o = Anomaly.operands("get", "x", this)) {
      return data.get(index);
    }
  }

  /** All elements in row-major order, as a new array. */
  public double[] toDoubleArray() {
    checkNotBatched("toDoubleArray");
    return data().toDoubleArray();
  }

  /** All elements in row-major order, as a new array. */
  public float[] toFloatArray() {
    checkNotBatched("toFloatArray");
    return data().toFloatArray();
  }

  /** All elements in row-major order, as a new array (floats truncated toward zero). */
  public long[] toLongArray() {
    checkNotBatched("toLongArray");
    return data().toLongArray();
  }

  /**
   * True when both have the same shape and every pair satisfies {@code |a - b| <= atol + rtol *
   * |b|} (NaNs are never close).
   */
  public boolean allClose(Tensor other, double rtol, double atol) {
    checkNotNull(other, "allClose: other is null");
    checkNotBatched("allClose");
    other.checkNotBatched("allClose");
    if (!Arrays.equals(shape(), other.shape())) {
      return false;
    }
    for (int i = 0, n = numel(); i < n; i++) {
      double a = data.getFlat(i);
      double b = other.data.getFlat(i);
      if (!(Math.abs(a - b) <= atol + rtol * Math.abs(b)) && a != b) {
        return false;
      }
    }
    return true;
  }

  /** {@link #allClose(Tensor, double, double)} with PyTorch's defaults rtol=1e-5, atol=1e-8. */
  public boolean allClose(Tensor other) {
    checkNotNull(other, "allClose: other is null");
    return allClose(other, 1e-5, 1e-8);
  }

  // ================================================================== autograd

  /** True when gradients flow to or through this tensor. */
  public boolean requiresGrad() {
    return requiresGrad;
  }

  /**
   * Marks a leaf as a variable to differentiate with respect to (or not); returns this tensor.
   *
   * @throws AutogradException for a non-leaf (its requirement follows from its inputs), or an
   *     int64 tensor
   */
  public Tensor requiresGrad(boolean flag) {
    if (gradFn != null) {
      throw new AutogradException(
          "requiresGrad: only leaves can change requiresGrad; this tensor was produced by '"
              + gradFn.name() + "' (use detach() for a constant copy)");
    }
    if (flag && !dtype().isFloatingPoint()) {
      throw new AutogradException("requiresGrad: only floating-point tensors can require grad, got " + dtype());
    }
    requiresGrad = flag;
    return this;
  }

  /** True for tensors created by the user rather than by a recorded op. */
  public boolean isLeaf() {
    return gradFn == null;
  }

  /** The node that produced this tensor, or null for leaves and constants. */
  public Node gradFn() {
    return gradFn;
  }

  /** The accumulated gradient (null until a backward pass reaches this tensor). */
  public Tensor grad() {
    if (grad != null) {
      gradHeld = true;
      lentGrad = null;
    }
    return grad;
  }

  /**
   * The gradient, lent for one computation that keeps no reference to it once it returns (an
   * optimiser step, gradient clipping, a norm): unlike {@link #grad()}, reading it this way lets
   * the next {@link #zeroGrad()} keep its storage for the following backward pass, so a training
   * loop allocates no new gradient arrays (and {@code setGrad(null)} likewise). Keep the result
   * beyond the call and a later backward may overwrite it; use {@link #grad()} (or copy) to keep
   * it.
   */
  public Tensor borrowGrad() {
    return grad;
  }

  /**
   * Replaces the gradient (null clears it), as PyTorch's {@code tensor.grad = g}. Public on
   * purpose: besides the engine, gradient clipping and user code set gradients directly. {@code
   * setGrad(null)} is {@link #zeroGrad()}: a gradient the backward pass wrote into a buffer of
   * this tensor, which no caller holds, leaves that buffer for the next pass.
   *
   * @throws ShapeException when the gradient's shape differs from this tensor's
   */
  public void setGrad(@Nullable Tensor g) {
    if (g == null) {
      zeroGrad();
      return;
    }
    if (!Arrays.equals(g.shape(), shape())) {
      try (var o = Anomaly.operands("setGrad", "x", this, "grad", g)) {
        throw new ShapeException(
            "setGrad: gradient shape " + Shapes.str(g.shape()) + " does not match tensor shape "
                + Shapes.str(shape()));
      }
    }
    grad = g;
    gradHeld = true;
    lentGrad = null;
    spareGrad = null;
  }

  /**
   * Clears the gradient (PyTorch's {@code zero_grad(set_to_none=True)}): {@link #grad()} is null
   * afterwards. When the backward pass wrote the gradient into a buffer it allocated for this
   * tensor and no caller holds it (it was only {@linkplain #borrowGrad() borrowed}), the buffer
   * is kept and the next backward writes this tensor's gradient into it again, as PyTorch's
   * caching allocator reuses the memory.
   */
  public void zeroGrad() {
    if (grad != null && !gradHeld && lentGrad != null && grad.data == lentGrad) {
      spareGrad = lentGrad;
    }
    lentGrad = null;
    grad = null;
    gradHeld = false;
  }

  /** Asks backward to also store this non-leaf's gradient in {@link #grad()}; returns this. */
  public Tensor retainGrad() {
    if (!requiresGrad) {
      throw new AutogradException("retainGrad: tensor does not require grad");
    }
    if (gradFn != null) {
      retainsGrad = true;
    }
    return this;
  }

  /** True when {@link #retainGrad()} was called on this non-leaf. */
  public boolean retainsGrad() {
    return retainsGrad;
  }

  /** The same values, cut from the graph: a constant sharing storage. */
  public Tensor detach() {
    if (graphHolds > 0) {
      graphHolds = 0; // the alias outlives the graph: the storage is no longer the graph's alone
    }
    return new Tensor(data(), null, false, batched);
  }

  /** The version counter of this tensor's storage, bumped by each in-place update. */
  public int version() {
    return data.version();
  }

  /**
   * Computes the gradient of this scalar with respect to every leaf that requires grad and
   * accumulates it into their {@link #grad()}. The graph is freed afterwards.
   *
   * @throws AutogradException for a non-scalar (pass an upstream gradient instead), a tensor that
   *     does not require grad, or a graph already freed by an earlier backward
   */
  public void backward() {
    if (numel() != 1) {
      throw new AutogradException(
          "backward: grad can be implicitly created only for scalar outputs, but this tensor has shape "
              + Shapes.str(shape()) + "; call backward(gradient) with a gradient of that shape");
    }
    backward(onesLike(), false);
  }

  /** Backward with an explicit upstream gradient of this tensor's shape. */
  public void backward(Tensor gradient) {
    checkNotNull(gradient, "backward: gradient is null");
    backward(gradient, false);
  }

  /**
   * Backward with an explicit upstream gradient; {@code retainGraph} keeps the graph so that
   * backward can run through it again.
   */
  public void backward(Tensor gradient, boolean retainGraph) {
    checkNotNull(gradient, "backward: gradient is null");
    Engine.backward(new Tensor[] {this}, new Tensor[] {gradient}, retainGraph, false);
  }

  /**
   * Backward with an explicit upstream gradient (PyTorch's {@code backward(gradient,
   * retain_graph, create_graph)}). {@code retainGraph} keeps the graph so that backward can run
   * through it again; {@code createGraph} records the backward pass itself, so the gradients
   * accumulated into {@link #grad()} are differentiable (and implies keeping the graph).
   *
   * <pre>{@code
   * Tensor x = Tensor.of(1.0, 2.0).requiresGrad(true);
   * Tensor y = x.pow(3).sum();
   * y.backward(Tensor.scalar(1.0), false, true);  // x.grad() = 3x^2, itself differentiable
   * }</pre>
   *
   * @throws AutogradException for a gradient whose shape differs from this tensor's, a tensor
   *     that does not require grad, or a graph already freed by an earlier backward
   */
  public void backward(Tensor gradient, boolean retainGraph, boolean createGraph) {
    checkNotNull(gradient, "backward: gradient is null");
    Engine.backward(
        new Tensor[] {this}, new Tensor[] {gradient}, retainGraph || createGraph, createGraph);
  }

  /** Scalar backward, keeping the graph when {@code retainGraph}. */
  public void backward(boolean retainGraph) {
    if (numel() != 1) {
      throw new AutogradException(
          "backward: grad can be implicitly created only for scalar outputs, but this tensor has shape "
              + Shapes.str(shape()) + "; call backward(gradient) with a gradient of that shape");
    }
    backward(onesLike(), retainGraph);
  }

  /**
   * Gradients of {@code sum_i outputs[i] . gradOutputs[i]} with respect to {@code inputs}, without
   * touching any {@code grad()} (PyTorch's {@code torch.autograd.grad}). With {@code createGraph}
   * the gradients are themselves differentiable, for higher-order derivatives. Inputs the outputs
   * do not depend on get zeros.
   *
   * @param gradOutputs one per output, or null; a null list or entry means ones (scalar outputs)
   * @throws NullPointerException when {@code outputs}, {@code inputs} or one of their elements is
   *     null, naming it
   */
  public static List<Tensor> grad(
      List<Tensor> outputs, List<Tensor> inputs, @Nullable List<Tensor> gradOutputs,
      boolean createGraph) {
    checkNotNull(outputs, "grad: outputs is null");
    checkNotNull(inputs, "grad: inputs is null");
    return grad(outputs, inputs, gradOutputs, createGraph, createGraph);
  }

  /**
   * {@link #grad(List, List, List, boolean)} with the graph kept when {@code retainGraph}, so a
   * second call can run through the same graph: two rows of a Hessian from one forward pass.
   * {@code createGraph} implies keeping the graph, as in PyTorch.
   *
   * <pre>{@code
   * Tensor x = Tensor.of(1.0, 2.0).requiresGrad(true);
   * Tensor g = Tensor.grad(x.pow(3).sum(), List.of(x), true).get(0);      // 3x^2
   * Tensor row0 = Tensor.grad(List.of(g), List.of(x), List.of(Tensor.of(1.0, 0.0)), true, false).get(0);
   * Tensor row1 = Tensor.grad(List.of(g), List.of(x), List.of(Tensor.of(0.0, 1.0)), false, false).get(0);
   * // row0 = [6, 0], row1 = [0, 12]: the Hessian diag(6x)
   * }</pre>
   *
   * @param gradOutputs one per output, or null; a null list or entry means ones (scalar outputs)
   * @throws AutogradException for a graph already freed by an earlier pass without
   *     {@code retainGraph}, an input that does not require grad, or a gradOutput of the wrong
   *     number or shape
   */
  public static List<Tensor> grad(
      List<Tensor> outputs, List<Tensor> inputs, @Nullable List<Tensor> gradOutputs,
      boolean retainGraph, boolean createGraph) {
    checkNotNull(outputs, "grad: outputs is null");
    checkNotNull(inputs, "grad: inputs is null");
    Tensor[] outs = outputs.toArray(new Tensor[0]);
    Tensor[] ins = inputs.toArray(new Tensor[0]);
    for (int i = 0; i < outs.length; i++) {
      if (outs[i] == null) {
        throw new NullPointerException("grad: outputs[" + i + "] is null");
      }
    }
    for (int i = 0; i < ins.length; i++) {
      if (ins[i] == null) {
        throw new NullPointerException("grad: inputs[" + i + "] is null");
      }
    }
    if (gradOutputs != null && gradOutputs.size() != outs.length) {
      throw new AutogradException(
          "grad: " + outs.length + " outputs but " + gradOutputs.size()
              + " gradOutputs (pass one per output, or null for scalar outputs)");
    }
    Tensor[] gos = new Tensor[outs.length];
    for (int i = 0; i < outs.length; i++) {
      Tensor g = gradOutputs == null ? null : gradOutputs.get(i);
      if (g == null) {
        if (outs[i].numel() != 1) {
          throw new AutogradException(
              "grad: output " + i + " has shape " + Shapes.str(outs[i].shape())
                  + "; pass a gradOutput of that shape (only scalars get an implicit one)");
        }
        g = outs[i].onesLike();
      }
      gos[i] = g;
    }
    return Arrays.asList(Engine.grad(outs, ins, gos, retainGraph || createGraph, createGraph));
  }

  /** {@code grad(List.of(output), inputs, null, createGraph)} for a scalar output. */
  public static List<Tensor> grad(Tensor output, List<Tensor> inputs, boolean createGraph) {
    checkNotNull(output, "grad: output is null");
    checkNotNull(inputs, "grad: inputs is null");
    return grad(List.of(output), inputs, null, createGraph);
  }

  /**
   * Turns off graph recording on this thread until the scope closes:
   * {@code try (var s = Tensor.noGrad()) { ... }}.
   */
  public static GradMode.Scope noGrad() {
    return GradMode.noGrad();
  }

  // ================================================================== elementwise

  /** {@code v} as a 0-d tensor of this tensor's dtype, the operand of {@code op(this, v)}. */
  private Tensor s(String op, double v) {
    requireFloat(op);
    return scalar(v, dtype());
  }

  /** Refuses an int64 tensor as the operand of the float op {@code op}. */
  private void requireFloat(String op) {
    if (dtype() == DType.INT64) {
      throw DTypeException.int64NotSupported(op);
    }
  }

  /** {@code this + other}, broadcasting. */
  public Tensor add(Tensor other) {
    checkNotNull(other, "add: other is null");
    return Elementwise.add(this, other);
  }

  /** {@code this + v} (the scalar goes to the kernel as a value: no 0-d tensor is made). */
  public Tensor add(double v) {
    requireFloat("add");
    return Elementwise.addScalar(this, v);
  }

  /** {@code this - other}, broadcasting. */
  public Tensor sub(Tensor other) {
    checkNotNull(other, "sub: other is null");
    return Elementwise.sub(this, other);
  }

  /** {@code this - v}, as {@code this + (-v)}. */
  public Tensor sub(double v) {
    requireFloat("sub");
    return Elementwise.addScalar(this, -v);
  }

  /** {@code v - this}. */
  public Tensor rsub(double v) {
    return Elementwise.rsub(this, v);
  }

  /** {@code this * other}, broadcasting. */
  public Tensor mul(Tensor other) {
    checkNotNull(other, "mul: other is null");
    return Elementwise.mul(this, other);
  }

  /** {@code this * v} (the scalar goes to the kernel as a value: no 0-d tensor is made). */
  public Tensor mul(double v) {
    requireFloat("mul");
    return Elementwise.mulScalar(this, v);
  }

  /** {@code this / other}, broadcasting. */
  public Tensor div(Tensor other) {
    checkNotNull(other, "div: other is null");
    return Elementwise.div(this, other);
  }

  /** {@code this / v} (the scalar goes to the kernel as a value: no 0-d tensor is made). */
  public Tensor div(double v) {
    requireFloat("div");
    return Elementwise.divScalar(this, v);
  }

  /** {@code -this}. */
  public Tensor neg() {
    return Elementwise.neg(this);
  }

  /** {@code this ^ exponent}, broadcasting (tensor exponent, differentiable in both). */
  public Tensor pow(Tensor exponent) {
    checkNotNull(exponent, "pow: exponent is null");
    return Elementwise.pow(this, exponent);
  }

  /** {@code this ^ exponent} with a constant exponent. */
  public Tensor pow(double exponent) {
    return Elementwise.pow(this, s("pow", exponent));
  }

  /** {@code this * this}. */
  public Tensor square() {
    return Elementwise.square(this);
  }

  /** {@code 1 / this}. */
  public Tensor reciprocal() {
    return Elementwise.reciprocal(this);
  }

  /** {@code e^this}. */
  public Tensor exp() {
    return Elementwise.exp(this);
  }

  /** Natural logarithm. */
  public Tensor log() {
    return Elementwise.log(this);
  }

  /** Square root. */
  public Tensor sqrt() {
    return Elementwise.sqrt(this);
  }

  /** Absolute value. */
  public Tensor abs() {
    return Elementwise.abs(this);
  }

  /** Sine. */
  public Tensor sin() {
    return Elementwise.sin(this);
  }

  /** Cosine. */
  public Tensor cos() {
    return Elementwise.cos(this);
  }

  /** Hyperbolic tangent. */
  public Tensor tanh() {
    return Elementwise.tanh(this);
  }

  /** Logistic sigmoid {@code 1 / (1 + e^-x)}, stable for large |x|. */
  public Tensor sigmoid() {
    return Elementwise.sigmoid(this);
  }

  /** {@code max(this, 0)}. */
  public Tensor relu() {
    return Elementwise.relu(this);
  }

  /** Elementwise maximum, broadcasting (ties share the gradient). */
  public Tensor maximum(Tensor other) {
    checkNotNull(other, "maximum: other is null");
    return Elementwise.maximum(this, other);
  }

  /** Elementwise maximum with a constant. */
  public Tensor maximum(double v) {
    return Elementwise.maximum(this, s("maximum", v));
  }

  /** Elementwise minimum, broadcasting. */
  public Tensor minimum(Tensor other) {
    checkNotNull(other, "minimum: other is null");
    return Elementwise.minimum(this, other);
  }

  /** Elementwise minimum with a constant. */
  public Tensor minimum(double v) {
    return Elementwise.minimum(this, s("minimum", v));
  }

  /**
   * {@code min(max(this, lo), hi)}; the gradient passes where {@code lo <= this <= hi}, bounds
   * included, as in PyTorch.
   */
  public Tensor clamp(double lo, double hi) {
    return Elementwise.clamp(this, lo, hi);
  }

  /** {@code max(this, lo)}, with {@link #clamp}'s gradient. */
  public Tensor clampMin(double lo) {
    return Elementwise.clampMin(this, lo);
  }

  /** {@code min(this, hi)}, with {@link #clamp}'s gradient. */
  public Tensor clampMax(double hi) {
    return Elementwise.clampMax(this, hi);
  }

  /** -1, 0 or 1 per element, 0 for NaN as in PyTorch (a constant: no gradient). */
  public Tensor sign() {
    return Elementwise.sign(this);
  }

  /** 1 where {@code this == other}, else 0 (a mask: no gradient). */
  public Tensor eq(Tensor other) {
    checkNotNull(other, "eq: other is null");
    return Elementwise.compare(BinaryOp.EQ, this, other);
  }

  /** 1 where {@code this == v}. */
  public Tensor eq(double v) {
    return eq(scalar(v, dtype() == DType.INT64 ? DType.FLOAT64 : dtype()));
  }

  /** 1 where {@code this != other}. */
  public Tensor ne(Tensor other) {
    checkNotNull(other, "ne: other is null");
    return Elementwise.compare(BinaryOp.NE, this, other);
  }

  /** 1 where {@code this != v}. */
  public Tensor ne(double v) {
    return ne(scalar(v, dtype() == DType.INT64 ? DType.FLOAT64 : dtype()));
  }

  /** 1 where {@code this < other}. */
  public Tensor lt(Tensor other) {
    checkNotNull(other, "lt: other is null");
    return Elementwise.compare(BinaryOp.LT, this, other);
  }

  /** 1 where {@code this < v}. */
  public Tensor lt(double v) {
    return lt(scalar(v, dtype() == DType.INT64 ? DType.FLOAT64 : dtype()));
  }

  /** 1 where {@code this <= other}. */
  public Tensor le(Tensor other) {
    checkNotNull(other, "le: other is null");
    return Elementwise.compare(BinaryOp.LE, this, other);
  }

  /** 1 where {@code this <= v}. */
  public Tensor le(double v) {
    return le(scalar(v, dtype() == DType.INT64 ? DType.FLOAT64 : dtype()));
  }

  /** 1 where {@code this > other}. */
  public Tensor gt(Tensor other) {
    checkNotNull(other, "gt: other is null");
    return Elementwise.compare(BinaryOp.GT, this, other);
  }

  /** 1 where {@code this > v}. */
  public Tensor gt(double v) {
    return gt(scalar(v, dtype() == DType.INT64 ? DType.FLOAT64 : dtype()));
  }

  /** 1 where {@code this >= other}. */
  public Tensor ge(Tensor other) {
    checkNotNull(other, "ge: other is null");
    return Elementwise.compare(BinaryOp.GE, this, other);
  }

  /** 1 where {@code this >= v}. */
  public Tensor ge(double v) {
    return ge(scalar(v, dtype() == DType.INT64 ? DType.FLOAT64 : dtype()));
  }

  /** {@code cond != 0 ? a : b} elementwise, all broadcast together (cond gets no gradient). */
  public static Tensor where(Tensor cond, Tensor a, Tensor b) {
    checkNotNull(cond, "where: cond is null");
    checkNotNull(a, "where: a is null");
    checkNotNull(b, "where: b is null");
    return Elementwise.where(cond, a, b);
  }

  /** This tensor converted to {@code dtype} (differentiable between float types). */
  public Tensor to(DType dtype) {
    checkNotNull(dtype, "to: dtype is null");
    return Elementwise.cast(this, dtype);
  }

  // ================================================================== special functions,
  // activations and masks

  /**
   * {@code ln(1 + this)}, accurate near 0; the primitive {@link dev.cadena.ops.Primitive#LOG1P}.
   *
   * <pre>{@code
   * Tensor.of(1e-10).log1p(); // [1e-10 - 5e-21]; log(1 + 1e-10) would give 1.00000008e-10
   * }</pre>
   */
  public Tensor log1p() {
    return Elementwise.log1p(this);
  }

  /**
   * {@code e^this - 1}, accurate near 0; the primitive {@link dev.cadena.ops.Primitive#EXPM1}.
   *
   * <pre>{@code
   * Tensor.of(1e-10).expm1(); // [1e-10 + 5e-21]
   * }</pre>
   */
  public Tensor expm1() {
    return Elementwise.expm1(this);
  }

  /**
   * The error function {@code erf(x) = 2/sqrt(pi) int_0^x e^(-s^2) ds}, within 1e-15 (relative)
   * of the true value; the primitive {@link dev.cadena.ops.Primitive#ERF}.
   *
   * <pre>{@code
   * Tensor.of(0.5).erf(); // [0.5204998778130465]
   * }</pre>
   */
  public Tensor erf() {
    return Elementwise.erf(this);
  }

  /**
   * The complementary error function {@code erfc(x) = 1 - erf(x)}, accurate in its tail; the
   * primitive {@link dev.cadena.ops.Primitive#ERFC}.
   *
   * <pre>{@code
   * Tensor.of(10.0).erfc(); // [2.088487583762545e-45]; 1 - erf(10) is 0
   * }</pre>
   */
  public Tensor erfc() {
    return Elementwise.erfc(this);
  }

  /**
   * {@code v / this} elementwise (PyTorch's {@code rdiv}, {@code v / x}); a composition.
   *
   * <pre>{@code
   * Tensor.of(2.0, 4.0).rdiv(1.0); // [0.5, 0.25]
   * }</pre>
   */
  public Tensor rdiv(double v) {
    return Elementwise.rdiv(this, v);
  }

  /**
   * {@code log(1 + e^(beta x)) / beta}, and {@code x} where {@code beta x > threshold} (PyTorch's
   * {@code softplus}); a composition that never overflows.
   *
   * <pre>{@code
   * Tensor.of(-1000.0, 0.0, 1000.0).softplus(1.0, 20.0); // [0, 0.6931, 1000]
   * }</pre>
   *
   * @throws IllegalArgumentException unless beta is positive and finite and threshold finite
   */
  public Tensor softplus(double beta, double threshold) {
    return Elementwise.softplus(this, beta, threshold);
  }

  /** {@link #softplus(double, double)} with PyTorch's defaults, beta 1 and threshold 20. */
  public Tensor softplus() {
    return Elementwise.softplus(this, 1.0, 20.0);
  }

  /**
   * {@code log(sigmoid(x)) = -softplus(-x) = min(x, 0) - log1p(e^-|x|)}, stable for every x; a
   * composition.
   *
   * <pre>{@code
   * Tensor.of(-1000.0, 0.0).logSigmoid(); // [-1000, -0.6931]
   * }</pre>
   */
  public Tensor logSigmoid() {
    return Elementwise.logSigmoid(this);
  }

  /**
   * {@code x * sigmoid(x)} (SiLU, swish); a composition.
   *
   * <pre>{@code
   * Tensor.of(0.0, 1.0).silu(); // [0, 0.7311]
   * }</pre>
   */
  public Tensor silu() {
    return Elementwise.silu(this);
  }

  /**
   * {@code min(max(x, lo), hi)} with PyTorch's {@code hardtanh} gradient ({@code grad} strictly
   * inside {@code (lo, hi)}, else 0); a composition.
   *
   * <pre>{@code
   * Tensor.of(-3.0, 0.5, 3.0).hardtanh(-1, 1); // [-1, 0.5, 1]
   * }</pre>
   *
   * @throws IllegalArgumentException when {@code lo > hi}
   */
  public Tensor hardtanh(double lo, double hi) {
    return Elementwise.hardtanh(this, lo, hi);
  }

  /** {@link #hardtanh(double, double)} on PyTorch's default range {@code [-1, 1]}. */
  public Tensor hardtanh() {
    return Elementwise.hardtanh(this, -1.0, 1.0);
  }

  /**
   * The exact GELU {@code x Phi(x) = x/2 * erfc(-x / sqrt 2)}, Phi the standard normal CDF; a
   * composition.
   *
   * <pre>{@code
   * Tensor.of(-1.0, 0.0, 1.0).gelu(); // [-0.1587, 0, 0.8413]
   * }</pre>
   */
  public Tensor gelu() {
    return Elementwise.gelu(this, "none");
  }

  /**
   * GELU with PyTorch's {@code approximate}: {@code "none"} (exact, {@link #gelu()}) or {@code
   * "tanh"}, {@code x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}; a composition.
   *
   * <pre>{@code
   * Tensor.of(1.0).gelu("tanh"); // [0.8412]
   * }</pre>
   *
   * @throws IllegalArgumentException for another string
   */
  public Tensor gelu(String approximate) {
    checkNotNull(approximate, "gelu: approximate is null");
    return Elementwise.gelu(this, approximate);
  }

  /**
   * This tensor with {@code value} where {@code mask != 0}; {@code mask} broadcasts to this
   * tensor's shape. The gradient is 0 where filled, {@code grad} elsewhere; the mask gets none.
   *
   * <pre>{@code
   * Tensor scores = Tensor.of(1.0, 2.0, 3.0);
   * scores.maskedFill(scores.gt(2.5), Double.NEGATIVE_INFINITY); // [1, 2, -inf]
   * }</pre>
   *
   * @throws ShapeException when the mask does not broadcast to this shape
   */
  public Tensor maskedFill(Tensor mask, double value) {
    checkNotNull(mask, "maskedFill: mask is null");
    return Elementwise.maskedFill(this, mask, value);
  }

  /**
   * 1 where this element is NaN, else 0: a mask, not differentiable.
   *
   * <pre>{@code
   * Tensor.of(1.0, Double.NaN).isnan(); // [0, 1]
   * }</pre>
   */
  public Tensor isnan() {
    return Elementwise.isnan(this);
  }

  /**
   * 1 where this element is {@code +inf} or {@code -inf}, else 0: a mask, not differentiable.
   *
   * <pre>{@code
   * Tensor.of(1.0, Double.NEGATIVE_INFINITY).isinf(); // [0, 1]
   * }</pre>
   */
  public Tensor isinf() {
    return Elementwise.isinf(this);
  }

  /**
   * 1 where this element is finite (not NaN, not infinite), else 0: a mask, not differentiable.
   *
   * <pre>{@code
   * Tensor.of(1.0, Double.NaN, Double.POSITIVE_INFINITY).isfinite(); // [1, 0, 0]
   * }</pre>
   */
  public Tensor isfinite() {
    return Elementwise.isfinite(this);
  }

  /**
   * 1 where this element is 0, else 0 (NaN is true): a mask, not differentiable.
   *
   * <pre>{@code
   * Tensor.of(0.0, 2.0).logicalNot(); // [1, 0]
   * }</pre>
   */
  public Tensor logicalNot() {
    return Elementwise.logicalNot(this);
  }

  /**
   * 1 where both this and {@code other} are nonzero, broadcasting: a mask, not differentiable.
   *
   * <pre>{@code
   * Tensor.of(1.0, 1.0, 0.0).logicalAnd(Tensor.of(1.0, 0.0, 0.0)); // [1, 0, 0]
   * }</pre>
   */
  public Tensor logicalAnd(Tensor other) {
    checkNotNull(other, "logicalAnd: other is null");
    return Elementwise.logicalAnd(this, other);
  }

  /**
   * 1 where this or {@code other} is nonzero, broadcasting: a mask, not differentiable.
   *
   * <pre>{@code
   * Tensor.of(1.0, 1.0, 0.0).logicalOr(Tensor.of(1.0, 0.0, 0.0)); // [1, 1, 0]
   * }</pre>
   */
  public Tensor logicalOr(Tensor other) {
    checkNotNull(other, "logicalOr: other is null");
    return Elementwise.logicalOr(this, other);
  }

  /**
   * 0-d: 1 if any element is nonzero (NaN counts), else 0 (also when empty): a mask, not
   * differentiable.
   *
   * <pre>{@code
   * Tensor.of(0.0, 3.0).any(); // 1
   * }</pre>
   */
  public Tensor any() {
    return Reductions.any(this, new int[0], false);
  }

  /**
   * 1 where any element along {@code axis} is nonzero, else 0: a mask, not differentiable.
   *
   * <pre>{@code
   * Tensor.of(new double[][] {{0, 1}, {0, 0}}).any(1, false); // [1, 0]
   * }</pre>
   */
  public Tensor any(int axis, boolean keepDims) {
    return Reductions.any(this, new int[] {axis}, keepDims);
  }

  /**
   * 0-d: 1 if every element is nonzero (NaN counts), else 0 (1 when empty): a mask, not
   * differentiable.
   *
   * <pre>{@code
   * Tensor.of(1.0, 3.0).all(); // 1
   * }</pre>
   */
  public Tensor all() {
    return Reductions.all(this, new int[0], false);
  }

  /**
   * 1 where every element along {@code axis} is nonzero, else 0: a mask, not differentiable.
   *
   * <pre>{@code
   * Tensor.of(new double[][] {{1, 1}, {0, 1}}).all(1, false); // [1, 0]
   * }</pre>
   */
  public Tensor all(int axis, boolean keepDims) {
    return Reductions.all(this, new int[] {axis}, keepDims);
  }

  // ================================================================== matmul

  /** Matrix product with NumPy's rules (vectors, matrices, broadcast batches). */
  public Tensor matmul(Tensor other) {
    checkNotNull(other, "matmul: other is null");
    return LinearAlgebra.matmul(this, other);
  }

  // ================================================================== reductions

  /** The axes of a reduction over every axis (an empty list, never written to). */
  private static final int[] ALL_AXES = {};

  /** Sum of all elements (a 0-d tensor). */
  public Tensor sum() {
    return Reductions.sum(this, ALL_AXES, false);
  }

  /** Sum over one axis. */
  public Tensor sum(int axis) {
    return Reductions.sum(this, new int[] {axis}, false);
  }

  /** Sum over one axis, keeping it as size 1 when {@code keepDims}. */
  public Tensor sum(int axis, boolean keepDims) {
    return Reductions.sum(this, new int[] {axis}, keepDims);
  }

  /** Sum over several axes (empty: all). */
  public Tensor sum(int[] axes, boolean keepDims) {
    checkNotNull(axes, "sum: axes is null");
    return Reductions.sum(this, axes, keepDims);
  }

  /** Mean of all elements. */
  public Tensor mean() {
    return Reductions.mean(this, ALL_AXES, false);
  }

  /** Mean over one axis. */
  public Tensor mean(int axis) {
    return Reductions.mean(this, new int[] {axis}, false);
  }

  /** Mean over one axis, keeping it when {@code keepDims}. */
  public Tensor mean(int axis, boolean keepDims) {
    return Reductions.mean(this, new int[] {axis}, keepDims);
  }

  /** Mean over several axes (empty: all). */
  public Tensor mean(int[] axes, boolean keepDims) {
    checkNotNull(axes, "mean: axes is null");
    return Reductions.mean(this, axes, keepDims);
  }

  /** Largest element (0-d); NaN if any element is NaN. Ties share the gradient, as {@link #amax}. */
  public Tensor max() {
    return Reductions.max(this, ALL_AXES, false);
  }

  /**
   * The largest entry along {@code axis} and its index, as PyTorch's {@code x.max(dim)}; see
   * {@link #max(int, boolean)}.
   */
  public ValuesIndices max(int axis) {
    return Sorting.max(this, axis, false);
  }

  /**
   * The largest entry along {@code axis} and its index (int64; the first on ties, the first NaN
   * if any), the axis kept as size 1 when {@code keepDims}, as PyTorch's {@code x.max(dim,
   * keepdim)}. The gradient of the values goes to the entry whose index is returned; {@link
   * #amax} instead shares it among tied maxima.
   *
   * <pre>{@code
   * Tensor.of(new double[][] {{1, 5, 2}, {7, 0, 7}}).max(1)   // values [5, 7], indices [1, 0]
   * }</pre>
   */
  public ValuesIndices max(int axis, boolean keepDims) {
    return Sorting.max(this, axis, keepDims);
  }

  /**
   * The largest entry over {@code axes} (one, several, or none for all), without the reduced axes,
   * as PyTorch's {@code amax}; tied maxima share the gradient evenly ({@link
   * dev.cadena.ops.Primitive#MAX}).
   *
   * <pre>{@code
   * Tensor.of(new double[][] {{1, 5}, {7, 0}}).amax(0)   // [7, 5]
   * }</pre>
   */
  public Tensor amax(int... axes) {
    checkNotNull(axes, "amax: axes is null");
    return Reductions.max(this, axes, false);
  }

  /** The largest entry over {@code axes} (empty: all), keeping them as size 1 when {@code keepDims}. */
  public Tensor amax(int[] axes, boolean keepDims) {
    checkNotNull(axes, "amax: axes is null");
    return Reductions.max(this, axes, keepDims);
  }

  /** Smallest element (0-d); see {@link #max()}. */
  public Tensor min() {
    return Reductions.min(this, ALL_AXES, false);
  }

  /** The smallest entry along {@code axis} and its index; see {@link #max(int, boolean)}. */
  public ValuesIndices min(int axis) {
    return Sorting.min(this, axis, false);
  }

  /**
   * The smallest entry along {@code axis} and its index (the first on ties), the axis kept when
   * {@code keepDims}, as PyTorch's {@code x.min(dim, keepdim)}; see {@link #max(int, boolean)}.
   */
  public ValuesIndices min(int axis, boolean keepDims) {
    return Sorting.min(this, axis, keepDims);
  }

  /** The smallest entry over {@code axes} (none: all), as PyTorch's {@code amin}; see {@link #amax(int...)}. */
  public Tensor amin(int... axes) {
    checkNotNull(axes, "amin: axes is null");
    return Reductions.min(this, axes, false);
  }

  /** The smallest entry over {@code axes} (empty: all), keeping them when {@code keepDims}. */
  public Tensor amin(int[] axes, boolean keepDims) {
    checkNotNull(axes, "amin: axes is null");
    return Reductions.min(this, axes, keepDims);
  }

  /** Unbiased variance of all elements (divides by N - 1, as PyTorch's default). */
  public Tensor var() {
    return Reductions.var(this, ALL_AXES, 1, false);
  }

  /** Unbiased variance along one axis. */
  public Tensor var(int axis) {
    return Reductions.var(this, new int[] {axis}, 1, false);
  }

  /** Variance over axes (empty: all) with a correction (1 unbiased, 0 population). */
  public Tensor var(int[] axes, int correction, boolean keepDims) {
    checkNotNull(axes, "var: axes is null");
    return Reductions.var(this, axes, correction, keepDims);
  }

  /** Unbiased standard deviation of all elements. */
  public Tensor std() {
    return Reductions.std(this, ALL_AXES, 1, false);
  }

  /** Unbiased standard deviation along one axis. */
  public Tensor std(int axis) {
    return Reductions.std(this, new int[] {axis}, 1, false);
  }

  /** Standard deviation over axes with a correction. */
  public Tensor std(int[] axes, int correction, boolean keepDims) {
    checkNotNull(axes, "std: axes is null");
    return Reductions.std(this, axes, correction, keepDims);
  }

  /** {@code log(sum(exp(x)))} along one axis, stable for large inputs. */
  public Tensor logsumexp(int axis) {
    return Reductions.logsumexp(this, new int[] {axis}, false);
  }

  /** {@code log(sum(exp(x)))} along one axis, keeping it when {@code keepDims}. */
  public Tensor logsumexp(int axis, boolean keepDims) {
    return Reductions.logsumexp(this, new int[] {axis}, keepDims);
  }

  /**
   * {@code log(sum(exp(x)))} over several axes (none: all), keeping them when {@code keepDims};
   * as {@code torch.logsumexp(x, dim=axes)}.
   */
  public Tensor logsumexp(int[] axes, boolean keepDims) {
    checkNotNull(axes, "logsumexp: axes is null");
    return Reductions.logsumexp(this, axes, keepDims);
  }

  /** Softmax along an axis: non-negative, summing to 1, stable for large inputs. */
  public Tensor softmax(int axis) {
    return Reductions.softmax(this, axis);
  }

  /** Log of the softmax along an axis, computed stably. */
  public Tensor logSoftmax(int axis) {
    return Reductions.logSoftmax(this, axis);
  }

  /** Flat index of the largest element (0-d int64). */
  public Tensor argmax() {
    return Reductions.argmax(this, null, false);
  }

  /** Index of the largest element along an axis (int64). */
  public Tensor argmax(int axis) {
    return Reductions.argmax(this, axis, false);
  }

  /** Index of the largest element along an axis, keeping it when {@code keepDims}. */
  public Tensor argmax(int axis, boolean keepDims) {
    return Reductions.argmax(this, axis, keepDims);
  }

  /** Flat index of the smallest element. */
  public Tensor argmin() {
    return Reductions.argmin(this, null, false);
  }

  /** Index of the smallest element along an axis (int64). */
  public Tensor argmin(int axis) {
    return Reductions.argmin(this, axis, false);
  }

  /** Sums this tensor down to {@code shape} (the inverse of broadcasting). */
  public Tensor sumTo(int... shape) {
    checkNotNull(shape, "sumTo: shape is null");
    return Reductions.sumTo(this, shape);
  }

  // ================================================================== movement

  /** Same elements, new shape; one size may be -1. A view when the layout allows. */
  public Tensor reshape(int... shape) {
    checkNotNull(shape, "reshape: shape is null");
    return Movement.reshape(this, shape);
  }

  /** Alias of {@link #reshape}. */
  public Tensor view(int... shape) {
    checkNotNull(shape, "view: shape is null");
    return Movement.reshape(this, shape);
  }

  /** All elements in one dimension. */
  public Tensor flatten() {
    return reshape(numel());
  }

  /**
   * Dimensions {@code start..end} (inclusive, negative from the end) merged into one. A 0-d
   * tensor counts as rank 1 here, as in PyTorch: its only valid axes are 0 and -1, and it
   * flattens to shape {@code [1]}.
   *
   * @throws ShapeException for an axis out of range, or {@code start} after {@code end}
   */
  public Tensor flatten(int start, int end) {
    try (var o = Anomaly.operands("flatten", "x", this)) {
      return flattenImpl(start, end);
    }
  }

  private Tensor flattenImpl(int start, int end) {
    int[] s = shape();
    if (s.length == 0) {
      Shapes.axis("flatten", start, 1);
      Shapes.axis("flatten", end, 1);
      return reshape(1);
    }
    int a = Shapes.axis("flatten", start, s.length);
    int b = Shapes.axis("flatten", end, s.length);
    if (a > b) {
      throw new ShapeException("flatten: start axis " + start + " comes after end axis " + end
          + " (shape " + Shapes.str(s) + ")");
    }
    int[] r = new int[s.length - (b - a)];
    int j = 0;
    for (int i = 0; i < a; i++) {
      r[j++] = s[i];
    }
    int m = 1;
    for (int i = a; i <= b; i++) {
      m *= s[i];
    }
    r[j++] = m;
    for (int i = b + 1; i < s.length; i++) {
      r[j++] = s[i];
    }
    return reshape(r);
  }

  /** Axes reordered: result axis i is this tensor's axis {@code perm[i]} (a view). */
  public Tensor permute(int... perm) {
    checkNotNull(perm, "permute: perm is null");
    return Movement.permute(this, perm);
  }

  /** Two axes swapped (a view). */
  public Tensor transpose(int axis0, int axis1) {
    return Movement.transpose(this, axis0, axis1);
  }

  /** The transpose of a matrix (rank 2; rank 0 and 1 are returned as they are). */
  public Tensor t() {
    try (var o = Anomaly.operands("t", "x", this)) {
      return tImpl();
    }
  }

  private Tensor tImpl() {
    if (rank() > 2) {
      throw new ShapeException(
          "t: expects a tensor of rank <= 2, got shape " + Shapes.str(shape()) + "; use mT() or transpose()");
    }
    return rank() < 2 ? this : transpose(0, 1);
  }

  /** The last two axes swapped (batched matrix transpose). */
  public Tensor mT() {
    try (var o = Anomaly.operands("mT", "x", this)) {
      return mTImpl();
    }
  }

  private Tensor mTImpl() {
    if (rank() < 2) {
      throw new ShapeException("mT: expects a tensor of rank >= 2, got shape " + Shapes.str(shape()));
    }
    return transpose(-2, -1);
  }

  /**
   * A broadcast view with a larger shape (NumPy's rules: size-1 dims stretch, new dims lead).
   * A size of -1 keeps the matching existing dim, as in PyTorch, and is not allowed for a new
   * leading dim: {@code Tensor.zeros(3, 1).expand(2, -1, 4)} has shape {@code [2, 3, 4]}.
   *
   * @throws ShapeException when this shape does not broadcast to {@code shape}, or for a -1 on
   *     a new leading dim
   */
  public Tensor expand(int... shape) {
    try (var o = Anomaly.operands("expand", "x", this)) {
      return expandImpl(shape);
    }
  }

  private Tensor expandImpl(int... shape) {
    checkNotNull(shape, "expand: shape is null");
    return Movement.expand(this, ShapeOps.expandShape("expand", this, shape));
  }

  /** Alias of {@link #expand} (-1 keeps a dim, as there). */
  public Tensor broadcastTo(int... shape) {
    try (var o = Anomaly.operands("broadcastTo", "x", this)) {
      return broadcastToImpl(shape);
    }
  }

  private Tensor broadcastToImpl(int... shape) {
    checkNotNull(shape, "broadcastTo: shape is null");
    return Movement.expand(this, ShapeOps.expandShape("broadcastTo", this, shape));
  }

  /** Removes every size-1 axis. */
  public Tensor squeeze() {
    return Movement.squeeze(this);
  }

  /** Removes axis {@code axis}, which must have size 1. */
  public Tensor squeeze(int axis) {
    return Movement.squeeze(this, axis);
  }

  /** Inserts a size-1 axis. */
  public Tensor unsqueeze(int axis) {
    return Movement.unsqueeze(this, axis);
  }

  /** Elements {@code start} (inclusive) to {@code end} (exclusive) along {@code axis} (a view). */
  public Tensor slice(int axis, int start, int end) {
    return Movement.slice(this, axis, start, end, 1);
  }

  /** Elements {@code start, start+step, ...} below {@code end} along {@code axis} (a view). */
  public Tensor slice(int axis, int start, int end, int step) {
    return Movement.slice(this, axis, start, end, step);
  }

  /**
   * {@code length} elements from {@code start} along {@code axis} (a view).
   *
   * @throws ShapeException when the range does not fit the dimension (a negative start or
   *     length, or {@code start + length > size(axis)})
   */
  public Tensor narrow(int axis, int start, int length) {
    try (var o = Anomaly.operands("narrow", "x", this)) {
      return narrowImpl(axis, start, length);
    }
  }

  private Tensor narrowImpl(int axis, int start, int length) {
    int a = Shapes.axis("narrow", axis, rank());
    int n = size(a);
    // In long: start + length overflows an int for narrow(0, 1, Integer.MAX_VALUE).
    long end = (long) start + length;
    if (start < 0 || length < 0 || end > n) {
      throw new ShapeException(
          "narrow: range [" + start + ", " + end + ") does not fit dimension " + a
              + " of size " + n + " (shape " + Shapes.str(shape()) + ")");
    }
    return Movement.slice(this, a, start, start + length, 1);
  }

  /** The sub-tensor at {@code index} along {@code axis}, with that axis removed. */
  public Tensor select(int axis, int index) {
    try (var o = Anomaly.operands("select", "x", this)) {
      return selectImpl(axis, index);
    }
  }

  private Tensor selectImpl(int axis, int index) {
    int a = Shapes.axis("select", axis, rank());
    int n = size(a);
    int i = index < 0 ? index + n : index;
    if (i < 0 || i >= n) {
      throw new ShapeException(
          "select: index " + index + " is out of range for dimension " + a + " of size " + n
              + " (shape " + Shapes.str(shape()) + ")");
    }
    return Movement.slice(this, a, i, i + 1, 1).squeeze(a);
  }

  /** Joins tensors along an existing axis. */
  public static Tensor concat(List<Tensor> tensors, int axis) {
    checkElements("concat", tensors);
    return Movement.concat(tensors, axis);
  }

  /** Alias of {@link #concat} (PyTorch's {@code cat}). */
  public static Tensor cat(List<Tensor> tensors, int axis) {
    checkElements("cat", tensors);
    return Movement.concat(tensors, axis);
  }

  /** Stacks equally shaped tensors along a new axis. */
  public static Tensor stack(List<Tensor> tensors, int axis) {
    checkElements("stack", tensors);
    return Movement.stack(tensors, axis);
  }

  /** Entries {@code index} (1-d int64) along {@code axis}. */
  public Tensor indexSelect(int axis, Tensor index) {
    checkNotNull(index, "indexSelect: index is null");
    return Movement.indexSelect(this, axis, index);
  }

  /** A copy with {@code src} added at entries {@code index} along {@code axis}. */
  public Tensor indexAdd(int axis, Tensor index, Tensor src) {
    checkNotNull(index, "indexAdd: index is null");
    checkNotNull(src, "indexAdd: src is null");
    return Movement.indexAdd(this, axis, index, src);
  }

  /** One entry along {@code axis} per position of {@code index} (int64, same rank). */
  public Tensor gather(int axis, Tensor index) {
    checkNotNull(index, "gather: index is null");
    return Movement.gather(this, axis, index);
  }

  /** A copy with {@code src} added where {@code index} points along {@code axis}. */
  public Tensor scatterAdd(int axis, Tensor index, Tensor src) {
    checkNotNull(index, "scatterAdd: index is null");
    checkNotNull(src, "scatterAdd: src is null");
    return Movement.scatterAdd(this, axis, index, src);
  }

  /** A copy with the slice {@code start:end:step} along {@code axis} replaced by {@code src}. */
  public Tensor sliceScatter(Tensor src, int axis, int start, int end, int step) {
    checkNotNull(src, "sliceScatter: src is null");
    return Movement.sliceScatter(this, src, axis, start, end, step);
  }

  /** One-hot float64 rows for these int64 labels. */
  public Tensor oneHot(int numClasses) {
    return Movement.oneHot(this, numClasses);
  }

  // ================================================================== shape ops and einsum

  /**
   * Pieces of {@code splitSize} along {@code dim} (the last one smaller when the size does not
   * divide), each a view, as {@code torch.split(x, splitSize, dim)}; a dimension of size 0 gives
   * one empty piece. {@code Tensor.concat(pieces, dim)} gives {@code x} back.
   *
   * <pre>{@code
   * Tensor.arange(5).split(2, 0);   // [0, 1], [2, 3], [4]
   * }</pre>
   *
   * @return an unmodifiable list
   * @throws ShapeException for a {@code splitSize} below 1 or a bad {@code dim}
   */
  public List<Tensor> split(int splitSize, int dim) {
    return ShapeOps.split(this, splitSize, dim);
  }

  /**
   * Pieces of the given sizes along {@code dim}, as {@code torch.split(x, [s0, s1, ...], dim)}.
   *
   * <pre>{@code
   * Tensor.arange(5).split(new int[] {1, 4}, 0);   // [0], [1, 2, 3, 4]
   * }</pre>
   *
   * @return an unmodifiable list
   * @throws ShapeException when a size is negative or they do not add up to {@code size(dim)}
   */
  public List<Tensor> split(int[] sizes, int dim) {
    checkNotNull(sizes, "split: sizes is null");
    return ShapeOps.split(this, sizes, dim);
  }

  /**
   * At most {@code chunks} pieces of {@code ceil(size(dim) / chunks)} along {@code dim}, as
   * {@code torch.chunk}: fewer when the elements run out first, and {@code chunks} empty pieces
   * of a dimension of size 0.
   *
   * <pre>{@code
   * Tensor.arange(5).chunk(3, 0);   // [0, 1], [2, 3], [4]
   * Tensor.arange(4).chunk(3, 0);   // [0, 1], [2, 3]  (two pieces, as PyTorch)
   * }</pre>
   *
   * @return an unmodifiable list
   * @throws ShapeException for {@code chunks} below 1, more than {@code 65536} pieces of an empty
   *     dimension, or a bad {@code dim}
   */
  public List<Tensor> chunk(int chunks, int dim) {
    return ShapeOps.chunk(this, chunks, dim);
  }

  /**
   * The sub-tensors {@code select(dim, i)} for every {@code i}, as {@code torch.unbind}; {@code
   * Tensor.stack(x.unbind(d), d)} gives {@code x} back.
   *
   * <pre>{@code
   * Tensor.of(new double[][] {{1, 2}, {3, 4}}).unbind(1);   // [1, 3], [2, 4]
   * }</pre>
   *
   * @return an unmodifiable list
   */
  public List<Tensor> unbind(int dim) {
    return ShapeOps.unbind(this, dim);
  }

  /**
   * The elements in reverse order along each of {@code dims}, as {@code torch.flip}: {@code
   * out[i] = x[n - 1 - i]} on each flipped dim.
   *
   * <pre>{@code
   * Tensor.of(1, 2, 3).flip(0);   // [3, 2, 1]
   * }</pre>
   *
   * @throws ShapeException for a bad dim or one given twice
   */
  public Tensor flip(int... dims) {
    checkNotNull(dims, "flip: dims is null");
    return ShapeOps.flip(this, dims);
  }

  /**
   * Elements shifted along each of {@code dims} by the matching shift, wrapping around, as
   * {@code torch.roll}: {@code out[(j + shift) mod n] = x[j]}; negative shifts go the other way.
   *
   * <pre>{@code
   * Tensor.of(1, 2, 3, 4).roll(new int[] {1}, new int[] {0});   // [4, 1, 2, 3]
   * }</pre>
   *
   * @throws ShapeException when {@code shifts} and {@code dims} differ in length or are empty,
   *     or for a bad dim
   */
  public Tensor roll(int[] shifts, int[] dims) {
    checkNotNull(shifts, "roll: shifts is null");
    checkNotNull(dims, "roll: dims is null");
    return ShapeOps.roll(this, shifts, dims);
  }

  /** {@link #roll(int[], int[])} along one dim: {@code roll(new int[] {shift}, new int[] {dim})}. */
  public Tensor roll(int shift, int dim) {
    return ShapeOps.roll(this, new int[] {shift}, new int[] {dim});
  }

  /**
   * The elements in row-major order shifted by {@code shift}, wrapping around, in this tensor's
   * shape: PyTorch's {@code roll} without dims.
   *
   * <pre>{@code
   * Tensor.of(new double[][] {{1, 2}, {3, 4}}).roll(1);   // [[4, 1], [2, 3]]
   * }</pre>
   */
  public Tensor roll(int shift) {
    return ShapeOps.roll(this, shift);
  }

  /**
   * This tensor repeated {@code sizes[i]} times along each dim, as {@code
   * torch.Tensor.repeat}: {@code sizes} needs at least {@code rank()} entries, and extra leading
   * ones add new dims; {@code out[i] = x[i mod n]} on every dim.
   *
   * <pre>{@code
   * Tensor.of(1, 2).repeat(2, 2);   // [[1, 2, 1, 2], [1, 2, 1, 2]]
   * }</pre>
   *
   * @throws ShapeException for fewer sizes than dims, a negative size, or a result too large
   */
  public Tensor repeat(int... sizes) {
    checkNotNull(sizes, "repeat: sizes is null");
    return ShapeOps.repeat(this, sizes);
  }

  /**
   * {@link #repeat} with {@code reps} padded by leading 1s to {@code rank()} entries, as {@code
   * torch.tile}: {@code Tensor.zeros(2, 3).tile(2)} has shape {@code [2, 6]}.
   *
   * @throws ShapeException for a negative entry or a result too large
   */
  public Tensor tile(int... reps) {
    checkNotNull(reps, "tile: reps is null");
    return ShapeOps.tile(this, reps);
  }

  /**
   * The lower triangle of the last two dims, as {@code torch.tril}: entry {@code [i, j]} is kept
   * where {@code j - i <= diagonal}, else 0 (0 is the main diagonal, positive above it).
   *
   * <pre>{@code
   * Tensor.ones(2, 2).tril(0);   // [[1, 0], [1, 1]]
   * }</pre>
   *
   * @throws ShapeException for a rank below 2
   */
  public Tensor tril(int diagonal) {
    return ShapeOps.tril(this, diagonal);
  }

  /** {@link #tril(int)} with the main diagonal, PyTorch's default. */
  public Tensor tril() {
    return ShapeOps.tril(this, 0);
  }

  /**
   * The upper triangle of the last two dims, as {@code torch.triu}: entry {@code [i, j]} is kept
   * where {@code j - i >= diagonal}, else 0; {@code x.tril(k).add(x.triu(k + 1))} is {@code x}.
   *
   * <pre>{@code
   * Tensor.ones(2, 2).triu(1);   // [[0, 1], [0, 0]]
   * }</pre>
   *
   * @throws ShapeException for a rank below 2
   */
  public Tensor triu(int diagonal) {
    return ShapeOps.triu(this, diagonal);
  }

  /** {@link #triu(int)} with the main diagonal, PyTorch's default. */
  public Tensor triu() {
    return ShapeOps.triu(this, 0);
  }

  /**
   * A copy that stays in the graph, as {@code torch.clone}: new storage with the same values,
   * and the gradient flows back to this tensor ({@code mul(x, 1)}, exact for every value).
   * {@code x.detach().clone()} is a plain copy outside the graph.
   *
   * <pre>{@code
   * Tensor x = Tensor.of(1.0, 2.0).requiresGrad(true);
   * x.clone().sum().backward();   // x.grad() = [1, 1]
   * }</pre>
   */
  public Tensor clone() {
    return ShapeOps.clone(this);
  }

  /**
   * Batched matrix product, as {@code torch.bmm}: this {@code [b, n, m]} times {@code other}
   * {@code [b, m, p]} is {@code [b, n, p]}, {@code out[k] = this[k] @ other[k]}. Stricter than
   * {@link #matmul}: both must be 3-d with equal batch sizes (no broadcasting).
   *
   * <pre>{@code
   * Tensor.ones(4, 2, 3).bmm(Tensor.ones(4, 3, 5));   // shape [4, 2, 5], every entry 3
   * }</pre>
   *
   * @throws ShapeException when either is not 3-d, the batch sizes differ or the inner
   *     dimensions differ, naming both shapes
   */
  public Tensor bmm(Tensor other) {
    checkNotNull(other, "bmm: other is null");
    return LinearAlgebra.bmm(this, other);
  }

  /**
   * Einstein summation, as {@code torch.einsum}: each operand's dims are labelled by the letters
   * ({@code a-z}, {@code A-Z}) of its term, and the result is the sum, over every index not in the
   * output, of the product of the operands' entries:
   * {@code einsum("ij,jk->ik", a, b)[i][k] = sum_j a[i][j] * b[j][k]}.
   *
   * <ul>
   *   <li>Explicit output after {@code ->}, or implicit: the indices that appear exactly once,
   *       sorted (upper case first), after the ellipsis dims ({@code "ij,jk"} is {@code
   *       "ij,jk->ik"}, {@code "ii"} a trace).
   *   <li>An index repeated in one operand takes the diagonal ({@code "ii->i"}); one absent from
   *       the output is summed ({@code "ij->i"}); one in several operands and in the output is a
   *       batch index ({@code "bij,bjk->bik"}).
   *   <li>{@code ...} stands for the dims not labelled, broadcast across operands (right-aligned,
   *       size 1 stretches); they are summed when the explicit output has no {@code ...}. Sizes
   *       of one index must agree or be 1 (broadcast), except within one operand. Spaces are
   *       allowed anywhere.
   *   <li>Any number of operands (at least one), contracted pairwise from left to right, each
   *       pair as one batched {@code matmul}; a composition of primitives, so differentiable to
   *       any order.
   * </ul>
   *
   * <pre>{@code
   * Tensor a = Tensor.ones(2, 3), b = Tensor.ones(3, 4);
   * Tensor.einsum("ij,jk->ik", a, b);         // a.matmul(b), shape [2, 4]
   * Tensor.einsum("ii", Tensor.eye(3));       // trace: 3
   * Tensor.einsum("...ij->...ji", a);         // a.mT()
   * }</pre>
   *
   * @throws ShapeException for a malformed equation (a bad character, {@code ->} twice, an
   *     output index repeated or absent from the inputs), a number of terms other than the number
   *     of operands, a term that does not fit its operand's rank, or sizes that disagree; the
   *     message names {@code einsum}, the equation and the operands' shapes
   */
  public static Tensor einsum(String equation, Tensor... operands) {
    checkNotNull(equation, "einsum: equation is null");
    checkNotNull(operands, "einsum: operands is null");
    return Einsum.einsum(equation, operands);
  }

  // ================================================================== sorting and scans

  /**
   * Values and their int64 indices along an axis, as PyTorch's {@code torch.return_types}: what
   * {@link #sort}, {@link #topk}, {@link #kthvalue} and {@link #max(int)}/{@link #min(int)}
   * return. The values carry the gradient; the indices are a constant.
   *
   * @param values the selected entries
   * @param indices where they were taken from along the axis (int64)
   */
  public record ValuesIndices(Tensor values, Tensor indices) {
    /** @throws NullPointerException when an argument is null */
    public ValuesIndices {
      checkNotNull(values, "ValuesIndices: values is null");
      checkNotNull(indices, "ValuesIndices: indices is null");
    }

    /** {@code ValuesIndices(values=tensor(...), indices=tensor(...))}, one line each. */
    @Override
    public String toString() {
      return "ValuesIndices(\n  values=" + values + ",\n  indices=" + indices + ")";
    }
  }

  /**
   * Sorted along {@code axis} (ascending), with the indices that sort it; see {@link #sort(int,
   * boolean)}.
   */
  public ValuesIndices sort(int axis) {
    return Sorting.sort(this, axis, false);
  }

  /**
   * Sorted along {@code axis}, ascending or {@code descending}, with the int64 indices that sort
   * it, as PyTorch's {@code sort(dim, descending, stable=True)}: stable, NaN sorting as the
   * largest value. The values are {@code gather(axis, indices)}, so their gradient flows back to
   * the entries they came from.
   *
   * <pre>{@code
   * Tensor.of(3.0, 1.0, 2.0).sort(0, true)   // values [3, 2, 1], indices [0, 2, 1]
   * }</pre>
   */
  public ValuesIndices sort(int axis, boolean descending) {
    return Sorting.sort(this, axis, descending);
  }

  /** The indices that sort this tensor along {@code axis} (int64); see {@link #sort(int, boolean)}. */
  public Tensor argsort(int axis, boolean descending) {
    return Sorting.argsort(this, axis, descending);
  }

  /** The indices that sort this tensor ascending along {@code axis} (int64). */
  public Tensor argsort(int axis) {
    return Sorting.argsort(this, axis, false);
  }

  /** The {@code k} largest entries along the last axis, sorted, with their indices. */
  public ValuesIndices topk(int k) {
    return Sorting.topk(this, k, -1, true, true);
  }

  /**
   * The {@code k} largest (or, unless {@code largest}, smallest) entries along {@code axis} with
   * their int64 indices, as PyTorch's {@code topk}; always sorted (which {@code sorted == false}
   * allows); ties keep their order.
   *
   * <pre>{@code
   * Tensor.of(1.0, 4.0, 2.0, 3.0).topk(2, 0, true, true)   // values [4, 3], indices [1, 3]
   * }</pre>
   *
   * @throws ShapeException when {@code k} is negative or above the axis's size
   */
  public ValuesIndices topk(int k, int axis, boolean largest, boolean sorted) {
    return Sorting.topk(this, k, axis, largest, sorted);
  }

  /** The {@code k}-th smallest entry ({@code k} from 1) along the last axis and its index. */
  public ValuesIndices kthvalue(int k) {
    return Sorting.kthvalue(this, k, -1, false);
  }

  /**
   * The {@code k}-th smallest entry ({@code k} from 1) along {@code axis} and its index, as
   * PyTorch's {@code kthvalue}; the axis is kept as size 1 when {@code keepDims}.
   *
   * <pre>{@code
   * Tensor.of(5.0, 1.0, 3.0).kthvalue(2, 0, false)   // values 3, indices 2
   * }</pre>
   *
   * @throws ShapeException when {@code k} is not in {@code 1 .. size}
   */
  public ValuesIndices kthvalue(int k, int axis, boolean keepDims) {
    return Sorting.kthvalue(this, k, axis, keepDims);
  }

  /**
   * The entries that {@code indices} (int64, this tensor's rank) names along {@code axis}, the
   * other axes broadcast against each other, as PyTorch's {@code take_along_dim}; differentiable
   * (a {@code gather}).
   *
   * <pre>{@code
   * Tensor x = Tensor.of(new double[][] {{3, 1, 2}});
   * x.takeAlongDim(x.argsort(1), 1)   // [[1, 2, 3]]
   * }</pre>
   */
  public Tensor takeAlongDim(Tensor indices, int axis) {
    checkNotNull(indices, "takeAlongDim: indices is null");
    return Sorting.takeAlongDim(this, indices, axis);
  }

  /** The entries of the flattened tensor at the flattened {@code indices}, as {@code take_along_dim(x, i)}. */
  public Tensor takeAlongDim(Tensor indices) {
    checkNotNull(indices, "takeAlongDim: indices is null");
    return Sorting.takeAlongDim(this, indices);
  }

  /**
   * Running sums along {@code axis}, {@code out[i] = x[0] + ... + x[i]}, as PyTorch's {@code
   * cumsum}; the primitive {@link dev.cadena.ops.Primitive#CUMSUM}.
   *
   * <pre>{@code
   * Tensor.of(1.0, 2.0, 3.0).cumsum(0)   // [1, 3, 6]
   * }</pre>
   */
  public Tensor cumsum(int axis) {
    return Scans.cumsum(this, axis);
  }

  /**
   * Running products along {@code axis}, {@code out[i] = x[0] * ... * x[i]}, as PyTorch's {@code
   * cumprod}; gradients exact with zeros in the input (a scan of multiplications, no division).
   *
   * <pre>{@code
   * Tensor.of(1.0, 2.0, 0.0, 4.0).cumprod(0)   // [1, 2, 0, 0]
   * }</pre>
   */
  public Tensor cumprod(int axis) {
    return Scans.cumprod(this, axis);
  }

  /** The product of all entries (0-d; 1 when empty), with exact gradients where entries are 0. */
  public Tensor prod() {
    return Scans.prod(this);
  }

  /** The product along {@code axis} (removed). */
  public Tensor prod(int axis) {
    return Scans.prod(this, axis, false);
  }

  /**
   * The product along {@code axis}, kept as size 1 when {@code keepDims}, as PyTorch's {@code
   * prod(dim, keepdim)}: 1 over an empty axis; a tree of multiplications, so the gradient is
   * exact with one or several zeros.
   *
   * <pre>{@code
   * Tensor.of(new double[][] {{1, 2}, {3, 0}}).prod(1, false)   // [2, 0]
   * }</pre>
   */
  public Tensor prod(int axis, boolean keepDims) {
    return Scans.prod(this, axis, keepDims);
  }

  /** The 2-norm of all entries, {@code sqrt(sum(x^2))} (0-d), gradient 0 where it is 0. */
  public Tensor norm() {
    return Scans.norm(this, 2, ALL_AXES, false);
  }

  /** The {@code p}-norm of all entries; see {@link #norm(double, int[], boolean)}. */
  public Tensor norm(double p) {
    return Scans.norm(this, p, ALL_AXES, false);
  }

  /**
   * The vector {@code p}-norm over {@code axes} (empty: all), as PyTorch's {@code
   * linalg.vector_norm}: {@code (sum |x|^p)^(1/p)} for {@code p > 0}, {@code max |x|} for {@code
   * p = inf}, {@code min |x|} for {@code -inf}. At a zero norm the gradient is 0 (PyTorch's
   * subgradient), not NaN.
   *
   * <pre>{@code
   * Tensor.of(new double[][] {{3, 4}, {1, -1}}).norm(1, new int[] {1}, false)   // [7, 2]
   * }</pre>
   *
   * @throws IllegalArgumentException for {@code p} NaN, 0, or negative other than {@code -inf}
   */
  public Tensor norm(double p, int[] axes, boolean keepDims) {
    checkNotNull(axes, "norm: axes is null");
    return Scans.norm(this, p, axes, keepDims);
  }

  /** The norm named {@code p} ({@code "fro"}, the 2-norm of the entries) over {@code axes}. */
  public Tensor norm(String p, int[] axes, boolean keepDims) {
    checkNotNull(p, "norm: p is null");
    checkNotNull(axes, "norm: axes is null");
    return Scans.norm(this, p, axes, keepDims);
  }

  // ================================================================== in-place (no-grad only)

  /**
   * Names the update just made, for the "modified in place after the forward pass" error; in
   * anomaly mode with the user's line ({@code "sub_ at Train.java:42"}), and remembering which
   * tensor it changed.
   */
  private void namedUpdate(String op) {
    data.nameLastUpdate(Anomaly.isEnabled() ? Anomaly.updated(this, op) : op);
  }

  private void checkInPlace(String op) {
    checkNotBatched(op);
    if (forwardTangent != null && ForwardAD.tangent(this) != null) {
      throw new AutogradException(
          op + ": in-place updates of a dual tensor (one with a forward-mode tangent) are not"
              + " supported; compute a new tensor instead");
    }
    if (GradMode.isEnabled() && (requiresGrad || gradFn != null)) {
      throw new AutogradException(
          op + ": in-place updates of a tensor that requires grad are only allowed under"
              + " Tensor.noGrad() (optimisers, initialisers): try (var s = Tensor.noGrad()) { ... }");
    }
  }

  /** {@code this -= other} in place (other broadcast); returns this. */
  public Tensor sub_(Tensor other) {
    checkNotNull(other, "sub_: other is null");
    checkInPlace("sub_");
    other.checkNotBatched("sub_");
    try (var o = Anomaly.operands("sub_", "x", this, "other", other)) {
      data.applyInPlace(BinaryOp.SUB, other.to(dtype()).data);
    }
    namedUpdate("sub_");
    return this;
  }

  /** {@code this += alpha * other} in place (same shape); returns this. */
  public Tensor add_(Tensor other, double alpha) {
    checkNotNull(other, "add_: other is null");
    checkInPlace("add_");
    other.checkNotBatched("add_");
    if (!Arrays.equals(shape(), other.shape())) {
      try (var o = Anomaly.operands("add_", "x", this, "other", other)) {
        throw new ShapeException("add_: with alpha the shapes must be equal, got "
            + Shapes.str(shape()) + " and " + Shapes.str(other.shape()) + " (no broadcasting)");
      }
    }
    data.axpyInPlace(alpha, other.to(dtype()).data);
    namedUpdate("add_");
    return this;
  }

  /** {@code this += other} in place (other broadcast); returns this. */
  public Tensor add_(Tensor other) {
    checkNotNull(other, "add_: other is null");
    checkInPlace("add_");
    other.checkNotBatched("add_");
    try (var o = Anomaly.operands("add_", "x", this, "other", other)) {
      data.applyInPlace(BinaryOp.ADD, other.to(dtype()).data);
    }
    namedUpdate("add_");
    return this;
  }

  /** {@code this *= other} in place (other broadcast); returns this. */
  public Tensor mul_(Tensor other) {
    checkNotNull(other, "mul_: other is null");
    checkInPlace("mul_");
    other.checkNotBatched("mul_");
    try (var o = Anomaly.operands("mul_", "x", this, "other", other)) {
      data.applyInPlace(BinaryOp.MUL, other.to(dtype()).data);
    }
    namedUpdate("mul_");
    return this;
  }

  /** {@code this *= v} in place; returns this. */
  public Tensor mul_(double v) {
    checkInPlace("mul_");
    data.applyInPlace(BinaryOp.MUL, NDArray.scalar(dtype(), v));
    namedUpdate("mul_");
    return this;
  }

  /** Copies {@code src} (broadcast, converted) into this tensor in place; returns this. */
  public Tensor copy_(Tensor src) {
    checkNotNull(src, "copy_: src is null");
    checkInPlace("copy_");
    src.checkNotBatched("copy_");
    try (var o = Anomaly.operands("copy_", "x", this, "src", src)) {
      data.assign(src.data);
    }
    namedUpdate("copy_");
    return this;
  }

  /** Sets every element to {@code v} in place; returns this. */
  public Tensor fill_(double v) {
    checkInPlace("fill_");
    try (var o = Anomaly.operands("fill_", "x", this)) {
      Shapes.checkWritable("fill_", data.shape(), data.strides());
    }
    data.fillInPlace(v);
    namedUpdate("fill_");
    return this;
  }

  /** Sets every element to 0 in place; returns this. */
  public Tensor zero_() {
    checkInPlace("zero_");
    try (var o = Anomaly.operands("zero_", "x", this)) {
      Shapes.checkWritable("zero_", data.shape(), data.strides());
    }
    data.fillInPlace(0.0);
    namedUpdate("zero_");
    return this;
  }

  // ================================================================== printing

  /**
   * Prints like PyTorch: the values (abbreviated with {@code ...} beyond 1000 elements), then the
   * shape, the dtype and the op that produced the tensor, e.g. {@code tensor([[0.1, 0.2]],
   * shape=[1, 2], dtype=float64, grad_fn=<matmul>)}.
   */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("tensor(");
    sb.append(graphHolds < 0 ? "<storage reused after backward>"
        : TensorFormat.format(data, "tensor(".length()));
    sb.append(", shape=").append(Shapes.str(shape()));
    sb.append(", dtype=").append(dtype());
    if (gradFn != null) {
      sb.append(", grad_fn=<").append(gradFn.name()).append('>');
    } else if (requiresGrad) {
      sb.append(", requiresGrad=true");
    }
    return sb.append(')').toString();
  }
}
