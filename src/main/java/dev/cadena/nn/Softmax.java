package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.tensor.ShapeException;

/**
 * {@code exp(x_i) / sum_j exp(x_j)} along one axis: non-negative and summing to 1 along the axis. The module form of {@link Functional#softmax}.
 *
 * <p><b>Args:</b> {@code axis} -- the axis to normalise over (negative counts from the end).
 *
 * <p><b>Shape:</b> input {@code [*]} with at least {@code axis + 1} dimensions, output the same
 * shape.
 *
 * <p><b>Example:</b>
 *
 * <pre>{@code
 * Tensor p = new Softmax(1).forward(Tensor.of(new double[][] {{1, 2, 3}})); // [[0.0900, 0.2447, 0.6652]]
 * }</pre>
 */
public final class Softmax extends Module {
  private final int axis;

  /** Normalises over {@code axis}. */
  public Softmax(int axis) {
    this.axis = axis;
  }

  /**
   * {@inheritDoc}
   *
   * @throws ShapeException when the input has no axis {@code axis}
   */
  @Override
  public Tensor forward(Tensor x) {
    checkNotNull(x, "Softmax: input is null");
    return Functional.softmax(x, axis);
  }

  @Override
  protected String extraRepr() {
    return "axis=" + axis;
  }
}
