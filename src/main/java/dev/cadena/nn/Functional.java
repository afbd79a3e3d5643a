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
 * activations, dropout, normalisation, and convolution, pooling and embedding (on the
 * sliding-window primitives of {@link dev.cadena.ops.Windows}). Each is a composition of generic tensor ops, so the
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
    try (var o = Anomaly.operands("softmax", "input", x)) {
      floating("softmax", "input", x);
      Shapes.axis("softmax", axis, x.rank());
      return x.softmax(axis);
    }
  }

  /**
   * Log-softmax along {@code axis}: {@code z - log(sum(exp(z), axis))} with {@code z = x - m} and
   * {@code m = max(x, axis)} held constant (infinite maxima as for {@link #softmax}): equal to {@code x -
   * logsumexp(x)}, but shifted first so that it stays finite and accurate for large inputs. See
   * {@link dev.cadena.ops.Reductions#logSoftmax}.
   */
  public static Tensor logSoftmax(Tensor x, int axis) {
    checkNotNull(x, "logSoftmax: input is null");
    try (var o = Anomaly.operands("logSoftmax", "input", x)) {
      floating("logSoftmax", "input", x);
      Shapes.axis("logSoftmax", axis, x.rank());
      return x.logSoftmax(axis);
    }
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
    try (var o = Anomaly.operands(
        op, "input", x, "mean", mean, "var", var, "weight", weight, "bias", bias)) {
      return checkedBatchNorm(op, x, mean, var, weight, bias, eps);
    }
  }

  private static Tensor checkedBatchNorm(
      String op, Tensor x, Tensor mean, Tensor var, Tensor weight, Tensor bias, double eps) {
    floating(op, "input", x);
    Checks.positiveFinite(op, "eps", eps);
    if (x.rank() != 2 && x.rank() != 3) {
      throw new ShapeException(
          op + ": expected a 2-d [N, C] or 3-d [N, C, L] input, got shape " + Shapes.str(x.shape()));
    }
    int c = x.size(1);
    int[] statShape = x.rank() == 2 ? new int[] {c} : new int[] {c, 1};
    // y = (x - mean) / sqrt(var + eps) * weight + bias, computed as x * scale + shift with the
    // per-channel scale = weight / sqrt(var + eps) and shift = bias - mean * scale: two passes
    // over x forward and about half the full-size temporaries backward (the per-channel terms
    // are small), the same derivative.
    Tensor m = channel(op, "mean", mean, c, statShape);
    Tensor scale = channel(op, "var", var, c, statShape).add(eps).sqrt().reciprocal();
    if (weight != null) {
      scale = scale.mul(channel(op, "weight", weight, c, statShape));
    }
    Tensor shift = m.mul(scale).neg();
    if (bias != null) {
      shift = shift.add(channel(op, "bias", bias, c, statShape));
    }
    return x.mul(scale).add(shift);
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
    try (var o = Anomaly.operands(op, "input", x, "weight", weight, "bias", bias)) {
      return checkedLayerNorm(op, x, normalizedShape, weight, bias, eps);
    }
  }

  private static Tensor checkedLayerNorm(
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
    try (var o = Anomaly.operands("rnnCell", "input", x, "h", h, "weight_ih", wIh, "weight_hh",
        wHh, "bias_ih", bIh, "bias_hh", bHh)) {
      int hidden = Recurrent.checkWeights("rnnCell", 1, wIh, wHh, bIh, bHh);
      Recurrent.checkCellInput("rnnCell", x, wIh.size(1));
      Recurrent.checkCellState("rnnCell", "h", h, x, hidden);
      Tensor gi = Recurrent.project(x, wIh.t(), bIh);
      return Recurrent.rnnStep(gi, h, wHh.t(), bHh, nonlinearity == RNN.Nonlinearity.RELU);
    }
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
    try (var o = Anomaly.operands("lstmCell", "input", x, "h", state.h(), "c", state.c(),
        "weight_ih", wIh, "weight_hh", wHh, "bias_ih", bIh, "bias_hh", bHh)) {
      int hidden = Recurrent.checkWeights("lstmCell", 4, wIh, wHh, bIh, bHh);
      Recurrent.checkCellInput("lstmCell", x, wIh.size(1));
      Recurrent.checkCellState("lstmCell", "h", state.h(), x, hidden);
      Recurrent.checkCellState("lstmCell", "c", state.c(), x, hidden);
      Tensor gi = Recurrent.project(x, wIh.t(), bIh);
      Tensor[] hc = Recurrent.lstmStep(gi, state.h(), state.c(), wHh.t(), bHh);
      return new LSTMState(hc[0], hc[1]);
    }
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
    try (var o = Anomaly.operands("gruCell", "input", x, "h", h, "weight_ih", wIh, "weight_hh",
        wHh, "bias_ih", bIh, "bias_hh", bHh)) {
      int hidden = Recurrent.checkWeights("gruCell", 3, wIh, wHh, bIh, bHh);
      Recurrent.checkCellInput("gruCell", x, wIh.size(1));
      Recurrent.checkCellState("gruCell", "h", h, x, hidden);
      Tensor gi = Recurrent.project(x, wIh.t(), bIh);
      return Recurrent.gruStep(gi, h, wHh.t(), bHh);
    }
  }

  // ================================================================== convolution and pooling
  // Compositions on the sliding-window primitives unfold and fold (dev.cadena.ops.Windows):
  // convolution is an unfold and a matrix product, pooling an unfold (or a reshape) and a
  // reduction. Window sizes are (height, width) pairs; an int[] of length 1 means both.

  /** NullPointerExceptions {@code op: name is null} for the first null of (name, value) pairs. */
  static void nulls(String op, Object... namesAndValues) {
    for (int i = 0; i < namesAndValues.length; i += 2) {
      checkNotNull(namesAndValues[i + 1], "%s: %s is null", op, namesAndValues[i]);
    }
  }

  /** {@code v} as a (height, width) pair: one value means both; a copy. */
  static int[] pair(String op, String what, int[] v) {
    checkNotNull(v, "%s: %s is null", op, what);
    if (v.length == 1) {
      return new int[] {v[0], v[0]};
    }
    if (v.length != 2) {
      throw new IllegalArgumentException(
          op + ": " + what + " must have 1 or 2 values, got " + Arrays.toString(v));
    }
    return v.clone();
  }

  /**
   * PyTorch's {@code torch.nn.functional.unfold} (im2col): every {@code kH x kW} window of {@code
   * x [N, C, H, W]} as a column of the result {@code [N, C * kH * kW, L]}, {@code L} the number of
   * window positions (see {@link dev.cadena.ops.Windows#unfold}, the primitive). Each argument is
   * one value (both axes) or a (height, width) pair.
   *
   * <pre>{@code
   * Tensor cols = Functional.unfold(Tensor.randn(rng, 2, 3, 8, 8), new int[] {3}, new int[] {1},
   *     new int[] {1}, new int[] {2});   // [2, 27, 16]
   * }</pre>
   *
   * @throws ShapeException when x is not 4-d or the dilated kernel is larger than the padded input
   * @throws IllegalArgumentException for a non-positive kernel, dilation or stride, or a negative
   *     padding
   */
  public static Tensor unfold(Tensor x, int[] kernelSize, int[] dilation, int[] padding, int[] stride) {
    checkNotNull(x, "unfold: input is null");
    nulls("unfold", "kernelSize", kernelSize, "dilation", dilation, "padding", padding, "stride", stride);
    floating("unfold", "input", x);
    return dev.cadena.ops.Windows.unfold(x, pair("unfold", "kernel_size", kernelSize),
        pair("unfold", "dilation", dilation), pair("unfold", "padding", padding),
        pair("unfold", "stride", stride));
  }

  /**
   * PyTorch's {@code torch.nn.functional.fold} (col2im), the transpose of {@link #unfold}: columns
   * {@code [N, C * kH * kW, L]} summed back into images {@code [N, C, H, W]} of {@code outputSize
   * (H, W)}.
   *
   * <pre>{@code
   * Tensor counts = Functional.fold(Tensor.ones(1, 4, 4), new int[] {3}, new int[] {2},
   *     new int[] {1}, new int[] {0}, new int[] {1});   // [[1, 2, 1], [2, 4, 2], [1, 2, 1]]
   * }</pre>
   *
   * @throws ShapeException when the input is not 3-d or does not fit the output size and kernel
   * @throws IllegalArgumentException for a bad geometry
   */
  public static Tensor fold(
      Tensor x, int[] outputSize, int[] kernelSize, int[] dilation, int[] padding, int[] stride) {
    checkNotNull(x, "fold: input is null");
    nulls("fold", "outputSize", outputSize, "kernelSize", kernelSize, "dilation", dilation,
        "padding", padding, "stride", stride);
    floating("fold", "input", x);
    return dev.cadena.ops.Windows.fold(x, pair("fold", "output_size", outputSize),
        pair("fold", "kernel_size", kernelSize), pair("fold", "dilation", dilation),
        pair("fold", "padding", padding), pair("fold", "stride", stride));
  }

  /**
   * 2-d convolution (cross-correlation, as in PyTorch's {@code torch.nn.functional.conv2d}):
   *
   * <pre>
   *   out[n, o, y, x] = bias[o] + sum_{c, i, j} weight[o, c, i, j]
   *                     * in[n, g(o) * C/groups + c, y sH - pH + i dH, x sW - pW + j dW]
   * </pre>
   *
   * with zeros outside the image and {@code g(o) = o / (O / groups)} the group of output channel
   * {@code o}. Computed as {@code unfold} and one (batched) matrix product with the weight
   * reshaped to {@code [groups, O/groups, C/groups * kH * kW]}, plus the bias.
   *
   * <p>Shapes: {@code x [N, C, H, W]} (or unbatched {@code [C, H, W]}), {@code weight [O,
   * C/groups, kH, kW]}, {@code bias [O]} or null; result {@code [N, O, oH, oW]} with {@code oH =
   * (H + 2 pH - dH (kH - 1) - 1) / sH + 1}. Stride, padding and dilation are one value or a
   * (height, width) pair.
   *
   * <pre>{@code
   * Tensor y = Functional.conv2d(Tensor.randn(rng, 8, 3, 32, 32), Tensor.randn(rng, 16, 3, 3, 3),
   *     null, new int[] {1}, new int[] {1}, new int[] {1}, 1);   // [8, 16, 32, 32]
   * }</pre>
   *
   * @throws ShapeException for a wrong rank, a channel count that does not match the weight, a
   *     kernel larger than the padded input, or a bias that is not {@code [O]}
   * @throws IllegalArgumentException for groups that do not divide both channel counts, or a bad
   *     stride, padding or dilation
   */
  public static Tensor conv2d(Tensor x, Tensor weight, @Nullable Tensor bias, int[] stride,
      int[] padding, int[] dilation, int groups) {
    checkNotNull(x, "conv2d: input is null");
    checkNotNull(weight, "conv2d: weight is null");
    String op = "conv2d";
    nulls(op, "stride", stride, "padding", padding, "dilation", dilation);
    return conv2d(op, x, weight, bias, pair(op, "stride", stride), pair(op, "padding", padding),
        null, pair(op, "dilation", dilation), groups);
  }

  /**
   * {@link #conv2d(Tensor, Tensor, Tensor, int[], int[], int[], int)} with padding {@code "valid"}
   * (none) or {@code "same"} (the output has the input's size; stride must be 1; when the total
   * padding {@code dilation * (kernel - 1)} is odd the extra zero goes to the bottom and right, as
   * in PyTorch).
   *
   * @throws IllegalArgumentException for another padding string, or {@code "same"} with a stride
   *     other than 1
   */
  public static Tensor conv2d(Tensor x, Tensor weight, @Nullable Tensor bias, int[] stride,
      String padding, int[] dilation, int groups) {
    checkNotNull(x, "conv2d: input is null");
    checkNotNull(weight, "conv2d: weight is null");
    checkNotNull(padding, "conv2d: padding is null");
    String op = "conv2d";
    nulls(op, "stride", stride, "dilation", dilation);
    return conv2d(op, x, weight, bias, pair(op, "stride", stride), null, padding,
        pair(op, "dilation", dilation), groups);
  }

  /** {@code conv2d} with stride 1, no padding, dilation 1 and one group. */
  public static Tensor conv2d(Tensor x, Tensor weight, @Nullable Tensor bias) {
    return conv2d(x, weight, bias, new int[] {1}, new int[] {0}, new int[] {1}, 1);
  }

  /**
   * The convolution behind {@link Conv2d} and {@link #conv2d}: exactly one of {@code padding} and
   * {@code paddingMode} is non-null.
   */
  static Tensor conv2d(String op, Tensor x, Tensor weight, Tensor bias, int[] stride,
      int[] padding, String paddingMode, int[] dilation, int groups) {
    try (var o = Anomaly.operands(op, "input", x, "weight", weight, "bias", bias)) {
      return checkedConv2d(op, x, weight, bias, stride, padding, paddingMode, dilation, groups);
    }
  }

  private static Tensor checkedConv2d(String op, Tensor x, Tensor weight, Tensor bias,
      int[] stride, int[] padding, String paddingMode, int[] dilation, int groups) {
    floating(op, "input", x);
    floating(op, "weight", weight);
    if (x.rank() == 3) {
      return checkedConv2d(op, x.unsqueeze(0), weight, bias, stride, padding, paddingMode,
          dilation, groups).squeeze(0);
    }
    requireImages(op, x);
    if (weight.rank() != 4) {
      throw new ShapeException(
          op + ": weight must be 4-d [out_channels, in_channels/groups, kH, kW], got shape "
              + Shapes.str(weight.shape()));
    }
    int c = x.size(1);
    int o = weight.size(0);
    if (groups < 1 || c % groups != 0 || o % groups != 0) {
      throw new IllegalArgumentException(
          op + ": groups must be positive and divide both the input channels and the output"
              + " channels, got groups=" + groups + " for " + c + " input and " + o
              + " output channels");
    }
    int cg = c / groups;
    if (weight.size(1) != cg) {
      throw new ShapeException(
          op + ": input has " + c + " channels, but weight " + Shapes.str(weight.shape())
              + " with groups=" + groups + " expects " + (long) weight.size(1) * groups
              + " (input shape " + Shapes.str(x.shape()) + ")");
    }
    if (bias != null) {
      floating(op, "bias", bias);
      if (bias.rank() != 1 || bias.size(0) != o) {
        throw new ShapeException(
            op + ": bias must have shape [" + o + "], got " + Shapes.str(bias.shape()));
      }
    }
    int[] kernel = {weight.size(2), weight.size(3)};
    Im2ColArgs.checkPositive(op, "stride", stride);
    Im2ColArgs.checkPositive(op, "dilation", dilation);
    if (paddingMode != null) {
      if (paddingMode.equals("valid")) {
        padding = new int[] {0, 0};
      } else if (paddingMode.equals("same")) {
        if (stride[0] != 1 || stride[1] != 1) {
          throw new IllegalArgumentException(
              op + ": padding='same' needs stride 1, got stride " + Arrays.toString(stride));
        }
        int th = dilation[0] * (kernel[0] - 1);
        int tw = dilation[1] * (kernel[1] - 1);
        padding = new int[] {th / 2, tw / 2};
        // An odd total: the extra zero row and column go to the bottom and the right.
        x = padZeros(x, th % 2, tw % 2);
      } else {
        throw new IllegalArgumentException(
            op + ": padding must be 'valid' or 'same' (or numbers), got '" + paddingMode + "'");
      }
    }
    int n = x.size(0);
    Tensor cols = dev.cadena.ops.Windows.unfold(x, kernel, dilation, padding, stride);
    int oh = (x.size(2) + 2 * padding[0] - dilation[0] * (kernel[0] - 1) - 1) / stride[0] + 1;
    int ow = (x.size(3) + 2 * padding[1] - dilation[1] * (kernel[1] - 1) - 1) / stride[1] + 1;
    int l = cols.size(2);
    int k = cg * kernel[0] * kernel[1];
    Tensor y;
    if (groups == 1) {
      y = weight.to(cols.dtype()).reshape(o, k).matmul(cols);                    // [N, O, L]
    } else {
      Tensor w = weight.to(cols.dtype()).reshape(groups, o / groups, k);
      y = w.matmul(cols.reshape(n, groups, k, l)).reshape(n, o, l);             // [N, O, L]
    }
    if (bias != null) {
      y = y.add(bias.reshape(o, 1));
    }
    return y.reshape(n, o, oh, ow);
  }

  /** {@code x [N, C, H, W]} with {@code bottom} zero rows and {@code right} zero columns added. */
  private static Tensor padZeros(Tensor x, int bottom, int right) {
    return padConstant(x, 0, bottom, 0, right, 0.0);
  }

  /** {@code x [N, C, H, W]} padded with {@code value} on each side (a concat with constants). */
  private static Tensor padConstant(Tensor x, int top, int bottom, int left, int right, double value) {
    int n = x.size(0);
    int c = x.size(1);
    if (top > 0 || bottom > 0) {
      java.util.List<Tensor> parts = new java.util.ArrayList<>();
      if (top > 0) {
        parts.add(Tensor.full(value, x.dtype(), n, c, top, x.size(3)));
      }
      parts.add(x);
      if (bottom > 0) {
        parts.add(Tensor.full(value, x.dtype(), n, c, bottom, x.size(3)));
      }
      x = Tensor.concat(parts, 2);
    }
    if (left > 0 || right > 0) {
      java.util.List<Tensor> parts = new java.util.ArrayList<>();
      if (left > 0) {
        parts.add(Tensor.full(value, x.dtype(), n, c, x.size(2), left));
      }
      parts.add(x);
      if (right > 0) {
        parts.add(Tensor.full(value, x.dtype(), n, c, x.size(2), right));
      }
      x = Tensor.concat(parts, 3);
    }
    return x;
  }

  /** Argument checks of the window ops that are not the primitive's. */
  static final class Im2ColArgs {
    private Im2ColArgs() {}

    static void checkPositive(String op, String what, int[] v) {
      if (v[0] < 1 || v[1] < 1) {
        throw new IllegalArgumentException(
            op + ": " + what + " must be positive, got " + Arrays.toString(v));
      }
    }

    static void checkNonNegative(String op, String what, int[] v) {
      if (v[0] < 0 || v[1] < 0) {
        throw new IllegalArgumentException(
            op + ": " + what + " must be non-negative, got " + Arrays.toString(v));
      }
    }
  }

  /**
   * 1-d convolution (PyTorch's {@code torch.nn.functional.conv1d}): {@link #conv2d} on the input
   * seen as images of height 1. Shapes: {@code x [N, C, L]} (or {@code [C, L]}), {@code weight
   * [O, C/groups, k]}, {@code bias [O]} or null; result {@code [N, O, oL]}, {@code oL = (L + 2p -
   * d (k - 1) - 1) / s + 1}.
   *
   * <pre>{@code
   * Tensor y = Functional.conv1d(Tensor.randn(rng, 4, 2, 10), Tensor.randn(rng, 6, 2, 3), null,
   *     1, 1, 1, 1);   // [4, 6, 10]
   * }</pre>
   *
   * @throws ShapeException for a wrong rank or channel count, or a kernel larger than the padded
   *     input
   * @throws IllegalArgumentException for bad groups, stride, padding or dilation
   */
  public static Tensor conv1d(Tensor x, Tensor weight, @Nullable Tensor bias, int stride,
      int padding, int dilation, int groups) {
    checkNotNull(x, "conv1d: input is null");
    checkNotNull(weight, "conv1d: weight is null");
    return conv1d("conv1d", x, weight, bias, stride, new int[] {0, padding}, null, dilation, groups);
  }

  /** {@link #conv1d(Tensor, Tensor, Tensor, int, int, int, int)} with padding "valid" or "same". */
  public static Tensor conv1d(Tensor x, Tensor weight, @Nullable Tensor bias, int stride,
      String padding, int dilation, int groups) {
    checkNotNull(x, "conv1d: input is null");
    checkNotNull(weight, "conv1d: weight is null");
    checkNotNull(padding, "conv1d: padding is null");
    return conv1d("conv1d", x, weight, bias, stride, null, padding, dilation, groups);
  }

  static Tensor conv1d(String op, Tensor x, Tensor weight, Tensor bias, int stride, int[] padding,
      String paddingMode, int dilation, int groups) {
    try (var o = Anomaly.operands(op, "input", x, "weight", weight, "bias", bias)) {
      return checkedConv1d(op, x, weight, bias, stride, padding, paddingMode, dilation, groups);
    }
  }

  private static Tensor checkedConv1d(String op, Tensor x, Tensor weight, Tensor bias,
      int stride, int[] padding, String paddingMode, int dilation, int groups) {
    floating(op, "input", x);
    floating(op, "weight", weight);
    if (x.rank() == 2) {
      return checkedConv1d(op, x.unsqueeze(0), weight, bias, stride, padding, paddingMode,
          dilation, groups).squeeze(0);
    }
    requireSequences(op, x, false);
    if (weight.rank() != 3) {
      throw new ShapeException(
          op + ": weight must be 3-d [out_channels, in_channels/groups, k], got shape "
              + Shapes.str(weight.shape()));
    }
    if (padding != null && padding[1] < 0) {
      throw new IllegalArgumentException(op + ": padding must be non-negative, got " + padding[1]);
    }
    // The channel check of conv2d below would print the shapes with the inserted height axis.
    int c = x.size(1);
    int o = weight.size(0);
    if (groups >= 1 && c % groups == 0 && o % groups == 0 && weight.size(1) != c / groups) {
      throw new ShapeException(
          op + ": input has " + c + " channels, but weight " + Shapes.str(weight.shape())
              + " with groups=" + groups + " expects " + (long) weight.size(1) * groups
              + " (input shape " + Shapes.str(x.shape()) + ")");
    }
    Tensor y = checkedConv2d(op, x.unsqueeze(2), weight.unsqueeze(2), bias,
        new int[] {1, stride}, padding, paddingMode, new int[] {1, dilation}, groups);
    return y.squeeze(2);
  }

  /**
   * 2-d max pooling (PyTorch's {@code torch.nn.functional.max_pool2d}): the maximum of each
   * {@code kH x kW} window, padded with {@code -inf}. Shapes: {@code [N, C, H, W]} (or {@code [C,
   * H, W]}) to {@code [N, C, oH, oW]}, {@code oH = (H + 2 pH - dH (kH - 1) - 1) / sH + 1}; stride
   * defaults to the kernel size (pass null). An unfold of each channel and a max over each
   * column; the gradient of a window goes to its first maximum (row-major), as in PyTorch.
   *
   * <pre>{@code
   * Tensor y = Functional.maxPool2d(Tensor.randn(rng, 8, 16, 24, 24), new int[] {2}, null,
   *     new int[] {0}, new int[] {1});   // [8, 16, 12, 12]
   * }</pre>
   *
   * @throws ShapeException for a wrong rank or a window larger than the padded input
   * @throws IllegalArgumentException for a bad geometry, or a padding above half the kernel
   */
  public static Tensor maxPool2d(
      Tensor x, int[] kernelSize, int @Nullable [] stride, int[] padding, int[] dilation) {
    return maxPool2d(x, kernelSize, stride, padding, dilation, false);
  }

  /**
   * {@link #maxPool2d(Tensor, int[], int[], int[], int[])} with PyTorch's {@code ceil_mode}: with
   * {@code ceilMode} the output size rounds up, {@code oH = ceil((H + 2 pH - dH (kH - 1) - 1) /
   * sH) + 1}, less one when the last window would start at or after {@code H + pH} (in the right
   * padding), so every window starts inside the input or the left padding; the windows that run
   * past the end see {@code -inf} there.
   *
   * <pre>{@code
   * Functional.maxPool2d(Tensor.randn(rng, 1, 1, 5, 5), new int[] {2}, null, new int[] {0},
   *     new int[] {1}, true).shape();   // [1, 1, 3, 3] (2 x 2 without ceil mode)
   * }</pre>
   *
   * @throws ShapeException for a wrong rank or a window larger than the padded input
   * @throws IllegalArgumentException for a bad geometry, or a padding above half the kernel
   */
  public static Tensor maxPool2d(Tensor x, int[] kernelSize, int @Nullable [] stride,
      int[] padding, int[] dilation, boolean ceilMode) {
    checkNotNull(x, "maxPool2d: input is null");
    nulls("maxPool2d", "kernelSize", kernelSize, "padding", padding, "dilation", dilation);
    return pool2d("maxPool2d", true, false, x, kernelSize, stride, padding, dilation, ceilMode,
        true, null)[0];
  }

  /** {@link #maxPool2d(Tensor, int[], int[], int[], int[])} with stride = kernel, no padding. */
  public static Tensor maxPool2d(Tensor x, int kernelSize) {
    checkNotNull(x, "maxPool2d: input is null");
    return pool2d("maxPool2d", true, x, new int[] {kernelSize}, null, new int[] {0}, new int[] {1});
  }

  /**
   * {@link #maxPool2d(Tensor, int[], int[], int[], int[], boolean)} and where each maximum came
   * from, as PyTorch's {@code max_pool2d(..., return_indices=True)}: the indices (int64, the
   * values' shape) are flat positions {@code row * W + column} in the input plane {@code H x W}
   * of the value's own sample and channel, the first maximum of its window in row-major order. A
   * window wholly in the padding (dilation can make one) gives {@code -inf} and an index outside
   * {@code [0, H*W)}, as in PyTorch.
   * Only the values carry a gradient; the indices are a constant (for {@code max_unpool2d}-like
   * scatters, e.g. {@code Tensor.scatterAdd} on the input flattened to {@code [N, C, H*W]}).
   *
   * <pre>{@code
   * Tensor x = Tensor.of(new double[][] {{1, 5, 2, 0}, {3, 4, 8, 7}}).reshape(1, 1, 2, 4);
   * Tensor.ValuesIndices r = Functional.maxPool2dWithIndices(x, new int[] {2}, null,
   *     new int[] {0}, new int[] {1}, false);
   * // r.values() [[[[5, 8]]]], r.indices() [[[[1, 6]]]]
   * }</pre>
   *
   * @throws ShapeException for a wrong rank or a window larger than the padded input
   * @throws IllegalArgumentException for a bad geometry, or a padding above half the kernel
   */
  public static Tensor.ValuesIndices maxPool2dWithIndices(Tensor x, int[] kernelSize,
      int @Nullable [] stride, int[] padding, int[] dilation, boolean ceilMode) {
    String op = "maxPool2dWithIndices";
    checkNotNull(x, "%s: input is null", op);
    nulls(op, "kernelSize", kernelSize, "padding", padding, "dilation", dilation);
    Tensor[] r = pool2d(op, true, true, x, kernelSize, stride, padding, dilation, ceilMode, true,
        null);
    return new Tensor.ValuesIndices(r[0], r[1]);
  }

  /**
   * 2-d average pooling (PyTorch's {@code torch.nn.functional.avg_pool2d} with {@code
   * count_include_pad=True}, its default): the mean of each {@code kH x kW} window, padding zeros
   * counted. Shapes and the stride default as for {@link #maxPool2d}; an unfold of each channel
   * and a mean over each column.
   *
   * <pre>{@code
   * Tensor y = Functional.avgPool2d(Tensor.ones(1, 1, 4, 4), new int[] {2}, null, new int[] {0});
   * // [1, 1, 2, 2], all ones
   * }</pre>
   *
   * @throws ShapeException for a wrong rank or a window larger than the padded input
   * @throws IllegalArgumentException for a bad geometry, or a padding above half the kernel
   */
  public static Tensor avgPool2d(Tensor x, int[] kernelSize, int @Nullable [] stride, int[] padding) {
    return avgPool2d(x, kernelSize, stride, padding, false, true, null);
  }

  /**
   * 2-d average pooling with all of PyTorch's options ({@code torch.nn.functional.avg_pool2d}):
   * the sum of each window divided by
   *
   * <ul>
   *   <li>{@code divisorOverride} when it is given;
   *   <li>else, with {@code countIncludePad}, the window's size clipped to the padded input
   *       {@code [-pH, H + pH) x [-pW, W + pW)} (the kernel size except for the windows that
   *       ceil mode lets run past the padding);
   *   <li>else the number of the window's elements inside the input.
   * </ul>
   *
   * {@code ceilMode} rounds the output size up as for {@link #maxPool2d(Tensor, int[], int[],
   * int[], int[], boolean)}. A sum of the unfolded columns divided by a constant per window.
   *
   * <pre>{@code
   * Functional.avgPool2d(Tensor.ones(1, 1, 3, 3), new int[] {2}, new int[] {1}, new int[] {1},
   *     false, false, null);   // [1, 1, 4, 4] of ones: the zeros of the padding are not counted
   * }</pre>
   *
   * @throws ShapeException for a wrong rank or a window larger than the padded input
   * @throws IllegalArgumentException for a bad geometry, a padding above half the kernel, or a
   *     {@code divisorOverride} that is not positive
   */
  public static Tensor avgPool2d(Tensor x, int[] kernelSize, int @Nullable [] stride,
      int[] padding, boolean ceilMode, boolean countIncludePad, @Nullable Integer divisorOverride) {
    checkNotNull(x, "avgPool2d: input is null");
    nulls("avgPool2d", "kernelSize", kernelSize, "padding", padding);
    return pool2d("avgPool2d", false, false, x, kernelSize, stride, padding, new int[] {1},
        ceilMode, countIncludePad, divisorOverride)[0];
  }

  /** {@link #avgPool2d(Tensor, int[], int[], int[])} with stride = kernel, no padding. */
  public static Tensor avgPool2d(Tensor x, int kernelSize) {
    checkNotNull(x, "avgPool2d: input is null");
    return pool2d("avgPool2d", false, x, new int[] {kernelSize}, null, new int[] {0}, new int[] {1});
  }

  static Tensor pool2d(String op, boolean max, Tensor x, int[] kernelSize, int[] stride,
      int[] padding, int[] dilation) {
    return pool2d(op, max, false, x, kernelSize, stride, padding, dilation, false, true, null)[0];
  }

  /**
   * The pooling behind the modules and functions: {@code {values, indices}} (indices null unless
   * {@code withIndices}, which needs {@code max}).
   */
  static Tensor[] pool2d(String op, boolean max, boolean withIndices, Tensor x, int[] kernelSize,
      int[] stride, int[] padding, int[] dilation, boolean ceilMode, boolean countIncludePad,
      Integer divisorOverride) {
    try (var o = Anomaly.operands(op, "input", x)) {
      return checkedPool2d(op, max, withIndices, x, kernelSize, stride, padding, dilation,
          ceilMode, countIncludePad, divisorOverride);
    }
  }

  private static Tensor[] checkedPool2d(String op, boolean max, boolean withIndices, Tensor x,
      int[] kernelSize, int[] stride, int[] padding, int[] dilation, boolean ceilMode,
      boolean countIncludePad, Integer divisorOverride) {
    floating(op, "input", x);
    int[] k = pair(op, "kernel_size", kernelSize);
    int[] s = stride == null ? k.clone() : pair(op, "stride", stride);
    int[] p = pair(op, "padding", padding);
    int[] d = pair(op, "dilation", dilation);
    checkPoolArgs(op, k, s, p, d);
    if (divisorOverride != null && divisorOverride < 1) {
      throw new IllegalArgumentException(
          op + ": divisor_override must be positive, got " + divisorOverride);
    }
    if (x.rank() == 3) {
      Tensor[] r = pool2d(op, max, withIndices, x.unsqueeze(0), k, s, p, d, ceilMode,
          countIncludePad, divisorOverride);
      return new Tensor[] {r[0].squeeze(0), r[1] == null ? null : r[1].squeeze(0)};
    }
    requireImages(op, x);
    int n = x.size(0);
    int c = x.size(1);
    int h = x.size(2);
    int w = x.size(3);
    int oh = pooledSize(op, "height", h, k[0], d[0], p[0], s[0], ceilMode);
    int ow = pooledSize(op, "width", w, k[1], d[1], p[1], s[1], ceilMode);
    // Ceil mode's last windows may run past the padding: pad the bottom and right that far.
    int extraH = Math.max(0, (oh - 1) * s[0] + d[0] * (k[0] - 1) + 1 - (h + 2 * p[0]));
    int extraW = Math.max(0, (ow - 1) * s[1] + d[1] * (k[1] - 1) + 1 - (w + 2 * p[1]));
    // Even when the windows tile the image, a view [N, C, oH, kH, oW, kW] reduced over axes 3
    // and 5 is slower than the unfold: the reduction's VJP then runs elementwise ops over rows
    // of kW elements (a 2x2 pooling step of the CNN job took 3 times as long), while those on
    // the columns [N*C, kH*kW, L] run over rows of L.
    Tensor planes = x.reshape(n * c, 1, h, w);
    Tensor cols;
    if ((max && (p[0] > 0 || p[1] > 0)) || extraH > 0 || extraW > 0) {
      // Max pooling pads with -inf (never the maximum), unfold with zeros.
      double fill = max ? Double.NEGATIVE_INFINITY : 0.0;
      Tensor padded = padConstant(planes, p[0], p[0] + extraH, p[1], p[1] + extraW, fill);
      cols = dev.cadena.ops.Windows.unfold(padded, k, d, new int[] {0, 0}, s);
    } else {
      cols = dev.cadena.ops.Windows.unfold(planes, k, d, p, s);
    }
    if (max) {
      // Max pooling takes the first maximum of each window (argmax and gather), as PyTorch's
      // max_pool2d gives the gradient to one element of a tie: its VJP is one scatter into the
      // columns, where amax's even split builds an equality mask, its sums and a division.
      Tensor.ValuesIndices m = cols.max(1);                                       // [N*C, L]
      Tensor indices = null;
      if (withIndices) {
        // The tap each window chose, [N*C, L], looked up in a table of flat input positions.
        Tensor table = inputPositions(op, h, w, oh, ow, k, s, p, d);              // [L, kH*kW]
        indices = table.gather(1, m.indices().mT()).mT().reshape(n, c, oh, ow);
      }
      return new Tensor[] {m.values().reshape(n, c, oh, ow), indices};
    }
    Tensor r;
    if (divisorOverride != null) {
      r = cols.sum(1).div(divisorOverride);
    } else if (extraH == 0 && extraW == 0 && (countIncludePad || (p[0] == 0 && p[1] == 0))) {
      r = cols.mean(1);                                     // every window has kH * kW elements
    } else {
      r = cols.sum(1).div(divisors(op, h, w, oh, ow, k, s, p, countIncludePad, x));
    }
    return new Tensor[] {r.reshape(n, c, oh, ow), null};
  }

  /** The checks of a pooling window shared by the functions and the modules. */
  static void checkPoolArgs(String op, int[] k, int[] s, int[] p, int[] d) {
    Im2ColArgs.checkPositive(op, "kernel_size", k);
    Im2ColArgs.checkPositive(op, "stride", s);
    Im2ColArgs.checkPositive(op, "dilation", d);
    Im2ColArgs.checkNonNegative(op, "padding", p);
    if (p[0] > k[0] / 2 || p[1] > k[1] / 2) {
      throw new IllegalArgumentException(
          op + ": padding must be at most half the kernel size, got padding " + Arrays.toString(p)
              + " for kernel_size " + Arrays.toString(k));
    }
  }

  /**
   * The number of window positions along one axis: {@code (L + 2p - d (k - 1) - 1) / s + 1},
   * rounded up in ceil mode unless the last window would then start in the right padding.
   *
   * @throws ShapeException when the dilated kernel is larger than the padded input
   */
  static int pooledSize(String op, String axis, int size, int k, int d, int p, int s,
      boolean ceilMode) {
    int floor = dev.cadena.tensor.Im2Col.outputSize(op, axis, size, k, d, p, s);
    if (!ceilMode) {
      return floor;
    }
    long span = (long) size + 2L * p - (long) d * (k - 1) - 1;
    long out = (span + s - 1) / s + 1;
    if ((out - 1) * s >= (long) size + p) {
      out--;
    }
    return Shapes.checkedSize(op, "window positions", out);
  }

  /** {@code [L, kH*kW]}: for each window and tap, the flat input position {@code row * W + col}. */
  private static Tensor inputPositions(String op, int h, int w, int oh, int ow, int[] k, int[] s,
      int[] p, int[] d) {
    int l = Shapes.checkedSize(op, "window positions", (long) oh * ow);
    long[] t = new long[Shapes.checkedSize(op, "index table", (long) l * k[0] * k[1])];
    int i = 0;
    for (int y = 0; y < oh; y++) {
      for (int x = 0; x < ow; x++) {
        for (int a = 0; a < k[0]; a++) {
          for (int b = 0; b < k[1]; b++) {
            // a tap in the padding (only the maximum of an all-padding window) points outside
            long row = (long) y * s[0] - p[0] + (long) a * d[0];
            long col = (long) x * s[1] - p[1] + (long) b * d[1];
            t[i++] = row * w + col;
          }
        }
      }
    }
    return Tensor.ofLongs(t).reshape(l, k[0] * k[1]);
  }

  /**
   * {@code [L]}: PyTorch's avg_pool2d divisor of each window: with {@code countIncludePad} its size
   * clipped to the padded input, else its number of elements inside the input (at least 1: a
   * window with none sums to 0).
   */
  private static Tensor divisors(String op, int h, int w, int oh, int ow, int[] k, int[] s,
      int[] p, boolean countIncludePad, Tensor like) {
    double[] v = new double[Shapes.checkedSize(op, "window positions", (long) oh * ow)];
    for (int y = 0; y < oh; y++) {
      int r0 = y * s[0] - p[0];
      int r1 = Math.min(r0 + k[0], h + p[0]);
      for (int x = 0; x < ow; x++) {
        int c0 = x * s[1] - p[1];
        int c1 = Math.min(c0 + k[1], w + p[1]);
        long count = countIncludePad
            ? (long) (r1 - r0) * (c1 - c0)
            : (long) (Math.min(r1, h) - Math.max(r0, 0)) * (Math.min(c1, w) - Math.max(c0, 0));
        v[y * ow + x] = Math.max(1, count);
      }
    }
    return Tensor.fromArray(v, v.length).to(like.dtype());
  }

  // ------------------------------------------------------------------ 1-d pooling
  // The 2-d pooling on [N, C, 1, L]: kernel (1, k), stride (1, s), padding (0, p).

  /**
   * 1-d max pooling (PyTorch's {@code torch.nn.functional.max_pool1d}): {@link
   * #maxPool2d(Tensor, int[], int[], int[], int[], boolean)} on the input seen as images of height
   * 1. Shapes: {@code [N, C, L]} (or {@code [C, L]}) to {@code [N, C, oL]}, {@code oL = (L + 2p -
   * d (k - 1) - 1) / s + 1} (rounded up in ceil mode); {@code stride} null means the kernel size.
   *
   * <pre>{@code
   * Functional.maxPool1d(Tensor.randn(rng, 4, 3, 10), 2, null, 0, 1, false).shape();   // [4, 3, 5]
   * }</pre>
   *
   * @throws ShapeException for a wrong rank or a window larger than the padded input
   * @throws IllegalArgumentException for a bad geometry, or a padding above half the kernel
   */
  public static Tensor maxPool1d(Tensor x, int kernelSize, @Nullable Integer stride, int padding,
      int dilation, boolean ceilMode) {
    checkNotNull(x, "maxPool1d: input is null");
    return pool1d("maxPool1d", true, false, x, kernelSize, stride, padding, dilation, ceilMode,
        true)[0];
  }

  /**
   * {@link #maxPool1d} and the int64 position in {@code [0, L)} of each maximum, as PyTorch's
   * {@code max_pool1d(..., return_indices=True)}.
   */
  public static Tensor.ValuesIndices maxPool1dWithIndices(Tensor x, int kernelSize,
      @Nullable Integer stride, int padding, int dilation, boolean ceilMode) {
    checkNotNull(x, "maxPool1dWithIndices: input is null");
    Tensor[] r = pool1d("maxPool1dWithIndices", true, true, x, kernelSize, stride, padding,
        dilation, ceilMode, true);
    return new Tensor.ValuesIndices(r[0], r[1]);
  }

  /**
   * 1-d average pooling (PyTorch's {@code torch.nn.functional.avg_pool1d}): {@link
   * #avgPool2d(Tensor, int[], int[], int[], boolean, boolean, Integer)} on images of height 1
   * (PyTorch's avg_pool1d has no divisor override).
   *
   * <pre>{@code
   * Functional.avgPool1d(Tensor.ones(1, 1, 5), 2, 2, 1, false, false).toDoubleArray();   // [1, 1, 1]
   * }</pre>
   *
   * @throws ShapeException for a wrong rank or a window larger than the padded input
   * @throws IllegalArgumentException for a bad geometry, or a padding above half the kernel
   */
  public static Tensor avgPool1d(Tensor x, int kernelSize, @Nullable Integer stride, int padding,
      boolean ceilMode, boolean countIncludePad) {
    checkNotNull(x, "avgPool1d: input is null");
    return pool1d("avgPool1d", false, false, x, kernelSize, stride, padding, 1, ceilMode,
        countIncludePad)[0];
  }

  /**
   * An adaptive pooling layer's {@code output_size} as {@code (oH, oW)}: one value for both or
   * two, each positive.
   */
  static int[] outputSize2d(String name, int[] outputSize) {
    checkNotNull(outputSize, "%s: outputSize is null", name);
    int[] o = pair(name, "output_size", outputSize);
    Im2ColArgs.checkPositive(name, "output_size", o);
    return o;
  }

  /** Refuses an input that is not a batch of images {@code [N, C, H, W]} (after a 3-d one was unbatched). */
  private static void requireImages(String op, Tensor x) {
    if (x.rank() != 4) {
      throw new ShapeException(
          op + ": expected a 4-d input [N, C, H, W] (or 3-d [C, H, W]), got shape "
              + Shapes.str(x.shape()));
    }
  }

  /**
   * Refuses an input that is not a batch of sequences {@code [N, C, L]}, or with {@code
   * unbatched} also an unbatched {@code [C, L]}.
   */
  private static void requireSequences(String op, Tensor x, boolean unbatched) {
    if (x.rank() != 3 && !(unbatched && x.rank() == 2)) {
      throw new ShapeException(
          op + ": expected a 3-d input [N, C, L] (or 2-d [C, L]), got shape " + Shapes.str(x.shape()));
    }
  }

  /** The checks of a 1-d pooling window, with messages in 1-d terms. */
  static void checkPool1dArgs(String op, int k, int s, int p, int d) {
    Checks.positiveSize(op, "kernel_size", k);
    Checks.positiveSize(op, "stride", s);
    Checks.positiveSize(op, "dilation", d);
    if (p < 0 || p > k / 2) {
      throw new IllegalArgumentException(
          op + ": padding must be non-negative and at most half the kernel size, got padding " + p
              + " for kernel_size " + k);
    }
  }

  static Tensor[] pool1d(String op, boolean max, boolean withIndices, Tensor x, int kernelSize,
      Integer stride, int padding, int dilation, boolean ceilMode, boolean countIncludePad) {
    try (var o = Anomaly.operands(op, "input", x)) {
      return checkedPool1d(op, max, withIndices, x, kernelSize, stride, padding, dilation,
          ceilMode, countIncludePad);
    }
  }

  private static Tensor[] checkedPool1d(String op, boolean max, boolean withIndices, Tensor x,
      int kernelSize, Integer stride, int padding, int dilation, boolean ceilMode,
      boolean countIncludePad) {
    floating(op, "input", x);
    requireSequences(op, x, true);
    int s = stride == null ? kernelSize : stride;
    checkPool1dArgs(op, kernelSize, s, padding, dilation);
    Tensor[] r = pool2d(op, max, withIndices, x.unsqueeze(-2), new int[] {1, kernelSize},
        new int[] {1, s}, new int[] {0, padding}, new int[] {1, dilation}, ceilMode,
        countIncludePad, null);
    return new Tensor[] {r[0].squeeze(-2), r[1] == null ? null : r[1].squeeze(-2)};
  }

  /**
   * Adaptive 1-d average pooling (PyTorch's {@code torch.nn.functional.adaptive_avg_pool1d}):
   * {@link #adaptiveAvgPool2d} on images of height 1; output cell {@code i} averages {@code
   * floor(i L / oL)} to {@code ceil((i + 1) L / oL)} (exclusive). Shapes: {@code [N, C, L]} (or
   * {@code [C, L]}) to {@code [N, C, oL]}.
   *
   * <pre>{@code
   * Functional.adaptiveAvgPool1d(Tensor.randn(rng, 2, 3, 7), 3).shape();   // [2, 3, 3]
   * }</pre>
   *
   * @throws ShapeException for a wrong rank
   * @throws IllegalArgumentException for a non-positive output size
   */
  public static Tensor adaptiveAvgPool1d(Tensor x, int outputSize) {
    checkNotNull(x, "adaptiveAvgPool1d: input is null");
    return adaptiveAvgPool1d("adaptiveAvgPool1d", x, outputSize);
  }

  static Tensor adaptiveAvgPool1d(String op, Tensor x, int outputSize) {
    try (var o = Anomaly.operands(op, "input", x)) {
      return checkedAdaptiveAvgPool1d(op, x, outputSize);
    }
  }

  private static Tensor checkedAdaptiveAvgPool1d(String op, Tensor x, int outputSize) {
    floating(op, "input", x);
    requireSequences(op, x, true);
    if (outputSize < 1) {
      throw new IllegalArgumentException(op + ": output_size must be positive, got " + outputSize);
    }
    return adaptiveAvgPool2d(op, x.unsqueeze(-2), new int[] {1, outputSize}).squeeze(-2);
  }

  /**
   * Adaptive average pooling (PyTorch's {@code torch.nn.functional.adaptive_avg_pool2d}): output
   * cell {@code (i, j)} is the mean over rows {@code floor(i H / oH)} to {@code ceil((i + 1) H /
   * oH)} (exclusive) and the same for columns. An average pooling when the output size divides
   * the input's, else two products with constant averaging matrices: {@code P_H @ x @ P_W^T}.
   *
   * <pre>{@code
   * Tensor g = Functional.adaptiveAvgPool2d(Tensor.randn(rng, 8, 64, 7, 7), new int[] {1});
   * // [8, 64, 1, 1]: global average pooling
   * }</pre>
   *
   * @throws ShapeException for a wrong rank
   * @throws IllegalArgumentException for a non-positive output size
   */
  public static Tensor adaptiveAvgPool2d(Tensor x, int[] outputSize) {
    checkNotNull(x, "adaptiveAvgPool2d: input is null");
    checkNotNull(outputSize, "adaptiveAvgPool2d: outputSize is null");
    return adaptiveAvgPool2d("adaptiveAvgPool2d", x, outputSize);
  }

  static Tensor adaptiveAvgPool2d(String op, Tensor x, int[] outputSize) {
    try (var o = Anomaly.operands(op, "input", x)) {
      return checkedAdaptiveAvgPool2d(op, x, outputSize);
    }
  }

  private static Tensor checkedAdaptiveAvgPool2d(String op, Tensor x, int[] outputSize) {
    floating(op, "input", x);
    int[] o = pair(op, "output_size", outputSize);
    Im2ColArgs.checkPositive(op, "output_size", o);
    if (x.rank() == 3) {
      return adaptiveAvgPool2d(op, x.unsqueeze(0), o).squeeze(0);
    }
    requireImages(op, x);
    int h = x.size(2);
    int w = x.size(3);
    if (h > 0 && w > 0 && h % o[0] == 0 && w % o[1] == 0) {
      return pool2d(op, false, x, new int[] {h / o[0], w / o[1]}, null, new int[] {0},
          new int[] {1});
    }
    Tensor ph = averaging(o[0], h, x);                                          // [oH, H]
    Tensor pw = averaging(o[1], w, x);                                          // [oW, W]
    return ph.matmul(x.matmul(pw.mT()));
  }

  /**
   * Adaptive max pooling (PyTorch's {@code torch.nn.functional.adaptive_max_pool2d}): output cell
   * {@code (i, j)} is the maximum over PyTorch's bins, rows {@code floor(i H / oH)} to {@code
   * ceil((i + 1) H / oH)} (exclusive) and the same for columns; the gradient goes to the first
   * maximum of each bin in row-major order. An {@code indexSelect} of every bin's pixels (bins
   * shorter than the longest repeat their last row or column, which changes no maximum) and a
   * max over each bin.
   *
   * <pre>{@code
   * Functional.adaptiveMaxPool2d(Tensor.randn(rng, 8, 64, 7, 7), new int[] {1}).shape();
   * // [8, 64, 1, 1]: global max pooling
   * }</pre>
   *
   * @throws ShapeException for a wrong rank or an empty image
   * @throws IllegalArgumentException for a non-positive output size
   */
  public static Tensor adaptiveMaxPool2d(Tensor x, int[] outputSize) {
    checkNotNull(x, "adaptiveMaxPool2d: input is null");
    checkNotNull(outputSize, "adaptiveMaxPool2d: outputSize is null");
    return adaptiveMaxPool2d("adaptiveMaxPool2d", false, x, outputSize)[0];
  }

  /**
   * {@link #adaptiveMaxPool2d} and where each maximum came from, as PyTorch's {@code
   * adaptive_max_pool2d(..., return_indices=True)}: int64 flat positions {@code row * W + column}
   * in each input plane.
   */
  public static Tensor.ValuesIndices adaptiveMaxPool2dWithIndices(Tensor x, int[] outputSize) {
    String op = "adaptiveMaxPool2dWithIndices";
    checkNotNull(x, "%s: input is null", op);
    checkNotNull(outputSize, "%s: outputSize is null", op);
    Tensor[] r = adaptiveMaxPool2d(op, true, x, outputSize);
    return new Tensor.ValuesIndices(r[0], r[1]);
  }

  static Tensor[] adaptiveMaxPool2d(String op, boolean withIndices, Tensor x, int[] outputSize) {
    try (var o = Anomaly.operands(op, "input", x)) {
      return checkedAdaptiveMaxPool2d(op, withIndices, x, outputSize);
    }
  }

  private static Tensor[] checkedAdaptiveMaxPool2d(
      String op, boolean withIndices, Tensor x, int[] outputSize) {
    floating(op, "input", x);
    int[] o = pair(op, "output_size", outputSize);
    Im2ColArgs.checkPositive(op, "output_size", o);
    if (x.rank() == 3) {
      Tensor[] r = adaptiveMaxPool2d(op, withIndices, x.unsqueeze(0), o);
      return new Tensor[] {r[0].squeeze(0), r[1] == null ? null : r[1].squeeze(0)};
    }
    requireImages(op, x);
    int n = x.size(0);
    int c = x.size(1);
    int h = x.size(2);
    int w = x.size(3);
    if (h == 0 || w == 0) {
      throw new ShapeException(
          op + ": the image must not be empty, got shape " + Shapes.str(x.shape()));
    }
    // Sizes first, from bounds of the bin lengths: the loops below run over the output cells.
    int l = Shapes.checkedSize(op, "output cells", (long) o[0] * o[1]);
    Shapes.checkedSize(op, "index table", Shapes.checkedSize(op, "index table",
        (long) l * binBound(o[0], h)) * (long) binBound(o[1], w));
    int kh = longestBin(o[0], h);
    int kw = longestBin(o[1], w);
    int taps = kh * kw;
    long[] t = new long[Shapes.checkedSize(op, "index table", (long) l * taps)];
    int at = 0;
    for (int i = 0; i < o[0]; i++) {
      int r0 = (int) ((long) i * h / o[0]);
      int r1 = (int) (((long) (i + 1) * h + o[0] - 1) / o[0]);
      for (int j = 0; j < o[1]; j++) {
        int c0 = (int) ((long) j * w / o[1]);
        int c1 = (int) (((long) (j + 1) * w + o[1] - 1) / o[1]);
        for (int a = 0; a < kh; a++) {
          for (int b = 0; b < kw; b++) {
            // Taps past a short bin repeat its last row or column: they come after the pixel
            // they repeat in row-major order, so the first maximum is always a real tap.
            t[at++] = (long) Math.min(r0 + a, r1 - 1) * w + Math.min(c0 + b, c1 - 1);
          }
        }
      }
    }
    Tensor table = Tensor.ofLongs(t);
    Tensor bins = x.reshape(n * c, h * w).indexSelect(1, table).reshape(n * c, l, taps);
    Tensor.ValuesIndices m = bins.max(2);                                       // [N*C, L]
    Tensor indices = null;
    if (withIndices) {
      indices = table.reshape(l, taps).gather(1, m.indices().mT()).mT().reshape(n, c, o[0], o[1]);
    }
    return new Tensor[] {m.values().reshape(n, c, o[0], o[1]), indices};
  }

  /**
   * An upper bound of the longest adaptive bin without a loop: {@code in / out} when it divides,
   * else {@code ceil(in / out) + 1}, at most {@code in}.
   */
  private static int binBound(int out, int in) {
    return in % out == 0 ? in / out : Math.min(in, in / out + 2);
  }

  /** The length of the longest of PyTorch's {@code out} adaptive bins of {@code in}. */
  private static int longestBin(int out, int in) {
    int longest = 0;
    for (int i = 0; i < out; i++) {
      int start = (int) ((long) i * in / out);
      int end = (int) (((long) (i + 1) * in + out - 1) / out);
      longest = Math.max(longest, end - start);
    }
    return longest;
  }

  /** The {@code [out, in]} matrix whose row i averages PyTorch's adaptive bin i of {@code in}. */
  private static Tensor averaging(int out, int in, Tensor like) {
    double[] m = new double[Shapes.checkedSize("adaptiveAvgPool2d", "averaging matrix",
        (long) out * in)];
    for (int i = 0; i < out; i++) {
      int start = (int) ((long) i * in / out);
      int end = (int) (((long) (i + 1) * in + out - 1) / out);
      for (int j = start; j < end; j++) {
        m[i * in + j] = 1.0 / (end - start);
      }
    }
    return Tensor.fromArray(m, out, in).to(like.dtype());
  }

  /**
   * A lookup table (PyTorch's {@code torch.nn.functional.embedding}): row {@code input[...]} of
   * {@code weight} for each index, {@code out = weight.indexSelect(0, input.flatten())} reshaped to
   * {@code input.shape + [dim]}.
   *
   * <p>With {@code paddingIdx} (negative counts from the end) the entries at that index get no
   * gradient. With {@code maxNorm}, before the lookup, every row that {@code input} refers to and
   * whose Euclidean norm exceeds {@code maxNorm} is rescaled in place (under no-grad) to norm
   * {@code maxNorm} (PyTorch's {@code scale = maxNorm / (norm + 1e-7)}), so {@code weight}
   * changes, as in PyTorch.
   *
   * <pre>{@code
   * Tensor w = Tensor.randn(rng, 10, 3);
   * Tensor e = Functional.embedding(Tensor.ofLongs(1, 2, 4).reshape(1, 3), w, null, null);   // [1, 3, 3]
   * }</pre>
   *
   * @throws dev.cadena.tensor.DTypeException when {@code input} is not int64
   * @throws ShapeException when {@code weight} is not 2-d
   * @throws IllegalArgumentException for an index or {@code paddingIdx} out of range, or a
   *     non-positive {@code maxNorm}
   */
  public static Tensor embedding(Tensor input, Tensor weight, @Nullable Integer paddingIdx,
      @Nullable Double maxNorm) {
    checkNotNull(input, "embedding: input is null");
    checkNotNull(weight, "embedding: weight is null");
    return embedding("embedding", input, weight, paddingIdx, maxNorm);
  }

  static Tensor embedding(String op, Tensor input, Tensor weight, Integer paddingIdx, Double maxNorm) {
    try (var o = Anomaly.operands(op, "input", input, "weight", weight)) {
      return checkedEmbedding(op, input, weight, paddingIdx, maxNorm);
    }
  }

  private static Tensor checkedEmbedding(
      String op, Tensor input, Tensor weight, Integer paddingIdx, Double maxNorm) {
    floating(op, "weight", weight);
    if (input.dtype() != dev.cadena.tensor.DType.INT64) {
      throw new dev.cadena.tensor.DTypeException(
          op + ": input must be int64 indices, got " + input.dtype() + " (shape "
              + Shapes.str(input.shape()) + ")");
    }
    if (weight.rank() != 2) {
      throw new ShapeException(
          op + ": weight must be 2-d [num_embeddings, embedding_dim], got shape "
              + Shapes.str(weight.shape()));
    }
    int num = weight.size(0);
    int dim = weight.size(1);
    long[] idx = input.toLongArray();
    for (int i = 0; i < idx.length; i++) {
      if (idx[i] < 0 || idx[i] >= num) {
        throw new IllegalArgumentException(
            op + ": index " + idx[i] + " at position " + i + " is out of range [0, " + num + ")");
      }
    }
    Integer pad = paddingIdx == null ? null : paddingIndex(op, paddingIdx, num);
    if (maxNorm != null) {
      Checks.positiveFinite(op, "max_norm", maxNorm);
      renorm(weight, idx, maxNorm);
    }
    Tensor flat = Tensor.fromArray(idx.length == 0 ? new long[0] : idx).reshape(idx.length);
    Tensor rows = weight.indexSelect(0, flat);                                 // [len, dim]
    if (pad != null) {
      Tensor isPad = flat.eq((double) pad).unsqueeze(1);
      rows = Tensor.where(isPad, rows.detach(), rows);
    }
    int[] shape = Arrays.copyOf(input.shape(), input.rank() + 1);
    shape[input.rank()] = dim;
    return rows.reshape(shape);
  }

  /** {@code paddingIdx} in {@code [-num, num)}, as a non-negative row index. */
  static int paddingIndex(String op, int paddingIdx, int num) {
    if (paddingIdx < -num || paddingIdx >= num) {
      throw new IllegalArgumentException(
          op + ": padding_idx must be within [-" + num + ", " + num + "), got " + paddingIdx);
    }
    return paddingIdx < 0 ? paddingIdx + num : paddingIdx;
  }

  /** Rescales, in place, the rows {@code idx} of {@code weight} whose norm exceeds maxNorm. */
  private static void renorm(Tensor weight, long[] idx, double maxNorm) {
    int num = weight.size(0);
    try (var s = Tensor.noGrad()) {
      boolean[] used = new boolean[num];
      for (long i : idx) {
        used[(int) i] = true;
      }
      double[] norms = weight.square().sum(1).sqrt().toDoubleArray();
      double[] scale = new double[num];
      boolean any = false;
      for (int i = 0; i < num; i++) {
        scale[i] = 1.0;
        if (used[i] && norms[i] > maxNorm) {
          scale[i] = maxNorm / (norms[i] + 1e-7);
          any = true;
        }
      }
      if (any) {
        weight.mul_(Tensor.fromArray(scale, num, 1).to(weight.dtype()));
      }
    }
  }

  /**
   * {@code x} with axes {@code startDim} to {@code endDim} (inclusive, negative counting from the
   * end) merged into one (PyTorch's {@code torch.flatten}); a reshape.
   *
   * <pre>{@code
   * Functional.flatten(Tensor.zeros(2, 3, 4, 5), 1, -1).shape();   // [2, 60]
   * }</pre>
   *
   * @throws IllegalArgumentException when an axis is out of range or {@code startDim > endDim}
   */
  public static Tensor flatten(Tensor x, int startDim, int endDim) {
    checkNotNull(x, "flatten: input is null");
    return x.flatten(startDim, endDim);
  }

  /** All axes merged into one (PyTorch's {@code torch.flatten(x)}). */
  public static Tensor flatten(Tensor x) {
    checkNotNull(x, "flatten: input is null");
    return x.flatten();
  }
}
