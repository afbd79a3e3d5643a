package dev.cadena.func;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Nested vmap ({@code vmap(x -> vmap(f)(...))}): pairwise {@code f(x_i, y_j)} over two batch
 * dims, against double Java loops; values and gradients.
 */
class VmapNestedTest {
  private static final double TOL = 1e-12;
  private static final int NB = Func.NOT_BATCHED;

  private final SplittableRandom rng = new SplittableRandom(31);

  private Tensor randn(int... shape) {
    return Tensor.randn(rng, DType.FLOAT64, shape);
  }

  /** f(x, y) for one pair: a scalar mixing both (tanh of a distance-like form). */
  private static Tensor pair(Tensor x, Tensor y) {
    return x.sub(y).square().sum().add(x.mul(y).sum().tanh());
  }

  @Test
  void testNestedVmap_pairwiseMatchesDoubleLoop() {
    Tensor xs = randn(4, 3);
    Tensor ys = randn(5, 3);
    // Outer over x (y whole), inner over y with x captured from the outer level.
    TensorFn pairwise = Func.vmap(
        a -> Func.vmap(b -> pair(a[0], b[0])).apply(a[1]), new int[] {0, NB}, 0);
    Tensor got = pairwise.apply(xs, ys);
    assertArrayEquals(new int[] {4, 5}, got.shape());
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 5; j++) {
        double want = pair(xs.select(0, i), ys.select(0, j)).item();
        assertArrayEquals(new double[] {want},
            new double[] {got.select(0, i).select(0, j).item()}, TOL, i + "," + j);
      }
    }
    // Both levels passed as arguments of the inner vmap, its outDim 1 (results [4, 3, 5]).
    TensorFn diff = Func.vmap(
        a -> Func.vmap(b -> b[0].sub(b[1]), new int[] {NB, 0}, 1).apply(a[0], a[1]),
        new int[] {0, NB}, 0);
    Tensor d = diff.apply(xs, ys);
    assertArrayEquals(new int[] {4, 3, 5}, d.shape());
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 5; j++) {
        assertArrayEquals(xs.select(0, i).sub(ys.select(0, j)).toDoubleArray(),
            d.select(0, i).select(1, j).toDoubleArray(), TOL);
      }
    }
  }

  @Test
  void testNestedVmap_innerOverAnOuterBatchedArgument() {
    // vmap(vmap(f)) over the two leading axes of one tensor: f per x[i][j].
    Tensor x = randn(3, 4, 2);
    Tensor w = randn(2, 2);
    TensorFn f = a -> a[0].matmul(a[1]).sin().sum();
    Tensor got = Func.vmap(a -> Func.vmap(f, new int[] {0, NB}, 0).apply(a[0], a[1]),
        new int[] {0, NB}, 0).apply(x, w);
    assertArrayEquals(new int[] {3, 4}, got.shape());
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 4; j++) {
        assertArrayEquals(new double[] {f.apply(x.select(0, i).select(0, j), w).item()},
            new double[] {got.select(0, i).select(0, j).item()}, TOL);
      }
    }
  }

  @Test
  void testNestedVmap_gradientsPerPairAndAroundMatchDoubleLoops() {
    Tensor xs = randn(3, 2);
    Tensor ys = randn(4, 2);
    // Per pair: d pair / dx, inside both levels: [3, 4, 2].
    TensorFn gx = b -> Func.grad(c -> pair(c[0], c[1])).apply(b[0], b[1]);
    Tensor per = Func.vmap(a -> Func.vmap(gx, new int[] {NB, 0}, 0).apply(a[0], a[1]),
        new int[] {0, NB}, 0).apply(xs, ys);
    assertArrayEquals(new int[] {3, 4, 2}, per.shape());
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 4; j++) {
        Tensor want = Func.grad(c -> pair(c[0], c[1])).apply(xs.select(0, i), ys.select(0, j));
        assertArrayEquals(want.toDoubleArray(), per.select(0, i).select(0, j).toDoubleArray(), TOL);
      }
    }
    // Around both levels: d/dys of sum_ij pair(x_i, y_j), against the double loop's gradient.
    TensorFn total = a -> Func.vmap(
        p -> Func.vmap(q -> pair(p[0], q[0])).apply(p[1]), new int[] {0, NB}, 0)
        .apply(a[0], a[1]).sum();
    TensorFn loops = a -> {
      Tensor s = Tensor.scalar(0.0);
      for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 4; j++) {
          s = s.add(pair(a[0].select(0, i), a[1].select(0, j)));
        }
      }
      return s;
    };
    Tensor[] got = Func.grad(total, 0, 1).apply(xs, ys);
    Tensor[] want = Func.grad(loops, 0, 1).apply(xs, ys);
    assertArrayEquals(want[0].toDoubleArray(), got[0].toDoubleArray(), 1e-11);
    assertArrayEquals(want[1].toDoubleArray(), got[1].toDoubleArray(), 1e-11);
  }

  @Test
  void testNestedVmap_emptyInnerBatchIsRefused() {
    assertThrows(UnsupportedOperationException.class,
        () -> Func.vmap(a -> Func.vmap(b -> b[0].sum()).apply(a[1]), new int[] {0, NB}, 0)
            .apply(randn(2, 3), randn(0, 3)));
  }
}
