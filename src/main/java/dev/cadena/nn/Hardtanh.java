package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;

/**
 * {@code hardtanh(x) = min(max(x, minVal), maxVal)}, elementwise; derivative 1 strictly inside
 * {@code (minVal, maxVal)}, else 0 (PyTorch's). The module form of {@link
 * Functional#hardtanh(Tensor, double, double)}.
 *
 * <p><b>Args:</b> {@code minVal} (default -1), {@code maxVal} (default 1), {@code minVal <=
 * maxVal}.
 *
 * <p><b>Shape:</b> input {@code [*]}, output the same shape.
 *
 * <p><b>Example:</b>
 *
 * <pre>{@code
 * Tensor y = new Hardtanh().forward(Tensor.of(-3.0, 0.5, 3.0)); // [-1, 0.5, 1]
 * }</pre>
 */
public final class Hardtanh extends Module {
  private final double minVal;
  private final double maxVal;

  /** The range {@code [-1, 1]}. */
  public Hardtanh() {
    this(-1.0, 1.0);
  }

  /**
   * The range {@code [minVal, maxVal]}.
   *
   * @throws IllegalArgumentException when {@code minVal > maxVal} or either is NaN
   */
  public Hardtanh(double minVal, double maxVal) {
    if (!(minVal <= maxVal)) {
      throw new IllegalArgumentException(
          "Hardtanh: minVal " + minVal + " is greater than maxVal " + maxVal + " (or one is NaN)");
    }
    this.minVal = minVal;
    this.maxVal = maxVal;
  }

  @Override
  public Tensor forward(Tensor x) {
    checkNotNull(x, "Hardtanh: input is null");
    return Functional.hardtanh(x, minVal, maxVal);
  }

  @Override
  protected String extraRepr() {
    return "minVal=" + minVal + ", maxVal=" + maxVal;
  }
}
