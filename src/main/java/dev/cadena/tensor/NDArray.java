package dev.cadena.tensor;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Arrays;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * An n-dimensional, row-major array of {@code double}, {@code float} or {@code long}: a primitive
 * storage array plus shape, strides and offset. Views (reshape where the strides allow it,
 * permute, expand, slice) share storage and cost no copy; every other operation returns a new,
 * contiguous array. Sizes are bounded by {@link Shapes#MAX_ELEMENTS}.
 *
 * <p>Arrays are values: no public method changes one, except the few {@code ...InPlace} methods
 * that optimisers and initialisers use. Those bump a version counter that every view of the same
 * storage shares, so that the autograd engine can tell when a tensor it saved was modified.
 *
 * <p>This class holds the storage, the views and the version counter. The operations delegate to
 * package-private dispatch classes ({@code Pointwise}, {@code Reductions}, {@code Indexing},
 * {@code MatmulDispatch}), which check shapes, split arrays into rows and call the kernels of
 * {@code dev.cadena.tensor.kernel} on the storage arrays. It knows nothing of gradients; {@code
 * dev.cadena.Tensor} wraps it.
 */
public final class NDArray {
  static {
    // The first product's JIT warm-up needs the MBean server: started now, in the background,
    // while the program sets up (see Gemm.prepareWarmUp). Only an optimisation: whatever fails
    // here must not keep arrays from working.
    try {
      dev.cadena.tensor.kernel.Gemm.prepareWarmUp();
    } catch (RuntimeException | LinkageError e) {
      // The product meets the same failure, and reports it, when it runs.
    }
  }

  /** Shared among views of one storage; incremented by in-place updates. */
  private static final class Version {
    int value;
    /** The name of the last in-place update, or null (see {@link NDArray#lastUpdate()}). */
    String lastUpdate;
  }

  // Package-private, read (never reassigned or resized) by the kernel dispatch classes of this
  // package (Pointwise, Reductions, Indexing, MatmulDispatch). Exactly one storage array is set.
  final DType dtype;
  final double[] d;
  final float[] f;
  final long[] l;
  final int[] shape;
  final int[] strides;
  final int offset;
  final int size;
  private final Version version;
  final boolean contiguous;

  private NDArray(
      DType dtype, double[] d, float[] f, long[] l, int[] shape, int[] strides, int offset,
      Version version) {
    this.dtype = dtype;
    this.d = d;
    this.f = f;
    this.l = l;
    this.shape = shape;
    this.strides = strides;
    this.size = Shapes.numel(shape);
    // An empty view reads nothing; a slice of an empty array may place its offset past the end
    // of the storage (slice(0, 2, 3) of a [3, 0] array), where a copy of zero elements from it
    // would still be out of range.
    this.offset = size == 0 ? 0 : offset;
    this.version = version;
    this.contiguous = Shapes.isContiguous(shape, strides);
  }

  // ---------------------------------------------------------------- factories

  /**
   * Wraps {@code data} (taken over, not copied: the caller must not change it afterwards) as a
   * contiguous float64 array of the given shape.
   *
   * @throws ShapeException when the data length does not match the shape
   */
  public static NDArray wrap(double[] data, int... shape) {
    checkNotNull(data, "wrap: data is null");
    checkNotNull(shape, "wrap: shape is null");
    Shapes.checkLength("wrap", data.length, shape);
    return new NDArray(DType.FLOAT64, data, null, null, shape.clone(),
        Shapes.contiguousStrides(shape), 0, new Version());
  }

  /** Wraps {@code data} (taken over, not copied) as a contiguous float32 array. */
  public static NDArray wrap(float[] data, int... shape) {
    checkNotNull(data, "wrap: data is null");
    checkNotNull(shape, "wrap: shape is null");
    Shapes.checkLength("wrap", data.length, shape);
    return new NDArray(DType.FLOAT32, null, data, null, shape.clone(),
        Shapes.contiguousStrides(shape), 0, new Version());
  }

  /** Wraps {@code data} (taken over, not copied) as a contiguous int64 array. */
  public static NDArray wrap(long[] data, int... shape) {
    checkNotNull(data, "wrap: data is null");
    checkNotNull(shape, "wrap: shape is null");
    Shapes.checkLength("wrap", data.length, shape);
    return new NDArray(DType.INT64, null, null, data, shape.clone(),
        Shapes.contiguousStrides(shape), 0, new Version());
  }

  /** A new contiguous array of zeros. */
  public static NDArray zeros(DType dtype, int... shape) {
    checkNotNull(dtype, "zeros: dtype is null");
    checkNotNull(shape, "zeros: shape is null");
    Shapes.checkShape("zeros", shape);
    int n = Shapes.numel(shape);
    switch (dtype) {
      case FLOAT64:
        return wrap(new double[n], shape);
      case FLOAT32:
        return wrap(new float[n], shape);
      default:
        return wrap(new long[n], shape);
    }
  }

  /**
   * A new contiguous array of {@code shape} (taken over) whose every element the caller writes
   * before anything reads it: for a float dtype its storage may be one the engine gave back
   * ({@link #recycle}), holding old values; otherwise zeros, as {@link #zerosOwned}.
   */
  static NDArray uninitialized(DType dtype, int[] shape) {
    int n = Shapes.numel(shape);
    if (dtype == DType.FLOAT32) {
      float[] a = Recycler.takeF32(n);
      if (a != null) {
        return new NDArray(DType.FLOAT32, null, a, null, shape, Shapes.contiguousStrides(shape), 0,
            new Version());
      }
    } else if (dtype == DType.FLOAT64) {
      double[] a = Recycler.takeF64(n);
      if (a != null) {
        return new NDArray(DType.FLOAT64, a, null, null, shape, Shapes.contiguousStrides(shape), 0,
            new Version());
      }
    }
    return zerosOwned(dtype, shape, null);
  }

  /**
   * For the autograd engine: gives {@code x}'s storage back, to be the storage of a later array
   * of the same length that a kernel overwrites whole (a product's output), instead of a new
   * one. Only a dense float array that covers its whole storage, of at least 4,096 elements, is
   * taken; at most 16 MiB are kept, the oldest dropped first.
   *
   * <p>The caller promises that nothing refers to the storage but {@code x}, and that {@code x}
   * is never read or written again: the engine calls this for a gradient it lent to a VJP
   * ({@link dev.cadena.autograd.Node#mayOverwriteGrad}) once that VJP has run and returned other
   * storage, and for an intermediate value once the last node that held it was freed ({@link
   * dev.cadena.autograd.Node#recycleWithGraph}). Anyone else calling it on storage still in use
   * corrupts the arrays that later reuse it.
   *
   * @return whether the storage was taken
   * @throws NullPointerException when {@code x} is null
   */
  public static boolean recycle(NDArray x) {
    checkNotNull(x, "recycle: x is null");
    return recyclable(x) && Recycler.give(x.storageKey());
  }

  /**
   * Whether {@link #recycle} would take {@code x}'s storage, without the lock or giving it: a
   * dense float array of at least 4,096 elements that covers its whole storage.
   *
   * @throws NullPointerException when {@code x} is null
   */
  public static boolean recyclable(NDArray x) {
    checkNotNull(x, "recyclable: x is null");
    if (x.size < Recycler.MIN_ELEMENTS) {
      return false; // most of a graph of small tensors stops here
    }
    Object s = x.storageKey();
    int length = s instanceof float[] fa ? fa.length : s instanceof double[] da ? da.length : -1;
    return x.offset == 0 && x.contiguous && x.size == length;
  }

  /**
   * A new contiguous array of zeros of {@code dtype} and {@code shape}, which is taken over, not
   * copied: for the kernels of this package, which pass the shape array of an existing array
   * (never changed once an array holds it) or one they just made. Strides {@code strides} are
   * shared likewise when given (they must be {@code shape}'s dense strides), else computed.
   */
  static NDArray zerosOwned(DType dtype, int[] shape, int @Nullable [] strides) {
    int n = Shapes.numel(shape);
    int[] st = strides != null ? strides : Shapes.contiguousStrides(shape);
    switch (dtype) {
      case FLOAT64:
        return new NDArray(DType.FLOAT64, new double[n], null, null, shape, st, 0, new Version());
      case FLOAT32:
        return new NDArray(DType.FLOAT32, null, new float[n], null, shape, st, 0, new Version());
      default:
        return new NDArray(DType.INT64, null, null, new long[n], shape, st, 0, new Version());
    }
  }

  /**
   * A new contiguous array of zeros of {@code dtype} with this array's shape, sharing the shape
   * array and, when this array is laid out densely, the strides (both are never changed once an
   * array holds them): one array of elements, no copies of the layout.
   */
  NDArray zerosWithShape(DType dtype) {
    return zerosOwned(dtype, shape, hasDenseStrides() ? strides : null);
  }

  /** True when {@link #strides} are exactly the dense row-major strides of {@link #shape}. */
  private boolean hasDenseStrides() {
    int s = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      if (strides[i] != s) {
        return false;
      }
      s *= Math.max(shape[i], 1);
    }
    return true;
  }

  /** A new contiguous array filled with {@code value} (rounded to the dtype). */
  public static NDArray full(DType dtype, double value, int... shape) {
    checkNotNull(dtype, "full: dtype is null");
    checkNotNull(shape, "full: shape is null");
    NDArray a = zeros(dtype, shape);
    if (value != 0) {
      switch (dtype) {
        case FLOAT64:
          Arrays.fill(a.d, value);
          break;
        case FLOAT32:
          Arrays.fill(a.f, (float) value);
          break;
        default:
          Arrays.fill(a.l, (long) value);
      }
    }
    return a;
  }

  /** A 0-d array holding {@code value}. */
  public static NDArray scalar(DType dtype, double value) {
    checkNotNull(dtype, "scalar: dtype is null");
    return full(dtype, value);
  }

  // ---------------------------------------------------------------- accessors

  /** The element type. */
  public DType dtype() {
    return dtype;
  }

  /** A copy of the shape. */
  public int[] shape() {
    return shape.clone();
  }

  /** Size of dimension {@code i} (negative counts from the end). */
  public int dim(int i) {
    return shape[Shapes.axis("dim", i, shape.length)];
  }

  /** True when {@code other} has exactly this shape (no copy of either shape). */
  public boolean sameShape(NDArray other) {
    checkNotNull(other, "sameShape: other is null");
    return Arrays.equals(shape, other.shape);
  }

  /** True when this array's shape equals {@code s}. */
  public boolean hasShape(int[] s) {
    checkNotNull(s, "hasShape: s is null");
    return Arrays.equals(shape, s);
  }

  /** Number of dimensions. */
  public int rank() {
    return shape.length;
  }

  /** Number of elements. */
  public int size() {
    return size;
  }

  /** A copy of the strides (in elements). */
  public int[] strides() {
    return strides.clone();
  }

  /** The number of in-place updates made to this array's storage (shared by its views). */
  public int version() {
    return version.value;
  }

  /** True when the elements lie in row-major order without gaps starting at the offset. */
  public boolean isContiguous() {
    return contiguous;
  }

  /**
   * Records an in-place update made by writing the storage array directly (a fused update
   * kernel of this package): bumps the version counter shared by every view, exactly as the
   * {@code ...InPlace} methods do, so that a backward pass that saved this array fails instead of
   * using the changed values. Package-private, like the storage: code outside the tensor layer
   * changes arrays only through named in-place operations.
   */
  void markModified() {
    version.value++;
  }

  /**
   * The name of the last in-place update of this array's storage (shared by its views), as its
   * caller named it with {@link #nameLastUpdate}: {@code "sub_"}, {@code "SGD.step"}; or null
   * when it was never updated in place, or by code that gave no name. Error messages about a
   * tensor modified after it was saved for backward use it to say what modified it.
   */
  public String lastUpdate() {
    return version.lastUpdate;
  }

  /**
   * Names the in-place update just made ({@code "sub_"}): one field write, no version bump. The
   * public in-place operations of {@code Tensor} and the optimisers call it after each update.
   *
   * <pre>{@code
   * a.applyInPlace(BinaryOp.SUB, b);
   * a.nameLastUpdate("sub_");      // a.lastUpdate() is now "sub_"
   * }</pre>
   *
   * @throws NullPointerException when {@code op} is null
   */
  public void nameLastUpdate(String op) {
    checkNotNull(op, "nameLastUpdate: op is null");
    version.lastUpdate = op;
  }

  /**
   * The backing double array of a float64 array (elements start at {@link #offset()}), for the
   * kernels of this package. Callers must not write to it, except in-place kernels that then call
   * {@link #markModified()}.
   *
   * @throws DTypeException for other dtypes
   */
  double[] doubleStorage() {
    if (d == null) {
      throw new DTypeException("doubleStorage: array is " + dtype + ", not float64");
    }
    return d;
  }

  /** The backing float array of a float32 array; see {@link #doubleStorage()}. */
  float[] floatStorage() {
    if (f == null) {
      throw new DTypeException("floatStorage: array is " + dtype + ", not float32");
    }
    return f;
  }

  /** The backing long array of an int64 array; see {@link #doubleStorage()}. */
  long[] longStorage() {
    if (l == null) {
      throw new DTypeException("longStorage: array is " + dtype + ", not int64");
    }
    return l;
  }

  /**
   * An object that identifies this array's storage, the same for every view of it: for aliasing
   * checks (the engine uses it to decide when a gradient must be copied). Do not cast it.
   */
  public Object storageKey() {
    return d != null ? d : f != null ? (Object) f : l;
  }

  /**
   * The bytes of this array's whole storage (shared by all its views): the storage's element
   * count times {@link DType#byteSize()}. A view of 3 elements of a float64 storage of 12 has
   * {@code storageBytes() == 96}.
   */
  public long storageBytes() {
    long n = d != null ? d.length : f != null ? f.length : l.length;
    return n * dtype.byteSize();
  }

  /** Offset of the first element in the storage array. */
  public int offset() {
    return offset;
  }

  /** Storage position of the element at a logical row-major index. */
  private int storageIndex(int flat) {
    int pos = offset;
    for (int i = shape.length - 1; i >= 0; i--) {
      int s = shape[i];
      if (s == 0) {
        return offset;
      }
      pos += (flat % s) * strides[i];
      flat /= s;
    }
    return pos;
  }

  /** The element at logical row-major position {@code flat} (0 to size-1), as a double. */
  public double getFlat(int flat) {
    if (flat < 0 || flat >= size) {
      throw new ShapeException(
          "get: flat index " + flat + " is out of range for " + size + " elements");
    }
    return valueAt(storageIndex(flat));
  }

  /** The element at storage position {@code p}, as a double. */
  private double valueAt(int p) {
    return d != null ? d[p] : f != null ? f[p] : l[p];
  }

  /** The int64 element at logical position {@code flat} (exact for int64 arrays). */
  public long getFlatLong(int flat) {
    if (dtype != DType.INT64) {
      return (long) getFlat(flat);
    }
    if (flat < 0 || flat >= size) {
      throw new ShapeException(
          "get: flat index " + flat + " is out of range for " + size + " elements");
    }
    return l[storageIndex(flat)];
  }

  /**
   * The element at a multi-index (one index per dimension, negative counts from the end).
   *
   * @throws ShapeException when the index count or an index is out of range
   */
  public double get(int... index) {
    checkNotNull(index, "get: index is null");
    if (index.length != shape.length) {
      throw new ShapeException(
          "get: " + index.length + " indices given for a tensor of rank " + shape.length
              + " and shape " + Shapes.str(shape));
    }
    int pos = offset;
    for (int i = 0; i < index.length; i++) {
      int k = index[i] < 0 ? index[i] + shape[i] : index[i];
      if (k < 0 || k >= shape[i]) {
        throw new ShapeException(
            "get: index " + index[i] + " is out of range for dimension " + i + " of size "
                + shape[i] + " (shape " + Shapes.str(shape) + ")");
      }
      pos += k * strides[i];
    }
    return valueAt(pos);
  }

  /** All elements in row-major order as a new double array. */
  public double[] toDoubleArray() {
    if (dtype == DType.FLOAT64 && isContiguous()) {
      return Arrays.copyOfRange(d, offset, offset + size);
    }
    NDArray c = astype(DType.FLOAT64).contiguous();
    return Arrays.copyOfRange(c.d, c.offset, c.offset + size);
  }

  /** All elements in row-major order as a new float array (rounded from float64). */
  public float[] toFloatArray() {
    if (dtype == DType.FLOAT32 && isContiguous()) {
      return Arrays.copyOfRange(f, offset, offset + size);
    }
    NDArray c = astype(DType.FLOAT32).contiguous();
    return Arrays.copyOfRange(c.f, c.offset, c.offset + size);
  }

  /** All elements in row-major order as a new long array (floats truncated toward zero). */
  public long[] toLongArray() {
    if (dtype == DType.INT64 && isContiguous()) {
      return Arrays.copyOfRange(l, offset, offset + size);
    }
    NDArray c = astype(DType.INT64).contiguous();
    return Arrays.copyOfRange(c.l, c.offset, c.offset + size);
  }

  // ---------------------------------------------------------------- views

  /**
   * True when this array is its whole storage, contiguous from index 0: not a view of a larger
   * array, so nothing else can share part of it without sharing all of it.
   */
  public boolean isDense() {
    int length = d != null ? d.length : f != null ? f.length : l.length;
    return contiguous && offset == 0 && size == length;
  }

  /** This array if contiguous, else a contiguous copy. */
  public NDArray contiguous() {
    return isContiguous() ? this : copy();
  }

  /** A contiguous copy (never shares storage). */
  public NDArray copy() {
    NDArray out = zeros(dtype, shape);
    Pointwise.copyInto(this, out);
    return out;
  }

  /** A contiguous copy converted to {@code target} (this array when the dtype already matches). */
  public NDArray astype(DType target) {
    checkNotNull(target, "astype: target is null");
    if (target == dtype) {
      return this;
    }
    NDArray out = zeros(target, shape);
    Pointwise.copyInto(this, out);
    return out;
  }

  /**
   * The same elements with another shape; one size may be {@code -1} and is inferred. A view
   * when the strides allow it, as PyTorch's {@code reshape}: always for a contiguous array, and
   * for a strided one when each group of dimensions merged or split is laid out evenly (so a
   * broadcast view stays a broadcast view under {@code unsqueeze}, {@code squeeze} and {@code
   * flatten} of its broadcast dimensions, without a copy of its repeats); else a contiguous copy.
   *
   * @throws ShapeException when the sizes do not match
   */
  public NDArray reshape(int... newShape) {
    checkNotNull(newShape, "reshape: newShape is null");
    int[] s = Shapes.inferShape("reshape", newShape, shape);
    if (!contiguous) {
      int[] st = Shapes.viewStrides(shape, strides, s);
      if (st != null) {
        return new NDArray(dtype, d, f, l, s, st, offset, version);
      }
    }
    NDArray src = contiguous();
    return new NDArray(dtype, src.d, src.f, src.l, s, Shapes.contiguousStrides(s), src.offset,
        src.version);
  }

  /**
   * A view with the dimensions reordered: dimension {@code i} of the result is dimension {@code
   * perm[i]} of this array.
   */
  public NDArray permute(int... perm) {
    checkNotNull(perm, "permute: perm is null");
    if (perm.length != shape.length) {
      throw new ShapeException(
          "permute: " + perm.length + " axes given for a tensor of rank " + shape.length + ": "
              + Arrays.toString(perm));
    }
    int[] s = new int[perm.length];
    int[] st = new int[perm.length];
    boolean[] seen = new boolean[perm.length];
    for (int i = 0; i < perm.length; i++) {
      int p = Shapes.axis("permute", perm[i], shape.length);
      if (seen[p]) {
        throw new ShapeException("permute: axis " + perm[i] + " repeats in " + Arrays.toString(perm));
      }
      seen[p] = true;
      s[i] = shape[p];
      st[i] = strides[p];
    }
    return new NDArray(dtype, d, f, l, s, st, offset, version);
  }

  /**
   * A view broadcast to {@code target} (stride 0 along broadcast dimensions), by NumPy's rules.
   *
   * @throws ShapeException when this shape does not broadcast to {@code target}
   */
  public NDArray expand(int... target) {
    checkNotNull(target, "expand: target is null");
    Shapes.checkShape("expand", target);
    if (!Shapes.broadcastsTo(shape, target)) {
      throw new ShapeException(
          "expand: shape " + Shapes.str(shape) + " cannot be broadcast to " + Shapes.str(target));
    }
    int lead = target.length - shape.length;
    int[] st = new int[target.length];
    for (int i = 0; i < shape.length; i++) {
      st[lead + i] = shape[i] == target[lead + i] ? strides[i] : 0;
    }
    return new NDArray(dtype, d, f, l, target.clone(), st, offset, version);
  }

  /**
   * A view of the elements {@code start, start + step, ...} below {@code end} along {@code axis},
   * as PyTorch's {@code x[start:end:step]}: a negative index counts from the end, then both are
   * clamped to {@code [0, n]}; an {@code end} at or before {@code start} gives an empty view; any
   * positive {@code step} works, {@code Integer.MAX_VALUE} included (one element).
   *
   * @throws ShapeException for a bad axis or a step below 1
   */
  public NDArray slice(int axis, int start, int end, int step) {
    int a = Shapes.axis("slice", axis, shape.length);
    if (step <= 0) {
      throw new ShapeException("slice: step must be positive, got " + step);
    }
    int n = shape[a];
    int s = Shapes.clampIndex(start, n);
    int e = Shapes.clampIndex(end, n);
    // ceil((e - s) / step) without forming e - s + step - 1, which overflows for a large step.
    int len = e <= s ? 0 : 1 + (e - s - 1) / step;
    int[] ns = shape.clone();
    int[] nst = strides.clone();
    ns[a] = len;
    // With two or more elements the step times the stride stays inside the storage; with one or
    // none it is never used, and the product might overflow (a step of 2^31 - 1), so keep the
    // stride.
    nst[a] = len > 1 ? Math.multiplyExact(strides[a], step) : strides[a];
    return new NDArray(dtype, d, f, l, ns, nst, offset + (len == 0 ? 0 : s * strides[a]), version);
  }

  /**
   * This array's strides aligned with {@code outShape}, which it broadcasts to: leading missing
   * dimensions and size-1 dimensions get stride 0.
   */
  int[] broadcastStrides(int[] outShape) {
    int lead = outShape.length - shape.length;
    int[] st = new int[outShape.length];
    for (int i = 0; i < shape.length; i++) {
      st[lead + i] = shape[i] == 1 ? 0 : strides[i];
    }
    return st;
  }

  // ---------------------------------------------------------------- elementwise

  void requireFloat(String op) {
    if (dtype == DType.INT64) {
      throw DTypeException.int64NotSupported(op);
    }
  }

  /** {@code op(x)} elementwise, as a new contiguous array of the same dtype. */
  public NDArray unary(UnaryOp op) {
    checkNotNull(op, "unary: op is null");
    if (op != UnaryOp.COPY && dtype == DType.INT64) {
      requireFloat(op.name().toLowerCase(Locale.ROOT));
    }
    NDArray out = zerosWithShape(dtype);
    Pointwise.unaryInto(op, this, out);
    return out;
  }

  /**
   * {@code op(a, b)} elementwise with NumPy broadcasting, as a new contiguous array. Both operands
   * must have the same floating-point dtype (promotion is the caller's job).
   *
   * @throws ShapeException when the shapes do not broadcast (names both shapes)
   * @throws DTypeException when the dtypes differ or are int64
   */
  public NDArray binary(BinaryOp op, NDArray b) {
    checkNotNull(op, "binary: op is null");
    checkNotNull(b, "binary: b is null");
    if (dtype != b.dtype || dtype == DType.INT64) {
      checkSameFloat(op.name().toLowerCase(Locale.ROOT), b);
    }
    NDArray out = Arrays.equals(shape, b.shape)
        ? zerosWithShape(dtype)
        : zerosOwned(dtype, Shapes.broadcast(op.opName(), shape, b.shape), null);
    Pointwise.binaryInto(op, this, b, out);
    return out;
  }

  void checkSameFloat(String op, NDArray b) {
    if (dtype != b.dtype) {
      throw new DTypeException(
          op + ": dtypes differ: " + dtype + " and " + b.dtype + " (convert one with .to(...))");
    }
    requireFloat(op);
  }

  /**
   * {@code op(this, scalar)} elementwise; the scalar is rounded to this array's dtype. For add,
   * sub, mul and div on a small contiguous array the scalar goes to the kernel as a value
   * ({@code Pointwise.binaryScalar}), without the 0-d array that {@link #binaryReference}
   * makes; both give the same elements (a test compares them).
   *
   * @throws DTypeException for int64 data
   */
  public NDArray binary(BinaryOp op, double scalar) {
    checkNotNull(op, "binary: op is null");
    NDArray out = Pointwise.binaryScalar(op, this, scalar);
    return out != null ? out : binaryReference(op, scalar);
  }

  /**
   * {@link #binary(BinaryOp, double)} the general way: the scalar as a 0-d array of this dtype,
   * broadcast by {@link #binary(BinaryOp, NDArray)}. The reference the scalar path is tested
   * against.
   */
  public NDArray binaryReference(BinaryOp op, double scalar) {
    checkNotNull(op, "binaryReference: op is null");
    return binary(op, scalar(dtype, scalar));
  }

  /**
   * Elementwise choice: {@code cond != 0 ? a : b}, all three broadcast together. {@code a} and
   * {@code b} must share a floating dtype; {@code cond} may have any dtype.
   */
  public static NDArray where(NDArray cond, NDArray a, NDArray b) {
    checkNotNull(cond, "where: cond is null");
    checkNotNull(a, "where: a is null");
    checkNotNull(b, "where: b is null");
    return Pointwise.where(cond, a, b);
  }

  // ---------------------------------------------------------------- in-place (optimisers only)

  /**
   * {@code this = op(this, other)} in place ({@code other} broadcast to this shape), bumping the
   * version counter. For optimisers and initialisers.
   */
  public void applyInPlace(BinaryOp op, NDArray other) {
    checkNotNull(op, "applyInPlace: op is null");
    checkNotNull(other, "applyInPlace: other is null");
    Pointwise.applyInPlace(op, this, other);
  }

  /**
   * {@code this = op(this, c)} in place for a scalar {@code c} (rounded to this dtype), bumping
   * the version counter: the same elements as {@link #binary(BinaryOp, double)}, written into
   * this array (for the engine's gradients, which a VJP may overwrite). Small contiguous arrays
   * and the four arithmetic ops take the scalar kernel, the rest {@link #applyInPlace(BinaryOp,
   * NDArray)} with a 0-d array.
   */
  public void applyInPlace(BinaryOp op, double c) {
    checkNotNull(op, "applyInPlace: op is null");
    if (!Pointwise.binaryScalarInPlace(op, this, c)) {
      applyInPlace(op, scalar(dtype, c));
    }
  }

  /**
   * tanh's vector-Jacobian product written into {@code grad}: {@code grad = grad * (1 - out *
   * out)}, the same elements as {@link #tanhBackward}; {@code grad} must be dense (its whole
   * storage, from index 0), and its version counter is bumped.
   *
   * @throws ShapeException when the shapes differ
   * @throws IllegalArgumentException when {@code grad} is not dense
   * @throws NullPointerException when an argument is null
   */
  public static void tanhBackwardInPlace(NDArray grad, NDArray out) {
    checkNotNull(grad, "tanhBackwardInPlace: grad is null");
    checkNotNull(out, "tanhBackwardInPlace: out is null");
    Fused.activationBackwardInPlace(Fused.Activation.TANH, grad, out);
  }

  /**
   * The sigmoid's vector-Jacobian product written into {@code grad}: {@code grad = grad * (out *
   * (1 - out))}, the same elements as {@link #sigmoidBackward}; {@code grad} must be dense (its
   * whole storage, from index 0), and its version counter is bumped.
   *
   * @throws ShapeException when the shapes differ
   * @throws IllegalArgumentException when {@code grad} is not dense
   * @throws NullPointerException when an argument is null
   */
  public static void sigmoidBackwardInPlace(NDArray grad, NDArray out) {
    checkNotNull(grad, "sigmoidBackwardInPlace: grad is null");
    checkNotNull(out, "sigmoidBackwardInPlace: out is null");
    Fused.activationBackwardInPlace(Fused.Activation.SIGMOID, grad, out);
  }

  /**
   * ReLU's vector-Jacobian product written into {@code grad}: {@code grad = out > 0 ? grad : 0},
   * the same elements as {@link #reluBackward}; {@code grad} must be dense, and its version
   * counter is bumped.
   *
   * @throws ShapeException when the shapes differ
   * @throws IllegalArgumentException when {@code grad} is not dense
   * @throws NullPointerException when an argument is null
   */
  public static void reluBackwardInPlace(NDArray grad, NDArray out) {
    checkNotNull(grad, "reluBackwardInPlace: grad is null");
    checkNotNull(out, "reluBackwardInPlace: out is null");
    Fused.activationBackwardInPlace(Fused.Activation.RELU, grad, out);
  }

  /** {@code this += alpha * x} in place (same shape), bumping the version counter. */
  public void axpyInPlace(double alpha, NDArray x) {
    checkNotNull(x, "axpyInPlace: x is null");
    Pointwise.axpyInPlace(this, alpha, x);
  }

  /** Copies {@code src} (broadcast, any dtype) into this array in place, bumping the version. */
  public void assign(NDArray src) {
    checkNotNull(src, "assign: src is null");
    Pointwise.assign(this, src);
  }

  /** True when {@code o} is a view of this array's storage (or this array itself). */
  boolean sharesStorage(NDArray o) {
    return (d != null && d == o.d) || (f != null && f == o.f) || (l != null && l == o.l);
  }

  /** Sets every element to {@code value} in place, bumping the version counter. */
  public void fillInPlace(double value) {
    assign(scalar(dtype, value));
  }

  // ---------------------------------------------------------------- reductions

  /** Which reduction {@link #reduce} computes. */
  public enum ReduceOp {
    /** the sum (0 over no elements). */
    SUM,
    /** the largest element (NaN if any is NaN). */
    MAX,
    /** the smallest element (NaN if any is NaN). */
    MIN;

    private final String opName = name().toLowerCase(Locale.ROOT);

    /** The lower-case name that error messages give, {@code "sum"} for instance. */
    public String opName() {
      return opName;
    }
  }

  /**
   * Reduces over {@code axes} (negative count from the end; none means all), keeping reduced
   * dimensions as size 1 when {@code keepDims}.
   *
   * @throws ShapeException for a bad axis, or max/min over an empty dimension
   */
  public NDArray reduce(ReduceOp op, int[] axes, boolean keepDims) {
    checkNotNull(op, "reduce: op is null");
    checkNotNull(axes, "reduce: axes is null");
    return Reductions.reduce(this, op, axes, keepDims);
  }

  /**
   * The sum over {@code axes} of the squared deviations from the mean, {@code sum((x -
   * mean)^2)}, with the mean over the same axes, both in float64 (the numerator of a variance);
   * a float64 array with the reduced axes kept as size 1. The values are those of converting to
   * float64, subtracting the mean and reducing the squares; when the array is contiguous and the
   * kept axes sit between reduced leading and trailing ones (a batch norm's {@code (N, H, W)}
   * of {@code [N, C, H, W]}), they are computed in one sweep per kept element without the
   * float64 copy of the whole array.
   *
   * <pre>{@code
   * NDArray.wrap(new double[] {1, 2, 3, 4}, 2, 2).sumOfSquaredDeviations(new int[] {0});
   * // [[2, 2]]: (1 - 2)^2 + (3 - 2)^2 and (2 - 3)^2 + (4 - 3)^2
   * }</pre>
   *
   * @throws ShapeException for a bad axis
   * @throws DTypeException for int64 data
   */
  public NDArray sumOfSquaredDeviations(int[] axes) {
    checkNotNull(axes, "sumOfSquaredDeviations: axes is null");
    return Reductions.sumOfSquaredDeviations(this, axes);
  }

  /**
   * Index of the largest ({@code max == true}) or smallest element along {@code axis}, as int64;
   * the first one on ties. {@code axis == null} means over all elements (a 0-d result).
   */
  public NDArray argReduce(boolean max, @Nullable Integer axis, boolean keepDims) {
    return Reductions.argReduce(this, max, axis, keepDims);
  }

  // ---------------------------------------------------------------- sorting and scans

  /**
   * The indices (int64, this array's shape) that sort each line along {@code axis} (negative
   * counts from the end): ascending, or descending when {@code descending}; stable (equal values
   * keep their order), NaN sorting as the largest value, as in PyTorch. Float dtypes only.
   *
   * @throws ShapeException for a bad axis
   * @throws DTypeException for int64 data
   */
  public NDArray argsort(int axis, boolean descending) {
    return Scans.argsort(this, axis, descending);
  }

  /**
   * The running sums along {@code axis}: {@code out[..., i, ...] = sum_{j <= i} x[..., j, ...]},
   * a new contiguous array of this dtype, summed in float64 (float32 outputs rounded once each).
   *
   * @throws ShapeException for a bad axis
   * @throws DTypeException for int64 data
   */
  public NDArray cumsum(int axis) {
    return Scans.cumsum(this, axis);
  }

  // ---------------------------------------------------------------- matmul, joining, indexing

  /**
   * Matrix product of two arrays of rank at least 2: the last two dimensions multiply as
   * matrices, the leading (batch) dimensions broadcast by NumPy's rules.
   *
   * @throws ShapeException when inner dimensions differ or batch dimensions do not broadcast
   */
  public NDArray matmul(NDArray b) {
    checkNotNull(b, "matmul: b is null");
    return MatmulDispatch.matmul(this, b);
  }

  /**
   * The sum over the batch of the matrix products {@code a[i] @ b[i]}: {@code (a @ b)} summed
   * over its leading (broadcast batch) dimensions, an {@code [m, n]} array, without the
   * {@code [batch..., m, n]} stack of products in between. It is the gradient of a matrix that
   * multiplies a whole batch (a convolution's weight, {@code grad @ cols.mT} summed over the
   * images). Operands as for {@link #matmul}; the products are added in batch order.
   *
   * @throws ShapeException when inner dimensions differ or batch dimensions do not broadcast
   * @throws NullPointerException when an argument is null
   */
  public static NDArray matmulSum(NDArray a, NDArray b) {
    checkNotNull(a, "matmulSum: a is null");
    checkNotNull(b, "matmulSum: b is null");
    return MatmulDispatch.matmulSum(a, b);
  }

  /**
   * {@code this @ b} written into {@code into}, which the caller owns: a dense array of the
   * product's shape and dtype starting at index 0 of its storage, sharing no storage with the
   * operands (a gradient buffer reused across steps, say). Its old values are overwritten, and
   * its version counter is bumped.
   *
   * @throws IllegalArgumentException when {@code into} has another shape or dtype, or is a view,
   *     or shares storage with an operand
   * @throws NullPointerException when {@code b} or {@code into} is null
   */
  public NDArray matmulInto(NDArray b, NDArray into) {
    checkNotNull(b, "matmulInto: b is null");
    checkNotNull(into, "matmulInto: into is null");
    if (into.sharesStorage(this) || into.sharesStorage(b)) {
      throw new IllegalArgumentException("matmulInto: the destination overlaps an operand");
    }
    return MatmulDispatch.matmul(this, b, into, false);
  }

  /**
   * The fused linear layer {@code x @ w + bias}, then {@code max(., 0)} when {@code relu}: one
   * output array, the bias copied into it before the product accumulates onto it, the activation
   * applied in place. {@code x} is {@code [rows, in]}, {@code w} {@code [in, out]}, {@code bias}
   * {@code [out]} or null.
   *
   * @throws ShapeException when the shapes do not fit
   * @throws DTypeException when the dtypes differ or are int64
   * @throws NullPointerException when {@code x} or {@code w} is null
   */
  public static NDArray linear(NDArray x, NDArray w, @Nullable NDArray bias, boolean relu) {
    checkNotNull(x, "linear: x is null");
    checkNotNull(w, "linear: w is null");
    return Fused.linear(x, w, bias, relu);
  }

  /**
   * ReLU's vector-Jacobian product from its output: {@code out > 0 ? grad : 0} elementwise, in
   * one pass (PyTorch's {@code threshold_backward}).
   *
   * @throws ShapeException when the shapes differ
   * @throws NullPointerException when an argument is null
   */
  public static NDArray reluBackward(NDArray grad, NDArray out) {
    checkNotNull(grad, "reluBackward: grad is null");
    checkNotNull(out, "reluBackward: out is null");
    return Fused.activationBackward(Fused.Activation.RELU, grad, out);
  }

  /**
   * tanh's vector-Jacobian product from its output: {@code grad * (1 - out * out)} elementwise,
   * in one pass, with the composition's rounding.
   *
   * @throws ShapeException when the shapes differ
   * @throws NullPointerException when an argument is null
   */
  public static NDArray tanhBackward(NDArray grad, NDArray out) {
    checkNotNull(grad, "tanhBackward: grad is null");
    checkNotNull(out, "tanhBackward: out is null");
    return Fused.activationBackward(Fused.Activation.TANH, grad, out);
  }

  /**
   * The sigmoid's vector-Jacobian product from its output: {@code grad * (out * (1 - out))}
   * elementwise, in one pass, with the composition's rounding.
   *
   * @throws ShapeException when the shapes differ
   * @throws NullPointerException when an argument is null
   */
  public static NDArray sigmoidBackward(NDArray grad, NDArray out) {
    checkNotNull(grad, "sigmoidBackward: grad is null");
    checkNotNull(out, "sigmoidBackward: out is null");
    return Fused.activationBackward(Fused.Activation.SIGMOID, grad, out);
  }

  /**
   * Softmax cross-entropy of each row of {@code logits [N, C]} at the int64 {@code labels [N]}:
   * {@code logsumexp(x_i) - x_i[label_i]}, shifted by the row's maximum for stability.
   *
   * @throws ShapeException for shapes other than {@code [N, C]} (C >= 1) and {@code [N]}
   * @throws IllegalArgumentException for a label outside {@code [0, C)}
   * @throws NullPointerException when an argument is null
   */
  public static NDArray crossEntropyRows(NDArray logits, NDArray labels) {
    checkNotNull(logits, "crossEntropy: logits is null");
    checkNotNull(labels, "crossEntropy: labels is null");
    return Fused.crossEntropyRows(logits, labels);
  }

  /**
   * The VJP of {@link #crossEntropyRows}: {@code (softmax(x_i) - onehot(label_i)) * grad_i} per
   * row, {@code grad} of shape {@code [N]} or a single value shared by every row.
   *
   * @throws ShapeException or {@code IllegalArgumentException} as {@link #crossEntropyRows}, or
   *     for a {@code grad} of another shape
   * @throws NullPointerException when an argument is null
   */
  public static NDArray crossEntropyBackward(NDArray logits, NDArray labels, NDArray grad) {
    checkNotNull(logits, "crossEntropy: logits is null");
    checkNotNull(labels, "crossEntropy: labels is null");
    checkNotNull(grad, "crossEntropy: grad is null");
    return Fused.crossEntropyBackward(logits, labels, grad);
  }

  /**
   * Batch normalisation over channel axis 1 of {@code x} ({@code [N, C]} or {@code [N, C, L]})
   * with the batch's own statistics: per channel, the mean and the biased variance over the
   * other axes, then {@code y = (x - mean) / sqrt(var + eps) * weight + bias} ({@code weight}
   * and {@code bias} {@code [C]} of x's dtype, or null for 1 and 0). The statistics are summed
   * in float64; the output is computed in x's dtype from per-channel coefficients rounded to it.
   *
   * @return {@code {y, mean, var, rstd}}: the output, then the float64 {@code [C]} mean, biased
   *     variance and {@code 1 / sqrt(var + eps)}
   * @throws ShapeException for other shapes
   * @throws IllegalArgumentException for an eps that is not positive and finite, or int64 data
   * @throws NullPointerException when {@code x} is null
   */
  public static NDArray[] batchNorm(
      NDArray x, @Nullable NDArray weight, @Nullable NDArray bias, double eps) {
    checkNotNull(x, "batchNorm: x is null");
    return Fused.batchNorm(x, weight, bias, eps);
  }

  /**
   * The VJP of {@link #batchNorm} at {@code x} for the upstream {@code grad} (x's shape), from the
   * forward's {@code mean} and {@code rstd}: {@code dx = weight * rstd * (grad - mean(grad) -
   * xhat * mean(grad * xhat))} with {@code xhat = (x - mean) * rstd} and the means over the
   * channel's values, {@code dweight = sum(grad * xhat)} and {@code dbias = sum(grad)}.
   *
   * @return {@code {dx, dweight, dbias}} in x's dtype, {@code dx} null unless {@code inputGrad}
   * @throws ShapeException for shapes that do not match
   * @throws NullPointerException when {@code x}, {@code grad}, {@code mean} or {@code rstd} is
   *     null
   */
  public static NDArray[] batchNormBackward(
      NDArray x, NDArray grad, NDArray mean, NDArray rstd, @Nullable NDArray weight,
      boolean inputGrad) {
    checkNotNull(x, "batchNormBackward: x is null");
    checkNotNull(grad, "batchNormBackward: grad is null");
    checkNotNull(mean, "batchNormBackward: mean is null");
    checkNotNull(rstd, "batchNormBackward: rstd is null");
    return Fused.batchNormBackward(x, grad, mean, rstd, weight, inputGrad);
  }

  /**
   * Joins arrays of one dtype along {@code axis}; all other dimensions must match.
   *
   * @throws ShapeException naming the mismatching shapes
   */
  public static NDArray concat(NDArray[] parts, int axis) {
    checkNotNull(parts, "concat: parts is null");
    for (int i = 0; i < parts.length; i++) {
      if (parts[i] == null) {
        throw new NullPointerException("concat: parts[" + i + "] is null");
      }
    }
    return Indexing.concat(parts, axis);
  }

  /**
   * A copy of this array with the slice {@code start:end:step} along {@code axis} replaced by
   * {@code src} (which must have the slice's shape).
   */
  public NDArray sliceScatter(NDArray src, int axis, int start, int end, int step) {
    checkNotNull(src, "sliceScatter: src is null");
    return Indexing.sliceScatter(this, src, axis, start, end, step);
  }

  /** Selects entries {@code index} (a 1-d int64 array) along {@code axis}. */
  public NDArray indexSelect(int axis, NDArray index) {
    checkNotNull(index, "indexSelect: index is null");
    return Indexing.indexSelect(this, axis, index);
  }

  /**
   * A copy of this array with {@code src} added at entries {@code index} along {@code axis}
   * (repeated indices accumulate).
   */
  public NDArray indexAdd(int axis, NDArray index, NDArray src) {
    checkNotNull(index, "indexAdd: index is null");
    checkNotNull(src, "indexAdd: src is null");
    return Indexing.indexAdd(this, axis, index, src);
  }

  /**
   * {@code out[i][j][k] = this[index[i][j][k]][j][k]} for {@code axis == 0} (and likewise for other
   * axes): picks one entry along {@code axis} per position of {@code index}, which has this
   * array's rank; its other dimensions must not exceed this array's.
   */
  public NDArray gather(int axis, NDArray index) {
    checkNotNull(index, "gather: index is null");
    return Indexing.gather(this, axis, index);
  }

  /**
   * A copy of this array with {@code src[i][j][k]} added at {@code [index[i][j][k]][j][k]} (for
   * {@code axis == 0}); the inverse of {@link #gather}, accumulating repeated indices.
   */
  public NDArray scatterAdd(int axis, NDArray index, NDArray src) {
    checkNotNull(index, "scatterAdd: index is null");
    checkNotNull(src, "scatterAdd: src is null");
    return Indexing.scatterAdd(this, axis, index, src);
  }

  @Override
  public String toString() {
    return "NDArray(shape=" + Shapes.str(shape) + ", dtype=" + dtype + ")";
  }
}
