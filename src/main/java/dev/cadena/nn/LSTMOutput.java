package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;

/**
 * What {@link LSTM#forward(Tensor, LSTMState)} returns, PyTorch's {@code (output, (h_n, c_n))}.
 *
 * @param output the top layer's hidden state at every step: {@code [T, B, D * H]} ({@code [B, T,
 *     D * H]} with {@code batchFirst}, {@code [T, D * H]} unbatched)
 * @param state the last {@code (h, c)} of every layer and direction, each {@code [D * numLayers,
 *     B, H]} ({@code [D * numLayers, H]} unbatched), index {@code layer * D + direction}
 */
public record LSTMOutput(Tensor output, LSTMState state) {

  /** @throws NullPointerException when {@code output} or {@code state} is null */
  public LSTMOutput {
    checkNotNull(output, "LSTMOutput: output is null");
    checkNotNull(state, "LSTMOutput: state is null");
  }

  /** The last hidden states, {@code state().h()}. */
  public Tensor hN() {
    return state.h();
  }

  /** The last cell states, {@code state().c()}. */
  public Tensor cN() {
    return state.c();
  }
}
