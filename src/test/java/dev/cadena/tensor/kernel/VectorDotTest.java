package dev.cadena.tensor.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * {@link VectorDotF64} and its float32 twin against the scalar dot products they replace, bit
 * for bit. Run only with the Vector API module (pom.xml's kernel executions; the default test run,
 * which has no vector path, excludes this class). A CPU without vectors of 128 bits or more has
 * no vector path either and skips it.
 */
class VectorDotTest {

  /**
   * The thin products' dot products (a few rows times a transposed matrix, a matrix times a few
   * columns, and each with the operand that needs gathering) give the same bits on the vector
   * path as on the scalar one, whatever the depth (no step of four, one, a tail), the group of
   * four items and the ones left over, the offsets, the thread count and a broadcast operand.
   */
  @Test
  void gemm_thinProducts_vectorDotsGiveTheScalarBits() {
    assumeTrue(Gemm.VECTOR_AVAILABLE, "needs vectors of 128 bits or more");
    int[] ks = {1, 3, 4, 5, 7, 8, 63, 64, 65, 257};
    // {m, n, kind}: 0 few rows times a transposed B, 1 few columns, 2 few columns of a
    // transposed B (gathered), 3 few rows of a transposed A (gathered) times a transposed B.
    int[][] thin = {{1, 9, 0}, {3, 5, 0}, {2, 1, 1}, {9, 3, 1}, {6, 2, 2}, {2, 7, 3}};
    long seed = 7000;
    int checked = 0;
    for (int[] mnk : thin) {
      for (int k : ks) {
        boolean transA = mnk[2] == 3;
        boolean transB = mnk[2] != 1;
        GemmTest.Case t =
            GemmTest.fixedCase(transA, transB, mnk[0], mnk[1], k, (seed & 1) == 0, seed++);
        if (seed % 5 == 0) {
          t.ldb = 0;
        }
        for (int threads : new int[] {1, 2}) {
          GemmTest.withThreads(threads, () -> compare(t));
          checked++;
        }
      }
    }
    assertEquals(2 * thin.length * ks.length, checked);
    // The vector path did run (where four lanes are native), not the scalar one twice.
    assertEquals(VectorDotF64.USABLE, VectorDotF64.warmedUp);
  }

  /**
   * Random thin products: a few rows or a few columns (1 to 3), the other side and the depth up
   * to 300, every transpose, offsets, padding, accumulating or not, one to three threads.
   */
  @Property(tries = 200, seed = "20261208")
  void gemm_randomThinProducts_vectorDotsGiveTheScalarBits(@ForAll long seed) {
    assumeTrue(Gemm.VECTOR_AVAILABLE, "needs vectors of 128 bits or more");
    Random random = new Random(seed);
    boolean fewRows = random.nextBoolean();
    int few = 1 + random.nextInt(3);
    int other = 1 + random.nextInt(300);
    int k = 1 + random.nextInt(300);
    boolean transA = random.nextBoolean();
    boolean transB = fewRows || random.nextBoolean();
    GemmTest.Case t = GemmTest.fixedCase(transA, transB, fewRows ? few : other,
        fewRows ? other : few, k, random.nextBoolean(), seed);
    GemmTest.withThreads(1 + random.nextInt(3), () -> compare(t));
  }

  /** The case on the scalar and the vector path, float64 and float32: the same bits. */
  private static void compare(GemmTest.Case t) {
    Random random = new Random(t.seed);
    double[] a = GemmTest.randomArray(t.aLength(), false, random);
    double[] b = GemmTest.randomArray(t.bLength(), false, random);
    double[] c = GemmTest.randomArray(t.cLength(), false, random);
    double[] scalar = c.clone();
    double[] vector = c.clone();
    Gemm.gemm(Gemm.Impl.SCALAR, t.transA, t.transB, t.m, t.n, t.k, a, t.aOff, t.lda, b,
        t.bOff, t.ldb, scalar, t.cOff, t.ldc, t.accumulate);
    Gemm.gemm(Gemm.Impl.VECTOR, t.transA, t.transB, t.m, t.n, t.k, a, t.aOff, t.lda, b,
        t.bOff, t.ldb, vector, t.cOff, t.ldc, t.accumulate);
    assertArrayEquals(scalar, vector, 0.0, () -> "float64 " + t);
    float[] a32 = GemmTest.toFloat(a);
    float[] b32 = GemmTest.toFloat(b);
    float[] scalar32 = GemmTest.toFloat(c);
    float[] vector32 = GemmTest.toFloat(c);
    Gemm.gemm(Gemm.Impl.SCALAR, t.transA, t.transB, t.m, t.n, t.k, a32, t.aOff, t.lda, b32,
        t.bOff, t.ldb, scalar32, t.cOff, t.ldc, t.accumulate);
    Gemm.gemm(Gemm.Impl.VECTOR, t.transA, t.transB, t.m, t.n, t.k, a32, t.aOff, t.lda, b32,
        t.bOff, t.ldb, vector32, t.cOff, t.ldc, t.accumulate);
    assertArrayEquals(scalar32, vector32, 0.0f, () -> "float32 " + t);
    // And within the reference's bound, like every product.
    GemmTest.check(Gemm.Impl.VECTOR, t);
  }
}
