package dev.cadena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cadena.ops.Primitive;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The op reference documents every primitive and the compositions users rely on. Its primitives
 * table is generated from {@link Primitive}: names, formulas, remarks and order must match.
 */
class DocsReferenceTest {
  private static final Path OPS = Paths.get("docs/ops.md");
  private static final Path ARCHITECTURE = Paths.get("docs/architecture.md");
  /** Set this system property to true to rewrite the primitives table of docs/ops.md. */
  private static final String REGENERATE = "cadena.regenerateDocs";
  /** The first cell of a table row: | `name` | ... */
  private static final Pattern ROW = Pattern.compile("^\\|\\s*`([^`]+)`\\s*\\|", Pattern.MULTILINE);

  private static List<String> tableNames(String markdown, String section) {
    int start = markdown.indexOf(section);
    assertTrue(start >= 0, "docs/ops.md has no section '" + section + "'");
    int end = markdown.indexOf("\n## ", start + section.length());
    String body = markdown.substring(start, end < 0 ? markdown.length() : end);
    List<String> names = new ArrayList<>();
    Matcher m = ROW.matcher(body);
    while (m.find()) {
      String cell = m.group(1);
      int paren = cell.indexOf('(');
      names.add(paren < 0 ? cell : cell.substring(0, paren));
    }
    return names;
  }

  /**
   * The primitives table as {@link Primitive} defines it, one row per constant in declaration
   * order: op name, forward, VJP, JVP (each as code) and remarks (Markdown).
   */
  static String primitivesTable() {
    StringBuilder sb = new StringBuilder();
    sb.append("| op | forward | VJP | JVP | remarks |\n");
    sb.append("| --- | --- | --- | --- | --- |\n");
    for (Primitive p : Primitive.values()) {
      sb.append("| ").append(code(p.opName()))
          .append(" | ").append(code(p.forward()))
          .append(" | ").append(code(p.vjp()))
          .append(" | ").append(code(p.jvp()))
          .append(" |").append(p.remarks().isEmpty() ? "" : " " + cell(p.remarks()))
          .append(" |\n");
    }
    return sb.toString();
  }

  private static String code(String s) {
    return "`" + cell(s) + "`";
  }

  /** A pipe would end the cell, even inside backticks (GitHub's tables). */
  private static String cell(String s) {
    return s.replace("|", "\\|");
  }

  /** Start and end offsets of the table that follows {@code section}: its header row to its last row. */
  private static int[] tableSpan(String markdown, String section) {
    int start = markdown.indexOf(section);
    assertTrue(start >= 0, "docs/ops.md has no section '" + section + "'");
    int table = markdown.indexOf("\n|", start);
    assertTrue(table >= 0, "docs/ops.md has no table under '" + section + "'");
    table++;
    int end = table;
    while (end < markdown.length() && markdown.charAt(end) == '|') {
      int eol = markdown.indexOf('\n', end);
      end = eol < 0 ? markdown.length() : eol + 1;
    }
    return new int[] {table, end};
  }

  @Test
  void primitivesTable_isGeneratedFromPrimitive() throws IOException {
    String md = Files.readString(OPS, StandardCharsets.UTF_8);
    int[] span = tableSpan(md, "## Primitives");
    String committed = md.substring(span[0], span[1]);
    String generated = primitivesTable();
    if (committed.equals(generated)) {
      return;
    }
    if (Boolean.getBoolean(REGENERATE)) {
      Files.writeString(OPS, md.substring(0, span[0]) + generated + md.substring(span[1]), StandardCharsets.UTF_8);
      return;
    }
    fail("the primitives table in docs/ops.md differs from dev.cadena.ops.Primitive (the source);"
        + " regenerate it with\n  mvn -q test -Dtest=DocsReferenceTest -D" + REGENERATE + "=true\n"
        + lineDiff(committed, generated));
  }

  /** The rows that differ, by position: "-" is docs/ops.md, "+" is what Primitive generates. */
  static String lineDiff(String committed, String generated) {
    List<String> a = committed.lines().toList();
    List<String> b = generated.lines().toList();
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
      String x = i < a.size() ? a.get(i) : null;
      String y = i < b.size() ? b.get(i) : null;
      if (!Objects.equals(x, y)) {
        sb.append("row ").append(i + 1).append(":\n");
        sb.append("  - ").append(x == null ? "(missing)" : x).append('\n');
        sb.append("  + ").append(y == null ? "(missing)" : y).append('\n');
      }
    }
    return sb.toString();
  }

  @Test
  void lineDiff_namesTheRowsThatDiffer() {
    String diff = lineDiff("| h |\n| `add` | x |\n", "| h |\n| `add` | y |\n| `mul` | z |\n");
    assertEquals("row 2:\n  - | `add` | x |\n  + | `add` | y |\nrow 3:\n  - (missing)\n  + | `mul` | z |\n", diff);
  }

  @Test
  void primitivesTable_hasOneRowPerPrimitive_inDeclarationOrder() throws IOException {
    String md = Files.readString(OPS, StandardCharsets.UTF_8);
    List<String> rows = tableNames(md, "## Primitives");
    List<String> names = new ArrayList<>();
    for (Primitive p : Primitive.values()) {
      names.add(p.opName());
    }
    assertEquals(names, rows, "op names of the primitives table in docs/ops.md");
  }

  @Test
  void compositions_areDocumented() throws IOException {
    String md = Files.readString(OPS, StandardCharsets.UTF_8);
    List<String> rows = tableNames(md, "## Compositions");
    List<String> missing = new ArrayList<>();
    for (String op : List.of("sub", "neg", "minimum", "clamp", "mean", "std", "logsumexp",
        "softmax", "logSoftmax", "squeeze", "unsqueeze", "transpose", "stack", "narrow", "select",
        "sumTo", "flatten", "rdiv", "softplus", "logSigmoid", "silu", "hardtanh", "gelu",
        "maskedFill", "bmm", "einsum", "split", "chunk", "unbind", "flip", "roll", "repeat",
        "tile", "tril", "expand", "clone", "amin", "sort", "argsort", "topk", "kthvalue", "max",
        "takeAlongDim", "cumprod", "prod", "norm")) {
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
