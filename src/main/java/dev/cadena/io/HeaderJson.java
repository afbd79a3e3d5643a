package dev.cadena.io;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict JSON parser (RFC 8259) for the safetensors header, written for the errors it reports
 * rather than for speed: it rejects a key that appears twice in any object, at any depth (a
 * general-purpose reader keeps the last value silently), and it says what is wrong in words, at
 * a byte offset of the header, e.g. {@code expected ',' or '}' after the value of "dtype",
 * found 'x'}.
 *
 * <p>Values come back as {@code LinkedHashMap<String, Object>} (in file order), {@code
 * List<Object>}, {@code String}, {@link JsonNumber} (its text, unparsed), {@code Boolean} and {@link
 * #NULL}. Nesting deeper than {@value #MAX_DEPTH} is refused, so a hostile header cannot
 * overflow the stack.
 */
final class HeaderJson {
  /** The deepest nesting accepted; serde_json, the reference's parser, stops at 128 too. */
  static final int MAX_DEPTH = 128;

  /** The JSON {@code null}, distinct from a missing key. */
  static final Object NULL =
      new Object() {
        @Override
        public String toString() {
          return "null";
        }
      };

  /** A JSON number as written, e.g. {@code 12}, {@code -0.5} or {@code 1e3}. */
  record JsonNumber(String text) {
    @Override
    public String toString() {
      return text;
    }
  }

  /** A syntax error or a duplicate key, at a byte offset of the header. */
  static final class SyntaxError extends Exception {
    private static final long serialVersionUID = 1L;

    /** Byte offset in the header's UTF-8 encoding. */
    final long offset;
    /** For a duplicate: the keys of the objects around it, outermost first; else null. */
    final transient List<String> path;
    /** For a duplicate: the key given twice; else null. */
    final String duplicate;

    SyntaxError(String reason, long offset, List<String> path, String duplicate) {
      super(reason);
      this.offset = offset;
      this.path = path;
      this.duplicate = duplicate;
    }
  }

  private final String text;
  private int pos;
  private final List<String> keys = new ArrayList<>(); // the object keys around pos

  private HeaderJson(String text) {
    this.text = text;
  }

  /**
   * Parses one JSON value that makes up all of {@code text}, with only whitespace around it.
   *
   * @throws SyntaxError if it is not valid JSON or an object has a key twice
   */
  static Object parse(String text) throws SyntaxError {
    HeaderJson p = new HeaderJson(text);
    p.skipWhitespace();
    Object value = p.value(0);
    p.skipWhitespace();
    if (p.pos < text.length()) {
      throw p.error("unexpected " + p.found() + " after the end of the header's top-level object");
    }
    return value;
  }

  /** What a value is, in words, for messages: "an object", "a string", ... */
  static String describe(Object value) {
    if (value instanceof Map) {
      return "an object";
    } else if (value instanceof List) {
      return "an array";
    } else if (value instanceof String) {
      return "a string";
    } else if (value instanceof JsonNumber) {
      return "the number " + value;
    } else if (value instanceof Boolean) {
      return value.toString();
    }
    return "null";
  }

  private Object value(int depth) throws SyntaxError {
    if (pos >= text.length()) {
      throw error("expected a value, found " + found());
    }
    char c = text.charAt(pos);
    switch (c) {
      case '{':
        return object(depth + 1);
      case '[':
        return array(depth + 1);
      case '"':
        return string();
      case 't':
        return literal("true", Boolean.TRUE);
      case 'f':
        return literal("false", Boolean.FALSE);
      case 'n':
        return literal("null", NULL);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number();
        }
        throw error(
            "expected a value (an object, array, string, number, true, false or null), found "
                + found());
    }
  }

  private Map<String, Object> object(int depth) throws SyntaxError {
    checkDepth(depth);
    pos++; // '{'
    Map<String, Object> out = new LinkedHashMap<>();
    skipWhitespace();
    if (peek() == '}') {
      pos++;
      return out;
    }
    while (true) {
      if (peek() != '"') {
        throw error(
            (out.isEmpty() ? "expected a key in double quotes or '}'" : "expected a key in double quotes")
                + ", found " + found());
      }
      int keyStart = pos;
      String key = string();
      if (out.containsKey(key)) {
        pos = keyStart;
        throw new SyntaxError(
            "duplicate key \"" + key + "\"", byteOffset(keyStart), List.copyOf(keys), key);
      }
      skipWhitespace();
      if (peek() != ':') {
        throw error("expected ':' after the key \"" + key + "\", found " + found());
      }
      pos++;
      skipWhitespace();
      keys.add(key);
      Object value = value(depth);
      keys.remove(keys.size() - 1);
      out.put(key, value);
      skipWhitespace();
      char c = peek();
      if (c == '}') {
        pos++;
        return out;
      }
      if (c != ',') {
        throw error("expected ',' or '}' after the value of \"" + key + "\", found " + found());
      }
      pos++;
      skipWhitespace();
    }
  }

  private List<Object> array(int depth) throws SyntaxError {
    checkDepth(depth);
    pos++; // '['
    List<Object> out = new ArrayList<>();
    skipWhitespace();
    if (peek() == ']') {
      pos++;
      return out;
    }
    while (true) {
      out.add(value(depth));
      skipWhitespace();
      char c = peek();
      if (c == ']') {
        pos++;
        return out;
      }
      if (c != ',') {
        throw error(
            "expected ',' or ']' after element " + (out.size() - 1) + " of an array, found " + found());
      }
      pos++;
      skipWhitespace();
    }
  }

  private String string() throws SyntaxError {
    int start = pos;
    pos++; // '"'
    StringBuilder sb = new StringBuilder();
    while (true) {
      if (pos >= text.length()) {
        pos = start;
        throw error("string starting here is not closed before the end of the header");
      }
      char c = text.charAt(pos);
      if (c == '"') {
        pos++;
        return sb.toString();
      }
      if (c < 0x20) {
        throw error(String.format("control character 0x%02X inside a string (it must be escaped)", (int) c));
      }
      if (c != '\\') {
        sb.append(c);
        pos++;
        continue;
      }
      if (pos + 1 >= text.length()) {
        throw error("escape '\\' at the end of the header");
      }
      char e = text.charAt(pos + 1);
      switch (e) {
        case '"':
        case '\\':
        case '/':
          sb.append(e);
          break;
        case 'b':
          sb.append('\b');
          break;
        case 'f':
          sb.append('\f');
          break;
        case 'n':
          sb.append('\n');
          break;
        case 'r':
          sb.append('\r');
          break;
        case 't':
          sb.append('\t');
          break;
        case 'u':
          char u = hex4(pos + 2);
          if (Character.isHighSurrogate(u)) {
            if (!text.startsWith("\\u", pos + 6) || !Character.isLowSurrogate(hex4(pos + 8))) {
              throw error("escape \\u" + text.substring(pos + 2, pos + 6) + " is a high surrogate without a low one after it");
            }
            sb.append(u).append(hex4(pos + 8));
            pos += 6;
          } else if (Character.isLowSurrogate(u)) {
            throw error("escape \\u" + text.substring(pos + 2, pos + 6) + " is a low surrogate without a high one before it");
          } else {
            sb.append(u);
          }
          pos += 4;
          break;
        default:
          throw error("invalid escape '\\" + printable(e) + "' inside a string");
      }
      pos += 2;
    }
  }

  /** The char of the four hex digits at {@code at}. */
  private char hex4(int at) throws SyntaxError {
    if (at + 4 > text.length()) {
      pos = at - 2;
      throw error("escape \\u needs four hex digits, the header ends first");
    }
    int v = 0;
    for (int i = at; i < at + 4; i++) {
      int d = Character.digit(text.charAt(i), 16);
      if (d < 0) {
        pos = at - 2;
        throw error("escape \\u needs four hex digits, found \"" + text.substring(at, at + 4) + "\"");
      }
      v = v * 16 + d;
    }
    return (char) v;
  }

  private JsonNumber number() throws SyntaxError {
    int start = pos;
    if (peek() == '-') {
      pos++;
    }
    if (peek() == '0') {
      pos++;
      if (isDigit(peek())) {
        pos = start;
        throw error("number " + word() + " has a leading zero");
      }
    } else if (!digits()) {
      pos = start;
      throw error("expected a digit after '-', found " + word());
    }
    if (peek() == '.') {
      pos++;
      if (!digits()) {
        pos = start;
        throw error("number " + word() + " needs a digit after the '.'");
      }
    }
    if (peek() == 'e' || peek() == 'E') {
      pos++;
      if (peek() == '+' || peek() == '-') {
        pos++;
      }
      if (!digits()) {
        pos = start;
        throw error("number " + word() + " needs a digit in its exponent");
      }
    }
    return new JsonNumber(text.substring(start, pos));
  }

  private boolean digits() {
    int start = pos;
    while (isDigit(peek())) {
      pos++;
    }
    return pos > start;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private Object literal(String word, Object value) throws SyntaxError {
    if (!text.startsWith(word, pos)) {
      throw error(
          "expected a value (an object, array, string, number, true, false or null), found " + found());
    }
    pos += word.length();
    return value;
  }

  private void checkDepth(int depth) throws SyntaxError {
    if (depth > MAX_DEPTH) {
      throw error("objects and arrays nest deeper than " + MAX_DEPTH + " levels");
    }
  }

  private void skipWhitespace() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }

  /** The char at {@code pos}, or 0 at the end. */
  private char peek() {
    return pos < text.length() ? text.charAt(pos) : 0;
  }

  /** What is at {@code pos}, in words: {@code 'x'}, {@code 'NaN'}, {@code the end of the header}. */
  private String found() {
    if (pos >= text.length()) {
      return "the end of the header";
    }
    char c = text.charAt(pos);
    if (Character.isLetterOrDigit(c) || c == '-' || c == '+' || c == '.') {
      return "'" + word() + "'";
    }
    return "'" + printable(c) + "'";
  }

  /** The run of word characters at {@code pos}, at most 20, e.g. {@code NaN} or {@code 01}. */
  private String word() {
    int end = pos;
    while (end < text.length() && end - pos < 20) {
      char c = text.charAt(end);
      if (!(Character.isLetterOrDigit(c) || c == '-' || c == '+' || c == '.')) {
        break;
      }
      end++;
    }
    return end == pos ? printable(peek()) : text.substring(pos, end);
  }

  private static String printable(char c) {
    return c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format("\\u%04X", (int) c);
  }

  private long byteOffset(int charIndex) {
    return text.substring(0, charIndex).getBytes(StandardCharsets.UTF_8).length;
  }

  private SyntaxError error(String reason) {
    return new SyntaxError(reason, byteOffset(pos), null, null);
  }
}
