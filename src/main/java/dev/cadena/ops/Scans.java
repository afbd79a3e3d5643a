package dev.cadena.ops;

import static com.google.common.base.Preconditions.checkNotNull;
import static dev.cadena.ops.Recording.grads;
import static dev.cadena.ops.Recording.record;

import dev.cadena.Tensor;
import dev.cadena.autograd.Anomaly;
import dev.cadena.tensor.NDArray;
import dev.cadena.tensor.Shapes;
import java.util.List;

/**
 * Scans, products and norms: the primitive {@link Primitive#CUMSUM}, and the compositions
 * {@code cumprod}, {@code prod} and {@code norm}. The products are built from multiplications
 * only (a scan and a tree of pairwise products, {@code log n} levels each), never by dividing by
 * {@code x}, so their gradients are exact where {@code x} holds zeros, one or several, to every
 * order. {@code cumsum} has no {@code vmap} rule yet (it throws under {@code vmap}); the
 * compositions run under {@code vmap} on the rules of the primitives they use.
 */
public final class Scans {
  private Scans() {}

  /**
   * The primitive {@link Primitive#CUMSUM}: running sums along {@code axis}, {@code out[i] =
   * x[0] + ... + x[i]}, as PyTorch's {@code cumsum}; a 0-d tensor is its own cumsum (axis 0 or
   * -1).
   *
   * @throws dev.cadena.tensor.ShapeException for a bad axis
   * @throws dev.cadena.tensor.DTypeException for int64 data
   */
  public static Tensor cumsum(Tensor x, int axis) {
    try (var o = Anomaly.operands("cumsum", "x", x)) {
      return cumsumImpl(x, axis);
    }
  }

  private static Tensor cumsumImpl(Tensor x, int axis) {
    checkNotNull(x, "cumsum: x is null");
    int a = Shapes.axis("cumsum", axis, Math.max(x.rank(), 1));
    Elementwise.floatType("cumsum", x);
    if (x.rank() == 0) {
      return cumsum(x.reshape(1), 0).reshape();
    }
    // Under vmap the batch axis comes first in the physical array: the scan runs one axis on.
    NDArray r = x.data().cumsum(x.isBatched() ? a + 1 : a);
    return record(Primitive.CUMSUM, r, x,
        (n, grad) -> grads(flip(cumsum(flip(grad, a), a), a)),
        (t, in, out) -> cumsum(t[0], a));
  }

  /** {@code x} reversed along {@code axis}: an {@code indexSelect} with {@code n-1, ..., 0}. */
  private static Tensor flip(Tensor x, int axis) {
    int n = x.size(axis);
    long[] rev = new long[n];
    for (int i = 0; i < n; i++) {
      rev[i] = n - 1 - i;
    }
    return x.indexSelect(axis, Tensor.ofLongs(rev));
  }

  /**
   * Running products along {@code axis}, {@code out[i] = x[0] * ... * x[i]}, as PyTorch's {@code
   * cumprod}; a composition: the scan of Hillis and Steele, {@code ceil(log2 n)} steps of {@code
   * y[i] = y[i] * y[i - s]} for {@code s = 1, 2, 4, ...}, each a {@code slice}, a {@code mul} and
   * a {@code concat}. Multiplications only, so the gradient is exact with zeros in {@code x}
   * (where {@code grad * out / x} would be NaN).
   *
   * <pre>{@code
   * Tensor.of(1.0, 2.0, 0.0, 4.0).cumprod(0)   // [1, 2, 0, 0]
   * }</pre>
   */
  public static Tensor cumprod(Tensor x, int axis) {
    try (var o = Anomaly.operands("cumprod", "x", x)) {
      return cumprodImpl(x, axis);
    }
  }

  private static Tensor cumprodImpl(Tensor x, int axis) {
    checkNotNull(x, "cumprod: x is null");
    int a = Shapes.axis("cumprod", axis, Math.max(x.rank(), 1));
    Elementwise.floatType("cumprod", x);
    if (x.rank() == 0) {
      return x;
    }
    int n = x.size(a);
    Tensor y = x;
    for (int s = 1; s < n; s *= 2) {
      Tensor shifted = y.slice(a, s, n).mul(y.slice(a, 0, n - s));
      y = Tensor.concat(List.of(y.slice(a, 0, s), shifted), a);
      if (s > Integer.MAX_VALUE / 2) {
        break;
      }
    }
    return y;
  }

  /**
   * The product of the entries along {@code axis}, removed unless {@code keepDims}, as PyTorch's
   * {@code prod}; 1 over an empty axis; a composition: pairwise products of the halves, {@code
   * ceil(log2 n)} levels, so the gradient is exact with zeros in {@code x} (one zero: only its
   * own entry gets a non-zero gradient, the product of the others; two zeros: all gradients 0).
   *
   * <pre>{@code
   * Tensor.of(new double[][] {{1, 2}, {3, 0}}).prod(1, false)   // [2, 0]
   * }</pre>
   */
  public static Tensor prod(Tensor x, int axis, boolean keepDims) {
    try (var o = Anomaly.operands("prod", "x", x)) {
      return prodImpl(x, axis, keepDims);
    }
  }

  private static Tensor prodImpl(Tensor x, int axis, boolean keepDims) {
    checkNotNull(x, "prod: x is null");
    int a = Shapes.axis("prod", axis, Math.max(x.rank(), 1));
    Elementwise.floatType("prod", x);
    if (x.rank() == 0) {
      return x;
    }
    Tensor y = x;
    int n = y.size(a);
    if (n == 0) {
      // The empty product, connected to x's graph (its gradient has no entries anyway).
      Tensor one = x.sum(new int[] {a}, true).add(1.0);
      return keepDims ? one : one.squeeze(a);
    }
    while (n > 1) {
      int h = n / 2;
      Tensor p = y.slice(a, 0, h).mul(y.slice(a, h, 2 * h));
      y = n % 2 == 0 ? p : Tensor.concat(List.of(p, y.slice(a, 2 * h, n)), a);
      n = (n + 1) / 2;
    }
    return keepDims ? y : y.squeeze(a);
  }

  /** The product of all entries (0-d); 1 for an empty tensor; see {@link #prod(Tensor, int, boolean)}. */
  public static Tensor prod(Tensor x) {
    checkNotNull(x, "prod: x is null");
    return prod(x.reshape(-1), 0, false);
  }

  /**
   * The vector {@code p}-norm over {@code axes} (empty: all), as PyTorch's {@code
   * linalg.vector_norm(x, p, dims, keepdim)}:
   *
   * <ul>
   *   <li>{@code p = 2}: {@code sqrt(sum(x^2))}, with gradient 0 (not NaN) where the norm is 0,
   *       PyTorch's subgradient: the square root is taken of {@code where(s == 0, 1, s)} and
   *       replaced by 0 there;
   *   <li>{@code p = 1}: {@code sum(abs(x))} (gradient {@code sign(x)}, 0 at 0);
   *   <li>{@code p = inf}: {@code amax(abs(x))}, {@code p = -inf}: {@code amin(abs(x))} (ties
   *       share the gradient, as {@code amax});
   *   <li>other {@code p > 0}: {@code sum(abs(x)^p)^(1/p)}, gradient 0 where the norm is 0 as for
   *       2; for {@code p < 1} an entry that is 0 next to non-zero ones gets a NaN gradient
   *       ({@code 0 * inf}, as in PyTorch).
   * </ul>
   *
   * <pre>{@code
   * Tensor.of(3.0, -4.0).norm(2, new int[0], false)   // 5
   * }</pre>
   *
   * @throws IllegalArgumentException for {@code p} NaN, 0 or negative other than {@code -inf}
   */
  public static Tensor norm(Tensor x, double p, int[] axes, boolean keepDims) {
    try (var o = Anomaly.operands("norm", "x", x)) {
      return normImpl(x, p, axes, keepDims);
    }
  }

  private static Tensor normImpl(Tensor x, double p, int[] axes, boolean keepDims) {
    checkNotNull(x, "norm: x is null");
    checkNotNull(axes, "norm: axes is null");
    int[] ax = Shapes.axes("norm", axes, x.rank());
    Elementwise.floatType("norm", x);
    if (!(p > 0) && p != Double.NEGATIVE_INFINITY) {
      throw new IllegalArgumentException(
          "norm: p must be positive, inf or -inf, got " + p);
    }
    if (p == 1) {
      return x.abs().sum(ax, keepDims);
    }
    if (p == Double.POSITIVE_INFINITY) {
      return x.abs().amax(ax, keepDims);
    }
    if (p == Double.NEGATIVE_INFINITY) {
      return x.abs().amin(ax, keepDims);
    }
    if (p == 2) {
      return rootOrZero(x.mul(x).sum(ax, keepDims), 0.5);
    }
    return rootOrZero(x.abs().pow(p).sum(ax, keepDims), 1 / p);
  }

  /**
   * The norm named by {@code p}: only {@code "fro"}, the Frobenius norm, which over any axes is
   * the 2-norm of their entries ({@link #norm(Tensor, double, int[], boolean)} with {@code p = 2}).
   *
   * @throws IllegalArgumentException for another name ({@code "nuc"} is not supported)
   */
  public static Tensor norm(Tensor x, String p, int[] axes, boolean keepDims) {
    try (var o = Anomaly.operands("norm", "x", x)) {
      return normImpl(x, p, axes, keepDims);
    }
  }

  private static Tensor normImpl(Tensor x, String p, int[] axes, boolean keepDims) {
    checkNotNull(x, "norm: x is null");
    checkNotNull(p, "norm: p is null");
    checkNotNull(axes, "norm: axes is null");
    if (!p.equals("fro")) {
      throw new IllegalArgumentException("norm: unknown norm '" + p + "' (supported: \"fro\")");
    }
    return norm(x, 2, axes, keepDims);
  }

  /** {@code s^e} where {@code s > 0}, and 0 with a zero gradient where {@code s == 0}. */
  private static Tensor rootOrZero(Tensor s, double e) {
    Tensor zero = s.eq(0.0);
    Tensor z = Tensor.scalar(0.0, s.dtype());
    Tensor safe = Tensor.where(zero, Tensor.scalar(1.0, s.dtype()), s);
    return Tensor.where(zero, z, e == 0.5 ? safe.sqrt() : safe.pow(e));
  }
}
