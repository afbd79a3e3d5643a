package dev.cadena.tensor.kernel;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float64 GEMM on the incubating Vector API: packed, cache-blocked, with an {@code MR x NR}
 * register tile ({@code NR} = two vectors). Only loaded when {@link Gemm#VECTOR_AVAILABLE}; the
 * arguments were checked by {@link Gemm}, and {@code m, n, k > 0}.
 *
 * <p>Loop nest, outermost first (after Goto and van de Geijn, "Anatomy of high-performance matrix
 * multiplication", 2008): columns of C in blocks of {@code NC}; the summed dimension in blocks of
 * {@code KC}, packing that {@code KC x NC} block of {@code op(B)} into column slivers {@code NR}
 * wide; rows of C split across threads, packed {@code MC} at a time into row slivers {@code MR}
 * tall; then every {@code NR}-wide sliver of B (kept in L1) against every {@code MR}-tall sliver
 * of A (kept in L2). Slivers at the edges are padded with zeros, and their tiles go through a
 * scratch tile so that only the real part of C is written. The threads pack the block of B
 * together in the same {@link Parallel#forRange} that computes the rows, each after packing its
 * first rows of A, which saves a hand-off per block. When there are too few rows to give each
 * thread two slivers, the columns are split across threads instead, each packing its own part of
 * B. At most one vector of columns takes a tile one vector wide and reads A in place ({@link
 * #gemmNarrow}).
 *
 * <p>A leading dimension of 0 (a broadcast operand) needs nothing special: the packing reads
 * every stored row from the same place.
 *
 * <p>Written once, for 64-bit floats: in every build {@code
 * src/build/java/dev/cadena/build/GenerateF32.java} makes the 32-bit version of this class from
 * the 64-bit one (lines that must differ carry the 32-bit text in an end-of-line comment). Edit
 * the 64-bit source only.
 */
final class VectorGemmF64 {

  private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
  /** Lanes in one vector. */
  private static final int L = S.length();
  /** Columns in a register tile. */
  private static final int NR = 2 * L;
  /**
   * Rows in a register tile ({@link Gemm#tileRows}): 8 x 2 accumulators fill half of AVX-512's
   * 32 vector registers; on narrower machines, which may have only 16 (AVX2), 6 x 2 leaves room
   * for two B vectors and A (float64), and 5 x 2 for float32 (see {@link #kernel5}); 4 x 2 on
   * JVMs newer than 17 (see {@link #kernel4}).
   */
  private static final int MR = tileRows(6); // f32: private static final int MR = tileRows(5);
  /**
   * Elements from one step of a packed A sliver to the next: {@code MR}, or 8 for 5-row tiles,
   * so that the kernel's index {@code ia + p * PS} is a shift of the loop counter. HotSpot 17
   * rewrites {@code p * 6} as two shifts and an add (as any constant with two bits set), and
   * then no longer sees a multiple of the loop counter: the A loads keep two range checks and
   * their index arithmetic inside the loop, 37 instructions for 12 FMAs (the disassembled loop
   * of {@link #kernel6}). With a power of two the checks move before the loop.
   */
  private static final int PS = MR == 5 ? 8 : MR;
  /**
   * Elements that {@link #packA} copies per step of a full sliver of a transposed A, in vectors
   * (the last one may overlap the one before): {@code MR} when a sliver is at least a vector
   * tall, a whole vector when the step's padding ({@code PS > MR}) has room for the lanes past
   * {@code MR} (they are never read), else 0, for {@code System.arraycopy}.
   */
  private static final int PACK_WIDTH = MR >= L ? MR : PS >= L ? L : 0;
  /** Steps of a transposed B packed per pass; see {@link #packB}. */
  private static final int TB = 64;
  /**
   * Depth of a packed block, best measured on an AVX-512 EPYC: B's sliver is 64 KiB, A's block
   * 512 KiB with 8-byte elements (256 KiB with 4-byte ones), half of that core's 1 MiB L2. With
   * 8-byte elements it was 256 until 2026-12-08 (A's block 256 KiB, B's sliver 32 KiB, a whole
   * L1): n = 1024 products ran at 47-48.5 GFLOP/s on one thread and 81-94.5 on two, against
   * 48-51 and 97-99.5 with 512, where each product has half as many blocks, each a pass over C
   * and, on two threads, a hand-off and a wait.
   */
  private static final int KC = 512;
  /**
   * Rows in a tile one vector wide ({@link #gemmNarrow}): 8 accumulators, one B vector and a
   * broadcast fit the 16 registers of AVX2 as well.
   */
  private static final int NARROW_MR = 8;
  /** Rows of A packed at a time, a multiple of MR (a block of {@code MC / MR * PS * KC}). */
  private static final int MC = (128 / MR) * MR;
  /** Columns of B packed at a time, a multiple of NR: with KC, 2^20 elements, meant for L3. */
  private static final int NC = (2048 / NR) * NR;
  /**
   * Products of at most this many rows with an untransposed B read B where it is ({@link
   * #gemmBInPlace}) on the 8-row tile. Packing B costs about as much per element whatever the
   * rows, and the product uses each element once per row: at 32 rows (an MLP's batch) packing the
   * 784 x 256 weight took as long as the arithmetic.
   */
  static final int IN_PLACE_B_ROWS = MR == 8 ? MC : 0;
  /** Set once a product has read B in place; for tests. */
  static volatile boolean readBInPlace;

  /**
   * Throughput of one core, for {@link Parallel#forRange}'s cost estimate: about 8 flops per
   * lane per nanosecond (one to two vector FMAs per cycle at 2 to 4 GHz).
   */
  private static final long FLOPS_PER_NANO = 8L * L;

  private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

  /** The register tile, rows x columns, for example {@code "6x8"}. */
  static String tile() {
    return MR + "x" + NR;
  }

  /** {@link Gemm#tileRows} for this machine, this JVM and {@code -Dcadena.gemmTileRows}. */
  private static int tileRows(int onHotSpot17) {
    return Gemm.tileRows(System.getProperty("cadena.gemmTileRows"), S.vectorBitSize(),
        Runtime.version().feature(), onHotSpot17);
  }

  private VectorGemmF64() {}

  static void gemm(boolean transA, boolean transB, int m, int n, int k,
      double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
      double[] c, int cOff, int ldc, boolean accumulate) {
    int rowSlivers = (m + MR - 1) / MR;
    if (n <= L) {
      gemmNarrow(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
      return;
    }
    int threads = Parallel.threads();
    if (!transB && m <= IN_PLACE_B_ROWS) {
      gemmBInPlace(transA, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
      return;
    }
    if (threads > 1 && rowSlivers < 2 * threads && n > NR) {
      gemmByColumns(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc,
          accumulate);
      return;
    }
    Workspace ws = WORKSPACE.get();
    for (int jc = 0; jc < n; jc += NC) {
      int nc = Math.min(NC, n - jc);
      int colSlivers = (nc + NR - 1) / NR;
      for (int pc = 0; pc < k; pc += KC) {
        int kc = Math.min(KC, k - pc);
        double[] pb = ws.packedB(colSlivers * NR * kc);
        int jcFinal = jc;
        int pcFinal = pc;
        boolean add = accumulate || pc > 0;
        // B is packed inside the same loop as the product, so there is no second hand-off to
        // the workers: each thread first claims slivers of B until none is left to claim, then
        // multiplies by the slivers packed so far and by the others as they are packed (so a
        // thread only ever waits for work that a running thread has claimed, and one thread
        // alone packs everything).
        AtomicInteger bClaimed = new AtomicInteger();
        AtomicIntegerArray bReady = new AtomicIntegerArray(colSlivers);
        // Packing: about 1 ns per element gathered from columns, 0.25 ns from rows.
        long packCost = (transB ? (long) kc * NR : (long) kc * NR / 4) * colSlivers;
        long cost = 2L * MR * kc * nc / FLOPS_PER_NANO + packCost / rowSlivers;
        Parallel.forRange(rowSlivers, cost, (s, e) -> {
          Workspace own = WORKSPACE.get();
          for (int first = s; first < e; first += MC / MR) {
            int i0 = first * MR;
            int mc = Math.min(Math.min(e, first + MC / MR) * MR, m) - i0;
            double[] pa = own.packedA(MC / MR * PS * kc);
            packA(transA, a, aOff, lda, i0, pcFinal, mc, kc, pa);
            int cBase = cOff + i0 * ldc + jcFinal;
            if (first != s) {
              macroKernel(mc, nc, kc, pa, pb, c, cBase, ldc, add, own.tile);
              continue;
            }
            // A first, B next: a thread that joins late packs its rows of A while the slivers of
            // B that others claimed are still being packed, instead of waiting for them.
            int sliver;
            while ((sliver = bClaimed.getAndIncrement()) < colSlivers) {
              try {
                packB(transB, b, bOff, ldb, pcFinal, jcFinal, kc, nc, sliver, sliver + 1, pb);
              } finally {
                // Marked even if packing threw, so no thread waits forever; forRange rethrows.
                bReady.set(sliver, 1);
              }
            }
            // The slivers that are ready, in order; then each of the others once it is. One pass
            // in DEFER_EVERY also leaves its first sliver for the second pass (see passes).
            int deferred = (passes++ & (DEFER_EVERY - 1)) == 0 ? 0 : -1;
            for (int s0 = 0; s0 < colSlivers; s0 += 64) {
              int s1 = Math.min(colSlivers, s0 + 64);
              long skipped = 0; // bit t - s0: sliver t, left for the second pass
              for (int t = s0; t < s1; t++) {
                // One test, not two: C2 must see this one fail (see passes).
                if ((bReady.get(t) & (t == deferred ? 0 : 1)) != 0) {
                  macroKernel(mc, nc, kc, pa, pb, c, cBase, ldc, add, own.tile, t, t + 1);
                } else {
                  skipped |= 1L << (t - s0);
                }
              }
              for (int t = s0; t < s1; t++) {
                if ((skipped & (1L << (t - s0))) != 0) {
                  awaitReady(bReady, t);
                  macroKernel(mc, nc, kc, pa, pb, c, cBase, ldc, add, own.tile, t, t + 1);
                }
              }
            }
          }
        });
      }
    }
  }

  /**
   * The product for at most {@link #IN_PLACE_B_ROWS} rows and an untransposed B: A is packed as
   * usual and B read where it is, each full sliver of it a row of {@code NR} elements every
   * {@code ldb} (an edge sliver narrower than {@code NR} is packed, so no load passes the end of
   * a row). The kernel's sums are the packed path's, step for step, so the bits are too. The rows
   * are split across threads when there are at least two slivers per thread, else the columns,
   * each thread packing all of A (a few rows); either way each thread runs every block of the
   * summed dimension for its part of C, in order, with no hand-off between blocks.
   */
  private static void gemmBInPlace(boolean transA, int m, int n, int k,
      double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
      double[] c, int cOff, int ldc, boolean accumulate) {
    if (!readBInPlace) {
      readBInPlace = true;
    }
    int rowSlivers = (m + MR - 1) / MR;
    int colSlivers = (n + NR - 1) / NR;
    int threads = Parallel.threads();
    if (threads == 1 || rowSlivers >= 2 * threads) {
      Parallel.forRange(rowSlivers, 2L * MR * n * k / FLOPS_PER_NANO, (s, e) -> {
        Workspace own = WORKSPACE.get();
        int i0 = s * MR;
        int mc = Math.min(e * MR, m) - i0;
        for (int pc = 0; pc < k; pc += KC) {
          int kc = Math.min(KC, k - pc);
          double[] pa = own.packedA((e - s) * PS * kc);
          packA(transA, a, aOff, lda, i0, pc, mc, kc, pa);
          blockBInPlace(mc, 0, n, kc, pa, b, bOff, ldb, pc, c, cOff + i0 * ldc, ldc,
              accumulate || pc > 0, own.tile, own);
        }
      });
    } else {
      Parallel.forRange(colSlivers, 2L * m * NR * k / FLOPS_PER_NANO, (s, e) -> {
        Workspace own = WORKSPACE.get();
        for (int pc = 0; pc < k; pc += KC) {
          int kc = Math.min(KC, k - pc);
          double[] pa = own.packedA(rowSlivers * PS * kc);
          packA(transA, a, aOff, lda, 0, pc, m, kc, pa);
          blockBInPlace(m, s * NR, Math.min(e * NR, n), kc, pa, b, bOff, ldb, pc, c, cOff, ldc,
              accumulate || pc > 0, own.tile, own);
        }
      });
    }
  }

  /**
   * Columns {@code j0 .. j1} of a packed {@code mc x kc} block of A times rows {@code pc .. pc +
   * kc} of B read in place, into {@code c[cBase + i*ldc + j]} (adding when {@code add}): every
   * sliver of B against every sliver of A, the rows short of a tile and the columns short of a
   * sliver through {@code tile}. The edge sliver is packed into {@code edge}'s buffer for B.
   */
  private static void blockBInPlace(int mc, int j0, int j1, int kc, double[] pa,
      double[] b, int bOff, int ldb, int pc, double[] c, int cBase, int ldc, boolean add,
      double[] tile, Workspace edge) {
    int bRow = bOff + pc * ldb;
    for (int js = j0; js < j1; js += NR) {
      int nr = Math.min(NR, j1 - js);
      double[] eb = null;
      if (nr < NR) {
        eb = edge.packedB(kc * NR);
        packB(false, b, bOff, ldb, pc, js, kc, nr, 0, 1, eb);
      }
      for (int is = 0; is < mc; is += MR) {
        int mr = Math.min(MR, mc - is);
        int ia = is / MR * PS * kc;
        int ci = cBase + is * ldc + js;
        if (eb != null) {
          kernel(kc, pa, ia, eb, 0, tile, 0, NR, false);
        } else if (mr == MR) {
          kernel8(kc, pa, ia, b, bRow + js, ldb, c, ci, ldc, add);
          continue;
        } else {
          kernel8(kc, pa, ia, b, bRow + js, ldb, tile, 0, NR, false);
        }
        for (int r = 0; r < mr; r++) {
          int row = ci + r * ldc;
          for (int j = 0; j < nr; j++) {
            c[row + j] = add ? c[row + j] + tile[r * NR + j] : tile[r * NR + j];
          }
        }
      }
    }
  }

  /**
   * The product for few rows: the columns are split across threads instead, each thread packing
   * its own slivers of B and all of A (a few rows), so no thread waits for another.
   */
  private static void gemmByColumns(boolean transA, boolean transB, int m, int n, int k,
      double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
      double[] c, int cOff, int ldc, boolean accumulate) {
    int colSlivers = (n + NR - 1) / NR;
    long packCost = transB ? (long) k * NR : (long) k * NR / 4;
    long cost = 2L * m * NR * k / FLOPS_PER_NANO + packCost;
    Parallel.forRange(colSlivers, cost, (s, e) -> {
      Workspace own = WORKSPACE.get();
      for (int first = s; first < e; first += NC / NR) {
        int slivers = Math.min(e - first, NC / NR);
        int jc = first * NR;
        int nc = Math.min(slivers * NR, n - jc);
        for (int pc = 0; pc < k; pc += KC) {
          int kc = Math.min(KC, k - pc);
          boolean add = accumulate || pc > 0;
          double[] pb = own.packedB(slivers * NR * kc);
          packB(transB, b, bOff, ldb, pc, jc, kc, nc, 0, slivers, pb);
          for (int i0 = 0; i0 < m; i0 += MC) {
            int mc = Math.min(MC, m - i0);
            double[] pa = own.packedA(MC / MR * PS * kc);
            packA(transA, a, aOff, lda, i0, pc, mc, kc, pa);
            macroKernel(mc, nc, kc, pa, pb, c, cOff + i0 * ldc + jc, ldc, add, own.tile);
          }
        }
      }
    });
  }

  /**
   * The product for at most one vector of columns (a layer with few outputs, say). B is packed
   * one vector wide, and A is read where it is: with one column sliver each element of A is used
   * once, so packing it would cost as much as the product. Tiles are {@code NARROW_MR} rows by
   * one vector (rows past the last full tile one at a time); the rows are split across threads.
   */
  private static void gemmNarrow(boolean transA, boolean transB, int m, int n, int k,
      double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
      double[] c, int cOff, int ldc, boolean accumulate) {
    Workspace ws = WORKSPACE.get();
    int tiles = (m + NARROW_MR - 1) / NARROW_MR;
    // op(A)[i][p] = a[aOff + i*rowStride + p*colStride]
    int rowStride = transA ? 1 : lda;
    int colStride = transA ? lda : 1;
    for (int pc = 0; pc < k; pc += KC) {
      int kc = Math.min(KC, k - pc);
      double[] pb = ws.packedB(kc * L);
      packNarrowB(transB, b, bOff, ldb, pc, kc, n, pb);
      int aBase = aOff + pc * colStride;
      boolean add = accumulate || pc > 0;
      Parallel.forRange(tiles, 2L * NARROW_MR * kc * L / FLOPS_PER_NANO, (s, e) -> {
        double[] tile = WORKSPACE.get().tile;
        for (int t = s; t < e; t++) {
          int i0 = t * NARROW_MR;
          int mr = Math.min(NARROW_MR, m - i0);
          int ai = aBase + i0 * rowStride;
          int ci = cOff + i0 * ldc;
          if (mr < NARROW_MR) {
            for (int r = 0; r < mr; r++) {
              narrowRow(kc, a, ai + r * rowStride, colStride, pb, tile, r * L);
            }
          } else if (transA) {
            narrowTileByColumns(kc, a, ai, lda, pb, tile);
          } else {
            narrowTileByRows(kc, a, ai, lda, pb, tile);
          }
          storeNarrowTile(tile, mr, n, c, ci, ldc, add);
        }
      });
    }
  }

  /**
   * Writes (or adds) the first {@code n} columns of a narrow tile's {@code mr} rows into C. A
   * method of its own, compiled whole on its calls (one a tile): inside the narrow lambda, these
   * loops had C2 compile the lambda on the stack twice before it compiled the lambda whole.
   */
  private static void storeNarrowTile(double[] tile, int mr, int n, double[] c, int ci, int ldc,
      boolean add) {
    for (int r = 0; r < mr; r++) {
      int row = ci + r * ldc;
      for (int j = 0; j < n; j++) {
        c[row + j] = add ? c[row + j] + tile[r * L + j] : tile[r * L + j];
      }
    }
  }

  /**
   * {@code tile[r*L + j] = sum_p a[ai + r*lda + p] * pb[p*L + j]} for the 8 rows {@code r}: an
   * untransposed A read in place; written out longhand for the reasons given at {@link #kernel}.
   */
  private static void narrowTileByRows(int kc, double[] a, int ai, int lda, double[] pb,
      double[] tile) {
    DoubleVector c0 = DoubleVector.zero(S);
    DoubleVector c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
    int a0 = ai;
    int a1 = ai + lda;
    int a2 = ai + 2 * lda;
    int a3 = ai + 3 * lda;
    int a4 = ai + 4 * lda;
    int a5 = ai + 5 * lda;
    int a6 = ai + 6 * lda;
    int a7 = ai + 7 * lda;
    for (int p = 0; p < kc; p++) {
      DoubleVector b0 = DoubleVector.fromArray(S, pb, p * L);
      c0 = DoubleVector.broadcast(S, a[a0 + p]).fma(b0, c0);
      c1 = DoubleVector.broadcast(S, a[a1 + p]).fma(b0, c1);
      c2 = DoubleVector.broadcast(S, a[a2 + p]).fma(b0, c2);
      c3 = DoubleVector.broadcast(S, a[a3 + p]).fma(b0, c3);
      c4 = DoubleVector.broadcast(S, a[a4 + p]).fma(b0, c4);
      c5 = DoubleVector.broadcast(S, a[a5 + p]).fma(b0, c5);
      c6 = DoubleVector.broadcast(S, a[a6 + p]).fma(b0, c6);
      c7 = DoubleVector.broadcast(S, a[a7 + p]).fma(b0, c7);
    }
    c0.intoArray(tile, 0);
    c1.intoArray(tile, L);
    c2.intoArray(tile, 2 * L);
    c3.intoArray(tile, 3 * L);
    c4.intoArray(tile, 4 * L);
    c5.intoArray(tile, 5 * L);
    c6.intoArray(tile, 6 * L);
    c7.intoArray(tile, 7 * L);
  }

  /**
   * {@code tile[r*L + j] = sum_p a[ai + p*lda + r] * pb[p*L + j]} for the 8 rows {@code r}: a
   * transposed A read in place, its 8 values of one step adjacent.
   */
  private static void narrowTileByColumns(int kc, double[] a, int ai, int lda, double[] pb,
      double[] tile) {
    DoubleVector c0 = DoubleVector.zero(S);
    DoubleVector c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
    int at = ai;
    for (int p = 0; p < kc; p++, at += lda) {
      DoubleVector b0 = DoubleVector.fromArray(S, pb, p * L);
      c0 = DoubleVector.broadcast(S, a[at]).fma(b0, c0);
      c1 = DoubleVector.broadcast(S, a[at + 1]).fma(b0, c1);
      c2 = DoubleVector.broadcast(S, a[at + 2]).fma(b0, c2);
      c3 = DoubleVector.broadcast(S, a[at + 3]).fma(b0, c3);
      c4 = DoubleVector.broadcast(S, a[at + 4]).fma(b0, c4);
      c5 = DoubleVector.broadcast(S, a[at + 5]).fma(b0, c5);
      c6 = DoubleVector.broadcast(S, a[at + 6]).fma(b0, c6);
      c7 = DoubleVector.broadcast(S, a[at + 7]).fma(b0, c7);
    }
    c0.intoArray(tile, 0);
    c1.intoArray(tile, L);
    c2.intoArray(tile, 2 * L);
    c3.intoArray(tile, 3 * L);
    c4.intoArray(tile, 4 * L);
    c5.intoArray(tile, 5 * L);
    c6.intoArray(tile, 6 * L);
    c7.intoArray(tile, 7 * L);
  }

  /** {@code tile[to + j] = sum_p a[ai + p*colStride] * pb[p*L + j]}: one row of op(A). */
  private static void narrowRow(int kc, double[] a, int ai, int colStride, double[] pb,
      double[] tile, int to) {
    DoubleVector acc = DoubleVector.zero(S);
    for (int p = 0; p < kc; p++) {
      acc = DoubleVector.broadcast(S, a[ai + p * colStride]).fma(
          DoubleVector.fromArray(S, pb, p * L), acc);
    }
    acc.intoArray(tile, to);
  }

  /**
   * Packs rows {@code pc .. pc+kc} of {@code op(B)}, at most {@code L} columns wide, one vector
   * per step: {@code pb[p*L + j] = op(B)[pc + p][j]}, zero past column {@code n}.
   */
  private static void packNarrowB(boolean transB, double[] b, int bOff, int ldb, int pc, int kc,
      int n, double[] pb) {
    if (n < L) {
      Arrays.fill(pb, 0, kc * L, 0.0);
    }
    if (transB) {
      for (int j = 0; j < n; j++) {
        int from = bOff + j * ldb + pc;
        for (int p = 0; p < kc; p++) {
          pb[p * L + j] = b[from + p];
        }
      }
    } else {
      for (int p = 0; p < kc; p++) {
        System.arraycopy(b, bOff + (pc + p) * ldb, pb, p * L, n);
      }
    }
  }

  /**
   * The row split's first passes so far, counted to leave the first sliver of B of one pass in
   * {@link #DEFER_EVERY} for the second pass, ready or not. A thread finds a sliver not yet
   * packed only once the threads run close together, often after C2 has compiled the row split
   * on a profile where that never happened; C2 then compiles the case as a trap, and the first
   * real skip threw the compiled code out (a second C2 compile of 26-57 ms, in about half of
   * W2's runs). The deferred passes keep the case in the profile, whenever it is taken (the
   * interpreter's first calls are not profiled). Deferring a ready sliver changes only the order
   * in which C's columns are written (each sliver writes its own) and costs one more readiness
   * test. Racy by design: a lost increment moves the next deferred pass.
   */
  private static int passes;
  /** A power of two: one pass in this many defers its first sliver (see {@link #passes}). */
  private static final int DEFER_EVERY = 64;

  /**
   * Spins until sliver {@code i} of B is packed; the thread it waits for is running, so
   * this is short, but it yields now and then in case one of them lost its core.
   */
  private static void awaitReady(AtomicIntegerArray ready, int i) {
    for (int spins = 1; ready.get(i) == 0; spins++) {
      if ((spins & 1023) == 0) {
        Thread.yield();
      } else {
        Thread.onSpinWait();
      }
    }
  }

  /** Multiplies a packed {@code mc x kc} block of A by a packed {@code kc x nc} block of B. */
  private static void macroKernel(int mc, int nc, int kc, double[] pa, double[] pb,
      double[] c, int cBase, int ldc, boolean add, double[] tile) {
    macroKernel(mc, nc, kc, pa, pb, c, cBase, ldc, add, tile, 0, (nc + NR - 1) / NR);
  }

  /** {@link #macroKernel} for column slivers {@code s0 .. s1} of the block of B only. */
  private static void macroKernel(int mc, int nc, int kc, double[] pa, double[] pb,
      double[] c, int cBase, int ldc, boolean add, double[] tile, int s0, int s1) {
    for (int js = s0 * NR; js < s1 * NR; js += NR) {
      int nr = Math.min(NR, nc - js);
      int ib = js * kc;
      for (int is = 0; is < mc; is += MR) {
        int mr = Math.min(MR, mc - is);
        int ia = is / MR * PS * kc;
        int ci = cBase + is * ldc + js;
        if (mr == MR && nr == NR) {
          kernel(kc, pa, ia, pb, ib, c, ci, ldc, add);
        } else {
          kernel(kc, pa, ia, pb, ib, tile, 0, NR, false);
          for (int r = 0; r < mr; r++) {
            int row = ci + r * ldc;
            for (int j = 0; j < nr; j++) {
              c[row + j] = add ? c[row + j] + tile[r * NR + j] : tile[r * NR + j];
            }
          }
        }
      }
    }
  }

  /**
   * Computes one {@code MR x NR} tile, {@code sum_p pa[p][r] * pb[p][j]} over {@code kc} steps of
   * the packed slivers, and stores it to {@code c[ci + r*ldc + j]}, adding to what is there when
   * {@code add}.
   *
   * <p>The tiles are written out longhand: the accumulators must be locals for C2 to keep them in
   * registers, and no vector may cross a call that might not be inlined, or it is boxed on the
   * heap (a helper for the final add made the whole product five times slower).
   */
  private static void kernel(int kc, double[] pa, int ia, double[] pb, int ib,
      double[] c, int ci, int ldc, boolean add) {
    if (MR == 8) {
      kernel8(kc, pa, ia, pb, ib, NR, c, ci, ldc, add);
    } else if (MR == 5) {
      kernel5(kc, pa, ia, pb, ib, c, ci, ldc, add);
    } else if (MR == 4) {
      kernel4(kc, pa, ia, pb, ib, c, ci, ldc, add);
    } else {
      kernel6(kc, pa, ia, pb, ib, c, ci, ldc, add);
    }
  }

  /**
   * The 8 x (2 * L) register tile; see {@link #kernel}. Step {@code p} of B's sliver starts at
   * {@code pb[ib + p * bs]}: {@code bs} is {@code NR} for a packed sliver and {@code ldb} for
   * B read in place ({@link #gemmBInPlace}). Each has a loop of its own: with the constant
   * stride, C2 proves the B loads in range once, before the loop; with {@code ldb}, not a
   * constant, it checks them every step (a compare and a branch each, beside 16 FMAs; a kernel
   * with only that loop ran float64 n = 1024 products 2 to 5% slower). One method, not two, so
   * that the warm-up brings one kernel to C2: a second one took it 0.1 s longer. The two loops
   * are the same line for line but for {@code pB}, written twice on purpose; an edit to one
   * belongs in the other (GemmTest checks the first, GemmBInPlaceTest the second against it).
   */
  private static void kernel8(int kc, double[] pa, int ia, double[] pb, int ib, int bs,
      double[] c, int ci, int ldc, boolean add) {
    DoubleVector c00 = DoubleVector.zero(S);
    DoubleVector c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00,
        c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
    if (bs == NR) {
      // Every index is a loop-invariant base plus a multiple of p, the loop counter, so that C2
      // can prove all of them in range once, before the loop (range-check elimination), instead
      // of checking ten indices per step; with running pointers (ia += 8) it cannot.
      for (int p = 0; p < kc; p++) {
        int pA = ia + p * 8;
        int pB = ib + p * NR;
        DoubleVector b0 = DoubleVector.fromArray(S, pb, pB);
        DoubleVector b1 = DoubleVector.fromArray(S, pb, pB + L);
        DoubleVector a = DoubleVector.broadcast(S, pa[pA]);
        c00 = a.fma(b0, c00);
        c01 = a.fma(b1, c01);
        a = DoubleVector.broadcast(S, pa[pA + 1]);
        c10 = a.fma(b0, c10);
        c11 = a.fma(b1, c11);
        a = DoubleVector.broadcast(S, pa[pA + 2]);
        c20 = a.fma(b0, c20);
        c21 = a.fma(b1, c21);
        a = DoubleVector.broadcast(S, pa[pA + 3]);
        c30 = a.fma(b0, c30);
        c31 = a.fma(b1, c31);
        a = DoubleVector.broadcast(S, pa[pA + 4]);
        c40 = a.fma(b0, c40);
        c41 = a.fma(b1, c41);
        a = DoubleVector.broadcast(S, pa[pA + 5]);
        c50 = a.fma(b0, c50);
        c51 = a.fma(b1, c51);
        a = DoubleVector.broadcast(S, pa[pA + 6]);
        c60 = a.fma(b0, c60);
        c61 = a.fma(b1, c61);
        a = DoubleVector.broadcast(S, pa[pA + 7]);
        c70 = a.fma(b0, c70);
        c71 = a.fma(b1, c71);
      }
    } else {
      for (int p = 0; p < kc; p++) {
        int pA = ia + p * 8;
        int pB = ib + p * bs;
        DoubleVector b0 = DoubleVector.fromArray(S, pb, pB);
        DoubleVector b1 = DoubleVector.fromArray(S, pb, pB + L);
        DoubleVector a = DoubleVector.broadcast(S, pa[pA]);
        c00 = a.fma(b0, c00);
        c01 = a.fma(b1, c01);
        a = DoubleVector.broadcast(S, pa[pA + 1]);
        c10 = a.fma(b0, c10);
        c11 = a.fma(b1, c11);
        a = DoubleVector.broadcast(S, pa[pA + 2]);
        c20 = a.fma(b0, c20);
        c21 = a.fma(b1, c21);
        a = DoubleVector.broadcast(S, pa[pA + 3]);
        c30 = a.fma(b0, c30);
        c31 = a.fma(b1, c31);
        a = DoubleVector.broadcast(S, pa[pA + 4]);
        c40 = a.fma(b0, c40);
        c41 = a.fma(b1, c41);
        a = DoubleVector.broadcast(S, pa[pA + 5]);
        c50 = a.fma(b0, c50);
        c51 = a.fma(b1, c51);
        a = DoubleVector.broadcast(S, pa[pA + 6]);
        c60 = a.fma(b0, c60);
        c61 = a.fma(b1, c61);
        a = DoubleVector.broadcast(S, pa[pA + 7]);
        c70 = a.fma(b0, c70);
        c71 = a.fma(b1, c71);
      }
    }
    if (add) {
      c00.add(DoubleVector.fromArray(S, c, ci)).intoArray(c, ci);
      c01.add(DoubleVector.fromArray(S, c, ci + L)).intoArray(c, ci + L);
      c10.add(DoubleVector.fromArray(S, c, ci + 1 * ldc)).intoArray(c, ci + 1 * ldc);
      c11.add(DoubleVector.fromArray(S, c, ci + 1 * ldc + L)).intoArray(c, ci + 1 * ldc + L);
      c20.add(DoubleVector.fromArray(S, c, ci + 2 * ldc)).intoArray(c, ci + 2 * ldc);
      c21.add(DoubleVector.fromArray(S, c, ci + 2 * ldc + L)).intoArray(c, ci + 2 * ldc + L);
      c30.add(DoubleVector.fromArray(S, c, ci + 3 * ldc)).intoArray(c, ci + 3 * ldc);
      c31.add(DoubleVector.fromArray(S, c, ci + 3 * ldc + L)).intoArray(c, ci + 3 * ldc + L);
      c40.add(DoubleVector.fromArray(S, c, ci + 4 * ldc)).intoArray(c, ci + 4 * ldc);
      c41.add(DoubleVector.fromArray(S, c, ci + 4 * ldc + L)).intoArray(c, ci + 4 * ldc + L);
      c50.add(DoubleVector.fromArray(S, c, ci + 5 * ldc)).intoArray(c, ci + 5 * ldc);
      c51.add(DoubleVector.fromArray(S, c, ci + 5 * ldc + L)).intoArray(c, ci + 5 * ldc + L);
      c60.add(DoubleVector.fromArray(S, c, ci + 6 * ldc)).intoArray(c, ci + 6 * ldc);
      c61.add(DoubleVector.fromArray(S, c, ci + 6 * ldc + L)).intoArray(c, ci + 6 * ldc + L);
      c70.add(DoubleVector.fromArray(S, c, ci + 7 * ldc)).intoArray(c, ci + 7 * ldc);
      c71.add(DoubleVector.fromArray(S, c, ci + 7 * ldc + L)).intoArray(c, ci + 7 * ldc + L);
    } else {
      c00.intoArray(c, ci);
      c01.intoArray(c, ci + L);
      c10.intoArray(c, ci + 1 * ldc);
      c11.intoArray(c, ci + 1 * ldc + L);
      c20.intoArray(c, ci + 2 * ldc);
      c21.intoArray(c, ci + 2 * ldc + L);
      c30.intoArray(c, ci + 3 * ldc);
      c31.intoArray(c, ci + 3 * ldc + L);
      c40.intoArray(c, ci + 4 * ldc);
      c41.intoArray(c, ci + 4 * ldc + L);
      c50.intoArray(c, ci + 5 * ldc);
      c51.intoArray(c, ci + 5 * ldc + L);
      c60.intoArray(c, ci + 6 * ldc);
      c61.intoArray(c, ci + 6 * ldc + L);
      c70.intoArray(c, ci + 7 * ldc);
      c71.intoArray(c, ci + 7 * ldc + L);
    }
  }

  /**
   * The 4 x (2 * L) register tile, for JVMs newer than 17 ({@link Gemm#tileRows}): 8
   * accumulators, 2 B vectors and the 4 broadcasts a newer C2 loads at the start of the step fit
   * in 16 registers; see {@link #kernel}.
   */
  private static void kernel4(int kc, double[] pa, int ia, double[] pb, int ib,
      double[] c, int ci, int ldc, boolean add) {
    DoubleVector c00 = DoubleVector.zero(S);
    DoubleVector c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
    for (int p = 0; p < kc; p++) {
      int pA = ia + p * PS;
      int pB = ib + p * NR;
      DoubleVector b0 = DoubleVector.fromArray(S, pb, pB);
      DoubleVector b1 = DoubleVector.fromArray(S, pb, pB + L);
      DoubleVector a = DoubleVector.broadcast(S, pa[pA]);
      c00 = a.fma(b0, c00);
      c01 = a.fma(b1, c01);
      a = DoubleVector.broadcast(S, pa[pA + 1]);
      c10 = a.fma(b0, c10);
      c11 = a.fma(b1, c11);
      a = DoubleVector.broadcast(S, pa[pA + 2]);
      c20 = a.fma(b0, c20);
      c21 = a.fma(b1, c21);
      a = DoubleVector.broadcast(S, pa[pA + 3]);
      c30 = a.fma(b0, c30);
      c31 = a.fma(b1, c31);
    }
    if (add) {
      c00.add(DoubleVector.fromArray(S, c, ci)).intoArray(c, ci);
      c01.add(DoubleVector.fromArray(S, c, ci + L)).intoArray(c, ci + L);
      c10.add(DoubleVector.fromArray(S, c, ci + 1 * ldc)).intoArray(c, ci + 1 * ldc);
      c11.add(DoubleVector.fromArray(S, c, ci + 1 * ldc + L)).intoArray(c, ci + 1 * ldc + L);
      c20.add(DoubleVector.fromArray(S, c, ci + 2 * ldc)).intoArray(c, ci + 2 * ldc);
      c21.add(DoubleVector.fromArray(S, c, ci + 2 * ldc + L)).intoArray(c, ci + 2 * ldc + L);
      c30.add(DoubleVector.fromArray(S, c, ci + 3 * ldc)).intoArray(c, ci + 3 * ldc);
      c31.add(DoubleVector.fromArray(S, c, ci + 3 * ldc + L)).intoArray(c, ci + 3 * ldc + L);
    } else {
      c00.intoArray(c, ci);
      c01.intoArray(c, ci + L);
      c10.intoArray(c, ci + 1 * ldc);
      c11.intoArray(c, ci + 1 * ldc + L);
      c20.intoArray(c, ci + 2 * ldc);
      c21.intoArray(c, ci + 2 * ldc + L);
      c30.intoArray(c, ci + 3 * ldc);
      c31.intoArray(c, ci + 3 * ldc + L);
    }
  }

  /**
   * The 5 x (2 * L) register tile for 16 vector registers, A's steps {@link #PS} = 8 apart; see
   * {@link #kernel}. Ten accumulators leave registers for two B vectors and up to four
   * broadcasts: C2 loads the broadcasts early, and with the 6-row tile's twelve accumulators
   * and its loop free of range checks it kept three at once and spilled an accumulator to the
   * stack (a store and a reload every step, and slower). Measured with float32 on a 2-core
   * AVX2 EPYC, products of 256 and 1024: 7 to 10% faster than the 6-row tile on one and two
   * threads; with float64 it was not faster, and float64 keeps 6 rows.
   */
  private static void kernel5(int kc, double[] pa, int ia, double[] pb, int ib,
      double[] c, int ci, int ldc, boolean add) {
    DoubleVector c00 = DoubleVector.zero(S);
    DoubleVector c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00,
        c40 = c00, c41 = c00;
    for (int p = 0; p < kc; p++) {
      int pA = ia + p * PS;
      int pB = ib + p * NR;
      DoubleVector b0 = DoubleVector.fromArray(S, pb, pB);
      DoubleVector b1 = DoubleVector.fromArray(S, pb, pB + L);
      DoubleVector a = DoubleVector.broadcast(S, pa[pA]);
      c00 = a.fma(b0, c00);
      c01 = a.fma(b1, c01);
      a = DoubleVector.broadcast(S, pa[pA + 1]);
      c10 = a.fma(b0, c10);
      c11 = a.fma(b1, c11);
      a = DoubleVector.broadcast(S, pa[pA + 2]);
      c20 = a.fma(b0, c20);
      c21 = a.fma(b1, c21);
      a = DoubleVector.broadcast(S, pa[pA + 3]);
      c30 = a.fma(b0, c30);
      c31 = a.fma(b1, c31);
      a = DoubleVector.broadcast(S, pa[pA + 4]);
      c40 = a.fma(b0, c40);
      c41 = a.fma(b1, c41);
    }
    if (add) {
      c00.add(DoubleVector.fromArray(S, c, ci)).intoArray(c, ci);
      c01.add(DoubleVector.fromArray(S, c, ci + L)).intoArray(c, ci + L);
      c10.add(DoubleVector.fromArray(S, c, ci + 1 * ldc)).intoArray(c, ci + 1 * ldc);
      c11.add(DoubleVector.fromArray(S, c, ci + 1 * ldc + L)).intoArray(c, ci + 1 * ldc + L);
      c20.add(DoubleVector.fromArray(S, c, ci + 2 * ldc)).intoArray(c, ci + 2 * ldc);
      c21.add(DoubleVector.fromArray(S, c, ci + 2 * ldc + L)).intoArray(c, ci + 2 * ldc + L);
      c30.add(DoubleVector.fromArray(S, c, ci + 3 * ldc)).intoArray(c, ci + 3 * ldc);
      c31.add(DoubleVector.fromArray(S, c, ci + 3 * ldc + L)).intoArray(c, ci + 3 * ldc + L);
      c40.add(DoubleVector.fromArray(S, c, ci + 4 * ldc)).intoArray(c, ci + 4 * ldc);
      c41.add(DoubleVector.fromArray(S, c, ci + 4 * ldc + L)).intoArray(c, ci + 4 * ldc + L);
    } else {
      c00.intoArray(c, ci);
      c01.intoArray(c, ci + L);
      c10.intoArray(c, ci + 1 * ldc);
      c11.intoArray(c, ci + 1 * ldc + L);
      c20.intoArray(c, ci + 2 * ldc);
      c21.intoArray(c, ci + 2 * ldc + L);
      c30.intoArray(c, ci + 3 * ldc);
      c31.intoArray(c, ci + 3 * ldc + L);
      c40.intoArray(c, ci + 4 * ldc);
      c41.intoArray(c, ci + 4 * ldc + L);
    }
  }

  /** The 6 x (2 * L) register tile; see {@link #kernel}. */
  private static void kernel6(int kc, double[] pa, int ia, double[] pb, int ib,
      double[] c, int ci, int ldc, boolean add) {
    DoubleVector c00 = DoubleVector.zero(S);
    DoubleVector c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00,
        c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    // Indexed from the loop counter, as in kernel8, which moves the B loads' range checks out of
    // the loop; the A loads keep theirs with PS = 6 (see PS), and without them C2 spills.
    for (int p = 0; p < kc; p++) {
      int pA = ia + p * PS;
      int pB = ib + p * NR;
      DoubleVector b0 = DoubleVector.fromArray(S, pb, pB);
      DoubleVector b1 = DoubleVector.fromArray(S, pb, pB + L);
      DoubleVector a = DoubleVector.broadcast(S, pa[pA]);
      c00 = a.fma(b0, c00);
      c01 = a.fma(b1, c01);
      a = DoubleVector.broadcast(S, pa[pA + 1]);
      c10 = a.fma(b0, c10);
      c11 = a.fma(b1, c11);
      a = DoubleVector.broadcast(S, pa[pA + 2]);
      c20 = a.fma(b0, c20);
      c21 = a.fma(b1, c21);
      a = DoubleVector.broadcast(S, pa[pA + 3]);
      c30 = a.fma(b0, c30);
      c31 = a.fma(b1, c31);
      a = DoubleVector.broadcast(S, pa[pA + 4]);
      c40 = a.fma(b0, c40);
      c41 = a.fma(b1, c41);
      a = DoubleVector.broadcast(S, pa[pA + 5]);
      c50 = a.fma(b0, c50);
      c51 = a.fma(b1, c51);
    }
    if (add) {
      c00.add(DoubleVector.fromArray(S, c, ci)).intoArray(c, ci);
      c01.add(DoubleVector.fromArray(S, c, ci + L)).intoArray(c, ci + L);
      c10.add(DoubleVector.fromArray(S, c, ci + 1 * ldc)).intoArray(c, ci + 1 * ldc);
      c11.add(DoubleVector.fromArray(S, c, ci + 1 * ldc + L)).intoArray(c, ci + 1 * ldc + L);
      c20.add(DoubleVector.fromArray(S, c, ci + 2 * ldc)).intoArray(c, ci + 2 * ldc);
      c21.add(DoubleVector.fromArray(S, c, ci + 2 * ldc + L)).intoArray(c, ci + 2 * ldc + L);
      c30.add(DoubleVector.fromArray(S, c, ci + 3 * ldc)).intoArray(c, ci + 3 * ldc);
      c31.add(DoubleVector.fromArray(S, c, ci + 3 * ldc + L)).intoArray(c, ci + 3 * ldc + L);
      c40.add(DoubleVector.fromArray(S, c, ci + 4 * ldc)).intoArray(c, ci + 4 * ldc);
      c41.add(DoubleVector.fromArray(S, c, ci + 4 * ldc + L)).intoArray(c, ci + 4 * ldc + L);
      c50.add(DoubleVector.fromArray(S, c, ci + 5 * ldc)).intoArray(c, ci + 5 * ldc);
      c51.add(DoubleVector.fromArray(S, c, ci + 5 * ldc + L)).intoArray(c, ci + 5 * ldc + L);
    } else {
      c00.intoArray(c, ci);
      c01.intoArray(c, ci + L);
      c10.intoArray(c, ci + 1 * ldc);
      c11.intoArray(c, ci + 1 * ldc + L);
      c20.intoArray(c, ci + 2 * ldc);
      c21.intoArray(c, ci + 2 * ldc + L);
      c30.intoArray(c, ci + 3 * ldc);
      c31.intoArray(c, ci + 3 * ldc + L);
      c40.intoArray(c, ci + 4 * ldc);
      c41.intoArray(c, ci + 4 * ldc + L);
      c50.intoArray(c, ci + 5 * ldc);
      c51.intoArray(c, ci + 5 * ldc + L);
    }
  }

  /**
   * Packs rows {@code i0 .. i0+mc} and columns {@code pc .. pc+kc} of {@code op(A)} into {@code
   * MR}-tall slivers: {@code pa[s*PS*kc + p*PS + r] = op(A)[i0 + s*MR + r][pc + p]}, zero past
   * row {@code mc}.
   */
  private static void packA(boolean transA, double[] a, int aOff, int lda, int i0, int pc,
      int mc, int kc, double[] pa) {
    for (int is = 0; is < mc; is += MR) {
      int mr = Math.min(MR, mc - is);
      int base = is / MR * PS * kc;
      if (transA) {
        // op(A)[i][p] = a[p*lda + i]: the MR values of one step are adjacent. Reading row by
        // row, writing MR rows side by side, is slower than this scatter into pa, which stays
        // in cache. A full sliver is copied a vector at a time (see PACK_WIDTH), when the last
        // step's vectors end inside a: 0.34 against 0.93 ns per element for arraycopy with
        // float32 (5 rows), 0.74 against 1.1 with float64 (6 rows), packing 250 x 256 of a
        // 256 x 256 matrix on one EPYC core.
        int src0 = aOff + pc * lda + i0 + is;
        if (PACK_WIDTH > 0 && mr == MR && src0 + (long) (kc - 1) * lda + PACK_WIDTH <= a.length) {
          for (int p = 0; p < kc; p++) {
            int src = src0 + p * lda;
            int dst = base + p * PS;
            for (int o = 0; o + L < PACK_WIDTH; o += L) {
              DoubleVector.fromArray(S, a, src + o).intoArray(pa, dst + o);
            }
            DoubleVector.fromArray(S, a, src + PACK_WIDTH - L).intoArray(pa, dst + PACK_WIDTH - L);
          }
          continue;
        }
        // The rows past mr of a last, partial sliver: zeroed at once, not per step (a call
        // per step cost as much as the copying).
        if (mr < MR) {
          Arrays.fill(pa, base, base + kc * PS, 0.0);
        }
        for (int p = 0; p < kc; p++) {
          int src = aOff + (pc + p) * lda + i0 + is;
          int dst = base + p * PS;
          System.arraycopy(a, src, pa, dst, mr);
        }
      } else {
        for (int r = 0; r < mr; r++) {
          int src = aOff + (i0 + is + r) * lda + pc;
          for (int p = 0; p < kc; p++) {
            pa[base + p * PS + r] = a[src + p];
          }
        }
        for (int r = mr; r < MR; r++) {
          for (int p = 0; p < kc; p++) {
            pa[base + p * PS + r] = 0f;
          }
        }
      }
    }
  }

  /**
   * Packs column slivers {@code s0 .. s1} of the {@code kc x nc} block of {@code op(B)} at
   * {@code (pc, jc)}: {@code pb[s*NR*kc + p*NR + j] = op(B)[pc + p][jc + s*NR + j]}, zero past
   * column {@code nc}.
   */
  private static void packB(boolean transB, double[] b, int bOff, int ldb, int pc, int jc,
      int kc, int nc, int s0, int s1, double[] pb) {
    for (int s = s0; s < s1; s++) {
      int js = s * NR;
      int nr = Math.min(NR, nc - js);
      int base = js * kc;
      if (nr < NR) {
        Arrays.fill(pb, base, base + NR * kc, 0.0);
      }
      if (transB) {
        // op(B)[p][j] = b[j*ldb + p]: read stored rows in order and scatter them down the
        // sliver, TB steps at a time so that the part of the sliver being written (TB * NR
        // elements) stays in L1. Gathering one step from nr rows at once would be worse: with
        // a power-of-two ldb those rows all fall into the same L1 set.
        int src = bOff + (jc + js) * ldb + pc;
        for (int p0 = 0; p0 < kc; p0 += TB) {
          int p1 = Math.min(kc, p0 + TB);
          for (int j = 0; j < nr; j++) {
            int from = src + j * ldb;
            for (int p = p0; p < p1; p++) {
              pb[base + p * NR + j] = b[from + p];
            }
          }
        }
      } else if (nr == NR) {
        // One sliver row is two vectors of a stored row.
        int src = bOff + pc * ldb + jc + js;
        for (int p = 0; p < kc; p++) {
          int from = src + p * ldb;
          int to = base + p * NR;
          DoubleVector.fromArray(S, b, from).intoArray(pb, to);
          DoubleVector.fromArray(S, b, from + L).intoArray(pb, to + L);
        }
      } else {
        int src = bOff + pc * ldb + jc + js;
        for (int p = 0; p < kc; p++) {
          int from = src + p * ldb;
          int to = base + p * NR;
          for (int j = 0; j < nr; j++) {
            pb[to + j] = b[from + j];
          }
        }
      }
    }
  }

  /**
   * {@link #storeNarrowTile} on two rows of one vector, written then added: scalar, so warmed
   * up by {@link JitWarmUp#repeat} after the vector leaves. A vector's width is the real calls'
   * longest row, and two rows of it few enough iterations a call for C2 to compile the method
   * whole first.
   */
  static void warmUpScalars() {
    WarmUpOperands w = WarmUpOperands.NARROW;
    storeNarrowTile(w.tile, 2, L, w.c, 0, L, false);
    storeNarrowTile(w.tile, 2, L, w.c, 0, L, true);
  }

  /**
   * One call of the JIT warm-up ({@link GemmF64}), in two halves that two threads run at once,
   * this one (the wide kernels) and {@link #warmUpNarrow}: every method that runs vector code in
   * a product, on tiny operands, each path of it once: both layouts of {@link #packA}, {@link
   * #packB} and {@link #packNarrowB}, full and partial slivers and tiles, adding and not, and the
   * narrow tiles and rows.
   *
   * <p>Only these leaves: the code that calls them ({@link #gemm}, its lambdas, {@link
   * Parallel#forRange}) runs no vector operation and is compiled on the real products. It used
   * to be warmed up too, by calling {@code gemm} on products too small to split, and C2 compiled
   * the branches those never took (the split, the growth of the packing buffers) as never taken:
   * the first real products threw {@code gemm}, its row-split lambda, {@code forRange} and the
   * narrow lambda away again, after about 130 ms of C2 time on an AVX-512 EPYC, and ran them in
   * C1's code until they were compiled anew.
   */
  static void warmUpWide() {
    WarmUpOperands w = WarmUpOperands.WIDE;
    int kc = WarmUpOperands.KC;
    int m = WarmUpOperands.M;
    int n = WarmUpOperands.N;
    int slivers = (n + NR - 1) / NR;
    for (int t = 0; t < 2; t++) {
      boolean trans = t == 1;
      packA(trans, w.a, 0, trans ? m : kc, 0, 0, m, kc, w.pa);
      packB(trans, w.b, 0, trans ? kc : n, 0, 0, kc, n, 0, slivers, w.pb);
      macroKernel(m, n, kc, w.pa, w.pb, w.c, 0, n, trans, w.tile);
      macroKernel(m, n, kc, w.pa, w.pb, w.c, 0, n, !trans, w.tile, 0, slivers);
      if (IN_PLACE_B_ROWS > 0) {
        // B read in place: a full tile, the rows short of one and the edge sliver; kernel8's
        // second loop among them, so that C2 compiles it with the first.
        blockBInPlace(m, 0, n, kc, w.pa, w.b, 0, n, 0, w.c, 0, n, trans, w.tile, w.edge);
      }
      // Calls with nothing to do. C2 compiles a method once it was called often enough and its
      // loops ran often enough (600 calls, and 15,000 calls and iterations together, in
      // HotSpot 17), and a loop on its own once it ran 40,000 times. These loops run so often
      // per call that they would reach that first, and C2 would compile each twice: the loop
      // for the call in progress, then the method.
      packA(trans, w.a, 0, kc, 0, 0, 0, kc, w.pa);
      for (int e = 0; e < 3; e++) {
        packB(trans, w.b, 0, kc, 0, 0, kc, n, 0, 0, w.pb);
      }
      macroKernel(m, n, kc, w.pa, w.pb, w.c, 0, n, trans, w.tile, 0, 0);
    }
  }

  /**
   * The narrow half of the JIT warm-up (see {@link #warmUpWide}): {@link #packNarrowB}, the
   * narrow tiles and rows, on operands of its own.
   */
  static void warmUpNarrow() {
    WarmUpOperands w = WarmUpOperands.NARROW;
    int kc = WarmUpOperands.KC;
    int m = WarmUpOperands.M;
    int nkc = WarmUpOperands.NARROW_KC;
    for (int t = 0; t < 2; t++) {
      boolean trans = t == 1;
      // At most one vector wide: one partly filled vector and one full.
      int nn = trans ? L : Math.max(1, L - 3);
      packNarrowB(trans, w.b, 0, trans ? kc : nn, 0, kc, nn, w.pb);
      narrowTileByRows(nkc, w.a, 0, nkc, w.pb, w.tile);
      narrowTileByColumns(nkc, w.a, 0, NARROW_MR, w.pb, w.tile);
      narrowRow(nkc, w.a, 0, trans ? m : 1, w.pb, w.tile, t * L);
      // A call with nothing to do (see warmUpWide).
      packNarrowB(trans, w.b, 0, kc, 0, 0, L, w.pb);
    }
  }

  /** The operands of the warm-up's calls, made once (the calls must not allocate). */
  private static final class WarmUpOperands {
    /** Depth of the warm-up's products. */
    static final int KC = 8;
    /**
     * Depth of its narrow tiles and rows, called once per layout: deep enough for their loops to
     * bring them to C2 after about as many calls as the others.
     */
    static final int NARROW_KC = 24;
    /** Rows: one full sliver of A and one row of the next. */
    static final int M = MR + 1;
    /** Columns: one full sliver of B and one column of the next. */
    static final int N = NR + 1;
    /** The operands of {@link #warmUpWide}. */
    static final WarmUpOperands WIDE = new WarmUpOperands();
    /**
     * The operands of {@link #warmUpNarrow} and {@link #warmUpScalars}: the two halves run at
     * once, so each has its own.
     */
    static final WarmUpOperands NARROW = new WarmUpOperands();

    /** Room for both layouts of M (or the narrow tile's 8) rows, and a vector to spare. */
    final double[] a = ones((Math.max(M, NARROW_MR) + 1) * NARROW_KC + 2 * L);
    final double[] b = ones((N + 1) * KC + 2 * L);
    final double[] c = new double[M * N];
    final double[] pa = new double[2 * PS * KC];
    final double[] pb = new double[Math.max(2 * NR * KC, L * NARROW_KC)];
    final double[] tile = new double[Math.max(MR * NR, NARROW_MR * L)];
    /** The edge sliver's buffer of {@link #blockBInPlace}. */
    final Workspace edge = new Workspace();

    private WarmUpOperands() {}

    private static double[] ones(int size) {
      double[] x = new double[size];
      Arrays.fill(x, 1.0);
      return x;
    }
  }

  /** Per-thread packing buffers, grown on demand and kept for the thread's next call. */
  private static final class Workspace {
    /** An edge tile, {@code MR x NR} or {@code NARROW_MR x L}. */
    final double[] tile = new double[Math.max(MR * NR, NARROW_MR * L)];
    private double[] packedA = new double[0];
    private double[] packedB = new double[0];

    double[] packedA(int size) {
      if (packedA.length < size) {
        packedA = new double[size];
      }
      return packedA;
    }

    double[] packedB(int size) {
      if (packedB.length < size) {
        packedB = new double[size];
      }
      return packedB;
    }
  }
}
