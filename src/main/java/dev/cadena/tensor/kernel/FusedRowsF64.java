package dev.cadena.tensor.kernel;

/**
 * The kernels of the fused primitives, each one pass over contiguous rows where the composition
 * it replaces makes two to six passes and as many temporaries:
 *
 * <ul>
 *   <li>{@link #reluBackward}: {@code out > 0 ? grad : 0}, ReLU's VJP from its output, instead of
 *       a comparison array and a product; {@link #tanhBackward} and {@link #sigmoidBackward}
 *       likewise, one pass instead of three or four;
 *   <li>{@link #biasRows} and {@link #reluInPlace}: the epilogue of a linear layer, a bias row
 *       repeated into the output before the product accumulates onto it, and the activation;
 *   <li>{@link #crossEntropyRows} and {@link #crossEntropyBackward}: softmax cross-entropy per
 *       row, {@code logsumexp(x) - x[label]}, and its VJP {@code (softmax(x) - onehot) * grad},
 *       instead of a max, a shift, exp, sum, log, gather and their VJPs (scatter included).
 * </ul>
 *
 * <p>The exponentials and sums of the cross-entropy run in float64 also for float32 data (the
 * twin rounds only the results), like a float32 logsumexp computed with a float64 accumulator.
 * Arguments are trusted, as in BLAS: the callers check shapes and bounds.
 *
 * <p>The bias rows' and the cross-entropy's first calls warm them up (see {@link
 * JitWarmUp#repeat}, and {@link #WARM_CLASSES} for why only these): each calls {@code ensure()}
 * on a nested class whose initialiser calls the kernel on small operands. The JVM runs an
 * initialiser once, makes other threads wait for it and lets the initialising thread's own calls
 * through (they find the class initialising and go on); once it has run, {@code ensure()} is an
 * empty call that the JIT removes.
 */
// The (double) casts are redundant here; in the generated float32 twin they are the rounding.
@SuppressWarnings("cast")
public final class FusedRowsF64 {
  private FusedRowsF64() {}

  /**
   * {@code o[i] = out[i] > 0 ? g[i] : 0} for {@code i < n} (all three arrays from index 0).
   *
   * <p>Written without a branch on the sign: a ReLU's outputs are positive or zero about half the
   * time each, in no pattern, so a branch per element is mispredicted every other time (it was
   * an eighth of an MLP step's samples). {@code out > 0} holds exactly when the bit pattern of
   * {@code out}, less one, is below that of {@code +inf} as an unsigned number (this excludes
   * {@code +0}, every negative value, {@code -0} and NaN); the integer select compiles to a
   * conditional move, and masking {@code g}'s bits keeps it or gives {@code +0}.
   */
  public static void reluBackward(double[] g, double[] out, double[] o, int n) {
    for (int i = 0; i < n; i++) {
      long below = Double.doubleToRawLongBits(out[i]) - 1 + Long.MIN_VALUE; // f32: int below = Float.floatToRawIntBits(out[i]) - 1 + Integer.MIN_VALUE;
      long keep = below < POSITIVE_LIMIT ? -1L : 0L; // f32: int keep = below < POSITIVE_LIMIT ? -1 : 0;
      o[i] = Double.longBitsToDouble(Double.doubleToRawLongBits(g[i]) & keep); // f32: o[i] = Float.intBitsToFloat(Float.floatToRawIntBits(g[i]) & keep);
    }
  }

  /** The bits of {@code +inf} shifted into signed order (see {@link #reluBackward}). */
  private static final long POSITIVE_LIMIT = // f32: private static final int POSITIVE_LIMIT =
      Double.doubleToRawLongBits(Double.POSITIVE_INFINITY) + Long.MIN_VALUE; // f32: Float.floatToRawIntBits(Float.POSITIVE_INFINITY) + Integer.MIN_VALUE;

  /** {@code o[i] = g[i] * (1 - out[i] * out[i])}: tanh's VJP from its output, in that order. */
  public static void tanhBackward(double[] g, double[] out, double[] o, int n) {
    for (int i = 0; i < n; i++) {
      double y = out[i];
      o[i] = g[i] * (1 - y * y);
    }
  }

  /** {@code o[i] = g[i] * (out[i] * (1 - out[i]))}: the sigmoid's VJP from its output. */
  public static void sigmoidBackward(double[] g, double[] out, double[] o, int n) {
    for (int i = 0; i < n; i++) {
      double y = out[i];
      o[i] = g[i] * (y * (1 - y));
    }
  }

  /** {@code c[r * cols + j] = bias[bo + j]} for {@code r < rows}, {@code j < cols}. */
  public static void biasRows(double[] bias, int bo, double[] c, int rows, int cols) {
    BiasRowsWarm.ensure();
    for (int r = 0; r < rows; r++) {
      System.arraycopy(bias, bo, c, r * cols, cols);
    }
  }

  /** {@code c[i] = max(c[i], 0)} for {@code from <= i < to}; NaN stays NaN, as in ReLU. */
  public static void reluInPlace(double[] c, int from, int to) {
    for (int i = from; i < to; i++) {
      c[i] = Math.max(c[i], 0);
    }
  }

  /**
   * {@code loss[r] = log(sum_j e^(x[r][j] - s)) + s - x[r][label[r]]} for {@code r < rows}, with
   * {@code x} row-major {@code rows x cols} from index 0 and {@code s} the row's maximum when it
   * is finite (else 0, so that a row of -inf gives NaN or inf as the composition does).
   */
  public static void crossEntropyRows(double[] x, long[] label, double[] loss, int rows, int cols) {
    CrossEntropyRowsWarm.ensure();
    for (int r = 0; r < rows; r++) {
      int base = r * cols;
      double s = shift(x, base, cols); // f32: double s = shift(x, base, cols);
      double sum = sumExp(x, base, cols, s); // f32: double sum = sumExp(x, base, cols, s);
      // (max - x[label]) first: exact when the label holds the maximum, so the loss of [1e30,
      // 1e30, 0] at 0 is log 2, not 0 (PyTorch's logSoftmax does the same).
      loss[r] = (double) ((s - (double) x[base + (int) label[r]]) + Math.log(sum));
    }
  }

  /**
   * {@code dx[r][j] = (softmax(x[r])[j] - (j == label[r])) * g[r * gs]}, for every row: the VJP
   * of {@link #crossEntropyRows}. {@code gs} is 1 for one upstream value per row, 0 for one value
   * shared by all rows (a sum or a mean reduction).
   */
  public static void crossEntropyBackward(
      double[] x, long[] label, double[] g, int gs, double[] dx, int rows, int cols) {
    CrossEntropyBackwardWarm.ensure();
    // Each row's exponentials, kept for the scaling: one Math.exp per element, not two (the same
    // values and sum, in the same order, as sumExp).
    double[] e = new double[cols]; // f32: double[] e = new double[cols];
    for (int r = 0; r < rows; r++) {
      int base = r * cols;
      double s = shift(x, base, cols); // f32: double s = shift(x, base, cols);
      double sum = 0; // f32: double sum = 0;
      for (int j = 0; j < cols; j++) {
        e[j] = Math.exp((double) x[base + j] - s);
        sum += e[j];
      }
      double gr = (double) g[r * gs]; // f32: double gr = (double) g[r * gs];
      double scale = gr / sum; // f32: double scale = gr / sum;
      for (int j = 0; j < cols; j++) {
        dx[base + j] = (double) (e[j] * scale);
      }
      int y = base + (int) label[r];
      dx[y] = (double) ((double) dx[y] - gr);
    }
  }

  /** {@code sum_j e^(x[base + j] - s)}, summed in float64 (also in the float32 twin). */
  private static double sumExp(double[] x, int base, int cols, double s) { // f32: private static double sumExp(float[] x, int base, int cols, double s) {
    double sum = 0; // f32: double sum = 0;
    for (int j = 0; j < cols; j++) {
      sum += Math.exp((double) x[base + j] - s); // f32: sum += Math.exp((double) x[base + j] - s);
    }
    return sum;
  }

  /**
   * The row's maximum, NaN if the row has one (the shift of a stable softmax). It is not replaced
   * when infinite: as in PyTorch, a row with {@code +inf} or only {@code -inf} gives NaN (loss
   * and gradient), where a shift of 0 would give {@code inf} or a finite gradient.
   */
  private static double shift(double[] x, int base, int cols) {
    double m = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < cols; j++) {
      m = Math.max(m, (double) x[base + j]);
    }
    return m;
  }

  /**
   * The cross-entropy warm-ups' classes. A warm-up's loops should run about as often per call
   * as the real ones (C2 unrolls a loop no further than its profiled trip count), yet few enough
   * times that C2 compiles the kernel whole before on the stack (see {@link JitWarmUp#repeat}).
   * Ten classes satisfy both; the kernels whose loops run over a whole tensor (the ReLUs, the
   * optimisers' updates) satisfy only one and are not warmed up: on operands of 8 or 40
   * elements, C2 compiled their loops for those lengths, and SGD's update of 200,000 floats took
   * 29 to 51 us instead of 18 to 22.
   */
  private static final int WARM_CLASSES = 10;

  /** Warm-up values of both signs, zero included, for {@code rows} rows of the classes. */
  private static double[] warmUpValues(int rows) {
    double[] v = new double[rows * WARM_CLASSES];
    for (int i = 0; i < v.length; i++) {
      v[i] = (i % 3) - 1;
    }
    return v;
  }

  /** Its loop copies a row per turn: 32 rows of one class, a small batch. */
  private static final class BiasRowsWarm {
    static {
      double[] v = warmUpValues(1);
      double[] o = new double[32];
      JitWarmUp.repeat(() -> biasRows(v, 0, o, 32, 1));
    }

    static void ensure() {}
  }

  /** A label per warm-up row, a different class each. */
  private static long[] warmUpLabels(int rows) {
    long[] label = new long[rows];
    for (int r = 0; r < rows; r++) {
      label[r] = (3 * r) % WARM_CLASSES;
    }
    return label;
  }

  private static final class CrossEntropyRowsWarm {
    static {
      double[] v = warmUpValues(4);
      long[] label = warmUpLabels(4);
      double[] loss = new double[4];
      JitWarmUp.repeat(() -> crossEntropyRows(v, label, loss, 4, WARM_CLASSES));
    }

    static void ensure() {}
  }

  private static final class CrossEntropyBackwardWarm {
    static {
      double[] v = warmUpValues(1);
      long[] label = warmUpLabels(1);
      double[] g = {1};
      double[] dx = new double[WARM_CLASSES];
      // One row (three loops over the classes), with one upstream value per row, then one for
      // all (a mean).
      JitWarmUp.repeat(() -> {
        crossEntropyBackward(v, label, g, 1, dx, 1, WARM_CLASSES);
        crossEntropyBackward(v, label, g, 0, dx, 1, WARM_CLASSES);
      });
    }

    static void ensure() {}
  }
}
