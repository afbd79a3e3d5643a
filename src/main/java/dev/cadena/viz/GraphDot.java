package dev.cadena.viz;

import dev.cadena.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Writes the computational graph behind a tensor as Graphviz DOT text: one box per tensor
 * (title, shape, value, gradient when present) and one edge per op input, pointing from the input
 * to the op's result. Render it with {@code dot -Tsvg graph.dot > graph.svg}, or paste it into any
 * Graphviz viewer; {@link GraphImage} draws the same graph without Graphviz.
 *
 * <p>Boxes are coloured by kind: ops yellow, leaves that require grad (parameters, inputs being
 * differentiated) blue, constants white with a dashed border; the root has a bold border. The
 * output is deterministic: the same graph gives the same text, vertices numbered {@code t0}
 * (the root), {@code t1}, ... in breadth-first order.
 *
 * <pre>{@code
 * Tensor x = Tensor.of(1.0, 2.0).requiresGrad(true);
 * Tensor y = x.mul(x).sum();
 * String dot = GraphDot.toDot(y, Map.of(x, "x"));
 * // digraph cadena { ... t1 [label="mul\n[2]\nvalue [1, 4]", ...]; t2 -> t1; t2 -> t1; t1 -> t0; }
 * }</pre>
 *
 * <p>Call it before {@code backward()}, or after {@code backward(gradient, true)}: a plain
 * backward frees the graph, and only the root is left to show (see the package doc).
 */
public final class GraphDot {
  private GraphDot() {}

  /**
   * The graph behind {@code root}, without names for its tensors.
   *
   * @param root the tensor whose graph to write, usually a loss
   * @return DOT text: {@code digraph cadena { ... }}
   * @throws NullPointerException when {@code root} is null
   */
  public static String toDot(Tensor root) {
    return toDot(root, Map.of());
  }

  /**
   * The graph behind {@code root}, naming the tensors in {@code labels} (matched by identity):
   * a leaf shows its name instead of {@code leaf}, an op result shows {@code name = op}.
   *
   * @param root the tensor whose graph to write, usually a loss
   * @param labels names for some tensors of the graph; may be empty
   * @return DOT text: {@code digraph cadena { ... }}
   * @throws NullPointerException when {@code root} or {@code labels} is null
   */
  public static String toDot(Tensor root, Map<Tensor, String> labels) {
    Graph g = Graph.of("toDot", root, labels);
    StringBuilder sb = new StringBuilder();
    sb.append("digraph cadena {\n");
    sb.append("  rankdir=LR;\n");
    sb.append("  node [shape=box, fontname=\"Helvetica\", fontsize=10, style=\"rounded,filled\"];\n");
    for (int v = 0; v < g.vertices.size(); v++) {
      sb.append("  t").append(v).append(" [label=\"").append(label(g.lines(v))).append('"');
      switch (g.kind(v)) {
        case OP -> sb.append(", fillcolor=\"#fff2c2\"");
        case VARIABLE -> sb.append(", fillcolor=\"#cfe3ff\"");
        case CONSTANT -> sb.append(", fillcolor=\"#ffffff\", style=\"rounded,filled,dashed\"");
      }
      if (v == 0) {
        sb.append(", penwidth=2");
      }
      sb.append("];\n");
    }
    for (Graph.Edge e : g.edges) {
      sb.append("  t").append(e.from()).append(" -> t").append(e.to()).append(";\n");
    }
    return sb.append("}\n").toString();
  }

  /** Joins lines with DOT's centred line break, escaping what a quoted DOT string cannot hold. */
  private static String label(List<String> lines) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < lines.size(); i++) {
      if (i > 0) {
        sb.append("\\n");
      }
      for (char c : lines.get(i).toCharArray()) {
        if (c == '"' || c == '\\') {
          sb.append('\\');
        }
        sb.append(c == '\n' || c == '\r' ? ' ' : c);
      }
    }
    return sb.toString();
  }
}
