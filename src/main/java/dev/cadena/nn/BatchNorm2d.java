package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.autograd.Anomaly;
import dev.cadena.ops.Normalization;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.ShapeException;
import dev.cadena.tensor.Shapes;

/**
 * Batch normalisation of images (PyTorch's {@code BatchNorm2d}): per channel, over the batch and
 * both spatial axes of {@code [N, C, H, W]},
 *
 * <pre>
 *   y = (x - mean) / sqrt(var + eps) * weight + bias
 * </pre>
 *
 * with the batch statistics (biased variance) in training mode, after which the running
 * estimates are updated with the unbiased variance ({@code runningVar = (1 - momentum) runningVar
 * + momentum var n / (n - 1)}, {@code n = N H W}), and the running estimates in evaluation mode.
 * {@link BatchNorm1d}'s composition on the input seen as {@code [N, C, H * W]}.
 *
 * <p><b>Args:</b> {@code numFeatures} -- C; {@code eps} (default 1e-5); {@code momentum} (default
 * 0.1); {@code affine} -- learn {@code weight} and {@code bias} (default true); {@code dtype}
 * (float64 by default).
 *
 * <p><b>Shape:</b> input {@code [N, C, H, W]}, output the same shape.
 *
 * <p><b>Attributes:</b> parameters {@code weight} {@code [C]} (ones) and {@code bias} {@code [C]}
 * (zeros) when affine; buffers {@code running_mean} {@code [C]} (zeros), {@code running_var}
 * {@code [C]} (ones) and {@code num_batches_tracked} (0-d int64), PyTorch's state-dict names.
 *
 * <p><b>Example:</b>
 *
 * <pre>{@code
 * BatchNorm2d bn = new BatchNorm2d(16);
 * Tensor y = bn.forward(Tensor.randn(rng, 8, 16, 12, 12));   // per channel: mean 0, variance ~1
 * System.out.println(bn);   // BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
 * }</pre>
 */
public class BatchNorm2d extends Module {
  private final int numFeatures;
  private final double eps;
  private final double momentum;
  private final Tensor weight;
  private final Tensor bias;

  /** eps 1e-5, momentum 0.1, affine, float64. */
  public BatchNorm2d(int numFeatures) {
    this(numFeatures, 1e-5, 0.1, true, DType.FLOAT64);
  }

  /**
   * A layer whose parameters and buffers have {@code dtype}.
   *
   * @throws NullPointerException when {@code dtype} is null
   * @throws IllegalArgumentException for a non-positive size or eps, a momentum outside [0, 1] or
   *     an int64 dtype
   */
  public BatchNorm2d(int numFeatures, double eps, double momentum, boolean affine, DType dtype) {
    String name = getClass().getSimpleName();
    checkNotNull(dtype, "%s: dtype is null", name);
    this.numFeatures = Checks.positiveSize(name, "num_features", numFeatures);
    this.eps = Checks.positiveFinite(name, "eps", eps);
    this.momentum = Checks.inRange(name, "momentum", momentum, 0.0, 1.0, true);
    if (!dtype.isFloatingPoint()) {
      throw new IllegalArgumentException(name + ": dtype must be float32 or float64, got " + dtype);
    }
    this.weight = affine ? registerParameter("weight", Tensor.ones(dtype, numFeatures)) : null;
    this.bias = affine ? registerParameter("bias", Tensor.zeros(dtype, numFeatures)) : null;
    registerBuffer("running_mean", Tensor.zeros(dtype, numFeatures));
    registerBuffer("running_var", Tensor.ones(dtype, numFeatures));
    registerBuffer("num_batches_tracked", Tensor.scalar(0.0, DType.INT64));
  }

  /**
   * Normalises with batch statistics (training) or running estimates (evaluation).
   *
   * @throws ShapeException when the input is not {@code [N, C, H, W]} with C = numFeatures, or
   *     when training on a single value per channel
   */
  @Override
  public Tensor forward(Tensor x) {
    String name = getClass().getSimpleName();
    checkNotNull(x, "%s: input is null", name);
    try (var o = Anomaly.operands(name, "input", x, "weight", weight, "bias", bias)) {
      return checkedForward(name, x);
    }
  }

  private Tensor checkedForward(String name, Tensor x) {
    Checks.floating(name, "input", x);
    if (x.rank() != 4 || x.size(1) != numFeatures) {
      throw new ShapeException(
          name + ": expected input [N, " + numFeatures + ", H, W], got shape "
              + Shapes.str(x.shape()));
    }
    int[] shape = x.shape();
    Tensor flat = x.reshape(shape[0], shape[1], shape[2] * shape[3]);
    if (!isTraining()) {
      return Functional.batchNorm(name, flat, runningMean(), runningVar(), weight, bias, eps)
          .reshape(shape);
    }
    int n = x.numel() / numFeatures;
    if (n < 2) {
      throw new ShapeException(
          name + ": training needs more than 1 value per channel to compute a variance, got"
              + " input shape " + Shapes.str(shape) + "; use a larger batch or eval()");
    }
    // One primitive (Primitive.BATCH_NORM) that also returns the batch statistics.
    Tensor[] r = Normalization.batchNorm(flat, weight, bias, eps);
    BatchNorm1d.updateRunningStats(this, momentum, r[1], r[2], n);
    return r[0].reshape(shape);
  }

  /** The running mean {@code [C]} (buffer {@code running_mean}). */
  public Tensor runningMean() {
    return buffer("running_mean");
  }

  /** The running unbiased variance {@code [C]} (buffer {@code running_var}). */
  public Tensor runningVar() {
    return buffer("running_var");
  }

  /** How many training batches have updated the running estimates. */
  public long numBatchesTracked() {
    return (long) buffer("num_batches_tracked").item();
  }

  /** The scale {@code [C]}, or null without affine. */
  public Tensor weight() {
    return weight;
  }

  /** The shift {@code [C]}, or null without affine. */
  public Tensor bias() {
    return bias;
  }

  @Override
  protected String extraRepr() {
    return numFeatures + ", eps=" + Repr.number(eps) + ", momentum=" + Repr.number(momentum)
        + ", affine=" + Repr.bool(weight != null) + ", track_running_stats=True";
  }
}
