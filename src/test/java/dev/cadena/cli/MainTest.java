package dev.cadena.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.io.FormatException;
import dev.cadena.io.SafeTensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the command line prints when a file is missing or broken, and its exit status. */
class MainTest {
  @TempDir Path dir;

  @Test
  void testDescribe_fileExceptionsSayWhatHappenedToThePath() {
    assertEquals("no such file: m.safetensors", Main.describe(new NoSuchFileException("m.safetensors")));
    assertEquals(
        "no such file: d/images-idx3-ubyte (mnist: neither images-idx3-ubyte nor images-idx3-ubyte.gz is in d)",
        Main.describe(
            new NoSuchFileException(
                "d/images-idx3-ubyte", null, "mnist: neither images-idx3-ubyte nor images-idx3-ubyte.gz is in d")));
    assertEquals("permission denied: /root/m.safetensors", Main.describe(new AccessDeniedException("/root/m.safetensors")));
    assertEquals("no such file: x.idx", Main.describe(new UncheckedIOException(new NoSuchFileException("x.idx"))));
    assertEquals("safetensors: bad", Main.describe(new FormatException("safetensors: bad")));
    assertEquals("java.io.IOException", Main.describe(new IOException()));
  }

  private record Run(int status, String out, String err) {}

  /** Runs {@link Main} in a child JVM, which may call {@code System.exit}. */
  private static Run main(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Main.class.getName());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).start();
    p.getOutputStream().close();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "cadena " + String.join(" ", args) + " finished");
    return new Run(
        p.exitValue(),
        new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
        new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  @Test
  void testMain_missingFileSaysNoSuchFileAndExitsWith1() throws Exception {
    Path missing = dir.resolve("missing.safetensors");
    Run r = main("--evaluate", missing.toString());
    assertEquals(1, r.status(), r.err());
    assertEquals("cadena: no such file: " + missing + System.lineSeparator(), r.err());
  }

  @Test
  void testMain_corruptHeaderAndDirectorySayWhatIsWrong() throws Exception {
    Path file = dir.resolve("m.safetensors");
    SafeTensors.write(
        file,
        Map.of("w", SafeTensors.Entry.ofFloats(new int[] {2}, new float[] {1, 2})),
        Map.of("hidden", "16", "dtype", "float32"));
    byte[] bytes = Files.readAllBytes(file);
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    int at = text.indexOf("__metadata__");
    assertTrue(at > 0, text);
    bytes[at + 2] = '}'; // the damage of issue 10: "__}etadata__"
    Files.write(file, bytes);
    Run r = main("--evaluate", file.toString());
    assertEquals(1, r.status(), r.err());
    // The damaged metadata {"dtype":"float32","hidden":"16"} has a dtype, but neither shape nor
    // data_offsets, and a key no tensor entry has.
    assertEquals(
        "cadena: safetensors: tensor '__}etadata__' in " + file + " lacks shape and data_offsets"
            + " (it has the unknown key \"hidden\"); is it a damaged \"__metadata__\"?"
            + System.lineSeparator(),
        r.err());

    Run d = main("--evaluate", dir.toString());
    assertEquals(1, d.status(), d.err());
    assertEquals(
        "cadena: " + dir + ": not a regular file but a directory; safetensors reads only regular files"
            + System.lineSeparator(),
        d.err());
  }
}
