package dev.cadena.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Reductions and other read-only operations over broadcast (stride-0) views must not materialise
 * them: {@code Tensor.scalar(1.5).expand(1 << 15, 1 << 15)} has 2^30 elements, 8 GiB as float64,
 * and the test heap (2 GiB) cannot hold a copy. Each case also counts the bytes the calling
 * thread allocates ({@code com.sun.management.ThreadMXBean}) and bounds them far below a copy,
 * so that a copy made on this thread fails even on a larger heap. No timing is asserted.
 *
 * <p>Expected values are those of PyTorch 1.13 on the same expressions ({@code
 * torch.tensor(1.5).expand(2**15, 2**15).sum()} is {@code 1610612736.}; {@code argmax} of a
 * tensor with ties or NaNs is the flat index of the first maximum or first NaN in row-major
 * order), derived by hand here from the definitions.
 */
class BroadcastViewReductionTest {
  private static final int N = 1 << 15;
  /** Far below the 8 GiB (2^30 doubles) or even the 256 KiB (2^15 doubles) of a copy's row. */
  private static final long FEW_MB = 4L << 20;

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  /** Runs {@code f} on this thread and asserts it allocated at most {@code limit} bytes. */
  private static <T> T withinBytes(long limit, String what, Supplier<T> f) {
    assertTrue(THREADS.isThreadAllocatedMemorySupported() && THREADS.isThreadAllocatedMemoryEnabled(),
        "the JVM must count allocated bytes per thread");
    long before = THREADS.getCurrentThreadAllocatedBytes();
    T r = f.get();
    long used = THREADS.getCurrentThreadAllocatedBytes() - before;
    assertTrue(used <= limit, what + " allocated " + used + " bytes, at most " + limit + " expected");
    return r;
  }

  private static Tensor scalarView() {
    return Tensor.scalar(1.5).expand(N, N);
  }

  @Test
  void testSum_ofAScalarBroadcastToTwoToThe30_isExactAndCopiesNothing() {
    Tensor v = scalarView();
    assertEquals(1 << 30, v.numel());
    double s = withinBytes(FEW_MB, "sum", () -> v.sum().item());
    assertEquals(1.5 * (1 << 30), s); // torch: 1610612736.
    assertEquals(1.5, withinBytes(FEW_MB, "mean", () -> v.mean().item()));
    assertEquals(1.5, withinBytes(FEW_MB, "max", () -> v.max().item()));
    assertEquals(1.5, withinBytes(FEW_MB, "min", () -> v.min().item()));
    assertEquals(1.5, withinBytes(FEW_MB, "min over an axis", () -> v.amin(0).get(N - 1)));
    assertEquals(0L, withinBytes(FEW_MB, "argmax", () -> v.argmax().toLongArray()[0]));
    assertEquals(0L, withinBytes(FEW_MB, "argmin", () -> v.argmin().toLongArray()[0]));
    assertEquals(1.5, withinBytes(FEW_MB, "get", () -> v.get(N - 1, -1)));
    NDArray min = withinBytes(FEW_MB, "NDArray min",
        () -> v.data().reduce(NDArray.ReduceOp.MIN, new int[0], false));
    assertEquals(1.5, min.getFlat(0));
  }

  @Test
  void testSum_float32_isRoundedOnce() {
    Tensor v = Tensor.scalar(1.5, DType.FLOAT32).expand(N, N);
    Tensor s = withinBytes(FEW_MB, "sum", () -> v.sum());
    assertEquals(DType.FLOAT32, s.dtype());
    assertEquals(1.5f * (1 << 30), s.toFloatArray()[0]); // 3 * 2^29, exact in float32
    // 0.1f * 3: the product of the float32 sum of one slice, in float64, rounded once.
    Tensor t = Tensor.of(0.1f).expand(3).sum();
    assertEquals((float) (0.1f * 3.0), t.toFloatArray()[0]);
  }

  @Test
  void testReductionsAlongAxes_ofABroadcastRow() {
    // row = arange(2^15), broadcast over 2^15 rows: v[i][j] = j.
    Tensor v = Tensor.arange(N).reshape(1, N).expand(N, N);
    double rowSum = (double) (N - 1) * N / 2; // 0 + 1 + ... + (N - 1) = 536854528
    Tensor s1 = withinBytes(FEW_MB, "sum(1)", () -> v.sum(1));
    assertArrayEquals(new int[] {N}, s1.shape());
    assertEquals(rowSum, s1.get(0));
    assertEquals(rowSum, s1.get(N - 1));
    Tensor s0 = withinBytes(FEW_MB, "sum(0)", () -> v.sum(0));
    assertEquals((double) N * 7, s0.get(7));
    Tensor keep = withinBytes(FEW_MB, "sum(0, keepDims)", () -> v.sum(0, true));
    assertArrayEquals(new int[] {1, N}, keep.shape());
    assertEquals((double) N * (N - 1), keep.get(0, N - 1));
    assertEquals(rowSum * N, withinBytes(FEW_MB, "sum()", () -> v.sum().item()));
    assertEquals((N - 1) / 2.0, withinBytes(FEW_MB, "mean()", () -> v.mean().item()));
    Tensor m1 = withinBytes(FEW_MB, "max(1)", () -> v.amax(1));
    assertEquals(N - 1.0, m1.get(123));
    assertEquals(5.0, withinBytes(FEW_MB, "max(0)", () -> v.amax(0)).get(5));
    // The first maximum: row 0, column N - 1.
    assertEquals(N - 1L, withinBytes(FEW_MB, "argmax()", () -> v.argmax().toLongArray()[0]));
    Tensor am1 = withinBytes(FEW_MB, "argmax(1)", () -> v.argmax(1));
    assertArrayEquals(new int[] {N}, am1.shape());
    assertEquals(N - 1L, am1.toLongArray()[N / 2]);
    // Along the broadcast axis all tie: index 0.
    long[] am0 = withinBytes(FEW_MB, "argmax(0)", () -> v.argmax(0)).toLongArray();
    assertEquals(0L, Arrays.stream(am0).max().getAsLong());
  }

  @Test
  void testArgmax_ofABroadcastColumn_firstInRowMajorOrder() {
    // [[2], [5], [5]] broadcast to [3, 4]: the first 5 is at (1, 0), flat index 4.
    Tensor v = Tensor.of(new double[][] {{2}, {5}, {5}}).expand(3, 4);
    assertEquals(4L, v.argmax().toLongArray()[0]);
    assertEquals(0L, v.argmin().toLongArray()[0]);
    assertArrayEquals(new long[] {1, 1, 1, 1}, v.argmax(0).toLongArray());
    assertArrayEquals(new long[] {0, 0, 0}, v.argmax(1).toLongArray());
    assertArrayEquals(new int[] {3, 1}, v.argmax(1, true).shape());
    // keepDims over all axes: shape [1, 1].
    assertArrayEquals(new int[] {1, 1}, v.data().argReduce(true, null, true).shape());
  }

  @Test
  void testNaN_inABroadcastView() {
    // [[1, nan, 3]] broadcast to [4, 3]: max propagates NaN, argmax is the first NaN.
    Tensor v = Tensor.of(new double[][] {{1, Double.NaN, 3}}).expand(4, 3);
    assertTrue(Double.isNaN(v.max().item()));
    assertTrue(Double.isNaN(v.sum().item()));
    assertEquals(1L, v.argmax().toLongArray()[0]);
    assertArrayEquals(new long[] {1, 1, 1, 1}, v.argmax(1).toLongArray());
    double[] m0 = v.amax(0).toDoubleArray();
    assertEquals(1.0, m0[0]);
    assertTrue(Double.isNaN(m0[1]));
    assertEquals(3.0, m0[2]);
    assertEquals(Double.POSITIVE_INFINITY, Tensor.scalar(Double.POSITIVE_INFINITY).expand(5).sum().item());
  }

  @Test
  void testReductions_ofBroadcastViews_equalThoseOfCopies() {
    // A [2, 1, 3] array broadcast on two axes and permuted: every reduction over every axis set
    // equals the reduction of a contiguous copy (values chosen so that sums are exact).
    Tensor base = Tensor.fromArray(new double[] {1, -2, 3, 4.5, 0.25, -8}, 2, 1, 3);
    Tensor v = base.expand(2, 5, 3).unsqueeze(0).expand(4, 2, 5, 3).permute(2, 0, 3, 1);
    Tensor c = Tensor.fromData(v.data().copy());
    assertFalse(v.data().isContiguous());
    for (int mask = 0; mask < 16; mask++) {
      int[] axes = new int[Integer.bitCount(mask)];
      for (int i = 0, k = 0; i < 4; i++) {
        if ((mask & (1 << i)) != 0) {
          axes[k++] = i;
        }
      }
      for (boolean keep : new boolean[] {false, true}) {
        String what = Arrays.toString(axes) + " keep=" + keep;
        assertSame(c.sum(axes, keep), v.sum(axes, keep), "sum " + what);
        assertSame(c.amax(axes, keep), v.amax(axes, keep), "max " + what);
        assertSame(c.mean(axes, keep), v.mean(axes, keep), "mean " + what);
      }
    }
    for (int a = 0; a < 4; a++) {
      assertArrayEquals(c.argmax(a).toLongArray(), v.argmax(a).toLongArray(), "argmax " + a);
      assertArrayEquals(c.argmax(a, true).shape(), v.argmax(a, true).shape());
      assertArrayEquals(c.argmin(a).toLongArray(), v.argmin(a).toLongArray(), "argmin " + a);
    }
    assertEquals(c.argmax().toLongArray()[0], v.argmax().toLongArray()[0]);
    assertEquals(c.argmin().toLongArray()[0], v.argmin().toLongArray()[0]);
  }

  private static void assertSame(Tensor expected, Tensor actual, String what) {
    assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
    assertArrayEquals(expected.toDoubleArray(), actual.toDoubleArray(), 1e-12, what);
    assertTrue(actual.data().isContiguous(), what + ": a new contiguous array");
  }

  @Test
  void testSumBackward_throughABroadcastView() {
    // d/dx sum(x.expand(4, 3)) = 4 for each element of x.
    Tensor x = Tensor.of(1.0, 2.0, 3.0).requiresGrad(true);
    x.expand(4, 3).sum().backward();
    assertArrayEquals(new double[] {4, 4, 4}, x.grad().toDoubleArray());
  }

  @Test
  void testViewsOfABroadcastView_stayViews() {
    Tensor v = scalarView();
    // unsqueeze, flatten and reshape with -1 keep the stride-0 layout: no 8 GiB copy.
    Tensor u = withinBytes(FEW_MB, "unsqueeze", () -> v.unsqueeze(1));
    assertArrayEquals(new int[] {N, 1, N}, u.shape());
    Tensor f = withinBytes(FEW_MB, "flatten", () -> v.flatten());
    assertArrayEquals(new int[] {1 << 30}, f.shape());
    assertArrayEquals(new int[] {0}, f.data().strides());
    Tensor r = withinBytes(FEW_MB, "reshape", () -> v.reshape(-1, 1 << 10, 1 << 5));
    assertArrayEquals(new int[] {1 << 15, 1 << 10, 1 << 5}, r.shape());
    assertEquals(1.5 * (1 << 30), withinBytes(FEW_MB, "sum of a reshaped view",
        () -> r.sum(new int[] {1, 2}, false).sum().item()));
    Tensor s = withinBytes(FEW_MB, "slice and select",
        () -> v.slice(0, 5, N, 3).select(1, -1));
    assertEquals(1.5, s.get(0));
  }

  @Test
  void testAllClose_ofBroadcastViews_copiesNothing() {
    Tensor a = Tensor.scalar(1.0).expand(1 << 12, 1 << 12);
    Tensor b = Tensor.of(1.0).expand(1 << 12, 1 << 12);
    assertTrue(withinBytes(FEW_MB, "allClose", () -> a.allClose(b)));
    assertFalse(withinBytes(FEW_MB, "allClose",
        () -> a.allClose(Tensor.scalar(1.0 + 1e-3).expand(1 << 12, 1 << 12))));
  }

  /**
   * {@code min} without a graph reduces the array directly; with one it records {@code -max(-x)}.
   * Both give the same value, NaN included. The sign of a zero that ties with another zero is not
   * specified, as in PyTorch 1.13, whose {@code min()} of {@code [0., -0.]} is {@code -0.} and of
   * {@code [-0., 0.]} is {@code 0.} while {@code amin} gives the opposite signs.
   */
  @Test
  void testMin_withAndWithoutAGraph_giveTheSameValue() {
    double[][] rows = {
      {0.0, -0.0}, {-0.0, 0.0}, {3.0, Double.NaN, -1.0}, {Double.NEGATIVE_INFINITY, 2.0},
      {1e-320, -1e-320}, {5.0, 5.0, 5.0}, {2.0, -7.5, 4.0}
    };
    double[] expected = {0.0, 0.0, Double.NaN, Double.NEGATIVE_INFINITY, -1e-320, 5.0, -7.5};
    for (int i = 0; i < rows.length; i++) {
      double[] r = rows[i];
      double plain = Tensor.of(r).min().item();
      double tracked = Tensor.of(r).requiresGrad(true).min().item();
      double perRow = Tensor.of(new double[][] {r, r}).amin(1).get(1);
      for (double got : new double[] {plain, tracked, perRow}) {
        assertTrue(Double.isNaN(expected[i]) ? Double.isNaN(got) : got == expected[i],
            "min of " + Arrays.toString(r) + ": " + got + ", expected " + expected[i]);
      }
    }
  }

  /**
   * var, std and logsumexp of the 2^30-element view read one number. Expected values from the
   * definitions (PyTorch 1.13 gives the same): the variance of a constant is 0, its deviation 0,
   * and {@code logsumexp} of {@code n} copies of {@code c} is {@code c + log n}.
   */
  @Test
  void testVarStdLogsumexp_ofTheHugeView_copyNothing() {
    Tensor v = scalarView();
    assertEquals(0.0, withinBytes(FEW_MB, "var", () -> v.var().item()));
    assertEquals(0.0, withinBytes(FEW_MB, "std", () -> v.std().item()));
    assertEquals(1.5 + 30 * Math.log(2), withinBytes(FEW_MB, "logsumexp",
        () -> v.logsumexp(new int[0], false).item()), 1e-12);
    Tensor f = Tensor.scalar(1.5, DType.FLOAT32).expand(N, N);
    assertEquals(0.0, withinBytes(FEW_MB, "float32 std", () -> f.std(0).get(7)));
    assertEquals(1.5 + 15 * Math.log(2), withinBytes(FEW_MB, "logsumexp over an axis",
        () -> v.logsumexp(1).get(N - 1)), 1e-12);
  }

  /**
   * On small broadcast views of random data, var, std (corrections 0, 1 and one past the count)
   * and logsumexp over every axis set equal the same reductions of a contiguous copy, within
   * rounding; with a graph they take the recorded path and agree too.
   */
  @Test
  void testVarStdLogsumexp_ofBroadcastViews_matchTheCopy() {
    java.util.SplittableRandom rng = new java.util.SplittableRandom(20261202L);
    int[][] bases = {{1, 4}, {3, 1}, {1, 1}, {2, 1, 3}, {1, 3, 1}};
    int[][] targets = {{5, 4}, {3, 6}, {2, 3}, {2, 4, 3}, {2, 3, 4}};
    int[][][] axesSets = {
      {{}, {0}, {1}, {0, 1}}, {{}, {0}, {1}, {0, 1}}, {{}, {0}, {1}, {0, 1}},
      {{}, {1}, {0, 2}, {0, 1, 2}}, {{}, {0}, {2}, {1, 2}}
    };
    for (DType dtype : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
      double tol = dtype == DType.FLOAT64 ? 1e-12 : 1e-5;
      for (int k = 0; k < bases.length; k++) {
        int n = Shapes.numel(bases[k]);
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
          values[i] = rng.nextDouble(-2, 2);
        }
        Tensor base = Tensor.fromArray(values, bases[k]).to(dtype);
        Tensor view = base.expand(targets[k]);
        Tensor copy = Tensor.fromArray(view.toDoubleArray(), targets[k]).to(dtype);
        for (int[] ax : axesSets[k]) {
          int count = ax.length == 0 ? copy.numel() : 1;
          for (int a : ax) {
            count *= targets[k][a];
          }
          for (boolean keep : new boolean[] {false, true}) {
            for (int corr : new int[] {0, 1, count + 1}) {
              assertClose(copy.var(ax, corr, keep), view.var(ax, corr, keep), tol, "var", ax, corr);
              assertClose(copy.std(ax, corr, keep), view.std(ax, corr, keep), tol, "std", ax, corr);
              Tensor tracked = base.detach().requiresGrad(true).expand(targets[k]);
              assertClose(copy.std(ax, corr, keep), tracked.std(ax, corr, keep), tol, "tracked std", ax, corr);
            }
            assertClose(copy.logsumexp(ax, keep), view.logsumexp(ax, keep), tol, "logsumexp", ax, 0);
          }
        }
      }
    }
  }

  private static void assertClose(Tensor expected, Tensor actual, double tol, String op, int[] ax, int corr) {
    String what = op + " over " + Arrays.toString(ax) + " correction " + corr;
    assertArrayEquals(expected.shape(), actual.shape(), what);
    assertEquals(expected.dtype(), actual.dtype(), what);
    double[] e = expected.toDoubleArray();
    double[] a = actual.toDoubleArray();
    for (int i = 0; i < e.length; i++) {
      if (!Double.isFinite(e[i])) {
        // A correction past the count divides by 0: the copy's sum of squared deviations of a
        // constant slice is 0 or a rounding residue, so 0/0 = NaN or r/0 = inf either way.
        assertFalse(Double.isFinite(a[i]), what + " at " + i + ": " + a[i] + ", expected " + e[i]);
      } else {
        assertEquals(e[i], a[i], tol * Math.max(1, Math.abs(e[i])), what + " at " + i);
      }
    }
  }
}
