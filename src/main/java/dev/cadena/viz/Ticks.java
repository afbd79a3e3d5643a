package dev.cadena.viz;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Tick positions and labels for a plot axis: round steps, one notation per axis.
 *
 * <p>A linear axis steps by {@code 1, 2} or {@code 5} times a power of ten, the smallest such step
 * that gives at most {@code maxTicks} ticks. A logarithmic axis labels decades ({@code 10^k}, every
 * one or every 2nd, 5th, ... when there are many); when the data span less than three decades it
 * adds {@code 2·10^k} and {@code 5·10^k}, so a short axis still has labels, below 1 included.
 *
 * <p>Every label of one axis uses one notation: plain decimals with the same number of digits
 * after the point when the ticks lie between {@code 0.001} and {@code 10,000} (linear: below
 * {@code 100,000}), otherwise {@code <mantissa>e<exponent>} ({@code 1e-3 ... 1e7} on a log axis,
 * {@code 0.5e6, 1.0e6, 1.5e6} on a linear one, all with the exponent of the largest tick). So an
 * axis never mixes {@code 1E7} and {@code 1000}.
 */
final class Ticks {
  /** Ticks of one axis: the axis range (which contains the data) and each tick's value and label. */
  record Axis(double min, double max, double[] values, String[] labels) {
    int size() {
      return values.length;
    }
  }

  private static final int[] MANTISSAS = {1, 2, 5};

  private Ticks() {}

  /**
   * Linear ticks for data in {@code [lo, hi]}: at most {@code maxTicks}, except that ticks kept
   * inside the data get one more when the coarser step would leave a single tick.
   *
   * @param extend whether the axis range grows to the nearest ticks outside the data (a y axis),
   *     or stays the data range with the ticks inside it (an x axis)
   */
  static Axis linear(double lo, double hi, int maxTicks, boolean extend) {
    checkRange(lo, hi);
    maxTicks = Math.max(2, maxTicks);
    if (lo == hi) {
      double pad = lo == 0 ? 1 : Math.abs(lo) * 0.1;
      lo -= pad;
      hi += pad;
      extend = true;
    }
    // The step m * 10^e: the smallest of 1, 2, 5 times a power of ten that fits maxTicks.
    int e = (int) Math.floor(Math.log10((hi - lo) / maxTicks)) - 1;
    int m = 1;
    long first;
    long last;
    int previousM = 0;
    int previousE = 0;
    while (true) {
      double step = m * Math.pow(10, e);
      first = extend ? (long) Math.floor(lo / step + 1e-9) : (long) Math.ceil(lo / step - 1e-9);
      last = extend ? (long) Math.ceil(hi / step - 1e-9) : (long) Math.floor(hi / step + 1e-9);
      if (last - first + 1 <= maxTicks) {
        if (!extend && last - first + 1 < 2 && previousM != 0) {
          // Ticks inside the data only: this step leaves one tick; the finer one, though a
          // tick over maxTicks, labels the axis.
          m = previousM;
          e = previousE;
          step = m * Math.pow(10, e);
          first = (long) Math.ceil(lo / step - 1e-9);
          last = (long) Math.floor(hi / step + 1e-9);
        }
        break;
      }
      previousM = m;
      previousE = e;
      if (m == 5) {
        m = 1;
        e++;
      } else {
        m = m == 1 ? 2 : 5;
      }
    }
    int count = (int) (last - first + 1);
    double[] values = new double[count];
    BigDecimal[] exact = new BigDecimal[count];
    for (int i = 0; i < count; i++) {
      exact[i] = BigDecimal.valueOf((first + i) * m).scaleByPowerOfTen(e);
      values[i] = exact[i].doubleValue();
    }
    double min = extend ? Math.min(lo, values[0]) : lo;
    double max = extend ? Math.max(hi, values[count - 1]) : hi;
    return new Axis(min, max, values, linearLabels(exact, e));
  }

  private static String[] linearLabels(BigDecimal[] exact, int stepExponent) {
    double largest = 0;
    for (BigDecimal v : exact) {
      largest = Math.max(largest, Math.abs(v.doubleValue()));
    }
    String[] labels = new String[exact.length];
    if (largest < 1e5 && stepExponent >= -3) {
      int digits = Math.max(0, -stepExponent);
      for (int i = 0; i < exact.length; i++) {
        labels[i] = exact[i].setScale(digits, java.math.RoundingMode.UNNECESSARY).toPlainString();
      }
      return labels;
    }
    // One exponent for the axis, the largest tick's; the mantissas share their digits.
    int exponent = (int) Math.floor(Math.log10(largest) + 1e-9);
    int digits = Math.max(0, exponent - stepExponent);
    for (int i = 0; i < exact.length; i++) {
      labels[i] = exact[i].signum() == 0
          ? "0"
          : exact[i].scaleByPowerOfTen(-exponent).setScale(digits, java.math.RoundingMode.UNNECESSARY)
              .toPlainString() + "e" + exponent;
    }
    return labels;
  }

  /** Logarithmic ticks for positive data in {@code [lo, hi]}; the range grows to the outer ticks. */
  static Axis log(double lo, double hi, int maxTicks) {
    checkRange(lo, hi);
    if (!(lo > 0)) {
      throw new IllegalArgumentException("log axis: values must be positive, got " + lo);
    }
    maxTicks = Math.max(2, maxTicks);
    int a = (int) Math.floor(Math.log10(lo) + 1e-12);
    int b = (int) Math.ceil(Math.log10(hi) - 1e-12);
    if (b == a) {
      b = a + 1;
    }
    List<int[]> ticks = new ArrayList<>();   // {mantissa, exponent}
    if (b - a >= 3) {
      int every = 1;
      // Coarser until it fits; at worst (every >= b - a) three ticks bound the range.
      while ((ceilDiv(b, every) - Math.floorDiv(a, every)) + 1 > maxTicks && every < b - a) {
        every = every == 1 ? 2 : every == 2 ? 5 : every == 5 ? 10 : every * 2;
      }
      for (int k = Math.floorDiv(a, every) * every; k <= ceilDiv(b, every) * every; k += every) {
        ticks.add(new int[] {1, k});
      }
    } else {
      // Short span: 1, 2, 5 per decade, between the last one at or below lo and the first at or above hi.
      List<int[]> all = new ArrayList<>();
      for (int k = a; k <= b; k++) {
        for (int m : MANTISSAS) {
          all.add(new int[] {m, k});
        }
      }
      int from = 0;
      while (from + 1 < all.size() && value(all.get(from + 1)) <= lo * (1 + 1e-12)) {
        from++;
      }
      int to = all.size() - 1;
      while (to - 1 >= 0 && value(all.get(to - 1)) >= hi * (1 - 1e-12)) {
        to--;
      }
      ticks.addAll(all.subList(from, to + 1));
      if (ticks.size() > maxTicks) {
        // Too many for the space: keep the decades (and the ends, which bound the range).
        List<int[]> kept = new ArrayList<>();
        for (int i = 0; i < ticks.size(); i++) {
          if (ticks.get(i)[0] == 1 || i == 0 || i == ticks.size() - 1) {
            kept.add(ticks.get(i));
          }
        }
        ticks = kept;
      }
    }
    double[] values = new double[ticks.size()];
    String[] labels = new String[ticks.size()];
    boolean plain = true;
    for (int[] t : ticks) {
      plain &= t[1] >= -3 && t[1] <= 4;
    }
    for (int i = 0; i < ticks.size(); i++) {
      int[] t = ticks.get(i);
      BigDecimal exact = BigDecimal.valueOf(t[0]).scaleByPowerOfTen(t[1]);
      values[i] = exact.doubleValue();
      labels[i] = plain ? exact.stripTrailingZeros().toPlainString() : t[0] + "e" + t[1];
    }
    return new Axis(Math.min(lo, values[0]), Math.max(hi, values[values.length - 1]), values, labels);
  }

  private static double value(int[] tick) {
    return tick[0] * Math.pow(10, tick[1]);
  }

  private static int ceilDiv(int x, int y) {
    return -Math.floorDiv(-x, y);
  }

  private static void checkRange(double lo, double hi) {
    if (!Double.isFinite(lo) || !Double.isFinite(hi) || lo > hi) {
      throw new IllegalArgumentException(
          String.format(Locale.ROOT, "axis: the data range must be finite and ordered, got [%s, %s]", lo, hi));
    }
  }
}
