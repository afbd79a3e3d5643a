package dev.cadena.viz;

import static com.google.common.base.Preconditions.checkNotNull;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;

/**
 * A heatmap of a matrix drawn into a {@link BufferedImage}: one square cell per entry coloured from
 * white to dark blue by its value, optional text in each cell (a confusion matrix's counts), row
 * and column indices, a title, axis titles centred on the grid, and a colour bar with round ticks
 * that says what the colours mean.
 *
 * <p>The colour of value {@code v} in the range {@code [lo, hi]} is {@code ramp(f)} with {@code f
 * = (v - lo) / (hi - lo)}, or {@code sqrt(f)} after {@link #sqrtScale()}, which spreads the small
 * values apart (the mistakes of a confusion matrix); the colour bar is drawn with the same map, so
 * its ticks stay where their colours are.
 *
 * <pre>{@code
 * BufferedImage picture = new Heatmap(rowShares)          // double[10][10], each row sums to 1
 *     .cellText(counts)                                    // String[10][10]
 *     .title("Confusion matrix").xLabel("predicted digit").yLabel("true digit")
 *     .colourBarLabel("share of the row").range(0, 1).sqrtScale()
 *     .render();
 * }</pre>
 */
public final class Heatmap {
  private static final Color INK = new Color(0x333333);
  private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 16);
  private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
  private static final Font SMALL = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
  private static final int MARGIN = 12;
  private static final int BAR_WIDTH = 16;

  private final double[][] values;
  private final int rows;
  private final int columns;
  private String[][] text;
  private String title = "";
  private String xLabel = "";
  private String yLabel = "";
  private String barLabel = "";
  private double lo;
  private double hi;
  private boolean sqrt;
  private int cell = 40;

  /**
   * A heatmap of {@code values} (rows top to bottom), coloured over the range of its finite
   * entries until {@link #range} sets another.
   *
   * @throws IllegalArgumentException when {@code values} is empty, ragged, larger than 200 x 200
   *     or has no finite entry
   */
  public Heatmap(double[][] values) {
    checkNotNull(values, "Heatmap: values is null");
    if (values.length == 0 || values.length > 200) {
      throw new IllegalArgumentException("Heatmap: needs 1 to 200 rows, got " + values.length);
    }
    this.rows = values.length;
    checkNotNull(values[0], "Heatmap: values[0] is null");
    this.columns = values[0].length;
    if (columns == 0 || columns > 200) {
      throw new IllegalArgumentException("Heatmap: needs 1 to 200 columns, got " + columns);
    }
    this.values = new double[rows][];
    lo = Double.POSITIVE_INFINITY;
    hi = Double.NEGATIVE_INFINITY;
    for (int r = 0; r < rows; r++) {
      checkNotNull(values[r], "Heatmap: values[%s] is null", r);
      if (values[r].length != columns) {
        throw new IllegalArgumentException("Heatmap: rows differ in length: values[0] has " + columns
            + " entries, values[" + r + "] has " + values[r].length);
      }
      this.values[r] = values[r].clone();
      for (double v : values[r]) {
        if (Double.isFinite(v)) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
    }
    if (lo > hi) {
      throw new IllegalArgumentException("Heatmap: values has no finite entry");
    }
  }

  /**
   * Writes {@code text[r][c]} in each cell (white on dark cells), e.g. the counts behind shares.
   *
   * @throws IllegalArgumentException when {@code text}'s shape differs from the values'
   */
  public Heatmap cellText(String[][] text) {
    checkNotNull(text, "cellText: text is null");
    if (text.length != rows) {
      throw new IllegalArgumentException(
          "cellText: text has " + text.length + " rows, the values " + rows);
    }
    String[][] copy = new String[rows][];
    for (int r = 0; r < rows; r++) {
      checkNotNull(text[r], "cellText: text[%s] is null", r);
      if (text[r].length != columns) {
        throw new IllegalArgumentException("cellText: text[" + r + "] has " + text[r].length
            + " entries, the values' rows " + columns);
      }
      copy[r] = text[r].clone();
    }
    this.text = copy;
    return this;
  }

  /** Sets the title, drawn above the grid (wrapped or shrunk to fit, never cut). */
  public Heatmap title(String title) {
    this.title = checkNotNull(title, "title: title is null");
    return this;
  }

  /** Sets the title of the columns' axis, centred above the column indices. */
  public Heatmap xLabel(String label) {
    this.xLabel = checkNotNull(label, "xLabel: label is null");
    return this;
  }

  /** Sets the title of the rows' axis, rotated and centred left of the row indices. */
  public Heatmap yLabel(String label) {
    this.yLabel = checkNotNull(label, "yLabel: label is null");
    return this;
  }

  /** Sets the colour bar's title, rotated right of the bar. */
  public Heatmap colourBarLabel(String label) {
    this.barLabel = checkNotNull(label, "colourBarLabel: label is null");
    return this;
  }

  /**
   * Colours the range {@code [lo, hi]}: {@code lo} white, {@code hi} darkest; values outside
   * are clamped.
   *
   * @throws IllegalArgumentException unless {@code lo < hi}, both finite
   */
  public Heatmap range(double lo, double hi) {
    if (!Double.isFinite(lo) || !Double.isFinite(hi) || !(lo < hi)) {
      throw new IllegalArgumentException("range: needs finite lo < hi, got [" + lo + ", " + hi + "]");
    }
    this.lo = lo;
    this.hi = hi;
    return this;
  }

  /** Maps the value's place in the range through a square root, spreading small values apart. */
  public Heatmap sqrtScale() {
    this.sqrt = true;
    return this;
  }

  /**
   * Sets the side of a cell in pixels (default 40).
   *
   * @throws IllegalArgumentException unless {@code 4 <= pixels <= 200}
   */
  public Heatmap cellSize(int pixels) {
    if (pixels < 4 || pixels > 200) {
      throw new IllegalArgumentException("cellSize: must be within [4, 200] pixels, got " + pixels);
    }
    this.cell = pixels;
    return this;
  }

  /** The place of {@code v} on the colour ramp, in {@code [0, 1]}. */
  double fraction(double v) {
    double span = hi - lo;
    double f = span > 0 ? (v - lo) / span : 0.5;
    f = Math.max(0, Math.min(1, f));
    return sqrt ? Math.sqrt(f) : f;
  }

  /** White to dark blue. */
  static Color ramp(double f) {
    float t = (float) f;
    return new Color(1 - 0.92f * t, 1 - 0.72f * t, 1 - 0.42f * t);
  }

  /**
   * Draws the heatmap.
   *
   * @return a new RGB image, white background, sized to the grid, labels and colour bar
   */
  public BufferedImage render() {
    FontMetrics small = TextFit.metrics(SMALL);
    FontMetrics label = TextFit.metrics(LABEL);
    int gridW = columns * cell;
    int gridH = rows * cell;
    int rowIndexW = small.stringWidth(String.valueOf(rows - 1)) + 8;
    int left = MARGIN + (yLabel.isEmpty() ? 0 : label.getHeight() + 6) + rowIndexW;
    double barLo = lo;
    double barHi = hi > lo ? hi : lo + 1;
    Ticks.Axis bar = Ticks.linear(barLo, barHi, Math.max(2, gridH / 40), false);
    int barTickW = 0;
    for (String s : bar.labels()) {
      barTickW = Math.max(barTickW, small.stringWidth(s));
    }
    int barX = left + gridW + 24;
    int width = barX + BAR_WIDTH + 6 + barTickW + (barLabel.isEmpty() ? 0 : 8 + label.getHeight()) + MARGIN;
    TextFit.Fitted fittedTitle = title.isEmpty() ? null : TextFit.fit(title, TITLE, width - 2 * MARGIN, 11, 2);
    int top = MARGIN + (fittedTitle == null ? 0 : fittedTitle.height() + 8)
        + (xLabel.isEmpty() ? 0 : label.getHeight() + 2) + small.getHeight() + 4;
    int height = top + gridH + MARGIN + small.getHeight() / 2;

    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, width, height);
      if (fittedTitle != null) {
        LinePlot.drawCentredLines(g, fittedTitle, width / 2, MARGIN);
      }
      g.setColor(INK);
      g.setFont(LABEL);
      if (!xLabel.isEmpty()) {
        g.drawString(xLabel, left + (gridW - label.stringWidth(xLabel)) / 2,
            top - small.getHeight() - 4 - label.getDescent() - 2);
      }
      if (!yLabel.isEmpty()) {
        drawRotated(g, yLabel, MARGIN + label.getAscent(), top + gridH / 2.0 + label.stringWidth(yLabel) / 2.0);
      }
      g.setFont(SMALL);
      for (int c = 0; c < columns; c++) {
        String s = String.valueOf(c);
        g.drawString(s, left + c * cell + (cell - small.stringWidth(s)) / 2, top - 4 - small.getDescent());
      }
      for (int r = 0; r < rows; r++) {
        String s = String.valueOf(r);
        g.setColor(INK);
        g.drawString(s, left - 6 - small.stringWidth(s), top + r * cell + cell / 2 + small.getAscent() / 2 - 1);
        for (int c = 0; c < columns; c++) {
          double v = values[r][c];
          double f = Double.isFinite(v) ? fraction(v) : 0;
          g.setColor(Double.isFinite(v) ? ramp(f) : new Color(0xDDDDDD));
          g.fillRect(left + c * cell, top + r * cell, cell, cell);
          if (text != null && text[r][c] != null) {
            String t = text[r][c];
            g.setColor(f > 0.6 ? Color.WHITE : Color.BLACK);
            g.drawString(t, left + c * cell + (cell - small.stringWidth(t)) / 2,
                top + r * cell + cell / 2 + small.getAscent() / 2 - 1);
          }
        }
      }
      g.setColor(new Color(0xB0B0B0));
      g.setStroke(new BasicStroke(1f));
      g.drawRect(left, top, gridW, gridH);
      // The colour bar: the ramp from the bottom (lo) to the top (hi), ticks at round values.
      for (int y = 0; y < gridH; y++) {
        double v = barLo + (barHi - barLo) * (gridH - 1 - y) / Math.max(1, gridH - 1);
        g.setColor(ramp(fraction(v)));
        g.drawLine(barX, top + y, barX + BAR_WIDTH, top + y);
      }
      g.setColor(new Color(0xB0B0B0));
      g.drawRect(barX, top, BAR_WIDTH, gridH);
      g.setColor(INK);
      for (int i = 0; i < bar.size(); i++) {
        int y = top + (int) Math.round((barHi - bar.values()[i]) / (barHi - barLo) * (gridH - 1));
        g.drawLine(barX + BAR_WIDTH, y, barX + BAR_WIDTH + 4, y);
        g.drawString(bar.labels()[i], barX + BAR_WIDTH + 6, y + small.getAscent() / 2 - 1);
      }
      if (!barLabel.isEmpty()) {
        g.setFont(LABEL);
        drawRotated(g, barLabel, barX + BAR_WIDTH + 6 + barTickW + 8 + label.getAscent(),
            top + gridH / 2.0 + label.stringWidth(barLabel) / 2.0);
      }
    } finally {
      g.dispose();
    }
    return image;
  }

  private static void drawRotated(Graphics2D g, String s, double x, double y) {
    AffineTransform saved = g.getTransform();
    g.translate(x, y);
    g.rotate(-Math.PI / 2);
    g.drawString(s, 0, 0);
    g.setTransform(saved);
  }
}
