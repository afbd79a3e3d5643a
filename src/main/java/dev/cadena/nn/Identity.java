package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;

/**
 * Returns its input (PyTorch's {@code Identity}): a placeholder, e.g. to remove a layer from a
 * model without changing its structure. No parameters.
 *
 * <p><b>Shape:</b> {@code [*] -> [*]}.
 *
 * <p><b>Example:</b> {@code new Identity().forward(x) == x}; prints as {@code Identity()}.
 */
public class Identity extends Module {
  /** The identity. */
  public Identity() {}

  @Override
  public Tensor forward(Tensor x) {
    checkNotNull(x, "Identity: input is null");
    return x;
  }
}
