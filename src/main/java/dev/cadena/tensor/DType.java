package dev.cadena.tensor;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Locale;

/**
 * Element types of a tensor.
 *
 * <p>{@link #FLOAT64} (Java {@code double}) is the default; {@link #FLOAT32} is there for speed
 * and memory; {@link #INT64} holds indices and labels (argmax results, class indices for
 * {@code gather}, {@code indexSelect}, {@code oneHot}) and supports creation, movement,
 * comparison and conversion but no arithmetic.
 *
 * <p><b>Promotion rule</b> (as PyTorch's for these types): when two tensors of different dtypes
 * meet in one op, the result has the "wider" dtype: {@code float32 op float64 -> float64} and
 * {@code int64 op floatX -> floatX}. A Java scalar ({@code x.mul(2.0)}) never promotes: the
 * result keeps the tensor's dtype.
 */
public enum DType {
  /** IEEE 754 double precision; the default. */
  FLOAT64("float64", 8, "F64"),
  /** IEEE 754 single precision. */
  FLOAT32("float32", 4, "F32"),
  /** 64-bit signed integers, for indices and labels. */
  INT64("int64", 8, "I64");

  private final String displayName;
  private final int byteSize;
  private final String safetensorsName;

  DType(String displayName, int byteSize, String safetensorsName) {
    this.displayName = displayName;
    this.byteSize = byteSize;
    this.safetensorsName = safetensorsName;
  }

  /** Size of one element in bytes. */
  public int byteSize() {
    return byteSize;
  }

  /** True for {@link #FLOAT64} and {@link #FLOAT32}. */
  public boolean isFloatingPoint() {
    return this != INT64;
  }

  /** The dtype name used by the safetensors format ({@code F64}, {@code F32}, {@code I64}). */
  public String safetensorsName() {
    return safetensorsName;
  }

  /**
   * The dtype of the result when {@code a} and {@code b} meet in one op (see the class doc).
   *
   * @return {@code a} when both are equal, else the wider of the two
   */
  public static DType promote(DType a, DType b) {
    checkNotNull(a, "promote: a is null");
    checkNotNull(b, "promote: b is null");
    if (a == b) {
      return a;
    }
    if (a == INT64) {
      return b;
    }
    if (b == INT64) {
      return a;
    }
    return FLOAT64;
  }

  /**
   * Parses {@code "float64"}, {@code "float32"}, {@code "int64"} (also {@code "double"},
   * {@code "float"}, {@code "long"}).
   *
   * @throws IllegalArgumentException naming the value and the accepted names
   */
  public static DType parse(String name) {
    checkNotNull(name, "DType.parse: name is null");
    switch (name.toLowerCase(Locale.ROOT)) {
      case "float64":
      case "double":
      case "f64":
        return FLOAT64;
      case "float32":
      case "float":
      case "f32":
        return FLOAT32;
      case "int64":
      case "long":
      case "i64":
        return INT64;
      default:
        throw new IllegalArgumentException(
            "dtype: unknown dtype '" + name + "' (expected float64, float32 or int64)");
    }
  }

  @Override
  public String toString() {
    return displayName;
  }
}
