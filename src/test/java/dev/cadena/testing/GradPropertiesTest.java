package dev.cadena.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.autograd.Function;
import dev.cadena.func.TensorFn;
import dev.cadena.tensor.DType;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * Each property of {@link GradProperties} passes for correct ops (a custom {@link Function} and
 * compositions, on random shapes) and fails, with a report that names the worst element, for an
 * op broken in the way it is meant to catch.
 */
class GradPropertiesTest {

  /** {@code log cosh x}, stable, with VJP {@code grad * tanh x} and JVP {@code t * tanh x}. */
  static final Function LOG_COSH = new Function("logcosh") {
    @Override
    protected Tensor forward(Context ctx, Tensor... in) {
      ctx.saveForBackward(in[0]);
      Tensor ax = in[0].abs();
      return ax.add(ax.mul(-2).exp().add(1).log()).sub(Math.log(2));
    }

    @Override
    protected Tensor[] backward(Context ctx, Tensor grad) {
      Tensor x = ctx.saved(0);
      return new Tensor[] {grad.mul(x.tanh())};
    }

    @Override
    protected Tensor jvp(Context ctx, Tensor[] tangents) {
      Tensor x = ctx.saved(0);
      return tangents[0].mul(x.tanh());
    }
  };

  /** {@code x^3} with a right VJP and a JVP that forgets the factor 3. */
  static final Function CUBE_WRONG_JVP = new Function("cube-wrong-jvp") {
    @Override
    protected Tensor forward(Context ctx, Tensor... in) {
      ctx.saveForBackward(in[0]);
      return in[0].pow(3);
    }

    @Override
    protected Tensor[] backward(Context ctx, Tensor grad) {
      Tensor x = ctx.saved(0);
      return new Tensor[] {grad.mul(x.square().mul(3))};
    }

    @Override
    protected Tensor jvp(Context ctx, Tensor[] tangents) {
      Tensor x = ctx.saved(0);
      return tangents[0].mul(x.square()); // wrong: 3 x^2 t
    }
  };

  /** {@code 2x} whose VJP adds a constant: right for {@code u = 1}... but not linear in u. */
  static final Function AFFINE_VJP = new Function("twice-affine-vjp") {
    @Override
    protected Tensor forward(Context ctx, Tensor... in) {
      return in[0].mul(2.0);
    }

    @Override
    protected Tensor[] backward(Context ctx, Tensor grad) {
      return new Tensor[] {grad.mul(2.0).add(1e-3)}; // wrong: not linear in grad
    }
  };

  /** The identity, whose VJP returns a 0-d gradient for any input: the engine refuses it. */
  static final Function SCALAR_GRAD = new Function("identity-scalar-grad") {
    @Override
    protected Tensor forward(Context ctx, Tensor... in) {
      return in[0].mul(1.0);
    }

    @Override
    protected Tensor[] backward(Context ctx, Tensor grad) {
      return new Tensor[] {grad.sum()}; // wrong: a [] gradient for a [3] input
    }
  };

  private static Tensor x3() {
    return Tensor.of(0.5, -1.25, 2.0).requiresGrad(true);
  }

  // ------------------------------------------------------------------ correct ops pass

  @Property(tries = 40, seed = "21")
  void customOp_passesEveryProperty(@ForAll("anyTensor") Tensor x) {
    GradProperties.checkAll(in -> LOG_COSH.apply(in[0]), x);
  }

  @Property(tries = 40, seed = "22")
  void broadcastingComposition_passesEveryProperty(@ForAll("pairs") Tensor[] xy) {
    GradProperties.checkAll(in -> in[0].mul(in[1]).sin().add(in[1].square()), xy);
  }

  @Property(tries = 40, seed = "23")
  void reductionWithDistinctValues_passesEveryProperty(@ForAll("distinctRows") Tensor x) {
    GradProperties.checkAll(in -> in[0].amax(new int[] {-1}, false).mul(in[0].sum()), x);
  }

  @Provide
  Arbitrary<Tensor> anyTensor() {
    return TensorArbitraries.tensors(TensorArbitraries.shapes().allowScalar().allowEmpty()).values(-4, 4);
  }

  @Provide
  Arbitrary<Tensor[]> pairs() {
    return TensorArbitraries.tensorTuples(TensorArbitraries.broadcastablePairs());
  }

  @Provide
  Arbitrary<Tensor> distinctRows() {
    return TensorArbitraries.tensors(TensorArbitraries.shapes()).distinctAlong(-1);
  }

  @Test
  void inputsNotRequiringGrad_areLeftOut() {
    Tensor index = Tensor.fromArray(new long[] {2, 0, 0});
    GradProperties.checkAll(in -> in[0].indexSelect(0, in[1]).square(), x3(), index);
  }

  // ------------------------------------------------------------------ broken ops fail

  @Test
  void check_reportsTheWorstElement_withBothValuesAndTheTolerance() {
    // A scalar output: the upstream gradient is one number u, so element i's analytic
    // derivative is -u tanh(x_i) and its numeric one +u tanh(x_i); |tanh| is largest at 2.0.
    GradPropertyError e = assertThrows(GradPropertyError.class,
        () -> GradProperties.check(in -> BuggyOps.SIGN_ERROR.apply(in[0]).sum(), x3()));
    assertEquals("gradcheck", e.property());
    assertEquals(0, e.input());
    assertArrayEquals(new int[] {2}, e.index());
    assertEquals(-e.expected(), e.got(), 1e-6);
    double u = e.expected() / Math.tanh(2.0);
    assertTrue(Math.abs(u) <= 1 && u != 0, "upstream " + u);
    assertEquals(1e-5 + 1e-3 * Math.abs(e.expected()), e.tolerance(), 1e-12);
    assertArrayEquals(new int[][] {{3}}, e.inputShapes());
    String m = e.getMessage();
    assertTrue(m.startsWith("gradcheck failed for inputs (float64 [3]): worst element: input 0 index [2]: analytic "), m);
    assertTrue(m.contains(", numeric ") && m.contains(", |diff| ") && m.contains(", tolerance "), m);
  }

  @Test
  void checkSecondOrder_catchesAWrongSecondDerivative_thatCheckLetsThrough() {
    TensorFn f = in -> BuggyOps.WRONG_SECOND_DERIVATIVE.apply(in[0]);
    GradProperties.check(f, x3());
    GradPropertyError e = assertThrows(GradPropertyError.class, () -> GradProperties.checkSecondOrder(f, x3()));
    assertEquals("gradgradcheck", e.property());
  }

  @Test
  void checkJvp_andDuality_catchAWrongJvp_thatCheckLetsThrough() {
    TensorFn f = in -> CUBE_WRONG_JVP.apply(in[0]);
    GradProperties.check(f, x3());
    GradPropertyError jvp = assertThrows(GradPropertyError.class, () -> GradProperties.checkJvp(f, x3()));
    assertEquals("jvpcheck", jvp.property());
    assertTrue(jvp.getMessage().contains("output index ["), jvp.getMessage());
    // The JVP is a third of the right one, element by element.
    assertEquals(jvp.expected() / 3, jvp.got(), 1e-6 * Math.abs(jvp.expected()) + 1e-9);
    GradPropertyError dual = assertThrows(GradPropertyError.class, () -> GradProperties.checkDuality(f, x3()));
    assertEquals("duality", dual.property());
    assertEquals(dual.expected() / 3, dual.got(), 1e-9 * Math.abs(dual.expected()) + 1e-12);
    assertTrue(dual.getMessage().contains("<u, J v>") && dual.getMessage().contains("<J^T u, v>"), dual.getMessage());
  }

  @Test
  void checkVjpLinearity_catchesABackwardThatIsNotLinearInGrad() {
    TensorFn f = in -> AFFINE_VJP.apply(in[0]);
    GradPropertyError e = assertThrows(GradPropertyError.class, () -> GradProperties.checkVjpLinearity(f, x3()));
    assertEquals("vjp linearity", e.property());
    // vjp(u1 + 2 u2) has the constant once, vjp(u1) + 2 vjp(u2) three times.
    assertEquals(-2e-3, e.got() - e.expected(), 1e-12);
    GradProperties.checkVjpLinearity(in -> in[0].mul(2.0), x3());
  }

  @Test
  void checkGradShapes_catchesAGradientOfTheWrongShape() {
    GradPropertyError e = assertThrows(GradPropertyError.class,
        () -> GradProperties.checkGradShapes(in -> SCALAR_GRAD.apply(in[0]), x3()));
    assertEquals("grad shapes", e.property());
    assertTrue(e.getCause() instanceof IllegalStateException, String.valueOf(e.getCause()));
    assertTrue(e.getMessage().contains("threw") && e.getMessage().contains("identity-scalar-grad"), e.getMessage());
    assertEquals(-1, e.input());
  }

  @Test
  void checkFloat32MatchesFloat64_catchesCancellation_andPassesWhatIsStable() {
    // (x + 1e4) - 1e4 loses about 1e-3 in float32 (its ulp at 1e4), nothing in float64.
    TensorFn f = in -> in[0].add(1e4).sub(1e4).mul(in[0]);
    Tensor x = Tensor.of(0.1234, -1.2345, 1.9876).requiresGrad(true);
    GradPropertyError e = assertThrows(GradPropertyError.class,
        () -> GradProperties.checkFloat32MatchesFloat64(f, x));
    assertEquals("float32 vs float64", e.property());
    assertTrue(e.getMessage().contains("float32") && e.getMessage().contains("float64 ["), e.getMessage());
    GradProperties.checkFloat32MatchesFloat64(in -> in[0].tanh().mul(in[0]), x3());
    // With a looser tolerance the cancellation is accepted.
    GradProperties.checkFloat32MatchesFloat64(f, 1e-2, 1e-2, x);
  }

  @Test
  void exceptionsOfTheFunction_becomeFailures_withTheCause() {
    GradPropertyError e = assertThrows(GradPropertyError.class,
        () -> GradProperties.check(in -> in[0].matmul(Tensor.ones(2, 2)), x3()));
    assertEquals("gradcheck", e.property());
    assertTrue(e.getCause() != null && e.getMessage().contains("matmul"), e.getMessage());
  }

  // ------------------------------------------------------------------ bad arguments

  @Test
  void badArguments_throwNamingTheCheck() {
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
        () -> GradProperties.checkAll(in -> in[0].sin(), Tensor.of(1.0, 2.0)));
    assertTrue(none.getMessage().startsWith("checkAll: no input requires grad")
        && none.getMessage().contains("float64 [2]"), none.getMessage());
    Tensor f32 = Tensor.of(1.0, 2.0).to(DType.FLOAT32).requiresGrad(true);
    IllegalArgumentException dtype = assertThrows(IllegalArgumentException.class,
        () -> GradProperties.check(in -> in[0].sin(), f32));
    assertTrue(dtype.getMessage().startsWith("check: input 0 is float32 [2]"), dtype.getMessage());
    NullPointerException npe = assertThrows(NullPointerException.class,
        () -> GradProperties.checkDuality(in -> in[0], x3(), null));
    assertEquals("checkDuality: inputs[1] is null", npe.getMessage());
    IllegalArgumentException tol = assertThrows(IllegalArgumentException.class,
        () -> GradProperties.checkFloat32MatchesFloat64(in -> in[0], -1, 0, x3()));
    assertTrue(tol.getMessage().contains("atol -1.0"), tol.getMessage());
  }
}
