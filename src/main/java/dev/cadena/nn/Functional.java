package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;
import static dev.cadena.nn.Checks.floating;
import static dev.cadena.nn.Checks.scalarLike;

import dev.cadena.Tensor;
import dev.cadena.autograd.Anomaly;
import dev.cadena.ops.LinearAlgebra;
import dev.cadena.tensor.ShapeException;
import dev.cadena.tensor.Shapes;
import java.util.Arrays;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * The stateless functions behind the layers (PyTorch's {@code torch.nn.functional}): linear maps,
 * activations, dropout and normalisation. Each is a composition of generic tensor ops, so the
 * autograd graph supplies the backward pass and higher-order derivatives come for free.
 *
 * <pre>{@code
 * Tensor h = Functional.gelu(Functional.linear(x, w, b));
 * Tensor p = Functional.softmax(h, -1);
 * }</pre>
 *
 * <p>Every function rejects a null or int64 input with an {@link IllegalArgumentException} whose
 * message starts with the function's name.
 */
public final class Functional {
  private Functional() {}

  // ================================================================== linear

  /**
   * The affine map {@code y = x @ weight + bias} over the last axis of {@code x}.
   *
   * <p>Shapes: {@code x [*, in]}, {@code weight [in, out]}, {@code bias [out]} or null; result
   * {@code [*, out]}.
   *
   * @throws ShapeException when the last axis of x is not {@code in}, or weight/bias shapes do not
   *     fit, naming the shapes
   */
  public static Tensor linear(Tensor x, Tensor weight, @Nullable Tensor bias) {
    checkNotNull(x, "linear: input is null");
    checkNotNull(weight, "linear: weight is null");
    return linear("linear", x, weight, bias);
  }

  static Tensor linear(String op, Tensor x, Tensor weight, Tensor bias) {
    return linear(op, x, weight, bias, false);
  }

  /**
   * {@code relu(x @ weight + bias)} as one fused op, when {@code relu}; what a {@link Sequential}
   * runs for a {@link Linear} followed by a {@link ReLU}.
   */
  static Tensor linear(String op, Tensor x, Tensor weight, Tensor bias, boolean relu) {
    try (var o = Anomaly.operands(op, "input", x, "weight", weight, "bias", bias)) {
      return checkedLinear(op, x, weight, bias, relu);
    }
  }

  private static Tensor checkedLinear(String op, Tensor x, Tensor weight, Tensor bias, boolean relu) {
    floating(op, "input", x);
    floating(op, "weight", weight);
    if (weight.rank() != 2) {
      throw new ShapeException(
          op + ": weight must be 2-d [in, out], got shape " + Shapes.str(weight.shape()));
    }
    int in = weight.size(0);
    int out = weight.size(1);
    if (x.rank() == 0 || x.size(-1) != in) {
      int got = x.rank() == 0 ? 0 : x.size(-1);
      throw new ShapeException(
          op + ": input has " + got + " features, expected " + in + " (input shape "
              + Shapes.str(x.shape()) + ")");
    }
    if (bias != null) {
      floating(op, "bias", bias);
      if (bias.rank() != 1 || bias.size(0) != out) {
        throw new ShapeException(
            op + ": bias must have shape [" + out + "], got " + Shapes.str(bias.shape()));
      }
    }
    return LinearAlgebra.linear(x, weight, bias, relu);
  }

  // ================================================================== activations

  /** {@code 1 / (1 + e^-x)}. */
  public static Tensor sigmoid(Tensor x) {
    checkNotNull(x, "sigmoid: input is null");
    return floating("sigmoid", "input", x).sigmoid();
  }

  /** {@code tanh x}. */
  public static Tensor tanh(Tensor x) {
    checkNotNull(x, "tanh: input is null");
    return floating("tanh", "input", x).tanh();
  }

  /** {@code max(x, 0)}. */
  public static Tensor relu(Tensor x) {
    checkNotNull(x, "relu: input is null");
    return floating("relu", "input", x).relu();
  }

  /**
   * {@code x if x > 0 else slope * x}. The derivative at 0 is {@code slope}, as in PyTorch.
   *
   * @throws IllegalArgumentException for a non-finite slope
   */
  public static Tensor leakyRelu(Tensor x, double slope) {
    checkNotNull(x, "leakyRelu: input is null");
    floating("leakyRelu", "input", x);
    Checks.finite("leakyRelu", "negative slope", slope);
    return Tensor.where(x.gt(0.0), x, x.mul(slope));
  }

  /**
   * {@code x if x > 0 else alpha * (e^x - 1)}. The exponential only sees the non-positive part of
   * x, so large positive inputs cannot overflow it (an infinite unused branch would turn the
   * gradient into NaN).
   *
   * @throws IllegalArgumentException for a non-finite alpha
   */
  public static Tensor elu(Tensor x, double alpha) {
    checkNotNull(x, "elu: input is null");
    floating("elu", "input", x);
    Checks.finite("elu", "alpha", alpha);
    Tensor positive = x.gt(0.0);
    Tensor negativePart = Tensor.where(positive, scalarLike(x, 0), x);
    return Tensor.where(positive, x, negativePart.exp().sub(1.0).mul(alpha));
  }

  /**
   * {@code x * sigmoid(x)} (SiLU, also called swish; Elfwing et al. 2017); a composition, {@link
   * Tensor#silu()}.
   */
  public static Tensor silu(Tensor x) {
    checkNotNull(x, "silu: input is null");
    return floating("silu", "input", x).silu();
  }

  /**
   * {@code min(max(x, minVal), maxVal)}, with PyTorch's gradient: {@code grad} strictly inside
   * {@code (minVal, maxVal)}, 0 at the bounds and outside ({@link Tensor#hardtanh(double, double)}).
   *
   * @throws IllegalArgumentException when {@code minVal > maxVal}
   */
  public static Tensor hardtanh(Tensor x, double minVal, double maxVal) {
    checkNotNull(x, "hardtanh: input is null");
    return floating("hardtanh", "input", x).hardtanh(minVal, maxVal);
  }

  /** {@link #hardtanh(Tensor, double, double)} on PyTorch's default range {@code [-1, 1]}. */
  public static Tensor hardtanh(Tensor x) {
    checkNotNull(x, "hardtanh: input is null");
    return hardtanh(x, -1.0, 1.0);
  }

  /**
   * {@code log(sigmoid(x)) = -softplus(-x)}, computed as {@code min(x, 0) - log1p(e^-|x|)}, exact
   * for every x ({@link Tensor#logSigmoid()}).
   */
  public static Tensor logSigmoid(Tensor x) {
    checkNotNull(x, "logSigmoid: input is null");
    return floating("logSigmoid", "input", x).logSigmoid();
  }

  /** How {@link #gelu(Tensor, GeluApproximation)} evaluates the Gaussian CDF. */
  public enum GeluApproximation {
    /**
     * {@code Phi(x) = erfc(-x / sqrt 2) / 2}, exact (the {@code erfc} primitive, within 1e-15
     * relative); PyTorch's {@code approximate='none'}.
     */
    NONE,
    /**
     * {@code Phi(x) ~ (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) / 2} (Hendrycks and Gimpel);
     * PyTorch's {@code approximate='tanh'}.
     */
    TANH
  }

  /** {@code x * Phi(x)} with the exact CDF ({@link GeluApproximation#NONE}). */
  public static Tensor gelu(Tensor x) {
    checkNotNull(x, "gelu: input is null");
    return gelu(x, GeluApproximation.NONE);
  }

  /**
   * The Gaussian error linear unit {@code x * Phi(x)}, Phi the standard normal CDF, evaluated as
   * {@code approximation} says ({@link Tensor#gelu(String)} with {@code "none"} or {@code
   * "tanh"}).
   */
  public static Tensor gelu(Tensor x, GeluApproximation approximation) {
    checkNotNull(x, "gelu: input is null");
    checkNotNull(approximation, "gelu: approximation is null");
    floating("gelu", "input", x);
    return x.gelu(approximation == GeluApproximation.TANH ? "tanh" : "none");
  }

  /**
   * {@code log(1 + e^(beta x)) / beta}, and {@code x} itself where {@code beta x > threshold} (as
   * PyTorch). Evaluated as {@code (max(z, 0) + log1p(e^-|z|)) / beta} with {@code z = beta x},
   * which never overflows: {@code softplus(1000) = 1000}, {@code softplus(-1000) = 0} ({@link
   * Tensor#softplus(double, double)}).
   *
   * @throws IllegalArgumentException unless beta is positive and threshold finite
   */
  public static Tensor softplus(Tensor x, double beta, double threshold) {
    checkNotNull(x, "softplus: input is null");
    floating("softplus", "input", x);
    Checks.positiveFinite("softplus", "beta", beta);
    Checks.finite("softplus", "threshold", threshold);
    return x.softplus(beta, threshold);
  }

  /**
   * {@code log(1 + e^t)} for {@code t <= 0} as {@code log1p(e^t)}: full relative accuracy also
   * where {@code e^t} is far below the rounding error of 1 (there {@code log(1 + e)} would round
   * to 0); finite everywhere, so an unused branch passes no NaN into a gradient.
   */
  static Tensor log1pExp(Tensor t) {
    return t.exp().log1p();
  }

  /** {@link #softplus(Tensor, double, double)} with PyTorch's beta 1 and threshold 20. */
  public static Tensor softplus(Tensor x) {
    checkNotNull(x, "softplus: input is null");
    return softplus(x, 1.0, 20.0);
  }

  /**
   * Softmax along {@code axis}: {@code e / sum(e, axis)} with {@code e = exp(x - m)}, where {@code
   * m = max(x, axis)} is held constant (as in PyTorch, a slice holding {@code +inf} or only {@code
   * -inf} is NaN; over an empty axis the result is empty). The shift is subtracted first,
   * so the result stays exact for large inputs ({@code softmax([1000, 1000]) = [0.5, 0.5]});
   * going through {@code exp(x - logsumexp(x))} would round at the magnitude of {@code x}. See
   * {@link dev.cadena.ops.Reductions#softmax}.
   */
  public static Tensor softmax(Tensor x, int axis) {
    checkNotNull(x, "softmax: input is null");
    floating("softmax", "input", x);
    Shapes.axis("softmax", axis, x.rank());
    return x.softmax(axis);
  }

  /**
   * Log-softmax along {@code axis}: {@code z - log(sum(exp(z), axis))} with {@code z = x - m} and
   * {@code m = max(x, axis)} held constant (infinite maxima as for {@link #softmax}): equal to {@code x -
   * logsumexp(x)}, but shifted first so that it stays finite and accurate for large inputs. See
   * {@link dev.cadena.ops.Reductions#logSoftmax}.
   */
  public static Tensor logSoftmax(Tensor x, int axis) {
    checkNotNull(x, "logSoftmax: input is null");
    floating("logSoftmax", "input", x);
    Shapes.axis("logSoftmax", axis, x.rank());
    return x.logSoftmax(axis);
  }

  // ================================================================== dropout

  /**
   * Inverted dropout: in training each element is zeroed with probability {@code p} and the
   * survivors are scaled by {@code 1 / (1 - p)}, so the expected value is unchanged and evaluation
   * needs no rescaling; outside training (or with p = 0) x is returned as it is. The mask is a
   * constant: {@code y = x * mask}, so the gradient is {@code grad * mask}.
   *
   * @param rng the generator of the mask; may be null outside training or with {@code p == 0}
   * @throws NullPointerException when {@code x} is null, or {@code rng} is null in training with
   *     {@code p > 0}
   * @throws IllegalArgumentException unless {@code 0 <= p < 1}
   */
  public static Tensor dropout(
      Tensor x, double p, boolean training, @Nullable RandomGenerator rng) {
    checkNotNull(x, "dropout: input is null");
    floating("dropout", "input", x);
    Checks.inRange("dropout", "probability p", p, 0.0, 1.0, false);
    if (!training || p == 0.0) {
      return x;
    }
    checkNotNull(
        rng, "dropout: rng is null (pass a seeded generator, e.g. new SplittableRandom(42))");
    Tensor keep = Tensor.rand(rng, x.shape()).ge(p).to(x.dtype());
    return x.mul(keep.div(1.0 - p));
  }

  // ================================================================== normalisation

  /**
   * Normalises channel axis 1 of {@code x} ({@code [N, C]} or {@code [N, C, L]}) with the given
   * per-channel statistics: {@code y = (x - mean) / sqrt(var + eps) * weight + bias}. The statistics
   * may be constants (running estimates) or graph tensors (batch statistics); weight and bias may
   * be null.
   *
   * @throws ShapeException when x is not 2-d or 3-d or a statistic is not {@code [C]}
   */
  public static Tensor batchNorm(
      Tensor x, Tensor mean, Tensor var, @Nullable Tensor weight, @Nullable Tensor bias,
      double eps) {
    checkNotNull(x, "batchNorm: input is null");
    checkNotNull(mean, "batchNorm: mean is null");
    checkNotNull(var, "batchNorm: var is null");
    return batchNorm("batchNorm", x, mean, var, weight, bias, eps);
  }

  static Tensor batchNorm(
      String op, Tensor x, Tensor mean, Tensor var, Tensor weight, Tensor bias, double eps) {
    floating(op, "input", x);
    Checks.positiveFinite(op, "eps", eps);
    if (x.rank() != 2 && x.rank() != 3) {
      throw new ShapeException(
          op + ": expected a 2-d [N, C] or 3-d [N, C, L] input, got shape " + Shapes.str(x.shape()));
    }
    int c = x.size(1);
    int[] statShape = x.rank() == 2 ? new int[] {c} : new int[] {c, 1};
    Tensor y = x.sub(channel(op, "mean", mean, c, statShape))
        .div(channel(op, "var", var, c, statShape).add(eps).sqrt());
    if (weight != null) {
      y = y.mul(channel(op, "weight", weight, c, statShape));
    }
    if (bias != null) {
      y = y.add(channel(op, "bias", bias, c, statShape));
    }
    return y;
  }

  private static Tensor channel(String op, String what, Tensor t, int c, int[] statShape) {
    floating(op, what, t);
    if (t.rank() != 1 || t.size(0) != c) {
      throw new ShapeException(
          op + ": " + what + " must have shape [" + c + "] (one per channel), got "
              + Shapes.str(t.shape()));
    }
    return t.reshape(statShape);
  }

  /**
   * Normalises over the trailing dimensions {@code normalizedShape} of x with the mean and the
   * biased variance of each sample: {@code y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias};
   * weight and bias have shape {@code normalizedShape} and may be null.
   *
   * @throws ShapeException when x's trailing dimensions are not {@code normalizedShape}
   */
  public static Tensor layerNorm(
      Tensor x, int[] normalizedShape, @Nullable Tensor weight, @Nullable Tensor bias, double eps) {
    checkNotNull(x, "layerNorm: input is null");
    checkNotNull(normalizedShape, "layerNorm: normalizedShape is null");
    return layerNorm("layerNorm", x, normalizedShape, weight, bias, eps);
  }

  static Tensor layerNorm(
      String op, Tensor x, int[] normalizedShape, Tensor weight, Tensor bias, double eps) {
    floating(op, "input", x);
    Checks.positiveFinite(op, "eps", eps);
    int k = normalizedShape.length;
    int[] s = x.shape();
    if (k == 0 || s.length < k
        || !Arrays.equals(Arrays.copyOfRange(s, s.length - k, s.length), normalizedShape)) {
      throw new ShapeException(
          op + ": input shape " + Shapes.str(s) + " does not end with the normalized shape "
              + Shapes.str(normalizedShape));
    }
    int[] axes = new int[k];
    for (int i = 0; i < k; i++) {
      axes[i] = s.length - k + i;
    }
    Tensor mean = x.mean(axes, true);
    Tensor var = x.var(axes, 0, true);
    Tensor y = x.sub(mean).div(var.add(eps).sqrt());
    if (weight != null) {
      Checks.floating(op, "weight", weight);
      requireShape(op, "weight", weight, normalizedShape);
      y = y.mul(weight);
    }
    if (bias != null) {
      Checks.floating(op, "bias", bias);
      requireShape(op, "bias", bias, normalizedShape);
      y = y.add(bias);
    }
    return y;
  }

  private static void requireShape(String op, String what, Tensor t, int[] shape) {
    if (!Arrays.equals(t.shape(), shape)) {
      throw new ShapeException(
          op + ": " + what + " must have shape " + Shapes.str(shape) + ", got "
              + Shapes.str(t.shape()));
    }
  }

  // ================================================================== recurrent cells

  /**
   * One step of an Elman RNN (PyTorch's {@code RNNCell}): {@code h' = act(x W_ih^T + b_ih + h
   * W_hh^T + b_hh)} with {@code act} tanh or ReLU.
   *
   * <p>Shapes: {@code x [B, F]} or unbatched {@code [F]}; {@code h [B, H]} (or {@code [H]});
   * {@code wIh [H, F]}, {@code wHh [H, H]}, {@code bIh}, {@code bHh} {@code [H]} or null; result
   * like {@code h}.
   *
   * <pre>{@code
   * Tensor h1 = Functional.rnnCell(x, h0, wIh, wHh, bIh, bHh, RNN.Nonlinearity.TANH);
   * }</pre>
   *
   * @throws ShapeException when a shape does not fit, naming it
   */
  public static Tensor rnnCell(
      Tensor x, Tensor h, Tensor wIh, Tensor wHh, @Nullable Tensor bIh, @Nullable Tensor bHh,
      RNN.Nonlinearity nonlinearity) {
    checkNotNull(x, "rnnCell: input is null");
    checkNotNull(h, "rnnCell: h is null");
    checkNotNull(wIh, "rnnCell: wIh is null");
    checkNotNull(wHh, "rnnCell: wHh is null");
    checkNotNull(nonlinearity, "rnnCell: nonlinearity is null");
    int hidden = Recurrent.checkWeights("rnnCell", 1, wIh, wHh, bIh, bHh);
    Recurrent.checkCellInput("rnnCell", x, wIh.size(1));
    Recurrent.checkCellState("rnnCell", "h", h, x, hidden);
    Tensor gi = Recurrent.project(x, wIh.t(), bIh);
    return Recurrent.rnnStep(gi, h, wHh.t(), bHh, nonlinearity == RNN.Nonlinearity.RELU);
  }

  /**
   * One step of an LSTM (PyTorch's {@code LSTMCell}), gates in PyTorch's order i, f, g, o (the
   * rows of the weights):
   *
   * <pre>
   *   i = sigmoid(W_ii x + b_ii + W_hi h + b_hi)     f = sigmoid(W_if x + b_if + W_hf h + b_hf)
   *   g = tanh(W_ig x + b_ig + W_hg h + b_hg)        o = sigmoid(W_io x + b_io + W_ho h + b_ho)
   *   c' = f * c + i * g                             h' = o * tanh(c')
   * </pre>
   *
   * <p>Shapes: {@code x [B, F]} or {@code [F]}; {@code state.h}, {@code state.c} {@code [B, H]}
   * (or {@code [H]}); {@code wIh [4H, F]}, {@code wHh [4H, H]}, biases {@code [4H]} or null.
   *
   * <pre>{@code
   * LSTMState next = Functional.lstmCell(x, new LSTMState(h, c), wIh, wHh, bIh, bHh);
   * }</pre>
   *
   * @return the next {@code (h', c')}
   * @throws ShapeException when a shape does not fit, naming it
   */
  public static LSTMState lstmCell(
      Tensor x, LSTMState state, Tensor wIh, Tensor wHh, @Nullable Tensor bIh,
      @Nullable Tensor bHh) {
    checkNotNull(x, "lstmCell: input is null");
    checkNotNull(state, "lstmCell: state is null");
    checkNotNull(wIh, "lstmCell: wIh is null");
    checkNotNull(wHh, "lstmCell: wHh is null");
    int hidden = Recurrent.checkWeights("lstmCell", 4, wIh, wHh, bIh, bHh);
    Recurrent.checkCellInput("lstmCell", x, wIh.size(1));
    Recurrent.checkCellState("lstmCell", "h", state.h(), x, hidden);
    Recurrent.checkCellState("lstmCell", "c", state.c(), x, hidden);
    Tensor gi = Recurrent.project(x, wIh.t(), bIh);
    Tensor[] hc = Recurrent.lstmStep(gi, state.h(), state.c(), wHh.t(), bHh);
    return new LSTMState(hc[0], hc[1]);
  }

  /**
   * One step of a GRU (PyTorch's {@code GRUCell}), gates in PyTorch's order r, z, n:
   *
   * <pre>
   *   r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)     z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
   *   n = tanh(W_in x + b_in + r * (W_hn h + b_hn))  h' = (1 - z) * n + z * h
   * </pre>
   *
   * <p>Shapes: {@code x [B, F]} or {@code [F]}; {@code h [B, H]} (or {@code [H]}); {@code wIh
   * [3H, F]}, {@code wHh [3H, H]}, biases {@code [3H]} or null.
   *
   * <pre>{@code
   * Tensor h1 = Functional.gruCell(x, h0, wIh, wHh, bIh, bHh);
   * }</pre>
   *
   * @throws ShapeException when a shape does not fit, naming it
   */
  public static Tensor gruCell(
      Tensor x, Tensor h, Tensor wIh, Tensor wHh, @Nullable Tensor bIh, @Nullable Tensor bHh) {
    checkNotNull(x, "gruCell: input is null");
    checkNotNull(h, "gruCell: h is null");
    checkNotNull(wIh, "gruCell: wIh is null");
    checkNotNull(wHh, "gruCell: wHh is null");
    int hidden = Recurrent.checkWeights("gruCell", 3, wIh, wHh, bIh, bHh);
    Recurrent.checkCellInput("gruCell", x, wIh.size(1));
    Recurrent.checkCellState("gruCell", "h", h, x, hidden);
    Tensor gi = Recurrent.project(x, wIh.t(), bIh);
    return Recurrent.gruStep(gi, h, wHh.t(), bHh);
  }
}
