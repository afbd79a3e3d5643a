package dev.cadena.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/** Builds the bytes of valid and hostile IDX, gzip and safetensors files for the tests. */
final class CorruptFiles {
  private CorruptFiles() {}

  /** An IDX header: the magic number then the dimensions, all big-endian. */
  static byte[] idxHeader(int magic, int... dims) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length).putInt(magic);
    for (int d : dims) {
      b.putInt(d);
    }
    return b.array();
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  static byte[] gzip(byte[] data) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(buf)) {
      z.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buf.toByteArray();
  }

  /**
   * A valid gzip file of {@code head} followed by {@code mebibytes} MiB of zeros, built in
   * milliseconds: once the deflate window holds only zeros, every further MiB of zeros
   * compresses (with a sync flush after it) to the same bytes, so that block is computed once and
   * repeated. The CRC and length in the trailer are those of the whole content. With a 16-byte
   * IDX header and 1024 MiB this is the 1 MB file that declares and holds 2^30 bytes.
   */
  static byte[] gzipOfZeros(byte[] head, int mebibytes) {
    byte[] zeros = new byte[1 << 20];
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    // Member header: magic, deflate, no flags, no mtime, no extra flags, unknown OS.
    out.write(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff}, 0, 10);
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
    CRC32 crc = new CRC32();
    crc.update(head);
    byte[] first = deflate(deflater, head, Deflater.NO_FLUSH);
    out.write(first, 0, first.length);
    byte[] previous = null;
    byte[] steady = null;
    for (int i = 0; i < mebibytes; i++) {
      crc.update(zeros);
      byte[] block;
      if (steady != null) {
        block = steady;
      } else {
        block = deflate(deflater, zeros, Deflater.SYNC_FLUSH);
        if (previous != null && Arrays.equals(previous, block)) {
          steady = block;
        }
        previous = block;
      }
      out.write(block, 0, block.length);
    }
    deflater.finish();
    byte[] last = deflate(deflater, new byte[0], Deflater.NO_FLUSH);
    out.write(last, 0, last.length);
    deflater.end();
    long length = head.length + ((long) mebibytes << 20);
    byte[] trailer =
        ByteBuffer.allocate(8)
            .order(ByteOrder.LITTLE_ENDIAN)
            .putInt((int) crc.getValue())
            .putInt((int) length)
            .array();
    out.write(trailer, 0, 8);
    return out.toByteArray();
  }

  private static byte[] deflate(Deflater d, byte[] input, int flush) {
    if (!d.finished()) {
      d.setInput(input);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[1 << 16];
    while (true) {
      int n = d.deflate(buf, 0, buf.length, flush);
      out.write(buf, 0, n);
      if (d.finished() || (n < buf.length && d.needsInput())) {
        return out.toByteArray();
      }
    }
  }

  /** A safetensors file: the length, the header padded with spaces to a multiple of 8, data. */
  static byte[] safetensors(String header, byte[] data) {
    String padded = header + " ".repeat((8 - header.getBytes(StandardCharsets.UTF_8).length % 8) % 8);
    return safetensorsUnpadded(padded, data);
  }

  /** A safetensors file as the format lays it out: the length, the header as given, data. */
  static byte[] safetensorsUnpadded(String header, byte[] data) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(8 + h.length + data.length)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putLong(h.length)
        .put(h)
        .put(data)
        .array();
  }

  /** A file whose 8-byte length field is {@code length}, whatever follows. */
  static byte[] withHeaderLength(long length, byte[] rest) {
    return ByteBuffer.allocate(8 + rest.length)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putLong(length)
        .put(rest)
        .array();
  }
}
