package dev.cadena.autograd;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.nn.Linear;
import dev.cadena.nn.Loss;
import dev.cadena.nn.ReLU;
import dev.cadena.nn.Sequential;
import dev.cadena.optim.Optimizer;
import dev.cadena.optim.SGD;
import dev.cadena.tensor.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Gradients given back for reuse once the VJP they were lent to has run ({@link
 * dev.cadena.tensor.NDArray#recycle}), against passes that give nothing back: the same bits over
 * several training steps, whose forwards then write their activations into the recycled storage.
 * The test JVM runs with {@code -Dcadena.recyclePoison=true}, so recycled storage is NaN until
 * written: a kernel that read its output before writing it, or a recycled gradient that something
 * still held (a retained gradient, one returned by {@code Tensor.grad}, a leaf's, one a VJP passed
 * on), would show as NaN or as different bits.
 */
class GradRecyclingTest {

  private static long[] bits(Tensor t) {
    return TwoWays.bits(t);
  }

  /** Runs {@code f} with recycling on, then off, and returns both results. */
  private static <T> List<T> bothWays(Supplier<T> f) {
    return TwoWays.bothWays(Engine::setRecycling, f);
  }

  /**
   * Training steps of an MLP whose lent gradients are large enough to recycle ({@code [64, 96]}
   * and {@code [64, 80]}): losses, gradients and weights after every step, and the input's
   * gradient, a leaf the user holds. The logits are scaled ({@code x * c}, whose VJP scales the
   * lent gradient in place and returns it: passed on, so not recycled there) and shifted
   * ({@code x + c}, which passes it on unchanged).
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"float64", "float32"})
  void trainingSteps_sameBitsWithAndWithoutRecycling(String dt) {
    DType dtype = DType.parse(dt);
    long before = Engine.recycled;
    List<List<long[]>> r = bothWays(() -> {
      SplittableRandom rng = new SplittableRandom(11);
      Sequential net = new Sequential(
          new Linear(40, 96, true, dtype, rng), new ReLU(),
          new Linear(96, 80, true, dtype, rng), new ReLU(),
          new Linear(80, 10, true, dtype, rng));
      Optimizer opt = SGD.builder(net.parameters()).lr(0.1).build();
      List<long[]> out = new ArrayList<>();
      List<Tensor> inputs = new ArrayList<>();
      for (int step = 0; step < 4; step++) {
        Tensor x = Tensor.randn(rng, dtype, 64, 40).requiresGrad(true);
        long[] labels = new long[64];
        for (int i = 0; i < labels.length; i++) {
          labels[i] = rng.nextInt(10);
        }
        opt.zeroGrad();
        Tensor logits = net.forward(x).mul(0.5).add(0.25);
        TwoWays.step(out, Loss.crossEntropy(logits, Tensor.ofLongs(labels)), logits,
            net.parameters(), opt);
        inputs.add(x);
      }
      // The inputs' gradients, read after all the steps that reused storage.
      for (Tensor x : inputs) {
        out.add(bits(x.grad()));
      }
      return out;
    });
    TwoWays.assertSameBits(r);
    assertTrue(Engine.recycled - before >= 8,
        "gradients recycled: " + (Engine.recycled - before) + " (two per step expected)");
  }

  /**
   * What callers keep of a pass, read after more passes that reuse storage: a retained
   * intermediate gradient, and the gradients {@code Tensor.grad} returned for an intermediate and
   * a leaf.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"float64", "float32"})
  void keptGradients_surviveLaterPasses(String dt) {
    DType dtype = DType.parse(dt);
    List<List<long[]>> r = bothWays(() -> {
      SplittableRandom rng = new SplittableRandom(3);
      Linear l1 = new Linear(30, 128, true, dtype, rng);
      Linear l2 = new Linear(128, 70, true, dtype, rng);
      Tensor x = Tensor.randn(rng, dtype, 48, 30).requiresGrad(true);
      Tensor h = l1.forward(x).relu().retainGrad();
      l2.forward(h).tanh().sum().backward();
      Tensor retained = h.grad();
      Tensor h2 = l1.forward(x).tanh();
      List<Tensor> gs = Tensor.grad(l2.forward(h2).relu().mul(2.0).sum(), List.of(h2, x), false);
      for (int k = 0; k < 3; k++) {
        l2.forward(l1.forward(x).relu()).mul(1.5).sum().backward();
      }
      List<long[]> out = new ArrayList<>();
      out.add(bits(retained));
      out.add(bits(gs.get(0)));
      out.add(bits(gs.get(1)));
      out.add(bits(x.grad()));
      return out;
    });
    TwoWays.assertSameBits(r);
  }
}
