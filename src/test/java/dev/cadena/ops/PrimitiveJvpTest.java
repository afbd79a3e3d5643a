package dev.cadena.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.autograd.ForwardAD;
import dev.cadena.autograd.GradCheck;
import dev.cadena.autograd.GradMode;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Forward mode on every gradient-check sample (so on every primitive): the JVP against central
 * finite differences, the duality {@code <u, J v> = <J^T u, v>} with the VJP, and forward over
 * reverse ({@code H v}) against reverse over reverse.
 */
class PrimitiveJvpTest {
  static Stream<GradSamples.Sample> samples() {
    return GradSamples.list().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void jvp_matchesFiniteDifferences(GradSamples.Sample s) {
    GradCheck.Report r = GradCheck.checkJvp(s.f, GradCheck.Options.defaults().eps(s.eps), s.inputs(42));
    assertTrue(r.passed(), r::toString);
  }

  /** The same, with grad mode off: tangents propagate without any graph. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void jvp_underNoGrad_equalsWithGrad(GradSamples.Sample s) {
    Tensor[] in = s.inputs(3);
    Tensor[] v = randomLike(in, 11);
    Tensor withGrad = jvp(s, in, v);
    Tensor without;
    try (GradMode.Scope g = GradMode.noGrad()) {
      without = jvp(s, in, v);
    }
    assertTrue(withGrad.allClose(without, 1e-12, 1e-12), () -> withGrad + " vs " + without);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void duality_jvpAgreesWithVjp(GradSamples.Sample s) {
    Tensor[] in = s.inputs(5);
    Tensor[] v = randomLike(in, 17);
    Tensor jv = jvp(s, in, v);
    Tensor out = s.f.apply(in);
    Tensor u = Tensor.uniform(new SplittableRandom(23), -1, 1, out.shape());
    double left = jv.mul(u).sum().item();
    double right = 0;
    if (out.requiresGrad()) {
      List<Tensor> g = Tensor.grad(List.of(out), List.of(in), List.of(u), false);
      for (int i = 0; i < in.length; i++) {
        right += g.get(i).mul(v[i]).sum().item();
      }
    }
    // A float32 round trip (the cast sample) is exact only to float32 precision.
    double tol = s.eps > 1e-6 ? 1e-6 : 1e-10;
    assertEquals(right, left, tol * (1 + Math.abs(right)), s.toString());
  }

  /**
   * Forward over reverse: with the inputs dual, the tangent of the gradient of {@code <f, u>}
   * (computed without createGraph) is the Hessian-vector product, which reverse over reverse also
   * gives.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void forwardOverReverse_equalsReverseOverReverse(GradSamples.Sample s) {
    Tensor[] in = s.inputs(9);
    Tensor[] v = randomLike(in, 29);
    Tensor out0 = s.f.apply(in);
    Tensor u = Tensor.uniform(new SplittableRandom(31), -1, 1, out0.shape());
    // Reverse over reverse: d/dx <grad_x <f, u>, v>.
    List<Tensor> g = Tensor.grad(List.of(s.f.apply(in)), List.of(in), List.of(u), true);
    Tensor gv = Tensor.scalar(0.0);
    for (int i = 0; i < in.length; i++) {
      gv = gv.add(g.get(i).mul(v[i]).sum());
    }
    List<Tensor> hv = gv.requiresGrad()
        ? Tensor.grad(List.of(gv), List.of(in), null, false)
        : zerosLike(in);
    // Forward over reverse.
    List<Tensor> fwd = new ArrayList<>();
    try (ForwardAD.Level level = ForwardAD.enter()) {
      Tensor[] duals = new Tensor[in.length];
      for (int i = 0; i < in.length; i++) {
        duals[i] = ForwardAD.makeDual(in[i], v[i]);
      }
      List<Tensor> gr = Tensor.grad(List.of(s.f.apply(duals)), List.of(in), List.of(u), false);
      for (int i = 0; i < in.length; i++) {
        Tensor t = ForwardAD.tangent(gr.get(i));
        fwd.add(t == null ? in[i].zerosLike() : t);
      }
    }
    for (int i = 0; i < in.length; i++) {
      Tensor a = fwd.get(i);
      Tensor b = hv.get(i);
      int k = i;
      assertTrue(a.allClose(b, 1e-9, 1e-9), () -> s + ": input " + k + ": " + a + " vs " + b);
    }
  }

  @Test
  void coverage_everyPrimitiveHasAJvpFormulaAndSamples() {
    List<Primitive> missing = new ArrayList<>();
    for (Primitive p : Primitive.values()) {
      if (p.jvp().isBlank() || !GradSamples.all().containsKey(p) || GradSamples.all().get(p).isEmpty()) {
        missing.add(p);
      }
    }
    assertTrue(missing.isEmpty(), () -> "primitives without a JVP formula or JVP samples: " + missing);
  }

  /** Each sample's output gets a tangent (its primitives' rules ran), unless it is constant. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void coverage_sampleOutputGetsATangent(GradSamples.Sample s) {
    Tensor[] in = s.inputs(1);
    try (ForwardAD.Level level = ForwardAD.enter()) {
      Tensor[] duals = new Tensor[in.length];
      for (int i = 0; i < in.length; i++) {
        duals[i] = ForwardAD.makeDual(in[i], in[i].onesLike());
      }
      assertNotNull(ForwardAD.tangent(s.f.apply(duals)), s.toString());
    }
  }

  /** The tangent of {@code s.f} at {@code in} in direction {@code v}. */
  private static Tensor jvp(GradSamples.Sample s, Tensor[] in, Tensor[] v) {
    Tensor[][] r = ForwardAD.jvp(x -> new Tensor[] {s.f.apply(x)}, in, v);
    return r[1][0];
  }

  private static Tensor[] randomLike(Tensor[] in, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    Tensor[] v = new Tensor[in.length];
    for (int i = 0; i < in.length; i++) {
      v[i] = Tensor.uniform(rng, -1, 1, in[i].shape());
    }
    return v;
  }

  private static List<Tensor> zerosLike(Tensor[] in) {
    List<Tensor> r = new ArrayList<>();
    for (Tensor t : in) {
      r.add(t.zerosLike());
    }
    return r;
  }
}
