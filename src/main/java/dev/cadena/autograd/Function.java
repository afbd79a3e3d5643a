package dev.cadena.autograd;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.Shapes;
import org.jspecify.annotations.Nullable;

/**
 * A user-defined differentiable op, like {@code torch.autograd.Function}: a forward that computes
 * the result (run with grad mode off) and a backward (the vector-Jacobian product) that returns
 * one gradient per input. Write the backward with tensor ops and it can be differentiated again.
 *
 * <pre>{@code
 * // f(x) = x^3 with its derivative 3x^2
 * Function cube = new Function("cube") {
 *   protected Tensor forward(Context ctx, Tensor... in) {
 *     ctx.saveForBackward(in[0]);
 *     return in[0].pow(3);
 *   }
 *   protected Tensor[] backward(Context ctx, Tensor grad) {
 *     Tensor x = ctx.saved(0);
 *     return new Tensor[] {grad.mul(x.pow(2).mul(3))};
 *   }
 * };
 * Tensor y = cube.apply(x);
 * }</pre>
 *
 * Check a new op with {@link GradCheck} before trusting it.
 *
 * <p><b>Forward mode</b> ({@link ForwardAD}): override {@link #jvp} to give the op's
 * Jacobian-vector product. Without it, forward mode through the op still works, by the
 * double-VJP trick: the output's tangent is {@code d/du <backward(u), t>}, the gradient with
 * respect to a dummy upstream gradient {@code u} of the (linear in {@code u}) inner product of
 * the VJP with the input tangents. That costs two extra backward passes per call (the VJP once
 * with a graph, then a backward through it), and the tangent it gives is not differentiable
 * with respect to the inputs (only to the tangents and the saved values); a hand-written
 * {@code jvp} avoids both.
 */
public abstract class Function {
  private final String name;

  /** @param name the op's name, shown in {@code grad_fn} and error messages */
  protected Function(String name) {
    this.name = checkNotNull(name, "Function: name is null");
  }

  /** The op's name. */
  public final String name() {
    return name;
  }

  /** What forward passes to backward. */
  public static final class Context {
    private Object[] saved = new Object[0];
    private Node node;
    private boolean[] needs;
    private int[] outShape;
    private DType outDtype;

    /** Saves tensors (or other values) for backward; tensors are checked for later in-place changes. */
    public void saveForBackward(Object... values) {
      checkNotNull(values, "saveForBackward: values is null");
      saved = values.clone();
    }

    /**
     * Saved value {@code i}, cast to the caller's type.
     *
     * @throws AutogradException when a saved tensor was modified in place after the forward pass
     */
    @SuppressWarnings("unchecked")
    public <T> T saved(int i) {
      if (node != null) {
        return (T) node.saved(i);
      }
      return (T) saved[i];
    }

    /** True when input {@code i} needs a gradient (skip computing the others). */
    public boolean needsInputGrad(int i) {
      return needs != null && i < needs.length && needs[i];
    }
  }

  /** Computes the result from the inputs. Runs with grad mode off. */
  protected abstract Tensor forward(Context ctx, Tensor... inputs);

  /**
   * Given the gradient of the result, returns one gradient per input (each of its input's shape,
   * or broadcastable to it); an entry may be null where {@link Context#needsInputGrad} is false.
   */
  protected abstract Tensor[] backward(Context ctx, Tensor grad);

  /**
   * The Jacobian-vector product for forward mode: given one tangent per input ({@code null} for
   * an input without one), the tangent of the result (its shape, or broadcastable to it; null for
   * zero). Write it with tensor ops. The default uses the double-VJP trick (see the class
   * comment): {@code d/du sum_i <backward(ctx, u)_i, tangents[i]>} at {@code u = 0}, two extra
   * backward passes per call.
   *
   * <pre>{@code
   * // cube: d(x^3) = 3 x^2 t
   * protected Tensor jvp(Context ctx, Tensor[] tangents) {
   *   Tensor x = ctx.saved(0);
   *   return tangents[0].mul(x.pow(2).mul(3));
   * }
   * }</pre>
   */
  protected @Nullable Tensor jvp(Context ctx, @Nullable Tensor[] tangents) {
    checkNotNull(ctx, "%s: ctx is null", name);
    checkNotNull(tangents, "%s: tangents is null", name);
    boolean[] was = ctx.needs;
    boolean[] needs = new boolean[tangents.length];
    for (int i = 0; i < tangents.length; i++) {
      needs[i] = tangents[i] != null;
    }
    ctx.needs = needs;
    try (GradMode.Scope scope = GradMode.enableGrad()) {
      Tensor u = Tensor.zeros(ctx.outDtype, ctx.outShape).requiresGrad(true);
      Tensor[] g = backward(ctx, u);
      Tensor s = null;
      for (int i = 0; g != null && i < g.length && i < tangents.length; i++) {
        if (g[i] != null && tangents[i] != null) {
          Tensor term = g[i].mul(tangents[i]).sum();
          s = s == null ? term : s.add(term);
        }
      }
      if (s == null || !s.requiresGrad()) {
        return null; // the VJP does not depend on u: a zero tangent
      }
      Tensor one = Tensor.scalar(1.0, s.dtype());
      return Engine.grad(new Tensor[] {s}, new Tensor[] {u}, new Tensor[] {one}, true, true)[0];
    } finally {
      ctx.needs = was;
    }
  }

  /** Applies the op, recording a node when grad mode is on and an input requires grad. */
  public final Tensor apply(Tensor... inputs) {
    checkNotNull(inputs, "%s: inputs is null", name);
    for (int i = 0; i < inputs.length; i++) {
      if (inputs[i] == null) {
        throw new NullPointerException(name + ": inputs[" + i + "] is null");
      }
    }
    Context ctx = new Context();
    ctx.needs = new boolean[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      ctx.needs[i] = inputs[i].requiresGrad();
    }
    Tensor result;
    try (GradMode.Scope scope = GradMode.noGrad();
        ForwardAD.Scope noTangents = ForwardAD.suppress()) {
      result = forward(ctx, inputs); // its tangent comes from jvp, not from the forward's ops
    }
    if (result == null) {
      throw new IllegalStateException(name + ": forward returned null");
    }
    ctx.outShape = result.shape();
    ctx.outDtype = result.dtype();
    Tensor out = Node.record(name, result.data(), inputs, (node, grad) -> {
      Tensor[] g = backward(ctx, grad);
      if (g == null || g.length != inputs.length) {
        throw new IllegalStateException(
            name + ": backward returned " + (g == null ? "null" : g.length + " gradients") + " for "
                + inputs.length + " inputs");
      }
      for (int i = 0; i < g.length; i++) {
        if (g[i] != null && !Shapes.broadcastsTo(inputs[i].shape(), g[i].shape())) {
          throw new IllegalStateException(
              name + ": backward returned a gradient of shape " + Shapes.str(g[i].shape())
                  + " for input " + i + " of shape " + Shapes.str(inputs[i].shape()));
        }
      }
      return g;
    }, (t, in, o) -> jvp(ctx, t));
    Node node = out.gradFn();
    if (node != null) {
      node.save(ctx.saved);
      ctx.node = node;
    }
    return out;
  }
}
