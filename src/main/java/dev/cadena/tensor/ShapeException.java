package dev.cadena.tensor;

/**
 * A tensor operation was called with shapes, axes or indices that do not fit. The message names
 * the op, the rule broken and the values involved, e.g.
 * {@code matmul: inner dimensions differ: [2, 3] @ [4, 5] (3 != 4)}.
 */
public class ShapeException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with a complete message ({@code <op>: <rule>: <values>}). */
  public ShapeException(String message) {
    super(message);
  }
}
