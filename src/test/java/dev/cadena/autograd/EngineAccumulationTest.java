package dev.cadena.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import java.lang.ref.WeakReference;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How the engine sums contributions: without createGraph into sums it allocated itself, never
 * into a tensor a VJP returned or the caller gave; with createGraph as recorded ops.
 */
class EngineAccumulationTest {

  @Test
  void testThreeOrMoreConsumers_sumAllContributions_andLeaveTheCallersGradientAlone() {
    Tensor x = Tensor.of(0.5, -1.0, 2.0, 0.25, 1.5, -0.75).requiresGrad(true);
    Tensor h = x.exp().retainGrad();
    // Five consumers of h: add gives its upstream to both inputs (here h twice, then h and a
    // view chain), reshape and transpose hand back views of their upstream gradient.
    Tensor y = h.add(h)
        .add(h.reshape(2, 3).t().t().reshape(6))
        .add(h.mul(3.0))
        .add(h.tanh());
    Tensor g = Tensor.of(1.0, 2.0, -1.0, 0.5, 0.0, 3.0);
    double[] gBefore = g.toDoubleArray();
    y.backward(g);
    assertArrayEquals(gBefore, g.toDoubleArray(), 0, "the caller's gradient is not modified");
    for (int i = 0; i < 6; i++) {
      double hv = Math.exp(x.get(i));
      double t = Math.tanh(hv);
      double dh = gBefore[i] * (1 + 1 + 1 + 3 + (1 - t * t));
      assertEquals(dh, h.grad().get(i), 1e-12, "h element " + i);
      assertEquals(dh * hv, x.grad().get(i), 1e-12, "x element " + i);
    }
  }

  @Test
  void testSameTensorToBothInputs_isCountedTwice_andNotModified() {
    Tensor x = Tensor.of(1.0, 2.0).requiresGrad(true);
    Tensor a = x.mul(1.0);
    // a + a + a + a: every add hands its upstream gradient (the caller's, at first) to both
    // inputs, so a's sum starts from tensors the engine must not write into.
    Tensor y = a.add(a).add(a.add(a));
    Tensor g = Tensor.of(0.5, -2.0);
    y.backward(g);
    assertArrayEquals(new double[] {0.5, -2.0}, g.toDoubleArray(), 0);
    assertArrayEquals(new double[] {2.0, -8.0}, x.grad().toDoubleArray(), 0);
  }

  @Test
  void testLeafWithManyContributions_addsToAPresetGradientWithoutModifyingIt() {
    Tensor w = Tensor.of(1.0, 3.0).requiresGrad(true);
    Tensor preset = Tensor.of(10.0, 20.0);
    w.setGrad(preset);
    Tensor y = w.mul(2.0).add(w.mul(3.0)).add(w.mul(4.0)).add(w).add(w.square());
    y.sum().backward();
    assertArrayEquals(new double[] {10, 20}, preset.toDoubleArray(), 0, "the preset gradient is not modified");
    assertArrayEquals(new double[] {10 + 10 + 2, 20 + 10 + 6}, w.grad().toDoubleArray(), 1e-12);
    // A second pass starts a new sum: the gradient the first pass left is not modified either.
    Tensor first = w.grad();
    double[] firstValues = first.toDoubleArray();
    w.mul(2.0).add(w.mul(5.0)).add(w).sum().backward();
    assertArrayEquals(firstValues, first.toDoubleArray(), 0);
    assertArrayEquals(new double[] {22 + 8, 36 + 8}, w.grad().toDoubleArray(), 1e-12);
  }

  @Test
  void testRetainGraph_secondPassSumsAfresh() {
    Tensor x = Tensor.of(0.3, -0.7).requiresGrad(true);
    Tensor h = x.sin();
    Tensor loss = h.mul(h).add(h.mul(2.0)).add(h.exp()).sum();
    loss.backward(true);
    double[] once = x.grad().toDoubleArray();
    x.zeroGrad();
    loss.backward(true);
    assertArrayEquals(once, x.grad().toDoubleArray(), 0, "the same sums, nothing left from pass one");
    loss.backward();
    for (int i = 0; i < 2; i++) {
      assertEquals(2 * once[i], x.grad().get(i), 1e-12);
    }
  }

  @Test
  void testCreateGraph_withManyConsumers_staysDifferentiable() {
    // f = sum(h * x + 3 h + h^2) with h = x^2: three consumers of h, and x used twice.
    // f' = 3x^2 + 6x + 4x^3, f'' = 6x + 6 + 12x^2.
    double[] xs = {-1.5, 0.5, 2.0};
    Tensor x = Tensor.of(xs).requiresGrad(true);
    Tensor h = x.square();
    Tensor f = h.mul(x).add(h.mul(3.0)).add(h.square()).sum();
    Tensor df = Tensor.grad(f, List.of(x), true).get(0);
    assertTrue(df.requiresGrad());
    Tensor d2f = Tensor.grad(df.sum(), List.of(x), false).get(0);
    for (int i = 0; i < xs.length; i++) {
      double v = xs[i];
      assertEquals(3 * v * v + 6 * v + 4 * v * v * v, df.get(i), 1e-12);
      assertEquals(6 * v + 6 + 12 * v * v, d2f.get(i), 1e-12);
    }
  }

  @Test
  void testSeveralRoots_oneFeedingAnother_andOneGivenTwice() {
    Tensor x = Tensor.of(2.0).requiresGrad(true);
    Tensor a = x.square(); // a = x^2
    Tensor b = a.mul(3.0); // b = 3 x^2, consumes root a
    Engine.backward(new Tensor[] {a, b, a}, new Tensor[] {Tensor.of(1.0), Tensor.of(1.0), Tensor.of(0.5)}, false, false);
    // d/dx (1.5 a + b) = 1.5 * 2x + 6x
    assertEquals(1.5 * 4 + 12, x.grad().item(), 1e-12);
  }

  /** A custom op whose backward returns the saved input itself as a gradient (d/dx x^2/2 = x). */
  static final Function HALF_SQUARE = new Function("halfSquare") {
    @Override
    protected Tensor forward(Context ctx, Tensor... in) {
      ctx.saveForBackward(in[0]);
      return in[0].square().mul(0.5);
    }

    @Override
    protected Tensor[] backward(Context ctx, Tensor grad) {
      return new Tensor[] {ctx.saved(0)}; // valid only for grad == 1, which the test passes
    }
  };

  @Test
  void testVjpReturningAForwardValue_givesTheLeafACopy() {
    Tensor x = Tensor.of(3.0, 4.0).requiresGrad(true);
    HALF_SQUARE.apply(x).backward(Tensor.of(1.0, 1.0));
    assertArrayEquals(new double[] {3, 4}, x.grad().toDoubleArray(), 0);
    assertNotSame(x.data().storageKey(), x.grad().data().storageKey());
    try (var s = Tensor.noGrad()) {
      x.grad().mul_(10.0);
    }
    assertArrayEquals(new double[] {3, 4}, x.toDoubleArray(), 0, "updating the gradient leaves x alone");
  }

  @Test
  void testNodesThatHaveRun_becomeGarbageBeforeThePassEnds() {
    // The first op of a chain runs last in backward; its VJP looks whether the nodes near the
    // loss, which ran long before, can already be collected: nothing of the engine holds them.
    List<WeakReference<Node>> ran = new java.util.ArrayList<>();
    boolean[] collected = new boolean[1];
    Function probe = new Function("probe") {
      @Override
      protected Tensor forward(Context ctx, Tensor... in) {
        return in[0].mul(1.0);
      }

      @Override
      protected Tensor[] backward(Context ctx, Tensor grad) {
        for (int i = 0; i < 50 && !collected[0]; i++) {
          System.gc();
          collected[0] = ran.stream().allMatch(r -> r.get() == null);
        }
        return new Tensor[] {grad};
      }
    };
    Tensor x = Tensor.of(1.0, 2.0).requiresGrad(true);
    Tensor loss = chainAbove(probe.apply(x), ran);
    loss.backward();
    assertTrue(collected[0], "nodes that have run are still reachable during the pass");
    assertArrayEquals(new double[] {1, 1}, x.grad().toDoubleArray(), 1e-12);
  }

  /** 200 ops above {@code y}, then sum; weak references to the nodes of the top 100. */
  private static Tensor chainAbove(Tensor y, List<WeakReference<Node>> top) {
    for (int i = 0; i < 200; i++) {
      y = y.mul(1.0).add(0.0);
      if (i >= 100) {
        top.add(new WeakReference<>(y.gradFn()));
      }
    }
    return y.sum();
  }
}
