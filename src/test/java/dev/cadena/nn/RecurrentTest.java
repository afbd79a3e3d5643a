package dev.cadena.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.autograd.GradCheck;
import dev.cadena.diagnostics.GradientMonitor;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.DTypeException;
import dev.cadena.tensor.ShapeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The recurrent cells and layers against a plain-double reference of PyTorch's documented
 * equations (written from the documentation, gate by gate, without tensor ops), gradient checks
 * (first and second order, through time) at T=3, B=2, F=3, H=2, the layout options
 * (batchFirst, unbatched, initial states, bidirectional, dropout), per-step gradient norms and
 * the error messages.
 */
class RecurrentTest {
  private static final double TOL = 1e-12;

  // ================================================================== plain-double reference

  private static double sigmoid(double v) {
    return 1 / (1 + Math.exp(-v));
  }

  /** Row {@code gate * H + j} of {@code w} times {@code x}, plus the bias entry (0 when null). */
  private static double row(double[][] w, double[] b, int r, double[] x) {
    double s = b == null ? 0 : b[r];
    for (int k = 0; k < x.length; k++) {
      s += w[r][k] * x[k];
    }
    return s;
  }

  /** One cell's weights as plain arrays. */
  record Weights(double[][] wIh, double[][] wHh, double[] bIh, double[] bHh) {
    static Weights of(Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
      return new Weights(matrix(wIh), matrix(wHh), bIh == null ? null : bIh.toDoubleArray(),
          bHh == null ? null : bHh.toDoubleArray());
    }
  }

  /** h' = act(W_ih x + b_ih + W_hh h + b_hh). */
  static double[] refRnn(double[] x, double[] h, Weights w, boolean relu) {
    double[] out = new double[h.length];
    for (int j = 0; j < h.length; j++) {
      double pre = row(w.wIh, w.bIh, j, x) + row(w.wHh, w.bHh, j, h);
      out[j] = relu ? Math.max(pre, 0) : Math.tanh(pre);
    }
    return out;
  }

  /** PyTorch's LSTM equations, gates i, f, g, o; returns {h', c'}. */
  static double[][] refLstm(double[] x, double[] h, double[] c, Weights w) {
    int n = h.length;
    double[] h2 = new double[n];
    double[] c2 = new double[n];
    for (int j = 0; j < n; j++) {
      double i = sigmoid(row(w.wIh, w.bIh, j, x) + row(w.wHh, w.bHh, j, h));
      double f = sigmoid(row(w.wIh, w.bIh, n + j, x) + row(w.wHh, w.bHh, n + j, h));
      double g = Math.tanh(row(w.wIh, w.bIh, 2 * n + j, x) + row(w.wHh, w.bHh, 2 * n + j, h));
      double o = sigmoid(row(w.wIh, w.bIh, 3 * n + j, x) + row(w.wHh, w.bHh, 3 * n + j, h));
      c2[j] = f * c[j] + i * g;
      h2[j] = o * Math.tanh(c2[j]);
    }
    return new double[][] {h2, c2};
  }

  /** PyTorch's GRU equations, gates r, z, n. */
  static double[] refGru(double[] x, double[] h, Weights w) {
    int n = h.length;
    double[] out = new double[n];
    for (int j = 0; j < n; j++) {
      double r = sigmoid(row(w.wIh, w.bIh, j, x) + row(w.wHh, w.bHh, j, h));
      double z = sigmoid(row(w.wIh, w.bIh, n + j, x) + row(w.wHh, w.bHh, n + j, h));
      double nn = Math.tanh(row(w.wIh, w.bIh, 2 * n + j, x) + r * row(w.wHh, w.bHh, 2 * n + j, h));
      out[j] = (1 - z) * nn + z * h[j];
    }
    return out;
  }

  enum Kind { RNN_TANH, RNN_RELU, LSTM, GRU }

  /**
   * A whole stack for one sample: {@code x[t][f]}, states {@code h0[layer * D + dir][j]}; returns
   * {output [T][D*H], hN, cN}. Written from PyTorch's description of multi-layer, bidirectional
   * RNNs: the reverse direction reads the sequence backwards, the layer above reads both
   * directions concatenated.
   */
  static double[][][] refStack(Kind kind, Map<String, Tensor> params, int layers, boolean bidi,
      double[][] x, double[][] h0, double[][] c0) {
    int d = bidi ? 2 : 1;
    int steps = x.length;
    double[][] in = x;
    double[][] hN = new double[layers * d][];
    double[][] cN = new double[layers * d][];
    for (int layer = 0; layer < layers; layer++) {
      double[][][] outs = new double[d][steps][];
      for (int dir = 0; dir < d; dir++) {
        String sfx = "_l" + layer + (dir == 1 ? "_reverse" : "");
        Weights w = Weights.of(params.get("weight_ih" + sfx), params.get("weight_hh" + sfx),
            params.get("bias_ih" + sfx), params.get("bias_hh" + sfx));
        double[] h = h0[layer * d + dir];
        double[] c = c0 == null ? null : c0[layer * d + dir];
        for (int s = 0; s < steps; s++) {
          int t = dir == 0 ? s : steps - 1 - s;
          switch (kind) {
            case RNN_TANH -> h = refRnn(in[t], h, w, false);
            case RNN_RELU -> h = refRnn(in[t], h, w, true);
            case GRU -> h = refGru(in[t], h, w);
            case LSTM -> {
              double[][] hc = refLstm(in[t], h, c, w);
              h = hc[0];
              c = hc[1];
            }
          }
          outs[dir][t] = h;
        }
        hN[layer * d + dir] = h;
        cN[layer * d + dir] = c;
      }
      double[][] next = new double[steps][];
      for (int t = 0; t < steps; t++) {
        next[t] = d == 1 ? outs[0][t] : concat(outs[0][t], outs[1][t]);
      }
      in = next;
    }
    return new double[][][] {in, hN, cN};
  }

  private static double[] concat(double[] a, double[] b) {
    double[] r = new double[a.length + b.length];
    System.arraycopy(a, 0, r, 0, a.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  static double[][] matrix(Tensor t) {
    int rows = t.size(0);
    int cols = t.size(1);
    double[] v = t.toDoubleArray();
    double[][] m = new double[rows][cols];
    for (int i = 0; i < rows; i++) {
      System.arraycopy(v, i * cols, m[i], 0, cols);
    }
    return m;
  }

  private static void assertValues(double[] expected, Tensor actual, String what) {
    double[] a = actual.toDoubleArray();
    assertEquals(expected.length, a.length, what + ": size");
    for (int i = 0; i < a.length; i++) {
      assertEquals(expected[i], a[i], TOL, what + "[" + i + "]");
    }
  }

  private static double[] flat(double[][] rows) {
    List<Double> out = new ArrayList<>();
    for (double[] r : rows) {
      for (double v : r) {
        out.add(v);
      }
    }
    return out.stream().mapToDouble(Double::doubleValue).toArray();
  }

  // ================================================================== cells

  @Test
  void cells_matchTheDocumentedEquations_batchedAndUnbatched() {
    SplittableRandom rng = new SplittableRandom(1);
    Tensor x = Tensor.randn(rng, 2, 3);
    Tensor h = Tensor.randn(rng, 2, 2);
    Tensor c = Tensor.randn(rng, 2, 2);
    for (boolean bias : new boolean[] {true, false}) {
      RNNCell tanh = new RNNCell(3, 2, bias, RNN.Nonlinearity.TANH, DType.FLOAT64, rng);
      RNNCell relu = new RNNCell(3, 2, bias, RNN.Nonlinearity.RELU, DType.FLOAT64, rng);
      LSTMCell lstm = new LSTMCell(3, 2, bias, DType.FLOAT64, rng);
      GRUCell gru = new GRUCell(3, 2, bias, DType.FLOAT64, rng);
      for (int b = 0; b < 2; b++) {
        double[] xb = x.select(0, b).toDoubleArray();
        double[] hb = h.select(0, b).toDoubleArray();
        double[] cb = c.select(0, b).toDoubleArray();
        String tag = "bias " + bias + " sample " + b;
        assertValues(refRnn(xb, hb, weights(tanh), false), tanh.forward(x, h).select(0, b), "RNNCell tanh " + tag);
        assertValues(refRnn(xb, hb, weights(relu), true), relu.forward(x, h).select(0, b), "RNNCell relu " + tag);
        double[][] hc = refLstm(xb, hb, cb, weights(lstm));
        LSTMState s = lstm.forward(x, new LSTMState(h, c));
        assertValues(hc[0], s.h().select(0, b), "LSTMCell h " + tag);
        assertValues(hc[1], s.c().select(0, b), "LSTMCell c " + tag);
        assertValues(refGru(xb, hb, weights(gru)), gru.forward(x, h).select(0, b), "GRUCell " + tag);
        // Unbatched [F] with state [H]: the same numbers.
        Tensor x1 = x.select(0, b);
        Tensor h1 = h.select(0, b);
        assertValues(refGru(xb, hb, weights(gru)), gru.forward(x1, h1), "GRUCell unbatched " + tag);
        assertValues(hc[1], lstm.forward(x1, new LSTMState(h1, c.select(0, b))).c(), "LSTMCell unbatched " + tag);
      }
      // A missing state is zeros.
      double[] zero = new double[2];
      assertValues(refGru(x.select(0, 1).toDoubleArray(), zero, weights(gru)),
          gru.forward(x).select(0, 1), "GRUCell zero state");
      assertValues(refLstm(x.select(0, 0).toDoubleArray(), zero, zero, weights(lstm))[0],
          lstm.forward(x).select(0, 0), "LSTMCell zero state");
    }
  }

  @Test
  void functionalCells_equalTheModules() {
    SplittableRandom rng = new SplittableRandom(2);
    Tensor x = Tensor.randn(rng, 2, 3);
    Tensor h = Tensor.randn(rng, 2, 2);
    Tensor c = Tensor.randn(rng, 2, 2);
    RNNCell rnn = new RNNCell(3, 2, true, RNN.Nonlinearity.RELU, DType.FLOAT64, rng);
    LSTMCell lstm = new LSTMCell(3, 2, rng);
    GRUCell gru = new GRUCell(3, 2, false, DType.FLOAT64, rng);
    assertTrue(Functional.rnnCell(x, h, rnn.weightIh(), rnn.weightHh(), rnn.biasIh(), rnn.biasHh(),
        RNN.Nonlinearity.RELU).allClose(rnn.forward(x, h), 0, 0));
    LSTMState s = Functional.lstmCell(x, new LSTMState(h, c), lstm.weightIh(), lstm.weightHh(),
        lstm.biasIh(), lstm.biasHh());
    LSTMState m = lstm.forward(x, new LSTMState(h, c));
    assertTrue(s.h().allClose(m.h(), 0, 0) && s.c().allClose(m.c(), 0, 0));
    assertTrue(Functional.gruCell(x, h, gru.weightIh(), gru.weightHh(), null, null)
        .allClose(gru.forward(x, h), 0, 0));
  }

  private static Weights weights(RNNCellBase cell) {
    return Weights.of(cell.weightIh(), cell.weightHh(), cell.biasIh(), cell.biasHh());
  }

  // ================================================================== sequence layers

  private static RNNBase stack(Kind kind, int layers, boolean bias, boolean batchFirst,
      boolean bidi, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    return switch (kind) {
      case RNN_TANH -> new RNN(3, 2, layers, RNN.Nonlinearity.TANH, bias, batchFirst, 0.0, bidi, rng);
      case RNN_RELU -> new RNN(3, 2, layers, RNN.Nonlinearity.RELU, bias, batchFirst, 0.0, bidi, rng);
      case LSTM -> new LSTM(3, 2, layers, bias, batchFirst, 0.0, bidi, rng);
      case GRU -> new GRU(3, 2, layers, bias, batchFirst, 0.0, bidi, rng);
    };
  }

  /** {output, hN, cN} of a module, with the given initial states (null: defaults). */
  private static Tensor[] run(RNNBase m, Tensor x, Tensor h0, Tensor c0) {
    if (m instanceof LSTM lstm) {
      LSTMOutput r = lstm.forward(x, h0 == null ? null : new LSTMState(h0, c0));
      return new Tensor[] {r.output(), r.hN(), r.cN()};
    }
    RecurrentOutput r = m instanceof GRU g ? g.forward(x, h0) : ((RNN) m).forward(x, h0);
    return new Tensor[] {r.output(), r.hN(), null};
  }

  @Test
  void stacks_matchTheReference_everyKind_multiLayer_bidirectional_initialStates() {
    int steps = 3;
    int batch = 2;
    for (Kind kind : Kind.values()) {
      for (boolean bidi : new boolean[] {false, true}) {
        for (boolean giveStates : new boolean[] {false, true}) {
          int layers = 2;
          int d = bidi ? 2 : 1;
          RNNBase m = stack(kind, layers, true, false, bidi, 3 + kind.ordinal());
          SplittableRandom rng = new SplittableRandom(30);
          Tensor x = Tensor.randn(rng, steps, batch, 3);
          Tensor h0 = giveStates ? Tensor.randn(rng, layers * d, batch, 2) : null;
          Tensor c0 = giveStates && kind == Kind.LSTM ? Tensor.randn(rng, layers * d, batch, 2) : null;
          Tensor[] r = run(m, x, h0, c0);
          assertArrayEquals(new int[] {steps, batch, d * 2}, r[0].shape());
          assertArrayEquals(new int[] {layers * d, batch, 2}, r[1].shape());
          for (int b = 0; b < batch; b++) {
            double[][] xb = new double[steps][];
            for (int t = 0; t < steps; t++) {
              xb[t] = x.select(0, t).select(0, b).toDoubleArray();
            }
            double[][] hb = new double[layers * d][];
            double[][] cb = kind == Kind.LSTM ? new double[layers * d][] : null;
            for (int k = 0; k < layers * d; k++) {
              hb[k] = h0 == null ? new double[2] : h0.select(0, k).select(0, b).toDoubleArray();
              if (cb != null) {
                cb[k] = c0 == null ? new double[2] : c0.select(0, k).select(0, b).toDoubleArray();
              }
            }
            double[][][] ref = refStack(kind, m.namedParameters(), layers, bidi, xb, hb, cb);
            String tag = kind + " bidirectional " + bidi + " states " + giveStates + " sample " + b;
            assertValues(flat(ref[0]), r[0].select(1, b), tag + " output");
            assertValues(flat(ref[1]), r[1].select(1, b), tag + " hN");
            if (cb != null) {
              assertValues(flat(ref[2]), r[2].select(1, b), tag + " cN");
            }
          }
        }
      }
    }
  }

  @Test
  void batchFirst_isTheTransposedLayout_statesUnchanged() {
    for (Kind kind : Kind.values()) {
      RNNBase seqFirst = stack(kind, 2, true, false, true, 40);
      RNNBase batchFirst = stack(kind, 2, true, true, true, 40);
      Tensor x = Tensor.randn(new SplittableRandom(41), 4, 2, 3);
      Tensor h0 = Tensor.randn(new SplittableRandom(42), 4, 2, 2);
      Tensor c0 = kind == Kind.LSTM ? Tensor.randn(new SplittableRandom(43), 4, 2, 2) : null;
      Tensor[] a = run(seqFirst, x, h0, c0);
      Tensor[] b = run(batchFirst, x.transpose(0, 1), h0, c0);
      assertArrayEquals(new int[] {2, 4, 4}, b[0].shape());
      assertTrue(b[0].allClose(a[0].transpose(0, 1), 0, 0), kind + " output");
      assertTrue(b[1].allClose(a[1], 0, 0), kind + " hN");
    }
  }

  @Test
  void unbatched_equalsABatchOfOne() {
    for (Kind kind : Kind.values()) {
      RNNBase m = stack(kind, 2, true, false, true, 50);
      Tensor x = Tensor.randn(new SplittableRandom(51), 3, 3);
      Tensor h0 = Tensor.randn(new SplittableRandom(52), 4, 2);
      Tensor c0 = kind == Kind.LSTM ? Tensor.randn(new SplittableRandom(53), 4, 2) : null;
      Tensor[] one = run(m, x, h0, c0);
      Tensor[] batched = run(m, x.unsqueeze(1), h0.unsqueeze(1), c0 == null ? null : c0.unsqueeze(1));
      assertArrayEquals(new int[] {3, 4}, one[0].shape());
      assertArrayEquals(new int[] {4, 2}, one[1].shape());
      assertTrue(one[0].allClose(batched[0].squeeze(1), 0, 0), kind + " output");
      assertTrue(one[1].allClose(batched[1].squeeze(1), 0, 0), kind + " hN");
      if (c0 != null) {
        assertTrue(one[2].allClose(batched[2].squeeze(1), 0, 0), kind + " cN");
      }
    }
  }

  @Test
  void forwardOfOneTensor_isTheOutput_andFitsInASequential() {
    SplittableRandom rng = new SplittableRandom(60);
    LSTM lstm = new LSTM(3, 4, rng);
    Linear head = new Linear(4, 2, true, rng);
    Sequential model = new Sequential(lstm, head);
    Tensor x = Tensor.randn(rng, 5, 2, 3);
    Tensor y = model.forward(x);
    assertArrayEquals(new int[] {5, 2, 2}, y.shape());
    assertTrue(y.allClose(head.forward(lstm.forward(x, null).output()), 0, 0));
    assertEquals(List.of("0.weight_ih_l0", "0.weight_hh_l0", "0.bias_ih_l0", "0.bias_hh_l0",
        "1.weight", "1.bias"), List.copyOf(model.namedParameters().keySet()));
  }

  @Test
  void parameters_havePyTorchNamesShapesOrderAndInit() {
    LSTM lstm = new LSTM(3, 5, 2, true, false, 0.0, true, new SplittableRandom(70));
    List<String> names = new ArrayList<>();
    for (int layer = 0; layer < 2; layer++) {
      for (String sfx : new String[] {"", "_reverse"}) {
        for (String p : new String[] {"weight_ih", "weight_hh", "bias_ih", "bias_hh"}) {
          names.add(p + "_l" + layer + sfx);
        }
      }
    }
    assertEquals(names, List.copyOf(lstm.namedParameters().keySet()));
    Map<String, Tensor> p = lstm.namedParameters();
    assertArrayEquals(new int[] {20, 3}, p.get("weight_ih_l0").shape());
    assertArrayEquals(new int[] {20, 10}, p.get("weight_ih_l1_reverse").shape());
    assertArrayEquals(new int[] {20, 5}, p.get("weight_hh_l1").shape());
    assertArrayEquals(new int[] {20}, p.get("bias_hh_l0_reverse").shape());
    assertEquals(List.of("weight_ih", "weight_hh"),
        List.copyOf(new GRUCell(3, 2, false, DType.FLOAT64, new SplittableRandom(0)).namedParameters().keySet()));
    assertArrayEquals(new int[] {6, 3}, new GRUCell(3, 2, new SplittableRandom(0)).weightIh().shape());
    assertEquals(List.of("weight_ih_l0", "weight_hh_l0"),
        List.copyOf(new RNN(3, 2, 1, RNN.Nonlinearity.TANH, false, false, 0, false,
            new SplittableRandom(0)).namedParameters().keySet()));

    // U(-k, k), k = 1/sqrt(H): bounded, mean ~0, variance ~k^2/3 (H = 100: 160k draws).
    GRU big = new GRU(50, 100, new SplittableRandom(71));
    double k = 0.1;
    double sum = 0;
    double sumSq = 0;
    long n = 0;
    for (Tensor t : big.parameters()) {
      for (double v : t.toDoubleArray()) {
        assertTrue(Math.abs(v) <= k, "init value " + v + " outside [-0.1, 0.1]");
        sum += v;
        sumSq += v * v;
        n++;
      }
    }
    assertEquals(0, sum / n, 0.002);
    assertEquals(k * k / 3, sumSq / n, 0.02 * k * k / 3);
  }

  @Test
  void toString_isPyTorchsRepr() {
    SplittableRandom rng = new SplittableRandom(0);
    assertEquals("LSTM(10, 20, num_layers=2)", new LSTM(10, 20, 2, rng).toString());
    assertEquals("RNN(10, 20)", new RNN(10, 20, rng).toString());
    assertEquals("GRU(3, 4, bias=false, batch_first=true, dropout=0.25, bidirectional=true)",
        new GRU(3, 4, 1, false, true, 0.25, true, rng).toString());
    assertEquals("RNN(3, 4, nonlinearity=relu)",
        new RNN(3, 4, 1, RNN.Nonlinearity.RELU, true, false, 0, false, rng).toString());
    assertEquals("LSTMCell(10, 20)", new LSTMCell(10, 20, rng).toString());
    assertEquals("RNNCell(3, 4, bias=false, nonlinearity=relu)",
        new RNNCell(3, 4, false, RNN.Nonlinearity.RELU, DType.FLOAT64, rng).toString());
    assertEquals("Sequential(\n  (0): GRU(3, 4)\n  (1): Linear(in=4, out=1, bias=true)\n)",
        new Sequential(new GRU(3, 4, rng), new Linear(4, 1, true, rng)).toString());
  }

  @Test
  void float32Parameters_giveFloat32Outputs() {
    LSTM lstm = new LSTM(3, 2, 1, true, false, 0.0, false, DType.FLOAT32, new SplittableRandom(1));
    Tensor y = lstm.forward(Tensor.randn(new SplittableRandom(2), DType.FLOAT32, 4, 2, 3));
    assertEquals(DType.FLOAT32, y.dtype());
    assertEquals(DType.FLOAT32, lstm.parameters().get(0).dtype());
  }

  // ================================================================== gradients

  private static Tensor leaf(SplittableRandom rng, int... shape) {
    return Tensor.uniform(rng, -1, 1, shape).requiresGrad(true);
  }

  @Test
  void functionalCells_firstAndSecondOrderGradients_everyInput() {
    SplittableRandom rng = new SplittableRandom(80);
    Tensor x = leaf(rng, 2, 3);
    Tensor h = leaf(rng, 2, 2);
    Tensor c = leaf(rng, 2, 2);
    for (int gates : new int[] {1, 4, 3}) {
      Tensor wIh = leaf(rng, gates * 2, 3);
      Tensor wHh = leaf(rng, gates * 2, 2);
      Tensor bIh = leaf(rng, gates * 2);
      Tensor bHh = leaf(rng, gates * 2);
      java.util.function.Function<Tensor[], Tensor> f = switch (gates) {
        case 1 -> in -> Functional.rnnCell(in[0], in[1], in[3], in[4], in[5], in[6], RNN.Nonlinearity.TANH);
        case 4 -> in -> {
          LSTMState s = Functional.lstmCell(in[0], new LSTMState(in[1], in[2]), in[3], in[4], in[5], in[6]);
          return Tensor.stack(List.of(s.h(), s.c()), 0);
        };
        default -> in -> Functional.gruCell(in[0], in[1], in[3], in[4], in[5], in[6]);
      };
      Tensor[] inputs = {x, h, c, wIh, wHh, bIh, bHh};
      GradCheck.Report first = GradCheck.check(f, inputs);
      assertTrue(first.passed(), gates + " gates: " + first);
      GradCheck.Report second = GradCheck.checkSecondOrder(f, inputs);
      assertTrue(second.passed(), gates + " gates, second order: " + second);
      GradCheck.Report jvp = GradCheck.checkJvp(f, inputs);
      assertTrue(jvp.passed(), gates + " gates, forward mode: " + jvp);
    }
  }

  /** Backpropagation through time of T=3 unrolled functional cells, weights as inputs. */
  @Test
  void unrolledCells_firstAndSecondOrderGradientsThroughTime() {
    SplittableRandom rng = new SplittableRandom(81);
    Tensor xs = leaf(rng, 3, 2, 3);
    for (int gates : new int[] {1, 4, 3}) {
      Tensor wIh = leaf(rng, gates * 2, 3);
      Tensor wHh = leaf(rng, gates * 2, 2);
      Tensor bHh = leaf(rng, gates * 2);
      java.util.function.Function<Tensor[], Tensor> f = in -> {
        Tensor h = Tensor.zeros(2, 2);
        Tensor c = Tensor.zeros(2, 2);
        for (int t = 0; t < 3; t++) {
          Tensor x = in[0].select(0, t);
          switch (gates) {
            case 1 -> h = Functional.rnnCell(x, h, in[1], in[2], null, in[3], RNN.Nonlinearity.TANH);
            case 4 -> {
              LSTMState s = Functional.lstmCell(x, new LSTMState(h, c), in[1], in[2], null, in[3]);
              h = s.h();
              c = s.c();
            }
            default -> h = Functional.gruCell(x, h, in[1], in[2], null, in[3]);
          }
        }
        return h;
      };
      Tensor[] inputs = {xs, wIh, wHh, bHh};
      GradCheck.Report first = GradCheck.check(f, inputs);
      assertTrue(first.passed(), gates + " gates: " + first);
      GradCheck.Report second = GradCheck.checkSecondOrder(f, inputs);
      assertTrue(second.passed(), gates + " gates, second order: " + second);
    }
  }

  @Test
  void stacks_firstAndSecondOrderGradients_inInputAndInitialStates() {
    for (Kind kind : Kind.values()) {
      RNNBase m = stack(kind, 2, true, false, kind == Kind.GRU || kind == Kind.RNN_TANH, 90);
      int d = m.bidirectional() ? 2 : 1;
      SplittableRandom rng = new SplittableRandom(91);
      Tensor x = leaf(rng, 3, 2, 3);
      Tensor h0 = leaf(rng, 2 * d, 2, 2);
      Tensor c0 = leaf(rng, 2 * d, 2, 2);
      java.util.function.Function<Tensor[], Tensor> f = in -> {
        Tensor[] r = run(m, in[0], in[1], kind == Kind.LSTM ? in[2] : null);
        Tensor all = Tensor.concat(List.of(r[0].reshape(-1), r[1].reshape(-1)), 0);
        return r[2] == null ? all : Tensor.concat(List.of(all, r[2].reshape(-1)), 0);
      };
      Tensor[] inputs = kind == Kind.LSTM ? new Tensor[] {x, h0, c0} : new Tensor[] {x, h0};
      GradCheck.Report first = GradCheck.check(f, inputs);
      assertTrue(first.passed(), kind + ": " + first);
      GradCheck.Report second = GradCheck.checkSecondOrder(f, inputs);
      assertTrue(second.passed(), kind + " second order: " + second);
    }
  }

  // ================================================================== dropout

  @Test
  void dropout_actsBetweenLayersInTrainingOnly_seeded() {
    Tensor x = Tensor.randn(new SplittableRandom(100), 4, 2, 3);
    LSTM plain = new LSTM(3, 2, 2, true, false, 0.0, false, new SplittableRandom(101));
    LSTM dropped = new LSTM(3, 2, 2, true, false, 0.5, false, new SplittableRandom(101));
    Tensor reference = plain.forward(x);
    Tensor first = dropped.forward(x);
    Tensor second = dropped.forward(x);
    assertFalse(first.allClose(reference, 0, 1e-9), "training with dropout 0.5 changes the output");
    assertFalse(first.allClose(second, 0, 1e-9), "each forward draws new masks");
    LSTM again = new LSTM(3, 2, 2, true, false, 0.5, false, new SplittableRandom(101));
    assertTrue(again.forward(x).allClose(first, 0, 0), "the same seed gives the same masks");
    dropped.eval();
    assertTrue(dropped.forward(x).allClose(reference, 0, 0), "no dropout in eval mode");
    // One layer: nothing between layers, so dropout does nothing (as in PyTorch).
    GRU one = new GRU(3, 2, 1, true, false, 0.5, false, new SplittableRandom(102));
    GRU none = new GRU(3, 2, 1, true, false, 0.0, false, new SplittableRandom(102));
    assertTrue(one.forward(x).allClose(none.forward(x), 0, 0));
  }

  @Test
  void dropout_gradientMatchesFiniteDifferences_withTheMaskOfAFixedSeed() {
    Tensor x = leaf(new SplittableRandom(103), 3, 2, 3);
    GradCheck.Report r = GradCheck.check(
        in -> new GRU(3, 2, 2, true, false, 0.4, false, new SplittableRandom(104)).forward(in[0]), x);
    assertTrue(r.passed(), r.toString());
  }

  // ================================================================== per-step gradient norms

  /**
   * ||dL/dh_t|| of a one-layer tanh RNN with {@code L = sum(u * h_{T-1})}, against a hand
   * backward pass in plain doubles: {@code dL/dh_{T-1} = u}, {@code dL/dh_{t-1} = W_hh^T (dL/dh_t
   * * (1 - h_t^2))}.
   */
  @Test
  void stepGradNorms_areTheTotalDerivativesThroughTime() {
    int steps = 5;
    RNN rnn = new RNN(3, 2, new SplittableRandom(110));
    rnn.retainStepGrads(true);
    Tensor x = Tensor.randn(new SplittableRandom(111), steps, 2, 3);
    Tensor u = Tensor.randn(new SplittableRandom(112), 2, 2);
    Tensor out = rnn.forward(x);
    out.select(0, steps - 1).mul(u).sum().backward();
    double[] norms = GradientMonitor.stepGradNorms(rnn);
    assertEquals(steps, norms.length);
    assertEquals(steps, rnn.stepStates().size());

    Weights w = Weights.of(rnn.namedParameters().get("weight_ih_l0"), rnn.namedParameters().get("weight_hh_l0"),
        rnn.namedParameters().get("bias_ih_l0"), rnn.namedParameters().get("bias_hh_l0"));
    double[] expected = new double[steps];
    for (int b = 0; b < 2; b++) {
      double[][] hs = new double[steps][];
      double[] h = new double[2];
      for (int t = 0; t < steps; t++) {
        h = refRnn(x.select(0, t).select(0, b).toDoubleArray(), h, w, false);
        hs[t] = h;
      }
      double[] g = u.select(0, b).toDoubleArray();
      for (int t = steps - 1; t >= 0; t--) {
        expected[t] += g[0] * g[0] + g[1] * g[1];
        if (t > 0) {
          double[] back = new double[2];
          for (int k = 0; k < 2; k++) {
            for (int j = 0; j < 2; j++) {
              back[k] += w.wHh[j][k] * g[j] * (1 - hs[t][j] * hs[t][j]);
            }
          }
          g = back;
        }
      }
    }
    for (int t = 0; t < steps; t++) {
      assertEquals(Math.sqrt(expected[t]), norms[t], 1e-12, "t = " + t);
    }
    assertEquals(Math.sqrt(u.square().sum().item()), norms[steps - 1], 1e-12);

    GradientMonitor monitor = GradientMonitor.of(rnn);
    monitor.recordTimeSteps(7, rnn.stepStates());
    assertArrayEquals(norms, monitor.timeStepNorms(7), 0);
    assertEquals(List.of(7L), monitor.timeStepSteps());
    assertThrows(IllegalArgumentException.class, () -> monitor.recordTimeSteps(7, rnn.stepStates()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> monitor.timeStepNorms(8));
    assertTrue(e.getMessage().contains("step 8"), e.getMessage());
    monitor.clear();
    assertEquals(List.of(), monitor.timeStepSteps());
  }

  @Test
  void stepStates_areEmptyUnlessAsked_andNaNWithoutGradient() {
    LSTM lstm = new LSTM(3, 2, 2, new SplittableRandom(120));
    Tensor x = Tensor.randn(new SplittableRandom(121), 4, 3);
    lstm.forward(x);
    assertTrue(lstm.stepStates().isEmpty());
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> GradientMonitor.stepGradNorms(lstm));
    assertTrue(e.getMessage().contains("retainStepGrads(true)"), e.getMessage());
    lstm.retainStepGrads(true);
    Tensor out = lstm.forward(x);
    assertEquals(4, lstm.stepStates().size());
    assertArrayEquals(new int[] {2}, lstm.stepStates().get(0).shape());
    // The top layer's h_t are the output rows.
    assertTrue(lstm.stepStates().get(2).allClose(out.select(0, 2), 0, 0));
    double[] before = GradientMonitor.stepGradNorms(lstm.stepStates());
    assertTrue(Double.isNaN(before[0]), "no backward yet: NaN");
    // A loss on step 1 only: steps 2 and 3 get no gradient (they come after it).
    out.select(0, 1).sum().backward();
    double[] norms = GradientMonitor.stepGradNorms(lstm);
    assertTrue(norms[0] > 0 && norms[1] > 0, java.util.Arrays.toString(norms));
    assertEquals(Math.sqrt(2), norms[1], 1e-12);
    assertTrue(!(norms[2] > 0) && !(norms[3] > 0), java.util.Arrays.toString(norms));
    lstm.retainStepGrads(false);
    assertTrue(lstm.stepStates().isEmpty());
  }

  // ================================================================== errors

  private static <T extends IllegalArgumentException> void expect(Class<T> type, Executable call,
      String... fragments) {
    T e = assertThrows(type, call);
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), () -> "message should contain '" + f + "': " + e.getMessage());
    }
  }

  @Test
  void errors_nameTheLayerAndTheShapes() {
    SplittableRandom rng = new SplittableRandom(130);
    LSTM lstm = new LSTM(3, 2, 2, rng);
    GRU gruBf = new GRU(3, 2, 1, true, true, 0.0, false, rng);
    expect(ShapeException.class, () -> lstm.forward(Tensor.zeros(2, 3, 4, 3)),
        "LSTM: input must be 2-d [T, input_size] (unbatched) or 3-d [T, B, input_size]", "[2, 3, 4, 3]");
    expect(ShapeException.class, () -> gruBf.forward(Tensor.zeros(3)), "GRU", "[B, T, input_size] (batch_first)", "[3]");
    expect(ShapeException.class, () -> lstm.forward(Tensor.zeros(5, 2, 4)),
        "LSTM: input has 4 features, expected 3 (input shape [5, 2, 4])");
    expect(ShapeException.class, () -> lstm.forward(Tensor.zeros(5, 2, 3),
        new LSTMState(Tensor.zeros(1, 2, 2), Tensor.zeros(2, 2, 2))),
        "LSTM: h0 must have shape [2, 2, 2]", "got [1, 2, 2]");
    expect(ShapeException.class, () -> lstm.forward(Tensor.zeros(5, 2, 3),
        new LSTMState(Tensor.zeros(2, 2, 2), Tensor.zeros(2, 2))), "LSTM: c0 must have shape [2, 2, 2]", "got [2, 2]");
    expect(ShapeException.class, () -> new RNN(3, 2, rng).forward(Tensor.zeros(4, 3), Tensor.zeros(1, 1, 2)),
        "RNN: h0 must have shape [1, 2]", "[1, 1, 2]");
    expect(ShapeException.class, () -> lstm.forward(Tensor.zeros(0, 2, 3)), "LSTM: the sequence is empty", "[0, 2, 3]");
    expect(DTypeException.class, () -> lstm.forward(Tensor.zeros(DType.INT64, 5, 2, 3)), "LSTM", "int64");
    expect(IllegalArgumentException.class, () -> new LSTM(3, 2, 2, true, false, 1.0, false, rng),
        "LSTM: dropout must be in [0.0, 1.0), got 1.0");
    expect(IllegalArgumentException.class, () -> new GRU(3, 0, rng), "GRU: hidden_size must be positive, got 0");
    expect(IllegalArgumentException.class, () -> new RNN(0, 2, rng), "RNN: input_size must be positive, got 0");
    expect(IllegalArgumentException.class, () -> new LSTM(3, 2, 0, rng), "LSTM: num_layers must be positive, got 0");
    expect(IllegalArgumentException.class, () -> new LSTM(3, 2, 5000, rng), "LSTM: num_layers must be at most 1024, got 5000");
    expect(IllegalArgumentException.class, () -> new GRU(3, 1 << 16, rng), "GRU", "65536", "a tensor can hold");
    expect(IllegalArgumentException.class, () -> new LSTMCell(3, 1 << 30, rng), "LSTMCell: hidden_size 1073741824 is too large");
    expect(IllegalArgumentException.class,
        () -> new LSTM(3, 2, 1, true, false, 0.0, false, DType.INT64, rng), "LSTM: dtype must be float32 or float64");

    LSTMCell cell = new LSTMCell(3, 2, rng);
    expect(ShapeException.class, () -> cell.forward(Tensor.zeros(2, 2, 3)),
        "LSTMCell: input must be 1-d [input_size] (unbatched) or 2-d [batch, input_size]", "[2, 2, 3]");
    expect(ShapeException.class, () -> cell.forward(Tensor.zeros(2, 4)), "LSTMCell: input has 4 features, expected 3");
    expect(ShapeException.class, () -> cell.forward(Tensor.zeros(2, 3), new LSTMState(Tensor.zeros(3, 2), Tensor.zeros(2, 2))),
        "LSTMCell: h must have shape [2, 2] for input shape [2, 3], got [3, 2]");
    expect(ShapeException.class, () -> new GRUCell(3, 2, rng).forward(Tensor.zeros(3), Tensor.zeros(1, 2)),
        "GRUCell: h must have shape [2] for input shape [3], got [1, 2]");

    Tensor x = Tensor.zeros(2, 3);
    Tensor h = Tensor.zeros(2, 2);
    expect(ShapeException.class, () -> Functional.gruCell(x, h, Tensor.zeros(6, 3), Tensor.zeros(4, 2), null, null),
        "gruCell: weight_hh must have shape [3 * hidden, hidden], got [4, 2]");
    expect(ShapeException.class, () -> Functional.lstmCell(x, new LSTMState(h, h), Tensor.zeros(6, 3), Tensor.zeros(8, 2), null, null),
        "lstmCell: weight_ih must have shape [8, input_size]", "got [6, 3]");
    expect(ShapeException.class, () -> Functional.rnnCell(x, h, Tensor.zeros(2, 4), Tensor.zeros(2, 2), null, null,
        RNN.Nonlinearity.TANH), "rnnCell: input has 3 features, expected 4");
    expect(ShapeException.class, () -> Functional.rnnCell(x, h, Tensor.zeros(2, 3), Tensor.zeros(2, 2),
        Tensor.zeros(3), null, RNN.Nonlinearity.TANH), "rnnCell: bias_ih must have shape [2], got [3]");
    expect(DTypeException.class, () -> Functional.gruCell(x, Tensor.zeros(DType.INT64, 2, 2), Tensor.zeros(6, 3),
        Tensor.zeros(6, 2), null, null), "gruCell: h must be float32 or float64, got int64");
  }

  @Test
  void nulls_nameTheLayerAndTheParameter() {
    SplittableRandom rng = new SplittableRandom(140);
    NullPointerException e = assertThrows(NullPointerException.class, () -> new LSTM(3, 2, null));
    assertTrue(e.getMessage().startsWith("LSTM: rng is null"), e.getMessage());
    e = assertThrows(NullPointerException.class, () -> new GRU(3, 2, rng).forward(null));
    assertEquals("GRU: input is null", e.getMessage());
    e = assertThrows(NullPointerException.class, () -> Functional.lstmCell(Tensor.zeros(3), null,
        Tensor.zeros(8, 3), Tensor.zeros(8, 2), null, null));
    assertEquals("lstmCell: state is null", e.getMessage());
    e = assertThrows(NullPointerException.class, () -> new LSTMState(Tensor.zeros(2), null));
    assertEquals("LSTMState: c is null", e.getMessage());
    e = assertThrows(NullPointerException.class, () -> new RNNCell(3, 2, true, null, DType.FLOAT64, rng));
    assertEquals("RNNCell: nonlinearity is null", e.getMessage());
    e = assertThrows(NullPointerException.class, () -> GradientMonitor.stepGradNorms(java.util.Arrays.asList(Tensor.zeros(2), null)));
    assertEquals("stepGradNorms: states[1] is null", e.getMessage());
    assertNotEquals(null, new RNN(3, 2, rng).forward(Tensor.zeros(2, 3), null));
  }
}
