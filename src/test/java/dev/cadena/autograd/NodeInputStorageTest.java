package dev.cadena.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Node#hasInputStorage}, which the engine asks before it lends a gradient's buffer: true
 * exactly for the storages of the node's inputs, for one, two and more inputs, and false once the
 * node is released.
 */
class NodeInputStorageTest {

  private static void check(Tensor out, Tensor... inputs) {
    Node node = out.gradFn();
    assertEquals(inputs.length, node.inputCount(), node.name());
    for (Tensor in : inputs) {
      assertTrue(node.hasInputStorage(in.data().storageKey()), node.name());
    }
    assertFalse(node.hasInputStorage(out.data().storageKey()), node.name() + ": its output");
    assertFalse(node.hasInputStorage(Tensor.of(1.0).data().storageKey()), node.name());
    assertFalse(node.hasInputStorage(new Object()), node.name());
  }

  @Test
  void hasInputStorage_isTrueForEachInputAndNothingElse() {
    Tensor a = Tensor.of(1.0, -2.0, 3.0).requiresGrad(true);
    Tensor b = Tensor.of(0.5, 4.0, -1.0).requiresGrad(true);
    Tensor c = Tensor.of(2.0, 2.0, 2.0).requiresGrad(true);
    check(a.tanh(), a);
    check(a.mul(b), a, b);
    check(Tensor.stack(List.of(a, b, c), 0), a, b, c);
    // The third of three inputs alone, and the second of two.
    Node three = Tensor.stack(List.of(a, b, c), 0).gradFn();
    assertTrue(three.hasInputStorage(c.data().storageKey()));
    assertTrue(a.mul(b).gradFn().hasInputStorage(b.data().storageKey()));
  }

  @Test
  void hasInputStorage_isFalseOnceReleased() {
    Tensor a = Tensor.of(1.0, -2.0).requiresGrad(true);
    Tensor b = Tensor.of(0.5, 4.0).requiresGrad(true);
    Tensor y = a.mul(b);
    Node node = y.gradFn();
    y.sum().backward();
    assertEquals(0, node.inputCount(), "released by the pass");
    assertFalse(node.hasInputStorage(a.data().storageKey()));
  }
}
