package dev.cadena.autograd;

import dev.cadena.Tensor;
import dev.cadena.tensor.Shapes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reverse-mode replay. From the outputs, the engine collects every node that leads to them in
 * reverse topological order (an iterative depth-first search: a chain of a million ops needs no
 * deep stack), then calls each node's VJP once, after all of its consumers have contributed to
 * its output gradient. Contributions from several consumers are summed, so a value used twice
 * gets both.
 *
 * <p>Broadcasting is undone here, in one place: when a VJP returns a gradient larger than its
 * input (because the forward broadcast the input), the engine sums it back to the input's shape.
 * No VJP does that itself.
 */
public final class Engine {
  private Engine() {}

  /**
   * Accumulates d(roots . rootGrads)/d(leaf) into every leaf's {@code grad()}, and into the
   * {@code grad()} of non-leaves that called {@code retainGrad()}.
   */
  public static void backward(Tensor[] roots, Tensor[] rootGrads, boolean retainGraph, boolean createGraph) {
    new Pass("backward", retainGraph, createGraph, null).run(roots, rootGrads);
  }

  /**
   * The gradients of {@code sum_i outputs[i] . gradOutputs[i]} with respect to each of
   * {@code inputs}, without touching any {@code grad()}. Inputs the outputs do not depend on get
   * zeros. With {@code createGraph} the result is itself differentiable.
   */
  public static Tensor[] grad(
      Tensor[] outputs, Tensor[] inputs, Tensor[] gradOutputs, boolean retainGraph, boolean createGraph) {
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

  /**
   * One backward pass: its options, where the gradients go and what it has handed out so far.
   * {@link #backward} writes the gradients into {@code grad()}; {@link #grad} captures those of
   * the wanted inputs instead, at the input's node for a non-leaf (its gradient is complete when
   * the sweep reaches the node) and summed over the pass for a leaf.
   */
  private static final class Pass {
    private final String op;
    private final boolean retainGraph;
    private final boolean createGraph;
    /** True for {@link #grad}: gradients are captured, no {@code grad()} is touched. */
    private final boolean capturing;
    private final Set<Node> wantedNodes = identitySet();
    private final Set<Tensor> wantedLeaves = identitySet();
    private final Map<Node, Tensor> capturedAtNodes = new IdentityHashMap<>();
    private final Map<Tensor, Tensor> capturedAtLeaves = new IdentityHashMap<>();
    /**
     * The storage ({@code NDArray.storageKey()}) of every gradient handed to an input so far, and
     * of the callers' output gradients, to tell when a leaf's gradient would alias another tensor.
     */
    private final Set<Object> handedStorage = identitySet();
    /** The roots that have a node, and the gradient each starts with. */
    private final List<Node> rootNodes = new ArrayList<>();
    private final List<Tensor> rootNodeGrads = new ArrayList<>();

    /** @param captureInputs the inputs whose gradients {@link #grad} returns; null for backward */
    Pass(String op, boolean retainGraph, boolean createGraph, Tensor[] captureInputs) {
      this.op = op;
      this.retainGraph = retainGraph;
      this.createGraph = createGraph;
      this.capturing = captureInputs != null;
      if (capturing) {
        for (Tensor t : captureInputs) {
          if (t.gradFn() != null) {
            wantedNodes.add(t.gradFn());
          } else {
            wantedLeaves.add(t);
          }
        }
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
      for (Tensor g : rootGrads) {
        handedStorage.add(g.data().storageKey());
      }
      // With createGraph the sweep's own tensor ops are recorded, so the result can be
      // differentiated again; without, it runs as plain arithmetic.
      try (GradMode.Scope scope = GradMode.set(createGraph)) {
        for (int i = 0; i < roots.length; i++) {
          prepareRoot(i, roots[i], rootGrads[i]);
        }
        List<Node> order = topologicalOrder(rootNodes);
        for (Node node : order) {
          node.pendingGrad = null;
        }
        for (int i = 0; i < rootNodes.size(); i++) {
          accumulate(rootNodes.get(i), rootNodeGrads.get(i));
        }
        // Reverse topological order: a node runs after every consumer has added its share.
        for (int k = order.size() - 1; k >= 0; k--) {
          backwardThrough(order.get(k));
        }
      }
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
        g = g.detach();
      }
      Node n = root.gradFn();
      if (n == null) {
        deliverToLeaf(root, g);
        return;
      }
      if (n.isReleased()) {
        throw n.freedError();
      }
      rootNodes.add(n);
      rootNodeGrads.add(g);
    }

    /**
     * Runs one node's VJP on its complete output gradient and passes each input its share; a node
     * no gradient reached is skipped. The node is freed afterwards unless the graph is retained.
     */
    private void backwardThrough(Node node) {
      Tensor g = node.pendingGrad;
      node.pendingGrad = null;
      if (g != null) {
        keepOutputGrad(node, g);
        Tensor[] inputs = node.inputArray();
        Tensor[] grads = node.runVjp(g);
        for (int i = 0; i < inputs.length; i++) {
          if (inputs[i].requiresGrad()) {
            passToInput(node, i, inputs[i], grads[i]);
          }
        }
      }
      if (!retainGraph) {
        node.release();
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

    /** Input {@code i}'s share, fitted to its shape, to its own node or (a leaf) to the input. */
    private void passToInput(Node node, int i, Tensor in, Tensor gi) {
      if (gi == null) {
        throw new IllegalStateException(
            "engine: vjp of '" + node.name() + "' returned no gradient for input " + i
                + " which requires grad");
      }
      gi = fitToInput(node, i, gi, in);
      Node next = in.gradFn();
      if (next == null) {
        deliverToLeaf(in, gi);
      } else {
        handedStorage.add(gi.data().storageKey());
        accumulate(next, gi);
      }
    }

    private void deliverToLeaf(Tensor leaf, Tensor g) {
      boolean shared = !handedStorage.add(g.data().storageKey());
      if (capturing) {
        if (wantedLeaves.contains(leaf)) {
          capturedAtLeaves.merge(leaf, g, Tensor::add);
        }
      } else {
        TensorAccess access = TensorAccess.get();
        Tensor held = access.engineGrad(leaf);
        access.setEngineGrad(leaf, held == null ? owned(g, shared) : held.add(g));
      }
    }
  }

  /** Adds {@code g} to the output gradient collected so far at {@code n}. */
  private static void accumulate(Node n, Tensor g) {
    n.pendingGrad = n.pendingGrad == null ? g : n.pendingGrad.add(g);
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
    if (GradMode.isEnabled() || (!shared && g.data().isContiguous())) {
      return g;
    }
    return Tensor.fromData(g.data().copy());
  }

  /** Sums a broadcast gradient back to its input's shape and dtype: the one place that does it. */
  private static Tensor fitToInput(Node node, int i, Tensor gi, Tensor in) {
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

  /** Nodes reachable from {@code roots}, each after every node it feeds (post-order), no recursion. */
  static List<Node> topologicalOrder(List<Node> roots) {
    long stamp = STAMPS.incrementAndGet();
    List<Node> order = new ArrayList<>();
    ArrayDeque<Node> nodes = new ArrayDeque<>();
    ArrayDeque<int[]> cursors = new ArrayDeque<>();
    for (Node root : roots) {
      if (root.visitStamp == stamp) {
        continue;
      }
      root.visitStamp = stamp;
      nodes.push(root);
      cursors.push(new int[] {0});
      while (!nodes.isEmpty()) {
        Node n = nodes.peek();
        int[] cur = cursors.peek();
        Tensor[] ins = n.inputArray();
        if (ins == null) {
          throw n.freedError();
        }
        if (cur[0] < ins.length) {
          Tensor in = ins[cur[0]++];
          Node child = in.gradFn();
          if (child != null && in.requiresGrad() && child.visitStamp != stamp) {
            if (child.isReleased()) {
              throw child.freedError();
            }
            child.visitStamp = stamp;
            nodes.push(child);
            cursors.push(new int[] {0});
          }
        } else {
          nodes.pop();
          cursors.pop();
          order.add(n);
        }
      }
    }
    return order;
  }

  private static final AtomicLong STAMPS = new AtomicLong();
}
