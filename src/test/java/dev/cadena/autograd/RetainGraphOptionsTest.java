package dev.cadena.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code Tensor.backward(gradient, retainGraph, createGraph)} and
 * {@code Tensor.grad(outputs, inputs, gradOutputs, retainGraph, createGraph)}: two rows of a
 * Hessian from one graph, and the freed-graph error without retainGraph.
 */
class RetainGraphOptionsTest {
  /** f = sum(x^2 * y) + sum(exp(x)) at x = [0.5, -1], y = [2, 3]. */
  private static Tensor[] setUp() {
    Tensor x = Tensor.of(0.5, -1.0).requiresGrad(true);
    Tensor y = Tensor.of(2.0, 3.0);
    Tensor f = x.square().mul(y).sum().add(x.exp().sum());
    return new Tensor[] {x, f};
  }

  @Test
  void grad_twoHessianRows_fromOneGraph_withRetainGraph() {
    Tensor[] s = setUp();
    Tensor x = s[0];
    Tensor g = Tensor.grad(s[1], List.of(x), true).get(0);  // 2xy + exp(x)
    Tensor row0 = Tensor.grad(List.of(g), List.of(x), List.of(Tensor.of(1.0, 0.0)), true, false).get(0);
    Tensor row1 = Tensor.grad(List.of(g), List.of(x), List.of(Tensor.of(0.0, 1.0)), false, false).get(0);
    // H = diag(2y + exp(x))
    assertArrayEquals(new double[] {4 + Math.exp(0.5), 0}, row0.toDoubleArray(), 1e-12);
    assertArrayEquals(new double[] {0, 6 + Math.exp(-1.0)}, row1.toDoubleArray(), 1e-12);
    assertNull(x.grad(), "Tensor.grad touches no grad()");
  }

  @Test
  void grad_secondPassWithoutRetainGraph_failsWithTheOldError() {
    Tensor[] s = setUp();
    Tensor x = s[0];
    Tensor g = Tensor.grad(s[1], List.of(x), true).get(0);
    Tensor.grad(List.of(g), List.of(x), List.of(Tensor.of(1.0, 0.0)), false, false);
    AutogradException e = assertThrows(AutogradException.class,
        () -> Tensor.grad(List.of(g), List.of(x), List.of(Tensor.of(0.0, 1.0)), false, false));
    assertTrue(e.getMessage().contains("already freed"), e.getMessage());
    assertTrue(e.getMessage().contains("retainGraph"), e.getMessage());
  }

  @Test
  void backward_retainGraph_accumulatesTwice() {
    Tensor[] s = setUp();
    Tensor x = s[0];
    s[1].backward(Tensor.scalar(1.0), true, false);
    s[1].backward(Tensor.scalar(1.0), false, false);
    // 2 * (2xy + exp(x))
    assertArrayEquals(new double[] {2 * (2 + Math.exp(0.5)), 2 * (-6 + Math.exp(-1.0))},
        x.grad().toDoubleArray(), 1e-12);
    AutogradException e = assertThrows(AutogradException.class,
        () -> s[1].backward(Tensor.scalar(1.0), false, false));
    assertTrue(e.getMessage().contains("already freed"), e.getMessage());
  }

  @Test
  void backward_createGraph_givesDifferentiableGrad() {
    Tensor[] s = setUp();
    Tensor x = s[0];
    s[1].backward(Tensor.scalar(1.0), false, true);
    Tensor g = x.grad();
    assertTrue(g.requiresGrad(), "with createGraph the gradient has a graph");
    assertArrayEquals(new double[] {2 + Math.exp(0.5), -6 + Math.exp(-1.0)}, g.toDoubleArray(), 1e-12);
    Tensor h0 = Tensor.grad(List.of(g), List.of(x), List.of(Tensor.of(1.0, 0.0)), true, false).get(0);
    assertEquals(4 + Math.exp(0.5), h0.get(0), 1e-12);
    assertEquals(0.0, h0.get(1), 0);
  }
}
