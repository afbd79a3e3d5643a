package dev.cadena.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class XorExampleTest {
  @Test
  void twoTwoOneNetwork_learnsXorFromTheFixedSeed() {
    XorExample.Result r = XorExample.train(XorExample.SEED, XorExample.STEPS, XorExample.LEARNING_RATE, 0);
    assertEquals(1.0, r.accuracy, "accuracy");
    assertTrue(r.loss < 0.01, () -> "loss " + r.loss);
    double[] want = {0, 1, 1, 0};
    for (int i = 0; i < 4; i++) {
      assertEquals(want[i], r.outputs[i], 0.05, "output " + i);
    }
    assertEquals(9, r.model.parameterCount(), "2x2 + 2 + 2x1 + 1 parameters");
  }

  @Test
  void training_isDeterministic() {
    XorExample.Result a = XorExample.train(XorExample.SEED, 100, 1.0, 0);
    XorExample.Result b = XorExample.train(XorExample.SEED, 100, 1.0, 0);
    assertEquals(a.loss, b.loss, 0.0);
  }

  @Test
  void main_reportsFullAccuracy() {
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      XorExample.main(new String[0]);
    } finally {
      System.setOut(old);
    }
    assertTrue(buf.toString(StandardCharsets.UTF_8).contains("accuracy 100%"));
  }
}
