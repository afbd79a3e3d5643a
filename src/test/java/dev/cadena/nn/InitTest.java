package dev.cadena.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.nn.Init.FanMode;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.ShapeException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class InitTest {
  private static final int IN = 400;
  private static final int OUT = 600;

  private static Tensor weight() {
    return Tensor.zeros(IN, OUT).requiresGrad(true);
  }

  /** {mean, variance, max |v|} by plain loops. */
  private static double[] stats(Tensor t) {
    double[] v = t.toDoubleArray();
    double mean = 0;
    double max = 0;
    for (double d : v) {
      mean += d;
      max = Math.max(max, Math.abs(d));
    }
    mean /= v.length;
    double var = 0;
    for (double d : v) {
      var += (d - mean) * (d - mean);
    }
    return new double[] {mean, var / v.length, max};
  }

  private static void assertVariance(double want, Tensor t) {
    double[] s = stats(t);
    // 240000 samples: the sample variance is within ~0.3% (normal) / ~0.2% (uniform) of the truth.
    assertEquals(want, s[1], 0.02 * want, "variance");
    assertEquals(0.0, s[0], 5 * Math.sqrt(want / t.numel()), "mean");
  }

  @Test
  void xavierUniform_varianceAndBound() {
    Tensor w = Init.xavierUniform(weight(), 2.0, new SplittableRandom(1));
    double bound = 2.0 * Math.sqrt(6.0 / (IN + OUT));
    assertVariance(4.0 * 2.0 / (IN + OUT), w);
    assertTrue(stats(w)[2] <= bound);
    assertTrue(stats(w)[2] > 0.99 * bound, "the samples should reach close to the bound");
  }

  @Test
  void xavierNormal_variance() {
    assertVariance(2.0 / (IN + OUT), Init.xavierNormal(weight(), new SplittableRandom(2)));
    assertVariance(9 * 2.0 / (IN + OUT), Init.xavierNormal(weight(), 3.0, new SplittableRandom(2)));
  }

  @Test
  void kaimingUniform_varianceAndBound() {
    Tensor w = Init.kaimingUniform(weight(), new SplittableRandom(3));
    assertVariance(2.0 / IN, w);
    assertTrue(stats(w)[2] <= Math.sqrt(6.0 / IN));
    Tensor t = Init.kaimingUniform(weight(), 0, FanMode.FAN_OUT, "tanh", new SplittableRandom(4));
    assertVariance(25.0 / 9 / OUT, t);
    assertTrue(stats(t)[2] <= 5.0 / 3 * Math.sqrt(3.0 / OUT));
  }

  @Test
  void kaimingNormal_variance() {
    assertVariance(2.0 / IN, Init.kaimingNormal(weight(), new SplittableRandom(5)));
    assertVariance(2.0 / (1 + 0.04) / OUT,
        Init.kaimingNormal(weight(), 0.2, FanMode.FAN_OUT, "leaky_relu", new SplittableRandom(6)));
    assertVariance(1.0 / IN,
        Init.kaimingNormal(weight(), 0, FanMode.FAN_IN, "sigmoid", new SplittableRandom(7)));
  }

  @Test
  void uniformAndNormal_moments() {
    Tensor u = Init.uniform(weight(), -0.5, 1.5, new SplittableRandom(8));
    double[] s = stats(u);
    assertEquals(0.5, s[0], 0.01);
    assertEquals(4.0 / 12, s[1], 0.02 * 4.0 / 12);
    Tensor n = Init.normal(weight(), 2.0, 0.5, new SplittableRandom(9));
    assertEquals(2.0, stats(n)[0], 0.01);
  }

  @Test
  void constantZerosOnes() {
    Tensor t = Tensor.randn(new SplittableRandom(1), 3, 4).requiresGrad(true);
    assertSame(t, Init.constant(t, 0.25));
    assertTrue(t.allClose(Tensor.full(0.25, 3, 4), 0, 0));
    assertTrue(Init.zeros(t).allClose(Tensor.zeros(3, 4), 0, 0));
    assertTrue(Init.ones(t).allClose(Tensor.ones(3, 4), 0, 0));
    assertTrue(t.requiresGrad() && t.isLeaf());
  }

  @Test
  void gain_table() {
    assertEquals(1.0, Init.gain("linear"), 0);
    assertEquals(1.0, Init.gain("identity"), 0);
    assertEquals(1.0, Init.gain("sigmoid"), 0);
    assertEquals(5.0 / 3, Init.gain("tanh"), 0);
    assertEquals(Math.sqrt(2), Init.gain("relu"), 0);
    assertEquals(Math.sqrt(2 / (1 + 0.01 * 0.01)), Init.gain("leaky_relu"), 0);
    assertEquals(Math.sqrt(2 / 1.25), Init.gain("leaky_relu", 0.5), 1e-15);
    assertEquals(Math.sqrt(2), Init.gain("ReLU", 0), 0);
    assertEquals("Init.gain: unknown nonlinearity 'swish' (known: linear, identity, sigmoid, tanh, relu,"
        + " leaky_relu, selu)",
        assertThrows(IllegalArgumentException.class, () -> Init.gain("swish")).getMessage());
  }

  @Test
  void fans_useTheInOutLayout() {
    Linear d = new Linear(3, 5, true, new SplittableRandom(1));
    assertEquals(3, Init.fanIn(d.weight()));
    assertEquals(5, Init.fanOut(d.weight()));
  }

  @Test
  void float32_isWrittenInPlace() {
    Tensor w = Tensor.zeros(DType.FLOAT32, 200, 300);
    Init.kaimingNormal(w, new SplittableRandom(1));
    assertEquals(DType.FLOAT32, w.dtype());
    assertEquals(2.0 / 200, stats(w)[1], 0.05 * 2.0 / 200);
  }

  @Test
  void seeded_reproducible() {
    Tensor a = Init.xavierUniform(Tensor.zeros(5, 6), new SplittableRandom(11));
    Tensor b = Init.xavierUniform(Tensor.zeros(5, 6), new SplittableRandom(11));
    assertTrue(a.allClose(b, 0, 0));
  }

  @Test
  void errors() {
    assertEquals("Init.xavierUniform: fan-in and fan-out need a 2-d [in, out] weight, got shape [4]",
        assertThrows(ShapeException.class,
            () -> Init.xavierUniform(Tensor.zeros(4), new SplittableRandom(1))).getMessage());
    assertEquals("Init.kaimingNormal: fan-in and fan-out need a 2-d [in, out] weight, got shape [2, 3, 4]",
        assertThrows(ShapeException.class,
            () -> Init.kaimingNormal(Tensor.zeros(2, 3, 4), new SplittableRandom(1))).getMessage());
    assertTrue(assertThrows(NullPointerException.class,
        () -> Init.normal(Tensor.zeros(2, 2), 0, 1, null)).getMessage()
        .startsWith("Init.normal: rng is null (pass a seeded generator"));
    assertEquals("Init.normal: std must be finite and >= 0, got -1.0",
        assertThrows(IllegalArgumentException.class,
            () -> Init.normal(Tensor.zeros(2, 2), 0, -1, new SplittableRandom(1))).getMessage());
    assertEquals("Init.uniform: need finite lo <= hi, got lo=1.0, hi=0.0",
        assertThrows(IllegalArgumentException.class,
            () -> Init.uniform(Tensor.zeros(2, 2), 1, 0, new SplittableRandom(1))).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> Init.zeros(Tensor.ofLongs(1, 2))).getMessage().startsWith("Init.constant: tensor must be float32 or float64"));
    assertEquals("Init.kaimingUniform: mode is null", assertThrows(NullPointerException.class,
        () -> Init.kaimingUniform(Tensor.zeros(2, 2), 0, null, "relu", new SplittableRandom(1))).getMessage());
  }
}
