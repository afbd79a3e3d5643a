package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.autograd.Anomaly;
import dev.cadena.tensor.ShapeException;
import dev.cadena.tensor.Shapes;

/**
 * Splits axis {@code dim} into {@code sizes} (PyTorch's {@code Unflatten}); a reshape, e.g. rows
 * of 784 pixels into {@code [1, 28, 28]} images. No parameters.
 *
 * <p><b>Args:</b> {@code dim} -- the axis to split (negative counts from the end); {@code sizes}
 * -- its new sizes, whose product must be its size.
 *
 * <p><b>Shape:</b> {@code [*, sizes product, *]} to {@code [*, sizes..., *]}.
 *
 * <p><b>Example:</b>
 *
 * <pre>{@code
 * new Unflatten(1, 1, 28, 28).forward(Tensor.zeros(64, 784)).shape();   // [64, 1, 28, 28]
 * System.out.println(new Unflatten(1, 1, 28, 28));   // Unflatten(dim=1, unflattened_size=(1, 28, 28))
 * }</pre>
 */
public class Unflatten extends Module {
  private final int dim;
  private final int[] sizes;

  /**
   * Splits axis {@code dim} into {@code sizes}.
   *
   * @throws NullPointerException when {@code sizes} is null
   * @throws IllegalArgumentException when {@code sizes} is empty or has a non-positive size
   */
  public Unflatten(int dim, int... sizes) {
    checkNotNull(sizes, "Unflatten: sizes is null");
    if (sizes.length == 0) {
      throw new IllegalArgumentException("Unflatten: sizes must not be empty");
    }
    for (int s : sizes) {
      Checks.positiveSize("Unflatten", "each of unflattened_size", s);
    }
    this.dim = dim;
    this.sizes = sizes.clone();
  }

  /**
   * The input reshaped.
   *
   * @throws ShapeException when the axis does not exist or its size is not the product of
   *     {@code sizes}
   */
  @Override
  public Tensor forward(Tensor x) {
    checkNotNull(x, "Unflatten: input is null");
    try (var o = Anomaly.operands("Unflatten", "input", x)) {
      return checkedForward(x);
    }
  }

  private Tensor checkedForward(Tensor x) {
    int[] s = x.shape();
    int a = Shapes.axis("Unflatten", dim, s.length);
    long product = 1;
    for (int v : sizes) {
      product *= v;
    }
    if (product != s[a]) {
      throw new ShapeException(
          "Unflatten: axis " + dim + " of shape " + Shapes.str(s) + " has size " + s[a]
              + ", not the product " + product + " of unflattened_size " + Repr.tuple(sizes));
    }
    int[] r = new int[s.length - 1 + sizes.length];
    System.arraycopy(s, 0, r, 0, a);
    System.arraycopy(sizes, 0, r, a, sizes.length);
    System.arraycopy(s, a + 1, r, a + sizes.length, s.length - a - 1);
    return x.reshape(r);
  }

  @Override
  protected String extraRepr() {
    return "dim=" + dim + ", unflattened_size=" + Repr.tuple(sizes);
  }
}
