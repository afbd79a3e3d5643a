package dev.cadena.testing;

import dev.cadena.Tensor;
import dev.cadena.tensor.Shapes;
import java.util.Arrays;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A gradient property that does not hold: which property, the inputs' dtypes and shapes, and the
 * worst element (its input and index, the two values compared and the tolerance). An {@link
 * AssertionError}, so that jqwik counts it as a failed try and shrinks the sample; the message
 * reads like
 *
 * <pre>
 * gradcheck failed for inputs (float64 [2, 3], float64 [3]): worst element: input 1 index [0]:
 *     analytic 0.4210000000, numeric -0.4210000000, |diff| 0.842, tolerance 0.00143
 * </pre>
 *
 * When the function or one of its derivatives threw instead, {@link #getCause()} is that
 * exception and the worst element is absent ({@link #input()} is -1).
 */
public final class GradPropertyError extends AssertionError {
  private static final long serialVersionUID = 1L;

  private final String property;
  private final int[][] shapes;
  private final int input;
  private final int @Nullable [] index;
  private final double got;
  private final double expected;
  private final double tolerance;

  GradPropertyError(String property, Tensor[] inputs, String detail, int input,
      int @Nullable [] index, double got, double expected, double tolerance,
      @Nullable Throwable cause) {
    super(property + " failed for inputs " + describe(inputs) + ": " + detail, cause);
    this.property = property;
    this.shapes = new int[inputs.length][];
    for (int i = 0; i < inputs.length; i++) {
      shapes[i] = inputs[i].shape();
    }
    this.input = input;
    this.index = index == null ? null : index.clone();
    this.got = got;
    this.expected = expected;
    this.tolerance = tolerance;
  }

  /** The property's name: {@code gradcheck}, {@code gradgradcheck}, {@code jvpcheck}, ... */
  public String property() {
    return property;
  }

  /** The shapes of the inputs the property failed for. */
  public int[][] inputShapes() {
    int[][] r = new int[shapes.length][];
    for (int i = 0; i < shapes.length; i++) {
      r[i] = shapes[i].clone();
    }
    return r;
  }

  /** The input of the worst element (-1 when there is none, e.g. the function threw). */
  public int input() {
    return input;
  }

  /** The worst element's index within its input or output; empty when there is none. */
  public int[] index() {
    return index == null ? new int[0] : index.clone();
  }

  /** The value under test at the worst element (the analytic derivative for gradcheck). */
  public double got() {
    return got;
  }

  /** The reference value at the worst element (the finite difference for gradcheck). */
  public double expected() {
    return expected;
  }

  /** The allowed |got - expected| at the worst element. */
  public double tolerance() {
    return tolerance;
  }

  /** {@code (float64 [2, 3], int64 [4])}. */
  static String describe(Tensor[] inputs) {
    StringBuilder b = new StringBuilder("(");
    for (int i = 0; i < inputs.length; i++) {
      b.append(i == 0 ? "" : ", ").append(inputs[i].dtype()).append(' ')
          .append(Shapes.str(inputs[i].shape()));
    }
    return b.append(')').toString();
  }

  /** {@code worst element: input 1 index [0]: analytic 1, numeric 2, |diff| 1, tolerance 0.1}. */
  static String worst(int input, int[] index, String gotName, double got, String expectedName,
      double expected, double tolerance) {
    return String.format(Locale.ROOT,
        "worst element: input %d index %s: %s %.10g, %s %.10g, |diff| %.3g, tolerance %.3g",
        input, Arrays.toString(index), gotName, got, expectedName, expected,
        Math.abs(got - expected), tolerance);
  }
}
