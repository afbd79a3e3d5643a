package dev.cadena.jupyter;

import dev.cadena.jupyter.CellException.CompilationException;
import dev.cadena.jupyter.CellException.EvaluationException;
import dev.cadena.jupyter.CellException.IncompleteCodeException;
import dev.cadena.jupyter.CellException.InterruptedCellException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import jdk.jshell.DeclarationSnippet;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.SourceCodeAnalysis.CompletionInfo;
import jdk.jshell.SourceCodeAnalysis.Completeness;
import jdk.jshell.UnresolvedReferenceException;

/**
 * Runs the Java code of notebook cells with JShell, one session for the kernel's lifetime.
 *
 * <p>A cell is split into snippets (statements, declarations, expressions) the way the
 * {@code jshell} tool splits its input, and they run in order until one fails. When the last
 * snippet is an expression, its value is the cell's value, handed back as the object itself.
 *
 * <pre>{@code
 * try (CellEvaluator shell = new CellEvaluator()) {
 *   shell.evaluate("int x = 20;\nx + 22").get().value();  // 42
 * }
 * }</pre>
 */
public final class CellEvaluator implements AutoCloseable {

  /**
   * The imports every session starts with: those of JShell's {@code DEFAULT} startup, which is
   * what IJava starts with, plus the notebook helpers ({@code display}, {@code render}).
   */
  public static final List<String> DEFAULT_IMPORTS =
      List.of(
          "java.io.*",
          "java.math.*",
          "java.net.*",
          "java.nio.file.*",
          "java.util.*",
          "java.util.concurrent.*",
          "java.util.function.*",
          "java.util.prefs.*",
          "java.util.regex.*",
          "java.util.stream.*");

  static final String RUNTIME_IMPORT = "import static dev.cadena.jupyter.runtime.Display.*;";

  /** The value of a cell whose last snippet is an expression; {@code value} may be null. */
  public record CellValue(Object value) {}

  /** Completion candidates for the text between {@code start} and {@code end}. */
  public record Completions(List<String> candidates, int start, int end) {}

  private final JShell shell;
  private final ResultCapturingExecutionControl engine;
  private final Set<Path> classpath = new LinkedHashSet<>();
  private volatile boolean interrupted;

  /**
   * Starts a JShell session that runs in this JVM, with the default imports.
   *
   * @throws IllegalStateException when the session or its startup imports fail
   */
  public CellEvaluator() {
    var provider = new ResultCapturingExecutionControl.Provider();
    shell = JShell.builder().executionEngine(provider, Map.of()).build();
    engine = provider.instance();
    if (engine == null) {
      throw new IllegalStateException("JShell did not create the cadena-local execution engine");
    }
    // The notebook helpers live in this jar; the compiler must see them to resolve `display`.
    kernelLocation().ifPresent(p -> shell.addToClasspath(p.toString()));
    List<String> startup = new ArrayList<>();
    for (String pkg : DEFAULT_IMPORTS) {
      startup.add("import " + pkg + ";");
    }
    startup.add(RUNTIME_IMPORT);
    for (String source : startup) {
      for (SnippetEvent event : shell.eval(source)) {
        if (event.status() == Snippet.Status.REJECTED) {
          throw new IllegalStateException(
              "startup import failed: " + source + " " + diagnostics(event.snippet()));
        }
      }
    }
  }

  /**
   * Runs every snippet of a cell, in order, stopping at the first that fails.
   *
   * @return the value of the last snippet when it is an expression, else empty
   * @throws CompilationException when a snippet does not compile (nothing of it ran)
   * @throws EvaluationException when a snippet throws
   * @throws IncompleteCodeException when the cell ends inside a statement or declaration
   * @throws InterruptedCellException when {@link #stop()} interrupted the cell
   */
  public Optional<CellValue> evaluate(String code) throws CellException {
    interrupted = false;
    engine.clearResult();
    SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
    String remaining = code;
    SnippetEvent last = null;
    while (!remaining.isBlank()) {
      CompletionInfo info = analysis.analyzeCompletion(remaining);
      if (info.completeness() == Completeness.EMPTY) {
        break; // only comments and blanks are left
      }
      if (info.completeness() == Completeness.DEFINITELY_INCOMPLETE
          || info.completeness() == Completeness.CONSIDERED_INCOMPLETE) {
        throw incomplete(remaining);
      }
      last = run(info.source());
      remaining = info.remaining();
    }
    if (last == null || !producesValue(last.snippet())) {
      engine.clearResult();
      return Optional.empty();
    }
    String key = last.value();
    if (!ResultCapturingExecutionControl.isResultKey(key)) {
      return Optional.empty();
    }
    return Optional.of(new CellValue(engine.takeResult(key)));
  }

  /** Evaluates one snippet and returns its event, or throws if it was rejected or threw. */
  private SnippetEvent run(String source) throws CellException {
    SnippetEvent primary = null;
    for (SnippetEvent event : shell.eval(source)) {
      if (event.causeSnippet() != null) {
        continue; // a dependent snippet updated as a side effect, not the one we ran
      }
      primary = event;
      if (event.status() == Snippet.Status.REJECTED) {
        throw compilationError(event.snippet());
      }
      if (interrupted) {
        throw new InterruptedCellException(
            "the cell was interrupted", List.of("Interrupted while running:", indent(source)));
      }
      if (event.exception() != null) {
        throw evaluationError(event.exception(), source);
      }
    }
    if (primary == null) {
      throw new IllegalStateException("JShell returned no event for the snippet: " + source);
    }
    return primary;
  }

  /**
   * Whether a snippet is shown as the cell's result: expressions, and the temporary
   * {@code $1}-style variables JShell makes for them, but not declarations or statements
   * (including calls of void methods), as in IJava.
   */
  private static boolean producesValue(Snippet snippet) {
    return snippet.kind() == Snippet.Kind.EXPRESSION
        || snippet.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND;
  }

  private CompilationException compilationError(Snippet snippet) {
    List<Diag> errors =
        shell.diagnostics(snippet).filter(Diag::isError).collect(Collectors.toList());
    String source = snippet.source();
    List<String> traceback = new ArrayList<>();
    if (errors.isEmpty()) {
      traceback.add("JShell rejected this code without a diagnostic:");
      traceback.add(indent(source));
      return new CompilationException("the code was rejected", traceback);
    }
    for (Diag diag : errors) {
      traceback.add(message(diag));
      traceback.addAll(markedSource(source, diag));
    }
    String first = message(errors.get(0)).lines().findFirst().orElse("");
    String message =
        errors.size() == 1 ? first : first + " (and " + (errors.size() - 1) + " more errors)";
    return new CompilationException(message, traceback);
  }

  /**
   * javac's message, without the "location: class" line that would name JShell's invisible
   * wrapper class (it prints as an empty name).
   */
  private static String message(Diag diag) {
    return diag.getMessage(Locale.ENGLISH)
        .lines()
        .filter(line -> !line.strip().equals("location: class"))
        .collect(Collectors.joining("\n"));
  }

  /** The line of the error, then a marker line under the span javac complained about. */
  static List<String> markedSource(String source, Diag diag) {
    int pos = clamp((int) diag.getPosition(), source.length());
    int start = clamp((int) diag.getStartPosition(), source.length());
    int end = clamp((int) diag.getEndPosition(), source.length());
    if (diag.getPosition() == Diag.NOPOS) {
      return List.of(indent(source));
    }
    int lineStart = source.lastIndexOf('\n', Math.max(pos - 1, 0)) + 1;
    if (pos == 0) {
      lineStart = 0;
    }
    int lineEnd = source.indexOf('\n', pos);
    if (lineEnd < 0) {
      lineEnd = source.length();
    }
    String line = source.substring(lineStart, lineEnd);
    int from = Math.max(Math.min(start, pos), lineStart) - lineStart;
    int to = Math.min(Math.max(end, pos + 1), lineEnd) - lineStart;
    StringBuilder marker = new StringBuilder();
    for (int i = 0; i < from; i++) {
      marker.append(line.charAt(i) == '\t' ? '\t' : ' ');
    }
    marker.append('^');
    for (int i = from + 1; i < to; i++) {
      marker.append(i == to - 1 ? '^' : '-');
    }
    return List.of("    " + line, "    " + marker);
  }

  private static int clamp(int position, int length) {
    return Math.max(0, Math.min(position, length));
  }

  private EvaluationException evaluationError(JShellException exception, String source) {
    List<String> traceback = new ArrayList<>();
    String message;
    if (exception instanceof UnresolvedReferenceException) {
      DeclarationSnippet declaration = ((UnresolvedReferenceException) exception).getSnippet();
      List<String> missing =
          shell.unresolvedDependencies(declaration).collect(Collectors.toList());
      message = "cannot use " + declaration.source().lines().findFirst().orElse("").strip()
          + " until " + String.join(", ", missing) + " is declared";
      traceback.add("UnresolvedReferenceException: " + message);
      traceback.add(indent(source));
      return new EvaluationException(message, traceback);
    }
    message = describe(exception);
    boolean first = true;
    for (Throwable t = exception; t != null; t = t.getCause()) {
      traceback.add((first ? "" : "Caused by: ") + describe(t));
      for (StackTraceElement frame : userFrames(t.getStackTrace())) {
        traceback.add("\tat " + frame(frame));
      }
      first = false;
    }
    return new EvaluationException(message, traceback);
  }

  /** {@code class: message} for the user's exception, not JShell's wrapper around it. */
  private static String describe(Throwable t) {
    String className =
        t instanceof EvalException
            ? ((EvalException) t).getExceptionClassName()
            : t.getClass().getName();
    return t.getMessage() == null ? className : className + ": " + t.getMessage();
  }

  /** Drops the frames below the notebook's code: reflection and this kernel's machinery. */
  private static List<StackTraceElement> userFrames(StackTraceElement[] frames) {
    int lastUser = -1;
    for (int i = 0; i < frames.length; i++) {
      if (isSnippetFrame(frames[i])) {
        lastUser = i;
      }
    }
    int keep = lastUser >= 0 ? lastUser + 1 : frames.length;
    List<StackTraceElement> result = new ArrayList<>();
    for (int i = 0; i < keep; i++) {
      result.add(frames[i]);
    }
    return result;
  }

  /**
   * Whether a frame is in snippet code. JShell reports those with an empty class name and the
   * snippet id as file name ({@code #12}); the raw wrapper classes live in package {@code REPL}.
   */
  private static boolean isSnippetFrame(StackTraceElement frame) {
    String file = frame.getFileName();
    return (file != null && file.startsWith("#")) || frame.getClassName().startsWith("REPL.");
  }

  /** A frame as {@code jshell} prints it: snippet code as {@code method(#id:line)}. */
  private static String frame(StackTraceElement frame) {
    if (isSnippetFrame(frame)) {
      String method = frame.getMethodName().equals("do_it$") ? "" : frame.getMethodName();
      return method + "(" + frame.getFileName() + ":" + frame.getLineNumber() + ")";
    }
    return frame.toString();
  }

  private static IncompleteCodeException incomplete(String remaining) {
    return new IncompleteCodeException(
        "the cell ends in the middle of a statement or declaration",
        List.of("Incomplete code (a missing ';', ')' or '}'?):", indent(remaining.strip())));
  }

  private static String indent(String code) {
    return code.lines().map(l -> "    " + l).collect(Collectors.joining("\n"));
  }

  private String diagnostics(Snippet snippet) {
    return shell.diagnostics(snippet)
        .map(d -> d.getMessage(Locale.ENGLISH))
        .collect(Collectors.toList())
        .toString();
  }

  /** Adds a jar or class directory for both compiling and running later snippets. */
  public void addToClasspath(Path path) {
    Path normalized = path.toAbsolutePath().normalize();
    if (classpath.add(normalized)) {
      shell.addToClasspath(normalized.toString());
    }
  }

  /** The jars and directories added so far, in the order they were added. */
  public List<Path> classpath() {
    return List.copyOf(classpath);
  }

  /**
   * Whether {@code code} is ready to run: {@code "complete"}, {@code "incomplete"} (more lines
   * expected) or {@code "invalid"}.
   */
  public String completeness(String code) {
    SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
    String remaining = code;
    while (!remaining.isBlank()) {
      CompletionInfo info = analysis.analyzeCompletion(remaining);
      switch (info.completeness()) {
        case DEFINITELY_INCOMPLETE:
        case CONSIDERED_INCOMPLETE:
          return "incomplete";
        case UNKNOWN:
          return "invalid";
        case EMPTY:
          return "complete";
        default:
          remaining = info.remaining();
      }
    }
    return "complete";
  }

  /** Completion candidates at {@code cursor}, looking only at the snippet the cursor is in. */
  public Completions complete(String code, int cursor) {
    cursor = clamp(cursor, code.length()); // a client's stale offset must not throw
    SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
    int snippetStart = 0;
    String remaining = code;
    while (!remaining.isBlank()) {
      CompletionInfo info = analysis.analyzeCompletion(remaining);
      int consumed = remaining.length() - info.remaining().length();
      if (consumed <= 0 || snippetStart + consumed >= cursor) {
        break;
      }
      snippetStart += consumed;
      remaining = info.remaining();
    }
    String snippet = code.substring(snippetStart, Math.max(snippetStart, cursor));
    int[] anchor = new int[1];
    List<String> candidates = new ArrayList<>();
    for (SourceCodeAnalysis.Suggestion s :
        analysis.completionSuggestions(snippet, snippet.length(), anchor)) {
      if (!candidates.contains(s.continuation())) {
        candidates.add(s.continuation());
      }
    }
    return new Completions(candidates, snippetStart + anchor[0], cursor);
  }

  /** Interrupts the running cell, if any; safe to call from another thread. */
  public void stop() {
    interrupted = true;
    try {
      shell.stop();
    } catch (IllegalStateException e) {
      // The session is already closed; there is nothing to stop.
    }
  }

  @Override
  public void close() {
    shell.close();
  }

  /** The jar or class directory this kernel was loaded from, if it is a local path. */
  private static Optional<Path> kernelLocation() {
    try {
      var source = CellEvaluator.class.getProtectionDomain().getCodeSource();
      return source == null ? Optional.empty() : Optional.of(Path.of(source.getLocation().toURI()));
    } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
