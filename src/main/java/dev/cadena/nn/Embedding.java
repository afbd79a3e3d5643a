package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * A lookup table of {@code num} vectors of size {@code dim} (PyTorch's {@code Embedding}): {@code
 * y[..., :] = weight[x[...], :]}, see {@link Functional#embedding}; an {@code indexSelect}, whose
 * VJP adds each upstream row into the rows it came from.
 *
 * <p><b>Args:</b> {@code numEmbeddings} -- table size; {@code embeddingDim} -- vector size;
 * {@code paddingIdx} -- optional: that row is initialised to zeros and gets no gradient (negative
 * counts from the end); {@code maxNorm} -- optional: looked-up rows with a larger Euclidean norm
 * are rescaled in place to it; {@code dtype} (float64 by default); {@code rng} -- the seeded
 * generator for the initial values.
 *
 * <p><b>Shape:</b> input int64 {@code [*]} (any shape); output {@code [*, dim]}.
 *
 * <p><b>Attributes:</b> {@code weight} {@code [num, dim]} drawn from {@code N(0, 1)}, PyTorch's
 * default (the padding row zeros).
 *
 * <p><b>Example:</b>
 *
 * <pre>{@code
 * Embedding emb = new Embedding(10, 3, 0, null, DType.FLOAT64, new SplittableRandom(0));
 * emb.forward(Tensor.ofLongs(0, 2, 0, 5).reshape(2, 2)).shape();   // [2, 2, 3]
 * System.out.println(emb);                                         // Embedding(10, 3, padding_idx=0)
 * }</pre>
 */
public class Embedding extends Module {
  private final int num;
  private final int dim;
  private final Integer paddingIdx;
  private final Double maxNorm;
  private final Tensor weight;

  /** No padding index, no max norm, float64. */
  public Embedding(int numEmbeddings, int embeddingDim, RandomGenerator rng) {
    this(numEmbeddings, embeddingDim, null, null, DType.FLOAT64, rng);
  }

  /**
   * The general table.
   *
   * @throws NullPointerException when {@code dtype} or {@code rng} is null
   * @throws IllegalArgumentException for non-positive sizes, a padding index outside {@code
   *     [-num, num)}, a non-positive max norm or an int64 dtype
   */
  public Embedding(int numEmbeddings, int embeddingDim, @Nullable Integer paddingIdx,
      @Nullable Double maxNorm, DType dtype, RandomGenerator rng) {
    String name = getClass().getSimpleName();
    checkNotNull(dtype, "%s: dtype is null", name);
    checkNotNull(
        rng, "%s: rng is null (pass a seeded generator, e.g. new SplittableRandom(42))", name);
    this.num = Checks.positiveSize(name, "num_embeddings", numEmbeddings);
    this.dim = Checks.positiveSize(name, "embedding_dim", embeddingDim);
    this.paddingIdx = paddingIdx == null ? null : Functional.paddingIndex(name, paddingIdx, num);
    this.maxNorm = maxNorm == null ? null : Checks.positiveFinite(name, "max_norm", maxNorm);
    if (!dtype.isFloatingPoint()) {
      throw new IllegalArgumentException(name + ": dtype must be float32 or float64, got " + dtype);
    }
    this.weight = registerParameter("weight", Tensor.zeros(dtype, num, dim));
    resetParameters(rng);
  }

  /** Redraws the weight from {@code N(0, 1)} and zeros the padding row. */
  public final void resetParameters(RandomGenerator rng) {
    checkNotNull(
        rng, "%s: rng is null (pass a seeded generator, e.g. new SplittableRandom(42))",
        getClass().getSimpleName());
    Init.normal(weight, 0.0, 1.0, rng);
    if (paddingIdx != null) {
      try (var s = Tensor.noGrad()) {
        Tensor keep = Tensor.ones(weight.dtype(), num, 1);
        keep = keep.sliceScatter(Tensor.zeros(weight.dtype(), 1, 1), 0, paddingIdx, paddingIdx + 1, 1);
        weight.mul_(keep);
      }
    }
  }

  /**
   * The rows {@code x} names.
   *
   * @throws dev.cadena.tensor.DTypeException when {@code x} is not int64
   * @throws IllegalArgumentException for an index out of range
   */
  @Override
  public Tensor forward(Tensor x) {
    checkNotNull(x, "%s: input is null", getClass().getSimpleName());
    return Functional.embedding(getClass().getSimpleName(), x, weight, paddingIdx, maxNorm);
  }

  /** The table, {@code [num, dim]}. */
  public Tensor weight() {
    return weight;
  }

  @Override
  protected String extraRepr() {
    StringBuilder sb = new StringBuilder().append(num).append(", ").append(dim);
    if (paddingIdx != null) {
      sb.append(", padding_idx=").append(paddingIdx);
    }
    if (maxNorm != null) {
      sb.append(", max_norm=").append(Repr.number(maxNorm));
    }
    return sb.toString();
  }
}
