package dev.cadena.fuzz;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.data.TensorDataset;

/**
 * A fake API with planted breaches of the error contract, one per method, and a few methods that
 * keep it: {@link FuzzHarnessTest} checks that the fuzz harness tells them apart.
 */
public final class Planted {
  private Planted() {}

  /** Breach: an index error escapes. */
  public static int indexOutOfBounds(int i) {
    int[] a = new int[1];
    return a[i + 1];
  }

  /** Breach: the JDK's helpful NullPointerException. */
  public static Object jdkNpe(Tensor t) {
    return t.dtype();
  }

  /** Keeps the contract: the null is named. */
  public static Object namedNpe(Tensor t) {
    return checkNotNull(t, "%s: %s is null", "planted", "t").dtype();
  }

  /** Breach: an NPE although the argument is not null. */
  public static Object npeWithoutNullArgument(Tensor t) {
    Tensor missing = t.grad();
    return missing.dtype();
  }

  /** Breach: an IllegalArgumentException without message. */
  public static void silentIae(int i) {
    throw new IllegalArgumentException();
  }

  /** Keeps the contract: an IllegalArgumentException naming the op and the value. */
  public static void namedIae(int i) {
    throw new IllegalArgumentException("planted: i must be positive, got " + i);
  }

  /** Breach: a null argument answered with an IllegalArgumentException. */
  public static void iaeForNull(Tensor t) {
    if (t == null) {
      throw new IllegalArgumentException("planted: t must not be null");
    }
  }

  /** Breach: never returns. */
  public static long spin(int i) {
    long x = i;
    while (x != Long.MIN_VALUE + 1) {
      x = x * 6364136223846793005L + 1442695040888963407L;
    }
    return x;
  }

  /** Breach: changes its argument in place, then throws. */
  public static void throwAfterUpdate(Tensor t) {
    try (var s = Tensor.noGrad()) {
      t.fill_(42);
    }
    throw new IllegalArgumentException("planted: rejected after the update");
  }

  /** Keeps the contract: returns a consistent tensor. */
  public static Tensor fine() {
    return Tensor.zeros(2, 3);
  }
}
