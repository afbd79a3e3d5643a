package dev.cadena.jupyter;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Turns the arguments of {@code %classpath} and {@code %jars} into existing paths.
 *
 * <p>Each argument may hold several entries joined with the platform's path separator
 * ({@code :} on Linux), as on a {@code java -cp} line. An entry is either a plain path or a glob
 * ({@code *}, {@code ?}, {@code [..]}, {@code {a,b}}, and {@code **} across directories).
 * Relative entries are resolved against a base directory, which for the kernel is its working
 * directory, i.e. the notebook's folder.
 *
 * <pre>{@code
 * ClasspathArgs.expand(List.of("target/*.jar", "lib/a.jar:lib/b"), Path.of("/work/nb"), false)
 * }</pre>
 */
public final class ClasspathArgs {

  private ClasspathArgs() {}

  /**
   * Expands every argument into paths, in order, without duplicates.
   *
   * @param args the magic's arguments, already split on whitespace (quotes removed)
   * @param base the directory that relative entries are resolved against
   * @param filesOnly when true (for {@code %jars}) directories matched by a glob are skipped,
   *     and a plain entry naming a directory stands for the files directly in it, as in IJava
   * @return absolute, normalized paths that exist
   * @throws IllegalArgumentException when there are no entries, a plain entry does not exist, a
   *     glob matches nothing, or a directory given to {@code %jars} holds no files; the message
   *     names the entry and the base directory
   */
  public static List<Path> expand(List<String> args, Path base, boolean filesOnly) {
    List<Path> result = new ArrayList<>();
    for (String arg : args) {
      for (String entry : arg.split(File.pathSeparator)) {
        if (entry.isBlank()) {
          continue;
        }
        for (Path p : expandEntry(entry.strip(), base, filesOnly)) {
          if (!result.contains(p)) {
            result.add(p);
          }
        }
      }
    }
    if (result.isEmpty()) {
      throw new IllegalArgumentException("expected at least one path or glob, got none");
    }
    return result;
  }

  /** Whether an entry contains glob syntax and is matched rather than taken literally. */
  static boolean isGlob(String entry) {
    return entry.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
  }

  private static List<Path> expandEntry(String entry, Path base, boolean filesOnly) {
    String expanded = expandHome(entry);
    if (!isGlob(expanded)) {
      Path p = base.resolve(expanded).toAbsolutePath().normalize();
      if (!Files.exists(p)) {
        throw new IllegalArgumentException(
            "no such file or directory: " + entry + " (resolved to " + p + ")");
      }
      if (filesOnly && Files.isDirectory(p)) {
        List<Path> jars = filesIn(p);
        if (jars.isEmpty()) {
          throw new IllegalArgumentException(
              "no files in directory " + entry + " (use %classpath for a class directory)");
        }
        return jars;
      }
      return List.of(p);
    }
    List<Path> matches = glob(expanded, base, filesOnly);
    if (matches.isEmpty()) {
      throw new IllegalArgumentException(
          "glob matched no " + (filesOnly ? "files" : "paths") + ": " + entry
              + " (in " + base + ")");
    }
    return matches;
  }

  /** The regular files directly in {@code dir}, sorted; what IJava's {@code %jars dir} adds. */
  private static List<Path> filesIn(Path dir) {
    try (Stream<Path> list = Files.list(dir)) {
      return list.filter(Files::isRegularFile).map(p -> p.toAbsolutePath().normalize()).sorted()
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  /**
   * Matches a glob against the file tree. The literal leading directories of the pattern (those
   * before the first segment with glob syntax) are the root of the walk, so {@code target/*.jar}
   * only lists {@code target}.
   */
  static List<Path> glob(String pattern, Path base, boolean filesOnly) {
    Path patternPath = base.resolve(pattern.replace('/', File.separatorChar)).normalize();
    Path root = patternPath.getRoot();
    int firstGlob = 0;
    while (firstGlob < patternPath.getNameCount()
        && !isGlob(patternPath.getName(firstGlob).toString())) {
      firstGlob++;
    }
    Path walkRoot = firstGlob == 0 ? root : root.resolve(patternPath.subpath(0, firstGlob));
    if (!Files.isDirectory(walkRoot)) {
      return List.of();
    }
    String rest = patternPath.subpath(firstGlob, patternPath.getNameCount()).toString();
    int depth = rest.contains("**") ? Integer.MAX_VALUE : patternPath.getNameCount() - firstGlob;
    PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + rest);
    try (Stream<Path> walk = Files.walk(walkRoot, depth)) {
      return walk.filter(p -> !p.equals(walkRoot))
          .filter(p -> matcher.matches(walkRoot.relativize(p)))
          .filter(p -> !filesOnly || Files.isRegularFile(p))
          .map(p -> p.toAbsolutePath().normalize())
          .sorted()
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + walkRoot + " for glob " + pattern, e);
    }
  }

  private static String expandHome(String entry) {
    if (entry.equals("~") || entry.startsWith("~/")) {
      return System.getProperty("user.home") + entry.substring(1);
    }
    return entry;
  }
}
