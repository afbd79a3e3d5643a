package dev.cadena.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.RefArray;
import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Reductions over every subset of axes, with and without kept dimensions, against plain loops. */
class ReductionsTest {
  private static final double TOL = 1e-12;
  private static final int[] SHAPE = {2, 3, 4};

  private static Tensor x() {
    return Tensor.randn(new SplittableRandom(77), SHAPE);
  }

  /** Every non-empty subset of {0, 1, 2}, some spelled with negative axes. */
  private static List<int[]> axisSubsets() {
    List<int[]> r = new ArrayList<>();
    for (int mask = 1; mask < 8; mask++) {
      List<Integer> ax = new ArrayList<>();
      for (int a = 0; a < 3; a++) {
        if ((mask & (1 << a)) != 0) {
          ax.add(a);
        }
      }
      r.add(ax.stream().mapToInt(Integer::intValue).toArray());
    }
    return r;
  }

  private static int[] negate(int[] axes) {
    return Arrays.stream(axes).map(a -> a - 3).toArray();
  }

  private static int count(int[] axes) {
    int n = 1;
    for (int a : axes) {
      n *= SHAPE[a];
    }
    return n;
  }

  @Test
  void sumMeanMaxMin_overEveryAxisSubset() {
    Tensor x = x();
    RefArray r = RefArray.of(x);
    for (int[] axes : axisSubsets()) {
      for (boolean keep : new boolean[] {false, true}) {
        int[] spelled = axes.length == 2 ? negate(axes) : axes;
        int n = count(axes);
        r.sum(axes, keep).assertClose(x.sum(spelled, keep), TOL);
        r.sum(axes, keep).map(v -> v / n).assertClose(x.mean(spelled, keep), TOL);
        r.reduce(axes, keep, Double.NEGATIVE_INFINITY, Math::max).assertClose(x.amax(spelled, keep), 0);
        r.reduce(axes, keep, Double.POSITIVE_INFINITY, Math::min).assertClose(x.amin(spelled, keep), 0);
      }
    }
  }

  @Test
  void emptyAxisList_meansAll() {
    Tensor x = x();
    double total = Arrays.stream(x.toDoubleArray()).sum();
    assertEquals(total, x.sum(new int[0], false).item(), TOL);
    assertArrayEquals(new int[] {1, 1, 1}, x.sum(new int[0], true).shape());
    assertEquals(total, x.sum().item(), TOL);
    assertArrayEquals(new int[0], x.sum().shape());
    assertEquals(total / 24, x.mean().item(), TOL);
    assertEquals(Arrays.stream(x.toDoubleArray()).max().orElseThrow(), x.max().item());
    assertEquals(Arrays.stream(x.toDoubleArray()).min().orElseThrow(), x.min().item());
  }

  @Test
  void singleAxisOverloads() {
    Tensor x = x();
    RefArray r = RefArray.of(x);
    r.sum(new int[] {1}, false).assertClose(x.sum(1), TOL);
    r.sum(new int[] {2}, true).assertClose(x.sum(-1, true), TOL);
    r.sum(new int[] {0}, false).map(v -> v / 2).assertClose(x.mean(0), TOL);
    r.reduce(new int[] {1}, true, Double.NEGATIVE_INFINITY, Math::max).assertClose(x.amax(new int[] {1}, true), 0);
    r.reduce(new int[] {2}, false, Double.POSITIVE_INFINITY, Math::min).assertClose(x.amin(2), 0);
  }

  private static RefArray variance(RefArray r, int[] axes, int correction, boolean keep) {
    int n = 1;
    for (int a : axes) {
      n *= r.shape[a];
    }
    int count = n;
    RefArray mean = r.sum(axes, true).map(v -> v / count);
    RefArray sq = RefArray.zip(r, mean, (a, m) -> (a - m) * (a - m));
    return sq.sum(axes, keep).map(v -> v / (count - correction));
  }

  @Test
  void varAndStd_withCorrection() {
    Tensor x = x();
    RefArray r = RefArray.of(x);
    for (int[] axes : axisSubsets()) {
      for (int corr : new int[] {0, 1}) {
        for (boolean keep : new boolean[] {false, true}) {
          variance(r, axes, corr, keep).assertClose(x.var(axes, corr, keep), 1e-12);
          variance(r, axes, corr, keep).map(Math::sqrt).assertClose(x.std(axes, corr, keep), 1e-12);
        }
      }
    }
    variance(r, new int[] {0, 1, 2}, 1, false).assertClose(x.var(), 1e-12);
    variance(r, new int[] {1}, 1, false).map(Math::sqrt).assertClose(x.std(1), 1e-12);
    // Hand-checked: var of {1, 2, 3, 4} = 5/3 unbiased, 5/4 population.
    Tensor v = Tensor.of(1.0, 2.0, 3.0, 4.0);
    assertEquals(5.0 / 3, v.var().item(), 1e-15);
    assertEquals(1.25, v.var(new int[] {0}, 0, false).item(), 1e-15);
  }

  @Test
  void argmaxArgmin_alongAxes_firstOnTies() {
    Tensor x = Tensor.of(new double[][] {{1, 5, 5, 0}, {7, 2, 7, -1}, {3, 3, 3, 3}});
    assertArrayEquals(new long[] {1, 0, 0}, x.argmax(1).toLongArray());
    assertArrayEquals(new long[] {3, 3, 0}, x.argmin(1).toLongArray());
    assertArrayEquals(new long[] {1, 0, 1, 2}, x.argmax(0).toLongArray());
    assertArrayEquals(new int[] {3, 1}, x.argmax(1, true).shape());
    assertEquals(4, x.argmax().toLongArray()[0]);
    assertEquals(7, x.argmin().toLongArray()[0]);
    assertEquals(DType.INT64, x.argmax().dtype());
    // Against a loop on random data.
    Tensor y = x();
    long[] am = y.argmax(-1).toLongArray();
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 3; j++) {
        int best = 0;
        for (int k = 1; k < 4; k++) {
          if (y.get(i, j, k) > y.get(i, j, best)) {
            best = k;
          }
        }
        assertEquals(best, am[i * 3 + j]);
      }
    }
  }

  @Test
  void logsumexp_matchesDirectFormula_andIsStable() {
    Tensor x = x();
    RefArray r = RefArray.of(x);
    for (int axis = 0; axis < 3; axis++) {
      RefArray expected = r.map(Math::exp).sum(new int[] {axis}, false).map(Math::log);
      expected.assertClose(x.logsumexp(axis), TOL);
      expected = r.map(Math::exp).sum(new int[] {axis}, true).map(Math::log);
      expected.assertClose(x.logsumexp(axis, true), TOL);
    }
    Tensor big = Tensor.of(1000.0, 1000.0);
    assertEquals(1000 + Math.log(2), big.logsumexp(0).item(), 1e-12);
    Tensor small = Tensor.of(-1000.0, -1000.0, -1000.0);
    assertEquals(-1000 + Math.log(3), small.logsumexp(0).item(), 1e-12);
    Tensor negInf = Tensor.of(Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY);
    assertEquals(Double.NEGATIVE_INFINITY, negInf.logsumexp(0).item());
  }

  @Test
  void softmax_andLogSoftmax_matchDefinition() {
    Tensor x = x();
    RefArray r = RefArray.of(x);
    for (int axis = 0; axis < 3; axis++) {
      RefArray e = r.map(Math::exp);
      RefArray expected = RefArray.zip(e, e.sum(new int[] {axis}, true), (a, s) -> a / s);
      expected.assertClose(x.softmax(axis), TOL);
      expected.map(Math::log).assertClose(x.logSoftmax(axis), TOL);
    }
    RefArray e = r.map(Math::exp);
    RefArray.zip(e, e.sum(new int[] {2}, true), (a, s) -> a / s).assertClose(x.softmax(-1), TOL);
  }

  @Test
  void softmax_isStableForLargeInputs() {
    assertArrayEquals(new double[] {0.5, 0.5}, Tensor.of(1000.0, 1000.0).softmax(0).toDoubleArray(), 1e-15);
    assertArrayEquals(new double[] {0.5, 0.5}, Tensor.of(1e15, 1e15).softmax(0).toDoubleArray(), 1e-15);
    assertArrayEquals(new double[] {-Math.log(2), -Math.log(2)},
        Tensor.of(1e15, 1e15).logSoftmax(0).toDoubleArray(), 1e-15);
    Tensor big = Tensor.of(new double[][] {{1000, 999, 998}, {-1000, -1001, -1002}});
    double[] s = big.softmax(1).toDoubleArray();
    double z = 1 + Math.exp(-1) + Math.exp(-2);
    double[] expected = {1 / z, Math.exp(-1) / z, Math.exp(-2) / z};
    for (int row = 0; row < 2; row++) {
      for (int k = 0; k < 3; k++) {
        assertEquals(expected[k], s[row * 3 + k], 1e-15);
      }
    }
    double[] ls = big.logSoftmax(1).toDoubleArray();
    for (int i = 0; i < ls.length; i++) {
      assertTrue(Double.isFinite(ls[i]), "logSoftmax is finite at 1e3: " + Arrays.toString(ls));
      assertEquals(Math.log(expected[i % 3]), ls[i], 1e-13);
    }
    // Gradients are finite too.
    Tensor xg = Tensor.of(1000.0, -1000.0, 3.0).requiresGrad(true);
    xg.logSoftmax(0).select(0, 2).backward();
    for (double g : xg.grad().toDoubleArray()) {
      assertFalse(Double.isNaN(g));
    }
  }

  @Test
  void reductionGradients() {
    Tensor x = Tensor.of(new double[][] {{1, 4, 4}, {2, 0, -1}}).requiresGrad(true);
    x.sum(1).mul(Tensor.of(2.0, 3.0)).sum().backward();
    assertArrayEquals(new double[] {2, 2, 2, 3, 3, 3}, x.grad().toDoubleArray());
    x.zeroGrad();
    x.mean().backward();
    for (double g : x.grad().toDoubleArray()) {
      assertEquals(1.0 / 6, g, 1e-15);
    }
    x.zeroGrad();
    x.amax(1).sum().backward();
    assertArrayEquals(new double[] {0, 0.5, 0.5, 1, 0, 0}, x.grad().toDoubleArray(), "tied maxima share");
    x.zeroGrad();
    x.amin(0).sum().backward();
    assertArrayEquals(new double[] {1, 0, 0, 0, 1, 1}, x.grad().toDoubleArray());
    x.zeroGrad();
    // d var / dx_i = 2 (x_i - mean) / (N - 1)
    Tensor v = Tensor.of(1.0, 2.0, 6.0).requiresGrad(true);
    v.var().backward();
    assertArrayEquals(new double[] {-2, -1, 3}, v.grad().toDoubleArray(), 1e-14);
    // d logsumexp / dx = softmax(x)
    Tensor l = Tensor.of(0.5, -1.0, 2.0).requiresGrad(true);
    l.logsumexp(0).backward();
    assertArrayEquals(l.detach().softmax(0).toDoubleArray(), l.grad().toDoubleArray(), 1e-15);
  }
}
