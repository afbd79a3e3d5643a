package dev.cadena.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@code Tensor.grad}: gradients as values, higher-order derivatives, Hessian-vector products. */
class FunctionalGradTest {

  @Test
  void grad_returnsGradients_withoutTouchingGradField() {
    Tensor x = Tensor.of(1.0, 2.0).requiresGrad(true);
    Tensor y = Tensor.of(3.0).requiresGrad(true);
    Tensor h = x.mul(y).retainGrad();
    Tensor loss = h.sum();
    List<Tensor> g = Tensor.grad(loss, List.of(x, y), false);
    assertArrayEquals(new double[] {3, 3}, g.get(0).toDoubleArray());
    assertArrayEquals(new double[] {3}, g.get(1).toDoubleArray());
    assertNull(x.grad());
    assertNull(y.grad());
    assertNull(h.grad());
  }

  @Test
  void grad_withGradOutputs_isAVectorJacobianProduct() {
    Tensor x = Tensor.of(1.0, 2.0, 3.0).requiresGrad(true);
    Tensor y = x.square();
    Tensor u = Tensor.of(1.0, -1.0, 0.5);
    Tensor g = Tensor.grad(List.of(y), List.of(x), List.of(u), false).get(0);
    assertArrayEquals(new double[] {2, -4, 3}, g.toDoubleArray(), 1e-12);
  }

  @Test
  void grad_ofUnusedInput_isZeros() {
    Tensor x = Tensor.of(1.0, 2.0).requiresGrad(true);
    Tensor unused = Tensor.zeros(3).requiresGrad(true);
    List<Tensor> g = Tensor.grad(x.sum(), List.of(x, unused), false);
    assertArrayEquals(new double[] {0, 0, 0}, g.get(1).toDoubleArray());
  }

  @Test
  void grad_wrtIntermediate() {
    Tensor x = Tensor.of(2.0).requiresGrad(true);
    Tensor h = x.mul(3.0);
    Tensor loss = h.square();
    Tensor g = Tensor.grad(loss, List.of(h), false).get(0);
    assertEquals(12.0, g.item(), 1e-12);
  }

  @Test
  void secondDerivative_ofCube_isSixX() {
    double[] xs = {-1.5, 0.0, 0.5, 2.0};
    Tensor x = Tensor.of(xs).requiresGrad(true);
    Tensor y = x.pow(3.0).sum();
    Tensor dy = Tensor.grad(y, List.of(x), true).get(0);
    assertTrue(dy.requiresGrad(), "createGraph makes the gradient differentiable");
    Tensor d2y = Tensor.grad(dy.sum(), List.of(x), false).get(0);
    for (int i = 0; i < xs.length; i++) {
      assertEquals(3 * xs[i] * xs[i], dy.get(i), 1e-12);
      assertEquals(6 * xs[i], d2y.get(i), 1e-12);
    }
    // Third derivative is the constant 6.
    Tensor dy2 = Tensor.grad(x.pow(3.0).sum(), List.of(x), true).get(0);
    Tensor d2 = Tensor.grad(dy2.sum(), List.of(x), true).get(0);
    Tensor d3 = Tensor.grad(d2.sum(), List.of(x), false).get(0);
    assertArrayEquals(new double[] {6, 6, 6, 6}, d3.toDoubleArray(), 1e-12);
  }

  @Test
  void grad_withoutCreateGraph_isAConstant() {
    Tensor x = Tensor.of(1.0).requiresGrad(true);
    Tensor g = Tensor.grad(x.pow(3.0).sum(), List.of(x), false).get(0);
    assertFalse(g.requiresGrad());
  }

  @Test
  void grad_inputNotRequiringGrad_throws() {
    Tensor x = Tensor.of(1.0).requiresGrad(true);
    Tensor c = Tensor.of(2.0);
    AutogradException e = assertThrows(AutogradException.class,
        () -> Tensor.grad(x.mul(c).sum(), List.of(c), false));
    assertTrue(e.getMessage().contains("does not require grad"), e.getMessage());
  }

  // ------------------------------------------------------------------ Hessian-vector product

  /** A 2-layer tanh MLP with squared-error loss, written with raw tensor ops. */
  private static Tensor mlpLoss(Tensor x, Tensor target, List<Tensor> p) {
    Tensor h = x.matmul(p.get(0)).add(p.get(1)).tanh();
    Tensor out = h.matmul(p.get(2)).add(p.get(3));
    return out.sub(target).square().mean();
  }

  private static List<Tensor> gradientAt(Tensor x, Tensor target, List<double[]> values, int[][] shapes) {
    List<Tensor> p = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      p.add(Tensor.fromArray(values.get(i), shapes[i]).requiresGrad(true));
    }
    return Tensor.grad(mlpLoss(x, target, p), p, false);
  }

  @Test
  void hessianVectorProduct_ofMlpLoss_matchesFiniteDifferencesOfGradient() {
    SplittableRandom rng = new SplittableRandom(2024);
    Tensor x = Tensor.randn(rng, 5, 3);
    Tensor target = Tensor.randn(rng, 5, 2);
    int[][] shapes = {{3, 4}, {4}, {4, 2}, {2}};
    List<Tensor> params = new ArrayList<>();
    List<Tensor> vs = new ArrayList<>();
    for (int[] s : shapes) {
      params.add(Tensor.randn(rng, s).mul(0.7).detach().requiresGrad(true));
      vs.add(Tensor.randn(rng, s));
    }
    // HVP = d/dw (grad(w) . v), with the gradient recorded (createGraph).
    List<Tensor> g = Tensor.grad(mlpLoss(x, target, params), params, true);
    Tensor gv = Tensor.scalar(0.0);
    for (int i = 0; i < g.size(); i++) {
      gv = gv.add(g.get(i).mul(vs.get(i)).sum());
    }
    List<Tensor> hvp = Tensor.grad(gv, params, false);

    double eps = 1e-5;
    List<double[]> plus = new ArrayList<>();
    List<double[]> minus = new ArrayList<>();
    for (int i = 0; i < params.size(); i++) {
      double[] w = params.get(i).toDoubleArray();
      double[] v = vs.get(i).toDoubleArray();
      double[] wp = new double[w.length];
      double[] wm = new double[w.length];
      for (int k = 0; k < w.length; k++) {
        wp[k] = w[k] + eps * v[k];
        wm[k] = w[k] - eps * v[k];
      }
      plus.add(wp);
      minus.add(wm);
    }
    List<Tensor> gp = gradientAt(x, target, plus, shapes);
    List<Tensor> gm = gradientAt(x, target, minus, shapes);
    double maxAbs = 0;
    for (int i = 0; i < params.size(); i++) {
      assertArrayEquals(shapes[i], hvp.get(i).shape());
      double[] a = hvp.get(i).toDoubleArray();
      double[] p = gp.get(i).toDoubleArray();
      double[] m = gm.get(i).toDoubleArray();
      for (int k = 0; k < a.length; k++) {
        double numeric = (p[k] - m[k]) / (2 * eps);
        assertEquals(numeric, a[k], 1e-6 + 1e-4 * Math.abs(numeric),
            "HVP of parameter " + i + " element " + k);
        maxAbs = Math.max(maxAbs, Math.abs(a[k]));
      }
    }
    assertTrue(maxAbs > 1e-3, "a vanishing HVP would make the comparison vacuous");
  }
}
