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
 * <p>Width: a picture wider than a notebook's page would be shown scaled down, its text
 * unreadable, so the columns wrap into rows once they reach {@link #DEFAULT_MAX_WIDTH} pixels (or
 * the width given), read left to right and top to bottom like text; the root is the last box of
 * the last row. A legend for the colours and borders sits under the graph.
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

  /**
   * The widest picture {@link #render(Tensor, Map)} draws: what a notebook shows at its natural
   * size, so the 12 px text stays readable rather than being scaled down.
   */
  public static final int DEFAULT_MAX_WIDTH = 960;

  private static final int MARGIN = 16;
  private static final int PAD = 6;
  private static final int COLUMN_GAP = 56;
  private static final int ROW_GAP = 14;
  /** Between two rows of columns: room for the edges that run from one row to the next. */
  private static final int BAND_GAP = 40;
  private static final int LEGEND_GAP = 18;
  private static final int LEGEND_ENTRY_GAP = 18;
  private static final int LEGEND_MIN_WIDTH = 320;
  private static final int SWATCH_W = 26;
  private static final int SWATCH_H = 16;
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
   * identity), at most {@value #DEFAULT_MAX_WIDTH} pixels wide (see {@link #render(Tensor, Map,
   * int)}).
   *
   * @param root the tensor whose graph to draw, usually a loss
   * @param labels names for some tensors of the graph; may be empty
   * @return a new RGB image, white background
   * @throws NullPointerException when {@code root} or {@code labels} is null
   * @throws IllegalArgumentException when the picture would exceed 40 million pixels
   */
  public static BufferedImage render(Tensor root, Map<Tensor, String> labels) {
    return render(root, labels, DEFAULT_MAX_WIDTH);
  }

  /**
   * Draws the graph behind {@code root} at most {@code maxWidth} pixels wide: when the columns do
   * not fit side by side, they wrap into rows read like text (inputs top left, the root bottom
   * right), and an edge from one row to a later one runs through the gap between the rows. A
   * legend under the graph says what the colours and borders mean. A single column wider than
   * {@code maxWidth} still gets its width.
   *
   * <pre>{@code
   * BufferedImage image = GraphImage.render(loss, Map.of(w, "w"), 800);   // fits an 800 px page
   * }</pre>
   *
   * @param root the tensor whose graph to draw, usually a loss
   * @param labels names for some tensors of the graph; may be empty
   * @param maxWidth the widest the picture may be, in pixels, at least 200
   * @return a new RGB image, white background
   * @throws NullPointerException when {@code root} or {@code labels} is null
   * @throws IllegalArgumentException when {@code maxWidth < 200}, or the picture would exceed 40
   *     million pixels
   */
  public static BufferedImage render(Tensor root, Map<Tensor, String> labels, int maxWidth) {
    Graph g = Graph.of("render", root, labels);
    if (maxWidth < 200) {
      throw new IllegalArgumentException("render: maxWidth must be at least 200 pixels, got " + maxWidth);
    }
    Font plain = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    Font bold = plain.deriveFont(Font.BOLD);

    // Measure every box with a scratch image; sizes depend only on the font.
    FontMetrics plainMetrics = TextFit.metrics(plain);
    FontMetrics boldMetrics = TextFit.metrics(bold);
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

    // Columns, left to right: position p holds depth columns - 1 - p (the root is the last).
    int columns = g.layers.size();
    int[] columnWidth = new int[columns];
    int[] columnHeight = new int[columns];
    for (int p = 0; p < columns; p++) {
      for (int v : g.layers.get(columns - 1 - p)) {
        columnWidth[p] = Math.max(columnWidth[p], w[v]);
        columnHeight[p] += h[v] + ROW_GAP;
      }
      columnHeight[p] -= ROW_GAP;
    }
    List<List<Integer>> bands = wrapColumns(columnWidth, COLUMN_GAP, maxWidth - 2 * MARGIN);
    int[] bandOf = new int[columns];
    int[] columnX = new int[columns];
    int[] bandTop = new int[bands.size()];
    int[] bandHeight = new int[bands.size()];
    long widest = 0;
    long y = MARGIN;
    for (int b = 0; b < bands.size(); b++) {
      int x = MARGIN;
      for (int p : bands.get(b)) {
        bandOf[p] = b;
        columnX[p] = x;
        x += columnWidth[p] + COLUMN_GAP;
        bandHeight[b] = Math.max(bandHeight[b], columnHeight[p]);
      }
      widest = Math.max(widest, x - COLUMN_GAP + MARGIN);
      bandTop[b] = (int) Math.min(Integer.MAX_VALUE, y);
      y += bandHeight[b] + BAND_GAP;
    }
    long graphBottom = y - BAND_GAP;
    long width = Math.max(widest, Math.min(maxWidth, LEGEND_MIN_WIDTH));
    LegendLayout legend = legendLayout(plainMetrics, (int) Math.min(width - 2 * MARGIN, Integer.MAX_VALUE));
    width = Math.max(width, legend.width + 2L * MARGIN);
    long height = graphBottom + LEGEND_GAP + legend.height + MARGIN;
    if (width * height > MAX_PIXELS || height > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "render: the graph is too large to draw (" + n + " tensors, " + width + "x" + height
              + " pixels > " + MAX_PIXELS + "); use GraphDot.toDot for large graphs");
    }
    int[] bx = new int[n];
    int[] by = new int[n];
    int[] vertexBand = new int[n];
    for (int p = 0; p < columns; p++) {
      int b = bandOf[p];
      int top = bandTop[b] + (bandHeight[b] - columnHeight[p]) / 2;
      for (int v : g.layers.get(columns - 1 - p)) {
        bx[v] = columnX[p] + (columnWidth[p] - w[v]) / 2;
        by[v] = top;
        vertexBand[v] = b;
        top += h[v] + ROW_GAP;
      }
    }
    int[] columnRight = new int[n];
    int[] columnLeft = new int[n];
    for (int p = 0; p < columns; p++) {
      for (int v : g.layers.get(columns - 1 - p)) {
        columnLeft[v] = columnX[p];
        columnRight[v] = columnX[p] + columnWidth[p];
      }
    }

    BufferedImage image = new BufferedImage((int) width, (int) height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g2 = image.createGraphics();
    try {
      g2.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g2.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g2.setColor(Color.WHITE);
      g2.fillRect(0, 0, (int) width, (int) height);
      drawEdges(g2, g, bx, by, w, h, vertexBand, bandTop, columnLeft, columnRight);
      for (int v = 0; v < n; v++) {
        drawBox(g2, g, v, text.get(v), bx[v], by[v], w[v], h[v], plain, bold, lineHeight);
      }
      drawLegend(g2, legend, MARGIN, (int) (graphBottom + LEGEND_GAP), plain, plainMetrics);
    } finally {
      g2.dispose();
    }
    return image;
  }

  /**
   * Greedy wrapping of columns into rows ("bands"): each band takes columns, in order, while
   * their widths plus the gaps between them fit in {@code maxWidth}; a column wider than that
   * gets a band of its own.
   *
   * @return the column indices of each band, in order
   */
  static List<List<Integer>> wrapColumns(int[] widths, int gap, int maxWidth) {
    List<List<Integer>> bands = new ArrayList<>();
    List<Integer> band = new ArrayList<>();
    long used = 0;
    for (int p = 0; p < widths.length; p++) {
      long needed = band.isEmpty() ? widths[p] : used + gap + widths[p];
      if (!band.isEmpty() && needed > maxWidth) {
        bands.add(band);
        band = new ArrayList<>();
        needed = widths[p];
      }
      band.add(p);
      used = needed;
    }
    if (!band.isEmpty()) {
      bands.add(band);
    }
    return bands;
  }

  /** The legend's entries, and their rows within the allowed width. */
  private record LegendLayout(List<List<Integer>> rows, int width, int height, int[] entryWidth) {}

  private static final String[] LEGEND = {
    "op result", "leaf that requires grad", "constant (no grad)", "the root (thick border)"
  };

  private static LegendLayout legendLayout(FontMetrics fm, int maxWidth) {
    int[] entryWidth = new int[LEGEND.length];
    for (int i = 0; i < LEGEND.length; i++) {
      entryWidth[i] = SWATCH_W + 6 + fm.stringWidth(LEGEND[i]);
    }
    List<Integer> widths = new ArrayList<>();
    for (int e : entryWidth) {
      widths.add(e);
    }
    int[] asArray = widths.stream().mapToInt(Integer::intValue).toArray();
    List<List<Integer>> rows = wrapColumns(asArray, LEGEND_ENTRY_GAP, maxWidth);
    int width = 0;
    for (List<Integer> row : rows) {
      int rw = -LEGEND_ENTRY_GAP;
      for (int i : row) {
        rw += entryWidth[i] + LEGEND_ENTRY_GAP;
      }
      width = Math.max(width, rw);
    }
    int rowHeight = Math.max(SWATCH_H, fm.getHeight()) + 6;
    return new LegendLayout(rows, width, rows.size() * rowHeight, entryWidth);
  }

  private static void drawLegend(Graphics2D g2, LegendLayout legend, int x0, int y0, Font font,
      FontMetrics fm) {
    int rowHeight = legend.height / legend.rows.size();
    g2.setFont(font);
    int y = y0;
    for (List<Integer> row : legend.rows) {
      int x = x0;
      for (int i : row) {
        RoundRectangle2D.Double swatch = new RoundRectangle2D.Double(x, y + (rowHeight - SWATCH_H) / 2.0,
            SWATCH_W, SWATCH_H, 6, 6);
        g2.setColor(i == 0 || i == 3 ? OP : i == 1 ? VARIABLE : CONSTANT);
        g2.fill(swatch);
        g2.setColor(INK);
        g2.setStroke(i == 2
            ? new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {4f, 3f}, 0f)
            : new BasicStroke(i == 3 ? 2.5f : 1f));
        g2.draw(swatch);
        g2.drawString(LEGEND[i], x + SWATCH_W + 6, y + (rowHeight + fm.getAscent() - fm.getDescent()) / 2);
        x += legend.entryWidth[i] + LEGEND_ENTRY_GAP;
      }
      y += rowHeight;
    }
  }

  /**
   * Each edge leaves its input's right side and enters its consumer's left side; the ends are
   * spread along the sides (consumers top to bottom, inputs in argument order), so that {@code
   * x.mul(x)} shows two arrows and operand order is visible.
   */
  private static void drawEdges(Graphics2D g2, Graph g, int[] bx, int[] by, int[] w, int[] h,
      int[] band, int[] bandTop, int[] columnLeft, int[] columnRight) {
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
      int k = ++arrived[e.to()];
      double y1 = by[e.to()] + h[e.to()] * k / (inDegree[e.to()] + 1.0);
      if (band[e.from()] == band[e.to()]) {
        double bend = Math.max(20, (x1 - x0) / 2);
        g2.draw(new CubicCurve2D.Double(x0, y0, x0 + bend, y0, x1 - bend, y1, x1, y1));
      } else {
        // To a later row: right into the column gap, down to the gap above the consumer's row,
        // left to the gap before the consumer's column, down to its height, and in.
        double out = columnRight[e.from()] + 12;
        // Several inputs of one op take parallel routes, a few pixels apart, so each is seen.
        double gapY = bandTop[band[e.to()]] - BAND_GAP / 2.0 + 5 * (k - 1);
        double in = Math.max(2, columnLeft[e.to()] - 12 - 3 * (k - 1));
        Path2D.Double route = new Path2D.Double();
        route.moveTo(x0, y0);
        route.lineTo(out, y0);
        route.lineTo(out, gapY);
        route.lineTo(in, gapY);
        route.lineTo(in, y1);
        route.lineTo(x1, y1);
        g2.draw(route);
      }
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
