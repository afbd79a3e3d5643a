package dev.cadena.tensor.kernel;

import java.lang.management.ManagementFactory;

/**
 * Brings a Vector API kernel to compiled code before the first real product runs on it.
 *
 * <p>The Vector API is fast only once C2, the optimising JIT, has compiled the calling method and
 * turned each vector operation into machine instructions. Until then, in the interpreter and in
 * C1's code, every operation allocates its result as an object: measured here, a 64 x 64 x 64
 * float32 GEMM allocated 2.5 MB and took about 10 ms per call (1,600 times its compiled cost),
 * and an MLP's first training steps produced gigabytes of garbage, enough for G1 to grow the
 * heap to several hundred MiB. So the first product that would use a vector kernel first runs
 * that kernel on tiny operands, where the uncompiled calls cost little, back to back until a
 * call allocates (almost) nothing, the sign that the compiled code runs: 0.3 to 0.5 s and 200 to
 * 460 MB of short-lived garbage for float32 here, most of it made while C2 compiles (the narrow
 * one-vector kernel is the last to get there). After {@link #BURST} calls it slows to one call a
 * millisecond. Waiting between calls from the start was tried: half the garbage, but 2 s,
 * since the tiered policy's counters only advance with calls. Where the allocation counter
 * cannot be read, it makes a fixed number of calls. Either way it gives up after {@link
 * #LIMIT_NANOS}. With {@code -Dcadena.debugWarmUp=true} it prints the calls, milliseconds and
 * bytes each warm-up took.
 */
final class JitWarmUp {
  /** The longest a warm-up may take (C2 usually needs 0.1 to 0.5 s for a GEMM kernel). */
  static final long LIMIT_NANOS = 3_000_000_000L;
  /** Calls made back to back before slowing down: enough for tier 4's counts and compile. */
  private static final int BURST = 4_000;
  /** A call that allocates less than this runs compiled code. */
  private static final long QUIET_BYTES = 512;

  private JitWarmUp() {}

  /**
   * Calls {@code burst} (small products on the kernel being warmed, every code path) up to
   * {@link #BURST} times, then {@code poll} (one small product) once a millisecond, until a call
   * runs compiled; returns the number of calls made.
   */
  static int run(Runnable burst, Runnable poll) {
    com.sun.management.ThreadMXBean meter = meter();
    long start = System.nanoTime();
    long startBytes = meter == null ? 0 : meter.getCurrentThreadAllocatedBytes();
    int calls = 0;
    int quiet = 0;
    while (System.nanoTime() - start < LIMIT_NANOS) {
      long before = meter == null ? 0 : meter.getCurrentThreadAllocatedBytes();
      (calls < BURST ? burst : poll).run();
      calls++;
      if (meter == null) {
        if (calls >= 2 * BURST) {
          break;
        }
        continue;
      }
      long bytes = meter.getCurrentThreadAllocatedBytes() - before;
      if (bytes < QUIET_BYTES) {
        if (++quiet >= 3) {
          break;
        }
      } else {
        quiet = 0;
      }
      if (calls >= BURST) {
        // Queued for C2 by now: wait for it rather than make garbage in uncompiled code.
        try {
          Thread.sleep(1);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    if (Boolean.getBoolean("cadena.debugWarmUp")) {
      long bytes = meter == null ? -1 : meter.getCurrentThreadAllocatedBytes() - startBytes;
      System.err.printf("warm-up: %d calls, %.1f ms, %.1f MB allocated%n", calls,
          (System.nanoTime() - start) / 1e6, bytes / 1e6);
    }
    return calls;
  }

  /** HotSpot's per-thread allocation counter, or null where the JVM has none. */
  private static com.sun.management.ThreadMXBean meter() {
    try {
      java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
      if (bean instanceof com.sun.management.ThreadMXBean) {
        com.sun.management.ThreadMXBean m = (com.sun.management.ThreadMXBean) bean;
        if (m.isThreadAllocatedMemorySupported() && m.isThreadAllocatedMemoryEnabled()) {
          return m;
        }
      }
    } catch (LinkageError | RuntimeException e) {
      // No java.management or jdk.management module: fall back to a fixed number of calls.
    }
    return null;
  }
}
