package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;

/**
 * Merges axes {@code startDim} to {@code endDim} (inclusive) into one (PyTorch's {@code
 * Flatten}); a reshape, usually between the convolutional part of a network and its linear
 * part. No parameters.
 *
 * <p><b>Args:</b> {@code startDim} (default 1, keeping the batch axis), {@code endDim} (default
 * -1); negative axes count from the end.
 *
 * <p><b>Shape:</b> {@code [N, C, H, W]} to {@code [N, C * H * W]} with the defaults.
 *
 * <p><b>Example:</b>
 *
 * <pre>{@code
 * new Flatten().forward(Tensor.zeros(32, 16, 4, 4)).shape();   // [32, 256]
 * System.out.println(new Flatten());                           // Flatten(start_dim=1, end_dim=-1)
 * }</pre>
 */
public class Flatten extends Module {
  private final int startDim;
  private final int endDim;

  /** Axes 1 to -1. */
  public Flatten() {
    this(1, -1);
  }

  /** Axes {@code startDim} to {@code endDim}. */
  public Flatten(int startDim, int endDim) {
    this.startDim = startDim;
    this.endDim = endDim;
  }

  /**
   * {@code x.flatten(startDim, endDim)}.
   *
   * @throws IllegalArgumentException when an axis is out of range for the input
   */
  @Override
  public Tensor forward(Tensor x) {
    checkNotNull(x, "Flatten: input is null");
    return x.flatten(startDim, endDim);
  }

  @Override
  protected String extraRepr() {
    return "start_dim=" + startDim + ", end_dim=" + endDim;
  }
}
