package dev.cadena.autograd;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.tensor.NDArray;
import dev.cadena.tensor.Shapes;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One application of a differentiable op in the graph: the op's name, its input edges, the
 * tensors its vector-Jacobian product reads (its inputs and its output, each saved with the version
 * it had in the forward pass) and the VJP itself.
 *
 * <p>Ops create nodes through {@link #record}; the VJP is a lambda written with tensor ops, so
 * that with {@code createGraph} the backward pass is itself recorded and can be differentiated
 * again:
 *
 * <pre>{@code
 * // exp: d/dx e^x = e^x, so the VJP reuses the forward result
 * return Node.record("exp", x.data().unary(UnaryOp.EXP), new Tensor[] {x},
 *     (n, grad) -> new Tensor[] {grad.mul(n.out())});
 * }</pre>
 */
public final class Node {
  /** A vector-Jacobian product: given the gradient of the output, the gradient of each input. */
  @FunctionalInterface
  public interface Vjp {
    /**
     * Returns one gradient per input, each of the input's shape or broadcastable to it (the engine
     * sums broadcast dimensions back). An entry may be null only where {@link #needsGrad} is false.
     */
    Tensor[] apply(Node node, Tensor grad);
  }

  /**
   * A VJP that promises fresh results: each gradient it returns is either new storage that
   * nothing else refers to (not a saved tensor, not a constant kept elsewhere), or its upstream
   * gradient {@code grad} itself (or a view of it) for one input. The engine may then lend such
   * a result to the next VJP to overwrite ({@link #mayOverwriteGrad}) instead of that VJP
   * allocating a new array; the engine still checks that no two inputs share a result and that
   * no result is a forward value. It also keeps no reference to {@code grad} (or a view of it)
   * once it returns: when the engine lent it {@code grad} and none of the results is
   * {@code grad}'s storage, the engine gives that storage back for reuse by a later array
   * ({@link dev.cadena.tensor.NDArray#recycle}). For built-in primitives whose VJP results are
   * fresh ops or the upstream gradient, such as {@code x * c}, {@code x + c}, {@code a * b}, {@code a / b},
   * {@code tanh}, {@code sigmoid}, {@code relu}, {@code exp} and the fused {@code linear}; never
   * for a {@link Function}, whose backward may return anything.
   */
  @FunctionalInterface
  public interface FreshVjp extends Vjp {}

  /**
   * A Jacobian-vector product, for forward mode ({@link ForwardAD}): given the tangent of each
   * input ({@code t[i]}, null for an input without one), the inputs and the forward output, the
   * tangent of the output, written with tensor ops (so it can be differentiated again). The
   * result may have a shape that broadcasts to the output's (it is expanded) or be null (no
   * tangent, i.e. zero). Example, {@code mul}: {@code (t, in, out) -> t[0] * in[1] + in[0] *
   * t[1]} with the null terms left out.
   */
  @FunctionalInterface
  public interface Jvp {
    /** Returns the output's tangent (or null for zero); {@code t} has one entry per input. */
    @Nullable Tensor apply(@Nullable Tensor[] t, Tensor[] inputs, Tensor out);
  }

  private final String name;
  private final int arity;
  /*
   * The inputs and their versions in the forward pass. Most ops have one or two inputs, which sit
   * in fields, so that a node is a single object of the graph; an op with more keeps them in
   * `extra`. All of it is cleared by release().
   */
  private Tensor in0;
  private Tensor in1;
  private int version0;
  private int version1;
  private Tensor out;
  private int outVersion;
  /** The VJP; null once released (a node is created only with one). */
  private Vjp vjp;
  /** What few nodes have: more than two inputs, or values saved by a {@link Function}; or null. */
  private Extra extra;

  /** The fields of the uncommon nodes, in one object so that the common ones do not carry them. */
  private static final class Extra {
    /** All inputs (a copy of the caller's array) and their versions, when there are more than two. */
    Tensor[] inputs;
    int[] inputVersions;
    Object[] saved;
    int[] savedVersions;
    /** Where the user created the node, {@code File.java:line}; set in anomaly mode only. */
    String site;
  }

  /**
   * Engine scratch, primitives only (a backward pass stores no reference into a node, which may
   * be old by then; release() only clears them): the consumers whose contribution the running
   * backward still waits for, and this node's index in the pass's tables.
   */
  int dependencies;
  int slot;
  /** Engine scratch: the id of the last traversal that visited this node. */
  long visitStamp;
  /** Engine scratch: true while the VJP runs on an upstream gradient it may overwrite. */
  boolean gradLent;
  /**
   * True while this node's VJP runs: its reads of {@link #input} and {@link #out} are the
   * engine's; outside a VJP they hand a saved value to other code ({@link #escape}).
   */
  private boolean inVjp;

  /** Intermediate values recycled with their graph so far (tests; exact on one thread). */
  static long recycledValues;

  /**
   * False until {@link #recycleWithGraph} first tracks a value: until then no tensor is tracked,
   * and the bookkeeping of holders and escapes is skipped (a graph of small ops that never uses
   * it, W3's, pays one read per hook). Volatile, so that no thread misses a holder once a value
   * is tracked anywhere.
   */
  private static volatile boolean tracking;

  private Node(String name, Tensor[] inputs, Vjp vjp) {
    this.name = name;
    this.vjp = vjp;
    arity = inputs.length;
    if (arity > 2) {
      extra = new Extra();
      extra.inputs = inputs.clone();
      extra.inputVersions = new int[arity];
      for (int i = 0; i < arity; i++) {
        extra.inputVersions[i] = extra.inputs[i].version();
        hold(extra.inputs[i]);
      }
    } else if (arity > 0) {
      in0 = inputs[0];
      version0 = in0.version();
      hold(in0);
      if (arity == 2) {
        in1 = inputs[1];
        version1 = in1.version();
        hold(in1);
      }
    }
  }

  /**
   * Wraps a forward result as a tensor and, when grad mode is on and any input requires grad,
   * attaches a node with the given VJP (otherwise the VJP is dropped and the result is a plain
   * constant).
   *
   * @param name the op's name, used in error messages and {@code toString()}
   * @param result the forward value
   * @param inputs the op's differentiable inputs, in the order the VJP returns gradients
   * @param vjp the vector-Jacobian product
   * @throws NullPointerException when {@code vjp} is null
   */
  public static Tensor record(String name, NDArray result, Tensor[] inputs, Vjp vjp) {
    checkNotNull(name, "Node.record: name is null");
    checkNotNull(result, "Node.record: result is null (op '%s')", name);
    checkNotNull(inputs, "Node.record: inputs is null (op '%s')", name);
    checkNotNull(vjp, "Node.record: vjp is null (op '%s')", name);
    return record(name, result, inputs, vjp, null);
  }

  /**
   * {@link #record(String, NDArray, Tensor[], Vjp)} with a JVP rule for forward mode: when a
   * {@link ForwardAD} level is open on this thread and an input has a tangent, the result gets the
   * tangent {@code jvp} computes (also under {@code noGrad}, as in PyTorch). Without a rule
   * ({@code jvp} null) forward mode through the op throws an {@link AutogradException}.
   *
   * @throws NullPointerException when {@code vjp} is null
   */
  public static Tensor record(
      String name, NDArray result, Tensor[] inputs, Vjp vjp, @Nullable Jvp jvp) {
    checkNotNull(name, "Node.record: name is null");
    checkNotNull(result, "Node.record: result is null (op '%s')", name);
    checkNotNull(inputs, "Node.record: inputs is null (op '%s')", name);
    checkNotNull(vjp, "Node.record: vjp is null (op '%s')", name);
    for (int i = 0; i < inputs.length; i++) {
      if (inputs[i] == null) {
        throw new NullPointerException(
            "Node.record: inputs[" + i + "] is null (op '" + name + "')");
      }
    }
    boolean batched = Tensor.anyBatched(inputs);
    if (batched && !BATCHING_RULES.contains(name)) {
      throw new UnsupportedOperationException("vmap: no batching rule for '" + name + "'");
    }
    return recordAs(name, result, inputs, vjp, jvp, batched);
  }

  /**
   * {@link #record(String, NDArray, Tensor[], Vjp, Jvp)} for an op of one input, without an
   * inputs array: the common case (no batch axis, no forward-mode level or anomaly mode open)
   * allocates only the node and the output tensor, or only the tensor when nothing is recorded.
   * The same result, node and errors as the array form, which the uncommon cases go to.
   *
   * @throws NullPointerException when an argument but {@code jvp} is null
   */
  public static Tensor record(String name, NDArray result, Tensor input, Vjp vjp, @Nullable Jvp jvp) {
    checkNotNull(name, "Node.record: name is null");
    checkNotNull(result, "Node.record: result is null (op '%s')", name);
    checkNotNull(input, "Node.record: input is null (op '%s')", name);
    checkNotNull(vjp, "Node.record: vjp is null (op '%s')", name);
    if (input.isBatched() || ForwardAD.anyOpen() || Anomaly.on()) {
      return record(name, result, new Tensor[] {input}, vjp, jvp);
    }
    escapeIfAliased(result, input);
    if (!GradMode.isEnabled() || !input.requiresGrad()) {
      return Tensor.fromData(result);
    }
    Node node = new Node(name, input, vjp);
    Tensor t = TensorAccess.get().fromNode(result, node);
    node.out = t;
    node.outVersion = t.version();
    return t;
  }

  /** A node of one input (see {@link #record(String, NDArray, Tensor, Vjp, Jvp)}). */
  private Node(String name, Tensor input, Vjp vjp) {
    this.name = name;
    this.vjp = vjp;
    arity = 1;
    in0 = input;
    version0 = input.version();
    hold(input);
  }

  /**
   * {@code vmap}'s boundary ({@link VmapBoundary}): records a node whose result is batched or
   * not as {@code batched} says, whatever its input is (moving a mapped axis into the batch, or
   * the batch axis out to a plain axis).
   */
  static Tensor recordBoundary(String name, NDArray result, Tensor input, Vjp vjp, Jvp jvp,
      boolean batched) {
    return recordAs(name, result, new Tensor[] {input}, vjp, jvp, batched);
  }

  private static Tensor recordAs(String name, NDArray result, Tensor[] inputs, Vjp vjp,
      @Nullable Jvp jvp, boolean batched) {
    for (Tensor in : inputs) {
      escapeIfAliased(result, in);
    }
    boolean anomaly = Anomaly.on();
    String site = anomaly ? Anomaly.forward(name, result, inputs) : null;
    Tensor t;
    if (!GradMode.isEnabled() || !anyRequiresGrad(inputs)) {
      t = batched ? Tensor.vmapBatched(result) : Tensor.fromData(result);
      if (anomaly) {
        Anomaly.madeBy(t, name);
      }
    } else {
      Node node = new Node(name, inputs, vjp);
      if (site != null) {
        node.extra().site = site;
      }
      t = batched
          ? TensorAccess.get().fromNodeBatched(result, node)
          : TensorAccess.get().fromNode(result, node);
      node.out = t;
      node.outVersion = t.version();
    }
    if (ForwardAD.anyOpen()) {
      ForwardAD.propagate(name, t, inputs, jvp);
    }
    return t;
  }

  private Extra extra() {
    if (extra == null) {
      extra = new Extra();
    }
    return extra;
  }

  /** Where the user created this node ({@code File.java:line}) in anomaly mode, else null. */
  String site() {
    return extra == null ? null : extra.site;
  }

  /**
   * The ops whose forward, in {@code dev.cadena.ops}, handles batched inputs ({@code vmap}); any
   * other op recorded with a batched input is refused before its result escapes, because its
   * forward ran on physical values without knowing of the batch axis.
   */
  private static final java.util.Set<String> BATCHING_RULES = java.util.Set.of(
      "add", "mul", "div", "pow", "exp", "log", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid",
      "relu", "maximum", "where", "to", "sum", "max", "matmul", "reshape", "permute", "expand",
      "slice", "sliceScatter", "concat", "makeDual", "indexSelect", "indexAdd", "gather",
      "scatterAdd", "var", "binaryCrossEntropy", "log1p", "expm1", "erf", "erfc",
      "cumsum");

  private static boolean anyRequiresGrad(Tensor[] inputs) {
    for (Tensor t : inputs) {
      if (t.requiresGrad()) {
        return true;
      }
    }
    return false;
  }

  /** The op's name, e.g. {@code "matmul"}. */
  public String name() {
    return name;
  }

  /** The input edges (empty once the graph was freed by a backward pass). */
  public List<Tensor> inputs() {
    if (isReleased()) {
      return Collections.emptyList();
    }
    Tensor[] all = new Tensor[arity];
    for (int i = 0; i < arity; i++) {
      all[i] = escape(edge(i));
    }
    return Collections.unmodifiableList(Arrays.asList(all));
  }

  /**
   * The output this node holds for its VJP (the tensor it produced), or null once the graph was
   * freed; read-only, without the version check of {@link #out()}, for inspection such as
   * {@link GraphMemory}.
   */
  public @Nullable Tensor savedOutput() {
    return out == null ? null : escape(out);
  }

  /**
   * The values a {@link Function} saved for its backward ({@code ctx.saveForBackward}), in order;
   * empty for the built-in ops (which save only their inputs and output) and once the graph was
   * freed. Read-only: an unmodifiable list, without version checks.
   */
  public List<Object> savedValues() {
    if (isReleased() || extra == null || extra.saved == null) {
      return Collections.emptyList();
    }
    return Collections.unmodifiableList(Arrays.asList(extra.saved.clone()));
  }

  /** Number of inputs. */
  public int inputCount() {
    return isReleased() ? 0 : arity;
  }

  /** True when input {@code i} needs a gradient (it, or something it depends on, requires grad). */
  public boolean needsGrad(int i) {
    checkIndex(i);
    return !isReleased() && edge(i).requiresGrad();
  }

  /**
   * Input {@code i} as saved in the forward pass, for use inside a VJP.
   *
   * @throws AutogradException when it was modified in place after the forward pass
   */
  public Tensor input(int i) {
    checkIndex(i);
    checkLive();
    Tensor t = edge(i);
    int was = arity > 2 ? extra.inputVersions[i] : i == 0 ? version0 : version1;
    if (t.version() != was) {
      throw modified("input " + i, t, was);
    }
    return inVjp ? t : escape(t);
  }

  /**
   * Whether one of this node's inputs has the storage {@code key} (for the engine; false once
   * released). Without a loop over the inputs or a return at the first match: the engine calls
   * it for every gradient it hands on, and C2 compiled such a loop with a check hoisted from its
   * profile that the first rare input count threw out again (a recompile of the engine's pass,
   * 45 to 80 ms of C2 time, in the first epochs of an MLP's training on 2 cores).
   */
  boolean hasInputStorage(Object key) {
    if (isReleased() || arity == 0) {
      return false;
    }
    if (arity > 2) {
      boolean held = false;
      for (Tensor t : extra.inputs) {
        held |= t.data().storageKey() == key;
      }
      return held;
    }
    return (in0.data().storageKey() == key) | (arity == 2 && in1.data().storageKey() == key);
  }

  /** Input {@code i} of a live node, without the version check (for the engine). */
  Tensor edge(int i) {
    return arity > 2 ? extra.inputs[i] : i == 0 ? in0 : in1;
  }

  private void checkIndex(int i) {
    if (i < 0 || i >= arity) {
      throw new IllegalArgumentException(
          name + ": input " + i + " does not exist (" + arity + " input" + (arity == 1 ? "" : "s") + ")");
    }
  }

  /**
   * The op's output, for VJPs that reuse the forward result (exp, tanh, sigmoid, sqrt).
   *
   * @throws AutogradException when it was modified in place after the forward pass
   */
  public Tensor out() {
    checkLive();
    if (out.version() != outVersion) {
      throw modified("its output", out, outVersion);
    }
    return inVjp ? out : escape(out);
  }

  /**
   * A buffer for input {@code i}'s gradient, for a VJP that can write a result into a given
   * array: when no graph is being recorded and input {@code i} is a leaf without a gradient yet,
   * the storage of its last gradient if {@code zeroGrad()} released it while no caller held it
   * (see {@link Tensor#borrowGrad()}), else a new array; otherwise null. It is dense, of the
   * input's shape and dtype, with stale values: the VJP must overwrite every element and return
   * it, wrapped in a tensor, as input {@code i}'s gradient. So a training loop's weight gradients
   * reuse one array per parameter instead of a new one per step.
   */
  public NDArray gradBuffer(int i) {
    checkLive();
    checkIndex(i);
    Tensor t = edge(i);
    if (GradMode.isEnabled() || t.gradFn() != null || !t.requiresGrad() || ForwardAD.isActive()) {
      // In forward mode the gradient is computed with ops, so that its tangent propagates.
      return null;
    }
    return TensorAccess.get().lendGradBuffer(t);
  }

  /**
   * True while this node's VJP runs when the engine lends it its upstream gradient {@code grad}
   * to overwrite: storage that only the engine holds (a sum the engine made, or a result of a
   * {@link FreshVjp} passed along one edge), dense and of the output's shape and dtype, with no
   * graph being recorded, no forward-mode level or anomaly mode open and {@code grad} not
   * returned to a caller of {@code Tensor.grad}. The VJP may then write its result for one input
   * into {@code grad}'s storage in place and return {@code grad} for that input instead of a new
   * array. False outside a backward pass.
   */
  public boolean mayOverwriteGrad() {
    return gradLent;
  }

  /** True when the VJP is a {@link FreshVjp}. */
  boolean hasFreshVjp() {
    return vjp instanceof FreshVjp;
  }

  /** Saves extra values for the VJP (used by {@link Function}); tensors are version-checked. */
  void save(Object[] values) {
    Extra extra = extra();
    Object[] saved = values.clone();
    int[] versions = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      if (values[i] instanceof Tensor) {
        versions[i] = ((Tensor) values[i]).version();
      }
    }
    extra.saved = saved;
    extra.savedVersions = versions;
  }

  Object saved(int i) {
    checkLive();
    Object[] saved = extra == null ? null : extra.saved;
    if (saved == null || i < 0 || i >= saved.length) {
      throw new AutogradException(
          name + ": saved value " + i + " does not exist (" + (saved == null ? 0 : saved.length)
              + " saved)");
    }
    Object v = saved[i];
    int was = extra.savedVersions[i];
    if (v instanceof Tensor && ((Tensor) v).version() != was) {
      throw modified("saved tensor " + i, (Tensor) v, was);
    }
    return v;
  }

  /**
   * The error for a saved tensor {@code t} changed in place since the forward pass: it names the
   * tensor (the op that made it, or a leaf, and its shape), the in-place update that changed it
   * last and, for nodes created in anomaly mode, where the user created this op and the tensor
   * and, when the update was made to another tensor sharing its storage (a view), that tensor.
   */
  private AutogradException modified(String what, Tensor t, int was) {
    Node maker = t.gradFn();
    String update = t.data().lastUpdate();
    StringBuilder sb = new StringBuilder("backward: ").append(what).append(" of '").append(name)
        .append("' (").append(maker == null ? "a leaf" : "the output of '" + maker.name() + "'")
        .append(", shape ").append(Shapes.str(t.shape())).append(") was modified in place by ")
        .append(update == null ? "an in-place update" : "'" + update + "'")
        .append(" after the forward pass (version ").append(was).append(" -> ")
        .append(t.version()).append(")");
    String site = site();
    if (site != null) {
      sb.append("; '").append(name).append("' was created at ").append(site);
      if (maker != null) {
        sb.append(", '").append(maker.name()).append("' at ").append(Anomaly.siteOf(maker));
      } else {
        sb.append(", the leaf ").append(Anomaly.creation(t));
      }
      String other = Anomaly.modifiedOther(update, t);
      if (other != null) {
        sb.append("; the update changed another tensor sharing its storage: ").append(other);
      }
    }
    return new AutogradException(
        sb.append("; compute the forward again after the update, or update a copy").toString());
  }

  private void checkLive() {
    if (isReleased()) {
      throw freedError();
    }
  }

  AutogradException freedError() {
    return new AutogradException(
        "backward: the graph through '" + name + "' was already freed by an earlier backward();"
            + " pass retainGraph=true to the first backward to call it twice");
  }

  /** Marks the node as reached by traversal {@code stamp}, numbered {@code slot}. */
  void startPass(long stamp, int slot) {
    visitStamp = stamp;
    this.slot = slot;
    dependencies = 0;
  }

  /**
   * Lets the storage of {@code t}, an intermediate value of a forward pass, be reused once the
   * backward pass that frees the graph no longer needs it: when every node that holds {@code t}
   * (the op that produced it and those that read it) has been freed, the storage goes back to
   * the pool that matrix products draw their outputs from ({@link NDArray#recycle}), and {@code
   * t.data()} throws from then on. This is what PyTorch's caching allocator does for a freed
   * activation; on the JVM nothing can tell that no one else holds it, so the caller promises
   * it.
   *
   * <p>For a container such as {@code nn.Sequential}, which passes a built-in layer's output to
   * the next built-in layer and to no one else, calling this between the two. The caller
   * promises that no code but the ops of the graph reads {@code t} or an alias of it: it is
   * called right after the op that produced {@code t}, before any other op uses it. Anything
   * else that would see {@code t} later stops the tracking, so {@code t} then lives on as any
   * value: an op whose result shares its storage (a view), {@link Tensor#detach}, and the
   * graph's accessors ({@link #inputs}, {@link #savedOutput}, and {@link #input} or {@link #out}
   * outside the node's VJP). A retained graph, a node the backward pass does not reach, or a
   * pass that records a graph ({@code createGraph}) or checks anomalies keeps the storage as it
   * is. Nothing happens for a tensor without a live node, a batched one, one with a forward-mode
   * tangent, one of fewer than 4,096 elements or not dense, in anomaly mode, or under {@code
   * noGrad}.
   *
   * @throws NullPointerException when {@code t} is null
   */
  public static void recycleWithGraph(Tensor t) {
    checkNotNull(t, "recycleWithGraph: t is null");
    Node producer = t.gradFn();
    if (producer == null || producer.isReleased() || producer.out != t || t.isBatched()
        || !GradMode.isEnabled() || ForwardAD.anyOpen() || Anomaly.on()) {
      return;
    }
    TensorAccess a = TensorAccess.get();
    if (a.graphHolds(t) == 0 && NDArray.recyclable(t.data())) {
      tracking = true;
      a.setGraphHolds(t, 1); // its producer; each op that reads it adds one
    }
  }

  /** Counts one more node holding {@code t}, if {@code t} is tracked. */
  private static void hold(Tensor t) {
    if (!tracking) {
      return;
    }
    TensorAccess a = TensorAccess.get();
    int h = a.graphHolds(t);
    if (h > 0) {
      a.setGraphHolds(t, h + 1);
    }
  }

  /** One node fewer holds {@code t}; the last gives its storage back when {@code recycle}. */
  private static void unhold(Tensor t, boolean recycle) {
    if (t == null || !tracking) {
      return;
    }
    TensorAccess a = TensorAccess.get();
    int h = a.graphHolds(t);
    if (h > 1) {
      a.setGraphHolds(t, h - 1);
    } else if (h == 1) {
      if (recycle && NDArray.recycle(t.data())) {
        a.setGraphHolds(t, -1);
        recycledValues++;
      } else {
        a.setGraphHolds(t, 0);
      }
    }
  }

  /** Stops tracking {@code t} (code other than the graph's ops may now hold it); returns it. */
  private static Tensor escape(Tensor t) {
    if (!tracking) {
      return t;
    }
    TensorAccess a = TensorAccess.get();
    if (a.graphHolds(t) > 0) {
      a.setGraphHolds(t, 0);
    }
    return t;
  }

  /**
   * Stops tracking {@code input} when {@code result}, the result of an op recorded in grad mode,
   * shares its storage (a view of it, which a node of the graph may save). Under {@code noGrad}
   * the ops that read a tracked value are the VJPs of a backward pass, whose views of their
   * saved values are temporaries (what a VJP returns is checked in {@link #runVjp}).
   */
  private static void escapeIfAliased(NDArray result, Tensor input) {
    if (tracking && GradMode.isEnabled()) {
      escapeIfSameStorage(input, result);
    }
  }

  /** Stops tracking a saved value of this node that a gradient {@code g} shares storage with. */
  private void escapeSavedAliasOf(Tensor g) {
    NDArray gd = g.data();
    if (arity > 2) {
      for (Tensor in : extra.inputs) {
        escapeIfSameStorage(in, gd);
      }
    } else if (arity > 0) {
      escapeIfSameStorage(in0, gd);
      if (arity == 2) {
        escapeIfSameStorage(in1, gd);
      }
    }
    escapeIfSameStorage(out, gd);
  }

  /** Stops tracking {@code t} when {@code other} shares its storage. */
  private static void escapeIfSameStorage(Tensor t, NDArray other) {
    TensorAccess a = TensorAccess.get();
    if (a.graphHolds(t) > 0 && t.data().storageKey() == other.storageKey()) {
      a.setGraphHolds(t, 0);
    }
  }

  boolean isReleased() {
    return vjp == null;
  }

  Tensor output() {
    return out;
  }

  Tensor[] runVjp(Tensor grad) {
    checkLive();
    Tensor[] g;
    inVjp = true;
    try {
      g = vjp.apply(this, grad);
    } finally {
      inVjp = false;
    }
    if (g != null && tracking) {
      // A gradient that is a saved value (or a view of it) outlives the graph.
      for (Tensor gi : g) {
        if (gi != null) {
          escapeSavedAliasOf(gi);
        }
      }
    }
    if (g == null || g.length != arity) {
      throw new IllegalStateException(
          "engine: vjp of '" + name + "' returned " + (g == null ? "null" : g.length + " gradients")
              + " for " + arity + " inputs");
    }
    return g;
  }

  /**
   * Frees what the VJP holds; a later backward through this node fails with a clear error. An
   * intermediate value ({@link #recycleWithGraph}) that this node was the last to hold goes back
   * for reuse when {@code recycle}, else is no longer tracked.
   */
  void release(boolean recycle) {
    if (arity > 2) {
      for (Tensor in : extra.inputs) {
        unhold(in, recycle);
      }
    } else if (arity > 0) {
      unhold(in0, recycle);
      if (arity == 2) {
        unhold(in1, recycle);
      }
    }
    unhold(out, recycle);
    in0 = null;
    in1 = null;
    if (extra != null && extra.site != null) {
      // The site outlives the graph: a tensor made here may still be named in an error.
      String site = extra.site;
      extra = new Extra();
      extra.site = site;
    } else {
      extra = null;
    }
    vjp = null;
    out = null;
  }

  @Override
  public String toString() {
    return name;
  }
}
