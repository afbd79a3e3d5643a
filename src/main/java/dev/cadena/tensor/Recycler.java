package dev.cadena.tensor;

import java.util.Arrays;

/**
 * Float storage that the autograd engine proved dead (a gradient it lent to a VJP, once that VJP
 * has run: {@link NDArray#recycle}), kept for the next array of the same length that a kernel
 * overwrites whole ({@link NDArray#uninitialized}): a matrix product's or a linear layer's output.
 *
 * <p>Why: a training step's gradients and activations are new arrays every step, and on a fresh
 * JVM every new array lands on heap pages the process has not touched yet (G1 grows its young
 * generation to hundreds of MiB before its first collection there), each page a fault the kernel
 * has to zero and map. An MLP step of W2 allocated 0.41 MiB, about 100 such pages per step, for
 * its first few hundred steps; reusing the two lent gradients of its backward as the next
 * forward's activations halves that (PyTorch's caching allocator reuses freed blocks the same
 * way).
 *
 * <p>Bounded: at most {@link #SLOTS} arrays and {@link #MAX_BYTES} in all, the oldest dropped
 * first (to the collector), so storage of sizes no one asks for again does not stay. Shared by all
 * threads, under one lock (a few calls per step, never contended for long); an array taken is
 * handed over under the lock, so its contents are visible to the taking thread.
 *
 * <p>{@code -Dcadena.recyclePoison=true} (the test suite sets it) fills every array given back
 * with NaN, so that a kernel that reads an output before writing it, or a recycled array that
 * someone still reads, shows as NaN in the results.
 */
final class Recycler {
  private Recycler() {}

  /** Arrays shorter than this are not kept: a thread-local allocation of them is cheap. */
  static final int MIN_ELEMENTS = 4096;
  /** The most arrays kept. */
  static final int SLOTS = 16;
  /** The most bytes kept. */
  static final long MAX_BYTES = 16L << 20;
  /** Whether arrays given back are filled with NaN (a test switch). */
  static final boolean POISON = Boolean.getBoolean("cadena.recyclePoison");

  /** Oldest first. */
  private static final Object[] KEPT = new Object[SLOTS];
  private static final long[] KEPT_BYTES = new long[SLOTS];
  private static int count;
  private static long bytes;

  /**
   * Keeps {@code array} (a {@code float[]} or {@code double[]} that nothing else refers to) for
   * a later {@link #takeF32} or {@link #takeF64}; returns whether it was kept.
   */
  static synchronized boolean give(Object array) {
    long b;
    if (array instanceof float[] f) {
      if (f.length < MIN_ELEMENTS) {
        return false;
      }
      b = 4L * f.length;
      if (POISON) {
        Arrays.fill(f, Float.NaN);
      }
    } else if (array instanceof double[] d) {
      if (d.length < MIN_ELEMENTS) {
        return false;
      }
      b = 8L * d.length;
      if (POISON) {
        Arrays.fill(d, Double.NaN);
      }
    } else {
      return false;
    }
    if (b > MAX_BYTES) {
      return false;
    }
    while (count == SLOTS || bytes + b > MAX_BYTES) {
      dropAt(0);
    }
    KEPT[count] = array;
    KEPT_BYTES[count++] = b;
    bytes += b;
    return true;
  }

  /** A kept {@code float[]} of length {@code n} (its contents arbitrary), or null. */
  static synchronized float[] takeF32(int n) {
    int i = n < MIN_ELEMENTS ? -1 : lastKept(n, false);
    if (i < 0) {
      return null;
    }
    float[] f = (float[]) KEPT[i];
    dropAt(i);
    return f;
  }

  /** A kept {@code double[]} of length {@code n} (its contents arbitrary), or null. */
  static synchronized double[] takeF64(int n) {
    int i = n < MIN_ELEMENTS ? -1 : lastKept(n, true);
    if (i < 0) {
      return null;
    }
    double[] d = (double[]) KEPT[i];
    dropAt(i);
    return d;
  }

  /**
   * The slot of the most recently kept array of length {@code n} ({@code double[]} or {@code
   * float[]}), or -1. It scans up the slots to the last match, not down to the first: C2
   * compiled the loop counting down with a guard that its start ({@code count - 1}) was not
   * negative, and the first take from an empty recycler threw out the compiled product that had
   * inlined it (a recompile of 120 to 300 ms of C2 time in the first epochs of an MLP's
   * training, on 2 cores).
   */
  private static int lastKept(int n, boolean doubles) {
    int last = -1;
    for (int i = 0; i < count; i++) {
      Object a = KEPT[i];
      boolean match = doubles
          ? a instanceof double[] d && d.length == n
          : a instanceof float[] f && f.length == n;
      if (match) {
        last = i;
      }
    }
    return last;
  }

  private static void dropAt(int i) {
    bytes -= KEPT_BYTES[i];
    System.arraycopy(KEPT, i + 1, KEPT, i, count - i - 1);
    System.arraycopy(KEPT_BYTES, i + 1, KEPT_BYTES, i, count - i - 1);
    KEPT[--count] = null;
  }

  /** Arrays and bytes kept now, for tests: {@code {count, bytes}}. */
  static synchronized long[] held() {
    return new long[] {count, bytes};
  }

  /** Drops every kept array (tests). */
  static synchronized void clear() {
    while (count > 0) {
      dropAt(0);
    }
  }
}
