package dev.cadena.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import org.junit.jupiter.api.Test;

/** Leaves own their gradients: updating one in place never changes another tensor. */
class GradOwnershipTest {
  @Test
  void testSharedVjpOutput_givesEachLeafItsOwnStorage() {
    Tensor a = Tensor.of(1.0, 2.0).requiresGrad(true);
    Tensor b = Tensor.of(3.0, 4.0).requiresGrad(true);
    a.add(b).mul(Tensor.of(2.0, 5.0)).sum().backward(); // add hands one gradient to both
    assertNotSame(a.grad().data().storageKey(), b.grad().data().storageKey());
    try (var s = Tensor.noGrad()) {
      a.grad().mul_(10.0);
    }
    assertArrayEquals(new double[] {20, 50}, a.grad().toDoubleArray(), 0);
    assertArrayEquals(new double[] {2, 5}, b.grad().toDoubleArray(), 0);
  }

  @Test
  void testBroadcastGradient_isMaterialisedContiguous() {
    Tensor w = Tensor.of(1.0, 2.0, 3.0).requiresGrad(true);
    w.sum().backward(); // sum's VJP expands a scalar: a stride-0 view
    assertTrue(w.grad().data().isContiguous());
    try (var s = Tensor.noGrad()) {
      w.grad().mul_(2.0);
    }
    assertArrayEquals(new double[] {2, 2, 2}, w.grad().toDoubleArray(), 0);
  }

  @Test
  void testUserGradient_isNotAliasedByTheLeafGradient() {
    Tensor x = Tensor.of(1.0, 2.0).requiresGrad(true);
    Tensor g = Tensor.of(0.5, 0.25);
    x.backward(g);
    try (var s = Tensor.noGrad()) {
      x.grad().mul_(4.0);
    }
    assertArrayEquals(new double[] {0.5, 0.25}, g.toDoubleArray(), 0);
    Tensor y = Tensor.of(1.0, 2.0).requiresGrad(true);
    Tensor h = Tensor.of(1.0, 1.0);
    y.reshape(2, 1).reshape(2).backward(h); // reshape's VJP returns views of h
    try (var s = Tensor.noGrad()) {
      y.grad().mul_(3.0);
    }
    assertArrayEquals(new double[] {1, 1}, h.toDoubleArray(), 0);
  }
}
