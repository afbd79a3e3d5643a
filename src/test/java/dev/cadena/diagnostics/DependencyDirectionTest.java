package dev.cadena.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Diagnostics may look at everything; nothing in the library depends on it. The examples are
 * applications of the library (like the notebooks), so they may use it.
 */
class DependencyDirectionTest {
  @Test
  void testMainSources_outsideDiagnostics_doNotImportIt() throws IOException {
    Path root = Path.of("src", "main", "java", "dev", "cadena");
    assertTrue(Files.isDirectory(root), "run from the project root: " + root.toAbsolutePath());
    Path own = root.resolve("diagnostics");
    Path examples = root.resolve("examples");
    List<Path> offenders;
    try (Stream<Path> files = Files.walk(root)) {
      offenders = files
          .filter(p -> p.toString().endsWith(".java") && !p.startsWith(own) && !p.startsWith(examples))
          .filter(p -> read(p).contains("dev.cadena.diagnostics"))
          .collect(Collectors.toList());
    }
    assertEquals(List.of(), offenders);
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + p, e);
    }
  }
}
