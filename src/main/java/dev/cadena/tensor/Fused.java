package dev.cadena.tensor;

import dev.cadena.tensor.kernel.FusedRowsF32;
import dev.cadena.tensor.kernel.FusedRowsF64;
import dev.cadena.tensor.kernel.NormRowsF32;
import dev.cadena.tensor.kernel.NormRowsF64;
import dev.cadena.tensor.kernel.Parallel;
import org.jspecify.annotations.Nullable;

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
    if (bias != null) {
      x.checkSameFloat("linear", bias);
      if (bias.rank() != 1 || bias.shape[0] != cols) {
        throw new ShapeException(
            "linear: bias must have shape [" + cols + "], got " + Shapes.str(bias.shape));
      }
    }
    NDArray out = NDArray.uninitialized(x.dtype, new int[] {rows, cols});
    if (bias != null) {
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

  /** See {@link NDArray#batchNorm}. */
  static NDArray[] batchNorm(
      NDArray input, @Nullable NDArray weight, @Nullable NDArray bias, double eps) {
    int[] ncl = checkBatchNorm(input, weight, bias);
    if (!(eps > 0) || Double.isInfinite(eps)) {
      throw new IllegalArgumentException("batchNorm: eps must be positive and finite, got " + eps);
    }
    int n = ncl[0];
    int c = ncl[1];
    int l = ncl[2];
    NDArray x = dense(input);
    NDArray w = weight == null ? null : dense(weight);
    NDArray b = bias == null ? null : dense(bias);
    double[] mean = new double[c];
    double[] var = new double[c];
    double[] rstd = new double[c];
    NDArray y = input.zerosWithShape(input.dtype);
    boolean f64 = input.dtype == DType.FLOAT64;
    // About 1 ns per element and pass, three passes.
    Parallel.forRange(c, 3L * n * l, (from, to) -> {
      if (f64) {
        NormRowsF64.stats(x.d, n, c, l, mean, var, from, to);
      } else {
        NormRowsF32.stats(x.f, n, c, l, mean, var, from, to);
      }
      for (int ch = from; ch < to; ch++) {
        rstd[ch] = 1 / Math.sqrt(var[ch] + eps);
      }
      if (f64) {
        NormRowsF64.forward(x.d, y.d, n, c, l, w == null ? null : w.d, b == null ? null : b.d,
            mean, rstd, from, to);
      } else {
        NormRowsF32.forward(x.f, y.f, n, c, l, w == null ? null : w.f, b == null ? null : b.f,
            mean, rstd, from, to);
      }
    });
    return new NDArray[] {y, NDArray.wrap(mean, c), NDArray.wrap(var, c), NDArray.wrap(rstd, c)};
  }

  /** See {@link NDArray#batchNormBackward}. */
  static NDArray[] batchNormBackward(
      NDArray input, NDArray grad, NDArray mean, NDArray rstd, @Nullable NDArray weight,
      boolean inputGrad) {
    int[] ncl = checkBatchNorm(input, weight, null);
    input.checkSameFloat("batchNorm", grad);
    if (!grad.sameShape(input)) {
      throw new ShapeException(
          "batchNorm: gradient shape " + Shapes.str(grad.shape) + " differs from input shape "
              + Shapes.str(input.shape));
    }
    int n = ncl[0];
    int c = ncl[1];
    int l = ncl[2];
    for (NDArray s : new NDArray[] {mean, rstd}) {
      if (s.dtype != DType.FLOAT64 || s.rank() != 1 || s.shape[0] != c) {
        throw new ShapeException(
            "batchNorm: statistics must be float64 [" + c + "], got " + s.dtype + " "
                + Shapes.str(s.shape));
      }
    }
    NDArray x = dense(input);
    NDArray g = dense(grad);
    NDArray w = weight == null ? null : dense(weight);
    double[] m = dense(mean).d;
    double[] r = dense(rstd).d;
    double[] sumG = new double[c];
    double[] sumGXhat = new double[c];
    NDArray dx = inputGrad ? input.zerosWithShape(input.dtype) : null;
    boolean f64 = input.dtype == DType.FLOAT64;
    Parallel.forRange(c, (inputGrad ? 2L : 1L) * n * l, (from, to) -> {
      if (f64) {
        NormRowsF64.backward(x.d, g.d, dx == null ? null : dx.d, n, c, l, w == null ? null : w.d,
            m, r, sumG, sumGXhat, from, to);
      } else {
        NormRowsF32.backward(x.f, g.f, dx == null ? null : dx.f, n, c, l, w == null ? null : w.f,
            m, r, sumG, sumGXhat, from, to);
      }
    });
    return new NDArray[] {
        dx,
        NDArray.wrap(sumGXhat, c).astype(input.dtype),
        NDArray.wrap(sumG, c).astype(input.dtype)};
  }

  /** {N, C, L} of a {@code [N, C]} or {@code [N, C, L]} float input with {@code [C]} parameters. */
  private static int[] checkBatchNorm(NDArray x, @Nullable NDArray weight, @Nullable NDArray bias) {
    x.requireFloat("batchNorm");
    if (x.rank() != 2 && x.rank() != 3) {
      throw new ShapeException(
          "batchNorm: expected a 2-d [N, C] or 3-d [N, C, L] input, got shape "
              + Shapes.str(x.shape));
    }
    int c = x.shape[1];
    for (NDArray p : new NDArray[] {weight, bias}) {
      if (p == null) {
        continue;
      }
      x.checkSameFloat("batchNorm", p);
      if (p.rank() != 1 || p.shape[0] != c) {
        throw new ShapeException(
            "batchNorm: weight and bias must have shape [" + c + "], got " + Shapes.str(p.shape));
      }
    }
    return new int[] {x.shape[0], c, x.rank() == 3 ? x.shape[2] : 1};
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
