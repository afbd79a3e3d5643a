package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.tensor.ShapeException;

/**
 * {@code x_i - log(sum_j exp(x_j))} along one axis: the logarithm of Softmax, computed without forming it (stable for large inputs). The module form of {@link Functional#logSoftmax}.
 *
 * <p><b>Args:</b> {@code axis} -- the axis to normalise over (negative counts from the end).
 *
 * <p><b>Shape:</b> input {@code [*]} with at least {@code axis + 1} dimensions, output the same
 * shape.
 *
 * <p><b>Example:</b>
 *
 * <pre>{@code
 * Tensor lp = new LogSoftmax(1).forward(Tensor.of(new double[][] {{1, 2, 3}})); // [[-2.4076, -1.4076, -0.4076]]
 * }</pre>
 */
public final class LogSoftmax extends Module {
  private final int axis;

  /** Normalises over {@code axis}. */
  public LogSoftmax(int axis) {
    this.axis = axis;
  }

  /**
   * {@inheritDoc}
   *
   * @throws ShapeException when the input has no axis {@code axis}
   */
  @Override
  public Tensor forward(Tensor x) {
    checkNotNull(x, "LogSoftmax: input is null");
    return Functional.logSoftmax(x, axis);
  }

  @Override
  protected String extraRepr() {
    return "axis=" + axis;
  }
}
