package dev.cadena.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Arrays;
import java.util.SplittableRandom;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * {@link NDArray#reshape} of a strided array is a view when the strides allow it (PyTorch's
 * {@code computeStride} rule) and a copy otherwise; either way the elements keep their row-major
 * order.
 */
class ReshapeViewTest {

  /** A random shape with {@code n} elements: random divisors, with some size-1 dimensions. */
  private static int[] randomShapeOf(int n, SplittableRandom rng) {
    int[] s = new int[6];
    int k = 0;
    int rest = n;
    while (k < 5 && (rest > 1 || rng.nextInt(3) == 0)) {
      int d = 1;
      for (int tries = 0; tries < 5; tries++) {
        int c = 1 + rng.nextInt(Math.max(rest, 1));
        if (rest % c == 0) {
          d = c;
          break;
        }
      }
      s[k++] = d;
      rest /= d;
    }
    s[k++] = rest;
    return Arrays.copyOf(s, k);
  }

  @Property(tries = 400, seed = "20240611", edgeCases = EdgeCasesMode.NONE)
  void reshape_ofAnyView_keepsRowMajorOrder(@ForAll long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    NDArray view = NDArrayViewPropertiesTest.randomView(rng, DType.FLOAT64);
    if (view.size() == 0) {
      return;
    }
    int[] target = randomShapeOf(view.size(), rng);
    NDArray r = view.reshape(target);
    assertArrayEquals(target, r.shape());
    assertArrayEquals(view.toDoubleArray(), r.toDoubleArray(),
        Arrays.toString(view.shape()) + " strides " + Arrays.toString(view.strides()) + " as "
            + Arrays.toString(target) + " strides " + Arrays.toString(r.strides()));
    // Reshaping back gives the view's elements again.
    assertArrayEquals(view.toDoubleArray(), r.reshape(view.shape()).toDoubleArray());
  }

  private static NDArray arange(int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = i;
    }
    return NDArray.wrap(v, n);
  }

  @Test
  void testReshape_splitsAndMergesEvenlyLaidDimensions_asViews() {
    // a[i][j] = 6i + j. The column slice a[:, 0:5:2] has strides [6, 2]: element (i, j) lies at
    // 2 * (3i + j), evenly, so its two dims merge into one of stride 2 without a copy.
    NDArray a = arange(24).reshape(4, 6);
    NDArray even = a.slice(1, 0, 5, 2).reshape(12);
    assertSame(a.storageKey(), even.storageKey(), "an even merge is a view");
    assertArrayEquals(new int[] {2}, even.strides());
    assertArrayEquals(new double[] {0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22}, even.toDoubleArray());
    // a[:, 0:4] has strides [6, 1] (6 != 4 * 1): each dim splits as a view, but they only merge
    // through a copy.
    NDArray cols = a.slice(1, 0, 4, 1);
    NDArray split = cols.reshape(2, 2, 4, 1);
    assertSame(a.storageKey(), split.storageKey(), "a split is a view");
    assertArrayEquals(new int[] {12, 6, 1, 1}, split.strides());
    assertArrayEquals(cols.toDoubleArray(), split.toDoubleArray());
    NDArray merged = cols.reshape(16);
    assertNotSame(a.storageKey(), merged.storageKey(), "an uneven merge copies");
    assertArrayEquals(new double[] {0, 1, 2, 3, 6, 7, 8, 9, 12, 13, 14, 15, 18, 19, 20, 21},
        merged.toDoubleArray());
    // A transpose flattens only through a copy (torch: a.t().reshape(-1) is not a view).
    NDArray t = a.permute(1, 0).reshape(-1);
    assertNotSame(a.storageKey(), t.storageKey());
    assertEquals(6.0, t.getFlat(1));
  }

  @Test
  void testReshape_ofABroadcastView_keepsStrideZero() {
    NDArray row = arange(3).reshape(1, 3).expand(4, 3);
    NDArray r = row.reshape(2, 2, 3);
    assertArrayEquals(new int[] {0, 0, 1}, r.strides());
    assertSame(row.storageKey(), r.storageKey());
    NDArray flat = row.reshape(12);
    assertArrayEquals(new double[] {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2}, flat.toDoubleArray());
    // A view that shares storage also shares the version counter.
    assertEquals(row.version(), r.version());
  }
}
