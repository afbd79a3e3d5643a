package dev.cadena.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
