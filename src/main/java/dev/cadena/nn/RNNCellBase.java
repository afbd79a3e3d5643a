package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * What {@link RNNCell}, {@link LSTMCell} and {@link GRUCell} share (PyTorch's {@code
 * RNNCellBase}): the parameters {@code weight_ih [G*H, F]}, {@code weight_hh [G*H, H]}, {@code
 * bias_ih}, {@code bias_hh [G*H]} (G = 1, 4, 3 gates), registered under PyTorch's names, all
 * drawn from {@code U(-1/sqrt(H), 1/sqrt(H))}.
 */
public abstract class RNNCellBase extends Module {
  private final int inputSize;
  private final int hiddenSize;
  private final Tensor weightIh;
  private final Tensor weightHh;
  private final @Nullable Tensor biasIh;
  private final @Nullable Tensor biasHh;

  RNNCellBase(String op, int gates, int inputSize, int hiddenSize, boolean bias, DType dtype,
      RandomGenerator rng) {
    this.inputSize = Checks.positiveSize(op, "input_size", inputSize);
    this.hiddenSize = Checks.positiveSize(op, "hidden_size", hiddenSize);
    Recurrent.floatingDType(op, dtype);
    int rows = gateRows(op, gates, hiddenSize);
    weightIh = registerParameter("weight_ih", Tensor.zeros(dtype, rows, inputSize));
    weightHh = registerParameter("weight_hh", Tensor.zeros(dtype, rows, hiddenSize));
    biasIh = bias ? registerParameter("bias_ih", Tensor.zeros(dtype, rows)) : null;
    biasHh = bias ? registerParameter("bias_hh", Tensor.zeros(dtype, rows)) : null;
    resetParameters(rng);
  }

  /** {@code gates * hidden}, or an error naming both when it overflows an int. */
  static int gateRows(String op, int gates, int hidden) {
    long rows = (long) gates * hidden;
    if (rows > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          op + ": hidden_size " + hidden + " is too large: " + gates + " gates * " + hidden
              + " rows overflow an int");
    }
    return (int) rows;
  }

  /**
   * Redraws every weight and bias from {@code U(-1/sqrt(H), 1/sqrt(H))}, PyTorch's default.
   *
   * @throws NullPointerException when {@code rng} is null
   */
  public final void resetParameters(RandomGenerator rng) {
    checkNotNull(
        rng, "%s: rng is null (pass a seeded generator, e.g. new SplittableRandom(42))",
        getClass().getSimpleName());
    List<Tensor> all = new ArrayList<>(List.of(weightIh, weightHh));
    if (biasIh != null) {
      all.add(biasIh);
      all.add(biasHh);
    }
    Recurrent.initUniform(all, hiddenSize, rng);
  }

  /** Size of each input sample, F. */
  public final int inputSize() {
    return inputSize;
  }

  /** Size of the hidden state, H. */
  public final int hiddenSize() {
    return hiddenSize;
  }

  /** {@code weight_ih}, {@code [G*H, F]}. */
  public final Tensor weightIh() {
    return weightIh;
  }

  /** {@code weight_hh}, {@code [G*H, H]}. */
  public final Tensor weightHh() {
    return weightHh;
  }

  /** {@code bias_ih}, {@code [G*H]}, or null without bias. */
  public final @Nullable Tensor biasIh() {
    return biasIh;
  }

  /** {@code bias_hh}, {@code [G*H]}, or null without bias. */
  public final @Nullable Tensor biasHh() {
    return biasHh;
  }

  @Override
  protected String extraRepr() {
    return inputSize + ", " + hiddenSize + (biasIh == null ? ", bias=false" : "");
  }
}
