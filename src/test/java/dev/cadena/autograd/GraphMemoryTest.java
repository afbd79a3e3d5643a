package dev.cadena.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.func.Checkpoint;
import dev.cadena.tensor.DType;
import org.junit.jupiter.api.Test;

/** Expected bytes are counted by hand: float64 is 8 bytes an element, float32 4. */
class GraphMemoryTest {

  @Test
  void testOf_chain_countsLeafAndEachOutputOnce() {
    Tensor x = Tensor.ones(2, 3).requiresGrad(true); // 6 * 8 = 48
    Tensor y = x.exp().sin(); // two outputs of 48; exp's output is also sin's input
    GraphMemory m = GraphMemory.of(y);
    assertEquals(144, m.totalBytes());
    assertEquals(48, m.leafBytes());
    assertEquals(96, m.activationBytes());
    assertEquals(2, m.entries().size());
    GraphMemory.Entry sin = m.entries().get(0);
    assertEquals("sin", sin.op());
    assertEquals(96, sin.bytes());
    assertEquals(2, sin.saved().size());
    assertEquals("input 0", sin.saved().get(0).role());
    assertArrayEquals(new int[] {2, 3}, sin.saved().get(0).shape());
    assertEquals(48, sin.saved().get(0).bytes());
    assertEquals("output", sin.saved().get(1).role());
    assertEquals("exp", m.entries().get(1).op());
  }

  @Test
  void testOf_inputUsedTwice_countedOnce() {
    Tensor x = Tensor.ones(2, 3).requiresGrad(true);
    GraphMemory m = GraphMemory.of(x.add(x));
    assertEquals(96, m.totalBytes()); // x 48 + output 48
    assertEquals(96, m.entries().get(0).bytes());
  }

  @Test
  void testOf_storageSharedByNodes_countedOnce() {
    Tensor x = Tensor.ones(2, 3).requiresGrad(true);
    Tensor y = x.exp();
    Tensor z = y.mul(y).add(y);
    // x, y, y*y, and the sum: four storages of 48
    assertEquals(4 * 48, GraphMemory.of(z).totalBytes());
    assertEquals(3, GraphMemory.of(z).entries().size());
  }

  @Test
  void testOf_viewCountsItsWholeStorage() {
    Tensor big = Tensor.ones(4, 4).requiresGrad(true); // 128
    Tensor row = big.narrow(0, 0, 1); // a view of 4 elements into big's storage
    GraphMemory m = GraphMemory.of(row.exp()); // exp's output: 4 * 8 = 32
    assertEquals(128 + 32, m.totalBytes());
    assertEquals(128, m.leafBytes());
    GraphMemory.Entry narrow = m.entries().get(1);
    assertEquals(128, narrow.bytes()); // its input and output share one storage
    GraphMemory.Saved view = narrow.saved().get(1);
    assertEquals("output", view.role());
    assertEquals(32, view.bytes());
    assertEquals(128, view.storageBytes());
  }

  @Test
  void testOf_float32() {
    Tensor x = Tensor.ones(DType.FLOAT32, 10).requiresGrad(true);
    assertEquals(2 * 10 * 4, GraphMemory.of(x.exp()).totalBytes());
  }

  @Test
  void testOf_functionSavedValues() {
    Function twice = new Function("twice") {
      @Override
      protected Tensor forward(Context ctx, Tensor... in) {
        ctx.saveForBackward(Tensor.ones(5), "not a tensor");
        return in[0].mul(2.0);
      }

      @Override
      protected Tensor[] backward(Context ctx, Tensor grad) {
        return new Tensor[] {grad.mul(2.0)};
      }
    };
    Tensor x = Tensor.ones(3).requiresGrad(true); // 24
    GraphMemory m = GraphMemory.of(twice.apply(x));
    // x 24, output 24, saved ones(5) 40
    assertEquals(88, m.totalBytes());
    assertEquals(3, m.entries().get(0).saved().size());
    assertEquals("saved 0", m.entries().get(0).saved().get(2).role());
  }

  @Test
  void testOf_freedGraphAndConstant_holdNothing() {
    Tensor x = Tensor.ones(3).requiresGrad(true);
    Tensor y = x.exp().sum();
    y.backward();
    assertEquals(0, GraphMemory.of(y).totalBytes());
    assertTrue(GraphMemory.of(y).entries().isEmpty());
    assertEquals(0, GraphMemory.of(Tensor.ones(3)).totalBytes());
  }

  @Test
  void testOf_checkpointKeepsOnlyInputAndOutput() {
    Tensor x = Tensor.ones(2, 3).requiresGrad(true);
    Tensor y = Checkpoint.checkpoint(xs -> xs[0].exp().sin().cos().tanh(), x);
    GraphMemory m = GraphMemory.of(y);
    assertEquals(1, m.entries().size());
    assertEquals("checkpoint", m.entries().get(0).op());
    assertEquals(96, m.totalBytes());
    assertEquals(4 * 48 + 48, GraphMemory.of(x.exp().sin().cos().tanh()).totalBytes());
  }

  @Test
  void testNode_savedAccessorsAreReadOnly() {
    Tensor x = Tensor.ones(2).requiresGrad(true);
    Tensor y = x.exp();
    assertTrue(y.gradFn().savedOutput() == y);
    assertTrue(y.gradFn().savedValues().isEmpty());
    org.junit.jupiter.api.Assertions.assertThrows(
        UnsupportedOperationException.class, () -> y.gradFn().inputs().set(0, x));
  }
}
