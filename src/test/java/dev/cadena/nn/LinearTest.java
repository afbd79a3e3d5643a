package dev.cadena.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.ShapeException;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LinearTest {
  @Test
  void forward_matchesLoopFormula() {
    Linear d = new Linear(3, 2, true, new SplittableRandom(1));
    Tensor x = Tensor.randn(new SplittableRandom(2), 4, 3);
    Tensor y = d.forward(x);
    assertArrayEquals(new int[] {4, 2}, y.shape());
    for (int n = 0; n < 4; n++) {
      for (int j = 0; j < 2; j++) {
        double z = d.bias().get(j);
        for (int k = 0; k < 3; k++) {
          z += x.get(n, k) * d.weight().get(k, j);
        }
        assertEquals(z, y.get(n, j), 1e-12);
      }
    }
  }

  @Test
  void forward_anyLeadingDimensions() {
    Linear d = new Linear(4, 5, true, new SplittableRandom(1));
    Tensor x = Tensor.randn(new SplittableRandom(2), 2, 3, 4);
    Tensor y = d.forward(x);
    assertArrayEquals(new int[] {2, 3, 5}, y.shape());
    Tensor flat = d.forward(x.reshape(6, 4)).reshape(2, 3, 5);
    assertTrue(y.allClose(flat, 0, 1e-12));
    assertArrayEquals(new int[] {5}, d.forward(Tensor.randn(new SplittableRandom(3), 4)).shape());
  }

  @Test
  void constructor_defaultInitIsUniformWithinOneOverSqrtIn() {
    Linear d = new Linear(400, 300, true, new SplittableRandom(1));
    double k = 1 / Math.sqrt(400);
    double[] w = d.weight().toDoubleArray();
    double sumSq = 0;
    for (double v : w) {
      assertTrue(Math.abs(v) <= k, () -> "weight outside [-k, k]: " + v);
      sumSq += v * v;
    }
    // U(-k, k) has variance k^2 / 3.
    assertEquals(k * k / 3, sumSq / w.length, 0.03 * k * k / 3);
    for (double v : d.bias().toDoubleArray()) {
      assertTrue(Math.abs(v) <= k);
    }
  }

  @Test
  void resetParameters_isReproducibleFromTheSeed() {
    Linear a = new Linear(3, 4, true, new SplittableRandom(5));
    Linear b = new Linear(3, 4, true, new SplittableRandom(6));
    b.resetParameters(new SplittableRandom(5));
    assertTrue(a.weight().allClose(b.weight(), 0, 0));
    assertTrue(a.bias().allClose(b.bias(), 0, 0));
    assertTrue(b.weight().requiresGrad() && b.weight().isLeaf());
  }

  @Test
  void parameters_namesShapesAndDtype() {
    Linear d = new Linear(3, 4, true, DType.FLOAT32, new SplittableRandom(1));
    assertEquals(List.of("weight", "bias"), List.copyOf(d.namedParameters().keySet()));
    assertArrayEquals(new int[] {3, 4}, d.weight().shape());
    assertArrayEquals(new int[] {4}, d.bias().shape());
    assertEquals(DType.FLOAT32, d.weight().dtype());
    assertEquals(DType.FLOAT32, d.forward(Tensor.ones(DType.FLOAT32, 2, 3)).dtype());
    Linear nb = new Linear(3, 4, false, new SplittableRandom(1));
    assertNull(nb.bias());
    assertEquals(List.of("weight"), List.copyOf(nb.namedParameters().keySet()));
    assertEquals(12, nb.parameterCount());
  }

  @Test
  void backward_gradientsHaveParameterShapes() {
    Linear d = new Linear(3, 2, true, new SplittableRandom(1));
    d.forward(Tensor.randn(new SplittableRandom(2), 5, 3)).sum().backward();
    assertArrayEquals(new int[] {3, 2}, d.weight().grad().shape());
    // d(sum y)/db = number of rows.
    assertTrue(d.bias().grad().allClose(Tensor.of(5.0, 5.0), 0, 1e-12));
  }

  @Test
  void toString_showsSizesAndBias() {
    assertEquals("Linear(in=784, out=256, bias=true)", new Linear(784, 256, true, new SplittableRandom(1)).toString());
    assertEquals("Linear(in=2, out=1, bias=false)", new Linear(2, 1, false, new SplittableRandom(1)).toString());
    assertEquals("Linear(in=3, out=2, bias=true)", new Linear(3, 2, true, new SplittableRandom(1)).toString());
  }

  @Test
  void forward_wrongFeatureCount_namesLayerAndShapes() {
    Linear d = new Linear(784, 256, true, new SplittableRandom(1));
    ShapeException e = assertThrows(ShapeException.class, () -> d.forward(Tensor.zeros(2, 3)));
    assertEquals("Linear: input has 3 features, expected 784 (input shape [2, 3])", e.getMessage());
    ShapeException s = assertThrows(ShapeException.class, () -> d.forward(Tensor.scalar(1.0)));
    assertTrue(s.getMessage().startsWith("Linear: input has 0 features"), s::getMessage);
  }

  @Test
  void forward_badInputs_areIllegalArgumentsNamingTheLayer() {
    Linear d = new Linear(2, 2, true, new SplittableRandom(1));
    NullPointerException n = assertThrows(NullPointerException.class, () -> d.forward(null));
    assertEquals("Linear: input is null", n.getMessage());
    IllegalArgumentException i = assertThrows(IllegalArgumentException.class,
        () -> d.forward(Tensor.ofLongs(1, 2)));
    assertTrue(i.getMessage().startsWith("Linear: input must be float32 or float64, got int64"), i::getMessage);
  }

  @Test
  void constructor_badArguments() {
    SplittableRandom r = new SplittableRandom(1);
    assertEquals("Linear: in features must be positive, got 0",
        assertThrows(IllegalArgumentException.class, () -> new Linear(0, 2, true, r)).getMessage());
    assertEquals("Linear: out features must be positive, got -1",
        assertThrows(IllegalArgumentException.class, () -> new Linear(2, -1, true, r)).getMessage());
    assertTrue(assertThrows(NullPointerException.class, () -> new Linear(2, 2, true, null))
        .getMessage().startsWith("Linear: rng is null (pass a seeded generator"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new Linear(2, 2, true, DType.INT64, r))
        .getMessage().contains("int64"));
  }

  @Test
  void functionalLinear_checksShapes() {
    Tensor w = Tensor.zeros(3, 2);
    assertEquals("linear: bias must have shape [2], got [3]",
        assertThrows(ShapeException.class,
            () -> Functional.linear(Tensor.zeros(1, 3), w, Tensor.zeros(3))).getMessage());
    assertEquals("linear: weight must be 2-d [in, out], got shape [3]",
        assertThrows(ShapeException.class,
            () -> Functional.linear(Tensor.zeros(1, 3), Tensor.zeros(3), null)).getMessage());
  }
}
