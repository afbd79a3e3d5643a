package dev.cadena.func;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.cadena.ShapeArbitraries;
import dev.cadena.Tensor;
import dev.cadena.autograd.GraphMemory;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Checkpointing a broadcasting function changes no value and no gradient, for any shapes. */
class CheckpointPropertyTest {

  @Provide
  Arbitrary<int[][]> pairs() {
    return ShapeArbitraries.broadcastPairs(3, 4);
  }

  @Property(tries = 80, seed = "20261202")
  void checkpoint_broadcasting_sameValuesAndGradients(@ForAll("pairs") int[][] p, @ForAll long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    Tensor a = Tensor.randn(rng, p[0]).requiresGrad(true);
    Tensor b = Tensor.randn(rng, p[1]).requiresGrad(true);
    Tensor c = Tensor.randn(rng, p[1]).requiresGrad(true); // captured: a param
    TensorFn f = xs -> xs[0].mul(xs[1]).tanh().add(c).exp().mul(xs[0]);

    Tensor plain = f.apply(a, b);
    Tensor up = Tensor.randn(rng, plain.shape());
    plain.backward(up);
    double[][] want = {a.grad().toDoubleArray(), b.grad().toDoubleArray(), c.grad().toDoubleArray()};
    a.zeroGrad();
    b.zeroGrad();
    c.zeroGrad();

    Tensor ck = Checkpoint.checkpoint(f, List.of(c), a, b);
    assertArrayEquals(plain.shape(), ck.shape());
    assertArrayEquals(plain.toDoubleArray(), ck.toDoubleArray(), 0.0);
    // the node keeps a, b, c and its output only
    long bytes = 8L * (a.numel() + b.numel() + c.numel() + ck.numel());
    org.junit.jupiter.api.Assertions.assertEquals(bytes, GraphMemory.of(ck).totalBytes());
    ck.backward(up);
    assertArrayEquals(want[0], a.grad().toDoubleArray(), 0.0);
    assertArrayEquals(want[1], b.grad().toDoubleArray(), 0.0);
    assertArrayEquals(want[2], c.grad().toDoubleArray(), 0.0);
  }
}
