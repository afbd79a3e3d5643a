package dev.cadena.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.RefArray;
import dev.cadena.ShapeArbitraries;
import dev.cadena.Tensor;
import dev.cadena.autograd.GradCheck;
import dev.cadena.tensor.DType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Properties over random shapes (broadcast pairs, size-1 and 0-d included) and values: gradient
 * checks, gradient shapes, linearity of VJPs and calculus identities.
 */
class OpPropertiesTest {

  /** A named differentiable function of one or two tensors, and the domain its inputs need. */
  record Op(String name, int arity, boolean positive, Function<Tensor[], Tensor> f) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static final List<Op> UNARY = List.of(
      new Op("exp", 1, false, x -> x[0].exp()),
      new Op("log", 1, true, x -> x[0].log()),
      new Op("sqrt", 1, true, x -> x[0].sqrt()),
      new Op("sin", 1, false, x -> x[0].sin()),
      new Op("cos", 1, false, x -> x[0].cos()),
      new Op("tanh", 1, false, x -> x[0].tanh()),
      new Op("sigmoid", 1, false, x -> x[0].sigmoid()),
      new Op("square", 1, false, x -> x[0].square()),
      new Op("pow 2.5", 1, true, x -> x[0].pow(2.5)),
      new Op("neg", 1, false, x -> x[0].neg()),
      new Op("abs (away from 0)", 1, true, x -> x[0].abs()),
      new Op("log1p", 1, true, x -> x[0].log1p()),
      new Op("expm1", 1, false, x -> x[0].expm1()),
      new Op("erf", 1, false, x -> x[0].erf()),
      new Op("erfc", 1, false, x -> x[0].erfc()),
      new Op("softplus", 1, false, x -> x[0].softplus()),
      new Op("logSigmoid", 1, false, x -> x[0].logSigmoid()),
      new Op("silu", 1, false, x -> x[0].silu()),
      new Op("gelu", 1, false, x -> x[0].gelu()),
      new Op("gelu tanh", 1, false, x -> x[0].gelu("tanh")),
      new Op("rdiv", 1, true, x -> x[0].rdiv(2.0)));

  private static final List<Op> BINARY = List.of(
      new Op("add", 2, false, x -> x[0].add(x[1])),
      new Op("sub", 2, false, x -> x[0].sub(x[1])),
      new Op("mul", 2, false, x -> x[0].mul(x[1])),
      new Op("div", 2, true, x -> x[0].div(x[1])),
      new Op("pow", 2, true, x -> x[0].pow(x[1])),
      new Op("maximum", 2, false, x -> x[0].maximum(x[1])),
      new Op("minimum", 2, false, x -> x[0].minimum(x[1])),
      new Op("where", 2, false, x -> Tensor.where(x[0].gt(x[1]), x[0], x[1].mul(2.0))));

  /** Reductions along the last axis (when there is one) keeping it, or over everything. */
  private static final List<Op> REDUCTIONS = List.of(
      new Op("sum", 1, false, x -> x[0].sum(lastAxis(x[0]), true)),
      new Op("mean", 1, false, x -> x[0].mean(lastAxis(x[0]), false)),
      new Op("max", 1, false, x -> x[0].amax(lastAxis(x[0]), true)),
      new Op("min", 1, false, x -> x[0].amin(lastAxis(x[0]))),
      new Op("var", 1, false, x -> x[0].var(lastAxis(x[0]), 0, true)),
      new Op("logsumexp", 1, false, x -> x[0].rank() == 0 ? x[0] : x[0].logsumexp(-1, true)),
      new Op("softmax", 1, false, x -> x[0].rank() == 0 ? x[0] : x[0].softmax(-1)),
      new Op("logSoftmax", 1, false, x -> x[0].rank() == 0 ? x[0] : x[0].logSoftmax(0)),
      // sorting and scans: along the last axis (a 0-d input counts as one element)
      new Op("sort", 1, false, x -> x[0].sort(-1, true).values()),
      new Op("topk", 1, false, x -> x[0].topk(Math.min(2, lastSize(x[0])), -1, false, true).values()),
      new Op("kthvalue", 1, false, x -> x[0].kthvalue(1, -1, true).values()),
      new Op("max(dim)", 1, false, x -> x[0].max(-1).values()),
      new Op("min(dim)", 1, false, x -> x[0].min(-1, true).values()),
      new Op("takeAlongDim", 1, false, x -> x[0].takeAlongDim(x[0].argsort(-1), -1)),
      new Op("cumsum", 1, false, x -> x[0].cumsum(-1)),
      new Op("cumprod", 1, false, x -> x[0].cumprod(-1)),
      new Op("prod", 1, false, x -> x[0].prod(-1, true)),
      new Op("norm", 1, false, x -> x[0].norm(2, lastAxis(x[0]), false)),
      new Op("norm 3", 1, false, x -> x[0].norm(3, lastAxis(x[0]), true)),
      new Op("norm inf", 1, false, x -> x[0].norm(Double.POSITIVE_INFINITY, lastAxis(x[0]), false)));

  private static int lastSize(Tensor x) {
    return x.rank() == 0 ? 1 : x.size(-1);
  }

  private static int[] lastAxis(Tensor x) {
    return x.rank() == 0 ? new int[0] : new int[] {-1};
  }

  /** Inputs of the given shapes; positive ops get values in [0.5, 2], others in [-2, 2]. */
  private static Tensor[] inputs(Op op, int[][] shapes, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    Tensor[] in = new Tensor[op.arity()];
    for (int i = 0; i < in.length; i++) {
      double lo = op.positive() ? 0.5 : -2;
      in[i] = Tensor.uniform(rng, lo, 2, DType.FLOAT64, shapes[i]).requiresGrad(true);
    }
    return in;
  }

  /** An op with matching shapes: one random shape for unary ops, a broadcast pair for binary. */
  record Case(Op op, int[][] shapes, long seed) {
    @Override
    public String toString() {
      return op + " " + Arrays.deepToString(shapes) + " seed " + seed;
    }
  }

  @Provide
  Arbitrary<Case> cases() {
    Arbitrary<Case> unary = Combinators.combine(
            Arbitraries.of(concat(UNARY, REDUCTIONS)), ShapeArbitraries.shapes(3, 3), Arbitraries.longs())
        .as((op, s, seed) -> new Case(op, new int[][] {s}, seed));
    Arbitrary<Case> binary = Combinators.combine(
            Arbitraries.of(BINARY), ShapeArbitraries.broadcastPairs(3, 3), Arbitraries.longs())
        .as(Case::new);
    return Arbitraries.oneOf(unary, binary);
  }

  private static List<Op> concat(List<Op> a, List<Op> b) {
    ArrayList<Op> r = new ArrayList<>(a);
    r.addAll(b);
    return r;
  }

  // ------------------------------------------------------------------ (a) gradient checks

  @Property(tries = 150, seed = "31337", edgeCases = EdgeCasesMode.NONE)
  void gradients_passGradCheck(@ForAll("cases") Case c) {
    Tensor[] in = inputs(c.op(), c.shapes(), c.seed());
    GradCheck.Report r = GradCheck.check(c.op().f(), GradCheck.Options.defaults().seed(c.seed()), in);
    assertTrue(r.passed(), () -> c + ": " + r);
  }

  // ------------------------------------------------------------------ (b) gradient shapes

  @Property(tries = 150, seed = "4242", edgeCases = EdgeCasesMode.NONE)
  void gradients_haveTheirInputsShape(@ForAll("cases") Case c) {
    Tensor[] in = inputs(c.op(), c.shapes(), c.seed());
    Tensor y = c.op().f().apply(in);
    y.backward(Tensor.randn(new SplittableRandom(c.seed()), y.shape()));
    for (int i = 0; i < in.length; i++) {
      assertArrayEquals(in[i].shape(), in[i].grad().shape(), "input " + i + " of " + c);
      assertTrue(in[i].grad().dtype() == in[i].dtype());
    }
  }

  // ------------------------------------------------------------------ (c) linearity of VJPs

  @Property(tries = 120, seed = "777", edgeCases = EdgeCasesMode.NONE)
  void vjp_isLinearInTheUpstreamGradient(@ForAll("cases") Case c) {
    Tensor[] in = inputs(c.op(), c.shapes(), c.seed());
    List<Tensor> wrt = List.of(in);
    Tensor y = c.op().f().apply(in);
    SplittableRandom rng = new SplittableRandom(c.seed() ^ 0x9e3779b97f4a7c15L);
    Tensor u1 = Tensor.randn(rng, y.shape());
    Tensor u2 = Tensor.randn(rng, y.shape());
    List<Tensor> g1 = Tensor.grad(List.of(c.op().f().apply(in)), wrt, List.of(u1), false);
    List<Tensor> g2 = Tensor.grad(List.of(c.op().f().apply(in)), wrt, List.of(u2), false);
    List<Tensor> g12 = Tensor.grad(List.of(y), wrt, List.of(u1.add(u2.mul(2.0))), false);
    for (int i = 0; i < in.length; i++) {
      RefArray expected = RefArray.zip(RefArray.of(g1.get(i)), RefArray.of(g2.get(i)), (p, q) -> p + 2 * q);
      expected.assertClose(g12.get(i), 1e-12);
    }
  }

  // ------------------------------------------------------------------ (d) identities

  @Provide
  Arbitrary<int[]> nonScalarShapes() {
    return ShapeArbitraries.shapes(3, 4).filter(s -> s.length > 0);
  }

  @Property(tries = 100, seed = "1001", edgeCases = EdgeCasesMode.NONE)
  void sigmoidDerivative_isSTimesOneMinusS(@ForAll("nonScalarShapes") int[] shape, @ForAll long seed) {
    Tensor x = Tensor.uniform(new SplittableRandom(seed), -6, 6, DType.FLOAT64, shape).requiresGrad(true);
    Tensor s = x.sigmoid();
    s.sum().backward();
    RefArray.of(s).map(v -> v * (1 - v)).assertClose(x.grad(), 1e-15);
  }

  @Property(tries = 100, seed = "1002", edgeCases = EdgeCasesMode.NONE)
  void tanhDerivative_isOneMinusTanhSquared(@ForAll("nonScalarShapes") int[] shape, @ForAll long seed) {
    Tensor x = Tensor.uniform(new SplittableRandom(seed), -4, 4, DType.FLOAT64, shape).requiresGrad(true);
    Tensor t = x.tanh();
    t.sum().backward();
    RefArray.of(t).map(v -> 1 - v * v).assertClose(x.grad(), 1e-15);
  }

  @Property(tries = 100, seed = "1003", edgeCases = EdgeCasesMode.NONE)
  void softmax_rowsSumToOne_nonNegative_andLogSoftmaxIsItsLog(
      @ForAll("nonScalarShapes") int[] shape, @ForAll("scales") double scale, @ForAll long seed) {
    Tensor x = Tensor.randn(new SplittableRandom(seed), shape).mul(scale);
    int axis = Math.floorMod(seed, shape.length);
    Tensor s = x.softmax(axis);
    for (double v : s.toDoubleArray()) {
      assertTrue(v >= 0 && v <= 1, "softmax value " + v);
    }
    RefArray sums = RefArray.of(s).sum(new int[] {axis}, false);
    RefArray.filled(sums.shape, 1.0).assertClose(sums.toTensor(), 1e-12);
    Tensor ls = x.logSoftmax(axis);
    for (double v : ls.toDoubleArray()) {
      assertTrue(v <= 1e-12 && !Double.isNaN(v), "logSoftmax value " + v);
    }
    // log(softmax) is only accurate where softmax does not underflow; compare in that regime.
    if (scale < 100) {
      RefArray.of(s).map(Math::log).assertClose(ls, 1e-9);
    }
    RefArray.of(ls).map(Math::exp).assertClose(s, 1e-12);
  }

  // ------------------------------------------------------------------ forward mode

  /** The JVP of each op, on random shapes (broadcast pairs and 0-d included), vs finite differences. */
  @Property(tries = 150, seed = "2718", edgeCases = EdgeCasesMode.NONE)
  void jvp_passesFiniteDifferenceCheck(@ForAll("cases") Case c) {
    Tensor[] in = inputs(c.op(), c.shapes(), c.seed());
    GradCheck.Report r = GradCheck.checkJvp(c.op().f(), GradCheck.Options.defaults().seed(c.seed()), in);
    assertTrue(r.passed(), () -> c + ": " + r);
  }

  /** Duality of the two modes: {@code <u, J v>} from the JVP equals {@code <J^T u, v>} from the VJP. */
  @Property(tries = 200, seed = "1618", edgeCases = EdgeCasesMode.NONE)
  void jvp_isDualToVjp(@ForAll("cases") Case c) {
    Tensor[] in = inputs(c.op(), c.shapes(), c.seed());
    SplittableRandom rng = new SplittableRandom(c.seed() ^ 0x9e3779b97f4a7c15L);
    Tensor[] v = new Tensor[in.length];
    for (int i = 0; i < in.length; i++) {
      v[i] = Tensor.uniform(rng, -1, 1, in[i].shape());
    }
    Tensor[][] r = dev.cadena.autograd.ForwardAD.jvp(x -> new Tensor[] {c.op().f().apply(x)}, in, v);
    Tensor y = c.op().f().apply(in);
    Tensor u = Tensor.uniform(rng, -1, 1, y.shape());
    double left = r[1][0].mul(u).sum().item();
    List<Tensor> g = Tensor.grad(List.of(y), List.of(in), List.of(u), false);
    double right = 0;
    for (int i = 0; i < in.length; i++) {
      right += g.get(i).mul(v[i]).sum().item();
    }
    double l = left;
    double rt = right;
    assertTrue(Math.abs(l - rt) <= 1e-10 * (1 + Math.abs(rt)), () -> c + ": <u, Jv> " + l + " != <J^T u, v> " + rt);
  }

  @Provide
  Arbitrary<Double> scales() {
    return Arbitraries.of(0.1, 1.0, 10.0, 1000.0);
  }
}
