package dev.cadena.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.examples.NotesExample.Activation;
import dev.cadena.examples.NotesExample.LossKind;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class NotesExampleTest {
  @ParameterizedTest(name = "hidden {0}, output {1}, {2}")
  @CsvSource({
    "SIGMOID, SIGMOID, MSE",
    "TANH, TANH, MSE",
    "TANH, SIGMOID, MSE",
    "SIGMOID, SIGMOID, BCE",
    "TANH, SIGMOID, BCE"
  })
  void autogradAgreesWithTheHandFormulas(Activation hidden, Activation output, LossKind loss) {
    NotesExample.Result r = NotesExample.run(hidden, output, loss, 0.5);
    Map<String, double[]> g = r.gradients();
    assertEquals(9, g.size(), "4 + 2 + 2 + 1 parameters");
    for (Map.Entry<String, double[]> e : g.entrySet()) {
      assertEquals(e.getValue()[1], e.getValue()[0], 1e-12, e.getKey());
      assertTrue(e.getValue()[1] != 0, () -> e.getKey() + " should have a non-zero gradient");
    }
    assertTrue(r.maxAbsDifference() <= 1e-12, r::table);
  }

  @Test
  void sigmoidMse_knownValues() {
    // delta(2) = 2 (a - y) a (1 - a) with a = sigmoid(1.105905967...) = 0.75136507.
    NotesExample.Result r = NotesExample.run(Activation.SIGMOID, Activation.SIGMOID, LossKind.MSE, 0.5);
    double a = 1 / (1 + Math.exp(-1.1059059670597702));
    assertEquals(2 * (a - 0.01) * a * (1 - a), r.gradients().get("b(2)[0]")[0], 1e-12);
    assertEquals((a - 0.01) * (a - 0.01), r.loss(), 1e-12);
  }

  @Test
  void bceNeedsASigmoidOutput() {
    assertThrows(IllegalArgumentException.class,
        () -> NotesExample.run(Activation.TANH, Activation.TANH, LossKind.BCE, 0.5));
  }

  @Test
  void main_printsTheTable() {
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      NotesExample.main(new String[0]);
    } finally {
      System.setOut(old);
    }
    String out = buf.toString(StandardCharsets.UTF_8);
    assertTrue(out.contains("autograd (Cadena)") && out.contains("hand formula (reference)"), out);
    assertTrue(out.contains("delta(1) = W(2)^T delta(2) * f'(z(1))"), out);
    assertTrue(out.contains("dL/dW(1)[0][0]"), out);
  }
}
