package dev.cadena.tensor.kernel;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The shared worker pool that kernels use to split a loop across threads.
 *
 * <p>{@link #forRange} cuts {@code [0, n)} into contiguous chunks. The calling thread takes chunks
 * itself, and up to {@code threads() - 1} pool workers help; whoever is free claims the next
 * chunk. Because the caller never waits on a chunk that nobody has claimed, a call never
 * deadlocks: not when several user threads call at once (they share the workers), and not when a
 * body calls {@code forRange} again from inside a worker (the worker then works on the inner loop
 * itself).
 *
 * <p>A worker that runs out of chunks keeps looking for the next loop for {@link
 * #WORKER_YIELD_NANOS} (spinning, then yielding between looks) before it goes to sleep, and the
 * caller spins and yields briefly before it sleeps while the last chunks finish: a training step
 * runs loops of tens of microseconds back to back, and waking a sleeping thread costs about as
 * much (about 20 us per hand-off measured on a 2-vCPU virtual machine).
 *
 * <p>Example:
 *
 * <pre>{@code
 * double[] x = new double[1_000_000];
 * Parallel.forRange(x.length, 5, (start, end) -> { // about 5 ns per square root
 *   for (int i = start; i < end; i++) {
 *     x[i] = Math.sqrt(i);
 *   }
 * });
 * }</pre>
 */
public final class Parallel {

  /**
   * Work below which {@link #forRange} stays on the calling thread: {@code n * costPerItem <
   * SERIAL_THRESHOLD}, with the cost in estimated nanoseconds on one core. Handing work to a
   * sleeping worker takes some microseconds to tens of microseconds, so smaller loops gain
   * nothing from it.
   */
  public static final long SERIAL_THRESHOLD = 30_000;

  /**
   * The threshold in force; tests lower it to split even tiny loops. Package-private on purpose:
   * users tune with {@link #setThreads}.
   */
  static volatile long serialThreshold = SERIAL_THRESHOLD;

  /**
   * How long an idle worker spins for the next loop before it polls between yields ({@link
   * #WORKER_YIELD_NANOS}). It holds a core meanwhile, which the JIT compiler and other threads
   * may need: on 2 cores, spinning 100 us made the W2 step 4% faster than 20 us once compiled,
   * but W5's short training run 25% slower (its warm-up competes with the spinning).
   */
  static final long WORKER_SPIN_NANOS = 20_000;

  /**
   * How long after its last loop an idle worker keeps polling, with a {@link Thread#yield} between
   * polls after the first {@link #WORKER_SPIN_NANOS}, before it goes to sleep. A training step
   * runs its loops with gaps of tens of microseconds (the loss, the optimiser), longer than the
   * spin, and waking a sleeping worker costs about as much; a yielding worker meets them awake
   * yet gives its core to any other runnable thread, the JIT's compiler included. Alternated on 2
   * cores (2026-12-03): W5 to 96% faster in 7 of 8 runs and per epoch in 7 of 8, W2 no different
   * (7 of 15).
   */
  static final long WORKER_YIELD_NANOS = 200_000;

  /**
   * How long the caller waits for chunks that workers still run before it parks: spinning for
   * the first {@link #WORKER_SPIN_NANOS}, then with a {@link Thread#yield} between looks, so that
   * a worker that a compile thread has pushed off its core gets it back to finish its chunk.
   */
  private static final long CALLER_SPIN_NANOS = 200_000;

  /** Chunks per thread, so that a thread slowed by other load gets less of the work. */
  private static final int CHUNKS_PER_THREAD = 4;

  private static final System.Logger LOG = System.getLogger(Parallel.class.getName());
  private static final AtomicInteger WORKER_ID = new AtomicInteger();

  private static final Object LOCK = new Object();
  private static volatile int threads = initialThreads();
  /** Workers for the current thread count; null until first needed. Guarded by LOCK for writes. */
  private static volatile Workers pool;

  private Parallel() {}

  /**
   * The number of threads kernels use, counting the calling thread.
   *
   * <p>The default is {@link Runtime#availableProcessors()}, or the value of the system property
   * {@code cadena.threads} when that is a positive integer (other values are ignored with a
   * logged warning).
   *
   * @return the thread count, at least 1
   */
  public static int threads() {
    return threads;
  }

  /**
   * Sets the number of threads kernels use, counting the calling thread. Calls of {@link
   * #forRange} already running finish with the workers they started with.
   *
   * @param n the thread count; 1 runs every kernel on its calling thread
   * @throws IllegalArgumentException if {@code n < 1}
   */
  public static void setThreads(int n) {
    if (n < 1) {
      throw new IllegalArgumentException(
          "Parallel.setThreads: thread count must be >= 1, got " + n);
    }
    synchronized (LOCK) {
      if (n == threads) {
        return;
      }
      threads = n;
      Workers old = pool;
      pool = null;
      if (old != null) {
        // Queued helpers still run, find no chunk left and exit; then the old threads end.
        old.executor.shutdown();
      }
    }
  }

  /**
   * Runs {@code body.run(start, end)} over disjoint ranges that together cover {@code [0, n)}.
   *
   * <p>The loop runs on the calling thread alone when {@code threads() == 1}, {@code n == 1} or
   * {@code n * costPerItem < }{@link #SERIAL_THRESHOLD}; otherwise it is cut into at most {@code
   * 4 * threads()} chunks of nearly equal size that run on the caller and the shared workers. The
   * call returns when every chunk is done. Ranges may run in any order and at the same time, so
   * the body must only write to places that belong to its own range.
   *
   * <p>If a chunk throws, the chunks not yet started are skipped and the first exception is
   * rethrown on the calling thread (a checked one wrapped in a {@link RuntimeException}).
   *
   * @param n the number of items, {@code >= 0}; nothing runs when it is 0
   * @param costPerItem the estimated time one item takes on one core, in nanoseconds, {@code >=
   *     0}; for example about {@code 2 * k * n / 100} for a row of a vectorized matrix product
   * @param body the loop body, called once per chunk
   * @throws IllegalArgumentException if {@code n < 0} or {@code costPerItem < 0}
   * @throws NullPointerException if {@code body} is null
   */
  public static void forRange(int n, long costPerItem, RangeBody body) {
    if (n < 0 || costPerItem < 0) {
      throw new IllegalArgumentException(
          "Parallel.forRange: n and costPerItem must be >= 0, got n=" + n
              + ", costPerItem=" + costPerItem);
    }
    if (body == null) {
      throw new NullPointerException("Parallel.forRange: body is null");
    }
    if (n == 0) {
      return;
    }
    int t = threads;
    long total = costPerItem > Long.MAX_VALUE / n ? Long.MAX_VALUE : n * costPerItem;
    long threshold = serialThreshold;
    if (t == 1 || n == 1 || total < threshold) {
      body.run(0, n);
      return;
    }
    // Enough chunks to balance the load, but none so small that handing it over costs more
    // than it saves.
    long byWork = threshold < 2 ? n : Math.max(2, total / (threshold / 2));
    int chunks = (int) Math.min(Math.min(n, (long) t * CHUNKS_PER_THREAD), byWork);
    Job job = new Job(n, chunks, body);
    workers().offer(job, Math.min(t - 1, chunks - 1));
    job.run();
    job.awaitAll();
    job.rethrowFailure();
  }

  /** A loop body over a half-open range of item indices. */
  @FunctionalInterface
  public interface RangeBody {
    /**
     * Processes items {@code start} (inclusive) to {@code end} (exclusive).
     *
     * @param start the first item, {@code >= 0}
     * @param end one past the last item, {@code > start}
     */
    void run(int start, int end);
  }

  private static Workers workers() {
    Workers p = pool;
    if (p != null) {
      return p;
    }
    synchronized (LOCK) {
      if (pool == null) {
        pool = new Workers(Math.max(1, threads - 1));
      }
      return pool;
    }
  }

  /**
   * The worker threads of one thread count, and the loops offered to them.
   *
   * <p>A loop is offered by putting its {@link Job} on {@code offers} once per helper wanted. A
   * helper is a task on the executor that takes jobs from {@code offers} until it has found none
   * for {@link #WORKER_YIELD_NANOS}; {@code spinning} counts the helpers that are looking, so that
   * a new task is started only when none is. A helper stops counting itself before its last look,
   * and a caller offers before it counts, so an offer always meets a helper or starts one.
   */
  private static final class Workers {
    final ThreadPoolExecutor executor;
    final ConcurrentLinkedQueue<Job> offers = new ConcurrentLinkedQueue<>();
    final AtomicInteger spinning = new AtomicInteger();

    Workers(int size) {
      ThreadFactory factory = r -> {
        Thread th = new Thread(r, "cadena-worker-" + WORKER_ID.incrementAndGet());
        th.setDaemon(true);
        return th;
      };
      executor = new ThreadPoolExecutor(
          size, size, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), factory);
      // Idle workers go away, so an application that stops using kernels keeps no threads.
      executor.allowCoreThreadTimeOut(true);
    }

    void offer(Job job, int helpers) {
      for (int h = 0; h < helpers; h++) {
        offers.offer(job);
      }
      for (int h = spinning.get(); h < helpers; h++) {
        try {
          executor.execute(this::help);
        } catch (RejectedExecutionException e) {
          return; // the pool was replaced by setThreads; the caller does the rest itself
        }
      }
    }

    /**
     * Runs offered jobs until none has come for a while. The waiting is {@link #awaitOffer}'s,
     * a method of its own: a helper runs this loop once per wake-up and a job per turn, so it
     * stays in the interpreter for tens of thousands of jobs, where with the spinning in it its
     * loop was compiled on the stack, then whole, then again after a rare case threw the code
     * out (38 to 52 ms of C2 time in the first hundred steps of an MLP on 2 cores).
     */
    private void help() {
      spinning.incrementAndGet();
      while (true) {
        Job job = awaitOffer();
        if (job == null) {
          spinning.decrementAndGet();
          // An offer made just before the decrement. (Here, not in awaitOffer: C2 would compile
          // this rare case there as a trap, and throw the compiled code out when it came.)
          job = offers.poll();
          if (job == null) {
            return;
          }
          spinning.incrementAndGet();
        }
        spinning.decrementAndGet();
        job.run();
        spinning.incrementAndGet();
      }
    }

    /**
     * The next offered job, spinning then yielding between looks; null once none has come for
     * {@link #WORKER_YIELD_NANOS}.
     */
    private Job awaitOffer() {
      long idleSince = System.nanoTime();
      while (true) {
        Job job = offers.poll();
        if (job != null) {
          return job;
        }
        long idle = System.nanoTime() - idleSince;
        if (idle <= WORKER_SPIN_NANOS) {
          Thread.onSpinWait();
        } else if (idle <= WORKER_YIELD_NANOS) {
          Thread.yield();
        } else {
          return null;
        }
      }
    }
  }

  private static int initialThreads() {
    int fallback = Runtime.getRuntime().availableProcessors();
    String value = System.getProperty("cadena.threads");
    if (value == null) {
      return fallback;
    }
    try {
      int parsed = Integer.parseInt(value.trim());
      if (parsed >= 1) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // fall through to the warning
    }
    LOG.log(System.Logger.Level.WARNING,
        "cadena.threads must be a positive integer, got \"{0}\"; using {1}", value, fallback);
    return fallback;
  }

  /** One call of forRange: the chunks, who has claimed them, and how many are done. */
  private static final class Job {
    private final int n;
    private final int chunks;
    private final RangeBody body;
    private final Thread caller = Thread.currentThread();
    private final AtomicInteger nextChunk = new AtomicInteger();
    private final AtomicInteger unfinished;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    Job(int n, int chunks, RangeBody body) {
      this.n = n;
      this.chunks = chunks;
      this.body = body;
      this.unfinished = new AtomicInteger(chunks);
    }

    /** Claims and runs chunks until none is left. */
    void run() {
      int chunk;
      while ((chunk = nextChunk.getAndIncrement()) < chunks) {
        try {
          if (failure.get() == null) {
            int start = (int) ((long) n * chunk / chunks);
            int end = (int) ((long) n * (chunk + 1) / chunks);
            body.run(start, end);
          }
        } catch (Throwable t) {
          failure.compareAndSet(null, t);
        } finally {
          if (unfinished.decrementAndGet() == 0 && Thread.currentThread() != caller) {
            LockSupport.unpark(caller);
          }
        }
      }
    }

    /** Waits, on the caller, for chunks that other threads claimed and are still running. */
    void awaitAll() {
      long start = System.nanoTime();
      while (unfinished.get() > 0) {
        long waited = System.nanoTime() - start;
        if (waited < WORKER_SPIN_NANOS) {
          Thread.onSpinWait();
        } else if (waited < CALLER_SPIN_NANOS) {
          Thread.yield();
        } else {
          LockSupport.parkNanos(this, 100_000L);
        }
      }
    }

    void rethrowFailure() {
      Throwable t = failure.get();
      if (t == null) {
        return;
      }
      if (t instanceof RuntimeException) {
        throw (RuntimeException) t;
      }
      if (t instanceof Error) {
        throw (Error) t;
      }
      throw new RuntimeException("Parallel.forRange: body threw " + t, t);
    }
  }
}
