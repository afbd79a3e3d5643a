package dev.cadena.diagnostics;

import static com.google.common.base.Preconditions.checkNotNull;

/**
 * One layer at one step, as recorded by {@link GradientMonitor}. Norms are L2 norms over all the
 * layer's parameters together (as if concatenated into one vector):
 *
 * <pre>
 *   gradNorm    = ||g||                  at recordGradients, NaN when no parameter has a gradient
 *   paramNorm   = ||p||                  at recordGradients, i.e. before the optimiser step
 *   updateNorm  = ||p_after - p_before||  at recordUpdates, NaN until then
 *   updateRatio = updateNorm / paramNorm
 * </pre>
 *
 * @param layer the layer name
 * @param step the recorded step
 * @param parameterCount number of scalars in the layer
 * @param gradNorm L2 norm of the layer's gradients
 * @param paramNorm L2 norm of the layer's parameters before the step
 * @param updateNorm L2 norm of the change the step made
 */
public record LayerStats(
    String layer, long step, long parameterCount, double gradNorm, double paramNorm, double updateNorm) {

  /** @throws NullPointerException when {@code layer} is null */
  public LayerStats {
    checkNotNull(layer, "LayerStats: layer is null");
  }

  /**
   * {@code updateNorm / paramNorm}: how far one step moves the layer relative to its size (around
   * 1e-3 is the usual healthy range for SGD-like training; much smaller means the layer barely
   * learns, much larger that it is being overwritten). NaN until updates are recorded; for a
   * layer whose parameters are all zero, 0 when nothing moved and infinity otherwise.
   */
  public double updateRatio() {
    if (paramNorm == 0 && updateNorm == 0) {
      return 0;
    }
    return updateNorm / paramNorm;
  }

  LayerStats withUpdateNorm(double value) {
    return new LayerStats(layer, step, parameterCount, gradNorm, paramNorm, value);
  }
}
