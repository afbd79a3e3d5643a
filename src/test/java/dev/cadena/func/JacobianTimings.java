package dev.cadena.func;

import dev.cadena.Tensor;
import java.util.SplittableRandom;

/**
 * Prints how long jacrev and jacfwd take for f(x) = tanh(W x): R^n -> R^m at (n=8, m=512) and
 * (n=512, m=8), for the "when jacfwd beats jacrev" table in docs/transforms.md. A main, not a
 * test: nothing is asserted and the suite does not run it. Run with the test classpath:
 * {@code java -cp target/classes:target/test-classes:<deps> dev.cadena.func.JacobianTimings}.
 */
public final class JacobianTimings {
  private JacobianTimings() {}

  public static void main(String[] args) {
    int[][] sizes = {{8, 512}, {512, 8}};
    for (int[] nm : sizes) {
      int n = nm[0];
      int m = nm[1];
      SplittableRandom rng = new SplittableRandom(7);
      Tensor w = Tensor.randn(rng, m, n).div(Math.sqrt(n));
      Tensor x = Tensor.randn(rng, n);
      TensorFn f = xs -> w.matmul(xs[0]).tanh();
      TensorFn rev = Func.jacrev(f);
      TensorFn fwd = Func.jacfwd(f);
      double r = time(rev, x);
      double fw = time(fwd, x);
      System.out.printf("n=%d m=%d  jacrev %.2f ms  jacfwd %.2f ms  (max |diff| %.1e)%n", n, m, r, fw,
          rev.apply(x).sub(fwd.apply(x)).abs().max().item());
    }
  }

  /** Median of 15 runs after 10 warm-up runs, in milliseconds. */
  private static double time(TensorFn j, Tensor x) {
    for (int i = 0; i < 10; i++) {
      j.apply(x);
    }
    double[] t = new double[15];
    for (int i = 0; i < t.length; i++) {
      long t0 = System.nanoTime();
      j.apply(x);
      t[i] = (System.nanoTime() - t0) / 1e6;
    }
    java.util.Arrays.sort(t);
    return t[t.length / 2];
  }
}
