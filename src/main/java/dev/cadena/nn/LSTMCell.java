package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.autograd.Anomaly;
import dev.cadena.tensor.DType;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * A long short-term memory cell (PyTorch's {@code LSTMCell}), gates i, f, g, o:
 *
 * <pre>
 *   i = sigmoid(W_ii x + b_ii + W_hi h + b_hi)     f = sigmoid(W_if x + b_if + W_hf h + b_hf)
 *   g = tanh(W_ig x + b_ig + W_hg h + b_hg)        o = sigmoid(W_io x + b_io + W_ho h + b_ho)
 *   c' = f * c + i * g                             h' = o * tanh(c')
 * </pre>
 *
 * See {@link Functional#lstmCell}.
 *
 * <p><b>Args:</b> {@code inputSize} F; {@code hiddenSize} H; {@code bias} (default true);
 * {@code dtype} (float64 by default); {@code rng} -- the seeded generator for the initial values.
 *
 * <p><b>Shape:</b> input {@code [B, F]} or unbatched {@code [F]}; {@code h} and {@code c} {@code
 * [B, H]} (or {@code [H]}); a missing state is zeros.
 *
 * <p><b>Attributes:</b> {@code weight_ih [4H, F]} (the rows of {@code W_ii, W_if, W_ig, W_io}
 * in that order), {@code weight_hh [4H, H]}, {@code bias_ih}, {@code bias_hh [4H]}, all from
 * {@code U(-k, k)}, {@code k = 1/sqrt(H)}.
 *
 * <p><b>Example:</b>
 *
 * <pre>{@code
 * LSTMCell cell = new LSTMCell(10, 20, new SplittableRandom(0));
 * LSTMState s = null;
 * for (int t = 0; t < 6; t++) {
 *   s = cell.forward(xs.select(0, t), s);   // xs [6, 3, 10] -> s.h(), s.c() [3, 20]
 * }
 * }</pre>
 */
public final class LSTMCell extends RNNCellBase {

  /** A float64 cell with biases. */
  public LSTMCell(int inputSize, int hiddenSize, RandomGenerator rng) {
    this(inputSize, hiddenSize, true, DType.FLOAT64, rng);
  }

  /**
   * A cell with the given options.
   *
   * @throws NullPointerException for a null dtype or rng
   * @throws IllegalArgumentException for a non-positive size or an int64 dtype
   */
  public LSTMCell(int inputSize, int hiddenSize, boolean bias, DType dtype, RandomGenerator rng) {
    super("LSTMCell", 4, inputSize, hiddenSize, bias,
        checkNotNull(dtype, "LSTMCell: dtype is null"),
        checkNotNull(rng, "LSTMCell: rng is null (pass a seeded generator, e.g. new SplittableRandom(42))"));
  }

  /** The next hidden state {@code h'} from a zero state (the cell state is dropped). */
  @Override
  public Tensor forward(Tensor x) {
    checkNotNull(x, "LSTMCell: input is null");
    return forward(x, null).h();
  }

  /**
   * The next {@code (h', c')}.
   *
   * @param state {@code (h, c)}, each {@code [B, H]} or {@code [H]}; null means zeros
   * @throws dev.cadena.tensor.ShapeException for a wrong input or state shape, naming it
   */
  public LSTMState forward(Tensor x, @Nullable LSTMState state) {
    checkNotNull(x, "LSTMCell: input is null");
    try (var o = Anomaly.operands("LSTMCell", "input", x, "h", state == null ? null : state.h(),
        "c", state == null ? null : state.c(), "weight_ih", weightIh(), "weight_hh", weightHh(),
        "bias_ih", biasIh(), "bias_hh", biasHh())) {
      Recurrent.checkCellInput("LSTMCell", x, inputSize());
      Tensor h = state == null ? Recurrent.zeroState(x, hiddenSize()) : state.h();
      Tensor c = state == null ? Recurrent.zeroState(x, hiddenSize()) : state.c();
      Recurrent.checkCellState("LSTMCell", "h", h, x, hiddenSize());
      Recurrent.checkCellState("LSTMCell", "c", c, x, hiddenSize());
      Tensor gi = Recurrent.project(x, weightIh().t(), biasIh());
      Tensor[] hc = Recurrent.lstmStep(gi, h, c, weightHh().t(), biasHh());
      return new LSTMState(hc[0], hc[1]);
    }
  }
}
