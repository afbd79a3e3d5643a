package dev.cadena.optim;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.nn.Checks;
import dev.cadena.tensor.NDArray;
import dev.cadena.tensor.Updates;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adagrad (Duchi, Hazan and Singer, 2011), as {@code torch.optim.Adagrad}: each element's step is
 * divided by the root of the sum of all its squared gradients so far, so often-updated elements
 * slow down. With {@code lr}, learning-rate decay {@code eta}, weight decay {@code lambda},
 * initial accumulator value {@code s0} and {@code eps}, at step {@code t} (from 1):
 *
 * <pre>
 *   lrT = lr / (1 + (t - 1) * eta)
 *   g   = grad + lambda * p
 *   s   = s + g^2                                  (s starts at s0)
 *   p   = p - lrT * g / (sqrt(s) + eps)
 * </pre>
 *
 * <pre>{@code
 * Optimizer opt = Adagrad.builder(model.parameters()).lr(1e-2).build();
 * }</pre>
 */
public final class Adagrad extends Optimizer {
  private final double lrDecay;
  private final double weightDecay;
  private final double initialAccumulatorValue;
  private final double eps;
  private final NDArray[] sums;

  private Adagrad(Builder b) {
    super("Adagrad", b.params, b.lr);
    this.lrDecay = Checks.nonNegative("Adagrad", "lrDecay", b.lrDecay);
    this.weightDecay = Checks.nonNegative("Adagrad", "weightDecay", b.weightDecay);
    this.initialAccumulatorValue =
        Checks.nonNegative("Adagrad", "initialAccumulatorValue", b.initialAccumulatorValue);
    this.eps = Checks.positive("Adagrad", "eps", b.eps);
    this.sums = new NDArray[parameters().size()];
  }

  /**
   * A builder with PyTorch's defaults: lr 1e-2, no lr decay, no weight decay, initial accumulator
   * 0, eps 1e-10.
   */
  public static Builder builder(Iterable<Tensor> params) {
    checkNotNull(params, "Adagrad: params is null");
    return new Builder(params);
  }

  @Override
  protected void update(int index, NDArray param, NDArray grad) {
    if (sums[index] == null) {
      sums[index] = NDArray.full(param.dtype(), initialAccumulatorValue, param.shape());
    }
    Updates.adagrad(param, grad, sums[index], stepCount(index), learningRate(), lrDecay,
        weightDecay, eps);
  }

  @Override
  protected Map<String, NDArray> stateBuffers(int index) {
    Map<String, NDArray> m = new LinkedHashMap<>();
    m.put("sum", sums[index]);
    return m;
  }

  @Override
  protected void restoreStateBuffer(int index, String name, NDArray value) {
    sums[index] = value;
  }

  @Override
  protected String extraRepr() {
    return "lrDecay=" + lrDecay + ", weightDecay=" + weightDecay + ", initialAccumulatorValue="
        + initialAccumulatorValue + ", eps=" + eps;
  }

  /** The learning-rate decay {@code eta}. */
  public double lrDecay() {
    return lrDecay;
  }

  /** The L2 penalty {@code lambda} added to the gradient. */
  public double weightDecay() {
    return weightDecay;
  }

  /** The starting value {@code s0} of the squared-gradient sums. */
  public double initialAccumulatorValue() {
    return initialAccumulatorValue;
  }

  /** The denominator term {@code eps}. */
  public double eps() {
    return eps;
  }

  /** Collects Adagrad's hyper-parameters; {@link #build()} checks them all. */
  public static final class Builder {
    private final Iterable<Tensor> params;
    private double lr = 1e-2;
    private double lrDecay;
    private double weightDecay;
    private double initialAccumulatorValue;
    private double eps = 1e-10;

    private Builder(Iterable<Tensor> params) {
      this.params = params;
    }

    /** Learning rate (default 1e-2), {@code >= 0}. */
    public Builder lr(double lr) {
      this.lr = lr;
      return this;
    }

    /** Learning-rate decay {@code eta}: step t uses {@code lr / (1 + (t - 1) * eta)} (default 0). */
    public Builder lrDecay(double lrDecay) {
      this.lrDecay = lrDecay;
      return this;
    }

    /** L2 penalty added to the gradient (default 0), {@code >= 0}. */
    public Builder weightDecay(double weightDecay) {
      this.weightDecay = weightDecay;
      return this;
    }

    /** Starting value of the squared-gradient sums (default 0), {@code >= 0}. */
    public Builder initialAccumulatorValue(double value) {
      this.initialAccumulatorValue = value;
      return this;
    }

    /** Added to the denominator for stability (default 1e-10), {@code > 0}. */
    public Builder eps(double eps) {
      this.eps = eps;
      return this;
    }

    /**
     * The optimiser.
     *
     * @throws IllegalArgumentException naming the first bad hyper-parameter or parameter
     */
    public Adagrad build() {
      return new Adagrad(this);
    }
  }
}
