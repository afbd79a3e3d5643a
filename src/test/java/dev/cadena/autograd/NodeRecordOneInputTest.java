package dev.cadena.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.tensor.NDArray;
import dev.cadena.tensor.UnaryOp;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@code Node.record} for one input without an inputs array (the fast path) against the array
 * form (the reference): the same kind of result, node, gradients, tangents and anomaly sites in
 * every mode that decides what is recorded.
 */
class NodeRecordOneInputTest {

  /** {@code 3 * e^x} recorded by hand, by the array form or the one-input form. */
  private static Tensor op(Tensor x, boolean oneInput) {
    NDArray r = x.data().unary(UnaryOp.EXP).binaryReference(dev.cadena.tensor.BinaryOp.MUL, 3.0);
    Node.Vjp vjp = (n, grad) -> new Tensor[] {grad.mul(n.out())};
    Node.Jvp jvp = (t, in, out) -> t[0].mul(out);
    return oneInput
        ? Node.record("exp3", r, x, vjp, jvp)
        : Node.record("exp3", r, new Tensor[] {x}, vjp, jvp);
  }

  private static void assertSameKind(Tensor ref, Tensor fast) {
    assertArrayEquals(ref.toDoubleArray(), fast.toDoubleArray());
    assertEquals(ref.requiresGrad(), fast.requiresGrad());
    assertEquals(ref.gradFn() == null, fast.gradFn() == null);
    if (ref.gradFn() != null) {
      assertEquals(ref.gradFn().name(), fast.gradFn().name());
      assertEquals(ref.gradFn().inputCount(), fast.gradFn().inputCount());
    }
  }

  @Test
  void record_gradModeAndRequiresGrad_sameAsArrayForm() {
    Tensor leaf = Tensor.of(0.5, -1.0).requiresGrad(true);
    Tensor constant = Tensor.of(0.5, -1.0);
    for (Tensor x : List.of(leaf, constant)) {
      assertSameKind(op(x, false), op(x, true));
      try (var s = Tensor.noGrad()) {
        Tensor fast = op(x, true);
        assertSameKind(op(x, false), fast);
        assertNull(fast.gradFn());
      }
    }
    Tensor gRef = Tensor.grad(op(leaf, false).sum(), List.of(leaf), false).get(0);
    Tensor gFast = Tensor.grad(op(leaf, true).sum(), List.of(leaf), false).get(0);
    assertArrayEquals(gRef.toDoubleArray(), gFast.toDoubleArray());
    // Second order through the recorded VJP.
    Function<Boolean, Tensor> second = fastPath -> {
      Tensor g = Tensor.grad(op(leaf, fastPath).sum(), List.of(leaf), true).get(0);
      return Tensor.grad(g.sum(), List.of(leaf), false).get(0);
    };
    assertArrayEquals(second.apply(false).toDoubleArray(), second.apply(true).toDoubleArray());
  }

  @Test
  void record_versionOfTheInputIsSaved() {
    Tensor x = Tensor.of(1.0, 2.0).requiresGrad(true);
    Tensor y = op(x, true);
    x.data().fillInPlace(0.0);
    AutogradException e = assertThrows(AutogradException.class, () -> y.gradFn().input(0));
    assertTrue(e.getMessage().contains("input 0 of 'exp3'"), e.getMessage());
  }

  @Test
  void record_forwardMode_sameTangentAsArrayForm() {
    Tensor x = Tensor.of(0.25, 2.0);
    Tensor v = Tensor.of(1.0, -3.0);
    Tensor[][] ref = ForwardAD.jvp(a -> new Tensor[] {op(a[0], false)}, new Tensor[] {x},
        new Tensor[] {v});
    Tensor[][] fast = ForwardAD.jvp(a -> new Tensor[] {op(a[0], true)}, new Tensor[] {x},
        new Tensor[] {v});
    assertArrayEquals(ref[1][0].toDoubleArray(), fast[1][0].toDoubleArray());
    assertNotNull(fast[1][0]);
  }

  @Test
  void record_anomalyMode_keepsTheSite() {
    Tensor x = Tensor.of(1.0).requiresGrad(true);
    try (var a = Anomaly.detect()) {
      Tensor y = op(x, true);
      assertNotNull(y.gradFn().site());
      assertEquals(op(x, false).gradFn().site() != null, y.gradFn().site() != null);
    }
  }

  @Test
  void record_nulls_nameTheOp() {
    NDArray r = NDArray.wrap(new double[] {1}, 1);
    Node.Vjp vjp = (n, grad) -> new Tensor[] {grad};
    Tensor x = Tensor.of(1.0);
    NullPointerException e = assertThrows(NullPointerException.class,
        () -> Node.record("op1", r, (Tensor) null, vjp, null));
    assertTrue(e.getMessage().contains("op1"), e.getMessage());
    e = assertThrows(NullPointerException.class, () -> Node.record("op1", r, x, null, null));
    assertTrue(e.getMessage().contains("vjp"), e.getMessage());
  }
}
