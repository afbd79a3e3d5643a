package dev.cadena;

import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** jqwik generators of shapes: small ranks and sizes, 0-d and size-1 dimensions included. */
public final class ShapeArbitraries {
  private ShapeArbitraries() {}

  /** Shapes of rank 0 to {@code maxRank} with sizes 1 to {@code maxDim}. */
  public static Arbitrary<int[]> shapes(int maxRank, int maxDim) {
    return Arbitraries.integers().between(1, maxDim).array(int[].class).ofMinSize(0).ofMaxSize(maxRank);
  }

  /**
   * Pairs of shapes that broadcast together: both are derived from one full shape by dropping
   * some leading dimensions and setting some others to 1.
   */
  public static Arbitrary<int[][]> broadcastPairs(int maxRank, int maxDim) {
    return shapes(maxRank, maxDim).flatMap(full ->
        Combinators.combine(derived(full), derived(full)).as((a, b) -> new int[][] {a, b}));
  }

  private static Arbitrary<int[]> derived(int[] full) {
    return Combinators.combine(
            Arbitraries.integers().between(0, full.length),
            Arbitraries.integers().between(0, 2).array(int[].class).ofSize(full.length))
        .as((drop, coin) -> {
          int[] s = Arrays.copyOfRange(full, drop, full.length);
          for (int i = 0; i < s.length; i++) {
            if (coin[i + drop] == 0) {
              s[i] = 1;
            }
          }
          return s;
        });
  }
}
