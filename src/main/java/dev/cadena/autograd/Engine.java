package dev.cadena.autograd;

import dev.cadena.Tensor;
import dev.cadena.tensor.Shapes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

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
    run("backward", roots, rootGrads, retainGraph, createGraph, null);
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
    Map<Object, Tensor> captured = run("grad", outputs, gradOutputs, retainGraph, createGraph, inputs);
    Tensor[] result = new Tensor[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      Tensor in = inputs[i];
      Object key = in.gradFn() != null ? in.gradFn() : in;
      Tensor g = captured.get(key);
      result[i] = g != null ? g : Tensor.zeros(in.dtype(), in.shape());
    }
    return result;
  }

  private static Map<Object, Tensor> run(
      String op, Tensor[] roots, Tensor[] rootGrads, boolean retainGraph, boolean createGraph,
      Tensor[] captureInputs) {
    if (roots.length != rootGrads.length) {
      throw new AutogradException(
          op + ": " + roots.length + " outputs but " + rootGrads.length + " output gradients");
    }
    Map<Object, Tensor> captured = new IdentityHashMap<>();
    Map<Object, Boolean> wanted = null;
    if (captureInputs != null) {
      wanted = new IdentityHashMap<>();
      for (Tensor t : captureInputs) {
        wanted.put(t.gradFn() != null ? t.gradFn() : t, Boolean.TRUE);
      }
    }
    List<Node> rootNodes = new ArrayList<>();
    List<Tensor> rootNodeGrads = new ArrayList<>();
    try (GradMode.Scope scope = GradMode.set(createGraph)) {
      for (int i = 0; i < roots.length; i++) {
        Tensor r = roots[i];
        Tensor g = rootGrads[i];
        if (!r.requiresGrad()) {
          throw new AutogradException(
              op + ": output " + i + " does not require grad and has no graph (shape "
                  + Shapes.str(r.shape()) + "); was it computed under noGrad, or from tensors"
                  + " without requiresGrad(true)?");
        }
        if (!Arrays.equals(g.shape(), r.shape())) {
          throw new AutogradException(
              op + ": gradient shape " + Shapes.str(g.shape()) + " does not match output shape "
                  + Shapes.str(r.shape()));
        }
        if (g.dtype() != r.dtype()) {
          g = g.to(r.dtype());
        }
        if (!createGraph) {
          g = g.detach();
        }
        Node n = r.gradFn();
        if (n == null) {
          deliverToLeaf(r, g, captured, wanted);
        } else {
          if (n.isReleased()) {
            throw n.freedError();
          }
          rootNodes.add(n);
          rootNodeGrads.add(g);
        }
      }
      List<Node> order = topologicalOrder(rootNodes);
      for (Node node : order) {
        node.pendingGrad = null;
      }
      for (int i = 0; i < rootNodes.size(); i++) {
        accumulate(rootNodes.get(i), rootNodeGrads.get(i));
      }
      for (int k = order.size() - 1; k >= 0; k--) {
        Node node = order.get(k);
        Tensor g = node.pendingGrad;
        node.pendingGrad = null;
        if (g == null) {
          if (!retainGraph) {
            node.release();
          }
          continue;
        }
        Tensor out = node.output();
        if (wanted != null) {
          if (wanted.containsKey(node)) {
            captured.put(node, g);
          }
        } else if (out.retainsGrad()) {
          out.setGrad(out.grad() == null ? owned(g) : out.grad().add(g));
        }
        Tensor[] inputs = node.inputArray();
        Tensor[] grads = node.runVjp(g);
        for (int i = 0; i < inputs.length; i++) {
          Tensor in = inputs[i];
          if (!in.requiresGrad()) {
            continue;
          }
          Tensor gi = grads[i];
          if (gi == null) {
            throw new IllegalStateException(
                "engine: vjp of '" + node.name() + "' returned no gradient for input " + i
                    + " which requires grad");
          }
          gi = fitToInput(node, i, gi, in);
          Node next = in.gradFn();
          if (next == null) {
            deliverToLeaf(in, gi, captured, wanted);
          } else {
            accumulate(next, gi);
          }
        }
        if (!retainGraph) {
          node.release();
        }
      }
    }
    return captured;
  }

  private static void accumulate(Node n, Tensor g) {
    n.pendingGrad = n.pendingGrad == null ? g : n.pendingGrad.add(g);
  }

  private static void deliverToLeaf(
      Tensor leaf, Tensor g, Map<Object, Tensor> captured, Map<Object, Boolean> wanted) {
    if (wanted != null) {
      if (wanted.containsKey(leaf)) {
        captured.merge(leaf, g, Tensor::add);
      }
    } else {
      leaf.setGrad(leaf.grad() == null ? owned(g) : leaf.grad().add(g));
    }
  }

  /**
   * A gradient a leaf can own: VJPs may hand one tensor to several inputs (add gives {@code grad}
   * to both) or a broadcast view (sum's VJP expands), so without a graph to keep, the first
   * delivery is copied into fresh contiguous storage. Optimisers can then update it in place.
   */
  private static Tensor owned(Tensor g) {
    return GradMode.isEnabled() ? g : Tensor.fromData(g.data().copy());
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

  private static final java.util.concurrent.atomic.AtomicLong STAMPS = new java.util.concurrent.atomic.AtomicLong();
}
