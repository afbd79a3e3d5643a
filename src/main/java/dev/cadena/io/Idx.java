package dev.cadena.io;

import static com.google.common.base.Preconditions.checkNotNull;

import java.io.BufferedInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 * rejected with a {@link FormatException} that names the file and the byte counts. Memory is
 * bounded by what the input holds, not by what its header claims: a plain file's length is
 * compared with the declared size before any data is read, a stream's buffer grows with the
 * bytes that arrive, and gzip data that expands more than {@value #MAX_GZIP_EXPANSION}-fold is
 * refused as a gzip bomb.
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

  /**
   * How many times its compressed size gzip data may expand to; more is refused as a gzip bomb.
   * Deflate can reach about 1032:1 on constant data; MNIST's files are about 5:1.
   */
  public static final int MAX_GZIP_EXPANSION = 100;

  /** Decompressed bytes that may come out before {@link #MAX_GZIP_EXPANSION} is enforced. */
  public static final int GZIP_EXPANSION_ALLOWANCE = 1 << 24;

  /** Trailing bytes are counted up to this many, so a stream that never ends cannot hang us. */
  private static final int MAX_TRAILING_COUNT = 1 << 20;

  /** The first data buffer; it doubles as data arrives. */
  private static final int INITIAL_BUFFER = 1 << 16;

  /** The most bytes asked of the stream at once, so the gzip expansion is checked often. */
  private static final int MAX_READ = 1 << 20;

  private Idx() {}

  /**
   * Reads an IDX file, gzip-compressed or not. Only a regular file (or a link to one) is opened,
   * so a named pipe cannot block the call. The header is checked against what the file can hold
   * before the data is read: a plain file whose length differs from what its dimensions declare
   * fails at once, and a gzip file is read in chunks and refused as soon as it expands more than
   * {@value #MAX_GZIP_EXPANSION}-fold (see {@link #read(InputStream, String)}).
   *
   * @throws FormatException if the content is not valid IDX (bad magic number, negative or
   *     oversized dimensions, truncated data, trailing bytes, corrupt gzip data, a gzip bomb)
   * @throws java.nio.file.NoSuchFileException if the file does not exist (its message is the path)
   * @throws java.nio.file.FileSystemException if {@code path} is a directory, a named pipe, a
   *     device or another special file; the message names the path and what it is
   * @throws IOException on other I/O failures
   */
  public static IdxArray read(Path path) throws IOException {
    checkNotNull(path, "Idx.read: path is null");
    InputFiles.requireRegularFile("idx", path);
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      return read(Channels.newInputStream(channel), channel.size(), path.toString(), path);
    }
  }

  /**
   * Reads one IDX array from {@code in}, gzip-compressed or not, to its end. The stream is not
   * closed.
   *
   * <p>Memory grows with the bytes that arrive, never with what the header declares: the data
   * buffer starts small and doubles up to the declared size, so a short stream fails with a
   * {@link FormatException} after allocating about what it held. Gzip data may expand at most
   * {@value #MAX_GZIP_EXPANSION}-fold (decompressed bytes over compressed bytes read so far) once
   * more than {@value #GZIP_EXPANSION_ALLOWANCE} bytes have come out, so a small file that
   * inflates to gigabytes (a gzip bomb) is refused after a few megabytes; real IDX data (MNIST
   * compresses about 5:1) stays far below that.
   *
   * @param source how messages name the stream, e.g. a file or resource name
   * @throws FormatException if the content is not valid IDX
   * @throws IOException if reading fails
   */
  public static IdxArray read(InputStream in, String source) throws IOException {
    checkNotNull(in, "Idx.read: in is null");
    checkNotNull(source, "Idx.read: source is null");
    return read(in, -1, source, null);
  }

  /**
   * @param size the byte length of the (possibly compressed) content when known, else -1
   */
  private static IdxArray read(InputStream raw, long size, String source, Path path)
      throws IOException {
    CountingInputStream counted = new CountingInputStream(raw);
    BufferedInputStream buffered = new BufferedInputStream(counted, 1 << 16);
    buffered.mark(2);
    int b0 = buffered.read();
    int b1 = buffered.read();
    buffered.reset();
    boolean gzipped = b0 == GZIP_MAGIC_0 && b1 == GZIP_MAGIC_1;
    try {
      if (gzipped) {
        InputStream in = new GZIPInputStream(buffered, 1 << 16);
        return readUncompressed(in, -1, counted, source, path);
      }
      return readUncompressed(buffered, size, null, source, path);
    } catch (ZipException | EOFException e) {
      // Only the gzip layer throws these here: the IDX layer reports short reads itself.
      throw new FormatException(
          "idx: corrupt or truncated gzip data in " + source + ": " + e.getMessage(), path, e);
    }
  }

  /**
   * @param size the byte length of {@code in} when known, else -1
   * @param compressed counts the compressed bytes under a gzip stream, or {@code null}
   */
  private static IdxArray readUncompressed(
      InputStream in, long size, CountingInputStream compressed, String source, Path path)
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
    int headerBytes = 4 + 4 * rank;

    if (size >= 0) {
      // A plain file: its length says at once whether the data is all there.
      long available = size - headerBytes;
      if (available < expected) {
        throw truncated(source, path, expected, type, dims, available);
      }
      if (available > expected) {
        throw trailing(source, path, Long.toString(available - expected), expected, type, dims);
      }
    }
    // A plain file's data is known to be there; a stream's buffer grows with what arrives.
    byte[] data = new byte[size >= 0 ? expected : Math.min(expected, INITIAL_BUFFER)];
    int n = 0;
    while (n < expected) {
      if (n == data.length) {
        data = Arrays.copyOf(data, (int) Math.min(expected, 2L * data.length));
      }
      int r = in.read(data, n, Math.min(data.length - n, MAX_READ));
      if (r < 0) {
        throw truncated(source, path, expected, type, dims, n);
      }
      n += r;
      if (compressed != null) {
        checkExpansion(headerBytes + (long) n, compressed.count(), expected, type, dims, source, path);
      }
    }
    if (in.read() != -1) {
      long extra = 1;
      byte[] skip = new byte[8192];
      for (int r; extra <= MAX_TRAILING_COUNT && (r = in.read(skip)) >= 0; ) {
        extra += r;
      }
      throw trailing(
          source,
          path,
          extra > MAX_TRAILING_COUNT ? "more than " + MAX_TRAILING_COUNT : Long.toString(extra),
          expected,
          type,
          dims);
    }
    return IdxArray.wrap(type, dims, data);
  }

  private static void checkExpansion(
      long out, long in, int expected, IdxArray.Type type, int[] dims, String source, Path path) {
    if (out > GZIP_EXPANSION_ALLOWANCE && out > MAX_GZIP_EXPANSION * in) {
      throw new FormatException(
          String.format(
              "idx: gzip data in %s expands more than %d-fold (%d bytes from %d compressed), a"
                  + " likely gzip bomb; refused before reading the %d data bytes %s %s declares",
              source, MAX_GZIP_EXPANSION, out, in, expected, type, Arrays.toString(dims)),
          path);
    }
  }

  private static FormatException truncated(
      String source, Path path, int expected, IdxArray.Type type, int[] dims, long got) {
    return new FormatException(
        String.format(
            "idx: truncated data in %s: expected %d bytes for %s %s, got %d",
            source, expected, type, Arrays.toString(dims), got),
        path);
  }

  private static FormatException trailing(
      String source, Path path, String extra, int expected, IdxArray.Type type, int[] dims) {
    return new FormatException(
        String.format(
            "idx: %s trailing bytes in %s after the %d data bytes of %s %s",
            extra, source, expected, type, Arrays.toString(dims)),
        path);
  }

  /** Counts the bytes read through it: the compressed bytes under a gzip stream. */
  private static final class CountingInputStream extends FilterInputStream {
    private long count;

    CountingInputStream(InputStream in) {
      super(in);
    }

    long count() {
      return count;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int r = in.read(b, off, len);
      if (r > 0) {
        count += r;
      }
      return r;
    }

    @Override
    public long skip(long n) throws IOException {
      long s = in.skip(n);
      count += Math.max(0, s);
      return s;
    }

    @Override
    public boolean markSupported() {
      return false;
    }
  }

  /**
   * Writes {@code array} to {@code path} atomically: readers see the old file or the complete new
   * one, never a partial file. A name ending in {@code .gz} gets gzip-compressed content. Like
   * {@link SafeTensors#write}, it first removes the temporary files {@code .NAME.<hex>.tmp} that
   * killed saves left in the directory and that have not been modified for a minute.
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
