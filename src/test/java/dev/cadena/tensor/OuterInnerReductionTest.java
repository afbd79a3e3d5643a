package dev.cadena.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cadena.tensor.NDArray.ReduceOp;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The reduction path for kept axes between reduced leading and trailing axes (a batch norm's
 * statistics, a convolution bias's gradient) against a naive loop over every element: sums,
 * maxima and minima in float32 and float64, NaNs included, odd sizes, ranks 3 to 5.
 */
class OuterInnerReductionTest {

  /** The naive reference: for each output element, every input element whose kept index matches. */
  private static double[] naive(double[] x, int[] shape, boolean[] red, ReduceOp op) {
    int n = shape.length;
    int outSize = 1;
    for (int i = 0; i < n; i++) {
      if (!red[i]) {
        outSize *= shape[i];
      }
    }
    double[] out = new double[outSize];
    boolean[] seen = new boolean[outSize];
    int[] idx = new int[n];
    for (int flat = 0; flat < x.length; flat++) {
      int rem = flat;
      for (int i = n - 1; i >= 0; i--) {
        idx[i] = rem % shape[i];
        rem /= shape[i];
      }
      int o = 0;
      for (int i = 0; i < n; i++) {
        if (!red[i]) {
          o = o * shape[i] + idx[i];
        }
      }
      double v = x[flat];
      if (!seen[o]) {
        out[o] = v;
        seen[o] = true;
      } else if (op == ReduceOp.SUM) {
        out[o] += v;
      } else if (Double.isNaN(out[o]) || Double.isNaN(v)) {
        out[o] = Double.NaN;
      } else {
        out[o] = op == ReduceOp.MAX ? Math.max(out[o], v) : Math.min(out[o], v);
      }
    }
    return out;
  }

  private static void check(int[] shape, int lead, int trail, ReduceOp op, DType dtype, long seed,
      boolean nans) {
    SplittableRandom rng = new SplittableRandom(seed);
    int size = 1;
    for (int d : shape) {
      size *= d;
    }
    double[] v = new double[size];
    for (int i = 0; i < size; i++) {
      v[i] = nans && rng.nextInt(7) == 0 ? Double.NaN : Math.round(rng.nextDouble(-4, 4) * 64) / 64.0;
    }
    boolean[] red = new boolean[shape.length];
    List<Integer> axes = new ArrayList<>();
    for (int i = 0; i < shape.length; i++) {
      red[i] = i < lead || i >= shape.length - trail;
      if (red[i]) {
        axes.add(i);
      }
    }
    NDArray x = NDArray.wrap(v, shape);
    if (dtype == DType.FLOAT32) {
      x = x.astype(DType.FLOAT32);
    }
    NDArray r = x.reduce(op, axes.stream().mapToInt(Integer::intValue).toArray(), false);
    double[] want = naive(v, shape, red, op);
    double[] got = r.toDoubleArray();
    assertEquals(want.length, got.length);
    for (int i = 0; i < want.length; i++) {
      // Multiples of 1/64 below 4 in magnitude: the sums are exact in both dtypes.
      assertEquals(want[i], got[i], 0.0, () -> op + " " + dtype + " of " + Shapes.str(shape));
    }
  }

  @Test
  void batchNormAndConvBiasShapes_matchTheNaiveLoop() {
    for (ReduceOp op : ReduceOp.values()) {
      for (DType dt : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
        check(new int[] {4, 3, 10}, 1, 1, op, dt, 1, false);       // [N, C, H*W] over (0, 2)
        check(new int[] {2, 5, 3, 4}, 1, 2, op, dt, 2, false);     // [N, C, H, W] over (0, 2, 3)
        check(new int[] {3, 2, 2, 3, 5}, 2, 1, op, dt, 3, true);   // two leading, NaNs
        check(new int[] {1, 1, 1}, 1, 1, op, dt, 4, false);        // size 1 everywhere
      }
    }
  }

  @Property(tries = 150, seed = "7117")
  void randomLeadingAndTrailingAxes_matchTheNaiveLoop(@ForAll("shapes") int[] shape,
      @ForAll long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int lead = 1 + rng.nextInt(shape.length - 2);
    int trail = 1 + rng.nextInt(shape.length - lead - 1);
    ReduceOp op = ReduceOp.values()[rng.nextInt(3)];
    DType dt = rng.nextBoolean() ? DType.FLOAT32 : DType.FLOAT64;
    check(shape, lead, trail, op, dt, seed, rng.nextInt(4) == 0);
  }

  /**
   * argmax and argmin over an axis that is not the last (a max pooling's windows) against a naive
   * scan: the first NaN, else the first extreme, with ties drawn often.
   */
  @Property(tries = 150, seed = "7118")
  void argReduceOverAMiddleAxis_matchesTheNaiveScan(@ForAll("shapes") int[] shape,
      @ForAll long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int a = rng.nextInt(shape.length - 1);
    boolean max = rng.nextBoolean();
    boolean nans = rng.nextInt(3) == 0;
    int size = 1;
    for (int d : shape) {
      size *= d;
    }
    double[] v = new double[size];
    for (int i = 0; i < size; i++) {
      v[i] = nans && rng.nextInt(9) == 0 ? Double.NaN : rng.nextInt(4); // ties are common
    }
    int outer = 1;
    for (int i = 0; i < a; i++) {
      outer *= shape[i];
    }
    int inner = 1;
    for (int i = a + 1; i < shape.length; i++) {
      inner *= shape[i];
    }
    for (DType dt : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
      NDArray x = NDArray.wrap(v, shape);
      if (dt == DType.FLOAT32) {
        x = x.astype(DType.FLOAT32);
      }
      NDArray r = x.argReduce(max, a, rng.nextBoolean());
      for (int p = 0; p < outer; p++) {
        for (int k = 0; k < inner; k++) {
          int best = 0;
          double bv = v[p * shape[a] * inner + k];
          for (int j = 1; j < shape[a] && !Double.isNaN(bv); j++) {
            double w = v[(p * shape[a] + j) * inner + k];
            if (Double.isNaN(w) || (max ? w > bv : w < bv)) {
              best = j;
              bv = w;
            }
          }
          assertEquals(best, r.toLongArray()[p * inner + k],
              () -> (max ? "argmax" : "argmin") + " over axis " + a + " of " + Shapes.str(shape));
        }
      }
    }
  }

  @Provide
  Arbitrary<int[]> shapes() {
    return Arbitraries.integers().between(1, 5).array(int[].class).ofMinSize(3).ofMaxSize(5);
  }
}
