package dev.cadena.viz;

import static com.google.common.base.Preconditions.checkNotNull;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * A line chart drawn into a {@link BufferedImage}, headless-safe and with no dependency, made to
 * be read at the size a notebook shows it: round ticks ({@link Ticks}: steps of 1, 2 or 5 times a
 * power of ten, log axes labelled by decade, one notation per axis), a title that wraps or shrinks
 * instead of being cut, axis titles, and a legend (for two or more series) in the corner of the
 * plot that no data crosses, or below the plot when every corner is taken.
 *
 * <p>Points whose x or y is not finite (or, on a log axis, not positive) are skipped and break
 * the line there, so a run that diverges to NaN plots up to its last number.
 *
 * <pre>{@code
 * BufferedImage chart = new LinePlot(720, 380)
 *     .title("Gradient norm per layer").xLabel("layer").yLabel("||dL/dW||").logY()
 *     .line("before", layers, before)
 *     .line("after", layers, after)
 *     .render();
 * }</pre>
 */
public final class LinePlot {
  /** Series colours, distinguishable in colour-blind vision (Okabe and Ito's palette). */
  static final Color[] PALETTE = {
    new Color(0x0072B2), new Color(0xD55E00), new Color(0x009E73), new Color(0xCC79A7),
    new Color(0xE69F00), new Color(0x56B4E9), new Color(0x000000), new Color(0xF0E442)
  };

  static final int MARGIN = 12;
  private static final Color INK = new Color(0x333333);
  private static final Color GRID = new Color(0xE4E4E4);
  private static final Color FRAME = new Color(0xB0B0B0);
  private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 16);
  private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
  private static final Font TICK = new Font(Font.SANS_SERIF, Font.PLAIN, 12);

  private record Series(String name, double[] x, double[] y, boolean markers) {}

  private final int width;
  private final int height;
  private String title = "";
  private String xLabel = "";
  private String yLabel = "";
  private boolean logY;
  private double yInclude = Double.NaN;
  private final List<Series> series = new ArrayList<>();

  /**
   * A plot of {@code width x height} pixels, without series yet.
   *
   * @throws IllegalArgumentException when the width is outside {@code [240, 4000]} or the
   *     height outside {@code [160, 4000]}
   */
  public LinePlot(int width, int height) {
    if (width < 240 || width > 4000 || height < 160 || height > 4000) {
      throw new IllegalArgumentException(
          "LinePlot: size must be within [240, 4000] x [160, 4000] pixels, got " + width + "x" + height);
    }
    this.width = width;
    this.height = height;
  }

  /** Sets the title, drawn above the plot (wrapped onto two lines or shrunk if it is long). */
  public LinePlot title(String title) {
    this.title = checkNotNull(title, "title: title is null");
    return this;
  }

  /** Sets the x axis title. */
  public LinePlot xLabel(String label) {
    this.xLabel = checkNotNull(label, "xLabel: label is null");
    return this;
  }

  /** Sets the y axis title, drawn rotated left of the tick labels. */
  public LinePlot yLabel(String label) {
    this.yLabel = checkNotNull(label, "yLabel: label is null");
    return this;
  }

  /** Makes the y axis logarithmic (base 10); values {@code <= 0} are then skipped. */
  public LinePlot logY() {
    this.logY = true;
    return this;
  }

  /**
   * Makes the y range include {@code value}, e.g. {@code 0} for a loss, so that the axis does
   * not start at the smallest value plotted.
   *
   * @throws IllegalArgumentException when {@code value} is not finite
   */
  public LinePlot yInclude(double value) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException("yInclude: value must be finite, got " + value);
    }
    this.yInclude = value;
    return this;
  }

  /**
   * Adds a series drawn as a line through {@code (x[i], y[i])}, in the next palette colour.
   *
   * @throws IllegalArgumentException when {@code x} and {@code y} differ in length
   */
  public LinePlot line(String name, double[] x, double[] y) {
    return add("line", name, x, y, false);
  }

  /** Adds a series drawn as a line with a dot at every point; see {@link #line}. */
  public LinePlot markedLine(String name, double[] x, double[] y) {
    return add("markedLine", name, x, y, true);
  }

  private LinePlot add(String op, String name, double[] x, double[] y, boolean markers) {
    checkNotNull(name, "%s: name is null", op);
    checkNotNull(x, "%s: x is null", op);
    checkNotNull(y, "%s: y is null", op);
    if (x.length != y.length) {
      throw new IllegalArgumentException(
          op + ": x and y differ in length (" + x.length + " != " + y.length + ") for series '" + name + "'");
    }
    series.add(new Series(name, x.clone(), y.clone(), markers));
    return this;
  }

  private boolean usable(double x, double y) {
    return Double.isFinite(x) && Double.isFinite(y) && (!logY || y > 0);
  }

  /**
   * Draws the plot.
   *
   * @return a new RGB image of the plot's size, white background
   * @throws IllegalArgumentException when no series has a point that can be plotted
   */
  public BufferedImage render() {
    double xLo = Double.POSITIVE_INFINITY;
    double xHi = Double.NEGATIVE_INFINITY;
    double yLo = Double.POSITIVE_INFINITY;
    double yHi = Double.NEGATIVE_INFINITY;
    for (Series s : series) {
      for (int i = 0; i < s.x.length; i++) {
        if (usable(s.x[i], s.y[i])) {
          xLo = Math.min(xLo, s.x[i]);
          xHi = Math.max(xHi, s.x[i]);
          yLo = Math.min(yLo, s.y[i]);
          yHi = Math.max(yHi, s.y[i]);
        }
      }
    }
    if (xLo > xHi) {
      throw new IllegalArgumentException("render: no finite point to plot in " + series.size() + " series"
          + (logY ? " (a log axis skips values <= 0)" : ""));
    }
    if (!Double.isNaN(yInclude) && (!logY || yInclude > 0)) {
      yLo = Math.min(yLo, yInclude);
      yHi = Math.max(yHi, yInclude);
    }

    FontMetrics tickFm = TextFit.metrics(TICK);
    FontMetrics labelFm = TextFit.metrics(LABEL);
    TextFit.Fitted fittedTitle = title.isEmpty() ? null
        : TextFit.fit(title, TITLE, width - 2 * MARGIN, 11, 2);
    int top = MARGIN + (fittedTitle == null ? 4 : fittedTitle.height() + 8);
    boolean legend = series.size() >= 2;
    Legend inside = legend ? Legend.vertical(names(), TICK) : null;

    // First try the legend inside the plot; if every corner has data under it, put it below.
    for (int attempt = 0; attempt < 2; attempt++) {
      boolean outside = attempt == 1;
      Legend below = outside ? Legend.flowing(names(), TICK, width - 2 * MARGIN) : null;
      int bottom = MARGIN + (xLabel.isEmpty() ? 0 : labelFm.getHeight() + 4) + tickFm.getHeight() + 8
          + (below == null ? 0 : below.height + 10);
      int plotH = height - top - bottom;
      Ticks.Axis yAxis = logY ? Ticks.log(yLo, yHi, Math.max(2, plotH / 36))
          : Ticks.linear(yLo, yHi, Math.max(2, plotH / 40), true);
      int tickW = 0;
      for (String l : yAxis.labels()) {
        tickW = Math.max(tickW, tickFm.stringWidth(l));
      }
      int left = MARGIN + (yLabel.isEmpty() ? 0 : labelFm.getHeight() + 6) + tickW + 8;
      int right = MARGIN + 12;
      int plotW = width - left - right;
      if (plotW < 60 || plotH < 40) {
        throw new IllegalArgumentException("render: " + width + "x" + height
            + " pixels leave no room for the plot after the title, labels and legend");
      }
      Ticks.Axis xAxis = Ticks.linear(xLo, xHi, Math.max(2, plotW / 70), false);
      Rectangle plot = new Rectangle(left, top, plotW, plotH);
      Transform t = new Transform(plot, xAxis, yAxis, logY);
      List<double[][]> polylines = pixelPolylines(t);
      Rectangle legendBox = null;
      if (legend && !outside) {
        int corner = emptiestCorner(polylines, corners(plot, inside.width, inside.height));
        if (corner < 0) {
          continue;
        }
        legendBox = corners(plot, inside.width, inside.height)[corner];
      } else if (legend) {
        legendBox = new Rectangle(MARGIN + (width - 2 * MARGIN - below.width) / 2,
            height - MARGIN - below.height, below.width, below.height);
      }
      return draw(fittedTitle, plot, t, xAxis, yAxis, polylines, legend ? (outside ? below : inside) : null,
          legendBox, tickFm, labelFm);
    }
    throw new AssertionError("unreachable: the second attempt always places the legend");
  }

  private List<String> names() {
    List<String> names = new ArrayList<>();
    for (Series s : series) {
      names.add(s.name);
    }
    return names;
  }

  /** Maps data to pixels inside the plot rectangle. */
  private record Transform(Rectangle plot, Ticks.Axis x, Ticks.Axis y, boolean logY) {
    /** Pixels between the frame and the outermost ticks, so points on the ends stay whole. */
    static final int INSET = 6;

    double px(double v) {
      return plot.x + INSET + (v - x.min()) / (x.max() - x.min()) * (plot.width - 2 * INSET);
    }

    double py(double v) {
      double f = logY
          ? (Math.log10(v) - Math.log10(y.min())) / (Math.log10(y.max()) - Math.log10(y.min()))
          : (v - y.min()) / (y.max() - y.min());
      return plot.y + plot.height - INSET - f * (plot.height - 2 * INSET);
    }
  }

  /** Each series as pixel polylines {xs, ys}, one per run of usable points. */
  private List<double[][]> pixelPolylines(Transform t) {
    List<double[][]> out = new ArrayList<>();
    for (Series s : series) {
      int i = 0;
      while (i < s.x.length) {
        while (i < s.x.length && !usable(s.x[i], s.y[i])) {
          i++;
        }
        int start = i;
        while (i < s.x.length && usable(s.x[i], s.y[i])) {
          i++;
        }
        if (i > start) {
          double[][] run = new double[2][i - start];
          for (int k = start; k < i; k++) {
            run[0][k - start] = t.px(s.x[k]);
            run[1][k - start] = t.py(s.y[k]);
          }
          out.add(run);
        }
      }
      out.add(null);   // marks the end of a series
    }
    return out;
  }

  /** The four corners of {@code plot} for a box of the given size: NE, NW, SE, SW. */
  static Rectangle[] corners(Rectangle plot, int w, int h) {
    int gap = 8;
    int xl = plot.x + gap;
    int xr = plot.x + plot.width - gap - w;
    int yt = plot.y + gap;
    int yb = plot.y + plot.height - gap - h;
    return new Rectangle[] {
      new Rectangle(xr, yt, w, h), new Rectangle(xl, yt, w, h),
      new Rectangle(xr, yb, w, h), new Rectangle(xl, yb, w, h)
    };
  }

  /**
   * The first candidate box (in the given order) that no polyline passes through nor comes
   * within 4 pixels of, or -1 when every one is hit (or does not fit). Lines are sampled every
   * pixel, so a segment that only crosses a box is seen.
   *
   * @param polylines pixel polylines {xs, ys}; null entries are skipped
   */
  static int emptiestCorner(List<double[][]> polylines, Rectangle[] candidates) {
    for (int c = 0; c < candidates.length; c++) {
      Rectangle r = candidates[c];
      if (r.width <= 0 || r.height <= 0 || r.x < 0 || r.y < 0) {
        continue;
      }
      Rectangle near = new Rectangle(r.x - 4, r.y - 4, r.width + 8, r.height + 8);
      if (!hits(polylines, near)) {
        return c;
      }
    }
    return -1;
  }

  private static boolean hits(List<double[][]> polylines, Rectangle r) {
    for (double[][] p : polylines) {
      if (p == null) {
        continue;
      }
      double[] xs = p[0];
      double[] ys = p[1];
      if (xs.length == 1 && r.contains(xs[0], ys[0])) {
        return true;
      }
      for (int i = 0; i + 1 < xs.length; i++) {
        double dx = xs[i + 1] - xs[i];
        double dy = ys[i + 1] - ys[i];
        int steps = (int) Math.min(100_000, Math.ceil(Math.hypot(dx, dy))) + 1;
        for (int k = 0; k <= steps; k++) {
          double f = (double) k / steps;
          if (r.contains(xs[i] + f * dx, ys[i] + f * dy)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private BufferedImage draw(TextFit.Fitted fittedTitle, Rectangle plot, Transform t, Ticks.Axis xAxis,
      Ticks.Axis yAxis, List<double[][]> polylines, Legend legend, Rectangle legendBox,
      FontMetrics tickFm, FontMetrics labelFm) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, width, height);
      if (fittedTitle != null) {
        drawCentredLines(g, fittedTitle, width / 2, MARGIN);
      }
      // Grid and ticks.
      g.setFont(TICK);
      g.setStroke(new BasicStroke(1f));
      for (int i = 0; i < yAxis.size(); i++) {
        int y = (int) Math.round(t.py(yAxis.values()[i]));
        g.setColor(GRID);
        g.drawLine(plot.x, y, plot.x + plot.width, y);
        g.setColor(INK);
        g.drawLine(plot.x - 4, y, plot.x, y);
        String s = yAxis.labels()[i];
        g.drawString(s, plot.x - 7 - tickFm.stringWidth(s), y + tickFm.getAscent() / 2 - 1);
      }
      for (int i = 0; i < xAxis.size(); i++) {
        int x = (int) Math.round(t.px(xAxis.values()[i]));
        g.setColor(GRID);
        g.drawLine(x, plot.y, x, plot.y + plot.height);
        g.setColor(INK);
        g.drawLine(x, plot.y + plot.height, x, plot.y + plot.height + 4);
        String s = xAxis.labels()[i];
        g.drawString(s, x - tickFm.stringWidth(s) / 2, plot.y + plot.height + 6 + tickFm.getAscent());
      }
      g.setColor(FRAME);
      g.drawRect(plot.x, plot.y, plot.width, plot.height);
      // Axis titles.
      g.setFont(LABEL);
      g.setColor(INK);
      if (!xLabel.isEmpty()) {
        int y = plot.y + plot.height + 6 + tickFm.getHeight() + 4 + labelFm.getAscent();
        g.drawString(xLabel, plot.x + (plot.width - labelFm.stringWidth(xLabel)) / 2, y);
      }
      if (!yLabel.isEmpty()) {
        AffineTransform saved = g.getTransform();
        g.translate(MARGIN + labelFm.getAscent(), plot.y + plot.height / 2.0 + labelFm.stringWidth(yLabel) / 2.0);
        g.rotate(-Math.PI / 2);
        g.drawString(yLabel, 0, 0);
        g.setTransform(saved);
      }
      // Series, clipped to the plot.
      g.setClip(plot.x, plot.y, plot.width + 1, plot.height + 1);
      g.setStroke(new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
      int s = 0;
      for (double[][] p : polylines) {
        if (p == null) {
          s++;
          continue;
        }
        g.setColor(PALETTE[s % PALETTE.length]);
        Path2D.Double path = new Path2D.Double();
        path.moveTo(p[0][0], p[1][0]);
        for (int i = 1; i < p[0].length; i++) {
          path.lineTo(p[0][i], p[1][i]);
        }
        g.draw(path);
        if (series.get(s).markers || p[0].length == 1) {
          for (int i = 0; i < p[0].length; i++) {
            g.fill(new Ellipse2D.Double(p[0][i] - 3.5, p[1][i] - 3.5, 7, 7));
          }
        }
      }
      g.setClip(null);
      if (legend != null) {
        legend.draw(g, legendBox, i -> series.get(i).markers);
      }
    } finally {
      g.dispose();
    }
    return image;
  }

  static void drawCentredLines(Graphics2D g, TextFit.Fitted text, int centreX, int top) {
    g.setFont(text.font());
    g.setColor(INK);
    FontMetrics fm = g.getFontMetrics();
    int baseline = top + text.ascent();
    for (String line : text.lines()) {
      g.drawString(line, centreX - fm.stringWidth(line) / 2, baseline);
      baseline += text.lineHeight();
    }
  }

  /** A legend box: one entry per series, in rows of entries, measured before it is placed. */
  static final class Legend {
    private static final int PAD = 6;
    private static final int SWATCH = 22;
    private static final int ENTRY_GAP = 16;

    final List<String> names;
    final Font font;
    /** Entry indices per row. */
    final List<List<Integer>> rows;
    final int width;
    final int height;
    private final int lineHeight;

    private Legend(List<String> names, Font font, List<List<Integer>> rows) {
      this.names = names;
      this.font = font;
      this.rows = rows;
      FontMetrics fm = TextFit.metrics(font);
      this.lineHeight = fm.getHeight() + 2;
      int w = 0;
      for (List<Integer> row : rows) {
        w = Math.max(w, rowWidth(row, fm));
      }
      this.width = w + 2 * PAD;
      this.height = rows.size() * lineHeight + 2 * PAD;
    }

    private int rowWidth(List<Integer> row, FontMetrics fm) {
      int w = 0;
      for (int i : row) {
        w += SWATCH + 6 + fm.stringWidth(names.get(i)) + ENTRY_GAP;
      }
      return w - ENTRY_GAP;
    }

    /** One entry per row. */
    static Legend vertical(List<String> names, Font font) {
      List<List<Integer>> rows = new ArrayList<>();
      for (int i = 0; i < names.size(); i++) {
        rows.add(List.of(i));
      }
      return new Legend(names, font, rows);
    }

    /** Entries side by side, wrapped into rows no wider than {@code maxWidth}. */
    static Legend flowing(List<String> names, Font font, int maxWidth) {
      FontMetrics fm = TextFit.metrics(font);
      List<List<Integer>> rows = new ArrayList<>();
      List<Integer> row = new ArrayList<>();
      int w = 0;
      for (int i = 0; i < names.size(); i++) {
        int entry = SWATCH + 6 + fm.stringWidth(names.get(i));
        if (!row.isEmpty() && w + ENTRY_GAP + entry > maxWidth - 2 * PAD) {
          rows.add(row);
          row = new ArrayList<>();
          w = 0;
        }
        w += (row.isEmpty() ? 0 : ENTRY_GAP) + entry;
        row.add(i);
      }
      rows.add(row);
      return new Legend(names, font, rows);
    }

    void draw(Graphics2D g, Rectangle box, java.util.function.IntPredicate markers) {
      g.setColor(new Color(255, 255, 255, 235));
      g.fillRect(box.x, box.y, box.width, box.height);
      g.setColor(FRAME);
      g.setStroke(new BasicStroke(1f));
      g.drawRect(box.x, box.y, box.width, box.height);
      g.setFont(font);
      FontMetrics fm = g.getFontMetrics();
      int y = box.y + PAD;
      for (List<Integer> row : rows) {
        int x = box.x + PAD;
        int mid = y + lineHeight / 2;
        for (int i : row) {
          Color c = PALETTE[i % PALETTE.length];
          g.setColor(c);
          g.setStroke(new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
          g.drawLine(x + 1, mid, x + SWATCH - 1, mid);
          if (markers.test(i)) {
            g.fill(new Ellipse2D.Double(x + SWATCH / 2.0 - 3.5, mid - 3.5, 7, 7));
          }
          g.setColor(INK);
          g.drawString(names.get(i), x + SWATCH + 6, mid + fm.getAscent() / 2 - 1);
          x += SWATCH + 6 + fm.stringWidth(names.get(i)) + ENTRY_GAP;
        }
        y += lineHeight;
      }
    }
  }
}
