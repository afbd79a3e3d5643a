package dev.cadena.viz;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.autograd.Node;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.Shapes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The tensors reachable from a root, the edges between them and a layering by depth, shared by
 * {@link GraphDot} and {@link GraphImage}. Built without recursion, so a graph thousands of ops
 * deep does not overflow the stack.
 */
final class Graph {
  /** The kind of a vertex, which decides its colour. */
  enum Kind {
    /** Produced by an op (has a grad_fn). */
    OP,
    /** A leaf that requires grad: a parameter or an input being differentiated. */
    VARIABLE,
    /** A leaf that does not require grad. */
    CONSTANT
  }

  /** An edge from an input tensor to the tensor its op produced. */
  record Edge(int from, int to) {}

  /** Tensors in discovery order; index 0 is the root. */
  final List<Tensor> vertices = new ArrayList<>();
  final List<Edge> edges = new ArrayList<>();
  /** Longest path from the root, so every input sits deeper than all of its consumers. */
  final int[] depth;
  /** Vertex indices per depth, ordered to keep edges short. */
  final List<List<Integer>> layers;

  private final Map<Tensor, String> labels;

  private Graph(Tensor root, Map<Tensor, String> labels) {
    this.labels = labels;
    Map<Tensor, Integer> index = new IdentityHashMap<>();
    index.put(root, 0);
    vertices.add(root);
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    queue.add(0);
    while (!queue.isEmpty()) {
      int v = queue.poll();
      Node node = vertices.get(v).gradFn();
      if (node == null) {
        continue;
      }
      for (Tensor in : node.inputs()) {
        Integer u = index.get(in);
        if (u == null) {
          u = vertices.size();
          index.put(in, u);
          vertices.add(in);
          queue.add(u);
        }
        edges.add(new Edge(u, v));
      }
    }
    depth = longestPathFromRoot();
    layers = orderLayers();
  }

  /**
   * Walks the graph behind {@code root}.
   *
   * @param labels names for some tensors (matched by identity); may be empty, never null
   * @throws NullPointerException when {@code root} or {@code labels} is null
   */
  static Graph of(String caller, Tensor root, Map<Tensor, String> labels) {
    checkNotNull(root, "%s: root is null", caller);
    checkNotNull(labels, "%s: labels is null (pass Map.of())", caller);
    // Tensor keeps Object's identity equals, but a caller's map may be any Map; copy by identity.
    Map<Tensor, String> byIdentity = new IdentityHashMap<>();
    for (Map.Entry<Tensor, String> e : labels.entrySet()) {
      byIdentity.put(e.getKey(), e.getValue());
    }
    return new Graph(root, byIdentity);
  }

  Kind kind(int v) {
    Tensor t = vertices.get(v);
    if (t.gradFn() != null) {
      return Kind.OP;
    }
    return t.requiresGrad() ? Kind.VARIABLE : Kind.CONSTANT;
  }

  /** True when the tensor was produced by an op whose inputs a backward pass released. */
  boolean freed(int v) {
    Node node = vertices.get(v).gradFn();
    return node != null && node.inputCount() == 0;
  }

  /**
   * The lines shown for a vertex: a title ({@code label = op}, the op, {@code leaf} or {@code
   * const}), the shape (and dtype unless float64), the value, the gradient when present, and a
   * note when backward freed the graph below it.
   */
  List<String> lines(int v) {
    Tensor t = vertices.get(v);
    List<String> lines = new ArrayList<>();
    String label = labels.get(t);
    String what = switch (kind(v)) {
      case OP -> t.gradFn().name();
      case VARIABLE -> "leaf";
      case CONSTANT -> "const";
    };
    lines.add(label == null ? what : kind(v) == Kind.OP ? label + " = " + what : label);
    String shape = t.rank() == 0 ? "scalar" : Shapes.str(t.shape());
    lines.add(t.dtype() == DType.FLOAT64 ? shape : shape + " " + t.dtype());
    lines.add("value " + summary(t));
    if (t.grad() != null) {
      lines.add("grad " + summary(t.grad()));
    }
    if (freed(v)) {
      lines.add("(inputs freed by backward)");
    }
    return lines;
  }

  /**
   * A short text for a tensor's values: all of them up to four elements ({@code [0.5, -1.25]}, {@code [[1, 2], [3, 4]]}),
   * otherwise the range and the mean ({@code [-1.2 .. 3.4] mean 0.51}). Matrices keep their rows.
   */
  static String summary(Tensor t) {
    double[] v = t.toDoubleArray();
    if (v.length == 1 && t.rank() == 0) {
      return num(v[0]);
    }
    if (v.length <= 4) {
      // A matrix keeps its rows ([[1, 2], [3, 4]]); other ranks print flat.
      int row = t.rank() == 2 ? t.size(1) : v.length;
      StringBuilder sb = new StringBuilder(t.rank() == 2 ? "[" : "");
      for (int i = 0; i < v.length; i++) {
        sb.append(i % row == 0 ? (i == 0 ? "[" : "], [") : ", ").append(num(v[i]));
      }
      return sb.append(t.rank() == 2 ? "]]" : "]").toString();
    }
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    double sum = 0;
    for (double x : v) {
      min = Math.min(min, x);
      max = Math.max(max, x);
      sum += x;
    }
    return "[" + num(min) + " .. " + num(max) + "] mean " + num(sum / v.length);
  }

  /** Four significant digits, without trailing zeros, the same on every locale. */
  static String num(double x) {
    if (x == 0) {
      return "0";
    }
    if (!Double.isFinite(x)) {
      return Double.toString(x);
    }
    double ax = Math.abs(x);
    if (ax >= 1e-3 && ax < 1e5) {
      String s = String.format(Locale.ROOT, "%.4g", x);
      if (s.contains(".") && !s.contains("e")) {
        s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
      }
      return s;
    }
    return String.format(Locale.ROOT, "%.3e", x);
  }

  /** Kahn's algorithm over consumer -> input edges: a vertex's depth is final once all its consumers are. */
  private int[] longestPathFromRoot() {
    int n = vertices.size();
    int[] pendingConsumers = new int[n];
    List<List<Integer>> inputsOf = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      inputsOf.add(new ArrayList<>());
    }
    for (Edge e : edges) {
      pendingConsumers[e.from()]++;
      inputsOf.get(e.to()).add(e.from());
    }
    int[] d = new int[n];
    ArrayDeque<Integer> ready = new ArrayDeque<>();
    ready.add(0);
    while (!ready.isEmpty()) {
      int v = ready.poll();
      for (int u : inputsOf.get(v)) {
        d[u] = Math.max(d[u], d[v] + 1);
        if (--pendingConsumers[u] == 0) {
          ready.add(u);
        }
      }
    }
    return d;
  }

  /**
   * Groups vertices by depth and orders each layer by the mean position of the vertices' consumers
   * (the barycenter heuristic, one sweep from the root), which keeps most edges from crossing.
   */
  private List<List<Integer>> orderLayers() {
    int maxDepth = Arrays.stream(depth).max().orElse(0);
    List<List<Integer>> result = new ArrayList<>();
    for (int d = 0; d <= maxDepth; d++) {
      result.add(new ArrayList<>());
    }
    for (int v = 0; v < vertices.size(); v++) {
      result.get(depth[v]).add(v);
    }
    double[] position = new double[vertices.size()];
    List<List<Integer>> consumersOf = new ArrayList<>();
    for (int i = 0; i < vertices.size(); i++) {
      consumersOf.add(new ArrayList<>());
    }
    for (Edge e : edges) {
      consumersOf.get(e.from()).add(e.to());
    }
    double[] key = new double[vertices.size()];
    for (List<Integer> layer : result) {
      for (int v : layer) {
        List<Integer> consumers = consumersOf.get(v);
        key[v] = consumers.stream().mapToDouble(c -> position[c]).average().orElse(0);
      }
      // Stable sort: ties keep discovery order, so the picture is the same on every run.
      layer.sort(Comparator.comparingDouble(v -> key[v]));
      for (int i = 0; i < layer.size(); i++) {
        position[layer.get(i)] = (i + 0.5) / layer.size();
      }
    }
    return Collections.unmodifiableList(result);
  }
}
