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
 * call allocates (almost) nothing, the sign that the compiled code runs. After {@link #BURST}
 * calls it slows to one call a millisecond. Where the allocation counter cannot be read, it
 * makes a fixed number of calls. Either way it gives up after {@link #LIMIT_NANOS}. The GEMM's
 * kernels are warmed up in two halves on two threads at once ({@link #runBoth}).
 *
 * <p>Scalar kernels that a training step calls once over loops of a few dozen turns (the
 * cross-entropy over the classes) are warmed up too, by a fixed number of calls ({@link
 * #repeat}): not to avoid garbage, but so that C2 compiles each once, whole, instead of once per
 * loop while it runs and then whole.
 *
 * <p><b>Compiling in the foreground.</b> The JIT normally compiles in the background while the
 * calling thread goes on in the uncompiled code; here that is where most of the garbage was made
 * (300 to 460 MB for float32 on an AVX-512 Xeon, while C2 compiled for a few hundred
 * milliseconds). For the length of the warm-up, a compiler directive (HotSpot's
 * {@code Compiler.directives_add}, reached through the {@code DiagnosticCommand} MBean) asks for
 * the kernels' and the Vector API's methods to be compiled in the foreground: the thread that
 * triggers a compile waits for it instead of running on, and the warm-up makes about 110 MB. The
 * directive is removed when the warm-up ends. It costs the start of the platform MBean server
 * (0.1 to 0.3 s, once per JVM), begun on a daemon thread as soon as {@link Gemm} is loaded (see
 * {@link ForegroundCompiles#prepare}). Where the JVM has no such command (another JVM, no {@code
 * java.management} module, a security manager), or with {@code -Dcadena.warmUpDirective=off},
 * the warm-up runs with background compiles. With {@code
 * -Dcadena.debugWarmUp=true} it prints the calls, milliseconds and bytes each warm-up took and
 * whether the directive was in force.
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
    ForegroundCompiles foreground = ForegroundCompiles.start();
    try {
      return runBursts(burst, poll, foreground);
    } finally {
      foreground.close();
    }
  }

  /**
   * {@link #run} for two independent halves at once: {@code first} on the calling thread and
   * {@code second} on a daemon thread, each called (burst, then polled) until it runs compiled,
   * under one directive; returns the calls made on both. Where no thread can be started, both
   * halves run here, one after the other in each call.
   *
   * <p>Why: with compiles in the foreground, a thread that waits for C2 leaves its core idle,
   * and one that runs uncompiled vector code leaves the compilers idle. Two threads keep both
   * busy: one runs while the other's kernel is compiled, and C1 and C2, separate compiler
   * threads, compile one kernel each.
   */
  static int runBoth(Runnable first, Runnable second) {
    ForegroundCompiles foreground = ForegroundCompiles.start();
    try {
      int[] otherCalls = new int[1];
      Throwable[] otherFailure = new Throwable[1];
      Thread other;
      try {
        other = new Thread(() -> {
          try {
            otherCalls[0] = runBursts(second, second, foreground);
          } catch (Throwable t) {
            otherFailure[0] = t;
          }
        }, "cadena-jit-warm-up");
        other.setDaemon(true);
        other.start();
      } catch (RuntimeException | Error e) {
        // No new thread allowed (or none left): both halves here.
        Runnable both = () -> {
          first.run();
          second.run();
        };
        return runBursts(both, both, foreground);
      }
      int calls = runBursts(first, first, foreground);
      joinUninterruptibly(other);
      if (otherFailure[0] instanceof RuntimeException) {
        throw (RuntimeException) otherFailure[0];
      }
      if (otherFailure[0] instanceof Error) {
        throw (Error) otherFailure[0];
      }
      return calls + otherCalls[0];
    } finally {
      foreground.close();
    }
  }

  /** Waits for {@code t} to end, keeping (not acting on) an interrupt that comes meanwhile. */
  private static void joinUninterruptibly(Thread t) {
    boolean interrupted = false;
    while (true) {
      try {
        t.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Calls for {@link #repeat}. HotSpot's tiered policy (JDK 17 to 25) compiles a method whole
   * with C2 once it has had more than 600 calls and its calls plus loop iterations pass 15,000
   * (or past 5,000 calls), and compiles a loop on the stack once the iterations pass 40,000; a
   * queue of waiting compiles raises all of them alike. With operands that make each call run
   * 10 to 40 loop iterations, the whole compile comes first, at 600 to 1,400 calls, and still
   * within this count when the queue has raised the thresholds fourfold.
   */
  static final int REPEAT_CALLS = 6_000;

  /**
   * Warms a scalar kernel up: {@link #REPEAT_CALLS} calls of {@code call} (the kernel on
   * operands that make it run 10 to 40 loop iterations a call), compiled in the foreground where
   * the directive can be added without waiting for the MBean server. A warm-up that runs out of
   * stack (a first call from deep in a program's recursion) stops there and returns: it runs in
   * a class initialiser, where an error would break the kernel for the rest of the JVM's life.
   *
   * <p>Why: a kernel that runs once per training step over loops of many turns is otherwise
   * compiled two or three times by C2, once on the stack for each loop it is caught in (an OSR
   * compile, the method still running), then once whole when its calls reach the threshold, a
   * hundred steps later. Measured on an MLP step (784-256-128-10, batch 128, float32, 2 cores),
   * the cross-entropy's backward alone took three compiles, 68 ms of C2 time in the steps the
   * bench times. Called first on small operands, it is compiled once, whole, before its first
   * real call.
   *
   * <p>Only for kernels whose real loops are about as short as the warm-up's: C2 unrolls a loop
   * no further than the trip count its profile shows, so a kernel warmed up on 8 or 40 elements
   * and then run over a whole tensor runs slower code (SGD's update of 200,000 floats: 29 to
   * 51 us instead of 18 to 22; a product packing A so warmed up: 2 to 9% slower).
   */
  static void repeat(Runnable call) {
    ForegroundCompiles foreground = ForegroundCompiles.startIfPrepared();
    try {
      for (int i = 0; i < REPEAT_CALLS; i++) {
        call.run();
      }
    } catch (StackOverflowError e) {
      // Only an optimisation: the kernel is compiled on its real calls instead.
    } finally {
      foreground.close();
    }
  }

  private static int runBursts(Runnable burst, Runnable poll, ForegroundCompiles foreground) {
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
      System.err.printf("warm-up: %d calls, %.1f ms, %.1f MB allocated, %s%n", calls,
          (System.nanoTime() - start) / 1e6, bytes / 1e6, foreground.describe());
    }
    return calls;
  }

  /**
   * The compiler directive that makes the JIT compile the kernels in the foreground for the
   * length of one warm-up (see the class comment), added and removed through HotSpot's {@code
   * DiagnosticCommand} MBean. Starting the platform MBean server takes 0.1 to 0.3 s; adding the
   * directive from a daemon thread while the warm-up's first calls ran was tried, but it came
   * into force after 150 to 470 ms, when most compiles were already queued in the background,
   * and saved only part of the garbage (175 to 320 MB instead of 110), so it is added before
   * the first call.
   */
  static final class ForegroundCompiles implements Runnable {
    /** The classes whose compiles the warm-up waits for: the kernels and the Vector API's. */
    static final String DIRECTIVE = "[{match: [\"dev/cadena/tensor/kernel/*.*\", "
        + "\"jdk/incubator/vector/*.*\", \"jdk/internal/vm/vector/*.*\"], "
        + "BackgroundCompilation: false}]";
    private static final String MBEAN = "com.sun.management:type=DiagnosticCommand";
    private static final String[] SIGNATURE = {String[].class.getName()};

    private final long startNanos = System.nanoTime();
    /** The thread adding the directive, or null when none was started. */
    private Thread thread;
    private boolean added;
    private boolean closed;
    /** When the directive came into force, in milliseconds from {@link #start}; -1 before. */
    private double addedAfterMillis = -1;

    private ForegroundCompiles() {}

    /**
     * Adds the directive as {@code -Dcadena.warmUpDirective} says: {@code sync} (the default)
     * before returning, {@code async} on a daemon thread while the warm-up's first calls run,
     * {@code off} not at all (the JIT left as it is, and no MBean server started).
     */
    static ForegroundCompiles start() {
      return start(System.getProperty("cadena.warmUpDirective", "sync"));
    }

    /** {@link #start()} in the given mode ({@code sync}, {@code async} or {@code off}). */
    static ForegroundCompiles start(String mode) {
      ForegroundCompiles f = new ForegroundCompiles();
      if (mode.equals("async")) {
        f.thread = new Thread(f, "cadena-jit-directive");
        f.thread.setDaemon(true);
        f.thread.start();
      } else if (!mode.equals("off")) {
        f.run();
      }
      return f;
    }

    /**
     * {@link #start()}, but with no directive (background compiles) unless {@link #prepare} has
     * already made what it needs: a scalar kernel's warm-up is worth less than the 0.1 to 0.3 s
     * of waiting for the MBean server. It starts the preparing if nothing has, so that the next
     * warm-up (a linear layer's product, after its bias) finds the server sooner.
     */
    static ForegroundCompiles startIfPrepared() {
      boolean ready;
      synchronized (ForegroundCompiles.class) {
        // Not ready: starts the preparing (when it has not begun), for the warm-ups to come.
        prepare();
        ready = prepared != null && prepared.isDone();
      }
      return start(ready ? System.getProperty("cadena.warmUpDirective", "sync") : "off");
    }

    /**
     * What adding the directive needs, made on a daemon thread by {@link #prepare}: the platform
     * MBean server and the directive's file. Null until then.
     */
    private static java.util.concurrent.FutureTask<Prepared> prepared;

    /** The platform MBean server, and a file holding {@link #DIRECTIVE} (taken once). */
    private static final class Prepared {
      final javax.management.MBeanServer server;
      private java.nio.file.Path file;

      Prepared() throws java.io.IOException {
        server = ManagementFactory.getPlatformMBeanServer();
        file = directiveFile();
        // Deleted by the warm-up that takes it; this is for a program that never multiplies.
        file.toFile().deleteOnExit();
      }

      /** The prepared file the first time, a new one after that. */
      synchronized java.nio.file.Path takeFile() throws java.io.IOException {
        java.nio.file.Path f = file;
        file = null;
        return f != null ? f : directiveFile();
      }
    }

    private static java.nio.file.Path directiveFile() throws java.io.IOException {
      java.nio.file.Path f = java.nio.file.Files.createTempFile("cadena-jit-", ".json");
      java.nio.file.Files.writeString(f, DIRECTIVE);
      return f;
    }

    /**
     * Starts the platform MBean server and writes the directive's file on a daemon thread,
     * unless the directive is off or that has begun already. {@link Gemm}'s class initialiser
     * calls it, and a program often loads {@code Gemm} well before its first product (to print
     * {@link Gemm#implementation}, say): the 0.1 to 0.3 s this takes then overlap the program's
     * own set-up, where the first product used to wait for them.
     */
    static synchronized void prepare() {
      if (prepared != null
          || System.getProperty("cadena.warmUpDirective", "sync").equals("off")) {
        return;
      }
      try {
        prepared = new java.util.concurrent.FutureTask<>(Prepared::new);
        Thread t = new Thread(prepared, "cadena-jit-prepare");
        t.setDaemon(true);
        t.start();
      } catch (RuntimeException | LinkageError e) {
        // No new thread allowed: run() prepares on the calling thread.
        prepared = null;
      }
    }

    /** {@link #prepare}'s result, waited for (and prepared here if it was not started). */
    private static Prepared prepared() throws Exception {
      java.util.concurrent.FutureTask<Prepared> f;
      synchronized (ForegroundCompiles.class) {
        prepare();
        f = prepared;
      }
      if (f == null) {
        return new Prepared();
      }
      try {
        return f.get();
      } catch (java.util.concurrent.ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof Error) {
          throw (Error) cause;
        }
        throw cause instanceof Exception ? (Exception) cause : e;
      }
    }

    @Override
    public void run() {
      java.nio.file.Path file = null;
      try {
        Prepared p = prepared();
        file = p.takeFile();
        synchronized (this) {
          if (!closed) {
            Object reply = invoke(p.server, "compilerDirectivesAdd", file.toString());
            // The command answers "1 compiler directives added"; anything else added nothing.
            added = reply != null && reply.toString().trim().startsWith("1 ");
            if (added) {
              addedAfterMillis = (System.nanoTime() - startNanos) / 1e6;
            }
          }
        }
      } catch (Exception | LinkageError e) {
        // Another JVM, no java.management module, or not permitted: compiles stay in the
        // background and the warm-up only makes more garbage.
      } finally {
        if (file != null) {
          try {
            java.nio.file.Files.deleteIfExists(file);
          } catch (java.io.IOException e) {
            file.toFile().deleteOnExit();
          }
        }
      }
    }

    /** For the debug line: since when the directive was in force, or that it never was. */
    synchronized String describe() {
      return addedAfterMillis < 0
          ? "background compiles"
          : String.format("foreground compiles from %.0f ms", addedAfterMillis);
    }

    /** Ends the warm-up: removes the directive if it was added, and keeps it from being added. */
    synchronized void close() {
      closed = true;
      addedAfterMillis = -1;
      if (added) {
        added = false;
        try {
          invoke(ManagementFactory.getPlatformMBeanServer(), "compilerDirectivesRemove");
        } catch (Exception | LinkageError e) {
          // Left in place, it only makes later recompiles of the kernels wait for the compiler.
        }
      }
    }

    /** Waits up to {@code millis} for the adding thread, if any, to end (for tests). */
    void join(long millis) throws InterruptedException {
      if (thread != null) {
        thread.join(millis);
      }
    }

    /** The JVM's directive stack as {@code Compiler.directives_print} shows it (for tests). */
    static String printDirectives() throws Exception {
      return String.valueOf(
          invoke(ManagementFactory.getPlatformMBeanServer(), "compilerDirectivesPrint"));
    }

    private static Object invoke(javax.management.MBeanServer server, String command,
        String... args) throws Exception {
      return server.invoke(new javax.management.ObjectName(MBEAN), command, new Object[] {args},
          SIGNATURE);
    }
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
