package dev.cadena.func;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.autograd.Anomaly;
import dev.cadena.autograd.Engine;
import dev.cadena.autograd.ForwardAD;
import dev.cadena.autograd.GradMode;
import dev.cadena.autograd.VmapBoundary;
import dev.cadena.tensor.ShapeException;
import dev.cadena.tensor.Shapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Function transforms, named as {@code torch.func} names them: {@link #grad}, {@link #gradAndValue},
 * {@link #vjp}, {@link #jvp}, {@link #jacrev}, {@link #jacfwd}, {@link #hessian} and {@link #hvp}.
 *
 * <p>A transform takes a function of tensors and returns a function (or, for {@code vjp},
 * {@code jvp} and {@code hvp}, a result at given points). Shapes follow PyTorch: the Jacobian of
 * {@code f: in.shape -> out.shape} has shape {@code out.shape + in.shape}; with several argnums
 * there is one result per argnum, in their order.
 *
 * <p>The arguments need not require grad: each transform differentiates its own copies of them
 * (as {@code torch.func} does) and touches no {@link Tensor#grad()}. When an argument already
 * requires grad (because an outer transform made it, or the caller wants to differentiate
 * through the transform) the copy stays connected to it and the results are differentiable, so
 * transforms compose: {@code grad(grad(f))}, {@code jacrev(jacrev(f))},
 * {@code hessian(f) = jacfwd(jacrev(f))}. Otherwise the results are constants.
 *
 * <pre>{@code
 * TensorFn f = xs -> xs[0].pow(3).sum();                 // f(x) = sum x^3
 * Tensor x = Tensor.of(1.0, 2.0);
 * Tensor g = Func.grad(f).apply(x);                      // 3x^2 = [3, 12]
 * Tensor h = Func.hessian(f).apply(x);                   // diag(6x) = [[6, 0], [0, 12]]
 * }</pre>
 *
 * <p>Forward mode ({@link #jvp}, and so {@link #jacfwd}, {@link #hessian}, {@link #hvp}) runs
 * through one private method; it computes {@code J v} by the double-VJP trick
 * ({@code J v = d/du <J^T u, v>}), two reverse passes per product.
 */
public final class Func {
  private Func() {}

  /**
   * The result of {@link #vjp}: the function's outputs at the primals, and the function
   * {@code u -> J^T u} that maps one cotangent per output (each of its output's shape) to one
   * gradient per primal. The vjp function may be called any number of times.
   *
   * @param outputs the function's outputs at the primals
   * @param vjpFn {@code (u_0, ..., u_{m-1}) -> (sum_k J_k0^T u_k, ..., sum_k J_k(n-1)^T u_k)}
   */
  public record VjpResult(List<Tensor> outputs, TensorsFn vjpFn) {
    /** Copies {@code outputs}; neither may be null. */
    public VjpResult {
      checkNotNull(outputs, "VjpResult: outputs is null");
      checkNotNull(vjpFn, "VjpResult: vjpFn is null");
      outputs = List.copyOf(outputs);
    }

    /** The first (for {@code vjp(TensorFn, ...)}, the only) output. */
    public Tensor output() {
      return outputs.get(0);
    }
  }

  /**
   * The result of {@link #jvp} and {@link #hvp}: the function's outputs at the primals and one
   * tangent per output ({@code J v} for jvp, {@code H v} per primal for hvp).
   *
   * @param outputs the function's outputs at the primals
   * @param tangents the output tangents
   */
  public record JvpResult(List<Tensor> outputs, List<Tensor> tangents) {
    /** Copies both lists; neither may be null. */
    public JvpResult {
      checkNotNull(outputs, "JvpResult: outputs is null");
      checkNotNull(tangents, "JvpResult: tangents is null");
      outputs = List.copyOf(outputs);
      tangents = List.copyOf(tangents);
    }

    /** The first (for a {@link TensorFn}, the only) output. */
    public Tensor output() {
      return outputs.get(0);
    }

    /** The first (for a {@link TensorFn}, the only) output tangent. */
    public Tensor tangent() {
      return tangents.get(0);
    }
  }

  // ================================================================== grad

  /**
   * The gradient of a scalar-valued {@code f} with respect to its argument 0:
   * {@code grad(f)(x, ...) = df/dx}, of {@code x}'s shape.
   *
   * <pre>{@code
   * Tensor g = Func.grad(xs -> xs[0].square().sum()).apply(Tensor.of(1.0, -2.0)); // [2, -4]
   * }</pre>
   *
   * @throws IllegalArgumentException when called, for an {@code f} whose value has more than one
   *     element, or no argument
   */
  public static TensorFn grad(TensorFn f) {
    checkNotNull(f, "grad: f is null");
    TensorsFn g = grad(f, 0);
    return xs -> g.apply(xs)[0];
  }

  /**
   * The gradients of a scalar-valued {@code f} with respect to the arguments {@code argnums}
   * (argument 0 when none is given), one per argnum: {@code grad(f, 0, 2)(x, y, z) = {df/dx,
   * df/dz}}.
   *
   * <pre>{@code
   * TensorsFn g = Func.grad(xs -> xs[0].mul(xs[1]).sum(), 0, 1);
   * Tensor[] dxdy = g.apply(Tensor.of(1.0, 2.0), Tensor.of(3.0, 4.0)); // {[3, 4], [1, 2]}
   * }</pre>
   *
   * @throws IllegalArgumentException when called, for a non-scalar value of {@code f}, an argnum
   *     out of range, or a non-floating-point argument to differentiate
   */
  public static TensorsFn grad(TensorFn f, int... argnums) {
    checkNotNull(f, "grad: f is null");
    checkNotNull(argnums, "grad: argnums is null");
    int[] an = argnums.length == 0 ? new int[] {0} : argnums.clone();
    return xs -> Arrays.copyOf(gradAndValueAt("grad", f, an, xs), an.length);
  }

  /**
   * The gradients of {@link #grad(TensorFn, int...)} followed by the value of {@code f}:
   * {@code gradAndValue(f, 0, 1)(x, y) = {df/dx, df/dy, f(x, y)}} (PyTorch returns the pair
   * {@code (grads, value)}; here the value is the last element). One forward and one backward
   * pass.
   *
   * <pre>{@code
   * Tensor[] gv = Func.gradAndValue(xs -> xs[0].square().sum()).apply(Tensor.of(3.0)); // {[6], 9}
   * }</pre>
   *
   * @throws IllegalArgumentException as {@link #grad(TensorFn, int...)}
   */
  public static TensorsFn gradAndValue(TensorFn f, int... argnums) {
    checkNotNull(f, "gradAndValue: f is null");
    checkNotNull(argnums, "gradAndValue: argnums is null");
    int[] an = argnums.length == 0 ? new int[] {0} : argnums.clone();
    return xs -> gradAndValueAt("gradAndValue", f, an, xs);
  }

  private static Tensor[] gradAndValueAt(String op, TensorFn f, int[] argnums, Tensor[] xs) {
    checkArgs(op, "args", xs);
    checkArgnums(op, argnums, xs);
    boolean nested = nested(xs);
    try (GradMode.Scope scope = GradMode.enableGrad()) {
      Tensor[] in = prepare(xs, argnums, nested);
      Tensor out = f.apply(in);
      checkNotNull(out, "%s: f returned null", op);
      if (out.numel() != 1) {
        try (var o = Anomaly.operands(op, "output", out)) {
          throw new ShapeException(
              op + ": f must return a scalar (one element) to be differentiated, got shape "
                  + Shapes.str(out.shape()) + "; use jacrev or vjp for a non-scalar function");
        }
      }
      Tensor[] wrt = pick(in, argnums);
      Tensor[] g = vjpAt(op, new Tensor[] {out}, wrt, new Tensor[] {out.onesLike()}, nested);
      Tensor[] result = Arrays.copyOf(g, g.length + 1);
      result[g.length] = out;
      return nested ? result : detachAll(result);
    }
  }

  // ================================================================== vjp / jvp

  /**
   * The value of {@code f} at the primals and its vector-Jacobian product function
   * {@code u -> J^T u}, one gradient per primal (PyTorch's {@code torch.func.vjp}).
   *
   * <pre>{@code
   * Func.VjpResult r = Func.vjp(xs -> xs[0].sin(), Tensor.of(0.0, 1.0));
   * Tensor[] g = r.vjpFn().apply(Tensor.of(1.0, 1.0)); // {cos(x)} = {[1, 0.5403]}
   * }</pre>
   *
   * @throws IllegalArgumentException for no primal or a non-floating-point one; the vjp function
   *     throws {@link ShapeException} for a cotangent of the wrong number or shape
   */
  public static VjpResult vjp(TensorFn f, Tensor... primals) {
    checkNotNull(f, "vjp: f is null");
    checkArgs("vjp", "primals", primals);
    return vjpOf("vjp", xs -> new Tensor[] {f.apply(xs)}, primals);
  }

  /** {@link #vjp(TensorFn, Tensor...)} for a function with several outputs, one cotangent each. */
  public static VjpResult vjpMany(TensorsFn f, Tensor... primals) {
    checkNotNull(f, "vjpMany: f is null");
    checkArgs("vjpMany", "primals", primals);
    return vjpOf("vjpMany", f, primals);
  }

  private static VjpResult vjpOf(String op, TensorsFn f, Tensor[] primals) {
    int[] all = allArgnums(primals.length);
    checkArgnums(op, all, primals);
    boolean nested = nested(primals);
    Tensor[] in;
    Tensor[] outs;
    try (GradMode.Scope scope = GradMode.enableGrad()) {
      in = prepare(primals, all, nested);
      outs = checkOutputs(op, f.apply(in));
    }
    TensorsFn vjpFn = us -> {
      checkArgs(op + " vjpFn", "cotangents", us);
      if (us.length != outs.length) {
        throw new ShapeException(
            op + ": vjpFn takes one cotangent per output: " + outs.length + " outputs, "
                + us.length + " cotangents");
      }
      for (int k = 0; k < us.length; k++) {
        if (!Arrays.equals(us[k].shape(), outs[k].shape())) {
          try (var o = Anomaly.operands(op, "output " + k, outs[k], "cotangent " + k, us[k])) {
            throw new ShapeException(
                op + ": cotangent " + k + " has shape " + Shapes.str(us[k].shape())
                    + " but output " + k + " has shape " + Shapes.str(outs[k].shape()));
          }
        }
      }
      boolean create = nested || nested(us);
      Tensor[] g = vjpAt(op, outs, in, us, create);
      return create ? g : detachAll(g);
    };
    return new VjpResult(Arrays.asList(nested ? outs : detachAll(outs)), vjpFn);
  }

  /**
   * The value of {@code f} at the primals and the Jacobian-vector product {@code J v} in the
   * direction of the tangents (one per primal, each of its primal's shape), PyTorch's
   * {@code torch.func.jvp}. Dual to {@link #vjp}: {@code <u, J v> = <J^T u, v>}.
   *
   * <pre>{@code
   * Func.JvpResult r = Func.jvp(xs -> xs[0].square(), new Tensor[] {Tensor.of(1.0, 2.0)},
   *     new Tensor[] {Tensor.of(1.0, 1.0)});
   * Tensor jv = r.tangent();                            // 2x * v = [2, 4]
   * }</pre>
   *
   * @throws ShapeException for a different number of tangents and primals, or a tangent whose
   *     shape differs from its primal's
   * @throws IllegalArgumentException for no primal or a non-floating-point one
   */
  public static JvpResult jvp(TensorFn f, Tensor[] primals, Tensor[] tangents) {
    checkNotNull(f, "jvp: f is null");
    return jvpMany("jvp", xs -> new Tensor[] {f.apply(xs)}, primals, tangents);
  }

  /** {@link #jvp(TensorFn, Tensor[], Tensor[])} for a function with several outputs. */
  public static JvpResult jvpMany(TensorsFn f, Tensor[] primals, Tensor[] tangents) {
    checkNotNull(f, "jvpMany: f is null");
    return jvpMany("jvpMany", f, primals, tangents);
  }

  private static JvpResult jvpMany(String op, TensorsFn f, Tensor[] primals, Tensor[] tangents) {
    checkTangents(op, primals, tangents);
    checkArgnums(op, allArgnums(primals.length), primals);
    Tensor[][] r = forwardJvp(xs -> checkOutputs(op, f.apply(xs)), primals, tangents);
    return new JvpResult(Arrays.asList(r[0]), Arrays.asList(r[1]));
  }

  // ================================================================== Jacobians

  /**
   * The Jacobian of {@code f} with respect to argument 0 by reverse mode, of shape
   * {@code out.shape + x.shape}: one VJP per output element, all through one graph. Best when
   * the output has fewer elements than the input.
   *
   * <pre>{@code
   * Tensor j = Func.jacrev(xs -> xs[0].square()).apply(Tensor.of(1.0, 2.0)); // [[2, 0], [0, 4]]
   * }</pre>
   */
  public static TensorFn jacrev(TensorFn f) {
    checkNotNull(f, "jacrev: f is null");
    TensorsFn j = jacrev(f, 0);
    return xs -> j.apply(xs)[0];
  }

  /**
   * The Jacobians of {@code f} with respect to the arguments {@code argnums} (argument 0 when
   * none is given) by reverse mode, one per argnum, each of shape {@code out.shape + in.shape}.
   *
   * @throws IllegalArgumentException when called, for an argnum out of range or a
   *     non-floating-point argument to differentiate
   */
  public static TensorsFn jacrev(TensorFn f, int... argnums) {
    checkNotNull(f, "jacrev: f is null");
    checkNotNull(argnums, "jacrev: argnums is null");
    int[] an = argnums.length == 0 ? new int[] {0} : argnums.clone();
    return xs -> jacrevAt(f, an, xs);
  }

  private static Tensor[] jacrevAt(TensorFn f, int[] argnums, Tensor[] xs) {
    String op = "jacrev";
    checkArgs(op, "args", xs);
    checkArgnums(op, argnums, xs);
    boolean nested = nested(xs);
    try (GradMode.Scope scope = GradMode.enableGrad()) {
      Tensor[] in = prepare(xs, argnums, nested);
      Tensor out = f.apply(in);
      checkNotNull(out, "%s: f returned null", op);
      Tensor[] wrt = pick(in, argnums);
      int m = out.numel();
      Tensor[] result = new Tensor[wrt.length];
      if (m == 0) {
        for (int j = 0; j < wrt.length; j++) {
          result[j] = Tensor.zeros(wrt[j].dtype(), concat(out.shape(), wrt[j].shape()));
        }
        return result;
      }
      // From JACREV_VMAP_ROWS rows on, all rows in one backward pass (vmap over the basis of
      // cotangents); below, vmap's fixed cost outweighs the passes it saves.
      Tensor[] g = m < JACREV_VMAP_ROWS
          ? jacrevRows(op, out, wrt, nested)
          : jacrevRowsVmapped(op, out, wrt, nested);
      for (int j = 0; j < wrt.length; j++) {
        result[j] = g[j].reshape(concat(out.shape(), wrt[j].shape()));
      }
      return nested ? result : detachAll(result);
    }
  }

  /**
   * From this many output elements on, jacrev vmaps its VJP over the basis cotangents instead of
   * looping: measured with a throwaway nanoTime main (f = tanh(W x), n = 8, float64, loaded 2-core
   * machine), vmap took 0.07 / 0.022 / 0.016 / 0.019 / 0.13 ms against the loop's 0.047 / 0.036 /
   * 0.040 / 0.097 / 0.25 ms for m = 2 / 4 / 8 / 16 / 64, and 5 against 40 ms for m = 512.
   */
  private static final int JACREV_VMAP_ROWS = 4;

  /**
   * jacrev's rows as {@link #jacrevRows} gives them, by one VJP vmapped over the {@code m} basis
   * cotangents; a VJP that cannot take a batched cotangent (a user {@code Function}'s backward
   * that reads values, say) falls back to the loop.
   */
  private static Tensor[] jacrevRowsVmapped(String op, Tensor out, Tensor[] wrt, boolean nested) {
    int m = out.numel();
    double[] eye = new double[Math.multiplyExact(m, m)];
    for (int i = 0; i < m; i++) {
      eye[i * m + i] = 1;
    }
    Tensor basis = Tensor.fromArray(eye, concat(new int[] {m}, out.shape())).to(out.dtype());
    try {
      return vmapMany(us -> vjpAt(op, new Tensor[] {out}, wrt, us, nested), new int[] {0}, 0)
          .apply(basis);
    } catch (UnsupportedOperationException | IllegalStateException e) {
      if (e.getMessage() == null || !e.getMessage().startsWith("vmap: ")) {
        throw e;
      }
      return jacrevRows(op, out, wrt, nested);
    }
  }

  /** jacrev's rows by a loop of VJPs, each stacked along a new axis 0 (per argument). */
  private static Tensor[] jacrevRows(String op, Tensor out, Tensor[] wrt, boolean nested) {
    int m = out.numel();
    List<List<Tensor>> rows = new ArrayList<>();
    for (int j = 0; j < wrt.length; j++) {
      rows.add(new ArrayList<>(m));
    }
    for (int i = 0; i < m; i++) {
      Tensor[] g = vjpAt(op, new Tensor[] {out}, wrt, new Tensor[] {basis(out, i)}, nested);
      for (int j = 0; j < wrt.length; j++) {
        rows.get(j).add(g[j]);
      }
    }
    Tensor[] r = new Tensor[wrt.length];
    for (int j = 0; j < wrt.length; j++) {
      r[j] = Tensor.stack(rows.get(j), 0);
    }
    return r;
  }

  /**
   * The Jacobian of {@code f} with respect to argument 0 by forward mode, of shape
   * {@code out.shape + x.shape}: one JVP per input element (from 4 elements on, one JVP vmapped
   * over the stacked basis tangents). Best when the input has fewer
   * elements than the output; equal to {@link #jacrev(TensorFn)}.
   *
   * <pre>{@code
   * Tensor j = Func.jacfwd(xs -> xs[0].square()).apply(Tensor.of(1.0, 2.0)); // [[2, 0], [0, 4]]
   * }</pre>
   */
  public static TensorFn jacfwd(TensorFn f) {
    checkNotNull(f, "jacfwd: f is null");
    TensorsFn j = jacfwd(f, 0);
    return xs -> j.apply(xs)[0];
  }

  /**
   * The Jacobians of {@code f} with respect to the arguments {@code argnums} (argument 0 when
   * none is given) by forward mode, one per argnum, each of shape {@code out.shape + in.shape}.
   *
   * @throws IllegalArgumentException when called, for an argnum out of range or a
   *     non-floating-point argument to differentiate
   */
  public static TensorsFn jacfwd(TensorFn f, int... argnums) {
    checkNotNull(f, "jacfwd: f is null");
    checkNotNull(argnums, "jacfwd: argnums is null");
    int[] an = argnums.length == 0 ? new int[] {0} : argnums.clone();
    return xs -> jacfwdAt(f, an, xs);
  }

  private static Tensor[] jacfwdAt(TensorFn f, int[] argnums, Tensor[] xs) {
    Tensor[][] r = jacfwdMany("jacfwd", ys -> {
      Tensor out = f.apply(ys);
      checkNotNull(out, "%s: f returned null", "jacfwd");
      return new Tensor[] {out};
    }, argnums, xs);
    return r[0];
  }

  /**
   * The forward-mode Jacobians {@code r[k][j]} of each output {@code k} of {@code f} with respect
   * to argument {@code argnums[j]}, of shape {@code out_k.shape + x_j.shape}: one JVP per element
   * of each argument to differentiate, every output from the same pass.
   */
  private static Tensor[][] jacfwdMany(String op,
      java.util.function.Function<Tensor[], Tensor[]> f, int[] argnums, Tensor[] xs) {
    checkArgs(op, "args", xs);
    checkArgnums(op, argnums, xs);
    Tensor[][] result = null;
    for (int j = 0; j < argnums.length; j++) {
      int a = argnums[j];
      Tensor x = xs[a];
      // The other arguments are constants of this Jacobian: close over them.
      java.util.function.Function<Tensor[], Tensor[]> fa = ys -> {
        Tensor[] args = xs.clone();
        args[a] = ys[0];
        return checkOutputs(op, f.apply(args));
      };
      int n = x.numel();
      Tensor[] vmapped = n >= JACFWD_VMAP_COLS ? jacfwdColsVmapped(fa, x) : null;
      if (vmapped != null) {
        if (result == null) {
          result = new Tensor[vmapped.length][argnums.length];
        }
        for (int m = 0; m < vmapped.length; m++) {
          // [n, out.shape...] with the column axis first: move it last, then split it as x.shape.
          Tensor c = vmapped[m];
          int rank = c.rank();
          int[] perm = new int[rank];
          for (int i = 1; i < rank; i++) {
            perm[i - 1] = i;
          }
          perm[rank - 1] = 0;
          int[] outShape = Arrays.copyOfRange(c.shape(), 1, rank);
          result[m][j] = c.permute(perm).reshape(concat(outShape, x.shape()));
        }
        continue;
      }
      List<Tensor[]> cols = new ArrayList<>(n);
      Tensor[] outs = null;
      for (int k = 0; k < n; k++) {
        Tensor[][] r = forwardJvp(fa, new Tensor[] {x}, new Tensor[] {basis(x, k)});
        outs = r[0];
        cols.add(r[1]);
      }
      if (n == 0) {
        try (GradMode.Scope scope = GradMode.noGrad()) {
          outs = fa.apply(new Tensor[] {x});
        }
      }
      if (result == null) {
        result = new Tensor[outs.length][argnums.length];
      }
      for (int m = 0; m < outs.length; m++) {
        int[] outShape = outs[m].shape();
        if (n == 0) {
          result[m][j] = Tensor.zeros(x.dtype(), concat(outShape, x.shape()));
        } else {
          List<Tensor> col = new ArrayList<>(n);
          for (Tensor[] c : cols) {
            col.add(c[m]);
          }
          result[m][j] = Tensor.stack(col, outShape.length).reshape(concat(outShape, x.shape()));
        }
      }
    }
    return result;
  }

  /**
   * From this many input elements on, jacfwd vmaps its JVP over the basis tangents instead of
   * looping, as jacrev does over cotangents ({@link #JACREV_VMAP_ROWS}).
   */
  private static final int JACFWD_VMAP_COLS = 4;

  /**
   * The tangents of every output of {@code fa} for each of the {@code n} basis tangents of
   * {@code x}, stacked along a new axis 0 ({@code [n, out.shape...]}), by one JVP vmapped over
   * them; null when some op on the way has no batching rule (the caller loops instead).
   */
  private static Tensor @Nullable [] jacfwdColsVmapped(
      java.util.function.Function<Tensor[], Tensor[]> fa, Tensor x) {
    int n = x.numel();
    double[] eye = new double[Math.multiplyExact(n, n)];
    for (int i = 0; i < n; i++) {
      eye[i * n + i] = 1;
    }
    Tensor basis = Tensor.fromArray(eye, concat(new int[] {n}, x.shape())).to(x.dtype());
    try {
      return vmapMany(ts -> forwardJvp(fa, new Tensor[] {x}, ts)[1], new int[] {0}, 0)
          .apply(basis);
    } catch (UnsupportedOperationException | IllegalStateException e) {
      if (e.getMessage() == null || !e.getMessage().startsWith("vmap: ")) {
        throw e;
      }
      return null;
    }
  }

  // ================================================================== Hessians

  /**
   * The Hessian of a scalar-valued {@code f} with respect to argument 0, of shape
   * {@code x.shape + x.shape}: {@code jacfwd(jacrev(f))}, forward over reverse.
   *
   * <pre>{@code
   * Tensor h = Func.hessian(xs -> xs[0].pow(3).sum()).apply(Tensor.of(1.0, 2.0)); // diag(6x)
   * }</pre>
   */
  public static TensorFn hessian(TensorFn f) {
    checkNotNull(f, "hessian: f is null");
    return jacfwd(jacrev(f));
  }

  /**
   * The Hessian blocks of {@code f} with respect to the arguments {@code argnums} (argument 0 when
   * none is given), as {@code torch.func.hessian(f, argnums)} gives them, flattened row by row:
   * for {@code n} argnums, element {@code i * n + j} is {@code d^2 f / dx_{argnums[i]}
   * dx_{argnums[j]}}, of shape {@code x_i.shape + x_j.shape} (torch returns the nested tuple
   * {@code H[i][j]}). Forward over reverse: the gradients of all argnums from one backward pass,
   * differentiated in forward mode, one JVP per input element.
   *
   * <pre>{@code
   * TensorFn f = xs -> xs[0].mul(xs[1]).sum();           // f(x, y) = sum x y
   * Tensor[] h = Func.hessian(f, 0, 1).apply(x, y);      // {0, I, I, 0}: H_xx, H_xy, H_yx, H_yy
   * }</pre>
   *
   * @throws IllegalArgumentException when called, for an argnum out of range or a
   *     non-floating-point argument to differentiate
   */
  public static TensorsFn hessian(TensorFn f, int... argnums) {
    checkNotNull(f, "hessian: f is null");
    checkNotNull(argnums, "hessian: argnums is null");
    int[] an = argnums.length == 0 ? new int[] {0} : argnums.clone();
    TensorsFn g = jacrev(f, an);
    return xs -> {
      Tensor[][] blocks = jacfwdMany("hessian", g::apply, an, xs);
      int n = an.length;
      Tensor[] r = new Tensor[n * n];
      for (int i = 0; i < n; i++) {
        System.arraycopy(blocks[i], 0, r, i * n, n);
      }
      return r;
    };
  }

  /**
   * The value of a scalar-valued {@code f} at the primals and the Hessian-vector product
   * {@code H v} per primal (for primal i, {@code sum_j d^2 f / dx_i dx_j v_j}), forward over
   * reverse: a JVP of the gradient, without forming {@code H}. PyTorch's
   * {@code torch.func.hvp}.
   *
   * <pre>{@code
   * Func.JvpResult r = Func.hvp(xs -> xs[0].pow(3).sum(), new Tensor[] {Tensor.of(1.0, 2.0)},
   *     new Tensor[] {Tensor.of(1.0, 1.0)});
   * Tensor hv = r.tangent();                            // 6x * v = [6, 12]
   * }</pre>
   *
   * @throws ShapeException for a different number of tangents and primals, or a tangent whose
   *     shape differs from its primal's
   * @throws IllegalArgumentException for a non-scalar value of {@code f}, no primal or a
   *     non-floating-point one
   */
  public static JvpResult hvp(TensorFn f, Tensor[] primals, Tensor[] tangents) {
    checkNotNull(f, "hvp: f is null");
    checkTangents("hvp", primals, tangents);
    int[] all = allArgnums(primals.length);
    checkArgnums("hvp", all, primals);
    Tensor[][] r = forwardJvp(xs -> gradAndValueAt("hvp", f, all, xs), primals, tangents);
    int n = primals.length;
    return new JvpResult(List.of(r[0][n]), Arrays.asList(Arrays.copyOf(r[1], n)));
  }

  // ================================================================== the two modes

  /**
   * Forward mode: {@code {f(primals), J v}} with {@code v} the tangents, one output tangent per
   * output. The one place forward mode is computed (the signature of
   * {@code ForwardAD.jvp}); for now by the double-VJP trick: {@code g(u) = J^T u} is linear in a
   * dummy cotangent {@code u}, so {@code J v = d<g(u), v>/du}, taken with the first pass recorded.
   * The tangents are assumed checked (count and shapes).
   */
  private static Tensor[][] forwardJvp(
      java.util.function.Function<Tensor[], Tensor[]> f, Tensor[] primals, Tensor[] tangents) {
    boolean nested = nested(primals) || nested(tangents);
    if (!ForwardAD.isActive()) {
      // Forward mode proper: one forward pass carrying the tangents (each primitive's JVP rule).
      Tensor[][] r = ForwardAD.jvp(f, primals, tangents);
      return nested ? r : new Tensor[][] {detachAll(r[0]), detachAll(r[1])};
    }
    // Inside an open level (a jvp of a jvp: forward over forward, which ForwardAD does not nest),
    // the double-VJP trick: jvp = d/du <vjp(u), v>, two reverse passes.
    try (GradMode.Scope scope = GradMode.enableGrad()) {
      Tensor[] in = prepare(primals, allArgnums(primals.length), nested);
      Tensor[] outs = f.apply(in);
      Tensor[] us = new Tensor[outs.length];
      for (int k = 0; k < outs.length; k++) {
        us[k] = outs[k].zerosLike().requiresGrad(true);
      }
      Tensor[] g = vjpAt("jvp", outs, in, us, true);
      Tensor[] jv = vjpAt("jvp", g, us, tangents, nested);
      return nested
          ? new Tensor[][] {outs, jv}
          : new Tensor[][] {detachAll(outs), detachAll(jv)};
    }
  }

  /**
   * Reverse mode: {@code sum_k J_k^T u_k} for each of {@code inputs} (which require grad), with
   * the graph kept so the caller can run through it again. Outputs without a graph contribute
   * nothing (an input no output depends on gets zeros).
   */
  private static Tensor[] vjpAt(
      String op, Tensor[] outputs, Tensor[] inputs, Tensor[] cotangents, boolean createGraph) {
    List<Tensor> outs = new ArrayList<>(outputs.length);
    List<Tensor> cots = new ArrayList<>(outputs.length);
    for (int k = 0; k < outputs.length; k++) {
      if (outputs[k].requiresGrad()) {
        outs.add(outputs[k]);
        cots.add(cotangents[k]);
      }
    }
    if (outs.isEmpty()) {
      Tensor[] zeros = new Tensor[inputs.length];
      for (int i = 0; i < inputs.length; i++) {
        zeros[i] = Tensor.zeros(inputs[i].dtype(), inputs[i].shape());
      }
      return zeros;
    }
    return Engine.grad(
        outs.toArray(new Tensor[0]), inputs, cots.toArray(new Tensor[0]), true, createGraph);
  }

  // ================================================================== helpers

  /**
   * True when the results should stay differentiable: grad mode is on and an argument requires
   * grad (an outer transform's copy, or a caller's variable).
   */
  private static boolean nested(Tensor[] xs) {
    if (!GradMode.isEnabled()) {
      return false;
    }
    for (Tensor x : xs) {
      if (x.requiresGrad()) {
        return true;
      }
    }
    return false;
  }

  /**
   * The arguments with each of {@code argnums} replaced by a differentiable copy: a fresh leaf, or
   * (nested, for an argument that requires grad) a recorded identity of it, so that gradients
   * with respect to the copy stop at it while the outer graph still reaches the argument.
   */
  private static Tensor[] prepare(Tensor[] xs, int[] argnums, boolean nested) {
    Tensor[] in = xs.clone();
    boolean[] done = new boolean[xs.length];
    for (int a : argnums) {
      if (done[a]) {
        continue;
      }
      done[a] = true;
      Tensor x = xs[a];
      in[a] = nested && x.requiresGrad() ? x.add(0.0) : keepTangent(x, x.detach().requiresGrad(true));
    }
    return in;
  }

  private static Tensor[] pick(Tensor[] in, int[] argnums) {
    Tensor[] r = new Tensor[argnums.length];
    for (int j = 0; j < argnums.length; j++) {
      r[j] = in[argnums[j]];
    }
    return r;
  }

  private static Tensor[] detachAll(Tensor[] ts) {
    Tensor[] r = new Tensor[ts.length];
    for (int i = 0; i < ts.length; i++) {
      r[i] = keepTangent(ts[i], ts[i].detach());
    }
    return r;
  }

  /**
   * {@code copy} (a detached copy of {@code of}) with {@code of}'s forward-mode tangent, when a
   * level is open and {@code of} has one: a transform inside {@code jvp} (a gradient inside a
   * Hessian's forward-over-reverse pass) must not drop the tangent that {@code detach} drops.
   */
  private static Tensor keepTangent(Tensor of, Tensor copy) {
    if (!ForwardAD.isActive()) {
      return copy;
    }
    Tensor t = ForwardAD.tangent(of);
    return t == null ? copy : ForwardAD.makeDual(copy, t);
  }

  private static int[] allArgnums(int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    return a;
  }

  /** The one-hot tensor of {@code like}'s shape and dtype with a 1 at flat index {@code i}. */
  private static Tensor basis(Tensor like, int i) {
    double[] v = new double[like.numel()];
    v[i] = 1;
    return Tensor.fromArray(v, like.shape()).to(like.dtype());
  }

  private static int[] concat(int[] a, int[] b) {
    int[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  private static void checkArgs(String op, String name, Tensor[] xs) {
    checkNotNull(xs, "%s: %s is null", op, name);
    for (int i = 0; i < xs.length; i++) {
      if (xs[i] == null) {
        throw new NullPointerException(op + ": " + name + "[" + i + "] is null");
      }
    }
  }

  private static Tensor[] checkOutputs(String op, Tensor[] outs) {
    checkNotNull(outs, "%s: f returned null", op);
    for (int k = 0; k < outs.length; k++) {
      if (outs[k] == null) {
        throw new NullPointerException(op + ": f returned null as output " + k);
      }
    }
    return outs;
  }

  private static void checkArgnums(String op, int[] argnums, Tensor[] xs) {
    if (xs.length == 0) {
      throw new IllegalArgumentException(op + ": f needs at least one argument to differentiate");
    }
    for (int a : argnums) {
      if (a < 0 || a >= xs.length) {
        throw new IllegalArgumentException(
            op + ": argnum " + a + " is out of range for " + xs.length + " argument"
                + (xs.length == 1 ? "" : "s") + " (0.." + (xs.length - 1) + ")");
      }
      if (!xs[a].dtype().isFloatingPoint()) {
        throw new IllegalArgumentException(
            op + ": argument " + a + " is " + xs[a].dtype()
                + "; only floating-point arguments can be differentiated");
      }
    }
  }

  private static void checkTangents(String op, Tensor[] primals, Tensor[] tangents) {
    checkArgs(op, "primals", primals);
    checkArgs(op, "tangents", tangents);
    if (primals.length != tangents.length) {
      throw new ShapeException(
          op + ": one tangent per primal: " + primals.length + " primals, " + tangents.length
              + " tangents");
    }
    for (int i = 0; i < primals.length; i++) {
      if (!Arrays.equals(primals[i].shape(), tangents[i].shape())) {
        try (var o = Anomaly.operands(op, "primal " + i, primals[i], "tangent " + i, tangents[i])) {
          throw new ShapeException(
              op + ": tangent " + i + " has shape " + Shapes.str(tangents[i].shape())
                  + " but primal " + i + " has shape " + Shapes.str(primals[i].shape()));
        }
      }
    }
  }

  // ================================================================== vmap

  /** An {@code inDims} entry for an argument that {@link #vmap} passes whole to every sample. */
  public static final int NOT_BATCHED = Integer.MIN_VALUE;

  /**
   * {@link #vmap(TensorFn, int[], int)} mapping every argument over its axis 0 and stacking the
   * results along axis 0: {@code vmap(f)(X) = stack(f(X[0]), ..., f(X[B-1]))}.
   *
   * <pre>{@code
   * Tensor x = Tensor.of(new double[][] {{1, 2}, {3, 4}});
   * Tensor r = Func.vmap(xs -> xs[0].square().sum()).apply(x); // [5, 25]
   * }</pre>
   */
  public static TensorFn vmap(TensorFn f) {
    checkNotNull(f, "vmap: f is null");
    return xs -> {
      checkNotNull(xs, "vmap: args is null");
      return vmap(f, new int[xs.length], 0).apply(xs);
    };
  }

  /**
   * The vectorising map of torch.func: {@code vmap(f, inDims, outDim)(x_1, ..., x_n)} stacks
   * {@code f(x_1[i], ..., x_n[i])} along {@code outDim}, where {@code x_k[i]} is the slice {@code
   * i} of {@code x_k} along {@code inDims[k]}, or {@code x_k} itself for {@link #NOT_BATCHED}.
   * There is no Java loop over samples: {@code f} runs once on batched tensors, whose shape
   * methods report a sample's (logical) shape, and each primitive's batching rule computes all
   * samples at once. Negative dims count from the end. Per-sample gradients:
   *
   * <pre>{@code
   * TensorFn loss = a -> a[1].matmul(a[0]).sub(a[2]).square().sum();      // w, x, y
   * Tensor perSample = Func.vmap(Func.grad(loss), new int[] {Func.NOT_BATCHED, 0, 0}, 0)
   *     .apply(w, X, Y);                                                  // [B, in, out]
   * }</pre>
   *
   * <p>Gradients flow through {@code vmap}: {@code grad(x -> vmap(f).apply(x).sum())} and
   * {@code backward()} on its result reach its arguments (an unmapped one gets the sum over
   * samples). A {@code vmap} inside {@code f} (nested) runs its own level as a loop over its
   * samples; the outer level stays vectorised. Limits: an op without a batching rule throws
   * {@code vmap: no batching rule for '<op>'}; reading values ({@code item}, {@code get},
   * {@code toDoubleArray}) inside {@code f} throws.
   *
   * @throws IllegalArgumentException when called, for a wrong number of arguments, a dim out of
   *     range, no mapped argument, or mapped arguments of different batch sizes
   */
  public static TensorFn vmap(TensorFn f, int[] inDims, int outDim) {
    checkNotNull(f, "vmap: f is null");
    checkNotNull(inDims, "vmap: inDims is null");
    int[] dims = inDims.clone();
    TensorsFn many = ys -> {
      Tensor r = f.apply(ys);
      if (r == null) {
        throw new NullPointerException("vmap: f returned null");
      }
      return new Tensor[] {r};
    };
    return xs -> vmapAt(many, dims, outDim, xs)[0];
  }

  /**
   * {@link #vmap(TensorFn, int[], int)} for a function of several outputs, each stacked along
   * {@code outDim}: per-sample gradients with respect to several parameters in one call,
   * {@code vmapMany(Func.grad(loss, 0, 1), new int[] {NOT_BATCHED, NOT_BATCHED, 0, 0}, 0)}.
   *
   * <pre>{@code
   * TensorsFn f = xs -> new Tensor[] {xs[0].sum(), xs[0].square()};
   * Tensor[] r = Func.vmapMany(f, new int[] {0}, 0).apply(Tensor.of(new double[][] {{1, 2}, {3, 4}}));
   * // r[0] = [3, 7], r[1] = [[1, 4], [9, 16]]
   * }</pre>
   */
  public static TensorsFn vmapMany(TensorsFn f, int[] inDims, int outDim) {
    checkNotNull(f, "vmapMany: f is null");
    checkNotNull(inDims, "vmapMany: inDims is null");
    int[] dims = inDims.clone();
    return xs -> vmapAt(f, dims, outDim, xs);
  }

  /**
   * One vmap call: {@code f} once on the batched arguments, each output unbatched to {@code
   * outDim}; inside another vmap (nested), a Java loop over this level's samples instead.
   */
  private static Tensor[] vmapAt(TensorsFn f, int[] dims, int outDim, Tensor[] xs) {
    int[] mapped = new int[dims.length];
    int batch = checkMapped(xs, dims, mapped);
    if (VmapBoundary.inside()) {
      return nestedLoop(f, mapped, batch, outDim, xs);
    }
    Tensor[] in = new Tensor[xs.length];
    for (int k = 0; k < xs.length; k++) {
      // Recorded: a gradient taken around vmap reaches the argument.
      in[k] = mapped[k] < 0 ? xs[k] : VmapBoundary.toBatched(xs[k], mapped[k]);
    }
    Tensor[] rs;
    try (VmapBoundary.Scope scope = VmapBoundary.enter()) {
      rs = f.apply(in);
    }
    checkVmapOutputs(rs);
    Tensor[] out = new Tensor[rs.length];
    for (int i = 0; i < rs.length; i++) {
      out[i] = unbatch(rs[i], batch, outDim);
    }
    return out;
  }

  /**
   * A vmap inside another vmap's {@code f}: {@code f} per sample of this level (slices, with
   * {@code select}, of tensors that the outer level may have batched), stacked along {@code
   * outDim}. Only the outer level is vectorised: a batched tensor carries one batch axis, and
   * tensors of the outer level that {@code f} captures cannot be told apart from this level's
   * (see docs/transforms.md); a loop over this level keeps every sample at the outer level.
   */
  private static Tensor[] nestedLoop(TensorsFn f, int[] mapped, int batch, int outDim,
      Tensor[] xs) {
    if (batch == 0) {
      throw new UnsupportedOperationException(
          "vmap: a nested vmap over an empty batch is not supported (no sample to run f on)");
    }
    List<Tensor[]> per = new ArrayList<>(batch);
    for (int j = 0; j < batch; j++) {
      Tensor[] sample = new Tensor[xs.length];
      for (int k = 0; k < xs.length; k++) {
        sample[k] = mapped[k] < 0 ? xs[k] : xs[k].select(mapped[k], j);
      }
      Tensor[] rs = f.apply(sample);
      checkVmapOutputs(rs);
      per.add(rs);
    }
    Tensor[] out = new Tensor[per.get(0).length];
    for (int m = 0; m < out.length; m++) {
      List<Tensor> parts = new ArrayList<>(batch);
      for (Tensor[] rs : per) {
        parts.add(rs[m]);
      }
      int od = Shapes.axis("vmap", outDim, parts.get(0).rank() + 1);
      out[m] = Tensor.stack(parts, od);
    }
    return out;
  }

  private static void checkVmapOutputs(Tensor[] rs) {
    if (rs == null) {
      throw new NullPointerException("vmap: f returned null");
    }
    for (int i = 0; i < rs.length; i++) {
      if (rs[i] == null) {
        throw new NullPointerException("vmap: f returned null as output " + i);
      }
    }
  }

  /**
   * Checks a vmap call's arguments against {@code dims} and returns the batch size; {@code
   * mapped[k]} receives argument k's mapped axis (non-negative), or -1 for {@link #NOT_BATCHED}.
   */
  private static int checkMapped(Tensor[] xs, int[] dims, int[] mapped) {
    checkNotNull(xs, "vmap: args is null");
    if (xs.length != dims.length) {
      throw new IllegalArgumentException(
          "vmap: inDims has " + dims.length + " entries for " + xs.length + " arguments");
    }
    int batch = -1;
    int first = -1;
    for (int k = 0; k < xs.length; k++) {
      Tensor x = xs[k];
      if (x == null) {
        throw new NullPointerException("vmap: args[" + k + "] is null");
      }
      if (dims[k] == NOT_BATCHED) {
        mapped[k] = -1;
        continue;
      }
      if (x.rank() == 0) {
        throw new IllegalArgumentException(
            "vmap: argument " + k + " is 0-d and cannot be mapped over dim " + dims[k]);
      }
      int d = Shapes.axis("vmap", dims[k], x.rank());
      mapped[k] = d;
      int size = x.size(d);
      if (batch < 0) {
        batch = size;
        first = k;
      } else if (size != batch) {
        try (var o = Anomaly.operands(
            "vmap", "argument " + first, xs[first], "argument " + k, x)) {
          throw new ShapeException("vmap: mismatched batch sizes: argument " + first
              + " has " + batch + " along its mapped dim, argument " + k + " has " + size
              + " along dim " + dims[k] + " (shape " + Shapes.str(x.shape()) + ")");
        }
      }
    }
    if (batch < 0) {
      throw new IllegalArgumentException(
          "vmap: no argument is mapped (every inDim is NOT_BATCHED)");
    }
    return batch;
  }

  /**
   * A result of {@code f} as a plain tensor with the batch axis at {@code outDim}, recorded so
   * that a gradient taken around vmap flows back into {@code f}'s graph.
   */
  private static Tensor unbatch(Tensor r, int batch, int outDim) {
    return VmapBoundary.fromBatched(r, batch, outDim);
  }
}
