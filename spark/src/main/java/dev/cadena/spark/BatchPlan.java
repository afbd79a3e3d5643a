package dev.cadena.spark;

import java.util.SplittableRandom;

/**
 * Which of a partition's examples each step uses, and the seeds of its random layers: pure
 * functions of {@code (seed, step, partition)}, so that every attempt of a task (a retry after a
 * failure, a run resumed from a checkpoint) sees the same batch and the same dropout masks.
 *
 * <p>A partition of {@code n} examples is walked epoch after epoch. Epoch {@code e} is a
 * permutation of {@code 0..n-1} drawn from {@link #shuffleSeed(long, long, int)} and cut into
 * {@code ceil(n / b)} batches of {@code b} examples, the last one shorter when {@code b} does
 * not divide {@code n}. Step {@code s} (counted from 1) takes batch {@code s - 1} of that
 * sequence. Partitions of different sizes therefore reach the ends of their epochs at different
 * steps, and a step's local batches may differ in size; an empty partition has no batches. The
 * trainer weights every example equally whatever its partition (see {@link DataParallelTrainer}).
 */
public final class BatchPlan {
  private static final long SHUFFLE = 0x5348554646L;
  private static final long DROPOUT = 0x44524f50L;

  private BatchPlan() {}

  /**
   * The positions, within its partition of {@code n} examples, of the examples step {@code step}
   * uses: {@code min(b, n - j * b)} of them where {@code j} is the step's batch within its epoch;
   * empty when {@code n == 0}.
   *
   * @throws IllegalArgumentException when {@code n < 0}, {@code batchSize < 1} or {@code step < 1}
   */
  public static int[] indices(int n, int batchSize, long step, long seed, int partition) {
    check("indices", n, batchSize, step);
    if (n == 0) {
      return new int[0];
    }
    long perEpoch = (n + (long) batchSize - 1) / batchSize;
    long epoch = (step - 1) / perEpoch;
    int j = (int) ((step - 1) % perEpoch);
    int[] perm = permutation(n, shuffleSeed(seed, epoch, partition));
    int from = Math.multiplyExact(j, batchSize);
    int to = (int) Math.min((long) from + batchSize, n);
    int[] out = new int[to - from];
    System.arraycopy(perm, from, out, 0, out.length);
    return out;
  }

  /**
   * How many examples {@link #indices} returns, without drawing the permutation.
   *
   * @throws IllegalArgumentException when {@code n < 0}, {@code batchSize < 1} or {@code step < 1}
   */
  public static int size(int n, int batchSize, long step) {
    check("size", n, batchSize, step);
    if (n == 0) {
      return 0;
    }
    long perEpoch = (n + (long) batchSize - 1) / batchSize;
    int j = (int) ((step - 1) % perEpoch);
    return (int) Math.min(batchSize, n - (long) j * batchSize);
  }

  private static void check(String method, int n, int batchSize, long step) {
    if (n < 0 || batchSize < 1 || step < 1) {
      throw new IllegalArgumentException("BatchPlan." + method + ": need n >= 0, batchSize >= 1,"
          + " step >= 1; got n=" + n + ", batchSize=" + batchSize + ", step=" + step);
    }
  }

  /** The seed of partition {@code partition}'s permutation in epoch {@code epoch}. */
  public static long shuffleSeed(long seed, long epoch, int partition) {
    return mix(mix(mix(seed ^ SHUFFLE) + epoch) + partition);
  }

  /** The seed of the random layers (dropout) on partition {@code partition} at step {@code step}. */
  public static long dropoutSeed(long seed, long step, int partition) {
    return mix(mix(mix(seed ^ DROPOUT) + step) + partition);
  }

  /** A Fisher-Yates shuffle of {@code 0..n-1} from {@code seed}. */
  static int[] permutation(int n, long seed) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    SplittableRandom rng = new SplittableRandom(seed);
    for (int i = n - 1; i > 0; i--) {
      int k = rng.nextInt(i + 1);
      int t = p[i];
      p[i] = p[k];
      p[k] = t;
    }
    return p;
  }

  /** SplitMix64's finaliser: a bijection of 64-bit values that spreads every input bit. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
