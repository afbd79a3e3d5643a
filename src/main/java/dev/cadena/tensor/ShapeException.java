package dev.cadena.tensor;

import java.util.function.UnaryOperator;

/**
 * A tensor operation was called with shapes, axes or indices that do not fit. The message names
 * the op, the rule broken and the values involved, e.g.
 * {@code matmul: inner dimensions differ: [2, 3] @ [4, 5] (3 != 4)}. In anomaly mode
 * ({@code dev.cadena.autograd.Anomaly}) it also names the user's line that made the failing call
 * and each operand of the failing op with its shape, the op that made it (or "leaf") and where
 * the user created it: {@code ... (called at Train.java:42; a [2, 3] made by relu at
 * Train.java:40, b [4, 5] leaf created at Train.java:12)}.
 */
public class ShapeException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /**
   * What every message ends with, given the message, or null for nothing: installed by anomaly
   * mode, which returns the caller's site and the operands while it is on for the thread. The
   * tensor layer knows nothing of the graph, so the layer above installs it.
   */
  private static volatile UnaryOperator<String> context;

  /** Creates an exception with a complete message ({@code <op>: <rule>: <values>}). */
  public ShapeException(String message) {
    super(withContext(message));
  }

  private static String withContext(String message) {
    UnaryOperator<String> c = context;
    String extra = c == null ? null : c.apply(message);
    return extra == null ? message : message + " (" + extra + ")";
  }

  /**
   * Installs the function from a shape error's message to what it appends to it; only
   * {@code dev.cadena.autograd.Anomaly} installs one, once, when it is first used.
   *
   * @throws NullPointerException when {@code supplier} is null
   * @throws IllegalStateException for a supplier not nested in {@code Anomaly}, or a second one
   */
  public static void installContext(UnaryOperator<String> supplier) {
    if (supplier == null) {
      throw new NullPointerException("ShapeException.installContext: supplier is null");
    }
    if (!supplier.getClass().getNestHost().getName().equals("dev.cadena.autograd.Anomaly")) {
      throw new IllegalStateException(
          "ShapeException.installContext: only dev.cadena.autograd.Anomaly installs a context, not "
              + supplier.getClass().getName());
    }
    synchronized (ShapeException.class) {
      if (context != null) {
        throw new IllegalStateException("ShapeException.installContext: already installed");
      }
      context = supplier;
    }
  }
}
