package dev.cadena.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** User-defined ops through {@link Function}. */
class CustomFunctionTest {

  /** f(a, b) = a * sin(b), broadcasting; da = grad * sin b, db = grad * a * cos b. */
  static final Function A_SIN_B = new Function("aSinB") {
    @Override
    protected Tensor forward(Context ctx, Tensor... in) {
      ctx.saveForBackward(in[0], in[1]);
      return in[0].mul(in[1].sin());
    }

    @Override
    protected Tensor[] backward(Context ctx, Tensor grad) {
      Tensor a = ctx.saved(0);
      Tensor b = ctx.saved(1);
      return new Tensor[] {
        ctx.needsInputGrad(0) ? grad.mul(b.sin()) : null,
        ctx.needsInputGrad(1) ? grad.mul(a).mul(b.cos()) : null
      };
    }
  };

  /** Softplus log(1 + e^x) with derivative sigmoid(x), saving its input. */
  static final Function SOFTPLUS = new Function("softplus") {
    @Override
    protected Tensor forward(Context ctx, Tensor... in) {
      ctx.saveForBackward(in[0]);
      return in[0].exp().add(1.0).log();
    }

    @Override
    protected Tensor[] backward(Context ctx, Tensor grad) {
      Tensor x = ctx.saved(0);
      return new Tensor[] {grad.mul(x.sigmoid())};
    }
  };

  @Test
  void forward_computesValue_andRecordsNamedNode() {
    Tensor a = Tensor.of(2.0, 3.0).requiresGrad(true);
    Tensor b = Tensor.of(0.5, -1.0);
    Tensor y = A_SIN_B.apply(a, b);
    assertArrayEquals(new double[] {2 * Math.sin(0.5), 3 * Math.sin(-1.0)}, y.toDoubleArray(), 1e-15);
    assertEquals("aSinB", y.gradFn().name());
    assertTrue(y.toString().contains("grad_fn=<aSinB>"), y.toString());
    y.sum().backward();
    assertArrayEquals(new double[] {Math.sin(0.5), Math.sin(-1.0)}, a.grad().toDoubleArray(), 1e-15);
  }

  @Test
  void noInputRequiresGrad_givesConstant() {
    Tensor y = SOFTPLUS.apply(Tensor.of(1.0));
    assertFalse(y.requiresGrad());
    assertEquals(Math.log1p(Math.E), y.item(), 1e-15);
  }

  @Test
  void gradCheck_firstAndSecondOrder_pass() {
    SplittableRandom rng = new SplittableRandom(99);
    Tensor a = Tensor.randn(rng, 3, 4).requiresGrad(true);
    Tensor b = Tensor.randn(rng, 4).requiresGrad(true);
    java.util.function.Function<Tensor[], Tensor> f = in -> A_SIN_B.apply(in[0], in[1]);
    GradCheck.Report r1 = GradCheck.check(f, a, b);
    assertTrue(r1.passed(), r1::toString);
    GradCheck.Report r2 = GradCheck.checkSecondOrder(f, GradCheck.Options.defaults().atol(1e-4), a, b);
    assertTrue(r2.passed(), r2::toString);

    Tensor x = Tensor.randn(rng, 5).requiresGrad(true);
    java.util.function.Function<Tensor[], Tensor> sp = in -> SOFTPLUS.apply(in[0]);
    assertTrue(GradCheck.check(sp, x).passed());
    GradCheck.Report r3 = GradCheck.checkSecondOrder(sp, GradCheck.Options.defaults().atol(1e-4), x);
    assertTrue(r3.passed(), r3::toString);
  }

  @Test
  void gradCheck_detectsAWrongBackward() {
    Function wrong = new Function("wrongSquare") {
      @Override
      protected Tensor forward(Context ctx, Tensor... in) {
        ctx.saveForBackward(in[0]);
        return in[0].square();
      }

      @Override
      protected Tensor[] backward(Context ctx, Tensor grad) {
        Tensor x = ctx.saved(0);
        return new Tensor[] {grad.mul(x)}; // should be 2x
      }
    };
    Tensor x = Tensor.randn(new SplittableRandom(5), 4).requiresGrad(true);
    GradCheck.Report r = GradCheck.check(in -> wrong.apply(in[0]), x);
    assertFalse(r.passed(), "GradCheck must reject a wrong derivative");
    assertTrue(r.toString().contains("FAILED"), r.toString());
  }

  @Test
  void backwardReturningWrongShape_failsClearly() {
    Function bad = new Function("badShape") {
      @Override
      protected Tensor forward(Context ctx, Tensor... in) {
        return in[0].mul(2.0);
      }

      @Override
      protected Tensor[] backward(Context ctx, Tensor grad) {
        return new Tensor[] {Tensor.ones(5)};
      }
    };
    Tensor x = Tensor.of(1.0, 2.0, 3.0).requiresGrad(true);
    Tensor loss = bad.apply(x).sum();
    RuntimeException e = assertThrows(RuntimeException.class, loss::backward);
    assertTrue(e.getMessage().contains("badShape"), e.getMessage());
    assertTrue(e.getMessage().contains("[5]") && e.getMessage().contains("[3]"), e.getMessage());
    assertTrue(e.getMessage().contains("input 0"), e.getMessage());
  }

  @Test
  void backwardReturningWrongCount_orNull_failsClearly() {
    Function tooFew = new Function("tooFew") {
      @Override
      protected Tensor forward(Context ctx, Tensor... in) {
        return in[0].add(in[1]);
      }

      @Override
      protected Tensor[] backward(Context ctx, Tensor grad) {
        return new Tensor[] {grad};
      }
    };
    Tensor a = Tensor.of(1.0).requiresGrad(true);
    Tensor b = Tensor.of(2.0).requiresGrad(true);
    RuntimeException e = assertThrows(RuntimeException.class, () -> tooFew.apply(a, b).backward());
    assertTrue(e.getMessage().contains("tooFew") && e.getMessage().contains("1 gradients")
        && e.getMessage().contains("2 inputs"), e.getMessage());

    Function nullGrad = new Function("nullGrad") {
      @Override
      protected Tensor forward(Context ctx, Tensor... in) {
        return in[0].mul(2.0);
      }

      @Override
      protected Tensor[] backward(Context ctx, Tensor grad) {
        return new Tensor[] {null};
      }
    };
    RuntimeException e2 = assertThrows(RuntimeException.class, () -> nullGrad.apply(a).backward());
    assertTrue(e2.getMessage().contains("nullGrad") && e2.getMessage().contains("input 0"), e2.getMessage());
  }

  @Test
  void savedTensorModified_throwsNamingTheFunction() {
    Tensor x = Tensor.of(0.5, 1.5).requiresGrad(true);
    Tensor y = SOFTPLUS.apply(x);
    try (var s = Tensor.noGrad()) {
      x.mul_(2.0);
    }
    AutogradException e = assertThrows(AutogradException.class, () -> y.sum().backward());
    assertTrue(e.getMessage().contains("softplus"), e.getMessage());
  }
}
