package dev.cadena.tensor;

/** An operation does not support the dtype it was given, e.g. {@code exp: int64 is not supported}. */
public class DTypeException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with a complete message ({@code <op>: <rule>: <dtypes>}). */
  public DTypeException(String message) {
    super(message);
  }
}
