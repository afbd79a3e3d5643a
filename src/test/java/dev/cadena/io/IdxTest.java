package dev.cadena.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
  @TempDir Path dir;

  private static byte[] bytes(IdxArray a) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Idx.write(out, a);
    return out.toByteArray();
  }

  private static byte[] gzip(byte[] raw) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(raw);
    }
    return out.toByteArray();
  }

  private static IdxArray read(byte[] content) throws IOException {
    return Idx.read(new ByteArrayInputStream(content), "test.idx");
  }

  @Test
  void testWrite_layoutIsBigEndianHeaderThenData() throws IOException {
    IdxArray a = IdxArray.ofUnsignedBytes(new int[] {2, 3}, new int[] {0, 1, 2, 253, 254, 255});
    byte[] expected = {
      0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3, 0, 1, 2, (byte) 253, (byte) 254, (byte) 255
    };
    assertArrayEquals(expected, bytes(a));
  }

  @Test
  void testRead_allTypesRoundTrip() throws IOException {
    int[] dims = {2, 2};
    IdxArray[] arrays = {
      IdxArray.ofUnsignedBytes(dims, new int[] {0, 7, 128, 255}),
      IdxArray.ofBytes(IdxArray.Type.SIGNED_BYTE, dims, new byte[] {-128, -1, 0, 127}),
      IdxArray.ofBytes(IdxArray.Type.SHORT, dims, new byte[] {(byte) 0x80, 0, -1, -1, 0, 1, 0x7f, -1}),
      IdxArray.ofInts(dims, new int[] {Integer.MIN_VALUE, -1, 0, Integer.MAX_VALUE}),
      IdxArray.ofFloats(dims, new float[] {-1.5f, 0f, Float.MIN_VALUE, 3.25e10f}),
      IdxArray.ofDoubles(dims, new double[] {-1.5, 0, Double.MIN_VALUE, Math.PI}),
    };
    for (IdxArray a : arrays) {
      IdxArray back = read(bytes(a));
      assertEquals(a, back, a.toString());
      IdxArray backGz = read(gzip(bytes(a)));
      assertEquals(a, backGz, a.toString());
    }
    assertArrayEquals(new int[] {0, 7, 128, 255}, arrays[0].toIntArray());
    assertArrayEquals(new int[] {-128, -1, 0, 127}, arrays[1].toIntArray());
    assertArrayEquals(new int[] {-32768, -1, 1, 32767}, arrays[2].toIntArray());
    assertArrayEquals(new double[] {-1.5, 0, Float.MIN_VALUE, 3.25e10f}, arrays[4].toDoubleArray());
    assertArrayEquals(new double[] {-1.5, 0, Double.MIN_VALUE, Math.PI}, arrays[5].toDoubleArray());
    assertArrayEquals(new double[] {0, 3.5, 64, 127.5}, arrays[0].toDoubleArray(0.5), 1e-12);
  }

  @Test
  void testToIntArray_floatTypeThrows() {
    IdxArray a = IdxArray.ofFloats(new int[] {1}, new float[] {1f});
    IllegalStateException e = assertThrows(IllegalStateException.class, a::toIntArray);
    assertTrue(e.getMessage().contains("FLOAT"), e.getMessage());
  }

  @Test
  void testWritePath_gzipByExtensionAndAtomic() throws IOException {
    IdxArray a = IdxArray.ofUnsignedBytes(new int[] {3, 1}, new int[] {1, 2, 3});
    Path plain = dir.resolve("a.idx");
    Path zipped = dir.resolve("a.idx.gz");
    Idx.write(plain, a);
    Idx.write(zipped, a);
    assertArrayEquals(bytes(a), Files.readAllBytes(plain));
    byte[] z = Files.readAllBytes(zipped);
    assertEquals(0x1f, z[0] & 0xFF);
    assertEquals(0x8b, z[1] & 0xFF);
    assertEquals(a, Idx.read(plain));
    assertEquals(a, Idx.read(zipped));
    // Overwrite: new content replaces the old one; no temporary files are left behind.
    IdxArray b = IdxArray.ofUnsignedBytes(new int[] {1}, new int[] {9});
    Idx.write(plain, b);
    assertEquals(b, Idx.read(plain));
    try (var files = Files.list(dir)) {
      assertEquals(2, files.count());
    }
  }

  @Test
  void testRead_embeddedMnistHeaders() throws IOException {
    try (var in = Idx.class.getResourceAsStream("/dev/cadena/data/mnist-10k/labels-idx1-ubyte.gz")) {
      IdxArray labels = Idx.read(in, "labels-idx1-ubyte.gz");
      assertEquals(IdxArray.Type.UNSIGNED_BYTE, labels.type());
      assertArrayEquals(new int[] {10000}, labels.dims());
      assertArrayEquals(new int[] {7, 3, 0, 9, 9, 8, 8, 6}, Arrays.copyOf(labels.toIntArray(), 8));
    }
  }

  @Test
  void testRead_badMagicNamesValueAndSource() {
    byte[] content = {0, 0, 0x07, 1, 0, 0, 0, 0};
    FormatException e = assertThrows(FormatException.class, () -> read(content));
    assertTrue(e.getMessage().startsWith("idx: bad magic number 0x00000701 in test.idx"), e.getMessage());
    byte[] nonZero = {1, 0, 0x08, 1, 0, 0, 0, 0};
    e = assertThrows(FormatException.class, () -> read(nonZero));
    assertTrue(e.getMessage().contains("0x01000801"), e.getMessage());
    byte[] rankZero = {0, 0, 0x08, 0};
    e = assertThrows(FormatException.class, () -> read(rankZero));
    assertTrue(e.getMessage().contains("0x00000800"), e.getMessage());
  }

  @Test
  void testRead_everyTruncationIsFormatException() throws IOException {
    byte[] full = bytes(IdxArray.ofInts(new int[] {2, 3}, new int[] {1, 2, 3, 4, 5, 6}));
    for (int len = 0; len < full.length; len++) {
      byte[] prefix = Arrays.copyOf(full, len);
      FormatException e = assertThrows(FormatException.class, () -> read(prefix), "prefix " + len);
      assertTrue(e.getMessage().contains("test.idx"), e.getMessage());
      assertTrue(e.getMessage().contains("truncated"), e.getMessage());
      byte[] gz = gzip(prefix);
      assertThrows(FormatException.class, () -> read(gz), "gzip of prefix " + len);
    }
    byte[] gzFull = gzip(full);
    for (int len = 2; len < gzFull.length; len++) {
      byte[] prefix = Arrays.copyOf(gzFull, len);
      assertThrows(FormatException.class, () -> read(prefix), "gzip prefix " + len);
    }
  }

  @Test
  void testRead_truncatedDataMessageHasCounts() throws IOException {
    byte[] full = bytes(IdxArray.ofUnsignedBytes(new int[] {4, 2}, new int[8]));
    FormatException e =
        assertThrows(FormatException.class, () -> read(Arrays.copyOf(full, full.length - 3)));
    assertEquals(
        "idx: truncated data in test.idx: expected 8 bytes for UNSIGNED_BYTE [4, 2], got 5",
        e.getMessage());
  }

  @Test
  void testRead_trailingBytesRejected() throws IOException {
    byte[] full = bytes(IdxArray.ofUnsignedBytes(new int[] {2}, new int[] {1, 2}));
    byte[] longer = Arrays.copyOf(full, full.length + 3);
    FormatException e = assertThrows(FormatException.class, () -> read(longer));
    assertEquals(
        "idx: 3 trailing bytes in test.idx after the 2 data bytes of UNSIGNED_BYTE [2]",
        e.getMessage());
    assertThrows(FormatException.class, () -> read(gzip(longer)));
  }

  @Test
  void testRead_negativeAndHugeDimensions() {
    ByteBuffer neg = ByteBuffer.allocate(12).putInt(0x00000802).putInt(3).putInt(-1);
    FormatException e = assertThrows(FormatException.class, () -> read(neg.array()));
    assertTrue(e.getMessage().contains("negative") && e.getMessage().contains("[3, -1]"), e.getMessage());
    ByteBuffer huge =
        ByteBuffer.allocate(16).putInt(0x00000E03).putInt(65536).putInt(65536).putInt(1);
    e = assertThrows(FormatException.class, () -> read(huge.array()));
    assertTrue(e.getMessage().contains("too large") && e.getMessage().contains("test.idx"), e.getMessage());
  }

  @Test
  void testRead_corruptGzipIsFormatException() throws IOException {
    IdxArray original = IdxArray.ofUnsignedBytes(new int[] {64}, new int[64]);
    byte[] gz = gzip(bytes(original));
    int detected = 0;
    for (int i = 10; i < gz.length; i++) {
      byte[] bad = gz.clone();
      bad[i] ^= 0x5A;
      // Some flips only touch the padding bits after the last deflate block: those must read
      // back unchanged; every other flip must be reported as a FormatException.
      try {
        assertEquals(original, read(bad), "flipped byte " + i);
      } catch (FormatException e) {
        detected++;
      }
    }
    assertTrue(detected >= gz.length - 12, "detected " + detected + " of " + (gz.length - 10));
  }

  @Test
  void testReadPath_missingFileNamesFile() {
    Path missing = dir.resolve("nope.idx");
    NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Idx.read(missing));
    assertTrue(e.getMessage().contains("nope.idx"), e.getMessage());
  }

  @Test
  void testFactories_badInputNamesValues() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> IdxArray.ofUnsignedBytes(new int[] {2}, new int[] {1, 256}));
    assertTrue(e.getMessage().contains("256") && e.getMessage().contains("index 1"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> IdxArray.ofInts(new int[] {2, 2}, new int[3]));
    assertTrue(e.getMessage().contains("[2, 2]") && e.getMessage().contains("3 values"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> IdxArray.ofInts(new int[0], new int[0]));
    assertTrue(e.getMessage().contains("rank"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> IdxArray.ofInts(new int[] {1}, new int[] {1}).dim(1));
    assertTrue(e.getMessage().contains("axis 1"), e.getMessage());
  }

  @Test
  void testAccessors_returnCopies() {
    IdxArray a = IdxArray.ofUnsignedBytes(new int[] {2}, new int[] {1, 2});
    a.dims()[0] = 99;
    a.toBigEndianBytes()[0] = 99;
    assertArrayEquals(new int[] {2}, a.dims());
    assertArrayEquals(new int[] {1, 2}, a.toIntArray());
    assertEquals("IdxArray(UNSIGNED_BYTE, [2])", a.toString());
  }

  /** Bytes the current thread has allocated so far (HotSpot counts them per thread). */
  private static long allocated() {
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assertTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled());
    return mx.getCurrentThreadAllocatedBytes();
  }

  @Test
  void testRead_gzipBombFailsFastWithBoundedMemory() throws IOException {
    byte[] head = CorruptFiles.idxHeader(0x00000803, 1024, 1024, 1024);
    byte[] bomb = CorruptFiles.gzipOfZeros(head, 1024);
    assertTrue(bomb.length < 1_100_000, "about 1 MB: " + bomb.length);
    // The generator makes real bombs: valid gzip (CRC and length are checked at the end) that
    // holds every byte it claims. Checked on 64 MiB, which inflates in a fraction of the time.
    byte[] small = CorruptFiles.gzipOfZeros(head, 64);
    long inflated = 0;
    long wrong = 0;
    try (GZIPInputStream z = new GZIPInputStream(new ByteArrayInputStream(small), 1 << 16)) {
      byte[] buf = new byte[1 << 20];
      for (int r; (r = z.read(buf)) >= 0; ) {
        for (int i = 0; i < r; i++) {
          long at = inflated + i;
          wrong += buf[i] != (at < head.length ? head[(int) at] : 0) ? 1 : 0;
        }
        inflated += r;
      }
    }
    assertEquals(16 + (64L << 20), inflated);
    assertEquals(0, wrong, "bytes that differ from the header and zeros");

    Path p = dir.resolve("bomb.idx.gz");
    Files.write(p, bomb);
    long before = allocated();
    FormatException e = assertThrows(FormatException.class, () -> Idx.read(p));
    long used = allocated() - before;
    assertTrue(e.getMessage().startsWith("idx: gzip data in " + p + " expands more than 100-fold"), e.getMessage());
    assertTrue(e.getMessage().contains("gzip bomb"), e.getMessage());
    assertTrue(used < 64 << 20, "allocated " + used + " bytes to refuse it");
  }

  @Test
  void testRead_declaredSizeBeyondTheDataAllocatesWhatArrives() throws IOException {
    byte[] mib = new byte[1 << 20];
    byte[] lying = CorruptFiles.concat(CorruptFiles.idxHeader(0x00000803, 1024, 1024, 1024), mib);
    Path p = dir.resolve("lying.idx");
    Files.write(p, lying);
    long before = allocated();
    FormatException e = assertThrows(FormatException.class, () -> Idx.read(p));
    long plainFile = allocated() - before;
    assertTrue(e.getMessage().endsWith("expected 1073741824 bytes for UNSIGNED_BYTE [1024, 1024, 1024], got 1048576"), e.getMessage());
    assertTrue(plainFile < 1 << 20, "a plain file is refused from its length: allocated " + plainFile);

    before = allocated();
    assertThrows(FormatException.class, () -> read(lying));
    long stream = allocated() - before;
    assertTrue(stream < 8 << 20, "a stream's buffer grows with what arrives: allocated " + stream);
  }

  @Test
  void testRead_compressibleGzipBeyondTheAllowanceStillReads() throws IOException {
    // 18 MiB (past the 16 MiB allowance) of two-valued pixels: about 7:1, far below 100:1.
    SplittableRandom rng = new SplittableRandom(3);
    int[] values = new int[18 << 20];
    for (int i = 0; i < values.length; i++) {
      values[i] = rng.nextBoolean() ? 255 : 0;
    }
    IdxArray big = IdxArray.ofUnsignedBytes(new int[] {18, 1024, 1024}, values);
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (GZIPOutputStream z =
        new GZIPOutputStream(buf, 1 << 16) {
          {
            def.setLevel(Deflater.BEST_SPEED);
          }
        }) {
      Idx.write(z, big);
    }
    assertTrue(buf.size() * 100L > (18L << 20), "ratio below 100: " + buf.size());
    assertEquals(big, read(buf.toByteArray()));
    // A small file may expand much more: the first 16 MiB are allowed any ratio.
    byte[] zeros = gzip(bytes(IdxArray.ofUnsignedBytes(new int[] {4 << 20}, new int[4 << 20])));
    assertTrue(zeros.length * 100L < (4L << 20), "ratio above 100: " + zeros.length);
    assertEquals(4 << 20, read(zeros).size());
  }

  @Test
  void testRead_trailingBytesOfANeverEndingStreamAreCountedUpToALimit() throws IOException {
    byte[] head = bytes(IdxArray.ofUnsignedBytes(new int[] {1}, new int[] {7}));
    java.io.InputStream endless =
        new java.io.InputStream() {
          int pos;

          @Override
          public int read() {
            return pos < head.length ? head[pos++] & 0xFF : 0;
          }
        };
    FormatException e = assertThrows(FormatException.class, () -> Idx.read(endless, "endless"));
    assertEquals(
        "idx: more than 1048576 trailing bytes in endless after the 1 data bytes of UNSIGNED_BYTE [1]",
        e.getMessage());
  }
}
