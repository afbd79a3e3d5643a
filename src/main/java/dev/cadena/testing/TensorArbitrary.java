package dev.cadena.testing;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.arbitraries.ArbitraryDecorator;

/**
 * Tensors of drawn shapes with values that keep finite differences meaningful, built with {@link
 * TensorArbitraries#tensors(Arbitrary)}. Default: float64, values in {@code [-2, 2]} with 4
 * decimals, requiring grad. Each element is a double that jqwik draws, so a failing tensor
 * shrinks to a smaller shape first and then toward simple values (0, or the allowed value nearest
 * it).
 *
 * <pre>{@code
 * Arbitrary<Tensor> xs = TensorArbitraries.tensors(TensorArbitraries.shapes().allowScalar())
 *     .values(-3, 3).awayFrom(0.0, 0.1);       // for |x|
 * Arbitrary<Tensor> ps = TensorArbitraries.tensors(2, 3).positive();   // for log(x)
 * }</pre>
 *
 * <p>Each configuring method returns a new arbitrary and leaves this one unchanged.
 */
public final class TensorArbitrary extends ArbitraryDecorator<Tensor> {
  private final Arbitrary<int[]> shapes;
  private Values values = Values.defaults();

  TensorArbitrary(Arbitrary<int[]> shapes) {
    this.shapes = shapes;
  }

  /**
   * The dtype of the tensors: {@code FLOAT64} (the default, what the gradient checks need),
   * {@code FLOAT32} (drawn in float64, then rounded) or {@code INT64} (integers of the interval;
   * never requiring grad).
   */
  public TensorArbitrary dtype(DType dtype) {
    checkNotNull(dtype, "tensors.dtype: dtype is null");
    return with(values.withDtype(dtype));
  }

  /**
   * Values in {@code [lo, hi]} (default {@code [-2, 2]}); they shrink toward the allowed value
   * nearest 0.
   *
   * @throws IllegalArgumentException when a bound is not finite or {@code lo > hi}
   */
  public TensorArbitrary values(double lo, double hi) {
    return with(values.withInterval("tensors.values", lo, hi));
  }

  /**
   * The number of decimals of the drawn values (default 4): few decimals make simple
   * counterexamples, more make ties rarer.
   *
   * @throws IllegalArgumentException unless {@code 0 <= decimals <= 15}
   */
  public TensorArbitrary decimals(int decimals) {
    return with(values.withScale("tensors.decimals", decimals));
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
  public TensorArbitrary awayFrom(double point, double margin) {
    return with(values.withAwayFrom("tensors.awayFrom", point, margin));
  }

  /**
   * Only values {@code >= 0.1} (within the interval), for ops defined on positive numbers
   * ({@code log}, {@code sqrt}, {@code pow}): the margin keeps finite differences off the domain
   * edge.
   */
  public TensorArbitrary positive() {
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
  public TensorArbitrary distinctAlong(int axis) {
    return with(values.withDistinct("tensors.distinctAlong", axis, Values.DISTINCT_GAP));
  }

  /**
   * As {@link #distinctAlong(int)} with another minimum gap between the values of a group.
   *
   * @throws IllegalArgumentException unless {@code gap > 0} and finite
   */
  public TensorArbitrary distinctAlong(int axis, double gap) {
    return with(values.withDistinct("tensors.distinctAlong", axis, gap));
  }

  /** No ties among all the elements (for reductions over every axis): gap {@code 1e-3}. */
  public TensorArbitrary distinct() {
    return with(values.withDistinct("tensors.distinct", Values.ALL_AXES, Values.DISTINCT_GAP));
  }

  /** Whether the float tensors require grad (default true); int64 tensors never do. */
  public TensorArbitrary requiresGrad(boolean requiresGrad) {
    return with(values.withRequiresGrad(requiresGrad));
  }

  private TensorArbitrary with(Values v) {
    TensorArbitrary c = typedClone();
    c.values = v;
    return c;
  }

  @Override
  protected Arbitrary<Tensor> arbitrary() {
    Values v = values;
    v.shrinkTarget("tensors"); // an impossible set of constraints fails here, before drawing
    return shapes.flatMap(shape -> v.tensor("tensors", shape));
  }

  @Override
  public String toString() {
    return "tensors(" + shapes + ", " + values + ")";
  }
}
