package dev.cadena.autograd;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.tensor.NDArray;
import dev.cadena.tensor.ShapeException;
import dev.cadena.tensor.Shapes;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Anomaly mode, per thread: finds the op that first produced a NaN or an infinity, in the forward
 * pass, in a backward pass or in a forward-mode (JVP) pass, and says where the user created it.
 *
 * <pre>{@code
 * try (var a = Anomaly.detect()) {
 *   Tensor loss = model.forward(x).log().mean();   // an AnomalyException here names the op
 *   loss.backward();                                // ... or here, "backward of '<op>'"
 * }
 * }</pre>
 *
 * <p>Inside a {@link #detect()} scope (scopes nest; other threads are unaffected):
 *
 * <ul>
 *   <li>each node records its creation site: the first frame of the stack that is the user's
 *       (see {@link #userSite()});
 *   <li>every forward output, every VJP output (each input's gradient) and every tangent handed
 *       to {@link #checkTangent} is checked for NaN and infinities; the first one found throws an
 *       {@link AnomalyException} naming the op, the phase, the creation site, each input's shape,
 *       min, max and NaN count, and the chain of ops back to the leaves with their sites;
 *   <li>the "modified in place after the forward pass" error names the creation site of the op
 *       that saved the tensor and of the tensor itself, and a {@code ShapeException} thrown on
 *       this thread names the user's line that made the failing call.
 * </ul>
 *
 * <p>A forward output that is meant to hold an infinity (a {@code -inf} attention mask) is an
 * anomaly too: use a large finite value inside the scope. The checks read every element of every
 * result, and the sites walk the stack, so the mode is for finding a bug, not for training. Off,
 * it costs one read of a shared counter per recorded op and per backward step.
 */
public final class Anomaly {
  /** Open scopes on all threads: zero almost always, so the off path reads no thread-local. */
  private static final AtomicInteger ACTIVE = new AtomicInteger();

  private static final ThreadLocal<State> STATE = ThreadLocal.withInitial(State::new);

  /** The most nodes the chain in a message lists. */
  private static final int CHAIN_LINES = 24;

  private static final StackWalker WALKER = StackWalker.getInstance();

  static {
    ShapeException.installContext(new ShapeContext());
  }

  /** What a shape error thrown on a thread in anomaly mode appends: the user's failing line. */
  private static final class ShapeContext implements Supplier<String> {
    @Override
    public String get() {
      return on() ? "called at " + userSite() : null;
    }
  }

  private static final class State {
    /** Open scopes on this thread. */
    int depth;
    /** Greater than zero while a VJP runs: its own ops are checked as its output, not one by one. */
    int inVjp;
  }

  private Anomaly() {}

  /**
   * Turns anomaly mode on for this thread until the returned scope is closed. Scopes nest: the
   * mode stays on until the outermost one is closed.
   */
  public static Scope detect() {
    State s = STATE.get();
    s.depth++;
    ACTIVE.incrementAndGet();
    return new Scope(s);
  }

  /** True when anomaly mode is on for this thread. */
  public static boolean isEnabled() {
    return ACTIVE.get() != 0 && STATE.get().depth > 0;
  }

  /**
   * The first frame of the current stack that belongs to the user, as {@code File.java:line}, or
   * {@code "unknown site"}. A frame is the user's unless its class is in {@code dev.cadena} or its
   * subpackages, or in the JDK ({@code java.}, {@code javax.}, {@code jdk.}, {@code sun.},
   * {@code com.sun.}); as an exception, a class in {@code dev.cadena} whose top-level class name
   * ends in {@code Test} is the user's, so the library's own tests name their lines.
   */
  public static String userSite() {
    Optional<StackWalker.StackFrame> f =
        WALKER.walk(s -> s.filter(frame -> isUserFrame(frame.getClassName())).findFirst());
    if (f.isEmpty()) {
      return "unknown site";
    }
    StackWalker.StackFrame frame = f.get();
    String file = frame.getFileName();
    if (file == null) {
      file = frame.getClassName();
    }
    return frame.getLineNumber() > 0 ? file + ":" + frame.getLineNumber() : file;
  }

  static boolean isUserFrame(String className) {
    if (className.startsWith("dev.cadena.")) {
      int nested = className.indexOf('$');
      String top = nested < 0 ? className : className.substring(0, nested);
      return top.endsWith("Test");
    }
    return !(className.startsWith("java.") || className.startsWith("javax.")
        || className.startsWith("jdk.") || className.startsWith("sun.")
        || className.startsWith("com.sun."));
  }

  /**
   * In anomaly mode, checks a forward-mode tangent: throws when {@code tangent} holds a NaN or an
   * infinity, naming phase {@code "jvp of <op>"}, the user's line and the primals' statistics.
   * Outside anomaly mode it does nothing. Forward mode calls it for each tangent a JVP rule
   * returns.
   *
   * <pre>{@code
   * Anomaly.checkTangent("log", tangent, x);   // throws inside detect() when tangent has a NaN
   * }</pre>
   *
   * @param op the op whose JVP produced {@code tangent}
   * @param tangent the tangent to check
   * @param primals the op's inputs (for the message)
   * @throws AnomalyException when anomaly mode is on and {@code tangent} is not finite
   */
  public static void checkTangent(String op, Tensor tangent, Tensor... primals) {
    checkNotNull(op, "Anomaly.checkTangent: op is null");
    checkNotNull(tangent, "Anomaly.checkTangent: tangent is null");
    checkNotNull(primals, "Anomaly.checkTangent: primals is null");
    if (!isEnabled()) {
      return;
    }
    long[] bad = nonFinite(tangent.data());
    if (bad == null) {
      return;
    }
    String site = userSite();
    StringBuilder sb = header("jvp of '" + op + "'", bad, tangent.data(), "the tangent", site);
    for (int i = 0; i < primals.length; i++) {
      if (primals[i] != null) {
        sb.append("\n  primal ").append(i).append(": ").append(stats(primals[i].data()));
      }
    }
    chain(sb, op, site, primals);
    throw new AnomalyException(op, "jvp of " + op, site, sb.toString());
  }

  // ------------------------------------------------------------- hooks of Node and Engine

  /** True when the checks of this thread are on; the off path reads one shared counter. */
  static boolean on() {
    return ACTIVE.get() != 0 && STATE.get().depth > 0;
  }

  /**
   * For {@link Node#record} in anomaly mode: the creation site of the op's result when grad mode
   * is on (else null), after checking the result (unless a VJP is running: the engine checks the
   * gradients it returns instead).
   */
  static String forward(String op, NDArray result, Tensor[] inputs) {
    // Only a recorded node keeps its site: without grad mode (a VJP run without createGraph,
    // a noGrad scope) the stack is walked only to report an anomaly.
    if (STATE.get().inVjp > 0) {
      return GradMode.isEnabled() ? userSite() : null;
    }
    long[] bad = nonFinite(result);
    if (bad == null) {
      return GradMode.isEnabled() ? userSite() : null;
    }
    String site = userSite();
    StringBuilder sb = header("forward of '" + op + "'", bad, result, "its output", site);
    for (int i = 0; i < inputs.length; i++) {
      sb.append("\n  input ").append(i).append(": ").append(stats(inputs[i].data()));
    }
    chain(sb, op, site, inputs);
    throw new AnomalyException(op, "forward", site, sb.toString());
  }

  /**
   * For forward mode in anomaly mode: runs an op's JVP rule with its inner ops unchecked (so the
   * report names the op, not a {@code mul} inside its rule); the caller checks the tangent with
   * {@link #checkTangent} once it has its final shape and dtype.
   */
  static Tensor runJvp(Node.Jvp jvp, Tensor[] tangents, Tensor[] inputs, Tensor out) {
    State s = STATE.get();
    s.inVjp++;
    try {
      return jvp.apply(tangents, inputs, out);
    } finally {
      s.inVjp--;
    }
  }

  /**
   * For the engine in anomaly mode: runs {@code node}'s VJP with its inner ops unchecked, then
   * checks the gradient of every input that needs one.
   */
  static Tensor[] runVjp(Node node, Tensor grad) {
    State s = STATE.get();
    Tensor[] grads;
    s.inVjp++;
    try {
      grads = node.runVjp(grad);
    } finally {
      s.inVjp--;
    }
    for (int i = 0; i < grads.length; i++) {
      Tensor gi = grads[i];
      if (gi == null || !node.edge(i).requiresGrad()) {
        continue;
      }
      long[] bad = nonFinite(gi.data());
      if (bad != null) {
        throw backwardAnomaly(node, i, gi, grad, bad);
      }
    }
    return grads;
  }

  private static AnomalyException backwardAnomaly(
      Node node, int i, Tensor gi, Tensor grad, long[] bad) {
    String site = siteOf(node);
    StringBuilder sb =
        header("backward of '" + node.name() + "'", bad, gi.data(), "the gradient of input " + i,
            site);
    for (int k = 0, n = node.inputCount(); k < n; k++) {
      sb.append("\n  input ").append(k).append(": ").append(stats(node.edge(k).data()));
    }
    sb.append("\n  upstream gradient: ").append(stats(grad.data()));
    Tensor[] inputs = node.inputs().toArray(new Tensor[0]);
    chain(sb, node.name(), site, inputs);
    return new AnomalyException(node.name(), "backward of " + node.name(), site, sb.toString());
  }

  /** A node's creation site, or a note that it was created outside anomaly mode. */
  static String siteOf(Node node) {
    String s = node.site();
    return s != null ? s : "unknown site (created outside anomaly mode)";
  }

  // ------------------------------------------------------------- messages

  private static StringBuilder header(
      String phase, long[] bad, NDArray value, String what, String site) {
    StringBuilder sb = new StringBuilder("anomaly: ").append(phase).append(" produced ");
    if (bad[0] > 0) {
      sb.append(bad[0]).append(" NaN");
    }
    if (bad[1] > 0) {
      sb.append(bad[0] > 0 ? " and " : "").append(bad[1]).append(" infinite");
    }
    sb.append(" of ").append(value.size()).append(" elements in ").append(what)
        .append(" (shape ").append(Shapes.str(value.shape())).append("); op created at ")
        .append(site);
    return sb;
  }

  /** {NaN count, infinity count} of a floating-point array, or null when every element is finite. */
  private static long[] nonFinite(NDArray a) {
    if (!a.dtype().isFloatingPoint()) {
      return null;
    }
    long nan = 0;
    long inf = 0;
    for (double v : a.toDoubleArray()) {
      if (Double.isNaN(v)) {
        nan++;
      } else if (Double.isInfinite(v)) {
        inf++;
      }
    }
    return nan == 0 && inf == 0 ? null : new long[] {nan, inf};
  }

  /** {@code shape [2, 3], min -1, max 4, NaN 0} (min and max over the non-NaN elements). */
  static String stats(NDArray a) {
    StringBuilder sb = new StringBuilder("shape ").append(Shapes.str(a.shape()));
    if (a.size() == 0) {
      return sb.append(", empty").toString();
    }
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    long nan = 0;
    for (double v : a.toDoubleArray()) {
      if (Double.isNaN(v)) {
        nan++;
      } else {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
    }
    if (nan == a.size()) {
      return sb.append(", all NaN").toString();
    }
    return sb.append(", min ").append(num(min)).append(", max ").append(num(max))
        .append(", NaN ").append(nan).toString();
  }

  private static String num(double v) {
    return String.format(Locale.ROOT, "%.6g", v);
  }

  /**
   * Appends the chain of ops from the op at {@code site} back to the leaves: one line per node,
   * indented by its distance, each node listed once (a node reached again says so).
   */
  private static void chain(StringBuilder sb, String op, String site, Tensor[] inputs) {
    sb.append("\n  chain back to the leaves:\n    ").append(op).append(" at ").append(site);
    Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Deque<Object[]> stack = new ArrayDeque<>();
    for (int i = inputs.length - 1; i >= 0; i--) {
      stack.push(new Object[] {inputs[i], 1});
    }
    int lines = 0;
    while (!stack.isEmpty()) {
      Object[] top = stack.pop();
      Tensor t = (Tensor) top[0];
      int depth = (Integer) top[1];
      if (t == null) {
        continue;
      }
      if (++lines > CHAIN_LINES) {
        sb.append("\n    ...");
        return;
      }
      sb.append("\n    ").append("  ".repeat(depth)).append("<- ");
      Node n = t.gradFn();
      if (n == null) {
        sb.append("leaf ").append(Shapes.str(t.shape()))
            .append(t.requiresGrad() ? " (requires grad)" : " (constant)");
        continue;
      }
      sb.append(n.name()).append(" at ").append(siteOf(n));
      if (!seen.add(n)) {
        sb.append(" (see above)");
        continue;
      }
      if (n.isReleased()) {
        sb.append(" (graph freed)");
        continue;
      }
      for (int i = n.inputCount() - 1; i >= 0; i--) {
        stack.push(new Object[] {n.edge(i), depth + 1});
      }
    }
  }

  /** Ends an anomaly-mode scope; closing twice is harmless. */
  public static final class Scope implements AutoCloseable {
    private final State state;
    private boolean closed;

    private Scope(State state) {
      this.state = state;
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        state.depth--;
        ACTIVE.decrementAndGet();
      }
    }
  }
}
