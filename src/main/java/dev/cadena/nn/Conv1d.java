package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import java.util.random.RandomGenerator;

/**
 * A 1-d convolution layer (PyTorch's {@code Conv1d}): {@link Functional#conv1d(Tensor, Tensor,
 * Tensor, int, int, int, int)}, i.e. {@link Conv2d}'s composition on inputs of height 1.
 *
 * <p><b>Args:</b> {@code inChannels} -- C; {@code outChannels} -- O; {@code kernelSize} -- k;
 * {@code stride} (default 1), {@code padding} (default 0, or the string {@code "same"} / {@code
 * "valid"}), {@code dilation} (default 1); {@code
 * groups} (default 1, must divide C and O); {@code bias} (default true); {@code dtype} (float64 by
 * default); {@code rng} -- the seeded generator for the initial values.
 *
 * <p><b>Shape:</b> input {@code [N, C, L]} (or {@code [C, L]}); output {@code [N, O, oL]}, {@code
 * oL = (L + 2p - d (k - 1) - 1) / s + 1}.
 *
 * <p><b>Attributes:</b> {@code weight} {@code [O, C/groups, k]} and {@code bias} {@code [O]}, both
 * from {@code U(-1/sqrt(C/groups * k), 1/sqrt(C/groups * k))}, PyTorch's default.
 *
 * <p><b>Example:</b>
 *
 * <pre>{@code
 * Conv1d conv = new Conv1d(2, 6, 3, new SplittableRandom(0));
 * Tensor y = conv.forward(Tensor.randn(rng, 4, 2, 10));   // [4, 6, 8]
 * System.out.println(conv);                                // Conv1d(2, 6, kernel_size=(3,), stride=(1,))
 * }</pre>
 */
public class Conv1d extends Module {
  private final int in;
  private final int out;
  private final int kernel;
  private final int stride;
  private final int padding;
  private final String paddingMode;
  private final int dilation;
  private final int groups;
  private final Tensor weight;
  private final Tensor bias;

  /** Stride 1, no padding, dilation 1, one group, a bias, float64. */
  public Conv1d(int inChannels, int outChannels, int kernelSize, RandomGenerator rng) {
    this(inChannels, outChannels, kernelSize, 1, 0, 1, 1, true, DType.FLOAT64, rng);
  }

  /**
   * The general layer.
   *
   * @throws NullPointerException when {@code dtype} or {@code rng} is null
   * @throws IllegalArgumentException for non-positive sizes, groups that do not divide both
   *     channel counts, a negative padding or an int64 dtype
   */
  public Conv1d(int inChannels, int outChannels, int kernelSize, int stride, int padding,
      int dilation, int groups, boolean bias, DType dtype, RandomGenerator rng) {
    this(inChannels, outChannels, kernelSize, stride, padding, null, dilation, groups, bias, dtype,
        rng);
  }

  /**
   * A layer with padding {@code "same"} (output as long as the input; stride 1; an odd total
   * padding puts the extra zero on the right, as PyTorch) or {@code "valid"} (none).
   *
   * @throws NullPointerException when {@code padding}, {@code dtype} or {@code rng} is null
   * @throws IllegalArgumentException for another padding string, or "same" with a stride other
   *     than 1, besides the checks of the numeric constructor
   */
  public Conv1d(int inChannels, int outChannels, int kernelSize, int stride, String padding,
      int dilation, int groups, boolean bias, DType dtype, RandomGenerator rng) {
    this(inChannels, outChannels, kernelSize, stride, 0,
        checkNotNull(padding, "%s: padding is null", "Conv1d"), dilation, groups, bias, dtype, rng);
  }

  private Conv1d(int inChannels, int outChannels, int kernelSize, int stride, int padding,
      String paddingMode, int dilation, int groups, boolean bias, DType dtype,
      RandomGenerator rng) {
    String name = getClass().getSimpleName();
    checkNotNull(dtype, "%s: dtype is null", name);
    checkNotNull(
        rng, "%s: rng is null (pass a seeded generator, e.g. new SplittableRandom(42))", name);
    this.in = Checks.positiveSize(name, "in_channels", inChannels);
    this.out = Checks.positiveSize(name, "out_channels", outChannels);
    this.kernel = Checks.positiveSize(name, "kernel_size", kernelSize);
    this.stride = Checks.positiveSize(name, "stride", stride);
    this.dilation = Checks.positiveSize(name, "dilation", dilation);
    if (padding < 0) {
      throw new IllegalArgumentException(name + ": padding must be non-negative, got " + padding);
    }
    if (paddingMode != null) {
      if (!paddingMode.equals("same") && !paddingMode.equals("valid")) {
        throw new IllegalArgumentException(
            name + ": padding must be 'valid' or 'same' (or a number), got '" + paddingMode + "'");
      }
      if (paddingMode.equals("same") && stride != 1) {
        throw new IllegalArgumentException(
            name + ": padding='same' needs stride 1, got stride " + stride);
      }
    }
    this.padding = padding;
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
    this.weight = registerParameter("weight", Tensor.zeros(dtype, out, in / groups, kernel));
    this.bias = bias ? registerParameter("bias", Tensor.zeros(dtype, out)) : null;
    resetParameters(rng);
  }

  /** Redraws weight and bias from {@code U(-k, k)}, {@code k = 1 / sqrt(C/groups * kernel)}. */
  public final void resetParameters(RandomGenerator rng) {
    checkNotNull(
        rng, "%s: rng is null (pass a seeded generator, e.g. new SplittableRandom(42))",
        getClass().getSimpleName());
    double k = 1.0 / Math.sqrt((double) in / groups * kernel);
    Init.uniform(weight, -k, k, rng);
    if (bias != null) {
      Init.uniform(bias, -k, k, rng);
    }
  }

  @Override
  public Tensor forward(Tensor x) {
    checkNotNull(x, "%s: input is null", getClass().getSimpleName());
    return Functional.conv1d(getClass().getSimpleName(), x, weight, bias, stride,
        paddingMode == null ? new int[] {0, padding} : null, paddingMode, dilation, groups);
  }

  /** The weight, {@code [O, C/groups, k]}. */
  public Tensor weight() {
    return weight;
  }

  /** The bias {@code [O]}, or null. */
  public Tensor bias() {
    return bias;
  }

  @Override
  protected String extraRepr() {
    StringBuilder sb = new StringBuilder();
    sb.append(in).append(", ").append(out).append(", kernel_size=").append(Repr.tuple(kernel))
        .append(", stride=").append(Repr.tuple(stride));
    if (paddingMode != null) {
      sb.append(", padding=").append(paddingMode);
    } else if (padding != 0) {
      sb.append(", padding=").append(Repr.tuple(padding));
    }
    if (dilation != 1) {
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
