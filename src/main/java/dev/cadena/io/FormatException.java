package dev.cadena.io;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A file or stream does not follow the format it claims to be in: bad magic number, truncated
 * data, trailing bytes, malformed header, inconsistent sizes.
 *
 * <p>It is an {@link IllegalArgumentException} because a corrupt file is bad input, like a wrong
 * shape. The message names the format, the rule that was broken, the values involved and the
 * file, for example {@code idx: truncated data in images.idx: expected 7840000 bytes for
 * UNSIGNED_BYTE [10000, 28, 28], got 1234}.
 */
public class FormatException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final transient Path path;

  /** A format error in data that did not come from a file, or whose file is unknown. */
  public FormatException(String message) {
    this(message, null, null);
  }

  /**
   * A format error in {@code path}; the message should already name the file.
   *
   * @param path the file, or {@code null} when unknown
   */
  public FormatException(String message, Path path) {
    this(message, path, null);
  }

  /**
   * A format error found through another exception, for example a {@code ZipException} from a
   * corrupt gzip stream.
   *
   * @param path the file, or {@code null} when unknown
   * @param cause the underlying error, or {@code null}
   */
  public FormatException(String message, Path path, Throwable cause) {
    super(message, cause);
    this.path = path;
  }

  /** The file whose content is malformed, when it is known. */
  public Optional<Path> path() {
    return Optional.ofNullable(path);
  }
}
