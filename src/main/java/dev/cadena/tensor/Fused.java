package dev.cadena.tensor;

import dev.cadena.tensor.kernel.FusedRowsF32;
import dev.cadena.tensor.kernel.FusedRowsF64;

/**
 * The arithmetic of the fused primitives (linear with bias and ReLU, ReLU's VJP, softmax
 * cross-entropy), behind the {@code NDArray} methods of the same names: checks, makes operands
 * dense where a kernel needs it, and calls {@code tensor.kernel.FusedRows*}. Each has a
 * composition of ordinary ops that computes the same values; the tests compare the two.
 */
final class Fused {
  private Fused() {}

  /** {@code a} itself when it is contiguous from index 0 of its storage, else a dense copy. */
  static NDArray dense(NDArray a) {
    return a.contiguous && a.offset == 0 ? a : a.copy();
  }

  /** Which activation's VJP {@link #activationBackward} computes. */
  enum Activation {
    RELU("reluBackward"),
    TANH("tanhBackward"),
    SIGMOID("sigmoidBackward");

    final String op;

    Activation(String op) {
      this.op = op;
    }
  }

  /** See {@link NDArray#reluBackward}, {@link NDArray#tanhBackward}, {@link NDArray#sigmoidBackward}. */
  static NDArray activationBackward(Activation act, NDArray grad, NDArray out) {
    out.checkSameFloat(act.op, grad);
    if (!grad.sameShape(out)) {
      throw new ShapeException(
          act.op + ": gradient shape " + Shapes.str(grad.shape) + " differs from output shape "
              + Shapes.str(out.shape));
    }
    NDArray g = dense(grad);
    NDArray o = dense(out);
    NDArray r = out.zerosWithShape(out.dtype);
    if (out.dtype == DType.FLOAT64) {
      switch (act) {
        case RELU -> FusedRowsF64.reluBackward(g.d, o.d, r.d, r.size);
        case TANH -> FusedRowsF64.tanhBackward(g.d, o.d, r.d, r.size);
        default -> FusedRowsF64.sigmoidBackward(g.d, o.d, r.d, r.size);
      }
    } else {
      switch (act) {
        case RELU -> FusedRowsF32.reluBackward(g.f, o.f, r.f, r.size);
        case TANH -> FusedRowsF32.tanhBackward(g.f, o.f, r.f, r.size);
        default -> FusedRowsF32.sigmoidBackward(g.f, o.f, r.f, r.size);
      }
    }
    return r;
  }

  /**
   * See {@link NDArray#tanhBackwardInPlace} and {@link NDArray#reluBackwardInPlace}: the kernel
   * of {@link #activationBackward} with the gradient as its output (each element is read before
   * it is written).
   */
  static void activationBackwardInPlace(Activation act, NDArray grad, NDArray out) {
    out.checkSameFloat(act.op, grad);
    if (!grad.sameShape(out)) {
      throw new ShapeException(
          act.op + ": gradient shape " + Shapes.str(grad.shape) + " differs from output shape "
              + Shapes.str(out.shape));
    }
    if (!grad.isDense()) {
      throw new IllegalArgumentException(act.op + "InPlace: grad is a view, not dense");
    }
    NDArray o = dense(out);
    if (out.dtype == DType.FLOAT64) {
      switch (act) {
        case RELU -> FusedRowsF64.reluBackward(grad.d, o.d, grad.d, grad.size);
        case TANH -> FusedRowsF64.tanhBackward(grad.d, o.d, grad.d, grad.size);
        default -> FusedRowsF64.sigmoidBackward(grad.d, o.d, grad.d, grad.size);
      }
    } else {
      switch (act) {
        case RELU -> FusedRowsF32.reluBackward(grad.f, o.f, grad.f, grad.size);
        case TANH -> FusedRowsF32.tanhBackward(grad.f, o.f, grad.f, grad.size);
        default -> FusedRowsF32.sigmoidBackward(grad.f, o.f, grad.f, grad.size);
      }
    }
    grad.markModified();
  }

  /** See {@link NDArray#linear}. */
  static NDArray linear(NDArray x, NDArray w, NDArray bias, boolean relu) {
    x.checkSameFloat("linear", w);
    if (x.rank() != 2 || w.rank() != 2 || x.shape[1] != w.shape[0]) {
      throw new ShapeException(
          "linear: expected [rows, in] @ [in, out], got " + Shapes.str(x.shape) + " @ "
              + Shapes.str(w.shape));
    }
    int rows = x.shape[0];
    int cols = w.shape[1];
    NDArray out = NDArray.zeros(x.dtype, rows, cols);
    if (bias != null) {
      x.checkSameFloat("linear", bias);
      if (bias.rank() != 1 || bias.shape[0] != cols) {
        throw new ShapeException(
            "linear: bias must have shape [" + cols + "], got " + Shapes.str(bias.shape));
      }
      NDArray b = bias.contiguous();
      if (x.dtype == DType.FLOAT64) {
        FusedRowsF64.biasRows(b.d, b.offset, out.d, rows, cols);
      } else {
        FusedRowsF32.biasRows(b.f, b.offset, out.f, rows, cols);
      }
    }
    MatmulDispatch.matmul(x, w, out, bias != null);
    if (relu) {
      if (x.dtype == DType.FLOAT64) {
        FusedRowsF64.reluInPlace(out.d, 0, out.size);
      } else {
        FusedRowsF32.reluInPlace(out.f, 0, out.size);
      }
    }
    return out;
  }

  /** See {@link NDArray#crossEntropyRows}. */
  static NDArray crossEntropyRows(NDArray logits, NDArray labels) {
    int[] rc = checkClassification("crossEntropy", logits, labels);
    NDArray x = dense(logits);
    NDArray y = dense(labels);
    NDArray loss = NDArray.zeros(logits.dtype, rc[0]);
    if (logits.dtype == DType.FLOAT64) {
      FusedRowsF64.crossEntropyRows(x.d, y.l, loss.d, rc[0], rc[1]);
    } else {
      FusedRowsF32.crossEntropyRows(x.f, y.l, loss.f, rc[0], rc[1]);
    }
    return loss;
  }

  /** See {@link NDArray#crossEntropyBackward}. */
  static NDArray crossEntropyBackward(NDArray logits, NDArray labels, NDArray grad) {
    int[] rc = checkClassification("crossEntropy", logits, labels);
    logits.checkSameFloat("crossEntropy", grad);
    boolean perRow = grad.rank() == 1 && grad.shape[0] == rc[0];
    if (!perRow && grad.size != 1) {
      throw new ShapeException(
          "crossEntropy: upstream gradient must have shape [" + rc[0] + "] or one element, got "
              + Shapes.str(grad.shape));
    }
    NDArray x = dense(logits);
    NDArray y = dense(labels);
    NDArray g = dense(grad);
    NDArray dx = NDArray.zeros(logits.dtype, logits.shape);
    int gs = perRow ? 1 : 0;
    if (logits.dtype == DType.FLOAT64) {
      FusedRowsF64.crossEntropyBackward(x.d, y.l, g.d, gs, dx.d, rc[0], rc[1]);
    } else {
      FusedRowsF32.crossEntropyBackward(x.f, y.l, g.f, gs, dx.f, rc[0], rc[1]);
    }
    return dx;
  }

  /** Rows and classes of {@code [N, C]} logits with int64 labels {@code [N]} in range. */
  private static int[] checkClassification(String op, NDArray logits, NDArray labels) {
    logits.requireFloat(op);
    if (logits.rank() != 2 || logits.shape[1] == 0) {
      throw new ShapeException(
          op + ": logits must be 2-d [N, C] with C >= 1, got " + Shapes.str(logits.shape));
    }
    if (labels.dtype != DType.INT64 || labels.rank() != 1 || labels.shape[0] != logits.shape[0]) {
      throw new ShapeException(
          op + ": labels must be int64 [" + logits.shape[0] + "], got " + labels.dtype + " "
              + Shapes.str(labels.shape));
    }
    int c = logits.shape[1];
    for (int i = 0; i < labels.size; i++) {
      long v = labels.l[labels.offset + i * labels.strides[0]];
      if (v < 0 || v >= c) {
        throw new IllegalArgumentException(
            op + ": label " + v + " at position " + i + " is out of range [0, " + c + ")");
      }
    }
    return new int[] {logits.shape[0], c};
  }
}
