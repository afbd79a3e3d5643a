package dev.cadena.optim;

import dev.cadena.Tensor;
import dev.cadena.nn.Checks;
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
  private final double[][] momentumBuffers;
  private final float[][] floatMomentumBuffers;

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
    this.momentumBuffers = new double[parameters().size()][];
    this.floatMomentumBuffers = new float[parameters().size()][];
  }

  /** A builder with PyTorch's defaults except lr: momentum 0, dampening 0, no weight decay. */
  public static Builder builder(Iterable<Tensor> params) {
    return new Builder(params);
  }

  @Override
  protected void update(int index, double[] p, int pOff, double[] g, int gOff, int n) {
    double lr = learningRate();
    double wd = weightDecay;
    if (momentum == 0) {
      for (int i = 0; i < n; i++) {
        double gi = g[gOff + i] + wd * p[pOff + i];
        p[pOff + i] -= lr * gi;
      }
      return;
    }
    double[] b = momentumBuffers[index];
    boolean first = b == null;
    if (first) {
      b = new double[n];
      momentumBuffers[index] = b;
    }
    double mu = momentum;
    // On the first step the buffer is the gradient itself: b = 0 * mu + 1 * g.
    double keep = first ? 0 : mu;
    double blend = first ? 1 : 1 - dampening;
    for (int i = 0; i < n; i++) {
      double gi = g[gOff + i] + wd * p[pOff + i];
      double bi = keep * b[i] + blend * gi;
      b[i] = bi;
      double d = nesterov ? gi + mu * bi : bi;
      p[pOff + i] -= lr * d;
    }
  }

  /**
   * float32 parameters are updated in float arithmetic with a float32 momentum buffer, as PyTorch
   * does, so that the loop vectorises; the rule is the same.
   */
  @Override
  protected boolean updateFloat(int index, float[] p, int pOff, float[] g, int gOff, int n) {
    float lr = (float) learningRate();
    float wd = (float) weightDecay;
    if (momentum == 0) {
      if (pOff != gOff) {
        return false;
      }
      // One offset for both arrays, so that C2 can vectorise the loop.
      int end = pOff + n;
      for (int i = pOff; i < end; i++) {
        p[i] -= lr * (g[i] + wd * p[i]);
      }
      return true;
    }
    if (pOff != 0 || gOff != 0) {
      return false; // views into larger storage take the float64 path
    }
    float[] b = floatMomentumBuffers[index];
    boolean first = b == null;
    if (first) {
      b = new float[n];
      floatMomentumBuffers[index] = b;
    }
    float mu = (float) momentum;
    float keep = first ? 0 : mu;
    float blend = first ? 1 : (float) (1 - dampening);
    if (nesterov) {
      for (int i = 0; i < n; i++) {
        float gi = g[i] + wd * p[i];
        float bi = keep * b[i] + blend * gi;
        b[i] = bi;
        p[i] -= lr * (gi + mu * bi);
      }
    } else {
      for (int i = 0; i < n; i++) {
        float gi = g[i] + wd * p[i];
        float bi = keep * b[i] + blend * gi;
        b[i] = bi;
        p[i] -= lr * bi;
      }
    }
    return true;
  }

  @Override
  protected Map<String, double[]> stateBuffers(int index) {
    Map<String, double[]> m = new LinkedHashMap<>();
    double[] b = momentumBuffers[index];
    float[] f = floatMomentumBuffers[index];
    if (b == null && f != null) {
      b = new double[f.length];
      for (int i = 0; i < f.length; i++) {
        b[i] = f[i];
      }
    }
    m.put("momentum_buffer", b);
    return m;
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
