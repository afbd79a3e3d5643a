package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;

/**
 * {@code relu(x) = max(x, 0)}; derivative {@code 1} for {@code x > 0}, else {@code 0}, elementwise; the module form of {@link Functional#relu}.
 *
 * <p><b>Shape:</b> input {@code [*]}, output the same shape.
 *
 * <p><b>Example:</b>
 *
 * <pre>{@code
 * Tensor y = new ReLU().forward(Tensor.of(-1.0, 0.0, 2.0)); // [0, 0, 2]
 * }</pre>
 */
public final class ReLU extends Module {
  /** Creates the activation (it has no parameters). */
  public ReLU() {}

  @Override
  public Tensor forward(Tensor x) {
    checkNotNull(x, "ReLU: input is null");
    return Functional.relu(x);
  }
}
