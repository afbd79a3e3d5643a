package dev.cadena.nn;

import dev.cadena.Tensor;
import dev.cadena.ops.LinearAlgebra;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.ShapeException;
import dev.cadena.tensor.Shapes;
import java.util.random.RandomGenerator;

/**
 * The gate equations of the recurrent cells, shared by {@link Functional}'s cell functions, the
 * cell modules and the sequence modules, and their argument checks. Each step is a composition of
 * generic ops ({@code linear}, {@code slice}, {@code sigmoid}, {@code tanh}, {@code mul}, {@code
 * add}); backpropagation through time is the engine's ordinary backward pass over the unrolled
 * graph.
 *
 * <p>Weights are in PyTorch's layout, {@code [gates * H, in]}; the steps take them transposed
 * ({@code [in, gates * H]}, a view) so that {@code x @ w^T + b} is one {@code linear} node.
 */
final class Recurrent {
  private Recurrent() {}

  /** The cell kinds, with their number of gates (rows of the weights, in units of H). */
  enum Mode {
    RNN_TANH("RNN", 1), RNN_RELU("RNN", 1), LSTM("LSTM", 4), GRU("GRU", 3);

    final String name;
    final int gates;

    Mode(String name, int gates) {
      this.name = name;
      this.gates = gates;
    }
  }

  /** {@code x @ wT + b} over the last axis; b may be null. */
  static Tensor project(Tensor x, Tensor wT, Tensor b) {
    return LinearAlgebra.linear(x, wT, b, false);
  }

  /** {@code act(gi + h @ W_hh^T + b_hh)}, gi the input projection {@code x @ W_ih^T + b_ih}. */
  static Tensor rnnStep(Tensor gi, Tensor h, Tensor wHhT, Tensor bHh, boolean relu) {
    Tensor pre = gi.add(project(h, wHhT, bHh));
    return relu ? pre.relu() : pre.tanh();
  }

  /**
   * PyTorch's LSTM, gates in the order i, f, g, o:
   *
   * <pre>
   *   i = sigmoid(W_ii x + b_ii + W_hi h + b_hi)     f = sigmoid(W_if x + b_if + W_hf h + b_hf)
   *   g = tanh(W_ig x + b_ig + W_hg h + b_hg)        o = sigmoid(W_io x + b_io + W_ho h + b_ho)
   *   c' = f * c + i * g                             h' = o * tanh(c')
   * </pre>
   */
  static Tensor[] lstmStep(Tensor gi, Tensor h, Tensor c, Tensor wHhT, Tensor bHh) {
    int hidden = h.size(-1);
    int last = gi.rank() - 1;
    Tensor gates = gi.add(project(h, wHhT, bHh));
    Tensor i = gates.slice(last, 0, hidden).sigmoid();
    Tensor f = gates.slice(last, hidden, 2 * hidden).sigmoid();
    Tensor g = gates.slice(last, 2 * hidden, 3 * hidden).tanh();
    Tensor o = gates.slice(last, 3 * hidden, 4 * hidden).sigmoid();
    Tensor c2 = f.mul(c).add(i.mul(g));
    return new Tensor[] {o.mul(c2.tanh()), c2};
  }

  /**
   * PyTorch's GRU, gates in the order r, z, n (the reset gate multiplies the recurrent part of n
   * after its bias, as PyTorch and cuDNN do):
   *
   * <pre>
   *   r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)     z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
   *   n = tanh(W_in x + b_in + r * (W_hn h + b_hn))  h' = (1 - z) * n + z * h
   * </pre>
   */
  static Tensor gruStep(Tensor gi, Tensor h, Tensor wHhT, Tensor bHh) {
    int hidden = h.size(-1);
    int last = gi.rank() - 1;
    Tensor gh = project(h, wHhT, bHh);
    Tensor r = gi.slice(last, 0, hidden).add(gh.slice(last, 0, hidden)).sigmoid();
    Tensor z = gi.slice(last, hidden, 2 * hidden).add(gh.slice(last, hidden, 2 * hidden)).sigmoid();
    Tensor n = gi.slice(last, 2 * hidden, 3 * hidden)
        .add(r.mul(gh.slice(last, 2 * hidden, 3 * hidden))).tanh();
    return z.rsub(1.0).mul(n).add(z.mul(h));
  }

  // ------------------------------------------------------------------ checks

  /**
   * Checks the weights of one cell, {@code w_ih [G*H, F]}, {@code w_hh [G*H, H]}, biases {@code
   * [G*H]} or null, and returns H.
   */
  static int checkWeights(String op, int gates, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
    Checks.floating(op, "weight_ih", wIh);
    Checks.floating(op, "weight_hh", wHh);
    if (wHh.rank() != 2 || wHh.size(0) != gates * wHh.size(1) || wHh.size(1) == 0) {
      throw new ShapeException(
          op + ": weight_hh must have shape [" + gates + " * hidden, hidden], got "
              + Shapes.str(wHh.shape()));
    }
    int hidden = wHh.size(1);
    if (wIh.rank() != 2 || wIh.size(0) != gates * hidden) {
      throw new ShapeException(
          op + ": weight_ih must have shape [" + (gates * hidden) + ", input_size] (" + gates
              + " * hidden " + hidden + " rows), got " + Shapes.str(wIh.shape()));
    }
    checkBias(op, "bias_ih", bIh, gates * hidden);
    checkBias(op, "bias_hh", bHh, gates * hidden);
    return hidden;
  }

  private static void checkBias(String op, String what, Tensor b, int size) {
    if (b == null) {
      return;
    }
    Checks.floating(op, what, b);
    if (b.rank() != 1 || b.size(0) != size) {
      throw new ShapeException(
          op + ": " + what + " must have shape [" + size + "], got " + Shapes.str(b.shape()));
    }
  }

  /** A cell's input: {@code [B, F]} or unbatched {@code [F]}, F = inputSize. */
  static void checkCellInput(String op, Tensor x, int inputSize) {
    Checks.floating(op, "input", x);
    if (x.rank() != 1 && x.rank() != 2) {
      throw new ShapeException(
          op + ": input must be 1-d [input_size] (unbatched) or 2-d [batch, input_size], got shape "
              + Shapes.str(x.shape()));
    }
    if (x.size(-1) != inputSize) {
      throw new ShapeException(
          op + ": input has " + x.size(-1) + " features, expected " + inputSize + " (input shape "
              + Shapes.str(x.shape()) + ")");
    }
  }

  /** A cell's state: {@code [B, H]} for a 2-d input {@code [B, F]}, {@code [H]} for a 1-d one. */
  static void checkCellState(String op, String what, Tensor s, Tensor x, int hidden) {
    Checks.floating(op, what, s);
    int[] expected = x.rank() == 2 ? new int[] {x.size(0), hidden} : new int[] {hidden};
    if (!java.util.Arrays.equals(s.shape(), expected)) {
      throw new ShapeException(
          op + ": " + what + " must have shape " + Shapes.str(expected) + " for input shape "
              + Shapes.str(x.shape()) + ", got " + Shapes.str(s.shape()));
    }
  }

  /** A zero state for a cell input. */
  static Tensor zeroState(Tensor x, int hidden) {
    return x.rank() == 2 ? Tensor.zeros(x.dtype(), x.size(0), hidden) : Tensor.zeros(x.dtype(), hidden);
  }

  /** PyTorch's init of every recurrent weight and bias: {@code U(-1/sqrt(H), 1/sqrt(H))}. */
  static void initUniform(Iterable<Tensor> params, int hidden, RandomGenerator rng) {
    double k = 1.0 / Math.sqrt(hidden);
    for (Tensor p : params) {
      Init.uniform(p, -k, k, rng);
    }
  }

  /** The checked dtype of a recurrent layer's parameters. */
  static DType floatingDType(String op, DType dtype) {
    if (!dtype.isFloatingPoint()) {
      throw new IllegalArgumentException(op + ": dtype must be float32 or float64, got " + dtype);
    }
    return dtype;
  }
}
