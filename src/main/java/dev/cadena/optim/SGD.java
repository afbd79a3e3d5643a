package dev.cadena.optim;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.nn.Checks;
import dev.cadena.tensor.NDArray;
import dev.cadena.tensor.Updates;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight
 * decay, as {@code torch.optim.SGD}. With learning rate {@code lr}, momentum {@code mu},
 * dampening {@code tau} and weight decay {@code lambda}, at step {@code t}:
 *
 * <pre>
 *   g  = grad + lambda * p
 *   b  = g                                  (t = 1)
 *   b  = mu * b + (1 - tau) * g             (t > 1)      [only when mu != 0]
 *   d  = nesterov ? g + mu * b : b                        [d = g when mu == 0]
 *   p  = p - lr * d
 * </pre>
 *
 * <p>The momentum buffer {@code b} starts as the first gradient (not as zeros), so dampening does
 * not shrink the first step. Nesterov momentum needs {@code mu > 0} and {@code tau == 0}.
 *
 * <pre>{@code
 * Optimizer opt = SGD.builder(model.parameters()).lr(0.1).momentum(0.9).nesterov(true).build();
 * }</pre>
 */
public final class SGD extends Optimizer {
  private final double momentum;
  private final double dampening;
  private final double weightDecay;
  private final boolean nesterov;
  private final NDArray[] momentumBuffers;

  private SGD(Builder b) {
    super("SGD", b.params, b.lr);
    this.momentum = Checks.halfOpenUnit("SGD", "momentum", b.momentum);
    this.dampening = Checks.closedUnit("SGD", "dampening", b.dampening);
    this.weightDecay = Checks.nonNegative("SGD", "weightDecay", b.weightDecay);
    this.nesterov = b.nesterov;
    if (nesterov && (momentum == 0 || dampening != 0)) {
      throw new IllegalArgumentException(
          "SGD: nesterov requires momentum > 0 and dampening == 0, got momentum=" + momentum
              + ", dampening=" + dampening);
    }
    this.momentumBuffers = new NDArray[parameters().size()];
  }

  /** A builder with PyTorch's defaults except lr: momentum 0, dampening 0, no weight decay. */
  public static Builder builder(Iterable<Tensor> params) {
    checkNotNull(params, "SGD: params is null");
    return new Builder(params);
  }

  @Override
  protected void update(int index, NDArray param, NDArray grad) {
    NDArray b = null;
    if (momentum != 0) {
      if (momentumBuffers[index] == null) {
        momentumBuffers[index] = newState(param);
      }
      b = momentumBuffers[index];
    }
    Updates.sgd(param, grad, b, stepCount(index), learningRate(), momentum, dampening, weightDecay,
        nesterov);
  }

  @Override
  protected Map<String, NDArray> stateBuffers(int index) {
    Map<String, NDArray> m = new LinkedHashMap<>();
    if (momentum != 0) {
      m.put("momentum_buffer", momentumBuffers[index]);
    }
    return m;
  }

  @Override
  protected void restoreStateBuffer(int index, String name, NDArray value) {
    momentumBuffers[index] = value;
  }

  @Override
  protected String extraRepr() {
    return "momentum=" + momentum + ", dampening=" + dampening + ", weightDecay=" + weightDecay
        + ", nesterov=" + nesterov;
  }

  /** The momentum factor {@code mu}. */
  public double momentum() {
    return momentum;
  }

  /** The dampening {@code tau}. */
  public double dampening() {
    return dampening;
  }

  /** The L2 weight decay {@code lambda}. */
  public double weightDecay() {
    return weightDecay;
  }

  /** True for Nesterov momentum. */
  public boolean nesterov() {
    return nesterov;
  }

  /** Collects SGD's hyper-parameters; {@link #build()} checks them all. */
  public static final class Builder {
    private final Iterable<Tensor> params;
    private double lr = 1e-3;
    private double momentum;
    private double dampening;
    private double weightDecay;
    private boolean nesterov;

    private Builder(Iterable<Tensor> params) {
      this.params = params;
    }

    /** Learning rate (default 1e-3), {@code >= 0}. */
    public Builder lr(double lr) {
      this.lr = lr;
      return this;
    }

    /** Momentum factor {@code mu} (default 0), in [0, 1). */
    public Builder momentum(double momentum) {
      this.momentum = momentum;
      return this;
    }

    /** Dampening {@code tau} of the momentum (default 0), in [0, 1]. */
    public Builder dampening(double dampening) {
      this.dampening = dampening;
      return this;
    }

    /** L2 penalty {@code lambda} added to the gradient (default 0), {@code >= 0}. */
    public Builder weightDecay(double weightDecay) {
      this.weightDecay = weightDecay;
      return this;
    }

    /** Nesterov momentum (default false); needs momentum > 0 and zero dampening. */
    public Builder nesterov(boolean nesterov) {
      this.nesterov = nesterov;
      return this;
    }

    /**
     * The optimiser.
     *
     * @throws IllegalArgumentException naming the first bad hyper-parameter or parameter
     */
    public SGD build() {
      return new SGD(this);
    }
  }
}
