package dev.cadena.optim;

import dev.cadena.nn.Checks;

/**
 * Multiplies the learning rate by {@code gamma} every {@code stepSize} epochs, as {@code
 * torch.optim.lr_scheduler.StepLR}:
 *
 * <pre>
 *   lr(epoch) = baseLr * gamma^floor(epoch / stepSize)
 * </pre>
 *
 * <pre>{@code
 * LRScheduler schedule = new StepLR(opt, 30, 0.1);
 * }</pre>
 */
public final class StepLR extends LRScheduler {
  private final int stepSize;
  private final double gamma;

  /**
   * A step schedule over {@code optimizer}, starting from its current learning rate.
   *
   * @throws IllegalArgumentException when {@code stepSize <= 0} or {@code gamma} is not a finite
   *     number {@code > 0}
   */
  public StepLR(Optimizer optimizer, int stepSize, double gamma) {
    super("StepLR", optimizer);
    this.stepSize = Checks.positive("StepLR", "stepSize", stepSize);
    this.gamma = Checks.positive("StepLR", "gamma", gamma);
  }

  @Override
  public double lrAt(int epoch) {
    return baseLr() * Math.pow(gamma, Math.floorDiv(epoch, stepSize));
  }

  @Override
  public String toString() {
    return "StepLR(stepSize=" + stepSize + ", gamma=" + gamma + ", baseLr=" + baseLr() + ")";
  }
}
