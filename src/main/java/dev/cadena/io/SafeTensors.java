package dev.cadena.io;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Reads and writes the safetensors format, the plain tensor container of the Hugging Face
 * ecosystem: no code runs on load, and every byte of the file is accounted for.
 *
 * <p>Layout:
 *
 * <pre>
 * 8 bytes   N, unsigned 64-bit little-endian: the length of the header
 * N bytes   header: UTF-8 JSON object, starting with '{', padded with spaces (0x20) so that the
 *           data starts at a multiple of 8. It maps each tensor name to
 *             {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}
 *           and may hold "__metadata__": a string-to-string object.
 * rest      the data buffer: each tensor's elements, row-major, little-endian, at
 *           [begin, end) relative to the start of the buffer
 * </pre>
 *
 * <p>{@link #read} checks everything a hostile file could get wrong and reports it as a
 * {@link FormatException} naming the file and, where there is one, the tensor: a header length
 * past the end of the file, a header that is not UTF-8, not JSON (the message says what is wrong
 * and at which byte) or does not start with '{', a key given twice anywhere in the header (a
 * tensor name, {@code "dtype"} in one entry, a metadata key), an entry that lacks dtype, shape or
 * data_offsets, unknown dtypes, negative or non-integer dimensions, offsets whose span differs
 * from {@code product(shape) * dtype size}, overlapping tensors, bytes that belong to no tensor,
 * and a data buffer that is shorter (truncated file) or longer than the tensors need.
 *
 * <p>{@link #write} produces the same bytes as the reference implementation (the {@code
 * safetensors} Python package) for the same tensors and at most one metadata entry: tensors are
 * laid out by decreasing dtype alignment ({@code U64, I64, F64, F32, U32, I32, BF16, F16, U16,
 * I16, ..., U8, BOOL}) then by name, the header JSON is compact with keys in data order, {@code
 * __metadata__} first, and it is padded with spaces to a multiple of 8, so every tensor starts at
 * a multiple of its element size. The reference writes several metadata entries in hash order;
 * here they are sorted by key. The file is written atomically: a temporary file in the same
 * directory is forced to disk and renamed over the target, so the target is never partial and
 * stays as it was when writing fails.
 *
 * <p>Example:
 *
 * <pre>{@code
 * Map<String, SafeTensors.Entry> tensors = new LinkedHashMap<>();
 * tensors.put("dense.weight", SafeTensors.Entry.ofFloats(new int[] {2, 3}, new float[6]));
 * tensors.put("step", SafeTensors.Entry.ofLongs(new int[] {}, new long[] {100}));
 * SafeTensors.write(Path.of("model.safetensors"), tensors, Map.of("format", "pt"));
 *
 * SafeTensors.Contents back = SafeTensors.read(Path.of("model.safetensors"));
 * float[] w = back.get("dense.weight").toFloatArray();
 * }</pre>
 */
public final class SafeTensors {
  /** The reference implementation refuses headers above this size, and so do we. */
  public static final long MAX_HEADER_BYTES = 100_000_000;

  /** The header key that holds the string-to-string metadata. */
  public static final String METADATA_KEY = "__metadata__";

  private static final int MAX_TENSOR_BYTES = Integer.MAX_VALUE - 8;

  private SafeTensors() {}

  /**
   * The element types of safetensors, named as in the header's {@code "dtype"} field ({@code F64},
   * {@code F32}, {@code I64}, ...). They are declared in increasing alignment, the order the
   * reference implementation uses to lay tensors out.
   *
   * <p>Not to be confused with {@link dev.cadena.tensor.DType}, the three dtypes a Cadena tensor
   * can have: a file may hold any of these, and {@link ModelFiles} maps float64, float32 and int64
   * to {@code F64}, {@code F32} and {@code I64}.
   * (This type was called {@code SafeTensors.DType}, and {@link Entry#elementType()} was {@code
   * dtype()}, before they were renamed to end that clash.)
   */
  public enum ElementType {
    /** Boolean, one byte, 0 or 1. */
    BOOL(1),
    /** Unsigned 8-bit integer. */
    U8(1),
    /** Signed 8-bit integer. */
    I8(1),
    /** 8-bit float, 5 exponent bits, 2 mantissa bits (raw bytes only). */
    F8_E5M2(1),
    /** 8-bit float, 4 exponent bits, 3 mantissa bits (raw bytes only). */
    F8_E4M3(1),
    /** Signed 16-bit integer. */
    I16(2),
    /** Unsigned 16-bit integer. */
    U16(2),
    /** IEEE 754 half precision. */
    F16(2),
    /** bfloat16: the upper 16 bits of a float32. */
    BF16(2),
    /** Signed 32-bit integer. */
    I32(4),
    /** Unsigned 32-bit integer. */
    U32(4),
    /** IEEE 754 single precision. */
    F32(4),
    /** IEEE 754 double precision. */
    F64(8),
    /** Signed 64-bit integer. */
    I64(8),
    /** Unsigned 64-bit integer. */
    U64(8);

    private final int size;

    ElementType(int size) {
      this.size = size;
    }

    /** Bytes per element. */
    public int size() {
      return size;
    }

    /** Whether values are integers (BOOL counts as an integer type, 0 or 1). */
    public boolean isInteger() {
      switch (this) {
        case BOOL:
        case U8:
        case I8:
        case I16:
        case U16:
        case I32:
        case U32:
        case I64:
        case U64:
          return true;
        default:
          return false;
      }
    }

    static ElementType parse(String name) {
      for (ElementType d : values()) {
        if (d.name().equals(name)) {
          return d;
        }
      }
      return null;
    }
  }

  /**
   * One tensor: an element type, a shape and its elements as little-endian bytes, row-major. Immutable;
   * factories copy their input and getters return fresh arrays.
   *
   * <p>A shape of {@code []} is a scalar with one element; a shape with a 0 is an empty tensor.
   */
  public static final class Entry {
    private final ElementType dtype;
    private final int[] shape;
    private final byte[] data; // little-endian; never escapes

    private Entry(ElementType dtype, int[] shape, byte[] data) {
      this.dtype = dtype;
      this.shape = shape;
      this.data = data;
    }

    /** Element count of {@code shape}, or -1 if a dimension is negative or it is too large. */
    private static long byteLength(ElementType dtype, int[] shape) {
      long bytes = dtype.size();
      for (int d : shape) {
        if (d < 0) {
          return -1;
        }
        bytes *= d;
        if (bytes > MAX_TENSOR_BYTES) {
          return -1;
        }
      }
      return bytes;
    }

    private static ByteBuffer allocate(String op, ElementType dtype, int[] shape, int count) {
      long bytes = byteLength(dtype, shape);
      if (bytes < 0) {
        throw new IllegalArgumentException(
            String.format(
                "%s: shape %s has a negative dimension or exceeds %d bytes",
                op, Arrays.toString(shape), MAX_TENSOR_BYTES));
      }
      if ((long) count * dtype.size() != bytes) {
        throw new IllegalArgumentException(
            String.format(
                "%s: %d values do not fill shape %s (%d elements)",
                op, count, Arrays.toString(shape), bytes / dtype.size()));
      }
      return ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * A tensor from raw little-endian bytes, for any dtype.
     *
     * @throws IllegalArgumentException if a dimension is negative or the byte count is not
     *     {@code product(shape) * dtype.size()}
     */
    public static Entry ofBytes(ElementType dtype, int[] shape, byte[] littleEndian) {
      checkNotNull(dtype, "Entry.ofBytes: dtype is null");
      checkNotNull(shape, "Entry.ofBytes: shape is null");
      checkNotNull(littleEndian, "Entry.ofBytes: littleEndian is null");
      long bytes = byteLength(dtype, shape);
      if (bytes < 0 || bytes != littleEndian.length) {
        throw new IllegalArgumentException(
            String.format(
                "Entry.ofBytes: %d bytes do not fit %s %s (expected %s)",
                littleEndian.length,
                dtype,
                Arrays.toString(shape),
                bytes < 0 ? "non-negative dimensions" : bytes + " bytes"));
      }
      return new Entry(dtype, shape.clone(), littleEndian.clone());
    }

    /** An F64 tensor. @throws IllegalArgumentException if the count does not match the shape */
    public static Entry ofDoubles(int[] shape, double[] values) {
      checkNotNull(shape, "Entry.ofDoubles: shape is null");
      checkNotNull(values, "Entry.ofDoubles: values is null");
      ByteBuffer buf = allocate("Entry.ofDoubles", ElementType.F64, shape, values.length);
      buf.asDoubleBuffer().put(values);
      return new Entry(ElementType.F64, shape.clone(), buf.array());
    }

    /** An F32 tensor. @throws IllegalArgumentException if the count does not match the shape */
    public static Entry ofFloats(int[] shape, float[] values) {
      checkNotNull(shape, "Entry.ofFloats: shape is null");
      checkNotNull(values, "Entry.ofFloats: values is null");
      ByteBuffer buf = allocate("Entry.ofFloats", ElementType.F32, shape, values.length);
      buf.asFloatBuffer().put(values);
      return new Entry(ElementType.F32, shape.clone(), buf.array());
    }

    /** An I64 tensor. @throws IllegalArgumentException if the count does not match the shape */
    public static Entry ofLongs(int[] shape, long[] values) {
      checkNotNull(shape, "Entry.ofLongs: shape is null");
      checkNotNull(values, "Entry.ofLongs: values is null");
      ByteBuffer buf = allocate("Entry.ofLongs", ElementType.I64, shape, values.length);
      buf.asLongBuffer().put(values);
      return new Entry(ElementType.I64, shape.clone(), buf.array());
    }

    /** An I32 tensor. @throws IllegalArgumentException if the count does not match the shape */
    public static Entry ofInts(int[] shape, int[] values) {
      checkNotNull(shape, "Entry.ofInts: shape is null");
      checkNotNull(values, "Entry.ofInts: values is null");
      ByteBuffer buf = allocate("Entry.ofInts", ElementType.I32, shape, values.length);
      buf.asIntBuffer().put(values);
      return new Entry(ElementType.I32, shape.clone(), buf.array());
    }

    /** The element type. */
    public ElementType elementType() {
      return dtype;
    }

    /** A copy of the shape; {@code []} for a scalar. */
    public int[] shape() {
      return shape.clone();
    }

    /** The number of dimensions. */
    public int rank() {
      return shape.length;
    }

    /** The number of elements: the product of the shape (1 for a scalar). */
    public int size() {
      return data.length / dtype.size();
    }

    /** The number of data bytes. */
    public int byteSize() {
      return data.length;
    }

    /** A copy of the elements' little-endian bytes, as stored in the file. */
    public byte[] toLittleEndianBytes() {
      return data.clone();
    }

    /**
     * The elements as doubles. Exact for every dtype but I64 and U64 beyond 2^53, which round
     * to nearest; U64 is read as unsigned.
     *
     * @throws IllegalStateException for the F8 dtypes, which only have raw bytes
     */
    public double[] toDoubleArray() {
      int n = size();
      double[] out = new double[n];
      ByteBuffer buf = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
      if (dtype == ElementType.U64) {
        for (int i = 0; i < n; i++) {
          long v = buf.getLong(8 * i);
          // Unsigned: the top bit is worth 2^63, not -2^63.
          out[i] = v >= 0 ? v : (double) (v >>> 1) * 2.0 + (v & 1);
        }
        return out;
      }
      for (int i = 0; i < n; i++) {
        out[i] = element("toDoubleArray", buf, i);
      }
      return out;
    }

    /**
     * The elements as floats, rounded to nearest where the dtype is wider than F32.
     *
     * @throws IllegalStateException for the F8 dtypes, which only have raw bytes
     */
    public float[] toFloatArray() {
      int n = size();
      float[] out = new float[n];
      if (dtype == ElementType.F32) {
        ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
      }
      double[] wide = toDoubleArray();
      for (int i = 0; i < n; i++) {
        out[i] = (float) wide[i];
      }
      return out;
    }

    /**
     * The elements as longs, for integer dtypes and BOOL. U64 values above {@code
     * Long.MAX_VALUE} come back as their two's complement bits (see {@link
     * Long#toUnsignedString(long)}).
     *
     * @throws IllegalStateException for floating-point dtypes
     */
    public long[] toLongArray() {
      if (!dtype.isInteger()) {
        throw new IllegalStateException(
            "Entry.toLongArray: dtype " + dtype + " is not an integer type; use toDoubleArray()");
      }
      int n = size();
      long[] out = new long[n];
      ByteBuffer buf = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < n; i++) {
        out[i] = dtype == ElementType.U64 || dtype == ElementType.I64 ? buf.getLong(8 * i) : (long) element("toLongArray", buf, i);
      }
      return out;
    }

    /**
     * The elements as ints, for the integer dtypes whose values always fit: BOOL, U8, I8, I16,
     * U16 and I32.
     *
     * @throws IllegalStateException for other dtypes (use {@link #toLongArray()} for U32, I64, U64)
     */
    public int[] toIntArray() {
      switch (dtype) {
        case BOOL:
        case U8:
        case I8:
        case I16:
        case U16:
        case I32:
          break;
        default:
          throw new IllegalStateException(
              "Entry.toIntArray: dtype "
                  + dtype
                  + " does not always fit an int; use "
                  + (dtype.isInteger() ? "toLongArray()" : "toDoubleArray()"));
      }
      int n = size();
      int[] out = new int[n];
      ByteBuffer buf = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < n; i++) {
        out[i] = (int) element("toIntArray", buf, i);
      }
      return out;
    }

    private double element(String op, ByteBuffer buf, int i) {
      switch (dtype) {
        case BOOL:
        case U8:
          return data[i] & 0xFF;
        case I8:
          return data[i];
        case I16:
          return buf.getShort(2 * i);
        case U16:
          return buf.getShort(2 * i) & 0xFFFF;
        case F16:
          return halfToFloat(buf.getShort(2 * i) & 0xFFFF);
        case BF16:
          return Float.intBitsToFloat((buf.getShort(2 * i) & 0xFFFF) << 16);
        case I32:
          return buf.getInt(4 * i);
        case U32:
          return buf.getInt(4 * i) & 0xFFFFFFFFL;
        case F32:
          return buf.getFloat(4 * i);
        case F64:
          return buf.getDouble(8 * i);
        case I64:
          return buf.getLong(8 * i);
        default:
          throw new IllegalStateException(
              "Entry." + op + ": no conversion from " + dtype + "; use toLittleEndianBytes()");
      }
    }

    /** IEEE 754 binary16 to float; every half value has an exact float. */
    static float halfToFloat(int bits) {
      int exponent = (bits >>> 10) & 0x1F;
      int mantissa = bits & 0x3FF;
      float magnitude;
      if (exponent == 0) {
        magnitude = mantissa * 0x1p-24f; // zero and subnormals
      } else if (exponent == 0x1F) {
        magnitude = mantissa == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
      } else {
        magnitude = Float.intBitsToFloat(((exponent - 15 + 127) << 23) | (mantissa << 13));
      }
      return (bits & 0x8000) != 0 ? -magnitude : magnitude;
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Entry)) {
        return false;
      }
      Entry other = (Entry) o;
      return dtype == other.dtype
          && Arrays.equals(shape, other.shape)
          && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
      return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(data);
    }

    /** Dtype and shape, e.g. {@code Entry(F32, [2, 3])}. */
    @Override
    public String toString() {
      return "Entry(" + dtype + ", " + Arrays.toString(shape) + ")";
    }
  }

  /** What a safetensors file holds: its tensors, in data order, and its metadata. */
  public static final class Contents {
    private final LinkedHashMap<String, Entry> tensors;
    private final Map<String, String> metadata;
    private final String source;

    private Contents(LinkedHashMap<String, Entry> tensors, Map<String, String> metadata, String source) {
      this.tensors = tensors;
      this.metadata = Collections.unmodifiableMap(metadata);
      this.source = source;
    }

    /**
     * The tensors by name, in the order of their data in the file. A new map each call; the
     * entries themselves are immutable.
     */
    public LinkedHashMap<String, Entry> tensors() {
      return new LinkedHashMap<>(tensors);
    }

    /** The {@code __metadata__} entries in file order; empty when the file has none. */
    public Map<String, String> metadata() {
      return metadata;
    }

    /**
     * The tensor called {@code name}.
     *
     * @throws IllegalArgumentException if there is none; the message lists the names there are
     */
    public Entry get(String name) {
      checkNotNull(name, "Contents.get: name is null");
      Entry e = tensors.get(name);
      if (e == null) {
        throw new IllegalArgumentException(
            String.format(
                "safetensors: no tensor '%s' in %s (it has %s)", name, source, tensors.keySet()));
      }
      return e;
    }

    /** For example {@code Contents(model.safetensors: {w=Entry(F32, [2, 3])}, metadata={})}. */
    @Override
    public String toString() {
      return "Contents(" + source + ": " + tensors + ", metadata=" + metadata + ")";
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Writing

  /**
   * Writes {@code tensors} and {@code metadata} to {@code path} atomically, in the reference
   * layout described in the class comment.
   *
   * <p>The bytes go to a hidden temporary file {@code .NAME.<hex>.tmp} next to the target, which
   * is renamed over it. A save killed before the rename leaves that file behind; each save first
   * deletes the files of exactly that pattern in its directory that no save of this JVM is
   * writing and that have not been modified for a minute (a live save elsewhere keeps writing to
   * its file, so it is spared).
   *
   * @param tensors the tensors by name; the map's order does not matter, the layout is fixed
   * @param metadata string pairs for {@code __metadata__}; {@code null} or empty writes none
   * @throws NullPointerException if {@code path}, {@code tensors}, a tensor name or entry, or a
   *     metadata key or value is null, naming it
   * @throws IllegalArgumentException if a name is {@code "__metadata__"}
   * @throws IOException if the file cannot be written; the previous file is then untouched
   */
  public static void write(
      Path path, Map<String, Entry> tensors, @Nullable Map<String, String> metadata)
      throws IOException {
    checkNotNull(path, "SafeTensors.write: path is null");
    checkEntries("SafeTensors.write", tensors, metadata);
    Layout layout = layout(tensors, metadata);
    AtomicFiles.write(
        path,
        out -> {
          out.write(layout.prefix);
          for (Map.Entry<String, Entry> t : layout.order) {
            out.write(t.getValue().data);
          }
        });
  }

  /**
   * The bytes {@link #write} would put in a file.
   *
   * @throws NullPointerException as for {@link #write}
   * @throws IllegalArgumentException as for {@link #write}, or if the result exceeds 2 GiB
   */
  public static byte[] toBytes(Map<String, Entry> tensors, @Nullable Map<String, String> metadata) {
    checkEntries("SafeTensors.toBytes", tensors, metadata);
    Layout layout = layout(tensors, metadata);
    long total = layout.prefix.length + layout.dataLength;
    if (total > MAX_TENSOR_BYTES) {
      throw new IllegalArgumentException(
          "safetensors.toBytes: " + total + " bytes do not fit a Java array; use write()");
    }
    ByteBuffer buf = ByteBuffer.allocate((int) total);
    buf.put(layout.prefix);
    for (Map.Entry<String, Entry> t : layout.order) {
      buf.put(t.getValue().data);
    }
    return buf.array();
  }

  private static final class Layout {
    final byte[] prefix; // length field and padded header
    final List<Map.Entry<String, Entry>> order;
    final long dataLength;

    Layout(byte[] prefix, List<Map.Entry<String, Entry>> order, long dataLength) {
      this.prefix = prefix;
      this.order = order;
      this.dataLength = dataLength;
    }
  }

  /** Rust's String ordering: by UTF-8 bytes, which differs from Java's for some characters. */
  private static int compareUtf8(String a, String b) {
    return Arrays.compareUnsigned(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  /** The null checks of {@link #write} and {@link #toBytes}, before any work. */
  private static void checkEntries(
      String op, Map<String, Entry> tensors, @Nullable Map<String, String> metadata) {
    checkNotNull(tensors, "%s: tensors is null", op);
    for (Map.Entry<String, Entry> t : tensors.entrySet()) {
      checkNotNull(t.getKey(), "%s: a tensor name is null", op);
      checkNotNull(t.getValue(), "%s: tensors['%s'] is null", op, t.getKey());
    }
    if (metadata != null) {
      for (Map.Entry<String, String> m : metadata.entrySet()) {
        checkNotNull(m.getKey(), "%s: a metadata key is null", op);
        checkNotNull(m.getValue(), "%s: metadata['%s'] is null", op, m.getKey());
      }
    }
  }

  private static Layout layout(Map<String, Entry> tensors, Map<String, String> metadata) {
    List<Map.Entry<String, Entry>> order = new ArrayList<>();
    for (Map.Entry<String, Entry> t : tensors.entrySet()) {
      if (t.getKey() == null || t.getKey().equals(METADATA_KEY)) {
        throw new IllegalArgumentException(
            "safetensors.write: invalid tensor name " + (t.getKey() == null ? "null" : "'" + METADATA_KEY + "' (reserved)"));
      }
      if (t.getValue() == null) {
        throw new IllegalArgumentException("safetensors.write: tensor '" + t.getKey() + "' is null");
      }
      order.add(Map.entry(t.getKey(), t.getValue()));
    }
    // The reference layout: largest alignment first, so that with the header padded to 8 every
    // tensor starts at a multiple of its element size; ties by name.
    order.sort(
        Comparator.<Map.Entry<String, Entry>>comparingInt(t -> -t.getValue().dtype.ordinal())
            .thenComparing(Map.Entry::getKey, SafeTensors::compareUtf8));

    StringWriter json = new StringWriter();
    long offset = 0;
    try (JsonWriter w = new JsonWriter(json)) {
      w.setHtmlSafe(false);
      w.beginObject();
      if (metadata != null && !metadata.isEmpty()) {
        w.name(METADATA_KEY).beginObject();
        for (Map.Entry<String, String> m : sortedMetadata(metadata).entrySet()) {
          w.name(m.getKey()).value(m.getValue());
        }
        w.endObject();
      }
      for (Map.Entry<String, Entry> t : order) {
        Entry e = t.getValue();
        w.name(t.getKey()).beginObject();
        w.name("dtype").value(e.dtype.name());
        w.name("shape").beginArray();
        for (int d : e.shape) {
          w.value(d);
        }
        w.endArray();
        w.name("data_offsets").beginArray().value(offset).value(offset + e.data.length).endArray();
        w.endObject();
        offset += e.data.length;
      }
      w.endObject();
    } catch (IOException e) {
      throw new AssertionError("StringWriter does not fail", e);
    }
    byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
    int padded = (header.length + 7) / 8 * 8;
    ByteBuffer prefix = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
    prefix.putLong(padded).put(header);
    while (prefix.hasRemaining()) {
      prefix.put((byte) ' ');
    }
    return new Layout(prefix.array(), order, offset);
  }

  private static TreeMap<String, String> sortedMetadata(Map<String, String> metadata) {
    TreeMap<String, String> sorted = new TreeMap<>(SafeTensors::compareUtf8);
    for (Map.Entry<String, String> m : metadata.entrySet()) {
      if (m.getKey() == null || m.getValue() == null) {
        throw new IllegalArgumentException(
            "safetensors.write: metadata may not hold null: " + m.getKey() + "=" + m.getValue());
      }
      sorted.put(m.getKey(), m.getValue());
    }
    return sorted;
  }

  // ---------------------------------------------------------------------------------------------
  // Reading

  /** Random access to the bytes of a file or an array. */
  private interface Source {
    long size() throws IOException;

    /** Fills {@code dst} from {@code position}; returns false if the source ends first. */
    boolean read(long position, byte[] dst) throws IOException;
  }

  /**
   * Reads a safetensors file, checking it completely before returning anything.
   *
   * @throws FormatException if the file is not valid safetensors; the message names the file,
   *     the tensor where there is one, and the values that disagree
   * @throws java.nio.file.NoSuchFileException if the file does not exist (its message is the path)
   * @throws java.nio.file.FileSystemException if {@code path} is a directory, a named pipe, a
   *     device or another special file, which are refused without opening them (opening a pipe
   *     would block); the message names the path and what it is
   * @throws IOException on other I/O failures
   */
  public static Contents read(Path path) throws IOException {
    checkNotNull(path, "SafeTensors.read: path is null");
    InputFiles.requireRegularFile("safetensors", path);
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      Source source =
          new Source() {
            @Override
            public long size() throws IOException {
              return channel.size();
            }

            @Override
            public boolean read(long position, byte[] dst) throws IOException {
              ByteBuffer buf = ByteBuffer.wrap(dst);
              while (buf.hasRemaining()) {
                if (channel.read(buf, position + buf.position()) < 0) {
                  return false;
                }
              }
              return true;
            }
          };
      return parse(source, path.toString(), path);
    }
  }

  /**
   * Reads safetensors content held in memory, e.g. downloaded bytes.
   *
   * @param source how messages name the content
   * @throws FormatException if the bytes are not valid safetensors
   */
  public static Contents fromBytes(byte[] bytes, String source) {
    checkNotNull(bytes, "SafeTensors.fromBytes: bytes is null");
    checkNotNull(source, "SafeTensors.fromBytes: source is null");
    Source array =
        new Source() {
          @Override
          public long size() {
            return bytes.length;
          }

          @Override
          public boolean read(long position, byte[] dst) {
            if (position + dst.length > bytes.length) {
              return false;
            }
            System.arraycopy(bytes, (int) position, dst, 0, dst.length);
            return true;
          }
        };
    try {
      return parse(array, source, null);
    } catch (IOException e) {
      throw new AssertionError("reading an array does not fail", e);
    }
  }

  /** A header entry before its data is read. */
  private static final class Info {
    final String name;
    final ElementType dtype;
    final int[] shape;
    final long begin;
    final long end;

    Info(String name, ElementType dtype, int[] shape, long begin, long end) {
      this.name = name;
      this.dtype = dtype;
      this.shape = shape;
      this.begin = begin;
      this.end = end;
    }

    String offsets() {
      return "[" + begin + ", " + end + "]";
    }
  }

  private static Contents parse(Source in, String source, Path path) throws IOException {
    long fileSize = in.size();
    if (fileSize < 8) {
      throw new FormatException(
          String.format(
              "safetensors: %s is %d bytes, too short for the 8-byte header length",
              source, fileSize),
          path);
    }
    byte[] lengthBytes = new byte[8];
    if (!in.read(0, lengthBytes)) {
      throw new FormatException("safetensors: " + source + " ended while reading the header length", path);
    }
    long headerLength = ByteBuffer.wrap(lengthBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if (headerLength < 0 || headerLength > fileSize - 8) {
      throw new FormatException(
          String.format(
              "safetensors: header length %s in %s exceeds the %d bytes after the length field"
                  + " (file truncated or not safetensors?)",
              Long.toUnsignedString(headerLength), source, fileSize - 8),
          path);
    }
    if (headerLength > MAX_HEADER_BYTES) {
      throw new FormatException(
          String.format(
              "safetensors: header length %d in %s exceeds the limit of %d bytes",
              headerLength, source, MAX_HEADER_BYTES),
          path);
    }
    byte[] headerBytes = new byte[(int) headerLength];
    if (!in.read(8, headerBytes)) {
      throw new FormatException("safetensors: " + source + " ended inside the header", path);
    }
    if (headerLength == 0 || headerBytes[0] != '{') {
      throw new FormatException(
          String.format(
              "safetensors: header of %s must start with '{', found %s",
              source,
              headerLength == 0 ? "an empty header" : String.format("byte 0x%02X", headerBytes[0] & 0xFF)),
          path);
    }
    String header;
    try {
      header =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(headerBytes))
              .toString();
    } catch (CharacterCodingException e) {
      throw new FormatException("safetensors: header of " + source + " is not valid UTF-8", path, e);
    }

    Map<String, String> metadata = new LinkedHashMap<>();
    List<Info> infos = new ArrayList<>();
    parseHeader(header, source, path, metadata, infos);

    long dataLength = fileSize - 8 - headerLength;
    infos.sort(Comparator.<Info>comparingLong(i -> i.begin).thenComparingLong(i -> i.end));
    long covered = 0;
    Info previous = null;
    for (Info info : infos) {
      if (info.begin < covered) {
        throw new FormatException(
            String.format(
                "safetensors: tensor '%s' in %s: data_offsets %s overlap tensor '%s' %s",
                info.name, source, info.offsets(), previous.name, previous.offsets()),
            path);
      }
      if (info.begin > covered) {
        throw new FormatException(
            String.format(
                "safetensors: bytes [%d, %d) of the data in %s belong to no tensor (next is '%s' %s)",
                covered, info.begin, source, info.name, info.offsets()),
            path);
      }
      covered = info.end;
      previous = info;
    }
    if (covered != dataLength) {
      throw new FormatException(
          String.format(
              "safetensors: the tensors in %s cover %d data bytes but the file has %d after the"
                  + " header (%s)",
              source,
              covered,
              dataLength,
              covered > dataLength ? "file truncated?" : "trailing bytes"),
          path);
    }

    LinkedHashMap<String, Entry> tensors = new LinkedHashMap<>();
    long dataStart = 8 + headerLength;
    for (Info info : infos) {
      byte[] data = new byte[(int) (info.end - info.begin)];
      if (!in.read(dataStart + info.begin, data)) {
        throw new FormatException(
            String.format(
                "safetensors: %s ended inside the data of tensor '%s' (changed while reading?)",
                source, info.name),
            path);
      }
      tensors.put(info.name, new Entry(info.dtype, info.shape, data));
    }
    return new Contents(tensors, metadata, source);
  }

  /**
   * Parses the header JSON strictly (see {@link HeaderJson}: a key given twice anywhere is an
   * error) and then reads the tensor entries and the metadata from it.
   */
  private static void parseHeader(
      String header, String source, Path path, Map<String, String> metadata, List<Info> infos)
      throws FormatException {
    Object root;
    try {
      root = HeaderJson.parse(header);
    } catch (HeaderJson.SyntaxError e) {
      throw new FormatException(syntaxMessage(e, source), path, e);
    }
    if (!(root instanceof Map)) {
      // Unreachable after the check for '{', kept so that a cast can never fail.
      throw new FormatException(
          "safetensors: header of " + source + " is " + HeaderJson.describe(root) + ", not an object", path);
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> top = (Map<String, Object>) root;
    for (Map.Entry<String, Object> e : top.entrySet()) {
      if (e.getKey().equals(METADATA_KEY)) {
        parseMetadata(e.getValue(), source, path, metadata);
      } else {
        infos.add(parseInfo(e.getKey(), e.getValue(), source, path));
      }
    }
  }

  /** A syntax error or duplicate key in words, with where it is. */
  private static String syntaxMessage(HeaderJson.SyntaxError e, String source) {
    String at = " (byte " + e.offset + " of the header)";
    if (e.duplicate == null) {
      return String.format(
          "safetensors: header of %s is not valid JSON at byte %d: %s", source, e.offset, e.getMessage());
    }
    List<String> around = e.path;
    if (around.isEmpty()) {
      return String.format(
          "safetensors: duplicate name '%s' in the header of %s%s", e.duplicate, source, at);
    }
    if (around.size() == 1 && around.get(0).equals(METADATA_KEY)) {
      return String.format(
          "safetensors: duplicate %s key '%s' in %s%s", METADATA_KEY, e.duplicate, source, at);
    }
    if (around.size() == 1) {
      return String.format(
          "safetensors: tensor '%s' in %s: duplicate key \"%s\"%s",
          around.get(0), source, e.duplicate, at);
    }
    return String.format(
        "safetensors: duplicate key \"%s\" inside %s in the header of %s%s",
        e.duplicate, String.join(".", around), source, at);
  }

  private static void parseMetadata(Object value, String source, Path path, Map<String, String> out)
      throws FormatException {
    if (!(value instanceof Map)) {
      throw new FormatException(
          String.format(
              "safetensors: %s in %s must be an object of strings, found %s",
              METADATA_KEY, source, HeaderJson.describe(value)),
          path);
    }
    for (Map.Entry<?, ?> m : ((Map<?, ?>) value).entrySet()) {
      if (!(m.getValue() instanceof String)) {
        throw new FormatException(
            String.format(
                "safetensors: %s entry '%s' in %s must be a string, found %s",
                METADATA_KEY, m.getKey(), source, HeaderJson.describe(m.getValue())),
            path);
      }
      out.put((String) m.getKey(), (String) m.getValue());
    }
  }

  private static final List<String> INFO_KEYS = List.of("dtype", "shape", "data_offsets");

  private static Info parseInfo(String name, Object value, String source, Path path)
      throws FormatException {
    String where = String.format("tensor '%s' in %s", name, source);
    if (!(value instanceof Map)) {
      throw new FormatException(
          "safetensors: " + where + " must be an object with dtype, shape and data_offsets, found "
              + HeaderJson.describe(value),
          path);
    }
    Map<?, ?> fields = (Map<?, ?>) value;
    List<String> missing = new ArrayList<>();
    for (String k : INFO_KEYS) {
      if (!fields.containsKey(k)) {
        missing.add(k);
      }
    }
    if (!missing.isEmpty()) {
      throw new FormatException(lacksMessage(name, where, fields.keySet(), missing), path);
    }
    Object dtypeValue = fields.get("dtype");
    if (!(dtypeValue instanceof String)) {
      throw new FormatException(
          "safetensors: " + where + ": dtype must be a string, found " + HeaderJson.describe(dtypeValue),
          path);
    }
    String dtypeName = (String) dtypeValue;
    long[] shape = longArray(fields.get("shape"), where, "shape", path);
    long[] offsets = longArray(fields.get("data_offsets"), where, "data_offsets", path);
    ElementType dtype = ElementType.parse(dtypeName);
    if (dtype == null) {
      throw new FormatException(
          String.format(
              "safetensors: %s has unknown dtype \"%s\" (known: %s)",
              where, dtypeName, Arrays.toString(ElementType.values())),
          path);
    }
    if (offsets.length != 2) {
      throw new FormatException(
          String.format(
              "safetensors: %s: data_offsets must be [begin, end], got %s",
              where, Arrays.toString(offsets)),
          path);
    }
    if (offsets[1] < offsets[0]) {
      throw new FormatException(
          String.format(
              "safetensors: %s: data_offsets %s end before they begin",
              where, Arrays.toString(offsets)),
          path);
    }
    int[] dims = new int[shape.length];
    boolean empty = false;
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] > Integer.MAX_VALUE) {
        throw new FormatException(
            String.format(
                "safetensors: %s: dimension %d of shape %s exceeds %d",
                where, i, Arrays.toString(shape), Integer.MAX_VALUE),
            path);
      }
      dims[i] = (int) shape[i];
      empty |= dims[i] == 0;
    }
    long bytes = empty ? 0 : dtype.size();
    for (int d : dims) {
      // Each factor is below 2^31 and the product is checked at every step: no overflow.
      bytes *= d;
      if (bytes > MAX_TENSOR_BYTES) {
        throw new FormatException(
            String.format(
                "safetensors: %s: shape %s of %s exceeds %d bytes, the most a Java array holds",
                where, Arrays.toString(shape), dtype, MAX_TENSOR_BYTES),
            path);
      }
    }
    long span = offsets[1] - offsets[0];
    if (span != bytes) {
      throw new FormatException(
          String.format(
              "safetensors: %s: shape %s of %s needs %d bytes but data_offsets %s span %d",
              where, Arrays.toString(shape), dtype, bytes, Arrays.toString(offsets), span),
          path);
    }
    return new Info(name, dtype, dims, offsets[0], offsets[1]);
  }

  /**
   * Says which of dtype, shape and data_offsets an entry lacks, and which keys it has instead; an
   * entry whose name is one character off {@code __metadata__} is most likely the metadata with a
   * damaged name.
   */
  private static String lacksMessage(String name, String where, Set<?> keys, List<String> missing) {
    String lacks =
        missing.size() == 1
            ? missing.get(0)
            : String.join(", ", missing.subList(0, missing.size() - 1)) + " and " + missing.get(missing.size() - 1);
    List<String> unknown = new ArrayList<>();
    for (Object k : keys) {
      if (!INFO_KEYS.contains(k)) {
        unknown.add("\"" + k + "\"");
      }
    }
    StringBuilder sb = new StringBuilder("safetensors: ").append(where).append(" lacks ").append(lacks);
    if (keys.isEmpty()) {
      sb.append(" (it is an empty object)");
    } else if (!unknown.isEmpty()) {
      sb.append(" (it has ").append(unknown.size() == 1 ? "the unknown key " : "the unknown keys ")
          .append(String.join(", ", unknown)).append(')');
    }
    if (oneCharOff(name, METADATA_KEY)) {
      sb.append("; is it a damaged \"").append(METADATA_KEY).append("\"?");
    }
    return sb.toString();
  }

  private static boolean oneCharOff(String a, String b) {
    if (a.length() != b.length()) {
      return false;
    }
    int differences = 0;
    for (int i = 0; i < a.length(); i++) {
      if (a.charAt(i) != b.charAt(i)) {
        differences++;
      }
    }
    return differences == 1;
  }

  /** A JSON array of non-negative integers. */
  private static long[] longArray(Object value, String where, String field, Path path)
      throws FormatException {
    if (!(value instanceof List)) {
      throw new FormatException(
          String.format(
              "safetensors: %s: %s must be an array of integers, found %s",
              where, field, HeaderJson.describe(value)),
          path);
    }
    List<?> values = (List<?>) value;
    long[] out = new long[values.size()];
    for (int i = 0; i < out.length; i++) {
      Object v = values.get(i);
      if (!(v instanceof HeaderJson.JsonNumber)) {
        throw new FormatException(
            String.format(
                "safetensors: %s: %s must hold integers, found %s", where, field, HeaderJson.describe(v)),
            path);
      }
      String text = ((HeaderJson.JsonNumber) v).text();
      long x;
      try {
        x = Long.parseLong(text);
      } catch (NumberFormatException e) {
        throw new FormatException(
            String.format(
                "safetensors: %s: %s holds %s, not an integer in 0..%d",
                where, field, text, Long.MAX_VALUE),
            path,
            e);
      }
      if (x < 0) {
        throw new FormatException(
            String.format("safetensors: %s: %s holds negative value %d", where, field, x), path);
      }
      out[i] = x;
    }
    return out;
  }
}
