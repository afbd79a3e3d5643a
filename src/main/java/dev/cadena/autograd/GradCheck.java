package dev.cadena.autograd;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.NDArray;
import dev.cadena.tensor.Shapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Compares analytic gradients with central finite differences in float64, like PyTorch's
 * {@code gradcheck}. The function's output is contracted with a random upstream gradient
 * {@code u} (so every output element matters), giving the scalar {@code L = sum(f(x) * u)}; each
 * input element is nudged by {@code +-eps} and {@code (L(x+eps) - L(x-eps)) / 2eps} is compared
 * with what {@code backward} found, within {@code atol + rtol * |numeric|}.
 *
 * <pre>{@code
 * Tensor x = Tensor.randn(new SplittableRandom(1), 3, 4).requiresGrad(true);
 * GradCheck.Report r = GradCheck.check(in -> in[0].tanh().sum(1), x);
 * assert r.passed() : r;
 * }</pre>
 *
 * {@link #checkSecondOrder} does the same for the gradient of the gradient (with {@code
 * createGraph}).
 */
public final class GradCheck {
  private GradCheck() {}

  /** Tolerances, step and seed of a check. */
  public static final class Options {
    double eps = 1e-6;
    double atol = 1e-5;
    double rtol = 1e-3;
    long seed = 0x5eed;

    /** PyTorch's gradcheck defaults: eps 1e-6, atol 1e-5, rtol 1e-3. */
    public static Options defaults() {
      return new Options();
    }

    /** Finite-difference step. */
    public Options eps(double v) {
      eps = v;
      return this;
    }

    /** Absolute tolerance. */
    public Options atol(double v) {
      atol = v;
      return this;
    }

    /** Relative tolerance. */
    public Options rtol(double v) {
      rtol = v;
      return this;
    }

    /** Seed of the random upstream gradient. */
    public Options seed(long v) {
      seed = v;
      return this;
    }
  }

  /** The outcome: passed or not, and the worst element with its index, both values and the bound. */
  public static final class Report {
    private final boolean passed;
    private final String op;
    private final int input;
    private final int[] index;
    private final double analytic;
    private final double numeric;
    private final double tolerance;
    private final double worstExcess;

    Report(String op, boolean passed, int input, int[] index, double analytic, double numeric,
        double tolerance, double worstExcess) {
      this.op = op;
      this.passed = passed;
      this.input = input;
      this.index = index;
      this.analytic = analytic;
      this.numeric = numeric;
      this.tolerance = tolerance;
      this.worstExcess = worstExcess;
    }

    /** True when every element was within tolerance. */
    public boolean passed() {
      return passed;
    }

    /** Input of the worst element (-1 when no input had elements). */
    public int input() {
      return input;
    }

    /** Index of the worst element within its input. */
    public int[] index() {
      return index == null ? null : index.clone();
    }

    /** Analytic derivative at the worst element. */
    public double analytic() {
      return analytic;
    }

    /** Finite-difference derivative at the worst element. */
    public double numeric() {
      return numeric;
    }

    /** The allowed error at the worst element. */
    public double tolerance() {
      return tolerance;
    }

    /** |analytic - numeric| - tolerance at the worst element (negative when it passed). */
    public double worstExcess() {
      return worstExcess;
    }

    @Override
    public String toString() {
      if (input < 0) {
        return op + ": passed (no elements to check)";
      }
      return String.format(Locale.ROOT,
          "%s: %s; worst element: input %d index %s: analytic %.10g, numeric %.10g, |diff| %.3g,"
              + " tolerance %.3g",
          op, passed ? "passed" : "FAILED", input, Arrays.toString(index), analytic, numeric,
          Math.abs(analytic - numeric), tolerance);
    }
  }

  /** Checks first derivatives with default options. */
  public static Report check(Function<Tensor[], Tensor> f, Tensor... inputs) {
    checkArguments("check", f, inputs);
    return check(f, Options.defaults(), inputs);
  }

  /**
   * Checks first derivatives of {@code f} with respect to every input that requires grad. Inputs
   * must be float64.
   */
  public static Report check(Function<Tensor[], Tensor> f, Options options, Tensor... inputs) {
    checkNotNull(options, "check: options is null");
    checkArguments("check", f, inputs);
    requireFloat64(inputs);
    Tensor out;
    try (GradMode.Scope s = GradMode.enableGrad()) {
      out = f.apply(inputs);
    }
    Tensor u = randomLike(out, options.seed);
    List<Integer> diff = differentiable(inputs);
    List<Tensor> wrt = new ArrayList<>();
    for (int i : diff) {
      wrt.add(inputs[i]);
    }
    List<Tensor> analytic;
    if (wrt.isEmpty()) {
      analytic = List.of();
    } else if (!out.requiresGrad()) {
      analytic = new ArrayList<>();
      for (Tensor t : wrt) {
        analytic.add(t.zerosLike());
      }
    } else {
      analytic = Tensor.grad(List.of(out), wrt, List.of(u), false);
    }
    Function<Tensor[], Double> loss = in -> {
      try (GradMode.Scope s = GradMode.noGrad()) {
        Tensor y = f.apply(in);
        return y.mul(u).sum().item();
      }
    };
    return compare("gradcheck", inputs, diff, analytic, loss, options);
  }

  /** Checks second derivatives with default options. */
  public static Report checkSecondOrder(Function<Tensor[], Tensor> f, Tensor... inputs) {
    checkArguments("checkSecondOrder", f, inputs);
    return checkSecondOrder(f, Options.defaults(), inputs);
  }

  /**
   * Checks the derivative of the gradient: {@code g(x) = sum_i grad_i(x) . v_i}, where grad is
   * computed with {@code createGraph} and {@code v} is random, is compared with finite differences
   * of the same quantity.
   */
  public static Report checkSecondOrder(
      Function<Tensor[], Tensor> f, Options options, Tensor... inputs) {
    checkNotNull(options, "checkSecondOrder: options is null");
    checkArguments("checkSecondOrder", f, inputs);
    requireFloat64(inputs);
    List<Integer> diff = differentiable(inputs);
    Tensor out0;
    try (GradMode.Scope s = GradMode.enableGrad()) {
      out0 = f.apply(inputs);
    }
    Tensor u = randomLike(out0, options.seed);
    List<Tensor> vs = new ArrayList<>();
    for (int k = 0; k < diff.size(); k++) {
      vs.add(randomLike(inputs[diff.get(k)], options.seed + 1 + k));
    }
    Function<Tensor[], Tensor> g = in -> {
      Tensor out = f.apply(in);
      List<Tensor> wrt = new ArrayList<>();
      for (int i : diff) {
        wrt.add(in[i]);
      }
      if (!out.requiresGrad()) {
        return Tensor.scalar(0.0);
      }
      List<Tensor> gr = Tensor.grad(List.of(out), wrt, List.of(u), true);
      Tensor acc = Tensor.scalar(0.0);
      for (int k = 0; k < gr.size(); k++) {
        acc = acc.add(gr.get(k).mul(vs.get(k)).sum());
      }
      return acc;
    };
    Tensor gv;
    try (GradMode.Scope s = GradMode.enableGrad()) {
      gv = g.apply(inputs);
    }
    List<Tensor> wrt = new ArrayList<>();
    for (int i : diff) {
      wrt.add(inputs[i]);
    }
    List<Tensor> analytic;
    if (gv.requiresGrad()) {
      analytic = Tensor.grad(List.of(gv), wrt, null, false);
    } else {
      analytic = new ArrayList<>();
      for (Tensor t : wrt) {
        analytic.add(t.zerosLike());
      }
    }
    Function<Tensor[], Double> loss = in -> {
      Tensor[] fresh = new Tensor[in.length];
      for (int i = 0; i < in.length; i++) {
        fresh[i] = Tensor.fromData(in[i].data()).requiresGrad(inputs[i].requiresGrad());
      }
      try (GradMode.Scope s = GradMode.enableGrad()) {
        return g.apply(fresh).item();
      }
    };
    return compare("gradgradcheck", inputs, diff, analytic, loss, options);
  }

  /** Checks forward mode (JVPs) with default options. */
  public static Report checkJvp(Function<Tensor[], Tensor> f, Tensor... inputs) {
    checkArguments("checkJvp", f, inputs);
    return checkJvp(f, Options.defaults(), inputs);
  }

  /**
   * Checks forward mode: with random tangents {@code v_i} (seeded) for the inputs that require
   * grad, the tangent of {@code f(x)} that {@link ForwardAD} computes, {@code J v}, is compared
   * element by element with the central difference {@code (f(x + eps v) - f(x - eps v)) / 2eps}.
   * In the report, {@code input()} is 0 and {@code index()} the output element. Inputs must be
   * float64.
   *
   * <pre>{@code
   * GradCheck.Report r = GradCheck.checkJvp(in -> in[0].sin().mul(in[1]), GradCheck.Options.defaults(), x, y);
   * }</pre>
   *
   * @throws IllegalStateException when a forward-mode level is already open on this thread
   */
  public static Report checkJvp(Function<Tensor[], Tensor> f, Options options, Tensor... inputs) {
    checkNotNull(options, "checkJvp: options is null");
    checkArguments("checkJvp", f, inputs);
    requireFloat64(inputs);
    List<Integer> diff = differentiable(inputs);
    Tensor[] v = new Tensor[inputs.length];
    for (int k = 0; k < diff.size(); k++) {
      int i = diff.get(k);
      v[i] = randomLike(inputs[i], options.seed + 1 + k);
    }
    Tensor out;
    Tensor tangent;
    try (ForwardAD.Level level = ForwardAD.enter();
        GradMode.Scope s = GradMode.enableGrad()) {
      Tensor[] duals = inputs.clone();
      for (int i : diff) {
        duals[i] = ForwardAD.makeDual(inputs[i], v[i]);
      }
      out = f.apply(duals);
      tangent = ForwardAD.tangent(out);
    }
    double[] an = tangent == null ? new double[out.numel()]
        : tangent.to(DType.FLOAT64).toDoubleArray();
    Tensor[] plus = inputs.clone();
    Tensor[] minus = inputs.clone();
    for (int i : diff) {
      plus[i] = inputs[i].detach().add(v[i].mul(options.eps));
      minus[i] = inputs[i].detach().sub(v[i].mul(options.eps));
    }
    double[] fp;
    double[] fm;
    try (GradMode.Scope s = GradMode.noGrad()) {
      fp = f.apply(plus).to(DType.FLOAT64).toDoubleArray();
      fm = f.apply(minus).to(DType.FLOAT64).toDoubleArray();
    }
    boolean passed = true;
    int[] wIndex = null;
    double wA = 0;
    double wN = 0;
    double wTol = 0;
    double worst = Double.NEGATIVE_INFINITY;
    int[] shape = out.shape();
    for (int e = 0; e < an.length; e++) {
      double num = (fp[e] - fm[e]) / (2 * options.eps);
      double tol = options.atol + options.rtol * Math.abs(num);
      double err = Math.abs(an[e] - num);
      double excess = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err - tol;
      if (excess > 0) {
        passed = false;
      }
      if (excess > worst) {
        worst = excess;
        wIndex = unflatten(e, shape);
        wA = an[e];
        wN = num;
        wTol = tol;
      }
    }
    return new Report("jvpcheck", passed, wIndex == null ? -1 : 0, wIndex, wA, wN, wTol, worst);
  }

  private static Report compare(String name, Tensor[] inputs, List<Integer> diff,
      List<Tensor> analytic, Function<Tensor[], Double> loss, Options o) {
    boolean passed = true;
    int wInput = -1;
    int[] wIndex = null;
    double wA = 0;
    double wN = 0;
    double wTol = 0;
    double worst = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < diff.size(); k++) {
      int i = diff.get(k);
      Tensor x = inputs[i];
      double[] base = x.toDoubleArray();
      double[] an = analytic.get(k).to(DType.FLOAT64).toDoubleArray();
      int[] shape = x.shape();
      for (int e = 0; e < base.length; e++) {
        double[] plus = base.clone();
        plus[e] += o.eps;
        double[] minus = base.clone();
        minus[e] -= o.eps;
        double lp = loss.apply(replace(inputs, i, plus, shape));
        double lm = loss.apply(replace(inputs, i, minus, shape));
        double num = (lp - lm) / (2 * o.eps);
        double tol = o.atol + o.rtol * Math.abs(num);
        double err = Math.abs(an[e] - num);
        double excess = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err - tol;
        if (excess > 0) {
          passed = false;
        }
        if (excess > worst) {
          worst = excess;
          wInput = i;
          wIndex = unflatten(e, shape);
          wA = an[e];
          wN = num;
          wTol = tol;
        }
      }
    }
    return new Report(name, passed, wInput, wIndex, wA, wN, wTol, worst);
  }

  private static Tensor[] replace(Tensor[] inputs, int i, double[] values, int[] shape) {
    Tensor[] r = inputs.clone();
    r[i] = Tensor.fromData(NDArray.wrap(values, shape)).requiresGrad(inputs[i].requiresGrad());
    return r;
  }

  private static int[] unflatten(int flat, int[] shape) {
    int[] idx = new int[shape.length];
    for (int d = shape.length - 1; d >= 0; d--) {
      idx[d] = flat % shape[d];
      flat /= shape[d];
    }
    return idx;
  }

  private static List<Integer> differentiable(Tensor[] inputs) {
    List<Integer> r = new ArrayList<>();
    for (int i = 0; i < inputs.length; i++) {
      if (inputs[i].requiresGrad()) {
        r.add(i);
      }
    }
    return r;
  }

  /** A NullPointerException naming the op and {@code f}, {@code inputs} or a null input. */
  private static void checkArguments(String op, Function<Tensor[], Tensor> f, Tensor[] inputs) {
    checkNotNull(f, "%s: f is null", op);
    checkNotNull(inputs, "%s: inputs is null", op);
    for (int i = 0; i < inputs.length; i++) {
      if (inputs[i] == null) {
        throw new NullPointerException(op + ": inputs[" + i + "] is null");
      }
    }
  }

  private static void requireFloat64(Tensor[] inputs) {
    for (int i = 0; i < inputs.length; i++) {
      if (inputs[i].requiresGrad() && inputs[i].dtype() != DType.FLOAT64) {
        throw new IllegalArgumentException(
            "gradcheck: input " + i + " is " + inputs[i].dtype() + " with shape "
                + Shapes.str(inputs[i].shape()) + "; finite differences need float64 inputs");
      }
    }
  }

  private static Tensor randomLike(Tensor t, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[] v = new double[t.numel()];
    for (int i = 0; i < v.length; i++) {
      v[i] = rng.nextDouble(-1, 1);
    }
    return Tensor.fromData(NDArray.wrap(v, t.shape())).to(t.dtype());
  }
}
