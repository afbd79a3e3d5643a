package dev.cadena.data;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.tensor.NDArray;
import dev.cadena.tensor.Shapes;
import java.util.random.RandomGenerator;

/** Small synthetic data sets for examples and tests. */
public final class Synthetic {
  private Synthetic() {}

  /**
   * The four XOR examples: inputs {@code [4, 2]} of 0/1 and targets {@code [4, 1]} (float64), 1
   * where exactly one input is 1.
   */
  public static TensorDataset xor() {
    double[][] x = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
    double[][] y = {{0}, {1}, {1}, {0}};
    return new TensorDataset(Tensor.of(x), Tensor.of(y));
  }

  /**
   * Two interleaving half circles ("two moons") with Gaussian noise: {@code n} points in 2-d,
   * labels 0 and 1 (int64), alternating so both classes have n/2 points.
   */
  public static TensorDataset twoMoons(int n, double noise, RandomGenerator rng) {
    checkArgs("twoMoons", n, noise, rng);
    double[] x = new double[2 * n];
    long[] y = new long[n];
    for (int i = 0; i < n; i++) {
      int label = i % 2;
      double t = Math.PI * rng.nextDouble();
      double px = label == 0 ? Math.cos(t) : 1 - Math.cos(t);
      double py = label == 0 ? Math.sin(t) : 0.5 - Math.sin(t);
      x[2 * i] = px + noise * rng.nextGaussian();
      x[2 * i + 1] = py + noise * rng.nextGaussian();
      y[i] = label;
    }
    return new TensorDataset(Tensor.fromData(NDArray.wrap(x, n, 2)), Tensor.fromData(NDArray.wrap(y, n)));
  }

  /**
   * {@code classes} interleaved spiral arms, {@code n} points in all (labels 0..classes-1, int64),
   * with Gaussian noise on the angle.
   */
  public static TensorDataset spirals(int n, int classes, double noise, RandomGenerator rng) {
    checkArgs("spirals", n, noise, rng);
    if (classes < 2) {
      throw new IllegalArgumentException("spirals: classes must be >= 2, got " + classes);
    }
    double[] x = new double[2 * n];
    long[] y = new long[n];
    for (int i = 0; i < n; i++) {
      int c = i % classes;
      double r = (double) (i / classes + 1) / ((n + classes - 1) / classes);
      double theta = 4.0 * r + 2 * Math.PI * c / classes + noise * rng.nextGaussian();
      x[2 * i] = r * Math.sin(theta);
      x[2 * i + 1] = r * Math.cos(theta);
      y[i] = c;
    }
    return new TensorDataset(Tensor.fromData(NDArray.wrap(x, n, 2)), Tensor.fromData(NDArray.wrap(y, n)));
  }

  private static void checkArgs(String op, int n, double noise, RandomGenerator rng) {
    checkNotNull(
        rng, "%s: rng is null (pass a seeded generator, e.g. new SplittableRandom(42))", op);
    if (n < 1) {
      throw new IllegalArgumentException(op + ": n must be >= 1, got " + n);
    }
    // The features are [n, 2]: 2 * n must not overflow.
    Shapes.checkShape(op, new int[] {n, 2});
    if (!(noise >= 0)) {
      throw new IllegalArgumentException(op + ": noise must be >= 0, got " + noise);
    }
  }
}
