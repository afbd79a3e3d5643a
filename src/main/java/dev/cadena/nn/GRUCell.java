package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.autograd.Anomaly;
import dev.cadena.tensor.DType;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * A gated recurrent unit (PyTorch's {@code GRUCell}), gates r, z, n:
 *
 * <pre>
 *   r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)     z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
 *   n = tanh(W_in x + b_in + r * (W_hn h + b_hn))  h' = (1 - z) * n + z * h
 * </pre>
 *
 * See {@link Functional#gruCell}.
 *
 * <p><b>Args:</b> {@code inputSize} F; {@code hiddenSize} H; {@code bias} (default true);
 * {@code dtype} (float64 by default); {@code rng} -- the seeded generator for the initial values.
 *
 * <p><b>Shape:</b> input {@code [B, F]} or unbatched {@code [F]}; state and output {@code [B,
 * H]} (or {@code [H]}); a missing state is zeros.
 *
 * <p><b>Attributes:</b> {@code weight_ih [3H, F]} (rows of {@code W_ir, W_iz, W_in}), {@code
 * weight_hh [3H, H]}, {@code bias_ih}, {@code bias_hh [3H]}, all from {@code U(-k, k)}, {@code k
 * = 1/sqrt(H)}.
 *
 * <p><b>Example:</b>
 *
 * <pre>{@code
 * GRUCell cell = new GRUCell(10, 20, new SplittableRandom(0));
 * Tensor h = cell.forward(Tensor.randn(rng, 3, 10));   // [3, 20], from a zero state
 * h = cell.forward(Tensor.randn(rng, 3, 10), h);
 * }</pre>
 */
public final class GRUCell extends RNNCellBase {

  /** A float64 cell with biases. */
  public GRUCell(int inputSize, int hiddenSize, RandomGenerator rng) {
    this(inputSize, hiddenSize, true, DType.FLOAT64, rng);
  }

  /**
   * A cell with the given options.
   *
   * @throws NullPointerException for a null dtype or rng
   * @throws IllegalArgumentException for a non-positive size or an int64 dtype
   */
  public GRUCell(int inputSize, int hiddenSize, boolean bias, DType dtype, RandomGenerator rng) {
    super("GRUCell", 3, inputSize, hiddenSize, bias,
        checkNotNull(dtype, "GRUCell: dtype is null"),
        checkNotNull(rng, "GRUCell: rng is null (pass a seeded generator, e.g. new SplittableRandom(42))"));
  }

  /** The next hidden state from a zero state. */
  @Override
  public Tensor forward(Tensor x) {
    checkNotNull(x, "GRUCell: input is null");
    return forward(x, null);
  }

  /**
   * The next hidden state {@code h'}.
   *
   * @param h the state, {@code [B, H]} or {@code [H]}; null means zeros
   * @throws dev.cadena.tensor.ShapeException for a wrong input or state shape, naming it
   */
  public Tensor forward(Tensor x, @Nullable Tensor h) {
    checkNotNull(x, "GRUCell: input is null");
    try (var o = Anomaly.operands("GRUCell", "input", x, "h", h, "weight_ih", weightIh(),
        "weight_hh", weightHh(), "bias_ih", biasIh(), "bias_hh", biasHh())) {
      Recurrent.checkCellInput("GRUCell", x, inputSize());
      Tensor s = h == null ? Recurrent.zeroState(x, hiddenSize()) : h;
      Recurrent.checkCellState("GRUCell", "h", s, x, hiddenSize());
      Tensor gi = Recurrent.project(x, weightIh().t(), biasIh());
      return Recurrent.gruStep(gi, s, weightHh().t(), biasHh());
    }
  }
}
