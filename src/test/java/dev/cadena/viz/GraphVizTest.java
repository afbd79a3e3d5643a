package dev.cadena.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class GraphVizTest {
  private static final Pattern NODE = Pattern.compile("^  (t\\d+) \\[label=\"([^\"]*)\"", Pattern.MULTILINE);
  private static final Pattern EDGE = Pattern.compile("^  (t\\d+) -> (t\\d+);", Pattern.MULTILINE);

  /** loss = sum(sigmoid(x * w + b)) with a constant: 4 leaves, 4 ops. */
  private static final class Small {
    final Tensor x = Tensor.of(1.0, -2.0);
    final Tensor w = Tensor.of(0.5, 0.25).requiresGrad(true);
    final Tensor b = Tensor.scalar(0.1).requiresGrad(true);
    final Tensor z = x.mul(w).add(b);
    final Tensor loss = z.sigmoid().sum();
    final Map<Tensor, String> labels = Map.of(x, "x", w, "w", b, "b", z, "z");
  }

  private static Map<String, String> nodes(String dot) {
    Map<String, String> nodes = new LinkedHashMap<>();
    Matcher m = NODE.matcher(dot);
    while (m.find()) {
      nodes.put(m.group(1), m.group(2));
    }
    return nodes;
  }

  private static List<String> edges(String dot) {
    List<String> edges = new ArrayList<>();
    Matcher m = EDGE.matcher(dot);
    while (m.find()) {
      edges.add(m.group(1) + "->" + m.group(2));
    }
    return edges;
  }

  private static String idOf(Map<String, String> nodes, String titleStart) {
    return nodes.entrySet().stream()
        .filter(e -> e.getValue().startsWith(titleStart + "\\n"))
        .map(Map.Entry::getKey)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no node titled '" + titleStart + "' in " + nodes));
  }

  @Test
  void testToDot_containsEveryOpAndEdge() {
    Small s = new Small();
    String dot = GraphDot.toDot(s.loss, s.labels);
    assertTrue(dot.startsWith("digraph cadena {\n"), dot);
    assertTrue(dot.endsWith("}\n"), dot);
    Map<String, String> nodes = nodes(dot);
    assertEquals(7, nodes.size(), dot); // x, w, b, mul, z = add, sigmoid, sum
    String sum = idOf(nodes, "sum");
    String sigmoid = idOf(nodes, "sigmoid");
    String add = idOf(nodes, "z = add");
    String mul = idOf(nodes, "mul");
    String x = idOf(nodes, "x");
    String w = idOf(nodes, "w");
    String b = idOf(nodes, "b");
    assertEquals("t0", sum, "the root is t0");
    assertEquals(
        Set.of(sigmoid + "->" + sum, add + "->" + sigmoid, mul + "->" + add, b + "->" + add,
            x + "->" + mul, w + "->" + mul),
        new HashSet<>(edges(dot)));
    assertEquals(6, edges(dot).size(), dot);
  }

  @Test
  void testToDot_showsShapeValueAndGradientAfterRetainedBackward() {
    Small s = new Small();
    String before = GraphDot.toDot(s.loss, s.labels);
    assertTrue(nodes(before).get(idOf(nodes(before), "w")).equals("w\\n[2]\\nvalue [0.5, 0.25]"),
        before);
    s.loss.backward(s.loss.onesLike(), true);
    String after = GraphDot.toDot(s.loss, s.labels);
    String w = nodes(after).get(idOf(nodes(after), "w"));
    assertTrue(w.contains("\\ngrad ["), after);
    // A leaf that does not require grad gets no gradient and a dashed box.
    assertTrue(after.contains("[label=\"x\\n[2]\\nvalue [1, -2]\", fillcolor=\"#ffffff\", style=\"rounded,filled,dashed\"]"),
        after);
    assertEquals(6, edges(after).size(), "retainGraph keeps every edge: " + after);
  }

  @Test
  void testToDot_afterPlainBackward_marksTheFreedRoot() {
    Small s = new Small();
    s.loss.backward();
    String dot = GraphDot.toDot(s.loss);
    assertEquals(1, nodes(dot).size(), dot);
    assertTrue(dot.contains("(inputs freed by backward)"), dot);
  }

  @Test
  void testToDot_sharedInputGivesOneNodeAndTwoEdges() {
    Tensor x = Tensor.of(1.0, 2.0).requiresGrad(true);
    String dot = GraphDot.toDot(x.mul(x).sum(), Map.of(x, "x"));
    assertEquals(3, nodes(dot).size(), dot);
    assertEquals(List.of("t1->t0", "t2->t1", "t2->t1"), edges(dot));
  }

  @Test
  void testToDot_escapesQuotesInLabels() {
    Tensor x = Tensor.of(1.0).requiresGrad(true);
    String dot = GraphDot.toDot(x.exp().sum(), Map.of(x, "say \"hi\"\\"));
    assertTrue(dot.contains("say \\\"hi\\\"\\\\\\n"), dot);
  }

  @Test
  void testToDot_deepChainDoesNotOverflow() {
    Tensor x = Tensor.of(0.5).requiresGrad(true);
    Tensor y = x;
    for (int i = 0; i < 20_000; i++) {
      y = y.mul(1.0);
    }
    // x, then per mul its result (a Java scalar is held by the node, not drawn as a leaf)
    assertEquals(1 + 20_000, nodes(GraphDot.toDot(y)).size());
  }

  @Test
  void testToDot_nullArguments() {
    NullPointerException e = assertThrows(NullPointerException.class, () -> GraphDot.toDot(null));
    assertEquals("toDot: root is null", e.getMessage());
    assertEquals("toDot: labels is null (pass Map.of())",
        assertThrows(NullPointerException.class, () -> GraphDot.toDot(Tensor.of(1.0), null)).getMessage());
  }

  @Test
  void testSummary_smallTensorsShowValuesLargeOnesARange() {
    assertEquals("0.5", Graph.summary(Tensor.scalar(0.5)));
    assertEquals("[1, -2.5, 0.3333]", Graph.summary(Tensor.of(1.0, -2.5, 1.0 / 3)));
    assertEquals("[0 .. 9] mean 4.5", Graph.summary(Tensor.arange(10)));
    assertEquals("[[1, 2], [3, 4]]", Graph.summary(Tensor.of(new double[][] {{1, 2}, {3, 4}})));
    assertEquals("[[1, 2]]", Graph.summary(Tensor.of(new double[][] {{1, 2}})));
    assertEquals("[[1], [2]]", Graph.summary(Tensor.of(new double[][] {{1}, {2}})));
    assertEquals("1.235e+07", Graph.num(12_345_678));
    assertEquals("-1.000e-04", Graph.num(-1e-4));
  }

  @Test
  void testRender_hasSaneSizeAndIsNotBlank() {
    Small s = new Small();
    s.loss.backward(s.loss.onesLike(), true);
    BufferedImage image = GraphImage.render(s.loss, s.labels);
    assertTrue(image.getWidth() > 300 && image.getWidth() < 2000, "width " + image.getWidth());
    assertTrue(image.getHeight() > 60 && image.getHeight() < 1000, "height " + image.getHeight());
    int white = 0;
    Set<Integer> colours = new HashSet<>();
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int rgb = image.getRGB(x, y) & 0xFFFFFF;
        colours.add(rgb);
        if (rgb == 0xFFFFFF) {
          white++;
        }
      }
    }
    int total = image.getWidth() * image.getHeight();
    assertTrue(white < total * 0.95, "almost blank: " + white + " of " + total + " pixels white");
    assertTrue(colours.contains(0xFFF2C2), "no op box colour");
    assertTrue(colours.contains(0xCFE3FF), "no leaf box colour");
  }

  @Test
  void testRender_growsWithTheGraph() {
    Tensor x = Tensor.of(1.0).requiresGrad(true);
    BufferedImage one = GraphImage.render(x.exp());
    Tensor y = x;
    for (int i = 0; i < 5; i++) {
      y = y.exp();
    }
    BufferedImage six = GraphImage.render(y);
    // (the small picture is at least as wide as its legend, so the factor is 2, not 6)
    assertTrue(six.getWidth() > 2 * one.getWidth(), one.getWidth() + " vs " + six.getWidth());
  }

  @Test
  void testRender_refusesHugeGraphs() {
    SplittableRandom rng = new SplittableRandom(7);
    Tensor x = Tensor.randn(rng, 3).requiresGrad(true);
    Tensor y = x;
    for (int i = 0; i < 5_000; i++) {
      y = y.mul(1.0);
    }
    Tensor root = y;
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> GraphImage.render(root));
    assertTrue(e.getMessage().contains("GraphDot"), e.getMessage());
  }
}
