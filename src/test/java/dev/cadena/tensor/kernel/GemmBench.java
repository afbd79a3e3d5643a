package dev.cadena.tensor.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Prints GEMM throughput in GFLOP/s ({@code 2 n^3} flops per square product); a main, not a test.
 *
 * <pre>
 * mvn -q test-compile
 * java [--add-modules jdk.incubator.vector] -cp target/classes:target/test-classes \
 *     dev.cadena.tensor.kernel.GemmBench [sizes, default 64,256,512,1024]
 * </pre>
 *
 * <p>Each row is the best of several timed runs after a warm-up, for the active implementation
 * ({@link Gemm#implementation()}), the scalar one when the vector one is active, and the
 * reference loop for small sizes; then a few thin products on the active implementation.
 */
public final class GemmBench {

  private static final double MIN_SECONDS = 0.4;

  private GemmBench() {}

  /**
   * Runs the benchmark.
   *
   * @param args optional comma-separated sizes
   */
  public static void main(String[] args) {
    int[] sizes = {64, 256, 512, 1024};
    if (args.length > 0) {
      String[] parts = args[0].split(",");
      sizes = new int[parts.length];
      for (int i = 0; i < parts.length; i++) {
        sizes[i] = Integer.parseInt(parts[i].trim());
      }
    }
    System.out.printf(Locale.ROOT, "java %s, %s, %d cpus, gemm: %s%n",
        System.getProperty("java.version"), System.getProperty("java.vm.name"),
        Runtime.getRuntime().availableProcessors(), Gemm.implementation());
    List<String> paths = new ArrayList<>();
    if (Gemm.VECTOR_AVAILABLE) {
      paths.add("vector");
    }
    paths.add("scalar");
    paths.add("reference");
    System.out.printf(Locale.ROOT, "%-10s %-8s %6s %8s %12s%n",
        "path", "dtype", "n", "threads", "GFLOP/s");
    for (String dtype : new String[] {"float32", "float64"}) {
      for (int n : sizes) {
        for (String path : paths) {
          if (path.equals("reference") && n > 256) {
            continue;
          }
          for (int threads : new int[] {1, 2}) {
            if (path.equals("reference") && threads > 1) {
              continue; // the reference loop is single-threaded
            }
            Parallel.setThreads(threads);
            double gflops = measure(path, dtype, n);
            System.out.printf(Locale.ROOT, "%-10s %-8s %6d %8d %12.1f%n",
                path, dtype, n, threads, gflops);
          }
        }
      }
    }
    thinProducts();
  }

  /** Thin products, float32, active implementation: vector-matrix (transB) and matrix-vector. */
  private static void thinProducts() {
    int[][] shapes = {{1, 4096, 1024, 1}, {4096, 1, 1024, 0}, {2, 4096, 1024, 1}};
    for (int threads : new int[] {1, 2}) {
      Parallel.setThreads(threads);
      for (int[] shape : shapes) {
        int m = shape[0];
        int n = shape[1];
        int k = shape[2];
        boolean transB = shape[3] == 1;
        Random random = new Random(m + n + k);
        float[] a = new float[m * k];
        float[] b = new float[k * n];
        float[] c = new float[m * n];
        for (int i = 0; i < a.length; i++) {
          a[i] = random.nextFloat();
        }
        for (int i = 0; i < b.length; i++) {
          b[i] = random.nextFloat();
        }
        double flops = 2.0 * m * n * k;
        Runnable product = () -> Gemm.gemm(false, transB, m, n, k, a, 0, k, b, 0,
            transB ? k : n, c, 0, n, false);
        timeBatch(product, flops, MIN_SECONDS);
        double best = Double.MAX_VALUE;
        for (int rep = 0; rep < 5; rep++) {
          best = Math.min(best, timeBatch(product, flops, MIN_SECONDS / 4));
        }
        System.out.printf(Locale.ROOT, "thin float32 m=%d n=%d k=%d transB=%s threads=%d: %.1f"
            + " GFLOP/s%n", m, n, k, transB, threads, flops / best / 1e9);
      }
    }
  }

  private static double measure(String path, String dtype, int n) {
    Random random = new Random(n);
    Runnable product;
    if (dtype.equals("float32")) {
      float[] a = new float[n * n];
      float[] b = new float[n * n];
      float[] c = new float[n * n];
      for (int i = 0; i < a.length; i++) {
        a[i] = random.nextFloat() - 0.5f;
        b[i] = random.nextFloat() - 0.5f;
      }
      product = switch (path) {
        case "vector" -> () -> Gemm.gemm(Gemm.Impl.VECTOR, false, false, n, n, n,
            a, 0, n, b, 0, n, c, 0, n, false);
        case "scalar" -> () -> Gemm.gemm(Gemm.Impl.SCALAR, false, false, n, n, n,
            a, 0, n, b, 0, n, c, 0, n, false);
        default -> () -> Gemm.gemmReference(false, false, n, n, n,
            a, 0, n, b, 0, n, c, 0, n, false);
      };
    } else {
      double[] a = new double[n * n];
      double[] b = new double[n * n];
      double[] c = new double[n * n];
      for (int i = 0; i < a.length; i++) {
        a[i] = random.nextDouble() - 0.5;
        b[i] = random.nextDouble() - 0.5;
      }
      product = switch (path) {
        case "vector" -> () -> Gemm.gemm(Gemm.Impl.VECTOR, false, false, n, n, n,
            a, 0, n, b, 0, n, c, 0, n, false);
        case "scalar" -> () -> Gemm.gemm(Gemm.Impl.SCALAR, false, false, n, n, n,
            a, 0, n, b, 0, n, c, 0, n, false);
        default -> () -> Gemm.gemmReference(false, false, n, n, n,
            a, 0, n, b, 0, n, c, 0, n, false);
      };
    }
    double flops = 2.0 * n * n * n;
    // Warm up until the JIT has compiled the kernels, then take the best of several batches.
    timeBatch(product, flops, MIN_SECONDS);
    double best = Double.MAX_VALUE;
    for (int rep = 0; rep < 5; rep++) {
      best = Math.min(best, timeBatch(product, flops, MIN_SECONDS / 4));
    }
    return flops / best / 1e9;
  }

  /** Runs the product repeatedly for at least {@code seconds}; returns seconds per product. */
  private static double timeBatch(Runnable product, double flops, double seconds) {
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
