package dev.cadena.func;

import dev.cadena.Tensor;

/**
 * A function of one or more tensors to one tensor, the argument and result type of the
 * transforms in {@link dev.cadena.func} (PyTorch's {@code torch.func} takes any Python callable;
 * in Java a transform takes this interface, so a lambda {@code (Tensor... xs) -> ...} or a method
 * reference fits).
 */
@FunctionalInterface
public interface TensorFn {
  /** The function's value at {@code args}. */
  Tensor apply(Tensor... args);
}
