package dev.cadena.optim;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter, 2019), as {@code torch.optim.AdamW}:
 * the parameter shrinks by {@code lr * lambda * p} directly instead of through the gradient, so
 * the decay is not rescaled by the adaptive denominator. At step {@code t} (from 1):
 *
 * <pre>
 *   p    = p - lr * lambda * p
 *   m    = beta1 * m + (1 - beta1) * grad          (m, v start at 0)
 *   v    = beta2 * v + (1 - beta2) * grad^2
 *   mHat = m / (1 - beta1^t)
 *   vHat = v / (1 - beta2^t)
 *   p    = p - lr * mHat / (sqrt(vHat) + eps)
 * </pre>
 *
 * <pre>{@code
 * Optimizer opt = AdamW.builder(model.parameters()).lr(1e-3).weightDecay(0.01).build();
 * }</pre>
 */
public final class AdamW extends AdamFamily {
  private AdamW(Builder b) {
    super("AdamW", b.params, b.lr, b.beta1, b.beta2, b.eps, b.weightDecay, true);
  }

  /**
   * A builder with PyTorch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0.01.
   */
  public static Builder builder(Iterable<Tensor> params) {
    checkNotNull(params, "AdamW: params is null");
    return new Builder(params);
  }

  /** Collects AdamW's hyper-parameters; {@link #build()} checks them all. */
  public static final class Builder {
    private final Iterable<Tensor> params;
    private double lr = 1e-3;
    private double beta1 = 0.9;
    private double beta2 = 0.999;
    private double eps = 1e-8;
    private double weightDecay = 1e-2;

    private Builder(Iterable<Tensor> params) {
      this.params = params;
    }

    /** Learning rate (default 1e-3), {@code >= 0}. */
    public Builder lr(double lr) {
      this.lr = lr;
      return this;
    }

    /** Moment decays (default 0.9, 0.999), each in [0, 1). */
    public Builder betas(double beta1, double beta2) {
      this.beta1 = beta1;
      this.beta2 = beta2;
      return this;
    }

    /** Added to the denominator for stability (default 1e-8), {@code > 0}. */
    public Builder eps(double eps) {
      this.eps = eps;
      return this;
    }

    /** Decoupled decay {@code lambda}: each step multiplies p by {@code 1 - lr * lambda} (default 0.01). */
    public Builder weightDecay(double weightDecay) {
      this.weightDecay = weightDecay;
      return this;
    }

    /**
     * The optimiser.
     *
     * @throws IllegalArgumentException naming the first bad hyper-parameter or parameter
     */
    public AdamW build() {
      return new AdamW(this);
    }
  }
}
