package dev.cadena.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import java.util.List;
import org.junit.jupiter.api.Test;

class GradClipTest {
  private static Tensor param(Tensor grad) {
    Tensor p = Tensor.zeros(grad.dtype(), grad.shape()).requiresGrad(true);
    p.setGrad(grad);
    return p;
  }

  @Test
  void testClipGradNorm_aboveMax_returnsNormAndScalesToMax() {
    Tensor a = param(Tensor.of(3.0, 4.0));
    Tensor b = param(Tensor.of(new double[][] {{12.0}}));
    double norm = GradClip.clipGradNorm(List.of(a, b), 1.0);
    assertEquals(13.0, norm, 1e-15);
    double coef = 1.0 / (13.0 + 1e-6);
    assertArrayEquals(new double[] {3 * coef, 4 * coef}, a.grad().toDoubleArray(), 1e-15);
    assertArrayEquals(new double[] {12 * coef}, b.grad().toDoubleArray(), 1e-15);
    assertEquals(1.0, GradClip.gradNorm(List.of(a, b)), 1e-6);
  }

  @Test
  void testClipGradNorm_belowMax_leavesGradsAlone() {
    Tensor g = Tensor.of(3.0, 4.0);
    Tensor a = param(g);
    assertEquals(5.0, GradClip.clipGradNorm(List.of(a), 10.0), 1e-15);
    assertSame(g, a.grad());
  }

  @Test
  void testClipGradNorm_skipsNullGradsAndFloat32() {
    Tensor none = Tensor.zeros(2).requiresGrad(true);
    Tensor f = param(Tensor.of(6.0f, 8.0f));
    assertEquals(10.0, GradClip.clipGradNorm(List.of(none, f), 5.0), 1e-6);
    assertNull(none.grad());
    assertEquals(DType.FLOAT32, f.grad().dtype());
    assertArrayEquals(new double[] {3.0, 4.0}, f.grad().toDoubleArray(), 1e-5);
    assertEquals(0.0, GradClip.gradNorm(List.of(none)));
  }

  @Test
  void testClipGradNorm_sharedAndBroadcastGrads_eachScaledOnce() {
    Tensor a = Tensor.of(1.0, 2.0, 3.0, 4.0).requiresGrad(true);
    Tensor b = Tensor.of(5.0, 6.0, 7.0, 8.0).requiresGrad(true);
    a.add(b).sum().backward(); // one stride-0 tensor of ones, given to both a and b
    double norm = GradClip.clipGradNorm(List.of(a, b), 1.0);
    assertEquals(Math.sqrt(8), norm, 1e-15);
    double c = 1.0 / (Math.sqrt(8) + 1e-6);
    assertArrayEquals(new double[] {c, c, c, c}, a.grad().toDoubleArray(), 1e-15);
    assertArrayEquals(new double[] {c, c, c, c}, b.grad().toDoubleArray(), 1e-15);
  }

  @Test
  void testInPlaceScaling_ofBroadcastGrad_isRejected() {
    // Why clipping replaces gradients: scaling this one in place used to multiply its single
    // storage element once per logical element (NDArray.checkWritable now rejects it).
    Tensor a = Tensor.of(1.0, 2.0, 3.0).requiresGrad(true);
    a.setGrad(Tensor.ones(1).expand(3)); // backward gives owned grads; a user may set a view
    try (var s = Tensor.noGrad()) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.grad().mul_(2.0));
      assertTrue(e.getMessage().startsWith("mul_: cannot write in place into a broadcast view"), e.getMessage());
    }
    assertArrayEquals(new double[] {1, 1, 1}, a.grad().toDoubleArray(), 0);
  }

  @Test
  void testClipGradNorm_nonFiniteNorm_returnedAndGradsUnchanged() {
    Tensor g = Tensor.of(1.0, Double.POSITIVE_INFINITY);
    Tensor a = param(g);
    assertEquals(Double.POSITIVE_INFINITY, GradClip.clipGradNorm(List.of(a), 1.0));
    assertSame(g, a.grad());
    Tensor n = param(Tensor.of(Double.NaN));
    assertTrue(Double.isNaN(GradClip.clipGradNorm(List.of(n), 1.0)));
  }

  @Test
  void testClipGradValue_clampsEachElement() {
    Tensor a = param(Tensor.of(-3.0, -0.5, 0.0, 0.7, 2.0));
    Tensor none = Tensor.zeros(1).requiresGrad(true);
    GradClip.clipGradValue(List.of(a, none), 1.0);
    assertArrayEquals(new double[] {-1.0, -0.5, 0.0, 0.7, 1.0}, a.grad().toDoubleArray(), 0);
    assertNull(none.grad());
  }
}
