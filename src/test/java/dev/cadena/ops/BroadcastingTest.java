package dev.cadena.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.RefArray;
import dev.cadena.ShapeArbitraries;
import dev.cadena.Tensor;
import dev.cadena.tensor.ShapeException;
import dev.cadena.tensor.Shapes;
import java.util.Arrays;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** NumPy broadcasting in the forward pass, and its undoing (sumTo) in the backward pass. */
class BroadcastingTest {

  @Test
  void handPickedShapes_broadcastAsNumPy() {
    int[][][] cases = {
      {{}, {}, {}},
      {{}, {2, 3}, {2, 3}},
      {{3}, {2, 3}, {2, 3}},
      {{2, 1}, {1, 3}, {2, 3}},
      {{4, 1, 3}, {2, 1}, {4, 2, 3}},
      {{1}, {5}, {5}},
      {{1, 1, 1}, {3}, {1, 1, 3}},
      {{0, 1}, {1, 4}, {0, 4}},
    };
    for (int[][] c : cases) {
      Tensor a = Tensor.ones(c[0]);
      Tensor b = Tensor.ones(c[1]);
      assertArrayEquals(c[2], a.add(b).shape(), Arrays.toString(c[0]) + " + " + Arrays.toString(c[1]));
      assertArrayEquals(c[2], b.mul(a).shape());
    }
  }

  @Test
  void incompatibleShapes_throwNamingBothShapesAndTheOp() {
    Tensor a = Tensor.zeros(2, 3);
    Tensor b = Tensor.zeros(4, 3);
    ShapeException e = assertThrows(ShapeException.class, () -> a.add(b));
    assertTrue(e.getMessage().startsWith("add:"), e.getMessage());
    assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4, 3]"), e.getMessage());
    ShapeException m = assertThrows(ShapeException.class, () -> Tensor.zeros(3).mul(Tensor.zeros(2, 2)));
    assertTrue(m.getMessage().startsWith("mul:") && m.getMessage().contains("[3]")
        && m.getMessage().contains("[2, 2]"), m.getMessage());
    assertThrows(ShapeException.class, () -> Tensor.zeros(2).expand(3));
    assertThrows(ShapeException.class, () -> Tensor.zeros(2, 3).expand(3));
  }

  @Test
  void gradientOfBroadcastOperand_isSummedBackToItsShape() {
    Tensor bias = Tensor.of(1.0, 2.0, 3.0).requiresGrad(true);
    Tensor scale = Tensor.scalar(2.0).requiresGrad(true);
    Tensor col = Tensor.of(new double[][] {{1}, {10}}).requiresGrad(true);
    Tensor x = Tensor.of(new double[][] {{1, 2, 3}, {4, 5, 6}});
    Tensor y = x.add(bias).mul(scale).add(col);
    y.backward(Tensor.ones(2, 3));
    assertArrayEquals(new double[] {4, 4, 4}, bias.grad().toDoubleArray());
    assertArrayEquals(new int[0], scale.grad().shape());
    // d/dscale sum((x + bias) * scale) = sum(x + bias) = 21 + 2 * 6
    assertEquals(21 + 12, scale.grad().item());
    assertArrayEquals(new int[] {2, 1}, col.grad().shape());
    assertArrayEquals(new double[] {3, 3}, col.grad().toDoubleArray());
  }

  @Test
  void sumTo_invertsBroadcasting() {
    Tensor g = Tensor.arange(24).reshape(2, 3, 4);
    assertArrayEquals(new double[] {60, 66, 72, 78}, g.sumTo(4).toDoubleArray());
    assertArrayEquals(new int[] {3, 1}, g.sumTo(3, 1).shape());
    RefArray r = RefArray.of(g);
    r.sum(new int[] {0, 2}, true).reshape(3, 1).assertClose(g.sumTo(3, 1), 0);
    assertEquals(276.0, g.sumTo().item());
    assertThrows(ShapeException.class, () -> g.sumTo(5));
  }

  // ------------------------------------------------------------------ properties

  @Provide
  Arbitrary<int[][]> pairs() {
    return ShapeArbitraries.broadcastPairs(4, 3);
  }

  @Property(tries = 150, seed = "20240601")
  void broadcastShape_agreesWithIndependentRule(@ForAll("pairs") int[][] p) {
    int[] expected = RefArray.broadcastShape(p[0], p[1]);
    assertArrayEquals(expected, Shapes.broadcast("test", p[0], p[1]));
    assertArrayEquals(expected, Shapes.broadcast("test", p[1], p[0]));
    assertTrue(Shapes.broadcastsTo(p[0], expected));
  }

  @Property(tries = 150, seed = "20240602")
  void incompatibleDimensions_alwaysThrowShapeException(
      @ForAll("pairs") int[][] p, @ForAll("sizes") int bump) {
    // Make one trailing dimension disagree (neither is 1): the pair no longer broadcasts.
    if (p[0].length == 0 || p[1].length == 0) {
      return;
    }
    int[] a = p[0].clone();
    int[] b = p[1].clone();
    a[a.length - 1] = 2;
    b[b.length - 1] = 2 + bump;
    assertNull(RefArray.broadcastShape(a, b));
    ShapeException e = assertThrows(ShapeException.class, () -> Tensor.zeros(a).sub(Tensor.zeros(b)));
    assertTrue(e.getMessage().contains(Arrays.toString(a)) && e.getMessage().contains(Arrays.toString(b)),
        e.getMessage());
  }

  @Provide
  Arbitrary<Integer> sizes() {
    return Arbitraries.integers().between(1, 3);
  }

  @Property(tries = 120, seed = "20240603")
  void forwardAndGradients_matchReference(@ForAll("pairs") int[][] p, @ForAll long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    Tensor a = Tensor.randn(rng, p[0]).requiresGrad(true);
    Tensor b = Tensor.randn(rng, p[1]).requiresGrad(true);
    Tensor y = a.mul(b).add(a);
    RefArray ra = RefArray.of(a);
    RefArray rb = RefArray.of(b);
    RefArray.zip(ra, rb, (x, z) -> x * z + x).assertClose(y, 1e-14);

    Tensor u = Tensor.randn(rng, y.shape());
    y.backward(u);
    assertArrayEquals(p[0], a.grad().shape());
    assertArrayEquals(p[1], b.grad().shape());
    // Reference: accumulate u * d(out)/d(operand) into the operand element each output came from.
    int[] out = y.shape();
    double[] ga = new double[ra.size()];
    double[] gb = new double[rb.size()];
    int[] idx = new int[out.length];
    double[] uv = u.toDoubleArray();
    for (int f = 0; f < uv.length; f++) {
      RefArray.unflatten(f, out, idx);
      ga[sourceIndex(idx, p[0])] += uv[f] * (rb.atBroadcast(idx) + 1);
      gb[sourceIndex(idx, p[1])] += uv[f] * ra.atBroadcast(idx);
    }
    new RefArray(p[0], ga).assertClose(a.grad(), 1e-12);
    new RefArray(p[1], gb).assertClose(b.grad(), 1e-12);
  }

  private static int sourceIndex(int[] outIdx, int[] shape) {
    int lead = outIdx.length - shape.length;
    int f = 0;
    for (int d = 0; d < shape.length; d++) {
      f = f * shape[d] + (shape[d] == 1 ? 0 : outIdx[lead + d]);
    }
    return f;
  }
}
