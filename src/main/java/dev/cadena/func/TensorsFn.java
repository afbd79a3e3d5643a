package dev.cadena.func;

import dev.cadena.Tensor;

/** A function of one or more tensors to several tensors, for transforms with several outputs. */
@FunctionalInterface
public interface TensorsFn {
  /** The function's values at {@code args}, one tensor per output. */
  Tensor[] apply(Tensor... args);
}
