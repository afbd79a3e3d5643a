package dev.cadena.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistTest {
  @TempDir Path dir;

  @Test
  void testEmbedded_sizesLabelsAndPixelRange() {
    Mnist all = Mnist.embedded();
    assertSame(all, Mnist.embedded());
    assertEquals(10_000, all.size());
    assertEquals("Mnist(10000 images, 28x28)", all.toString());
    int[] labels = all.labels();
    assertArrayEquals(new int[] {7, 3, 0, 9, 9, 8, 8, 6}, Arrays.copyOf(labels, 8));
    int[] counts = new int[10];
    for (int y : labels) {
      counts[y]++;
    }
    for (int c = 0; c < 10; c++) {
      assertTrue(counts[c] > 800, "class " + c + " has " + counts[c]);
    }
    float[] x = all.imagesAsFloats();
    assertEquals(10_000 * 784, x.length);
    float min = 1;
    float max = 0;
    for (float v : x) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    assertEquals(0f, min);
    assertEquals(1f, max);
  }

  @Test
  void testEmbedded_trainTestConvention() {
    Mnist train = Mnist.embeddedTrain();
    Mnist test = Mnist.embeddedTest();
    assertEquals(8_000, train.size());
    assertEquals(2_000, test.size());
    int[] all = Mnist.embedded().labels();
    assertArrayEquals(Arrays.copyOfRange(all, 8_000, 10_000), test.labels());
    double[] xAll = Mnist.embedded().imagesAsDoubles();
    assertArrayEquals(Arrays.copyOfRange(xAll, 8_000 * 784, 8_001 * 784), Arrays.copyOf(test.imagesAsDoubles(), 784));
    assertEquals(all[8_000], test.label(0));
  }

  @Test
  void testImages_scalingIsValueOver255() {
    Mnist m = Mnist.embedded().subset(0, 1);
    int[] px = m.pixels();
    float[] f = m.imagesAsFloats();
    double[] d = m.imagesAsDoubles();
    for (int i = 0; i < px.length; i++) {
      assertEquals(px[i] / 255f, f[i]);
      assertEquals(px[i] / 255.0, d[i]);
    }
  }

  private static IdxArray images(int n, int rows, int cols, long seed) {
    Random rnd = new Random(seed);
    int[] px = new int[n * rows * cols];
    for (int i = 0; i < px.length; i++) {
      px[i] = rnd.nextInt(256);
    }
    return IdxArray.ofUnsignedBytes(new int[] {n, rows, cols}, px);
  }

  private static IdxArray labels(int... values) {
    return IdxArray.ofUnsignedBytes(new int[] {values.length}, values);
  }

  @Test
  void testLoad_directoryPlainAndGzipAndPrefix() throws IOException {
    IdxArray x = images(3, 28, 28, 1);
    Idx.write(dir.resolve("images-idx3-ubyte.gz"), x);
    Idx.write(dir.resolve("labels-idx1-ubyte"), labels(4, 0, 9));
    Mnist m = Mnist.load(dir);
    assertEquals(3, m.size());
    assertArrayEquals(new int[] {4, 0, 9}, m.labels());
    assertArrayEquals(x.toIntArray(), m.pixels());

    Idx.write(dir.resolve("t10k-images-idx3-ubyte"), images(2, 28, 28, 2));
    Idx.write(dir.resolve("t10k-labels-idx1-ubyte.gz"), labels(1, 2));
    assertArrayEquals(new int[] {1, 2}, Mnist.load(dir, "t10k-").labels());
  }

  @Test
  void testLoad_missingFileNamesBothCandidates() {
    NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Mnist.load(dir, "train-"));
    assertTrue(
        e.getMessage().contains("train-images-idx3-ubyte.gz") && e.getMessage().contains(dir.toString()),
        e.getMessage());
  }

  @Test
  void testOf_mismatchedCounts() {
    FormatException e =
        assertThrows(
            FormatException.class, () -> Mnist.of(images(3, 28, 28, 3), "img", labels(1, 2), "lab"));
    assertEquals("mnist: 3 images in img but 2 labels in lab", e.getMessage());
  }

  @Test
  void testOf_wrongImageSize() {
    FormatException e =
        assertThrows(
            FormatException.class, () -> Mnist.of(images(1, 28, 27, 4), "img", labels(1), "lab"));
    assertEquals("mnist: images in img are 28x27, expected 28x28", e.getMessage());
  }

  @Test
  void testOf_labelOutOfRange() {
    FormatException e =
        assertThrows(
            FormatException.class, () -> Mnist.of(images(2, 28, 28, 5), "img", labels(3, 10), "lab"));
    assertEquals("mnist: label 10 at index 1 in lab is outside 0..9", e.getMessage());
  }

  @Test
  void testOf_badMagic() {
    IdxArray rank4 = IdxArray.ofUnsignedBytes(new int[] {1, 1, 28, 28}, new int[784]);
    FormatException e =
        assertThrows(FormatException.class, () -> Mnist.of(rank4, "images.idx", labels(1), "lab"));
    assertEquals(
        "mnist: bad magic number 0x00000804 in images.idx (expected 0x00000803)", e.getMessage());
    IdxArray intLabels = IdxArray.ofInts(new int[] {1}, new int[] {1});
    e = assertThrows(FormatException.class, () -> Mnist.of(images(1, 28, 28, 6), "img", intLabels, "lab"));
    assertEquals("mnist: bad magic number 0x00000C01 in lab (expected 0x00000801)", e.getMessage());
  }

  @Test
  void testSubsetAndLabel_badIndices() {
    Mnist m = Mnist.embeddedTest();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.subset(5, 2001));
    assertEquals("mnist.subset: range [5, 2001) is not within [0, 2000]", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> m.label(-1));
    assertEquals("mnist.label: index -1 out of range for 2000 images", e.getMessage());
    assertEquals(0, m.subset(7, 7).size());
  }
}
