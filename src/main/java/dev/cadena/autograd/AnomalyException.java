package dev.cadena.autograd;

/**
 * A NaN or an infinity found by {@link Anomaly} mode: the message names the op, the phase
 * ({@code forward}, {@code backward of <op>} or {@code jvp of <op>}), the user's line that created
 * the op ({@code File.java:line}), each input's shape, min, max and NaN count, and the chain of
 * ops from there back to the leaves, each with its creation site.
 *
 * <pre>{@code
 * try (var a = Anomaly.detect()) {
 *   Tensor.of(-1.0).log();   // AnomalyException: anomaly: forward of 'log' produced 1 NaN ...
 * }
 * }</pre>
 */
public final class AnomalyException extends AutogradException {
  private static final long serialVersionUID = 1L;

  private final String op;
  private final String phase;
  private final String site;

  AnomalyException(String op, String phase, String site, String message) {
    super(message);
    this.op = op;
    this.phase = phase;
    this.site = site;
  }

  /** The op whose output (forward) or gradient (backward, jvp) was not finite, e.g. {@code "log"}. */
  public String op() {
    return op;
  }

  /** {@code "forward"}, {@code "backward of <op>"} or {@code "jvp of <op>"}. */
  public String phase() {
    return phase;
  }

  /** The user's line that created the op, {@code File.java:line} ({@code "unknown site"} if none). */
  public String site() {
    return site;
  }
}
