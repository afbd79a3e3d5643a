package dev.cadena.autograd;

import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * What backward costs per node against forward, on graphs of many small tensors: a main, not a
 * test (surefire runs only {@code *Test}), for profiling the engine. Two graphs:
 *
 * <ul>
 *   <li>{@code chain}: W3 of the bench, 10,000 ops cycling {@code y*1.0001}, {@code y+0.001},
 *       {@code tanh(y)}, {@code y*0.999} on a float64 [16] tensor, then sum;
 *   <li>{@code mlp}: a micrograd-style network of 0-d tensors, 3-16-16-1 with tanh, one scalar
 *       op per multiply and add, applied to 20 samples and summed into a squared-error loss
 *       (13,520 nodes; every weight feeds 20 nodes, every hidden value 16).
 * </ul>
 *
 * <p>Prints, per recorded op (medians over the repeats): wall time of forward and backward, the
 * calling thread's CPU time (which leaves out the collector's threads and other processes), the
 * bytes allocated, and the collections that ran during the backward.
 *
 * <pre>{@code
 * java --add-modules jdk.incubator.vector -cp "target/classes:target/test-classes:$(cat target/bench-classpath.txt)" \
 *     dev.cadena.autograd.BackwardCostBench chain 40
 * }</pre>
 */
public final class BackwardCostBench {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private BackwardCostBench() {}

  /** @param args the graph ({@code chain} or {@code mlp}), then the number of timed repeats */
  public static void main(String[] args) {
    String graph = args.length > 0 ? args[0] : "chain";
    int reps = args.length > 1 ? Integer.parseInt(args[1]) : 40;
    Workload w;
    if (graph.equals("chain")) {
      w = new Chain();
    } else if (graph.equals("mlp")) {
      w = new Mlp();
    } else {
      throw new IllegalArgumentException("BackwardCostBench: graph must be chain or mlp, got " + graph);
    }
    int warmup = Math.max(5, reps / 4);
    double[][] m = new double[7][reps];
    for (int r = -warmup; r < reps; r++) {
      w.reset();
      long a0 = allocated();
      long c0 = THREADS.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      Tensor loss = w.forward();
      long t1 = System.nanoTime();
      long c1 = THREADS.getCurrentThreadCpuTime();
      long a1 = allocated();
      long gc1 = collections();
      loss.backward();
      long t2 = System.nanoTime();
      long c2 = THREADS.getCurrentThreadCpuTime();
      long a2 = allocated();
      long gc2 = collections();
      if (r >= 0) {
        double ops = w.ops();
        m[0][r] = (t1 - t0) / 1e3 / ops;
        m[1][r] = (t2 - t1) / 1e3 / ops;
        m[2][r] = (c1 - c0) / 1e3 / ops;
        m[3][r] = (c2 - c1) / 1e3 / ops;
        m[4][r] = (a1 - a0) / ops;
        m[5][r] = (a2 - a1) / ops;
        m[6][r] = gc2 - gc1;
      }
    }
    for (double[] row : m) {
      Arrays.sort(row);
    }
    int mid = reps / 2;
    System.out.printf(
        "%s: %d ops; wall us/op fwd %.3f bwd %.3f (bwd/fwd %.2f); cpu us/op fwd %.3f bwd %.3f"
            + " (bwd/fwd %.2f); bytes/op fwd %.0f bwd %.0f; collections during bwd %.0f; check %.9g%n",
        graph, w.ops(), m[0][mid], m[1][mid], m[1][mid] / m[0][mid], m[2][mid], m[3][mid],
        m[3][mid] / m[2][mid], m[4][mid], m[5][mid], m[6][mid], w.check());
  }

  private static long allocated() {
    return THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
  }

  private static long collections() {
    long n = 0;
    for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
      n += b.getCollectionCount();
    }
    return n;
  }

  private interface Workload {
    void reset();

    Tensor forward();

    int ops();

    /** A number computed from the gradients, to compare runs of different engines. */
    double check();
  }

  private static final class Chain implements Workload {
    private final Tensor x = Tensor.randn(new SplittableRandom(0), DType.FLOAT64, 16).requiresGrad(true);

    @Override
    public void reset() {
      x.setGrad(null);
    }

    @Override
    public Tensor forward() {
      Tensor y = x;
      for (int i = 0; i < 10_000; i++) {
        switch (i & 3) {
          case 0 -> y = y.mul(1.0001);
          case 1 -> y = y.add(0.001);
          case 2 -> y = y.tanh();
          default -> y = y.mul(0.999);
        }
      }
      return y.sum();
    }

    @Override
    public int ops() {
      return 10_000;
    }

    @Override
    public double check() {
      return x.grad().square().sum().item();
    }
  }

  private static final class Mlp implements Workload {
    private static final int[] SIZES = {3, 16, 16, 1};
    private static final int SAMPLES = 20;
    private final Tensor[][][] weights = new Tensor[SIZES.length - 1][][];
    private final Tensor[][] biases = new Tensor[SIZES.length - 1][];
    private final double[][] xs = new double[SAMPLES][SIZES[0]];
    private final double[] ys = new double[SAMPLES];
    private int ops;

    Mlp() {
      SplittableRandom rng = new SplittableRandom(1);
      for (int l = 0; l < weights.length; l++) {
        weights[l] = new Tensor[SIZES[l + 1]][SIZES[l]];
        biases[l] = new Tensor[SIZES[l + 1]];
        for (int o = 0; o < SIZES[l + 1]; o++) {
          for (int i = 0; i < SIZES[l]; i++) {
            weights[l][o][i] = Tensor.scalar(rng.nextDouble(-1, 1)).requiresGrad(true);
          }
          biases[l][o] = Tensor.scalar(0.0).requiresGrad(true);
        }
      }
      for (int k = 0; k < SAMPLES; k++) {
        for (int i = 0; i < SIZES[0]; i++) {
          xs[k][i] = rng.nextDouble(-1, 1);
        }
        ys[k] = rng.nextDouble(-1, 1);
      }
    }

    @Override
    public void reset() {
      for (int l = 0; l < weights.length; l++) {
        for (int o = 0; o < weights[l].length; o++) {
          for (Tensor w : weights[l][o]) {
            w.setGrad(null);
          }
          biases[l][o].setGrad(null);
        }
      }
    }

    @Override
    public Tensor forward() {
      int n = 0;
      Tensor loss = Tensor.scalar(0.0);
      for (int k = 0; k < SAMPLES; k++) {
        Tensor[] act = new Tensor[SIZES[0]];
        for (int i = 0; i < act.length; i++) {
          act[i] = Tensor.scalar(xs[k][i]);
        }
        for (int l = 0; l < weights.length; l++) {
          Tensor[] next = new Tensor[weights[l].length];
          for (int o = 0; o < next.length; o++) {
            Tensor acc = biases[l][o];
            for (int i = 0; i < act.length; i++) {
              acc = acc.add(weights[l][o][i].mul(act[i]));
              n += 2;
            }
            if (l + 1 < weights.length) {
              acc = acc.tanh();
              n++;
            }
            next[o] = acc;
          }
          act = next;
        }
        Tensor d = act[0].sub(ys[k]);
        loss = loss.add(d.mul(d));
        n += 3;
      }
      ops = n;
      return loss;
    }

    @Override
    public int ops() {
      return ops;
    }

    @Override
    public double check() {
      double s = 0;
      for (Tensor[][] layer : weights) {
        for (Tensor[] row : layer) {
          for (Tensor w : row) {
            s += w.grad().item();
          }
        }
      }
      return s;
    }
  }
}
