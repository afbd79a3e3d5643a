package dev.cadena.data;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Iterates over a dataset in batches, reshuffling the order at the start of every pass when
 * {@code shuffle} is on (with the generator passed in, so runs repeat exactly).
 *
 * <pre>{@code
 * DataLoader loader = new DataLoader(train, 64, true, false, new SplittableRandom(42));
 * for (int epoch = 0; epoch < 10; epoch++) {
 *   for (TensorDataset.Batch b : loader) { ... }
 * }
 * }</pre>
 */
public final class DataLoader implements Iterable<TensorDataset.Batch> {
  private final TensorDataset dataset;
  private final int batchSize;
  private final boolean shuffle;
  private final boolean dropLast;
  private final RandomGenerator rng;

  /**
   * @param batchSize examples per batch, at least 1
   * @param shuffle whether each pass visits the examples in a new random order
   * @param dropLast whether to skip a final batch smaller than {@code batchSize}
   * @param rng the generator used for shuffling (required when shuffling; may be null otherwise)
   * @throws NullPointerException when {@code dataset} is null, or {@code rng} is null and {@code
   *     shuffle} is on
   * @throws IllegalArgumentException when {@code batchSize < 1}
   */
  public DataLoader(
      TensorDataset dataset, int batchSize, boolean shuffle, boolean dropLast,
      @Nullable RandomGenerator rng) {
    checkNotNull(dataset, "DataLoader: dataset is null");
    if (shuffle) {
      checkNotNull(rng, "DataLoader: rng is null (shuffling needs a seeded generator, e.g."
          + " new SplittableRandom(42))");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("DataLoader: batchSize must be >= 1, got " + batchSize);
    }
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.rng = rng;
  }

  /** A loader that visits the examples in order, keeping the last partial batch. */
  public DataLoader(TensorDataset dataset, int batchSize) {
    this(dataset, batchSize, false, false, null);
  }

  /**
   * Number of batches per pass: {@code ceil(n / batchSize)} for {@code n} examples, or {@code
   * floor(n / batchSize)} with {@code dropLast}. A batch size above {@code n} gives one batch of
   * all examples (none with {@code dropLast}), as PyTorch's {@code DataLoader} does.
   */
  public int numBatches() {
    int n = dataset.size();
    // ceil without n + batchSize - 1, which overflows for a batch size near Integer.MAX_VALUE.
    return dropLast ? n / batchSize : n == 0 ? 0 : 1 + (n - 1) / batchSize;
  }

  /** Examples per batch. */
  public int batchSize() {
    return batchSize;
  }

  /** The dataset. */
  public TensorDataset dataset() {
    return dataset;
  }

  @Override
  public Iterator<TensorDataset.Batch> iterator() {
    int n = dataset.size();
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    if (shuffle) {
      for (int i = n - 1; i > 0; i--) {
        int j = rng.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }
    int batches = numBatches();
    return new Iterator<>() {
      private int b;

      @Override
      public boolean hasNext() {
        return b < batches;
      }

      @Override
      public TensorDataset.Batch next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        // b * batchSize <= n - 1 for every batch that exists; from + batchSize may pass an int.
        int from = b * batchSize;
        int to = (int) Math.min(n, (long) from + batchSize);
        int[] idx = new int[to - from];
        System.arraycopy(order, from, idx, 0, idx.length);
        b++;
        return dataset.batch(idx);
      }
    };
  }
}
