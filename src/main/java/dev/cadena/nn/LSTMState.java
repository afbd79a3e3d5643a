package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;

/**
 * The two states of an LSTM, PyTorch's {@code (h, c)} pair: the hidden state {@code h} (what the
 * cell outputs) and the cell state {@code c} (its memory). For a cell both are {@code [B, H]}
 * (or {@code [H]} unbatched); for an {@link LSTM} they are {@code [D * numLayers, B, H]} (or
 * {@code [D * numLayers, H]}), {@code D = 2} when bidirectional, else 1.
 *
 * <pre>{@code
 * LSTMState s = new LSTMState(Tensor.zeros(2, 20), Tensor.zeros(2, 20));
 * s = cell.forward(x, s);   // the next (h, c)
 * }</pre>
 *
 * @param h the hidden state
 * @param c the cell state, the same shape as {@code h}
 */
public record LSTMState(Tensor h, Tensor c) {

  /** @throws NullPointerException when {@code h} or {@code c} is null */
  public LSTMState {
    checkNotNull(h, "LSTMState: h is null");
    checkNotNull(c, "LSTMState: c is null");
  }
}
