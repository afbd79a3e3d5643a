package dev.cadena.jupyter.runtime;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;

/**
 * Shows objects in the notebook in the middle of a cell, like IJava's functions of the same
 * names. Images ({@code java.awt.image.RenderedImage}) show as PNG; anything else as the text of
 * {@code String.valueOf}.
 *
 * <pre>{@code
 * BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
 * display(img);                                        // shown now, the cell goes on
 * display("<b>bold</b>", "text/html");                 // shown as the requested MIME type
 * String id = display("step 1"); updateDisplay(id, "step 2");
 * }</pre>
 */
public final class Display {

  /** What the kernel provides; installed by the kernel when it starts. */
  public interface Backend {
    /** Renders {@code value} (as the given MIME types, if any), publishes it, returns its id. */
    String display(Object value, String... mimeTypes);

    /** Replaces the output published under {@code id} with {@code value}. */
    void updateDisplay(String id, Object value, String... mimeTypes);

    /** Renders {@code value} without publishing it. */
    DisplayData render(Object value, String... mimeTypes);
  }

  private static volatile Backend backend;

  private Display() {}

  /** Called by the kernel; notebook code has no reason to call it. */
  public static void install(Backend kernelBackend) {
    backend = kernelBackend;
  }

  /**
   * Shows {@code value} now, as its preferred MIME type.
   *
   * @return an id for {@link #updateDisplay(String, Object)}
   * @throws IllegalStateException when not running inside the kernel
   */
  public static String display(Object value) {
    return backend().display(value);
  }

  /** Shows {@code value} now, as each requested MIME type it supports, e.g. "text/html". */
  public static String display(Object value, String... mimeTypes) {
    return backend().display(value, mimeTypes);
  }

  /** Replaces what {@link #display(Object)} showed under {@code id}. */
  public static void updateDisplay(String id, Object value) {
    backend().updateDisplay(id, value);
  }

  /** Replaces what was shown under {@code id}, rendering as the requested MIME types. */
  public static void updateDisplay(String id, Object value, String... mimeTypes) {
    backend().updateDisplay(id, value, mimeTypes);
  }

  /**
   * Renders {@code value} without showing it; as a cell's last expression, the result is shown
   * as rendered.
   */
  public static DisplayData render(Object value) {
    return backend().render(value);
  }

  /** Renders {@code value} as the requested MIME types, without showing it. */
  public static DisplayData render(Object value, String... mimeTypes) {
    return backend().render(value, mimeTypes);
  }

  private static Backend backend() {
    Backend b = backend;
    if (b == null) {
      throw new IllegalStateException("display: no notebook kernel is running in this JVM");
    }
    return b;
  }
}
