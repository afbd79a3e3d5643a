package dev.cadena.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.cadena.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/** For tests that compare an engine fast path with the path without it, bit for bit. */
final class TwoWays {
  private TwoWays() {}

  /** Raw bits, so that even the sign of a zero must agree. */
  static long[] bits(Tensor t) {
    double[] v = t.toDoubleArray();
    long[] b = new long[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = Double.doubleToLongBits(v[i]);
    }
    return b;
  }

  /**
   * One training step whose forward pass gave {@code logits} and {@code loss}: backward, then
   * the loss, the logits and every parameter's gradient added to {@code out}, the optimiser's
   * step, and every parameter added.
   */
  static void step(List<long[]> out, Tensor loss, Tensor logits, List<Tensor> params,
      dev.cadena.optim.Optimizer opt) {
    loss.backward();
    out.add(bits(loss));
    out.add(bits(logits));
    for (Tensor p : params) {
      out.add(bits(p.grad()));
    }
    opt.step();
    for (Tensor p : params) {
      out.add(bits(p));
    }
  }

  /**
   * Asserts that both ways gave the same values bit for bit, and that none of them is NaN (what
   * reading poisoned recycled storage gives).
   */
  static void assertSameBits(List<List<long[]>> r) {
    assertEquals(r.get(1).size(), r.get(0).size());
    for (int i = 0; i < r.get(0).size(); i++) {
      assertArrayEquals(r.get(1).get(i), r.get(0).get(i), "value " + i);
      for (long b : r.get(0).get(i)) {
        assertFalse(Double.isNaN(Double.longBitsToDouble(b)), "a NaN in value " + i);
      }
    }
  }

  /**
   * Runs {@code f} with a switch on, then off, and returns both results; {@code set} sets the
   * switch and returns its previous setting ({@code Engine::setLending}, say), which is restored.
   */
  static <T> List<T> bothWays(Function<Boolean, Boolean> set, Supplier<T> f) {
    List<T> r = new ArrayList<>();
    boolean was = set.apply(true);
    try {
      r.add(f.get());
      set.apply(false);
      r.add(f.get());
    } finally {
      set.apply(was);
    }
    return r;
  }
}
