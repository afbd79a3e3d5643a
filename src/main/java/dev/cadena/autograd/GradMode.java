package dev.cadena.autograd;

/**
 * Whether operations record a graph, per thread. On by default; switched off inside a
 * {@link #noGrad()} scope:
 *
 * <pre>{@code
 * try (var scope = GradMode.noGrad()) {
 *   w.sub_(w.grad().mul(0.1));   // an update that must not be recorded
 * }
 * }</pre>
 *
 * <p>Each thread has its own mode, so independent graphs built on different threads do not
 * interfere.
 */
public final class GradMode {
  private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

  private GradMode() {}

  /** True when operations on this thread record a graph. */
  public static boolean isEnabled() {
    return ENABLED.get()[0];
  }

  /** Disables recording on this thread until the returned scope is closed. */
  public static Scope noGrad() {
    return set(false);
  }

  /** Enables recording on this thread until the returned scope is closed (e.g. inside noGrad). */
  public static Scope enableGrad() {
    return set(true);
  }

  /** Sets the mode on this thread until the returned scope is closed, which restores the old one. */
  public static Scope set(boolean enabled) {
    boolean[] cell = ENABLED.get();
    Scope s = new Scope(cell, cell[0]);
    cell[0] = enabled;
    return s;
  }

  /** Restores the previous grad mode when closed; closing twice is harmless. */
  public static final class Scope implements AutoCloseable {
    private final boolean[] cell;
    private final boolean previous;
    private boolean closed;

    private Scope(boolean[] cell, boolean previous) {
      this.cell = cell;
      this.previous = previous;
    }

    @Override
    public void close() {
      if (!closed) {
        cell[0] = previous;
        closed = true;
      }
    }
  }
}
