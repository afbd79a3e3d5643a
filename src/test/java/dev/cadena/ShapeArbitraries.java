package dev.cadena;

import dev.cadena.testing.TensorArbitraries;
import net.jqwik.api.Arbitrary;

/**
 * The shapes the older property tests ask for, by rank and size bounds, written on the public
 * companion {@link TensorArbitraries} (so the project tests the way it asks users to).
 */
public final class ShapeArbitraries {
  private ShapeArbitraries() {}

  /** Shapes of rank 0 to {@code maxRank} with sizes 1 to {@code maxDim}. */
  public static Arbitrary<int[]> shapes(int maxRank, int maxDim) {
    return TensorArbitraries.shapes().rank(0, maxRank).sizes(1, maxDim);
  }

  /** Pairs of shapes that broadcast together ({@link TensorArbitraries#broadcastablePairs}). */
  public static Arbitrary<int[][]> broadcastPairs(int maxRank, int maxDim) {
    return TensorArbitraries.broadcastablePairs(shapes(maxRank, maxDim));
  }
}
