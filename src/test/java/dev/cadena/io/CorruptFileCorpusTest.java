package dev.cadena.io;

import static dev.cadena.io.CorruptFiles.concat;
import static dev.cadena.io.CorruptFiles.gzip;
import static dev.cadena.io.CorruptFiles.idxHeader;
import static dev.cadena.io.CorruptFiles.safetensors;
import static dev.cadena.io.CorruptFiles.withHeaderLength;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cadena.Tensor;
import dev.cadena.nn.Module;
import dev.cadena.tensor.DType;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of broken file the readers must refuse, generated here, one listed case each: the
 * documented exception, a message that says what is wrong (the fragments), and, for model files,
 * a model that is bitwise unchanged after the failed load. Each read also runs under a time
 * limit, so a reader that blocks (a named pipe) or inflates a bomb fails instead of hanging.
 */
class CorruptFileCorpusTest {
  private static final Duration LIMIT = Duration.ofSeconds(20);

  @TempDir Path dir;

  /** The model every safetensors case is loaded into: float32 weight and bias, an int64 buffer. */
  static final class Net extends Module {
    Net(long seed) {
      SplittableRandom r = new SplittableRandom(seed);
      registerParameter("weight", Tensor.randn(r, DType.FLOAT32, 4, 3));
      registerParameter("bias", Tensor.randn(r, DType.FLOAT32, 3));
      registerBuffer("steps", Tensor.ofLongs(seed));
    }

    @Override
    public Tensor forward(Tensor x) {
      return x;
    }
  }

  /** The raw bits of every parameter and buffer, by name. */
  private static Map<String, long[]> bits(Module m) {
    Map<String, long[]> out = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : m.stateDict().entrySet()) {
      Tensor t = e.getValue();
      long[] b;
      switch (t.dtype()) {
        case FLOAT32:
          float[] f = t.toFloatArray();
          b = new long[f.length];
          for (int i = 0; i < f.length; i++) {
            b[i] = Float.floatToRawIntBits(f[i]);
          }
          break;
        case FLOAT64:
          b = Arrays.stream(t.toDoubleArray()).mapToLong(Double::doubleToRawLongBits).toArray();
          break;
        default:
          b = t.toLongArray();
      }
      out.put(e.getKey() + " " + Arrays.toString(t.shape()), b);
    }
    return out;
  }

  private static void assertBitwiseEqual(Map<String, long[]> want, Map<String, long[]> got) {
    assertEquals(want.keySet(), got.keySet());
    for (String k : want.keySet()) {
      assertArrayEquals(want.get(k), got.get(k), k + " changed by a failed load");
    }
  }

  /** One hostile file and what reading it must say. */
  record Case(byte[] bytes, List<String> fragments) {}

  private static Arguments of(String name, byte[] bytes, String... fragments) {
    return Arguments.of(Named.of(name, new Case(bytes, List.of(fragments))));
  }

  // ---------------------------------------------------------------------------------------------
  // IDX

  private static final byte[] TWO_BY_THREE_INTS =
      concat(idxHeader(0x00000C02, 2, 3), ByteBuffer.allocate(24).putInt(1).putInt(-2).array());

  static Stream<Arguments> idxCases() {
    byte[] ubyte8 = concat(idxHeader(0x00000802, 4, 2), new byte[8]);
    byte[] mib = new byte[1 << 20];
    new Random(11).nextBytes(mib);
    List<Arguments> plain =
        List.of(
            of("empty file", new byte[0], "truncated header", "4-byte magic number, got 0 bytes"),
            of("3 bytes", new byte[] {0, 0, 8}, "truncated header", "got 3 bytes"),
            of("non-zero first bytes of the magic", idxHeader(0x01000801, 1), "bad magic number 0x01000801"),
            of("unknown type code 0x07", idxHeader(0x00000701, 1), "bad magic number 0x00000701", "type code"),
            of("rank 0", idxHeader(0x00000800), "bad magic number 0x00000800", "rank RR >= 1"),
            of("truncated dimensions", concat(idxHeader(0x00000803, 28), new byte[5]), "truncated header", "rank 3 needs 12 bytes of dimensions, got 9"),
            of("negative dimension", idxHeader(0x00000802, 3, -1), "dimension 1 is negative", "[3, -1]"),
            of("dimensions overflow int", idxHeader(0x00000802, 65536, 65536), "UNSIGNED_BYTE [65536, 65536] is too large"),
            of("dimensions overflow long", idxHeader(0x00000E04, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, 2),
                "DOUBLE [2147483647, 2147483647, 2147483647, 2] is too large", "more than 2147483639 bytes"),
            of("truncated data", Arrays.copyOf(ubyte8, ubyte8.length - 3), "truncated data", "expected 8 bytes for UNSIGNED_BYTE [4, 2], got 5"),
            of("truncated int data", Arrays.copyOf(TWO_BY_THREE_INTS, 20), "expected 24 bytes for INT [2, 3], got 8"),
            of("header only", idxHeader(0x00000D01, 5), "expected 20 bytes for FLOAT [5], got 0"),
            of("trailing bytes", Arrays.copyOf(ubyte8, ubyte8.length + 3), "3 trailing bytes", "after the 8 data bytes of UNSIGNED_BYTE [4, 2]"),
            of("declares 2^30 bytes, holds 1 MiB", concat(idxHeader(0x00000803, 1024, 1024, 1024), mib),
                "truncated data", "expected 1073741824 bytes for UNSIGNED_BYTE [1024, 1024, 1024], got 1048576"));
    List<Arguments> all = new ArrayList<>(plain);
    for (Arguments a : plain) {
      @SuppressWarnings("unchecked")
      Named<Case> n = (Named<Case>) a.get()[0];
      Case c = n.getPayload();
      all.add(Arguments.of(Named.of("gzip of " + n.getName(), new Case(gzip(c.bytes()), c.fragments()))));
    }
    byte[] gz = gzip(ubyte8);
    byte[] badBlock = gz.clone();
    badBlock[10] |= 0x06; // the first deflate block's type bits 11: reserved, invalid
    all.add(of("gzip with an invalid deflate block type", badBlock, "corrupt or truncated gzip data", "invalid block type"));
    byte[] badCrc = gz.clone();
    badCrc[gz.length - 8] ^= 0x01; // the trailer's CRC-32 no longer matches the content
    all.add(of("gzip with a wrong CRC", badCrc, "corrupt or truncated gzip data", "Corrupt GZIP trailer"));
    all.add(of("gzip cut short", Arrays.copyOf(gz, gz.length - 9), "corrupt or truncated gzip data"));
    all.add(of("gzip bomb: 1 MB declaring and holding 2^30 bytes",
        CorruptFiles.gzipOfZeros(idxHeader(0x00000803, 1024, 1024, 1024), 1024),
        "expands more than 100-fold", "gzip bomb", "1073741824 data bytes", "UNSIGNED_BYTE [1024, 1024, 1024]"));
    return all.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("idxCases")
  void testIdxRead_corruptFileIsFormatException(Case c) throws IOException {
    Path p = dir.resolve("case.idx");
    Files.write(p, c.bytes());
    FormatException e = assertThrows(FormatException.class, timed(() -> Idx.read(p)));
    assertMessage(e, "idx: ", p.toString(), c.fragments());
    assertEquals(p, e.path().orElseThrow());
    // The stream reader, which cannot know the length up front, says the same.
    FormatException s =
        assertThrows(FormatException.class, timed(() -> Idx.read(new ByteArrayInputStream(c.bytes()), "stream.idx")));
    assertMessage(s, "idx: ", "stream.idx", c.fragments());
  }

  // ---------------------------------------------------------------------------------------------
  // safetensors

  private static final String STEPS = "\"steps\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}";
  private static final String BIAS = "\"bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[8,20]}";
  private static final String WEIGHT = "\"weight\":{\"dtype\":\"F32\",\"shape\":[4,3],\"data_offsets\":[20,68]}";
  private static final String META = "\"__metadata__\":{\"format\":\"pt\",\"model\":\"Net\",\"producer\":\"cadena\"}";
  private static final byte[] DATA = new byte[68];

  /** A header for Net with {@code weight} replaced, e.g. with its dtype given twice. */
  private static byte[] net(String weight) {
    return safetensors("{" + META + "," + STEPS + "," + BIAS + "," + weight + "}", DATA);
  }

  private static byte[] netWithMeta(String meta) {
    return safetensors("{" + meta + "," + STEPS + "," + BIAS + "," + WEIGHT + "}", DATA);
  }

  /** The bytes {@code ModelFiles.save} writes for a Net. */
  private static byte[] saved() {
    Map<String, SafeTensors.Entry> entries = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : new Net(3).stateDict().entrySet()) {
      entries.put(e.getKey(), ModelFiles.toEntry(e.getValue()));
    }
    return SafeTensors.toBytes(entries, Map.of("format", "pt", "model", "Net", "producer", "cadena"));
  }

  private static byte[] replaceFirst(byte[] file, String what, String with) {
    String s = new String(file, StandardCharsets.ISO_8859_1);
    int at = s.indexOf(what);
    assertTrue(at >= 0, what);
    byte[] out = file.clone();
    byte[] w = with.getBytes(StandardCharsets.ISO_8859_1);
    assertEquals(what.length(), w.length, "same length, so the offsets stay right");
    System.arraycopy(w, 0, out, at, w.length);
    return out;
  }

  static Stream<Arguments> safetensorsCases() {
    byte[] good = saved();
    long headerLength = ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getLong();
    String w = "\"weight\":{";
    String tail = "\"shape\":[4,3],\"data_offsets\":[20,68]}";
    List<Arguments> cases = new ArrayList<>();
    // The container: length field, header bounds, encoding.
    cases.add(of("empty file", new byte[0], "is 0 bytes, too short for the 8-byte header length"));
    cases.add(of("5 bytes", new byte[5], "is 5 bytes, too short"));
    cases.add(of("header length 2^64-1", withHeaderLength(-1, new byte[16]), "header length 18446744073709551615", "exceeds the 16 bytes after the length field"));
    cases.add(of("header length past the end of the file", withHeaderLength(1L << 40, new byte[64]), "header length 1099511627776", "exceeds the 64 bytes"));
    cases.add(of("header length 0", withHeaderLength(0, new byte[0]), "an empty header"));
    cases.add(of("header is an array", safetensors("[]", new byte[0]), "must start with '{'", "byte 0x5B"));
    byte[] latin1 = safetensors("{\"ab\":1}", new byte[0]);
    latin1[8 + 2] = (byte) 0xE9; // a lone Latin-1 byte is not UTF-8
    cases.add(of("header not UTF-8", latin1, "not valid UTF-8"));
    // Not JSON, said in words with the byte offset.
    int paddedEnd = (1 + STEPS.length() + 7) / 8 * 8; // the header ends in padding spaces
    cases.add(of("unterminated header object", safetensors("{" + STEPS, new byte[8]), "not valid JSON at byte " + paddedEnd + ":",
        "expected ',' or '}' after the value of \"steps\", found the end of the header"));
    cases.add(of("NaN in a shape", net(w + "\"dtype\":\"F32\",\"shape\":[NaN,3],\"data_offsets\":[20,68]}"), "not valid JSON at byte", "found 'NaN'"));
    cases.add(of("Infinity in data_offsets", net(w + "\"dtype\":\"F32\",\"shape\":[4,3],\"data_offsets\":[20,Infinity]}"), "not valid JSON", "found 'Infinity'"));
    cases.add(of("trailing comma", net(w + "\"dtype\":\"F32\"," + tail.replace("]}", "],}")), "not valid JSON", "expected a key in double quotes, found '}'"));
    cases.add(of("single-quoted key", net("'weight':{\"dtype\":\"F32\"," + tail), "not valid JSON", "expected a key in double quotes, found '''"));
    cases.add(of("missing colon", net("\"weight\" {\"dtype\":\"F32\"," + tail), "expected ':' after the key \"weight\", found '{'"));
    cases.add(of("leading zero", net(w + "\"dtype\":\"F32\",\"shape\":[04,3],\"data_offsets\":[20,68]}"), "number 04 has a leading zero"));
    cases.add(of("control character in a string", net(w + "\"dtype\":\"F\n32\"," + tail), "control character 0x0A inside a string"));
    cases.add(of("invalid escape", net(w + "\"dtype\":\"F\\x32\"," + tail), "invalid escape '\\x'"));
    cases.add(of("lone surrogate escape", net(w + "\"dtype\":\"\\ud800\"," + tail), "\\ud800 is a high surrogate without a low one"));
    cases.add(of("content after the header object", safetensors("{" + STEPS + "} {}", new byte[8]), "unexpected '{' after the end of the header's top-level object"));
    cases.add(of("nesting 200 deep", net(w + "\"dtype\":\"F32\",\"x\":" + "[".repeat(200) + "]".repeat(200) + "," + tail), "nest deeper than 128 levels"));
    // Keys given twice anywhere.
    cases.add(of("tensor name twice", safetensors("{" + STEPS + "," + STEPS.replace("[0,8]", "[8,16]") + "}", new byte[16]), "duplicate name 'steps'"));
    cases.add(of("__metadata__ twice", netWithMeta(META + "," + META), "duplicate name '__metadata__'"));
    cases.add(of("dtype twice", net(w + "\"dtype\":\"F64\",\"dtype\":\"F32\"," + tail), "tensor 'weight'", "duplicate key \"dtype\""));
    cases.add(of("shape twice", net(w + "\"dtype\":\"F32\",\"shape\":[12]," + tail), "tensor 'weight'", "duplicate key \"shape\""));
    cases.add(of("data_offsets twice", net(w + "\"dtype\":\"F32\",\"data_offsets\":[0,48]," + tail), "tensor 'weight'", "duplicate key \"data_offsets\""));
    cases.add(of("metadata key twice", netWithMeta("\"__metadata__\":{\"format\":\"pt\",\"format\":\"np\"}"), "duplicate __metadata__ key 'format'"));
    cases.add(of("key twice inside an unknown field", net(w + "\"extra\":{\"x\":1,\"x\":2},\"dtype\":\"F32\"," + tail), "duplicate key \"x\" inside weight.extra"));
    // Damaged names and missing fields.
    cases.add(of("__metadata__ damaged to __}etadata__", replaceFirst(good, "__metadata__", "__}etadata__"),
        "tensor '__}etadata__'", "lacks dtype, shape and data_offsets", "the unknown keys \"format\", \"model\", \"producer\"", "damaged \"__metadata__\""));
    cases.add(of("__metadata__ damaged to __#etadata__", replaceFirst(good, "__metadata__", "__#etadata__"), "tensor '__#etadata__'", "lacks dtype"));
    cases.add(of("entry lacks data_offsets", net("\"weight\":{\"dtype\":\"F32\",\"shape\":[4,3]}"), "tensor 'weight'", "lacks data_offsets"));
    cases.add(of("entry is an empty object", net("\"weight\":{}"), "lacks dtype, shape and data_offsets", "an empty object"));
    cases.add(of("entry is an array", net("\"weight\":[20,68]"), "tensor 'weight'", "must be an object", "found an array"));
    cases.add(of("metadata is an array", netWithMeta("\"__metadata__\":[]"), "__metadata__", "must be an object of strings, found an array"));
    cases.add(of("metadata value is a number", netWithMeta("\"__metadata__\":{\"format\":1}"), "__metadata__ entry 'format'", "must be a string, found the number 1"));
    // Bad values.
    cases.add(of("unknown dtype", net(w + "\"dtype\":\"F33\"," + tail), "tensor 'weight'", "unknown dtype \"F33\""));
    cases.add(of("dtype is a number", net(w + "\"dtype\":32," + tail), "dtype must be a string, found the number 32"));
    cases.add(of("negative dimension", net(w + "\"dtype\":\"F32\",\"shape\":[-4,3],\"data_offsets\":[20,68]}"), "shape holds negative value -4"));
    cases.add(of("fractional dimension", net(w + "\"dtype\":\"F32\",\"shape\":[4.5,3],\"data_offsets\":[20,68]}"), "shape holds 4.5, not an integer"));
    cases.add(of("dimension in exponent form", net(w + "\"dtype\":\"F32\",\"shape\":[4e0,3],\"data_offsets\":[20,68]}"), "shape holds 4e0"));
    cases.add(of("dimension is a string", net(w + "\"dtype\":\"F32\",\"shape\":[\"4\",3],\"data_offsets\":[20,68]}"), "shape must hold integers, found a string"));
    cases.add(of("dimension above 2^31", net(w + "\"dtype\":\"F32\",\"shape\":[4294967296,0],\"data_offsets\":[20,20]}"), "dimension 0 of shape [4294967296, 0] exceeds"));
    cases.add(of("dimension above 2^63", net(w + "\"dtype\":\"F32\",\"shape\":[9223372036854775808],\"data_offsets\":[20,68]}"), "not an integer in 0..9223372036854775807"));
    cases.add(of("shape larger than an array", net(w + "\"dtype\":\"F64\",\"shape\":[65536,65536],\"data_offsets\":[20,68]}"), "exceeds 2147483639 bytes, the most a Java array holds"));
    // Offsets.
    cases.add(of("data_offsets of three numbers", net(w + "\"dtype\":\"F32\",\"shape\":[4,3],\"data_offsets\":[20,68,70]}"), "data_offsets must be [begin, end], got [20, 68, 70]"));
    cases.add(of("data_offsets end before they begin", net(w + "\"dtype\":\"F32\",\"shape\":[4,3],\"data_offsets\":[68,20]}"), "data_offsets [68, 20] end before they begin"));
    cases.add(of("shape and offsets disagree", net(w + "\"dtype\":\"F32\",\"shape\":[4,4],\"data_offsets\":[20,68]}"), "shape [4, 4] of F32 needs 64 bytes but data_offsets [20, 68] span 48"));
    cases.add(of("overlapping offsets", net(w + "\"dtype\":\"F32\",\"shape\":[4,3],\"data_offsets\":[16,64]}"), "tensor 'weight'", "[16, 64] overlap tensor 'bias' [8, 20]"));
    cases.add(of("gap between tensors", safetensors("{" + META + "," + STEPS + "," + BIAS + ",\"weight\":{\"dtype\":\"F32\",\"shape\":[4,3],\"data_offsets\":[24,72]}}", new byte[72]),
        "bytes [20, 24) of the data", "belong to no tensor (next is 'weight' [24, 72])"));
    cases.add(of("offsets past the data", net(w + "\"dtype\":\"F32\",\"shape\":[4,4],\"data_offsets\":[20,84]}"), "cover 84 data bytes but the file has 68", "file truncated?"));
    cases.add(of("trailing bytes", Arrays.copyOf(good, good.length + 5), "cover 68 data bytes but the file has 73", "trailing bytes"));
    // Cut files, as a killed copy leaves them.
    for (long cut : new long[] {4, 8, 20, 8 + headerLength, good.length / 2, good.length - 1}) {
      cases.add(of("cut at byte " + cut, Arrays.copyOf(good, (int) cut)));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("safetensorsCases")
  void testSafeTensorsRead_corruptFileIsFormatExceptionAndModelUnchanged(Case c) throws IOException {
    Path p = dir.resolve("case.safetensors");
    Files.write(p, c.bytes());
    FormatException e = assertThrows(FormatException.class, timed(() -> SafeTensors.read(p)));
    assertMessage(e, "safetensors: ", p.toString(), c.fragments());
    assertEquals(p, e.path().orElseThrow());
    FormatException m = assertThrows(FormatException.class, () -> SafeTensors.fromBytes(c.bytes(), "bytes.st"));
    assertMessage(m, "safetensors: ", "bytes.st", c.fragments());
    assertThrows(FormatException.class, () -> ModelFiles.read(p));

    Net model = new Net(5);
    Map<String, long[]> before = bits(model);
    FormatException l = assertThrows(FormatException.class, timed(() -> ModelFiles.load(model, p)));
    assertEquals(e.getMessage(), l.getMessage());
    assertBitwiseEqual(before, bits(model));
  }

  /** Valid safetensors files that do not fit the model. */
  static Stream<Arguments> mismatchCases() {
    byte[] f32 = new byte[4];
    return Stream.of(
        of("a tensor missing", safetensors("{" + STEPS + "," + BIAS + "}", new byte[20]), "missing 'weight' ([4, 3] float32)"),
        of("a tensor too many", safetensors("{" + STEPS + "," + BIAS + "," + WEIGHT + ",\"extra\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[68,72]}}", concat(DATA, f32)), "unexpected 'extra' in the file"),
        of("a wrong shape", safetensors("{" + STEPS + "," + BIAS + "," + WEIGHT.replace("[4,3]", "[3,4]") + "}", DATA), "'weight' has shape [3, 4] in the file, the model has [4, 3]"),
        of("a wrong dtype", safetensors("{" + STEPS + "," + BIAS + ",\"weight\":{\"dtype\":\"I32\",\"shape\":[4,3],\"data_offsets\":[20,68]}}", DATA), "'weight' has dtype I32 in the file, the model has F32"),
        of("an empty file of the right format", safetensors("{}", new byte[0]), "missing 'weight'", "missing 'bias'", "missing 'steps'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("mismatchCases")
  void testModelFilesLoad_mismatchIsFormatExceptionAndModelUnchanged(Case c) throws IOException {
    Path p = dir.resolve("other.safetensors");
    Files.write(p, c.bytes());
    SafeTensors.read(p); // the file itself is valid
    Net model = new Net(5);
    Map<String, long[]> before = bits(model);
    FormatException e = assertThrows(FormatException.class, () -> ModelFiles.load(model, p));
    assertMessage(e, "load: ", p.toString(), c.fragments());
    assertTrue(e.getMessage().contains("does not match Net"), e.getMessage());
    assertBitwiseEqual(before, bits(model));
  }

  // ---------------------------------------------------------------------------------------------
  // What is not a regular file

  enum Reader {
    IDX_READ,
    SAFETENSORS_READ,
    MODEL_FILES_READ,
    MODEL_FILES_LOAD,
    MNIST_LOAD;

    /** Reads {@code p}; for MODEL_FILES_LOAD into {@code model}. */
    void read(Path p, Module model) throws IOException {
      switch (this) {
        case IDX_READ:
          Idx.read(p);
          break;
        case SAFETENSORS_READ:
          SafeTensors.read(p);
          break;
        case MODEL_FILES_READ:
          ModelFiles.read(p);
          break;
        case MODEL_FILES_LOAD:
          ModelFiles.load(model, p);
          break;
        default:
          Mnist.load(p, p);
      }
    }
  }

  enum Kind {
    DIRECTORY("a directory"),
    NAMED_PIPE("a named pipe"),
    LINK_TO_NAMED_PIPE("a named pipe"),
    DEVICE("a character device");

    final String words;

    Kind(String words) {
      this.words = words;
    }
  }

  static Stream<Arguments> specialFiles() {
    List<Arguments> out = new ArrayList<>();
    for (Kind k : Kind.values()) {
      for (Reader r : Reader.values()) {
        out.add(Arguments.of(k, r));
      }
    }
    return out.stream();
  }

  /** Makes a named pipe with mkfifo; skips the case (and only it) where mkfifo does not exist. */
  private static void mkfifo(Path p) throws Exception {
    Process proc;
    try {
      proc = new ProcessBuilder("mkfifo", p.toString()).redirectErrorStream(true).start();
    } catch (IOException noMkfifo) {
      assumeTrue(false, "mkfifo is not available: " + noMkfifo.getMessage());
      return;
    }
    assertTrue(proc.waitFor(30, TimeUnit.SECONDS), "mkfifo finished");
    assertEquals(0, proc.exitValue(), new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  @ParameterizedTest(name = "{1} of {0}")
  @MethodSource("specialFiles")
  void testRead_notARegularFileIsRefusedWithoutBlocking(Kind kind, Reader reader) throws Exception {
    Path p;
    switch (kind) {
      case DIRECTORY:
        p = Files.createDirectory(dir.resolve("a-directory"));
        break;
      case NAMED_PIPE:
        p = dir.resolve("a-pipe");
        mkfifo(p);
        break;
      case LINK_TO_NAMED_PIPE:
        Path pipe = dir.resolve("a-pipe");
        mkfifo(pipe);
        p = Files.createSymbolicLink(dir.resolve("a-link"), pipe);
        break;
      default:
        p = Path.of("/dev/null");
        assumeTrue(Files.exists(p), "no /dev/null on this system");
    }
    Net model = new Net(5);
    Map<String, long[]> before = bits(model);
    Path target = p;
    FileSystemException e = assertThrows(FileSystemException.class, timed(() -> reader.read(target, model)));
    assertEquals(p.toString(), e.getFile());
    assertTrue(e.getMessage().contains("not a regular file but " + kind.words), e.getMessage());
    assertTrue(e.getMessage().startsWith(p + ": "), e.getMessage());
    assertBitwiseEqual(before, bits(model));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("readers")
  void testRead_missingFileIsNoSuchFileException(Reader reader) {
    Path p = dir.resolve("nothing-here");
    NoSuchFileException e = assertThrows(NoSuchFileException.class, timed(() -> reader.read(p, new Net(1))));
    assertEquals(p.toString(), e.getFile());
  }

  static Stream<Reader> readers() {
    return Stream.of(Reader.values());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("readers")
  void testRead_linkToARegularFileIsFollowed(Reader reader) throws Exception {
    // The positive control for the cases above: the check refuses what is special, not links.
    Path file = dir.resolve(reader == Reader.IDX_READ || reader == Reader.MNIST_LOAD ? "real.idx" : "real.safetensors");
    Net saved = new Net(8);
    if (reader == Reader.IDX_READ || reader == Reader.MNIST_LOAD) {
      Files.write(file, TWO_BY_THREE_INTS);
    } else {
      ModelFiles.save(saved, file);
    }
    Path link = Files.createSymbolicLink(dir.resolve("link"), file);
    Net model = new Net(5);
    if (reader == Reader.MNIST_LOAD) {
      // A valid IDX, but not MNIST: the reader got past the file check to the content.
      FormatException e = assertThrows(FormatException.class, () -> reader.read(link, model));
      assertTrue(e.getMessage().startsWith("mnist: bad magic number 0x00000C02"), e.getMessage());
      return;
    }
    reader.read(link, model);
    if (reader == Reader.MODEL_FILES_LOAD) {
      assertBitwiseEqual(bits(saved), bits(model));
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static Executable timed(Executable body) {
    return () -> assertTimeoutPreemptively(LIMIT, body, "the read must neither block nor take long");
  }

  private static void assertMessage(Exception e, String prefix, String source, List<String> fragments) {
    String m = e.getMessage();
    assertTrue(m.startsWith(prefix), m);
    assertTrue(m.contains(source), "'" + source + "' not in: " + m);
    for (String f : fragments) {
      assertTrue(m.contains(f), "'" + f + "' not in: " + m);
    }
  }
}
