package dev.cadena.viz;

import dev.cadena.Tensor;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.CubicCurve2D;
import java.awt.geom.Path2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Draws the computational graph behind a tensor as an image, with no Graphviz and no display
 * needed (it draws into a {@link BufferedImage}, which works with {@code java.awt.headless=true}).
 *
 * <p>Layout: one column per depth, the root on the right and each input left of every op that
 * reads it (depth is the longest path from the root); within a column, boxes are ordered by the
 * positions of their consumers so that edges rarely cross. Each box shows the op (or the leaf's
 * name), the shape, the value and the gradient when present, coloured like {@link GraphDot}'s
 * boxes: ops yellow, leaves that require grad blue, constants white. Arrows point from an input to
 * the op's result; when an op has several inputs, they arrive on its left side top to bottom in
 * argument order (so for {@code a.sub(b)}, {@code a}'s arrow is the upper one).
 *
 * <pre>{@code
 * Tensor w = Tensor.of(0.5, -1.0).requiresGrad(true);
 * Tensor loss = w.mul(w).sum();
 * loss.backward(loss.onesLike(), true);   // keep the graph, so it can still be walked
 * BufferedImage image = GraphImage.render(loss, Map.of(w, "w"));
 * ImageIO.write(image, "png", new File("graph.png"));
 * }</pre>
 */
public final class GraphImage {
  /** Larger pictures are refused; such graphs are better read as {@link GraphDot} text. */
  static final long MAX_PIXELS = 40_000_000L;

  private static final int MARGIN = 16;
  private static final int PAD = 6;
  private static final int COLUMN_GAP = 56;
  private static final int ROW_GAP = 14;
  private static final Color OP = new Color(0xFFF2C2);
  private static final Color VARIABLE = new Color(0xCFE3FF);
  private static final Color CONSTANT = Color.WHITE;
  private static final Color INK = new Color(0x333333);
  private static final Color EDGE = new Color(0x7A7A7A);

  private GraphImage() {}

  /**
   * Draws the graph behind {@code root} without names for its tensors.
   *
   * @param root the tensor whose graph to draw, usually a loss
   * @return a new RGB image, white background
   * @throws NullPointerException when {@code root} is null
   * @throws IllegalArgumentException when the picture would exceed 40 million pixels
   */
  public static BufferedImage render(Tensor root) {
    return render(root, Map.of());
  }

  /**
   * Draws the graph behind {@code root}, naming the tensors in {@code labels} (matched by
   * identity).
   *
   * @param root the tensor whose graph to draw, usually a loss
   * @param labels names for some tensors of the graph; may be empty
   * @return a new RGB image, white background
   * @throws NullPointerException when {@code root} or {@code labels} is null
   * @throws IllegalArgumentException when the picture would exceed 40 million pixels
   */
  public static BufferedImage render(Tensor root, Map<Tensor, String> labels) {
    Graph g = Graph.of("render", root, labels);
    Font plain = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    Font bold = plain.deriveFont(Font.BOLD);

    // Measure every box with a scratch image; sizes depend only on the font.
    BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
    Graphics2D measure = scratch.createGraphics();
    FontMetrics plainMetrics = measure.getFontMetrics(plain);
    FontMetrics boldMetrics = measure.getFontMetrics(bold);
    int lineHeight = Math.max(plainMetrics.getHeight(), boldMetrics.getHeight());
    int n = g.vertices.size();
    List<List<String>> text = new ArrayList<>();
    int[] w = new int[n];
    int[] h = new int[n];
    for (int v = 0; v < n; v++) {
      List<String> lines = g.lines(v);
      text.add(lines);
      int width = boldMetrics.stringWidth(lines.get(0));
      for (int i = 1; i < lines.size(); i++) {
        width = Math.max(width, plainMetrics.stringWidth(lines.get(i)));
      }
      w[v] = width + 2 * PAD;
      h[v] = lines.size() * lineHeight + 2 * PAD;
    }
    measure.dispose();

    // Columns: depth 0 (the root) is the rightmost.
    int columns = g.layers.size();
    int[] columnWidth = new int[columns];
    int[] columnHeight = new int[columns];
    for (int d = 0; d < columns; d++) {
      for (int v : g.layers.get(d)) {
        columnWidth[d] = Math.max(columnWidth[d], w[v]);
        columnHeight[d] += h[v] + ROW_GAP;
      }
      columnHeight[d] -= ROW_GAP;
    }
    int innerHeight = 0;
    for (int ch : columnHeight) {
      innerHeight = Math.max(innerHeight, ch);
    }
    int[] columnX = new int[columns];
    int x = MARGIN;
    for (int d = columns - 1; d >= 0; d--) {
      columnX[d] = x;
      x += columnWidth[d] + COLUMN_GAP;
    }
    long width = x - COLUMN_GAP + MARGIN;
    long height = innerHeight + 2L * MARGIN;
    if (width * height > MAX_PIXELS) {
      throw new IllegalArgumentException(
          "render: the graph is too large to draw (" + n + " tensors, " + width + "x" + height
              + " pixels > " + MAX_PIXELS + "); use GraphDot.toDot for large graphs");
    }
    int[] bx = new int[n];
    int[] by = new int[n];
    for (int d = 0; d < columns; d++) {
      int y = MARGIN + (innerHeight - columnHeight[d]) / 2;
      for (int v : g.layers.get(d)) {
        bx[v] = columnX[d] + (columnWidth[d] - w[v]) / 2;
        by[v] = y;
        y += h[v] + ROW_GAP;
      }
    }

    BufferedImage image = new BufferedImage((int) width, (int) height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g2 = image.createGraphics();
    try {
      g2.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g2.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g2.setColor(Color.WHITE);
      g2.fillRect(0, 0, (int) width, (int) height);
      drawEdges(g2, g, bx, by, w, h);
      for (int v = 0; v < n; v++) {
        drawBox(g2, g, v, text.get(v), bx[v], by[v], w[v], h[v], plain, bold, lineHeight);
      }
    } finally {
      g2.dispose();
    }
    return image;
  }

  /**
   * Each edge leaves its input's right side and enters its consumer's left side; the ends are
   * spread along the sides (consumers top to bottom, inputs in argument order), so that {@code
   * x.mul(x)} shows two arrows and operand order is visible.
   */
  private static void drawEdges(Graphics2D g2, Graph g, int[] bx, int[] by, int[] w, int[] h) {
    int n = g.vertices.size();
    int[] inDegree = new int[n];
    for (Graph.Edge e : g.edges) {
      inDegree[e.to()]++;
    }
    // Outgoing ends are ordered by the consumer's vertical position.
    List<List<Integer>> outgoing = new ArrayList<>();
    for (int v = 0; v < n; v++) {
      outgoing.add(new ArrayList<>());
    }
    for (int i = 0; i < g.edges.size(); i++) {
      outgoing.get(g.edges.get(i).from()).add(i);
    }
    double[] startY = new double[g.edges.size()];
    for (int v = 0; v < n; v++) {
      List<Integer> out = outgoing.get(v);
      out.sort(Comparator.comparingInt(i -> by[g.edges.get(i).to()]));
      for (int k = 0; k < out.size(); k++) {
        startY[out.get(k)] = by[v] + h[v] * (k + 1.0) / (out.size() + 1);
      }
    }
    int[] arrived = new int[n];
    g2.setStroke(new BasicStroke(1.3f));
    g2.setColor(EDGE);
    for (int i = 0; i < g.edges.size(); i++) {
      Graph.Edge e = g.edges.get(i);
      double x0 = bx[e.from()] + w[e.from()];
      double y0 = startY[i];
      double x1 = bx[e.to()] - 7;
      double y1 = by[e.to()] + h[e.to()] * (++arrived[e.to()]) / (inDegree[e.to()] + 1.0);
      double bend = Math.max(20, (x1 - x0) / 2);
      g2.draw(new CubicCurve2D.Double(x0, y0, x0 + bend, y0, x1 - bend, y1, x1, y1));
      Path2D.Double head = new Path2D.Double();
      head.moveTo(x1 + 7, y1);
      head.lineTo(x1, y1 - 4);
      head.lineTo(x1, y1 + 4);
      head.closePath();
      g2.fill(head);
    }
  }

  private static void drawBox(Graphics2D g2, Graph g, int v, List<String> lines, int x, int y,
      int w, int h, Font plain, Font bold, int lineHeight) {
    RoundRectangle2D.Double box = new RoundRectangle2D.Double(x, y, w, h, 10, 10);
    Graph.Kind kind = g.kind(v);
    g2.setColor(kind == Graph.Kind.OP ? OP : kind == Graph.Kind.VARIABLE ? VARIABLE : CONSTANT);
    g2.fill(box);
    g2.setColor(INK);
    if (kind == Graph.Kind.CONSTANT) {
      g2.setStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f,
          new float[] {4f, 3f}, 0f));
    } else {
      g2.setStroke(new BasicStroke(v == 0 ? 2.5f : 1f));
    }
    g2.draw(box);
    int baseline = y + PAD;
    for (int i = 0; i < lines.size(); i++) {
      Font font = i == 0 ? bold : plain;
      g2.setFont(font);
      baseline += i == 0 ? g2.getFontMetrics().getAscent() : lineHeight;
      g2.drawString(lines.get(i), x + PAD, baseline);
    }
  }
}
