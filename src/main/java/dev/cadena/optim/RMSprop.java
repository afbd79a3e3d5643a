package dev.cadena.optim;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.nn.Checks;
import dev.cadena.tensor.NDArray;
import dev.cadena.tensor.Updates;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * RMSprop (Hinton's lecture 6e), as {@code torch.optim.RMSprop}: divides the gradient by a running
 * root-mean-square of recent gradients. With {@code lr}, smoothing constant {@code alpha},
 * {@code eps}, weight decay {@code lambda} and momentum {@code mu}:
 *
 * <pre>
 *   g     = grad + lambda * p
 *   v     = alpha * v + (1 - alpha) * g^2                 (v starts at 0)
 *   gBar  = alpha * gBar + (1 - alpha) * g                [centered only; starts at 0]
 *   denom = sqrt(v - gBar^2) + eps   if centered,   sqrt(v) + eps   otherwise
 *   b     = mu * b + g / denom,  p = p - lr * b           if mu > 0 (b starts at 0)
 *   p     = p - lr * g / denom                             otherwise
 * </pre>
 *
 * <p>The centered variant estimates the variance rather than the uncentered second moment.
 *
 * <pre>{@code
 * Optimizer opt = RMSprop.builder(model.parameters()).lr(1e-2).alpha(0.99).build();
 * }</pre>
 */
public final class RMSprop extends Optimizer {
  private final double alpha;
  private final double eps;
  private final double weightDecay;
  private final double momentum;
  private final boolean centered;
  private final NDArray[] squareAvg;
  private final NDArray[] gradAvg;
  private final NDArray[] momentumBuffers;

  private RMSprop(Builder b) {
    super("RMSprop", b.params, b.lr);
    this.alpha = Checks.closedUnit("RMSprop", "alpha", b.alpha);
    this.eps = Checks.positive("RMSprop", "eps", b.eps);
    this.weightDecay = Checks.nonNegative("RMSprop", "weightDecay", b.weightDecay);
    this.momentum = Checks.halfOpenUnit("RMSprop", "momentum", b.momentum);
    this.centered = b.centered;
    int k = parameters().size();
    this.squareAvg = new NDArray[k];
    this.gradAvg = new NDArray[k];
    this.momentumBuffers = new NDArray[k];
  }

  /**
   * A builder with PyTorch's defaults: lr 1e-2, alpha 0.99, eps 1e-8, no weight decay, no
   * momentum, not centered.
   */
  public static Builder builder(Iterable<Tensor> params) {
    checkNotNull(params, "RMSprop: params is null");
    return new Builder(params);
  }

  @Override
  protected void update(int index, NDArray param, NDArray grad) {
    if (squareAvg[index] == null) {
      squareAvg[index] = newState(param);
      if (centered) {
        gradAvg[index] = newState(param);
      }
      if (momentum > 0) {
        momentumBuffers[index] = newState(param);
      }
    }
    Updates.rmsprop(param, grad, squareAvg[index], gradAvg[index], momentumBuffers[index],
        learningRate(), alpha, eps, weightDecay, momentum);
  }

  @Override
  protected Map<String, NDArray> stateBuffers(int index) {
    Map<String, NDArray> m = new LinkedHashMap<>();
    m.put("square_avg", squareAvg[index]);
    if (centered) {
      m.put("grad_avg", gradAvg[index]);
    }
    if (momentum > 0) {
      m.put("momentum_buffer", momentumBuffers[index]);
    }
    return m;
  }

  @Override
  protected void restoreStateBuffer(int index, String name, NDArray value) {
    switch (name) {
      case "square_avg":
        squareAvg[index] = value;
        break;
      case "grad_avg":
        gradAvg[index] = value;
        break;
      default:
        momentumBuffers[index] = value;
        break;
    }
  }

  @Override
  protected String extraRepr() {
    return "alpha=" + alpha + ", eps=" + eps + ", weightDecay=" + weightDecay + ", momentum="
        + momentum + ", centered=" + centered;
  }

  /** The smoothing constant {@code alpha}. */
  public double alpha() {
    return alpha;
  }

  /** The denominator term {@code eps}. */
  public double eps() {
    return eps;
  }

  /** The L2 penalty {@code lambda} added to the gradient. */
  public double weightDecay() {
    return weightDecay;
  }

  /** The momentum factor {@code mu}. */
  public double momentum() {
    return momentum;
  }

  /** True when the variance (not the raw second moment) normalises the step. */
  public boolean centered() {
    return centered;
  }

  /** Collects RMSprop's hyper-parameters; {@link #build()} checks them all. */
  public static final class Builder {
    private final Iterable<Tensor> params;
    private double lr = 1e-2;
    private double alpha = 0.99;
    private double eps = 1e-8;
    private double weightDecay;
    private double momentum;
    private boolean centered;

    private Builder(Iterable<Tensor> params) {
      this.params = params;
    }

    /** Learning rate (default 1e-2), {@code >= 0}. */
    public Builder lr(double lr) {
      this.lr = lr;
      return this;
    }

    /** Smoothing constant of the running averages (default 0.99), in [0, 1]. */
    public Builder alpha(double alpha) {
      this.alpha = alpha;
      return this;
    }

    /** Added to the denominator for stability (default 1e-8), {@code > 0}. */
    public Builder eps(double eps) {
      this.eps = eps;
      return this;
    }

    /** L2 penalty added to the gradient (default 0), {@code >= 0}. */
    public Builder weightDecay(double weightDecay) {
      this.weightDecay = weightDecay;
      return this;
    }

    /** Momentum factor (default 0), in [0, 1). */
    public Builder momentum(double momentum) {
      this.momentum = momentum;
      return this;
    }

    /** Normalise by the estimated variance instead of the second moment (default false). */
    public Builder centered(boolean centered) {
      this.centered = centered;
      return this;
    }

    /**
     * The optimiser.
     *
     * @throws IllegalArgumentException naming the first bad hyper-parameter or parameter
     */
    public RMSprop build() {
      return new RMSprop(this);
    }
  }
}
