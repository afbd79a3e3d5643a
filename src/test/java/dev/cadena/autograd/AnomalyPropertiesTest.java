package dev.cadena.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.ShapeArbitraries;
import dev.cadena.Tensor;
import dev.cadena.tensor.NDArray;
import dev.cadena.tensor.Shapes;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Anomaly mode over random shapes: silent and exact on finite values, exact counts on planted NaNs. */
class AnomalyPropertiesTest {

  @Provide
  Arbitrary<int[]> shapes() {
    return ShapeArbitraries.shapes(3, 4).filter(s -> Shapes.numel(s) > 0);
  }

  private static Tensor random(int[] shape, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[] v = new double[Shapes.numel(shape)];
    for (int i = 0; i < v.length; i++) {
      v[i] = rng.nextDouble(-2.0, 2.0);
    }
    return Tensor.fromData(NDArray.wrap(v, shape));
  }

  private static double[] gradOf(Tensor x) {
    x.zeroGrad();
    x.tanh().mul(x.exp()).add(x.sigmoid()).sum().backward();
    return x.grad().toDoubleArray();
  }

  @Property(tries = 60, seed = "20261202")
  void finiteGraph_sameGradientsInAndOutOfTheMode(
      @ForAll("shapes") int[] shape, @ForAll long seed) {
    Tensor x = random(shape, seed).requiresGrad(true);
    double[] plain = gradOf(x);
    double[] checked;
    try (var a = Anomaly.detect()) {
      checked = gradOf(x);
    }
    assertArrayEquals(plain, checked, 0.0);
  }

  @Property(tries = 60, seed = "20261203")
  void plantedNaNs_areCountedInTheForwardOutput(
      @ForAll("shapes") int[] shape, @ForAll long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[] v = random(shape, seed).toDoubleArray();
    int planted = 0;
    for (int i = 0; i < v.length; i++) {
      if (rng.nextInt(3) == 0) {
        v[i] = -1.0 - rng.nextDouble(); // log of a negative number is NaN
        planted++;
      } else {
        v[i] = 1.0 + rng.nextDouble();
      }
    }
    if (planted == 0) {
      v[0] = -1.0;
      planted = 1;
    }
    Tensor x = Tensor.fromData(NDArray.wrap(v, shape)).requiresGrad(true);
    AnomalyException e;
    try (var a = Anomaly.detect()) {
      e = assertThrows(AnomalyException.class, () -> x.mul(2.0).log());
    }
    assertEquals("log", e.op());
    String expected = "anomaly: forward of 'log' produced " + planted + " NaN of " + v.length
        + " elements in its output (shape " + Shapes.str(shape) + ")";
    assertTrue(e.getMessage().startsWith(expected), e.getMessage());
  }
}
