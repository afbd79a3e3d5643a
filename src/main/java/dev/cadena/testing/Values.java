package dev.cadena.testing;

import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.NDArray;
import dev.cadena.tensor.Shapes;
import java.util.Arrays;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * The value constraints of {@link TensorArbitrary} and {@link TensorTupleArbitrary}: an interval,
 * points to stay away from, positivity, distinct values along an axis, the dtype. Immutable: each
 * {@code with...} returns a copy. Elements are drawn one by one by jqwik (so they shrink toward
 * the allowed value nearest 0), never from a hidden random generator.
 */
final class Values {
  /** How far from 0 {@link #positive()} keeps values: finite differences must not cross 0. */
  static final double POSITIVE_MARGIN = 0.1;
  /** Default gap between values of one reduction group for {@code distinctAlong}. */
  static final double DISTINCT_GAP = 1e-3;
  /** {@link #distinctAxis} when no axis is constrained, and when all elements must differ. */
  static final int NO_AXIS = Integer.MIN_VALUE;
  static final int ALL_AXES = Integer.MAX_VALUE;

  final double lo;
  final double hi;
  final int scale;
  final double[] awayPoints;
  final double[] awayMargins;
  final boolean positive;
  final int distinctAxis;
  final double distinctGap;
  final DType dtype;
  final boolean requiresGrad;

  private Values(double lo, double hi, int scale, double[] awayPoints, double[] awayMargins,
      boolean positive, int distinctAxis, double distinctGap, DType dtype, boolean requiresGrad) {
    this.lo = lo;
    this.hi = hi;
    this.scale = scale;
    this.awayPoints = awayPoints;
    this.awayMargins = awayMargins;
    this.positive = positive;
    this.distinctAxis = distinctAxis;
    this.distinctGap = distinctGap;
    this.dtype = dtype;
    this.requiresGrad = requiresGrad;
  }

  /** Values in [-2, 2] with 4 decimals, float64, requiring grad. */
  static Values defaults() {
    return new Values(-2, 2, 4, new double[0], new double[0], false, NO_AXIS, DISTINCT_GAP,
        DType.FLOAT64, true);
  }

  Values withInterval(String op, double lo, double hi) {
    if (!(Double.isFinite(lo) && Double.isFinite(hi) && lo <= hi)) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "%s: need finite lo <= hi, got lo %s, hi %s", op, lo, hi));
    }
    return new Values(lo, hi, scale, awayPoints, awayMargins, positive, distinctAxis, distinctGap,
        dtype, requiresGrad);
  }

  Values withScale(String op, int scale) {
    if (scale < 0 || scale > 15) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "%s: the number of decimals must be in 0..15, got %d", op, scale));
    }
    return new Values(lo, hi, scale, awayPoints, awayMargins, positive, distinctAxis, distinctGap,
        dtype, requiresGrad);
  }

  Values withAwayFrom(String op, double point, double margin) {
    if (!Double.isFinite(point) || !(margin > 0) || !Double.isFinite(margin)) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "%s: need a finite point and a finite margin > 0, got point %s, margin %s",
          op, point, margin));
    }
    double[] p = Arrays.copyOf(awayPoints, awayPoints.length + 1);
    double[] m = Arrays.copyOf(awayMargins, awayMargins.length + 1);
    p[p.length - 1] = point;
    m[m.length - 1] = margin;
    return new Values(lo, hi, scale, p, m, positive, distinctAxis, distinctGap, dtype,
        requiresGrad);
  }

  Values withPositive() {
    return new Values(lo, hi, scale, awayPoints, awayMargins, true, distinctAxis, distinctGap,
        dtype, requiresGrad);
  }

  Values withDistinct(String op, int axis, double gap) {
    if (!(gap > 0) || !Double.isFinite(gap)) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "%s: need a finite gap > 0, got %s", op, gap));
    }
    return new Values(lo, hi, scale, awayPoints, awayMargins, positive, axis, gap, dtype,
        requiresGrad);
  }

  Values withDtype(DType dtype) {
    return new Values(lo, hi, scale, awayPoints, awayMargins, positive, distinctAxis, distinctGap,
        dtype, requiresGrad);
  }

  Values withRequiresGrad(boolean requiresGrad) {
    return new Values(lo, hi, scale, awayPoints, awayMargins, positive, distinctAxis, distinctGap,
        dtype, requiresGrad);
  }

  /** The lower bound after {@link #positive}. */
  private double low() {
    return positive ? Math.max(lo, 0) : lo;
  }

  /** True when {@code x} is in the interval and at least each margin away from its point. */
  boolean allowed(double x) {
    if (x < low() || x > hi) {
      return false;
    }
    if (positive && x < POSITIVE_MARGIN) {
      return false;
    }
    for (int i = 0; i < awayPoints.length; i++) {
      if (Math.abs(x - awayPoints[i]) < awayMargins[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * The allowed value nearest 0 (values shrink toward it): 0 itself, an end of the interval or
   * the edge of an excluded neighbourhood.
   *
   * @throws IllegalArgumentException when no value is allowed
   */
  double shrinkTarget(String op) {
    double best = Double.NaN;
    double[] candidates = new double[3 + 2 * awayPoints.length + 1];
    int k = 0;
    candidates[k++] = 0;
    candidates[k++] = low();
    candidates[k++] = hi;
    candidates[k++] = POSITIVE_MARGIN;
    for (int i = 0; i < awayPoints.length; i++) {
      candidates[k++] = awayPoints[i] - awayMargins[i];
      candidates[k++] = awayPoints[i] + awayMargins[i];
    }
    for (double c : candidates) {
      if (allowed(c) && (Double.isNaN(best) || Math.abs(c) < Math.abs(best))) {
        best = c;
      }
    }
    if (Double.isNaN(best)) {
      throw new IllegalArgumentException(op + ": no value satisfies the constraints " + this);
    }
    return best;
  }

  /** Tensors of {@code shape} whose elements jqwik draws (and shrinks) one by one. */
  Arbitrary<Tensor> tensor(String op, int[] shape) {
    int[] s = shape.clone();
    int n = Shapes.numel(s);
    if (dtype == DType.INT64) {
      long a = (long) Math.ceil(low());
      long b = (long) Math.floor(hi);
      Arbitrary<Long> e = Arbitraries.longs().between(a, b).shrinkTowards(
          (long) Math.max(a, Math.min(b, 0)));
      if (awayPoints.length > 0 || positive) {
        e = e.filter(v -> allowed(v));
      }
      Arbitrary<long[]> arr = e.array(long[].class).ofSize(n);
      if (distinctAxis != NO_AXIS) {
        checkDistinctPossible(op, s);
        arr = arr.filter(v -> distinct(toDoubles(v), s));
      }
      return arr.map(v -> Tensor.fromData(NDArray.wrap(v.clone(), s)));
    }
    double target = shrinkTarget(op);
    Arbitrary<Double> e = Arbitraries.doubles().between(low(), hi).ofScale(scale)
        .shrinkTowards(target);
    if (awayPoints.length > 0 || positive) {
      e = e.filter(this::allowed);
    }
    Arbitrary<double[]> arr = e.array(double[].class).ofSize(n);
    if (distinctAxis != NO_AXIS) {
      checkDistinctPossible(op, s);
      arr = arr.filter(v -> distinct(v, s));
    }
    return arr.map(v -> {
      Tensor t = Tensor.fromData(NDArray.wrap(v.clone(), s));
      if (dtype != DType.FLOAT64) {
        t = t.to(dtype);
      }
      return requiresGrad ? t.requiresGrad(true) : t;
    });
  }

  private static double[] toDoubles(long[] v) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      d[i] = v[i];
    }
    return d;
  }

  /** The axis of {@link #distinctAxis} for a shape, checked; -1 for all elements as one group. */
  private int axisOf(String op, int[] shape) {
    if (distinctAxis == ALL_AXES || shape.length == 0) {
      return -1;
    }
    int r = shape.length;
    if (distinctAxis < -r || distinctAxis >= r) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "%s: distinctAlong axis %d is out of range for shape %s (rank %d)",
          op, distinctAxis, Shapes.str(shape), r));
    }
    return Math.floorMod(distinctAxis, r);
  }

  private void checkDistinctPossible(String op, int[] shape) {
    int axis = axisOf(op, shape);
    int group = axis < 0 ? Shapes.numel(shape) : shape[axis];
    double width = hi - low();
    if (group > 1 && (group - 1) * distinctGap > width) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "%s: %d values at least %s apart do not fit in [%s, %s] (shape %s)",
          op, group, distinctGap, low(), hi, Shapes.str(shape)));
    }
  }

  /** True when the values of every group along the axis are pairwise at least the gap apart. */
  private boolean distinct(double[] v, int[] shape) {
    int axis = axisOf("distinctAlong", shape);
    int len;
    int stride;
    int outer;
    if (axis < 0) {
      len = v.length;
      stride = 1;
      outer = 1;
    } else {
      len = shape[axis];
      stride = 1;
      for (int d = axis + 1; d < shape.length; d++) {
        stride *= shape[d];
      }
      outer = len == 0 || stride == 0 ? 0 : v.length / (len * stride);
    }
    for (int o = 0; o < outer; o++) {
      for (int in = 0; in < stride; in++) {
        int base = o * len * stride + in;
        for (int i = 0; i < len; i++) {
          for (int j = i + 1; j < len; j++) {
            if (Math.abs(v[base + i * stride] - v[base + j * stride]) < distinctGap) {
              return false;
            }
          }
        }
      }
    }
    return true;
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "values in [%s, %s]", low(), hi));
    if (positive) {
      b.append(", >= ").append(POSITIVE_MARGIN);
    }
    for (int i = 0; i < awayPoints.length; i++) {
      b.append(String.format(Locale.ROOT, ", |x - %s| >= %s", awayPoints[i], awayMargins[i]));
    }
    if (distinctAxis == ALL_AXES) {
      b.append(", all distinct (gap ").append(distinctGap).append(')');
    } else if (distinctAxis != NO_AXIS) {
      b.append(", distinct along ").append(distinctAxis).append(" (gap ").append(distinctGap)
          .append(')');
    }
    b.append(", ").append(dtype).append(requiresGrad ? ", requiresGrad" : "");
    return b.toString();
  }
}
