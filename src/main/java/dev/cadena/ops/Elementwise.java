package dev.cadena.ops;

import static com.google.common.base.Preconditions.checkNotNull;
import static dev.cadena.ops.Recording.grads;
import static dev.cadena.ops.Recording.promote;
import static dev.cadena.ops.Recording.record;

import dev.cadena.Tensor;
import dev.cadena.autograd.GradMode;
import dev.cadena.tensor.BinaryOp;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.DTypeException;
import dev.cadena.tensor.NDArray;
import dev.cadena.tensor.UnaryOp;

/**
 * Elementwise primitives, each forward next to its vector-Jacobian product, and the compositions
 * built from them. A primitive's formula and VJP are stated once, on its {@link Primitive}
 * constant; a composition's Javadoc gives its defining formula. Binary ops broadcast by NumPy's
 * rules and promote dtypes by {@link DType#promote}; the engine sums broadcast gradients back, so
 * no VJP here does.
 */
public final class Elementwise {
  private Elementwise() {}

  // ------------------------------------------------------------------ primitives

  /** The primitive {@link Primitive#ADD}, broadcasting. */
  public static Tensor add(Tensor a, Tensor b) {
    checkNotNull(a, "add: a is null");
    checkNotNull(b, "add: b is null");
    Tensor[] p = promote("add", a, b);
    return record(Primitive.ADD, p[0].data().binary(BinaryOp.ADD, p[1].data()), p,
        (n, grad) -> grads(grad, grad));
  }

  /** The primitive {@link Primitive#MUL}, broadcasting. */
  public static Tensor mul(Tensor a, Tensor b) {
    checkNotNull(a, "mul: a is null");
    checkNotNull(b, "mul: b is null");
    Tensor[] p = promote("mul", a, b);
    return record(Primitive.MUL, p[0].data().binary(BinaryOp.MUL, p[1].data()), p,
        (n, grad) -> grads(
            n.needsGrad(0) ? grad.mul(n.input(1)) : null,
            n.needsGrad(1) ? grad.mul(n.input(0)) : null));
  }

  /** The primitive {@link Primitive#DIV}, broadcasting. */
  public static Tensor div(Tensor a, Tensor b) {
    checkNotNull(a, "div: a is null");
    checkNotNull(b, "div: b is null");
    Tensor[] p = promote("div", a, b);
    return record(Primitive.DIV, p[0].data().binary(BinaryOp.DIV, p[1].data()), p,
        (n, grad) -> grads(
            n.needsGrad(0) ? grad.div(n.input(1)) : null,
            n.needsGrad(1) ? grad.neg().mul(n.out()).div(n.input(1)) : null));
  }

  /** The primitive {@link Primitive#POW}, broadcasting. */
  public static Tensor pow(Tensor a, Tensor b) {
    checkNotNull(a, "pow: a is null");
    checkNotNull(b, "pow: b is null");
    Tensor[] p = promote("pow", a, b);
    return record(Primitive.POW, p[0].data().binary(BinaryOp.POW, p[1].data()), p,
        (n, grad) -> grads(
            n.needsGrad(0) ? grad.mul(n.input(1)).mul(n.input(0).pow(n.input(1).sub(1.0))) : null,
            n.needsGrad(1) ? grad.mul(n.out()).mul(n.input(0).log()) : null));
  }

  /** The primitive {@link Primitive#EXP}. */
  public static Tensor exp(Tensor x) {
    checkNotNull(x, "exp: x is null");
    return record(Primitive.EXP, x.data().unary(UnaryOp.EXP), new Tensor[] {x},
        (n, grad) -> grads(grad.mul(n.out())));
  }

  /** The primitive {@link Primitive#LOG}. */
  public static Tensor log(Tensor x) {
    checkNotNull(x, "log: x is null");
    return record(Primitive.LOG, x.data().unary(UnaryOp.LOG), new Tensor[] {x},
        (n, grad) -> grads(grad.div(n.input(0))));
  }

  /** The primitive {@link Primitive#SQRT}. */
  public static Tensor sqrt(Tensor x) {
    checkNotNull(x, "sqrt: x is null");
    return record(Primitive.SQRT, x.data().unary(UnaryOp.SQRT), new Tensor[] {x},
        (n, grad) -> grads(grad.div(n.out().mul(2.0))));
  }

  /** The primitive {@link Primitive#ABS} (its gradient at 0 is 0). */
  public static Tensor abs(Tensor x) {
    checkNotNull(x, "abs: x is null");
    return record(Primitive.ABS, x.data().unary(UnaryOp.ABS), new Tensor[] {x},
        (n, grad) -> grads(grad.mul(sign(n.input(0)))));
  }

  /** The primitive {@link Primitive#SIN}. */
  public static Tensor sin(Tensor x) {
    checkNotNull(x, "sin: x is null");
    return record(Primitive.SIN, x.data().unary(UnaryOp.SIN), new Tensor[] {x},
        (n, grad) -> grads(grad.mul(n.input(0).cos())));
  }

  /** The primitive {@link Primitive#COS}. */
  public static Tensor cos(Tensor x) {
    checkNotNull(x, "cos: x is null");
    return record(Primitive.COS, x.data().unary(UnaryOp.COS), new Tensor[] {x},
        (n, grad) -> grads(grad.neg().mul(n.input(0).sin())));
  }

  /** The primitive {@link Primitive#TANH}. */
  public static Tensor tanh(Tensor x) {
    checkNotNull(x, "tanh: x is null");
    return record(Primitive.TANH, x.data().unary(UnaryOp.TANH), new Tensor[] {x},
        (n, grad) -> grads(tanhGrad(grad, n.out())));
  }

  /**
   * {@code grad * (1 - out^2)}, tanh's VJP: one fused pass ({@link NDArray#tanhBackward}) without
   * a graph to record, else the composition; the same values either way.
   */
  static Tensor tanhGrad(Tensor grad, Tensor out) {
    if (!GradMode.isEnabled() && grad.dtype() == out.dtype() && grad.data().sameShape(out.data())) {
      return Tensor.fromData(NDArray.tanhBackward(grad.data(), out.data()));
    }
    return grad.mul(out.square().rsub(1.0));
  }

  /** The primitive {@link Primitive#SIGMOID}, stable for large |x|. */
  public static Tensor sigmoid(Tensor x) {
    checkNotNull(x, "sigmoid: x is null");
    return record(Primitive.SIGMOID, x.data().unary(UnaryOp.SIGMOID), new Tensor[] {x},
        (n, grad) -> grads(sigmoidGrad(grad, n.out())));
  }

  /**
   * {@code grad * (out * (1 - out))}, the sigmoid's VJP: one fused pass ({@link
   * NDArray#sigmoidBackward}) without a graph to record, else the composition.
   */
  static Tensor sigmoidGrad(Tensor grad, Tensor out) {
    if (!GradMode.isEnabled() && grad.dtype() == out.dtype() && grad.data().sameShape(out.data())) {
      return Tensor.fromData(NDArray.sigmoidBackward(grad.data(), out.data()));
    }
    return grad.mul(out.mul(out.rsub(1.0)));
  }

  /** The primitive {@link Primitive#RELU}. */
  public static Tensor relu(Tensor x) {
    checkNotNull(x, "relu: x is null");
    return record(Primitive.RELU, x.data().unary(UnaryOp.RELU), new Tensor[] {x},
        (n, grad) -> grads(reluGrad(grad, n.out())));
  }

  /**
   * {@code where(out > 0, grad, 0)}: the VJP of a ReLU from its output (PyTorch's
   * {@code threshold_backward}). Without a graph to record, one fused pass ({@link
   * NDArray#reluBackward}); with {@code createGraph}, the composition, so that it can be
   * differentiated again. The two give the same values; a test compares them.
   */
  static Tensor reluGrad(Tensor grad, Tensor out) {
    if (!GradMode.isEnabled() && grad.dtype() == out.dtype() && grad.data().sameShape(out.data())) {
      return Tensor.fromData(NDArray.reluBackward(grad.data(), out.data()));
    }
    return Tensor.where(out.gt(0.0), grad, Tensor.scalar(0.0, grad.dtype()));
  }

  /** The primitive {@link Primitive#MAXIMUM}, broadcasting: ties split the gradient evenly. */
  public static Tensor maximum(Tensor a, Tensor b) {
    checkNotNull(a, "maximum: a is null");
    checkNotNull(b, "maximum: b is null");
    Tensor[] p = promote("maximum", a, b);
    return record(Primitive.MAXIMUM, p[0].data().binary(BinaryOp.MAX, p[1].data()), p,
        (n, grad) -> {
          Tensor x = n.input(0);
          Tensor y = n.input(1);
          Tensor tie = x.eq(y).mul(0.5);
          return grads(
              n.needsGrad(0) ? grad.mul(x.gt(y).add(tie)) : null,
              n.needsGrad(1) ? grad.mul(y.gt(x).add(tie)) : null);
        });
  }

  /**
   * The primitive {@link Primitive#WHERE}: {@code cond != 0} picks {@code a}, all three broadcast
   * together; the mask gets no gradient.
   */
  public static Tensor where(Tensor cond, Tensor a, Tensor b) {
    checkNotNull(cond, "where: cond is null");
    checkNotNull(a, "where: a is null");
    checkNotNull(b, "where: b is null");
    Tensor[] p = promote("where", a, b);
    NDArray c = cond.data();
    return record(Primitive.WHERE, NDArray.where(c, p[0].data(), p[1].data()), p,
        (n, grad) -> {
          Tensor mask = Tensor.fromData(c);
          Tensor zero = Tensor.scalar(0.0, grad.dtype());
          return grads(
              n.needsGrad(0) ? where(mask, grad, zero) : null,
              n.needsGrad(1) ? where(mask, zero, grad) : null);
        });
  }

  /**
   * The primitive {@link Primitive#CAST} between float dtypes; to or from int64 the result is a
   * constant (no gradient flows through integers), and to the same dtype it is {@code x} itself.
   */
  public static Tensor cast(Tensor x, DType dtype) {
    checkNotNull(x, "cast: x is null");
    checkNotNull(dtype, "cast: dtype is null");
    if (x.dtype() == dtype) {
      return x;
    }
    DType from = x.dtype();
    if (from == DType.INT64 || dtype == DType.INT64) {
      return Tensor.fromData(x.data().astype(dtype));
    }
    return record(Primitive.CAST, x.data().astype(dtype), new Tensor[] {x},
        (n, grad) -> grads(cast(grad, from)));
  }

  // ------------------------------------------------------------------ compositions

  /** {@code a - b = a + (-b)}; a composition. */
  public static Tensor sub(Tensor a, Tensor b) {
    checkNotNull(a, "sub: a is null");
    checkNotNull(b, "sub: b is null");
    return add(a, neg(b));
  }

  /** {@code -x = x * -1}; a composition. */
  public static Tensor neg(Tensor x) {
    checkNotNull(x, "neg: x is null");
    return mul(x, Tensor.scalar(-1.0, floatType("neg", x)));
  }

  /** {@code min(a, b) = -max(-a, -b)}; a composition. */
  public static Tensor minimum(Tensor a, Tensor b) {
    checkNotNull(a, "minimum: a is null");
    checkNotNull(b, "minimum: b is null");
    return neg(maximum(neg(a), neg(b)));
  }

  /** {@code min(max(x, lo), hi)}; a composition. */
  public static Tensor clamp(Tensor x, double lo, double hi) {
    checkNotNull(x, "clamp: x is null");
    if (lo > hi) {
      throw new IllegalArgumentException("clamp: min " + lo + " is greater than max " + hi);
    }
    DType t = floatType("clamp", x);
    return minimum(maximum(x, Tensor.scalar(lo, t)), Tensor.scalar(hi, t));
  }

  private static DType floatType(String op, Tensor x) {
    if (x.dtype() == DType.INT64) {
      throw DTypeException.int64NotSupported(op);
    }
    return x.dtype();
  }

  /** {@code -1, 0 or 1} per element; a mask, not differentiable. */
  public static Tensor sign(Tensor x) {
    checkNotNull(x, "sign: x is null");
    return Tensor.fromData(x.data().unary(UnaryOp.SIGN));
  }

  /** An elementwise comparison: 1 where it holds, else 0 (a mask: no gradient flows). */
  public static Tensor compare(BinaryOp op, Tensor a, Tensor b) {
    checkNotNull(op, "compare: op is null");
    checkNotNull(a, "compare: a is null");
    checkNotNull(b, "compare: b is null");
    DType t = DType.promote(a.dtype(), b.dtype());
    if (t == DType.INT64) {
      t = DType.FLOAT64;
    }
    return Tensor.fromData(a.data().astype(t).binary(op, b.data().astype(t)));
  }
}
