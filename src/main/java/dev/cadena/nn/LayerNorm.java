package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.Shapes;

/**
 * Layer normalisation (Ba et al. 2016) over the trailing dimensions {@code normalizedShape} of
 * each sample: {@code y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias}, with the mean and the
 * biased variance taken over those dimensions. Unlike {@link BatchNorm1d} it behaves the same in
 * training and evaluation and keeps no running statistics. See {@link Functional#layerNorm}.
 *
 * <p><b>Args:</b> {@code normalizedShape} -- the trailing dimensions to normalise over; {@code eps}
 * (default 1e-5); {@code elementwiseAffine} -- whether to learn {@code weight} and {@code bias}
 * (default true).
 *
 * <p><b>Shape:</b> input {@code [*, normalizedShape...]}, output the same shape.
 *
 * <p><b>Attributes:</b> {@code weight} (ones) and {@code bias} (zeros), each of shape {@code
 * normalizedShape}, when elementwiseAffine.
 *
 * <p><b>Example:</b>
 *
 * <pre>{@code
 * LayerNorm ln = new LayerNorm(512);
 * Tensor y = ln.forward(x);  // x [batch, tokens, 512]: each row of 512 has mean 0, variance ~1
 * }</pre>
 */
public final class LayerNorm extends Module {
  private final int[] normalizedShape;
  private final double eps;
  private final Tensor weight;
  private final Tensor bias;

  /** eps 1e-5, with affine parameters, float64. */
  public LayerNorm(int... normalizedShape) {
    this(normalizedShape, 1e-5, true);
  }

  /** A float64 layer. */
  public LayerNorm(int[] normalizedShape, double eps, boolean elementwiseAffine) {
    this(normalizedShape, eps, elementwiseAffine, DType.FLOAT64);
  }

  /**
   * A layer whose parameters have {@code dtype}.
   *
   * @throws NullPointerException when {@code normalizedShape} or {@code dtype} is null
   * @throws IllegalArgumentException for an empty shape or non-positive sizes or eps
   */
  public LayerNorm(int[] normalizedShape, double eps, boolean elementwiseAffine, DType dtype) {
    checkNotNull(normalizedShape, "LayerNorm: normalizedShape is null");
    checkNotNull(dtype, "LayerNorm: dtype is null");
    if (normalizedShape.length == 0) {
      throw new IllegalArgumentException("LayerNorm: normalizedShape must name at least one dimension");
    }
    for (int d : normalizedShape) {
      if (d <= 0) {
        throw new IllegalArgumentException(
            "LayerNorm: normalizedShape sizes must be positive, got " + Shapes.str(normalizedShape));
      }
    }
    if (!dtype.isFloatingPoint()) {
      throw new IllegalArgumentException("LayerNorm: dtype must be float32 or float64, got " + dtype);
    }
    this.normalizedShape = normalizedShape.clone();
    this.eps = Checks.positiveFinite("LayerNorm", "eps", eps);
    this.weight = elementwiseAffine ? registerParameter("weight", Tensor.ones(dtype, normalizedShape)) : null;
    this.bias = elementwiseAffine ? registerParameter("bias", Tensor.zeros(dtype, normalizedShape)) : null;
  }

  /**
   * {@inheritDoc}
   *
   * @throws dev.cadena.tensor.ShapeException when the input does not end with normalizedShape
   */
  @Override
  public Tensor forward(Tensor x) {
    checkNotNull(x, "LayerNorm: input is null");
    return Functional.layerNorm("LayerNorm", x, normalizedShape, weight, bias, eps);
  }

  /** The normalised trailing shape (a copy). */
  public int[] normalizedShape() {
    return normalizedShape.clone();
  }

  /** The scale, or null without affine. */
  public Tensor weight() {
    return weight;
  }

  /** The shift, or null without affine. */
  public Tensor bias() {
    return bias;
  }

  @Override
  protected String extraRepr() {
    return Shapes.str(normalizedShape) + ", eps=" + eps + ", elementwiseAffine=" + (weight != null);
  }
}
