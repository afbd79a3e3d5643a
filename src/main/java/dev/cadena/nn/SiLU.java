package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;

/**
 * {@code silu(x) = x sigmoid(x)} (also called swish), elementwise; derivative {@code sigmoid(x)
 * (1 + x (1 - sigmoid(x)))}. The module form of {@link Functional#silu}.
 *
 * <p><b>Shape:</b> input {@code [*]}, output the same shape.
 *
 * <p><b>Example:</b>
 *
 * <pre>{@code
 * Tensor y = new SiLU().forward(Tensor.of(-1.0, 0.0, 1.0)); // [-0.2689, 0, 0.7311]
 * }</pre>
 */
public final class SiLU extends Module {
  /** Creates the activation (it has no parameters). */
  public SiLU() {}

  @Override
  public Tensor forward(Tensor x) {
    checkNotNull(x, "SiLU: input is null");
    return Functional.silu(x);
  }
}
