package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;

/**
 * {@code logSigmoid(x) = log(sigmoid(x)) = -softplus(-x)}, elementwise, computed as {@code min(x,
 * 0) - log1p(e^-|x|)} (exact for every x); derivative {@code sigmoid(-x)}. The module form of
 * {@link Functional#logSigmoid}.
 *
 * <p><b>Shape:</b> input {@code [*]}, output the same shape.
 *
 * <p><b>Example:</b>
 *
 * <pre>{@code
 * Tensor y = new LogSigmoid().forward(Tensor.of(-1000.0, 0.0)); // [-1000, -0.6931]
 * }</pre>
 */
public final class LogSigmoid extends Module {
  /** Creates the activation (it has no parameters). */
  public LogSigmoid() {}

  @Override
  public Tensor forward(Tensor x) {
    checkNotNull(x, "LogSigmoid: input is null");
    return Functional.logSigmoid(x);
  }
}
