package dev.cadena.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.tensor.kernel.Parallel;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Storage given back by {@link NDArray#recycle} and reused by {@link NDArray#uninitialized}: what
 * is taken (dense float arrays covering their storage, from 4,096 elements), the bounds (16
 * arrays, 16 MiB, the oldest dropped first), and every kernel that writes into reused storage
 * writing all of it: its results equal those computed into fresh zeros, with the reused storage
 * full of NaN first.
 */
class RecyclerTest {

  @BeforeEach
  @AfterEach
  void empty() {
    Recycler.clear();
  }

  private static NDArray random(SplittableRandom rng, DType dtype, int... shape) {
    double[] v = new double[Shapes.numel(shape)];
    for (int i = 0; i < v.length; i++) {
      v[i] = rng.nextDouble(-2, 2);
    }
    return NDArray.wrap(v, shape).astype(dtype);
  }

  /** A dense array of {@code n} elements whose storage is NaN, given back. */
  private static void giveNaN(DType dtype, int n) {
    NDArray x = dtype == DType.FLOAT64 ? NDArray.wrap(new double[n], n)
        : NDArray.wrap(new float[n], n);
    if (dtype == DType.FLOAT64) {
      java.util.Arrays.fill(x.d, Double.NaN);
    } else {
      java.util.Arrays.fill(x.f, Float.NaN);
    }
    assertTrue(NDArray.recycle(x));
  }

  @Test
  void recycled_storage_isReusedForTheSameLengthAndDtypeOnly() {
    NDArray x = NDArray.wrap(new float[64 * 64], 64, 64);
    Object storage = x.storageKey();
    assertTrue(NDArray.recycle(x));
    NDArray other = NDArray.uninitialized(DType.FLOAT64, new int[] {4096});
    assertEquals(1, Recycler.held()[0], "float64 takes no float32 storage");
    for (double v : other.d) {
      assertEquals(0.0, v);
    }
    NDArray otherLength = NDArray.uninitialized(DType.FLOAT32, new int[] {4097});
    assertEquals(1, Recycler.held()[0], "nor does another length");
    assertNotSame(storage, otherLength.storageKey());
    NDArray reshaped = NDArray.uninitialized(DType.FLOAT32, new int[] {4096, 1});
    assertSame(storage, reshaped.storageKey(), "any shape of the same length");
    if (Recycler.POISON) {
      assertTrue(Float.isNaN(reshaped.f[0]) && Float.isNaN(reshaped.f[4095]), "poisoned");
    }
    NDArray fresh = NDArray.uninitialized(DType.FLOAT32, new int[] {4096});
    assertNotSame(storage, fresh.storageKey(), "taken once");
    for (float v : fresh.f) {
      assertEquals(0f, v);
    }
  }

  @Test
  void recycle_refusesViewsSmallArraysAndIntegers() {
    SplittableRandom rng = new SplittableRandom(1);
    NDArray big = random(rng, DType.FLOAT32, 100, 100);
    assertFalse(NDArray.recycle(big.slice(0, 0, 90, 1)), "part of its storage");
    assertFalse(NDArray.recycle(big.slice(0, 10, 100, 1)), "at an offset");
    assertFalse(NDArray.recycle(big.permute(1, 0)), "not dense");
    assertFalse(NDArray.recycle(random(rng, DType.FLOAT64, 4095)), "small");
    assertFalse(NDArray.recycle(NDArray.wrap(new long[8192], 8192)), "int64");
    assertEquals(0, Recycler.held()[0]);
    assertThrows(NullPointerException.class, () -> NDArray.recycle(null));
  }

  @Test
  void take_returnsTheMostRecentlyGivenOfTheLength_andLeavesTheOthers() {
    float[] first = new float[4096];
    double[] other = new double[4096];
    float[] second = new float[4096];
    float[] longer = new float[5000];
    assertTrue(Recycler.give(first));
    assertTrue(Recycler.give(other));
    assertTrue(Recycler.give(second));
    assertTrue(Recycler.give(longer));
    assertTrue(second == Recycler.takeF32(4096), "the newest of the length, past a longer one");
    assertTrue(first == Recycler.takeF32(4096), "then the older");
    assertEquals(null, Recycler.takeF32(4096), "none left");
    assertTrue(other == Recycler.takeF64(4096), "other");
    assertEquals(null, Recycler.takeF64(4096));
    assertTrue(longer == Recycler.takeF32(5000), "longer");
    assertEquals(0, Recycler.held()[0]);
    assertEquals(null, Recycler.takeF32(4096), "an empty recycler");
  }

  @Test
  void recycler_keepsAtMost16ArraysAnd16MiB_droppingTheOldest() {
    for (int i = 0; i < 20; i++) {
      assertTrue(NDArray.recycle(NDArray.wrap(new float[5000 + i], 5000 + i)));
    }
    assertEquals(Recycler.SLOTS, Recycler.held()[0]);
    assertEquals(null, Recycler.takeF32(5000 + 3), "among the oldest, dropped");
    assertTrue(Recycler.takeF32(5000 + 19) != null, "the newest");
    Recycler.clear();
    int sixMiB = 6 << 20;
    for (int i = 0; i < 3; i++) {
      assertTrue(NDArray.recycle(NDArray.wrap(new float[sixMiB / 4 + i], sixMiB / 4 + i)));
    }
    long[] held = Recycler.held();
    assertEquals(2, held[0]);
    assertTrue(held[1] <= Recycler.MAX_BYTES, "bytes " + held[1]);
    assertEquals(null, Recycler.takeF32(sixMiB / 4), "the first, dropped for the third");
    assertFalse(NDArray.recycle(NDArray.wrap(new double[(17 << 20) / 8], (17 << 20) / 8)),
        "larger than the whole pool");
  }

  /** {@code op} into reused storage full of NaN equals {@code op} into fresh zeros. */
  private static void checkOverwrites(String what, DType dtype, int outSize,
      java.util.function.Supplier<NDArray> op) {
    Recycler.clear();
    NDArray fresh = op.get();
    assertEquals(outSize, fresh.size(), what + ": size");
    giveNaN(dtype, outSize);
    NDArray reused = op.get();
    assertEquals(0, Recycler.held()[0], what + ": the product took the NaN storage");
    assertArrayEquals(fresh.shape(), reused.shape(), what);
    assertArrayEquals(fresh.toDoubleArray(), reused.toDoubleArray(), what);
  }

  @Test
  void kernelsWritingIntoReusedStorage_writeAllOfIt() {
    int before = Parallel.threads();
    try {
      for (int threads = 1; threads <= 2; threads++) {
        Parallel.setThreads(threads);
        for (DType dt : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
          SplittableRandom rng = new SplittableRandom(7);
          String w = threads + " threads " + dt;
          NDArray a = random(rng, dt, 70, 90);
          NDArray b = random(rng, dt, 90, 65);
          checkOverwrites(w + " matmul", dt, 70 * 65, () -> a.matmul(b));
          NDArray bt = random(rng, dt, 65, 90).permute(1, 0);
          checkOverwrites(w + " matmul, b transposed", dt, 70 * 65, () -> a.matmul(bt));
          NDArray narrow = random(rng, dt, 90, 3);
          NDArray tall = random(rng, dt, 2000, 90);
          checkOverwrites(w + " narrow matmul", dt, 6000, () -> tall.matmul(narrow));
          NDArray empty = random(rng, dt, 80, 0);
          NDArray emptyB = random(rng, dt, 0, 70);
          checkOverwrites(w + " matmul, k = 0", dt, 80 * 70, () -> empty.matmul(emptyB));
          NDArray stack = random(rng, dt, 6, 20, 90);
          checkOverwrites(w + " stacked rows", dt, 6 * 20 * 65, () -> stack.matmul(b));
          NDArray vectors = random(rng, dt, 64, 90, 1);
          NDArray wide = random(rng, dt, 100, 90);
          checkOverwrites(w + " stacked vectors", dt, 64 * 100, () -> wide.matmul(vectors));
          NDArray batch = random(rng, dt, 3, 40, 90).permute(0, 2, 1);
          NDArray rhs = random(rng, dt, 3, 40, 50);
          checkOverwrites(w + " batched products", dt, 3 * 90 * 50, () -> batch.matmul(rhs));
          NDArray bias = random(rng, dt, 65);
          NDArray x = random(rng, dt, 70, 90);
          checkOverwrites(w + " linear", dt, 70 * 65, () -> NDArray.linear(x, b, bias, false));
          checkOverwrites(w + " linear relu", dt, 70 * 65, () -> NDArray.linear(x, b, bias, true));
          checkOverwrites(w + " linear, no bias", dt, 70 * 65,
              () -> NDArray.linear(x, b, null, true));
        }
      }
    } finally {
      Parallel.setThreads(before);
    }
  }
}
