package dev.cadena.optim;

import dev.cadena.Tensor;
import dev.cadena.nn.Checks;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@link Adam} and {@link AdamW} share: the hyper-parameters, the two moment buffers per
 * parameter, and the moment update; they differ only in how weight decay enters.
 */
abstract class AdamFamily extends Optimizer {
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final double weightDecay;
  private final double[][] expAvg;
  private final double[][] expAvgSq;

  AdamFamily(String name, Iterable<Tensor> params, double lr, double beta1, double beta2,
      double eps, double weightDecay) {
    super(name, params, lr);
    this.beta1 = Checks.halfOpenUnit(name, "beta1", beta1);
    this.beta2 = Checks.halfOpenUnit(name, "beta2", beta2);
    this.eps = Checks.positive(name, "eps", eps);
    this.weightDecay = Checks.nonNegative(name, "weightDecay", weightDecay);
    this.expAvg = new double[parameters().size()][];
    this.expAvgSq = new double[parameters().size()][];
  }

  /**
   * One Adam step on parameter {@code index} with {@code l2} added to the gradient (Adam passes
   * its weight decay, AdamW 0 after decaying the parameter itself).
   */
  final void step(int index, double[] p, int pOff, double[] g, int gOff, int n, double l2) {
    if (expAvg[index] == null) {
      expAvg[index] = new double[n];
      expAvgSq[index] = new double[n];
    }
    adamUpdate(p, pOff, g, gOff, n, expAvg[index], expAvgSq[index], stepCount(index),
        learningRate(), beta1, beta2, eps, l2);
  }

  /**
   * The moment update and step, on primitive arrays.
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

  /** The weight decay {@code lambda} (an L2 penalty in Adam, decoupled in AdamW). */
  public double weightDecay() {
    return weightDecay;
  }
}
