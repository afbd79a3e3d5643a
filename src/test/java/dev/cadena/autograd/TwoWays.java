package dev.cadena.autograd;

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
