package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;

/**
 * What {@link RNN#forward(Tensor, Tensor)} and {@link GRU#forward(Tensor, Tensor)} return,
 * PyTorch's {@code (output, h_n)}.
 *
 * @param output the top layer's hidden state at every step: {@code [T, B, D * H]} ({@code [B, T,
 *     D * H]} with {@code batchFirst}, {@code [T, D * H]} unbatched), both directions concatenated
 *     on the last axis when bidirectional
 * @param hN the last hidden state of every layer and direction: {@code [D * numLayers, B, H]}
 *     ({@code [D * numLayers, H]} unbatched), index {@code layer * D + direction}
 */
public record RecurrentOutput(Tensor output, Tensor hN) {

  /** @throws NullPointerException when {@code output} or {@code hN} is null */
  public RecurrentOutput {
    checkNotNull(output, "RecurrentOutput: output is null");
    checkNotNull(hN, "RecurrentOutput: hN is null");
  }
}
