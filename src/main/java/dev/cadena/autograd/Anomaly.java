package dev.cadena.autograd;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.MapMaker;
import dev.cadena.Tensor;
import dev.cadena.tensor.NDArray;
import dev.cadena.tensor.ShapeException;
import dev.cadena.tensor.Shapes;
import java.lang.ref.WeakReference;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

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
 *       (see {@link #userSite()}); so does each tensor without a node (a factory's result, an
 *       op's result without a graph, a detached view), in a weak identity map;
 *   <li>every forward output, every VJP output (each input's gradient) and every tangent handed
 *       to {@link #checkTangent} is checked for NaN and infinities; the first one found throws an
 *       {@link AnomalyException} naming the op, the phase, the creation site, each input's shape,
 *       min, max and NaN count, and the chain of ops back to the leaves with their sites;
 *   <li>the "modified in place after the forward pass" error names the creation site of the op
 *       that saved the tensor, of the tensor itself and of the view the update went through when
 *       that is another tensor;
 *   <li>a {@code ShapeException} thrown on this thread names the user's line that made the
 *       failing call and each operand of the failing op (ops tell them with {@link #operands}):
 *       {@code (called at Train.java:42; a [2, 3] made by relu at Train.java:40, b [4, 5] leaf
 *       created at Train.java:12)}; a tensor created before the scope opened is "created outside
 *       anomaly mode".
 * </ul>
 *
 * <p>A forward output that is meant to hold an infinity (a {@code -inf} attention mask) is an
 * anomaly too: use a large finite value inside the scope. The checks read every element of every
 * result, and the sites walk the stack, so the mode is for finding a bug, not for training. Off,
 * it costs one read of a shared counter per recorded op, per created tensor, per op entry and per
 * backward step, and allocates nothing.
 */
public final class Anomaly {
  /** Open scopes on all threads: zero almost always, so the off path reads no thread-local. */
  private static final AtomicInteger ACTIVE = new AtomicInteger();

  private static final ThreadLocal<State> STATE = ThreadLocal.withInitial(State::new);

  /** The most nodes the chain in a message lists. */
  private static final int CHAIN_LINES = 24;

  private static final StackWalker WALKER = StackWalker.getInstance();

  /** The most operands a shape error lists (a {@code concat} of many parts names the first few). */
  private static final int OPERAND_LINES = 8;

  /**
   * Where each tensor without a node was created in anomaly mode (a node keeps its own site):
   * weak keys compared by identity, so an entry goes when its tensor does. One map for all
   * threads, so a tensor made on a worker thread in the mode keeps its site on another.
   */
  private static final ConcurrentMap<Tensor, Made> MADE = new MapMaker().weakKeys().makeMap();

  /**
   * The tensor each in-place update named in anomaly mode changed, keyed by the update's name:
   * a fresh string per update, which the storage keeps as its last update (identity keys).
   */
  private static final ConcurrentMap<String, Updated> UPDATES =
      new MapMaker().weakKeys().makeMap();

  /**
   * A tensor's creation: the op that made it without a graph, or null for a leaf; the user's
   * site, or null for a tensor a VJP or JVP rule made (a gradient or a tangent).
   */
  private record Made(@Nullable String op, @Nullable String site) {}

  /** What a tensor made inside a VJP or JVP rule records: no stack walk per gradient. */
  private static final Made IN_RULE = new Made(null, null);

  /** The tensor an in-place update changed (held weakly) and how it was described then. */
  private record Updated(WeakReference<Tensor> tensor, String description) {}

  static {
    ShapeException.installContext(new ShapeContext());
  }

  /**
   * What a shape error thrown on a thread in anomaly mode appends: the user's failing line and the
   * operands of the innermost op still running (with those of the outermost, the user's call, when
   * it is another op on other tensors), each with its shape and where it was made.
   */
  private static final class ShapeContext implements UnaryOperator<String> {
    @Override
    public String apply(String message) {
      if (!on()) {
        return null;
      }
      StringBuilder sb = new StringBuilder("called at ").append(userSite());
      Operands inner = STATE.get().operands;
      // An op that re-enters itself (a 3-d input unsqueezed and passed to the 4-d path, a layer
      // calling the function it is built on under its own name) is reported as the user called
      // it: the outermost of a run of handles of the same op.
      while (inner != null && inner.previous != null && inner.previous.op.equals(inner.op)) {
        inner = inner.previous;
      }
      if (inner != null) {
        Operands outer = inner;
        while (outer.previous != null) {
          outer = outer.previous;
        }
        if (inner.anyTensor()) {
          sb.append("; ");
          inner.describeTo(sb, !message.startsWith(inner.op + ":"));
        }
        if (outer != inner && outer.anyTensor() && !outer.op.equals(inner.op)
            && !inner.sameTensors(outer)) {
          sb.append("; ");
          outer.describeTo(sb, true);
        }
      }
      return sb.toString();
    }
  }

  private static final class State {
    /** Open scopes on this thread. */
    int depth;
    /** Greater than zero while a VJP runs: its own ops are checked as its output, not one by one. */
    int inVjp;
    /** The operands of the innermost op running on this thread that told them, or null. */
    Operands operands;
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

  // ------------------------------------------------------------- operands of shape errors

  /**
   * In anomaly mode, tells this thread that op {@code op} runs on {@code t0}, so that a {@code
   * ShapeException} thrown before the returned handle is closed names the operand, its shape, the
   * op that made it (or "leaf") and where the user created it:
   * {@code ... (called at Train.java:42; x [2, 3] made by relu at Train.java:40)}. Off, it
   * returns null and does nothing else (one read of a shared counter); a try-with-resources
   * statement skips a null resource, so an op's public entry reads:
   *
   * <pre>{@code
   * try (var o = Anomaly.operands("reshape", "x", x)) {
   *   return reshape0(x, shape);
   * }
   * }</pre>
   *
   * <p>Handles nest (a composition calling a primitive): the error names the operands of the
   * innermost op still running, and those of the outermost when it is another op on other
   * tensors ({@code ...; in linear: x [2, 3] ...}); when the message is not the innermost op's,
   * its operands are prefixed with its name the same way. Nested handles of the same op (an op
   * re-entering itself with a reshaped input, a layer on the function of its name) count as the
   * outermost of them, the call the user made. A closed handle is never named, so an op that
   * already returned is never reported.
   *
   * @param op the op's name, as its error messages begin
   * @param name0 the operand's parameter name, e.g. {@code "x"}
   * @param t0 the operand; null is left out of the message
   * @return the handle to close when the op completes, or null outside anomaly mode
   */
  public static @Nullable Operands operands(String op, String name0, @Nullable Tensor t0) {
    checkNotNull(op, "Anomaly.operands: op is null");
    checkNotNull(name0, "Anomaly.operands: name0 is null");
    if (!on()) {
      return null;
    }
    return push(op, new String[] {name0}, new Tensor[] {t0});
  }

  /**
   * {@link #operands(String, String, Tensor)} for an op of two operands, e.g. {@code
   * Anomaly.operands("matmul", "a", a, "b", b)}.
   */
  public static @Nullable Operands operands(
      String op, String name0, @Nullable Tensor t0, String name1, @Nullable Tensor t1) {
    checkNotNull(op, "Anomaly.operands: op is null");
    checkNotNull(name0, "Anomaly.operands: name0 is null");
    checkNotNull(name1, "Anomaly.operands: name1 is null");
    if (!on()) {
      return null;
    }
    return push(op, new String[] {name0, name1}, new Tensor[] {t0, t1});
  }

  /**
   * {@link #operands(String, String, Tensor)} for an op of three operands, e.g. {@code
   * Anomaly.operands("where", "cond", cond, "a", a, "b", b)}.
   */
  public static @Nullable Operands operands(String op, String name0, @Nullable Tensor t0,
      String name1, @Nullable Tensor t1, String name2, @Nullable Tensor t2) {
    checkNotNull(op, "Anomaly.operands: op is null");
    checkNotNull(name0, "Anomaly.operands: name0 is null");
    checkNotNull(name1, "Anomaly.operands: name1 is null");
    checkNotNull(name2, "Anomaly.operands: name2 is null");
    if (!on()) {
      return null;
    }
    return push(op, new String[] {name0, name1, name2}, new Tensor[] {t0, t1, t2});
  }

  /**
   * {@link #operands(String, String, Tensor)} for an op of four operands, e.g. {@code
   * Anomaly.operands("RNN", "input", x, "h0", h0, "weight_ih_l0", wIh, "weight_hh_l0", wHh)}.
   * Each arity has its own overload, to 7, so that the off path allocates no varargs array.
   */
  public static @Nullable Operands operands(String op, String name0, @Nullable Tensor t0,
      String name1, @Nullable Tensor t1, String name2, @Nullable Tensor t2, String name3,
      @Nullable Tensor t3) {
    checkNames(op, name0, name1, name2, name3, "", "", "");
    if (!on()) {
      return null;
    }
    return push(op, new String[] {name0, name1, name2, name3}, new Tensor[] {t0, t1, t2, t3});
  }

  /**
   * {@link #operands(String, String, Tensor)} for an op of five operands, e.g. {@code
   * Anomaly.operands("batchNorm", "input", x, "mean", m, "var", v, "weight", w, "bias", b)}.
   */
  public static @Nullable Operands operands(String op, String name0, @Nullable Tensor t0,
      String name1, @Nullable Tensor t1, String name2, @Nullable Tensor t2, String name3,
      @Nullable Tensor t3, String name4, @Nullable Tensor t4) {
    checkNames(op, name0, name1, name2, name3, name4, "", "");
    if (!on()) {
      return null;
    }
    return push(op, new String[] {name0, name1, name2, name3, name4},
        new Tensor[] {t0, t1, t2, t3, t4});
  }

  /**
   * {@link #operands(String, String, Tensor)} for an op of six operands, e.g. the input, state,
   * weights and biases of {@code gruCell}.
   */
  public static @Nullable Operands operands(String op, String name0, @Nullable Tensor t0,
      String name1, @Nullable Tensor t1, String name2, @Nullable Tensor t2, String name3,
      @Nullable Tensor t3, String name4, @Nullable Tensor t4, String name5, @Nullable Tensor t5) {
    checkNames(op, name0, name1, name2, name3, name4, name5, "");
    if (!on()) {
      return null;
    }
    return push(op, new String[] {name0, name1, name2, name3, name4, name5},
        new Tensor[] {t0, t1, t2, t3, t4, t5});
  }

  /**
   * {@link #operands(String, String, Tensor)} for an op of seven operands, e.g. the input, both
   * states, weights and biases of {@code lstmCell}.
   */
  public static @Nullable Operands operands(String op, String name0, @Nullable Tensor t0,
      String name1, @Nullable Tensor t1, String name2, @Nullable Tensor t2, String name3,
      @Nullable Tensor t3, String name4, @Nullable Tensor t4, String name5, @Nullable Tensor t5,
      String name6, @Nullable Tensor t6) {
    checkNames(op, name0, name1, name2, name3, name4, name5, name6);
    if (!on()) {
      return null;
    }
    return push(op, new String[] {name0, name1, name2, name3, name4, name5, name6},
        new Tensor[] {t0, t1, t2, t3, t4, t5, t6});
  }

  /** The null checks of the wide overloads, one parameter each (no varargs: nothing allocated). */
  private static void checkNames(String op, String name0, String name1, String name2,
      String name3, String name4, String name5, String name6) {
    checkNotNull(op, "Anomaly.operands: op is null");
    checkNotNull(name0, "Anomaly.operands: name0 is null");
    checkNotNull(name1, "Anomaly.operands: name1 is null");
    checkNotNull(name2, "Anomaly.operands: name2 is null");
    checkNotNull(name3, "Anomaly.operands: name3 is null");
    checkNotNull(name4, "Anomaly.operands: name4 is null");
    checkNotNull(name5, "Anomaly.operands: name5 is null");
    checkNotNull(name6, "Anomaly.operands: name6 is null");
  }

  /**
   * {@link #operands(String, String, Tensor)} for an op on a list of tensors, named {@code
   * name[0]}, {@code name[1]}, ... (the first {@value #OPERAND_LINES}, then a count), e.g.
   * {@code Anomaly.operands("concat", "parts", parts)}; a null list or element is left out.
   */
  public static @Nullable Operands operands(
      String op, String name, @Nullable List<? extends @Nullable Tensor> ts) {
    checkNotNull(op, "Anomaly.operands: op is null");
    checkNotNull(name, "Anomaly.operands: name is null");
    if (!on()) {
      return null;
    }
    return indexed(op, name, ts == null ? new Tensor[0] : ts.toArray(new Tensor[0]));
  }

  /**
   * {@link #operands(String, String, List)} for an array, e.g. {@code
   * Anomaly.operands("einsum", "operands", operands)}; the array is copied.
   */
  public static @Nullable Operands operands(
      String op, String name, @Nullable Tensor @Nullable [] ts) {
    checkNotNull(op, "Anomaly.operands: op is null");
    checkNotNull(name, "Anomaly.operands: name is null");
    if (!on()) {
      return null;
    }
    return indexed(op, name, ts == null ? new Tensor[0] : ts.clone());
  }

  private static Operands indexed(String op, String name, Tensor[] ts) {
    String[] names = new String[ts.length];
    for (int i = 0; i < names.length; i++) {
      names[i] = name + "[" + i + "]";
    }
    return push(op, names, ts);
  }

  private static Operands push(String op, String[] names, Tensor[] ts) {
    State s = STATE.get();
    Operands o = new Operands(s, s.operands, op, names, ts);
    s.operands = o;
    return o;
  }

  /**
   * The operands an op told anomaly mode of, until {@link #close()}: see {@link
   * #operands(String, String, Tensor)}.
   */
  public static final class Operands implements AutoCloseable {
    private final State state;
    private final @Nullable Operands previous;
    private final String op;
    private final String[] names;
    private final @Nullable Tensor[] tensors;
    private boolean closed;

    private Operands(State state, @Nullable Operands previous, String op, String[] names,
        @Nullable Tensor[] tensors) {
      this.state = state;
      this.previous = previous;
      this.op = op;
      this.names = names;
      this.tensors = tensors;
    }

    /**
     * Ends the op's report: from now on a shape error names the operands of the op that called
     * it, if any. Closing twice is harmless.
     */
    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      // Handles close innermost first (try-with-resources); one left open inside is dropped too.
      for (Operands o = state.operands; o != null; o = o.previous) {
        if (o == this) {
          state.operands = previous;
          return;
        }
      }
    }

    /** True when an operand is not null (a null one is left out of the message). */
    private boolean anyTensor() {
      for (Tensor t : tensors) {
        if (t != null) {
          return true;
        }
      }
      return false;
    }

    /** True when both hold the same tensors (by identity) in the same order. */
    private boolean sameTensors(Operands other) {
      if (tensors.length != other.tensors.length) {
        return false;
      }
      for (int i = 0; i < tensors.length; i++) {
        if (tensors[i] != other.tensors[i]) {
          return false;
        }
      }
      return true;
    }

    /** {@code a [2, 3] made by relu at T.java:4, b [3] leaf created at T.java:2}. */
    private void describeTo(StringBuilder sb, boolean withOp) {
      if (withOp) {
        sb.append("in ").append(op).append(": ");
      }
      int listed = 0;
      int left = 0;
      for (int i = 0; i < tensors.length; i++) {
        Tensor t = tensors[i];
        if (t == null) {
          continue;
        }
        if (listed == OPERAND_LINES) {
          left++;
          continue;
        }
        sb.append(listed++ == 0 ? "" : ", ").append(names[i]).append(' ').append(describe(t));
      }
      if (left > 0) {
        sb.append(", ... (").append(left).append(" more)");
      }
    }
  }

  /**
   * A tensor's shape, the op that made it (or "leaf") and its creation site in anomaly mode:
   * {@code [2, 3] made by relu at Train.java:40}, {@code [4, 5] leaf created at Train.java:12},
   * or {@code [4, 5] leaf created outside anomaly mode} for one created before a scope opened (or
   * on a thread not in the mode).
   */
  static String describe(Tensor t) {
    StringBuilder sb = new StringBuilder(Shapes.str(t.shape()));
    Node n = t.gradFn();
    if (n != null) {
      return sb.append(" made by ").append(n.name()).append(' ').append(creation(t)).toString();
    }
    Made m = MADE.get(t);
    if (m != null && m.op() != null) {
      return sb.append(" made by ").append(m.op()).append(' ').append(creation(t)).toString();
    }
    return sb.append(" leaf created ").append(creation(t)).toString();
  }

  /**
   * {@code at File.java:line}; {@code in a backward or forward-mode pass} for a gradient or a
   * tangent; or {@code outside anomaly mode} when nothing was recorded.
   */
  static String creation(Tensor t) {
    Node n = t.gradFn();
    String site;
    if (n != null) {
      site = n.site();
    } else {
      Made m = MADE.get(t);
      if (m == IN_RULE) {
        return "in a backward or forward-mode pass";
      }
      site = m == null ? null : m.site();
    }
    return site == null ? "outside anomaly mode" : "at " + site;
  }

  /**
   * For {@link Tensor}'s constructor in anomaly mode: records where the user created a tensor
   * without a node (a factory's result, a constant an op returned, a detached view), so that shape
   * errors can name it. Outside the mode it does nothing; a tensor with a node keeps its site in
   * the node, and one a VJP or JVP rule makes (a gradient, a tangent) is marked as such without a
   * walk of the stack.
   *
   * <pre>{@code
   * Anomaly.created(t);   // called by Tensor; t's creation site is now the user's line
   * }</pre>
   */
  public static void created(Tensor t) {
    checkNotNull(t, "Anomaly.created: t is null");
    if (!on() || t.gradFn() != null) {
      return;
    }
    MADE.put(t, STATE.get().inVjp > 0 ? IN_RULE : new Made(null, userSite()));
  }

  /** For {@link Node#record}: a result recorded without a node was made by {@code op}. */
  static void madeBy(Tensor t, String op) {
    Made m = MADE.get(t);
    if (m != null && m != IN_RULE) {
      MADE.put(t, new Made(op, m.site()));
    }
  }

  /**
   * For {@link Tensor}'s in-place methods: the name under which an in-place update of {@code t}
   * by {@code op} is stored as its storage's last update. Outside anomaly mode it is {@code op};
   * inside, {@code "sub_ at Train.java:42"}, and anomaly mode remembers that this update changed
   * {@code t}, so that the "modified in place" error can name {@code t} when it is another tensor
   * than the saved one (a view sharing its storage).
   *
   * <pre>{@code
   * data.nameLastUpdate(Anomaly.updated(this, "sub_"));
   * }</pre>
   */
  public static String updated(Tensor t, String op) {
    checkNotNull(t, "Anomaly.updated: t is null");
    checkNotNull(op, "Anomaly.updated: op is null");
    if (!on()) {
      return op;
    }
    String name = op + " at " + userSite();
    UPDATES.put(name, new Updated(new WeakReference<>(t), describe(t)));
    return name;
  }

  /**
   * For the "modified in place" error: the description of the tensor that update {@code update}
   * (a name {@link #updated} returned) changed, when that is not {@code saved}; else null.
   */
  static @Nullable String modifiedOther(@Nullable String update, Tensor saved) {
    Updated u = update == null ? null : UPDATES.get(update);
    if (u == null || u.tensor().get() == saved) {
      return null;
    }
    return u.description();
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
