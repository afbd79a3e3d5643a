package dev.cadena.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles every {@code ```java} block of README.md and docs/*.md against the library, so that the
 * docs cannot drift from the API. Each block becomes one class with the common imports below: a
 * block that declares a type at column 0 ({@code class}, {@code record}, {@code interface},
 * {@code enum}) or a method is put at class level, any other block in the body of a method that
 * may throw. Import lines in a block move to the top of its file.
 *
 * <p>Every block must compile on its own: it declares what it uses, so that a reader can paste
 * it and a renamed method, type or argument breaks the test. A block that is deliberately a
 * fragment ({@code if (x) { ... }}) is marked with {@code <!-- not-compiled -->} on the line
 * before its fence and skipped. A block
 * marked {@code <!-- run -->} is also run, and fails the test when it throws. All blocks are
 * compiled in one compiler call, which keeps the test at a few seconds.
 */
class DocSnippetsTest {
  static final String NOT_COMPILED = "<!-- not-compiled -->";
  static final String RUN = "<!-- run -->";
  static final List<String> IMPORTS = List.of(
      "dev.cadena.*", "dev.cadena.nn.*", "dev.cadena.optim.*", "dev.cadena.data.*",
      "dev.cadena.io.*", "dev.cadena.autograd.*", "dev.cadena.tensor.*", "dev.cadena.viz.*",
      "dev.cadena.diagnostics.*", "java.util.*", "java.nio.file.*", "java.util.random.*",
      // Single-type imports settle names that two on-demand imports share:
      // java.lang.Module vs nn.Module, java.util.function.Function is not imported at all.
      "dev.cadena.nn.Module", "dev.cadena.autograd.Function");

  private static final Pattern TYPE_DECLARATION = Pattern.compile(
      "^(?:(?:public|protected|private|abstract|final|static|sealed|non-sealed)\\s+)*"
          + "(?:class|interface|record|enum|@interface)\\s+\\w+.*");
  /** A method at column 0: a type (possibly generic or an array), a name, parameters, a brace. */
  private static final Pattern METHOD_DECLARATION = Pattern.compile(
      "^(?!(?:if|for|while|switch|try|catch|synchronized|return|else|do|new|throw)\\b)"
          + "(?:(?:public|protected|private|abstract|final|static|synchronized)\\s+)*"
          + "(?:<[^>]*>\\s+)?[\\w.]+(?:<.*>)?(?:\\[\\])*\\s+\\w+\\s*\\([^;]*\\)\\s*"
          + "(?:throws [\\w., ]+)?\\s*\\{\\s*$");

  /** A fenced block: where it is, its code, and how to treat it. */
  record Snippet(Path file, int firstLine, String code, boolean run) {
    String className() {
      String base = file.getFileName().toString().replaceAll("\\W", "_");
      return "Snippet_" + base + "_" + firstLine;
    }

    boolean classLevel() {
      for (String line : code.split("\n", -1)) {
        if (TYPE_DECLARATION.matcher(line).matches() || METHOD_DECLARATION.matcher(line).matches()) {
          return true;
        }
      }
      return false;
    }

    /** The compilation unit, and how many lines precede the snippet's first line in it. */
    String source() {
      StringBuilder head = new StringBuilder();
      StringBuilder body = new StringBuilder();
      for (String i : IMPORTS) {
        head.append("import ").append(i).append(";");
      }
      // Imports of the block go on the same first line, so that line numbers keep their offset.
      for (String line : code.split("\n", -1)) {
        if (line.startsWith("import ")) {
          head.append(line);
          body.append("\n");
        } else {
          body.append(line).append("\n");
        }
      }
      head.append("\n");
      if (classLevel()) {
        head.append("public class ").append(className()).append(" { public static void run() {}\n");
        return head + body.toString() + "}\n";
      }
      head.append("public class ").append(className())
          .append(" { public static void run() throws Exception {\n");
      return head + body.toString() + "}}\n";
    }

    static final int HEADER_LINES = 2;
  }

  static List<Path> documents() throws IOException {
    List<Path> files = new ArrayList<>();
    if (Files.exists(Path.of("README.md"))) {
      files.add(Path.of("README.md"));
    }
    try (Stream<Path> s = Files.list(Path.of("docs"))) {
      s.filter(p -> p.toString().endsWith(".md")).sorted(Comparator.naturalOrder()).forEach(files::add);
    }
    return files;
  }

  /** The {@code ```java} blocks of one Markdown text, without those marked not-compiled. */
  static List<Snippet> extract(Path file, String text) {
    List<Snippet> out = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String fence = lines[i].strip();
      if (!fence.equals("```java")) {
        continue;
      }
      String marker = i > 0 ? lines[i - 1].strip() : "";
      int indent = lines[i].indexOf('`');
      StringBuilder code = new StringBuilder();
      int j = i + 1;
      while (j < lines.length && !lines[j].strip().equals("```")) {
        String line = lines[j];
        code.append(line.length() >= indent && line.substring(0, indent).isBlank() ? line.substring(indent) : line.strip())
            .append('\n');
        j++;
      }
      if (j == lines.length) {
        throw new AssertionError(file + ":" + (i + 1) + ": unclosed ```java block");
      }
      if (!marker.equals(NOT_COMPILED)) {
        out.add(new Snippet(file, i + 2, code.toString(), marker.equals(RUN)));
      }
      i = j;
    }
    return out;
  }

  /** javac's message without the echoed source line and caret. */
  static String summary(String message) {
    StringBuilder sb = new StringBuilder();
    for (String line : message.lines().toList()) {
      String t = line.strip();
      if (t.startsWith("symbol:") || t.startsWith("location:") || sb.length() == 0) {
        sb.append(sb.length() == 0 ? "" : "; ").append(t);
      }
    }
    return sb.toString();
  }

  /**
   * Compiles the snippets in one javac call into {@code out}; returns the errors as
   * {@code file:line: message}.
   */
  static List<String> compile(List<Snippet> snippets, Path out) throws IOException {
    List<JavaFileObject> units = new ArrayList<>();
    for (Snippet s : snippets) {
      units.add(new SimpleJavaFileObject(
          URI.create("string:///" + s.className() + ".java"), JavaFileObject.Kind.SOURCE) {
        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
          return s.source();
        }
      });
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager files =
        javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
      List<String> options = List.of("-d", out.toString(), "-proc:none", "-nowarn",
          "-classpath", System.getProperty("java.class.path"));
      javac.getTask(null, files, diagnostics, options, null, units).call();
    }
    List<String> errors = new ArrayList<>();
    for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
      if (d.getKind() != Diagnostic.Kind.ERROR) {
        continue;
      }
      String where = "?";
      for (Snippet s : snippets) {
        if (d.getSource() != null && d.getSource().toUri().getPath().endsWith("/" + s.className() + ".java")) {
          long line = s.firstLine() + d.getLineNumber() - Snippet.HEADER_LINES - 1;
          where = s.file() + ":" + line;
        }
      }
      errors.add(where + ": " + summary(d.getMessage(Locale.ROOT)));
    }
    return errors;
  }

  @Test
  void testExtract_findsBlocksAndHonoursMarkers() {
    String md = "text\n```java\nint a = 1;\n```\n\n<!-- not-compiled -->\n```java\nfoo(bar);\n```\n"
        + "<!-- run -->\n```java\nclass A {}\n```\n```sh\nls\n```\n";
    List<Snippet> s = extract(Path.of("x.md"), md);
    assertEquals(2, s.size(), s.toString());
    assertEquals(3, s.get(0).firstLine());
    assertEquals("int a = 1;\n", s.get(0).code());
    assertTrue(s.get(1).run() && s.get(1).classLevel());
    assertTrue(!s.get(0).classLevel());
  }

  @Test
  void testDocs_everyJavaBlockCompiles(@TempDir Path tmp) throws Exception {
    Path out = tmp;
    List<Snippet> snippets = new ArrayList<>();
    for (Path doc : documents()) {
      snippets.addAll(extract(doc, Files.readString(doc, StandardCharsets.UTF_8)));
    }
    assertTrue(!snippets.isEmpty(), "no ```java blocks found in README.md and docs/");

    List<String> errors = compile(snippets, out);
    if (!errors.isEmpty()) {
      fail(errors.size() + " compile error(s) in documentation snippets (mark a block that cannot"
          + " parse on its own with " + NOT_COMPILED + " on the line before its fence):\n  "
          + String.join("\n  ", errors));
    }

    // Blocks to run are compiled again on their own, into a directory of their own.
    List<Snippet> runnable = snippets.stream().filter(Snippet::run).toList();
    if (!runnable.isEmpty()) {
      Path runOut = Files.createDirectories(out.resolve("run"));
      List<String> runErrors = compile(runnable, runOut);
      assertTrue(runErrors.isEmpty(),
          "snippets marked " + RUN + " must compile on their own: " + runErrors);
      out = runOut;
    }
    List<String> failures = new ArrayList<>();
    try (URLClassLoader loader = new URLClassLoader(new URL[] {out.toUri().toURL()}, getClass().getClassLoader())) {
      for (Snippet s : snippets) {
        if (!s.run()) {
          continue;
        }
        Method run = loader.loadClass(s.className()).getMethod("run");
        // The snippets print what the docs show; keep it out of the build log unless one fails.
        PrintStream stdout = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
          run.invoke(null);
        } catch (InvocationTargetException e) {
          failures.add(s.file() + ":" + s.firstLine() + ": " + e.getCause() + "\n    printed: "
              + printed.toString(StandardCharsets.UTF_8).strip());
        } finally {
          System.setOut(stdout);
        }
      }
    }
    assertTrue(failures.isEmpty(), "snippets marked " + RUN + " failed:\n  " + String.join("\n  ", failures));
  }
}
