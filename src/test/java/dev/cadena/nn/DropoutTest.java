package dev.cadena.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DropoutTest {
  @Test
  void train_zeroesAboutPAndScalesSurvivors() {
    Dropout d = new Dropout(0.3, new SplittableRandom(1));
    double[] y = d.forward(Tensor.ones(200, 100)).toDoubleArray();
    int zeros = 0;
    for (double v : y) {
      if (v == 0) {
        zeros++;
      } else {
        assertEquals(1 / 0.7, v, 1e-15);
      }
    }
    // 20000 Bernoulli(0.3) draws: standard deviation of the fraction ~0.0032.
    assertEquals(0.3, zeros / 20000.0, 0.015);
  }

  @Test
  void train_keepsTheMeanInExpectation() {
    Dropout d = new Dropout(0.5, new SplittableRandom(2));
    assertEquals(3.0, d.forward(Tensor.full(3.0, 100, 100)).mean().item(), 0.1);
  }

  @Test
  void eval_isTheIdentity() {
    Dropout d = new Dropout(0.9, new SplittableRandom(1));
    d.eval();
    Tensor x = Tensor.randn(new SplittableRandom(3), 4, 5);
    assertSame(x, d.forward(x));
    assertSame(x, new Dropout(0.0, new SplittableRandom(1)).forward(x));
  }

  @Test
  void sameSeed_sameMask() {
    Tensor x = Tensor.ones(10, 10);
    Tensor a = new Dropout(0.5, new SplittableRandom(42)).forward(x);
    Tensor b = new Dropout(0.5, new SplittableRandom(42)).forward(x);
    assertTrue(a.allClose(b, 0, 0));
    Dropout d = new Dropout(0.5, new SplittableRandom(42));
    d.forward(x);
    assertTrue(!d.forward(x).allClose(a, 0, 0), "successive calls draw new masks");
  }

  @Test
  void backward_gradientIsTheScaledMask() {
    Tensor x = Tensor.randn(new SplittableRandom(3), 6, 7).requiresGrad(true);
    Tensor y = new Dropout(0.25, new SplittableRandom(5)).forward(x);
    y.sum().backward();
    double[] g = x.grad().toDoubleArray();
    double[] yv = y.toDoubleArray();
    for (int i = 0; i < g.length; i++) {
      assertEquals(yv[i] == 0 ? 0.0 : 1 / 0.75, g[i], 1e-15);
    }
  }

  @Test
  void p_mustBeInZeroOne() {
    SplittableRandom r = new SplittableRandom(1);
    assertEquals("Dropout: probability p must be in [0.0, 1.0), got 1.0",
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1.0, r)).getMessage());
    assertEquals("Dropout: probability p must be in [0.0, 1.0), got -0.1",
        assertThrows(IllegalArgumentException.class, () -> new Dropout(-0.1, r)).getMessage());
    assertEquals("Dropout: probability p must be in [0.0, 1.0), got NaN",
        assertThrows(IllegalArgumentException.class, () -> new Dropout(Double.NaN, r)).getMessage());
    assertTrue(assertThrows(NullPointerException.class, () -> new Dropout(0.5, null))
        .getMessage().startsWith("Dropout: rng is null (pass a seeded generator"));
    assertEquals("dropout: probability p must be in [0.0, 1.0), got 2.0",
        assertThrows(IllegalArgumentException.class,
            () -> Functional.dropout(Tensor.ones(2), 2.0, true, r)).getMessage());
  }

  @Test
  void toString_showsP() {
    assertEquals("Dropout(p=0.5)", new Dropout(0.5, new SplittableRandom(1)).toString());
  }
}
