package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import java.util.random.RandomGenerator;

/**
 * A 2-d convolution layer (PyTorch's {@code Conv2d}): {@code y = conv2d(x, weight, bias)}, see
 * {@link Functional#conv2d(Tensor, Tensor, Tensor, int[], int[], int[], int)} for the formula. A
 * composition of {@code unfold} and a matrix product; the graph supplies the backward pass.
 *
 * <p><b>Args:</b> {@code inChannels} -- C; {@code outChannels} -- O; {@code kernelSize} --
 * {@code (kH, kW)} or one value for both; {@code stride} (default 1), {@code padding} (default 0,
 * or the string {@code "same"} / {@code "valid"}), {@code dilation} (default 1) -- one value or a
 * pair each; {@code groups} -- channel groups convolved separately (default 1, must divide C and
 * O); {@code bias} -- learn an additive bias (default true); {@code dtype} -- parameter dtype
 * (float64 by default); {@code rng} -- the seeded generator for the initial values.
 *
 * <p><b>Shape:</b> input {@code [N, C, H, W]} (or {@code [C, H, W]}); output {@code [N, O, oH,
 * oW]}, {@code oH = (H + 2 pH - dH (kH - 1) - 1) / sH + 1} (the same for W).
 *
 * <p><b>Attributes:</b> {@code weight} {@code [O, C/groups, kH, kW]} (PyTorch's layout) and {@code
 * bias} {@code [O]}, both drawn from {@code U(-k, k)} with {@code k = 1 / sqrt(C/groups * kH *
 * kW)}: PyTorch's default, {@code kaiming_uniform_(a = sqrt 5)} for the weight, {@code U(-1 /
 * sqrt(fan_in), 1 / sqrt(fan_in))} for the bias.
 *
 * <p><b>Example:</b>
 *
 * <pre>{@code
 * Conv2d conv = new Conv2d(1, 16, 5, new SplittableRandom(0));
 * Tensor y = conv.forward(Tensor.randn(rng, 64, 1, 28, 28));   // [64, 16, 24, 24]
 * System.out.println(conv);                                     // Conv2d(1, 16, kernel_size=(5, 5), stride=(1, 1))
 * }</pre>
 */
public class Conv2d extends Module {
  private final int in;
  private final int out;
  private final int[] kernel;
  private final int[] stride;
  private final int[] padding;
  private final String paddingMode;
  private final int[] dilation;
  private final int groups;
  private final Tensor weight;
  private final Tensor bias;

  /** Stride 1, no padding, dilation 1, one group, a bias, float64. */
  public Conv2d(int inChannels, int outChannels, int kernelSize, RandomGenerator rng) {
    this(inChannels, outChannels, kernelSize, DType.FLOAT64, rng);
  }

  /** Stride 1, no padding, dilation 1, one group, a bias, parameters of {@code dtype}. */
  public Conv2d(int inChannels, int outChannels, int kernelSize, DType dtype, RandomGenerator rng) {
    this(inChannels, outChannels, new int[] {kernelSize}, new int[] {1}, new int[] {0},
        new int[] {1}, 1, true, dtype, rng);
  }

  /**
   * A layer with numeric padding; each of {@code kernelSize}, {@code stride}, {@code padding} and
   * {@code dilation} is one value or a (height, width) pair.
   *
   * @throws NullPointerException when an array, {@code dtype} or {@code rng} is null
   * @throws IllegalArgumentException for non-positive sizes, groups that do not divide both
   *     channel counts, a negative padding or an int64 dtype
   */
  public Conv2d(int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding,
      int[] dilation, int groups, boolean bias, DType dtype, RandomGenerator rng) {
    this(inChannels, outChannels, kernelSize, stride, padding, null, dilation, groups, bias, dtype,
        rng);
  }

  /**
   * A layer with padding {@code "same"} (output as large as the input; stride 1) or {@code
   * "valid"} (none).
   *
   * @throws IllegalArgumentException for another padding string, or "same" with a stride other
   *     than 1, besides the checks of the numeric constructor
   */
  public Conv2d(int inChannels, int outChannels, int[] kernelSize, int[] stride, String padding,
      int[] dilation, int groups, boolean bias, DType dtype, RandomGenerator rng) {
    this(inChannels, outChannels, kernelSize, stride, null,
        checkNotNull(padding, "%s: padding is null", "Conv2d"), dilation, groups, bias, dtype, rng);
  }

  private Conv2d(int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding,
      String paddingMode, int[] dilation, int groups, boolean bias, DType dtype,
      RandomGenerator rng) {
    String name = getClass().getSimpleName();
    Functional.nulls(name, "kernelSize", kernelSize, "stride", stride, "dilation", dilation);
    if (paddingMode == null) {
      checkNotNull(padding, "%s: padding is null", name);
    }
    checkNotNull(dtype, "%s: dtype is null", name);
    checkNotNull(
        rng, "%s: rng is null (pass a seeded generator, e.g. new SplittableRandom(42))", name);
    this.in = Checks.positiveSize(name, "in_channels", inChannels);
    this.out = Checks.positiveSize(name, "out_channels", outChannels);
    this.kernel = Functional.pair(name, "kernel_size", kernelSize);
    this.stride = Functional.pair(name, "stride", stride);
    this.dilation = Functional.pair(name, "dilation", dilation);
    Functional.Im2ColArgs.checkPositive(name, "kernel_size", kernel);
    Functional.Im2ColArgs.checkPositive(name, "stride", this.stride);
    Functional.Im2ColArgs.checkPositive(name, "dilation", this.dilation);
    if (paddingMode != null) {
      if (!paddingMode.equals("same") && !paddingMode.equals("valid")) {
        throw new IllegalArgumentException(
            name + ": padding must be 'valid' or 'same' (or numbers), got '" + paddingMode + "'");
      }
      if (paddingMode.equals("same") && (this.stride[0] != 1 || this.stride[1] != 1)) {
        throw new IllegalArgumentException(
            name + ": padding='same' needs stride 1, got stride " + Repr.tuple(this.stride));
      }
      this.padding = null;
    } else {
      this.padding = Functional.pair(name, "padding", padding);
      Functional.Im2ColArgs.checkNonNegative(name, "padding", this.padding);
    }
    this.paddingMode = paddingMode;
    if (groups < 1 || in % groups != 0 || out % groups != 0) {
      throw new IllegalArgumentException(
          name + ": groups must be positive and divide in_channels and out_channels, got groups="
              + groups + " for " + in + " and " + out);
    }
    this.groups = groups;
    if (!dtype.isFloatingPoint()) {
      throw new IllegalArgumentException(name + ": dtype must be float32 or float64, got " + dtype);
    }
    this.weight = registerParameter("weight",
        Tensor.zeros(dtype, out, in / groups, kernel[0], kernel[1]));
    this.bias = bias ? registerParameter("bias", Tensor.zeros(dtype, out)) : null;
    resetParameters(rng);
  }

  /**
   * Redraws weight and bias from PyTorch's default, {@code U(-k, k)} with {@code k = 1 /
   * sqrt(fan_in)}, {@code fan_in = C/groups * kH * kW}.
   */
  public final void resetParameters(RandomGenerator rng) {
    checkNotNull(
        rng, "%s: rng is null (pass a seeded generator, e.g. new SplittableRandom(42))",
        getClass().getSimpleName());
    double k = 1.0 / Math.sqrt((double) in / groups * kernel[0] * kernel[1]);
    Init.uniform(weight, -k, k, rng);
    if (bias != null) {
      Init.uniform(bias, -k, k, rng);
    }
  }

  /**
   * The convolution of {@code x} with the weight, plus the bias.
   *
   * @throws dev.cadena.tensor.ShapeException for a wrong rank or channel count, or an input
   *     smaller than the dilated kernel
   */
  @Override
  public Tensor forward(Tensor x) {
    checkNotNull(x, "%s: input is null", getClass().getSimpleName());
    return Functional.conv2d(getClass().getSimpleName(), x, weight, bias, stride, padding,
        paddingMode, dilation, groups);
  }

  /** The weight, {@code [O, C/groups, kH, kW]}. */
  public Tensor weight() {
    return weight;
  }

  /** The bias {@code [O]}, or null. */
  public Tensor bias() {
    return bias;
  }

  /** C. */
  public int inChannels() {
    return in;
  }

  /** O. */
  public int outChannels() {
    return out;
  }

  /** {@code (kH, kW)}, a copy. */
  public int[] kernelSize() {
    return kernel.clone();
  }

  @Override
  protected String extraRepr() {
    StringBuilder sb = new StringBuilder();
    sb.append(in).append(", ").append(out).append(", kernel_size=").append(Repr.tuple(kernel))
        .append(", stride=").append(Repr.tuple(stride));
    if (paddingMode != null) {
      sb.append(", padding=").append(paddingMode);
    } else if (padding[0] != 0 || padding[1] != 0) {
      sb.append(", padding=").append(Repr.tuple(padding));
    }
    if (dilation[0] != 1 || dilation[1] != 1) {
      sb.append(", dilation=").append(Repr.tuple(dilation));
    }
    if (groups != 1) {
      sb.append(", groups=").append(groups);
    }
    if (bias == null) {
      sb.append(", bias=False");
    }
    return sb.toString();
  }
}
