package dev.cadena.jupyter;

import java.util.List;

/** A line magic ({@code %classpath}, {@code %jars}, {@code %maven}) that could not be applied. */
public final class MagicException extends CellException {

  MagicException(String line, String message) {
    super(message, List.of("Magic failed: " + line.strip(), "  " + message.replace("\n", "\n  ")));
  }
}
