package dev.cadena.optim;

import dev.cadena.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

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
public final class Adam extends Optimizer {
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final double weightDecay;
  private final double[][] expAvg;
  private final double[][] expAvgSq;

  private Adam(Builder b) {
    super("Adam", b.params, b.lr);
    this.beta1 = Checks.halfOpenUnit("Adam", "beta1", b.beta1);
    this.beta2 = Checks.halfOpenUnit("Adam", "beta2", b.beta2);
    this.eps = Checks.positive("Adam", "eps", b.eps);
    this.weightDecay = Checks.nonNegative("Adam", "weightDecay", b.weightDecay);
    this.expAvg = new double[parameters().size()][];
    this.expAvgSq = new double[parameters().size()][];
  }

  /** A builder with PyTorch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, no weight decay. */
  public static Builder builder(Iterable<Tensor> params) {
    return new Builder(params);
  }

  @Override
  protected void update(int index, double[] p, int pOff, double[] g, int gOff, int n) {
    if (expAvg[index] == null) {
      expAvg[index] = new double[n];
      expAvgSq[index] = new double[n];
    }
    adamUpdate(p, pOff, g, gOff, n, expAvg[index], expAvgSq[index], stepCount(index),
        learningRate(), beta1, beta2, eps, weightDecay);
  }

  /**
   * The moment update and step shared with {@link AdamW} (which calls it with {@code l2 == 0}
   * after decaying the parameter).
   */
  static void adamUpdate(
      double[] p, int pOff, double[] g, int gOff, int n, double[] m, double[] v, long t,
      double lr, double beta1, double beta2, double eps, double l2) {
    double bias1 = 1 - Math.pow(beta1, t);
    double bias2 = 1 - Math.pow(beta2, t);
    if (pOff == 0 && gOff == 0) {
      // The same loop with one index for every array, which C2 can vectorise (with different
      // offsets it must assume p and g overlap). Parameters and gradients usually start at 0.
      for (int i = 0; i < n; i++) {
        double gi = g[i] + l2 * p[i];
        double mi = beta1 * m[i] + (1 - beta1) * gi;
        double vi = beta2 * v[i] + (1 - beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] -= lr * (mi / bias1) / (Math.sqrt(vi / bias2) + eps);
      }
      return;
    }
    for (int i = 0; i < n; i++) {
      double gi = g[gOff + i] + l2 * p[pOff + i];
      double mi = beta1 * m[i] + (1 - beta1) * gi;
      double vi = beta2 * v[i] + (1 - beta2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      p[pOff + i] -= lr * (mi / bias1) / (Math.sqrt(vi / bias2) + eps);
    }
  }

  @Override
  protected Map<String, double[]> stateBuffers(int index) {
    Map<String, double[]> m = new LinkedHashMap<>();
    m.put("exp_avg", expAvg[index]);
    m.put("exp_avg_sq", expAvgSq[index]);
    return m;
  }

  @Override
  protected String extraRepr() {
    return "betas=(" + beta1 + ", " + beta2 + "), eps=" + eps + ", weightDecay=" + weightDecay;
  }

  /** The first-moment decay {@code beta1}. */
  public double beta1() {
    return beta1;
  }

  /** The second-moment decay {@code beta2}. */
  public double beta2() {
    return beta2;
  }

  /** The denominator term {@code eps}. */
  public double eps() {
    return eps;
  }

  /** The L2 penalty {@code lambda} added to the gradient. */
  public double weightDecay() {
    return weightDecay;
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
