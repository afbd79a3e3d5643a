package dev.cadena.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.nn.Linear;
import dev.cadena.nn.Loss;
import dev.cadena.nn.Module;
import dev.cadena.nn.ReLU;
import dev.cadena.nn.Sequential;
import dev.cadena.nn.Sigmoid;
import dev.cadena.nn.Tanh;
import dev.cadena.optim.Optimizer;
import dev.cadena.optim.SGD;
import dev.cadena.tensor.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Intermediate values given back for reuse once the backward pass freed every node that held
 * them ({@link Node#recycleWithGraph}, which {@code Sequential} calls between its built-in
 * layers), against passes that give nothing back. The test JVM runs with {@code
 * -Dcadena.recyclePoison=true}: recycled storage is NaN until a later array overwrites it, so a
 * value recycled while something still read it shows as NaN or as different bits.
 */
class ValueRecyclingTest {

  private static long[] bits(Tensor t) {
    return TwoWays.bits(t);
  }

  /** Runs {@code f} with recycling on, then off, and returns both results. */
  private static <T> List<T> bothWays(Supplier<T> f) {
    return TwoWays.bothWays(Engine::setRecycling, f);
  }

  /**
   * Linear+ReLU (fused), Linear, Tanh, Linear, Sigmoid, Linear: five values pass from one
   * built-in layer to the next, each of at least 4,096 elements ({@code [64, 96]}, {@code [64,
   * 80]} twice, {@code [64, 72]} twice).
   */
  private static Sequential net(DType dtype, SplittableRandom rng) {
    return new Sequential(
        new Linear(40, 96, true, dtype, rng), new ReLU(),
        new Linear(96, 80, true, dtype, rng), new Tanh(),
        new Linear(80, 72, true, dtype, rng), new Sigmoid(),
        new Linear(72, 10, true, dtype, rng));
  }

  private static Tensor labels(SplittableRandom rng, int n) {
    long[] y = new long[n];
    for (int i = 0; i < n; i++) {
      y[i] = rng.nextInt(10);
    }
    return Tensor.ofLongs(y);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"float64", "float32"})
  void sequentialTraining_sameBitsWithAndWithoutRecycling(String dt) {
    DType dtype = DType.parse(dt);
    long[] recycled = new long[2];
    int[] run = {0};
    List<List<long[]>> r = bothWays(() -> {
      long before = Node.recycledValues;
      SplittableRandom rng = new SplittableRandom(5);
      Sequential net = net(dtype, rng);
      Optimizer opt = SGD.builder(net.parameters()).lr(0.1).build();
      List<long[]> out = new ArrayList<>();
      for (int step = 0; step < 4; step++) {
        Tensor x = Tensor.randn(rng, dtype, 64, 40);
        opt.zeroGrad();
        Tensor logits = net.forward(x);
        TwoWays.step(out, Loss.crossEntropy(logits, labels(rng, 64)), logits, net.parameters(),
            opt);
      }
      recycled[run[0]++] = Node.recycledValues - before;
      return out;
    });
    TwoWays.assertSameBits(r);
    assertEquals(20, recycled[0], "values recycled with recycling on (five per step)");
    assertEquals(0, recycled[1], "values recycled with recycling off");
  }

  /** A retained graph keeps its values: a second pass through it gives the same gradients. */
  @Test
  void retainedGraph_keepsValuesUntilTheLastPass() {
    SplittableRandom rng = new SplittableRandom(7);
    Sequential net = net(DType.FLOAT64, rng);
    Tensor loss = Loss.crossEntropy(net.forward(Tensor.randn(rng, DType.FLOAT64, 64, 40)),
        labels(rng, 64));
    long before = Node.recycledValues;
    loss.backward(true);
    assertEquals(before, Node.recycledValues, "nothing recycled from a retained graph");
    List<long[]> first = new ArrayList<>();
    for (Tensor p : net.parameters()) {
      first.add(bits(p.grad()));
      p.zeroGrad();
    }
    loss.backward();
    assertEquals(5, Node.recycledValues - before, "recycled by the pass that freed the graph");
    List<Tensor> ps = net.parameters();
    for (int i = 0; i < ps.size(); i++) {
      assertArrayEquals(first.get(i), bits(ps.get(i).grad()), "parameter " + i);
    }
  }

  /**
   * A value handed out by the graph's accessors before the backward pass is not recycled: read
   * after it (and after a later step that reuses storage), it holds what it held.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"input", "inputs", "savedOutput", "out"})
  void valueHandedOutByTheGraph_isNotRecycled(String accessor) {
    SplittableRandom rng = new SplittableRandom(9);
    Sequential net = net(DType.FLOAT32, rng);
    Tensor logits = net.forward(Tensor.randn(rng, DType.FLOAT32, 64, 40));
    // logits = linear(a3), a3 = sigmoid(z3): a3 is the last value passed between two layers.
    Node last = logits.gradFn();
    Node sigmoid = last.edge(0).gradFn();
    Tensor seen = switch (accessor) {
      case "input" -> last.input(0);
      case "inputs" -> last.inputs().get(0);
      case "savedOutput" -> sigmoid.savedOutput();
      default -> sigmoid.out();
    };
    long[] copy = bits(seen);
    long before = Node.recycledValues;
    Loss.crossEntropy(logits, labels(rng, 64)).backward();
    assertEquals(4, Node.recycledValues - before, "the other four values recycled");
    Loss.crossEntropy(net.forward(Tensor.randn(rng, DType.FLOAT32, 64, 40)), labels(rng, 64))
        .backward();
    assertArrayEquals(copy, bits(seen));
  }

  /** A module that keeps its input: what it receives is never recycled. */
  private static final class Keep extends Module {
    Tensor seen;

    @Override
    public Tensor forward(Tensor x) {
      seen = x;
      return x.mul(2.0);
    }
  }

  @Test
  void valueKeptByAnotherModule_isNotRecycled() {
    SplittableRandom rng = new SplittableRandom(13);
    Keep keep = new Keep();
    Sequential net = new Sequential(
        new Linear(40, 96, true, DType.FLOAT64, rng), new Tanh(), keep,
        new Linear(96, 80, true, DType.FLOAT64, rng), new Tanh(),
        new Linear(80, 10, true, DType.FLOAT64, rng));
    Tensor logits = net.forward(Tensor.randn(rng, DType.FLOAT64, 64, 40));
    Tensor seen = keep.seen;
    long[] copy = bits(seen);
    long before = Node.recycledValues;
    Loss.crossEntropy(logits, labels(rng, 64)).backward();
    // Recycled: what the first Linear passes to Tanh, the second Linear to Tanh and that Tanh
    // to the last Linear; kept: what Tanh passes to Keep.
    assertEquals(3, Node.recycledValues - before);
    Loss.crossEntropy(net.forward(Tensor.randn(rng, DType.FLOAT64, 64, 40)), labels(rng, 64))
        .backward();
    assertArrayEquals(copy, bits(seen));
  }

  private static Tensor big(SplittableRandom rng) {
    Linear l = new Linear(30, 200, true, DType.FLOAT64, rng);
    return l.forward(Tensor.randn(rng, DType.FLOAT64, 32, 30)); // [32, 200]: 6,400 elements
  }

  @Test
  void recycledValue_throwsWhenRead() {
    Tensor t = big(new SplittableRandom(1));
    Node.recycleWithGraph(t);
    long before = Node.recycledValues;
    t.tanh().sum().backward();
    assertEquals(1, Node.recycledValues - before);
    IllegalStateException e = assertThrows(IllegalStateException.class, t::data);
    assertTrue(e.getMessage().contains("[32, 200]") && e.getMessage().contains("reused"),
        e.getMessage());
    assertThrows(IllegalStateException.class, t::toDoubleArray);
    assertThrows(IllegalStateException.class, () -> t.add(1.0));
    assertTrue(t.toString().contains("storage reused"), t.toString());
    assertArrayEquals(new int[] {32, 200}, t.shape());
  }

  /**
   * A consumer the pass does not reach keeps the value alive: after a pass that freed its
   * producer and another consumer, and a product that takes storage given back, it holds what it
   * held (the test reads it, which a caller of recycleWithGraph promises not to do).
   */
  @Test
  void consumerOutsideThePass_keepsTheValue() {
    SplittableRandom rng = new SplittableRandom(2);
    Tensor t = big(rng);
    Node.recycleWithGraph(t);
    long[] copy = bits(t);
    Tensor a = t.relu().sum();
    Tensor b = t.tanh().mul(t).sum();
    long before = Node.recycledValues;
    a.backward();
    assertEquals(0, Node.recycledValues - before, "b's nodes still hold t");
    big(rng).tanh().sum().backward();
    assertArrayEquals(copy, bits(t));
    assertFalse(Double.isNaN(b.item()));
  }

  /** A view of the value (which a node may save) stops the tracking. */
  @Test
  void viewOfTheValue_stopsTracking() {
    SplittableRandom rng = new SplittableRandom(4);
    Tensor t = big(rng);
    Node.recycleWithGraph(t);
    Tensor v = t.reshape(64, 100);
    long[] copy = bits(v);
    long before = Node.recycledValues;
    v.tanh().sum().backward();
    assertEquals(0, Node.recycledValues - before);
    big(rng).tanh().sum().backward(); // reuses whatever storage was given back
    assertArrayEquals(copy, bits(v));
    assertArrayEquals(copy, bits(t.reshape(64, 100)));
  }

  /**
   * A VJP that returns a saved value as a gradient hands it on (here to a leaf's {@code grad()},
   * through {@code x + 0}, which passes its gradient on unchanged): the value is not recycled.
   */
  @Test
  void vjpReturningASavedValue_stopsTracking() {
    SplittableRandom rng = new SplittableRandom(12);
    Tensor x = Tensor.randn(rng, DType.FLOAT64, 32, 200).requiresGrad(true);
    Tensor t = x.add(0.0);
    Node.recycleWithGraph(t);
    long[] copy = bits(t);
    Tensor y = Node.record("savedAsGradient", t.data().copy(), new Tensor[] {t},
        (n, g) -> new Tensor[] {n.input(0)});
    long before = Node.recycledValues;
    y.sum().backward();
    assertEquals(0, Node.recycledValues - before);
    big(rng).tanh().sum().backward(); // reuses whatever storage was given back
    assertArrayEquals(copy, bits(x.grad()));
  }

  /** A detached alias outlives the graph: it stops the tracking too. */
  @Test
  void detachedAlias_stopsTracking() {
    SplittableRandom rng = new SplittableRandom(6);
    Tensor t = big(rng);
    Node.recycleWithGraph(t);
    Tensor d = t.detach();
    long[] copy = bits(d);
    long before = Node.recycledValues;
    t.tanh().sum().backward();
    assertEquals(0, Node.recycledValues - before);
    assertArrayEquals(copy, bits(d));
  }

  /**
   * A pass that records the backward graph ({@code createGraph}) recycles nothing: the second
   * derivative through a Sequential is the same with and without recycling.
   */
  @Test
  void createGraph_recyclesNothing() {
    long before = Node.recycledValues;
    List<List<long[]>> r = bothWays(() -> {
      SplittableRandom rng = new SplittableRandom(8);
      Sequential net = net(DType.FLOAT64, rng);
      Tensor x = Tensor.randn(rng, DType.FLOAT64, 64, 40).requiresGrad(true);
      Tensor loss = Loss.crossEntropy(net.forward(x), labels(rng, 64));
      Tensor gx = Tensor.grad(loss, List.of(x), true).get(0);
      Tensor v = Tensor.randn(rng, DType.FLOAT64, 64, 40);
      Tensor hvp = Tensor.grad(gx.mul(v).sum(), List.of(x), false).get(0);
      List<long[]> out = new ArrayList<>();
      out.add(bits(gx));
      out.add(bits(hvp));
      return out;
    });
    TwoWays.assertSameBits(r);
    // The first pass records a graph; the second frees the recorded graph and the forward one.
    assertTrue(Node.recycledValues - before <= 5, "recycled: " + (Node.recycledValues - before));
  }

  /** Nothing is tracked where nothing can be recycled. */
  @Test
  void untracked_whenNoGraphOrSmall() {
    SplittableRandom rng = new SplittableRandom(10);
    long before = Node.recycledValues;
    Tensor small = new Linear(3, 4, true, DType.FLOAT64, rng)
        .forward(Tensor.randn(rng, DType.FLOAT64, 2, 3));
    Node.recycleWithGraph(small);
    small.tanh().sum().backward();
    Tensor leaf = Tensor.randn(rng, DType.FLOAT64, 100, 100).requiresGrad(true);
    Node.recycleWithGraph(leaf);
    leaf.tanh().sum().backward();
    assertEquals(before, Node.recycledValues);
    assertEquals(2 * 4, small.toDoubleArray().length);
    assertEquals(10_000, leaf.toDoubleArray().length);
    assertThrows(NullPointerException.class, () -> Node.recycleWithGraph(null));
  }
}
