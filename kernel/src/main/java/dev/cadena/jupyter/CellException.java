package dev.cadena.jupyter;

import java.util.List;

/**
 * A cell that could not run to the end: it did not compile, it threw, or it was interrupted.
 *
 * <p>The kernel reports it as a Jupyter error, which makes {@code nbconvert --execute} fail.
 * Jupyter shows the exception's simple class name as the error name, its message as the value,
 * and {@link #traceback()} as the body; so the subclasses say which kind of failure it was, the
 * message names the user's exception class or the compiler's complaint, and the traceback has
 * the details (stack frames, or the offending code with the error marked).
 */
public abstract class CellException extends Exception {

  private final List<String> traceback;

  CellException(String message, List<String> traceback) {
    // No stack trace: the kernel's own frames say nothing about the notebook's code.
    super(message, null, false, false);
    this.traceback = List.copyOf(traceback);
  }

  /**
   * The whole report, traceback included. Jupyter sends this as the error's value, and
   * {@code nbconvert --execute} prints it when a notebook fails, so it must be self-contained.
   */
  @Override
  public String getLocalizedMessage() {
    return String.join("\n", traceback);
  }

  /** The lines Jupyter shows under the error, first line first. */
  public List<String> traceback() {
    return traceback;
  }

  /** A snippet that javac rejected; the traceback shows each error under its line of code. */
  public static final class CompilationException extends CellException {
    CompilationException(String message, List<String> traceback) {
      super(message, traceback);
    }
  }

  /** Code that threw; the message is {@code <exception class>: <its message>}. */
  public static final class EvaluationException extends CellException {
    EvaluationException(String message, List<String> traceback) {
      super(message, traceback);
    }
  }

  /** Input that ends in the middle of a statement or declaration, e.g. a missing {@code }}. */
  public static final class IncompleteCodeException extends CellException {
    IncompleteCodeException(String message, List<String> traceback) {
      super(message, traceback);
    }
  }

  /** A cell stopped by the user (Jupyter's interrupt) before it finished. */
  public static final class InterruptedCellException extends CellException {
    InterruptedCellException(String message, List<String> traceback) {
      super(message, traceback);
    }
  }
}
