package dev.cadena.testing;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.arbitraries.ArbitraryDecorator;

/**
 * Several tensors at once, one per shape of a drawn tuple of shapes (typically {@link
 * TensorArbitraries#broadcastablePairs} or {@link TensorArbitraries#broadcastableTriples}), all
 * with the same value constraints; built with {@link TensorArbitraries#tensorTuples}. The
 * constraints and defaults are those of {@link TensorArbitrary}.
 *
 * <pre>{@code
 * Arbitrary<Tensor[]> xy = TensorArbitraries.tensorTuples(
 *     TensorArbitraries.broadcastablePairs(TensorArbitraries.shapes())).values(-1, 1);
 * // xy draws {x, y} with x.add(y) defined
 * }</pre>
 *
 * <p>Each configuring method returns a new arbitrary and leaves this one unchanged.
 */
public final class TensorTupleArbitrary extends ArbitraryDecorator<Tensor[]> {
  private final Arbitrary<int[][]> shapes;
  private Values values = Values.defaults();

  TensorTupleArbitrary(Arbitrary<int[][]> shapes) {
    this.shapes = shapes;
  }

  /**
   * The dtype of the tensors: {@code FLOAT64} (the default, what the gradient checks need),
   * {@code FLOAT32} (drawn in float64, then rounded) or {@code INT64} (integers of the interval;
   * never requiring grad).
   */
  public TensorTupleArbitrary dtype(DType dtype) {
    checkNotNull(dtype, "tensorTuples.dtype: dtype is null");
    return with(values.withDtype(dtype));
  }

  /**
   * Values in {@code [lo, hi]} (default {@code [-2, 2]}); they shrink toward the allowed value
   * nearest 0.
   *
   * @throws IllegalArgumentException when a bound is not finite or {@code lo > hi}
   */
  public TensorTupleArbitrary values(double lo, double hi) {
    return with(values.withInterval("tensorTuples.values", lo, hi));
  }

  /**
   * The number of decimals of the drawn values (default 4): few decimals make simple
   * counterexamples, more make ties rarer.
   *
   * @throws IllegalArgumentException unless {@code 0 <= decimals <= 15}
   */
  public TensorTupleArbitrary decimals(int decimals) {
    return with(values.withScale("tensorTuples.decimals", decimals));
  }

  /**
   * Keeps every value at least {@code margin} away from {@code point}: {@code |x - point| >=
   * margin}, for a kink ({@code abs}, {@code relu} at 0) or a pole, so that a finite difference
   * never straddles it. May be called several times.
   *
   * <pre>{@code
   * TensorArbitraries.tensors(shapes).awayFrom(0.0, 0.1)   // for x.abs()
   * }</pre>
   *
   * @throws IllegalArgumentException unless {@code point} is finite and {@code margin > 0} finite
   */
  public TensorTupleArbitrary awayFrom(double point, double margin) {
    return with(values.withAwayFrom("tensorTuples.awayFrom", point, margin));
  }

  /**
   * Only values {@code >= 0.1} (within the interval), for ops defined on positive numbers
   * ({@code log}, {@code sqrt}, {@code pow}): the margin keeps finite differences off the domain
   * edge.
   */
  public TensorTupleArbitrary positive() {
    return with(values.withPositive());
  }

  /**
   * No ties within a reduction group along {@code axis} (negative counts from the end): any two
   * values of one group differ by at least {@code 1e-3}, so that {@code max}, {@code min},
   * {@code sort} or {@code median} along that axis have a unique choice that a finite difference
   * does not flip. A 0-d tensor is one group.
   *
   * @throws IllegalArgumentException (when drawing) when the axis is out of range for a drawn
   *     shape, or the group does not fit in the interval
   */
  public TensorTupleArbitrary distinctAlong(int axis) {
    return with(values.withDistinct("tensorTuples.distinctAlong", axis, Values.DISTINCT_GAP));
  }

  /**
   * As {@link #distinctAlong(int)} with another minimum gap between the values of a group.
   *
   * @throws IllegalArgumentException unless {@code gap > 0} and finite
   */
  public TensorTupleArbitrary distinctAlong(int axis, double gap) {
    return with(values.withDistinct("tensorTuples.distinctAlong", axis, gap));
  }

  /** No ties among all the elements (for reductions over every axis): gap {@code 1e-3}. */
  public TensorTupleArbitrary distinct() {
    return with(values.withDistinct("tensorTuples.distinct", Values.ALL_AXES, Values.DISTINCT_GAP));
  }

  /** Whether the float tensors require grad (default true); int64 tensors never do. */
  public TensorTupleArbitrary requiresGrad(boolean requiresGrad) {
    return with(values.withRequiresGrad(requiresGrad));
  }

  private TensorTupleArbitrary with(Values v) {
    TensorTupleArbitrary c = typedClone();
    c.values = v;
    return c;
  }

  @Override
  protected Arbitrary<Tensor[]> arbitrary() {
    Values v = values;
    v.shrinkTarget("tensorTuples"); // an impossible set of constraints fails here, before drawing
    return shapes.flatMap(tuple -> {
      List<Arbitrary<Tensor>> parts = new ArrayList<>(tuple.length);
      for (int[] shape : tuple) {
        parts.add(v.tensor("tensorTuples", shape));
      }
      return Combinators.combine(parts).as(list -> list.toArray(new Tensor[0]));
    });
  }

  @Override
  public String toString() {
    return "tensorTuples(" + shapes + ", " + values + ")";
  }
}
