package dev.cadena.nn;

import dev.cadena.tensor.DType;
import java.util.random.RandomGenerator;

/**
 * PyTorch's name for {@link Dense}; identical in every respect except that it prints as {@code
 * Linear(in=..., out=..., bias=...)}. The weight is {@code [in, out]}, the transpose of PyTorch's.
 *
 * <pre>{@code
 * Linear layer = new Linear(4, 2, true, new SplittableRandom(0));
 * }</pre>
 */
public class Linear extends Dense {
  /** See {@link Dense#Dense(int, int, boolean, RandomGenerator)}. */
  public Linear(int in, int out, boolean bias, RandomGenerator rng) {
    super(in, out, bias, rng);
  }

  /** See {@link Dense#Dense(int, int, boolean, DType, RandomGenerator)}. */
  public Linear(int in, int out, boolean bias, DType dtype, RandomGenerator rng) {
    super(in, out, bias, dtype, rng);
  }
}
