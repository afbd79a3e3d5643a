package dev.cadena.viz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Scale;
import org.junit.jupiter.api.Test;

/**
 * The layout rules of the plots: round ticks in one notation per axis, titles that fit, legends
 * off the data, heatmap colour bars, and the graph picture's width cap.
 */
class PlotLayoutTest {

  // ================================================================== ticks

  /**
   * The step between consecutive ticks, read exactly from the labels, is 1, 2 or 5 times a power
   * of ten, the same between every pair, and every tick is a multiple of it.
   */
  private static void assertRoundSteps(Ticks.Axis axis) {
    String[] labels = axis.labels();
    assertTrue(labels.length >= 2, "fewer than 2 ticks: " + Arrays.toString(labels));
    BigDecimal[] v = new BigDecimal[labels.length];
    for (int i = 0; i < labels.length; i++) {
      v[i] = new BigDecimal(labels[i].replace("e", "E"));
    }
    BigDecimal step = v[1].subtract(v[0]);
    int mantissa = step.stripTrailingZeros().unscaledValue().intValueExact();
    assertTrue(mantissa == 1 || mantissa == 2 || mantissa == 5,
        "step " + step + " is not 1, 2 or 5 times a power of ten: " + Arrays.toString(labels));
    for (int i = 1; i < v.length; i++) {
      assertEquals(0, step.compareTo(v[i].subtract(v[i - 1])), "uneven ticks " + Arrays.toString(labels));
      // Every tick is a multiple of the step (so 0 is a tick whenever the range crosses it).
      assertEquals(0, v[i].remainder(step).signum(), "tick " + v[i] + " is not a multiple of " + step);
    }
  }

  /** Each label reads back as its tick's value, and the axis uses one notation. */
  private static void assertLabelsMatch(Ticks.Axis axis, boolean sameDigits) {
    boolean anyE = false;
    boolean anyPlain = false;
    int digits = -1;
    for (int i = 0; i < axis.size(); i++) {
      String label = axis.labels()[i];
      double v = axis.values()[i];
      assertEquals(v, Double.parseDouble(label), Math.max(1e-300, Math.abs(v) * 1e-9),
          "label '" + label + "' for tick " + v);
      if (label.equals("0")) {
        continue;
      }
      if (label.contains("e")) {
        anyE = true;
      } else {
        anyPlain = true;
        int d = label.contains(".") ? label.length() - label.indexOf('.') - 1 : 0;
        if (sameDigits && digits >= 0) {
          assertEquals(digits, d, "digits after the point differ: " + Arrays.toString(axis.labels()));
        }
        digits = d;
      }
    }
    assertFalse(anyE && anyPlain, "mixed notation: " + Arrays.toString(axis.labels()));
  }

  @Property(seed = "12", tries = 300)
  void testLinear_roundStepsCoverTheDataAndFit(
      @ForAll @DoubleRange(min = -1e7, max = 1e7) double a,
      @ForAll @DoubleRange(min = 1e-6, max = 1e7) @Scale(8) double span,
      @ForAll @IntRange(min = 2, max = 12) int maxTicks) {
    double lo = a;
    double hi = a + span;
    Ticks.Axis axis = Ticks.linear(lo, hi, maxTicks, true);
    assertTrue(axis.size() <= maxTicks, axis.size() + " ticks > " + maxTicks);
    assertRoundSteps(axis);
    // The range holds the data, and its ends are the outer ticks (up to rounding of the data).
    assertTrue(axis.min() <= lo && axis.max() >= hi,
        "range [" + axis.min() + ", " + axis.max() + "] does not enclose [" + lo + ", " + hi + "]");
    double step = axis.values()[1] - axis.values()[0];
    assertEquals(axis.values()[0], axis.min(), step * 1e-6);
    assertEquals(axis.values()[axis.size() - 1], axis.max(), step * 1e-6);
    // Not needlessly coarse: the next finer 1-2-5 step would give too many ticks.
    assertLabelsMatch(axis, true);
  }

  @Property(seed = "13", tries = 200)
  void testLinear_withoutExtending_ticksStayInsideTheData(
      @ForAll @DoubleRange(min = -1e4, max = 1e4) double a,
      @ForAll @DoubleRange(min = 1e-3, max = 1e4) @Scale(6) double span,
      @ForAll @IntRange(min = 3, max = 12) int maxTicks) {
    Ticks.Axis axis = Ticks.linear(a, a + span, maxTicks, false);
    assertEquals(a, axis.min());
    assertEquals(a + span, axis.max());
    for (double v : axis.values()) {
      assertTrue(v >= a - span * 1e-9 && v <= a + span * (1 + 1e-9), v + " outside [" + a + ", " + (a + span) + "]");
    }
    assertTrue(axis.size() >= 2 && axis.size() <= maxTicks + 1, Arrays.toString(axis.values()));
    assertLabelsMatch(axis, true);
  }

  @Test
  void testLinear_accuracyAxis_roundNumbers() {
    // notebook 03's accuracy: 81..100 in about 7 ticks -> steps of 5 from 80 to 100
    Ticks.Axis axis = Ticks.linear(81.15, 99.35, 7, true);
    assertArrayEquals(new String[] {"80", "85", "90", "95", "100"}, axis.labels());
  }

  @Test
  void testLinear_smallSteps_sameDigitsEverywhere() {
    // 0.1 .. 0.7 with up to 8 ticks: 0.1, 0.2, ..., 0.7, never 0.1, 0.4, 0.7
    Ticks.Axis axis = Ticks.linear(0.1, 0.7, 8, true);
    assertArrayEquals(new String[] {"0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7"}, axis.labels());
    Ticks.Axis halves = Ticks.linear(0, 2, 5, true);
    assertArrayEquals(new String[] {"0.0", "0.5", "1.0", "1.5", "2.0"}, halves.labels());
  }

  @Test
  void testLinear_millions_oneExponentForTheAxis() {
    // 4.7e5 .. 5.2e6: steps of 1e6 from 0 to 6e6, all labelled with the exponent 6.
    Ticks.Axis axis = Ticks.linear(4.7e5, 5.2e6, 7, true);
    assertArrayEquals(new String[] {"0", "1e6", "2e6", "3e6", "4e6", "5e6", "6e6"}, axis.labels());
    Ticks.Axis fine = Ticks.linear(4.7e5, 5.2e6, 12, true);
    assertArrayEquals(new String[] {"0", "0.5e6", "1.0e6", "1.5e6", "2.0e6", "2.5e6", "3.0e6", "3.5e6",
        "4.0e6", "4.5e6", "5.0e6", "5.5e6"}, fine.labels());
  }

  @Test
  void testLinear_constantData_getsARange() {
    Ticks.Axis axis = Ticks.linear(3, 3, 6, true);
    assertTrue(axis.min() < 3 && axis.max() > 3, axis.min() + " .. " + axis.max());
    assertRoundSteps(axis);
  }

  @Test
  void testLog_manyDecades_uniformENotationWithLabelsBelowOne() {
    // notebook 02's clipping chart: 0.03 .. 3e7
    Ticks.Axis axis = Ticks.log(0.03, 3e7, 12);
    assertArrayEquals(new String[] {"1e-2", "1e-1", "1e0", "1e1", "1e2", "1e3", "1e4", "1e5", "1e6", "1e7", "1e8"},
        axis.labels());
    assertEquals(0.01, axis.min(), 1e-18);
    assertEquals(1e8, axis.max(), 1e-6);
  }

  @Test
  void testLog_tooManyDecades_everySecondDecade() {
    Ticks.Axis axis = Ticks.log(0.03, 3e7, 8);
    assertArrayEquals(new String[] {"1e-2", "1e0", "1e2", "1e4", "1e6", "1e8"}, axis.labels());
  }

  @Test
  void testLog_withinPlainRange_plainDecimals() {
    Ticks.Axis axis = Ticks.log(0.002, 300, 10);
    assertArrayEquals(new String[] {"0.001", "0.01", "0.1", "1", "10", "100", "1000"}, axis.labels());
  }

  @Test
  void testLog_shortSpan_addsTwoAndFive() {
    // notebook 03's loss: 0.02 .. 0.6, under two decades -> 1-2-5 ticks, all labelled.
    Ticks.Axis axis = Ticks.log(0.021, 0.6, 10);
    assertArrayEquals(new String[] {"0.02", "0.05", "0.1", "0.2", "0.5", "1"}, axis.labels());
    Ticks.Axis narrow = Ticks.log(3, 4, 10);
    assertArrayEquals(new String[] {"2", "5"}, narrow.labels());
  }

  @Property(seed = "14", tries = 300)
  void testLog_ticksEncloseTheDataAndReadBack(
      @ForAll @DoubleRange(min = -12, max = 12) double logLo,
      @ForAll @DoubleRange(min = 0.01, max = 20) double decades,
      @ForAll @IntRange(min = 2, max = 12) int maxTicks) {
    double lo = Math.pow(10, logLo);
    double hi = Math.pow(10, logLo + decades);
    Ticks.Axis axis = Ticks.log(lo, hi, maxTicks);
    assertTrue(axis.size() >= 2, Arrays.toString(axis.labels()));
    assertTrue(axis.size() <= Math.max(maxTicks, 3), axis.size() + " > " + maxTicks + ": " + Arrays.toString(axis.labels()));
    assertTrue(axis.values()[0] <= lo * (1 + 1e-12) && axis.values()[axis.size() - 1] >= hi * (1 - 1e-12),
        Arrays.toString(axis.labels()) + " do not enclose [" + lo + ", " + hi + "]");
    for (int i = 0; i < axis.size(); i++) {
      // Every tick is 1, 2 or 5 times a power of ten, written exactly.
      BigDecimal exact = new BigDecimal(axis.labels()[i].replace("e", "E"));
      int m = exact.unscaledValue().abs().toString().replaceAll("0+$", "").length() == 1
          ? exact.stripTrailingZeros().unscaledValue().intValueExact() : -1;
      assertTrue(m == 1 || m == 2 || m == 5, "tick " + axis.labels()[i]);
      if (i > 0) {
        assertTrue(axis.values()[i] > axis.values()[i - 1], Arrays.toString(axis.labels()));
      }
    }
    assertLabelsMatch(axis, false);   // a log axis writes 0.5, 1, 2: no shared digits
  }

  @Test
  void testTicks_badRanges() {
    assertThrows(IllegalArgumentException.class, () -> Ticks.log(0, 10, 5));
    assertThrows(IllegalArgumentException.class, () -> Ticks.log(-1, 10, 5));
    assertThrows(IllegalArgumentException.class, () -> Ticks.linear(Double.NaN, 1, 5, true));
    assertThrows(IllegalArgumentException.class, () -> Ticks.linear(2, 1, 5, true));
  }

  // ================================================================== titles

  private static final String LONG_TITLE =
      "Per-layer gradient norms of the exploding network, before and after clipGradNorm(1.0)";

  @Test
  void testWrap_linesFitAndKeepEveryWord() {
    Font font = new Font(Font.SANS_SERIF, Font.BOLD, 16);
    FontMetrics fm = TextFit.metrics(font);
    for (int width : new int[] {120, 300, 500}) {
      List<String> lines = TextFit.wrap(LONG_TITLE, fm, width);
      for (String line : lines) {
        assertTrue(fm.stringWidth(line) <= width, "'" + line + "' wider than " + width);
      }
      // Every character in order: a word broken between lines loses only the line break.
      assertEquals(LONG_TITLE.replace(" ", ""), String.join("", lines).replace(" ", ""));
    }
  }

  @Test
  void testWrap_wordLongerThanTheLine_isBrokenNotCut() {
    FontMetrics fm = TextFit.metrics(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    String word = "clipGradNorm(maxNorm=1.0,normType=2.0)";
    List<String> lines = TextFit.wrap(word, fm, 60);
    assertTrue(lines.size() > 1, lines.toString());
    assertEquals(word, String.join("", lines));
    for (String line : lines) {
      assertTrue(fm.stringWidth(line) <= 60, line);
    }
  }

  @Test
  void testFit_shrinksOrWrapsButNeverCuts() {
    Font font = new Font(Font.SANS_SERIF, Font.BOLD, 16);
    for (int width : new int[] {240, 450, 696, 2000}) {
      TextFit.Fitted fitted = TextFit.fit(LONG_TITLE, font, width, 11, 2);
      FontMetrics fm = TextFit.metrics(fitted.font());
      for (String line : fitted.lines()) {
        assertTrue(fm.stringWidth(line) <= width, "'" + line + "' wider than " + width);
      }
      assertEquals(LONG_TITLE, String.join(" ", fitted.lines()));
      assertTrue(fitted.font().getSize() >= 11 && fitted.font().getSize() <= 16);
    }
    // Room enough: one line at the preferred size.
    TextFit.Fitted wide = TextFit.fit(LONG_TITLE, font, 2000, 11, 2);
    assertEquals(1, wide.lines().size());
    assertEquals(16, wide.font().getSize());
  }

  // ================================================================== legend placement

  private static Rectangle plot() {
    return new Rectangle(50, 40, 600, 300);
  }

  /** A polyline from pixel coordinates x0, y0, x1, y1, ... */
  private static double[][] line(double... xy) {
    double[][] p = new double[2][xy.length / 2];
    for (int i = 0; i < xy.length / 2; i++) {
      p[0][i] = xy[2 * i];
      p[1][i] = xy[2 * i + 1];
    }
    return p;
  }

  @Test
  void testEmptiestCorner_skipsCornersWithData() {
    Rectangle[] corners = LinePlot.corners(plot(), 160, 50);
    // A line rising to the top right: NE is taken, NW is free.
    List<double[][]> rising = new ArrayList<>();
    rising.add(line(56, 330, 644, 46));
    assertEquals(1, LinePlot.emptiestCorner(rising, corners));
    // Add a flat line along the top: both upper corners are taken, SE is free.
    rising.add(line(56, 60, 644, 60));
    assertEquals(2, LinePlot.emptiestCorner(rising, corners));
  }

  @Test
  void testEmptiestCorner_seesASegmentThatOnlyCrossesTheBox() {
    Rectangle[] corners = {new Rectangle(100, 100, 100, 40)};
    // Both ends are far outside the box; the segment passes through its middle.
    List<double[][]> crossing = new ArrayList<>();
    crossing.add(line(50, 120, 400, 120));
    assertEquals(-1, LinePlot.emptiestCorner(crossing, corners));
    crossing.set(0, line(50, 200, 400, 200));
    assertEquals(0, LinePlot.emptiestCorner(crossing, corners));
  }

  @Test
  void testEmptiestCorner_everyCornerTaken_isMinusOne() {
    Rectangle p = plot();
    List<double[][]> zigzag = new ArrayList<>();
    zigzag.add(line(56, 46, 644, 334));
    zigzag.add(line(56, 334, 644, 46));
    zigzag.add(line(56, 190, 350, 46, 644, 190, 350, 334, 56, 190));
    assertEquals(-1, LinePlot.emptiestCorner(zigzag, LinePlot.corners(p, 200, 80)));
  }

  @Test
  void testRender_legendGoesBelowWhenEveryCornerHasData() {
    int n = 200;
    double[] x = new double[n];
    double[] up = new double[n];
    double[] down = new double[n];
    double[] wave = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = i;
      up[i] = i;
      down[i] = n - i;
      wave[i] = n / 2.0 + n / 2.0 * Math.sin(i / 8.0);
    }
    BufferedImage crowded = new LinePlot(480, 320).title("crowded").line("up", x, up).line("down", x, down)
        .line("wave", x, wave).render();
    BufferedImage roomy = new LinePlot(480, 320).title("roomy").line("up", x, up).line("high", x, up.clone())
        .render();
    // The legend's swatch of the third series (palette colour 2) appears in the bottom rows,
    // below the plot, only when it could not go inside.
    assertTrue(hasColourInRows(crowded, LinePlot.PALETTE[2].getRGB(), crowded.getHeight() - 40, crowded.getHeight()),
        "no legend below the crowded plot");
    assertFalse(hasColourInRows(roomy, LinePlot.PALETTE[1].getRGB(), roomy.getHeight() - 30, roomy.getHeight()),
        "the roomy plot's legend should sit inside it");
    assertEquals(480, crowded.getWidth());
    assertEquals(320, crowded.getHeight());
  }

  private static boolean hasColourInRows(BufferedImage image, int rgb, int fromRow, int toRow) {
    for (int y = Math.max(0, fromRow); y < toRow; y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        if ((image.getRGB(x, y) & 0xFFFFFF) == (rgb & 0xFFFFFF)) {
          return true;
        }
      }
    }
    return false;
  }

  @Test
  void testRender_skipsNonFiniteAndNonPositiveOnLogAxes() {
    double[] x = {0, 1, 2, 3};
    double[] y = {1, Double.NaN, 0, 100};
    BufferedImage image = new LinePlot(320, 200).logY().line("y", x, y).render();
    assertEquals(320, image.getWidth());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new LinePlot(320, 200).logY().line("y", x, new double[] {0, -1, Double.NaN, 0}).render());
    assertTrue(e.getMessage().startsWith("render: no finite point"), e.getMessage());
  }

  @Test
  void testLinePlot_badArguments() {
    IllegalArgumentException size = assertThrows(IllegalArgumentException.class, () -> new LinePlot(100, 300));
    assertTrue(size.getMessage().contains("100x300"), size.getMessage());
    IllegalArgumentException lengths = assertThrows(IllegalArgumentException.class,
        () -> new LinePlot(400, 300).line("s", new double[3], new double[2]));
    assertEquals("line: x and y differ in length (3 != 2) for series 's'", lengths.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new LinePlot(400, 300).yInclude(Double.NaN));
    NullPointerException npe = assertThrows(NullPointerException.class,
        () -> new LinePlot(400, 300).markedLine("s", null, new double[1]));
    assertEquals("markedLine: x is null", npe.getMessage());
  }

  // ================================================================== heatmap

  @Test
  void testHeatmap_colourBarRunsFromLowAtTheBottomToHighAtTheTop() {
    double[][] v = {{0, 1}, {0.25, 0.5}};
    BufferedImage image = new Heatmap(v).cellSize(40).range(0, 1).render();
    int dark = Heatmap.ramp(1).getRGB() & 0xFFFFFF;
    // The bar is the rightmost column of pixels with the darkest colour.
    int barX = -1;
    for (int x = image.getWidth() - 1; x >= 0 && barX < 0; x--) {
      for (int y = 0; y < image.getHeight(); y++) {
        if ((image.getRGB(x, y) & 0xFFFFFF) == dark) {
          barX = x;
          break;
        }
      }
    }
    assertTrue(barX > 2 * 40, "no colour bar right of the grid (dark column at " + barX + ")");
    int top = -1;
    int bottom = -1;
    for (int y = 0; y < image.getHeight(); y++) {
      int rgb = image.getRGB(barX, y) & 0xFFFFFF;
      if (rgb != 0xFFFFFF && (rgb & 0xFF) > 0x60 && top < 0) {
        top = y;
      }
    }
    for (int y = image.getHeight() - 1; y >= 0; y--) {
      if ((image.getRGB(barX, y) & 0xFFFFFF) != 0xFFFFFF && bottom < 0) {
        bottom = y;
      }
    }
    assertTrue(top >= 0 && bottom > top, top + " .. " + bottom);
    int topColour = image.getRGB(barX, top + 2) & 0xFFFFFF;
    int bottomColour = image.getRGB(barX, bottom - 2) & 0xFFFFFF;
    assertTrue((topColour >> 16) < (bottomColour >> 16), "top " + Integer.toHexString(topColour)
        + " should be darker than bottom " + Integer.toHexString(bottomColour));
  }

  @Test
  void testHeatmap_sqrtScaleSpreadsSmallValues() {
    Heatmap linear = new Heatmap(new double[][] {{0, 1}}).range(0, 1);
    Heatmap sqrt = new Heatmap(new double[][] {{0, 1}}).range(0, 1).sqrtScale();
    assertEquals(0.25, linear.fraction(0.25), 1e-15);
    assertEquals(0.5, sqrt.fraction(0.25), 1e-15);
    assertEquals(0.0, sqrt.fraction(-3), 0.0);   // clamped
    assertEquals(1.0, sqrt.fraction(7), 0.0);
  }

  @Test
  void testHeatmap_badArguments() {
    IllegalArgumentException ragged = assertThrows(IllegalArgumentException.class,
        () -> new Heatmap(new double[][] {{1, 2}, {3}}));
    assertEquals("Heatmap: rows differ in length: values[0] has 2 entries, values[1] has 1", ragged.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Heatmap(new double[0][]));
    assertThrows(IllegalArgumentException.class, () -> new Heatmap(new double[][] {{Double.NaN}}));
    IllegalArgumentException text = assertThrows(IllegalArgumentException.class,
        () -> new Heatmap(new double[][] {{1, 2}}).cellText(new String[][] {{"a"}}));
    assertEquals("cellText: text[0] has 1 entries, the values' rows 2", text.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Heatmap(new double[][] {{1}}).range(1, 1));
    NullPointerException row = assertThrows(NullPointerException.class,
        () -> new Heatmap(new double[][] {{1}, null}));
    assertEquals("Heatmap: values[1] is null", row.getMessage());
  }

  // ================================================================== graph width

  @Test
  void testWrapColumns_greedyInOrderWithinTheWidth() {
    int[] widths = {100, 200, 150, 300, 50, 700, 80};
    int gap = 20;
    int max = 400;
    List<List<Integer>> bands = GraphImage.wrapColumns(widths, gap, max);
    // By hand: [100 + 20 + 200] = 320, +20 +150 > 400 -> new band; [150], +300 > 400;
    // [300 + 20 + 50] = 370; [700] alone (wider than the max); [80].
    assertEquals(List.of(List.of(0, 1), List.of(2), List.of(3, 4), List.of(5), List.of(6)), bands);
  }

  @Property(seed = "15", tries = 200)
  void testWrapColumns_everyBandFitsAndTheNextColumnWouldNot(
      @ForAll("widths") int[] widths, @ForAll @IntRange(min = 200, max = 1200) int max) {
    int gap = 56;
    List<List<Integer>> bands = GraphImage.wrapColumns(widths, gap, max);
    List<Integer> order = new ArrayList<>();
    for (int b = 0; b < bands.size(); b++) {
      List<Integer> band = bands.get(b);
      order.addAll(band);
      long used = -gap;
      for (int p : band) {
        used += widths[p] + gap;
      }
      assertTrue(used <= max || band.size() == 1, "band " + band + " is " + used + " > " + max);
      if (b + 1 < bands.size()) {
        int next = bands.get(b + 1).get(0);
        assertTrue(used + gap + widths[next] > max, "column " + next + " would have fit in band " + band);
      }
    }
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < widths.length; i++) {
      expected.add(i);
    }
    assertEquals(expected, order);
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<int[]> widths() {
    return net.jqwik.api.Arbitraries.integers().between(20, 1500).array(int[].class).ofMinSize(0).ofMaxSize(40);
  }

  @Test
  void testRender_longChainWrapsWithinTheDefaultWidth() {
    Tensor x = Tensor.of(0.5, 0.25).requiresGrad(true);
    Tensor y = x;
    for (int i = 0; i < 30; i++) {
      y = i % 2 == 0 ? y.exp() : y.tanh();
    }
    BufferedImage image = GraphImage.render(y.sum());
    assertTrue(image.getWidth() <= GraphImage.DEFAULT_MAX_WIDTH, "width " + image.getWidth());
    // 32 columns of ~90 px do not fit in one row of 960: several rows, so the picture is tall.
    assertTrue(image.getHeight() > 3 * 80, "height " + image.getHeight());
    BufferedImage narrow = GraphImage.render(y.sum(), java.util.Map.of(), 400);
    assertTrue(narrow.getWidth() <= 400, "width " + narrow.getWidth());
    assertTrue(narrow.getHeight() > image.getHeight(), narrow.getHeight() + " vs " + image.getHeight());
    assertThrows(IllegalArgumentException.class, () -> GraphImage.render(x.exp(), java.util.Map.of(), 100));
  }

  @Test
  void testRender_legendShowsEveryColourEvenWhenTheGraphLacksIt() {
    // Only constants and ops: no box is blue, yet the legend has the blue swatch.
    Tensor c = Tensor.of(1.0, 2.0);
    BufferedImage image = GraphImage.render(c.exp().sum());
    boolean blue = false;
    for (int y = 0; y < image.getHeight() && !blue; y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        if ((image.getRGB(x, y) & 0xFFFFFF) == 0xCFE3FF) {
          blue = true;
          break;
        }
      }
    }
    assertTrue(blue, "no legend swatch for leaves that require grad");
  }
}
