package dev.cadena.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cadena.io.SafeTensors.ElementType;
import dev.cadena.io.SafeTensors.Entry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
  @TempDir Path dir;

  /** A file as the format describes it: length, header text padded by the caller, data. */
  private static byte[] file(String header, byte[] data) {
    return CorruptFiles.safetensorsUnpadded(header, data);
  }

  private static byte[] floatsLe(float... values) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }

  private static Map<String, Entry> one(String name, Entry e) {
    Map<String, Entry> m = new LinkedHashMap<>();
    m.put(name, e);
    return m;
  }

  // Expected bytes below are those the reference implementation produces for the same input
  // (its own serialization tests), written out as header text plus data.

  @Test
  void testToBytes_matchesReferenceSingleTensor() {
    Entry attn = Entry.ofFloats(new int[] {1, 2, 3}, new float[] {0, 1, 2, 3, 4, 5});
    byte[] expected =
        file(
            "{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}",
            floatsLe(0, 1, 2, 3, 4, 5));
    assertArrayEquals(expected, SafeTensors.toBytes(one("attn.0", attn), null));
  }

  @Test
  void testToBytes_matchesReferencePaddingWithSpaces() {
    Entry attn = Entry.ofFloats(new int[] {1, 1, 2, 3}, new float[] {0, 1, 2, 3, 4, 5});
    byte[] expected =
        file(
            "{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}       ",
            floatsLe(0, 1, 2, 3, 4, 5));
    assertArrayEquals(expected, SafeTensors.toBytes(one("attn0", attn), Map.of()));
  }

  @Test
  void testToBytes_matchesReferenceEmptyAndMetadata() {
    assertArrayEquals(file("{}      ", new byte[0]), SafeTensors.toBytes(Map.of(), null));
    assertArrayEquals(
        file("{\"__metadata__\":{\"framework\":\"pt\"}}     ", new byte[0]),
        SafeTensors.toBytes(Map.of(), Map.of("framework", "pt")));
  }

  @Test
  void testToBytes_layoutByAlignmentThenName() {
    Map<String, Entry> m = new LinkedHashMap<>();
    m.put("c", Entry.ofBytes(ElementType.U8, new int[] {3}, new byte[] {1, 2, 3}));
    m.put("b", Entry.ofFloats(new int[] {1}, new float[] {1}));
    m.put("a", Entry.ofFloats(new int[] {1}, new float[] {2}));
    m.put("z", Entry.ofDoubles(new int[] {1}, new double[] {3}));
    m.put("i", Entry.ofLongs(new int[] {}, new long[] {4}));
    byte[] bytes = SafeTensors.toBytes(m, null);
    String header = new String(bytes, 8, (int) ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(), StandardCharsets.UTF_8);
    assertEquals(
        "{\"i\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]},"
            + "\"z\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[8,16]},"
            + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[16,20]},"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[20,24]},"
            + "\"c\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[24,27]}}",
        header.stripTrailing());
    assertEquals(0, header.length() % 8);
    SafeTensors.Contents back = SafeTensors.fromBytes(bytes, "mem");
    assertEquals(List.of("i", "z", "a", "b", "c"), List.copyOf(back.tensors().keySet()));
    for (String name : m.keySet()) {
      assertEquals(m.get(name), back.get(name), name);
    }
  }

  @Test
  void testWriteRead_roundTripAllKinds() throws IOException {
    Map<String, Entry> m = new LinkedHashMap<>();
    m.put("w64", Entry.ofDoubles(new int[] {2, 3}, new double[] {1, -2, 3.5, Double.MIN_VALUE, Double.MAX_VALUE, -0.0}));
    m.put("w32", Entry.ofFloats(new int[] {3}, new float[] {Float.NaN, Float.NEGATIVE_INFINITY, 1e-40f}));
    m.put("step", Entry.ofLongs(new int[] {}, new long[] {Long.MIN_VALUE}));
    m.put("idx", Entry.ofInts(new int[] {2}, new int[] {-1, Integer.MAX_VALUE}));
    m.put("empty", Entry.ofFloats(new int[] {2, 0, 3}, new float[0]));
    m.put("empty64", Entry.ofDoubles(new int[] {0}, new double[0]));
    m.put("héllo ✓ \"quoted\"\n", Entry.ofBytes(ElementType.BOOL, new int[] {2}, new byte[] {0, 1}));
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", "cadena");
    meta.put("epoch", "3");
    Path p = dir.resolve("model.safetensors");
    SafeTensors.write(p, m, meta);
    SafeTensors.Contents back = SafeTensors.read(p);
    assertEquals(m.keySet(), back.tensors().keySet());
    for (String name : m.keySet()) {
      assertEquals(m.get(name), back.get(name), name);
    }
    assertEquals(Map.of("epoch", "3", "format", "cadena"), back.metadata());
    assertEquals(List.of("epoch", "format"), List.copyOf(back.metadata().keySet()));
    assertArrayEquals(new double[] {1, -2, 3.5, Double.MIN_VALUE, Double.MAX_VALUE, -0.0}, back.get("w64").toDoubleArray());
    assertArrayEquals(new long[] {Long.MIN_VALUE}, back.get("step").toLongArray());
    assertArrayEquals(new int[] {}, back.get("step").shape());
    assertEquals(1, back.get("step").size());
    assertEquals(0, back.get("empty").size());
    assertArrayEquals(new int[] {2, 0, 3}, back.get("empty").shape());
    assertArrayEquals(SafeTensors.toBytes(m, meta), Files.readAllBytes(p));
  }

  @Property(tries = 60, seed = "20240611")
  void testToBytes_randomRoundTrip(
      @ForAll @IntRange(min = 0, max = 5) int count, @ForAll long seed) {
    Random rnd = new Random(seed);
    Map<String, Entry> m = new LinkedHashMap<>();
    for (int t = 0; t < count; t++) {
      ElementType dtype = ElementType.values()[rnd.nextInt(ElementType.values().length)];
      int[] shape = new int[rnd.nextInt(4)];
      int n = 1;
      for (int i = 0; i < shape.length; i++) {
        shape[i] = rnd.nextInt(4);
        n *= shape[i];
      }
      byte[] data = new byte[n * dtype.size()];
      rnd.nextBytes(data);
      m.put("t" + rnd.nextInt(1000), Entry.ofBytes(dtype, shape, data));
    }
    byte[] bytes = SafeTensors.toBytes(m, Map.of("seed", Long.toString(seed)));
    SafeTensors.Contents back = SafeTensors.fromBytes(bytes, "random");
    assertEquals(m.size(), back.tensors().size());
    long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertEquals(0, headerLength % 8);
    for (Map.Entry<String, Entry> e : m.entrySet()) {
      assertEquals(e.getValue(), back.get(e.getKey()));
    }
    // Every tensor starts at a multiple of its element size.
    long offset = 8 + headerLength;
    for (Entry e : back.tensors().values()) {
      assertEquals(0, offset % e.elementType().size(), e.toString());
      offset += e.byteSize();
    }
  }

  private static byte[] sample() {
    Map<String, Entry> m = new LinkedHashMap<>();
    m.put("a", Entry.ofFloats(new int[] {2}, new float[] {1, 2}));
    m.put("b", Entry.ofLongs(new int[] {1}, new long[] {7}));
    return SafeTensors.toBytes(m, Map.of("k", "v"));
  }

  @Test
  void testFromBytes_everyPrefixIsFormatException() {
    byte[] full = sample();
    for (int len = 0; len < full.length; len++) {
      byte[] prefix = Arrays.copyOf(full, len);
      FormatException e =
          assertThrows(FormatException.class, () -> SafeTensors.fromBytes(prefix, "cut.safetensors"), "prefix " + len);
      assertTrue(e.getMessage().startsWith("safetensors: "), e.getMessage());
      assertTrue(e.getMessage().contains("cut.safetensors"), e.getMessage());
    }
  }

  @Test
  void testRead_everyPrefixOfFileIsFormatException() throws IOException {
    byte[] full = sample();
    Path p = dir.resolve("cut.safetensors");
    for (int len = 0; len < full.length; len++) {
      Files.write(p, Arrays.copyOf(full, len));
      FormatException e = assertThrows(FormatException.class, () -> SafeTensors.read(p), "prefix " + len);
      assertEquals(p, e.path().orElseThrow());
      assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
    }
  }

  @Test
  void testFromBytes_truncatedDataMessage() {
    byte[] full = sample();
    FormatException e =
        assertThrows(FormatException.class, () -> SafeTensors.fromBytes(Arrays.copyOf(full, full.length - 3), "m.st"));
    assertEquals(
        "safetensors: the tensors in m.st cover 16 data bytes but the file has 13 after the header"
            + " (file truncated?)",
        e.getMessage());
  }

  @Test
  void testFromBytes_trailingBytes() {
    byte[] full = sample();
    FormatException e =
        assertThrows(FormatException.class, () -> SafeTensors.fromBytes(Arrays.copyOf(full, full.length + 1), "m.st"));
    assertTrue(e.getMessage().contains("cover 16 data bytes but the file has 17"), e.getMessage());
  }

  @Test
  void testFromBytes_corruptedHeaderBytesNeverLeakOtherExceptions() {
    byte[] full = sample();
    int headerEnd = 8 + (int) ByteBuffer.wrap(full).order(ByteOrder.LITTLE_ENDIAN).getLong();
    byte[] replacements = {0, ' ', '"', '{', '}', '[', ']', ',', ':', '-', '0', '9', '.', 'e', 'x', '\\', (byte) 0x80, (byte) 0xFF};
    int rejected = 0;
    for (int i = 0; i < headerEnd; i++) {
      for (byte r : replacements) {
        byte[] bad = full.clone();
        bad[i] = r;
        try {
          SafeTensors.fromBytes(bad, "bad");
        } catch (FormatException expected) {
          rejected++;
        } catch (RuntimeException other) {
          fail("byte " + i + " set to " + r + ": " + other, other);
        }
      }
    }
    assertTrue(rejected > headerEnd * replacements.length / 2, "rejected " + rejected);
  }

  private static void assertRejected(String header, byte[] data, String... fragments) {
    String padded = header + " ".repeat((8 - header.length() % 8) % 8);
    FormatException e = assertThrows(FormatException.class, () -> SafeTensors.fromBytes(file(padded, data), "x.st"));
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), "'" + f + "' not in: " + e.getMessage());
    }
    assertTrue(e.getMessage().startsWith("safetensors: ") && e.getMessage().contains("x.st"), e.getMessage());
  }

  @Test
  void testFromBytes_badHeaders() {
    byte[] eight = new byte[8];
    assertRejected("{\"w\":{\"dtype\":\"F33\",\"shape\":[2],\"data_offsets\":[0,8]}}", eight, "tensor 'w'", "unknown dtype \"F33\"");
    assertRejected("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", eight, "tensor 'w'", "shape [3] of F32 needs 12 bytes", "span 8");
    assertRejected("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", eight, "tensor 'w'", "[8, 0] end before they begin");
    assertRejected(
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[2,6]}}",
        eight, "tensor 'b'", "[2, 6] overlap tensor 'a' [0, 4]");
    assertRejected(
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[6,8]}}",
        eight, "bytes [4, 6)", "belong to no tensor", "'b' [6, 8]");
    assertRejected("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,8]}}", eight, "duplicate name 'w'");
    assertRejected("{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", eight, "tensor 'w'", "negative value -2");
    assertRejected("{\"w\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", eight, "tensor 'w'", "2.5");
    assertRejected("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,9]}}", eight, "[begin, end]");
    assertRejected("{\"w\":{\"dtype\":\"F32\",\"shape\":[2]}}", eight, "lacks data_offsets");
    assertRejected("{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,0],\"data_offsets\":[0,0]}}", new byte[0], "dimension 0", "exceeds");
    assertRejected("{\"w\":{\"dtype\":\"F64\",\"shape\":[65536,65536],\"data_offsets\":[0,8]}}", eight, "exceeds", "Java array");
    assertRejected("{\"w\":[1,2]}", eight, "tensor 'w'", "must be an object");
    assertRejected("{\"__metadata__\":{\"k\":1}}", new byte[0], "__metadata__ entry 'k'", "must be a string");
    assertRejected("{\"__metadata__\":[]}", new byte[0], "__metadata__", "must be an object");
    assertRejected(
        "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}", eight,
        "not valid JSON at byte 56", "expected ',' or '}' after the value of \"w\", found the end of the header");
    assertRejected("{\"a\":1} {}", new byte[0], "not valid JSON at byte 8", "unexpected '{' after the end");
    assertRejected("{\"a\":1}", new byte[0], "tensor 'a'", "must be an object", "found the number 1");
    assertRejected("{} x", new byte[0]);
    assertRejected("[]", new byte[0], "must start with '{'", "0x5B");
    assertRejected(" {}", new byte[0], "must start with '{'", "0x20");
  }

  @Test
  void testFromBytes_headerOrderMayDifferFromDataOrder() {
    // Other writers (older versions of the reference among them) list tensors in any order and
    // may pretty-print the JSON; what counts is the offsets.
    String header =
        "{ \"b\": {\"shape\": [1], \"dtype\": \"F32\", \"data_offsets\": [4, 8], \"extra\": {\"x\": [1]}},\n"
            + "  \"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]} }";
    header += " ".repeat((8 - header.length() % 8) % 8);
    SafeTensors.Contents c = SafeTensors.fromBytes(file(header, floatsLe(1, 2)), "pretty.st");
    assertEquals(List.of("a", "b"), List.copyOf(c.tensors().keySet()));
    assertArrayEquals(new float[] {2}, c.get("b").toFloatArray());
    assertEquals(Map.of(), c.metadata());
  }

  @Test
  void testFromBytes_badLengthFieldAndEncoding() {
    FormatException e = assertThrows(FormatException.class, () -> SafeTensors.fromBytes(new byte[5], "x.st"));
    assertEquals("safetensors: x.st is 5 bytes, too short for the 8-byte header length", e.getMessage());
    byte[] huge = file("{}      ", new byte[0]);
    Arrays.fill(huge, 0, 8, (byte) 0xFF);
    e = assertThrows(FormatException.class, () -> SafeTensors.fromBytes(huge, "x.st"));
    assertTrue(e.getMessage().contains("header length 18446744073709551615 in x.st exceeds the 8 bytes"), e.getMessage());
    byte[] empty = file("", new byte[0]);
    e = assertThrows(FormatException.class, () -> SafeTensors.fromBytes(empty, "x.st"));
    assertTrue(e.getMessage().contains("empty header"), e.getMessage());
    byte[] latin1 = file("{\"\u00e9\":1}", new byte[0]);
    latin1[8 + 2] = (byte) 0xE9; // a lone Latin-1 byte is not UTF-8
    e = assertThrows(FormatException.class, () -> SafeTensors.fromBytes(latin1, "x.st"));
    assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());
  }

  @Test
  void testWrite_invalidInputLeavesExistingFileAlone() throws IOException {
    Path p = dir.resolve("keep.safetensors");
    SafeTensors.write(p, one("a", Entry.ofInts(new int[] {1}, new int[] {5})), null);
    byte[] before = Files.readAllBytes(p);
    Map<String, String> badMeta = new LinkedHashMap<>();
    badMeta.put("k", null);
    NullPointerException n =
        assertThrows(NullPointerException.class, () -> SafeTensors.write(p, one("b", Entry.ofInts(new int[] {0}, new int[0])), badMeta));
    assertEquals("SafeTensors.write: metadata['k'] is null", n.getMessage());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(p, one("__metadata__", Entry.ofInts(new int[] {0}, new int[0])), null));
    assertTrue(e.getMessage().contains("reserved"), e.getMessage());
    assertArrayEquals(before, Files.readAllBytes(p));
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count());
    }
  }

  @Test
  void testWriteRead_missingDirectoryAndFileNamed() {
    Path p = dir.resolve("no/such/dir/m.safetensors");
    IOException e = assertThrows(IOException.class, () -> SafeTensors.write(p, Map.of(), null));
    assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
    Path missing = dir.resolve("missing.safetensors");
    NoSuchFileException n = assertThrows(NoSuchFileException.class, () -> SafeTensors.read(missing));
    assertTrue(n.getMessage().contains("missing.safetensors"), n.getMessage());
  }

  @Test
  void testEntry_conversions() {
    byte[] halves = {0x00, 0x3C, 0x00, (byte) 0xC0, (byte) 0xFF, 0x7B, 0x01, 0x00, 0x00, 0x7C};
    Entry f16 = Entry.ofBytes(ElementType.F16, new int[] {5}, halves);
    assertArrayEquals(new float[] {1f, -2f, 65504f, 0x1p-24f, Float.POSITIVE_INFINITY}, f16.toFloatArray());
    Entry bf16 = Entry.ofBytes(ElementType.BF16, new int[] {2}, new byte[] {(byte) 0x80, 0x3F, 0x40, (byte) 0xC0});
    assertArrayEquals(new double[] {1.0, -3.0}, bf16.toDoubleArray());
    byte[] ones = new byte[8];
    Arrays.fill(ones, (byte) 0xFF);
    Entry u64 = Entry.ofBytes(ElementType.U64, new int[] {1}, ones);
    assertArrayEquals(new double[] {18446744073709551615.0}, u64.toDoubleArray());
    assertArrayEquals(new long[] {-1L}, u64.toLongArray());
    Entry u32 = Entry.ofBytes(ElementType.U32, new int[] {1}, Arrays.copyOf(ones, 4));
    assertArrayEquals(new long[] {4294967295L}, u32.toLongArray());
    Entry u8 = Entry.ofBytes(ElementType.U8, new int[] {2}, new byte[] {(byte) 200, 1});
    assertArrayEquals(new int[] {200, 1}, u8.toIntArray());
    Entry i16 = Entry.ofBytes(ElementType.I16, new int[] {1}, new byte[] {0x00, (byte) 0x80});
    assertArrayEquals(new int[] {-32768}, i16.toIntArray());

    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Entry.ofFloats(new int[] {1}, new float[] {1}).toIntArray());
    assertTrue(e.getMessage().contains("F32") && e.getMessage().contains("toDoubleArray"), e.getMessage());
    e = assertThrows(IllegalStateException.class, u64::toIntArray);
    assertTrue(e.getMessage().contains("toLongArray"), e.getMessage());
    e = assertThrows(IllegalStateException.class, () -> Entry.ofBytes(ElementType.F8_E4M3, new int[] {1}, new byte[1]).toDoubleArray());
    assertTrue(e.getMessage().contains("F8_E4M3"), e.getMessage());
  }

  @Test
  void testEntry_factoriesRejectBadShapes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Entry.ofFloats(new int[] {2, 3}, new float[5]));
    assertEquals("Entry.ofFloats: 5 values do not fill shape [2, 3] (6 elements)", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Entry.ofDoubles(new int[] {-1}, new double[0]));
    assertTrue(e.getMessage().contains("[-1]") && e.getMessage().contains("negative"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Entry.ofBytes(ElementType.I32, new int[] {2}, new byte[7]));
    assertEquals("Entry.ofBytes: 7 bytes do not fit I32 [2] (expected 8 bytes)", e.getMessage());
    assertEquals("Entry(F32, [2, 3])", Entry.ofFloats(new int[] {2, 3}, new float[6]).toString());
  }

  @Test
  void testContentsGet_missingNameListsNames() {
    SafeTensors.Contents c = SafeTensors.fromBytes(sample(), "m.st");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.get("nope"));
    assertEquals("safetensors: no tensor 'nope' in m.st (it has [b, a])", e.getMessage());
  }
}
