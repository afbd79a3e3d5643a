package dev.cadena.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Keeps the committed notebooks honest without running Jupyter: each one must be valid JSON for
 * the {@code java} kernelspec, executed top to bottom in one session (every code cell has an
 * execution count, counting 1, 2, 3, ...), free of error outputs, and open with a markdown cell
 * that says how to run it. Whether the outputs are still what the code produces today is checked
 * by {@code bash notebooks/run-notebooks.sh --compare}, which needs Jupyter.
 */
class NotebooksTest {
  private static final Path DIR = Path.of("notebooks");

  private static List<Path> notebooks() throws IOException {
    try (Stream<Path> files = Files.list(DIR)) {
      return files.filter(p -> p.toString().endsWith(".ipynb")).sorted().toList();
    }
  }

  private static String text(JsonElement e) {
    if (e == null || e.isJsonNull()) {
      return "";
    }
    if (e.isJsonArray()) {
      StringBuilder sb = new StringBuilder();
      e.getAsJsonArray().forEach(s -> sb.append(s.getAsString()));
      return sb.toString();
    }
    return e.getAsString();
  }

  @Test
  void testNotebooks_thereAreSome() throws IOException {
    assertTrue(notebooks().size() >= 1, "no notebooks in " + DIR.toAbsolutePath());
  }

  @TestFactory
  Stream<DynamicTest> testNotebook_isExecutedCleanAndExplainsHowToRun() throws IOException {
    return notebooks().stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> check(p)));
  }

  private static void check(Path path) throws IOException {
    String name = path.getFileName().toString();
    JsonObject nb;
    try {
      nb = JsonParser.parseString(Files.readString(path, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (JsonParseException | IllegalStateException e) {
      fail(name + ": not valid notebook JSON: " + e.getMessage());
      return;
    }
    assertEquals(4, nb.get("nbformat").getAsInt(), name + ": nbformat");
    JsonObject kernelspec = nb.getAsJsonObject("metadata").getAsJsonObject("kernelspec");
    assertTrue(kernelspec != null, name + ": metadata.kernelspec is missing");
    assertEquals("java", kernelspec.get("name").getAsString(), name + ": kernelspec name");

    JsonArray cells = nb.getAsJsonArray("cells");
    assertFalse(cells.isEmpty(), name + ": no cells");
    JsonObject first = cells.get(0).getAsJsonObject();
    assertEquals("markdown", first.get("cell_type").getAsString(), name + ": the first cell must be markdown");
    String intro = text(first.get("source"));
    assertTrue(intro.contains("run-notebooks.sh"),
        name + ": the first cell must say how to run the notebook (bash notebooks/run-notebooks.sh)");

    List<String> problems = new ArrayList<>();
    int expectedCount = 1;
    int codeCell = 0;
    for (JsonElement e : cells) {
      JsonObject cell = e.getAsJsonObject();
      if (!"code".equals(cell.get("cell_type").getAsString())) {
        continue;
      }
      codeCell++;
      String firstLine = text(cell.get("source")).lines().findFirst().orElse("");
      String where = name + " code cell " + codeCell + " (" + firstLine + ")";
      JsonElement count = cell.get("execution_count");
      if (count == null || count.isJsonNull()) {
        problems.add(where + ": not executed (execution_count is null)");
      } else if (count.getAsInt() != expectedCount) {
        problems.add(where + ": execution_count " + count.getAsInt() + ", expected " + expectedCount
            + " (run the whole notebook once, top to bottom: run-notebooks.sh --inplace)");
      }
      expectedCount++;
      for (JsonElement o : cell.getAsJsonArray("outputs")) {
        JsonObject out = o.getAsJsonObject();
        if ("error".equals(out.get("output_type").getAsString())) {
          problems.add(where + ": error output " + text(out.get("ename")) + ": " + text(out.get("evalue")));
        }
      }
    }
    assertTrue(codeCell > 0, name + ": no code cells");
    assertTrue(problems.isEmpty(), String.join("\n", problems));
  }

  /** The {@code <version>} of the project itself: the first one in pom.xml, before any dependency. */
  private static String projectVersion() throws IOException {
    Matcher m = Pattern.compile("<version>([^<]+)</version>").matcher(Files.readString(Path.of("pom.xml")));
    assertTrue(m.find(), "pom.xml has no <version>");
    return m.group(1);
  }

  /**
   * Notebooks load the library by its Maven coordinates, never by a jar path under target/ (which
   * breaks at the first version bump), and the coordinates name this build's version.
   */
  @TestFactory
  Stream<DynamicTest> testNotebook_loadsTheLibraryByCoordinatesOfThisVersion() throws IOException {
    String expected = "%maven dev.cadena:cadena:" + projectVersion();
    return notebooks().stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> {
      String name = p.getFileName().toString();
      List<String> code = new ArrayList<>();
      JsonObject nb = JsonParser.parseString(Files.readString(p, StandardCharsets.UTF_8)).getAsJsonObject();
      for (JsonElement e : nb.getAsJsonArray("cells")) {
        JsonObject cell = e.getAsJsonObject();
        if ("code".equals(cell.get("cell_type").getAsString())) {
          code.addAll(text(cell.get("source")).lines().map(String::strip).toList());
        }
      }
      for (String line : code) {
        assertFalse(line.startsWith("%jars") && line.contains("target/cadena"),
            name + ": loads the library by a jar path (" + line + "); use " + expected);
        if (line.startsWith("%maven") && line.contains("dev.cadena:cadena:")) {
          assertEquals(expected, line, name + ": library coordinates differ from pom.xml's version");
        }
      }
      boolean usesLibrary = code.stream().anyMatch(l -> l.startsWith("import dev.cadena."));
      if (usesLibrary) {
        assertTrue(code.contains(expected), name + ": imports dev.cadena but has no line " + expected);
      }
    }));
  }
}
