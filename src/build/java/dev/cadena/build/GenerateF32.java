package dev.cadena.build;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Writes the float32 twin of every hand-written float64 source, so that kernels exist once, in
 * float64, and their float32 versions cannot drift from them (after EJML's {@code
 * GenerateCode32}).
 *
 * <p>Run by the build in {@code generate-sources} (see pom.xml), or by hand with the JDK's
 * source launcher, from the project root:
 *
 * <pre>{@code
 * java src/build/java/dev/cadena/build/GenerateF32.java src/main/java target/generated-sources/f32
 * }</pre>
 *
 * <p>Every file under the input root whose name ends in {@code F64.java} is a float64 source. Its
 * twin has the same relative path under the output root, with the file name rewritten by rule 2
 * ({@code VectorGemmF64.java} becomes {@code VectorGemmF32.java}), and is made by these rules and
 * nothing else:
 *
 * <ol>
 *   <li>Header: the twin starts with comment lines that say it is generated, from which source,
 *       by this program, and that the float64 source is the one to edit.
 *   <li>Names: {@code double}, {@code Double}, {@code F64}, {@code FLOAT64} and {@code float64}
 *       become {@code float}, {@code Float}, {@code F32}, {@code FLOAT32} and {@code float32},
 *       wherever they stand inside an identifier or keyword ({@code DoubleVector}, {@code
 *       VectorGemmF64}, {@code doubleValue}), a comment, a string or a character literal. The
 *       replacement is simultaneous, left to right: a result is never rewritten again, so {@code
 *       double64} becomes {@code float64}. The 32-bit forms are left alone. Strings are rewritten
 *       too because in the kernels they are error messages, which should name the twin's own
 *       type; a string that must keep the 64-bit text takes the escape of rule 4. Number
 *       literals are not names: the {@code F64} in {@code 0xF64} stays.
 *   <li>Floating-point literals in code get an {@code f} suffix: {@code 0.0}, {@code 1e-3},
 *       {@code .5}, {@code 2.}, {@code 0x1p-3} become {@code 0.0f}, {@code 1e-3f}, {@code .5f},
 *       {@code 2.f}, {@code 0x1p-3f}; a {@code d} or {@code D} suffix becomes {@code f} or
 *       {@code F} ({@code 1d} is {@code 1f}); an {@code f} suffix stays. Integer literals
 *       ({@code 0}, {@code 8L}, {@code 0x1F}, {@code 0b10}) stay, and so do digits inside
 *       identifiers ({@code c00}, {@code kernel8}) and numbers in comments and strings.
 *   <li>Escape: a line whose code ends with a line comment {@code //} followed by optional
 *       blanks and {@code f32:} is replaced in the twin by the text after {@code f32:}, without
 *       its surrounding blanks and indented as the original line; that text is taken verbatim
 *       (rules 2 and 3 do not apply to it), and when it is empty the twin has an empty line
 *       there. In the float64 source it is an ordinary comment. A {@code //} inside a string or
 *       inside a block comment is not a comment, so it is no escape either; a Javadoc line that
 *       must differ can be written as a one-line {@code /** ... *}{@code /} followed by the
 *       escape.
 * </ol>
 *
 * <p>A twin file written by hand next to its float64 source is an error: the program fails and
 * names it, so that nobody edits or adds a float32 copy again. A file is written only when its
 * content changes, so that the compiler's staleness check stays useful; a generated file under the
 * output root whose source is gone is deleted (only files carrying the header are deleted; other
 * files there are left alone).
 */
public final class GenerateF32 {

  /** How the twins name their maker; the path from the project root. */
  static final String PROGRAM = "src/build/java/dev/cadena/build/GenerateF32.java";

  /** The first words of every generated file; also how stale generated files are recognized. */
  static final String MARK = "// GENERATED FILE, DO NOT EDIT";

  private static final String SOURCE_SUFFIX = "F64.java";

  /** The names of rule 2 and what they become. */
  private static final Map<String, String> NAMES = Map.of(
      "double", "float",
      "Double", "Float",
      "F64", "F32",
      "FLOAT64", "FLOAT32",
      "float64", "float32");

  private static final Pattern NAME_PATTERN = Pattern.compile(
      NAMES.keySet().stream().sorted(Comparator.comparing(String::length).reversed())
          .map(Pattern::quote).collect(Collectors.joining("|")));

  /** The escape of rule 4, matched against the text after a line comment's {@code //}. */
  private static final Pattern ESCAPE = Pattern.compile("^\\s*f32:(.*)$", Pattern.DOTALL);

  private GenerateF32() {}

  /** Raised for input that the rules forbid, with a message that names the file. */
  static final class GenerationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    GenerationException(String message) {
      super(message);
    }
  }

  /** What one run did, for the summary line. */
  record Summary(int sources, int written, int unchanged, int removed) {}

  /**
   * Usage: {@code GenerateF32 <in-root> <out-root>}. Exits with status 1 and a message on stderr
   * when the input breaks a rule, 2 on a usage error.
   */
  public static void main(String[] args) {
    if (args.length != 2) {
      System.err.println("usage: java " + PROGRAM + " <in-root> <out-root>");
      System.exit(2);
    }
    try {
      Summary s = generate(Paths.get(args[0]), Paths.get(args[1]));
      // Silent when nothing changed, the usual case, so that a quiet build stays quiet.
      if (s.written() > 0 || s.removed() > 0) {
        System.out.printf("GenerateF32: %d float32 twin(s) in %s: %d written, %d unchanged, "
            + "%d stale removed%n", s.sources(), display(Paths.get(args[1]), Paths.get("")),
            s.written(), s.unchanged(), s.removed());
      }
    } catch (GenerationException e) {
      System.err.println(e.getMessage());
      System.exit(1);
    } catch (IOException | UncheckedIOException e) {
      System.err.println("GenerateF32: " + e);
      System.exit(1);
    }
  }

  /**
   * Generates the twins of all float64 sources under {@code inRoot} into {@code outRoot}.
   *
   * @throws GenerationException if a twin is written by hand under {@code inRoot}, or the roots
   *     overlap
   */
  static Summary generate(Path inRoot, Path outRoot) throws IOException {
    Path in = inRoot.toAbsolutePath().normalize();
    Path out = outRoot.toAbsolutePath().normalize();
    if (!Files.isDirectory(in)) {
      throw new GenerationException("GenerateF32: input root is not a directory: " + inRoot);
    }
    if (in.startsWith(out) || out.startsWith(in)) {
      throw new GenerationException("GenerateF32: input and output roots overlap: " + inRoot
          + " and " + outRoot);
    }
    List<Path> sources;
    try (Stream<Path> files = Files.walk(in)) {
      sources = files.filter(p -> p.getFileName().toString().endsWith(SOURCE_SUFFIX))
          .filter(Files::isRegularFile).sorted().collect(Collectors.toList());
    }
    List<String> handWritten = new ArrayList<>();
    for (Path source : sources) {
      Path twin = source.resolveSibling(twinName(source.getFileName().toString()));
      if (Files.exists(twin)) {
        handWritten.add(display(inRoot, in.relativize(twin)));
      }
    }
    if (!handWritten.isEmpty()) {
      throw new GenerationException("GenerateF32: float32 twin(s) written by hand next to their "
          + "float64 source: " + String.join(", ", handWritten) + "; they are generated from the "
          + "F64 file by " + PROGRAM + ": delete them and edit the F64 file");
    }

    // Relative path of each twin -> its content.
    Map<Path, String> twins = new TreeMap<>();
    for (Path source : sources) {
      Path rel = in.relativize(source);
      String text = Files.readString(source, StandardCharsets.UTF_8);
      Path twinRel = rel.resolveSibling(twinName(rel.getFileName().toString()));
      twins.put(twinRel, convert(text, display(inRoot, rel)));
    }

    int written = 0;
    int unchanged = 0;
    for (Map.Entry<Path, String> e : twins.entrySet()) {
      Path target = out.resolve(e.getKey());
      byte[] bytes = e.getValue().getBytes(StandardCharsets.UTF_8);
      if (Files.isRegularFile(target) && Arrays.equals(Files.readAllBytes(target), bytes)) {
        unchanged++;
      } else {
        Files.createDirectories(target.getParent());
        Files.write(target, bytes);
        written++;
      }
    }
    return new Summary(twins.size(), written, unchanged, removeStale(out, twins.keySet()));
  }

  /** Deletes generated files under {@code out} not in {@code keep}, then empty folders. */
  private static int removeStale(Path out, Set<Path> keep) throws IOException {
    if (!Files.isDirectory(out)) {
      return 0;
    }
    int removed = 0;
    List<Path> all;
    try (Stream<Path> files = Files.walk(out)) {
      // Deepest first, so that a folder is visited after its files.
      all = files.sorted(Comparator.reverseOrder()).collect(Collectors.toList());
    }
    for (Path p : all) {
      if (Files.isRegularFile(p)) {
        if (!keep.contains(out.relativize(p)) && isGenerated(p)) {
          Files.delete(p);
          removed++;
        }
      } else if (Files.isDirectory(p) && !p.equals(out)) {
        try (Stream<Path> entries = Files.list(p)) {
          if (entries.findAny().isEmpty()) {
            Files.delete(p);
          }
        }
      }
    }
    return removed;
  }

  private static boolean isGenerated(Path file) throws IOException {
    try (java.io.BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String first = r.readLine();
      return first != null && first.startsWith(MARK);
    } catch (java.nio.charset.MalformedInputException e) {
      return false;
    }
  }

  /** {@code root/rel} as the user named the root, with forward slashes. */
  private static String display(Path root, Path rel) {
    Path shown = root;
    Path here = Paths.get("").toAbsolutePath();
    if (root.isAbsolute() && root.normalize().startsWith(here)) {
      shown = here.relativize(root.normalize());
    }
    String path = shown.resolve(rel).normalize().toString().replace('\\', '/');
    return path.isEmpty() ? "." : path;
  }

  /** The twin's file name: rule 2 applied to the source's. */
  static String twinName(String sourceName) {
    return rewriteNames(sourceName);
  }

  /** The whole twin of {@code source}: the header, then the converted text. */
  static String convert(String source, String sourcePath) {
    String nl = source.contains("\r\n") ? "\r\n" : "\n";
    String header = MARK + ": made by " + PROGRAM + " from" + nl
        + "// " + sourcePath + " by replacing double with float" + nl
        + "// (F64 with F32, 0.5 with 0.5f; the generator's Javadoc has the rules). To change" + nl
        + "// this file, edit that one: the build writes this one again in generate-sources." + nl;
    return header + convertBody(source);
  }

  /** Rules 2 to 4 on a whole source text. */
  static String convertBody(String source) {
    StringBuilder out = new StringBuilder(source.length() + 256);
    Lexer lexer = new Lexer();
    int start = 0;
    while (start < source.length()) {
      int end = source.indexOf('\n', start);
      int next = end < 0 ? source.length() : end + 1;
      if (end < 0) {
        end = source.length();
      }
      int contentEnd = end > start && source.charAt(end - 1) == '\r' ? end - 1 : end;
      out.append(lexer.convertLine(source.substring(start, contentEnd)));
      out.append(source, contentEnd, next);
      start = next;
    }
    return out.toString();
  }

  /** Rule 2 on any text: every name of {@link #NAMES}, simultaneously, left to right. */
  static String rewriteNames(String text) {
    Matcher m = NAME_PATTERN.matcher(text);
    if (!m.find()) {
      return text;
    }
    StringBuilder sb = new StringBuilder(text.length());
    int last = 0;
    do {
      sb.append(text, last, m.start()).append(NAMES.get(m.group()));
      last = m.end();
    } while (m.find());
    return sb.append(text, last, text.length()).toString();
  }

  /**
   * Rule 3 on one number literal (as it stands in code, underscores and all): floating-point
   * literals end in {@code f}, integer literals are returned as they are.
   */
  static String floatLiteral(String literal) {
    char last = literal.charAt(literal.length() - 1);
    boolean hex = literal.length() > 1 && literal.charAt(0) == '0'
        && (literal.charAt(1) == 'x' || literal.charAt(1) == 'X');
    boolean floating;
    if (hex) {
      // A hex literal is floating-point only with a binary exponent; f and d are hex digits.
      floating = literal.indexOf('p') >= 0 || literal.indexOf('P') >= 0;
      if (!floating) {
        return literal;
      }
    } else {
      if (literal.length() > 1 && (literal.charAt(1) == 'b' || literal.charAt(1) == 'B')
          && literal.charAt(0) == '0') {
        return literal;
      }
      floating = literal.indexOf('.') >= 0 || literal.indexOf('e') >= 0
          || literal.indexOf('E') >= 0 || "fFdD".indexOf(last) >= 0;
      if (!floating) {
        return literal;
      }
    }
    if (last == 'f' || last == 'F') {
      return literal;
    }
    if (last == 'd') {
      return literal.substring(0, literal.length() - 1) + 'f';
    }
    if (last == 'D') {
      return literal.substring(0, literal.length() - 1) + 'F';
    }
    return literal + 'f';
  }

  /**
   * A line-by-line Java lexer that knows just enough to tell code from comments, strings and
   * character literals, and number literals from identifiers; its state is what a line ends
   * inside of.
   */
  private static final class Lexer {
    private static final int CODE = 0;
    private static final int BLOCK_COMMENT = 1;
    private static final int TEXT_BLOCK = 2;

    private int state = CODE;

    /** Rules 2 to 4 on one line (without its terminator). */
    String convertLine(String line) {
      String escape = escapeOf(line);
      if (escape != null) {
        return escape;
      }
      StringBuilder out = new StringBuilder(line.length() + 8);
      int i = 0;
      int n = line.length();
      while (i < n) {
        if (state == BLOCK_COMMENT) {
          int close = line.indexOf("*/", i);
          int end = close < 0 ? n : close + 2;
          out.append(rewriteNames(line.substring(i, end)));
          if (close >= 0) {
            state = CODE;
          }
          i = end;
          continue;
        }
        if (state == TEXT_BLOCK) {
          int end = endOfTextBlock(line, i);
          out.append(rewriteNames(line.substring(i, end < 0 ? n : end)));
          if (end >= 0) {
            state = CODE;
          }
          i = end < 0 ? n : end;
          continue;
        }
        char c = line.charAt(i);
        if (Character.isJavaIdentifierStart(c)) {
          int end = i + 1;
          while (end < n && Character.isJavaIdentifierPart(line.charAt(end))) {
            end++;
          }
          out.append(rewriteNames(line.substring(i, end)));
          i = end;
        } else if (isDigit(c) || (c == '.' && i + 1 < n && isDigit(line.charAt(i + 1)))) {
          int end = endOfNumber(line, i);
          out.append(floatLiteral(line.substring(i, end)));
          i = end;
        } else if (line.startsWith("//", i)) {
          out.append(rewriteNames(line.substring(i)));
          i = n;
        } else if (line.startsWith("/*", i)) {
          state = BLOCK_COMMENT;
          out.append("/*");
          i += 2;
        } else if (line.startsWith("\"\"\"", i)) {
          state = TEXT_BLOCK;
          out.append("\"\"\"");
          i += 3;
        } else if (c == '"' || c == '\'') {
          int end = endOfQuoted(line, i);
          out.append(rewriteNames(line.substring(i, end)));
          i = end;
        } else {
          out.append(c);
          i++;
        }
      }
      return out.toString();
    }

    /**
     * Rule 4: the twin's line if {@code line} ends with an escape comment, else null. Scans the
     * line without converting it, to find out whether its {@code //} is a comment in code.
     */
    private String escapeOf(String line) {
      if (state == TEXT_BLOCK || !line.contains("f32:")) {
        return null;
      }
      int i = 0;
      int n = line.length();
      if (state == BLOCK_COMMENT) {
        int close = line.indexOf("*/");
        if (close < 0) {
          return null;
        }
        i = close + 2;
      }
      while (i < n) {
        char c = line.charAt(i);
        if (line.startsWith("//", i)) {
          Matcher m = ESCAPE.matcher(line.substring(i + 2));
          if (!m.matches()) {
            return null;
          }
          // The line's comments and strings all closed before the escape: it ends in code.
          state = CODE;
          String code = m.group(1).strip();
          if (code.isEmpty()) {
            return "";
          }
          int indent = 0;
          while (indent < n && (line.charAt(indent) == ' ' || line.charAt(indent) == '\t')) {
            indent++;
          }
          return line.substring(0, indent) + code;
        } else if (line.startsWith("/*", i)) {
          int close = line.indexOf("*/", i + 2);
          if (close < 0) {
            return null;
          }
          i = close + 2;
        } else if (line.startsWith("\"\"\"", i)) {
          return null;
        } else if (c == '"' || c == '\'') {
          i = endOfQuoted(line, i);
        } else if (Character.isJavaIdentifierStart(c)) {
          // Skip the whole identifier, so that a quote can never be mistaken for one in it.
          i++;
          while (i < n && Character.isJavaIdentifierPart(line.charAt(i))) {
            i++;
          }
        } else {
          i++;
        }
      }
      return null;
    }

    private static boolean isDigit(char c) {
      return c >= '0' && c <= '9';
    }

    /** The end of the string or character literal that opens at {@code i}, or of the line. */
    private static int endOfQuoted(String line, int i) {
      char quote = line.charAt(i);
      int j = i + 1;
      while (j < line.length()) {
        char c = line.charAt(j);
        if (c == '\\') {
          j += 2;
        } else if (c == quote) {
          return j + 1;
        } else {
          j++;
        }
      }
      return line.length();
    }

    /** Just past the {@code """} that closes a text block at or after {@code i}, or -1. */
    private static int endOfTextBlock(String line, int i) {
      int j = i;
      while (j < line.length()) {
        if (line.charAt(j) == '\\') {
          j += 2;
        } else if (line.startsWith("\"\"\"", j)) {
          return j + 3;
        } else {
          j++;
        }
      }
      return -1;
    }

    /** The end of the number literal that starts at {@code i} (a digit, or a dot and a digit). */
    private static int endOfNumber(String line, int i) {
      int n = line.length();
      int j = i;
      if (line.charAt(j) == '0' && j + 1 < n && "xXbB".indexOf(line.charAt(j + 1)) >= 0) {
        boolean hex = line.charAt(j + 1) == 'x' || line.charAt(j + 1) == 'X';
        j += 2;
        while (j < n && (Character.digit(line.charAt(j), 16) >= 0 || line.charAt(j) == '_')) {
          j++;
        }
        boolean floating = false;
        if (hex && j < n && line.charAt(j) == '.') {
          j++;
          while (j < n && (Character.digit(line.charAt(j), 16) >= 0 || line.charAt(j) == '_')) {
            j++;
          }
        }
        if (hex && j < n && (line.charAt(j) == 'p' || line.charAt(j) == 'P')) {
          floating = true;
          j = endOfExponent(line, j + 1);
        }
        if (j < n && (floating ? "fFdD" : "lL").indexOf(line.charAt(j)) >= 0) {
          j++;
        }
        return j;
      }
      while (j < n && (isDigit(line.charAt(j)) || line.charAt(j) == '_')) {
        j++;
      }
      if (j < n && line.charAt(j) == '.') {
        j++;
        while (j < n && (isDigit(line.charAt(j)) || line.charAt(j) == '_')) {
          j++;
        }
      }
      if (j < n && (line.charAt(j) == 'e' || line.charAt(j) == 'E')) {
        j = endOfExponent(line, j + 1);
      }
      if (j < n && "fFdDlL".indexOf(line.charAt(j)) >= 0) {
        j++;
      }
      return j;
    }

    private static int endOfExponent(String line, int j) {
      if (j < line.length() && (line.charAt(j) == '+' || line.charAt(j) == '-')) {
        j++;
      }
      while (j < line.length() && (isDigit(line.charAt(j)) || line.charAt(j) == '_')) {
        j++;
      }
      return j;
    }
  }
}
