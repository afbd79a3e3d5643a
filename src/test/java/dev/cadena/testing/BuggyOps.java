package dev.cadena.testing;

import dev.cadena.Tensor;
import dev.cadena.autograd.Function;
import net.jqwik.api.AfterFailureMode;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Custom ops with deliberately wrong VJPs, and the properties a user would write for them on the
 * public companion API. Every property here FAILS: {@link GradPropertiesShrinkTest} runs them
 * through the JUnit Platform and checks what jqwik found and shrank to. The class name matches
 * none of Surefire's test patterns, so a plain {@code mvn test} does not run it.
 *
 * <p>The properties name no {@code tries}: the project's default (junit-platform.properties)
 * applies, as it would for a user. They replay their seed after a failure instead of starting
 * from the failing sample that jqwik's database remembers, so every run searches from scratch.
 */
class BuggyOps {

  /** {@code log cosh x}, whose VJP has a sign error: {@code -grad * tanh x}. */
  static final Function SIGN_ERROR = new Function("logcosh-sign-error") {
    @Override
    protected Tensor forward(Context ctx, Tensor... in) {
      ctx.saveForBackward(in[0]);
      Tensor ax = in[0].abs();
      return ax.add(ax.mul(-2).exp().add(1).log()).sub(Math.log(2));
    }

    @Override
    protected Tensor[] backward(Context ctx, Tensor grad) {
      Tensor x = ctx.saved(0);
      return new Tensor[] {grad.mul(x.tanh()).neg()}; // wrong: d/dx log cosh x = +tanh x
    }
  };

  /**
   * {@code x + b} with {@code x [m, n]} and {@code b [n]} broadcast over the rows; the VJP of
   * {@code b} keeps the first row of {@code grad} where the rows must be summed (a missing
   * broadcast sum). It needs two rows to show.
   */
  static final Function MISSING_BROADCAST_SUM = new Function("bias-add-no-sum") {
    @Override
    protected Tensor forward(Context ctx, Tensor... in) {
      return in[0].add(in[1]);
    }

    @Override
    protected Tensor[] backward(Context ctx, Tensor grad) {
      return new Tensor[] {grad, grad.select(0, 0)}; // wrong: grad.sum(0)
    }
  };

  /**
   * {@code a @ b} for square matrices, with the gradient of {@code a} missing a transpose:
   * {@code grad @ b} instead of {@code grad @ b^T}. Invisible for 1x1 matrices (and symmetric b).
   */
  static final Function TRANSPOSED_MATMUL = new Function("matmul-transposed-grad") {
    @Override
    protected Tensor forward(Context ctx, Tensor... in) {
      ctx.saveForBackward(in[0], in[1]);
      return in[0].matmul(in[1]);
    }

    @Override
    protected Tensor[] backward(Context ctx, Tensor grad) {
      Tensor a = ctx.saved(0);
      Tensor b = ctx.saved(1);
      return new Tensor[] {grad.matmul(b), a.mT().matmul(grad)}; // wrong: grad.matmul(b.mT())
    }
  };

  /**
   * {@code x^3} whose VJP {@code 3 x^2 grad} has the right value, but half of {@code x^2} is
   * detached: its derivative is {@code 3x grad} instead of {@code 6x grad}, so only the
   * second-order check can see it.
   */
  static final Function WRONG_SECOND_DERIVATIVE = new Function("cube-detached") {
    @Override
    protected Tensor forward(Context ctx, Tensor... in) {
      ctx.saveForBackward(in[0]);
      return in[0].pow(3);
    }

    @Override
    protected Tensor[] backward(Context ctx, Tensor grad) {
      Tensor x = ctx.saved(0);
      return new Tensor[] {grad.mul(x.mul(x.detach()).mul(3))}; // wrong for higher orders
    }
  };

  @Provide
  Arbitrary<Tensor> anyTensor() {
    return TensorArbitraries.tensors(TensorArbitraries.shapes().allowScalar()).values(-3, 3);
  }

  @Provide
  Arbitrary<Tensor[]> rowsAndBias() {
    return TensorArbitraries.tensorTuples(TensorArbitraries.shapes().rank(2, 2)
        .map(s -> new int[][] {s, {s[1]}}));
  }

  @Provide
  Arbitrary<Tensor[]> squareMatrices() {
    return TensorArbitraries.tensorTuples(TensorArbitraries.shapes().rank(1, 1)
        .map(n -> new int[][] {{n[0], n[0]}, {n[0], n[0]}}));
  }

  @Property(afterFailure = AfterFailureMode.PREVIOUS_SEED, seed = "1")
  void signError(@ForAll("anyTensor") Tensor x) {
    GradProperties.check(in -> SIGN_ERROR.apply(in[0]), x);
  }

  @Property(afterFailure = AfterFailureMode.PREVIOUS_SEED, seed = "2")
  void missingBroadcastSum(@ForAll("rowsAndBias") Tensor[] xb) {
    GradProperties.check(in -> MISSING_BROADCAST_SUM.apply(in[0], in[1]), xb);
  }

  @Property(afterFailure = AfterFailureMode.PREVIOUS_SEED, seed = "3")
  void transposedMatmul(@ForAll("squareMatrices") Tensor[] ab) {
    GradProperties.check(in -> TRANSPOSED_MATMUL.apply(in[0], in[1]), ab);
  }

  /** The first-order check passes for this op; {@code checkAll} fails it at second order. */
  @Property(afterFailure = AfterFailureMode.PREVIOUS_SEED, seed = "4")
  void wrongSecondDerivative(@ForAll("anyTensor") Tensor x) {
    GradProperties.checkAll(in -> WRONG_SECOND_DERIVATIVE.apply(in[0]), x);
  }
}
