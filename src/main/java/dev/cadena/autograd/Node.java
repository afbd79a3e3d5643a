package dev.cadena.autograd;

import dev.cadena.Tensor;
import dev.cadena.tensor.NDArray;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * One application of a differentiable op in the graph: the op's name, its input edges, the
 * tensors its vector-Jacobian product reads (its inputs and its output, each saved with the version
 * it had in the forward pass) and the VJP itself.
 *
 * <p>Ops create nodes through {@link #record}; the VJP is a lambda written with tensor ops, so
 * that with {@code createGraph} the backward pass is itself recorded and can be differentiated
 * again:
 *
 * <pre>{@code
 * // exp: d/dx e^x = e^x, so the VJP reuses the forward result
 * return Node.record("exp", x.data().unary(UnaryOp.EXP), new Tensor[] {x},
 *     (n, grad) -> new Tensor[] {grad.mul(n.out())});
 * }</pre>
 */
public final class Node {
  /** A vector-Jacobian product: given the gradient of the output, the gradient of each input. */
  @FunctionalInterface
  public interface Vjp {
    /**
     * Returns one gradient per input, each of the input's shape or broadcastable to it (the engine
     * sums broadcast dimensions back). An entry may be null only where {@link #needsGrad} is false.
     */
    Tensor[] apply(Node node, Tensor grad);
  }

  private final String name;
  private Tensor[] inputs;
  private int[] inputVersions;
  private Tensor out;
  private int outVersion;
  private Vjp vjp;
  private boolean released;
  private Object[] saved;
  private int[] savedVersions;
  /**
   * Engine scratch, primitives only (a backward pass then writes no reference into a node that
   * may be old): the consumers whose contribution the running backward still waits for, and
   * this node's index in the pass's tables.
   */
  int dependencies;
  int slot;
  /** Engine scratch: the id of the last traversal that visited this node. */
  long visitStamp;

  private Node(String name, Tensor[] inputs, Vjp vjp) {
    this.name = name;
    this.inputs = inputs;
    this.vjp = vjp;
    this.inputVersions = new int[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      inputVersions[i] = inputs[i].version();
    }
  }

  /**
   * Wraps a forward result as a tensor and, when grad mode is on and any input requires grad,
   * attaches a node with the given VJP (otherwise the VJP is dropped and the result is a plain
   * constant).
   *
   * @param name the op's name, used in error messages and {@code toString()}
   * @param result the forward value
   * @param inputs the op's differentiable inputs, in the order the VJP returns gradients
   * @param vjp the vector-Jacobian product
   */
  public static Tensor record(String name, NDArray result, Tensor[] inputs, Vjp vjp) {
    if (!GradMode.isEnabled() || !anyRequiresGrad(inputs)) {
      return Tensor.fromData(result);
    }
    Node node = new Node(name, inputs.clone(), vjp);
    Tensor t = TensorAccess.get().fromNode(result, node);
    node.out = t;
    node.outVersion = t.version();
    return t;
  }

  private static boolean anyRequiresGrad(Tensor[] inputs) {
    for (Tensor t : inputs) {
      if (t.requiresGrad()) {
        return true;
      }
    }
    return false;
  }

  /** The op's name, e.g. {@code "matmul"}. */
  public String name() {
    return name;
  }

  /** The input edges (empty once the graph was freed by a backward pass). */
  public List<Tensor> inputs() {
    return inputs == null ? Collections.emptyList() : Collections.unmodifiableList(Arrays.asList(inputs));
  }

  /** Number of inputs. */
  public int inputCount() {
    return inputs == null ? 0 : inputs.length;
  }

  /** True when input {@code i} needs a gradient (it, or something it depends on, requires grad). */
  public boolean needsGrad(int i) {
    return inputs != null && inputs[i].requiresGrad();
  }

  /**
   * Input {@code i} as saved in the forward pass, for use inside a VJP.
   *
   * @throws AutogradException when it was modified in place after the forward pass
   */
  public Tensor input(int i) {
    checkLive();
    Tensor t = inputs[i];
    if (t.version() != inputVersions[i]) {
      throw modified("input " + i, inputVersions[i], t.version());
    }
    return t;
  }

  /**
   * The op's output, for VJPs that reuse the forward result (exp, tanh, sigmoid, sqrt).
   *
   * @throws AutogradException when it was modified in place after the forward pass
   */
  public Tensor out() {
    checkLive();
    if (out.version() != outVersion) {
      throw modified("its output", outVersion, out.version());
    }
    return out;
  }

  /** Saves extra values for the VJP (used by {@link Function}); tensors are version-checked. */
  void save(Object[] values) {
    saved = values.clone();
    savedVersions = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      if (values[i] instanceof Tensor) {
        savedVersions[i] = ((Tensor) values[i]).version();
      }
    }
  }

  Object saved(int i) {
    checkLive();
    if (saved == null || i < 0 || i >= saved.length) {
      throw new AutogradException(
          name + ": saved value " + i + " does not exist (" + (saved == null ? 0 : saved.length)
              + " saved)");
    }
    Object v = saved[i];
    if (v instanceof Tensor && ((Tensor) v).version() != savedVersions[i]) {
      throw modified("saved tensor " + i, savedVersions[i], ((Tensor) v).version());
    }
    return v;
  }

  private AutogradException modified(String what, int was, int now) {
    return new AutogradException(
        "backward: " + what + " of '" + name + "' was modified in place after the forward pass"
            + " (version " + was + " -> " + now + "); compute the forward again after the update,"
            + " or update a copy");
  }

  private void checkLive() {
    if (released) {
      throw freedError();
    }
  }

  AutogradException freedError() {
    return new AutogradException(
        "backward: the graph through '" + name + "' was already freed by an earlier backward();"
            + " pass retainGraph=true to the first backward to call it twice");
  }

  /** Marks the node as reached by traversal {@code stamp}, numbered {@code slot}. */
  void startPass(long stamp, int slot) {
    visitStamp = stamp;
    this.slot = slot;
    dependencies = 0;
  }

  boolean isReleased() {
    return released;
  }

  Tensor[] inputArray() {
    return inputs;
  }

  Tensor output() {
    return out;
  }

  Tensor[] runVjp(Tensor grad) {
    checkLive();
    Tensor[] g = vjp.apply(this, grad);
    if (g == null || g.length != inputs.length) {
      throw new IllegalStateException(
          "engine: vjp of '" + name + "' returned " + (g == null ? "null" : g.length + " gradients")
              + " for " + inputs.length + " inputs");
    }
    return g;
  }

  /** Frees what the VJP holds; a later backward through this node fails with a clear error. */
  void release() {
    released = true;
    inputs = null;
    vjp = null;
    out = null;
    saved = null;
  }

  @Override
  public String toString() {
    return name;
  }
}
