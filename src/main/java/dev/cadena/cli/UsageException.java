package dev.cadena.cli;

/**
 * The command line is wrong: an unknown flag, a missing or malformed value, a value out of
 * range. The message names the program, the flag and the value, e.g. {@code cadena: --epochs:
 * expected an integer >= 1, got 'ten'}. Programs exit with {@link #EXIT_STATUS} after printing
 * it.
 */
public class UsageException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** The conventional exit status for a usage error. */
  public static final int EXIT_STATUS = 2;

  /** A usage error with a complete, user-facing message. */
  public UsageException(String message) {
    super(message);
  }
}
