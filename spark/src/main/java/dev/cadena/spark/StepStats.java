package dev.cadena.spark;

import java.util.Locale;

/**
 * What one synchronous step did, as measured on the driver.
 *
 * @param step the step, counted from 1
 * @param loss the mean loss over the step's global batch (before the update)
 * @param examples the size of the global batch: the sum of the local batches
 * @param seconds the step's wall time on the driver, broadcast to update
 * @param computeSeconds the slowest task's forward and backward time
 * @param broadcastBytes the parameters' payload, broadcast once per step
 * @param gradientBytes the gradient payload the tasks send into the aggregation tree: one
 *     parameter-sized array per non-empty partition
 * @param commSeconds what the step cost besides the slowest task and the optimiser update:
 *     scheduling, serialisation, broadcast and the tree's transfers and sums
 */
public record StepStats(long step, double loss, long examples, double seconds,
    double computeSeconds, long broadcastBytes, long gradientBytes, double commSeconds) {

  /** Examples per second of this step. */
  public double examplesPerSecond() {
    return seconds > 0 ? examples / seconds : 0;
  }

  /** {@code step 40/200  loss 0.4123  5,310 ex/s  comm 1.2 MB 18 ms}. */
  public String format(long totalSteps) {
    return String.format(Locale.ROOT, "step %d/%d  loss %.4f  %,.0f ex/s  comm %.2f MB %.0f ms",
        step, totalSteps, loss, examplesPerSecond(),
        (broadcastBytes + gradientBytes) / 1e6, commSeconds * 1e3);
  }
}
