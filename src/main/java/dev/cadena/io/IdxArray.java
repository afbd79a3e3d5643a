package dev.cadena.io;

import static com.google.common.base.Preconditions.checkNotNull;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * An immutable n-dimensional array as stored in an IDX file: an element {@link Type}, the
 * dimensions, and the elements in row-major order.
 *
 * <p>The elements are kept as the file's big-endian bytes and converted on access; every
 * accessor returns a fresh copy, so callers may modify what they get.
 *
 * <p>Example:
 *
 * <pre>{@code
 * IdxArray labels = IdxArray.ofUnsignedBytes(new int[] {3}, new int[] {7, 2, 255});
 * labels.dims();          // [3]
 * labels.toIntArray();    // [7, 2, 255]
 * labels.toDoubleArray(); // [7.0, 2.0, 255.0]
 * }</pre>
 */
public final class IdxArray {

  /** The IDX element types, with their type codes (third byte of the magic number). */
  public enum Type {
    /** Unsigned 8-bit integer, 0..255 (code 0x08). The type of MNIST. */
    UNSIGNED_BYTE(0x08, 1),
    /** Signed 8-bit integer (code 0x09). */
    SIGNED_BYTE(0x09, 1),
    /** Signed 16-bit integer, big-endian (code 0x0B). */
    SHORT(0x0B, 2),
    /** Signed 32-bit integer, big-endian (code 0x0C). */
    INT(0x0C, 4),
    /** IEEE 754 32-bit float, big-endian (code 0x0D). */
    FLOAT(0x0D, 4),
    /** IEEE 754 64-bit float, big-endian (code 0x0E). */
    DOUBLE(0x0E, 8);

    private final int code;
    private final int size;

    Type(int code, int size) {
      this.code = code;
      this.size = size;
    }

    /** The type code byte, e.g. {@code 0x08} for {@link #UNSIGNED_BYTE}. */
    public int code() {
      return code;
    }

    /** Bytes per element. */
    public int size() {
      return size;
    }

    /** Whether the elements are integers (every type but FLOAT and DOUBLE). */
    public boolean isInteger() {
      return this != FLOAT && this != DOUBLE;
    }

    /**
     * The type with the given code.
     *
     * @throws IllegalArgumentException if no type has that code
     */
    public static Type ofCode(int code) {
      for (Type t : values()) {
        if (t.code == code) {
          return t;
        }
      }
      throw new IllegalArgumentException(
          String.format("idx: unknown type code 0x%02X (expected one of %s)", code, codeList()));
    }

    static String codeList() {
      StringBuilder sb = new StringBuilder();
      for (Type t : values()) {
        if (sb.length() > 0) {
          sb.append(", ");
        }
        sb.append(String.format("0x%02X", t.code));
      }
      return sb.toString();
    }
  }

  /** The largest number of data bytes an array may hold (a Java array's practical limit). */
  public static final int MAX_BYTES = Integer.MAX_VALUE - 8;

  private final Type type;
  private final int[] dims;
  private final byte[] data; // big-endian, exactly size() * type.size() bytes; never escapes

  private IdxArray(Type type, int[] dims, byte[] data) {
    this.type = type;
    this.dims = dims;
    this.data = data;
  }

  /**
   * The number of bytes of data for these dimensions and type.
   *
   * @throws IllegalArgumentException if a dimension is negative, there is no dimension, more than
   *     255, or the data would exceed {@link #MAX_BYTES}
   */
  static int byteCount(String op, Type type, int[] dims) {
    if (dims.length < 1 || dims.length > 255) {
      throw new IllegalArgumentException(
          String.format("%s: rank must be 1..255, got %d %s", op, dims.length, Arrays.toString(dims)));
    }
    long bytes = type.size();
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] < 0) {
        throw new IllegalArgumentException(
            String.format("%s: dimension %d is negative: %s", op, i, Arrays.toString(dims)));
      }
      // Multiply in long and stop as soon as the limit is passed, so it cannot overflow.
      bytes *= dims[i];
      if (bytes > MAX_BYTES) {
        throw new IllegalArgumentException(
            String.format(
                "%s: %s %s is too large: more than %d bytes",
                op, type, Arrays.toString(dims), MAX_BYTES));
      }
    }
    return (int) bytes;
  }

  /** Wraps bytes already validated by the reader; takes ownership of {@code data}. */
  static IdxArray wrap(Type type, int[] dims, byte[] data) {
    return new IdxArray(type, dims.clone(), data);
  }

  /**
   * An array of the given type from its big-endian element bytes, as they appear in an IDX file.
   *
   * @throws IllegalArgumentException if the dimensions are invalid or {@code bigEndianData.length}
   *     is not the product of the dimensions times {@code type.size()}
   */
  public static IdxArray ofBytes(Type type, int[] dims, byte[] bigEndianData) {
    checkNotNull(type, "IdxArray.ofBytes: type is null");
    checkNotNull(dims, "IdxArray.ofBytes: dims is null");
    checkNotNull(bigEndianData, "IdxArray.ofBytes: bigEndianData is null");
    int expected = byteCount("IdxArray.ofBytes", type, dims);
    if (bigEndianData.length != expected) {
      throw new IllegalArgumentException(
          String.format(
              "IdxArray.ofBytes: data length %d does not match %s %s (expected %d bytes)",
              bigEndianData.length, type, Arrays.toString(dims), expected));
    }
    return new IdxArray(type, dims.clone(), bigEndianData.clone());
  }

  /**
   * An {@link Type#UNSIGNED_BYTE} array from values in 0..255.
   *
   * @throws IllegalArgumentException if a value is outside 0..255 or the count does not match
   */
  public static IdxArray ofUnsignedBytes(int[] dims, int[] values) {
    checkNotNull(dims, "IdxArray.ofUnsignedBytes: dims is null");
    checkNotNull(values, "IdxArray.ofUnsignedBytes: values is null");
    byte[] data = new byte[checkCount("IdxArray.ofUnsignedBytes", Type.UNSIGNED_BYTE, dims, values.length)];
    for (int i = 0; i < values.length; i++) {
      if (values[i] < 0 || values[i] > 255) {
        throw new IllegalArgumentException(
            String.format(
                "IdxArray.ofUnsignedBytes: value %d at index %d is outside 0..255", values[i], i));
      }
      data[i] = (byte) values[i];
    }
    return new IdxArray(Type.UNSIGNED_BYTE, dims.clone(), data);
  }

  /** An {@link Type#INT} array. @throws IllegalArgumentException if the count does not match */
  public static IdxArray ofInts(int[] dims, int[] values) {
    checkNotNull(dims, "IdxArray.ofInts: dims is null");
    checkNotNull(values, "IdxArray.ofInts: values is null");
    ByteBuffer buf = ByteBuffer.allocate(checkCount("IdxArray.ofInts", Type.INT, dims, values.length));
    buf.asIntBuffer().put(values);
    return new IdxArray(Type.INT, dims.clone(), buf.array());
  }

  /** A {@link Type#FLOAT} array. @throws IllegalArgumentException if the count does not match */
  public static IdxArray ofFloats(int[] dims, float[] values) {
    checkNotNull(dims, "IdxArray.ofFloats: dims is null");
    checkNotNull(values, "IdxArray.ofFloats: values is null");
    ByteBuffer buf = ByteBuffer.allocate(checkCount("IdxArray.ofFloats", Type.FLOAT, dims, values.length));
    buf.asFloatBuffer().put(values);
    return new IdxArray(Type.FLOAT, dims.clone(), buf.array());
  }

  /** A {@link Type#DOUBLE} array. @throws IllegalArgumentException if the count does not match */
  public static IdxArray ofDoubles(int[] dims, double[] values) {
    checkNotNull(dims, "IdxArray.ofDoubles: dims is null");
    checkNotNull(values, "IdxArray.ofDoubles: values is null");
    ByteBuffer buf = ByteBuffer.allocate(checkCount("IdxArray.ofDoubles", Type.DOUBLE, dims, values.length));
    buf.asDoubleBuffer().put(values);
    return new IdxArray(Type.DOUBLE, dims.clone(), buf.array());
  }

  private static int checkCount(String op, Type type, int[] dims, int count) {
    int bytes = byteCount(op, type, dims);
    if ((long) count * type.size() != bytes) {
      throw new IllegalArgumentException(
          String.format(
              "%s: %d values do not fill dims %s (%d elements)",
              op, count, Arrays.toString(dims), bytes / type.size()));
    }
    return bytes;
  }

  /** The element type. */
  public Type type() {
    return type;
  }

  /** A copy of the dimensions, outermost first. */
  public int[] dims() {
    return dims.clone();
  }

  /** The number of dimensions (1 or more). */
  public int rank() {
    return dims.length;
  }

  /**
   * The size of dimension {@code axis}.
   *
   * @throws IllegalArgumentException if {@code axis} is not in {@code 0..rank()-1}
   */
  public int dim(int axis) {
    if (axis < 0 || axis >= dims.length) {
      throw new IllegalArgumentException(
          String.format("IdxArray.dim: axis %d out of range for rank %d", axis, dims.length));
    }
    return dims[axis];
  }

  /** The number of elements: the product of the dimensions. */
  public int size() {
    return data.length / type.size();
  }

  /** A copy of the elements' big-endian bytes, exactly as in an IDX file body. */
  public byte[] toBigEndianBytes() {
    return data.clone();
  }

  /**
   * The elements as {@code int}s; unsigned bytes become 0..255.
   *
   * @throws IllegalStateException if the type is FLOAT or DOUBLE (use {@link #toDoubleArray()})
   */
  public int[] toIntArray() {
    int n = size();
    int[] out = new int[n];
    switch (type) {
      case UNSIGNED_BYTE:
        for (int i = 0; i < n; i++) {
          out[i] = data[i] & 0xFF;
        }
        return out;
      case SIGNED_BYTE:
        for (int i = 0; i < n; i++) {
          out[i] = data[i];
        }
        return out;
      case SHORT:
        ByteBuffer buf = ByteBuffer.wrap(data);
        for (int i = 0; i < n; i++) {
          out[i] = buf.getShort(2 * i);
        }
        return out;
      case INT:
        ByteBuffer.wrap(data).asIntBuffer().get(out);
        return out;
      default:
        throw new IllegalStateException(
            "IdxArray.toIntArray: elements are " + type + ", not integers; use toDoubleArray()");
    }
  }

  /** The elements as {@code double}s; every IDX type converts exactly. */
  public double[] toDoubleArray() {
    return toDoubleArray(1.0);
  }

  /**
   * The elements times {@code scale}: {@code out[i] = element[i] * scale}. For pixels,
   * {@code toDoubleArray(1.0 / 255)} maps 0..255 to [0, 1].
   */
  public double[] toDoubleArray(double scale) {
    int n = size();
    double[] out = new double[n];
    ByteBuffer buf = ByteBuffer.wrap(data);
    for (int i = 0; i < n; i++) {
      out[i] = element(buf, i) * scale;
    }
    return out;
  }

  /**
   * The elements as {@code float}s, rounded to nearest where INT or DOUBLE values have no exact
   * float.
   */
  public float[] toFloatArray() {
    int n = size();
    float[] out = new float[n];
    ByteBuffer buf = ByteBuffer.wrap(data);
    for (int i = 0; i < n; i++) {
      out[i] = (float) element(buf, i);
    }
    return out;
  }

  private double element(ByteBuffer buf, int i) {
    switch (type) {
      case UNSIGNED_BYTE:
        return data[i] & 0xFF;
      case SIGNED_BYTE:
        return data[i];
      case SHORT:
        return buf.getShort(2 * i);
      case INT:
        return buf.getInt(4 * i);
      case FLOAT:
        return buf.getFloat(4 * i);
      case DOUBLE:
        return buf.getDouble(8 * i);
      default:
        throw new AssertionError(type);
    }
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof IdxArray)) {
      return false;
    }
    IdxArray other = (IdxArray) o;
    return type == other.type && Arrays.equals(dims, other.dims) && Arrays.equals(data, other.data);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * type.hashCode() + Arrays.hashCode(dims)) + Arrays.hashCode(data);
  }

  /** Type and dimensions, e.g. {@code IdxArray(UNSIGNED_BYTE, [10000, 28, 28])}. */
  @Override
  public String toString() {
    return "IdxArray(" + type + ", " + Arrays.toString(dims) + ")";
  }
}
