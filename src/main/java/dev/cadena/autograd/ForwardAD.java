package dev.cadena.autograd;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.tensor.Shapes;
import java.util.Arrays;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Forward-mode automatic differentiation with dual tensors, per thread, in the style of PyTorch's
 * {@code torch.autograd.forward_ad}: inside a level, a tensor made by {@link #makeDual} carries a
 * tangent {@code v}, and every op computes, next to its forward value {@code f(x)}, the tangent of
 * its result, the Jacobian-vector product {@code J_f(x) v}. Each primitive's JVP rule sits next to
 * its VJP ({@code dev.cadena.ops.Primitive#jvp}) and is written with tensor ops, so tangents
 * propagate through any composition and can be differentiated again.
 *
 * <pre>{@code
 * try (ForwardAD.Level level = ForwardAD.enter()) {
 *   Tensor x = ForwardAD.makeDual(Tensor.of(1.0, 2.0), Tensor.of(1.0, 0.0));
 *   Tensor y = x.mul(x).sum();           // y = x0^2 + x1^2
 *   Tensor dy = ForwardAD.tangent(y);    // <grad y, v> = 2 * x0 = 2.0
 * }
 * }</pre>
 *
 * <p>Forward over reverse: inside a level, {@code Tensor.grad(f(x), x)} with {@code x} dual
 * (tangent {@code v}) gives a gradient whose tangent is the Hessian-vector product {@code H v},
 * since the VJPs are tensor ops whose tangents propagate; the engine's fused and in-place fast
 * paths step aside for tensors that carry a tangent.
 *
 * <p>Limits: one level per thread (forward over forward is not supported: {@link #enter} inside
 * an open level throws); in-place updates of a dual tensor throw; a tangent is visible only while
 * its level is open, and {@code detach()} drops it. With no level open the only cost on the
 * recording path is one read of a static field.
 */
public final class ForwardAD {
  private ForwardAD() {}

  /** Open levels over all threads; zero means no thread can have a tangent to propagate. */
  private static volatile int openLevels;

  private static final ThreadLocal<Level> CURRENT = new ThreadLocal<>();

  /**
   * A forward-mode level, closed by {@link #close()} (use try-with-resources); the tangents made
   * at it are visible only while it is open, and only on its thread.
   */
  public static final class Level implements AutoCloseable {
    private final Thread owner = Thread.currentThread();
    private boolean open = true;
    /** True while a JVP rule runs: its ops compute no tangents of tangents at this level. */
    private boolean computing;

    private Level() {}

    /**
     * Closes the level; the tangents made at it become invisible. Closing twice does nothing.
     *
     * @throws IllegalStateException when called from another thread than the one that opened it
     */
    @Override
    public void close() {
      if (Thread.currentThread() != owner) {
        throw new IllegalStateException(
            "ForwardAD.Level.close: a level must be closed on the thread that entered it ("
                + owner.getName() + "), not " + Thread.currentThread().getName());
      }
      if (!open) {
        return;
      }
      open = false;
      if (CURRENT.get() == this) {
        CURRENT.remove();
      }
      synchronized (ForwardAD.class) {
        openLevels--;
      }
    }

    @Override
    public String toString() {
      return "ForwardAD.Level(" + (open ? "open" : "closed") + ")";
    }
  }

  /** The tangent of a tensor at a level: what {@code Tensor}'s forward-tangent field holds. */
  static final class Dual {
    final Level level;
    final Tensor tangent;

    Dual(Level level, Tensor tangent) {
      this.level = level;
      this.tangent = tangent;
    }
  }

  /**
   * Opens a forward-mode level on this thread.
   *
   * <pre>{@code
   * try (var level = ForwardAD.enter()) { ... ForwardAD.makeDual(x, v) ... }
   * }</pre>
   *
   * @throws IllegalStateException when a level is already open on this thread (nested levels,
   *     forward over forward, are not supported)
   */
  public static Level enter() {
    if (CURRENT.get() != null) {
      throw new IllegalStateException(
          "ForwardAD.enter: a forward-mode level is already open on this thread; nested levels"
              + " (forward over forward) are not supported: close the open level first, or"
              + " compose forward over reverse instead");
    }
    Level level = new Level();
    CURRENT.set(level);
    synchronized (ForwardAD.class) {
      openLevels++;
    }
    return level;
  }

  /** True when a forward-mode level is open on this thread. */
  public static boolean isActive() {
    return openLevels != 0 && CURRENT.get() != null;
  }

  /**
   * A tensor with {@code primal}'s values (sharing its storage and, when it requires grad, its
   * graph: gradients flow through to {@code primal}) and the tangent {@code tangent} at the open
   * level. {@code primal} itself is not changed.
   *
   * <pre>{@code
   * Tensor x = ForwardAD.makeDual(Tensor.of(3.0), Tensor.of(1.0));
   * ForwardAD.tangent(x.exp()); // e^3
   * }</pre>
   *
   * @throws IllegalStateException when no level is open on this thread
   * @throws IllegalArgumentException when the tangent's shape or dtype differ from the primal's,
   *     or they are not floating point
   */
  public static Tensor makeDual(Tensor primal, Tensor tangent) {
    checkNotNull(primal, "makeDual: primal is null");
    checkNotNull(tangent, "makeDual: tangent is null");
    Level level = CURRENT.get();
    if (level == null) {
      throw new IllegalStateException(
          "makeDual: no forward-mode level is open; use try (var level = ForwardAD.enter()) { ... }");
    }
    if (!Arrays.equals(primal.shape(), tangent.shape())) {
      throw new IllegalArgumentException(
          "makeDual: tangent shape " + Shapes.str(tangent.shape()) + " does not match primal shape "
              + Shapes.str(primal.shape()));
    }
    if (!primal.dtype().isFloatingPoint() || primal.dtype() != tangent.dtype()) {
      throw new IllegalArgumentException(
          "makeDual: primal and tangent must have the same floating-point dtype, got "
              + primal.dtype() + " and " + tangent.dtype());
    }
    Tensor dual;
    level.computing = true;
    try {
      // An identity op: a new tensor on the primal's storage, whose gradient flows to the primal.
      dual = Node.record("makeDual", primal.data(), new Tensor[] {primal},
          (n, grad) -> new Tensor[] {grad}, (t, in, out) -> t[0]);
    } finally {
      level.computing = false;
    }
    TensorAccess.get().setForwardTangent(dual, new Dual(level, tangent));
    return dual;
  }

  /**
   * The tangent of {@code t} at the open level, or null when it has none (or no level is open).
   * A tensor computed from dual tensors has the tangent {@code J v} of the ops that made it.
   */
  public static @Nullable Tensor tangent(Tensor t) {
    checkNotNull(t, "tangent: t is null");
    return openLevels == 0 ? null : tangentOf(t);
  }

  /**
   * Jacobian-vector products: runs {@code f} on dual tensors {@code primals[i]} with tangents
   * {@code tangents[i]} in a new level and returns {@code {outputs, outputTangents}}, where
   * {@code outputTangents[j] = sum_i J_ji tangents[i]}: zeros for an output that does not depend
   * on the inputs. The outputs carry no tangent once this returns.
   *
   * <pre>{@code
   * Tensor[][] r = ForwardAD.jvp(x -> new Tensor[] {x[0].sin()},
   *     new Tensor[] {Tensor.of(0.0)}, new Tensor[] {Tensor.of(2.0)});
   * // r[0][0] = sin 0 = 0, r[1][0] = cos 0 * 2 = 2
   * }</pre>
   *
   * @throws IllegalArgumentException when the arrays differ in length, or a tangent does not
   *     match its primal (see {@link #makeDual})
   * @throws IllegalStateException when a level is already open on this thread, or {@code f}
   *     returns null
   */
  public static Tensor[][] jvp(
      Function<Tensor[], Tensor[]> f, Tensor[] primals, Tensor[] tangents) {
    checkNotNull(f, "jvp: f is null");
    checkNotNull(primals, "jvp: primals is null");
    checkNotNull(tangents, "jvp: tangents is null");
    if (primals.length != tangents.length) {
      throw new IllegalArgumentException(
          "jvp: " + primals.length + " primals but " + tangents.length + " tangents");
    }
    for (int i = 0; i < primals.length; i++) {
      checkNotNull(primals[i], "jvp: primals[%s] is null", i);
      checkNotNull(tangents[i], "jvp: tangents[%s] is null", i);
    }
    try (Level level = enter()) {
      Tensor[] duals = new Tensor[primals.length];
      for (int i = 0; i < primals.length; i++) {
        duals[i] = makeDual(primals[i], tangents[i]);
      }
      Tensor[] outs = f.apply(duals);
      if (outs == null) {
        throw new IllegalStateException("jvp: f returned null");
      }
      Tensor[] outTangents = new Tensor[outs.length];
      for (int j = 0; j < outs.length; j++) {
        if (outs[j] == null) {
          throw new IllegalStateException("jvp: f returned null as output " + j);
        }
        Tensor t = tangentOf(outs[j]);
        outTangents[j] = t != null ? t : Tensor.zeros(outs[j].dtype(), outs[j].shape());
      }
      return new Tensor[][] {outs.clone(), outTangents};
    }
  }

  // ------------------------------------------------------------------ for the library

  /** The tangent of {@code t} at this thread's open level, or null; no null check. */
  static @Nullable Tensor tangentOf(Tensor t) {
    Object o = TensorAccess.get().forwardTangent(t);
    if (o == null) {
      return null;
    }
    Dual d = (Dual) o;
    return d.level.open && d.level == CURRENT.get() ? d.tangent : null;
  }

  /**
   * True when {@code a} or {@code b} carries a tangent at this thread's open level: a fused or
   * in-place fast path that would drop it must take the composable path instead. Costs one read of
   * a static field when no level is open anywhere.
   */
  public static boolean anyTangent(Tensor a, Tensor b) {
    checkNotNull(a, "anyTangent: a is null");
    checkNotNull(b, "anyTangent: b is null");
    return openLevels != 0 && (tangentOf(a) != null || tangentOf(b) != null);
  }

  /** Whether some level is open on some thread: the recording path's one check. */
  static boolean anyOpen() {
    return openLevels != 0;
  }

  /**
   * Computes and attaches the tangent of {@code out}, the result of op {@code name}, from the
   * tangents of its inputs with {@code jvp}; does nothing when no level is open on this thread,
   * while a JVP rule runs (no tangents of tangents at one level), or when no input has a tangent.
   */
  static void propagate(String name, Tensor out, Tensor[] inputs, Node.@Nullable Jvp jvp) {
    Level level = CURRENT.get();
    if (level == null || level.computing) {
      return;
    }
    Tensor[] t = null;
    for (int i = 0; i < inputs.length; i++) {
      Tensor ti = tangentOf(inputs[i]);
      if (ti != null) {
        if (t == null) {
          t = new Tensor[inputs.length];
        }
        t[i] = ti;
      }
    }
    if (t == null) {
      return;
    }
    if (jvp == null) {
      throw new AutogradException(
          name + ": forward mode reached an op recorded without a JVP rule; record it with"
              + " Node.record(name, result, inputs, vjp, jvp), or write it as a Function (whose"
              + " default jvp uses the double-VJP trick)");
    }
    if (!out.dtype().isFloatingPoint()) {
      return;
    }
    Tensor r;
    level.computing = true;
    try {
      r = Anomaly.on() ? Anomaly.runJvp(jvp, t, inputs.clone(), out) : jvp.apply(t, inputs.clone(), out);
    } finally {
      level.computing = false;
    }
    if (r == null) {
      return;
    }
    if (!Arrays.equals(r.shape(), out.shape())) {
      if (!Shapes.broadcastsTo(r.shape(), out.shape())) {
        throw new IllegalStateException(
            "forward mode: jvp of '" + name + "' returned a tangent of shape "
                + Shapes.str(r.shape()) + " for an output of shape " + Shapes.str(out.shape()));
      }
      level.computing = true;
      try {
        r = r.expand(out.shape());
      } finally {
        level.computing = false;
      }
    }
    if (r.dtype() != out.dtype()) {
      level.computing = true;
      try {
        r = r.to(out.dtype());
      } finally {
        level.computing = false;
      }
    }
    if (Anomaly.on()) {
      Anomaly.checkTangent(name, r, inputs);
    }
    TensorAccess.get().setForwardTangent(out, new Dual(level, r));
  }

  /**
   * Gives {@code copy}, a tensor with the values of {@code of} (an engine copy), the tangent of
   * {@code of}; does nothing when {@code of} has none.
   */
  static void copyTangent(Tensor of, Tensor copy) {
    if (openLevels == 0) {
      return;
    }
    Object o = TensorAccess.get().forwardTangent(of);
    if (o != null && tangentOf(of) != null) {
      TensorAccess.get().setForwardTangent(copy, o);
    }
  }

  /**
   * A scope in which ops compute no tangents (a {@link Function}'s forward, whose result's
   * tangent comes from its JVP); null when no level is open, for try-with-resources.
   */
  static @Nullable Scope suppress() {
    Level level = CURRENT.get();
    if (level == null || level.computing) {
      return null;
    }
    level.computing = true;
    return () -> level.computing = false;
  }

  /** What {@link #suppress} returns: a scope whose close throws nothing. */
  interface Scope extends AutoCloseable {
    @Override
    void close();
  }
}
