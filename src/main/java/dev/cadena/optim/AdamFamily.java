package dev.cadena.optim;

import dev.cadena.Tensor;
import dev.cadena.nn.Checks;
import dev.cadena.tensor.NDArray;
import dev.cadena.tensor.Updates;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@link Adam} and {@link AdamW} share: the hyper-parameters, the two moment buffers per
 * parameter, and the update; they differ only in how weight decay enters ({@code decoupled}).
 */
abstract class AdamFamily extends Optimizer {
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final double weightDecay;
  private final boolean decoupled;
  private final NDArray[] expAvg;
  private final NDArray[] expAvgSq;

  AdamFamily(String name, Iterable<Tensor> params, double lr, double beta1, double beta2,
      double eps, double weightDecay, boolean decoupled) {
    super(name, params, lr);
    this.beta1 = Checks.halfOpenUnit(name, "beta1", beta1);
    this.beta2 = Checks.halfOpenUnit(name, "beta2", beta2);
    this.eps = Checks.positive(name, "eps", eps);
    this.weightDecay = Checks.nonNegative(name, "weightDecay", weightDecay);
    this.decoupled = decoupled;
    this.expAvg = new NDArray[parameters().size()];
    this.expAvgSq = new NDArray[parameters().size()];
  }

  /**
   * One step on parameter {@code index}: Adam adds its weight decay to the gradient, AdamW
   * ({@code decoupled}) shrinks the parameter by {@code lr * lambda * p} first; both in the one
   * pass of {@link Updates#adam}.
   */
  @Override
  protected final void update(int index, NDArray param, NDArray grad) {
    if (expAvg[index] == null) {
      expAvg[index] = newState(param);
      expAvgSq[index] = newState(param);
    }
    Updates.adam(param, grad, expAvg[index], expAvgSq[index], stepCount(index), learningRate(),
        beta1, beta2, eps, weightDecay, decoupled);
  }

  @Override
  protected Map<String, NDArray> stateBuffers(int index) {
    Map<String, NDArray> m = new LinkedHashMap<>();
    m.put("exp_avg", expAvg[index]);
    m.put("exp_avg_sq", expAvgSq[index]);
    return m;
  }

  @Override
  protected final void restoreStateBuffer(int index, String name, NDArray value) {
    if (name.equals("exp_avg")) {
      expAvg[index] = value;
    } else {
      expAvgSq[index] = value;
    }
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
