package dev.cadena.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.tensor.NDArray;
import org.junit.jupiter.api.Test;

/** The graph hook is Tensor's alone: a user cannot install an access that forges gradFns. */
class TensorAccessTest {
  @Test
  void testInstall_foreignImplementation_isRejected() {
    Tensor.scalar(1.0); // Tensor has installed its own by now
    TensorAccess forged = new TensorAccess() {
      @Override
      protected Tensor fromNode(NDArray data, Node node) {
        return Tensor.fromData(data);
      }

      @Override
      protected Tensor fromNodeBatched(NDArray data, Node node) {
        return Tensor.fromData(data);
      }

      @Override
      protected Tensor engineGrad(Tensor t) {
        return null;
      }

      @Override
      protected void setEngineGrad(Tensor t, Tensor g) {}

      @Override
      protected NDArray lendGradBuffer(Tensor t) {
        return null;
      }

      @Override
      protected Object forwardTangent(Tensor t) {
        return null;
      }

      @Override
      protected void setForwardTangent(Tensor t, Object dual) {}

      @Override
      protected int graphHolds(Tensor t) {
        return 0;
      }

      @Override
      protected void setGraphHolds(Tensor t, int holds) {}
    };
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> TensorAccess.install(forged));
    assertTrue(e.getMessage().startsWith("TensorAccess.install: only dev.cadena.Tensor"), e.getMessage());
  }

  @Test
  void testInstall_null_namesTheMethodAndParameter() {
    NullPointerException e = assertThrows(NullPointerException.class, () -> TensorAccess.install(null));
    assertEquals("TensorAccess.install: access is null", e.getMessage());
  }

  @Test
  void testRecord_givesTheTensorItsNode() {
    Tensor x = Tensor.of(1.0, 2.0).requiresGrad(true);
    Tensor y = Node.record("twice", x.data().copy(), new Tensor[] {x}, (n, grad) -> new Tensor[] {grad.mul(2.0)});
    assertTrue(y.requiresGrad());
    assertSame(y, y.gradFn().out());
  }
}
