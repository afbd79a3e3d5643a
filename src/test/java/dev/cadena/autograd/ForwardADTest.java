package dev.cadena.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.ops.LinearAlgebra;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.UnaryOp;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Forward mode: dual tensors, levels, forward over reverse, custom functions. */
class ForwardADTest {

  @Test
  void testJvp_sin_givesValueAndDerivative() {
    Tensor[][] r = ForwardAD.jvp(x -> new Tensor[] {x[0].sin()},
        new Tensor[] {Tensor.of(0.0, 1.0)}, new Tensor[] {Tensor.of(2.0, 3.0)});
    assertArrayEqualsTol(new double[] {0.0, Math.sin(1.0)}, r[0][0].toDoubleArray());
    assertArrayEqualsTol(new double[] {2.0, 3.0 * Math.cos(1.0)}, r[1][0].toDoubleArray());
  }

  @Test
  void testJvp_outputIndependentOfInputs_getsZeroTangent() {
    Tensor[][] r = ForwardAD.jvp(x -> new Tensor[] {x[0].exp(), Tensor.ones(DType.FLOAT64, 2, 2)},
        new Tensor[] {Tensor.of(1.0)}, new Tensor[] {Tensor.of(1.0)});
    assertArrayEqualsTol(new double[] {Math.E}, r[1][0].toDoubleArray());
    assertArrayEqualsTol(new double[4], r[1][1].toDoubleArray());
    assertEquals(List.of(2, 2), List.of(r[1][1].shape()[0], r[1][1].shape()[1]));
    assertNull(ForwardAD.tangent(r[0][0]), "the level is closed");
  }

  @Test
  void testJvp_severalInputs_sumsTheirContributions() {
    // f(a, b) = a * b (broadcast): t = ta * b + a * tb
    Tensor a = Tensor.of(1.0, 2.0, 3.0);
    Tensor b = Tensor.scalar(4.0);
    Tensor[][] r = ForwardAD.jvp(x -> new Tensor[] {x[0].mul(x[1])},
        new Tensor[] {a, b}, new Tensor[] {Tensor.of(1.0, 0.0, -1.0), Tensor.scalar(0.5)});
    assertArrayEqualsTol(new double[] {4 + 0.5, 0 + 1.0, -4 + 1.5}, r[1][0].toDoubleArray());
  }

  @Test
  void testJvp_mismatchedArrays_areNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ForwardAD.jvp(x -> x, new Tensor[] {Tensor.of(1.0)}, new Tensor[0]));
    assertEquals("jvp: 1 primals but 0 tangents", e.getMessage());
  }

  @Test
  void testMakeDual_outsideLevel_throws() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> ForwardAD.makeDual(Tensor.of(1.0), Tensor.of(1.0)));
    assertTrue(e.getMessage().startsWith("makeDual: no forward-mode level is open"), e.getMessage());
  }

  @Test
  void testMakeDual_shapeOrDtypeMismatch_namesBoth() {
    try (ForwardAD.Level level = ForwardAD.enter()) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> ForwardAD.makeDual(Tensor.of(1.0, 2.0), Tensor.of(1.0)));
      assertEquals("makeDual: tangent shape [1] does not match primal shape [2]", e.getMessage());
      e = assertThrows(IllegalArgumentException.class,
          () -> ForwardAD.makeDual(Tensor.of(1.0), Tensor.of(1.0).to(DType.FLOAT32)));
      assertEquals("makeDual: primal and tangent must have the same floating-point dtype, got"
          + " float64 and float32", e.getMessage());
    }
  }

  @Test
  void testMakeDual_leavesThePrimalAlone_andSharesItsGraph() {
    Tensor x = Tensor.of(2.0).requiresGrad(true);
    try (ForwardAD.Level level = ForwardAD.enter()) {
      Tensor d = ForwardAD.makeDual(x, Tensor.of(1.0));
      assertNull(ForwardAD.tangent(x));
      Tensor t = ForwardAD.tangent(d);
      assertNotNull(t);
      assertEquals(1.0, t.item());
      d.square().backward();
      assertEquals(4.0, x.grad().item(), 1e-12);
    }
  }

  @Test
  void testEnter_nested_throwsClearError() {
    try (ForwardAD.Level level = ForwardAD.enter()) {
      IllegalStateException e = assertThrows(IllegalStateException.class, ForwardAD::enter);
      assertTrue(e.getMessage().contains("nested levels (forward over forward) are not supported"),
          e.getMessage());
      assertTrue(ForwardAD.isActive());
    }
    assertFalse(ForwardAD.isActive());
    try (ForwardAD.Level again = ForwardAD.enter()) {
      assertTrue(ForwardAD.isActive()); // a closed level can be followed by a new one
    }
  }

  @Test
  void testTangent_isPerThread() throws InterruptedException {
    try (ForwardAD.Level level = ForwardAD.enter()) {
      Tensor d = ForwardAD.makeDual(Tensor.of(1.0), Tensor.of(1.0));
      Tensor y = d.exp();
      AtomicReference<Object> seen = new AtomicReference<>("unset");
      Thread other = new Thread(() -> seen.set(String.valueOf(ForwardAD.tangent(y.exp()))));
      other.start();
      other.join();
      assertEquals("null", seen.get());
      assertNotNull(ForwardAD.tangent(y));
    }
  }

  @Test
  void testTangent_propagatesUnderNoGrad() {
    try (ForwardAD.Level level = ForwardAD.enter(); GradMode.Scope s = GradMode.noGrad()) {
      Tensor d = ForwardAD.makeDual(Tensor.of(1.0), Tensor.of(2.0));
      assertEquals(2.0 * Math.E, ForwardAD.tangent(d.exp()).item(), 1e-12);
    }
  }

  @Test
  void testInPlace_onDual_throws() {
    try (ForwardAD.Level level = ForwardAD.enter(); GradMode.Scope s = GradMode.noGrad()) {
      Tensor d = ForwardAD.makeDual(Tensor.of(1.0), Tensor.of(2.0));
      AutogradException e = assertThrows(AutogradException.class, () -> d.mul_(2.0));
      assertTrue(e.getMessage().startsWith("mul_: in-place updates of a dual tensor"), e.getMessage());
    }
  }

  @Test
  void testRecord_withoutJvpRule_failsInForwardModeOnly() {
    UnaryOperator<Tensor> noRule = x -> Node.record("myop", x.data().unary(UnaryOp.EXP),
        new Tensor[] {x}, (n, g) -> new Tensor[] {g.mul(n.out())});
    assertEquals(Math.E, noRule.apply(Tensor.of(1.0)).item(), 1e-12);
    try (ForwardAD.Level level = ForwardAD.enter()) {
      assertEquals(Math.E, noRule.apply(Tensor.of(1.0)).item(), 1e-12); // no tangent: fine
      Tensor d = ForwardAD.makeDual(Tensor.of(1.0), Tensor.of(1.0));
      AutogradException e = assertThrows(AutogradException.class, () -> noRule.apply(d));
      assertTrue(e.getMessage().startsWith("myop: forward mode reached an op recorded without a JVP"),
          e.getMessage());
    }
  }

  // ------------------------------------------------------------------ differentiable tangents

  /** Reverse over forward: the tangent is a tensor expression of x, differentiable again. */
  @Test
  void testTangent_isDifferentiable_reverseOverForward() {
    Tensor x = Tensor.of(0.5, -1.0, 2.0).requiresGrad(true);
    Tensor v = Tensor.of(1.0, 2.0, -1.0);
    Tensor t;
    try (ForwardAD.Level level = ForwardAD.enter()) {
      t = ForwardAD.tangent(ForwardAD.makeDual(x, v).pow(3.0)); // 3 x^2 v
    }
    Tensor g = Tensor.grad(t.sum(), List.of(x), false).get(0); // 6 x v
    assertArrayEqualsTol(new double[] {6 * 0.5 * 1, 6 * -1.0 * 2, 6 * 2.0 * -1}, g.toDoubleArray());
  }

  // ------------------------------------------------------------------ forward over reverse

  private static final SplittableRandom RNG = new SplittableRandom(2024);
  private static final Tensor X = Tensor.uniform(RNG, -1, 1, 5, 4);
  private static final Tensor W2 = Tensor.uniform(RNG, -1, 1, 3, 2);
  private static final Tensor B1 = Tensor.uniform(RNG, -0.5, 0.5, 3);
  private static final Tensor LABELS = Tensor.ofLongs(0, 1, 1, 0, 1);

  /**
   * A small MLP loss in its first weight {@code w [4, 3]}: the fused linear (bias and relu),
   * tanh, sigmoid, a fused cross-entropy, and {@code w} used several times (engine accumulation).
   */
  private static Tensor loss(Tensor w) {
    Tensor h = LinearAlgebra.linear(X, w, B1, true).add(X.matmul(w).tanh());
    Tensor logits = LinearAlgebra.linear(h, W2, null, false);
    Tensor ce = dev.cadena.ops.Reductions.crossEntropy(logits, LABELS).mean();
    return ce.add(w.sigmoid().mul(w).sum()).add(w.square().sum().mul(0.1));
  }

  private static Tensor gradient(Tensor w) {
    Tensor p = w.detach().requiresGrad(true);
    return Tensor.grad(loss(p), List.of(p), false).get(0);
  }

  @Test
  void testHvp_forwardOverReverse_matchesFiniteDifferencesAndReverseOverReverse() {
    Tensor w = Tensor.uniform(new SplittableRandom(5), -1, 1, 4, 3).requiresGrad(true);
    Tensor v = Tensor.uniform(new SplittableRandom(6), -1, 1, 4, 3);
    // Forward over reverse, createGraph = false: the fused and in-place paths must keep tangents.
    Tensor hvFwd;
    try (ForwardAD.Level level = ForwardAD.enter()) {
      Tensor d = ForwardAD.makeDual(w, v);
      Tensor g = Tensor.grad(loss(d), List.of(w), false).get(0);
      hvFwd = ForwardAD.tangent(g);
    }
    assertNotNull(hvFwd);
    // Central differences of the gradient along v.
    double eps = 1e-6;
    Tensor hvFd = gradient(w.detach().add(v.mul(eps))).sub(gradient(w.detach().sub(v.mul(eps))))
        .div(2 * eps);
    // Reverse over reverse.
    Tensor g = Tensor.grad(loss(w), List.of(w), true).get(0);
    Tensor hvRev = Tensor.grad(g.mul(v).sum(), List.of(w), false).get(0);
    assertTrue(hvFwd.allClose(hvRev, 1e-10, 1e-10), () -> hvFwd + " vs " + hvRev);
    assertTrue(hvFwd.allClose(hvFd, 1e-5, 1e-6), () -> hvFwd + " vs " + hvFd);
  }

  /** The same through backward(): the leaf's accumulated gradient carries the tangent H v. */
  @Test
  void testHvp_throughBackward_leafGradCarriesTangent() {
    Tensor w = Tensor.uniform(new SplittableRandom(8), -1, 1, 4, 3).requiresGrad(true);
    Tensor v = Tensor.uniform(new SplittableRandom(9), -1, 1, 4, 3);
    Tensor hv;
    try (ForwardAD.Level level = ForwardAD.enter()) {
      loss(ForwardAD.makeDual(w, v)).backward();
      hv = ForwardAD.tangent(w.grad());
    }
    assertNotNull(hv);
    Tensor g = Tensor.grad(loss(w), List.of(w), true).get(0);
    Tensor hvRev = Tensor.grad(g.mul(v).sum(), List.of(w), false).get(0);
    assertTrue(hv.allClose(hvRev, 1e-10, 1e-10), () -> hv + " vs " + hvRev);
  }

  // ------------------------------------------------------------------ Function

  /** x^3 with a hand-written JVP. */
  static final Function CUBE_WITH_JVP = new Function("cube") {
    @Override
    protected Tensor forward(Context ctx, Tensor... in) {
      ctx.saveForBackward(in[0]);
      return in[0].pow(3.0);
    }

    @Override
    protected Tensor[] backward(Context ctx, Tensor grad) {
      Tensor x = ctx.saved(0);
      return new Tensor[] {grad.mul(x.square().mul(3.0))};
    }

    @Override
    protected Tensor jvp(Context ctx, Tensor[] tangents) {
      Tensor x = ctx.saved(0);
      return tangents[0].mul(x.square().mul(3.0));
    }
  };

  /** a * sin(b) without a JVP (the double-VJP trick), skipping inputs that need no gradient. */
  static final Function A_SIN_B = CustomFunctionTest.A_SIN_B;

  @Test
  void testFunction_customJvp_matchesFiniteDifferences() {
    Tensor x = Tensor.uniform(new SplittableRandom(1), -2, 2, 2, 3).requiresGrad(true);
    GradCheck.Report r = GradCheck.checkJvp(in -> CUBE_WITH_JVP.apply(in[0]), GradCheck.Options.defaults(), x);
    assertTrue(r.passed(), r::toString);
  }

  @Test
  void testFunction_withoutJvp_usesDoubleVjp_matchesFiniteDifferences() {
    Tensor a = Tensor.uniform(new SplittableRandom(2), -2, 2, 2, 3).requiresGrad(true);
    Tensor b = Tensor.uniform(new SplittableRandom(3), -2, 2, 3).requiresGrad(true);
    GradCheck.Report r = GradCheck.checkJvp(in -> A_SIN_B.apply(in[0], in[1]).exp(),
        GradCheck.Options.defaults(), a, b);
    assertTrue(r.passed(), r::toString);
  }

  /** Inputs that do not require grad still get their tangent through the double-VJP trick. */
  @Test
  void testFunction_withoutJvp_inputsWithoutRequiresGrad() {
    Tensor a = Tensor.of(2.0, 3.0);
    Tensor b = Tensor.of(0.5, 1.0);
    Tensor[][] r = ForwardAD.jvp(in -> new Tensor[] {A_SIN_B.apply(in[0], in[1])},
        new Tensor[] {a, b}, new Tensor[] {Tensor.of(1.0, 0.0), Tensor.of(1.0, 2.0)});
    double[] want = {
      1.0 * Math.sin(0.5) + 2.0 * Math.cos(0.5) * 1.0,
      0.0 * Math.sin(1.0) + 3.0 * Math.cos(1.0) * 2.0
    };
    assertArrayEqualsTol(want, r[1][0].toDoubleArray());
  }

  @Test
  void testFunction_withAndWithoutJvp_agree() {
    Function cubeNoJvp = new Function("cube2") {
      @Override
      protected Tensor forward(Context ctx, Tensor... in) {
        ctx.saveForBackward(in[0]);
        return in[0].pow(3.0);
      }

      @Override
      protected Tensor[] backward(Context ctx, Tensor grad) {
        Tensor x = ctx.saved(0);
        return new Tensor[] {grad.mul(x.square().mul(3.0))};
      }
    };
    Tensor x = Tensor.of(-1.5, 0.25, 2.0);
    Tensor v = Tensor.of(1.0, -2.0, 0.5);
    Tensor t1 = ForwardAD.jvp(in -> new Tensor[] {CUBE_WITH_JVP.apply(in[0])}, new Tensor[] {x},
        new Tensor[] {v})[1][0];
    Tensor t2 = ForwardAD.jvp(in -> new Tensor[] {cubeNoJvp.apply(in[0])}, new Tensor[] {x},
        new Tensor[] {v})[1][0];
    assertTrue(t1.allClose(t2, 1e-12, 1e-12), () -> t1 + " vs " + t2);
  }

  @Test
  void testLevel_closeTwice_isHarmless() {
    ForwardAD.Level level = ForwardAD.enter();
    level.close();
    level.close();
    assertFalse(ForwardAD.isActive());
    assertSame(null, ForwardAD.tangent(Tensor.of(1.0)));
  }

  /** A dual upstream gradient: the VJP is linear in it, so its tangent is the VJP of the tangent. */
  @Test
  void testGrad_dualOutputGradient_tangentIsVjpOfTheTangent() {
    Tensor x = Tensor.of(0.5, 1.5).requiresGrad(true);
    Tensor gx;
    try (ForwardAD.Level level = ForwardAD.enter()) {
      Tensor u = ForwardAD.makeDual(Tensor.of(1.0, 1.0), Tensor.of(2.0, -1.0));
      gx = ForwardAD.tangent(Tensor.grad(List.of(x.sin()), List.of(x), List.of(u), false).get(0));
    }
    assertNotNull(gx);
    assertArrayEqualsTol(new double[] {2.0 * Math.cos(0.5), -Math.cos(1.5)}, gx.toDoubleArray());
  }

  /** Off, forward mode leaves no trace: no tensor gets a tangent holder. */
  @Test
  void testNoLevel_opsSetNoTangentField() {
    Tensor x = Tensor.of(1.0, 2.0).requiresGrad(true);
    Tensor y = x.exp().mul(x).sum();
    assertNull(TensorAccess.get().forwardTangent(y));
    assertNull(TensorAccess.get().forwardTangent(x));
    assertFalse(ForwardAD.isActive());
  }

  /**
   * Reductions of a broadcast view read each distinct element once when nothing is recorded; a
   * dual view takes the ordinary path, so its tangent is that of the expanded tensor.
   */
  @Test
  void testReductionsOfBroadcastViews_keepTheTangent() {
    Tensor base = Tensor.of(1.0, -2.0);
    Tensor v = Tensor.of(0.5, 2.0);
    for (java.util.function.Function<Tensor, Tensor> f : List.<java.util.function.Function<Tensor, Tensor>>of(
        t -> t.var(0), t -> t.std(0), t -> t.logsumexp(1, false), t -> t.amin(1),
        t -> t.min(1).values())) {
      Tensor viaView = ForwardAD.jvp(in -> new Tensor[] {f.apply(in[0].reshape(2, 1).expand(2, 3))},
          new Tensor[] {base}, new Tensor[] {v})[1][0];
      Tensor viaCopy = ForwardAD.jvp(
          in -> new Tensor[] {f.apply(in[0].reshape(2, 1).expand(2, 3).mul(1.0))},
          new Tensor[] {base}, new Tensor[] {v})[1][0];
      assertTrue(viaView.allClose(viaCopy, 1e-12, 1e-12), () -> viaView + " vs " + viaCopy);
      double[] t = viaView.toDoubleArray();
      boolean nonZero = false;
      for (double e : t) {
        nonZero |= e != 0;
      }
      assertTrue(nonZero || f.apply(base.reshape(2, 1).expand(2, 3)).numel() == 0, viaView::toString);
    }
  }

  private static void assertArrayEqualsTol(double[] want, double[] got) {
    assertEquals(want.length, got.length, "length");
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], got[i], 1e-12 * (1 + Math.abs(want[i])), "element " + i);
    }
  }
}
