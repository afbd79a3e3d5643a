package dev.cadena.fuzz;

import dev.cadena.Tensor;
import dev.cadena.autograd.GradMode;
import dev.cadena.fuzz.ApiSurface.Target;
import dev.cadena.fuzz.Fixtures.Arg;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One fuzz call: a target, a receiver and arguments drawn from a seed, run on a thread of its own
 * with a time limit. The thread is fresh for each call, so that grad mode (thread-local) and any
 * scope a call leaves open never leak into the next call.
 */
final class Call {
  /** How the arguments are drawn. */
  enum Mode {
    /** All arguments typical: the call should usually succeed and reach the real work. */
    TYPICAL,
    /** One argument hostile, the others typical: tests each check on its own. */
    ONE_HOSTILE,
    /** Each argument hostile with probability 1/2. */
    MIXED
  }

  final Target target;
  final long seed;
  final Mode mode;
  final boolean noGrad;
  final World world;
  final Arg receiver;
  final Arg[] args;
  final Snapshot before;

  private Call(Target target, long seed, Mode mode, boolean noGrad, World world, Arg receiver, Arg[] args) {
    this.target = target;
    this.seed = seed;
    this.mode = mode;
    this.noGrad = noGrad;
    this.world = world;
    this.receiver = receiver;
    this.args = args;
    this.before = Snapshot.of(receiver, args);
  }

  /** Draws the receiver and arguments of a call of {@code target} from {@code seed}. */
  static Call prepare(Target target, long seed, Path runDir, FuzzRun.Provocations p) {
    World w = new World(seed, runDir, p.namedPipes(), p.printing());
    double u = w.rnd.nextDouble();
    Mode mode = u < 0.35 ? Mode.TYPICAL : u < 0.8 ? Mode.ONE_HOSTILE : Mode.MIXED;
    boolean noGrad = w.coin(0.25);
    Arg receiver = null;
    if (!target.isStatic()) {
      receiver = Fixtures.receiver(target.owner(), w);
      w.receiver = receiver.value();
    }
    Type[] types = target.executable().getGenericParameterTypes();
    int hostileIndex = types.length == 0 ? -1 : w.rnd.nextInt(types.length);
    Arg[] args = new Arg[types.length];
    for (int i = 0; i < types.length; i++) {
      boolean hostile = switch (mode) {
        case TYPICAL -> false;
        case ONE_HOSTILE -> i == hostileIndex;
        case MIXED -> w.coin(0.5);
      };
      args[i] = Fixtures.draw(types[i], w, hostile);
    }
    return new Call(target, seed, mode, noGrad, w, receiver, args);
  }

  /** A call with the given receiver (null for a static target) and arguments, for harness tests. */
  static Call fixed(Target target, Path runDir, Arg receiver, Arg... args) {
    World w = new World(0, runDir);
    w.receiver = receiver == null ? null : receiver.value();
    return new Call(target, 0, Mode.TYPICAL, false, w, receiver, args);
  }

  /** Whether some argument is null or holds a null. */
  boolean anyNullish() {
    for (Arg a : args) {
      if (a.nullish()) {
        return true;
      }
    }
    return false;
  }

  /** Whether an argument is a named pipe. */
  boolean usesNamedPipe() {
    for (Arg a : args) {
      if (a.label().equals(Fixtures.NAMED_PIPE)) {
        return true;
      }
    }
    return false;
  }

  /** Whether some argument is itself null. */
  boolean anyNull() {
    for (Arg a : args) {
      if (a.value() == null) {
        return true;
      }
    }
    return false;
  }

  /** {@code Tensor#slice(int,int,int,int) on f64[2,3] (0, MAX_VALUE-1, 5, 2) [ONE_HOSTILE, seed 12]}. */
  String describe() {
    StringJoiner j = new StringJoiner(", ", "(", ")");
    for (Arg a : args) {
      j.add(a.label());
    }
    return target.name() + (receiver == null ? "" : " on " + receiver.label()) + " with " + j
        + " [" + mode + (noGrad ? ", noGrad" : "") + ", seed " + seed + "]";
  }

  /** Invokes the target; only what the target throws comes back as {@link InvocationTargetException}. */
  Object invoke() throws ReflectiveOperationException {
    Object[] values = new Object[args.length];
    for (int i = 0; i < args.length; i++) {
      values[i] = args[i].value();
    }
    if (target.executable() instanceof Constructor<?> k) {
      return k.newInstance(values);
    }
    return ((Method) target.executable()).invoke(receiver == null ? null : receiver.value(), values);
  }

  /** What happened: a value (with the problems found in it), a throwable, or a timeout. */
  record Outcome(Object value, List<Contract.Problem> resultProblems, Throwable thrown,
                 StackTraceElement[] stuckAt, long nanos) {
    boolean timedOut() {
      return stuckAt != null;
    }
  }

  /** Raised for a call the harness itself got wrong (a reflection error): fails the run at once. */
  static final class HarnessError extends AssertionError {
    private static final long serialVersionUID = 1L;

    HarnessError(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Runs the call on a fresh daemon thread and waits at most {@code timeoutMillis} for it and for
   * the checks of its result (which run on that thread too: a toString that never ends is a hang
   * of the call).
   */
  Outcome run(long timeoutMillis) {
    FutureTask<Outcome> task = new FutureTask<>(() -> {
      long t0 = System.nanoTime();
      Object value;
      try (GradMode.Scope scope = noGrad ? Tensor.noGrad() : null) {
        value = invoke();
      } catch (InvocationTargetException e) {
        return new Outcome(null, List.of(), e.getCause(), null, System.nanoTime() - t0);
      }
      long nanos = System.nanoTime() - t0;
      List<Contract.Problem> problems = new ArrayList<>();
      Contract.checkResult(value, "the result", problems, 2, world.printing);
      return new Outcome(value, problems, null, null, nanos);
    });
    Thread th = new Thread(task, "cadena-fuzz " + target.name());
    th.setDaemon(true);
    th.start();
    try {
      return task.get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new HarnessError("fuzz harness error in " + describe() + ": " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      StackTraceElement[] stack = th.getStackTrace();
      stop(th);
      return new Outcome(null, List.of(), null, stack, TimeUnit.MILLISECONDS.toNanos(timeoutMillis));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop(th);
      throw new HarnessError("fuzz interrupted in " + describe(), e);
    } finally {
      world.close();
      if (th.isAlive()) {
        try {
          th.join(200);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /**
   * Stops a call that ran past its time. {@code Thread.stop} is the only way to end a thread stuck
   * in a loop that never checks for interruption (a toString that formats a billion elements);
   * the harness accepts its risks for the one thread that only this call used. Where the JDK no
   * longer supports it (20 and later) the daemon thread is left to finish on its own.
   */
  @SuppressWarnings({"deprecation", "removal"})
  private static void stop(Thread th) {
    th.interrupt();
    try {
      th.stop();
    } catch (UnsupportedOperationException e) {
      // JDK 20+: left running as a daemon thread.
    }
  }
}
