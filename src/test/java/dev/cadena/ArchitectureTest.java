package dev.cadena;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package layering, read from the sources in {@code src/main/java}: every reference to
 * another {@code dev.cadena} package, by import or by fully qualified name in code (comments
 * are ignored), must point down the layers.
 */
class ArchitectureTest {
  private static final Path MAIN = Paths.get("src/main/java");
  private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
  /** A qualified name starting with dev.cadena, e.g. dev.cadena.ops.Movement or dev.cadena.Tensor. */
  private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.cadena(?:\\.[A-Za-z_]\\w*)+");

  /** One source file: its package and the dev.cadena packages it refers to. */
  record Source(Path path, String pkg, Set<String> referencedPackages) {}

  static List<Source> sources() {
    try (Stream<Path> files = Files.walk(MAIN)) {
      List<Source> r = new ArrayList<>();
      for (Path p : files.filter(f -> f.toString().endsWith(".java")).collect(Collectors.toList())) {
        r.add(parse(p));
      }
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Source parse(Path p) throws IOException {
    String code = stripComments(Files.readString(p, StandardCharsets.UTF_8));
    Matcher pm = PACKAGE.matcher(code);
    String pkg = pm.find() ? pm.group(1) : "";
    String body = pm.find(0) ? code.substring(pm.end()) : code;
    Set<String> refs = new LinkedHashSet<>();
    Matcher m = REFERENCE.matcher(body);
    while (m.find()) {
      refs.add(packageOf(m.group()));
    }
    return new Source(p, pkg, refs);
  }

  /** The package part of a qualified name: the segments before the first capitalised one. */
  static String packageOf(String qualified) {
    String[] parts = qualified.split("\\.");
    StringBuilder sb = new StringBuilder();
    for (String part : parts) {
      if (Character.isUpperCase(part.charAt(0))) {
        break;
      }
      if (sb.length() > 0) {
        sb.append('.');
      }
      sb.append(part);
    }
    return sb.toString();
  }

  /** Removes block and line comments (string literals are kept; none here contain comment markers that matter). */
  static String stripComments(String s) {
    StringBuilder out = new StringBuilder(s.length());
    int i = 0;
    boolean inString = false;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (inString) {
        out.append(c);
        if (c == '\\' && i + 1 < s.length()) {
          out.append(s.charAt(i + 1));
          i += 2;
          continue;
        }
        if (c == '"') {
          inString = false;
        }
        i++;
      } else if (c == '"') {
        inString = true;
        out.append(c);
        i++;
      } else if (s.startsWith("/*", i)) {
        int end = s.indexOf("*/", i + 2);
        i = end < 0 ? s.length() : end + 2;
        out.append(' ');
      } else if (s.startsWith("//", i)) {
        int end = s.indexOf('\n', i);
        i = end < 0 ? s.length() : end;
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  private static boolean within(String pkg, String root) {
    return pkg.equals(root) || pkg.startsWith(root + ".");
  }

  private static void assertNoReferences(String fromRoot, List<String> forbiddenRoots, boolean onlyOwnTree) {
    List<String> violations = new ArrayList<>();
    int checked = 0;
    for (Source s : sources()) {
      if (!within(s.pkg(), fromRoot)) {
        continue;
      }
      checked++;
      for (String ref : s.referencedPackages()) {
        boolean bad = onlyOwnTree ? !within(ref, fromRoot) : forbiddenRoots.stream().anyMatch(f -> within(ref, f));
        if (bad) {
          violations.add(s.path() + " refers to " + ref);
        }
      }
    }
    assertTrue(checked > 0, "no sources found in " + fromRoot + " under " + MAIN.toAbsolutePath());
    assertTrue(violations.isEmpty(), () -> "layering violations:\n" + String.join("\n", violations));
  }

  @Test
  void tensorPackage_dependsOnNothingElseInCadena() {
    assertNoReferences("dev.cadena.tensor", List.of(), true);
  }

  @Test
  void autograd_doesNotDependOnOpsOrNn() {
    assertNoReferences("dev.cadena.autograd", List.of("dev.cadena.ops", "dev.cadena.nn", "dev.cadena.optim"), false);
  }

  @Test
  void ops_doesNotDependOnHigherLayers() {
    assertNoReferences("dev.cadena.ops",
        List.of("dev.cadena.nn", "dev.cadena.optim", "dev.cadena.io", "dev.cadena.cli", "dev.cadena.data"), false);
  }

  // ------------------------------------------------------------------ the checker itself

  @Test
  void parser_findsImportsAndQualifiedNames_ignoresComments() throws IOException {
    Path tmp = Files.createTempFile("Layering", ".java");
    try {
      Files.writeString(tmp, String.join("\n",
          "package dev.cadena.tensor;",
          "import dev.cadena.autograd.Node;",
          "import static dev.cadena.ops.Elementwise.record;",
          "/** See {@link dev.cadena.nn.Module}. */",
          "class X { // dev.cadena.optim.Sgd",
          "  Object o = new dev.cadena.io.Reader();",
          "  String s = \"dev.cadena.cli is just text\";",
          "}"));
      Source s = parse(tmp);
      assertTrue(s.pkg().equals("dev.cadena.tensor"));
      assertTrue(s.referencedPackages().contains("dev.cadena.autograd"));
      assertTrue(s.referencedPackages().contains("dev.cadena.ops"));
      assertTrue(s.referencedPackages().contains("dev.cadena.io"));
      assertFalse(s.referencedPackages().contains("dev.cadena.nn"), "comments are ignored");
      assertFalse(s.referencedPackages().contains("dev.cadena.optim"), "line comments are ignored");
    } finally {
      Files.delete(tmp);
    }
    assertTrue(packageOf("dev.cadena.Tensor").equals("dev.cadena"));
    assertTrue(packageOf("dev.cadena.tensor.kernel.Gemm").equals("dev.cadena.tensor.kernel"));
  }
}
