package dev.cadena.optim;

import dev.cadena.nn.Checks;

/**
 * Anneals the learning rate from its base value to {@code etaMin} along half a cosine over
 * {@code tMax} epochs (SGDR, Loshchilov and Hutter 2017, without restarts), as the closed form of
 * {@code torch.optim.lr_scheduler.CosineAnnealingLR}:
 *
 * <pre>
 *   lr(epoch) = etaMin + (baseLr - etaMin) * (1 + cos(pi * epoch / tMax)) / 2
 * </pre>
 *
 * <p>At {@code epoch == tMax} the rate is {@code etaMin}; past it the cosine continues and the rate
 * rises again (period {@code 2 * tMax}), as in PyTorch.
 *
 * <pre>{@code
 * LRScheduler schedule = new CosineAnnealingLR(opt, epochs, 0.0);
 * }</pre>
 */
public final class CosineAnnealingLR extends LRScheduler {
  private final int tMax;
  private final double etaMin;

  /**
   * A cosine schedule over {@code optimizer}, starting from its current learning rate.
   *
   * @throws IllegalArgumentException when {@code tMax <= 0} or {@code etaMin} is negative or not
   *     finite
   */
  public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin) {
    super("CosineAnnealingLR", optimizer);
    this.tMax = Checks.positive("CosineAnnealingLR", "tMax", tMax);
    this.etaMin = Checks.nonNegative("CosineAnnealingLR", "etaMin", etaMin);
  }

  @Override
  public double lrAt(int epoch) {
    return etaMin + (baseLr() - etaMin) * (1 + Math.cos(Math.PI * epoch / tMax)) / 2;
  }

  @Override
  public String toString() {
    return "CosineAnnealingLR(tMax=" + tMax + ", etaMin=" + etaMin + ", baseLr=" + baseLr() + ")";
  }
}
