package dev.cadena.io;

import static com.google.common.base.Preconditions.checkNotNull;

import java.io.BufferedInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

/**
 * Reads and writes the IDX format of the MNIST files.
 *
 * <p>Layout, all integers big-endian:
 *
 * <pre>
 * magic   4 bytes: 0x00 0x00 TYPE RANK
 *                  TYPE: 0x08 unsigned byte, 0x09 signed byte, 0x0B int16, 0x0C int32,
 *                        0x0D float32, 0x0E float64
 *                  RANK: number of dimensions, 1..255
 * dims    RANK x int32, each &gt;= 0
 * data    product(dims) elements of TYPE, row-major (last index fastest)
 * </pre>
 *
 * <p>A stream that starts with the gzip magic bytes {@code 1f 8b} is decompressed on the fly, so
 * {@code images-idx3-ubyte} and {@code images-idx3-ubyte.gz} read alike. The data must have
 * exactly the length the dimensions imply: a short file and a file with trailing bytes are both
 * rejected with a {@link FormatException} that names the file and the byte counts.
 *
 * <p>Example:
 *
 * <pre>{@code
 * IdxArray images = Idx.read(Path.of("train-images-idx3-ubyte.gz"));
 * images.dims();                          // [60000, 28, 28]
 * double[] x = images.toDoubleArray(1.0 / 255);
 *
 * Idx.write(Path.of("labels.idx"), IdxArray.ofUnsignedBytes(new int[] {3}, new int[] {7, 2, 1}));
 * }</pre>
 */
public final class Idx {
  private static final int GZIP_MAGIC_0 = 0x1f;
  private static final int GZIP_MAGIC_1 = 0x8b;

  private Idx() {}

  /**
   * Reads an IDX file, gzip-compressed or not.
   *
   * @throws FormatException if the content is not valid IDX (bad magic number, negative or
   *     oversized dimensions, truncated data, trailing bytes, corrupt gzip data)
   * @throws java.nio.file.NoSuchFileException if the file does not exist (its message is the path)
   * @throws IOException on other I/O failures
   */
  public static IdxArray read(Path path) throws IOException {
    checkNotNull(path, "Idx.read: path is null");
    try (InputStream in = Files.newInputStream(path)) {
      return read(in, path.toString(), path);
    }
  }

  /**
   * Reads one IDX array from {@code in}, gzip-compressed or not, to its end. The stream is not
   * closed.
   *
   * @param source how messages name the stream, e.g. a file or resource name
   * @throws FormatException if the content is not valid IDX
   * @throws IOException if reading fails
   */
  public static IdxArray read(InputStream in, String source) throws IOException {
    checkNotNull(in, "Idx.read: in is null");
    checkNotNull(source, "Idx.read: source is null");
    return read(in, source, null);
  }

  private static IdxArray read(InputStream raw, String source, Path path) throws IOException {
    BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16);
    buffered.mark(2);
    int b0 = buffered.read();
    int b1 = buffered.read();
    buffered.reset();
    boolean gzipped = b0 == GZIP_MAGIC_0 && b1 == GZIP_MAGIC_1;
    try {
      InputStream in = gzipped ? new GZIPInputStream(buffered, 1 << 16) : buffered;
      return readUncompressed(in, source, path);
    } catch (ZipException | EOFException e) {
      // Only the gzip layer throws these here: the IDX layer reports short reads itself.
      throw new FormatException(
          "idx: corrupt or truncated gzip data in " + source + ": " + e.getMessage(), path, e);
    }
  }

  private static IdxArray readUncompressed(InputStream in, String source, Path path)
      throws IOException {
    byte[] magicBytes = in.readNBytes(4);
    if (magicBytes.length < 4) {
      throw new FormatException(
          String.format(
              "idx: truncated header in %s: expected a 4-byte magic number, got %d bytes",
              source, magicBytes.length),
          path);
    }
    int magic = ByteBuffer.wrap(magicBytes).getInt();
    int typeCode = (magic >>> 8) & 0xFF;
    int rank = magic & 0xFF;
    IdxArray.Type type = null;
    for (IdxArray.Type t : IdxArray.Type.values()) {
      if (t.code() == typeCode) {
        type = t;
      }
    }
    if ((magic >>> 16) != 0 || type == null || rank == 0) {
      throw new FormatException(
          String.format(
              "idx: bad magic number 0x%08X in %s (expected 0x0000TTRR with type code TT one of"
                  + " %s and rank RR >= 1)",
              magic, source, IdxArray.Type.codeList()),
          path);
    }

    byte[] dimBytes = in.readNBytes(4 * rank);
    if (dimBytes.length < 4 * rank) {
      throw new FormatException(
          String.format(
              "idx: truncated header in %s: rank %d needs %d bytes of dimensions, got %d",
              source, rank, 4 * rank, dimBytes.length),
          path);
    }
    int[] dims = new int[rank];
    ByteBuffer.wrap(dimBytes).asIntBuffer().get(dims);
    int expected;
    try {
      expected = IdxArray.byteCount("idx", type, dims);
    } catch (IllegalArgumentException e) {
      throw new FormatException(e.getMessage() + " in " + source, path, e);
    }

    byte[] data = in.readNBytes(expected); // grows as data arrives, so a lying header cannot
    // make us allocate gigabytes for a small file
    if (data.length < expected) {
      throw new FormatException(
          String.format(
              "idx: truncated data in %s: expected %d bytes for %s %s, got %d",
              source, expected, type, Arrays.toString(dims), data.length),
          path);
    }
    if (in.read() != -1) {
      long extra = 1 + in.transferTo(OutputStream.nullOutputStream());
      throw new FormatException(
          String.format(
              "idx: %d trailing bytes in %s after the %d data bytes of %s %s",
              extra, source, expected, type, Arrays.toString(dims)),
          path);
    }
    return IdxArray.wrap(type, dims, data);
  }

  /**
   * Writes {@code array} to {@code path} atomically: readers see the old file or the complete new
   * one, never a partial file. A name ending in {@code .gz} gets gzip-compressed content.
   *
   * @throws IOException if the file cannot be written; the previous file, if any, is untouched
   */
  public static void write(Path path, IdxArray array) throws IOException {
    checkNotNull(path, "Idx.write: path is null");
    checkNotNull(array, "Idx.write: array is null");
    boolean gzip = path.getFileName() != null && path.getFileName().toString().endsWith(".gz");
    AtomicFiles.write(
        path,
        out -> {
          if (gzip) {
            GZIPOutputStream zipped = new GZIPOutputStream(out, 1 << 16);
            write(zipped, array);
            zipped.finish();
          } else {
            write(out, array);
          }
        });
  }

  /**
   * Writes {@code array} as uncompressed IDX to {@code out}, which is flushed but not closed.
   *
   * @throws IOException if writing fails
   */
  public static void write(OutputStream out, IdxArray array) throws IOException {
    checkNotNull(out, "Idx.write: out is null");
    checkNotNull(array, "Idx.write: array is null");
    DataOutputStream data = new DataOutputStream(out);
    data.writeInt(magic(array.type(), array.rank()));
    for (int d : array.dims()) {
      data.writeInt(d);
    }
    data.write(array.toBigEndianBytes());
    data.flush();
  }

  /** The magic number for a type and rank, e.g. {@code 0x00000803} for MNIST images. */
  public static int magic(IdxArray.Type type, int rank) {
    checkNotNull(type, "Idx.magic: type is null");
    if (rank < 1 || rank > 255) {
      throw new IllegalArgumentException("idx: rank must be 1..255, got " + rank);
    }
    return (type.code() << 8) | rank;
  }
}
