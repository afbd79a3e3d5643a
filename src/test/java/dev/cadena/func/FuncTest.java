package dev.cadena.func;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.autograd.Function;
import dev.cadena.tensor.ShapeException;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The transforms of {@link Func} against central finite differences in float64 (computed here,
 * from plain evaluations of f) and against closed forms; and against each other (jacrev ==
 * jacfwd, hessian == jacrev(jacrev), hvp == H v, the duality {@code <u, J v> = <J^T u, v>}).
 */
class FuncTest {
  private static final double H = 1e-6;
  private static final double TOL = 1e-6;

  // ================================================================== helpers

  /** d f / d xs[a] by central differences, of shape out.shape + xs[a].shape. */
  static Tensor numJac(TensorFn f, int a, Tensor... xs) {
    double[] x = xs[a].toDoubleArray();
    int n = x.length;
    Tensor out0;
    try (var s = Tensor.noGrad()) {
      out0 = f.apply(xs);
    }
    int m = out0.numel();
    double[] j = new double[m * n];
    for (int k = 0; k < n; k++) {
      double[] fp = eval(f, xs, a, x, k, +H);
      double[] fm = eval(f, xs, a, x, k, -H);
      for (int i = 0; i < m; i++) {
        j[i * n + k] = (fp[i] - fm[i]) / (2 * H);
      }
    }
    int[] shape = concat(out0.shape(), xs[a].shape());
    return Tensor.fromArray(j, shape);
  }

  private static double[] eval(TensorFn f, Tensor[] xs, int a, double[] x, int k, double dx) {
    double[] xp = x.clone();
    xp[k] += dx;
    Tensor[] args = xs.clone();
    args[a] = Tensor.fromArray(xp, xs[a].shape());
    try (var s = Tensor.noGrad()) {
      return f.apply(args).toDoubleArray();
    }
  }

  private static int[] concat(int[] a, int[] b) {
    int[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  private static void assertClose(Tensor expected, Tensor actual, double tol) {
    assertArrayEquals(expected.shape(), actual.shape(),
        "shape " + Arrays.toString(actual.shape()) + " != " + Arrays.toString(expected.shape()));
    double[] e = expected.toDoubleArray();
    double[] a = actual.toDoubleArray();
    for (int i = 0; i < e.length; i++) {
      assertEquals(e[i], a[i], tol * (1 + Math.abs(e[i])), "element " + i);
    }
  }

  private static double dot(Tensor a, Tensor b) {
    double[] x = a.toDoubleArray();
    double[] y = b.toDoubleArray();
    double s = 0;
    for (int i = 0; i < x.length; i++) {
      s += x[i] * y[i];
    }
    return s;
  }

  /** x^T A x + sum exp(x): gradient (A + A^T) x + exp(x), Hessian A + A^T + diag(exp(x)). */
  private static final Tensor A = Tensor.of(new double[][] {{1.0, 2.0, 0.0}, {-1.0, 0.5, 3.0}, {0.25, 0.0, -2.0}});

  private static Tensor quad(Tensor... xs) {
    Tensor x = xs[0];
    return x.unsqueeze(0).matmul(A).matmul(x.unsqueeze(1)).sum().add(x.exp().sum());
  }

  private static Tensor quadHessian(double[] x) {
    double[][] h = new double[3][3];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        h[i][j] = A.get(i, j) + A.get(j, i) + (i == j ? Math.exp(x[i]) : 0);
      }
    }
    return Tensor.of(h);
  }

  private static final Tensor X3 = Tensor.of(0.3, -0.7, 1.1);

  // ================================================================== grad

  @Test
  void grad_closedForm() {
    // f = sum(sin(x) x^2): df/dx = cos(x) x^2 + 2 x sin(x)
    TensorFn f = xs -> xs[0].sin().mul(xs[0].square()).sum();
    Tensor g = Func.grad(f).apply(X3);
    double[] x = X3.toDoubleArray();
    double[] e = new double[3];
    for (int i = 0; i < 3; i++) {
      e[i] = Math.cos(x[i]) * x[i] * x[i] + 2 * x[i] * Math.sin(x[i]);
    }
    assertClose(Tensor.of(e), g, 1e-12);
    assertClose(numJac(f, 0, X3), g, TOL);
  }

  @Test
  void grad_severalArgnums_onePerInput() {
    // f = sum(x * y^2) with x [2, 3], y [3]: df/dx = y^2 (broadcast), df/dy = 2 y sum_rows(x)
    SplittableRandom rng = new SplittableRandom(3);
    Tensor x = Tensor.randn(rng, 2, 3);
    Tensor y = Tensor.randn(rng, 3);
    TensorFn f = xs -> xs[0].mul(xs[1].square()).sum();
    Tensor[] g = Func.grad(f, 0, 1).apply(x, y);
    assertEquals(2, g.length);
    assertClose(numJac(f, 0, x, y), g[0], TOL);
    assertClose(numJac(f, 1, x, y), g[1], TOL);
    assertClose(y.square().unsqueeze(0).expand(2, 3), g[0], 1e-12);
    assertClose(y.mul(2).mul(x.sum(0)), g[1], 1e-12);
    // argnum order is kept
    Tensor[] r = Func.grad(f, 1, 0).apply(x, y);
    assertClose(g[1], r[0], 0);
    assertClose(g[0], r[1], 0);
  }

  @Test
  void gradAndValue_valueIsLast() {
    TensorFn f = xs -> xs[0].square().sum().mul(xs[1].sum());
    Tensor x = Tensor.of(1.0, 2.0);
    Tensor y = Tensor.of(3.0);
    Tensor[] gv = Func.gradAndValue(f, 0, 1).apply(x, y);
    assertEquals(3, gv.length);
    assertClose(Tensor.of(6.0, 12.0), gv[0], 1e-12);
    assertClose(Tensor.of(5.0), gv[1], 1e-12);
    assertEquals(15.0, gv[2].item(), 1e-12);
  }

  @Test
  void grad_ofGrad_scalar() {
    TensorFn f = xs -> xs[0].pow(3).sum();
    Tensor x = Tensor.scalar(1.5);
    assertEquals(3 * 1.5 * 1.5, Func.grad(f).apply(x).item(), 1e-12);
    assertEquals(6 * 1.5, Func.grad(Func.grad(f)).apply(x).item(), 1e-12);
    assertEquals(6.0, Func.grad(Func.grad(Func.grad(f))).apply(x).item(), 1e-12);
  }

  @Test
  void grad_nested_noPerturbationConfusion() {
    // d/dx [x * (d/dy (x y))|_{y=x}] = d/dx x^2 = 2x (a confused nesting gives 3x or x)
    TensorFn outer = xs -> {
      Tensor x = xs[0];
      Tensor inner = Func.grad(ys -> x.mul(ys[0]).sum()).apply(x);
      return x.mul(inner).sum();
    };
    assertEquals(6.0, Func.grad(outer).apply(Tensor.scalar(3.0)).item(), 1e-12);
  }

  @Test
  void grad_touchesNoGrad_andInputsNeedNoRequiresGrad() {
    TensorFn f = xs -> xs[0].square().sum();
    Tensor plain = Tensor.of(1.0, 2.0);
    Tensor g = Func.grad(f).apply(plain);
    assertClose(Tensor.of(2.0, 4.0), g, 1e-12);
    assertFalse(plain.requiresGrad());
    assertFalse(g.requiresGrad(), "a transform of constants returns constants");

    Tensor leaf = Tensor.of(1.0, 2.0).requiresGrad(true);
    Tensor gl = Func.grad(f).apply(leaf);
    assertNull(leaf.grad(), "the transform must not write grad()");
    // with a variable, the result is differentiable through the transform: d/dx sum(2x) = 2
    assertTrue(gl.requiresGrad());
    Tensor second = Tensor.grad(gl.sum(), List.of(leaf), false).get(0);
    assertClose(Tensor.of(2.0, 2.0), second, 1e-12);
    assertNull(leaf.grad());
  }

  @Test
  void grad_underNoGrad_stillDifferentiates() {
    try (var s = Tensor.noGrad()) {
      Tensor g = Func.grad(xs -> xs[0].square().sum()).apply(Tensor.of(3.0));
      assertClose(Tensor.of(6.0), g, 1e-12);
    }
  }

  @Test
  void grad_constantFunction_givesZeros() {
    Tensor g = Func.grad(xs -> Tensor.scalar(2.0), 0).apply(Tensor.of(1.0, 2.0))[0];
    assertClose(Tensor.zeros(2), g, 0);
  }

  // ================================================================== vjp / jvp

  @Test
  void vjp_againstFiniteDifferences_andReusable() {
    SplittableRandom rng = new SplittableRandom(5);
    Tensor w = Tensor.randn(rng, 4, 3);
    TensorFn f = xs -> w.matmul(xs[0]).tanh();
    Func.VjpResult r = Func.vjp(f, X3);
    Tensor j = numJac(f, 0, X3); // [4, 3]
    try (var s = Tensor.noGrad()) {
      assertClose(f.apply(X3), r.output(), 1e-12);
    }
    for (int t = 0; t < 2; t++) {
      Tensor u = Tensor.randn(rng, 4);
      Tensor g = r.vjpFn().apply(u)[0];
      assertClose(u.unsqueeze(0).matmul(j).squeeze(0), g, TOL);
    }
  }

  @Test
  void vjpMany_sumsOverOutputs() {
    TensorsFn f = xs -> new Tensor[] {xs[0].square(), xs[0].mul(xs[1]).sum()};
    Tensor x = Tensor.of(1.0, 2.0);
    Tensor y = Tensor.of(3.0, -1.0);
    Func.VjpResult r = Func.vjpMany(f, x, y);
    assertEquals(2, r.outputs().size());
    Tensor[] g = r.vjpFn().apply(Tensor.of(1.0, 1.0), Tensor.scalar(2.0));
    // d/dx: 2x + 2y, d/dy: 2x
    assertClose(Tensor.of(2 + 6.0, 4 - 2.0), g[0], 1e-12);
    assertClose(Tensor.of(2.0, 4.0), g[1], 1e-12);
  }

  @Test
  void jvp_againstFiniteDifferences_andClosedForm() {
    TensorFn f = xs -> xs[0].sin().mul(xs[1]);
    Tensor x = Tensor.of(0.5, 1.5);
    Tensor y = Tensor.of(2.0, -1.0);
    Tensor vx = Tensor.of(1.0, -2.0);
    Tensor vy = Tensor.of(0.5, 0.25);
    Func.JvpResult r = Func.jvp(f, new Tensor[] {x, y}, new Tensor[] {vx, vy});
    // J v = cos(x) y vx + sin(x) vy
    Tensor expected = x.cos().mul(y).mul(vx).add(x.sin().mul(vy));
    assertClose(expected, r.tangent(), 1e-12);
    Tensor fd = numJac(f, 0, x, y).matmul(vx.unsqueeze(1)).squeeze(1)
        .add(numJac(f, 1, x, y).matmul(vy.unsqueeze(1)).squeeze(1));
    assertClose(fd, r.tangent(), TOL);
    assertClose(x.sin().mul(y), r.output(), 1e-12);
  }

  @Test
  void jvp_vjp_duality() {
    SplittableRandom rng = new SplittableRandom(9);
    Tensor w = Tensor.randn(rng, 3, 4);
    TensorFn f = xs -> xs[0].matmul(w).exp().mul(xs[0].sum()); // [2, 3] -> [2, 4]
    Tensor x = Tensor.randn(rng, 2, 3).mul(0.5);
    for (int t = 0; t < 3; t++) {
      Tensor u = Tensor.randn(rng, 2, 4);
      Tensor v = Tensor.randn(rng, 2, 3);
      double left = dot(u, Func.jvp(f, new Tensor[] {x}, new Tensor[] {v}).tangent());
      double right = dot(Func.vjp(f, x).vjpFn().apply(u)[0], v);
      assertEquals(left, right, 1e-10 * (1 + Math.abs(left)));
    }
  }

  @Test
  void jvp_independentOutput_getsZeroTangent() {
    TensorsFn f = xs -> new Tensor[] {xs[0].square(), Tensor.of(7.0)};
    Func.JvpResult r = Func.jvpMany(f, new Tensor[] {Tensor.of(2.0)}, new Tensor[] {Tensor.of(1.0)});
    assertClose(Tensor.of(4.0), r.tangents().get(0), 1e-12);
    assertClose(Tensor.of(0.0), r.tangents().get(1), 0);
  }

  // ================================================================== Jacobians

  @Test
  void jacobians_vectorToVector_closedForm() {
    // tanh(W x): J = diag(1 - tanh^2(W x)) W
    SplittableRandom rng = new SplittableRandom(11);
    Tensor w = Tensor.randn(rng, 4, 3);
    TensorFn f = xs -> w.matmul(xs[0]).tanh();
    Tensor t = w.matmul(X3).tanh();
    Tensor expected = t.square().rsub(1.0).unsqueeze(1).mul(w);
    Tensor jr = Func.jacrev(f).apply(X3);
    Tensor jf = Func.jacfwd(f).apply(X3);
    assertArrayEquals(new int[] {4, 3}, jr.shape());
    assertClose(expected, jr, 1e-12);
    assertClose(expected, jf, 1e-12);
    assertClose(numJac(f, 0, X3), jr, TOL);
  }

  @Test
  void jacobians_matrixToMatrix_haveOutShapePlusInShape() {
    SplittableRandom rng = new SplittableRandom(12);
    Tensor b = Tensor.randn(rng, 3, 4);
    TensorFn f = xs -> xs[0].matmul(b).mul(0.3).exp();
    Tensor x = Tensor.randn(rng, 2, 3);
    Tensor jr = Func.jacrev(f).apply(x);
    Tensor jf = Func.jacfwd(f).apply(x);
    assertArrayEquals(new int[] {2, 4, 2, 3}, jr.shape());
    assertClose(numJac(f, 0, x), jr, TOL);
    assertClose(jr, jf, 1e-12);
  }

  @Test
  void jacobians_scalarInOut_andSeveralArgnums() {
    TensorFn f = xs -> xs[0].mul(xs[1].sum()).sin();  // x [] , y [2] -> []
    Tensor x = Tensor.scalar(0.4);
    Tensor y = Tensor.of(0.5, -0.25);
    Tensor[] jr = Func.jacrev(f, 0, 1).apply(x, y);
    Tensor[] jf = Func.jacfwd(f, 0, 1).apply(x, y);
    assertArrayEquals(new int[] {}, jr[0].shape());
    assertArrayEquals(new int[] {2}, jr[1].shape());
    double c = Math.cos(0.4 * 0.25);
    assertEquals(0.25 * c, jr[0].item(), 1e-12);
    assertClose(Tensor.of(0.4 * c, 0.4 * c), jr[1], 1e-12);
    assertClose(jr[0], jf[0], 1e-12);
    assertClose(jr[1], jf[1], 1e-12);
    assertClose(numJac(f, 1, x, y), jf[1], TOL);
  }

  @Provide
  Arbitrary<int[]> shapes() {
    return dev.cadena.ShapeArbitraries.shapes(3, 3);
  }

  @Property(tries = 25, seed = "20261202")
  void jacrev_equalsJacfwd_equalsFiniteDifferences(@ForAll("shapes") int[] shape) {
    SplittableRandom rng = new SplittableRandom(Arrays.hashCode(shape));
    Tensor x = Tensor.randn(rng, shape);
    Tensor c = Tensor.randn(rng, shape);
    TensorFn f = xs -> xs[0].sin().mul(xs[0].mul(c).sum()).add(xs[0].square());
    Tensor jr = Func.jacrev(f).apply(x);
    Tensor jf = Func.jacfwd(f).apply(x);
    assertArrayEquals(concat(shape, shape), jr.shape());
    assertClose(jr, jf, 1e-12);
    assertClose(numJac(f, 0, x), jr, TOL);
  }

  // ================================================================== Hessians

  @Test
  void hessian_closedForm_symmetric_equalsJacrevJacrev() {
    Tensor h = Func.hessian(FuncTest::quad).apply(X3);
    Tensor expected = quadHessian(X3.toDoubleArray());
    assertClose(expected, h, 1e-12);
    assertClose(h.t(), h, 1e-12);
    assertClose(Func.jacrev(Func.jacrev(FuncTest::quad)).apply(X3), h, 1e-12);
    assertClose(numJac(Func.grad(FuncTest::quad), 0, X3), h, TOL);
  }

  @Test
  void hvp_equalsHessianTimesV() {
    SplittableRandom rng = new SplittableRandom(21);
    Tensor v = Tensor.randn(rng, 3);
    Func.JvpResult r = Func.hvp(FuncTest::quad, new Tensor[] {X3}, new Tensor[] {v});
    Tensor hv = quadHessian(X3.toDoubleArray()).matmul(v);
    assertClose(hv, r.tangent(), 1e-12);
    assertEquals(quad(X3).item(), r.output().item(), 1e-12);
  }

  @Test
  void hvp_severalPrimals_sumsTheBlocks() {
    // f = sum(x^2 y): H_xx = diag(2y), H_xy = diag(2x), H_yy = 0
    Tensor x = Tensor.of(1.0, 2.0);
    Tensor y = Tensor.of(3.0, -1.0);
    Tensor vx = Tensor.of(0.5, 1.0);
    Tensor vy = Tensor.of(-1.0, 2.0);
    Func.JvpResult r = Func.hvp(xs -> xs[0].square().mul(xs[1]).sum(),
        new Tensor[] {x, y}, new Tensor[] {vx, vy});
    assertClose(y.mul(2).mul(vx).add(x.mul(2).mul(vy)), r.tangents().get(0), 1e-12);
    assertClose(x.mul(2).mul(vx), r.tangents().get(1), 1e-12);
  }

  @Test
  void hessian_ofMlpLoss_wrtWeights() {
    SplittableRandom rng = new SplittableRandom(31);
    Tensor xb = Tensor.randn(rng, 5, 3);
    Tensor yb = Tensor.randn(rng, 5, 2);
    Tensor w1 = Tensor.randn(rng, 3, 4).mul(0.5);
    Tensor w2 = Tensor.randn(rng, 4, 2).mul(0.5);
    TensorFn loss = ws -> xb.matmul(ws[0]).tanh().matmul(ws[1]).sub(yb).square().mean();
    Tensor h = Func.hessian(loss).apply(w1, w2);
    assertArrayEquals(new int[] {3, 4, 3, 4}, h.shape());
    Tensor hm = h.reshape(12, 12);
    assertClose(hm.t(), hm, 1e-10);
    assertClose(numJac(Func.grad(loss), 0, w1, w2), h, 1e-5);
    assertClose(Func.jacrev(Func.jacrev(loss)).apply(w1, w2), h, 1e-10);
    // the cross block d^2 L / dW1 dW2 from jacrev of the gradient wrt W2
    Tensor cross = Func.jacrev(Func.grad(loss), 1).apply(w1, w2)[0];
    assertArrayEquals(new int[] {3, 4, 4, 2}, cross.shape());
    assertClose(numJac(Func.grad(loss), 1, w1, w2), cross, 1e-5);
  }

  /** f(x) = x^3 as a user Function with the derivative 3x^2 written with tensor ops. */
  private static final Function CUBE = new Function("cube") {
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
  };

  @Test
  void transforms_throughUserFunction() {
    TensorFn f = xs -> CUBE.apply(xs[0]).sum();
    Tensor x = Tensor.of(1.0, -2.0);
    assertClose(Tensor.of(3.0, 12.0), Func.grad(f).apply(x), 1e-12);
    assertClose(Tensor.of(new double[][] {{6.0, 0.0}, {0.0, -12.0}}), Func.hessian(f).apply(x), 1e-12);
    assertClose(Tensor.of(new double[][] {{3.0, 0.0}, {0.0, 12.0}}),
        Func.jacfwd(xs -> CUBE.apply(xs[0])).apply(x), 1e-12);
  }

  @Test
  void jacfwd_fromFourColumnsOn_vmapsTheBasis_andFallsBackWithoutARule() {
    // Five input elements take the vmapped path (one JVP over the stacked basis); it must equal
    // the columns of one jvp per basis vector, and a user Function (no batching rule) must fall
    // back to that loop instead of failing.
    SplittableRandom rng = new SplittableRandom(21);
    Tensor w = Tensor.randn(rng, 3, 5);
    TensorFn f = xs -> w.matmul(xs[0]).tanh().mul(xs[0].sum());
    Tensor x = Tensor.randn(rng, 5);
    Tensor jf = Func.jacfwd(f).apply(x);
    double[] cols = new double[15];
    for (int k = 0; k < 5; k++) {
      double[] e = new double[5];
      e[k] = 1;
      double[] c = Func.jvp(f, new Tensor[] {x}, new Tensor[] {Tensor.of(e)}).tangent()
          .toDoubleArray();
      for (int i = 0; i < 3; i++) {
        cols[i * 5 + k] = c[i];
      }
    }
    assertArrayEquals(new int[] {3, 5}, jf.shape());
    assertClose(Tensor.fromArray(cols, 3, 5), jf, 1e-13);
    assertClose(numJac(f, 0, x), jf, TOL);

    Tensor y = Tensor.of(1.0, -2.0, 0.5, 3.0, -1.5);
    Tensor jc = Func.jacfwd(xs -> CUBE.apply(xs[0])).apply(y);
    double[] diag = new double[25];
    for (int i = 0; i < 5; i++) {
      double v = y.toDoubleArray()[i];
      diag[i * 5 + i] = 3 * v * v;
    }
    assertClose(Tensor.fromArray(diag, 5, 5), jc, 1e-12);
    assertClose(Func.jacrev(Func.jacrev(xs -> CUBE.apply(xs[0]).sum())).apply(y),
        Func.hessian(xs -> CUBE.apply(xs[0]).sum()).apply(y), 1e-12);
  }

  @Test
  void float32_inputs() {
    Tensor x = Tensor.of(1.0f, 2.0f);
    Tensor g = Func.grad(xs -> xs[0].square().sum()).apply(x);
    assertEquals(x.dtype(), g.dtype());
    assertClose(Tensor.of(2.0, 4.0), g.to(dev.cadena.tensor.DType.FLOAT64), 1e-6);
    Tensor h = Func.hessian(xs -> xs[0].pow(3).sum()).apply(x);
    assertClose(Tensor.of(new double[][] {{6.0, 0.0}, {0.0, 12.0}}),
        h.to(dev.cadena.tensor.DType.FLOAT64), 1e-5);
  }

  // ================================================================== errors

  @Test
  void grad_nonScalarOutput_namesTransformAndShape() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Func.grad(xs -> xs[0].square()).apply(Tensor.of(1.0, 2.0)));
    assertTrue(e.getMessage().startsWith("grad: "), e.getMessage());
    assertTrue(e.getMessage().contains("[2]"), e.getMessage());
  }

  @Test
  void argnumOutOfRange_namesTransformAndValues() {
    TensorFn f = xs -> xs[0].sum();
    for (int bad : new int[] {2, -1}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Func.jacrev(f, bad).apply(Tensor.of(1.0), Tensor.of(2.0)));
      assertEquals("jacrev: argnum " + bad + " is out of range for 2 arguments (0..1)", e.getMessage());
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Func.grad(f, 1).apply(Tensor.of(1.0)));
    assertEquals("grad: argnum 1 is out of range for 1 argument (0..0)", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> Func.jacfwd(f, 0).apply(Tensor.ofLongs(1, 2)));
    assertTrue(e.getMessage().startsWith("jacfwd: argument 0 is int64"), e.getMessage());
  }

  @Test
  void tangentShapeMismatch_namesTransformAndShapes() {
    TensorFn f = xs -> xs[0].square();
    ShapeException e = assertThrows(ShapeException.class,
        () -> Func.jvp(f, new Tensor[] {Tensor.of(1.0, 2.0)}, new Tensor[] {Tensor.of(1.0, 2.0, 3.0)}));
    assertEquals("jvp: tangent 0 has shape [3] but primal 0 has shape [2]", e.getMessage());
    e = assertThrows(ShapeException.class,
        () -> Func.hvp(f, new Tensor[] {Tensor.of(1.0)}, new Tensor[0]));
    assertEquals("hvp: one tangent per primal: 1 primals, 0 tangents", e.getMessage());
    e = assertThrows(ShapeException.class,
        () -> Func.vjp(f, Tensor.of(1.0, 2.0)).vjpFn().apply(Tensor.of(1.0)));
    assertEquals("vjp: cotangent 0 has shape [1] but output 0 has shape [2]", e.getMessage());
  }
}
