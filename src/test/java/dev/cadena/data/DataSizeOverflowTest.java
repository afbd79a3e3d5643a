package dev.cadena.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.tensor.ShapeException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Batch counts and bounds near {@code Integer.MAX_VALUE}, and sizes of the data helpers that
 * overflow an {@code int}. Expected: PyTorch 1.13's {@code DataLoader}, whose length is {@code
 * ceil(n / batch_size)} ({@code floor} with {@code drop_last=True}) and whose one batch holds all
 * {@code n} examples when {@code batch_size > n} (none with {@code drop_last}).
 */
class DataSizeOverflowTest {
  private static TensorDataset counting(int n) {
    double[] x = new double[n];
    long[] y = new long[n];
    for (int i = 0; i < n; i++) {
      x[i] = i;
      y[i] = 10L * i;
    }
    return new TensorDataset(Tensor.fromArray(x, n, 1), Tensor.ofLongs(y));
  }

  private static List<long[]> labelsOfBatches(DataLoader loader) {
    List<long[]> out = new ArrayList<>();
    for (TensorDataset.Batch b : loader) {
      out.add(b.y().toLongArray());
    }
    return out;
  }

  @Test
  void testLoader_batchSizeNearMaxValue_oneBatchOfAll() {
    for (int bs : new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE - 1, 1 << 30, 6}) {
      DataLoader loader = new DataLoader(counting(5), bs);
      assertEquals(1, loader.numBatches(), "batchSize " + bs);
      List<long[]> batches = labelsOfBatches(loader);
      assertEquals(1, batches.size(), "batchSize " + bs);
      assertArrayEquals(new long[] {0, 10, 20, 30, 40}, batches.get(0));
      // drop_last=True: the only batch is partial, so there is none.
      DataLoader drop = new DataLoader(counting(5), bs, false, true, null);
      assertEquals(0, drop.numBatches());
      assertFalse(drop.iterator().hasNext());
    }
    // Shuffled, the one batch still holds every example once.
    DataLoader shuffled = new DataLoader(counting(5), Integer.MAX_VALUE, true, false, new SplittableRandom(3));
    long[] y = shuffled.iterator().next().y().toLongArray();
    java.util.Arrays.sort(y);
    assertArrayEquals(new long[] {0, 10, 20, 30, 40}, y);
  }

  @Test
  void testLoader_batchCounts() {
    // len(DataLoader(range(n), batch_size=b)) = ceil(n / b); drop_last: floor(n / b).
    assertEquals(3, new DataLoader(counting(5), 2).numBatches());
    assertEquals(2, new DataLoader(counting(5), 2, false, true, null).numBatches());
    assertEquals(1, new DataLoader(counting(5), 5).numBatches());
    assertEquals(0, new DataLoader(counting(0), Integer.MAX_VALUE).numBatches());
    Iterator<TensorDataset.Batch> it = new DataLoader(counting(5), 2).iterator();
    assertArrayEquals(new long[] {0, 10}, it.next().y().toLongArray());
    assertArrayEquals(new long[] {20, 30}, it.next().y().toLongArray());
    assertArrayEquals(new long[] {40}, it.next().y().toLongArray());
    assertFalse(it.hasNext());
  }

  @Test
  void testSynthetic_sizesThatOverflow_areShapeErrors() {
    SplittableRandom rng = new SplittableRandom(5);
    // [n, 2] features: 2 * n passes an int for n >= 2^30.
    ShapeException e = assertThrows(ShapeException.class, () -> Synthetic.twoMoons(1 << 30, 0.1, rng));
    assertTrue(e.getMessage().startsWith("twoMoons:") && e.getMessage().contains("2147483648"),
        e.getMessage());
    e = assertThrows(ShapeException.class, () -> Synthetic.spirals(Integer.MAX_VALUE, 3, 0.1, rng));
    assertTrue(e.getMessage().startsWith("spirals:") && e.getMessage().contains("4294967294"),
        e.getMessage());
  }

  @Test
  void testRandomShift_hugeMaxShiftOrImageSize() {
    Tensor images = Tensor.zeros(2, 4);
    SplittableRandom rng = new SplittableRandom(9);
    // 2 * maxShift + 1 must fit an int.
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Augment.randomShift(images, 2, 2, Integer.MAX_VALUE, rng));
    assertTrue(e.getMessage().startsWith("randomShift:") && e.getMessage().contains("2147483647"),
        e.getMessage());
    // 65536 * 65537 wraps to 65536 in int arithmetic; a row of 65536 pixels must not pass.
    Tensor wide = Tensor.zeros(1, 65536);
    e = assertThrows(ShapeException.class, () -> Augment.randomShift(wide, 65536, 65537, 1, rng));
    assertTrue(e.getMessage().contains("4295032832"), e.getMessage());
    // The largest allowed maxShift works: a shift of a whole side or more (all but 3 of the
    // 2^31 - 1 offsets on each axis) blanks the image.
    Tensor ones = Tensor.ones(1, 4);
    Tensor shifted = Augment.randomShift(ones, 2, 2, (Integer.MAX_VALUE - 1) / 2, rng);
    assertArrayEquals(new double[] {0, 0, 0, 0}, shifted.toDoubleArray());
  }
}
