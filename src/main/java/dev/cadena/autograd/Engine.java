package dev.cadena.autograd;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.tensor.BinaryOp;
import dev.cadena.tensor.NDArray;
import dev.cadena.tensor.Shapes;
import dev.cadena.tensor.kernel.Parallel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reverse-mode replay. From the outputs, the engine first counts, for every node that leads to
 * them, how many of the reached nodes consume it (an iterative walk: a chain of a million ops
 * needs no deep stack), then calls each node's VJP once, when all of its consumers have
 * contributed to its output gradient. Contributions from several consumers are summed, so a value
 * used twice gets both.
 *
 * <p>Broadcasting is undone here, in one place: when a VJP returns a gradient larger than its
 * input (because the forward broadcast the input), the engine sums it back to the input's shape.
 * No VJP does that itself.
 */
public final class Engine {
  private Engine() {}

  /**
   * Whether backward passes lend gradients to VJPs to overwrite ({@link Node#mayOverwriteGrad});
   * on, except in tests that compare against the reference path without lending. Off or on,
   * every gradient has the same value.
   */
  private static volatile boolean lending = true;

  /**
   * Whether a gradient lent to a {@link Node.FreshVjp} is given back for reuse once the VJP has
   * run ({@link NDArray#recycle}); on, except in tests that compare against the path without.
   */
  private static volatile boolean recycling = true;

  /** Lent gradients given back so far (tests; not synchronised, exact on one thread). */
  static long recycled;

  /** Switches recycling on or off (tests only); returns the previous setting. */
  static boolean setRecycling(boolean on) {
    boolean was = recycling;
    recycling = on;
    return was;
  }

  /** Switches lending on or off (tests only); returns the previous setting. */
  static boolean setLending(boolean on) {
    boolean was = lending;
    lending = on;
    return was;
  }

  /**
   * Accumulates d(roots . rootGrads)/d(leaf) into every leaf's {@code grad()}, and into the
   * {@code grad()} of non-leaves that called {@code retainGrad()}.
   */
  public static void backward(Tensor[] roots, Tensor[] rootGrads, boolean retainGraph, boolean createGraph) {
    checkElements("backward", "roots", roots);
    checkElements("backward", "rootGrads", rootGrads);
    new Pass("backward", retainGraph, createGraph, null).run(roots, rootGrads);
  }

  /**
   * The gradients of {@code sum_i outputs[i] . gradOutputs[i]} with respect to each of
   * {@code inputs}, without touching any {@code grad()}. Inputs the outputs do not depend on get
   * zeros. With {@code createGraph} the result is itself differentiable.
   */
  public static Tensor[] grad(
      Tensor[] outputs, Tensor[] inputs, Tensor[] gradOutputs, boolean retainGraph, boolean createGraph) {
    checkElements("grad", "outputs", outputs);
    checkElements("grad", "inputs", inputs);
    checkElements("grad", "gradOutputs", gradOutputs);
    for (int i = 0; i < inputs.length; i++) {
      if (!inputs[i].requiresGrad()) {
        throw new AutogradException(
            "grad: input " + i + " (shape " + Shapes.str(inputs[i].shape())
                + ") does not require grad; call requiresGrad(true) on it before the forward pass");
      }
    }
    Pass pass = new Pass("grad", retainGraph, createGraph, inputs);
    pass.run(outputs, gradOutputs);
    Tensor[] result = new Tensor[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      Tensor in = inputs[i];
      Tensor g = pass.captured(in);
      result[i] = g != null ? g : Tensor.zeros(in.dtype(), in.shape());
    }
    return result;
  }

  /** A NullPointerException naming the op, the parameter and the first null element, if any. */
  private static void checkElements(String op, String name, Tensor[] tensors) {
    checkNotNull(tensors, "%s: %s is null", op, name);
    for (int i = 0; i < tensors.length; i++) {
      if (tensors[i] == null) {
        throw new NullPointerException(op + ": " + name + "[" + i + "] is null");
      }
    }
  }

  /**
   * One backward pass: its options, where the gradients go and what it has handed out so far.
   * {@link #backward} writes the gradients into {@code grad()}; {@link #grad} captures those of
   * the wanted inputs instead, at the input's node for a non-leaf (its gradient is complete when
   * the sweep reaches the node) and summed over the pass for a leaf.
   *
   * <p>The sweep counts, for every node the roots reach, how many edges of the graph lead into it
   * ({@link Node#dependencies}); a node runs once that many contributions have arrived. Only the
   * nodes that are ready wait on a stack, so nothing but the graph itself refers to the nodes still
   * to run, and what has run becomes garbage at once.
   */
  private static final class Pass {
    private final String op;
    private final boolean retainGraph;
    private final boolean createGraph;
    /** True for {@link #grad}: gradients are captured, no {@code grad()} is touched. */
    private final boolean capturing;
    /** For {@link #grad} only (null otherwise): the wanted inputs and what reached them. */
    private final Set<Node> wantedNodes;
    private final Set<Tensor> wantedLeaves;
    private final Map<Node, Tensor> capturedAtNodes;
    private final Map<Tensor, Tensor> capturedAtLeaves;
    /** The storage of each caller's output gradient, which no leaf may own. */
    private Object[] rootStorage;
    /**
     * The storage of every gradient a leaf took without a copy in this pass (so that a second
     * leaf that receives it copies); made on first use, only {@link #backward} without a graph
     * needs it.
     */
    private Set<Object> leafStorage;
    /** The leaves whose gradient is a sum this pass allocated, and that sum; made on first use. */
    private Map<Tensor, Tensor> leafSums;
    /** The roots that have a node, and the gradient each starts with. */
    private final List<Node> rootNodes = new ArrayList<>(2);
    private final List<Tensor> rootNodeGrads = new ArrayList<>(2);
    /**
     * The nodes whose every consumer has contributed, each with its complete output gradient:
     * they run next, last in first out. (The walk that counts dependencies uses the same stack,
     * without gradients.)
     */
    private Node[] ready = new Node[16];
    private Tensor[] readyGrads = new Tensor[16];
    /**
     * Whether each ready gradient is storage only the engine holds, which the node's VJP may
     * overwrite ({@link Node#mayOverwriteGrad}): see {@link #lendable}.
     */
    private boolean[] readyLent = new boolean[16];
    private int readyCount;
    /** How many nodes the roots reach; the size of the tables below. */
    private int reached;
    /**
     * The output gradient collected so far at each node still waiting for a consumer, by
     * {@link Node#slot}, and whether the engine allocated it (and may add into it in place); made
     * when the first node with two consumers is reached, so a chain never needs them. Kept here
     * rather than on the nodes: the nodes of a large graph are often old by the time backward
     * runs, and storing a young tensor into an old object costs a collector like G1 a
     * remembered-set update.
     */
    private Tensor[] pending;
    private boolean[] pendingOwned;

    /** @param captureInputs the inputs whose gradients {@link #grad} returns; null for backward */
    Pass(String op, boolean retainGraph, boolean createGraph, Tensor[] captureInputs) {
      this.op = op;
      this.retainGraph = retainGraph;
      this.createGraph = createGraph;
      this.capturing = captureInputs != null;
      if (capturing) {
        wantedNodes = identitySet();
        wantedLeaves = identitySet();
        capturedAtNodes = new IdentityHashMap<>();
        capturedAtLeaves = new IdentityHashMap<>();
        for (Tensor t : captureInputs) {
          if (t.gradFn() != null) {
            wantedNodes.add(t.gradFn());
          } else {
            wantedLeaves.add(t);
          }
        }
      } else {
        wantedNodes = null;
        wantedLeaves = null;
        capturedAtNodes = null;
        capturedAtLeaves = null;
      }
    }

    /** The captured gradient of a wanted input, or null when no path reached it. */
    Tensor captured(Tensor input) {
      Node n = input.gradFn();
      return n != null ? capturedAtNodes.get(n) : capturedAtLeaves.get(input);
    }

    void run(Tensor[] roots, Tensor[] rootGrads) {
      if (roots.length != rootGrads.length) {
        throw new AutogradException(
            op + ": " + roots.length + " outputs but " + rootGrads.length + " output gradients");
      }
      rootStorage = new Object[rootGrads.length];
      for (int i = 0; i < rootGrads.length; i++) {
        rootStorage[i] = rootGrads[i].data().storageKey();
      }
      // With createGraph the sweep's own tensor ops are recorded, so the result can be
      // differentiated again; without, it runs as plain arithmetic.
      try (GradMode.Scope scope = GradMode.set(createGraph)) {
        for (int i = 0; i < roots.length; i++) {
          prepareRoot(i, roots[i], rootGrads[i]);
        }
        reached = countDependencies(rootNodes);
        seedRoots();
        while (readyCount > 0) {
          int k = --readyCount;
          Node n = ready[k];
          Tensor g = readyGrads[k];
          boolean lent = readyLent[k];
          ready[k] = null;
          readyGrads[k] = null;
          backwardThrough(n, g, lent);
        }
      }
    }

    /**
     * Queues the roots that no other root consumes, each with the sum of its gradients (a root may
     * be given twice); a root that another root consumes waits in the table for the rest.
     */
    private void seedRoots() {
      for (int i = 0; i < rootNodes.size(); i++) {
        Node n = rootNodes.get(i);
        if (n.dependencies > 0) {
          accumulate(n.slot, rootNodeGrads.get(i));
        } else if (n.dependencies == 0) {
          Tensor g = rootNodeGrads.get(i);
          for (int j = i + 1; j < rootNodes.size(); j++) {
            if (rootNodes.get(j) == n) {
              g = g.add(rootNodeGrads.get(j));
            }
          }
          n.dependencies = -1; // queued, with all of its gradients
          push(n, g, false);
        }
      }
    }

    private void push(Node n, Tensor g, boolean lent) {
      if (readyCount == ready.length) {
        ready = Arrays.copyOf(ready, 2 * readyCount);
        readyGrads = Arrays.copyOf(readyGrads, 2 * readyCount);
        readyLent = Arrays.copyOf(readyLent, 2 * readyCount);
      }
      ready[readyCount] = n;
      readyLent[readyCount] = lent;
      readyGrads[readyCount++] = g;
    }

    /**
     * Checks root {@code i} against its gradient, converts the gradient to the root's dtype, and
     * either delivers it (a root that is a leaf) or queues it at the root's node.
     */
    private void prepareRoot(int i, Tensor root, Tensor g) {
      if (!root.requiresGrad()) {
        throw new AutogradException(
            op + ": output " + i + " does not require grad and has no graph (shape "
                + Shapes.str(root.shape()) + "); was it computed under noGrad, or from tensors"
                + " without requiresGrad(true)?");
      }
      if (!Arrays.equals(g.shape(), root.shape())) {
        throw new AutogradException(
            op + ": gradient shape " + Shapes.str(g.shape()) + " does not match output shape "
                + Shapes.str(root.shape()));
      }
      if (g.dtype() != root.dtype()) {
        g = g.to(root.dtype());
      }
      if (!createGraph) {
        Tensor d = g.detach();
        ForwardAD.copyTangent(g, d); // a dual output gradient keeps its tangent (forward mode)
        g = d;
      }
      Node n = root.gradFn();
      if (n == null) {
        deliverToLeaf(root, g, null);
        return;
      }
      if (n.isReleased()) {
        throw n.freedError();
      }
      rootNodes.add(n);
      rootNodeGrads.add(g);
    }

    /**
     * Visits every node the roots reach, in no particular order and without recursion, and sets
     * its {@link Node#dependencies} to the number of edges from reached nodes into it (an input
     * used twice by one op counts twice), and numbers the nodes from 0 ({@link Node#slot}).
     * Fails before any VJP runs when part of the graph was freed by an earlier backward.
     *
     * @return the number of nodes reached
     */
    private int countDependencies(List<Node> roots) {
      long stamp = STAMPS.incrementAndGet();
      int reached = 0;
      for (Node root : roots) {
        if (root.visitStamp != stamp) {
          root.startPass(stamp, reached++);
          push(root, null, false);
        }
      }
      while (readyCount > 0) {
        Node n = ready[--readyCount];
        ready[readyCount] = null;
        if (n.isReleased()) {
          throw n.freedError();
        }
        for (int i = 0, arity = n.inputCount(); i < arity; i++) {
          Tensor in = n.edge(i);
          Node child = in.gradFn();
          if (child == null || !in.requiresGrad()) {
            continue;
          }
          if (child.visitStamp != stamp) {
            if (child.isReleased()) {
              throw child.freedError();
            }
            child.startPass(stamp, reached++);
            push(child, null, false);
          }
          child.dependencies++;
        }
      }
      return reached;
    }

    /**
     * Runs one node's VJP on its complete output gradient and passes each input its share. The
     * node is freed afterwards unless the graph is retained: once it is off the ready stack and
     * freed, nothing of the engine refers to it, so a large graph becomes garbage as the sweep
     * goes.
     */
    private void backwardThrough(Node node, Tensor g, boolean lent) {
      keepOutputGrad(node, g);
      // A gradient returned to the caller of grad() is not the engine's to overwrite.
      boolean lend = lent && lending && !(capturing && wantedNodes.contains(node));
      Tensor[] grads;
      if (Anomaly.on()) {
        // Anomaly mode checks each input's gradient; off, this is one read of a shared counter.
        grads = Anomaly.runVjp(node, g);
      } else {
        node.gradLent = lend;
        try {
          grads = node.runVjp(g);
        } finally {
          node.gradLent = false;
        }
      }
      boolean fresh = node.hasFreshVjp();
      for (int i = 0; i < grads.length; i++) {
        Tensor in = node.edge(i);
        if (in.requiresGrad()) {
          passToInput(node, i, in, grads, g, lend, fresh);
        }
      }
      if (lend && fresh && recycling) {
        recycleIfDead(g, grads);
      }
      if (!retainGraph) {
        node.release(recycling && !createGraph && !Anomaly.on());
      }
    }

    /**
     * Recycles a gradient that was lent to a {@link Node.FreshVjp} once the VJP has run: the
     * engine was its only holder, and unless the VJP returned it (or a view of it) for an input,
     * nothing refers to it now.
     */
    private void recycleIfDead(Tensor g, Tensor[] grads) {
      if (Anomaly.on() || createGraph || g.isBatched()) {
        return;
      }
      Object key = g.data().storageKey();
      for (Tensor r : grads) {
        if (r != null && r.data().storageKey() == key) {
          return;
        }
      }
      if (NDArray.recycle(g.data())) {
        recycled++;
      }
    }

    /** The gradient of a node's output, captured for {@link #grad} or kept by retainGrad(). */
    private void keepOutputGrad(Node node, Tensor g) {
      if (capturing) {
        if (wantedNodes.contains(node)) {
          capturedAtNodes.put(node, g);
        }
        return;
      }
      Tensor out = node.output();
      if (out.retainsGrad()) {
        out.setGrad(out.grad() == null ? owned(g, true) : out.grad().add(g));
      }
    }

    /**
     * Input {@code i}'s share {@code grads[i]}, fitted to its shape, to its node or (a leaf) to
     * it. {@code g} is the gradient the VJP ran on, {@code lent} whether the VJP could overwrite
     * it, {@code fresh} whether the VJP is a {@link Node.FreshVjp}.
     */
    private void passToInput(Node node, int i, Tensor in, Tensor[] grads, Tensor g, boolean lent,
        boolean fresh) {
      Tensor raw = grads[i];
      if (raw == null) {
        throw new IllegalStateException(
            "engine: vjp of '" + node.name() + "' returned no gradient for input " + i
                + " which requires grad");
      }
      Tensor gi = fitToInput(node, i, raw, in);
      Node next = in.gradFn();
      if (next == null) {
        deliverToLeaf(in, gi, node);
      } else if (--next.dependencies == 0) {
        // Its last contribution: it is ready.
        if (pending == null || pending[next.slot] == null) {
          push(next, gi, fresh && gi == raw && lendable(node, i, gi, grads, g, lent));
        } else {
          Tensor sum = complete(next.slot, gi);
          push(next, sum, ownedSum(sum)); // a sum this pass allocated
        }
      } else {
        accumulate(next.slot, gi);
      }
    }

    /**
     * Whether {@code gi}, the result for input {@code i} of a {@link Node.FreshVjp} that ran on
     * {@code g}, is storage that only the engine holds, so that the next VJP may overwrite it:
     * no graph is recorded (a recorded gradient is a value of the graph), it is dense, not
     * batched and without a tangent, no other input got the same storage, and it is either
     * {@code g}'s storage that the VJP was lent, or other storage, which by the VJP's promise is
     * new; all the same, a forward value of the node, a caller's gradient or a leaf's is refused.
     */
    private boolean lendable(Node node, int i, Tensor gi, Tensor[] grads, Tensor g, boolean lent) {
      if (createGraph || ForwardAD.anyOpen() || gi.isBatched() || !gi.data().isDense()) {
        return false;
      }
      Object key = gi.data().storageKey();
      for (int j = 0; j < grads.length; j++) {
        if (j != i && grads[j] != null && grads[j].data().storageKey() == key) {
          return false;
        }
      }
      if (key == g.data().storageKey()) {
        return lent;
      }
      return !heldElsewhere(key, node);
    }

    /** Whether a sum {@link #complete} returned is one this pass allocated and holds alone. */
    private boolean ownedSum(Tensor sum) {
      return !createGraph && !ForwardAD.anyOpen() && !sum.isBatched() && sum.data().isDense();
    }

    /**
     * Adds {@code g} to what a leaf received from the VJP of {@code from} (null for a root that is
     * a leaf). A leaf that has no gradient yet takes {@code g} as it is when no other tensor can
     * hold its storage after the pass, else a copy (see {@link #heldElsewhere}).
     */
    private void deliverToLeaf(Tensor leaf, Tensor g, Node from) {
      if (capturing) {
        if (wantedLeaves.contains(leaf)) {
          capturedAtLeaves.merge(leaf, g, Tensor::add);
        }
        return;
      }
      Tensor old = TensorAccess.get().engineGrad(leaf);
      if (old != null) {
        addToLeafGrad(leaf, old, g);
        return;
      }
      if (createGraph) {
        TensorAccess.get().setEngineGrad(leaf, g); // a recorded gradient is never updated in place
        return;
      }
      Object key = g.data().storageKey();
      Tensor own = owned(g, heldElsewhere(key, from));
      if (own == g) {
        if (leafStorage == null) {
          leafStorage = identitySet();
        }
        leafStorage.add(key);
      }
      TensorAccess.get().setEngineGrad(leaf, own);
    }

    /**
     * Whether a tensor other than the leaf may hold storage {@code key} after this pass. A VJP
     * returns new storage, or its upstream gradient or views of it (add gives {@code grad} to
     * both inputs; reshape, transpose and expand return views); the upstream gradient came in the
     * same way from the VJPs above, or from the caller. The engine's own sums live only until
     * their node has run, and gradients kept by retainGrad() are copies. So the storage can
     * outlive the pass in another tensor only when it is a caller's output gradient, or another
     * leaf took it (a VJP gave one tensor to two leaves, or a leaf and a node that passed it on),
     * or the VJP returned a value of the forward pass: the storages of the outputs' gradients, of
     * the gradients leaves took, and of the node's inputs and output are checked. The engine thus
     * keeps no set of every gradient it hands on, only of those that leaves take.
     */
    private boolean heldElsewhere(Object key, Node from) {
      // No return at the first match in the loop (see Node.hasInputStorage).
      boolean held = false;
      for (Object r : rootStorage) {
        held |= r == key;
      }
      if (held || leafStorage != null && leafStorage.contains(key)) {
        return true;
      }
      return from != null
          && (from.output().data().storageKey() == key | from.hasInputStorage(key));
    }

    /**
     * Adds {@code g} to a leaf's gradient {@code old}. Without a graph to record, the first sum of
     * this pass is new storage that the engine remembers, and later contributions to that leaf
     * in this pass are added into it in place; a gradient set before the pass, by the user or an
     * earlier backward, is never modified.
     */
    private void addToLeafGrad(Tensor leaf, Tensor old, Tensor g) {
      if (createGraph || old.dtype() != g.dtype() || ForwardAD.anyTangent(old, g)
          || Tensor.anyBatched(old, g)) {
        TensorAccess.get().setEngineGrad(leaf, old.add(g)); // recorded, or promoted as add promotes
        return;
      }
      if (leafSums == null) {
        leafSums = new IdentityHashMap<>();
      } else if (leafSums.get(leaf) == old) {
        addInto(old, g);
        return;
      }
      Tensor sum = Tensor.fromData(old.data().binary(BinaryOp.ADD, g.data()));
      TensorAccess.get().setEngineGrad(leaf, sum);
      leafSums.put(leaf, sum);
    }

    /**
     * Adds {@code g} to the output gradient collected so far at node {@code slot}. Without a graph to
     * record, the second contribution allocates a sum the engine owns and later ones add into it
     * in place; a tensor the engine did not allocate (a VJP's result may be a view of its upstream
     * gradient, a saved forward tensor, or given to two inputs) is never modified.
     */
    private void accumulate(int slot, Tensor g) {
      if (pending == null) {
        pending = new Tensor[reached];
        pendingOwned = new boolean[reached];
      }
      Tensor sum = pending[slot];
      if (sum == null) {
        pending[slot] = g;
      } else if (createGraph || ForwardAD.anyTangent(sum, g) || Tensor.anyBatched(sum, g)) {
        pending[slot] = sum.add(g); // recorded, or (forward mode) carrying the sum's tangent
      } else if (pendingOwned[slot]) {
        addInto(sum, g);
      } else {
        pending[slot] = Tensor.fromData(sum.data().binary(BinaryOp.ADD, g.data()));
        pendingOwned[slot] = true;
      }
    }

    /** The complete gradient at node {@code slot}: what waited in the table plus the last {@code g}. */
    private Tensor complete(int slot, Tensor g) {
      Tensor sum = pending == null ? null : pending[slot];
      if (sum == null) {
        return g; // a single consumer: the table was never used
      }
      pending[slot] = null;
      if (createGraph || ForwardAD.anyTangent(sum, g) || Tensor.anyBatched(sum, g)) {
        return sum.add(g);
      }
      if (pendingOwned[slot]) {
        addInto(sum, g);
        return sum;
      }
      return Tensor.fromData(sum.data().binary(BinaryOp.ADD, g.data()));
    }
  }

  /**
   * {@code sum += g} in place, for a contiguous sum the engine allocated and a gradient of its
   * shape and dtype. Small contiguous operands take the plain loop of {@code axpyInPlace} (adding
   * {@code 1.0 * g} is adding {@code g} exactly), which skips the checks and naming of the general
   * in-place op; the others go through it, strided or threaded.
   */
  private static void addInto(Tensor sum, Tensor g) {
    NDArray s = sum.data();
    NDArray x = g.data();
    if (x.isContiguous() && x.size() < Parallel.SERIAL_THRESHOLD) {
      s.axpyInPlace(1.0, x);
    } else {
      s.applyInPlace(BinaryOp.ADD, x);
    }
  }

  private static <T> Set<T> identitySet() {
    return Collections.newSetFromMap(new IdentityHashMap<>());
  }

  /**
   * A gradient a leaf can own. A VJP may hand one tensor to several inputs (add gives {@code grad}
   * to both), return a view of its upstream gradient (reshape), or a broadcast view (sum expands);
   * so without a graph to keep, a gradient whose storage was already handed elsewhere in this
   * pass, or that is not contiguous, is copied into fresh storage. Optimisers can then update any
   * {@code grad()} in place without touching another.
   */
  private static Tensor owned(Tensor g, boolean shared) {
    if (GradMode.isEnabled() || g.isBatched() || (!shared && g.data().isContiguous())) {
      return g;
    }
    Tensor copy = Tensor.fromData(g.data().copy());
    ForwardAD.copyTangent(g, copy);
    return copy;
  }

  /** Sums a broadcast gradient back to its input's shape and dtype: the one place that does it. */
  private static Tensor fitToInput(Node node, int i, Tensor gi, Tensor in) {
    if (gi.isBatched() && !in.isBatched() && !VmapBoundary.inside()) {
      // Outside vmap (a gradient taken around it), a tensor vmap did not map (a closure, a
      // NOT_BATCHED argument) was used by every sample: its gradient is the sum over samples.
      // Inside, the per-sample gradient is what vmap(grad(f)) asks for.
      gi = VmapBoundary.sumOverBatch(gi);
    }
    if (!gi.data().sameShape(in.data())) {
      int[] want = in.shape();
      if (!Shapes.broadcastsTo(want, gi.shape())) {
        throw new IllegalStateException(
            "engine: vjp of '" + node.name() + "' returned a gradient of shape "
                + Shapes.str(gi.shape()) + " for input " + i + " of shape " + Shapes.str(want));
      }
      gi = gi.sumTo(want);
    }
    if (gi.dtype() != in.dtype()) {
      gi = gi.to(in.dtype());
    }
    return gi;
  }

  private static final AtomicLong STAMPS = new AtomicLong();
}
