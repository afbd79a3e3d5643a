package dev.cadena.tensor.kernel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Prints GEMM throughput for the products that the end-to-end benchmarks run: W1's forward and
 * its two backward products ({@code A @ B}, {@code G @ B^T}, {@code A^T @ G}) and W2's MLP
 * layers (batch 128, 784-256-128-10, forward and backward). A main, not a test.
 *
 * <pre>
 * mvn -q test-compile
 * java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes \
 *     dev.cadena.tensor.kernel.GemmShapesBench [w1|w1-f64|w1-256|few-rows|w2|all] [threads]
 * </pre>
 *
 * <p>Each row is the median GFLOP/s of 7 timed batches after a warm-up, so that one batch hit by
 * other load on a shared machine does not decide the figure; the minimum and maximum follow.
 */
public final class GemmShapesBench {

  private GemmShapesBench() {}

  /**
   * One product: name, transposes, sizes, dtype, and which operand (if any) is broadcast, one
   * stored row repeated with leading dimension 0 ({@code 'A'}, {@code 'B'} or {@code ' '}).
   */
  private record Shape(String name, boolean transA, boolean transB, int m, int n, int k,
      boolean f64, char broadcast) {
    Shape(String name, boolean transA, boolean transB, int m, int n, int k, boolean f64) {
      this(name, transA, transB, m, n, k, f64, ' ');
    }
  }

  /**
   * Runs the benchmark.
   *
   * @param args optional set ({@code w1}, {@code w1-f64}, {@code w1-256}, {@code few-rows},
   *     {@code w2}, {@code all}) and threads
   */
  public static void main(String[] args) {
    String set = args.length > 0 ? args[0] : "all";
    int[] threads = {1, 2};
    if (args.length > 1) {
      threads = Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray();
    }
    List<Shape> shapes = new ArrayList<>();
    for (boolean f64 : new boolean[] {false, true}) {
      if (set.equals("all") || set.equals(f64 ? "w1-f64" : "w1")) {
        int n = 1024;
        shapes.add(new Shape("w1 A@B", false, false, n, n, n, f64));
        shapes.add(new Shape("w1 G@B^T", false, true, n, n, n, f64));
        shapes.add(new Shape("w1 A^T@G", true, false, n, n, n, f64));
      }
    }
    if (set.equals("all") || set.equals("w1-256")) {
      // W1 as the benchmark runs it: the backward's G is sum's broadcast gradient of ones.
      int n = 256;
      shapes.add(new Shape("w1 A@B", false, false, n, n, n, false));
      shapes.add(new Shape("w1 1@B^T", false, true, n, n, n, false, 'A'));
      shapes.add(new Shape("w1 A^T@1", true, false, n, n, n, false, 'B'));
    }
    if (set.equals("all") || set.equals("few-rows")) {
      // Few rows (small batches): the columns are split across threads.
      shapes.add(new Shape("few x@W1", false, false, 8, 256, 784, false));
      shapes.add(new Shape("few h@W^T", false, true, 16, 784, 256, false));
      shapes.add(new Shape("few 8x1024", false, false, 8, 1024, 1024, false));
    }
    if (set.equals("all") || set.equals("w2")) {
      shapes.add(new Shape("w2 x@W1", false, false, 128, 256, 784, false));
      shapes.add(new Shape("w2 h1@W2", false, false, 128, 128, 256, false));
      shapes.add(new Shape("w2 h2@W3", false, false, 128, 10, 128, false));
      shapes.add(new Shape("w2 g3@W3^T", false, true, 128, 128, 10, false));
      shapes.add(new Shape("w2 h2^T@g3", true, false, 128, 10, 128, false));
      shapes.add(new Shape("w2 g2@W2^T", false, true, 128, 256, 128, false));
      shapes.add(new Shape("w2 h1^T@g2", true, false, 256, 128, 128, false));
      shapes.add(new Shape("w2 x^T@g1", true, false, 784, 256, 128, false));
    }
    System.out.printf(Locale.ROOT, "gemm: %s%n", Gemm.implementation());
    for (int t : threads) {
      Parallel.setThreads(t);
      for (Shape s : shapes) {
        double[] g = measure(s);
        System.out.printf(Locale.ROOT, "%-12s %-7s t=%d %4dx%4dx%4d %8.1f GFLOP/s (%.1f-%.1f)%n",
            s.name, s.f64 ? "float64" : "float32", t, s.m, s.n, s.k, g[1], g[0], g[2]);
      }
    }
  }

  /** Returns min, median and max GFLOP/s over 7 batches. */
  private static double[] measure(Shape s) {
    Random random = new Random(s.m * 31 + s.n * 7 + s.k);
    int aLen = s.m * s.k;
    int bLen = s.k * s.n;
    int lda = s.broadcast == 'A' ? 0 : s.transA ? s.m : s.k;
    int ldb = s.broadcast == 'B' ? 0 : s.transB ? s.k : s.n;
    Runnable product;
    if (s.f64) {
      double[] a = new double[aLen];
      double[] b = new double[bLen];
      double[] c = new double[s.m * s.n];
      Arrays.setAll(a, i -> random.nextDouble() - 0.5);
      Arrays.setAll(b, i -> random.nextDouble() - 0.5);
      product = () -> Gemm.gemm(s.transA, s.transB, s.m, s.n, s.k, a, 0, lda, b, 0, ldb,
          c, 0, s.n, false);
    } else {
      float[] a = new float[aLen];
      float[] b = new float[bLen];
      float[] c = new float[s.m * s.n];
      for (int i = 0; i < aLen; i++) {
        a[i] = random.nextFloat() - 0.5f;
      }
      for (int i = 0; i < bLen; i++) {
        b[i] = random.nextFloat() - 0.5f;
      }
      product = () -> Gemm.gemm(s.transA, s.transB, s.m, s.n, s.k, a, 0, lda, b, 0, ldb,
          c, 0, s.n, false);
    }
    double flops = 2.0 * s.m * s.n * s.k;
    timeBatch(product, 0.5);
    double[] g = new double[7];
    for (int rep = 0; rep < g.length; rep++) {
      g[rep] = flops / timeBatch(product, 0.1) / 1e9;
    }
    Arrays.sort(g);
    return new double[] {g[0], g[g.length / 2], g[g.length - 1]};
  }

  /** Runs the product repeatedly for at least {@code seconds}; returns seconds per product. */
  private static double timeBatch(Runnable product, double seconds) {
    int reps = 0;
    long start = System.nanoTime();
    long elapsed;
    do {
      product.run();
      reps++;
      elapsed = System.nanoTime() - start;
    } while (elapsed < seconds * 1e9);
    return elapsed / 1e9 / reps;
  }
}
