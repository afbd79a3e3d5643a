package dev.cadena.io;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The check every reader makes before it opens a file: the path must name a regular file
 * (symbolic links are followed). Opening a named pipe for reading blocks until some other
 * process writes to it, and a device or a directory has no length to check a header against, so
 * they are refused from their attributes alone, which never blocks.
 */
final class InputFiles {
  private InputFiles() {}

  /**
   * Returns normally if {@code path} is a regular file, or a link to one.
   *
   * @param format the reader, for the message, e.g. {@code "idx"}
   * @throws java.nio.file.NoSuchFileException if nothing is there (its message is the path)
   * @throws FileSystemException if it is a directory, a named pipe, a device or another special
   *     file; the message names the path and what it is
   * @throws IOException if the attributes cannot be read
   */
  static void requireRegularFile(String format, Path path) throws IOException {
    BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
    if (attributes.isRegularFile()) {
      return;
    }
    throw new FileSystemException(
        path.toString(),
        null,
        "not a regular file but " + kind(path, attributes) + "; " + format + " reads only regular files");
  }

  /** In words, what a path that is not a regular file is. */
  private static String kind(Path path, BasicFileAttributes attributes) {
    if (attributes.isDirectory()) {
      return "a directory";
    }
    try {
      // The "unix" view exists on Linux and macOS; its mode has the file type in bits 12-15.
      int mode = (Integer) Files.getAttribute(path, "unix:mode");
      switch (mode & 0170000) {
        case 0010000:
          return "a named pipe";
        case 0020000:
          return "a character device";
        case 0060000:
          return "a block device";
        case 0140000:
          return "a socket";
        default:
          break;
      }
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
      // No unix view (Windows): fall back to the generic word.
    }
    return "a special file";
  }
}
