package dev.cadena.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** {@link BatchPlan}: epochs cover every example once, sizes, seeding. */
class BatchPlanTest {

  @Test
  void testIndices_eachEpochCoversEveryExampleOnce_lastBatchShorter() {
    int n = 13;
    int b = 4;
    for (int epoch = 0; epoch < 3; epoch++) {
      int[] seen = new int[n];
      int[] sizes = new int[4];
      for (int j = 0; j < 4; j++) {
        int[] idx = BatchPlan.indices(n, b, epoch * 4L + j + 1, 7, 2);
        sizes[j] = idx.length;
        assertEquals(idx.length, BatchPlan.size(n, b, epoch * 4L + j + 1));
        for (int i : idx) {
          seen[i]++;
        }
      }
      assertArrayEquals(new int[] {4, 4, 4, 1}, sizes);
      int[] ones = new int[n];
      Arrays.fill(ones, 1);
      assertArrayEquals(ones, seen, "epoch " + epoch);
    }
  }

  @Test
  void testIndices_dependOnSeedStepAndPartition_only() {
    int[] a = BatchPlan.indices(100, 10, 3, 1, 0);
    assertArrayEquals(a, BatchPlan.indices(100, 10, 3, 1, 0));
    assertFalse(Arrays.equals(a, BatchPlan.indices(100, 10, 3, 2, 0)), "another seed");
    assertFalse(Arrays.equals(a, BatchPlan.indices(100, 10, 3, 1, 1)), "another partition");
    assertFalse(Arrays.equals(a, BatchPlan.indices(100, 10, 13, 1, 0)), "another epoch");
    assertTrue(BatchPlan.dropoutSeed(1, 3, 0) != BatchPlan.dropoutSeed(1, 3, 1));
    assertTrue(BatchPlan.dropoutSeed(1, 3, 0) != BatchPlan.dropoutSeed(1, 4, 0));
  }

  @Test
  void testIndices_emptyPartitionAndBatchLargerThanPartition() {
    assertEquals(0, BatchPlan.indices(0, 4, 1, 0, 0).length);
    assertEquals(0, BatchPlan.size(0, 4, 9));
    int[] all = BatchPlan.indices(3, 8, 5, 0, 0);
    Arrays.sort(all);
    assertArrayEquals(new int[] {0, 1, 2}, all, "a batch larger than the partition is all of it");
  }

  @Test
  void testIndices_badArguments() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> BatchPlan.indices(5, 0, 1, 0, 0));
    assertEquals("BatchPlan.indices: need n >= 0, batchSize >= 1, step >= 1; got n=5, batchSize=0,"
        + " step=1", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> BatchPlan.indices(5, 2, 0, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> BatchPlan.indices(-1, 2, 1, 0, 0));
    e = assertThrows(IllegalArgumentException.class, () -> BatchPlan.size(5, 0, 1));
    assertTrue(e.getMessage().startsWith("BatchPlan.size: need n >= 0"), e.getMessage());
  }
}
