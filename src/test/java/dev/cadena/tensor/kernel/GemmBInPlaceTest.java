package dev.cadena.tensor.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * Products of few rows that read an untransposed B in place ({@code VectorGemmF64.gemmBInPlace}
 * and its float32 twin) against the same products with B given transposed, which always packs
 * B: the same bits, float64 and float32. Run only with the Vector API module (pom.xml's kernel
 * executions; the default test run, which has no vector path, excludes this class). Where the
 * register tile is not 8 rows (256-bit vectors) nothing reads B in place, and the comparison
 * checks that packing either layout of B gives the same bits.
 */
class GemmBInPlaceTest {

  /**
   * Rows around the register tile and up to the limit, columns around one and two slivers of
   * either width (an edge sliver packed, the others read in place), depths around the block of
   * 512, a broadcast B ({@code ldb = 0}), padded leading dimensions, one to three threads (rows
   * split, or columns when there are too few rows).
   */
  @Test
  void gemm_fewRowsUntransposedB_sameBitsAsPackingB() {
    assumeTrue(Gemm.VECTOR_AVAILABLE, "needs vectors of 128 bits or more");
    int[] ms = {4, 7, 8, 9, 16, 17, 31, 32, 33, 64, 65, 127, 128};
    int[] ns = {17, 31, 32, 33, 65, 100};
    int[] ks = {7, 64, 511, 512, 513, 1100};
    long seed = 9000;
    int checked = 0;
    for (int m : ms) {
      for (int i = 0; i < ns.length; i++) {
        // Every depth with every rows and columns, but not every triple: a diagonal walk.
        int n = ns[i];
        // At least 4096 multiply-adds, or the product takes the scalar path.
        int k = Math.max(ks[(i + m) % ks.length], (4095 + m * n) / (m * n));
        boolean transA = (seed & 1) == 0;
        GemmTest.Case t = GemmTest.fixedCase(transA, false, m, n, k, (seed & 2) == 0, seed++);
        if (seed % 7 == 0) {
          t.ldb = 0;
        }
        assertTrue(Gemm.useVector(m, n, k), () -> m + " x " + n + " x " + k);
        int threads = 1 + (int) (seed % 3);
        GemmTest.withThreads(threads, () -> compare(t));
        checked++;
      }
    }
    assertEquals(ms.length * ns.length, checked);
    // B was read in place wherever the tile is 8 rows, not packed in both calls.
    assertEquals(VectorGemmF64.IN_PLACE_B_ROWS > 0, VectorGemmF64.readBInPlace);
    assertEquals(VectorGemmF32.IN_PLACE_B_ROWS > 0, VectorGemmF32.readBInPlace);
  }

  /**
   * Random products of up to 128 rows with an untransposed B: columns and depth up to 300 and
   * 1100, either layout of A, offsets, padding, accumulating or not, one to three threads.
   */
  @Property(tries = 150, seed = "20261208")
  void gemm_randomFewRowsProducts_sameBitsAsPackingB(@ForAll long seed) {
    assumeTrue(Gemm.VECTOR_AVAILABLE, "needs vectors of 128 bits or more");
    Random random = new Random(seed);
    int m = 4 + random.nextInt(125);
    int n = 17 + random.nextInt(284);
    int depth = 1 + random.nextInt(random.nextBoolean() ? 64 : 1100);
    int k = Math.max(depth, (4095 + m * n) / (m * n));
    GemmTest.Case t = GemmTest.fixedCase(random.nextBoolean(), false, m, n, k,
        random.nextBoolean(), seed);
    GemmTest.withThreads(1 + random.nextInt(3), () -> compare(t));
  }

  /**
   * The case as given (B untransposed, read in place) and with {@code op(B)} written out
   * transposed (packed): the same bits, float64 and float32; and within the reference's bound.
   */
  private static void compare(GemmTest.Case t) {
    Random random = new Random(t.seed);
    double[] a = GemmTest.randomArray(t.aLength(), false, random);
    double[] b = GemmTest.randomArray(t.bLength(), false, random);
    double[] c = GemmTest.randomArray(t.cLength(), false, random);
    // op(B)^T, n x k, dense: bt[j * k + p] = op(B)[p][j].
    double[] bt = new double[t.n * t.k];
    for (int p = 0; p < t.k; p++) {
      for (int j = 0; j < t.n; j++) {
        bt[j * t.k + p] = b[t.bOff + p * t.ldb + j];
      }
    }
    double[] inPlace = c.clone();
    double[] packed = c.clone();
    Gemm.gemm(Gemm.Impl.VECTOR, t.transA, false, t.m, t.n, t.k, a, t.aOff, t.lda, b, t.bOff,
        t.ldb, inPlace, t.cOff, t.ldc, t.accumulate);
    Gemm.gemm(Gemm.Impl.VECTOR, t.transA, true, t.m, t.n, t.k, a, t.aOff, t.lda, bt, 0, t.k,
        packed, t.cOff, t.ldc, t.accumulate);
    assertArrayEquals(packed, inPlace, 0.0, () -> "float64 " + t);
    float[] a32 = GemmTest.toFloat(a);
    float[] b32 = GemmTest.toFloat(b);
    float[] bt32 = GemmTest.toFloat(bt);
    float[] inPlace32 = GemmTest.toFloat(c);
    float[] packed32 = GemmTest.toFloat(c);
    Gemm.gemm(Gemm.Impl.VECTOR, t.transA, false, t.m, t.n, t.k, a32, t.aOff, t.lda, b32,
        t.bOff, t.ldb, inPlace32, t.cOff, t.ldc, t.accumulate);
    Gemm.gemm(Gemm.Impl.VECTOR, t.transA, true, t.m, t.n, t.k, a32, t.aOff, t.lda, bt32, 0,
        t.k, packed32, t.cOff, t.ldc, t.accumulate);
    assertArrayEquals(packed32, inPlace32, 0.0f, () -> "float32 " + t);
    GemmTest.check(Gemm.Impl.VECTOR, t);
  }
}
