package dev.cadena.tensor.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The dot products of the thin products ({@link ScalarGemmF64}'s matrix times a vector, or row
 * times a matrix) on the Vector API, with the same bits as its scalar {@code dot}. That one sums
 * in four interleaved partial sums, {@code s_j} adding the products {@code p = j mod 4} in order,
 * then {@code (s_0 + s_1) + (s_2 + s_3)}, with the products past the last multiple of 4 added to
 * {@code s_0}. Here a vector of four lanes holds the four sums: lane {@code j} adds the same
 * products in the same order, each by a multiply and an add (rounded twice, as the scalar code
 * is; a fused multiply-add would round once and change the bits), and the tail and the final sum
 * are the scalar code's. Four dot products run at once, so that their additions, each waiting
 * for the one before, overlap.
 *
 * <p>Measured on an AVX-512 EPYC (2 cores), with 64-bit elements, a matrix times a vector: 128 x
 * 64 in 1.85 us against the scalar loop's 6.7, 256 x 784 in 31-32 against 85 to 103.
 *
 * <p>Loaded only where the Vector API is (a caller checks {@link Gemm#VECTOR_AVAILABLE} first),
 * and used only where four lanes are native ({@link #USABLE}). Like the GEMM's kernels, it is
 * brought to compiled code before its first real call ({@link Warm}): the Vector API's
 * uncompiled code allocates an object per operation. Arguments are trusted: {@link Gemm} checked
 * them.
 *
 * <p>Written once, for 64-bit floats: in every build {@code
 * src/build/java/dev/cadena/build/GenerateF32.java} makes the 32-bit version of this class from
 * the 64-bit one (lines that must differ carry the 32-bit text in an end-of-line comment). Edit
 * the 64-bit source only.
 */
final class VectorDotF64 {

  /** Four lanes, one per partial sum of the scalar {@code dot}. */
  private static final VectorSpecies<Double> S = DoubleVector.SPECIES_256; // f32: private static final VectorSpecies<Float> S = FloatVector.SPECIES_128;

  /** Whether the CPU has vectors of four lanes (else the Vector API would run Java fallbacks). */
  static final boolean USABLE =
      S.vectorBitSize() <= DoubleVector.SPECIES_PREFERRED.vectorBitSize() && S.length() == 4;

  /**
   * Set by {@link Warm}'s warm-up, that is by the first thin product that took this path (for
   * tests: here, not in {@link Warm}, whose fields a test cannot read without running it).
   */
  static volatile boolean warmedUp;

  private VectorDotF64() {}

  /**
   * Initialised, once, by the first thin product that runs here: calls {@link #dots} on tiny
   * operands, every path of it, until it runs compiled (see {@link JitWarmUp#run}).
   */
  static final class Warm {
    static final boolean DONE = warmUp();

    private Warm() {}

    private static boolean warmUp() {
      // Counts of 6 (a group of four and two alone), 4 and 2; depths 1, 7, 8 and 13 (no step
      // of four lanes, one, two, three, with and without a tail); both steps; adding and not.
      double[] x = new double[6 * 13];
      double[] y = new double[6 * 13];
      double[] c = new double[6];
      for (int i = 0; i < x.length; i++) {
        x[i] = (i % 5) - 2;
        y[i] = (i % 3) - 1;
      }
      int[] counts = {6, 4, 2};
      int[] depths = {1, 7, 8, 13};
      Runnable call = () -> {
        for (int count : counts) {
          for (int k : depths) {
            dots(count, k, x, 0, k, y, 0, 0, c, 0, 1, false);
            dots(count, k, x, 0, 0, y, 0, k, c, 0, 1, true);
          }
        }
      };
      JitWarmUp.run(call, call);
      warmedUp = true;
      return true;
    }
  }

  /**
   * {@code c[c + t*cStep] (+)= dot(x + t*xStep, y + t*yStep)} for {@code t < count}: the dot
   * product of {@code k} contiguous elements of {@code xs} and of {@code ys} starting there. One
   * of the two steps is 0 in use: a column of B against rows of A, or a row of A against columns
   * of B. Every index is linear in {@code t}: with a row and a column worked out per item
   * instead, C2's code, compiled on the warm-up's items, failed its guards on real ones and was
   * thrown out, and the kernel ran in the uncompiled Vector API.
   */
  static void dots(int count, int k, double[] xs, int x, int xStep, double[] ys, int y,
      int yStep, double[] c, int at, int cStep, boolean accumulate) {
    int steps = k & ~3;
    int t = 0;
    for (; t + 4 <= count; t += 4) {
      int x0 = x + t * xStep;
      int x1 = x0 + xStep;
      int x2 = x1 + xStep;
      int x3 = x2 + xStep;
      int y0 = y + t * yStep;
      int y1 = y0 + yStep;
      int y2 = y1 + yStep;
      int y3 = y2 + yStep;
      DoubleVector s0 = DoubleVector.zero(S);
      DoubleVector s1 = DoubleVector.zero(S);
      DoubleVector s2 = DoubleVector.zero(S);
      DoubleVector s3 = DoubleVector.zero(S);
      for (int p = 0; p < steps; p += 4) {
        s0 = s0.add(DoubleVector.fromArray(S, xs, x0 + p)
            .mul(DoubleVector.fromArray(S, ys, y0 + p)));
        s1 = s1.add(DoubleVector.fromArray(S, xs, x1 + p)
            .mul(DoubleVector.fromArray(S, ys, y1 + p)));
        s2 = s2.add(DoubleVector.fromArray(S, xs, x2 + p)
            .mul(DoubleVector.fromArray(S, ys, y2 + p)));
        s3 = s3.add(DoubleVector.fromArray(S, xs, x3 + p)
            .mul(DoubleVector.fromArray(S, ys, y3 + p)));
      }
      int c0 = at + t * cStep;
      store(c, c0, accumulate, finish(s0.lane(0), s0.lane(1), s0.lane(2), s0.lane(3), steps, k,
          xs, x0, ys, y0));
      store(c, c0 + cStep, accumulate, finish(s1.lane(0), s1.lane(1), s1.lane(2), s1.lane(3),
          steps, k, xs, x1, ys, y1));
      store(c, c0 + 2 * cStep, accumulate, finish(s2.lane(0), s2.lane(1), s2.lane(2),
          s2.lane(3), steps, k, xs, x2, ys, y2));
      store(c, c0 + 3 * cStep, accumulate, finish(s3.lane(0), s3.lane(1), s3.lane(2),
          s3.lane(3), steps, k, xs, x3, ys, y3));
    }
    for (; t < count; t++) {
      int xt = x + t * xStep;
      int yt = y + t * yStep;
      DoubleVector sum = DoubleVector.zero(S);
      for (int p = 0; p < steps; p += 4) {
        sum = sum.add(
            DoubleVector.fromArray(S, xs, xt + p).mul(DoubleVector.fromArray(S, ys, yt + p)));
      }
      store(c, at + t * cStep, accumulate, finish(sum.lane(0), sum.lane(1), sum.lane(2),
          sum.lane(3), steps, k, xs, xt, ys, yt));
    }
  }

  /** The scalar {@code dot}'s end: the tail from {@code from} onto the first sum, then the sum. */
  private static double finish(double s0, double s1, double s2, double s3, int from, int k,
      double[] x, int xi, double[] y, int yi) {
    for (int p = from; p < k; p++) {
      s0 += x[xi + p] * y[yi + p];
    }
    return (s0 + s1) + (s2 + s3);
  }

  private static void store(double[] c, int at, boolean accumulate, double dot) {
    c[at] = accumulate ? c[at] + dot : dot;
  }
}
