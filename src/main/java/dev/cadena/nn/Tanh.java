package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;

/**
 * {@code tanh(x) = (e^x - e^-x) / (e^x + e^-x)}; derivative {@code 1 - tanh(x)^2}, elementwise; the module form of {@link Functional#tanh}.
 *
 * <p><b>Shape:</b> input {@code [*]}, output the same shape.
 *
 * <p><b>Example:</b>
 *
 * <pre>{@code
 * Tensor y = new Tanh().forward(Tensor.of(-1.0, 0.0, 1.0)); // [-0.7616, 0, 0.7616]
 * }</pre>
 */
public final class Tanh extends Module {
  /** Creates the activation (it has no parameters). */
  public Tanh() {}

  @Override
  public Tensor forward(Tensor x) {
    checkNotNull(x, "Tanh: input is null");
    return Functional.tanh(x);
  }
}
