package dev.cadena.ops;

import static com.google.common.base.Preconditions.checkNotNull;
import static dev.cadena.ops.Recording.grads;
import static dev.cadena.ops.Recording.plus;
import static dev.cadena.ops.Recording.promote;
import static dev.cadena.ops.Recording.record;

import dev.cadena.Tensor;
import dev.cadena.autograd.Anomaly;
import dev.cadena.autograd.ForwardAD;
import dev.cadena.autograd.GradMode;
import dev.cadena.autograd.Node;
import dev.cadena.tensor.BinaryOp;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.DTypeException;
import dev.cadena.tensor.NDArray;
import dev.cadena.tensor.ShapeException;
import dev.cadena.tensor.Shapes;
import dev.cadena.tensor.UnaryOp;
import java.util.Arrays;

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
    try (var o = Anomaly.operands("add", "a", a, "b", b)) {
      return addImpl(a, b);
    }
  }

  private static Tensor addImpl(Tensor a, Tensor b) {
    checkNotNull(a, "add: a is null");
    checkNotNull(b, "add: b is null");
    Tensor[] p = promote("add", a, b);
    return record(Primitive.ADD, p[0].data().binary(BinaryOp.ADD, p[1].data()), p,
        (n, grad) -> grads(grad, grad),
        (t, in, out) -> plus(t[0], t[1]));
  }

  /** The primitive {@link Primitive#MUL}, broadcasting. */
  public static Tensor mul(Tensor a, Tensor b) {
    try (var o = Anomaly.operands("mul", "a", a, "b", b)) {
      return mulImpl(a, b);
    }
  }

  private static Tensor mulImpl(Tensor a, Tensor b) {
    checkNotNull(a, "mul: a is null");
    checkNotNull(b, "mul: b is null");
    Tensor[] p = promote("mul", a, b);
    return record(Primitive.MUL, p[0].data().binary(BinaryOp.MUL, p[1].data()), p, MUL_VJP,
        (t, in, out) -> plus(
            t[0] == null ? null : t[0].mul(in[1]),
            t[1] == null ? null : in[0].mul(t[1])));
  }

  /**
   * The VJP of {@code a * b}, {@code (grad * b, grad * a)}: new tensors, or, when the engine lends
   * the upstream gradient ({@link Node#mayOverwriteGrad}), {@code grad * b} written into it (the
   * same rounded products) after {@code grad * a}, if wanted, was made from it. Broadcast
   * operands are read broadcast; the engine sums each result back to its input's shape.
   */
  private static final Node.FreshVjp MUL_VJP = (n, grad) -> {
    Tensor gb = n.needsGrad(1) ? grad.mul(n.input(0)) : null;
    if (!n.needsGrad(0)) {
      return grads(null, gb);
    }
    Tensor b = n.input(1);
    if (lent(n, grad, n.out()) && b.dtype() == grad.dtype() && !b.isBatched()) {
      grad.data().applyInPlace(BinaryOp.MUL, b.data());
      return grads(grad, gb);
    }
    return grads(grad.mul(b), gb);
  };

  // -------------------------------------------------- primitives with a Java scalar operand

  /*
   * x + c, x * c and x / c for a double c are the primitives ADD, MUL and DIV with b a constant.
   * Written with a 0-d tensor for c (the reference path, still taken for batched tensors), each
   * call made a 0-d array and tensor, promoted the pair and recorded a node with two inputs. Here
   * c goes to the kernel as a value (NDArray.binary(op, double)) and the node has x as its only
   * input, the VJP holding c: the same values and gradients, with fewer objects per op, which is
   * what a chain of tiny ops costs (W3). ScalarOpTest compares both paths, forward, backward,
   * second order and forward mode.
   */

  /**
   * {@code x + c}: the primitive {@link Primitive#ADD} with the constant {@code c}, recorded
   * with {@code x} as its only input (no 0-d tensor for {@code c}).
   *
   * @throws DTypeException for an int64 {@code x}
   */
  public static Tensor addScalar(Tensor x, double c) {
    checkNotNull(x, "add: x is null");
    if (x.isBatched()) {
      return add(x, Tensor.scalar(c, floatType("add", x)));
    }
    floatType("add", x);
    return record(Primitive.ADD, x.data().binary(BinaryOp.ADD, c), x, PASS_GRAD,
        (t, in, out) -> t[0]);
  }

  /** The VJP of {@code x + c}: {@code grad} itself, so a lent gradient stays lent. */
  private static final Node.FreshVjp PASS_GRAD = (n, grad) -> grads(grad);

  /**
   * {@code x * c}: the primitive {@link Primitive#MUL} with the constant {@code c}, recorded
   * with {@code x} as its only input (no 0-d tensor for {@code c}).
   *
   * @throws DTypeException for an int64 {@code x}
   */
  public static Tensor mulScalar(Tensor x, double c) {
    checkNotNull(x, "mul: x is null");
    if (x.isBatched()) {
      return mul(x, Tensor.scalar(c, floatType("mul", x)));
    }
    floatType("mul", x);
    NDArray r = x.data().binary(BinaryOp.MUL, c);
    if (Recording.recordsNothing(x)) {
      return Tensor.fromData(r); // a VJP's own op without a graph: no rule to hold
    }
    ScalarRule rule = new ScalarRule(BinaryOp.MUL, c);
    return record(Primitive.MUL, r, x, rule, rule);
  }

  /**
   * {@code x / c}: the primitive {@link Primitive#DIV} with the constant {@code c}, recorded
   * with {@code x} as its only input (no 0-d tensor for {@code c}).
   *
   * @throws DTypeException for an int64 {@code x}
   */
  public static Tensor divScalar(Tensor x, double c) {
    checkNotNull(x, "div: x is null");
    if (x.isBatched()) {
      return div(x, Tensor.scalar(c, floatType("div", x)));
    }
    floatType("div", x);
    NDArray r = x.data().binary(BinaryOp.DIV, c);
    if (Recording.recordsNothing(x)) {
      return Tensor.fromData(r); // a VJP's own op without a graph: no rule to hold
    }
    ScalarRule rule = new ScalarRule(BinaryOp.DIV, c);
    return record(Primitive.DIV, r, x, rule, rule);
  }

  /**
   * The VJP and JVP of {@code x * c} or {@code x / c} in one object (one allocation per op, not
   * two lambdas capturing {@code c}): {@code grad * c}, {@code grad / c}, and the same of the
   * tangent. When the engine lends it the upstream gradient ({@link Node#mayOverwriteGrad}) the
   * VJP scales it in place, with the same arithmetic, instead of allocating a new one.
   */
  private static final class ScalarRule implements Node.FreshVjp, Node.Jvp {
    private final BinaryOp op;
    private final double c;

    ScalarRule(BinaryOp op, double c) {
      this.op = op;
      this.c = c;
    }

    @Override
    public Tensor[] apply(Node n, Tensor grad) {
      if (n.mayOverwriteGrad()) {
        grad.data().applyInPlace(op, c);
        return grads(grad);
      }
      return grads(scaled(grad));
    }

    @Override
    public Tensor apply(Tensor[] t, Tensor[] in, Tensor out) {
      return scaled(t[0]);
    }

    private Tensor scaled(Tensor g) {
      return op == BinaryOp.MUL ? mulScalar(g, c) : divScalar(g, c);
    }
  }

  /** The primitive {@link Primitive#DIV}, broadcasting. */
  public static Tensor div(Tensor a, Tensor b) {
    try (var o = Anomaly.operands("div", "a", a, "b", b)) {
      return divImpl(a, b);
    }
  }

  private static Tensor divImpl(Tensor a, Tensor b) {
    checkNotNull(a, "div: a is null");
    checkNotNull(b, "div: b is null");
    Tensor[] p = promote("div", a, b);
    return record(Primitive.DIV, p[0].data().binary(BinaryOp.DIV, p[1].data()), p, DIV_VJP,
        (t, in, out) -> plus(t[0], t[1] == null ? null : t[1].neg().mul(out)).div(in[1]));
  }

  /**
   * The VJP of {@code a / b}, {@code (grad / b, -grad * out / b)}: new tensors, or, when the
   * engine lends the upstream gradient ({@link Node#mayOverwriteGrad}), {@code grad / b} written
   * into it (the same rounded quotients) after {@code b}'s gradient, if wanted, was made from it.
   */
  private static final Node.FreshVjp DIV_VJP = (n, grad) -> {
    Tensor b = n.input(1);
    Tensor gb = n.needsGrad(1) ? grad.neg().mul(n.out()).div(b) : null;
    if (!n.needsGrad(0)) {
      return grads(null, gb);
    }
    if (lent(n, grad, n.out()) && b.dtype() == grad.dtype() && !b.isBatched()) {
      grad.data().applyInPlace(BinaryOp.DIV, b.data());
      return grads(grad, gb);
    }
    return grads(grad.div(b), gb);
  };

  /**
   * The primitive {@link Primitive#POW}, broadcasting. Its VJP masks the two places where the
   * textbook formulas give {@code 0 * inf} or {@code 0 * log 0}, as PyTorch does: the base's
   * gradient is 0 where the exponent is 0 ({@code d/da a^0 = 0}, also at {@code a = 0}), and the
   * exponent's gradient is 0 where {@code a = 0} and {@code b >= 0} ({@code 0^b} is constant 0 or
   * 1 there). The masks are constants, and the masked-out branches are evaluated at the base 1
   * instead of {@code a}, so that no infinity enters a recorded VJP: second derivatives there are
   * 0 (e.g. of {@code pow(x, 0)} and {@code pow(x, 1)} at {@code x = 0}), not NaN.
   */
  public static Tensor pow(Tensor a, Tensor b) {
    try (var o = Anomaly.operands("pow", "a", a, "b", b)) {
      return powImpl(a, b);
    }
  }

  private static Tensor powImpl(Tensor a, Tensor b) {
    checkNotNull(a, "pow: a is null");
    checkNotNull(b, "pow: b is null");
    Tensor[] p = promote("pow", a, b);
    return record(Primitive.POW, p[0].data().binary(BinaryOp.POW, p[1].data()), p,
        (n, grad) -> {
          Tensor x = n.input(0);
          Tensor e = n.input(1);
          Tensor zero = Tensor.scalar(0.0, grad.dtype());
          Tensor one = Tensor.scalar(1.0, grad.dtype());
          Tensor da = null;
          if (n.needsGrad(0)) {
            Tensor constant = e.eq(0.0);
            Tensor base = where(constant, one, x);
            da = where(constant, zero, grad.mul(e.mul(base.pow(e.sub(1.0)))));
          }
          Tensor db = null;
          if (n.needsGrad(1)) {
            Tensor constant = x.eq(0.0).mul(e.ge(0.0));
            Tensor base = where(constant, one, x);
            db = grad.mul(where(constant, zero, base.pow(e).mul(base.log())));
          }
          return grads(da, db);
        },
        (t, in, out) -> {
          // The VJP's factors with the same masks, times the tangents.
          Tensor x = in[0];
          Tensor e = in[1];
          Tensor zero = Tensor.scalar(0.0, out.dtype());
          Tensor one = Tensor.scalar(1.0, out.dtype());
          Tensor r = null;
          if (t[0] != null) {
            Tensor constant = e.eq(0.0);
            Tensor base = where(constant, one, x);
            r = where(constant, zero, t[0].mul(e.mul(base.pow(e.sub(1.0)))));
          }
          if (t[1] != null) {
            Tensor constant = x.eq(0.0).mul(e.ge(0.0));
            Tensor base = where(constant, one, x);
            r = plus(r, t[1].mul(where(constant, zero, base.pow(e).mul(base.log()))));
          }
          return r;
        });
  }

  /** The primitive {@link Primitive#EXP}. */
  public static Tensor exp(Tensor x) {
    checkNotNull(x, "exp: x is null");
    return record(Primitive.EXP, x.data().unary(UnaryOp.EXP), x, EXP_VJP,
        (t, in, out) -> t[0].mul(out));
  }

  /**
   * exp's VJP, {@code grad * out}: a new tensor, or, when the engine lends the upstream gradient
   * ({@link Node#mayOverwriteGrad}), that gradient multiplied by {@code out} in place (the same
   * rounded products).
   */
  private static final Node.FreshVjp EXP_VJP = (n, grad) -> {
    Tensor out = n.out();
    if (lent(n, grad, out)) {
      grad.data().applyInPlace(BinaryOp.MUL, out.data());
      return grads(grad);
    }
    return grads(grad.mul(out));
  };

  /**
   * Whether a VJP may write its result into {@code grad}: the engine lent it ({@link
   * Node#mayOverwriteGrad}), and it has the output's dtype and shape and is not batched, so the
   * in-place pass gives the elements the out-of-place one would.
   */
  private static boolean lent(Node n, Tensor grad, Tensor out) {
    return n.mayOverwriteGrad() && grad.dtype() == out.dtype()
        && grad.data().sameShape(out.data()) && !grad.isBatched();
  }

  /** The primitive {@link Primitive#LOG}. */
  public static Tensor log(Tensor x) {
    checkNotNull(x, "log: x is null");
    return record(Primitive.LOG, x.data().unary(UnaryOp.LOG), x,
        (n, grad) -> grads(grad.div(n.input(0))),
        (t, in, out) -> t[0].div(in[0]));
  }

  /** The primitive {@link Primitive#SQRT}. */
  public static Tensor sqrt(Tensor x) {
    checkNotNull(x, "sqrt: x is null");
    return record(Primitive.SQRT, x.data().unary(UnaryOp.SQRT), x,
        (n, grad) -> grads(grad.div(n.out().mul(2.0))),
        (t, in, out) -> t[0].div(out.mul(2.0)));
  }

  /** The primitive {@link Primitive#ABS} (its gradient at 0 is 0). */
  public static Tensor abs(Tensor x) {
    checkNotNull(x, "abs: x is null");
    return record(Primitive.ABS, x.data().unary(UnaryOp.ABS), x,
        (n, grad) -> grads(grad.mul(sign(n.input(0)))),
        (t, in, out) -> t[0].mul(sign(in[0])));
  }

  /** The primitive {@link Primitive#SIN}. */
  public static Tensor sin(Tensor x) {
    checkNotNull(x, "sin: x is null");
    return record(Primitive.SIN, x.data().unary(UnaryOp.SIN), x,
        (n, grad) -> grads(grad.mul(n.input(0).cos())),
        (t, in, out) -> t[0].mul(in[0].cos()));
  }

  /** The primitive {@link Primitive#COS}. */
  public static Tensor cos(Tensor x) {
    checkNotNull(x, "cos: x is null");
    return record(Primitive.COS, x.data().unary(UnaryOp.COS), x,
        (n, grad) -> grads(grad.neg().mul(n.input(0).sin())),
        (t, in, out) -> t[0].neg().mul(in[0].sin()));
  }

  /** The primitive {@link Primitive#TANH}. */
  public static Tensor tanh(Tensor x) {
    checkNotNull(x, "tanh: x is null");
    return record(Primitive.TANH, x.data().unary(UnaryOp.TANH), x, TANH_VJP,
        (t, in, out) -> tanhGrad(t[0], out));
  }

  /**
   * tanh's VJP, {@code grad * (1 - out^2)}: fresh storage, or, when the engine lends the upstream
   * gradient ({@link Node#mayOverwriteGrad}), that gradient overwritten in one pass with the same
   * arithmetic.
   */
  private static final Node.FreshVjp TANH_VJP = (n, grad) -> {
    Tensor out = n.out();
    if (lent(n, grad, out)) {
      NDArray.tanhBackwardInPlace(grad.data(), out.data());
      return grads(grad);
    }
    return grads(tanhGrad(grad, out));
  };

  /**
   * {@code grad * (1 - out^2)}, tanh's VJP: one fused pass ({@link NDArray#tanhBackward}) without
   * a graph to record, else the composition; the same values either way.
   */
  static Tensor tanhGrad(Tensor grad, Tensor out) {
    if (!GradMode.isEnabled() && grad.dtype() == out.dtype() && grad.data().sameShape(out.data())
        && !ForwardAD.anyTangent(grad, out) && !Tensor.anyBatched(grad, out)) {
      return Tensor.fromData(NDArray.tanhBackward(grad.data(), out.data()));
    }
    return grad.mul(out.square().rsub(1.0));
  }

  /** The primitive {@link Primitive#SIGMOID}, stable for large |x|. */
  public static Tensor sigmoid(Tensor x) {
    checkNotNull(x, "sigmoid: x is null");
    return record(Primitive.SIGMOID, x.data().unary(UnaryOp.SIGMOID), x, SIGMOID_VJP,
        (t, in, out) -> sigmoidGrad(t[0], out));
  }

  /**
   * The sigmoid's VJP, {@code grad * (out * (1 - out))}: fresh storage, or, when the engine lends
   * the upstream gradient ({@link Node#mayOverwriteGrad}), that gradient overwritten in one pass
   * with the same arithmetic.
   */
  private static final Node.FreshVjp SIGMOID_VJP = (n, grad) -> {
    Tensor out = n.out();
    if (lent(n, grad, out)) {
      NDArray.sigmoidBackwardInPlace(grad.data(), out.data());
      return grads(grad);
    }
    return grads(sigmoidGrad(grad, out));
  };

  /**
   * {@code grad * (out * (1 - out))}, the sigmoid's VJP: one fused pass ({@link
   * NDArray#sigmoidBackward}) without a graph to record, else the composition.
   */
  static Tensor sigmoidGrad(Tensor grad, Tensor out) {
    if (!GradMode.isEnabled() && grad.dtype() == out.dtype() && grad.data().sameShape(out.data())
        && !ForwardAD.anyTangent(grad, out) && !Tensor.anyBatched(grad, out)) {
      return Tensor.fromData(NDArray.sigmoidBackward(grad.data(), out.data()));
    }
    return grad.mul(out.mul(out.rsub(1.0)));
  }

  /** The primitive {@link Primitive#RELU}. */
  public static Tensor relu(Tensor x) {
    checkNotNull(x, "relu: x is null");
    return record(Primitive.RELU, x.data().unary(UnaryOp.RELU), x, RELU_VJP,
        (t, in, out) -> reluGrad(t[0], out));
  }

  /**
   * ReLU's VJP, {@code where(out > 0, grad, 0)}: fresh storage, or, when the engine lends the
   * upstream gradient ({@link Node#mayOverwriteGrad}), that gradient masked in place by the same
   * kernel.
   */
  private static final Node.FreshVjp RELU_VJP = (n, grad) -> {
    Tensor out = n.out();
    if (lent(n, grad, out)) {
      NDArray.reluBackwardInPlace(grad.data(), out.data());
      return grads(grad);
    }
    return grads(reluGrad(grad, out));
  };

  /**
   * {@code where(out > 0, grad, 0)}: the VJP of a ReLU from its output (PyTorch's
   * {@code threshold_backward}). Without a graph to record, one fused pass ({@link
   * NDArray#reluBackward}); with {@code createGraph}, the composition, so that it can be
   * differentiated again. The two give the same values; a test compares them.
   */
  static Tensor reluGrad(Tensor grad, Tensor out) {
    if (!GradMode.isEnabled() && grad.dtype() == out.dtype() && grad.data().sameShape(out.data())
        && !ForwardAD.anyTangent(grad, out) && !Tensor.anyBatched(grad, out)) {
      return Tensor.fromData(NDArray.reluBackward(grad.data(), out.data()));
    }
    return Tensor.where(out.gt(0.0), grad, Tensor.scalar(0.0, grad.dtype()));
  }

  /** {@code 2 / sqrt(pi)}, erf's derivative at 0. */
  private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;

  /**
   * The primitive {@link Primitive#LOG1P}, {@code ln(1 + x)}: a primitive for accuracy, since
   * {@code log(1 + x)} rounds {@code 1 + x} first and keeps no digit of a tiny {@code x}.
   */
  public static Tensor log1p(Tensor x) {
    checkNotNull(x, "log1p: x is null");
    floatType("log1p", x);
    return record(Primitive.LOG1P, x.data().unary(UnaryOp.LOG1P), x,
        (n, grad) -> grads(grad.div(n.input(0).add(1.0))),
        (t, in, out) -> t[0].div(in[0].add(1.0)));
  }

  /**
   * The primitive {@link Primitive#EXPM1}, {@code e^x - 1}: a primitive for accuracy near 0,
   * where {@code exp(x) - 1} cancels.
   */
  public static Tensor expm1(Tensor x) {
    checkNotNull(x, "expm1: x is null");
    floatType("expm1", x);
    return record(Primitive.EXPM1, x.data().unary(UnaryOp.EXPM1), x,
        (n, grad) -> grads(grad.mul(n.out().add(1.0))),
        (t, in, out) -> t[0].mul(out.add(1.0)));
  }

  /**
   * The primitive {@link Primitive#ERF}, the error function: a primitive for accuracy and speed
   * (Cody's rational approximations, within 1e-15 relative; float32 rounds the float64 value).
   */
  public static Tensor erf(Tensor x) {
    checkNotNull(x, "erf: x is null");
    floatType("erf", x);
    return record(Primitive.ERF, x.data().unary(UnaryOp.ERF), x,
        (n, grad) -> grads(grad.mul(erfSlope(n.input(0)))),
        (t, in, out) -> t[0].mul(erfSlope(in[0])));
  }

  /**
   * The primitive {@link Primitive#ERFC}, {@code 1 - erf(x)}: a primitive for accuracy in the
   * tail, where {@code 1 - erf(x)} is 0 (from {@code x} near 6 in float64).
   */
  public static Tensor erfc(Tensor x) {
    checkNotNull(x, "erfc: x is null");
    floatType("erfc", x);
    return record(Primitive.ERFC, x.data().unary(UnaryOp.ERFC), x,
        (n, grad) -> grads(grad.neg().mul(erfSlope(n.input(0)))),
        (t, in, out) -> t[0].neg().mul(erfSlope(in[0])));
  }

  /** {@code 2/sqrt(pi) e^(-x^2)}, the derivative of erf, as tensor ops (differentiable again). */
  private static Tensor erfSlope(Tensor x) {
    return x.square().neg().exp().mul(TWO_OVER_SQRT_PI);
  }

  /**
   * The primitive {@link Primitive#MAXIMUM}, broadcasting: ties split the gradient evenly, and
   * where either operand is NaN both get the whole gradient (neither is smaller), as in PyTorch.
   */
  public static Tensor maximum(Tensor a, Tensor b) {
    try (var o = Anomaly.operands("maximum", "a", a, "b", b)) {
      return maximumImpl(a, b);
    }
  }

  private static Tensor maximumImpl(Tensor a, Tensor b) {
    checkNotNull(a, "maximum: a is null");
    checkNotNull(b, "maximum: b is null");
    Tensor[] p = promote("maximum", a, b);
    checkBroadcast("maximum", p[0], p[1]);
    return record(Primitive.MAXIMUM, p[0].data().binary(BinaryOp.MAX, p[1].data()), p,
        (n, grad) -> {
          Tensor x = n.input(0);
          Tensor y = n.input(1);
          Tensor zero = Tensor.scalar(0.0, grad.dtype());
          Tensor shared = where(x.eq(y), grad.mul(0.5), grad);
          return grads(
              n.needsGrad(0) ? where(x.lt(y), zero, shared) : null,
              n.needsGrad(1) ? where(y.lt(x), zero, shared) : null);
        },
        (t, in, out) -> {
          // The VJP's weights: 1 for the larger, 1/2 each at a tie, 1 each where either is NaN.
          Tensor x = in[0];
          Tensor y = in[1];
          Tensor zero = Tensor.scalar(0.0, out.dtype());
          Tensor shared = where(x.eq(y), Tensor.scalar(0.5, out.dtype()), Tensor.scalar(1.0, out.dtype()));
          return plus(
              t[0] == null ? null : t[0].mul(where(x.lt(y), zero, shared)),
              t[1] == null ? null : t[1].mul(where(y.lt(x), zero, shared)));
        });
  }

  /** Checks that {@code a} and {@code b} broadcast, naming {@code op} (O(rank)). */
  private static void checkBroadcast(String op, Tensor a, Tensor b) {
    if (!Arrays.equals(a.shape(), b.shape())) {
      Shapes.broadcast(op, a.shape(), b.shape());
    }
  }

  /**
   * The primitive {@link Primitive#WHERE}: {@code cond != 0} picks {@code a}, all three broadcast
   * together; the mask gets no gradient.
   */
  public static Tensor where(Tensor cond, Tensor a, Tensor b) {
    try (var o = Anomaly.operands("where", "cond", cond, "a", a, "b", b)) {
      return whereImpl(cond, a, b);
    }
  }

  private static Tensor whereImpl(Tensor cond, Tensor a, Tensor b) {
    checkNotNull(cond, "where: cond is null");
    checkNotNull(a, "where: a is null");
    checkNotNull(b, "where: b is null");
    Tensor[] p = promote("where", a, b);
    if (Tensor.anyBatched(cond, p[0], p[1])) {
      Tensor[] q = Batching.align(cond, p[0], p[1]);
      cond = q[0];
      p = new Tensor[] {q[1], q[2]};
      if (cond.isBatched() && !(p[0].isBatched() || p[1].isBatched())) {
        // The result takes the mask's batch axis: batch a value by broadcasting it.
        p[0] = add(p[0], Tensor.vmapLike(NDArray.zeros(p[0].dtype(), cond.data().shape()), cond));
      }
    }
    Tensor condT = cond;
    NDArray c = cond.data();
    return record(Primitive.WHERE, NDArray.where(c, p[0].data(), p[1].data()), p,
        (n, grad) -> {
          Tensor mask = condT.detach();
          Tensor zero = Tensor.scalar(0.0, grad.dtype());
          return grads(
              n.needsGrad(0) ? where(mask, grad, zero) : null,
              n.needsGrad(1) ? where(mask, zero, grad) : null);
        },
        (t, in, out) -> {
          Tensor zero = Tensor.scalar(0.0, out.dtype());
          return where(condT.detach(), t[0] == null ? zero : t[0], t[1] == null ? zero : t[1]);
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
      return Tensor.vmapLike(x.data().astype(dtype), x);
    }
    return record(Primitive.CAST, x.data().astype(dtype), x,
        (n, grad) -> grads(cast(grad, from)),
        (t, in, out) -> cast(t[0], dtype));
  }

  // ------------------------------------------------------------------ compositions

  /** {@code a - b = a + (-b)}; a composition. */
  public static Tensor sub(Tensor a, Tensor b) {
    try (var o = Anomaly.operands("sub", "a", a, "b", b)) {
      return subImpl(a, b);
    }
  }

  private static Tensor subImpl(Tensor a, Tensor b) {
    checkNotNull(a, "sub: a is null");
    checkNotNull(b, "sub: b is null");
    Tensor[] p = promoteAndCheck("sub", a, b);
    return add(p[0], neg(p[1]));
  }

  /** {@code v - x = -x + v}; a composition. */
  public static Tensor rsub(Tensor x, double v) {
    checkNotNull(x, "rsub: x is null");
    floatType("rsub", x);
    return addScalar(neg(x), v);
  }

  /** {@code -x = x * -1}; a composition. */
  public static Tensor neg(Tensor x) {
    checkNotNull(x, "neg: x is null");
    floatType("neg", x);
    return mulScalar(x, -1.0);
  }

  /** {@code x * x}; a composition. */
  public static Tensor square(Tensor x) {
    checkNotNull(x, "square: x is null");
    floatType("square", x);
    return mul(x, x);
  }

  /** {@code 1 / x}; a composition. */
  public static Tensor reciprocal(Tensor x) {
    checkNotNull(x, "reciprocal: x is null");
    return div(Tensor.scalar(1.0, floatType("reciprocal", x)), x);
  }

  /** {@code min(a, b) = -max(-a, -b)}; a composition. */
  public static Tensor minimum(Tensor a, Tensor b) {
    try (var o = Anomaly.operands("minimum", "a", a, "b", b)) {
      return minimumImpl(a, b);
    }
  }

  private static Tensor minimumImpl(Tensor a, Tensor b) {
    checkNotNull(a, "minimum: a is null");
    checkNotNull(b, "minimum: b is null");
    Tensor[] p = promoteAndCheck("minimum", a, b);
    return neg(maximum(neg(p[0]), neg(p[1])));
  }

  /**
   * {@code min(max(x, lo), hi)}, with PyTorch's gradient: {@code grad} where {@code lo <= x <=
   * hi} (the bounds included), 0 elsewhere and at NaN; a composition, {@code where(lo <= x <= hi,
   * x, c)} with {@code c} the clamped values as a constant (NaN stays NaN).
   *
   * @throws IllegalArgumentException when {@code lo > hi}
   */
  public static Tensor clamp(Tensor x, double lo, double hi) {
    checkNotNull(x, "clamp: x is null");
    floatType("clamp", x);
    if (lo > hi) {
      throw new IllegalArgumentException("clamp: min " + lo + " is greater than max " + hi);
    }
    Tensor inside = x.ge(lo).mul(x.le(hi));
    NDArray c = x.data().binary(BinaryOp.MAX, lo).binary(BinaryOp.MIN, hi);
    return where(inside, x, Tensor.vmapLike(c, x));
  }

  /** {@code max(x, lo)} with {@link #clamp}'s gradient ({@code grad} where {@code x >= lo}). */
  public static Tensor clampMin(Tensor x, double lo) {
    checkNotNull(x, "clampMin: x is null");
    floatType("clampMin", x);
    return where(x.ge(lo), x, Tensor.vmapLike(x.data().binary(BinaryOp.MAX, lo), x));
  }

  /** {@code min(x, hi)} with {@link #clamp}'s gradient ({@code grad} where {@code x <= hi}). */
  public static Tensor clampMax(Tensor x, double hi) {
    checkNotNull(x, "clampMax: x is null");
    floatType("clampMax", x);
    return where(x.le(hi), x, Tensor.vmapLike(x.data().binary(BinaryOp.MIN, hi), x));
  }

  // ------------------------------------------------------------------ activations and masks

  /** {@code v / x}; a composition, {@code div(v, x)}. */
  public static Tensor rdiv(Tensor x, double v) {
    checkNotNull(x, "rdiv: x is null");
    return div(Tensor.scalar(v, floatType("rdiv", x)), x);
  }

  /**
   * {@code log(1 + e^(beta x)) / beta}, and {@code x} itself where {@code beta x > threshold}, as
   * PyTorch; a composition, {@code where(z > threshold, x, (max(z, 0) + log1p(e^-|z|)) / beta)}
   * with {@code z = beta x}, which never overflows: {@code softplus(1000) = 1000}, {@code
   * softplus(-1000) = 0}, and {@code softplus(-40) = e^-40} to full precision. Both branches are
   * finite, so the unused one passes no NaN into the gradient.
   *
   * @throws IllegalArgumentException unless beta is positive and finite and threshold finite
   */
  public static Tensor softplus(Tensor x, double beta, double threshold) {
    checkNotNull(x, "softplus: x is null");
    floatType("softplus", x);
    if (!(beta > 0) || Double.isInfinite(beta)) {
      throw new IllegalArgumentException("softplus: beta must be positive and finite, got " + beta);
    }
    if (!Double.isFinite(threshold)) {
      throw new IllegalArgumentException("softplus: threshold must be finite, got " + threshold);
    }
    Tensor z = x.mul(beta);
    Tensor soft = z.maximum(0.0).add(log1p(exp(neg(z.abs())))).div(beta);
    return where(z.gt(threshold), x, soft);
  }

  /**
   * {@code log(sigmoid(x)) = -softplus(-x)}, stable: a composition, {@code min(x, 0) -
   * log1p(e^-|x|)} (no threshold, so it is accurate for every {@code x}: {@code logSigmoid(-1000)
   * = -1000}, {@code logSigmoid(40) = -e^-40}).
   */
  public static Tensor logSigmoid(Tensor x) {
    checkNotNull(x, "logSigmoid: x is null");
    floatType("logSigmoid", x);
    return x.minimum(0.0).sub(log1p(exp(neg(x.abs()))));
  }

  /** {@code x * sigmoid(x)} (SiLU, also called swish); a composition. */
  public static Tensor silu(Tensor x) {
    checkNotNull(x, "silu: x is null");
    floatType("silu", x);
    return x.mul(sigmoid(x));
  }

  /**
   * {@code min(max(x, lo), hi)} with PyTorch's {@code hardtanh} gradient: {@code grad} strictly
   * inside {@code (lo, hi)}, 0 at the bounds and outside (unlike {@link #clamp}, which passes the
   * bounds); a composition, {@code where(lo < x < hi, x, c)}, {@code c} the clamped values as a
   * constant.
   *
   * @throws IllegalArgumentException when {@code lo > hi} or either is NaN
   */
  public static Tensor hardtanh(Tensor x, double lo, double hi) {
    checkNotNull(x, "hardtanh: x is null");
    floatType("hardtanh", x);
    if (!(lo <= hi)) {
      throw new IllegalArgumentException("hardtanh: min " + lo + " is greater than max " + hi
          + " (or one is NaN)");
    }
    Tensor inside = x.gt(lo).mul(x.lt(hi));
    NDArray c = x.data().binary(BinaryOp.MAX, lo).binary(BinaryOp.MIN, hi);
    return where(inside, x, Tensor.vmapLike(c, x));
  }

  /** {@code sqrt(2 / pi)}, of the tanh form of {@link #gelu}. */
  private static final double SQRT_2_OVER_PI = 0.7978845608028654;

  /** {@code 1 / sqrt(2)}. */
  private static final double SQRT_HALF = 0.7071067811865476;

  /**
   * The Gaussian error linear unit {@code x Phi(x)}, {@code Phi} the standard normal CDF; a
   * composition. {@code approximate} is PyTorch's: {@code "none"} is exact, {@code x/2 *
   * erfc(-x / sqrt 2)} (erfc rather than {@code 1 + erf(x / sqrt 2)}, which cancels for negative
   * x: {@code gelu(-10) = -7.6e-23}, not 0); {@code "tanh"} is {@code x/2 * (1 + tanh(sqrt(2/pi)
   * (x + 0.044715 x^3)))}.
   *
   * @throws IllegalArgumentException unless {@code approximate} is {@code "none"} or {@code
   *     "tanh"}
   */
  public static Tensor gelu(Tensor x, String approximate) {
    checkNotNull(x, "gelu: x is null");
    checkNotNull(approximate, "gelu: approximate is null");
    floatType("gelu", x);
    // x / 2 first: x * (1 + ...) would overflow for x near the float32 maximum.
    switch (approximate) {
      case "none":
        return x.mul(0.5).mul(erfc(x.mul(-SQRT_HALF)));
      case "tanh":
        Tensor inner = x.add(x.square().mul(x).mul(0.044715)).mul(SQRT_2_OVER_PI);
        return x.mul(0.5).mul(tanh(inner).add(1.0));
      default:
        throw new IllegalArgumentException(
            "gelu: approximate must be \"none\" or \"tanh\", got \"" + approximate + "\"");
    }
  }

  /**
   * {@code x} with {@code value} where {@code mask != 0}; a composition, {@code where(mask, value,
   * x)}: the gradient is 0 where filled and {@code grad} elsewhere. The mask broadcasts to {@code
   * x}'s shape (the result has {@code x}'s shape) and gets no gradient.
   *
   * @throws ShapeException when the mask does not broadcast to {@code x}
   */
  public static Tensor maskedFill(Tensor x, Tensor mask, double value) {
    try (var o = Anomaly.operands("maskedFill", "x", x, "mask", mask)) {
      return maskedFillImpl(x, mask, value);
    }
  }

  private static Tensor maskedFillImpl(Tensor x, Tensor mask, double value) {
    checkNotNull(x, "maskedFill: x is null");
    checkNotNull(mask, "maskedFill: mask is null");
    DType t = floatType("maskedFill", x);
    if (!Arrays.equals(mask.shape(), x.shape()) && !Shapes.broadcastsTo(mask.shape(), x.shape())) {
      throw new ShapeException("maskedFill: mask of shape "
          + Shapes.str(mask.shape()) + " does not broadcast to the input's shape "
          + Shapes.str(x.shape()));
    }
    return where(mask, Tensor.scalar(value, t), x);
  }

  /** 1 where {@code x} is NaN, else 0: a mask, not differentiable (no gradient flows). */
  public static Tensor isnan(Tensor x) {
    checkNotNull(x, "isnan: x is null");
    return compare(BinaryOp.NE, x, x);
  }

  /** 1 where {@code x} is {@code +-inf}, else 0: a mask, not differentiable. */
  public static Tensor isinf(Tensor x) {
    checkNotNull(x, "isinf: x is null");
    DType t = x.dtype() == DType.INT64 ? DType.FLOAT64 : x.dtype();
    return compare(BinaryOp.EQ, x, Tensor.scalar(Double.POSITIVE_INFINITY, t))
        .add(compare(BinaryOp.EQ, x, Tensor.scalar(Double.NEGATIVE_INFINITY, t)));
  }

  /** 1 where {@code x} is finite (neither NaN nor infinite), else 0: a mask, not differentiable. */
  public static Tensor isfinite(Tensor x) {
    checkNotNull(x, "isfinite: x is null");
    return isnan(x).add(isinf(x)).rsub(1.0);
  }

  /** 1 where {@code x == 0}, else 0 (NaN counts as true, as in PyTorch): a mask, not differentiable. */
  public static Tensor logicalNot(Tensor x) {
    checkNotNull(x, "logicalNot: x is null");
    return compare(BinaryOp.EQ, x, zeroLike(x));
  }

  /** 1 where both {@code a != 0} and {@code b != 0}, broadcasting: a mask, not differentiable. */
  public static Tensor logicalAnd(Tensor a, Tensor b) {
    try (var o = Anomaly.operands("logicalAnd", "a", a, "b", b)) {
      return logicalAndImpl(a, b);
    }
  }

  private static Tensor logicalAndImpl(Tensor a, Tensor b) {
    checkNotNull(a, "logicalAnd: a is null");
    checkNotNull(b, "logicalAnd: b is null");
    Tensor[] p = truths("logicalAnd", a, b);
    return p[0].mul(p[1]);
  }

  /** 1 where {@code a != 0} or {@code b != 0}, broadcasting: a mask, not differentiable. */
  public static Tensor logicalOr(Tensor a, Tensor b) {
    try (var o = Anomaly.operands("logicalOr", "a", a, "b", b)) {
      return logicalOrImpl(a, b);
    }
  }

  private static Tensor logicalOrImpl(Tensor a, Tensor b) {
    checkNotNull(a, "logicalOr: a is null");
    checkNotNull(b, "logicalOr: b is null");
    Tensor[] p = truths("logicalOr", a, b);
    return compare(BinaryOp.GT, p[0].add(p[1]), zeroLike(p[0]));
  }

  /** {@code a != 0} and {@code b != 0} as masks of one dtype, after checking that they broadcast. */
  private static Tensor[] truths(String op, Tensor a, Tensor b) {
    if (!Arrays.equals(a.shape(), b.shape())) {
      Shapes.broadcast(op, a.shape(), b.shape());
    }
    DType t = DType.promote(a.dtype(), b.dtype());
    if (t == DType.INT64) {
      t = DType.FLOAT64;
    }
    return new Tensor[] {
      cast(compare(BinaryOp.NE, a, zeroLike(a)), t), cast(compare(BinaryOp.NE, b, zeroLike(b)), t)
    };
  }

  /** A 0-d zero of {@code x}'s dtype (float64 for int64, as comparisons compute). */
  private static Tensor zeroLike(Tensor x) {
    return Tensor.scalar(0.0, x.dtype() == DType.INT64 ? DType.FLOAT64 : x.dtype());
  }

  /**
   * Binary cross-entropy per element of probabilities {@code p} and targets {@code y}, the
   * primitive {@link Primitive#BINARY_CROSS_ENTROPY}: {@code -(y max(log p, -100) + (1 - y)
   * max(log(1 - p), -100))}, with PyTorch's gradients, which stay finite in {@code p} also where
   * a float32 sigmoid saturates to exactly 0 or 1. Shapes must be equal and {@code p} in [0, 1];
   * the caller ({@code nn.Loss}) checks both.
   */
  public static Tensor binaryCrossEntropy(Tensor p, Tensor y) {
    try (var o = Anomaly.operands("binaryCrossEntropy", "p", p, "y", y)) {
      return binaryCrossEntropyImpl(p, y);
    }
  }

  private static Tensor binaryCrossEntropyImpl(Tensor p, Tensor y) {
    checkNotNull(p, "binaryCrossEntropy: p is null");
    checkNotNull(y, "binaryCrossEntropy: y is null");
    Tensor[] in = Batching.align(promote("binaryCrossEntropy", p, y));
    NDArray pd = in[0].data();
    NDArray yd = in[1].data();
    NDArray logP = pd.unary(UnaryOp.LOG).binary(BinaryOp.MAX, LOG_FLOOR);
    NDArray log1mP = NDArray.scalar(pd.dtype(), 1.0).binary(BinaryOp.SUB, pd).unary(UnaryOp.LOG)
        .binary(BinaryOp.MAX, LOG_FLOOR);
    NDArray oneMinusY = NDArray.scalar(yd.dtype(), 1.0).binary(BinaryOp.SUB, yd);
    NDArray loss = yd.binary(BinaryOp.MUL, logP).binary(BinaryOp.ADD, oneMinusY.binary(BinaryOp.MUL, log1mP))
        .unary(UnaryOp.NEG);
    return record(Primitive.BINARY_CROSS_ENTROPY, loss, in, (n, grad) -> {
      Tensor q = n.input(0);
      Tensor t = n.input(1);
      return grads(
          n.needsGrad(0) ? grad.mul(q.sub(t)).div(q.mul(rsub(q, 1.0)).maximum(BCE_EPS)) : null,
          n.needsGrad(1) ? grad.mul(q.div(rsub(q, 1.0)).log().neg()) : null);
    }, (t, ins, out) -> {
      Tensor q = ins[0];
      return plus(
          t[0] == null ? null : t[0].mul(q.sub(ins[1])).div(q.mul(rsub(q, 1.0)).maximum(BCE_EPS)),
          t[1] == null ? null : t[1].mul(q.div(rsub(q, 1.0)).log().neg()));
    });
  }

  /** Where {@link #binaryCrossEntropy} clamps each log, as PyTorch. */
  private static final double LOG_FLOOR = -100.0;

  /**
   * The floor of {@code p (1 - p)} in {@link #binaryCrossEntropy}'s gradient: PyTorch's {@code
   * EPSILON = 1e-12}, a float constant also for float64 data, hence the rounding.
   */
  private static final double BCE_EPS = (float) 1e-12;

  /** {@link Recording#promote}, then the broadcast check, both naming the composition {@code op}. */
  private static Tensor[] promoteAndCheck(String op, Tensor a, Tensor b) {
    Tensor[] p = promote(op, a, b);
    checkBroadcast(op, p[0], p[1]);
    return p;
  }

  static DType floatType(String op, Tensor x) {
    if (x.dtype() == DType.INT64) {
      throw DTypeException.int64NotSupported(op);
    }
    return x.dtype();
  }

  /** {@code -1, 0 or 1} per element; a mask, not differentiable. */
  public static Tensor sign(Tensor x) {
    checkNotNull(x, "sign: x is null");
    return Tensor.vmapLike(x.data().unary(UnaryOp.SIGN), x);
  }

  /** An elementwise comparison: 1 where it holds, else 0 (a mask: no gradient flows). */
  public static Tensor compare(BinaryOp op, Tensor a, Tensor b) {
    try (var o = Anomaly.operands(op == null ? "compare" : op.opName(), "a", a, "b", b)) {
      return compareImpl(op, a, b);
    }
  }

  private static Tensor compareImpl(BinaryOp op, Tensor a, Tensor b) {
    checkNotNull(op, "compare: op is null");
    checkNotNull(a, "compare: a is null");
    checkNotNull(b, "compare: b is null");
    DType t = DType.promote(a.dtype(), b.dtype());
    if (t == DType.INT64) {
      t = DType.FLOAT64;
    }
    if (Tensor.anyBatched(a, b)) {
      Tensor[] q = Batching.align(a, b);
      a = q[0];
      b = q[1];
    }
    return Tensor.vmapLike(a.data().astype(t).binary(op, b.data().astype(t)), a, b);
  }
}
