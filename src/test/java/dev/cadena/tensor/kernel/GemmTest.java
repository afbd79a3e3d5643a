package dev.cadena.tensor.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * Compares {@link Gemm#gemm} with {@link Gemm#gemmReference} on every implementation this JVM can
 * run: the scalar one always, the vector one when the JVM has {@code jdk.incubator.vector} (the
 * build runs this class a second time with that module, see pom.xml).
 */
class GemmTest {

  /** Sizes that straddle register tiles (6, 8, 16, 32 wide) and cache blocks. */
  private static final int[] SIZES = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 48, 65, 129};
  private static final int[] DEPTHS = {1, 2, 3, 4, 5, 7, 17, 65, 255, 256, 257, 511, 513};

  private static List<Gemm.Impl> impls() {
    return Gemm.VECTOR_AVAILABLE
        ? List.of(Gemm.Impl.SCALAR, Gemm.Impl.VECTOR)
        : List.of(Gemm.Impl.SCALAR);
  }

  /** One product: flags, sizes and the layout of the three matrices in their arrays. */
  static final class Case {
    boolean transA;
    boolean transB;
    boolean accumulate;
    int m;
    int n;
    int k;
    int aOff;
    int lda;
    int bOff;
    int ldb;
    int cOff;
    int ldc;
    /** Small integers make every product and sum exact, so the results must match exactly. */
    boolean integers;
    long seed;
    /** Elements of A's array past its last one, read by no correct product. */
    int aSlack = 3;

    int aLength() {
      return aOff + (lda == 0 ? (transA ? m : k) : (transA ? k : m) * lda) + aSlack;
    }

    int bLength() {
      return bOff + (ldb == 0 ? (transB ? k : n) : (transB ? n : k) * ldb) + 3;
    }

    int cLength() {
      return cOff + m * ldc + 3;
    }

    @Override
    public String toString() {
      return String.format("transA=%s transB=%s m=%d n=%d k=%d aOff=%d lda=%d bOff=%d ldb=%d "
              + "cOff=%d ldc=%d accumulate=%s integers=%s seed=%d", transA, transB, m, n, k,
          aOff, lda, bOff, ldb, cOff, ldc, accumulate, integers, seed);
    }
  }

  private static Case randomCase(Random random) {
    Case c = new Case();
    c.seed = random.nextLong();
    c.transA = random.nextBoolean();
    c.transB = random.nextBoolean();
    c.accumulate = random.nextBoolean();
    c.integers = random.nextInt(4) == 0;
    c.m = SIZES[random.nextInt(SIZES.length)];
    c.n = SIZES[random.nextInt(SIZES.length)];
    c.k = DEPTHS[random.nextInt(DEPTHS.length)];
    // Keep the reference loop quick.
    while ((long) c.m * c.n * c.k > 1_500_000) {
      c.k = DEPTHS[random.nextInt(5)];
    }
    layout(c, random);
    // Broadcast operands: one stored row repeated (leading dimension 0).
    if (random.nextInt(6) == 0) {
      c.lda = 0;
    }
    if (random.nextInt(6) == 0) {
      c.ldb = 0;
    }
    return c;
  }

  private static void layout(Case c, Random random) {
    c.aOff = random.nextBoolean() ? 0 : random.nextInt(20);
    c.bOff = random.nextBoolean() ? 0 : random.nextInt(20);
    c.cOff = random.nextBoolean() ? 0 : random.nextInt(20);
    c.lda = (c.transA ? c.m : c.k) + (random.nextBoolean() ? 0 : random.nextInt(9));
    c.ldb = (c.transB ? c.k : c.n) + (random.nextBoolean() ? 0 : random.nextInt(9));
    c.ldc = c.n + (random.nextBoolean() ? 0 : random.nextInt(9));
  }

  static Case fixedCase(boolean transA, boolean transB, int m, int n, int k,
      boolean accumulate, long seed) {
    Case c = new Case();
    c.transA = transA;
    c.transB = transB;
    c.m = m;
    c.n = n;
    c.k = k;
    c.accumulate = accumulate;
    c.seed = seed;
    layout(c, new Random(seed));
    return c;
  }

  static double[] randomArray(int length, boolean integers, Random random) {
    double[] x = new double[length];
    for (int i = 0; i < length; i++) {
      x[i] = integers ? random.nextInt(9) - 4 : random.nextDouble() * 2 - 1;
    }
    return x;
  }

  static float[] toFloat(double[] x) {
    float[] y = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = (float) x[i];
    }
    return y;
  }

  private static double[] toDouble(float[] x) {
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = x[i];
    }
    return y;
  }

  private static double[] abs(double[] x) {
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = Math.abs(x[i]);
    }
    return y;
  }

  /**
   * Runs the case in float64 and float32 on {@code impl} and checks each element of C against
   * the reference within {@code 2 (k + 1) u sum_p |a_ip b_pj|} (plus |C| when accumulating),
   * twice the classical bound for any summation order; exactly for integer data. Elements of
   * {@code c} outside the window must keep their sentinel.
   */
  static void check(Gemm.Impl impl, Case t) {
    Random random = new Random(t.seed);
    double[] a = randomArray(t.aLength(), t.integers, random);
    double[] b = randomArray(t.bLength(), t.integers, random);
    double[] c0 = randomArray(t.cLength(), t.integers, random);
    boolean[] inWindow = new boolean[c0.length];
    for (int i = 0; i < t.m; i++) {
      for (int j = 0; j < t.n; j++) {
        inWindow[t.cOff + i * t.ldc + j] = true;
      }
    }
    // Bound on |error|, without the unit roundoff: sum_p |a||b| (+ |c0|).
    double[] scale = abs(c0);
    Gemm.gemmReference(t.transA, t.transB, t.m, t.n, t.k, abs(a), t.aOff, t.lda, abs(b),
        t.bOff, t.ldb, scale, t.cOff, t.ldc, t.accumulate);

    double[] expected64 = c0.clone();
    Gemm.gemmReference(t.transA, t.transB, t.m, t.n, t.k, a, t.aOff, t.lda, b, t.bOff, t.ldb,
        expected64, t.cOff, t.ldc, t.accumulate);
    double[] actual64 = c0.clone();
    Gemm.gemm(impl, t.transA, t.transB, t.m, t.n, t.k, a, t.aOff, t.lda, b, t.bOff, t.ldb,
        actual64, t.cOff, t.ldc, t.accumulate);
    compare("float64 " + impl, t, c0, inWindow, scale, expected64, actual64, 0x1p-53);

    float[] a32 = toFloat(a);
    float[] b32 = toFloat(b);
    float[] c32 = toFloat(c0);
    float[] expected32 = c32.clone();
    Gemm.gemmReference(t.transA, t.transB, t.m, t.n, t.k, a32, t.aOff, t.lda, b32, t.bOff,
        t.ldb, expected32, t.cOff, t.ldc, t.accumulate);
    float[] actual32 = c32.clone();
    Gemm.gemm(impl, t.transA, t.transB, t.m, t.n, t.k, a32, t.aOff, t.lda, b32, t.bOff, t.ldb,
        actual32, t.cOff, t.ldc, t.accumulate);
    compare("float32 " + impl, t, toDouble(c32), inWindow, scale, toDouble(expected32),
        toDouble(actual32), 0x1p-24);
  }

  private static void compare(String what, Case t, double[] c0, boolean[] inWindow,
      double[] scale, double[] expected, double[] actual, double unitRoundoff) {
    for (int i = 0; i < actual.length; i++) {
      if (!inWindow[i]) {
        if (Double.compare(actual[i], c0[i]) != 0) {
          fail(what + ": wrote c[" + i + "] outside C: " + c0[i] + " -> " + actual[i] + " for "
              + t);
        }
        continue;
      }
      double tolerance = t.integers ? 0 : 2 * (t.k + 1) * unitRoundoff * scale[i] + 1e-300;
      double error = Math.abs(actual[i] - expected[i]);
      if (!(error <= tolerance)) {
        fail(what + ": c[" + i + "] = " + actual[i] + ", expected " + expected[i] + " (error "
            + error + " > " + tolerance + ") for " + t);
      }
    }
  }

  /**
   * Runs the body with the given thread count; with more than one thread, every loop is split,
   * however small, so that chunk boundaries fall everywhere.
   */
  static void withThreads(int threads, Runnable body) {
    int before = Parallel.threads();
    Parallel.setThreads(threads);
    Parallel.serialThreshold = threads > 1 ? 0 : Parallel.SERIAL_THRESHOLD;
    try {
      body.run();
    } finally {
      Parallel.setThreads(before);
      Parallel.serialThreshold = Parallel.SERIAL_THRESHOLD;
    }
  }

  @Property(tries = 300, seed = "20250611")
  void gemm_randomCases_matchReference(@ForAll long seed) {
    Random random = new Random(seed);
    Case t = randomCase(random);
    int threads = 1 + random.nextInt(3);
    withThreads(threads, () -> {
      for (Gemm.Impl impl : impls()) {
        check(impl, t);
      }
    });
  }

  @Test
  void gemm_everyTransposeAndAccumulate_matchesReference() {
    long seed = 1;
    for (boolean transA : new boolean[] {false, true}) {
      for (boolean transB : new boolean[] {false, true}) {
        for (boolean accumulate : new boolean[] {false, true}) {
          for (int threads : new int[] {1, 2}) {
            Case t = fixedCase(transA, transB, 67, 45, 33, accumulate, seed++);
            withThreads(threads, () -> impls().forEach(impl -> check(impl, t)));
          }
        }
      }
    }
  }

  @Test
  void gemm_blockBoundaries_matchReference() {
    // Depths and widths at and around the cache blocks of both paths (KC 256 scalar, 512 vector; NC 256/512/2048).
    int[][] shapes = {
        {9, 40, 511}, {9, 40, 512}, {9, 40, 513}, {17, 33, 1025},
        {5, 257, 3}, {5, 513, 7}, {10, 2049, 5}, {3, 2100, 9},
        {257, 17, 9}, {130, 70, 260}, {200, 200, 200},
    };
    long seed = 100;
    for (int[] s : shapes) {
      for (boolean trans : new boolean[] {false, true}) {
        Case t = fixedCase(trans, !trans, s[0], s[1], s[2], trans, seed++);
        withThreads(2, () -> impls().forEach(impl -> check(impl, t)));
      }
    }
  }

  @Test
  void gemm_sizesOneToEighteen_matchReference() {
    long seed = 1000;
    for (int m = 1; m <= 18; m++) {
      for (int n = 1; n <= 18; n += 1) {
        int k = 1 + (m * 7 + n * 3) % 19;
        Case t = fixedCase((m & 1) == 0, (n & 1) == 0, m, n, k, ((m + n) & 1) == 0, seed++);
        impls().forEach(impl -> check(impl, t));
      }
    }
  }

  @Test
  void gemm_leadingDimensionZero_everyTransposeMatchesReference() {
    // Sizes 1..37 straddle the register tiles; 70 x 300 x 520 crosses MC, the vector KC (512)
    // and several NR slivers.
    int[][] shapes = {{1, 1, 1}, {3, 5, 7}, {8, 16, 9}, {13, 37, 2}, {37, 11, 37}, {29, 33, 31},
        {6, 64, 17}, {70, 300, 520}};
    long seed = 3000;
    for (int[] s : shapes) {
      for (int zero = 1; zero <= 3; zero++) { // 1: lda = 0, 2: ldb = 0, 3: both
        for (boolean transA : new boolean[] {false, true}) {
          for (boolean transB : new boolean[] {false, true}) {
            boolean accumulate = ((seed + zero) & 1) == 0;
            Case t = fixedCase(transA, transB, s[0], s[1], s[2], accumulate, seed++);
            if ((zero & 1) != 0) {
              t.lda = 0;
            }
            if ((zero & 2) != 0) {
              t.ldb = 0;
            }
            for (int threads : new int[] {1, 2}) {
              withThreads(threads, () -> impls().forEach(impl -> check(impl, t)));
            }
          }
        }
      }
    }
  }

  @Test
  void gemm_fewRowsSplitByColumns_matchReference() {
    // With fewer than two register-tile rows per thread the vector path splits the columns,
    // with fewer than two rows per thread the scalar one; n = 2100 gives a thread more than one
    // NC block, k = 530 more than one KC block.
    int[][] shapes = {{1, 300, 40}, {2, 130, 530}, {3, 77, 5}, {4, 33, 7}, {5, 97, 40}, {8, 300, 530}, {13, 65, 17}, {17, 2100, 9},
        {23, 129, 260}, {24, 64, 3}};
    long seed = 4000;
    for (int[] s : shapes) {
      for (boolean transA : new boolean[] {false, true}) {
        for (boolean transB : new boolean[] {false, true}) {
          Case t = fixedCase(transA, transB, s[0], s[1], s[2], (seed & 1) == 0, seed++);
          if (seed % 3 == 0) {
            t.ldb = 0;
          }
          for (int threads : new int[] {1, 2, 3}) {
            withThreads(threads, () -> impls().forEach(impl -> check(impl, t)));
          }
        }
      }
    }
  }

  @Test
  void gemm_transposedAWithFewColumns_matchReference() {
    // A transposed matrix times fewer than four columns (W^T g, the gradient of a matrix-vector
    // product) sums rows of A in groups of 64 rows of C: m = 65 and 130 cross a group, k = 257
    // and 513 a KC block of the blocked path whose order the sums keep, k = 3 has no group of 4.
    int[] ms = {1, 3, 64, 65, 130};
    int[] ns = {1, 2, 3};
    int[] ks = {1, 3, 4, 6, 128, 257, 513};
    long seed = 6000;
    for (int m : ms) {
      for (int n : ns) {
        for (int k : ks) {
          boolean transB = (seed & 2) == 0;
          Case t = fixedCase(true, transB, m, n, k, (seed & 1) == 0, seed++);
          t.integers = seed % 5 == 0;
          if (seed % 7 == 0) {
            t.lda = 0;
          } else if (seed % 7 == 1) {
            t.ldb = 0;
          }
          for (int threads : new int[] {1, 2}) {
            withThreads(threads, () -> impls().forEach(impl -> check(impl, t)));
          }
        }
      }
    }
  }

  @Test
  void gemm_transposedAEndingAtItsArraysEnd_matchReference() {
    // A transposed A's full slivers are packed a vector at a time, which may read lanes past the
    // sliver's rows (into the step's padding) while the array has them, and copies the sliver
    // element by element when the last step's vector would end past the array: here A ends
    // exactly at the last element of its last row, with m a multiple of every tile's rows.
    int[] ms = {4, 5, 6, 8, 10, 12, 24, 40, 60, 120, 240};
    int[] ks = {1, 2, 7, 33};
    long seed = 7000;
    for (int m : ms) {
      for (int k : ks) {
        Case t = fixedCase(true, (seed & 2) == 0, m, 33, k, (seed & 1) == 0, seed++);
        t.aOff = 0;
        t.lda = m;
        t.aSlack = 0;
        t.integers = true;
        for (int threads : new int[] {1, 2}) {
          withThreads(threads, () -> impls().forEach(impl -> check(impl, t)));
        }
      }
    }
  }

  @Test
  void gemm_transposedAColumnScalar_matchesHandComputation() {
    // A stored 3 x 2 = [[1, 2], [3, 4], [5, 6]], so op(A) = A^T is 2 x 3; b = [1, 10, 100].
    double[] a = {1, 2, 3, 4, 5, 6};
    double[] b = {1, 10, 100};
    double[] c = {7, -1, 9};
    Gemm.gemm(Gemm.Impl.SCALAR, true, false, 2, 1, 3, a, 0, 2, b, 0, 1, c, 0, 2, false);
    assertArrayEquals(new double[] {531, -1, 642}, c);
    Gemm.gemm(Gemm.Impl.SCALAR, true, true, 2, 1, 3, a, 0, 2, b, 0, 3, c, 0, 2, true);
    assertArrayEquals(new double[] {1062, -1, 1284}, c);
  }

  @Test
  void gemm_atMostOneVectorOfColumns_matchReference() {
    // n <= one vector (16 floats or 8 doubles on AVX-512, 8 floats or 4 doubles on AVX2) takes
    // the narrow tile; n = 10 is the MLP's output layer. k = 530 crosses KC in both dtypes.
    int[][] shapes = {{4, 8, 5}, {9, 10, 17}, {37, 13, 3}, {128, 10, 128}, {128, 16, 530},
        {300, 9, 64}, {17, 8, 1}};
    long seed = 5000;
    for (int[] s : shapes) {
      for (boolean transA : new boolean[] {false, true}) {
        for (boolean transB : new boolean[] {false, true}) {
          Case t = fixedCase(transA, transB, s[0], s[1], s[2], (seed & 1) == 0, seed++);
          if (seed % 4 == 0) {
            t.lda = 0;
          } else if (seed % 4 == 1) {
            t.ldb = 0;
          }
          for (int threads : new int[] {1, 2}) {
            withThreads(threads, () -> impls().forEach(impl -> check(impl, t)));
          }
        }
      }
    }
  }

  @Test
  void gemm_leadingDimensionZero_repeatsOneRow() {
    // op(A) = three copies of the row (1, 2); B is the identity, so C repeats that row.
    double[] a = {9, 1, 2};
    double[] b = {1, 0, 0, 1};
    double[] c = new double[6];
    for (Gemm.Impl impl : impls()) {
      Gemm.gemm(impl, false, false, 3, 2, 2, a, 1, 0, b, 0, 2, c, 0, 2, false);
      assertArrayEquals(new double[] {1, 2, 1, 2, 1, 2}, c);
    }
    // transB with ldb = 0: every column of op(B) is (1, 2), so C[i][j] = A[i][0] + 2 A[i][1].
    float[] a32 = {1, 0, 0, 1, 1, 1};
    float[] b32 = {1, 2};
    float[] c32 = new float[12];
    for (Gemm.Impl impl : impls()) {
      Gemm.gemm(impl, false, true, 3, 4, 2, a32, 0, 2, b32, 0, 0, c32, 0, 4, false);
      assertArrayEquals(new float[] {1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3}, c32);
    }
  }

  @Test
  void gemm_leadingDimensionZeroForC_throws() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Gemm.gemm(false, false, 2, 2, 3, new double[6], 0, 0, new double[6], 0, 0,
            new double[4], 0, 0, false));
    assertEquals("gemm: ldc must be >= n = 2, got ldc=0", e.getMessage());
  }

  @Test
  void gemm_zeroSizes_touchNothingOrClear() {
    for (Gemm.Impl impl : impls()) {
      for (int[] s : new int[][] {{0, 5, 3}, {5, 0, 3}, {0, 0, 0}, {4, 6, 0}}) {
        for (boolean accumulate : new boolean[] {false, true}) {
          Case t = fixedCase(false, true, s[0], s[1], s[2], accumulate, 7);
          check(impl, t);
        }
      }
    }
  }

  @Test
  void gemm_kZero_clearsOrKeepsC() {
    double[] c = {1, 2, 3, 4, 5, 6, 7};
    Gemm.gemm(false, false, 2, 2, 0, new double[0], 0, 0, new double[0], 0, 2, c, 1, 3, false);
    assertArrayEquals(new double[] {1, 0, 0, 4, 0, 0, 7}, c);
    float[] f = {1, 2, 3, 4};
    Gemm.gemm(true, true, 2, 2, 0, null, 0, 0, null, 0, 0, f, 0, 2, true);
    assertArrayEquals(new float[] {1, 2, 3, 4}, f);
  }

  @Test
  void gemm_smallExample_matchesHandComputation() {
    double[] a = {1, 2, 3, 4, 5, 6};
    double[] b = {7, 8, 9, 10, 11, 12};
    double[] c = new double[4];
    Gemm.gemm(false, false, 2, 2, 3, a, 0, 3, b, 0, 2, c, 0, 2, false);
    assertArrayEquals(new double[] {58, 64, 139, 154}, c);
    Gemm.gemm(false, false, 2, 2, 3, a, 0, 3, b, 0, 2, c, 0, 2, true);
    assertArrayEquals(new double[] {116, 128, 278, 308}, c);
  }

  @Test
  void gemm_largeSquare_matchesReferenceOnBothThreadCounts() {
    for (int threads : new int[] {1, 2}) {
      Case t = fixedCase(false, false, 300, 300, 300, false, 42);
      Case u = fixedCase(true, true, 300, 260, 530, true, 43);
      withThreads(threads, () -> impls().forEach(impl -> {
        check(impl, t);
        check(impl, u);
      }));
    }
  }

  @Test
  void gemm_calledFromSeveralThreadsAtOnce_matchesReference() throws Exception {
    ExecutorService users = Executors.newFixedThreadPool(3);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int u = 0; u < 6; u++) {
        long seed = 500 + u;
        futures.add(users.submit(() -> {
          Case t = fixedCase(seed % 2 == 0, seed % 3 == 0, 150, 140, 130, seed % 2 == 1, seed);
          impls().forEach(impl -> check(impl, t));
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      users.shutdown();
    }
  }

  @Test
  void gemm_insideParallelBody_matchesReference() {
    // A kernel called from inside a worker must neither deadlock nor mix up per-thread buffers.
    withThreads(2, () -> Parallel.forRange(4, Parallel.SERIAL_THRESHOLD, (s, e) -> {
      for (int i = s; i < e; i++) {
        Case t = fixedCase(i % 2 == 0, i % 2 == 1, 120, 100, 90, false, 900 + i);
        impls().forEach(impl -> check(impl, t));
      }
    }));
  }

  @Test
  void gemm_negativeSize_throwsNamingSizes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Gemm.gemm(false, false, 2, -1, 3, new double[6], 0, 3, new double[6], 0, 2,
            new double[4], 0, 2, false));
    assertTrue(e.getMessage().startsWith("gemm: sizes must be >= 0"), e.getMessage());
    assertTrue(e.getMessage().contains("n=-1"), e.getMessage());
  }

  @Test
  void gemm_leadingDimensionTooSmall_throws() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Gemm.gemm(true, false, 2, 2, 3, new float[6], 0, 1, new float[6], 0, 2,
            new float[4], 0, 2, false));
    assertEquals("gemm: lda must be >= m (transA) = 2 or 0 (0 repeats one row), got lda=1", e.getMessage());
  }

  @Test
  void gemm_arrayTooShort_throwsNamingLayout() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Gemm.gemm(false, false, 2, 2, 3, new double[6], 0, 3, new double[6], 0, 2,
            new double[4], 1, 2, false));
    assertEquals("gemm: C (2x2, cOff=1, ldc=2) needs c.length > 4, got 4", e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> Gemm.gemmReference(false, true, 2, 2, 3, new float[6], 0, 3, new float[5], 0, 3,
            new float[4], 0, 2, false));
  }

  @Test
  void gemm_negativeOffset_throws() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Gemm.gemm(false, false, 2, 2, 3, new double[6], -1, 3, new double[6], 0, 2,
            new double[4], 0, 2, false));
    assertEquals("gemm: aOff must be >= 0, got -1", e.getMessage());
  }

  @Test
  void gemm_nullArray_throwsNullPointerNamingIt() {
    NullPointerException e = assertThrows(NullPointerException.class,
        () -> Gemm.gemm(false, false, 2, 2, 3, new double[6], 0, 3, null, 0, 2,
            new double[4], 0, 2, false));
    assertEquals("gemm: b is null but B is 3x2", e.getMessage());
  }

  @Test
  void implementation_namesTheActivePath() {
    String name = Gemm.implementation();
    assertEquals(Gemm.VECTOR_AVAILABLE, name.startsWith("vector("), name);
    if (!Gemm.VECTOR_AVAILABLE) {
      assertEquals("scalar", name);
    }
  }

  @Test
  void tileRows_followsTheVectorWidthTheJavaVersionAndTheProperty() {
    // No property: 8 rows with 512-bit vectors; narrower ones the Java 17 tile on 17, 4 later.
    assertEquals(8, Gemm.tileRows(null, 512, 17, 6));
    assertEquals(8, Gemm.tileRows(null, 512, 25, 5));
    assertEquals(6, Gemm.tileRows(null, 256, 17, 6));
    assertEquals(5, Gemm.tileRows(null, 256, 17, 5));
    assertEquals(4, Gemm.tileRows(null, 256, 18, 5));
    assertEquals(4, Gemm.tileRows(null, 256, 25, 6));
    assertEquals(4, Gemm.tileRows(null, 128, 21, 6));
    // The property wins, whatever the machine, with blanks around it.
    for (int rows : new int[] {4, 5, 6, 8}) {
      assertEquals(rows, Gemm.tileRows(String.valueOf(rows), 512, 17, 6));
      assertEquals(rows, Gemm.tileRows(" " + rows + " ", 256, 25, 5));
    }
    // Any other value is ignored (with a logged warning): the machine's choice.
    for (String bad : new String[] {"", "3", "7", "16", "-4", "five", "4.0"}) {
      assertEquals(6, Gemm.tileRows(bad, 256, 17, 6), bad);
      assertEquals(4, Gemm.tileRows(bad, 256, 25, 5), bad);
    }
  }

  /**
   * The Surefire executions that set {@code cadena.gemmTileRows} (see pom.xml) check the tiles
   * this CPU and JVM would not pick; this makes sure the setting reached the kernels, and that
   * without it the tile is one of the four there are.
   */
  @Test
  void implementation_namesTheRegisterTilesInUse() {
    String name = Gemm.implementation();
    if (!Gemm.VECTOR_AVAILABLE) {
      assertEquals("scalar", name);
      return;
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+) floats, (\\d+) doubles; "
        + "register tiles (\\d+)x(\\d+) float32, (\\d+)x(\\d+) float64\\)$").matcher(name);
    assertTrue(m.find(), name);
    String rows = System.getProperty("cadena.gemmTileRows");
    for (int g : new int[] {3, 5}) {
      int tileRows = Integer.parseInt(m.group(g));
      if (rows != null) {
        assertEquals(Integer.parseInt(rows), tileRows, name);
      } else {
        assertTrue(java.util.Set.of(4, 5, 6, 8).contains(tileRows), name);
      }
    }
    // Two vectors wide.
    assertEquals(2 * Integer.parseInt(m.group(1)), Integer.parseInt(m.group(4)), name);
    assertEquals(2 * Integer.parseInt(m.group(2)), Integer.parseInt(m.group(6)), name);
  }
}
