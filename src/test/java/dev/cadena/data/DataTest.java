package dev.cadena.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.ShapeException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DataTest {
  private static TensorDataset counting(int n) {
    double[] x = new double[n * 2];
    long[] y = new long[n];
    for (int i = 0; i < n; i++) {
      x[2 * i] = i;
      x[2 * i + 1] = -i;
      y[i] = i;
    }
    return new TensorDataset(Tensor.fromArray(x, n, 2), Tensor.ofLongs(y));
  }

  @Test
  void testLoader_visitsEveryExampleOncePerEpoch() {
    TensorDataset d = counting(10);
    DataLoader loader = new DataLoader(d, 3, true, false, new SplittableRandom(1));
    assertEquals(4, loader.numBatches());
    Set<Long> seen = new HashSet<>();
    int batches = 0;
    for (TensorDataset.Batch b : loader) {
      batches++;
      long[] y = b.y().toLongArray();
      double[] x = b.x().toDoubleArray();
      for (int i = 0; i < y.length; i++) {
        assertEquals(y[i], (long) x[2 * i], "features and labels stay paired");
        assertTrue(seen.add(y[i]));
      }
    }
    assertEquals(4, batches);
    assertEquals(10, seen.size());
  }

  @Test
  void testLoader_shuffleIsSeededAndChangesBetweenEpochs() {
    DataLoader a = new DataLoader(counting(20), 20, true, false, new SplittableRandom(7));
    DataLoader b = new DataLoader(counting(20), 20, true, false, new SplittableRandom(7));
    long[] a1 = a.iterator().next().y().toLongArray();
    long[] b1 = b.iterator().next().y().toLongArray();
    assertArrayEquals(a1, b1);
    long[] a2 = a.iterator().next().y().toLongArray();
    assertNotEquals(Arrays.toString(a1), Arrays.toString(a2));
  }

  @Test
  void testLoader_dropLastAndInOrder() {
    DataLoader loader = new DataLoader(counting(10), 4, false, true, null);
    List<long[]> ys = new ArrayList<>();
    loader.forEach(b -> ys.add(b.y().toLongArray()));
    assertEquals(2, ys.size());
    assertArrayEquals(new long[] {0, 1, 2, 3}, ys.get(0));
    assertArrayEquals(new long[] {4, 5, 6, 7}, ys.get(1));
  }

  @Test
  void testLoader_badArguments() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new DataLoader(counting(3), 0));
    assertTrue(e.getMessage().contains("DataLoader") && e.getMessage().contains("0"));
    assertTrue(assertThrows(NullPointerException.class, () -> new DataLoader(counting(3), 2, true, false, null))
        .getMessage().startsWith("DataLoader: rng is null (shuffling needs a seeded generator"));
    assertEquals("DataLoader: dataset is null",
        assertThrows(NullPointerException.class, () -> new DataLoader(null, 2)).getMessage());
  }

  @Test
  void testDataset_mismatchedSizesAndBadIndices() {
    ShapeException e = assertThrows(ShapeException.class,
        () -> new TensorDataset(Tensor.zeros(3, 2), Tensor.zeros(4)));
    assertTrue(e.getMessage().contains("[3, 2]") && e.getMessage().contains("[4]"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> counting(3).batch(new int[] {5}));
  }

  @Test
  void testSplit_partitionsTheExamples() {
    Datasets.Split s = Datasets.trainTestSplit(counting(10), 0.3, new SplittableRandom(3));
    assertEquals(7, s.train().size());
    assertEquals(3, s.test().size());
    Set<Long> all = new HashSet<>();
    for (long v : s.train().targets().toLongArray()) {
      all.add(v);
    }
    for (long v : s.test().targets().toLongArray()) {
      all.add(v);
    }
    assertEquals(10, all.size());
    assertThrows(IllegalArgumentException.class, () -> Datasets.trainTestSplit(counting(4), 1.5, new SplittableRandom(1)));
  }

  @Test
  void testMnist_embeddedAsTensors() {
    Datasets.Split s = Datasets.mnist(DType.FLOAT32);
    assertArrayEquals(new int[] {8000, 784}, s.train().features().shape());
    assertArrayEquals(new int[] {2000}, s.test().targets().shape());
    assertEquals(DType.FLOAT32, s.train().dtype());
    assertEquals(DType.INT64, s.train().targets().dtype());
    double max = s.train().features().max().item();
    double min = s.train().features().min().item();
    assertEquals(1.0, max, 1e-6);
    assertEquals(0.0, min, 0.0);
    long[] labels = s.train().targets().toLongArray();
    int[] counts = new int[10];
    for (long l : labels) {
      counts[(int) l]++;
    }
    for (int c : counts) {
      assertTrue(c > 600, "every digit is well represented: " + Arrays.toString(counts));
    }
  }

  @Test
  void testSynthetic_shapesAndLabels() {
    TensorDataset xor = Synthetic.xor();
    assertArrayEquals(new double[] {0, 1, 1, 0}, xor.targets().toDoubleArray());
    TensorDataset moons = Synthetic.twoMoons(100, 0.1, new SplittableRandom(1));
    assertArrayEquals(new int[] {100, 2}, moons.features().shape());
    assertEquals(50, (int) moons.targets().to(DType.FLOAT64).sum().item());
    TensorDataset sp = Synthetic.spirals(90, 3, 0.05, new SplittableRandom(1));
    long[] y = sp.targets().toLongArray();
    int[] counts = new int[3];
    for (long v : y) {
      counts[(int) v]++;
    }
    assertArrayEquals(new int[] {30, 30, 30}, counts);
    assertThrows(IllegalArgumentException.class, () -> Synthetic.spirals(10, 1, 0, new SplittableRandom(1)));
  }
}
