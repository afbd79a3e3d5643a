package dev.cadena.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import java.lang.ref.WeakReference;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The graph and the backward pass. */
class BackwardTest {

  @Test
  void backward_millionOpChain_doesNotOverflowTheStack() {
    // d/dx (x * c^n) = c^n; a recursive topological sort or release would overflow here.
    int n = 1_000_000;
    double c = 1 + 1e-7;
    Tensor x = Tensor.of(2.0).requiresGrad(true);
    Tensor factor = Tensor.of(c);
    Tensor y = x;
    for (int i = 0; i < n; i++) {
      y = y.mul(factor);
    }
    Tensor loss = y.sum();
    loss.backward();
    double expected = Math.exp(n * Math.log1p(1e-7));
    assertEquals(expected, x.grad().item(), 1e-9 * expected);
    assertEquals(2 * expected, y.item(), 1e-9 * expected);
  }

  @Test
  void valueUsedTwice_getsBothContributions() {
    Tensor x = Tensor.of(3.0).requiresGrad(true);
    Tensor y = x.mul(x).add(x.sin());
    y.backward();
    assertEquals(2 * 3.0 + Math.cos(3.0), x.grad().item(), 1e-12);

    Tensor a = Tensor.of(1.5, -2.0).requiresGrad(true);
    Tensor b = a.exp();
    Tensor loss = b.mul(a).sum().add(b.sum());
    loss.backward();
    // d/da [a e^a + e^a] = e^a (a + 2)
    for (int i = 0; i < 2; i++) {
      double v = a.get(i);
      assertEquals(Math.exp(v) * (v + 2), a.grad().get(i), 1e-12);
    }
  }

  @Test
  void diamondGraph_nodeRunsOnceAfterAllConsumers() {
    // y = (x^2) shared by two branches that meet again.
    Tensor x = Tensor.of(0.7).requiresGrad(true);
    Tensor s = x.square();
    Tensor loss = s.exp().add(s.mul(3.0)).add(s.tanh());
    loss.backward();
    double v = 0.7;
    double sv = v * v;
    double t = Math.tanh(sv);
    double expected = (Math.exp(sv) + 3 + (1 - t * t)) * 2 * v;
    assertEquals(expected, x.grad().item(), 1e-12);
  }

  @Test
  void retainGrad_storesIntermediateGradients() {
    Tensor x = Tensor.of(1.0, 2.0).requiresGrad(true);
    Tensor h = x.mul(3.0).retainGrad();
    Tensor other = x.mul(5.0);
    Tensor loss = h.square().sum().add(other.sum());
    loss.backward();
    assertArrayEquals(new double[] {6, 12}, h.grad().toDoubleArray(), 1e-12);
    assertNull(other.grad(), "non-leaves keep no gradient unless asked");
    assertArrayEquals(new double[] {18 + 5, 36 + 5}, x.grad().toDoubleArray(), 1e-12);
    assertTrue(h.retainsGrad());
  }

  @Test
  void retainGraph_allowsSecondBackward_whichAccumulates() {
    Tensor x = Tensor.of(1.0, -2.0).requiresGrad(true);
    Tensor loss = x.pow(3.0).sum();
    loss.backward(true);
    double[] first = x.grad().toDoubleArray();
    assertArrayEquals(new double[] {3, 12}, first, 1e-12);
    loss.backward();
    assertArrayEquals(new double[] {6, 24}, x.grad().toDoubleArray(), 1e-12);
  }

  @Test
  void secondBackward_withoutRetainGraph_throwsClearly() {
    Tensor x = Tensor.of(1.0, 2.0).requiresGrad(true);
    Tensor loss = x.exp().sum();
    loss.backward();
    double[] once = x.grad().toDoubleArray();
    AutogradException e = assertThrows(AutogradException.class, loss::backward);
    assertTrue(e.getMessage().contains("already freed"), e.getMessage());
    assertTrue(e.getMessage().contains("retainGraph"), e.getMessage());
    assertTrue(e.getMessage().contains("'sum'"), e.getMessage());
    assertArrayEquals(once, x.grad().toDoubleArray(), "a refused backward adds nothing");
  }

  @Test
  void secondBackward_throughSharedFreedSubgraph_throws() {
    Tensor x = Tensor.of(1.0).requiresGrad(true);
    Tensor h = x.exp();
    h.mul(2.0).sum().backward();
    Tensor other = h.mul(3.0).sum();
    AutogradException e = assertThrows(AutogradException.class, other::backward);
    assertTrue(e.getMessage().contains("'exp'"), e.getMessage());
  }

  @Test
  void zeroGrad_clearsAccumulation() {
    Tensor x = Tensor.of(2.0).requiresGrad(true);
    x.mul(x).backward();
    assertEquals(4.0, x.grad().item());
    x.mul(x).backward();
    assertEquals(8.0, x.grad().item(), "gradients accumulate across backward calls");
    x.zeroGrad();
    assertNull(x.grad());
    x.mul(x).backward();
    assertEquals(4.0, x.grad().item());
  }

  @Test
  void detach_cutsTheGraph() {
    Tensor x = Tensor.of(2.0).requiresGrad(true);
    Tensor d = x.mul(3.0).detach();
    assertFalse(d.requiresGrad());
    assertNull(d.gradFn());
    assertTrue(d.isLeaf());
    Tensor loss = x.mul(d);
    loss.backward();
    assertEquals(6.0, x.grad().item(), "d is a constant: d/dx (x * 6) = 6");
  }

  @Test
  void noGrad_scope_stopsRecording_andNestedScopesRestore() {
    Tensor x = Tensor.of(1.0).requiresGrad(true);
    assertTrue(GradMode.isEnabled());
    try (var outer = Tensor.noGrad()) {
      assertFalse(GradMode.isEnabled());
      Tensor y = x.mul(2.0);
      assertFalse(y.requiresGrad());
      assertNull(y.gradFn());
      try (var inner = GradMode.enableGrad()) {
        assertTrue(GradMode.isEnabled());
        assertTrue(x.mul(2.0).requiresGrad());
        try (var innermost = Tensor.noGrad()) {
          assertFalse(GradMode.isEnabled());
        }
        assertTrue(GradMode.isEnabled());
      }
      assertFalse(GradMode.isEnabled());
    }
    assertTrue(GradMode.isEnabled());
    assertTrue(x.mul(2.0).requiresGrad());
  }

  @Test
  void noGrad_scope_restoredEvenWhenExceptionThrown() {
    assertThrows(IllegalStateException.class, () -> {
      try (var s = Tensor.noGrad()) {
        throw new IllegalStateException("boom");
      }
    });
    assertTrue(GradMode.isEnabled());
  }

  @Test
  void requiresGrad_propagates() {
    Tensor w = Tensor.of(1.0, 2.0).requiresGrad(true);
    Tensor c = Tensor.of(3.0, 4.0);
    assertFalse(c.add(c).requiresGrad());
    assertTrue(c.add(w).requiresGrad());
    assertTrue(w.mul(c).sum().requiresGrad());
    assertFalse(c.mul(c).isLeaf() && c.mul(c).requiresGrad());
    assertTrue(w.reshape(2, 1).requiresGrad());
    assertFalse(w.argmax().requiresGrad(), "integer results carry no gradient");
    assertFalse(w.gt(0.0).requiresGrad(), "masks carry no gradient");
    Tensor y = w.exp();
    assertFalse(y.isLeaf());
    assertSame(y.gradFn(), y.gradFn());
    assertEquals("exp", y.gradFn().name());
    assertEquals(1, y.gradFn().inputCount());
    assertSame(w, y.gradFn().inputs().get(0));
  }

  @Test
  void backward_onlyReachesLeavesThatRequireGrad() {
    Tensor w = Tensor.of(2.0).requiresGrad(true);
    Tensor c = Tensor.of(5.0);
    w.mul(c).backward();
    assertEquals(5.0, w.grad().item());
    assertNull(c.grad());
  }

  @Test
  void backward_withExplicitGradient_computesVjp() {
    Tensor x = Tensor.of(1.0, 2.0, 3.0).requiresGrad(true);
    Tensor y = x.square();
    y.backward(Tensor.of(1.0, 0.5, -1.0));
    assertArrayEquals(new double[] {2, 2, -6}, x.grad().toDoubleArray(), 1e-12);
  }

  @Test
  void graph_isFreedAfterBackward_inputsReleased() {
    Tensor x = Tensor.of(1.0, 2.0).requiresGrad(true);
    Tensor h = x.exp();
    Tensor loss = h.mul(2.0).sum();
    Node sumNode = loss.gradFn();
    Node expNode = h.gradFn();
    assertEquals(1, sumNode.inputCount());
    loss.backward();
    assertTrue(sumNode.inputs().isEmpty());
    assertTrue(expNode.inputs().isEmpty());
  }

  @Test
  void graph_intermediateBecomesCollectableAfterBackward() throws InterruptedException {
    Tensor x = Tensor.randn(new SplittableRandom(3), 64).requiresGrad(true);
    Tensor loss;
    WeakReference<Tensor> intermediate;
    {
      Tensor h = x.tanh();
      intermediate = new WeakReference<>(h);
      loss = h.mul(h).sum();
    }
    loss.backward();
    assertNotNull(x.grad());
    for (int i = 0; i < 50 && intermediate.get() != null; i++) {
      System.gc();
      Thread.sleep(10);
    }
    assertNull(intermediate.get(), "the graph still holds the intermediate tensor after backward");
    assertNotNull(loss.gradFn(), "the loss itself still exists");
  }

  @Test
  void graph_retainedWithRetainGraph() throws InterruptedException {
    Tensor x = Tensor.of(1.0, 2.0).requiresGrad(true);
    Tensor loss;
    WeakReference<Tensor> intermediate;
    {
      Tensor h = x.tanh();
      intermediate = new WeakReference<>(h);
      loss = h.sum();
    }
    loss.backward(true);
    System.gc();
    assertNotNull(intermediate.get(), "retainGraph keeps the graph (and what it saved) alive");
    assertEquals(1, loss.gradFn().inputCount());
  }
}
