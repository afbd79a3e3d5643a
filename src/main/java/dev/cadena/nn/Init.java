package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.autograd.Anomaly;
import dev.cadena.tensor.ShapeException;
import dev.cadena.tensor.Shapes;
import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * Parameter initialisers (PyTorch's {@code torch.nn.init}). Each overwrites its tensor in place
 * under {@link Tensor#noGrad()} (so it works on parameters that require grad), draws from the
 * seeded generator it is given and returns the same tensor.
 *
 * <p><b>Fans</b>: Cadena's {@link Linear} stores its weight as {@code [in, out]} (so that forward is
 * {@code x @ W}), so for a 2-d weight {@code fanIn = shape[0]} and {@code fanOut = shape[1]} --
 * the transpose of PyTorch's {@code [out, in]} convention. Only 2-d tensors have fans.
 *
 * <table>
 *   <caption>Distributions</caption>
 *   <tr><th>initialiser</th><th>distribution</th></tr>
 *   <tr><td>xavierUniform</td><td>U(-a, a), a = gain * sqrt(6 / (fanIn + fanOut))</td></tr>
 *   <tr><td>xavierNormal</td><td>N(0, std^2), std = gain * sqrt(2 / (fanIn + fanOut))</td></tr>
 *   <tr><td>kaimingUniform</td><td>U(-b, b), b = gain * sqrt(3 / fan)</td></tr>
 *   <tr><td>kaimingNormal</td><td>N(0, std^2), std = gain / sqrt(fan)</td></tr>
 * </table>
 *
 * <pre>{@code
 * var rng = new SplittableRandom(0);
 * Linear layer = new Linear(256, 128, true, rng);
 * Init.kaimingNormal(layer.weight(), 0, Init.FanMode.FAN_IN, "relu", rng);
 * Init.zeros(layer.bias());
 * }</pre>
 */
public final class Init {
  private Init() {}

  /** Which fan Kaiming initialisation preserves: the forward pass's or the backward pass's. */
  public enum FanMode {
    /** Keeps the variance of activations in the forward pass. */
    FAN_IN,
    /** Keeps the variance of gradients in the backward pass. */
    FAN_OUT
  }

  /**
   * The recommended gain for a nonlinearity: {@code linear}, {@code identity} and {@code sigmoid}
   * 1; {@code tanh} 5/3; {@code relu} sqrt(2); {@code leaky_relu} sqrt(2 / (1 + a^2)) with
   * negative slope {@code a = param}; {@code selu} 3/4.
   *
   * @throws IllegalArgumentException for an unknown name, naming the known ones
   */
  public static double gain(String nonlinearity, double param) {
    checkNotNull(nonlinearity, "Init.gain: nonlinearity is null");
    String n = nonlinearity == null ? "null" : nonlinearity.toLowerCase(Locale.ROOT);
    switch (n) {
      case "linear":
      case "identity":
      case "sigmoid":
        return 1.0;
      case "tanh":
        return 5.0 / 3.0;
      case "relu":
        return Math.sqrt(2.0);
      case "leaky_relu":
        Checks.finite("Init.gain", "leaky_relu negative slope", param);
        return Math.sqrt(2.0 / (1.0 + param * param));
      case "selu":
        return 0.75;
      default:
        throw new IllegalArgumentException(
            "Init.gain: unknown nonlinearity '" + nonlinearity
                + "' (known: linear, identity, sigmoid, tanh, relu, leaky_relu, selu)");
    }
  }

  /** {@link #gain(String, double)} with leaky_relu's default slope 0.01. */
  public static double gain(String nonlinearity) {
    checkNotNull(nonlinearity, "Init.gain: nonlinearity is null");
    return gain(nonlinearity, 0.01);
  }

  /** {@code shape[0]} of a 2-d {@code [in, out]} weight. */
  public static int fanIn(Tensor w) {
    checkNotNull(w, "Init.fanIn: w is null");
    return fans("Init.fanIn", w)[0];
  }

  /** {@code shape[1]} of a 2-d {@code [in, out]} weight. */
  public static int fanOut(Tensor w) {
    checkNotNull(w, "Init.fanOut: w is null");
    return fans("Init.fanOut", w)[1];
  }

  private static int[] fans(String op, Tensor w) {
    try (var o = Anomaly.operands(op, "w", w)) {
      return checkedFans(op, w);
    }
  }

  private static int[] checkedFans(String op, Tensor w) {
    Checks.floating(op, "tensor", w);
    if (w.rank() != 2) {
      throw new ShapeException(
          op + ": fan-in and fan-out need a 2-d [in, out] weight, got shape " + Shapes.str(w.shape()));
    }
    if (w.size(0) == 0 || w.size(1) == 0) {
      throw new ShapeException(op + ": fans of an empty weight are 0, got shape " + Shapes.str(w.shape()));
    }
    return new int[] {w.size(0), w.size(1)};
  }

  /** Fills {@code t} with U(lo, hi) samples. */
  public static Tensor uniform(Tensor t, double lo, double hi, RandomGenerator rng) {
    checkNotNull(t, "Init.uniform: t is null");
    checkRng("Init.uniform", rng);
    Checks.floating("Init.uniform", "tensor", t);
    if (!(lo <= hi) || !Double.isFinite(lo) || !Double.isFinite(hi)) {
      throw new IllegalArgumentException(
          "Init.uniform: need finite lo <= hi, got lo=" + lo + ", hi=" + hi);
    }
    return write(t, Tensor.uniform(checkRng("Init.uniform", rng), lo, hi, t.shape()));
  }

  /** Fills {@code t} with N(mean, std^2) samples. */
  public static Tensor normal(Tensor t, double mean, double std, RandomGenerator rng) {
    checkNotNull(t, "Init.normal: t is null");
    checkRng("Init.normal", rng);
    Checks.floating("Init.normal", "tensor", t);
    Checks.finite("Init.normal", "mean", mean);
    if (!(std >= 0) || !Double.isFinite(std)) {
      throw new IllegalArgumentException("Init.normal: std must be finite and >= 0, got " + std);
    }
    Tensor z = Tensor.randn(checkRng("Init.normal", rng), t.shape());
    return write(t, z.mul(std).add(mean));
  }

  /** Fills {@code t} with {@code value}. */
  public static Tensor constant(Tensor t, double value) {
    checkNotNull(t, "Init.constant: t is null");
    Checks.floating("Init.constant", "tensor", t);
    try (var s = Tensor.noGrad()) {
      t.fill_(value);
    }
    return t;
  }

  /** Fills {@code t} with zeros. */
  public static Tensor zeros(Tensor t) {
    checkNotNull(t, "Init.zeros: t is null");
    return constant(t, 0.0);
  }

  /** Fills {@code t} with ones. */
  public static Tensor ones(Tensor t) {
    checkNotNull(t, "Init.ones: t is null");
    return constant(t, 1.0);
  }

  /**
   * Glorot and Bengio (2010): U(-a, a) with {@code a = gain * sqrt(6 / (fanIn + fanOut))}, so that
   * {@code Var = gain^2 * 2 / (fanIn + fanOut)}.
   */
  public static Tensor xavierUniform(Tensor w, double gain, RandomGenerator rng) {
    checkNotNull(w, "Init.xavierUniform: w is null");
    checkRng("Init.xavierUniform", rng);
    int[] f = fans("Init.xavierUniform", w);
    Checks.positiveFinite("Init.xavierUniform", "gain", gain);
    double a = gain * Math.sqrt(6.0 / (f[0] + f[1]));
    return uniform(w, -a, a, rng);
  }

  /** {@link #xavierUniform(Tensor, double, RandomGenerator)} with gain 1. */
  public static Tensor xavierUniform(Tensor w, RandomGenerator rng) {
    checkNotNull(w, "Init.xavierUniform: w is null");
    checkRng("Init.xavierUniform", rng);
    return xavierUniform(w, 1.0, rng);
  }

  /** Glorot and Bengio (2010): N(0, std^2) with {@code std = gain * sqrt(2 / (fanIn + fanOut))}. */
  public static Tensor xavierNormal(Tensor w, double gain, RandomGenerator rng) {
    checkNotNull(w, "Init.xavierNormal: w is null");
    checkRng("Init.xavierNormal", rng);
    int[] f = fans("Init.xavierNormal", w);
    Checks.positiveFinite("Init.xavierNormal", "gain", gain);
    return normal(w, 0.0, gain * Math.sqrt(2.0 / (f[0] + f[1])), rng);
  }

  /** {@link #xavierNormal(Tensor, double, RandomGenerator)} with gain 1. */
  public static Tensor xavierNormal(Tensor w, RandomGenerator rng) {
    checkNotNull(w, "Init.xavierNormal: w is null");
    checkRng("Init.xavierNormal", rng);
    return xavierNormal(w, 1.0, rng);
  }

  /**
   * He et al. (2015): U(-b, b) with {@code b = gain(nonlinearity, a) * sqrt(3 / fan)}, so that
   * {@code Var = gain^2 / fan}; fan is fanIn or fanOut as {@code mode} says.
   *
   * @param a the negative slope, used only by {@code leaky_relu}
   */
  public static Tensor kaimingUniform(
      Tensor w, double a, FanMode mode, String nonlinearity, RandomGenerator rng) {
    checkNotNull(w, "Init.kaimingUniform: w is null");
    checkNotNull(mode, "Init.kaimingUniform: mode is null");
    checkNotNull(nonlinearity, "Init.kaimingUniform: nonlinearity is null");
    checkRng("Init.kaimingUniform", rng);
    double std = kaimingStd("Init.kaimingUniform", w, a, mode, nonlinearity);
    double bound = Math.sqrt(3.0) * std;
    return uniform(w, -bound, bound, rng);
  }

  /** {@link #kaimingUniform(Tensor, double, FanMode, String, RandomGenerator)} for ReLU, fan-in. */
  public static Tensor kaimingUniform(Tensor w, RandomGenerator rng) {
    checkNotNull(w, "Init.kaimingUniform: w is null");
    checkRng("Init.kaimingUniform", rng);
    return kaimingUniform(w, 0.0, FanMode.FAN_IN, "relu", rng);
  }

  /** He et al. (2015): N(0, std^2) with {@code std = gain(nonlinearity, a) / sqrt(fan)}. */
  public static Tensor kaimingNormal(
      Tensor w, double a, FanMode mode, String nonlinearity, RandomGenerator rng) {
    checkNotNull(w, "Init.kaimingNormal: w is null");
    checkNotNull(mode, "Init.kaimingNormal: mode is null");
    checkNotNull(nonlinearity, "Init.kaimingNormal: nonlinearity is null");
    checkRng("Init.kaimingNormal", rng);
    return normal(w, 0.0, kaimingStd("Init.kaimingNormal", w, a, mode, nonlinearity), rng);
  }

  /** {@link #kaimingNormal(Tensor, double, FanMode, String, RandomGenerator)} for ReLU, fan-in. */
  public static Tensor kaimingNormal(Tensor w, RandomGenerator rng) {
    checkNotNull(w, "Init.kaimingNormal: w is null");
    checkRng("Init.kaimingNormal", rng);
    return kaimingNormal(w, 0.0, FanMode.FAN_IN, "relu", rng);
  }

  private static double kaimingStd(String op, Tensor w, double a, FanMode mode, String nonlinearity) {
    int[] f = fans(op, w);
    int fan = mode == FanMode.FAN_IN ? f[0] : f[1];
    return gain(nonlinearity, a) / Math.sqrt(fan);
  }

  private static RandomGenerator checkRng(String op, RandomGenerator rng) {
    return checkNotNull(
        rng, "%s: rng is null (pass a seeded generator, e.g. new SplittableRandom(42))", op);
  }

  private static Tensor write(Tensor t, Tensor values) {
    try (var s = Tensor.noGrad()) {
      t.copy_(values);
    }
    return t;
  }
}
