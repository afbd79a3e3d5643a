package dev.cadena.tensor.kernel;

import java.util.Arrays;

/**
 * The float64 GEMM in plain Java, written so that HotSpot's C2 vectorizes its inner loop by
 * itself. The arguments were checked by {@link Gemm}, and {@code m, n, k > 0}.
 *
 * <p>C2's auto-vectorizer (JDK 17 to 25) gives up on a loop that reads one array and writes
 * another at different offsets, since it cannot rule out that they are the same array. So the
 * inner loop indexes every array at the same {@code j} from 0: a {@code KC x NC} block of {@code
 * op(B)} is copied into one array per row, each row of C is summed in a per-thread scratch row,
 * and the loop is {@code acc[j] += a0*b0[j] + a1*b1[j] + a2*b2[j] + a3*b3[j]}. Four rows of B per
 * pass was the best unrolling measured; more, or two rows of C at once, stops the vectorizer.
 * Rows of C are split across threads, and with fewer than two rows per thread the columns too.
 * Thin products are dot products instead (a matrix times a vector), or sums of the rows of a
 * transposed A (its gradient, {@code W^T g}). The dot products run on {@link VectorDotF64}, with
 * the same bits, where the caller has the Vector API; nothing else here touches it.
 *
 * <p>Written once, for 64-bit floats: in every build {@code
 * src/build/java/dev/cadena/build/GenerateF32.java} makes the 32-bit version of this class from
 * the 64-bit one (lines that must differ carry the 32-bit text in an end-of-line comment). Edit
 * the 64-bit source only.
 */
final class ScalarGemmF64 {

  /** Depth of a block of B. */
  private static final int KC = 256;
  /** Width of a block of B; with KC that is 512 KiB, meant for L2. */
  private static final int NC = 256; // f32: private static final int NC = 512;

  /**
   * Throughput of one core, for {@link Parallel#forRange}'s cost estimate: about 40 GFLOP/s with
   * 4-byte elements and half that with 8-byte ones were measured on AVX-512; older cores are
   * slower.
   */
  private static final long FLOPS_PER_NANO = 160 / Double.BYTES;

  /**
   * Below this many rows (with B transposed) or columns, C is computed as dot products of
   * contiguous rows: copying a transposed B, or a B one column wide, would cost more than the
   * product.
   */
  private static final int THIN = 4;

  /** Columns per work item when a product with few rows is split by columns. */
  private static final int COLUMN_GROUP = 64;

  private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

  private ScalarGemmF64() {}

  /**
   * The product; {@code vectorDots} says that the thin products' dot products may run on {@link
   * VectorDotF64} (the caller checked that the Vector API is there and {@link
   * VectorDotF64#USABLE}), with the same bits.
   */
  static void gemm(boolean transA, boolean transB, int m, int n, int k,
      double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
      double[] c, int cOff, int ldc, boolean accumulate, boolean vectorDots) {
    Workspace ws = WORKSPACE.get();
    if (n < THIN && transA) {
      RowCombinationsWarm.ensure();
      rowCombinations(transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
      return;
    }
    if ((transB && m < THIN) || (n < THIN && !transA)) {
      dotProducts(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate,
          ws, vectorDots);
      return;
    }
    int threads = Parallel.threads();
    // op(A)[i][p] = a[aOff + i*rowStride + p*colStride]
    int rowStride = transA ? 1 : lda;
    int colStride = transA ? lda : 1;
    for (int jc = 0; jc < n; jc += NC) {
      int nc = Math.min(NC, n - jc);
      for (int pc = 0; pc < k; pc += KC) {
        int kc = Math.min(KC, k - pc);
        double[][] rowsB = ws.rowsB(kc, nc);
        int jcFinal = jc;
        int pcFinal = pc;
        // Copying: about 1 ns per element gathered from columns, 0.25 ns from rows.
        Parallel.forRange(kc, transB ? nc : nc / 4,
            (s, e) -> copyB(transB, b, bOff, ldb, pcFinal, jcFinal, nc, s, e, rowsB));
        boolean add = accumulate || pc > 0;
        int aBase = aOff + pc * colStride;
        int cBase = cOff + jc;
        // Items are (row, column group) pairs, row-major. With enough rows a group is the whole
        // block; with fewer than two rows per thread the columns are split as well.
        int groups = m >= 2 * threads ? 1 : (nc + COLUMN_GROUP - 1) / COLUMN_GROUP;
        int width = groups == 1 ? nc : COLUMN_GROUP;
        Parallel.forRange(m * groups, 2L * kc * width / FLOPS_PER_NANO, (s, e) -> {
          double[] acc = WORKSPACE.get().accumulator(nc);
          for (int item = s; item < e; item++) {
            int i = item / groups;
            int j0 = (item - i * groups) * width;
            int j1 = Math.min(nc, j0 + width);
            int ci = cBase + i * ldc;
            if (add) {
              System.arraycopy(c, ci + j0, acc, j0, j1 - j0);
            } else {
              Arrays.fill(acc, j0, j1, 0.0);
            }
            rowTimesBlock(kc, j0, j1, a, aBase + i * rowStride, colStride, rowsB, acc);
            System.arraycopy(acc, j0, c, ci + j0, j1 - j0);
          }
        });
      }
    }
  }

  /**
   * {@code C[i][j] (+)= dot(op(A) row i, op(B) column j)}, for thin products. Rows of op(A) and
   * columns of op(B) that are not contiguous in their arrays (at most 3 of them) are gathered
   * first.
   */
  private static void dotProducts(boolean transA, boolean transB, int m, int n, int k,
      double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
      double[] c, int cOff, int ldc, boolean accumulate, Workspace ws, boolean vectorDots) {
    // Row i of op(A) is rowsA[rowsAOff + i*rowsAStride + p]; column j of op(B) likewise.
    double[] rowsA = a;
    int rowsAOff = aOff;
    int rowsAStride = lda;
    double[] colsB = b;
    int colsBOff = bOff;
    int colsBStride = ldb;
    double[] gathered = ws.gathered((transA ? m * k : 0) + (transB ? 0 : n * k));
    int used = 0;
    if (transA) {
      // Only reached with m < THIN.
      for (int i = 0; i < m; i++) {
        for (int p = 0; p < k; p++) {
          gathered[i * k + p] = a[aOff + p * lda + i];
        }
      }
      rowsA = gathered;
      rowsAOff = 0;
      rowsAStride = k;
      used = m * k;
    }
    if (!transB) {
      // Only reached with n < THIN.
      for (int p = 0; p < k; p++) {
        for (int j = 0; j < n; j++) {
          gathered[used + j * k + p] = b[bOff + p * ldb + j];
        }
      }
      colsB = gathered;
      colsBOff = used;
      colsBStride = k;
    }
    double[] ra = rowsA;
    int raOff = rowsAOff;
    int raStride = rowsAStride;
    double[] cb = colsB;
    int cbOff = colsBOff;
    int cbStride = colsBStride;
    if (vectorDots) {
      if (!VectorDotF64.Warm.DONE) {
        throw new AssertionError("gemm: vector dot warm-up did not finish");
      }
      // About four times the scalar loop's speed. By rows when there are fewer columns (a
      // matrix times a vector: each column against a run of rows), else by columns.
      long cost = 2L * k / (4 * FLOPS_PER_NANO) + 1;
      if (n <= m) {
        Parallel.forRange(m, cost * n, (s, e) -> {
          for (int j = 0; j < n; j++) {
            VectorDotF64.dots(e - s, k, ra, raOff + s * raStride, raStride, cb,
                cbOff + j * cbStride, 0, c, cOff + s * ldc + j, ldc, accumulate);
          }
        });
      } else {
        Parallel.forRange(n, cost * m, (s, e) -> {
          for (int i = 0; i < m; i++) {
            VectorDotF64.dots(e - s, k, ra, raOff + i * raStride, 0, cb, cbOff + s * cbStride,
                cbStride, c, cOff + i * ldc + s, 1, accumulate);
          }
        });
      }
      return;
    }
    Parallel.forRange(m * n, 2L * k / FLOPS_PER_NANO + 1, (s, e) -> {
      for (int ij = s; ij < e; ij++) {
        int i = ij / n;
        int j = ij - i * n;
        double dot = dot(k, ra, raOff + i * raStride, cb, cbOff + j * cbStride);
        int at = cOff + i * ldc + j;
        c[at] = accumulate ? c[at] + dot : dot;
      }
    });
  }

  /**
   * {@code sum_p x[xi + p] * y[yi + p]}, in four interleaved partial sums for speed. (Eight were
   * faster on a 128 x 64 matrix times a vector, 5.1 against 3.7 us, but change the bits of every
   * thin product, and notebook 08's chaotic RNN with them; a matrix-vector product of that size is
   * not where any workload spends its time.)
   */
  private static double dot(int k, double[] x, int xi, double[] y, int yi) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int p = 0;
    for (; p + 4 <= k; p += 4) {
      s0 += x[xi + p] * y[yi + p];
      s1 += x[xi + p + 1] * y[yi + p + 1];
      s2 += x[xi + p + 2] * y[yi + p + 2];
      s3 += x[xi + p + 3] * y[yi + p + 3];
    }
    for (; p < k; p++) {
      s0 += x[xi + p] * y[yi + p];
    }
    return (s0 + s1) + (s2 + s3);
  }

  /**
   * {@code C (+)= A^T op(B)} for a transposed A and fewer than {@link #THIN} columns (the
   * gradient of a matrix-vector product, {@code W^T g}): column {@code j} of C is the sum of the
   * stored rows of A, {@code A[p][0..m)}, weighted by {@code op(B)[p][j]}, four rows at a time.
   * The blocked path would copy A to multiply it by a block one column wide, one element per
   * pass of its inner loop. Rows of C are split into groups of {@link #COLUMN_GROUP}; the sums
   * run over {@code p} in the blocked path's order, so the bits are the same.
   */
  private static void rowCombinations(boolean transB, int m, int n, int k,
      double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
      double[] c, int cOff, int ldc, boolean accumulate) {
    int groups = (m + COLUMN_GROUP - 1) / COLUMN_GROUP;
    // op(B)[p][j] = b[bOff + j*bColumn + p*bRow]
    int bRow = transB ? 1 : ldb;
    int bColumn = transB ? ldb : 1;
    Parallel.forRange(n * groups, 2L * k * Math.min(m, COLUMN_GROUP) / FLOPS_PER_NANO + 1,
        (s, e) -> {
          double[] acc = WORKSPACE.get().accumulator(m);
          for (int item = s; item < e; item++) {
            int j = item / groups;
            int i0 = (item - j * groups) * COLUMN_GROUP;
            int i1 = Math.min(m, i0 + COLUMN_GROUP);
            int bj = bOff + j * bColumn;
            for (int i = i0; i < i1; i++) {
              acc[i] = accumulate ? c[cOff + i * ldc + j] : 0.0;
            }
            int p = 0;
            for (; p + 4 <= k; p += 4) {
              double x0 = b[bj + p * bRow];
              double x1 = b[bj + (p + 1) * bRow];
              double x2 = b[bj + (p + 2) * bRow];
              double x3 = b[bj + (p + 3) * bRow];
              int r0 = aOff + p * lda;
              int r1 = r0 + lda;
              int r2 = r1 + lda;
              int r3 = r2 + lda;
              for (int i = i0; i < i1; i++) {
                acc[i] += x0 * a[r0 + i] + x1 * a[r1 + i] + x2 * a[r2 + i] + x3 * a[r3 + i];
              }
            }
            for (; p < k; p++) {
              double x0 = b[bj + p * bRow];
              int r0 = aOff + p * lda;
              for (int i = i0; i < i1; i++) {
                acc[i] += x0 * a[r0 + i];
              }
            }
            for (int i = i0; i < i1; i++) {
              c[cOff + i * ldc + j] = acc[i];
            }
          }
        });
  }

  /**
   * {@code acc[j] += sum_p a[ai + p*colStride] * rowsB[p][j]} for {@code p < kc} and {@code j0
   * <= j < j1}.
   */
  private static void rowTimesBlock(int kc, int j0, int j1, double[] a, int ai, int colStride,
      double[][] rowsB, double[] acc) {
    int p = 0;
    for (; p + 4 <= kc; p += 4) {
      int at = ai + p * colStride;
      axpy4(j0, j1, a[at], a[at + colStride], a[at + 2 * colStride], a[at + 3 * colStride],
          rowsB[p], rowsB[p + 1], rowsB[p + 2], rowsB[p + 3], acc);
    }
    for (; p < kc; p++) {
      axpy1(j0, j1, a[ai + p * colStride], rowsB[p], acc);
    }
  }

  private static void axpy4(int j0, int j1, double a0, double a1, double a2, double a3,
      double[] b0, double[] b1, double[] b2, double[] b3, double[] acc) {
    for (int j = j0; j < j1; j++) {
      acc[j] += a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
    }
  }

  private static void axpy1(int j0, int j1, double a0, double[] b0, double[] acc) {
    for (int j = j0; j < j1; j++) {
      acc[j] += a0 * b0[j];
    }
  }

  /** Copies rows {@code p0 .. p1} of the {@code kc x nc} block of {@code op(B)} at (pc, jc). */
  private static void copyB(boolean transB, double[] b, int bOff, int ldb, int pc, int jc,
      int nc, int p0, int p1, double[][] rowsB) {
    for (int p = p0; p < p1; p++) {
      double[] row = rowsB[p];
      if (transB) {
        int src = bOff + jc * ldb + pc + p;
        for (int j = 0; j < nc; j++) {
          row[j] = b[src + j * ldb];
        }
      } else {
        System.arraycopy(b, bOff + (pc + p) * ldb + jc, row, 0, nc);
      }
    }
  }

  /**
   * Initialised, once, by the first product that takes {@link #rowCombinations}: {@link
   * JitWarmUp#repeat} on a block of 64 x 32, so that C2 compiles it whole before its first real
   * call (else on the stack first, mid-loop, and whole again later). Its inner loop runs over a
   * group of at most {@link #COLUMN_GROUP} rows, as the warm-up's does, so the compiled loop is
   * the one real calls need (see {@link JitWarmUp#repeat} on loops of other lengths).
   */
  private static final class RowCombinationsWarm {
    static {
      int m = COLUMN_GROUP;
      int k = 32;
      double[] a = new double[k * m];
      double[] b = new double[k];
      double[] c = new double[m];
      for (int i = 0; i < a.length; i++) {
        a[i] = (i % 3) - 1;
      }
      JitWarmUp.repeat(() -> rowCombinations(false, m, 1, k, a, 0, m, b, 0, 1, c, 0, 1, false));
    }

    static void ensure() {}
  }

  /** Per-thread buffers, grown on demand and kept for the thread's next call. */
  private static final class Workspace {
    private double[][] rowsB = new double[0][];
    private double[] accumulator = new double[0];
    private double[] gathered = new double[0];

    double[][] rowsB(int kc, int nc) {
      if (rowsB.length < kc || rowsB[0].length < nc) {
        int width = Math.max(nc, rowsB.length == 0 ? 0 : rowsB[0].length);
        double[][] grown = new double[Math.max(kc, rowsB.length)][];
        for (int p = 0; p < grown.length; p++) {
          grown[p] = new double[width];
        }
        rowsB = grown;
      }
      return rowsB;
    }

    double[] gathered(int size) {
      if (gathered.length < size) {
        gathered = new double[size];
      }
      return gathered;
    }

    double[] accumulator(int nc) {
      if (accumulator.length < nc) {
        accumulator = new double[nc];
      }
      return accumulator;
    }
  }
}
