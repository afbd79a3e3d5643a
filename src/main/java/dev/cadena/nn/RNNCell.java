package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.autograd.Anomaly;
import dev.cadena.tensor.DType;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * An Elman RNN cell (PyTorch's {@code RNNCell}): {@code h' = act(x W_ih^T + b_ih + h W_hh^T +
 * b_hh)}, {@code act} tanh (default) or ReLU. See {@link Functional#rnnCell}.
 *
 * <p><b>Args:</b> {@code inputSize} F; {@code hiddenSize} H; {@code bias} -- learn {@code b_ih}
 * and {@code b_hh} (default true); {@code nonlinearity} -- TANH (default) or RELU; {@code dtype}
 * (float64 by default); {@code rng} -- the seeded generator for the initial values.
 *
 * <p><b>Shape:</b> input {@code [B, F]} or unbatched {@code [F]}; state and output {@code [B,
 * H]} (or {@code [H]}); a missing state is zeros.
 *
 * <p><b>Attributes:</b> {@code weight_ih [H, F]}, {@code weight_hh [H, H]}, {@code bias_ih},
 * {@code bias_hh [H]}, all from {@code U(-k, k)}, {@code k = 1/sqrt(H)}.
 *
 * <p><b>Example:</b>
 *
 * <pre>{@code
 * RNNCell cell = new RNNCell(10, 20, new SplittableRandom(0));
 * Tensor h = null;
 * for (int t = 0; t < 6; t++) {
 *   h = cell.forward(xs.select(0, t), h);   // xs [6, 3, 10] -> h [3, 20]
 * }
 * System.out.println(cell);                  // RNNCell(10, 20)
 * }</pre>
 */
public final class RNNCell extends RNNCellBase {
  private final RNN.Nonlinearity nonlinearity;

  /** A float64 tanh cell with biases. */
  public RNNCell(int inputSize, int hiddenSize, RandomGenerator rng) {
    this(inputSize, hiddenSize, true, RNN.Nonlinearity.TANH, DType.FLOAT64, checkRng(rng));
  }

  /**
   * A cell with the given options.
   *
   * @throws NullPointerException for a null nonlinearity, dtype or rng
   * @throws IllegalArgumentException for a non-positive size or an int64 dtype
   */
  public RNNCell(int inputSize, int hiddenSize, boolean bias, RNN.Nonlinearity nonlinearity,
      DType dtype, RandomGenerator rng) {
    super("RNNCell", 1, inputSize, hiddenSize, bias, checkNotNull(dtype, "RNNCell: dtype is null"),
        checkRng(rng, nonlinearity));
    this.nonlinearity = nonlinearity;
  }

  private static RandomGenerator checkRng(RandomGenerator rng) {
    return checkNotNull(
        rng, "RNNCell: rng is null (pass a seeded generator, e.g. new SplittableRandom(42))");
  }

  private static RandomGenerator checkRng(RandomGenerator rng, RNN.Nonlinearity nonlinearity) {
    checkNotNull(nonlinearity, "RNNCell: nonlinearity is null");
    return checkRng(rng);
  }

  /** The next hidden state from a zero state. */
  @Override
  public Tensor forward(Tensor x) {
    checkNotNull(x, "RNNCell: input is null");
    return forward(x, null);
  }

  /**
   * The next hidden state, {@code act(x W_ih^T + b_ih + h W_hh^T + b_hh)}.
   *
   * @param h the state, {@code [B, H]} or {@code [H]}; null means zeros
   * @throws dev.cadena.tensor.ShapeException for a wrong input or state shape, naming it
   */
  public Tensor forward(Tensor x, @Nullable Tensor h) {
    checkNotNull(x, "RNNCell: input is null");
    try (var o = Anomaly.operands("RNNCell", "input", x, "h", h, "weight_ih", weightIh(),
        "weight_hh", weightHh(), "bias_ih", biasIh(), "bias_hh", biasHh())) {
      Recurrent.checkCellInput("RNNCell", x, inputSize());
      Tensor s = h == null ? Recurrent.zeroState(x, hiddenSize()) : h;
      Recurrent.checkCellState("RNNCell", "h", s, x, hiddenSize());
      Tensor gi = Recurrent.project(x, weightIh().t(), biasIh());
      return Recurrent.rnnStep(
          gi, s, weightHh().t(), biasHh(), nonlinearity == RNN.Nonlinearity.RELU);
    }
  }

  /** TANH or RELU. */
  public RNN.Nonlinearity nonlinearity() {
    return nonlinearity;
  }

  @Override
  protected String extraRepr() {
    return super.extraRepr()
        + (nonlinearity == RNN.Nonlinearity.RELU ? ", nonlinearity=relu" : "");
  }
}
