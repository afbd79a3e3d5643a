package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.autograd.Anomaly;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.ShapeException;
import dev.cadena.tensor.Shapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * What {@link RNN}, {@link LSTM} and {@link GRU} share (PyTorch's {@code RNNBase}): a stack of
 * {@code numLayers} recurrent layers, each optionally bidirectional, unrolled over the sequence.
 * Every step is a composition of generic ops (see {@link Functional#lstmCell} and its siblings),
 * so backpropagation through time is the engine's ordinary backward pass over the unrolled graph;
 * nothing here writes a gradient.
 *
 * <p><b>Parameters</b>, registered under PyTorch's names in PyTorch's order, for layer {@code k}
 * and each direction ({@code _reverse} for the backward one): {@code weight_ih_l{k}} {@code [G*H,
 * F_k]} ({@code F_0 = inputSize}, {@code F_k = D * H} above), {@code weight_hh_l{k}} {@code [G*H,
 * H]}, {@code bias_ih_l{k}}, {@code bias_hh_l{k}} {@code [G*H]}, with G = 1 (RNN), 4 (LSTM, gates
 * i, f, g, o) or 3 (GRU, gates r, z, n); all drawn from {@code U(-1/sqrt(H), 1/sqrt(H))}.
 *
 * <p><b>Shapes</b> (D = 2 when bidirectional, else 1): input {@code [T, B, F]}, {@code [B, T, F]}
 * with {@code batchFirst}, or unbatched {@code [T, F]}; output {@code [T, B, D*H]} (resp. {@code
 * [B, T, D*H]}, {@code [T, D*H]}); states {@code [D*numLayers, B, H]} (unbatched {@code
 * [D*numLayers, H]}, and never batch-first, as in PyTorch), index {@code layer * D + direction}.
 *
 * <p><b>Dropout</b> {@code p} is applied to the output of every layer but the last, in training
 * mode only, with masks drawn from the generator given to the constructor.
 *
 * <p><b>Per-step states.</b> After {@link #retainStepGrads(boolean) retainStepGrads(true)}, each
 * forward keeps the top layer's hidden state at every step (forward direction) and asks backward
 * to keep their gradients, so {@link dev.cadena.diagnostics.GradientMonitor#stepGradNorms} can
 * report {@code ||dL/dh_t||} for every {@code t}.
 */
public abstract class RNNBase extends Module {
  private final Recurrent.Mode mode;
  private final int inputSize;
  private final int hiddenSize;
  private final int numLayers;
  private final boolean bias;
  private final boolean batchFirst;
  private final double dropout;
  private final boolean bidirectional;
  private final @Nullable RandomGenerator dropoutRng;
  /** Per layer and direction (index layer * D + direction): w_ih, w_hh, b_ih, b_hh (or nulls). */
  private final List<Tensor[]> weights = new ArrayList<>();
  private boolean retainStepGrads;
  private List<Tensor> stepStates = List.of();

  RNNBase(Recurrent.Mode mode, int inputSize, int hiddenSize, int numLayers, boolean bias,
      boolean batchFirst, double dropout, boolean bidirectional, DType dtype, RandomGenerator rng) {
    String op = mode.name;
    this.mode = mode;
    this.inputSize = Checks.positiveSize(op, "input_size", inputSize);
    this.hiddenSize = Checks.positiveSize(op, "hidden_size", hiddenSize);
    this.numLayers = Checks.positiveSize(op, "num_layers", numLayers);
    if (numLayers > MAX_LAYERS) {
      throw new IllegalArgumentException(
          op + ": num_layers must be at most " + MAX_LAYERS + ", got " + numLayers);
    }
    this.dropout = Checks.inRange(op, "dropout", dropout, 0.0, 1.0, false);
    Recurrent.floatingDType(op, dtype);
    this.bias = bias;
    this.batchFirst = batchFirst;
    this.bidirectional = bidirectional;
    this.dropoutRng = dropout > 0 ? rng : null;
    int rows = RNNCellBase.gateRows(op, mode.gates, hiddenSize);
    int directions = bidirectional ? 2 : 1;
    int upperInput = RNNCellBase.gateRows(op, directions, hiddenSize);
    checkParameterCount(op, rows, inputSize, upperInput, hiddenSize, numLayers, directions, bias);
    for (int layer = 0; layer < numLayers; layer++) {
      for (int dir = 0; dir < directions; dir++) {
        String suffix = "_l" + layer + (dir == 1 ? "_reverse" : "");
        int in = layer == 0 ? inputSize : upperInput;
        Tensor[] w = new Tensor[4];
        w[0] = registerParameter("weight_ih" + suffix, Tensor.zeros(dtype, rows, in));
        w[1] = registerParameter("weight_hh" + suffix, Tensor.zeros(dtype, rows, hiddenSize));
        if (bias) {
          w[2] = registerParameter("bias_ih" + suffix, Tensor.zeros(dtype, rows));
          w[3] = registerParameter("bias_hh" + suffix, Tensor.zeros(dtype, rows));
        }
        weights.add(w);
      }
    }
    resetParameters(rng);
  }

  /**
   * The most layers a stack may have. PyTorch has no limit; here each layer is unrolled into the
   * graph at every step, and thousands of layers would take seconds just to allocate: a larger
   * count is taken for a mistake (a swapped argument).
   */
  public static final int MAX_LAYERS = 1024;

  /** Rejects a stack whose parameters, counted in long, exceed what tensors can hold. */
  private static void checkParameterCount(String op, int rows, int inputSize, int upperInput,
      int hidden, int layers, int directions, boolean bias) {
    long total;
    try {
      long perUpper = Math.addExact(Math.multiplyExact((long) rows, (long) upperInput + hidden),
          bias ? 2L * rows : 0);
      long first = Math.addExact(Math.multiplyExact((long) rows, (long) inputSize + hidden),
          bias ? 2L * rows : 0);
      total = Math.multiplyExact(directions,
          Math.addExact(first, Math.multiplyExact(layers - 1L, perUpper)));
    } catch (ArithmeticException e) {
      total = Long.MAX_VALUE; // more than any tensor can hold
    }
    if (total > dev.cadena.tensor.Shapes.MAX_ELEMENTS) {
      throw new IllegalArgumentException(
          op + ": input_size " + inputSize + ", hidden_size " + hidden + ", num_layers " + layers
              + " need " + (total == Long.MAX_VALUE ? "more than 2^63" : Long.toString(total))
              + " parameters, more than the " + dev.cadena.tensor.Shapes.MAX_ELEMENTS
              + " a tensor can hold");
    }
  }

  /**
   * Redraws every weight and bias from {@code U(-1/sqrt(H), 1/sqrt(H))}, PyTorch's default, in
   * registration order.
   *
   * @throws NullPointerException when {@code rng} is null
   */
  public final void resetParameters(RandomGenerator rng) {
    checkNotNull(
        rng, "%s: rng is null (pass a seeded generator, e.g. new SplittableRandom(42))", mode.name);
    Recurrent.initUniform(parameters(), hiddenSize, rng);
  }

  /**
   * Keeps, from the next forward on, the top layer's hidden state {@code h_t} of every step
   * (forward direction), with {@code retainGrad()} so that backward stores {@code dL/dh_t} in
   * their {@code grad()}; see {@link #stepStates()}. Off by default (it holds T more gradients).
   * Returns this.
   */
  public final RNNBase retainStepGrads(boolean on) {
    retainStepGrads = on;
    if (!on) {
      stepStates = List.of();
    }
    return this;
  }

  /**
   * The top layer's hidden states {@code h_0 ... h_{T-1}} of the last forward (forward direction;
   * each {@code [B, H]}, or {@code [H]} unbatched) when {@link #retainStepGrads(boolean)} is on,
   * else empty. After {@code backward()} each {@code grad()} is the total derivative {@code
   * dL/dh_t}, through the output at t and through every later step.
   */
  public final List<Tensor> stepStates() {
    return stepStates;
  }

  /**
   * Runs the layers over the sequence; returns {@code {output, hN, cN}} (cN null but for LSTM).
   */
  final Tensor[] run(Tensor input, @Nullable Tensor h0, @Nullable Tensor c0) {
    // The first layer's weights fix the input size; the others are named by the message.
    Tensor[] first = weights.get(0);
    try (var o = Anomaly.operands(mode.name, "input", input, "h0", h0, "c0", c0,
        "weight_ih_l0", first[0], "weight_hh_l0", first[1])) {
      return checkedRun(input, h0, c0);
    }
  }

  private Tensor[] checkedRun(Tensor input, @Nullable Tensor h0, @Nullable Tensor c0) {
    String op = mode.name;
    Checks.floating(op, "input", input);
    if (input.rank() != 2 && input.rank() != 3) {
      throw new ShapeException(
          op + ": input must be 2-d [T, input_size] (unbatched) or 3-d "
              + (batchFirst ? "[B, T, input_size] (batch_first)" : "[T, B, input_size]")
              + ", got shape " + Shapes.str(input.shape()));
    }
    if (input.size(-1) != inputSize) {
      throw new ShapeException(
          op + ": input has " + input.size(-1) + " features, expected " + inputSize
              + " (input shape " + Shapes.str(input.shape()) + ")");
    }
    boolean batched = input.rank() == 3;
    // Sequence-first; an unbatched input stays unbatched ([F] per step, [H] states).
    Tensor x = batched && batchFirst ? input.transpose(0, 1) : input;
    int steps = x.size(0);
    int batch = batched ? x.size(1) : 1;
    if (steps == 0) {
      throw new ShapeException(
          op + ": the sequence is empty (input shape " + Shapes.str(input.shape()) + ")");
    }
    int directions = bidirectional ? 2 : 1;
    int[] stateShape = batched
        ? new int[] {directions * numLayers, batch, hiddenSize}
        : new int[] {directions * numLayers, hiddenSize};
    Tensor h0b = initialState(op, "h0", h0, stateShape, batched, x.dtype());
    Tensor c0b = mode == Recurrent.Mode.LSTM
        ? initialState(op, "c0", c0, stateShape, batched, x.dtype()) : null;

    List<Tensor> layerInput = new ArrayList<>(steps);
    for (int t = 0; t < steps; t++) {
      layerInput.add(x.select(0, t));
    }
    List<Tensor> hN = new ArrayList<>();
    List<Tensor> cN = new ArrayList<>();
    List<Tensor> retained = new ArrayList<>();
    for (int layer = 0; layer < numLayers; layer++) {
      Tensor[][] outs = new Tensor[directions][steps];
      for (int dir = 0; dir < directions; dir++) {
        int index = layer * directions + dir;
        Tensor[] w = weights.get(index);
        Tensor wIhT = w[0].t();
        Tensor wHhT = w[1].t();
        Tensor h = h0b.select(0, index);
        Tensor c = c0b == null ? null : c0b.select(0, index);
        boolean keep = retainStepGrads && layer == numLayers - 1 && dir == 0;
        for (int s = 0; s < steps; s++) {
          int t = dir == 0 ? s : steps - 1 - s;
          Tensor gi = Recurrent.project(layerInput.get(t), wIhT, w[2]);
          switch (mode) {
            case RNN_TANH -> h = Recurrent.rnnStep(gi, h, wHhT, w[3], false);
            case RNN_RELU -> h = Recurrent.rnnStep(gi, h, wHhT, w[3], true);
            case GRU -> h = Recurrent.gruStep(gi, h, wHhT, w[3]);
            case LSTM -> {
              Tensor[] hc = Recurrent.lstmStep(gi, h, c, wHhT, w[3]);
              h = hc[0];
              c = hc[1];
            }
          }
          outs[dir][t] = h;
          if (keep) {
            if (h.requiresGrad()) {
              h.retainGrad();
            }
            retained.add(h);
          }
        }
        hN.add(h);
        cN.add(c);
      }
      boolean dropHere = dropout > 0 && isTraining() && layer < numLayers - 1;
      List<Tensor> next = new ArrayList<>(steps);
      for (int t = 0; t < steps; t++) {
        Tensor o = directions == 1
            ? outs[0][t] : Tensor.concat(List.of(outs[0][t], outs[1][t]), outs[0][t].rank() - 1);
        next.add(dropHere ? Functional.dropout(o, dropout, true, dropoutRng) : o);
      }
      layerInput = next;
    }
    stepStates = retainStepGrads ? Collections.unmodifiableList(retained) : List.of();
    Tensor output = Tensor.stack(layerInput, 0);
    Tensor hOut = Tensor.stack(hN, 0);
    Tensor cOut = c0b == null ? null : Tensor.stack(cN, 0);
    if (batched && batchFirst) {
      output = output.transpose(0, 1);
    }
    return new Tensor[] {output, hOut, cOut};
  }

  private Tensor initialState(String op, String what, @Nullable Tensor s, int[] shape,
      boolean batched, DType dtype) {
    if (s == null) {
      return Tensor.zeros(dtype, shape);
    }
    Checks.floating(op, what, s);
    if (!Arrays.equals(s.shape(), shape)) {
      throw new ShapeException(
          op + ": " + what + " must have shape " + Shapes.str(shape) + " ([num_layers * "
              + "directions, " + (batched ? "batch, " : "") + "hidden_size]), got "
              + Shapes.str(s.shape()));
    }
    return s;
  }

  /** Size of each input step, F. */
  public final int inputSize() {
    return inputSize;
  }

  /** Size of the hidden state, H. */
  public final int hiddenSize() {
    return hiddenSize;
  }

  /** Number of stacked layers. */
  public final int numLayers() {
    return numLayers;
  }

  /** Whether the layers have biases. */
  public final boolean hasBias() {
    return bias;
  }

  /** Whether inputs and outputs are {@code [B, T, *]} (states never are). */
  public final boolean batchFirst() {
    return batchFirst;
  }

  /** The dropout probability between layers. */
  public final double dropout() {
    return dropout;
  }

  /** Whether each layer also runs from the last step to the first. */
  public final boolean bidirectional() {
    return bidirectional;
  }

  /** PyTorch's {@code extra_repr}: {@code 10, 20, num_layers=2}, defaults left out. */
  @Override
  protected String extraRepr() {
    StringBuilder sb = new StringBuilder().append(inputSize).append(", ").append(hiddenSize);
    if (numLayers != 1) {
      sb.append(", num_layers=").append(numLayers);
    }
    if (mode == Recurrent.Mode.RNN_RELU) {
      sb.append(", nonlinearity=relu");
    }
    if (!bias) {
      sb.append(", bias=false");
    }
    if (batchFirst) {
      sb.append(", batch_first=true");
    }
    if (dropout != 0) {
      sb.append(", dropout=").append(dropout);
    }
    if (bidirectional) {
      sb.append(", bidirectional=true");
    }
    return sb.toString();
  }
}
