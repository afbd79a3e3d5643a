package dev.cadena.ops;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.RefArray;
import dev.cadena.Tensor;
import dev.cadena.func.TensorFn;
import dev.cadena.testing.GradProperties;
import dev.cadena.testing.ShapeArbitrary;
import dev.cadena.testing.TensorArbitraries;
import dev.cadena.testing.TensorTupleArbitrary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Properties over random shapes (broadcast pairs, size-1 and 0-d included) and values: gradient
 * checks, gradient shapes, linearity of VJPs and calculus identities. The shapes and tensors come
 * from the public companion {@link TensorArbitraries} and the checks from {@link GradProperties}:
 * the project tests its primitives the way it asks users to test their own ops.
 */
class OpPropertiesTest {

  /** What an op's inputs need so that finite differences are meaningful. */
  enum Domain {
    /** [-2, 2]. */
    ANY,
    /** [0.5, 2]: log, sqrt, division, real powers. */
    POSITIVE,
    /** [-2, 2] at least 0.1 away from the kink at 0. */
    AWAY_FROM_ZERO,
    /** [-2, 2] with no ties along the last axis (the reduced one). */
    DISTINCT_LAST
  }

  /** A named differentiable function of one or two tensors, and the domain its inputs need. */
  record Op(String name, int arity, Domain domain, TensorFn f) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static final List<Op> UNARY = List.of(
      new Op("exp", 1, Domain.ANY, x -> x[0].exp()),
      new Op("log", 1, Domain.POSITIVE, x -> x[0].log()),
      new Op("sqrt", 1, Domain.POSITIVE, x -> x[0].sqrt()),
      new Op("sin", 1, Domain.ANY, x -> x[0].sin()),
      new Op("cos", 1, Domain.ANY, x -> x[0].cos()),
      new Op("tanh", 1, Domain.ANY, x -> x[0].tanh()),
      new Op("sigmoid", 1, Domain.ANY, x -> x[0].sigmoid()),
      new Op("square", 1, Domain.ANY, x -> x[0].square()),
      new Op("pow 2.5", 1, Domain.POSITIVE, x -> x[0].pow(2.5)),
      new Op("neg", 1, Domain.ANY, x -> x[0].neg()),
      new Op("abs (away from 0)", 1, Domain.AWAY_FROM_ZERO, x -> x[0].abs()),
      new Op("log1p", 1, Domain.POSITIVE, x -> x[0].log1p()),
      new Op("expm1", 1, Domain.ANY, x -> x[0].expm1()),
      new Op("erf", 1, Domain.ANY, x -> x[0].erf()),
      new Op("erfc", 1, Domain.ANY, x -> x[0].erfc()),
      new Op("softplus", 1, Domain.ANY, x -> x[0].softplus()),
      new Op("logSigmoid", 1, Domain.ANY, x -> x[0].logSigmoid()),
      new Op("silu", 1, Domain.ANY, x -> x[0].silu()),
      new Op("gelu", 1, Domain.ANY, x -> x[0].gelu()),
      new Op("gelu tanh", 1, Domain.ANY, x -> x[0].gelu("tanh")),
      new Op("rdiv", 1, Domain.POSITIVE, x -> x[0].rdiv(2.0)));

  private static final List<Op> BINARY = List.of(
      new Op("add", 2, Domain.ANY, x -> x[0].add(x[1])),
      new Op("sub", 2, Domain.ANY, x -> x[0].sub(x[1])),
      new Op("mul", 2, Domain.ANY, x -> x[0].mul(x[1])),
      new Op("div", 2, Domain.POSITIVE, x -> x[0].div(x[1])),
      new Op("pow", 2, Domain.POSITIVE, x -> x[0].pow(x[1])),
      new Op("maximum", 2, Domain.ANY, x -> x[0].maximum(x[1])),
      new Op("minimum", 2, Domain.ANY, x -> x[0].minimum(x[1])),
      new Op("where", 2, Domain.ANY, x -> Tensor.where(x[0].gt(x[1]), x[0], x[1].mul(2.0))));

  /** Reductions along the last axis (when there is one) keeping it, or over everything. */
  private static final List<Op> REDUCTIONS = List.of(
      new Op("sum", 1, Domain.ANY, x -> x[0].sum(lastAxis(x[0]), true)),
      new Op("mean", 1, Domain.ANY, x -> x[0].mean(lastAxis(x[0]), false)),
      new Op("max", 1, Domain.DISTINCT_LAST, x -> x[0].amax(lastAxis(x[0]), true)),
      new Op("min", 1, Domain.DISTINCT_LAST, x -> x[0].amin(lastAxis(x[0]))),
      new Op("var", 1, Domain.ANY, x -> x[0].var(lastAxis(x[0]), 0, true)),
      new Op("logsumexp", 1, Domain.ANY, x -> x[0].rank() == 0 ? x[0] : x[0].logsumexp(-1, true)),
      new Op("softmax", 1, Domain.ANY, x -> x[0].rank() == 0 ? x[0] : x[0].softmax(-1)),
      new Op("logSoftmax", 1, Domain.ANY, x -> x[0].rank() == 0 ? x[0] : x[0].logSoftmax(0)),
      // sorting and scans: along the last axis (a 0-d input counts as one element); the
      // selections are differentiable only away from ties
      new Op("sort", 1, Domain.DISTINCT_LAST, x -> x[0].sort(-1, true).values()),
      new Op("topk", 1, Domain.DISTINCT_LAST,
          x -> x[0].topk(Math.min(2, lastSize(x[0])), -1, false, true).values()),
      new Op("kthvalue", 1, Domain.DISTINCT_LAST, x -> x[0].kthvalue(1, -1, true).values()),
      new Op("max(dim)", 1, Domain.DISTINCT_LAST, x -> x[0].max(-1).values()),
      new Op("min(dim)", 1, Domain.DISTINCT_LAST, x -> x[0].min(-1, true).values()),
      new Op("takeAlongDim", 1, Domain.DISTINCT_LAST, x -> x[0].takeAlongDim(x[0].argsort(-1), -1)),
      new Op("cumsum", 1, Domain.ANY, x -> x[0].cumsum(-1)),
      new Op("cumprod", 1, Domain.ANY, x -> x[0].cumprod(-1)),
      new Op("prod", 1, Domain.ANY, x -> x[0].prod(-1, true)),
      new Op("norm", 1, Domain.ANY, x -> x[0].norm(2, lastAxis(x[0]), false)),
      new Op("norm 3", 1, Domain.ANY, x -> x[0].norm(3, lastAxis(x[0]), true)),
      new Op("norm inf", 1, Domain.DISTINCT_LAST,
          x -> x[0].norm(Double.POSITIVE_INFINITY, lastAxis(x[0]), false)));

  private static int lastSize(Tensor x) {
    return x.rank() == 0 ? 1 : x.size(-1);
  }

  private static int[] lastAxis(Tensor x) {
    return x.rank() == 0 ? new int[0] : new int[] {-1};
  }

  /** Shapes of rank 0 to 3 with sizes 1 to 3. */
  private static final ShapeArbitrary SHAPES = TensorArbitraries.shapes().rank(0, 3).sizes(1, 3);

  /** An op and inputs for it: one tensor for unary ops, a broadcastable pair for binary ones. */
  record Case(Op op, Tensor[] inputs) {
    @Override
    public String toString() {
      StringBuilder b = new StringBuilder(op.name());
      for (Tensor t : inputs) {
        b.append(' ').append(Arrays.toString(t.shape()));
      }
      return b.toString();
    }
  }

  private static Arbitrary<Case> casesOf(Op op) {
    Arbitrary<int[][]> shapes = op.arity() == 1
        ? SHAPES.map(s -> new int[][] {s})
        : TensorArbitraries.broadcastablePairs(SHAPES);
    TensorTupleArbitrary in = TensorArbitraries.tensorTuples(shapes);
    switch (op.domain()) {
      case POSITIVE -> in = in.values(0.5, 2);
      case AWAY_FROM_ZERO -> in = in.awayFrom(0.0, 0.1);
      case DISTINCT_LAST -> in = in.distinctAlong(-1);
      default -> { }
    }
    return in.map(x -> new Case(op, x));
  }

  @Provide
  Arbitrary<Case> cases() {
    List<Op> ops = new ArrayList<>(UNARY);
    ops.addAll(REDUCTIONS);
    ops.addAll(BINARY);
    return Arbitraries.of(ops).flatMap(OpPropertiesTest::casesOf);
  }

  // ------------------------------------------------------------------ (a) gradient checks

  @Property(tries = 150, seed = "31337", edgeCases = EdgeCasesMode.NONE)
  void gradients_passGradCheck(@ForAll("cases") Case c) {
    GradProperties.check(c.op().f(), c.inputs());
  }

  // ------------------------------------------------------------------ (b) gradient shapes

  @Property(tries = 150, seed = "4242", edgeCases = EdgeCasesMode.NONE)
  void gradients_haveTheirInputsShapeAndDtype(@ForAll("cases") Case c) {
    GradProperties.checkGradShapes(c.op().f(), c.inputs());
  }

  // ------------------------------------------------------------------ (c) linearity of VJPs

  @Property(tries = 120, seed = "777", edgeCases = EdgeCasesMode.NONE)
  void vjp_isLinearInTheUpstreamGradient(@ForAll("cases") Case c) {
    GradProperties.checkVjpLinearity(c.op().f(), c.inputs());
  }

  /** Each op gives in float32 what it gives in float64, within float32's tolerance. */
  @Property(tries = 120, seed = "3232", edgeCases = EdgeCasesMode.NONE)
  void float32_matchesFloat64(@ForAll("cases") Case c) {
    GradProperties.checkFloat32MatchesFloat64(c.op().f(), c.inputs());
  }

  // ------------------------------------------------------------------ (d) identities

  @Provide
  Arbitrary<int[]> nonScalarShapes() {
    return TensorArbitraries.shapes().rank(1, 3);
  }

  @Provide
  Arbitrary<Tensor> sigmoidInputs() {
    return TensorArbitraries.tensors(nonScalarShapes()).values(-6, 6);
  }

  @Provide
  Arbitrary<Tensor> tanhInputs() {
    return TensorArbitraries.tensors(nonScalarShapes()).values(-4, 4);
  }

  @Property(tries = 100, seed = "1001", edgeCases = EdgeCasesMode.NONE)
  void sigmoidDerivative_isSTimesOneMinusS(@ForAll("sigmoidInputs") Tensor x) {
    Tensor s = x.sigmoid();
    s.sum().backward();
    RefArray.of(s).map(v -> v * (1 - v)).assertClose(x.grad(), 1e-15);
  }

  @Property(tries = 100, seed = "1002", edgeCases = EdgeCasesMode.NONE)
  void tanhDerivative_isOneMinusTanhSquared(@ForAll("tanhInputs") Tensor x) {
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
    GradProperties.checkJvp(c.op().f(), c.inputs());
  }

  /** Duality of the two modes: {@code <u, J v>} from the JVP equals {@code <J^T u, v>} from the VJP. */
  @Property(tries = 200, seed = "1618", edgeCases = EdgeCasesMode.NONE)
  void jvp_isDualToVjp(@ForAll("cases") Case c) {
    GradProperties.checkDuality(c.op().f(), c.inputs());
  }

  @Provide
  Arbitrary<Double> scales() {
    return Arbitraries.of(0.1, 1.0, 10.0, 1000.0);
  }
}
