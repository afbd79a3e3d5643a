package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.autograd.Anomaly;
import dev.cadena.autograd.GradMode;
import dev.cadena.tensor.ShapeException;
import dev.cadena.tensor.Shapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A building block of a network, like {@code torch.nn.Module}: it owns named parameters (leaf
 * tensors that require grad), buffers (state that is saved but not trained, such as running
 * statistics) and child modules, and maps an input tensor to an output with {@link #forward}.
 *
 * <p>Names are recursive and stable: a child registered as {@code "0"} whose parameter is
 * {@code "weight"} yields {@code "0.weight"}, in registration order. That order is the order of
 * {@link #parameters()}, of saved files and of optimiser state.
 *
 * <p>Subclasses register what they own in their constructor and write {@code forward} as a
 * composition of tensor ops: the graph provides the backward pass.
 *
 * <pre>{@code
 * final class Affine extends Module {          // y = x * scale + shift, per feature
 *   private final Tensor scale;
 *   private final Tensor shift;
 *
 *   Affine(int features) {
 *     scale = registerParameter("scale", Tensor.ones(features));
 *     shift = registerParameter("shift", Tensor.zeros(features));
 *     registerBuffer("calls", Tensor.ofLongs(0));    // saved, not trained
 *   }
 *
 *   @Override
 *   public Tensor forward(Tensor x) {
 *     return x.mul(scale).add(shift);
 *   }
 * }
 * }</pre>
 */
public abstract class Module {
  private final Map<String, Tensor> params = new LinkedHashMap<>();
  private final Map<String, Tensor> buffers = new LinkedHashMap<>();
  private final Map<String, Module> children = new LinkedHashMap<>();
  private boolean training = true;

  /** Maps an input to an output; a composition of tensor ops. */
  public abstract Tensor forward(Tensor input);

  /** Registers a parameter (made a leaf that requires grad); returns it. */
  protected final Tensor registerParameter(String name, Tensor value) {
    checkName(name);
    if (!value.isLeaf()) {
      value = value.detach();
    }
    value.requiresGrad(true);
    params.put(name, value);
    return value;
  }

  /** Registers a buffer (saved with the model, not trained); returns it. */
  protected final Tensor registerBuffer(String name, Tensor value) {
    checkName(name);
    buffers.put(name, value);
    return value;
  }

  /** Registers a child module; returns it. */
  protected final <M extends Module> M registerModule(String name, M module) {
    checkName(name);
    children.put(name, module);
    return module;
  }

  private void checkName(String name) {
    if (name == null || name.isEmpty() || name.contains(".")) {
      throw new IllegalArgumentException(
          getClass().getSimpleName() + ": invalid name '" + name + "' (non-empty, without '.')");
    }
    if (params.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
      throw new IllegalArgumentException(
          getClass().getSimpleName() + ": name '" + name + "' is already registered");
    }
  }

  /** Replaces the value of a registered buffer (e.g. updated running statistics). */
  protected final void setBuffer(String name, Tensor value) {
    if (!buffers.containsKey(name)) {
      throw new IllegalArgumentException(getClass().getSimpleName() + ": no buffer named '" + name + "'");
    }
    buffers.put(name, value);
  }

  /** The buffer registered under {@code name} on this module (not recursive). */
  protected final Tensor buffer(String name) {
    Tensor t = buffers.get(name);
    if (t == null) {
      throw new IllegalArgumentException(getClass().getSimpleName() + ": no buffer named '" + name + "'");
    }
    return t;
  }

  /** All parameters with their dotted names, recursively, in registration order. */
  public final Map<String, Tensor> namedParameters() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    collect("", out, true);
    return Collections.unmodifiableMap(out);
  }

  /** All buffers with their dotted names, recursively. */
  public final Map<String, Tensor> namedBuffers() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    collect("", out, false);
    return Collections.unmodifiableMap(out);
  }

  private void collect(String prefix, Map<String, Tensor> out, boolean parameters) {
    for (Map.Entry<String, Tensor> e : (parameters ? params : buffers).entrySet()) {
      out.put(prefix + e.getKey(), e.getValue());
    }
    for (Map.Entry<String, Module> c : children.entrySet()) {
      c.getValue().collect(prefix + c.getKey() + ".", out, parameters);
    }
  }

  /** All parameters, recursively, in registration order. */
  public final List<Tensor> parameters() {
    return new ArrayList<>(namedParameters().values());
  }

  /** The direct children with their names. */
  public final Map<String, Module> namedChildren() {
    return Collections.unmodifiableMap(children);
  }

  /**
   * Parameters and buffers together, named and laid out as PyTorch's {@code state_dict()} of the
   * equivalent {@code torch.nn} model: this is what {@link dev.cadena.io.ModelFiles} saves. The
   * order is PyTorch's too: a module's own parameters, then its own buffers, then each child's
   * entries under {@code "<child>."}.
   *
   * <p>Most values are the live tensors. A layer whose memory layout differs from PyTorch's gives
   * a view in PyTorch's layout instead, detached from the graph: {@link Linear}'s weight is held
   * {@code [in, out]} and appears here as the {@code [out, in]} transpose (sharing storage).
   *
   * <pre>{@code
   * Sequential m = new Sequential(new Linear(4, 8, true, rng), new BatchNorm1d(8), new ReLU());
   * m.stateDict().keySet();  // [0.weight, 0.bias, 1.weight, 1.bias, 1.running_mean,
   *                          //  1.running_var, 1.num_batches_tracked]
   * m.stateDict().get("0.weight").shape();  // [8, 4], as torch.nn.Linear(4, 8).weight
   * }</pre>
   */
  public final Map<String, Tensor> stateDict() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    collectState("", out);
    return Collections.unmodifiableMap(out);
  }

  private void collectState(String prefix, Map<String, Tensor> out) {
    for (Map.Entry<String, Tensor> e : params.entrySet()) {
      out.put(prefix + e.getKey(), toStateDict(e.getKey(), e.getValue()));
    }
    for (Map.Entry<String, Tensor> e : buffers.entrySet()) {
      out.put(prefix + e.getKey(), toStateDict(e.getKey(), e.getValue()));
    }
    for (Map.Entry<String, Module> c : children.entrySet()) {
      c.getValue().collectState(prefix + c.getKey() + ".", out);
    }
  }

  /**
   * The state-dict form of this module's own parameter or buffer {@code name} (PyTorch's layout);
   * the value itself unless a subclass keeps a different layout in memory. Overrides must be
   * undone exactly by {@link #fromStateDict}.
   */
  protected Tensor toStateDict(String name, Tensor value) {
    return value;
  }

  /**
   * The in-memory form of the state-dict value {@code value} for this module's own parameter or
   * buffer {@code name}: the inverse of {@link #toStateDict}.
   */
  protected Tensor fromStateDict(String name, Tensor value) {
    return value;
  }

  /**
   * What a non-strict {@link #loadStateDict(Map, boolean)} left out, like PyTorch's {@code
   * _IncompatibleKeys}: the model's names the state did not hold and the state's names the model
   * does not have.
   *
   * @param missingKeys names of this model absent from the state, in state-dict order
   * @param unexpectedKeys names of the state that this model does not have, in the state's order
   */
  public record LoadResult(List<String> missingKeys, List<String> unexpectedKeys) {
    /** Copies both lists. */
    public LoadResult {
      checkNotNull(missingKeys, "LoadResult: missingKeys is null");
      checkNotNull(unexpectedKeys, "LoadResult: unexpectedKeys is null");
      for (int i = 0; i < missingKeys.size(); i++) {
        checkNotNull(missingKeys.get(i), "LoadResult: missingKeys[%s] is null", i);
      }
      for (int i = 0; i < unexpectedKeys.size(); i++) {
        checkNotNull(unexpectedKeys.get(i), "LoadResult: unexpectedKeys[%s] is null", i);
      }
      missingKeys = List.copyOf(missingKeys);
      unexpectedKeys = List.copyOf(unexpectedKeys);
    }
  }

  /** {@code loadStateDict(state, true)}: every name must match both ways. */
  public final void loadStateDict(Map<String, Tensor> state) {
    loadStateDict(state, true);
  }

  /**
   * Copies values into this module's parameters and buffers by name, like PyTorch's {@code
   * load_state_dict(state, strict)}. Names and layouts are those of {@link #stateDict()} (so a
   * {@code state_dict()} saved by PyTorch for the equivalent model loads as it is). Every value
   * present must have its entry's shape; with {@code strict}, every name of the model must be
   * present and the state must hold nothing else. All problems are reported together and nothing
   * is changed unless there are none. Values are converted to each entry's dtype.
   *
   * <pre>{@code
   * LoadResult r = model.loadStateDict(ModelFiles.read(path), false);
   * r.missingKeys();   // e.g. [2.bias] -- left as they were
   * }</pre>
   *
   * @return the missing and unexpected names (both empty after a strict load)
   * @throws NullPointerException when {@code state}, one of its keys or one of its values is
   *     null, naming the key
   * @throws ShapeException listing every mis-shaped name with both shapes and, when strict, every
   *     missing and unexpected name
   */
  public final LoadResult loadStateDict(Map<String, Tensor> state, boolean strict) {
    checkNotNull(state, "loadStateDict: state is null");
    for (Map.Entry<String, Tensor> e : state.entrySet()) {
      if (e.getKey() == null) {
        throw new NullPointerException("loadStateDict: state has a null key");
      }
      if (e.getValue() == null) {
        throw new NullPointerException("loadStateDict: state['" + e.getKey() + "'] is null");
      }
    }
    Map<String, Tensor> mine = stateDict();
    List<String> problems = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    List<String> unexpected = new ArrayList<>();
    // The first mis-shaped pair, for anomaly mode's sites.
    String firstMisshaped = null;
    for (Map.Entry<String, Tensor> e : mine.entrySet()) {
      Tensor v = state.get(e.getKey());
      if (v == null) {
        missing.add(e.getKey());
        if (strict) {
          problems.add("missing '" + e.getKey() + "'");
        }
      } else if (!Arrays.equals(v.shape(), e.getValue().shape())) {
        if (firstMisshaped == null) {
          firstMisshaped = e.getKey();
        }
        problems.add("'" + e.getKey() + "' has shape " + Shapes.str(v.shape()) + ", expected "
            + Shapes.str(e.getValue().shape()));
      }
    }
    for (String k : state.keySet()) {
      if (!mine.containsKey(k)) {
        unexpected.add(k);
        if (strict) {
          problems.add("unexpected '" + k + "'");
        }
      }
    }
    if (!problems.isEmpty()) {
      String k = firstMisshaped;
      // The module's own tensor (its creation site is the line that built the layer); the state
      // dict may hold a view of it in PyTorch's layout.
      Tensor own = k == null ? null : ownTensor(k, mine.get(k));
      try (var o = k == null ? null : Anomaly.operands("loadStateDict", k, own,
          "state['" + k + "']", state.get(k))) {
        throw new ShapeException("loadStateDict: " + String.join("; ", problems));
      }
    }
    try (GradMode.Scope s = GradMode.noGrad()) {
      assignState("", state);
    }
    return new LoadResult(missing, unexpected);
  }

  /** The parameter or buffer behind state-dict entry {@code key}, else {@code fallback}. */
  private Tensor ownTensor(String key, Tensor fallback) {
    Tensor t = namedParameters().get(key);
    if (t == null) {
      t = namedBuffers().get(key);
    }
    return t == null ? fallback : t;
  }

  private void assignState(String prefix, Map<String, Tensor> state) {
    for (Map<String, Tensor> own : List.of(params, buffers)) {
      for (Map.Entry<String, Tensor> e : own.entrySet()) {
        Tensor v = state.get(prefix + e.getKey());
        if (v != null) {
          e.getValue().copy_(fromStateDict(e.getKey(), v));
        }
      }
    }
    for (Map.Entry<String, Module> c : children.entrySet()) {
      c.getValue().assignState(prefix + c.getKey() + ".", state);
    }
  }

  /** Switches this module and its children to training mode (dropout active, batch statistics). */
  public Module train() {
    return train(true);
  }

  /** Sets training mode on this module and every child; returns this. */
  public Module train(boolean on) {
    training = on;
    for (Module c : children.values()) {
      c.train(on);
    }
    return this;
  }

  /** Switches to evaluation mode (dropout off, running statistics); returns this. */
  public Module eval() {
    return train(false);
  }

  /** True in training mode. */
  public final boolean isTraining() {
    return training;
  }

  /** Clears the gradient of every parameter. */
  public final void zeroGrad() {
    for (Tensor p : namedParameters().values()) {
      p.zeroGrad();
    }
  }

  /** Number of trainable scalars. */
  public final long parameterCount() {
    long n = 0;
    for (Tensor p : namedParameters().values()) {
      n += p.numel();
    }
    return n;
  }

  /** The part inside the parentheses of {@link #toString()}, e.g. {@code in=784, out=256, bias=true}. */
  protected String extraRepr() {
    return "";
  }

  /** A tree like PyTorch's: {@code Sequential(\n  (0): Linear(in=784, out=256, bias=true)\n ...)}. */
  @Override
  public String toString() {
    String name = getClass().getSimpleName();
    if (children.isEmpty()) {
      return name + "(" + extraRepr() + ")";
    }
    StringBuilder sb = new StringBuilder(name).append("(");
    String extra = extraRepr();
    if (!extra.isEmpty()) {
      sb.append("\n  ").append(extra);
    }
    for (Map.Entry<String, Module> c : children.entrySet()) {
      String child = c.getValue().toString().replace("\n", "\n  ");
      sb.append("\n  (").append(c.getKey()).append("): ").append(child);
    }
    return sb.append("\n)").toString();
  }
}
