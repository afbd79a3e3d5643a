package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.autograd.Anomaly;
import dev.cadena.ops.Normalization;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.ShapeException;
import dev.cadena.tensor.Shapes;

/**
 * Batch normalisation (Ioffe and Szegedy 2015) over the batch axis of {@code [N, C]} or {@code [N,
 * C, L]} inputs, with PyTorch's semantics:
 *
 * <pre>
 *   y = (x - mean) / sqrt(var + eps) * weight + bias
 * </pre>
 *
 * <p>In training mode {@code mean} and {@code var} are the statistics of the batch (per channel,
 * over N and L), the variance <em>biased</em> (divided by the count n); afterwards the running
 * estimates are updated with the <em>unbiased</em> batch variance (divided by n - 1):
 *
 * <pre>
 *   runningMean = (1 - momentum) * runningMean + momentum * mean
 *   runningVar  = (1 - momentum) * runningVar  + momentum * var * n / (n - 1)
 * </pre>
 *
 * In evaluation mode the running estimates are used instead, so the output of a sample does not
 * depend on the rest of its batch. The normalisation is a composition of tensor ops (the gradient
 * flows through the batch statistics too); the running-estimate update happens under no-grad.
 *
 * <p><b>Args:</b> {@code numFeatures} -- C; {@code eps} -- added to the variance (default 1e-5);
 * {@code momentum} -- weight of the newest batch in the running estimates (default 0.1); {@code
 * affine} -- whether to learn {@code weight} and {@code bias} (default true).
 *
 * <p><b>Shape:</b> input {@code [N, C]} or {@code [N, C, L]}, output the same shape.
 *
 * <p><b>Attributes:</b> parameters {@code weight} {@code [C]} (ones) and {@code bias} {@code [C]}
 * (zeros) when affine; buffers {@code running_mean} {@code [C]} (zeros), {@code running_var}
 * {@code [C]} (ones) and {@code num_batches_tracked} (0-d int64, counts training-mode forward
 * passes as PyTorch's does). The state-dict names are therefore PyTorch's: {@code weight, bias,
 * running_mean, running_var, num_batches_tracked}; the accessors are {@link #runningMean()},
 * {@link #runningVar()} and {@link #numBatchesTracked()}.
 *
 * <p><b>Example:</b>
 *
 * <pre>{@code
 * BatchNorm1d bn = new BatchNorm1d(64);
 * Tensor y = bn.forward(x);   // x [32, 64]: each column of y has mean 0, variance ~1
 * bn.eval();
 * Tensor z = bn.forward(x);   // uses runningMean and runningVar
 * }</pre>
 */
public final class BatchNorm1d extends Module {
  private final int numFeatures;
  private final double eps;
  private final double momentum;
  private final Tensor weight;
  private final Tensor bias;

  /** eps 1e-5, momentum 0.1, affine, float64. */
  public BatchNorm1d(int numFeatures) {
    this(numFeatures, 1e-5, 0.1, true);
  }

  /** A float64 layer. */
  public BatchNorm1d(int numFeatures, double eps, double momentum, boolean affine) {
    this(numFeatures, eps, momentum, affine, DType.FLOAT64);
  }

  /**
   * A layer whose parameters and buffers have {@code dtype}.
   *
   * @throws NullPointerException when {@code dtype} is null
   * @throws IllegalArgumentException for a non-positive size or eps, a momentum outside [0, 1] or
   *     an int64 dtype
   */
  public BatchNorm1d(int numFeatures, double eps, double momentum, boolean affine, DType dtype) {
    checkNotNull(dtype, "BatchNorm1d: dtype is null");
    this.numFeatures = Checks.positiveSize("BatchNorm1d", "numFeatures", numFeatures);
    this.eps = Checks.positiveFinite("BatchNorm1d", "eps", eps);
    this.momentum = Checks.inRange("BatchNorm1d", "momentum", momentum, 0.0, 1.0, true);
    if (!dtype.isFloatingPoint()) {
      throw new IllegalArgumentException("BatchNorm1d: dtype must be float32 or float64, got " + dtype);
    }
    this.weight = affine ? registerParameter("weight", Tensor.ones(dtype, numFeatures)) : null;
    this.bias = affine ? registerParameter("bias", Tensor.zeros(dtype, numFeatures)) : null;
    // PyTorch's buffer names, so that state dicts match torch.nn.BatchNorm1d's.
    registerBuffer("running_mean", Tensor.zeros(dtype, numFeatures));
    registerBuffer("running_var", Tensor.ones(dtype, numFeatures));
    registerBuffer("num_batches_tracked", Tensor.scalar(0.0, DType.INT64));
  }

  /**
   * Normalises with batch statistics (training) or running estimates (evaluation).
   *
   * @throws ShapeException when the input is not {@code [N, C]} / {@code [N, C, L]} with C =
   *     numFeatures, or when training on a single value per channel
   */
  @Override
  public Tensor forward(Tensor x) {
    checkNotNull(x, "BatchNorm1d: input is null");
    try (var o = Anomaly.operands("BatchNorm1d", "input", x, "weight", weight, "bias", bias)) {
      return checkedForward(x);
    }
  }

  private Tensor checkedForward(Tensor x) {
    Checks.floating("BatchNorm1d", "input", x);
    if ((x.rank() != 2 && x.rank() != 3) || x.size(1) != numFeatures) {
      throw new ShapeException(
          "BatchNorm1d: expected input [N, " + numFeatures + "] or [N, " + numFeatures
              + ", L], got shape " + Shapes.str(x.shape()));
    }
    if (!isTraining()) {
      return Functional.batchNorm("BatchNorm1d", x, runningMean(), runningVar(), weight, bias, eps);
    }
    int n = x.numel() / numFeatures;
    if (n < 2) {
      throw new ShapeException(
          "BatchNorm1d: training needs more than 1 value per channel to compute a variance, got"
              + " input shape " + Shapes.str(x.shape()) + "; use a larger batch or eval()");
    }
    // One primitive (Primitive.BATCH_NORM) that also returns the batch statistics.
    Tensor[] r = Normalization.batchNorm(x, weight, bias, eps);
    updateRunningStats(this, momentum, r[1], r[2], n);
    return r[0];
  }

  /**
   * PyTorch's update of a batch norm's buffers after a training batch of {@code n} values per
   * channel: {@code running = (1 - momentum) * running + momentum * batch}, with the unbiased
   * variance, and one more {@code num_batches_tracked}; shared with {@link BatchNorm2d}.
   */
  static void updateRunningStats(Module bn, double momentum, Tensor mean, Tensor biasedVar, int n) {
    Tensor unbiased = biasedVar.mul((double) n / (n - 1));
    try (var s = Tensor.noGrad()) {
      Tensor rm = bn.buffer("running_mean");
      Tensor rv = bn.buffer("running_var");
      rm.mul_(1.0 - momentum).add_(mean.to(rm.dtype()).mul(momentum));
      rv.mul_(1.0 - momentum).add_(unbiased.to(rv.dtype()).mul(momentum));
      Tensor count = bn.buffer("num_batches_tracked");
      count.copy_(Tensor.scalar(count.item() + 1, DType.INT64));
    }
  }

  /** The running mean {@code [C]} (a buffer, updated in place in training mode). */
  public Tensor runningMean() {
    return buffer("running_mean");
  }

  /** The running unbiased variance {@code [C]} (a buffer, updated in place in training mode). */
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
    return numFeatures + ", eps=" + eps + ", momentum=" + momentum + ", affine=" + (weight != null);
  }
}
