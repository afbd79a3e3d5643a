package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * A multi-layer long short-term memory network (PyTorch's {@code LSTM}); for every layer and
 * step, gates i, f, g, o:
 *
 * <pre>
 *   i_t = sigmoid(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi)
 *   f_t = sigmoid(W_if x_t + b_if + W_hf h_{t-1} + b_hf)
 *   g_t = tanh(W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)
 *   o_t = sigmoid(W_io x_t + b_io + W_ho h_{t-1} + b_ho)
 *   c_t = f_t * c_{t-1} + i_t * g_t
 *   h_t = o_t * tanh(c_t)
 * </pre>
 *
 * <p>{@code x_t} is the input for the first layer and the previous layer's {@code h_t} (after
 * dropout) above. The additive update of {@code c} is what lets a gradient cross many steps:
 * {@code dc_t/dc_{t-1} = f_t}, with no weight matrix and no squashing derivative in between. See
 * {@link RNNBase} for parameters, shapes, dropout and per-step states. PyTorch's {@code
 * proj_size} is not supported.
 *
 * <p><b>Args</b> (PyTorch's order): {@code inputSize} F; {@code hiddenSize} H; {@code numLayers}
 * (1); {@code bias} (true); {@code batchFirst} (false); {@code dropout} (0, in {@code [0, 1)});
 * {@code bidirectional} (false); {@code rng} -- the seeded generator for the initial values and
 * the dropout masks.
 *
 * <p><b>Shape:</b> input {@code [T, B, F]} ({@code [B, T, F]} with batchFirst, or {@code [T, F]});
 * {@code h0, c0} and {@code hN, cN} {@code [D*numLayers, B, H]}; output {@code [T, B, D*H]}.
 *
 * <p><b>Attributes:</b> {@code weight_ih_l{k}[_reverse]} {@code [4H, F_k]} (rows {@code W_ii |
 * W_if | W_ig | W_io}), {@code weight_hh_l{k}[_reverse]} {@code [4H, H]}, {@code
 * bias_ih_l{k}[_reverse]}, {@code bias_hh_l{k}[_reverse]} {@code [4H]}, from {@code U(-k, k)},
 * {@code k = 1/sqrt(H)}.
 *
 * <p><b>Example:</b>
 *
 * <pre>{@code
 * LSTM lstm = new LSTM(10, 20, 2, new SplittableRandom(0));
 * LSTMOutput r = lstm.forward(Tensor.randn(rng, 5, 3, 10), null);
 * // r.output() [5, 3, 20], r.hN() and r.cN() [2, 3, 20]
 * System.out.println(lstm);   // LSTM(10, 20, num_layers=2)
 * }</pre>
 */
public final class LSTM extends RNNBase {

  /** One layer with biases, sequence-first, float64. */
  public LSTM(int inputSize, int hiddenSize, RandomGenerator rng) {
    this(inputSize, hiddenSize, 1, rng);
  }

  /** {@code numLayers} layers with biases, sequence-first, float64. */
  public LSTM(int inputSize, int hiddenSize, int numLayers, RandomGenerator rng) {
    this(inputSize, hiddenSize, numLayers, true, false, 0.0, false,
        checkNotNull(rng, "LSTM: rng is null (pass a seeded generator, e.g. new SplittableRandom(42))"));
  }

  /**
   * An LSTM with every option of PyTorch's but {@code proj_size}, in its order; float64
   * parameters.
   *
   * @throws NullPointerException for a null rng
   * @throws IllegalArgumentException for a non-positive size or a dropout outside {@code [0, 1)}
   */
  public LSTM(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst,
      double dropout, boolean bidirectional, RandomGenerator rng) {
    this(inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, DType.FLOAT64,
        rng);
  }

  /**
   * An LSTM whose parameters have {@code dtype}.
   *
   * @throws NullPointerException for a null dtype or rng
   * @throws IllegalArgumentException for a non-positive size, a dropout outside {@code [0, 1)} or
   *     an int64 dtype
   */
  public LSTM(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst,
      double dropout, boolean bidirectional, DType dtype, RandomGenerator rng) {
    super(Recurrent.Mode.LSTM, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout,
        bidirectional, checkNotNull(dtype, "LSTM: dtype is null"),
        checkNotNull(rng, "LSTM: rng is null (pass a seeded generator, e.g. new SplittableRandom(42))"));
  }

  /** The output sequence from zero initial states (so an LSTM can sit in a {@link Sequential}). */
  @Override
  public Tensor forward(Tensor x) {
    checkNotNull(x, "LSTM: input is null");
    return forward(x, null).output();
  }

  /**
   * PyTorch's {@code (output, (h_n, c_n))}.
   *
   * @param state the initial {@code (h0, c0)}, each {@code [D*numLayers, B, H]} ({@code
   *     [D*numLayers, H]} for an unbatched input); null means zeros
   * @throws dev.cadena.tensor.ShapeException for a wrong input rank, feature size or state shape
   */
  public LSTMOutput forward(Tensor x, @Nullable LSTMState state) {
    checkNotNull(x, "LSTM: input is null");
    Tensor[] r = run(x, state == null ? null : state.h(), state == null ? null : state.c());
    return new LSTMOutput(r[0], new LSTMState(r[1], r[2]));
  }
}
