package dev.cadena.cli;

import static com.google.common.base.Preconditions.checkNotNull;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Turns a flag's text into a value. A parser rejects bad text with an {@link
 * IllegalArgumentException} whose message says what was expected, e.g. {@code "expected an
 * integer >= 1"}; {@link Flags} adds the flag and the text.
 *
 * @param <T> the value type
 */
@FunctionalInterface
public interface ValueParser<T> {
  /**
   * The value of {@code text}.
   *
   * @throws NullPointerException if {@code text} is null (as every parser made here does)
   * @throws IllegalArgumentException if {@code text} is not a valid value; the message starts
   *     with "expected"
   */
  T parse(String text);

  /** Integers in {@code min..max}, decimal. */
  static ValueParser<Integer> ints(int min, int max) {
    String expected = rangeText("an integer", min, max, Integer.MIN_VALUE, Integer.MAX_VALUE);
    return text -> {
      checkNotNull(text, "ints.parse: text is null");
      int v;
      try {
        v = Integer.parseInt(text.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(expected);
      }
      if (v < min || v > max) {
        throw new IllegalArgumentException(expected);
      }
      return v;
    };
  }

  /** Any 64-bit integer, decimal. */
  static ValueParser<Long> longs() {
    return text -> {
      checkNotNull(text, "longs.parse: text is null");
      try {
        return Long.parseLong(text.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("expected a 64-bit integer");
      }
    };
  }

  /** Finite numbers greater than {@code exclusiveMin}, e.g. {@code 0.01} or {@code 1e-3}. */
  static ValueParser<Double> doublesAbove(double exclusiveMin) {
    String expected = String.format(Locale.ROOT, "expected a finite number > %s", exclusiveMin);
    return text -> {
      checkNotNull(text, "doublesAbove.parse: text is null");
      double v;
      try {
        v = Double.parseDouble(text.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(expected);
      }
      if (!Double.isFinite(v) || v <= exclusiveMin) {
        throw new IllegalArgumentException(expected);
      }
      return v;
    };
  }

  /** One of {@code choices}, matched exactly. */
  static ValueParser<String> choice(List<String> choices) {
    checkNotNull(choices, "ValueParser.choice: choices is null");
    List<String> copy = List.copyOf(choices);
    return text -> {
      checkNotNull(text, "choice.parse: text is null");
      if (!copy.contains(text)) {
        throw new IllegalArgumentException("expected one of " + String.join(", ", copy));
      }
      return text;
    };
  }

  /** A comma-separated, non-empty list of integers {@code >= min}, e.g. {@code 256,128}. */
  static ValueParser<List<Integer>> intList(int min) {
    String expected = "expected comma-separated integers >= " + min + ", like 256,128";
    return text -> {
      checkNotNull(text, "intList.parse: text is null");
      List<Integer> out = new ArrayList<>();
      for (String part : text.split(",", -1)) {
        try {
          int v = Integer.parseInt(part.trim());
          if (v < min) {
            throw new IllegalArgumentException(expected);
          }
          out.add(v);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(expected);
        }
      }
      return Collections.unmodifiableList(out);
    };
  }

  /** A file system path; it need not exist. */
  static ValueParser<Path> paths() {
    return text -> {
      checkNotNull(text, "paths.parse: text is null");
      if (text.isEmpty()) {
        throw new IllegalArgumentException("expected a path");
      }
      try {
        return Path.of(text);
      } catch (InvalidPathException e) {
        throw new IllegalArgumentException("expected a path (" + e.getReason() + ")");
      }
    };
  }

  /** Any text. */
  static ValueParser<String> strings() {
    return text -> checkNotNull(text, "strings.parse: text is null");
  }

  private static String rangeText(String what, long min, long max, long lowest, long highest) {
    if (min == lowest && max == highest) {
      return "expected " + what;
    }
    if (max == highest) {
      return "expected " + what + " >= " + min;
    }
    if (min == lowest) {
      return "expected " + what + " <= " + max;
    }
    return "expected " + what + " in " + min + ".." + max;
  }
}
