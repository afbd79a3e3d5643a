package dev.cadena.optim;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.autograd.GradMode;
import dev.cadena.nn.Checks;
import dev.cadena.tensor.NDArray;
import dev.cadena.tensor.Shapes;
import dev.cadena.tensor.Updates;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Base of the optimisers: a fixed list of parameters, a learning rate, and per-parameter state
 * kept by position (parameter {@code i} of the list owns state slot {@code i}).
 *
 * <p>{@link #step()} visits every parameter whose {@code grad()} is non-null, in order, and calls
 * the subclass's {@link #update} once with the parameter's and the gradient's arrays; the
 * subclass applies its rule with one fused kernel of {@link Updates}, which writes the parameter
 * in place. Parameters without a gradient are skipped and their step count does not advance, as
 * in PyTorch.
 *
 * <p><b>Storage.</b> The update runs in the parameter's dtype: a float32 parameter is updated in
 * float32 arithmetic and is never copied to float64. Its version counter is bumped, so that a
 * graph recorded before the step fails on backward instead of using the new values. A strided
 * parameter (a view) is updated through a contiguous copy that is written back; a gradient is
 * read, never written, and one that is strided or of the other float dtype is first copied.
 * Optimiser state (momentum buffers, moment estimates) has the parameter's dtype and shape, as in
 * PyTorch, and is allocated on a parameter's first step.
 *
 * <pre>{@code
 * Optimizer opt = SGD.builder(model.parameters()).lr(0.1).momentum(0.9).build();
 * for (Batch b : batches) {
 *   opt.zeroGrad();
 *   lossFn(model.forward(b.x()), b.y()).backward();
 *   opt.step();
 * }
 * }</pre>
 */
public abstract class Optimizer {
  private final String name;
  private final List<Tensor> params;
  private final long[] steps;
  /** What the "modified in place" error calls this optimiser's update: {@code "SGD.step"}. */
  private final String stepName;
  private double lr;

  /**
   * Checks and takes a copy of the parameter list.
   *
   * @param name the optimiser's name, used in messages and {@link #toString()}
   * @throws NullPointerException when the list or a parameter is null, naming its index
   * @throws IllegalArgumentException when the list is empty, or a parameter does not require
   *     grad, is not a leaf, or appears twice; or when {@code lr} is negative or not finite
   */
  protected Optimizer(String name, Iterable<Tensor> params, double lr) {
    this.name = name;
    this.params = checkParameters(name, params);
    this.lr = Checks.nonNegative(name, "lr", lr);
    this.steps = new long[this.params.size()];
    this.stepName = name + ".step";
  }

  private static List<Tensor> checkParameters(String name, Iterable<Tensor> params) {
    checkNotNull(params, "%s: params is null", name);
    List<Tensor> list = new ArrayList<>();
    Map<Tensor, Integer> seen = new IdentityHashMap<>();
    for (Tensor p : params) {
      int i = list.size();
      if (p == null) {
        throw new NullPointerException(name + ": params[" + i + "] is null");
      }
      String what = "parameter " + i + " (shape " + Shapes.str(p.shape()) + ", " + p.dtype() + ")";
      if (!p.isLeaf()) {
        throw new IllegalArgumentException(
            name + ": " + what + " is not a leaf (it was produced by '" + p.gradFn().name()
                + "'); optimise the leaf tensors it was computed from");
      }
      if (!p.requiresGrad()) {
        throw new IllegalArgumentException(
            name + ": " + what + " does not require grad; call requiresGrad(true) on it or leave it out");
      }
      Integer earlier = seen.put(p, i);
      if (earlier != null) {
        throw new IllegalArgumentException(
            name + ": parameter " + i + " is the same tensor as parameter " + earlier
                + "; pass each parameter once");
      }
      list.add(p);
    }
    if (list.isEmpty()) {
      throw new IllegalArgumentException(name + ": parameter list is empty; pass e.g. model.parameters()");
    }
    return Collections.unmodifiableList(list);
  }

  /**
   * Applies one update to every parameter that has a gradient, in place and without recording a
   * graph. Parameters whose {@code grad()} is null are skipped.
   */
  public final void step() {
    try (GradMode.Scope scope = GradMode.noGrad()) {
      for (int i = 0; i < params.size(); i++) {
        Tensor p = params.get(i);
        Tensor g = p.borrowGrad();
        if (g == null) {
          continue;
        }
        steps[i]++;
        update(i, p.data(), g.data());
        p.data().nameLastUpdate(stepName);
      }
    }
  }

  /**
   * Applies this optimiser's rule to parameter {@code index} in place, from its gradient {@code
   * grad} (of the same shape; it must not be written), with a kernel of {@link Updates}, which
   * bumps the parameter's version. Called by {@link #step()} once per parameter with a gradient,
   * after {@link #stepCount(int)} has been advanced (it is 1 on the first call).
   */
  protected abstract void update(int index, NDArray param, NDArray grad);

  /** A zero state buffer for {@code param}: contiguous, of its dtype and shape. */
  protected static NDArray newState(NDArray param) {
    return NDArray.zeros(param.dtype(), param.shape());
  }

  /** Clears every parameter's gradient (sets it to null, PyTorch's {@code set_to_none=True}). */
  public final void zeroGrad() {
    for (Tensor p : params) {
      p.zeroGrad();
    }
  }

  /** The current learning rate. */
  public final double learningRate() {
    return lr;
  }

  /**
   * Sets the learning rate used by the next {@link #step()} (schedules call this).
   *
   * @throws IllegalArgumentException when {@code lr} is negative or not finite
   */
  public final void setLearningRate(double lr) {
    this.lr = Checks.nonNegative(name, "lr", lr);
  }

  /** The parameters, in the order given at construction (an unmodifiable list). */
  public final List<Tensor> parameters() {
    return params;
  }

  /** How many updates parameter {@code index} has received (its {@code t} in the formulas). */
  public final long stepCount(int index) {
    checkIndex(index);
    return steps[index];
  }

  /**
   * A snapshot of parameter {@code index}'s state: {@code "step"} (a 0-d tensor) and the
   * optimiser's buffers under PyTorch's names ({@code "momentum_buffer"}, {@code "exp_avg"},
   * {@code "exp_avg_sq"}, {@code "square_avg"}, {@code "grad_avg"}, {@code "sum"}) as tensors of
   * the parameter's dtype and shape. Buffers not allocated yet are absent. The tensors are copies:
   * changing them does not change the optimiser.
   */
  public final Map<String, Tensor> state(int index) {
    checkIndex(index);
    Map<String, Tensor> out = new LinkedHashMap<>();
    out.put("step", Tensor.scalar(steps[index]));
    for (Map.Entry<String, NDArray> e : stateBuffers(index).entrySet()) {
      if (e.getValue() != null) {
        out.put(e.getKey(), Tensor.fromData(e.getValue().copy()));
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * The state buffers of parameter {@code index} by name: exactly the buffers this optimiser's
   * configuration keeps (e.g. no {@code "momentum_buffer"} for SGD without momentum), with null
   * values for those not allocated yet (before the parameter's first step).
   */
  protected abstract Map<String, NDArray> stateBuffers(int index);

  /**
   * Replaces buffer {@code name} (one of the keys of {@link #stateBuffers(int)}) of parameter
   * {@code index} by {@code value}, a contiguous array of the parameter's dtype and shape that the
   * optimiser now owns; called by {@link #loadState} after it has checked all of that.
   */
  protected abstract void restoreStateBuffer(int index, String name, NDArray value);

  /**
   * Restores parameter {@code index}'s state from a map in the form {@link #state(int)} returns:
   * {@code "step"} (a one-element tensor holding a whole number {@code >= 0}) and, when the step
   * is positive, every buffer this optimiser keeps, each of the parameter's dtype and shape. The
   * values are copied. After {@code loadState(i, other.state(i))} for every {@code i} (and the
   * same learning rate) this optimiser continues bitwise as {@code other} would.
   *
   * <pre>{@code
   * Map<String, Tensor> saved = opt.state(0);
   * // ... later, in a new process with a new optimiser over the restored parameters:
   * opt2.loadState(0, saved);
   * }</pre>
   *
   * <p>Everything is checked before anything changes, so a bad map leaves the state as it was.
   *
   * @throws NullPointerException when {@code state} or one of its values is null
   * @throws IllegalArgumentException when {@code index} is out of range, {@code "step"} is
   *     missing or not a whole number {@code >= 0}, a buffer is unknown to this optimiser, missing
   *     (for a positive step) or present (for step 0), or has another dtype or shape than the
   *     parameter; the message names the optimiser, the parameter and the values
   */
  public final void loadState(int index, Map<String, Tensor> state) {
    checkNotNull(state, "%s.loadState: state is null", name);
    checkIndex(index);
    Map<String, NDArray> checked = checkState(index, state);
    steps[index] = stepOf(index, state);
    for (Map.Entry<String, NDArray> e : checked.entrySet()) {
      restoreStateBuffer(index, e.getKey(), e.getValue());
    }
  }

  /**
   * Every parameter's state in one flat map, keyed {@code "<index>.<name>"}: {@code "0.step"},
   * {@code "0.exp_avg"}, ..., {@code "1.step"}, ... (copies, as {@link #state(int)}); what
   * {@link #loadStateDict} restores, e.g. from a safetensors checkpoint.
   */
  public final Map<String, Tensor> stateDict() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (int i = 0; i < params.size(); i++) {
      for (Map.Entry<String, Tensor> e : state(i).entrySet()) {
        out.put(i + "." + e.getKey(), e.getValue());
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * Restores every parameter's state from a map in the form of {@link #stateDict()}. All entries
   * are checked (as {@link #loadState} does for each parameter, and no key may be left over)
   * before any state changes.
   *
   * @throws NullPointerException when {@code stateDict} or one of its values is null
   * @throws IllegalArgumentException when a key is not {@code "<index>.<name>"} with an index in
   *     range, a parameter's {@code "step"} is missing, or a parameter's state fails the checks of
   *     {@link #loadState}
   */
  public final void loadStateDict(Map<String, Tensor> stateDict) {
    checkNotNull(stateDict, "%s.loadStateDict: stateDict is null", name);
    List<Map<String, Tensor>> perParam = new ArrayList<>();
    for (int i = 0; i < params.size(); i++) {
      perParam.add(new LinkedHashMap<>());
    }
    for (Map.Entry<String, Tensor> e : stateDict.entrySet()) {
      String key = e.getKey();
      int dot = key == null ? -1 : key.indexOf('.');
      int index = -1;
      if (dot > 0) {
        try {
          index = Integer.parseInt(key.substring(0, dot));
        } catch (NumberFormatException ex) {
          index = -1;
        }
      }
      if (index < 0 || index >= params.size()) {
        throw new IllegalArgumentException(
            name + ".loadStateDict: key '" + key + "' is not '<index>.<name>' with an index in [0, "
                + params.size() + ")");
      }
      perParam.get(index).put(key.substring(dot + 1), e.getValue());
    }
    List<Map<String, NDArray>> checked = new ArrayList<>();
    for (int i = 0; i < params.size(); i++) {
      checked.add(checkState(i, perParam.get(i)));
    }
    for (int i = 0; i < params.size(); i++) {
      steps[i] = stepOf(i, perParam.get(i));
      for (Map.Entry<String, NDArray> e : checked.get(i).entrySet()) {
        restoreStateBuffer(i, e.getKey(), e.getValue());
      }
    }
  }

  /** Checks parameter {@code index}'s state map; returns contiguous copies of its buffers. */
  private Map<String, NDArray> checkState(int index, Map<String, Tensor> state) {
    NDArray param = params.get(index).data();
    String what = name + ".loadState: parameter " + index + " (shape " + Shapes.str(param.shape())
        + ", " + param.dtype() + ")";
    long step = stepOf(index, state);
    Map<String, NDArray> known = stateBuffers(index);
    Map<String, NDArray> out = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : state.entrySet()) {
      String key = e.getKey();
      if ("step".equals(key)) {
        continue;
      }
      Tensor t = e.getValue();
      if (t == null) {
        throw new NullPointerException(what + ": buffer '" + key + "' is null");
      }
      if (!known.containsKey(key)) {
        throw new IllegalArgumentException(
            what + ": unknown state buffer '" + key + "' (this optimiser keeps " + known.keySet()
                + ")");
      }
      if (step == 0) {
        throw new IllegalArgumentException(
            what + ": step is 0 but buffer '" + key + "' is given; a parameter that has not"
                + " stepped has no buffers");
      }
      NDArray a = t.data();
      if (a.dtype() != param.dtype() || !Arrays.equals(a.shape(), param.shape())) {
        throw new IllegalArgumentException(
            what + ": buffer '" + key + "' has shape " + Shapes.str(a.shape()) + ", " + a.dtype()
                + "; expected the parameter's shape and dtype");
      }
      out.put(key, a.copy());
    }
    if (step > 0) {
      for (String key : known.keySet()) {
        if (!out.containsKey(key)) {
          throw new IllegalArgumentException(
              what + ": step is " + step + " but buffer '" + key + "' is missing (this optimiser"
                  + " keeps " + known.keySet() + ")");
        }
      }
    }
    return out;
  }

  private long stepOf(int index, Map<String, Tensor> state) {
    String what = name + ".loadState: parameter " + index;
    if (!state.containsKey("step")) {
      throw new IllegalArgumentException(what + ": \"step\" is missing (keys " + state.keySet() + ")");
    }
    Tensor t = state.get("step");
    if (t == null) {
      throw new NullPointerException(what + ": \"step\" is null");
    }
    if (t.numel() != 1) {
      throw new IllegalArgumentException(
          what + ": \"step\" must hold one value, got shape " + Shapes.str(t.shape()));
    }
    double v = t.item();
    if (!(v >= 0) || v != Math.rint(v) || v > Long.MAX_VALUE) {
      throw new IllegalArgumentException(
          what + ": \"step\" must be a whole number >= 0, got " + v);
    }
    return (long) v;
  }

  private void checkIndex(int index) {
    if (index < 0 || index >= params.size()) {
      throw new IllegalArgumentException(
          name + ": parameter index " + index + " is out of range for " + params.size() + " parameters");
    }
  }

  /** The optimiser's name ({@code "Adam"}, {@code "SGD"}, ...). */
  public final String name() {
    return name;
  }

  /** The hyper-parameters other than lr, e.g. {@code momentum=0.9, nesterov=true}. */
  protected abstract String extraRepr();

  /** {@code Adam(lr=0.001, betas=(0.9, 0.999), eps=1.0E-8, weightDecay=0.0)}. */
  @Override
  public final String toString() {
    String extra = extraRepr();
    return name + "(lr=" + lr + (extra.isEmpty() ? "" : ", " + extra) + ")";
  }
}
