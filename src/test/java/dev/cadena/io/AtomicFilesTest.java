package dev.cadena.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.nn.Linear;
import dev.cadena.nn.Sequential;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir Path dir;

  @Test
  void testWrite_failureLeavesOriginalAndNoTemp() throws IOException {
    Path target = dir.resolve("model.bin");
    Files.write(target, new byte[] {1, 2, 3});
    assertThrows(
        IOException.class,
        () ->
            AtomicFiles.write(
                target,
                out -> {
                  out.write(new byte[1000]);
                  throw new IOException("disk full (simulated)");
                }));
    assertThrows(
        IllegalStateException.class,
        () ->
            AtomicFiles.write(
                target,
                out -> {
                  throw new IllegalStateException("bug (simulated)");
                }));
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target));
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count());
    }
  }

  @Test
  void testWrite_replacesAndCreates() throws IOException {
    Path target = dir.resolve("new.bin");
    AtomicFiles.write(target, out -> out.write(new byte[] {4, 5}));
    assertArrayEquals(new byte[] {4, 5}, Files.readAllBytes(target));
    AtomicFiles.write(target, out -> out.write(new byte[] {6}));
    assertArrayEquals(new byte[] {6}, Files.readAllBytes(target));
  }

  /** Backdates {@code p} as if it had been left two minutes ago. */
  private static Path age(Path p) throws IOException {
    Files.setLastModifiedTime(p, FileTime.from(Instant.now().minus(Duration.ofMinutes(2))));
    return p;
  }

  private List<String> names() throws IOException {
    try (var files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }

  @Test
  void testWrite_removesStaleTemporaryFilesOfOurPatternOnly() throws IOException {
    List<String> stale =
        List.of(
            ".model.safetensors.9c1e5b7a3d2f4e60.tmp", // what a killed save of model.safetensors leaves
            ".other.bin.a.tmp", // another target in the same directory, a 1-digit suffix
            ".x.y.z.0123456789abcdef.tmp"); // a name with dots
    List<String> notOurs =
        List.of(
            "model.safetensors.9c1e5b7a.tmp", // not hidden
            ".model.safetensors.9C1E.tmp", // upper-case hex
            ".model.safetensors.xyz.tmp", // not hex
            ".model.safetensors.0123456789abcdef0.tmp", // 17 digits
            ".model.safetensors.9c1e.tmp.bak",
            ".model.safetensors.9c1e.TMP",
            ".9c1e.tmp", // no NAME
            "notes.tmp");
    for (String n : stale) {
      age(Files.write(dir.resolve(n), new byte[1000]));
    }
    for (String n : notOurs) {
      age(Files.write(dir.resolve(n), new byte[] {1}));
    }
    Path fresh = Files.write(dir.resolve(".model.safetensors.abc123.tmp"), new byte[] {2});
    Path directory = age(Files.createDirectory(dir.resolve(".dir.abc.tmp")));
    Path linked = Files.write(dir.resolve("linked"), new byte[] {3});
    Path link = Files.createSymbolicLink(dir.resolve(".link.abc.tmp"), linked);

    AtomicFiles.write(dir.resolve("model.safetensors"), out -> out.write(7));

    for (String n : stale) {
      assertFalse(Files.exists(dir.resolve(n)), n + " was left");
    }
    for (String n : notOurs) {
      assertTrue(Files.exists(dir.resolve(n)), n + " was removed");
    }
    assertTrue(Files.exists(fresh), "a recent temporary file may belong to a live save elsewhere");
    assertTrue(Files.isDirectory(directory), "only regular files are removed");
    assertTrue(Files.isSymbolicLink(link) && Files.exists(linked), "a link is neither followed nor removed");
    assertArrayEquals(new byte[] {7}, Files.readAllBytes(dir.resolve("model.safetensors")));
  }

  @Test
  void testModelFilesSave_removesWhatAKilledSaveLeft() throws IOException {
    Path model = dir.resolve("mlp.safetensors");
    Path leftover = age(Files.write(dir.resolve(".mlp.safetensors.5d0c2e9a1b7f3346.tmp"), new byte[1 << 16]));
    Path mine = dir.resolve("mlp.safetensors.notes");
    Files.write(mine, new byte[] {1});
    Sequential net = new Sequential(new Linear(3, 2, true, new SplittableRandom(1)));
    ModelFiles.save(net, model);
    assertEquals(List.of("mlp.safetensors", "mlp.safetensors.notes"), names());
    assertFalse(Files.exists(leftover));
  }

  @Test
  void testWrite_sparesTheTemporaryFileOfASaveInProgress() throws Exception {
    Path target = dir.resolve("slow.bin");
    CountDownLatch writing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<?> slow =
          pool.submit(
              () -> {
                AtomicFiles.write(
                    target,
                    out -> {
                      out.write(1);
                      writing.countDown();
                      try {
                        assertTrue(release.await(60, TimeUnit.SECONDS));
                      } catch (InterruptedException e) {
                        throw new IOException(e);
                      }
                      out.write(2);
                    });
                return null;
              });
      assertTrue(writing.await(60, TimeUnit.SECONDS));
      List<String> during = names();
      assertEquals(1, during.size(), during.toString());
      Path tmp = dir.resolve(during.get(0));
      assertTrue(AtomicFiles.isTemporaryName(during.get(0)), during.get(0));
      age(tmp); // as if that save had stalled for two minutes

      AtomicFiles.write(dir.resolve("other.bin"), out -> out.write(3));
      assertTrue(Files.exists(tmp), "the temporary file of a save still running in this JVM is kept");

      release.countDown();
      slow.get(60, TimeUnit.SECONDS);
      assertArrayEquals(new byte[] {1, 2}, Files.readAllBytes(target));
      assertEquals(List.of("other.bin", "slow.bin"), names());
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
  }
}
