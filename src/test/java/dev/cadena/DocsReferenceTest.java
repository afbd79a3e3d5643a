package dev.cadena;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.ops.Primitive;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The op reference documents every primitive and the compositions users rely on. */
class DocsReferenceTest {
  private static final Path OPS = Paths.get("docs/ops.md");
  private static final Path ARCHITECTURE = Paths.get("docs/architecture.md");
  /** The first cell of a table row: | `name` | ... */
  private static final Pattern ROW = Pattern.compile("^\\|\\s*`([^`]+)`\\s*\\|", Pattern.MULTILINE);

  private static Set<String> tableNames(String markdown, String section) {
    int start = markdown.indexOf(section);
    assertTrue(start >= 0, "docs/ops.md has no section '" + section + "'");
    int end = markdown.indexOf("\n## ", start + section.length());
    String body = markdown.substring(start, end < 0 ? markdown.length() : end);
    Set<String> names = new HashSet<>();
    Matcher m = ROW.matcher(body);
    while (m.find()) {
      String cell = m.group(1);
      int paren = cell.indexOf('(');
      names.add(paren < 0 ? cell : cell.substring(0, paren));
    }
    return names;
  }

  @Test
  void everyPrimitive_hasARowInOpsMd() throws IOException {
    String md = Files.readString(OPS, StandardCharsets.UTF_8);
    Set<String> rows = tableNames(md, "## Primitives");
    List<String> missing = new ArrayList<>();
    for (Primitive p : Primitive.values()) {
      if (!rows.contains(p.opName())) {
        missing.add(p.opName());
      }
    }
    assertTrue(missing.isEmpty(), () -> "primitives without a row in docs/ops.md: " + missing);
    // And no stale rows for primitives that no longer exist.
    Set<String> names = new HashSet<>();
    for (Primitive p : Primitive.values()) {
      names.add(p.opName());
    }
    List<String> stale = new ArrayList<>();
    for (String r : rows) {
      if (!names.contains(r)) {
        stale.add(r);
      }
    }
    assertTrue(stale.isEmpty(), () -> "rows in the primitives table that are not primitives: " + stale);
  }

  @Test
  void compositions_areDocumented() throws IOException {
    String md = Files.readString(OPS, StandardCharsets.UTF_8);
    Set<String> rows = tableNames(md, "## Compositions");
    List<String> missing = new ArrayList<>();
    for (String op : List.of("sub", "neg", "minimum", "clamp", "mean", "var", "std", "min", "logsumexp",
        "softmax", "logSoftmax", "squeeze", "unsqueeze", "transpose", "stack", "narrow", "select",
        "sumTo", "flatten")) {
      if (!rows.contains(op)) {
        missing.add(op);
      }
    }
    assertTrue(missing.isEmpty(), () -> "compositions missing from docs/ops.md: " + missing);
  }

  @Test
  void architectureDoc_coversTheTopics() throws IOException {
    String md = Files.readString(ARCHITECTURE, StandardCharsets.UTF_8);
    for (String topic : List.of("Node", "Engine", "topological", "recursion", "sumTo", "GradMode",
        "version", "createGraph", "Primitive", "GradSamples", "ops.md", "Function", "ArchitectureTest")) {
      assertTrue(md.contains(topic), "docs/architecture.md should mention " + topic);
    }
  }
}
