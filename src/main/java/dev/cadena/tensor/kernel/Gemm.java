package dev.cadena.tensor.kernel;

/**
 * General matrix multiply on row-major primitive arrays: {@code C = op(A) op(B)}, or {@code C +=
 * op(A) op(B)}.
 *
 * <p>With {@code op(A)} of shape {@code m x k} and {@code op(B)} of shape {@code k x n}:
 *
 * <pre>
 *   C[i][j] = sum_{p &lt; k} op(A)[i][p] * op(B)[p][j]          (accumulate == false)
 *   C[i][j] = C[i][j] + sum_{p &lt; k} op(A)[i][p] * op(B)[p][j] (accumulate == true)
 * </pre>
 *
 * <p>where {@code op(A)[i][p]} is {@code a[aOff + i*lda + p]}, or {@code a[aOff + p*lda + i]} when
 * {@code transA} (A stored {@code k x m}); {@code op(B)[p][j]} is {@code b[bOff + p*ldb + j]}, or
 * {@code b[bOff + j*ldb + p]} when {@code transB} (B stored {@code n x k}); and {@code C[i][j]} is
 * {@code c[cOff + i*ldc + j]}. Elements of {@code c} outside the {@code m x n} window are never
 * written.
 *
 * <p>A leading dimension of A or B may be 0: then every stored row is the same one, which is how
 * a broadcast (stride-0) operand is passed without copying it. For example {@code transA ==
 * false, lda == 0} multiplies {@code m} copies of the row {@code a[aOff .. aOff+k)}, and {@code
 * transB == true, ldb == 0} a B whose every column is {@code b[bOff .. bOff+k)}. C's leading
 * dimension may not be 0, since its rows must not overlap.
 *
 * <p>Two implementations sit behind {@link #gemm}: one on the incubating Java Vector API, used
 * when the JVM was started with {@code --add-modules jdk.incubator.vector} and the CPU has
 * vectors of at least 128 bits, and a pure-Java one that the JIT vectorizes by itself. Both are
 * cache-blocked and split large products across {@link Parallel}'s threads. {@link
 * #implementation()} says which one runs. The order of the additions differs from {@link
 * #gemmReference}, so results agree with it up to rounding, not bit for bit.
 *
 * <p>Example: a 2x3 times 3x2 product.
 *
 * <pre>{@code
 * double[] a = {1, 2, 3,
 *               4, 5, 6};
 * double[] b = {7, 8,
 *               9, 10,
 *               11, 12};
 * double[] c = new double[4];
 * Gemm.gemm(false, false, 2, 2, 3, a, 0, 3, b, 0, 2, c, 0, 2, false);
 * // c == {58, 64, 139, 154}
 * }</pre>
 */
public final class Gemm {

  /** The implementations a caller can pick; package-private so tests can run both. */
  enum Impl {
    /** Pure Java, vectorized by the JIT. Always available. */
    SCALAR,
    /** The incubating Vector API. Only usable when {@link #VECTOR_AVAILABLE}. */
    VECTOR
  }

  /** Whether the Vector API module is present and fast on this CPU; decided once. */
  static final boolean VECTOR_AVAILABLE = detectVector();

  static {
    if (VECTOR_AVAILABLE) {
      // What the first vector product's JIT warm-up needs, started now in the background.
      JitWarmUp.ForegroundCompiles.prepare();
    }
  }

  /** Below this many multiply-adds, packing costs more than it saves and the scalar path runs. */
  private static final long VECTOR_MIN_WORK = 16 * 16 * 16;

  private Gemm() {}

  /**
   * The vector kernels' register tile rows: {@code property} ({@code -Dcadena.gemmTileRows})
   * when it is 4, 5, 6 or 8 (for tests, which run every tile on one machine, and for
   * diagnosis; any other value is ignored with a logged warning); else 8 with 512-bit vectors,
   * and with narrower ones {@code onHotSpot17} on Java 17 and 4 on any later JVM.
   *
   * <p>Why the Java version: C2 in Temurin 25 moves the A loads' range checks out of the 6- and
   * 5-row loops and schedules every broadcast of a step ahead of its FMAs, so those tiles need
   * 17 vector registers and keep an accumulator on the stack (a store and a reload every step):
   * float32 products ran at 30 GFLOP/s instead of 78 on one AVX2 core, float64 at 16 instead of
   * 37. Four rows (8 accumulators, 2 B vectors, 4 broadcasts) compile without a spill there and
   * ran at 82 to 84 GFLOP/s (float32) and 23 to 32 (float64); on 17 they are 10 to 15% slower
   * than five. Versions 18 to 24 were not measured; they get four rows, whose worst case is that
   * 10 to 15%, where the larger tiles' is more than half.
   *
   * @param property the system property's value, or null
   * @param vectorBits the preferred vector width in bits
   * @param javaFeature {@code Runtime.version().feature()}
   * @param onHotSpot17 the rows for vectors narrower than 512 bits on Java 17
   * @return 4, 5, 6 or 8
   */
  static int tileRows(String property, int vectorBits, int javaFeature, int onHotSpot17) {
    if (property != null) {
      switch (property.trim()) {
        case "4": return 4;
        case "5": return 5;
        case "6": return 6;
        case "8": return 8;
        default:
          System.getLogger(Gemm.class.getName()).log(System.Logger.Level.WARNING,
              "cadena.gemmTileRows must be 4, 5, 6 or 8, got \"{0}\"; ignored", property);
      }
    }
    if (vectorBits >= 512) {
      return 8;
    }
    return javaFeature > 17 ? 4 : onHotSpot17;
  }

  /**
   * Starts, on a daemon thread, what the first vector product's JIT warm-up waits for: the
   * platform MBean server, whose start takes 0.1 to 0.3 s (see {@code JitWarmUp}). Does nothing
   * when that has begun already, when the vector path is not available, or with {@code
   * -Dcadena.warmUpDirective=off}. Call it where a program starts to set up what it will
   * multiply (the training job does, before it loads its data; {@code NDArray} does when it is
   * first used), so that the start overlaps that set-up instead of delaying the first product.
   * Measured on the README's training job (an MLP on the embedded MNIST digits, 2 cores): the
   * warm-up's directive in force 1-34 ms after the first product began instead of 103-124, and
   * the first 25 batches at 1,046-1,246 examples/s instead of 907-1,016 (5 runs each).
   */
  public static void prepareWarmUp() {
    if (VECTOR_AVAILABLE) {
      JitWarmUp.ForegroundCompiles.prepare();
    }
  }

  /**
   * Names the implementation that {@link #gemm} uses, for logs and benchmark reports, for
   * example {@code "vector(512-bit: 16 floats, 8 doubles; register tiles 8x32 float32, 8x16
   * float64)"} or {@code "scalar"}.
   *
   * @return a short description of the active implementation
   */
  public static String implementation() {
    return VECTOR_AVAILABLE ? "vector(" + VectorProbe.describe() + ")" : "scalar";
  }

  /**
   * Computes {@code C = op(A) op(B)}, or {@code C += op(A) op(B)} when {@code accumulate}, in
   * float64; see the class documentation for the indexing.
   *
   * <p>When {@code k == 0} the product is zero: C is cleared, or left unchanged when
   * accumulating. When {@code m == 0} or {@code n == 0} nothing is touched.
   *
   * @param transA whether A is stored {@code k x m} (transposed)
   * @param transB whether B is stored {@code n x k} (transposed)
   * @param m rows of {@code op(A)} and C, {@code >= 0}
   * @param n columns of {@code op(B)} and C, {@code >= 0}
   * @param k columns of {@code op(A)} and rows of {@code op(B)}, {@code >= 0}
   * @param a storage of A
   * @param aOff index of A's first element in {@code a}
   * @param lda distance in {@code a} between consecutive stored rows of A, at least the stored
   *     row length ({@code k}, or {@code m} when {@code transA}), or 0, which repeats one row
   * @param b storage of B
   * @param bOff index of B's first element in {@code b}
   * @param ldb distance between stored rows of B, at least {@code n} ({@code k} when {@code
   *     transB}), or 0, which repeats one row
   * @param c storage of C; may not overlap the elements read from A or B
   * @param cOff index of C's first element in {@code c}
   * @param ldc distance between rows of C, at least {@code n}
   * @param accumulate whether to add the product to C instead of overwriting C
   * @throws IllegalArgumentException if a size, offset or leading dimension is negative or too
   *     small, or a matrix does not fit in its array
   * @throws NullPointerException if an array that would be read or written is null
   */
  public static void gemm(boolean transA, boolean transB, int m, int n, int k,
      double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
      double[] c, int cOff, int ldc, boolean accumulate) {
    gemm(VECTOR_AVAILABLE ? Impl.VECTOR : Impl.SCALAR, transA, transB, m, n, k,
        a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
  }

  /**
   * Computes {@code C = op(A) op(B)}, or {@code C += op(A) op(B)} when {@code accumulate}, in
   * float32; otherwise the same as {@linkplain #gemm(boolean, boolean, int, int, int, double[],
   * int, int, double[], int, int, double[], int, int, boolean) the float64 version}. Products are
   * summed in float32, in blocks, so the error grows like {@code k * 2^-24 * sum |a||b|} at
   * worst and usually far less.
   *
   * @param transA whether A is stored {@code k x m} (transposed)
   * @param transB whether B is stored {@code n x k} (transposed)
   * @param m rows of {@code op(A)} and C, {@code >= 0}
   * @param n columns of {@code op(B)} and C, {@code >= 0}
   * @param k columns of {@code op(A)} and rows of {@code op(B)}, {@code >= 0}
   * @param a storage of A
   * @param aOff index of A's first element in {@code a}
   * @param lda distance between stored rows of A, at least {@code k} ({@code m} when {@code
   *     transA}), or 0, which repeats one row
   * @param b storage of B
   * @param bOff index of B's first element in {@code b}
   * @param ldb distance between stored rows of B, at least {@code n} ({@code k} when {@code
   *     transB}), or 0, which repeats one row
   * @param c storage of C; may not overlap the elements read from A or B
   * @param cOff index of C's first element in {@code c}
   * @param ldc distance between rows of C, at least {@code n}
   * @param accumulate whether to add the product to C instead of overwriting C
   * @throws IllegalArgumentException if a size, offset or leading dimension is negative or too
   *     small, or a matrix does not fit in its array
   * @throws NullPointerException if an array that would be read or written is null
   */
  public static void gemm(boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc, boolean accumulate) {
    gemm(VECTOR_AVAILABLE ? Impl.VECTOR : Impl.SCALAR, transA, transB, m, n, k,
        a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
  }

  /** {@link #gemm} (float64) on a chosen implementation; VECTOR needs {@link #VECTOR_AVAILABLE}. */
  static void gemm(Impl impl, boolean transA, boolean transB, int m, int n, int k,
      double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
      double[] c, int cOff, int ldc, boolean accumulate) {
    GemmF64.gemm(impl, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc,
        accumulate);
  }

  /** {@link #gemm} (float32) on a chosen implementation; VECTOR needs {@link #VECTOR_AVAILABLE}. */
  static void gemm(Impl impl, boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc, boolean accumulate) {
    GemmF32.gemm(impl, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc,
        accumulate);
  }

  /**
   * The packed vector kernel computes whole register tiles, so for very thin or tiny products
   * (a matrix-vector product, say) the unpacked scalar loops waste less.
   */
  static boolean useVector(int m, int n, int k) {
    return m >= 4 && n >= 8 && (long) m * n * k >= VECTOR_MIN_WORK;
  }

  /**
   * The plain triple loop that defines {@link #gemm} (float64), summing over {@code p} in order.
   * Slow; meant as a test oracle and benchmark baseline. Same parameters and exceptions as
   * {@link #gemm(boolean, boolean, int, int, int, double[], int, int, double[], int, int,
   * double[], int, int, boolean)}.
   *
   * @param transA whether A is stored {@code k x m}
   * @param transB whether B is stored {@code n x k}
   * @param m rows of C
   * @param n columns of C
   * @param k the summed dimension
   * @param a storage of A
   * @param aOff offset of A
   * @param lda leading dimension of A
   * @param b storage of B
   * @param bOff offset of B
   * @param ldb leading dimension of B
   * @param c storage of C
   * @param cOff offset of C
   * @param ldc leading dimension of C
   * @param accumulate whether to add to C
   * @throws IllegalArgumentException as {@link #gemm} does
   * @throws NullPointerException as {@link #gemm} does
   */
  public static void gemmReference(boolean transA, boolean transB, int m, int n, int k,
      double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
      double[] c, int cOff, int ldc, boolean accumulate) {
    checkArgs(transA, transB, m, n, k, a == null ? -1 : a.length, aOff, lda,
        b == null ? -1 : b.length, bOff, ldb, c == null ? -1 : c.length, cOff, ldc);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double sum = 0;
        for (int p = 0; p < k; p++) {
          double x = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
          double y = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
          sum += x * y;
        }
        int at = cOff + i * ldc + j;
        c[at] = accumulate ? c[at] + sum : sum;
      }
    }
  }

  /**
   * The plain triple loop that defines {@link #gemm} (float32). Each sum is formed in float64
   * (exactly for each product) and rounded to float32 once, after adding the old {@code C} when
   * accumulating, so it is at least as accurate as the fast path and serves as its oracle.
   *
   * @param transA whether A is stored {@code k x m}
   * @param transB whether B is stored {@code n x k}
   * @param m rows of C
   * @param n columns of C
   * @param k the summed dimension
   * @param a storage of A
   * @param aOff offset of A
   * @param lda leading dimension of A
   * @param b storage of B
   * @param bOff offset of B
   * @param ldb leading dimension of B
   * @param c storage of C
   * @param cOff offset of C
   * @param ldc leading dimension of C
   * @param accumulate whether to add to C
   * @throws IllegalArgumentException as {@link #gemm} does
   * @throws NullPointerException as {@link #gemm} does
   */
  public static void gemmReference(boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc, boolean accumulate) {
    checkArgs(transA, transB, m, n, k, a == null ? -1 : a.length, aOff, lda,
        b == null ? -1 : b.length, bOff, ldb, c == null ? -1 : c.length, cOff, ldc);
    if (m == 0 || n == 0) {
      return;
    }
    // Widening every element is exact, so the float64 reference on the copies forms the same
    // float64 sums (and adds the same old C); only the rounding back to float32 is left.
    double[] c64 = toFloat64(c);
    gemmReference(transA, transB, m, n, k, toFloat64(a), aOff, lda, toFloat64(b), bOff, ldb,
        c64, cOff, ldc, accumulate);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        int at = cOff + i * ldc + j;
        c[at] = (float) c64[at];
      }
    }
  }

  /** A float64 copy of {@code x}, null for null. */
  private static double[] toFloat64(float[] x) {
    if (x == null) {
      return null;
    }
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = x[i];
    }
    return y;
  }

  /**
   * Checks sizes, offsets and leading dimensions; an array length of -1 stands for null. Every
   * index the kernels touch is then inside its array, so no kernel needs its own checks.
   */
  static void checkArgs(boolean transA, boolean transB, int m, int n, int k,
      int aLength, int aOff, int lda, int bLength, int bOff, int ldb,
      int cLength, int cOff, int ldc) {
    if (m < 0 || n < 0 || k < 0) {
      throw new IllegalArgumentException(
          "gemm: sizes must be >= 0, got m=" + m + ", n=" + n + ", k=" + k);
    }
    // A is stored rowsA x colsA; B rowsB x colsB.
    int rowsA = transA ? k : m;
    int colsA = transA ? m : k;
    int rowsB = transB ? n : k;
    int colsB = transB ? k : n;
    if (m > 0 && n > 0) {
      checkMatrix("C", "c", m, n, cLength, cOff, ldc, "n", false);
    }
    if (m > 0 && n > 0 && k > 0) {
      checkMatrix("A", "a", rowsA, colsA, aLength, aOff, lda, transA ? "m (transA)" : "k", true);
      checkMatrix("B", "b", rowsB, colsB, bLength, bOff, ldb, transB ? "k (transB)" : "n", true);
    }
  }

  /** Checks one matrix; {@code repeatable} lets {@code ld} be 0 (every row the same one). */
  private static void checkMatrix(String name, String array, int rows, int cols, int length,
      int off, int ld, String colsName, boolean repeatable) {
    if (length < 0) {
      throw new NullPointerException("gemm: " + array + " is null but " + name + " is "
          + rows + "x" + cols);
    }
    if (off < 0) {
      throw new IllegalArgumentException(
          "gemm: " + array + "Off must be >= 0, got " + off);
    }
    if (ld < cols && !(repeatable && ld == 0)) {
      throw new IllegalArgumentException("gemm: ld" + array + " must be >= " + colsName
          + " = " + cols + (repeatable ? " or 0 (0 repeats one row)" : "") + ", got ld" + array
          + "=" + ld);
    }
    long last = (long) off + (long) (rows - 1) * ld + cols - 1;
    if (last >= length) {
      throw new IllegalArgumentException("gemm: " + name + " (" + rows + "x" + cols + ", "
          + array + "Off=" + off + ", ld" + array + "=" + ld + ") needs " + array + ".length > "
          + last + ", got " + length);
    }
  }

  private static boolean detectVector() {
    if (Boolean.getBoolean("cadena.gemm.scalar")) {
      return false;
    }
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      return false;
    }
    try {
      // The only place that touches the Vector API before we know it links.
      return VectorProbe.usable();
    } catch (LinkageError | RuntimeException e) {
      return false;
    }
  }
}
