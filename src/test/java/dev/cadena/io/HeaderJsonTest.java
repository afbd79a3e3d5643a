package dev.cadena.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.Strictness;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HeaderJsonTest {
  private static HeaderJson.SyntaxError error(String json) {
    return assertThrows(HeaderJson.SyntaxError.class, () -> HeaderJson.parse(json), json);
  }

  @Test
  void testParse_valuesKeysInOrderAndEscapes() throws HeaderJson.SyntaxError {
    Object v =
        HeaderJson.parse(
            " {\"b\": [1, -0.5e+3, true, false, null, {}], \"a\"\t:\r\n\"x\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\","
                + " \"\": []} ");
    Map<?, ?> m = (Map<?, ?>) v;
    assertEquals(List.of("b", "a", ""), List.copyOf(m.keySet()));
    List<?> b = (List<?>) m.get("b");
    assertEquals(new HeaderJson.JsonNumber("1"), b.get(0));
    assertEquals("-0.5e+3", ((HeaderJson.JsonNumber) b.get(1)).text());
    assertEquals(Boolean.TRUE, b.get(2));
    assertEquals(Boolean.FALSE, b.get(3));
    assertSame(HeaderJson.NULL, b.get(4));
    assertEquals(Map.of(), b.get(5));
    assertEquals("x\"\\/\b\f\n\r\t\u00e9\ud83d\ude00", m.get("a"));
    assertEquals(List.of(), m.get(""));
  }

  @Test
  void testParse_errorsSayWhatAndWhereInBytes() {
    // 'é' is two bytes in UTF-8, so the '}' at char 7 is at byte 8.
    HeaderJson.SyntaxError e = error("{\"\u00e9\":1,}");
    assertEquals("expected a key in double quotes, found '}'", e.getMessage());
    assertEquals(8, e.offset);
    assertNull(e.duplicate);
    assertEquals("expected ':' after the key \"a\", found '1'", error("{\"a\" 1}").getMessage());
    assertEquals("expected ',' or '}' after the value of \"a\", found '\"'", error("{\"a\":1 \"b\":2}").getMessage());
    assertEquals("expected ',' or ']' after element 1 of an array, found '}'", error("[1,2}").getMessage());
    assertEquals(
        "expected a value (an object, array, string, number, true, false or null), found 'NaN'",
        error("{\"a\":NaN}").getMessage());
    assertEquals(5, error("{\"a\":NaN}").offset);
    assertEquals("expected a value, found the end of the header", error("{\"a\":").getMessage());
    assertEquals("number 012 has a leading zero", error("[012]").getMessage());
    assertEquals("number 1. needs a digit after the '.'", error("[1.]").getMessage());
    assertEquals("number 1e needs a digit in its exponent", error("[1e]").getMessage());
    assertEquals("expected a digit after '-', found -x", error("[-x]").getMessage());
    assertEquals("string starting here is not closed before the end of the header", error("{\"abc").getMessage());
    assertEquals(1, error("{\"abc").offset);
    assertEquals("control character 0x09 inside a string (it must be escaped)", error("[\"a\tb\"]").getMessage());
    assertEquals("invalid escape '\\q' inside a string", error("[\"\\q\"]").getMessage());
    assertEquals("escape \\u needs four hex digits, found \"12g4\"", error("[\"\\u12g4\"]").getMessage());
    assertEquals("escape \\udc00 is a low surrogate without a high one before it", error("[\"\\udc00\"]").getMessage());
    assertEquals("escape \\ud800 is a high surrogate without a low one after it", error("[\"\\ud800x\"]").getMessage());
    assertEquals("unexpected 'x' after the end of the header's top-level object", error("{} x").getMessage());
    assertEquals("expected a value (an object, array, string, number, true, false or null), found 'tru'", error("[tru]").getMessage());
  }

  @Test
  void testParse_duplicateKeysAnywhereAreRefusedWithTheirPath() {
    HeaderJson.SyntaxError top = error("{\"w\":1,\"w\":2}");
    assertEquals("w", top.duplicate);
    assertEquals(List.of(), top.path);
    assertEquals(7, top.offset);
    HeaderJson.SyntaxError inner = error("{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F64\"}}");
    assertEquals("dtype", inner.duplicate);
    assertEquals(List.of("w"), inner.path);
    HeaderJson.SyntaxError deep = error("{\"w\":{\"extra\":[{\"x\":1,\"x\":1}]}}");
    assertEquals(List.of("w", "extra"), deep.path);
    assertEquals("duplicate key \"x\"", deep.getMessage());
  }

  @Test
  void testParse_nestingIsBounded() throws HeaderJson.SyntaxError {
    int max = HeaderJson.MAX_DEPTH;
    HeaderJson.parse("[".repeat(max) + "]".repeat(max));
    assertEquals(
        "objects and arrays nest deeper than 128 levels",
        error("[".repeat(max + 1) + "]".repeat(max + 1)).getMessage());
    // Far deeper than the stack would allow for a recursive parser without the bound.
    assertEquals(max, error("[".repeat(1_000_000)).offset);
  }

  private static final TypeAdapter<JsonElement> GSON = new Gson().getAdapter(JsonElement.class);

  /** What Gson in strict mode says about {@code json}: null if it accepts it, else its error. */
  private static String gsonStrict(String json) {
    try {
      JsonReader r = new JsonReader(new StringReader(json));
      r.setStrictness(Strictness.STRICT);
      JsonElement unused = GSON.read(r);
      if (r.peek() != JsonToken.END_DOCUMENT) {
        return "trailing content";
      }
      return null;
    } catch (IOException | RuntimeException e) {
      return String.valueOf(e.getMessage());
    }
  }

  @Test
  void testParse_agreesWithGsonStrictOnMutatedHeaders() {
    // Mutations of a real header: the parser must fail only with SyntaxError, and accept and
    // refuse what a strict general-purpose parser does, apart from the duplicate keys and lone
    // surrogates that the general parser lets through.
    String base =
        "{\"__metadata__\":{\"format\":\"pt\"},\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],"
            + "\"data_offsets\":[0,24]},\"s\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[24,32]}}";
    char[] alphabet = "{}[],:\"\\ -+.0159eEtrufalsn\u00e9\t\n".toCharArray();
    Random rng = new Random(20240611L);
    int accepted = 0;
    int refused = 0;
    List<String> disagreements = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      StringBuilder sb = new StringBuilder(base);
      for (int k = 1 + rng.nextInt(3); k > 0; k--) {
        int at = rng.nextInt(sb.length());
        switch (rng.nextInt(3)) {
          case 0:
            sb.setCharAt(at, alphabet[rng.nextInt(alphabet.length)]);
            break;
          case 1:
            sb.insert(at, alphabet[rng.nextInt(alphabet.length)]);
            break;
          default:
            sb.deleteCharAt(at);
        }
      }
      String json = sb.toString();
      boolean ours;
      boolean duplicate = false;
      try {
        HeaderJson.parse(json);
        ours = true;
      } catch (HeaderJson.SyntaxError e) {
        ours = false;
        duplicate = e.duplicate != null;
      } catch (RuntimeException e) {
        fail("'" + json + "': " + e, e);
        return;
      }
      boolean gson = gsonStrict(json) == null;
      if (ours) {
        accepted++;
      } else {
        refused++;
      }
      if (ours != gson && !(duplicate && gson)) {
        disagreements.add(json + " ours=" + ours + " gson=" + gsonStrict(json));
      }
    }
    assertTrue(disagreements.isEmpty(), disagreements.size() + " disagreements, e.g. " + disagreements.subList(0, Math.min(5, disagreements.size())));
    assertTrue(accepted > 1000 && refused > 5000, "accepted " + accepted + ", refused " + refused);
  }
}
