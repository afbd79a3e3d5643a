package dev.cadena.diagnostics;

import static com.google.common.base.Preconditions.checkNotNull;

/**
 * A layer flagged by {@link GradientMonitor} at one step, with the reason in words, e.g. {@code
 * Flag[layer=0, step=12, kind=VANISHING, reason=grad norm 3.1e-12 < 1e-08]}.
 *
 * @param layer the layer name (the parameter-name prefix, e.g. {@code "0"} for {@code "0.weight"})
 * @param step the step passed to {@link GradientMonitor#recordGradients(long)}
 * @param kind vanishing or exploding
 * @param reason which rule fired, with the numbers
 */
public record Flag(String layer, long step, Kind kind, String reason) {

  /** @throws NullPointerException when {@code layer}, {@code kind} or {@code reason} is null */
  public Flag {
    checkNotNull(layer, "Flag: layer is null");
    checkNotNull(kind, "Flag: kind is null");
    checkNotNull(reason, "Flag: reason is null");
  }

  /** What went wrong. */
  public enum Kind {
    /** The layer's gradient is tiny, absolutely or next to the largest layer's: it barely learns. */
    VANISHING,
    /** The layer's gradient is huge, not finite, or growing fast: updates will overshoot. */
    EXPLODING
  }

  @Override
  public String toString() {
    return "step " + step + ", layer '" + layer + "': " + kind + ": " + reason;
  }
}
