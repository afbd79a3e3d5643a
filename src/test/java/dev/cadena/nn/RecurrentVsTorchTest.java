package dev.cadena.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.cadena.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Cadena's RNN, LSTM and GRU against PyTorch 1.13 in float64: the same weights (loaded by
 * PyTorch's state_dict names), input and initial states give the same outputs, final states and
 * gradients (of every parameter, the input and the initial states) to 1e-10. The reference values
 * come from {@code src/test/python/torch_rnn_fixtures.py}, whose output is committed as {@code
 * src/test/resources/torch_rnn_fixtures.json}.
 */
class RecurrentVsTorchTest {
  private static final double TOL = 1e-10;

  static List<JsonObject> cases() throws IOException {
    try (InputStream in = RecurrentVsTorchTest.class.getResourceAsStream("/torch_rnn_fixtures.json")) {
      assertNotNull(in, "torch_rnn_fixtures.json is missing from the test resources");
      JsonObject root = JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8))
          .getAsJsonObject();
      List<JsonObject> out = new ArrayList<>();
      for (JsonElement e : root.getAsJsonArray("cases")) {
        out.add(e.getAsJsonObject());
      }
      return out;
    }
  }

  static Stream<JsonObject> caseStream() throws IOException {
    return cases().stream();
  }

  @Test
  void fixtures_coverEveryKind() throws IOException {
    List<String> kinds = cases().stream().map(c -> c.get("kind").getAsString()).distinct().toList();
    assertTrue(kinds.containsAll(List.of("RNN", "LSTM", "GRU")), "kinds: " + kinds);
  }

  @ParameterizedTest(name = "{index}")
  @MethodSource("caseStream")
  void module_matchesTorch(JsonObject c) {
    String name = c.get("name").getAsString();
    RNNBase m = build(c);
    Map<String, Tensor> state = new LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> e : c.getAsJsonObject("state_dict").entrySet()) {
      state.put(e.getKey(), tensor(e.getValue()));
    }
    // Every name matches: loadStateDict rejects a missing or unexpected one.
    m.loadStateDict(state);
    assertEquals(List.copyOf(state.keySet()), List.copyOf(m.namedParameters().keySet()), name);

    Tensor x = tensor(c.get("input")).requiresGrad(true);
    Tensor h0 = c.has("h0") ? tensor(c.get("h0")).requiresGrad(true) : null;
    Tensor c0 = c.has("c0") ? tensor(c.get("c0")).requiresGrad(true) : null;
    Tensor output;
    Tensor hN;
    Tensor cN = null;
    if (m instanceof LSTM lstm) {
      LSTMOutput r = lstm.forward(x, h0 == null ? null : new LSTMState(h0, c0));
      output = r.output();
      hN = r.hN();
      cN = r.cN();
    } else {
      RecurrentOutput r = m instanceof GRU gru ? gru.forward(x, h0) : ((RNN) m).forward(x, h0);
      output = r.output();
      hN = r.hN();
    }
    assertClose(name + " output", tensor(c.get("output")), output);
    assertClose(name + " h_n", tensor(c.get("h_n")), hN);
    Tensor loss = output.mul(tensor(c.get("u"))).sum().add(hN.mul(tensor(c.get("v"))).sum());
    if (cN != null) {
      assertClose(name + " c_n", tensor(c.get("c_n")), cN);
      loss = loss.add(cN.mul(tensor(c.get("w"))).sum());
    }
    loss.backward();
    for (Map.Entry<String, JsonElement> e : c.getAsJsonObject("grads").entrySet()) {
      assertClose(name + " grad " + e.getKey(), tensor(e.getValue()), m.namedParameters().get(e.getKey()).grad());
    }
    assertClose(name + " grad input", tensor(c.get("grad_input")), x.grad());
    if (h0 != null) {
      assertClose(name + " grad h0", tensor(c.get("grad_h0")), h0.grad());
    }
    if (c0 != null) {
      assertClose(name + " grad c0", tensor(c.get("grad_c0")), c0.grad());
    }
  }

  private static RNNBase build(JsonObject c) {
    JsonObject k = c.getAsJsonObject("kwargs");
    int in = k.get("input_size").getAsInt();
    int hidden = k.get("hidden_size").getAsInt();
    int layers = k.has("num_layers") ? k.get("num_layers").getAsInt() : 1;
    boolean bias = !k.has("bias") || k.get("bias").getAsBoolean();
    boolean batchFirst = k.has("batch_first") && k.get("batch_first").getAsBoolean();
    boolean bidirectional = k.has("bidirectional") && k.get("bidirectional").getAsBoolean();
    // Weights are overwritten from the fixture; the seed only fills them first.
    SplittableRandom rng = new SplittableRandom(0);
    return switch (c.get("kind").getAsString()) {
      case "RNN" -> new RNN(in, hidden, layers,
          k.has("nonlinearity") && k.get("nonlinearity").getAsString().equals("relu")
              ? RNN.Nonlinearity.RELU : RNN.Nonlinearity.TANH,
          bias, batchFirst, 0.0, bidirectional, rng);
      case "LSTM" -> new LSTM(in, hidden, layers, bias, batchFirst, 0.0, bidirectional, rng);
      case "GRU" -> new GRU(in, hidden, layers, bias, batchFirst, 0.0, bidirectional, rng);
      default -> throw new AssertionError("unknown kind " + c.get("kind"));
    };
  }

  private static Tensor tensor(JsonElement e) {
    JsonObject o = e.getAsJsonObject();
    JsonArray s = o.getAsJsonArray("shape");
    int[] shape = new int[s.size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = s.get(i).getAsInt();
    }
    JsonArray d = o.getAsJsonArray("data");
    double[] v = new double[d.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = d.get(i).getAsDouble();
    }
    return Tensor.fromArray(v, shape);
  }

  private static void assertClose(String what, Tensor expected, Tensor actual) {
    assertNotNull(actual, what + ": no gradient");
    assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
    double[] e = expected.toDoubleArray();
    double[] a = actual.toDoubleArray();
    for (int i = 0; i < e.length; i++) {
      assertEquals(e[i], a[i], TOL, what + "[" + i + "]");
    }
  }
}
