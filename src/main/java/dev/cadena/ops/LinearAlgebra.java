package dev.cadena.ops;

import static dev.cadena.ops.Recording.grads;
import static dev.cadena.ops.Recording.promote;
import static dev.cadena.ops.Recording.record;

import dev.cadena.Tensor;
import dev.cadena.tensor.ShapeException;
import dev.cadena.tensor.Shapes;

/** Matrix products. */
public final class LinearAlgebra {
  private LinearAlgebra() {}

  /**
   * Matrix product with NumPy's rules: 1-d operands are promoted to a row (left) or column
   * (right) vector and the added dimension removed afterwards; leading batch dimensions
   * broadcast. On rank >= 2 this is the primitive {@link Primitive#MATMUL} (the engine sums the
   * broadcast batch dims of its gradients back); the vector cases are compositions around it.
   *
   * @throws ShapeException e.g. {@code matmul: inner dimensions differ: [2, 3] @ [4, 5] (3 != 4)}
   */
  public static Tensor matmul(Tensor a, Tensor b) {
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
        (n, grad) -> grads(
            n.needsGrad(0) ? grad.matmul(n.input(1).mT()) : null,
            n.needsGrad(1) ? n.input(0).mT().matmul(grad) : null));
  }
}
