package dev.cadena.testing;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.tensor.NDArray;
import dev.cadena.tensor.Shapes;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * jqwik arbitraries for property-based tests of differentiable ops: shapes, broadcastable pairs
 * and triples of shapes, tensors with value constraints, index tensors and seeded random
 * generators. Everything is drawn by jqwik from its (seeded) source, so a failing sample shrinks
 * and {@code @Property(seed = "...")} replays it.
 *
 * <pre>{@code
 * @Provide
 * Arbitrary<Tensor[]> pairs() {
 *   return TensorArbitraries.tensorTuples(
 *       TensorArbitraries.broadcastablePairs(TensorArbitraries.shapes().allowScalar()));
 * }
 *
 * @Property(seed = "7")
 * void mul_gradients(@ForAll("pairs") Tensor[] in) {
 *   GradProperties.checkAll(x -> x[0].mul(x[1]), in);
 * }
 * }</pre>
 */
public final class TensorArbitraries {
  private TensorArbitraries() {}

  /**
   * Shapes of rank 1 to 3 with sizes 1 to 4; configure with {@link ShapeArbitrary#rank}, {@link
   * ShapeArbitrary#sizes}, {@link ShapeArbitrary#allowScalar} and {@link
   * ShapeArbitrary#allowEmpty}.
   *
   * <pre>{@code
   * TensorArbitraries.shapes().rank(0, 2).sizes(1, 5)   // [], [3], [5, 1], ...
   * }</pre>
   */
  public static ShapeArbitrary shapes() {
    return new ShapeArbitrary();
  }

  /**
   * Pairs {@code {a, b}} of shapes that broadcast together: both come from one full shape drawn
   * from {@code full}, each by dropping some leading dimensions and setting some others to 1, so
   * every broadcasting pattern appears (equal shapes, size-1 stretches on either side, a lower
   * rank). The broadcast result is the full shape, or smaller where both have a 1. A failing pair
   * shrinks toward equal, full-rank shapes of a smaller full shape.
   *
   * <pre>{@code
   * TensorArbitraries.broadcastablePairs(TensorArbitraries.shapes())  // {[2, 3], [3]}, {[1, 3], [2, 1]}, ...
   * }</pre>
   */
  public static Arbitrary<int[][]> broadcastablePairs(Arbitrary<int[]> full) {
    checkNotNull(full, "broadcastablePairs: full is null");
    return full.flatMap(f -> Combinators.combine(derived(f), derived(f))
        .as((a, b) -> new int[][] {a, b}));
  }

  /** As {@link #broadcastablePairs(Arbitrary)} with {@code shapes().allowScalar()}. */
  public static Arbitrary<int[][]> broadcastablePairs() {
    return broadcastablePairs(shapes().allowScalar());
  }

  /**
   * Triples {@code {a, b, c}} of shapes that broadcast together (as for {@link
   * #broadcastablePairs(Arbitrary)}), for ternary ops such as {@code where(cond, a, b)} or {@code
   * addcmul}.
   */
  public static Arbitrary<int[][]> broadcastableTriples(Arbitrary<int[]> full) {
    checkNotNull(full, "broadcastableTriples: full is null");
    return full.flatMap(f -> Combinators.combine(derived(f), derived(f), derived(f))
        .as((a, b, c) -> new int[][] {a, b, c}));
  }

  /** As {@link #broadcastableTriples(Arbitrary)} with {@code shapes().allowScalar()}. */
  public static Arbitrary<int[][]> broadcastableTriples() {
    return broadcastableTriples(shapes().allowScalar());
  }

  /** A shape that broadcasts to {@code full}: leading dimensions dropped, others set to 1. */
  private static Arbitrary<int[]> derived(int[] full) {
    // Both draws shrink toward 0: no dimension dropped, and a coin of 0 keeps the full size.
    return Combinators.combine(
            Arbitraries.integers().between(0, full.length),
            Arbitraries.integers().between(0, 2).array(int[].class).ofSize(full.length))
        .as((drop, coin) -> {
          int[] s = Arrays.copyOfRange(full, drop, full.length);
          for (int i = 0; i < s.length; i++) {
            if (coin[i + drop] == 2) {
              s[i] = 1;
            }
          }
          return s;
        });
  }

  /**
   * Tensors of the shapes {@code shapes} draws, float64 in {@code [-2, 2]} requiring grad by
   * default; constrain the values with {@link TensorArbitrary}'s methods.
   *
   * <pre>{@code
   * TensorArbitraries.tensors(TensorArbitraries.shapes()).positive()
   * }</pre>
   */
  public static TensorArbitrary tensors(Arbitrary<int[]> shapes) {
    checkNotNull(shapes, "tensors: shapes is null");
    return new TensorArbitrary(shapes);
  }

  /**
   * Tensors of one fixed shape.
   *
   * <pre>{@code
   * TensorArbitraries.tensors(3, 4).values(-1, 1)
   * }</pre>
   *
   * @throws IllegalArgumentException (a {@code ShapeException}) for a negative size
   */
  public static TensorArbitrary tensors(int... shape) {
    checkNotNull(shape, "tensors: shape is null");
    int[] s = Shapes.checkShape("tensors", shape.clone());
    return new TensorArbitrary(Arbitraries.just(s).map(int[]::clone));
  }

  /**
   * One tensor per shape of each drawn tuple, e.g. of {@link #broadcastablePairs(Arbitrary)}, all
   * with the same value constraints.
   *
   * <pre>{@code
   * TensorArbitraries.tensorTuples(TensorArbitraries.broadcastablePairs()).awayFrom(0.0, 0.2)
   * }</pre>
   */
  public static TensorTupleArbitrary tensorTuples(Arbitrary<int[][]> shapes) {
    checkNotNull(shapes, "tensorTuples: shapes is null");
    return new TensorTupleArbitrary(shapes);
  }

  /**
   * 1-d int64 index tensors of {@code n} entries, each valid along {@code dim} of {@code shape}
   * ({@code 0 <= i < shape[dim]}; negative {@code dim} counts from the end), repeats allowed, as
   * {@code indexSelect(dim, index)} and {@code indexAdd} take. Entries shrink toward 0.
   *
   * <pre>{@code
   * TensorArbitraries.indices(new int[] {4, 3}, 0, 5)   // e.g. [3, 0, 0, 2, 1]
   * }</pre>
   *
   * @throws IllegalArgumentException when {@code dim} is out of range, {@code n < 0}, or {@code
   *     n > 0} along a dimension of size 0
   */
  public static Arbitrary<Tensor> indices(int[] shape, int dim, int n) {
    checkNotNull(shape, "indices: shape is null");
    int[] s = Shapes.checkShape("indices", shape.clone());
    int size = s[Shapes.axis("indices", dim, s.length)];
    if (n < 0 || (n > 0 && size == 0)) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "indices: cannot draw %d indices along dim %d of shape %s", n, dim, Shapes.str(s)));
    }
    if (n == 0) {
      return Arbitraries.just(0).map(z -> Tensor.fromData(NDArray.wrap(new long[0], 0)));
    }
    return Arbitraries.longs().between(0, size - 1L).array(long[].class).ofSize(n)
        .map(v -> Tensor.fromData(NDArray.wrap(v.clone(), n)));
  }

  /**
   * int64 index tensors of {@code shape} itself, each entry valid along {@code dim} ({@code 0 <=
   * i < shape[dim]}), as {@code gather(dim, index)} and {@code scatterAdd} take.
   *
   * <pre>{@code
   * TensorArbitraries.gatherIndices(new int[] {2, 3}, 1)   // e.g. [[2, 0, 0], [1, 1, 2]]
   * }</pre>
   *
   * @throws IllegalArgumentException when {@code dim} is out of range, or the shape has a
   *     dimension of size 0 along {@code dim} and elements elsewhere
   */
  public static Arbitrary<Tensor> gatherIndices(int[] shape, int dim) {
    checkNotNull(shape, "gatherIndices: shape is null");
    int[] s = Shapes.checkShape("gatherIndices", shape.clone());
    int size = s.length == 0 ? 1 : s[Shapes.axis("gatherIndices", dim, s.length)];
    int n = Shapes.numel(s);
    if (n > 0 && size == 0) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "gatherIndices: dim %d of shape %s is empty", dim, Shapes.str(s)));
    }
    return Arbitraries.longs().between(0, Math.max(0, size - 1L)).array(long[].class).ofSize(n)
        .map(v -> Tensor.fromData(NDArray.wrap(v.clone(), s)));
  }

  /**
   * Random generators for ops that take one ({@code dropout}, {@code Tensor.randn}): each a
   * {@link SplittableRandom} seeded with a long that jqwik draws, so a failing sample replays
   * with its seed and shrinks toward seed 0; the sample prints as {@code
   * SplittableRandom(seed=...)}. Each drawn value is a fresh generator.
   *
   * <pre>{@code
   * @Property(seed = "3")
   * void dropout_keepsShape(@ForAll("rngs") RandomGenerator rng) { ... }
   * }</pre>
   */
  public static Arbitrary<RandomGenerator> randomGenerators() {
    return Arbitraries.longs().map(SeededRandom::new);
  }

  /** A {@link SplittableRandom} that remembers its seed, for the failure report. */
  private static final class SeededRandom implements RandomGenerator {
    private final long seed;
    private final SplittableRandom rng;

    SeededRandom(long seed) {
      this.seed = seed;
      this.rng = new SplittableRandom(seed);
    }

    @Override
    public long nextLong() {
      return rng.nextLong();
    }

    @Override
    public int nextInt() {
      return rng.nextInt();
    }

    @Override
    public double nextDouble() {
      return rng.nextDouble();
    }

    @Override
    public String toString() {
      return "SplittableRandom(seed=" + seed + ")";
    }
  }
}
