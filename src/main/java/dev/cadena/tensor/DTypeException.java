package dev.cadena.tensor;

import static com.google.common.base.Preconditions.checkNotNull;

/** An operation does not support the dtype it was given, e.g. {@code exp: int64 is not supported}. */
public class DTypeException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with a complete message ({@code <op>: <rule>: <dtypes>}). */
  public DTypeException(String message) {
    super(message);
  }

  /**
   * The error of a floating-point op given an int64 tensor: {@code <op>: int64 tensors are not
   * supported; convert first with .to(DType.FLOAT64)}.
   *
   * @param op the op's name as the user called it, e.g. {@code "mul"}
   */
  public static DTypeException int64NotSupported(String op) {
    checkNotNull(op, "int64NotSupported: op is null");
    return new DTypeException(
        op + ": int64 tensors are not supported; convert first with .to(DType.FLOAT64)");
  }
}
