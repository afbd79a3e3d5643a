package dev.cadena.optim;

import dev.cadena.nn.Checks;

/**
 * Multiplies the learning rate by {@code gamma} every epoch, as {@code
 * torch.optim.lr_scheduler.ExponentialLR}:
 *
 * <pre>
 *   lr(epoch) = baseLr * gamma^epoch
 * </pre>
 *
 * <pre>{@code
 * LRScheduler schedule = new ExponentialLR(opt, 0.95);
 * }</pre>
 */
public final class ExponentialLR extends LRScheduler {
  private final double gamma;

  /**
   * An exponential schedule over {@code optimizer}, starting from its current learning rate.
   *
   * @throws IllegalArgumentException when {@code gamma} is not a finite number {@code > 0}
   */
  public ExponentialLR(Optimizer optimizer, double gamma) {
    super("ExponentialLR", optimizer);
    this.gamma = Checks.positive("ExponentialLR", "gamma", gamma);
  }

  @Override
  public double lrAt(int epoch) {
    return baseLr() * Math.pow(gamma, epoch);
  }

  @Override
  public String toString() {
    return "ExponentialLR(gamma=" + gamma + ", baseLr=" + baseLr() + ")";
  }
}
