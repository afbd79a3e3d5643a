package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import java.util.random.RandomGenerator;

/**
 * A fully connected layer (PyTorch's {@code Linear}): {@code y = x @ W + b}.
 *
 * <p><b>Layout.</b> The weight is stored as {@code [in, out]}, so a batch of row vectors is mapped
 * by one matrix product without a transpose. The study notes write the same layer for one column
 * vector as {@code z = W a + b} with {@code W} of shape {@code [out, in]}: Cadena's weight is that
 * matrix transposed ({@code weight()[k][j] = W_notes[j][k]}) and its gradient is likewise the
 * transpose of the notes' {@code dLoss/dW}. The fused linear kernel relies on this layout too.
 * PyTorch's {@code Linear.weight} is {@code [out, in]}, the notes' layout: {@link #stateDict()}
 * (and so every file {@link dev.cadena.io.ModelFiles} writes or reads) holds the weight as
 * {@code [out, in]}, transposed at that boundary, so that PyTorch loads Cadena's files and
 * Cadena loads PyTorch's as they are.
 *
 * <p><b>Args:</b> {@code in} -- size of each input sample; {@code out} -- size of each output
 * sample; {@code bias} -- whether to learn an additive bias; {@code dtype} -- parameter dtype
 * (float64 by default); {@code rng} -- the seeded generator for the initial values.
 *
 * <p><b>Shape:</b> input {@code [*, in]} (any number of leading dimensions, including none);
 * output {@code [*, out]}.
 *
 * <p><b>Attributes:</b> {@code weight} {@code [in, out]} in memory ({@code [out, in]} in the
 * state dict) and {@code bias} {@code [out]}, both
 * drawn from {@code U(-k, k)} with {@code k = 1 / sqrt(in)} -- PyTorch's default for {@code
 * Linear} (its {@code kaiming_uniform_(a = sqrt 5)}). For deep ReLU networks call {@link
 * Init#kaimingNormal(Tensor, RandomGenerator)} on the weight afterwards.
 *
 * <p><b>Example:</b>
 *
 * <pre>{@code
 * Linear layer = new Linear(784, 256, true, new SplittableRandom(0));
 * Tensor y = layer.forward(Tensor.randn(rng, 64, 784));   // [64, 256]
 * System.out.println(layer);                               // Linear(in=784, out=256, bias=true)
 * }</pre>
 */
public class Linear extends Module {
  private final int in;
  private final int out;
  private final Tensor weight;
  private final Tensor bias;

  /** A float64 layer with weights drawn from {@code rng}. */
  public Linear(int in, int out, boolean bias, RandomGenerator rng) {
    this(in, out, bias, DType.FLOAT64, rng);
  }

  /**
   * A layer whose parameters have {@code dtype}, with weights drawn from {@code rng}.
   *
   * @throws NullPointerException when {@code dtype} or {@code rng} is null
   * @throws IllegalArgumentException for non-positive sizes or an int64 dtype
   */
  public Linear(int in, int out, boolean bias, DType dtype, RandomGenerator rng) {
    String name = getClass().getSimpleName();
    checkNotNull(dtype, "%s: dtype is null", name);
    checkNotNull(
        rng, "%s: rng is null (pass a seeded generator, e.g. new SplittableRandom(42))", name);
    this.in = Checks.positiveSize(name, "in features", in);
    this.out = Checks.positiveSize(name, "out features", out);
    if (!dtype.isFloatingPoint()) {
      throw new IllegalArgumentException(name + ": dtype must be float32 or float64, got " + dtype);
    }
    this.weight = registerParameter("weight", Tensor.zeros(dtype, in, out));
    this.bias = bias ? registerParameter("bias", Tensor.zeros(dtype, out)) : null;
    resetParameters(rng);
  }

  /** Redraws weight and bias from {@code U(-1/sqrt(in), 1/sqrt(in))}. */
  public final void resetParameters(RandomGenerator rng) {
    checkNotNull(
        rng, "%s: rng is null (pass a seeded generator, e.g. new SplittableRandom(42))",
        getClass().getSimpleName());
    double k = 1.0 / Math.sqrt(in);
    Init.uniform(weight, -k, k, rng);
    if (bias != null) {
      Init.uniform(bias, -k, k, rng);
    }
  }

  /**
   * {@code x @ weight + bias}.
   *
   * @throws dev.cadena.tensor.ShapeException e.g. {@code Linear: input has 3 features, expected 784
   *     (input shape [2, 3])}
   */
  @Override
  public Tensor forward(Tensor x) {
    checkNotNull(x, "Linear: input is null");
    return Functional.linear(getClass().getSimpleName(), x, weight, bias);
  }

  /** The weight, {@code [in, out]}. */
  public Tensor weight() {
    return weight;
  }

  /** The bias, {@code [out]}, or null for a layer without one. */
  public Tensor bias() {
    return bias;
  }

  /** Size of each input sample. */
  public int inFeatures() {
    return in;
  }

  /** Size of each output sample. */
  public int outFeatures() {
    return out;
  }

  /** The weight appears in the state dict as PyTorch's {@code [out, in]}: a transposed view. */
  @Override
  protected Tensor toStateDict(String name, Tensor value) {
    return name.equals("weight") ? value.detach().mT() : value;
  }

  /** A state-dict weight {@code [out, in]} back to the in-memory {@code [in, out]}. */
  @Override
  protected Tensor fromStateDict(String name, Tensor value) {
    return name.equals("weight") ? value.mT() : value;
  }

  @Override
  protected String extraRepr() {
    return "in=" + in + ", out=" + out + ", bias=" + (bias != null);
  }
}
