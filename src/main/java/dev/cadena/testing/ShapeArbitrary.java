package dev.cadena.testing;

import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.arbitraries.ArbitraryDecorator;

/**
 * Shapes ({@code int[]}) of a rank and size range, built with {@link TensorArbitraries#shapes()}.
 * By default rank 1 to 3 and sizes 1 to 4; {@link #allowScalar()} adds 0-d shapes and {@link
 * #allowEmpty()} dimensions of size 0. Size-1 dimensions are always possible (they are the
 * smallest non-empty size). A failing shape shrinks toward fewer and smaller dimensions.
 *
 * <pre>{@code
 * Arbitrary<int[]> s = TensorArbitraries.shapes().rank(0, 3).sizes(1, 4).allowEmpty();
 * // [], [1], [3, 1, 4], [2, 0], ...
 * }</pre>
 *
 * <p>Each configuring method returns a new arbitrary and leaves this one unchanged.
 */
public final class ShapeArbitrary extends ArbitraryDecorator<int[]> {
  /** How often a dimension is 0 when empty dimensions are allowed, in percent. */
  private static final int EMPTY_PERCENT = 10;

  private int minRank = 1;
  private int maxRank = 3;
  private int minSize = 1;
  private int maxSize = 4;
  private boolean empty;

  ShapeArbitrary() {}

  /**
   * Ranks from {@code min} to {@code max}, inclusive; {@code rank(0, n)} includes 0-d shapes.
   *
   * @throws IllegalArgumentException when {@code min < 0} or {@code max < min}
   */
  public ShapeArbitrary rank(int min, int max) {
    if (min < 0 || max < min) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "shapes.rank: need 0 <= min <= max, got min %d, max %d", min, max));
    }
    ShapeArbitrary c = typedClone();
    c.minRank = min;
    c.maxRank = max;
    return c;
  }

  /**
   * Dimension sizes from {@code min} to {@code max}, inclusive (0 only through {@link
   * #allowEmpty()}).
   *
   * @throws IllegalArgumentException when {@code min < 1} or {@code max < min}
   */
  public ShapeArbitrary sizes(int min, int max) {
    if (min < 1 || max < min) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "shapes.sizes: need 1 <= min <= max (allowEmpty() adds size 0), got min %d, max %d",
          min, max));
    }
    ShapeArbitrary c = typedClone();
    c.minSize = min;
    c.maxSize = max;
    return c;
  }

  /** Also 0-d shapes ({@code []}, a scalar): the minimum rank becomes 0. */
  public ShapeArbitrary allowScalar() {
    ShapeArbitrary c = typedClone();
    c.minRank = 0;
    return c;
  }

  /** Also dimensions of size 0 (empty tensors), in about one dimension of ten. */
  public ShapeArbitrary allowEmpty() {
    ShapeArbitrary c = typedClone();
    c.empty = true;
    return c;
  }

  @Override
  protected Arbitrary<int[]> arbitrary() {
    Arbitrary<Integer> size = Arbitraries.integers().between(minSize, maxSize);
    if (empty) {
      size = Arbitraries.frequencyOf(
          net.jqwik.api.Tuple.of(100 - EMPTY_PERCENT, size),
          net.jqwik.api.Tuple.of(EMPTY_PERCENT, Arbitraries.just(0)));
    }
    return size.array(int[].class).ofMinSize(minRank).ofMaxSize(maxRank);
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "shapes(rank %d..%d, sizes %d..%d%s)",
        minRank, maxRank, minSize, maxSize, empty ? ", empty allowed" : "");
  }
}
