package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;

/**
 * {@code sigmoid(x) = 1 / (1 + e^-x)}; derivative {@code sigmoid(x) (1 - sigmoid(x))}, elementwise; the module form of {@link Functional#sigmoid}.
 *
 * <p><b>Shape:</b> input {@code [*]}, output the same shape.
 *
 * <p><b>Example:</b>
 *
 * <pre>{@code
 * Tensor y = new Sigmoid().forward(Tensor.of(-1.0, 0.0, 1.0)); // [0.2689, 0.5, 0.7311]
 * }</pre>
 */
public final class Sigmoid extends Module {
  /** Creates the activation (it has no parameters). */
  public Sigmoid() {}

  @Override
  public Tensor forward(Tensor x) {
    checkNotNull(x, "Sigmoid: input is null");
    return Functional.sigmoid(x);
  }
}
