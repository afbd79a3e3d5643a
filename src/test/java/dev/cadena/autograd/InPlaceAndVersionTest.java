package dev.cadena.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Immutable values, in-place updates under no-grad, version counters and saved-tensor checks. */
class InPlaceAndVersionTest {

  @Test
  void ops_returnNewTensors_andLeaveInputsUnchanged() {
    Tensor a = Tensor.of(1.0, 2.0, 3.0);
    Tensor b = Tensor.of(4.0, 5.0, 6.0);
    Tensor[] results = {
      a.add(b), a.mul(b), a.sub(b), a.div(b), a.exp(), a.neg(), a.sum(), a.reshape(3, 1), a.relu(),
      a.pow(2.0), a.softmax(0)
    };
    for (Tensor r : results) {
      assertNotSame(a, r);
    }
    assertArrayEquals(new double[] {1, 2, 3}, a.toDoubleArray());
    assertArrayEquals(new double[] {4, 5, 6}, b.toDoubleArray());
    assertEquals(0, a.version());
  }

  @Test
  void inPlaceOps_computeTheirValues_andBumpTheVersion() {
    Tensor t = Tensor.of(1.0, 2.0, 3.0);
    int v0 = t.version();
    t.add_(Tensor.of(1.0, 1.0, 1.0));
    assertArrayEquals(new double[] {2, 3, 4}, t.toDoubleArray());
    t.sub_(Tensor.scalar(0.5));
    assertArrayEquals(new double[] {1.5, 2.5, 3.5}, t.toDoubleArray());
    t.mul_(Tensor.of(2.0, 0.0, -1.0));
    assertArrayEquals(new double[] {3, 0, -3.5}, t.toDoubleArray());
    t.mul_(2.0);
    assertArrayEquals(new double[] {6, 0, -7}, t.toDoubleArray());
    t.add_(Tensor.of(1.0, 2.0, 3.0), -2.0);
    assertArrayEquals(new double[] {4, -4, -13}, t.toDoubleArray());
    t.copy_(Tensor.of(9.0, 8.0, 7.0));
    assertArrayEquals(new double[] {9, 8, 7}, t.toDoubleArray());
    t.fill_(5.0);
    assertArrayEquals(new double[] {5, 5, 5}, t.toDoubleArray());
    t.zero_();
    assertArrayEquals(new double[] {0, 0, 0}, t.toDoubleArray());
    assertEquals(v0 + 8, t.version());
  }

  @Test
  void inPlace_onView_isVisibleThroughBaseAndSharesTheVersion() {
    Tensor base = Tensor.zeros(2, 3);
    Tensor row = base.select(0, 1);
    row.fill_(7.0);
    assertArrayEquals(new double[] {0, 0, 0, 7, 7, 7}, base.toDoubleArray());
    assertEquals(1, base.version());
    assertEquals(1, base.reshape(6).version());
  }

  @Test
  void inPlace_onTensorRequiringGrad_refusedOutsideNoGrad_namingTheOp() {
    Tensor w = Tensor.of(1.0, 2.0).requiresGrad(true);
    Tensor y = w.mul(2.0);
    String[] names = {"sub_", "add_", "mul_", "copy_", "fill_", "zero_"};
    List<Consumer<Tensor>> ops = List.of(
        t -> t.sub_(Tensor.of(1.0, 1.0)),
        t -> t.add_(Tensor.of(1.0, 1.0)),
        t -> t.mul_(2.0),
        t -> t.copy_(Tensor.of(3.0, 4.0)),
        t -> t.fill_(1.0),
        Tensor::zero_);
    for (int i = 0; i < ops.size(); i++) {
      for (Tensor target : new Tensor[] {w, y}) {
        Consumer<Tensor> op = ops.get(i);
        AutogradException e = assertThrows(AutogradException.class, () -> op.accept(target));
        assertTrue(e.getMessage().startsWith(names[i] + ":"), e.getMessage());
        assertTrue(e.getMessage().contains("noGrad"), e.getMessage());
      }
    }
    assertArrayEquals(new double[] {1, 2}, w.toDoubleArray(), "refused updates change nothing");
    assertEquals(0, w.version());
    try (var s = Tensor.noGrad()) {
      w.sub_(Tensor.of(0.5, 0.5));
    }
    assertArrayEquals(new double[] {0.5, 1.5}, w.toDoubleArray());
    assertEquals(1, w.version());
  }

  @Test
  void inPlace_onPlainConstant_allowedWithGradModeOn() {
    Tensor c = Tensor.of(1.0, 2.0);
    c.mul_(3.0);
    assertArrayEquals(new double[] {3, 6}, c.toDoubleArray());
  }

  @Test
  void backward_afterSavedOutputModified_throwsNamingExp() {
    Tensor x = Tensor.of(0.5, 1.0).requiresGrad(true);
    Tensor y = x.exp();
    Tensor loss = y.sum();
    try (var s = Tensor.noGrad()) {
      y.mul_(2.0);
    }
    AutogradException e = assertThrows(AutogradException.class, loss::backward);
    assertTrue(e.getMessage().contains("'exp'"), e.getMessage());
    assertTrue(e.getMessage().contains("modified in place"), e.getMessage());
    assertTrue(e.getMessage().contains("version 0 -> 1"), e.getMessage());
  }

  @Test
  void backward_afterSavedInputModified_throwsNamingMul() {
    Tensor w = Tensor.of(1.0, 2.0).requiresGrad(true);
    Tensor x = Tensor.of(3.0, 4.0);
    Tensor loss = w.mul(x).sum();
    x.add_(Tensor.of(1.0, 1.0));
    AutogradException e = assertThrows(AutogradException.class, loss::backward);
    assertTrue(e.getMessage().contains("'mul'"), e.getMessage());
  }

  @Test
  void backward_afterUnrelatedUpdate_stillWorks() {
    // add's VJP reads neither input, so an update of an input does not invalidate it.
    Tensor w = Tensor.of(1.0, 2.0).requiresGrad(true);
    Tensor loss = w.add(1.0).sum();
    try (var s = Tensor.noGrad()) {
      w.mul_(10.0);
    }
    loss.backward();
    assertArrayEquals(new double[] {1, 1}, w.grad().toDoubleArray());
  }

  @Test
  void backward_afterViewOfSavedTensorModified_throws() {
    Tensor x = Tensor.of(1.0, 2.0, 3.0, 4.0).requiresGrad(true);
    Tensor y = x.tanh();
    Tensor loss = y.sum();
    try (var s = Tensor.noGrad()) {
      y.reshape(2, 2).select(0, 0).fill_(0.0);
    }
    AutogradException e = assertThrows(AutogradException.class, loss::backward);
    assertTrue(e.getMessage().contains("'tanh'"), e.getMessage());
  }
}
