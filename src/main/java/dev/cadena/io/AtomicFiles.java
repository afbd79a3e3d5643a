package dev.cadena.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Writes a file so that readers see either the old content or the complete new one, never a
 * partial file: the bytes go to a temporary file in the target's directory, are forced to disk,
 * and the temporary file is renamed over the target with {@code ATOMIC_MOVE}. On any failure the
 * temporary file is deleted and the target is left untouched.
 *
 * <p>The temporary file of a save to {@code dir/NAME} is {@code dir/.NAME.<hex>.tmp}, where
 * {@code <hex>} is 1 to 16 lowercase hex digits. A process killed during a save cannot delete
 * it, so each save first removes the leftovers in its directory: every regular file whose name
 * matches exactly that pattern (for any {@code NAME}), that no save in this JVM is writing, and
 * that was last modified more than {@link #STALE_AFTER} ago. A live save in another process
 * writes its file continuously (each write updates the modification time) and renames it within
 * moments of its last write, so the age protects it; a save that stalls for longer than that
 * between two writes can lose its temporary file and then fails with an {@code IOException},
 * leaving its target untouched. Removal is best effort: a file that cannot be listed or deleted
 * is left, and never makes the save fail.
 */
final class AtomicFiles {
  /** How long a temporary file must have been left unmodified before a save removes it. */
  static final Duration STALE_AFTER = Duration.ofMinutes(1);

  /** Our temporary files' names: {@code .NAME.<hex>.tmp}, NAME not empty. */
  private static final Pattern TEMPORARY = Pattern.compile("\\..+\\.[0-9a-f]{1,16}\\.tmp");

  /** The temporary files saves in this JVM are writing now, as absolute paths. */
  private static final Set<Path> IN_PROGRESS = ConcurrentHashMap.newKeySet();

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
    removeStaleTemporaries(dir, Instant.now().minus(STALE_AFTER));
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
      IN_PROGRESS.remove(tmp);
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
      // Registered before it exists, so that a concurrent save never sees it unregistered.
      IN_PROGRESS.add(tmp);
      try {
        return Files.createFile(tmp);
      } catch (FileAlreadyExistsException e) {
        IN_PROGRESS.remove(tmp);
        if (attempt >= 10) {
          throw e;
        }
      }
    }
  }

  /** Whether {@code name} is one of ours: {@code .NAME.<hex>.tmp}. */
  static boolean isTemporaryName(String name) {
    return TEMPORARY.matcher(name).matches();
  }

  /**
   * Deletes the temporary files in {@code dir} that saves killed before they finished left
   * behind: names of our pattern, regular files (a link is never followed nor removed), not
   * being written by this JVM, and last modified before {@code cutoff}.
   */
  static void removeStaleTemporaries(Path dir, Instant cutoff) {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, ".*.tmp")) {
      for (Path p : entries) {
        if (!isTemporaryName(p.getFileName().toString()) || IN_PROGRESS.contains(p)) {
          continue;
        }
        try {
          BasicFileAttributes a =
              Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
          if (a.isRegularFile() && a.lastModifiedTime().toInstant().isBefore(cutoff)) {
            Files.deleteIfExists(p);
          }
        } catch (IOException e) {
          // Gone already, or not ours to delete: leave it.
        }
      }
    } catch (IOException | DirectoryIteratorException e) {
      // An unreadable directory: the save itself will report what matters.
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
