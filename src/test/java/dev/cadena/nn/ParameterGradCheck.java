package dev.cadena.nn;

import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.NDArray;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Central-difference check of a module's parameter gradients, the counterpart of {@link
 * dev.cadena.autograd.GradCheck} (which checks function inputs): {@code L = sum(m(x) * u)} with a
 * random {@code u}; each parameter element is nudged in place by +-eps and the slope compared with
 * what backward stored in {@code grad()}.
 */
final class ParameterGradCheck {
  private ParameterGradCheck() {}

  /** Null when every element is within {@code atol + rtol * |numeric|}; else a description. */
  static String check(Module m, Tensor x, double eps, double atol, double rtol) {
    m.zeroGrad();
    Tensor out = m.forward(x);
    Tensor u = random(out.shape(), 99);
    out.mul(u).sum().backward();
    StringBuilder problems = new StringBuilder();
    for (Map.Entry<String, Tensor> e : m.namedParameters().entrySet()) {
      Tensor p = e.getValue();
      if (p.dtype() != DType.FLOAT64) {
        throw new IllegalArgumentException("parameter " + e.getKey() + " must be float64");
      }
      double[] analytic = p.grad() == null ? new double[p.numel()] : p.grad().toDoubleArray();
      double[] base = p.toDoubleArray();
      for (int i = 0; i < base.length; i++) {
        double lp = lossWith(m, x, u, p, base, i, eps);
        double lm = lossWith(m, x, u, p, base, i, -eps);
        double numeric = (lp - lm) / (2 * eps);
        if (!(Math.abs(analytic[i] - numeric) <= atol + rtol * Math.abs(numeric))) {
          problems.append(String.format(Locale.ROOT,
              "%s[%d]: analytic %.10g, numeric %.10g%n", e.getKey(), i, analytic[i], numeric));
        }
      }
      set(p, base);
    }
    return problems.length() == 0 ? null : problems.toString();
  }

  private static double lossWith(Module m, Tensor x, Tensor u, Tensor p, double[] base, int i, double d) {
    double[] v = base.clone();
    v[i] += d;
    set(p, v);
    try (var s = Tensor.noGrad()) {
      return m.forward(x).mul(u).sum().item();
    }
  }

  private static void set(Tensor p, double[] values) {
    try (var s = Tensor.noGrad()) {
      p.copy_(Tensor.fromData(NDArray.wrap(values.clone(), p.shape())));
    }
  }

  static Tensor random(int[] shape, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[] v = new double[Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
    for (int i = 0; i < v.length; i++) {
      v[i] = rng.nextDouble(-1, 1);
    }
    return Tensor.fromData(NDArray.wrap(v, shape));
  }
}
