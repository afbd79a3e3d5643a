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
import dev.cadena.tensor.NDArray;
import dev.cadena.tensor.ShapeException;
import dev.cadena.tensor.Shapes;
import org.jspecify.annotations.Nullable;

/** Matrix products. */
public final class LinearAlgebra {
  private LinearAlgebra() {}

  /**
   * {@code torch.bmm}: the batched product of {@code a} {@code [b, n, m]} and {@code b} {@code
   * [b, m, p]}, the primitive {@link Primitive#MATMUL} after PyTorch's strict checks (both 3-d,
   * equal batch sizes, no broadcasting).
   *
   * @throws ShapeException e.g. {@code bmm: batch sizes differ: [2, 3, 4] and [5, 4, 1] (2 != 5)}
   */
  public static Tensor bmm(Tensor a, Tensor b) {
    try (var o = Anomaly.operands("bmm", "a", a, "b", b)) {
      return bmmImpl(a, b);
    }
  }

  private static Tensor bmmImpl(Tensor a, Tensor b) {
    checkNotNull(a, "bmm: a is null");
    checkNotNull(b, "bmm: b is null");
    int[] as = a.shape();
    int[] bs = b.shape();
    if (as.length != 3 || bs.length != 3) {
      throw new ShapeException("bmm: both arguments must be 3-d, got " + Shapes.str(as)
          + " and " + Shapes.str(bs));
    }
    if (as[0] != bs[0]) {
      throw new ShapeException("bmm: batch sizes differ: " + Shapes.str(as) + " and "
          + Shapes.str(bs) + " (" + as[0] + " != " + bs[0] + ")");
    }
    if (as[2] != bs[1]) {
      throw new ShapeException("bmm: inner dimensions differ: " + Shapes.str(as) + " and "
          + Shapes.str(bs) + " (" + as[2] + " != " + bs[1] + ")");
    }
    return matmul(a, b);
  }

  /**
   * Matrix product with NumPy's rules: 1-d operands are promoted to a row (left) or column
   * (right) vector and the added dimension removed afterwards; leading batch dimensions
   * broadcast. On rank >= 2 this is the primitive {@link Primitive#MATMUL} (the engine sums the
   * broadcast batch dims of its gradients back); the vector cases are compositions around it.
   *
   * @throws ShapeException e.g. {@code matmul: inner dimensions differ: [2, 3] @ [4, 5] (3 != 4)}
   */
  public static Tensor matmul(Tensor a, Tensor b) {
    try (var o = Anomaly.operands("matmul", "a", a, "b", b)) {
      return matmulImpl(a, b);
    }
  }

  private static Tensor matmulImpl(Tensor a, Tensor b) {
    checkNotNull(a, "matmul: a is null");
    checkNotNull(b, "matmul: b is null");
    if (a.rank() == 0 || b.rank() == 0) {
      throw new ShapeException(
          "matmul: both arguments must be at least 1-d, got " + Shapes.str(a.shape()) + " @ "
              + Shapes.str(b.shape()));
    }
    if (a.rank() == 1 || b.rank() == 1) {
      int ka = a.shape()[a.rank() - 1];
      int kb = b.rank() == 1 ? b.shape()[0] : b.shape()[b.rank() - 2];
      if (ka != kb) {
        throw new ShapeException(
            "matmul: inner dimensions differ: " + Shapes.str(a.shape()) + " @ "
                + Shapes.str(b.shape()) + " (" + ka + " != " + kb + ")");
      }
      Tensor aa = a.rank() == 1 ? a.unsqueeze(0) : a;
      Tensor bb = b.rank() == 1 ? b.unsqueeze(-1) : b;
      Tensor r = matmul(aa, bb);
      if (b.rank() == 1) {
        r = r.squeeze(-1);
      }
      if (a.rank() == 1) {
        r = r.squeeze(-2 + (b.rank() == 1 ? 1 : 0));
      }
      return r;
    }
    Tensor[] p = promote("matmul", a, b);
    return record(Primitive.MATMUL, p[0].data().matmul(p[1].data()), p,
        (n, grad) -> {
          Tensor a0 = n.input(0);
          Tensor b0 = n.input(1);
          // A matrix that multiplies a whole batch (a convolution's weight): its gradient is
          // the batch's products summed, made without the stack of them the engine would sum.
          boolean plain = grad.rank() > 2 && !GradMode.isEnabled() && !grad.isBatched()
              && !a0.isBatched() && !b0.isBatched() && grad.dtype() == a0.dtype()
              && !ForwardAD.anyTangent(a0, grad) && !ForwardAD.anyTangent(b0, grad);
          // Two matrices, a leaf among them (W1's A and B): its gradient is written into the
          // buffer its last gradient left (Node.gradBuffer), not a new array.
          boolean matrices = grad.rank() == 2 && a0.rank() == 2 && b0.rank() == 2
              && !grad.isBatched() && grad.dtype() == a0.dtype();
          Tensor da = null;
          if (n.needsGrad(0)) {
            NDArray buffer = matrices ? n.gradBuffer(0) : null;
            da = buffer != null
                ? Tensor.fromData(grad.data().matmulInto(b0.mT().data(), buffer))
                : plain && a0.rank() == 2
                ? Tensor.fromData(NDArray.matmulSum(grad.data(), b0.mT().data()))
                : grad.matmul(b0.mT());
          }
          Tensor db = null;
          if (n.needsGrad(1)) {
            NDArray buffer = matrices && b0 != a0 ? n.gradBuffer(1) : null;
            db = buffer != null
                ? Tensor.fromData(a0.mT().data().matmulInto(grad.data(), buffer))
                : plain && b0.rank() == 2
                ? Tensor.fromData(NDArray.matmulSum(a0.mT().data(), grad.data()))
                : a0.mT().matmul(grad);
          }
          return grads(da, db);
        },
        (t, in, out) -> plus(
            t[0] == null ? null : t[0].matmul(in[1]),
            t[1] == null ? null : in[0].matmul(t[1])));
  }

  /**
   * The primitive {@link Primitive#LINEAR}: {@code x @ w + b}, then {@code max(., 0)} when
   * {@code relu}, computed into one output array. {@code x} is {@code [..., in]}, {@code w}
   * {@code [in, out]} and {@code b} {@code [out]} or null; the caller ({@code nn.Functional})
   * checked the shapes. Mixed dtypes and empty operands go through the composition
   * {@code matmul}, {@code add}, {@code relu}, which promotes.
   */
  public static Tensor linear(Tensor x, Tensor w, @Nullable Tensor b, boolean relu) {
    try (var o = Anomaly.operands("linear", "x", x, "w", w, "b", b)) {
      return linearImpl(x, w, b, relu);
    }
  }

  private static Tensor linearImpl(Tensor x, Tensor w, @Nullable Tensor b, boolean relu) {
    checkNotNull(x, "linear: x is null");
    checkNotNull(w, "linear: w is null");
    if (w.rank() != 2 || x.rank() == 0 || x.size(-1) != w.size(0)) {
      throw new ShapeException(
          "linear: expected x [..., in] and w [in, out], got " + Shapes.str(x.shape()) + " and "
              + Shapes.str(w.shape()));
    }
    if (b != null && (b.rank() != 1 || b.size(0) != w.size(1))) {
      throw new ShapeException(
          "linear: bias must have shape [" + w.size(1) + "], got " + Shapes.str(b.shape()));
    }
    int in = w.size(0);
    int out = w.size(1);
    if (x.dtype() != w.dtype() || (b != null && b.dtype() != w.dtype()) || x.numel() == 0
        || Tensor.anyBatched(x, w, b)
        || in == 0 || out == 0) {
      Tensor y = matmul(x, w);
      y = b == null ? y : y.add(b);
      return relu ? y.relu() : y;
    }
    int[] outShape = x.shape();
    outShape[outShape.length - 1] = out;
    int rows = x.numel() / in;
    NDArray x2 = x.rank() == 2 ? x.data() : x.data().reshape(rows, in);
    NDArray y2 = NDArray.linear(x2, w.data(), b == null ? null : b.data(), relu);
    NDArray y = x.rank() == 2 ? y2 : y2.reshape(outShape);
    Tensor[] inputs = b == null ? new Tensor[] {x, w} : new Tensor[] {x, w, b};
    // A FreshVjp: dx, db and a non-leaf's dw are new arrays; a leaf's dw may be its own gradient
    // buffer (gradBuffer), which goes to that leaf alone. So the engine may lend dx to the layer
    // below, whose ReLU mask then overwrites it instead of allocating a masked copy.
    return record(Primitive.LINEAR, y, inputs, (Node.FreshVjp) (n, grad) -> {
      Tensor g = relu ? reluGradLent(n, grad) : grad;
      Tensor g2 = g.rank() == 2 ? g : g.reshape(rows, out);
      Tensor dx = n.needsGrad(0) ? g.matmul(n.input(1).mT()) : null;
      Tensor dw = null;
      if (n.needsGrad(1)) {
        Tensor x2t = n.input(0).reshape(rows, in).mT();
        NDArray buffer = n.gradBuffer(1);
        dw = buffer != null
            ? Tensor.fromData(x2t.data().matmulInto(g2.data(), buffer))
            : x2t.matmul(g2);
      }
      if (b == null) {
        return grads(dx, dw);
      }
      return grads(dx, dw, n.needsGrad(2) ? g2.sum(0) : null);
    }, (t, ins, y0) -> {
      // d(x @ w + b) = tx @ w + x @ tw + tb, masked by the ReLU like the VJP.
      Tensor r = plus(
          plus(t[0] == null ? null : t[0].matmul(ins[1]), t[1] == null ? null : ins[0].matmul(t[1])),
          ins.length > 2 ? t[2] : null);
      return relu ? Elementwise.reluGrad(r, y0) : r;
    });
  }

  /**
   * {@code where(out > 0, grad, 0)} for the fused linear layer's VJP: written into {@code grad}
   * when the engine lent it ({@link Node#mayOverwriteGrad}), else a new array ({@link
   * Elementwise#reluGrad}); the same values either way.
   */
  private static Tensor reluGradLent(Node n, Tensor grad) {
    Tensor out = n.out();
    if (n.mayOverwriteGrad() && grad.dtype() == out.dtype() && grad.data().sameShape(out.data())
        && !grad.isBatched()) {
      NDArray.reluBackwardInPlace(grad.data(), out.data());
      return grad;
    }
    return Elementwise.reluGrad(grad, out);
  }
}
