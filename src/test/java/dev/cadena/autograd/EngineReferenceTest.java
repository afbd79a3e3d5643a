package dev.cadena.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.kernel.Parallel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The engine against a plain reference: random graphs with many fan-outs, broadcasting and view
 * ops (whose VJPs return views of their upstream gradient, strided or broadcast, or one tensor to
 * two inputs), several roots, in float64 and float32, on 1 and 2 threads. The reference sorts the
 * graph by a recursive depth-first search and sums every contribution with {@code Tensor.add}; the
 * engine schedules by dependency counts and adds in place into the sums it allocated. Leaves must
 * get the same gradients, each in storage of its own.
 */
class EngineReferenceTest {

  static List<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (int threads : new int[] {1, 2}) {
      for (DType dtype : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
        for (long seed = 1; seed <= 12; seed++) {
          out.add(Arguments.of(seed, dtype, threads, 3, 5));
        }
        // Large enough (31,537 elements) for the elementwise kernels to split across threads.
        out.add(Arguments.of(100L, dtype, threads, 61, 517));
      }
    }
    return out;
  }

  @ParameterizedTest(name = "seed {0} {1} threads {2} [{3}, {4}]")
  @MethodSource("cases")
  void testRandomGraph_matchesReference_andLeavesOwnTheirGradients(
      long seed, DType dtype, int threads, int rows, int cols) {
    int before = Parallel.threads();
    Parallel.setThreads(threads);
    try {
      check(new SplittableRandom(seed), dtype, rows, cols);
    } finally {
      Parallel.setThreads(before);
    }
  }

  private static void check(SplittableRandom rng, DType dtype, int rows, int cols) {
    int[][] shapes = {{rows, cols}, {cols}, {1, cols}, {rows, 1}, {}};
    List<Tensor> leaves = new ArrayList<>();
    List<Tensor> pool = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      Tensor leaf = Tensor.uniform(rng, -1, 1, dtype, shapes[i % shapes.length]).requiresGrad(true);
      leaves.add(leaf);
      pool.add(leaf);
    }
    pool.add(Tensor.uniform(rng, -1, 1, dtype, rows, cols)); // a constant
    int ops = 40;
    for (int k = 0; k < ops; k++) {
      // Recent values are picked more often, so that chains form besides the fan-outs.
      Tensor a = pool.get(pick(rng, pool.size()));
      Tensor b = pool.get(pick(rng, pool.size()));
      pool.add(randomOp(rng, a, b, rows, cols));
    }
    // Leaves reached once, where a VJP hands on its upstream gradient: the caller's (through
    // add and reshape views), or one that add gives to two leaves.
    Tensor[] once = new Tensor[5];
    for (int i = 0; i < once.length; i++) {
      once[i] = Tensor.uniform(rng, -1, 1, dtype, rows, cols).requiresGrad(true);
      leaves.add(once[i]);
    }
    Tensor viaViews = once[2].reshape(rows * cols).reshape(rows, cols);
    Tensor pair = once[3].add(once[4]).mul(pool.get(pool.size() - 2));
    // Roots: one given twice that feeds two others, each with a gradient; and one whose
    // gradient add and reshape pass on unchanged to leaves.
    Tensor r0 = pool.get(pool.size() - 1).add(pair);
    Tensor r1 = pool.get(pool.size() - 1 - rng.nextInt(1, 8)).mul(r0.sum());
    Tensor r2 = r1.add(pool.get(pool.size() - 9));
    Tensor r3 = once[0].add(once[1]).add(viaViews);
    Tensor[] roots = {r0, r1, r2, r0, r3};
    Tensor[] rootGrads = new Tensor[roots.length];
    for (int i = 0; i < roots.length; i++) {
      rootGrads[i] = Tensor.uniform(rng, -1, 1, dtype, roots[i].shape());
    }
    Tensor[] rootGradCopies = new Tensor[roots.length];
    for (int i = 0; i < roots.length; i++) {
      rootGradCopies[i] = Tensor.fromData(rootGrads[i].data().copy());
    }
    // One leaf starts with a gradient set by the user: the pass adds to it, never into it.
    Tensor preset = Tensor.uniform(rng, -1, 1, dtype, leaves.get(0).shape());
    Tensor presetCopy = Tensor.fromData(preset.data().copy());
    leaves.get(0).setGrad(preset);

    Map<Tensor, Tensor> expected = referenceGradients(roots, rootGrads);
    Engine.backward(roots, rootGrads, false, false);

    double tol = dtype == DType.FLOAT64 ? 1e-9 : 2e-3;
    for (int i = 0; i < leaves.size(); i++) {
      Tensor leaf = leaves.get(i);
      Tensor want = expected.get(leaf);
      if (i == 0) {
        want = want == null ? preset : preset.add(want);
      }
      if (want == null) {
        continue;
      }
      Tensor got = leaf.grad();
      assertNotNull(got, "leaf " + i);
      assertEquals(dtype, got.dtype(), "leaf " + i);
      assertTrue(Arrays.equals(leaf.shape(), got.shape()), "leaf " + i);
      assertClose(want, got, tol, "leaf " + i);
      assertTrue(got.data().isContiguous(), "leaf " + i + " owns a contiguous gradient");
      for (Tensor g : rootGrads) {
        assertNotSame(g.data().storageKey(), got.data().storageKey(), "leaf " + i + " aliases a root gradient");
      }
      for (int j = 0; j < i; j++) {
        Tensor other = leaves.get(j).grad();
        if (other != null) {
          assertNotSame(other.data().storageKey(), got.data().storageKey(), "leaves " + j + " and " + i + " share");
        }
      }
    }
    assertClose(presetCopy, preset, 0, "the user's gradient");
    for (int i = 0; i < roots.length; i++) {
      assertClose(rootGradCopies[i], rootGrads[i], 0, "root gradient " + i);
    }
  }

  private static int pick(SplittableRandom rng, int n) {
    return rng.nextBoolean() ? n - 1 - rng.nextInt(Math.min(n, 4)) : rng.nextInt(n);
  }

  /** One op on values of shapes that broadcast to [rows, cols]. */
  private static Tensor randomOp(SplittableRandom rng, Tensor a, Tensor b, int rows, int cols) {
    switch (rng.nextInt(12)) {
      case 0:
        return a.add(b); // add hands one tensor to both inputs
      case 1:
        return a.mul(b);
      case 2:
        return a.sub(b);
      case 3:
        return a.mul(a); // one input twice
      case 4:
        return a.tanh();
      case 5:
        return a.sigmoid().mul(0.5);
      case 6: {
        Tensor full = a.expand(rows, cols); // a broadcast view; its VJP sums
        return full.t().mul(1.5).t(); // strided views both ways
      }
      case 7:
        return a.expand(rows, cols).reshape(rows * cols).reshape(rows, cols); // views of grad
      case 8:
        return a.expand(rows, cols).sum(0); // [cols]; its VJP expands (stride 0)
      case 9:
        return a.add(b).add(a); // a reaches one node twice through add
      case 10:
        return a.expand(rows, cols).sum(1, true); // [rows, 1]
      default:
        return a.sum().add(b); // a 0-d value broadcast back
    }
  }

  /**
   * The reference: every node the roots reach in a post-order of a recursive search, each VJP run
   * once in reverse, contributions summed with {@code Tensor.add}, broadcasts summed back with
   * {@code sumTo}. The graph is left as it was (nothing is released).
   */
  static Map<Tensor, Tensor> referenceGradients(Tensor[] roots, Tensor[] rootGrads) {
    Map<Node, Boolean> seen = new IdentityHashMap<>();
    List<Node> order = new ArrayList<>();
    for (Tensor r : roots) {
      if (r.gradFn() != null) {
        visit(r.gradFn(), seen, order);
      }
    }
    Map<Node, Tensor> atNode = new IdentityHashMap<>();
    Map<Tensor, Tensor> atLeaf = new IdentityHashMap<>();
    try (GradMode.Scope s = GradMode.noGrad()) {
      for (int i = 0; i < roots.length; i++) {
        add(roots[i], rootGrads[i], atNode, atLeaf);
      }
      for (int k = order.size() - 1; k >= 0; k--) {
        Node n = order.get(k);
        Tensor g = atNode.get(n);
        Tensor[] grads = n.runVjp(g);
        List<Tensor> inputs = n.inputs();
        for (int i = 0; i < inputs.size(); i++) {
          Tensor in = inputs.get(i);
          if (in.requiresGrad()) {
            Tensor gi = grads[i];
            if (!Arrays.equals(gi.shape(), in.shape())) {
              gi = gi.sumTo(in.shape());
            }
            add(in, gi, atNode, atLeaf);
          }
        }
      }
    }
    return atLeaf;
  }

  private static void visit(Node n, Map<Node, Boolean> seen, List<Node> order) {
    if (seen.put(n, Boolean.TRUE) != null) {
      return;
    }
    for (Tensor in : n.inputs()) {
      if (in.gradFn() != null) {
        visit(in.gradFn(), seen, order);
      }
    }
    order.add(n);
  }

  private static void add(Tensor t, Tensor g, Map<Node, Tensor> atNode, Map<Tensor, Tensor> atLeaf) {
    if (t.gradFn() != null) {
      atNode.merge(t.gradFn(), g, Tensor::add);
    } else {
      atLeaf.merge(t, g, Tensor::add);
    }
  }

  static void assertClose(Tensor want, Tensor got, double tol, String what) {
    double[] w = want.data().astype(DType.FLOAT64).toDoubleArray();
    double[] g = got.data().astype(DType.FLOAT64).toDoubleArray();
    assertEquals(w.length, g.length, what);
    for (int i = 0; i < w.length; i++) {
      double scale = Math.max(1, Math.abs(w[i]));
      if (Math.abs(w[i] - g[i]) > tol * scale) {
        throw new AssertionError(what + ": element " + i + " expected " + w[i] + " but was " + g[i]);
      }
    }
  }
}
