package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * A multi-layer gated recurrent unit (PyTorch's {@code GRU}); for every layer and step, gates r,
 * z, n:
 *
 * <pre>
 *   r_t = sigmoid(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)
 *   z_t = sigmoid(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)
 *   n_t = tanh(W_in x_t + b_in + r_t * (W_hn h_{t-1} + b_hn))
 *   h_t = (1 - z_t) * n_t + z_t * h_{t-1}
 * </pre>
 *
 * <p>{@code x_t} is the input for the first layer and the previous layer's {@code h_t} (after
 * dropout) above. See {@link RNNBase} for parameters, shapes, dropout and per-step states.
 *
 * <p><b>Args</b> (PyTorch's order): {@code inputSize} F; {@code hiddenSize} H; {@code numLayers}
 * (1); {@code bias} (true); {@code batchFirst} (false); {@code dropout} (0, in {@code [0, 1)});
 * {@code bidirectional} (false); {@code rng} -- the seeded generator for the initial values and
 * the dropout masks.
 *
 * <p><b>Shape:</b> input {@code [T, B, F]} ({@code [B, T, F]} with batchFirst, or {@code [T, F]});
 * {@code h0} and {@code hN} {@code [D*numLayers, B, H]}; output {@code [T, B, D*H]}.
 *
 * <p><b>Attributes:</b> {@code weight_ih_l{k}[_reverse]} {@code [3H, F_k]} (rows {@code W_ir |
 * W_iz | W_in}), {@code weight_hh_l{k}[_reverse]} {@code [3H, H]}, {@code bias_ih_l{k}[_reverse]},
 * {@code bias_hh_l{k}[_reverse]} {@code [3H]}, from {@code U(-k, k)}, {@code k = 1/sqrt(H)}.
 *
 * <p><b>Example:</b>
 *
 * <pre>{@code
 * GRU gru = new GRU(10, 20, 2, new SplittableRandom(0));
 * RecurrentOutput r = gru.forward(Tensor.randn(rng, 5, 3, 10), null);
 * // r.output() [5, 3, 20], r.hN() [2, 3, 20]
 * System.out.println(gru);   // GRU(10, 20, num_layers=2)
 * }</pre>
 */
public final class GRU extends RNNBase {

  /** One layer with biases, sequence-first, float64. */
  public GRU(int inputSize, int hiddenSize, RandomGenerator rng) {
    this(inputSize, hiddenSize, 1, rng);
  }

  /** {@code numLayers} layers with biases, sequence-first, float64. */
  public GRU(int inputSize, int hiddenSize, int numLayers, RandomGenerator rng) {
    this(inputSize, hiddenSize, numLayers, true, false, 0.0, false,
        checkNotNull(rng, "GRU: rng is null (pass a seeded generator, e.g. new SplittableRandom(42))"));
  }

  /**
   * A GRU with every option of PyTorch's, in its order; float64 parameters.
   *
   * @throws NullPointerException for a null rng
   * @throws IllegalArgumentException for a non-positive size or a dropout outside {@code [0, 1)}
   */
  public GRU(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst,
      double dropout, boolean bidirectional, RandomGenerator rng) {
    this(inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, DType.FLOAT64,
        rng);
  }

  /**
   * A GRU whose parameters have {@code dtype}.
   *
   * @throws NullPointerException for a null dtype or rng
   * @throws IllegalArgumentException for a non-positive size, a dropout outside {@code [0, 1)} or
   *     an int64 dtype
   */
  public GRU(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst,
      double dropout, boolean bidirectional, DType dtype, RandomGenerator rng) {
    super(Recurrent.Mode.GRU, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout,
        bidirectional, checkNotNull(dtype, "GRU: dtype is null"),
        checkNotNull(rng, "GRU: rng is null (pass a seeded generator, e.g. new SplittableRandom(42))"));
  }

  /** The output sequence from zero initial states (so a GRU can sit in a {@link Sequential}). */
  @Override
  public Tensor forward(Tensor x) {
    checkNotNull(x, "GRU: input is null");
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
    checkNotNull(x, "GRU: input is null");
    Tensor[] r = run(x, h0, null);
    return new RecurrentOutput(r[0], r[1]);
  }
}
