package dev.cadena.data;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.io.Mnist;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.NDArray;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/** Splitting datasets, and the embedded MNIST digits as tensors. */
public final class Datasets {
  private Datasets() {}

  /** A dataset split in two: {@code train} and {@code test}. */
  public record Split(TensorDataset train, TensorDataset test) {
    /** @throws NullPointerException when a part is null */
    public Split {
      checkNotNull(train, "Split: train is null");
      checkNotNull(test, "Split: test is null");
    }
  }

  /**
   * Shuffles the examples with {@code rng} and puts {@code round(testFraction * N)} of them in the
   * test part.
   *
   * @throws IllegalArgumentException when {@code testFraction} is not in [0, 1]
   */
  public static Split trainTestSplit(TensorDataset data, double testFraction, RandomGenerator rng) {
    checkNotNull(data, "trainTestSplit: data is null");
    checkNotNull(rng, "trainTestSplit: rng is null (pass a seeded generator, e.g."
        + " new SplittableRandom(42))");
    if (!(testFraction >= 0 && testFraction <= 1)) {
      throw new IllegalArgumentException(
          "trainTestSplit: testFraction must be in [0, 1], got " + testFraction);
    }
    int n = data.size();
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    int nTest = (int) Math.round(testFraction * n);
    int[] test = Arrays.copyOfRange(order, 0, nTest);
    int[] train = Arrays.copyOfRange(order, nTest, n);
    TensorDataset.Batch a = data.batch(train);
    TensorDataset.Batch b = data.batch(test);
    return new Split(new TensorDataset(a.x(), a.y()), new TensorDataset(b.x(), b.y()));
  }

  /**
   * The embedded MNIST digits as tensors: images {@code [N, 784]} scaled to [0, 1] in the given
   * dtype, labels int64 {@code [N]}; the first 8,000 for training, the last 2,000 for testing
   * (the data set's own convention).
   */
  public static Split mnist(DType dtype) {
    checkNotNull(dtype, "mnist: dtype is null");
    return new Split(toDataset(Mnist.embeddedTrain(), dtype), toDataset(Mnist.embeddedTest(), dtype));
  }

  /** Converts loaded MNIST digits to a dataset: images [N, 784] in [0, 1], labels int64 [N]. */
  public static TensorDataset toDataset(Mnist m, DType dtype) {
    checkNotNull(m, "toDataset: m is null");
    checkNotNull(dtype, "toDataset: dtype is null");
    int n = m.size();
    NDArray x = dtype == DType.FLOAT32
        ? NDArray.wrap(m.imagesAsFloats(), n, Mnist.PIXELS)
        : NDArray.wrap(m.imagesAsDoubles(), n, Mnist.PIXELS).astype(dtype);
    return new TensorDataset(Tensor.fromData(x), Tensor.ofLongs(m.labels()));
  }
}
