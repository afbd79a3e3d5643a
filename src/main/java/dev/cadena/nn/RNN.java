package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * A multi-layer Elman RNN (PyTorch's {@code RNN}): for every layer and step {@code h_t =
 * act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)}, {@code act} tanh or ReLU, where {@code x_t} is
 * the input for the first layer and the previous layer's {@code h_t} (after dropout) above. See
 * {@link RNNBase} for parameters, shapes, dropout and per-step states.
 *
 * <p><b>Args</b> (PyTorch's order): {@code inputSize} F; {@code hiddenSize} H; {@code numLayers}
 * (1); {@code nonlinearity} (TANH); {@code bias} (true); {@code batchFirst} (false); {@code
 * dropout} (0, in {@code [0, 1)}); {@code bidirectional} (false); {@code rng} -- the seeded
 * generator for the initial values and the dropout masks.
 *
 * <p><b>Shape:</b> input {@code [T, B, F]} ({@code [B, T, F]} with batchFirst, or {@code [T, F]});
 * {@code h0} and {@code hN} {@code [D*numLayers, B, H]}; output {@code [T, B, D*H]}.
 *
 * <p><b>Attributes:</b> {@code weight_ih_l{k}[_reverse]} {@code [H, F_k]}, {@code
 * weight_hh_l{k}[_reverse]} {@code [H, H]}, {@code bias_ih_l{k}[_reverse]}, {@code
 * bias_hh_l{k}[_reverse]} {@code [H]}, from {@code U(-k, k)}, {@code k = 1/sqrt(H)}.
 *
 * <p><b>Example:</b>
 *
 * <pre>{@code
 * RNN rnn = new RNN(10, 20, 2, new SplittableRandom(0));
 * RecurrentOutput r = rnn.forward(Tensor.randn(rng, 5, 3, 10), null);
 * // r.output() [5, 3, 20], r.hN() [2, 3, 20]
 * System.out.println(rnn);   // RNN(10, 20, num_layers=2)
 * }</pre>
 */
public final class RNN extends RNNBase {
  /** The activation of an {@link RNN} or {@link RNNCell}. */
  public enum Nonlinearity {
    /** {@code tanh}, PyTorch's default. */
    TANH,
    /** {@code max(x, 0)}. */
    RELU
  }

  /** One tanh layer with biases, sequence-first, float64. */
  public RNN(int inputSize, int hiddenSize, RandomGenerator rng) {
    this(inputSize, hiddenSize, 1, rng);
  }

  /** {@code numLayers} tanh layers with biases, sequence-first, float64. */
  public RNN(int inputSize, int hiddenSize, int numLayers, RandomGenerator rng) {
    this(inputSize, hiddenSize, numLayers, Nonlinearity.TANH, true, false, 0.0, false,
        checkNotNull(rng, "RNN: rng is null (pass a seeded generator, e.g. new SplittableRandom(42))"));
  }

  /**
   * An RNN with every option of PyTorch's, in its order; float64 parameters.
   *
   * @throws NullPointerException for a null nonlinearity or rng
   * @throws IllegalArgumentException for a non-positive size or a dropout outside {@code [0, 1)}
   */
  public RNN(int inputSize, int hiddenSize, int numLayers, Nonlinearity nonlinearity, boolean bias,
      boolean batchFirst, double dropout, boolean bidirectional, RandomGenerator rng) {
    this(inputSize, hiddenSize, numLayers, nonlinearity, bias, batchFirst, dropout, bidirectional,
        DType.FLOAT64, rng);
  }

  /**
   * An RNN whose parameters have {@code dtype}.
   *
   * @throws NullPointerException for a null nonlinearity, dtype or rng
   * @throws IllegalArgumentException for a non-positive size, a dropout outside {@code [0, 1)} or
   *     an int64 dtype
   */
  public RNN(int inputSize, int hiddenSize, int numLayers, Nonlinearity nonlinearity, boolean bias,
      boolean batchFirst, double dropout, boolean bidirectional, DType dtype, RandomGenerator rng) {
    super(mode(nonlinearity), inputSize, hiddenSize, numLayers, bias, batchFirst, dropout,
        bidirectional, checkNotNull(dtype, "RNN: dtype is null"),
        checkNotNull(rng, "RNN: rng is null (pass a seeded generator, e.g. new SplittableRandom(42))"));
  }

  private static Recurrent.Mode mode(Nonlinearity nonlinearity) {
    checkNotNull(nonlinearity, "RNN: nonlinearity is null");
    return nonlinearity == Nonlinearity.RELU ? Recurrent.Mode.RNN_RELU : Recurrent.Mode.RNN_TANH;
  }

  /** The output sequence from zero initial states (so an RNN can sit in a {@link Sequential}). */
  @Override
  public Tensor forward(Tensor x) {
    checkNotNull(x, "RNN: input is null");
    return forward(x, null).output();
  }

  /**
   * PyTorch's {@code (output, h_n)}.
   *
   * @param h0 the initial states {@code [D*numLayers, B, H]} ({@code [D*numLayers, H]} for an
   *     unbatched input); null means zeros
   * @throws dev.cadena.tensor.ShapeException for a wrong input rank, feature size or state shape
   */
  public RecurrentOutput forward(Tensor x, @Nullable Tensor h0) {
    checkNotNull(x, "RNN: input is null");
    Tensor[] r = run(x, h0, null);
    return new RecurrentOutput(r[0], r[1]);
  }
}
