package dev.cadena.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file so that readers see either the old content or the complete new one, never a
 * partial file: the bytes go to a temporary file in the target's directory, are forced to disk,
 * and the temporary file is renamed over the target with {@code ATOMIC_MOVE}. On any failure the
 * temporary file is deleted and the target is left untouched.
 */
final class AtomicFiles {
  /** Produces the content of the file. */
  interface Body {
    void writeTo(OutputStream out) throws IOException;
  }

  private AtomicFiles() {}

  static void write(Path target, Body body) throws IOException {
    try {
      writeViaTemporary(target, body);
    } catch (IOException e) {
      // NIO messages name the temporary file or nothing at all; say which file was being saved.
      throw new IOException("cannot write " + target + ": " + e, e);
    }
  }

  private static void writeViaTemporary(Path target, Body body) throws IOException {
    Path absolute = target.toAbsolutePath();
    Path dir = absolute.getParent();
    if (dir == null) {
      throw new IOException("cannot write " + target + ": it has no parent directory");
    }
    Path tmp = createTemp(dir, absolute.getFileName().toString());
    boolean moved = false;
    try {
      try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE);
          OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16)) {
        body.writeTo(out);
        out.flush();
        channel.force(true);
      }
      Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE);
      moved = true;
    } finally {
      if (!moved) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException suppressed) {
          // The original error matters more than a leftover temporary file.
        }
      }
    }
    syncDirectory(dir);
  }

  /**
   * Creates the temporary file with {@code Files.createFile} rather than {@code
   * Files.createTempFile}: the latter makes it owner-only (0600), and the rename would give the
   * saved file those permissions instead of the usual ones.
   */
  private static Path createTemp(Path dir, String name) throws IOException {
    for (int attempt = 0; ; attempt++) {
      String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong());
      Path tmp = dir.resolve("." + name + "." + suffix + ".tmp");
      try {
        return Files.createFile(tmp);
      } catch (FileAlreadyExistsException e) {
        if (attempt >= 10) {
          throw e;
        }
      }
    }
  }

  /** Makes the rename itself durable; not possible on every platform, so failures are ignored. */
  private static void syncDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException | RuntimeException e) {
      // Windows cannot open a directory as a channel; the data itself is already on disk.
    }
  }
}
