package dev.cadena.autograd;

/**
 * A misuse of the autograd engine: backward on a non-scalar without an upstream gradient, a second
 * backward through a freed graph, a saved tensor modified after the forward pass, an in-place
 * update outside no-grad mode. The message names the op and says what to do.
 */
public class AutogradException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with a complete message. */
  public AutogradException(String message) {
    super(message);
  }
}
