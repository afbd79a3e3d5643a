package dev.cadena.optim;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;

/**
 * Adam (Kingma and Ba, 2015), as {@code torch.optim.Adam}: per-element step sizes from running
 * estimates of the gradient's first and second moments. Weight decay here is an L2 penalty added
 * to the gradient (so it is rescaled by the adaptive denominator); for decoupled weight decay use
 * {@link AdamW}. With {@code lr}, {@code beta1}, {@code beta2}, {@code eps} and weight decay
 * {@code lambda}, at step {@code t} (from 1):
 *
 * <pre>
 *   g    = grad + lambda * p
 *   m    = beta1 * m + (1 - beta1) * g            (m, v start at 0)
 *   v    = beta2 * v + (1 - beta2) * g^2
 *   mHat = m / (1 - beta1^t)
 *   vHat = v / (1 - beta2^t)
 *   p    = p - lr * mHat / (sqrt(vHat) + eps)
 * </pre>
 *
 * <pre>{@code
 * Optimizer opt = Adam.builder(model.parameters()).lr(1e-3).betas(0.9, 0.999).build();
 * }</pre>
 */
public final class Adam extends AdamFamily {
  private Adam(Builder b) {
    super("Adam", b.params, b.lr, b.beta1, b.beta2, b.eps, b.weightDecay, false);
  }

  /** A builder with PyTorch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, no weight decay. */
  public static Builder builder(Iterable<Tensor> params) {
    checkNotNull(params, "Adam: params is null");
    return new Builder(params);
  }

  /** Collects Adam's hyper-parameters; {@link #build()} checks them all. */
  public static final class Builder {
    private final Iterable<Tensor> params;
    private double lr = 1e-3;
    private double beta1 = 0.9;
    private double beta2 = 0.999;
    private double eps = 1e-8;
    private double weightDecay;

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

    /** L2 penalty added to the gradient (default 0), {@code >= 0}. */
    public Builder weightDecay(double weightDecay) {
      this.weightDecay = weightDecay;
      return this;
    }

    /**
     * The optimiser.
     *
     * @throws IllegalArgumentException naming the first bad hyper-parameter or parameter
     */
    public Adam build() {
      return new Adam(this);
    }
  }
}
