package dev.cadena.func;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cadena.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@code Func.hessian(f, argnums...)}: the blocks {@code H[i][j]} of torch.func.hessian, row by row. */
class HessianArgnumsTest {
  private final SplittableRandom rng = new SplittableRandom(55);

  @Test
  void testHessian_argnums_blocksMatchTheHandDerivedHessian() {
    // f(x, y) = sum(x^2 y) + sum(x) sum(y)^2, so with S = sum(y), T = sum(x):
    // H_xx = diag(2y), H_xy = diag(2x) + 2S, H_yx = its transpose, H_yy = 2T (every entry).
    int n = 3;
    Tensor x = Tensor.randn(rng, n);
    Tensor y = Tensor.randn(rng, n);
    TensorFn f = a -> a[0].square().mul(a[1]).sum().add(a[0].sum().mul(a[1].sum().square()));
    Tensor[] h = Func.hessian(f, 0, 1).apply(x, y);
    assertEquals(4, h.length);
    double[] xv = x.toDoubleArray();
    double[] yv = y.toDoubleArray();
    double s = 0;
    double t = 0;
    for (int i = 0; i < n; i++) {
      s += yv[i];
      t += xv[i];
    }
    double[][] xx = new double[n][n];
    double[][] xy = new double[n][n];
    double[][] yx = new double[n][n];
    double[][] yy = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        xx[i][j] = i == j ? 2 * yv[i] : 0;
        xy[i][j] = (i == j ? 2 * xv[i] : 0) + 2 * s;
        yx[i][j] = (i == j ? 2 * xv[i] : 0) + 2 * s;
        yy[i][j] = 2 * t;
      }
    }
    double[][][] want = {xx, xy, yx, yy};
    for (int b = 0; b < 4; b++) {
      assertArrayEquals(new int[] {n, n}, h[b].shape());
      for (int i = 0; i < n; i++) {
        assertArrayEquals(want[b][i], h[b].select(0, i).toDoubleArray(), 1e-12, "block " + b);
      }
    }
    // One argnum: the single block of hessian(f), argument order as given.
    Tensor[] only = Func.hessian(f, 1).apply(x, y);
    assertEquals(1, only.length);
    for (int i = 0; i < n; i++) {
      assertArrayEquals(yy[i], only[0].select(0, i).toDoubleArray(), 1e-12);
    }
    Tensor[] swapped = Func.hessian(f, 1, 0).apply(x, y);
    assertArrayEquals(h[1].toDoubleArray(), swapped[2].toDoubleArray(), 0.0);
  }

  @Test
  void testHessian_argnums_blockShapesAndCentralDifferences() {
    // Blocks of shape x_i.shape + x_j.shape; each checked against central differences of the
    // gradient (float64, step 1e-5).
    Tensor w = Tensor.randn(rng, 2, 3);
    Tensor v = Tensor.randn(rng, 3);
    Tensor c = Tensor.randn(rng, 2);
    TensorFn f = a -> a[0].matmul(a[1]).tanh().mul(a[2]).sum();
    Tensor[] h = Func.hessian(f, 0, 1).apply(w, v, c);
    int[][] shapes = {{2, 3, 2, 3}, {2, 3, 3}, {3, 2, 3}, {3, 3}};
    Tensor[] args = {w, v};
    double eps = 1e-5;
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 2; j++) {
        Tensor block = h[i * 2 + j];
        assertArrayEquals(shapes[i * 2 + j], block.shape());
        double[] got = block.toDoubleArray();
        int ni = args[i].numel();
        int nj = args[j].numel();
        for (int q = 0; q < nj; q++) {
          Tensor[] plus = {w, v, c};
          Tensor[] minus = {w, v, c};
          plus[j] = bump(args[j], q, eps);
          minus[j] = bump(args[j], q, -eps);
          double[] gp = Func.grad(f, i).apply(plus)[0].toDoubleArray();
          double[] gm = Func.grad(f, i).apply(minus)[0].toDoubleArray();
          for (int p = 0; p < ni; p++) {
            assertEquals((gp[p] - gm[p]) / (2 * eps), got[p * nj + q], 1e-7,
                "block " + i + "," + j + " at " + p + "," + q);
          }
        }
      }
    }
  }

  @Test
  void testHessian_argnums_errors() {
    Tensor x = Tensor.of(1.0, 2.0);
    TensorFn f = a -> a[0].square().sum();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Func.hessian(f, 0, 1).apply(x));
    assertEquals(true, e.getMessage().contains("argnum 1 is out of range"), e.getMessage());
    NullPointerException npe = assertThrows(NullPointerException.class,
        () -> Func.hessian(f, (int[]) null));
    assertEquals("hessian: argnums is null", npe.getMessage());
  }

  private static Tensor bump(Tensor t, int flat, double by) {
    double[] v = t.toDoubleArray();
    v[flat] += by;
    return Tensor.fromArray(v, t.shape());
  }
}
