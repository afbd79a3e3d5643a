package dev.cadena.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.Tensor.ValuesIndices;
import dev.cadena.autograd.GradCheck;
import dev.cadena.func.Func;
import dev.cadena.func.TensorFn;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.DTypeException;
import dev.cadena.tensor.ShapeException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Sorting, selection, scans, products and norms against naive reference loops written here
 * (lines of a row-major array walked by hand), on random shapes with size-0, size-1 and 0-d
 * cases; gradients against finite differences where zeros make a product's gradient delicate;
 * and the errors.
 */
class SortingScansTest {

  // ------------------------------------------------------------------ reference helpers

  /** Shapes of rank 0 to 3 with sizes 0 to 4 (so empty, size-1 and 0-d ones). */
  @Provide
  Arbitrary<int[]> shapes() {
    return Arbitraries.integers().between(0, 4).array(int[].class).ofMinSize(0).ofMaxSize(3);
  }

  /** Values with many ties (few distinct values), some NaN and signed zeros. */
  private static double[] values(SplittableRandom rng, int n) {
    double[] pool = {-1.5, -0.0, 0.0, 2.0, 3.25, Double.NaN, 7.0, -4.0};
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = pool[rng.nextInt(pool.length)];
    }
    return v;
  }

  private static int numel(int[] shape) {
    int n = 1;
    for (int s : shape) {
      n *= s;
    }
    return n;
  }

  /**
   * The flat (row-major) indices of each line along {@code axis}: {@code lines[r][i]} is element
   * {@code i} of line {@code r}; lines are in the row-major order of the other coordinates.
   */
  private static int[][] lines(int[] shape, int axis) {
    int n = shape[axis];
    int inner = 1;
    for (int i = axis + 1; i < shape.length; i++) {
      inner *= shape[i];
    }
    int outer = 1;
    for (int i = 0; i < axis; i++) {
      outer *= shape[i];
    }
    int[][] r = new int[outer * inner][n];
    for (int o = 0; o < outer; o++) {
      for (int in = 0; in < inner; in++) {
        for (int i = 0; i < n; i++) {
          r[o * inner + in][i] = (o * n + i) * inner + in;
        }
      }
    }
    return r;
  }

  /** Ascending order with NaN last; equal values (also -0.0 and 0.0) compare equal. */
  private static int compare(double a, double b) {
    boolean na = Double.isNaN(a);
    boolean nb = Double.isNaN(b);
    if (na || nb) {
      return na == nb ? 0 : na ? 1 : -1;
    }
    return a < b ? -1 : a > b ? 1 : 0;
  }

  /** The stable sorting permutation of one line, by a library sort (List.sort is stable). */
  private static int[] refArgsort(double[] line, boolean descending) {
    List<Integer> idx = new ArrayList<>();
    for (int i = 0; i < line.length; i++) {
      idx.add(i);
    }
    Comparator<Integer> c = (i, j) -> compare(line[i], line[j]);
    idx.sort(descending ? (i, j) -> c.compare(j, i) : c);
    return idx.stream().mapToInt(Integer::intValue).toArray();
  }

  private static double[] line(double[] x, int[] flat) {
    double[] r = new double[flat.length];
    for (int i = 0; i < flat.length; i++) {
      r[i] = x[flat[i]];
    }
    return r;
  }

  private static void assertSameDoubles(double[] expected, double[] actual, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    for (int i = 0; i < expected.length; i++) {
      boolean ok = Double.isNaN(expected[i]) ? Double.isNaN(actual[i]) : expected[i] == actual[i];
      int k = i;
      assertTrue(ok, () -> what + ": at " + k + " expected " + expected[k] + ", got " + actual[k]);
    }
  }

  // ------------------------------------------------------------------ sort, argsort, topk, kthvalue

  @Property(tries = 200, seed = "1101", edgeCases = EdgeCasesMode.NONE)
  void sort_matchesAStableReferenceSort(@ForAll("shapes") int[] shape, @ForAll long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[] v = values(rng, numel(shape));
    Tensor x = Tensor.fromArray(v, shape);
    int rank = Math.max(shape.length, 1);
    int axis = rng.nextInt(rank);
    int[] s = shape.length == 0 ? new int[] {1} : shape;
    boolean descending = rng.nextBoolean();
    int spelled = rng.nextBoolean() ? axis : axis - rank;
    ValuesIndices r = x.sort(spelled, descending);
    assertArrayEquals(shape, r.values().shape());
    assertArrayEquals(shape, r.indices().shape());
    assertEquals(DType.INT64, r.indices().dtype());
    double[] values = r.values().toDoubleArray();
    long[] indices = r.indices().toLongArray();
    for (int[] flat : lines(s, axis)) {
      int[] perm = refArgsort(line(v, flat), descending);
      for (int i = 0; i < flat.length; i++) {
        assertEquals(perm[i], indices[flat[i]], "index " + i + " of a line, " + Arrays.toString(shape));
        double expected = v[flat[perm[i]]];
        assertSameDoubles(new double[] {expected}, new double[] {values[flat[i]]}, "value");
      }
    }
    assertArrayEquals(indices, x.argsort(spelled, descending).toLongArray());
    assertSameDoubles(values, x.takeAlongDim(r.indices(), spelled).toDoubleArray(), "takeAlongDim");
    // float32 gives the same order (the values are exact in float32)
    assertArrayEquals(indices, x.to(DType.FLOAT32).argsort(spelled, descending).toLongArray());
  }

  @Property(tries = 150, seed = "1102", edgeCases = EdgeCasesMode.NONE)
  void topkAndKthvalue_areSlicesOfTheSort(@ForAll("shapes") int[] shape, @ForAll long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[] v = values(rng, numel(shape));
    Tensor x = Tensor.fromArray(v, shape);
    int rank = Math.max(shape.length, 1);
    int axis = rng.nextInt(rank);
    int[] s = shape.length == 0 ? new int[] {1} : shape;
    int n = s[axis];
    int k = rng.nextInt(n + 1);
    boolean largest = rng.nextBoolean();
    ValuesIndices t = x.topk(k, axis, largest, rng.nextBoolean());
    int[] expectedShape = shape.clone();
    if (shape.length > 0) {
      expectedShape[axis] = k;
    }
    assertArrayEquals(expectedShape, t.values().shape());
    long[] ti = t.indices().toLongArray();
    double[] tv = t.values().toDoubleArray();
    int[][] inLines = lines(s, axis);
    int[] ts = shape.length == 0 ? new int[] {k} : expectedShape;
    int[][] outLines = lines(ts, axis);
    for (int r = 0; r < inLines.length && k > 0; r++) {
      double[] line = line(v, inLines[r]);
      int[] perm = refArgsort(line, largest);
      for (int i = 0; i < k; i++) {
        assertEquals(perm[i], ti[outLines[r][i]]);
        assertSameDoubles(new double[] {line[perm[i]]}, new double[] {tv[outLines[r][i]]}, "topk");
      }
    }
    if (n == 0) {
      return;
    }
    int kth = 1 + rng.nextInt(n);
    boolean keep = rng.nextBoolean();
    ValuesIndices kv = x.kthvalue(kth, axis, keep);
    long[] ki = kv.indices().toLongArray();
    double[] kvals = kv.values().toDoubleArray();
    assertEquals(inLines.length, ki.length);
    for (int r = 0; r < inLines.length; r++) {
      double[] line = line(v, inLines[r]);
      int[] perm = refArgsort(line, false);
      assertEquals(perm[kth - 1], ki[r]);
      assertSameDoubles(new double[] {line[perm[kth - 1]]}, new double[] {kvals[r]}, "kthvalue");
    }
    assertEquals(shape.length == 0 ? 0 : keep ? shape.length : shape.length - 1, kv.values().rank());
  }

  @Test
  void sort_nanIsLargest_andTiesKeepTheirOrder() {
    Tensor x = Tensor.of(2.0, Double.NaN, -0.0, 1.0, 0.0, Double.NaN, 1.0);
    // By hand: ascending 1 2... : -0.0 (2), 0.0 (4), 1.0 (3), 1.0 (6), 2.0 (0), NaN (1), NaN (5)
    assertArrayEquals(new long[] {2, 4, 3, 6, 0, 1, 5}, x.argsort(0).toLongArray());
    assertArrayEquals(new long[] {1, 5, 0, 3, 6, 2, 4}, x.argsort(0, true).toLongArray());
    ValuesIndices r = Tensor.of(3.0, 1.0, 2.0).sort(0, true);
    assertArrayEquals(new double[] {3, 2, 1}, r.values().toDoubleArray());
    assertArrayEquals(new long[] {0, 2, 1}, r.indices().toLongArray());
  }

  @Test
  void sort_longLines_areStableBeyondTheInsertionSortCutoff() {
    // 1000 values from 10 distinct ones: the merge passes must keep equal values in order.
    SplittableRandom rng = new SplittableRandom(5);
    double[] v = new double[1000];
    for (int i = 0; i < v.length; i++) {
      v[i] = rng.nextInt(10);
    }
    long[] got = Tensor.of(v).argsort(0, true).toLongArray();
    int[] expected = refArgsort(v, true);
    for (int i = 0; i < v.length; i++) {
      assertEquals(expected[i], got[i]);
    }
  }

  @Test
  void sortGradient_flowsToTheSourceEntries() {
    Tensor x = Tensor.of(3.0, 1.0, 2.0).requiresGrad(true);
    // sorted ascending [1, 2, 3] (indices 1, 2, 0) weighted by [10, 20, 30]
    x.sort(0).values().mul(Tensor.of(10.0, 20.0, 30.0)).sum().backward();
    assertArrayEquals(new double[] {30, 10, 20}, x.grad().toDoubleArray());
    Tensor y = Tensor.of(1.0, 4.0, 2.0, 3.0).requiresGrad(true);
    y.topk(2, 0, true, true).values().mul(Tensor.of(1.0, 5.0)).sum().backward();
    assertArrayEquals(new double[] {0, 1, 0, 5}, y.grad().toDoubleArray());
  }

  // ------------------------------------------------------------------ max(dim), min(dim), amax

  @Test
  void maxDim_returnsValuesAndFirstIndex_gradientToThatIndex() {
    Tensor x = Tensor.of(new double[][] {{1, 5, 5}, {7, 0, 7}}).requiresGrad(true);
    ValuesIndices m = x.max(1);
    assertArrayEquals(new double[] {5, 7}, m.values().toDoubleArray());
    assertArrayEquals(new long[] {1, 0}, m.indices().toLongArray());
    m.values().sum().backward();
    assertArrayEquals(new double[] {0, 1, 0, 1, 0, 0}, x.grad().toDoubleArray(), "to the index");
    x.zeroGrad();
    x.amax(1).sum().backward();
    assertArrayEquals(new double[] {0, 0.5, 0.5, 0.5, 0, 0.5}, x.grad().toDoubleArray(), "amax splits");
    ValuesIndices k = x.min(0, true);
    assertArrayEquals(new int[] {1, 3}, k.values().shape());
    assertArrayEquals(new double[] {1, 0, 5}, k.values().toDoubleArray());
    assertArrayEquals(new long[] {0, 1, 0}, k.indices().toLongArray());
    ValuesIndices nan = Tensor.of(1.0, Double.NaN, 3.0).max(0);
    assertTrue(Double.isNaN(nan.values().item()));
    assertEquals(1L, nan.indices().toLongArray()[0]);
    ValuesIndices scalar = Tensor.scalar(4.0).min(-1);
    assertEquals(4.0, scalar.values().item());
    assertEquals(0, scalar.values().rank());
    assertEquals(0L, scalar.indices().toLongArray()[0]);
  }

  @Test
  void amaxAmin_overSeveralAxesAndAll() {
    Tensor x = Tensor.arange(24).reshape(2, 3, 4);
    // by hand: max over axes 0 and 2 of i*12 + j*4 + k is 12 + j*4 + 3
    assertArrayEquals(new double[] {15, 19, 23}, x.amax(0, 2).toDoubleArray());
    assertArrayEquals(new int[] {1, 3, 1}, x.amin(new int[] {0, -1}, true).shape());
    assertArrayEquals(new double[] {0, 4, 8}, x.amin(new int[] {0, -1}, true).toDoubleArray());
    assertEquals(23.0, x.amax().item());
    assertEquals(0.0, x.amin(new int[0], false).item());
  }

  // ------------------------------------------------------------------ takeAlongDim

  @Test
  void takeAlongDim_broadcastsTheOtherAxes() {
    Tensor x = Tensor.of(new double[][] {{10, 11, 12}, {20, 21, 22}});
    Tensor idx = Tensor.fromArray(new long[][] {{2, 0}});
    // idx [1, 2] broadcast against x's 2 rows: row r takes x[r][2], x[r][0]
    assertArrayEquals(new double[] {12, 10, 22, 20}, x.takeAlongDim(idx, 1).toDoubleArray());
    Tensor col = Tensor.of(new double[][] {{1}, {2}});
    Tensor idx2 = Tensor.fromArray(new long[][] {{0, 0, 0}, {0, 0, 0}});
    assertArrayEquals(new int[] {2, 3}, col.takeAlongDim(idx2, 1).shape());
    assertArrayEquals(new double[] {22, 12}, x.takeAlongDim(Tensor.ofLongs(5, 2)).toDoubleArray());
  }

  // ------------------------------------------------------------------ cumsum, cumprod, prod

  @Property(tries = 200, seed = "1103", edgeCases = EdgeCasesMode.NONE)
  void scansAndProducts_matchReferenceLoops(@ForAll("shapes") int[] shape, @ForAll long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int n = numel(shape);
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      // Small integers (zeros included), so that every sum and product is exact.
      v[i] = rng.nextInt(-2, 3);
    }
    Tensor x = Tensor.fromArray(v, shape);
    int rank = Math.max(shape.length, 1);
    int axis = rng.nextInt(rank);
    int[] s = shape.length == 0 ? new int[] {1} : shape;
    double[] cs = x.cumsum(axis).toDoubleArray();
    double[] cp = x.cumprod(axis - rank).toDoubleArray();
    boolean keep = rng.nextBoolean();
    Tensor p = x.prod(axis, keep);
    double[] pv = p.toDoubleArray();
    int[][] ls = lines(s, axis);
    assertEquals(ls.length, pv.length);
    for (int r = 0; r < ls.length; r++) {
      double sum = 0;
      double prod = 1;
      for (int i = 0; i < ls[r].length; i++) {
        sum += v[ls[r][i]];
        prod *= v[ls[r][i]];
        assertEquals(sum, cs[ls[r][i]], "cumsum");
        assertEquals(prod, cp[ls[r][i]], "cumprod");
      }
      assertEquals(prod, pv[r], "prod");
    }
    assertArrayEquals(shape, x.cumsum(axis).shape());
    assertArrayEquals(shape, x.cumprod(axis).shape());
    int[] ps = shape.clone();
    if (shape.length > 0) {
      ps[axis] = 1;
    }
    assertArrayEquals(shape.length == 0 ? shape : keep ? ps : dropAxis(shape, axis), p.shape());
    double all = 1;
    for (double e : v) {
      all *= e;
    }
    assertEquals(all, x.prod().item());
    // float32 keeps its dtype
    assertEquals(DType.FLOAT32, x.to(DType.FLOAT32).cumsum(axis).dtype());
  }

  private static int[] dropAxis(int[] shape, int axis) {
    int[] r = new int[shape.length - 1];
    for (int i = 0, j = 0; i < shape.length; i++) {
      if (i != axis) {
        r[j++] = shape[i];
      }
    }
    return r;
  }

  @Test
  void cumsumGradient_isTheReversedCumsum() {
    Tensor x = Tensor.of(1.0, 2.0, 3.0).requiresGrad(true);
    x.cumsum(0).mul(Tensor.of(1.0, 10.0, 100.0)).sum().backward();
    // d/dx_i sum_k w_k * sum_{j <= k} x_j = sum_{k >= i} w_k
    assertArrayEquals(new double[] {111, 110, 100}, x.grad().toDoubleArray());
  }

  /** Inputs with actual zeros, for the products: first and second order against differences. */
  private static void checkBothOrders(Function<Tensor[], Tensor> f, double... values) {
    Tensor x = Tensor.of(values).requiresGrad(true);
    GradCheck.Report first = GradCheck.check(f, GradCheck.Options.defaults().seed(3), x);
    assertTrue(first.passed(), () -> "first order at " + Arrays.toString(values) + ": " + first);
    GradCheck.Report second = GradCheck.checkSecondOrder(f, GradCheck.Options.defaults().seed(4), x);
    assertTrue(second.passed(), () -> "second order at " + Arrays.toString(values) + ": " + second);
  }

  @Test
  void productGradients_withOneAndTwoZeros_matchFiniteDifferences() {
    Function<Tensor[], Tensor> cumprod = x -> x[0].cumprod(0);
    Function<Tensor[], Tensor> prod = x -> x[0].prod();
    Function<Tensor[], Tensor> prodRows = x -> x[0].reshape(2, 3).prod(1, true);
    for (double[] v : new double[][] {
        {2, 0, 3, -1.5, 0.5, 4}, {0, 2, 3, -1.5, 0.5, 4}, {2, 0, 3, 0, 0.5, 4},
        {0, 0, 3, -1.5, 0.5, 1.25}, {2, -1, 3, 0.5, 1.5, 0}}) {
      checkBothOrders(cumprod, v);
      checkBothOrders(prod, v);
      checkBothOrders(prodRows, v);
    }
    // By hand: d prod / d x_i at one zero is the product of the others, at that zero only.
    Tensor x = Tensor.of(2.0, 0.0, 3.0, -1.5).requiresGrad(true);
    x.prod().backward();
    assertArrayEquals(new double[] {0, -9, 0, 0}, x.grad().toDoubleArray());
    Tensor y = Tensor.of(2.0, 0.0, 3.0, 0.0).requiresGrad(true);
    y.prod().backward();
    assertArrayEquals(new double[] {0, 0, 0, 0}, y.grad().toDoubleArray());
    // cumprod [2, 0, 0, 0]: d sum / d x_1 = 2 + 2*3 + 2*3*(-1.5) = -1
    Tensor z = Tensor.of(2.0, 0.0, 3.0, -1.5).requiresGrad(true);
    z.cumprod(0).sum().backward();
    assertArrayEquals(new double[] {1, -1, 0, 0}, z.grad().toDoubleArray());
  }

  @Test
  void prod_overAnEmptyAxis_isOne() {
    Tensor x = Tensor.zeros(2, 0).requiresGrad(true);
    Tensor p = x.prod(1, false);
    assertArrayEquals(new double[] {1, 1}, p.toDoubleArray());
    assertEquals(1.0, Tensor.zeros(0).prod().item());
    p.sum().backward();
    assertArrayEquals(new int[] {2, 0}, x.grad().shape());
  }

  // ------------------------------------------------------------------ norm

  @Property(tries = 150, seed = "1104", edgeCases = EdgeCasesMode.NONE)
  void norm_matchesAReferenceLoop(@ForAll("shapes") int[] shape, @ForAll long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int n = numel(shape);
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = rng.nextDouble(-3, 3);
    }
    Tensor x = Tensor.fromArray(v, shape);
    double[] ps = {1, 2, 3, 0.5, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
    double p = ps[rng.nextInt(ps.length)];
    if (shape.length == 0 || p == Double.NEGATIVE_INFINITY && n == 0) {
      return;
    }
    int axis = rng.nextInt(shape.length);
    if (Double.isInfinite(p) && shape[axis] == 0) {
      return; // max over an empty axis is an error, tested below
    }
    double[] got = x.norm(p, new int[] {axis}, false).toDoubleArray();
    int[][] ls = lines(shape, axis);
    assertEquals(ls.length, got.length);
    for (int r = 0; r < ls.length; r++) {
      double acc = p == Double.NEGATIVE_INFINITY ? Double.POSITIVE_INFINITY : 0;
      for (int i : ls[r]) {
        double a = Math.abs(v[i]);
        acc = p == Double.POSITIVE_INFINITY ? Math.max(acc, a)
            : p == Double.NEGATIVE_INFINITY ? Math.min(acc, a) : acc + Math.pow(a, p);
      }
      double expected = Double.isInfinite(p) ? acc : Math.pow(acc, 1 / p);
      assertEquals(expected, got[r], 1e-12 * Math.max(1, expected), "p = " + p);
    }
  }

  @Test
  void norm_values_andGradientZeroAtZero() {
    assertEquals(5.0, Tensor.of(3.0, -4.0).norm().item(), 1e-15);
    assertEquals(5.0, Tensor.of(3.0, -4.0).norm("fro", new int[0], false).item(), 1e-15);
    assertArrayEquals(new double[] {7, 2},
        Tensor.of(new double[][] {{3, 4}, {1, -1}}).norm(1, new int[] {1}, false).toDoubleArray());
    // Cadena's choice, PyTorch's subgradient: 0 at a zero norm, for p = 2 and other p.
    for (double p : new double[] {2, 3, 1.5}) {
      Tensor z = Tensor.zeros(3).requiresGrad(true);
      z.norm(p, new int[0], false).backward();
      assertArrayEquals(new double[] {0, 0, 0}, z.grad().toDoubleArray(), "p = " + p);
    }
    // d |x|_2 / dx = x / |x|
    Tensor x = Tensor.of(3.0, -4.0).requiresGrad(true);
    x.norm().backward();
    assertArrayEquals(new double[] {0.6, -0.8}, x.grad().toDoubleArray(), 1e-15);
  }

  // ------------------------------------------------------------------ errors and vmap

  private static <T extends RuntimeException> void expect(
      Class<T> type, Executable call, String... fragments) {
    T e = assertThrows(type, call);
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), () -> "message should contain '" + f + "': " + e.getMessage());
    }
  }

  @Test
  void errors_nameTheOpAndTheValues() {
    Tensor x = Tensor.zeros(2, 3);
    expect(ShapeException.class, () -> x.sort(2), "sort", "axis 2");
    expect(ShapeException.class, () -> x.argsort(-3), "argsort", "axis -3");
    expect(ShapeException.class, () -> x.max(5), "max", "axis 5");
    expect(ShapeException.class, () -> x.min(-3, true), "min", "axis -3");
    expect(ShapeException.class, () -> x.cumsum(2), "cumsum", "axis 2");
    expect(ShapeException.class, () -> x.cumprod(2), "cumprod", "axis 2");
    expect(ShapeException.class, () -> x.prod(-3), "prod", "axis -3");
    expect(ShapeException.class, () -> x.norm(2, new int[] {2}, false), "norm", "axis 2");
    expect(ShapeException.class, () -> Tensor.scalar(1).sort(1), "sort", "axis 1");
    expect(IllegalArgumentException.class, () -> x.topk(4, 1, true, true), "topk", "k (4)", "size 3");
    expect(IllegalArgumentException.class, () -> x.topk(-1), "topk", "k (-1)");
    expect(IllegalArgumentException.class, () -> x.kthvalue(0), "kthvalue", "k (0)");
    expect(IllegalArgumentException.class, () -> x.kthvalue(4, 1, false), "kthvalue", "k (4)", "size 3");
    expect(ShapeException.class, () -> Tensor.zeros(2, 0).max(1), "max", "empty");
    expect(ShapeException.class, () -> Tensor.zeros(2, 0).min(1), "min", "empty");
    expect(IllegalArgumentException.class, () -> x.norm(0.0), "norm", "0.0");
    expect(IllegalArgumentException.class, () -> x.norm(-2.0), "norm", "-2.0");
    expect(IllegalArgumentException.class, () -> x.norm(Double.NaN), "norm", "NaN");
    expect(IllegalArgumentException.class, () -> x.norm("nuc", new int[0], false), "norm", "nuc");
    Tensor longs = Tensor.ofLongs(3, 1, 2);
    expect(DTypeException.class, () -> longs.cumsum(0), "cumsum");
    expect(DTypeException.class, () -> longs.sort(0), "sort");
    expect(DTypeException.class, () -> longs.prod(), "prod");
    expect(DTypeException.class, () -> x.takeAlongDim(Tensor.zeros(2, 1), 1), "takeAlongDim", "int64");
    expect(ShapeException.class, () -> x.takeAlongDim(Tensor.ofLongs(0), 1), "takeAlongDim", "rank");
    expect(ShapeException.class,
        () -> x.takeAlongDim(Tensor.fromArray(new long[][] {{0}, {0}, {0}}), 1), "takeAlongDim", "broadcast");
    assertThrows(NullPointerException.class, () -> x.takeAlongDim(null, 0));
    expect(NullPointerException.class, () -> new ValuesIndices(x, null), "ValuesIndices", "indices");
  }

  /**
   * Under vmap every sample is sorted (scanned, maximised) on its own: values and per-sample
   * gradients equal a Java loop over the samples, also for the mapped axis other than 0, ties,
   * 0-d samples and the indices (int64, batched) themselves.
   */
  @Test
  void vmap_sortingAndScans_matchALoop() {
    Tensor x = Tensor.of(new double[][][] {
        {{2, 0, 3, -1.5}, {1, 2, 2, 0}, {0.5, -2, 4, 1}},
        {{-1, 5, 3, 3}, {0, 0, 1, -2}, {7, 1, -3, 2}}});
    List<Function<Tensor, Tensor>> fs = List.of(
        t -> t.sort(1).values(), t -> t.sort(0, true).values(),
        t -> t.argsort(1).to(DType.FLOAT64), t -> t.topk(2, -1, true, true).values(),
        t -> t.topk(1, 0, false, true).indices().to(DType.FLOAT64),
        t -> t.kthvalue(2, 1, true).values(), t -> t.max(1).values(), t -> t.min(0, true).values(),
        t -> t.max(-1).indices().to(DType.FLOAT64),
        t -> t.takeAlongDim(t.argsort(1, true), 1).mul(t),
        t -> t.takeAlongDim(Tensor.fromArray(new long[][] {{3, 0}}), 1),
        t -> t.cumsum(1).mul(t), t -> t.cumsum(0), t -> t.flatten().sort(0).values());
    for (int inDim : new int[] {0, 1}) {
      for (Function<Tensor, Tensor> f : fs) {
        Tensor batched = Func.vmap(in -> f.apply(in[0]), new int[] {inDim}, 0).apply(x);
        TensorFn loss = in -> f.apply(in[0]).square().sum();
        Tensor grads = Func.vmap(in -> Func.grad(loss, 0).apply(in)[0], new int[] {inDim}, 0)
            .apply(x);
        for (int i = 0; i < x.size(inDim); i++) {
          Tensor xi = x.select(inDim, i);
          assertArrayEquals(f.apply(xi).toDoubleArray(), batched.select(0, i).toDoubleArray(), 1e-15);
          assertArrayEquals(Func.grad(loss, 0).apply(xi)[0].toDoubleArray(),
              grads.select(0, i).toDoubleArray(), 1e-12);
        }
      }
    }
    // 0-d samples: sort and cumsum of one element, max over its only axis.
    Tensor v = Tensor.of(3.0, -1.0, 2.0);
    Tensor s = Func.vmap(in -> in[0].sort(0).values().add(in[0].cumsum(0))
        .add(in[0].max(0).values())).apply(v);
    assertArrayEquals(new double[] {9, -3, 6}, s.toDoubleArray(), 0);
  }

  @Test
  void vmap_ofTheProductCompositions_matchesALoop() {
    // Batching rules of slice, mul, concat, sum, abs, pow, sqrt, where carry the compositions.
    Tensor x = Tensor.of(new double[][] {{2, 0, 3, -1.5}, {1, 2, 0, 0}, {0.5, -2, 4, 1}});
    List<Function<Tensor, Tensor>> fs = List.of(t -> t.cumprod(0), t -> t.prod(0), t -> t.prod(),
        t -> t.norm(), t -> t.norm(3), t -> t.norm(1.0, new int[] {0}, true));
    for (Function<Tensor, Tensor> f : fs) {
      Tensor batched = Func.vmap(in -> f.apply(in[0])).apply(x);
      for (int i = 0; i < 3; i++) {
        Tensor expected = f.apply(x.select(0, i));
        assertArrayEquals(expected.toDoubleArray(), batched.select(0, i).toDoubleArray(), 1e-15);
      }
    }
  }

  @Test
  void valuesIndices_toStringShowsBoth() {
    String s = Tensor.of(3.0, 1.0).sort(0).toString();
    assertTrue(s.startsWith("ValuesIndices(\n  values=tensor([1"), s);
    assertTrue(s.contains("indices=tensor([1, 0]"), s);
    assertTrue(s.contains("dtype=int64"), s);
    assertNull(Tensor.of(1.0).sort(0).indices().gradFn());
  }
}
