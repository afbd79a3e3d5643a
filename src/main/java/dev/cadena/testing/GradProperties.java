package dev.cadena.testing;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.autograd.ForwardAD;
import dev.cadena.autograd.GradCheck;
import dev.cadena.autograd.GradMode;
import dev.cadena.func.TensorFn;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.NDArray;
import dev.cadena.tensor.Shapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * One-line gradient properties of any differentiable function of tensors, for jqwik properties
 * over {@link TensorArbitraries}: each method checks one property at the given inputs and throws
 * a {@link GradPropertyError} (an {@link AssertionError}: jqwik then shrinks the sample) that
 * names the property, the inputs' shapes and the worst element with its index, both values and
 * the tolerance. The inputs that require grad are the ones differentiated; they must be float64
 * (finite differences need it) and at least one must require grad.
 *
 * <pre>{@code
 * @Property(seed = "42")
 * void logCosh_isCorrectlyDifferentiated(@ForAll("xs") Tensor x) {
 *   GradProperties.checkAll(in -> LOG_COSH.apply(in[0]), x);
 * }
 * }</pre>
 *
 * <p>The properties:
 *
 * <ul>
 *   <li>{@link #check}: the VJP against central finite differences, {@code L = sum(f(x) * u)}
 *       with a random upstream {@code u} ({@link GradCheck#check});
 *   <li>{@link #checkSecondOrder}: the same for the gradient of the gradient ({@link
 *       GradCheck#checkSecondOrder});
 *   <li>{@link #checkJvp}: forward mode {@code J v} against {@code (f(x + eps v) - f(x - eps
 *       v)) / 2 eps} ({@link GradCheck#checkJvp});
 *   <li>{@link #checkDuality}: {@code <u, J v> = <J^T u, v>}, forward against reverse mode;
 *   <li>{@link #checkVjpLinearity}: {@code vjp(u1 + 2 u2) = vjp(u1) + 2 vjp(u2)};
 *   <li>{@link #checkGradShapes}: each gradient has its input's shape and dtype, in float64 and
 *       in float32;
 *   <li>{@link #checkFloat32MatchesFloat64}: the output and the gradients in float32 agree with
 *       float64 within float32's tolerance;
 *   <li>{@link #checkAll}: all of them.
 * </ul>
 *
 * <p>Every random vector (upstream gradients, tangents) comes from a {@link SplittableRandom}
 * with a fixed seed, so a property's outcome depends only on its inputs, and jqwik's seed
 * replays a failure.
 */
public final class GradProperties {
  private GradProperties() {}

  /** Seed of the upstream gradients and tangents (GradCheck's default). */
  private static final long SEED = 0x5eed;
  /** Duality and linearity compare two float64 computations of one quantity. */
  private static final double EXACT_ATOL = 1e-10;
  private static final double EXACT_RTOL = 1e-8;
  /** Default tolerances of float32 against float64: about 800 float32 ulps, relative. */
  static final double FLOAT32_ATOL = 1e-4;
  static final double FLOAT32_RTOL = 1e-4;

  // ================================================================== finite differences

  /**
   * First derivatives against central finite differences, with {@link GradCheck}'s defaults
   * (eps 1e-6, atol 1e-5, rtol 1e-3).
   *
   * <pre>{@code
   * GradProperties.check(in -> in[0].tanh().mul(in[1]), x, y);
   * }</pre>
   *
   * @throws GradPropertyError when an element is out of tolerance, or {@code f} or its backward
   *     throws
   * @throws IllegalArgumentException when no input requires grad, or one that does is not
   *     float64
   */
  public static void check(TensorFn f, Tensor... inputs) {
    checkArguments("check", f, inputs);
    check(f, GradCheck.Options.defaults(), inputs);
  }

  /** {@link #check(TensorFn, Tensor...)} with other tolerances, step or upstream seed. */
  public static void check(TensorFn f, GradCheck.Options options, Tensor... inputs) {
    checkNotNull(options, "check: options is null");
    checkArguments("check", f, inputs);
    GradCheck.Report r = guarded("gradcheck", inputs, () -> GradCheck.check(f::apply, options, inputs));
    failIfNot("gradcheck", inputs, r);
  }

  /**
   * Second derivatives: the derivative of {@code <grad f(x), v>} (gradient recorded with {@code
   * createGraph}) against finite differences of it; catches a backward whose value is right but
   * which is not differentiable correctly (a detached or constant factor).
   *
   * <pre>{@code
   * GradProperties.checkSecondOrder(in -> MY_OP.apply(in[0]), x);
   * }</pre>
   *
   * @throws GradPropertyError when an element is out of tolerance, or {@code f} or a derivative
   *     throws
   * @throws IllegalArgumentException when no input requires grad, or one that does is not
   *     float64
   */
  public static void checkSecondOrder(TensorFn f, Tensor... inputs) {
    checkArguments("checkSecondOrder", f, inputs);
    checkSecondOrder(f, GradCheck.Options.defaults(), inputs);
  }

  /** {@link #checkSecondOrder(TensorFn, Tensor...)} with other tolerances, step or seed. */
  public static void checkSecondOrder(TensorFn f, GradCheck.Options options, Tensor... inputs) {
    checkNotNull(options, "checkSecondOrder: options is null");
    checkArguments("checkSecondOrder", f, inputs);
    GradCheck.Report r = guarded("gradgradcheck", inputs,
        () -> GradCheck.checkSecondOrder(f::apply, options, inputs));
    failIfNot("gradgradcheck", inputs, r);
  }

  /**
   * Forward mode: the tangent {@code J v} that {@link ForwardAD} computes, for random tangents
   * {@code v}, against {@code (f(x + eps v) - f(x - eps v)) / 2 eps}, element by element of the
   * output (the report's index is the output element's).
   *
   * <pre>{@code
   * GradProperties.checkJvp(in -> MY_OP.apply(in[0]), x);
   * }</pre>
   *
   * @throws GradPropertyError when an element is out of tolerance, or {@code f} or its JVP throws
   * @throws IllegalArgumentException when no input requires grad, or one that does is not
   *     float64
   */
  public static void checkJvp(TensorFn f, Tensor... inputs) {
    checkArguments("checkJvp", f, inputs);
    checkJvp(f, GradCheck.Options.defaults(), inputs);
  }

  /** {@link #checkJvp(TensorFn, Tensor...)} with other tolerances, step or seed. */
  public static void checkJvp(TensorFn f, GradCheck.Options options, Tensor... inputs) {
    checkNotNull(options, "checkJvp: options is null");
    checkArguments("checkJvp", f, inputs);
    GradCheck.Report r = guarded("jvpcheck", inputs, () -> GradCheck.checkJvp(f::apply, options, inputs));
    failIfNot("jvpcheck", inputs, r);
  }

  // ================================================================== identities

  /**
   * Duality of the two modes: with random {@code u} (output-shaped) and {@code v} (one per input
   * that requires grad), {@code <u, J v>} from forward mode equals {@code sum_i <(J^T u)_i, v_i>}
   * from reverse mode, within {@code 1e-10 + 1e-8 |<J^T u, v>|}. A JVP and a VJP that disagree
   * fail it even when one of them is not checked against finite differences.
   *
   * <pre>{@code
   * GradProperties.checkDuality(in -> in[0].matmul(in[1]), a, b);
   * }</pre>
   *
   * @throws GradPropertyError when the two differ, or {@code f} or a derivative throws
   * @throws IllegalArgumentException when no input requires grad, or one that does is not
   *     float64
   */
  public static void checkDuality(TensorFn f, Tensor... inputs) {
    checkArguments("checkDuality", f, inputs);
    String p = "duality";
    double[] lr = guarded(p, inputs, () -> {
      List<Integer> diff = differentiable(inputs);
      Tensor[] v = new Tensor[inputs.length];
      for (int k = 0; k < diff.size(); k++) {
        v[diff.get(k)] = random(inputs[diff.get(k)], SEED + 1 + k);
      }
      Tensor out;
      Tensor jv;
      try (ForwardAD.Level level = ForwardAD.enter();
          GradMode.Scope s = GradMode.enableGrad()) {
        Tensor[] duals = inputs.clone();
        for (int i : diff) {
          duals[i] = ForwardAD.makeDual(inputs[i], v[i]);
        }
        out = f.apply(duals);
        Tensor t = ForwardAD.tangent(out);
        jv = t == null ? out.detach().zerosLike() : t.detach();
      }
      Tensor u = random(out, SEED);
      double left = dot(jv, u);
      List<Tensor> g = vjp(f, inputs, diff, u);
      double right = 0;
      for (int k = 0; k < diff.size(); k++) {
        right += dot(g.get(k), v[diff.get(k)]);
      }
      return new double[] {left, right};
    });
    double tol = EXACT_ATOL + EXACT_RTOL * Math.abs(lr[1]);
    double err = Math.abs(lr[0] - lr[1]);
    if (!(err <= tol)) {
      throw new GradPropertyError(p, inputs, String.format(Locale.ROOT,
          "<u, J v> (forward mode) %.12g != <J^T u, v> (reverse mode) %.12g, |diff| %.3g,"
              + " tolerance %.3g", lr[0], lr[1], err, tol),
          -1, new int[0], lr[0], lr[1], tol, null);
    }
  }

  /**
   * Linearity of the VJP in the upstream gradient: {@code vjp(u1 + 2 u2) = vjp(u1) + 2 vjp(u2)}
   * for random {@code u1, u2}, element by element, within {@code 1e-10 + 1e-8 |expected|}. A
   * backward that uses {@code grad} non-linearly (squares it, adds a constant, ignores it) fails.
   *
   * <pre>{@code
   * GradProperties.checkVjpLinearity(in -> MY_OP.apply(in[0]), x);
   * }</pre>
   *
   * @throws GradPropertyError when an element differs, or {@code f} or its backward throws
   * @throws IllegalArgumentException when no input requires grad, or one that does is not
   *     float64
   */
  public static void checkVjpLinearity(TensorFn f, Tensor... inputs) {
    checkArguments("checkVjpLinearity", f, inputs);
    String p = "vjp linearity";
    List<Integer> diff = differentiable(inputs);
    List<double[][]> gs = guarded(p, inputs, () -> {
      Tensor out;
      try (GradMode.Scope s = GradMode.noGrad()) {
        out = f.apply(inputs);
      }
      Tensor u1 = random(out, SEED);
      Tensor u2 = random(out, SEED + 1);
      List<Tensor> g1 = vjp(f, inputs, diff, u1);
      List<Tensor> g2 = vjp(f, inputs, diff, u2);
      List<Tensor> g12 = vjp(f, inputs, diff, u1.add(u2.mul(2.0)));
      List<double[][]> r = new ArrayList<>();
      for (int k = 0; k < diff.size(); k++) {
        r.add(new double[][] {doubles(g1.get(k)), doubles(g2.get(k)), doubles(g12.get(k))});
      }
      return r;
    });
    Worst w = new Worst();
    for (int k = 0; k < diff.size(); k++) {
      double[][] g = gs.get(k);
      for (int e = 0; e < g[2].length; e++) {
        double expected = g[0][e] + 2 * g[1][e];
        w.offer(diff.get(k), inputs[diff.get(k)].shape(), e, g[2][e], expected,
            EXACT_ATOL + EXACT_RTOL * Math.abs(expected));
      }
    }
    w.failIfExceeded(p, inputs, "vjp(u1 + 2 u2)", "vjp(u1) + 2 vjp(u2)");
  }

  /**
   * Each gradient has its input's shape and dtype, for the inputs as given and for their float32
   * copies (a backward that forgets to undo a broadcast, or computes in float64 for a float32
   * input, fails).
   *
   * <pre>{@code
   * GradProperties.checkGradShapes(in -> in[0].add(in[1]), x, bias);
   * }</pre>
   *
   * @throws GradPropertyError naming the input, its shape and dtype and the gradient's
   * @throws IllegalArgumentException when no input requires grad, or one that does is not
   *     float64
   */
  public static void checkGradShapes(TensorFn f, Tensor... inputs) {
    checkArguments("checkGradShapes", f, inputs);
    String p = "grad shapes";
    List<Integer> diff = differentiable(inputs);
    for (Tensor[] in : List.of(inputs, toFloat32(inputs))) {
      List<Tensor> g = guarded(p, in, () -> {
        Tensor out;
        try (GradMode.Scope s = GradMode.noGrad()) {
          out = f.apply(in);
        }
        return vjp(f, in, diff, random(out, SEED));
      });
      for (int k = 0; k < diff.size(); k++) {
        int i = diff.get(k);
        Tensor gi = g.get(k);
        if (!Arrays.equals(gi.shape(), in[i].shape()) || gi.dtype() != in[i].dtype()) {
          throw new GradPropertyError(p, in, String.format(Locale.ROOT,
              "input %d is %s %s but its gradient is %s %s", i, in[i].dtype(),
              Shapes.str(in[i].shape()), gi.dtype(), Shapes.str(gi.shape())),
              i, new int[0], Double.NaN, Double.NaN, 0, null);
        }
      }
    }
  }

  /**
   * float32 agrees with float64: {@code f} and its VJP (one random upstream gradient) evaluated on
   * float32 copies of the inputs match the float64 values at the same (rounded) points within
   * {@code 1e-4 + 1e-4 |float64 value|}, element by element of the output and the gradients.
   *
   * <pre>{@code
   * GradProperties.checkFloat32MatchesFloat64(in -> MY_OP.apply(in[0]), x);
   * }</pre>
   *
   * @throws GradPropertyError when an element differs by more (the report's input -1 means the
   *     output), or {@code f} or its backward throws
   * @throws IllegalArgumentException when no input requires grad, or one that does is not
   *     float64
   */
  public static void checkFloat32MatchesFloat64(TensorFn f, Tensor... inputs) {
    checkArguments("checkFloat32MatchesFloat64", f, inputs);
    checkFloat32MatchesFloat64(f, FLOAT32_ATOL, FLOAT32_RTOL, inputs);
  }

  /**
   * {@link #checkFloat32MatchesFloat64(TensorFn, Tensor...)} within {@code atol + rtol |float64
   * value|}.
   *
   * @throws IllegalArgumentException also for a negative or non-finite tolerance
   */
  public static void checkFloat32MatchesFloat64(
      TensorFn f, double atol, double rtol, Tensor... inputs) {
    checkArguments("checkFloat32MatchesFloat64", f, inputs);
    if (!(atol >= 0 && rtol >= 0 && Double.isFinite(atol) && Double.isFinite(rtol))) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "checkFloat32MatchesFloat64: tolerances must be finite and >= 0, got atol %s, rtol %s",
          atol, rtol));
    }
    String p = "float32 vs float64";
    List<Integer> diff = differentiable(inputs);
    Tensor[] in32 = toFloat32(inputs);
    Tensor[] in64 = new Tensor[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      in64[i] = in32[i].dtype() == DType.FLOAT32
          ? leaf(in32[i].to(DType.FLOAT64), inputs[i].requiresGrad()) : inputs[i];
    }
    List<double[]> r32 = guarded(p, in32, () -> valueAndVjp(f, in32, diff));
    List<double[]> r64 = guarded(p, in64, () -> valueAndVjp(f, in64, diff));
    Worst w = new Worst();
    Tensor out;
    try (GradMode.Scope s = GradMode.noGrad()) {
      out = f.apply(in64);
    }
    for (int k = 0; k < r64.size(); k++) {
      int input = k == 0 ? -1 : diff.get(k - 1);
      int[] shape = k == 0 ? out.shape() : inputs[input].shape();
      double[] a = r32.get(k);
      double[] b = r64.get(k);
      for (int e = 0; e < b.length; e++) {
        w.offer(input, shape, e, a[e], b[e], atol + rtol * Math.abs(b[e]));
      }
    }
    w.failIfExceeded(p, inputs, "float32", "float64");
  }

  /**
   * Every property above, cheapest first: {@link #checkGradShapes}, {@link #check}, {@link
   * #checkSecondOrder}, {@link #checkJvp}, {@link #checkDuality}, {@link #checkVjpLinearity},
   * {@link #checkFloat32MatchesFloat64}. The first that fails throws.
   *
   * <pre>{@code
   * GradProperties.checkAll(in -> MY_OP.apply(in[0], in[1]), x, y);
   * }</pre>
   *
   * @throws GradPropertyError for the first property that fails
   * @throws IllegalArgumentException when no input requires grad, or one that does is not
   *     float64
   */
  public static void checkAll(TensorFn f, Tensor... inputs) {
    checkArguments("checkAll", f, inputs);
    checkGradShapes(f, inputs);
    check(f, inputs);
    checkSecondOrder(f, inputs);
    checkJvp(f, inputs);
    checkDuality(f, inputs);
    checkVjpLinearity(f, inputs);
    checkFloat32MatchesFloat64(f, inputs);
  }

  // ================================================================== helpers

  /** The worst element over several arrays: the one whose error exceeds its tolerance most. */
  private static final class Worst {
    double excess = Double.NEGATIVE_INFINITY;
    int input = -1;
    int[] index = new int[0];
    double got;
    double expected;
    double tolerance;

    void offer(int input, int[] shape, int flat, double got, double expected, double tol) {
      // Equal values agree, infinities of one sign included; a NaN on either side does not.
      double err = got == expected ? 0 : Math.abs(got - expected);
      double ex = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err - tol;
      if (ex > excess) {
        excess = ex;
        this.input = input;
        this.index = unflatten(flat, shape);
        this.got = got;
        this.expected = expected;
        this.tolerance = tol;
      }
    }

    void failIfExceeded(String p, Tensor[] inputs, String gotName, String expectedName) {
      if (excess > 0) {
        throw new GradPropertyError(p, inputs,
            GradPropertyError.worst(input, index, gotName, got, expectedName, expected, tolerance)
                .replace("input -1 ", "output "),
            input, index, got, expected, tolerance, null);
      }
    }
  }

  private static void failIfNot(String p, Tensor[] inputs, GradCheck.Report r) {
    if (!r.passed()) {
      boolean forward = p.equals("jvpcheck");
      String detail = GradPropertyError.worst(r.input(), r.index(), forward ? "jvp" : "analytic",
          r.analytic(), "numeric", r.numeric(), r.tolerance());
      if (forward) {
        detail = detail.replace("input 0 index", "output index");
      }
      throw new GradPropertyError(p, inputs, detail, r.input(), r.index(), r.analytic(),
          r.numeric(), r.tolerance(), null);
    }
  }

  /** Runs a check; an exception of {@code f} or of a derivative becomes the property's failure. */
  private static <T> T guarded(String p, Tensor[] inputs, Supplier<T> check) {
    try {
      return check.get();
    } catch (GradPropertyError e) {
      throw e;
    } catch (RuntimeException e) {
      throw new GradPropertyError(p, inputs, "the function or a derivative threw " + e,
          -1, null, Double.NaN, Double.NaN, 0, e);
    }
  }

  /** The gradients of {@code <f(in), u>} for the inputs {@code diff}, zeros where unreached. */
  private static List<Tensor> vjp(TensorFn f, Tensor[] in, List<Integer> diff, Tensor u) {
    List<Tensor> wrt = new ArrayList<>();
    for (int i : diff) {
      wrt.add(in[i]);
    }
    Tensor out;
    try (GradMode.Scope s = GradMode.enableGrad()) {
      out = f.apply(in);
    }
    List<Tensor> g = out.requiresGrad()
        ? Tensor.grad(List.of(out), wrt, List.of(u.to(out.dtype())), false) : null;
    List<Tensor> r = new ArrayList<>();
    for (int k = 0; k < wrt.size(); k++) {
      Tensor gk = g == null ? null : g.get(k);
      r.add(gk == null ? wrt.get(k).detach().zerosLike() : gk);
    }
    return r;
  }

  /** The output's values, then each gradient's, for one random upstream gradient. */
  private static List<double[]> valueAndVjp(TensorFn f, Tensor[] in, List<Integer> diff) {
    Tensor out;
    try (GradMode.Scope s = GradMode.noGrad()) {
      out = f.apply(in);
    }
    List<double[]> r = new ArrayList<>();
    r.add(doubles(out));
    for (Tensor g : vjp(f, in, diff, random(out.to(DType.FLOAT64), SEED))) {
      r.add(doubles(g));
    }
    return r;
  }

  /** float32 copies of the float inputs (as leaves, requiring grad as the originals do). */
  private static Tensor[] toFloat32(Tensor[] inputs) {
    Tensor[] r = new Tensor[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      Tensor x = inputs[i];
      r[i] = x.dtype() == DType.FLOAT64
          ? leaf(x.detach().to(DType.FLOAT32), x.requiresGrad()) : x;
    }
    return r;
  }

  private static Tensor leaf(Tensor t, boolean requiresGrad) {
    Tensor c = Tensor.fromData(t.detach().data());
    return requiresGrad ? c.requiresGrad(true) : c;
  }

  private static double[] doubles(Tensor t) {
    return t.to(DType.FLOAT64).toDoubleArray();
  }

  private static double dot(Tensor a, Tensor b) {
    double[] x = doubles(a);
    double[] y = doubles(b);
    double s = 0;
    for (int i = 0; i < x.length; i++) {
      s += x[i] * y[i];
    }
    return s;
  }

  /** Uniform in [-1, 1), seeded, float64, of {@code t}'s shape. */
  private static Tensor random(Tensor t, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[] v = new double[t.numel()];
    for (int i = 0; i < v.length; i++) {
      v[i] = rng.nextDouble(-1, 1);
    }
    return Tensor.fromData(NDArray.wrap(v, t.shape()));
  }

  private static int[] unflatten(int flat, int[] shape) {
    int[] idx = new int[shape.length];
    for (int d = shape.length - 1; d >= 0; d--) {
      idx[d] = shape[d] == 0 ? 0 : flat % shape[d];
      flat = shape[d] == 0 ? 0 : flat / shape[d];
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

  /**
   * Null checks naming the op and the parameter, then: some input requires grad (a property of
   * no derivative cannot fail), and those that do are float64.
   */
  private static void checkArguments(String op, TensorFn f, Tensor[] inputs) {
    checkNotNull(f, "%s: f is null", op);
    checkNotNull(inputs, "%s: inputs is null", op);
    boolean any = false;
    for (int i = 0; i < inputs.length; i++) {
      if (inputs[i] == null) {
        throw new NullPointerException(op + ": inputs[" + i + "] is null");
      }
      if (inputs[i].requiresGrad()) {
        any = true;
        if (inputs[i].dtype() != DType.FLOAT64) {
          throw new IllegalArgumentException(String.format(Locale.ROOT,
              "%s: input %d is %s %s; the checks need float64 inputs (finite differences, and"
                  + " the float32 copies are made here)", op, i, inputs[i].dtype(),
              Shapes.str(inputs[i].shape())));
        }
      }
    }
    if (!any) {
      throw new IllegalArgumentException(op + ": no input requires grad, so there is nothing to"
          + " check; inputs " + GradPropertyError.describe(inputs));
    }
  }
}
