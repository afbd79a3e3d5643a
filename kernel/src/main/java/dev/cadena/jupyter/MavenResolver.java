package dev.cadena.jupyter;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Resolves Maven artifacts and their runtime dependencies to jar paths for {@code %maven}, by
 * running the {@code mvn} command line rather than embedding a resolver.
 *
 * <p>It writes a throw-away pom that depends on the requested artifacts and asks the
 * maven-dependency-plugin for their classpath ({@code compile} and {@code runtime} scopes,
 * transitively). The first attempt runs offline, so an artifact that {@code mvn install} put in
 * {@code ~/.m2/repository} (a {@code -SNAPSHOT} of Cadena, say) resolves without network and
 * without consulting remote snapshots; only when that fails does it run again online, which
 * downloads what is missing into {@code ~/.m2} like {@code mvn dependency:get} would. Using Maven
 * itself keeps {@code settings.xml}, mirrors and proxies working.
 */
public final class MavenResolver {

  /** Pinned so resolution does not depend on the Maven version's default plugin (2.8 for 3.8). */
  static final String DEPENDENCY_PLUGIN_VERSION = "3.8.1";

  private static final long TIMEOUT_MINUTES = 10;

  private final String mvnCommand;

  /** Uses {@code mvn} from {@code PATH}, or the command in {@code CADENA_KERNEL_MVN} if set. */
  public MavenResolver() {
    this(System.getenv().getOrDefault("CADENA_KERNEL_MVN", "mvn"));
  }

  MavenResolver(String mvnCommand) {
    this.mvnCommand = mvnCommand;
  }

  /**
   * Returns the jars of the given artifacts followed by their runtime dependencies.
   *
   * @throws IllegalArgumentException when {@code coordinates} is empty
   * @throws IOException when Maven cannot resolve them, online or offline; the message ends with
   *     Maven's output
   */
  public List<Path> resolve(List<MavenCoordinate> coordinates)
      throws IOException, InterruptedException {
    if (coordinates.isEmpty()) {
      throw new IllegalArgumentException("expected at least one group:artifact:version, got none");
    }
    Path dir = Files.createTempDirectory("cadena-kernel-maven");
    try {
      Path pom = dir.resolve("pom.xml");
      Files.writeString(pom, pomFor(coordinates), StandardCharsets.UTF_8);
      Path classpathFile = dir.resolve("classpath.txt");
      Path log = dir.resolve("mvn.log");
      int status = runMaven(pom, classpathFile, log, true);
      if (status != 0) {
        status = runMaven(pom, classpathFile, log, false);
      }
      if (status != 0 || !Files.exists(classpathFile)) {
        throw new IOException(
            "mvn could not resolve " + coordinates + " (exit " + status + "):\n" + tail(log, 40));
      }
      return parseClasspath(Files.readString(classpathFile, StandardCharsets.UTF_8));
    } finally {
      deleteRecursively(dir);
    }
  }

  static String pomFor(List<MavenCoordinate> coordinates) {
    StringBuilder deps = new StringBuilder();
    for (MavenCoordinate c : coordinates) {
      deps.append(c.toDependencyXml());
    }
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        + "<project xmlns=\"http://maven.apache.org/POM/4.0.0\">\n"
        + "  <modelVersion>4.0.0</modelVersion>\n"
        + "  <groupId>dev.cadena.jupyter</groupId>\n"
        + "  <artifactId>notebook-dependencies</artifactId>\n"
        + "  <version>0</version>\n"
        + "  <packaging>pom</packaging>\n"
        + "  <dependencies>\n"
        + deps
        + "  </dependencies>\n"
        + "  <build>\n"
        + "    <plugins>\n"
        + "      <plugin>\n"
        + "        <groupId>org.apache.maven.plugins</groupId>\n"
        + "        <artifactId>maven-dependency-plugin</artifactId>\n"
        + "        <version>" + DEPENDENCY_PLUGIN_VERSION + "</version>\n"
        + "      </plugin>\n"
        + "    </plugins>\n"
        + "  </build>\n"
        + "</project>\n";
  }

  /** Splits the plugin's output file; it is one line of paths joined by the path separator. */
  static List<Path> parseClasspath(String text) {
    List<Path> paths = new ArrayList<>();
    for (String entry : text.strip().split(File.pathSeparator)) {
      if (!entry.isBlank()) {
        paths.add(Path.of(entry.strip()));
      }
    }
    return paths;
  }

  private int runMaven(Path pom, Path classpathFile, Path log, boolean offline)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(mvnCommand);
    command.add("-B");
    command.add("-q");
    if (offline) {
      command.add("-o");
    }
    command.add("-f");
    command.add(pom.toString());
    command.add("dependency:build-classpath");
    command.add("-Dmdep.outputFile=" + classpathFile);
    command.add("-Dmdep.includeScope=runtime");
    // The pom's own artifact is never part of the classpath; -Dmdep.prefix is left unset so the
    // output holds absolute paths into the local repository.
    Process process =
        new ProcessBuilder(command)
            .directory(pom.getParent().toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    process.getOutputStream().close(); // mvn -B never asks, but must not wait on a prompt
    if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IOException("mvn took longer than " + TIMEOUT_MINUTES + " minutes: " + command);
    }
    return process.exitValue();
  }

  private static String tail(Path log, int lines) throws IOException {
    if (!Files.exists(log)) {
      return "(no output)";
    }
    List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A leftover temp directory is harmless; resolution already succeeded or failed.
    }
  }
}
