package dev.cadena.bench;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.cadena.Tensor;
import dev.cadena.cli.TrainJob;
import dev.cadena.data.Augment;
import dev.cadena.data.DataLoader;
import dev.cadena.data.Datasets;
import dev.cadena.data.TensorDataset;
import dev.cadena.autograd.GraphMemory;
import dev.cadena.func.Checkpoint;
import dev.cadena.nn.Linear;
import dev.cadena.nn.Loss;
import dev.cadena.nn.ReLU;
import dev.cadena.nn.Sequential;
import dev.cadena.nn.Tanh;
import dev.cadena.optim.CosineAnnealingLR;
import dev.cadena.optim.LRScheduler;
import dev.cadena.optim.Optimizer;
import dev.cadena.optim.Optimizers;
import dev.cadena.optim.SGD;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.kernel.Gemm;
import dev.cadena.tensor.kernel.Parallel;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Cadena's side of the benchmarks that the PyTorch peer scripts ({@code PEER_DIR}, by default
 * {@code ../shared/bench/pytorch} beside the project, and {@code bench/pytorch_*.py}) measure; a
 * main, not a test. Prints one JSON object per measurement on stdout, with the same field names
 * as the peer scripts ({@code workload}, {@code median_ms}, {@code min_ms}, {@code p90_ms},
 * {@code max_ms}, {@code gflops_at_median}, ...) so one script can merge both.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes:DEPS \
 *     dev.cadena.bench.CadenaBench w1 [--threads 2] [--sizes 64,256,512,1024]
 *     [--dtypes float32,float64] [--target-s 1.5] [--warmup-s 0.5]
 *   ... w2 [--threads 2] [--steps 200] [--warmup 20]
 *   ... w2parts [--threads 2] [--steps 200] [--warmup 20]
 *   ... w3 [--threads 2] [--ops 10000] [--reps 20] [--warmup 3]
 *   ... w5 [--threads 2] [--epochs 15] [--target-acc 0.96] [--stop-at-target]
 *   ... w8 [--threads 2] [--layers 20] [--width 256] [--batch 64] [--per-block 4] [--steps 10]
 *   ... w9 [--threads 2] [--reps 30] [--warmup 10]
 *   ... w7 [--threads 2] [--steps 100] [--warmup 20]
 * </pre>
 *
 * <p>{@code bench/run.sh} builds, runs this (under two JVM settings, named by the environment
 * variable {@code BENCH_JVM_CONFIG} and copied into every record as {@code jvm_config}) and the
 * peer interleaved, and prints the table.
 */
public final class CadenaBench {

  /** Peak RSS right after JVM start, read before anything else runs (KiB). */
  private static final long RSS_AT_START_KIB = procStatusKib("VmHWM");

  private static final Gson GSON =
      new GsonBuilder().serializeNulls().serializeSpecialFloatingPointValues().disableHtmlEscaping()
          .create();

  private CadenaBench() {}

  /**
   * Runs one workload.
   *
   * @param args the workload ({@code w1}, {@code w2}, {@code w2parts}, {@code w3}, {@code w5},
   *     {@code w7}, {@code w8}, {@code w9})
   *     then its flags
   */
  public static void main(String[] args) throws IOException {
    if (args.length == 0) {
      System.err.println("usage: CadenaBench w1|w2|w2parts|w3|w5|w7|w8|w9 [--threads N] [workload flags]");
      System.exit(2);
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    int threads = intArg(rest, "--threads", 2);
    Parallel.setThreads(threads);
    switch (args[0]) {
      case "w1" -> w1(rest);
      case "w2" -> w2(rest);
      case "w2parts" -> w2Parts(rest);
      case "w3" -> w3(rest);
      case "w5" -> w5(rest);
      case "w8" -> w8(rest);
      case "w9" -> w9(rest);
      case "w7" -> w7(rest);
      default -> {
        System.err.println("unknown workload " + args[0] + "; expected w1, w2, w2parts, w3, w5, w7, w8 or w9");
        System.exit(2);
      }
    }
  }

  // ---------------------------------------------------------------- W1

  /** A, B (n x n) leaves; C = A.matmul(B); C.sum().backward(); 3 * 2n^3 flops. */
  private static void w1(String[] args) {
    int[] sizes = Arrays.stream(strArg(args, "--sizes", "64,256,512,1024").split(","))
        .mapToInt(Integer::parseInt).toArray();
    String[] dtypes = strArg(args, "--dtypes", "float32,float64").split(",");
    double targetS = Double.parseDouble(strArg(args, "--target-s", "1.5"));
    double warmupS = Double.parseDouble(strArg(args, "--warmup-s", "0.5"));
    int minIters = intArg(args, "--min-iters", 5);
    int maxIters = intArg(args, "--max-iters", 1000);
    Map<String, Object> meta = meta();
    for (String dname : dtypes) {
      DType dtype = DType.parse(dname);
      for (int n : sizes) {
        SplittableRandom rng = new SplittableRandom(1234 + n);
        Tensor a = Tensor.randn(rng, dtype, n, n).requiresGrad(true);
        Tensor b = Tensor.randn(rng, dtype, n, n).requiresGrad(true);
        // Warm-up: one call, then at least 3 iterations and at least warmupS, so C2 has compiled
        // the kernels (the peer warms up for 0.3 s; a JIT needs a little longer to reach steady
        // state). The first call is outside the window: in a fresh JVM it runs the library's
        // one-time GEMM warm-up (about 0.5 s on this machine; W5's clock counts it), which would
        // otherwise take the whole window and leave the engine three iterations.
        w1Iter(a, b);
        long w0 = System.nanoTime();
        for (int i = 0; i < 100_000; i++) {
          w1Iter(a, b);
          if (i >= 2 && System.nanoTime() - w0 > warmupS * 1e9) {
            break;
          }
        }
        List<Double> times = new ArrayList<>();
        long start = System.nanoTime();
        while (times.size() < maxIters
            && (times.size() < minIters || System.nanoTime() - start < targetS * 1e9)) {
          times.add(w1Iter(a, b));
        }
        // dA = ones @ B^T -> row sums of B.
        double[] grad = a.grad().toDoubleArray();
        double[] bv = b.toDoubleArray();
        double err = 0;
        for (int j = 0; j < n; j++) {
          double rowSum = 0;
          for (int k = 0; k < n; k++) {
            rowSum += bv[j * n + k];
          }
          err = Math.max(err, Math.abs(grad[j] - rowSum));
        }
        Map<String, Object> rec = record("W1_matmul_fwd_bwd");
        rec.put("n", n);
        rec.put("dtype", dname);
        rec.putAll(summarize(times));
        double flops = 3.0 * 2.0 * n * (double) n * n;
        rec.put("gflops_at_median", flops / ((double) rec.get("median_ms") * 1e-3) / 1e9);
        rec.put("gflops_at_min", flops / ((double) rec.get("min_ms") * 1e-3) / 1e9);
        rec.put("grad_check_maxerr", err);
        rec.putAll(meta);
        emit(rec);
      }
    }
  }

  private static double w1Iter(Tensor a, Tensor b) {
    a.setGrad(null);
    b.setGrad(null);
    long t0 = System.nanoTime();
    Tensor c = a.matmul(b);
    c.sum().backward();
    return (System.nanoTime() - t0) / 1e9;
  }

  // ---------------------------------------------------------------- W2

  /** W2's model, optimiser and data, built from one seeded generator in the same order each time. */
  private record W2Setup(Sequential model, Optimizer opt, Tensor[] xs, Tensor[] ys) {
    static final int BATCH = 128;

    static W2Setup create() {
      SplittableRandom rng = new SplittableRandom(0);
      Sequential model = new Sequential(
          new Linear(784, 256, true, DType.FLOAT32, rng), new ReLU(),
          new Linear(256, 128, true, DType.FLOAT32, rng), new ReLU(),
          new Linear(128, 10, true, DType.FLOAT32, rng));
      Optimizer opt = SGD.builder(model.parameters()).lr(0.01).build();
      // 10 fixed batches, cycled step by step, like the peer's w2_mlp_step.py.
      Tensor[] xs = new Tensor[10];
      Tensor[] ys = new Tensor[10];
      for (int i = 0; i < 10; i++) {
        xs[i] = Tensor.randn(rng, DType.FLOAT32, BATCH, 784);
        long[] labels = new long[BATCH];
        for (int j = 0; j < BATCH; j++) {
          labels[j] = rng.nextInt(10);
        }
        ys[i] = Tensor.ofLongs(labels);
      }
      return new W2Setup(model, opt, xs, ys);
    }
  }

  /** One SGD step (lr 0.01) of 784-256-128-10 ReLU, crossEntropy, batch 128, float32. */
  private static void w2(String[] args) {
    int steps = intArg(args, "--steps", 200);
    int warmup = intArg(args, "--warmup", 20);
    Map<String, Object> meta = meta();
    W2Setup w = W2Setup.create();
    double[] lossOut = new double[1];
    for (int i = 0; i < warmup; i++) {
      w2Step(w.model(), w.opt(), w.xs()[i % 10], w.ys()[i % 10], lossOut);
    }
    double[] times = new double[steps];
    double firstLoss = Double.NaN;
    long alloc0 = allocatedBytesAllThreads();
    for (int i = 0; i < steps; i++) {
      int k = (warmup + i) % 10;
      times[i] = w2Step(w.model(), w.opt(), w.xs()[k], w.ys()[k], lossOut);
      if (i == 0) {
        firstLoss = lossOut[0];
      }
    }
    long alloc1 = allocatedBytesAllThreads();
    int[] sizes = {784, 256, 128, 10};
    double mm = 0;
    for (int i = 0; i + 1 < sizes.length; i++) {
      mm += (double) sizes[i] * sizes[i + 1];
    }
    int batch = W2Setup.BATCH;
    double flops = 2.0 * batch * mm * 2 + 2.0 * batch * (256 * 128 + 128 * 10);
    Map<String, Object> rec = record("W2_mlp_step");
    rec.put("arch", "784-256-128-10");
    rec.put("batch", batch);
    rec.put("dtype", "float32");
    rec.put("optimizer", "SGD lr=0.01");
    rec.put("warmup", warmup);
    rec.putAll(summarize(times));
    rec.put("gflops_at_median", flops / ((double) rec.get("median_ms") * 1e-3) / 1e9);
    rec.put("mflop_per_step", flops / 1e6);
    rec.put("alloc_mib_per_step", allocMibPerStep(alloc0, alloc1, steps));
    rec.putAll(gcTotals());
    rec.put("peak_rss_mib", procStatusKib("VmHWM") / 1024.0);
    rec.put("rss_after_import_mib", RSS_AT_START_KIB / 1024.0);
    rec.put("rss_now_mib", procStatusKib("VmRSS") / 1024.0);
    rec.put("loss_first_timed", firstLoss);
    rec.put("loss_last", lossOut[0]);
    rec.putAll(meta);
    emit(rec);
  }

  /**
   * W2 split into its phases, each timed on its own: where a W2 step's time goes. The model, data,
   * warm-up and steps are W2's; the timers enclose the same calls as the peer's
   * {@code bench/pytorch_w2_parts.py}: (1) zeroGrad + forward, (2) the cross-entropy loss,
   * (3) backward, (4) the optimiser step. Each phase's figure is its median over the timed steps.
   */
  private static void w2Parts(String[] args) {
    int steps = intArg(args, "--steps", 200);
    int warmup = intArg(args, "--warmup", 20);
    Map<String, Object> meta = meta();
    W2Setup w = W2Setup.create();
    String[] names = {"forward", "loss", "backward", "step"};
    double[][] parts = new double[names.length][steps];
    double[] total = new double[steps];
    long alloc0 = 0;
    double lossLast = Double.NaN;
    for (int i = 0; i < warmup + steps; i++) {
      if (i == warmup) {
        alloc0 = allocatedBytesAllThreads();
      }
      int k = i % 10;
      Tensor x = w.xs()[k];
      Tensor y = w.ys()[k];
      long t0 = System.nanoTime();
      w.opt().zeroGrad();
      Tensor logits = w.model().forward(x);
      long t1 = System.nanoTime();
      Tensor loss = Loss.crossEntropy(logits, y);
      long t2 = System.nanoTime();
      loss.backward();
      long t3 = System.nanoTime();
      w.opt().step();
      long t4 = System.nanoTime();
      lossLast = loss.item();
      if (i >= warmup) {
        int j = i - warmup;
        parts[0][j] = (t1 - t0) / 1e6;
        parts[1][j] = (t2 - t1) / 1e6;
        parts[2][j] = (t3 - t2) / 1e6;
        parts[3][j] = (t4 - t3) / 1e6;
        total[j] = (t4 - t0) / 1e6;
      }
    }
    long alloc1 = allocatedBytesAllThreads();
    Map<String, Object> rec = record("W2_mlp_step_parts");
    rec.put("warmup", warmup);
    rec.put("n_timed", steps);
    for (int k = 0; k < names.length; k++) {
      double[] sorted = parts[k].clone();
      Arrays.sort(sorted);
      rec.put(names[k] + "_ms", median(sorted));
      rec.put(names[k] + "_min_ms", sorted[0]);
      rec.put(names[k] + "_p90_ms", sorted[Math.min(steps - 1, (int) (0.9 * steps))]);
    }
    rec.put("sum_of_phases_median_ms", median(total));
    rec.put("alloc_mib_per_step", allocMibPerStep(alloc0, alloc1, steps));
    rec.putAll(gcTotals());
    rec.put("loss_last", lossLast);
    rec.putAll(meta);
    emit(rec);
  }

  // ---------------------------------------------------------------- W7

  /**
   * One SGD step (lr 0.01) of the main job's CNN ({@link dev.cadena.cli.TrainJob#buildCnn}:
   * Conv2d(1, 32, 5) - BatchNorm2d - ReLU - MaxPool2d(2) - Conv2d(32, 32, 5) - BatchNorm2d - ReLU
   * - MaxPool2d(2) - Flatten - Linear(512, 10)), crossEntropy, batch 64, float32, training mode,
   * on 10 fixed batches of N(0, 1) pixels cycled step by step; the peer is {@code
   * bench/pytorch_w7_cnn.py}.
   */
  private static void w7(String[] args) {
    int steps = intArg(args, "--steps", 100);
    int warmup = intArg(args, "--warmup", 20);
    int batch = 64;
    Map<String, Object> meta = meta();
    SplittableRandom rng = new SplittableRandom(0);
    Sequential model = dev.cadena.cli.TrainJob.buildCnn(DType.FLOAT32, 0);
    Optimizer opt = SGD.builder(model.parameters()).lr(0.01).build();
    Tensor[] xs = new Tensor[10];
    Tensor[] ys = new Tensor[10];
    for (int i = 0; i < 10; i++) {
      xs[i] = Tensor.randn(rng, DType.FLOAT32, batch, 784);
      long[] labels = new long[batch];
      for (int j = 0; j < batch; j++) {
        labels[j] = rng.nextInt(10);
      }
      ys[i] = Tensor.ofLongs(labels);
    }
    double[] lossOut = new double[1];
    for (int i = 0; i < warmup; i++) {
      w2Step(model, opt, xs[i % 10], ys[i % 10], lossOut);
    }
    double[] times = new double[steps];
    double firstLoss = Double.NaN;
    long alloc0 = allocatedBytesAllThreads();
    for (int i = 0; i < steps; i++) {
      int k = (warmup + i) % 10;
      times[i] = w2Step(model, opt, xs[k], ys[k], lossOut);
      if (i == 0) {
        firstLoss = lossOut[0];
      }
    }
    long alloc1 = allocatedBytesAllThreads();
    // GEMM flops: forward, weight gradients the same, input gradients of conv2 and the linear.
    double conv1 = 2.0 * batch * 32 * 25 * 24 * 24;
    double conv2 = 2.0 * batch * 32 * 800 * 8 * 8;
    double lin = 2.0 * batch * 512 * 10;
    double flops = 2 * (conv1 + conv2 + lin) + conv2 + lin;
    Map<String, Object> rec = record("W7_cnn_step");
    rec.put("arch", "conv5x5(32)-bn-pool-conv5x5(32)-bn-pool-linear(512,10)");
    rec.put("batch", batch);
    rec.put("dtype", "float32");
    rec.put("optimizer", "SGD lr=0.01");
    rec.put("warmup", warmup);
    rec.putAll(summarize(times));
    rec.put("gflops_at_median", flops / ((double) rec.get("median_ms") * 1e-3) / 1e9);
    rec.put("mflop_per_step", flops / 1e6);
    rec.put("alloc_mib_per_step", allocMibPerStep(alloc0, alloc1, steps));
    rec.putAll(gcTotals());
    rec.put("peak_rss_mib", procStatusKib("VmHWM") / 1024.0);
    rec.put("loss_first_timed", firstLoss);
    rec.put("loss_last", lossOut[0]);
    rec.putAll(meta);
    emit(rec);
  }

  private static double w2Step(Sequential model, Optimizer opt, Tensor x, Tensor y, double[] lossOut) {
    long t0 = System.nanoTime();
    opt.zeroGrad();
    Tensor loss = Loss.crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
    double t = (System.nanoTime() - t0) / 1e9;
    lossOut[0] = loss.item();
    return t;
  }

  /**
   * Bytes allocated so far by all live JVM threads (HotSpot's per-thread TLAB accounting), or -1
   * when the JVM cannot say. Threads that end between two readings take their share with them;
   * the workloads' threads (main and the {@link Parallel} pool) live to the end.
   */
  private static long allocatedBytesAllThreads() {
    if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean tmx)
        || !tmx.isThreadAllocatedMemorySupported() || !tmx.isThreadAllocatedMemoryEnabled()) {
      return -1;
    }
    long sum = 0;
    for (long bytes : tmx.getThreadAllocatedBytes(tmx.getAllThreadIds())) {
      if (bytes > 0) {
        sum += bytes;
      }
    }
    return sum;
  }

  private static Double allocMibPerStep(long before, long after, int steps) {
    if (before < 0 || after < 0 || steps <= 0) {
      return null;
    }
    return (after - before) / (1024.0 * 1024.0) / steps;
  }

  /** Collections and their accumulated time, all collectors, since the JVM started. */
  private static Map<String, Object> gcTotals() {
    long count = 0;
    long ms = 0;
    List<String> names = new ArrayList<>();
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      count += Math.max(0, gc.getCollectionCount());
      ms += Math.max(0, gc.getCollectionTime());
      names.add(gc.getName());
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("gc_count", count);
    m.put("gc_ms", ms);
    m.put("gc_names", String.join(", ", names));
    return m;
  }

  // ---------------------------------------------------------------- W3

  /**
   * 10,000 cheap elementwise ops on a float64 [16] tensor, then sum and backward. Besides the
   * peer's fields, the record has the bytes the main thread allocated per op in the forward and
   * the backward (medians) and the young collections per chain.
   */
  private static void w3(String[] args) {
    int ops = intArg(args, "--ops", 10_000);
    int reps = intArg(args, "--reps", 20);
    int warmup = intArg(args, "--warmup", 3);
    Map<String, Object> meta = meta();
    Tensor x = Tensor.randn(new SplittableRandom(0), DType.FLOAT64, 16).requiresGrad(true);
    double[] fw = new double[reps];
    double[] bw = new double[reps];
    double[] tot = new double[reps];
    double[] val = new double[1];
    for (int i = 0; i < warmup; i++) {
      w3Run(x, ops, val);
    }
    double[] fwBytes = new double[reps];
    double[] bwBytes = new double[reps];
    long gcInTimer = 0;
    for (int r = 0; r < reps; r++) {
      double[] fb = w3Run(x, ops, val);
      fw[r] = fb[0];
      bw[r] = fb[1];
      tot[r] = fb[0] + fb[1];
      fwBytes[r] = fb[2] / ops;
      bwBytes[r] = fb[3] / ops;
      gcInTimer += (long) fb[4];
    }
    Map<String, Object> rec = record("W3_chain_overhead");
    rec.put("ops", ops);
    rec.put("shape", List.of(16));
    rec.put("dtype", "float64");
    rec.put("reps", reps);
    rec.put("us_per_op_median", median(tot) / ops * 1e6);
    rec.put("us_per_op_min", Arrays.stream(tot).min().orElseThrow() / ops * 1e6);
    rec.put("us_per_op_max", Arrays.stream(tot).max().orElseThrow() / ops * 1e6);
    rec.put("fwd_us_per_op_median", median(fw) / ops * 1e6);
    rec.put("bwd_us_per_op_median", median(bw) / ops * 1e6);
    rec.put("total_ms_median", median(tot) * 1e3);
    // Allocation by the main thread (the chain's ops are too small to go parallel), per op.
    rec.put("fwd_bytes_per_op_median", median(fwBytes));
    rec.put("bwd_bytes_per_op_median", median(bwBytes));
    rec.put("gc_in_timed_window_per_rep", (double) gcInTimer / reps);
    rec.put("sum_value", val[0]);
    rec.put("grad_norm", Math.sqrt(x.grad().square().sum().item()));
    rec.putAll(meta);
    emit(rec);
  }

  /**
   * One chain: forward and backward seconds, the bytes the main thread allocated in each (-1
   * when the JVM cannot say), and the collections that ran between the start of the forward and
   * the end of the backward.
   */
  private static double[] w3Run(Tensor x, int ops, double[] val) {
    x.setGrad(null);
    long gc0 = (long) gcTotals().get("gc_count");
    long a0 = currentThreadAllocatedBytes();
    long t0 = System.nanoTime();
    Tensor y = x;
    for (int i = 0; i < ops; i++) {
      switch (i & 3) {
        case 0 -> y = y.mul(1.0001);
        case 1 -> y = y.add(0.001);
        case 2 -> y = y.tanh();
        default -> y = y.mul(0.999);
      }
    }
    Tensor s = y.sum();
    long t1 = System.nanoTime();
    long a1 = currentThreadAllocatedBytes();
    s.backward();
    long t2 = System.nanoTime();
    long a2 = currentThreadAllocatedBytes();
    long gc1 = (long) gcTotals().get("gc_count");
    val[0] = s.item();
    // Graph teardown outside the timer: drop the graph and let the collector take it now.
    y = null;
    s = null;
    System.gc();
    boolean known = a0 >= 0 && a1 >= 0 && a2 >= 0;
    return new double[] {(t1 - t0) / 1e9, (t2 - t1) / 1e9, known ? a1 - a0 : -1,
        known ? a2 - a1 : -1, gc1 - gc0};
  }

  /** Bytes the current thread has allocated so far, or -1 when the JVM cannot say. */
  private static long currentThreadAllocatedBytes() {
    if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean tmx)
        || !tmx.isThreadAllocatedMemorySupported() || !tmx.isThreadAllocatedMemoryEnabled()) {
      return -1;
    }
    return tmx.getCurrentThreadAllocatedBytes();
  }

  // ---------------------------------------------------------------- W9

  /**
   * The transforms of {@link dev.cadena.func.Func} on the functions of the peer's
   * {@code bench/pytorch_w9_transforms.py}, float64: {@code f(x) = W2 tanh(W1 x + b1) + b2} from
   * R^64 to R^32 ({@code jacrev}, {@code jvp}), {@code g = sum(f^2)} ({@code hessian},
   * {@code hvp}), and per-sample gradients of a 784-128-10 tanh MLP's cross-entropy over 32
   * samples by one {@code Func.vmapMany(Func.grad(loss))} call (the peer loops over them).
   * Weights are drawn from Cadena's own seeded generator (not the peer's values: the timings do
   * not depend on them).
   */
  private static void w9(String[] args) {
    int reps = intArg(args, "--reps", 30);
    int warmup = intArg(args, "--warmup", 10);
    Map<String, Object> meta = meta();
    SplittableRandom rng = new SplittableRandom(0);
    DType d = DType.FLOAT64;
    Tensor w1 = Tensor.randn(rng, d, 128, 64).div(8.0);
    Tensor b1 = Tensor.randn(rng, d, 128).div(8.0);
    Tensor w2 = Tensor.randn(rng, d, 32, 128).div(11.3);
    Tensor b2 = Tensor.randn(rng, d, 32).div(11.3);
    Tensor x = Tensor.randn(rng, d, 64);
    Tensor v = Tensor.randn(rng, d, 64);
    dev.cadena.func.TensorFn f = xs -> w2.matmul(w1.matmul(xs[0]).add(b1).tanh()).add(b2);
    dev.cadena.func.TensorFn g = xs -> f.apply(xs).square().sum();
    Tensor p0 = Tensor.randn(rng, d, 784, 128).div(28.0);
    Tensor p1 = Tensor.zeros(d, 128);
    Tensor p2 = Tensor.randn(rng, d, 128, 10).div(11.3);
    Tensor p3 = Tensor.zeros(d, 10);
    Tensor xs = Tensor.randn(rng, d, 32, 784);
    long[] labels = new long[32];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = rng.nextInt(10);
    }
    Tensor ys = Tensor.ofLongs(labels);
    int nb = dev.cadena.func.Func.NOT_BATCHED;
    // The primitive's cross-entropy: nn.Loss checks the label values, which a batched tensor
    // does not show inside vmap.
    dev.cadena.func.TensorFn sampleLoss = a -> dev.cadena.ops.Reductions.crossEntropy(
        a[4].reshape(1, 784).matmul(a[0]).add(a[1]).tanh().matmul(a[2]).add(a[3]),
        a[5].reshape(1)).mean();
    dev.cadena.func.TensorsFn perSampleGrad = dev.cadena.func.Func.vmapMany(
        dev.cadena.func.Func.grad(sampleLoss, 0, 1, 2, 3), new int[] {nb, nb, nb, nb, 0, 0}, 0);
    Map<String, Runnable> cases = new LinkedHashMap<>();
    cases.put("jacobian", () -> dev.cadena.func.Func.jacrev(f).apply(x));
    cases.put("hessian", () -> dev.cadena.func.Func.hessian(g).apply(x));
    cases.put("hvp", () -> dev.cadena.func.Func.hvp(g, new Tensor[] {x}, new Tensor[] {v}).tangent());
    cases.put("jvp", () -> dev.cadena.func.Func.jvp(f, new Tensor[] {x}, new Tensor[] {v}).tangent());
    // One vmap(grad) call, no loop over the samples (the peer loops: 1.13 has no vmap).
    cases.put("per_sample", () -> perSampleGrad.apply(p0, p1, p2, p3, xs, ys));
    // The same with a Java loop of Func.grad, as the peer does (for comparison with vmap).
    dev.cadena.func.TensorsFn oneSample = dev.cadena.func.Func.grad(sampleLoss, 0, 1, 2, 3);
    cases.put("per_sample_loop", () -> {
      for (int i = 0; i < 32; i++) {
        oneSample.apply(p0, p1, p2, p3, xs.slice(0, i, i + 1).reshape(784), ys.slice(0, i, i + 1).reshape());
      }
    });
    Map<String, Object> rec = record("W9_transforms");
    rec.put("dtype", "float64");
    rec.put("reps", reps);
    rec.put("warmup", warmup);
    rec.put("fn", "64-128-32 tanh MLP; per-sample: 32 x (784-128-10)");
    for (Map.Entry<String, Runnable> c : cases.entrySet()) {
      for (int i = 0; i < warmup; i++) {
        c.getValue().run();
      }
      double[] ts = new double[reps];
      for (int r = 0; r < reps; r++) {
        long t0 = System.nanoTime();
        c.getValue().run();
        ts[r] = (System.nanoTime() - t0) / 1e6;
      }
      rec.put(c.getKey() + "_ms", median(ts));
      rec.put(c.getKey() + "_min_ms", Arrays.stream(ts).min().orElseThrow());
    }
    rec.putAll(meta);
    emit(rec);
  }

  // ---------------------------------------------------------------- W5

  /**
   * The main job's recipe (TrainJob defaults: 784-256-128-10 ReLU, float32, SGD nesterov
   * momentum 0.9, lr 0.05 cosine over 15 epochs stepped per epoch, batch 32, shuffled, random
   * shifts of up to 1 px, seed 42), test accuracy after each epoch. The clock starts after the
   * data is loaded and the model built and includes each epoch's evaluation.
   */
  private static void w5(String[] args) {
    int epochs = intArg(args, "--epochs", 15);
    double target = Double.parseDouble(strArg(args, "--target-acc", "0.96"));
    boolean stopAtTarget = Arrays.asList(args).contains("--stop-at-target");
    long seed = 42;
    Map<String, Object> meta = meta();
    long tLoad = System.nanoTime();
    Datasets.Split split = Datasets.mnist(DType.FLOAT32);
    double loadS = (System.nanoTime() - tLoad) / 1e9;
    Sequential model = TrainJob.buildModel(List.of(256, 128), DType.FLOAT32, seed);
    Optimizer opt = Optimizers.create("nesterov", model.parameters(), 0.05);
    LRScheduler schedule = new CosineAnnealingLR(opt, epochs, 0.0);
    DataLoader loader = new DataLoader(split.train(), 32, true, false, new SplittableRandom(seed + 1));
    SplittableRandom augmentRng = new SplittableRandom(seed + 2);
    List<Double> accs = new ArrayList<>();
    List<Double> at = new ArrayList<>();
    List<Double> evalS = new ArrayList<>();
    int epochsToTarget = -1;
    double secondsToTarget = Double.NaN;
    double lastLoss = Double.NaN;
    long start = System.nanoTime();
    for (int epoch = 1; epoch <= epochs; epoch++) {
      for (TensorDataset.Batch b : loader) {
        Tensor x = Augment.randomShift(b.x(), 28, 28, 1, augmentRng);
        Tensor loss = Loss.crossEntropy(model.forward(x), b.y());
        opt.zeroGrad();
        loss.backward();
        opt.step();
        lastLoss = loss.item();
      }
      schedule.step();
      long e0 = System.nanoTime();
      double acc = TrainJob.accuracy(model, split.test());
      long e1 = System.nanoTime();
      double t = (e1 - start) / 1e9;
      accs.add(acc);
      at.add(t);
      evalS.add((e1 - e0) / 1e9);
      System.err.printf(Locale.ROOT, "W5 epoch %d: test accuracy %.4f at %.2f s%n", epoch, acc, t);
      if (epochsToTarget < 0 && acc >= target) {
        epochsToTarget = epoch;
        secondsToTarget = t;
        if (stopAtTarget) {
          break;
        }
      }
    }
    double total = (System.nanoTime() - start) / 1e9;
    Map<String, Object> rec = record("W5_mnist_to_96");
    rec.put("arch", "784-256-128-10");
    rec.put("dtype", "float32");
    rec.put("recipe", "SGD nesterov m=0.9 lr=0.05 cosine/" + epochs + " epochs, batch 32, shift<=1px");
    rec.put("target_acc", target);
    rec.put("epochs_to_target", epochsToTarget < 0 ? null : epochsToTarget);
    rec.put("seconds_to_target", epochsToTarget < 0 ? null : secondsToTarget);
    rec.put("epochs_run", accs.size());
    rec.put("final_acc", accs.get(accs.size() - 1));
    rec.put("best_acc", accs.stream().mapToDouble(Double::doubleValue).max().orElseThrow());
    rec.put("seconds_total", total);
    rec.put("seconds_per_epoch_median", median(diffs(at)));
    rec.put("eval_seconds_median", median(evalS.stream().mapToDouble(Double::doubleValue).toArray()));
    rec.put("load_seconds", loadS);
    rec.put("last_loss", lastLoss);
    rec.put("epoch_acc", accs);
    rec.put("epoch_end_s", at);
    rec.put("peak_rss_mib", procStatusKib("VmHWM") / 1024.0);
    rec.putAll(meta);
    emit(rec);
  }

  private static double[] diffs(List<Double> at) {
    double[] d = new double[at.size()];
    for (int i = 0; i < d.length; i++) {
      d[i] = at.get(i) - (i == 0 ? 0 : at.get(i - 1));
    }
    return d;
  }

  // ---------------------------------------------------------------- W8

  /**
   * Checkpointing (Cadena only, no peer): a deep float64 MLP of Linear+Tanh layers, one training
   * step (forward, sum of squares, backward) without and with {@link Checkpoint} around each
   * block of {@code --per-block} layers. One record per mode: the graph's saved bytes by
   * {@link GraphMemory} (activations, and all storages including the parameters), the live heap
   * right after the forward (after a full GC, in an untimed warm-up step: parameters, data and
   * what the graph keeps), the peak heap used during a timed step (the sum of the heap pools'
   * peaks, reset after a GC before each step; it includes garbage not yet collected, so it
   * follows the allocation volume, which recomputation raises) and the step time.
   */
  private static void w8(String[] args) {
    int layers = intArg(args, "--layers", 20);
    int width = intArg(args, "--width", 256);
    int batch = intArg(args, "--batch", 64);
    int perBlock = intArg(args, "--per-block", 4);
    int steps = intArg(args, "--steps", 10);
    if (layers % perBlock != 0) {
      throw new IllegalArgumentException(
          "w8: --layers " + layers + " is not a multiple of --per-block " + perBlock);
    }
    Map<String, Object> meta = meta();
    SplittableRandom rng = new SplittableRandom(88);
    List<Sequential> blocks = new ArrayList<>();
    for (int b = 0; b < layers / perBlock; b++) {
      Sequential s = new Sequential();
      for (int i = 0; i < perBlock; i++) {
        s.add(new Linear(width, width, true, DType.FLOAT64, rng));
        s.add(new Tanh());
      }
      blocks.add(s);
    }
    Tensor x = Tensor.randn(new SplittableRandom(89), batch, width);
    for (boolean checkpointed : new boolean[] {false, true}) {
      double[] times = new double[steps];
      long peak = 0;
      GraphMemory mem = null;
      long liveAfterForward = 0;
      // steps -2 and -1 warm up untimed; the second one measures memory, when the optimiser-free
      // loop already keeps its gradient buffers (zeroGrad() keeps them for the next backward)
      for (int step = -2; step < steps; step++) {
        System.gc();
        resetHeapPeaks();
        long t0 = System.nanoTime();
        Tensor h = x;
        for (Sequential s : blocks) {
          h = checkpointed ? Checkpoint.checkpoint(xs -> s.forward(xs[0]), s.parameters(), h)
              : s.forward(h);
        }
        if (step == -1) { // what the graph keeps, and the live heap while it is kept
          mem = GraphMemory.of(h);
          System.gc();
          liveAfterForward = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        }
        h.square().sum().backward();
        if (step >= 0) {
          times[step] = (System.nanoTime() - t0) * 1e-9;
          peak = Math.max(peak, heapPeakBytes());
        }
        for (Sequential s : blocks) {
          s.zeroGrad();
        }
      }
      Map<String, Object> rec = record("W8_checkpoint");
      rec.put("mode", checkpointed ? "checkpoint" : "plain");
      rec.put("layers", layers);
      rec.put("width", width);
      rec.put("batch", batch);
      rec.put("per_block", perBlock);
      rec.put("graph_nodes", mem.entries().size());
      rec.put("saved_activation_mib", mem.activationBytes() / (1024.0 * 1024.0));
      rec.put("saved_total_mib", mem.totalBytes() / (1024.0 * 1024.0));
      rec.put("live_heap_after_forward_mib", liveAfterForward / (1024.0 * 1024.0));
      rec.put("peak_heap_mib", peak / (1024.0 * 1024.0));
      rec.putAll(summarize(times));
      rec.putAll(meta);
      emit(rec);
    }
  }

  private static void resetHeapPeaks() {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        pool.resetPeakUsage();
      }
    }
  }

  private static long heapPeakBytes() {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        sum += pool.getPeakUsage().getUsed();
      }
    }
    return sum;
  }

  // ---------------------------------------------------------------- shared

  private static Map<String, Object> record(String workload) {
    Map<String, Object> rec = new LinkedHashMap<>();
    rec.put("workload", workload);
    rec.put("impl", "cadena");
    return rec;
  }

  /** The same context fields as the peer's {@code setup()}, for Cadena. */
  private static Map<String, Object> meta() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("threads", Parallel.threads());
    m.put("gemm", Gemm.implementation());
    m.put("java", System.getProperty("java.version"));
    m.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
    m.put("jvm_args", String.join(" ",
        ManagementFactory.getRuntimeMXBean().getInputArguments()));
    m.put("max_heap_mib", Runtime.getRuntime().maxMemory() / (1024.0 * 1024.0));
    m.put("config", envOr("BENCH_CONFIG", "adhoc"));
    // Which of bench/run.sh's two JVM settings this process runs under: "defaults" (the flags in
    // .mvn/jvm.config, what a README user gets) or "tuned" (the GC flags); "adhoc" by hand.
    m.put("jvm_config", envOr("BENCH_JVM_CONFIG", "adhoc"));
    m.put("run", System.getenv("BENCH_RUN"));
    m.put("cpu_busy_before", cpuBusy(500));
    m.put("loadavg_before", loadAvg());
    return m;
  }

  private static String envOr(String name, String dflt) {
    String v = System.getenv(name);
    return v == null ? dflt : v;
  }

  private static Map<String, Object> summarize(List<Double> timesS) {
    return summarize(timesS.stream().mapToDouble(Double::doubleValue).toArray());
  }

  private static Map<String, Object> summarize(double[] timesS) {
    double[] ms = Arrays.stream(timesS).map(t -> t * 1e3).sorted().toArray();
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("n_timed", ms.length);
    s.put("median_ms", median(ms));
    s.put("min_ms", ms[0]);
    s.put("p90_ms", ms[Math.min(ms.length - 1, (int) (0.9 * ms.length))]);
    s.put("max_ms", ms[ms.length - 1]);
    return s;
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
  }

  /** A field of /proc/self/status in KiB (VmHWM: peak resident set), or -1 if unreadable. */
  private static long procStatusKib(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(field + ":")) {
          return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  private static double loadAvg() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** Fraction of all cores' time that was busy during {@code millis} (like the peer's cpu_busy). */
  private static double cpuBusy(long millis) {
    try {
      long[] a = cpuSnap();
      Thread.sleep(millis);
      long[] b = cpuSnap();
      double busy = 1.0 - (double) (b[1] - a[1]) / Math.max(1, b[0] - a[0]);
      return Math.round(busy * 1000) / 1000.0;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Double.NaN;
    }
  }

  private static long[] cpuSnap() throws IOException {
    String first = Files.readAllLines(Path.of("/proc/stat")).get(0);
    String[] f = first.trim().split("\\s+");
    long total = 0;
    for (int i = 1; i < f.length; i++) {
      total += Long.parseLong(f[i]);
    }
    long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
    return new long[] {total, idle};
  }

  private static void emit(Map<String, Object> rec) {
    System.out.println(GSON.toJson(rec));
    System.out.flush();
  }

  private static int intArg(String[] args, String name, int dflt) {
    String v = strArg(args, name, null);
    return v == null ? dflt : Integer.parseInt(v);
  }

  private static String strArg(String[] args, String name, String dflt) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return dflt;
  }
}
