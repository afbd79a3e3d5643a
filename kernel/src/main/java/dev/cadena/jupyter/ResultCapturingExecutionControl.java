package dev.cadena.jupyter;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import jdk.jshell.execution.DirectExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

/**
 * Runs JShell snippets inside the kernel's own JVM and keeps the value of the last one as an
 * object.
 *
 * <p>JShell's execution engines hand values back as strings, but the kernel needs the object to
 * render a {@code BufferedImage} as PNG. So {@link #invoke(Method)} stores the value and returns
 * a key instead; the kernel exchanges the key for the object with {@link #takeResult(String)}.
 * Only the latest value is kept, so a large result is not pinned in memory by the kernel.
 *
 * <p>Each snippet runs on a fresh thread whose context class loader is the one that loaded the
 * snippet (and sees the jars added by {@code %classpath}), so {@link #stop()} can interrupt it,
 * and libraries that look up resources or services through the context loader find them.
 */
public final class ResultCapturingExecutionControl extends DirectExecutionControl {

  /** Prefix of the keys returned instead of value strings. */
  static final String KEY_PREFIX = "@cadena-result#";

  private final AtomicLong counter = new AtomicLong();
  private final ThreadGroup group = new ThreadGroup("cadena-jshell");

  private String lastKey;
  private Object lastValue;
  private volatile Thread running;
  private volatile boolean stopRequested;

  /** Registers this engine with JShell; see {@link jdk.jshell.JShell.Builder#executionEngine}. */
  public static final class Provider implements ExecutionControlProvider {
    private ResultCapturingExecutionControl instance;

    @Override
    public String name() {
      return "cadena-local";
    }

    @Override
    public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
      instance = new ResultCapturingExecutionControl();
      return instance;
    }

    /** The engine made by the last {@link #generate} call, or null before JShell asked for one. */
    public ResultCapturingExecutionControl instance() {
      return instance;
    }
  }

  @Override
  protected String invoke(Method doitMethod) throws Exception {
    Object[] value = new Object[1];
    Throwable[] failure = new Throwable[1];
    Thread worker =
        new Thread(
            group,
            () -> {
              try {
                value[0] = doitMethod.invoke(null);
              } catch (Throwable t) {
                failure[0] = t;
              }
            },
            "cadena-snippet-" + counter.get());
    worker.setContextClassLoader(doitMethod.getDeclaringClass().getClassLoader());
    stopRequested = false;
    running = worker;
    try {
      worker.start();
      worker.join();
    } finally {
      running = null;
      System.out.flush();
      System.err.flush();
    }
    if (stopRequested) {
      throw new ExecutionControl.StoppedException();
    }
    if (failure[0] instanceof InvocationTargetException) {
      throw (InvocationTargetException) failure[0]; // the caller reports the user's exception
    }
    if (failure[0] != null) {
      throw new InvocationTargetException(failure[0]);
    }
    synchronized (this) {
      lastKey = KEY_PREFIX + counter.incrementAndGet();
      lastValue = value[0];
      return lastKey;
    }
  }

  /**
   * Returns the value stored under {@code key} and forgets it.
   *
   * @throws IllegalStateException when {@code key} is not the key of the latest value, or the
   *     value was already taken
   */
  public synchronized Object takeResult(String key) {
    if (key == null || !key.equals(lastKey)) {
      throw new IllegalStateException(
          "no snippet value stored under " + key + " (latest is " + lastKey + ")");
    }
    Object value = lastValue;
    clearResult();
    return value;
  }

  /** Forgets the latest value, so it can be garbage collected. */
  public synchronized void clearResult() {
    lastKey = null;
    lastValue = null;
  }

  /** Whether {@code value} (a snippet event's value) is a key made by this engine. */
  static boolean isResultKey(String value) {
    return value != null && value.startsWith(KEY_PREFIX);
  }

  /**
   * Interrupts the running snippet, then stops its thread if it ignores the interrupt for a
   * while, since a user's tight loop never checks for interruption.
   */
  @Override
  @SuppressWarnings({"deprecation", "removal"})
  public void stop() {
    Thread worker = running;
    if (worker == null) {
      return;
    }
    stopRequested = true;
    worker.interrupt();
    try {
      worker.join(500);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (worker.isAlive()) {
      try {
        worker.stop(); // works up to Java 19; there is no other way out of a tight loop
      } catch (UnsupportedOperationException e) {
        // Java 20+: only code that checks Thread.interrupted() can be stopped.
      }
    }
  }
}
