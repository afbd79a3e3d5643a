package dev.cadena.optim;

import static com.google.common.base.Preconditions.checkNotNull;

/**
 * Sets an optimiser's learning rate once per epoch from a closed-form schedule of the epoch
 * number, starting from the optimiser's learning rate when the schedule was created ({@link
 * #baseLr()}). Call {@link #step()} at the end of each epoch:
 *
 * <pre>{@code
 * LRScheduler schedule = new StepLR(opt, 30, 0.1);
 * for (int epoch = 0; epoch < 90; epoch++) {
 *   train(opt);
 *   schedule.step();   // epoch 30: lr * 0.1, epoch 60: lr * 0.01
 * }
 * }</pre>
 *
 * <p>Unlike PyTorch's chainable schedules, the learning rate is computed from the epoch alone, so
 * two schedules on one optimiser do not compose: the last one to step wins.
 */
public abstract class LRScheduler {
  private final Optimizer optimizer;
  private final double baseLr;
  private int epoch;
  private double lastLr;

  /**
   * Records {@code optimizer.learningRate()} as the base learning rate (epoch 0).
   *
   * @throws NullPointerException when {@code optimizer} is null
   */
  protected LRScheduler(String name, Optimizer optimizer) {
    checkNotNull(optimizer, "%s: optimizer is null", name);
    this.optimizer = optimizer;
    this.baseLr = optimizer.learningRate();
    this.lastLr = baseLr;
  }

  /** Advances one epoch and sets the optimiser's learning rate to {@code lrAt(epoch())}. */
  public final void step() {
    epoch++;
    lastLr = lrAt(epoch);
    optimizer.setLearningRate(lastLr);
  }

  /** The learning rate this schedule gives at {@code epoch} (0 gives {@link #baseLr()}). */
  public abstract double lrAt(int epoch);

  /** The learning rate set by the last {@link #step()} (the base rate before the first). */
  public final double lastLr() {
    return lastLr;
  }

  /** The number of {@link #step()} calls so far. */
  public final int epoch() {
    return epoch;
  }

  /** The optimiser's learning rate when this schedule was created. */
  public final double baseLr() {
    return baseLr;
  }

  /** The optimiser whose learning rate this schedule sets. */
  public final Optimizer optimizer() {
    return optimizer;
  }
}
