package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Modules held by name (PyTorch's {@code ModuleDict}), in insertion order, registered as children
 * under their names, so that their parameters are found, saved and trained ({@code
 * "encoder.weight"}). It has no forward of its own. Unlike PyTorch's, a name cannot be replaced.
 *
 * <p><b>Example:</b>
 *
 * <pre>{@code
 * ModuleDict heads = new ModuleDict().put("digit", new Linear(64, 10, true, rng))
 *     .put("parity", new Linear(64, 2, true, rng));
 * Tensor logits = heads.get("digit").forward(features);
 * }</pre>
 */
public final class ModuleDict extends Module {
  /** An empty dict. */
  public ModuleDict() {}

  /**
   * A dict of the given modules, in the map's iteration order.
   *
   * @throws NullPointerException when {@code modules} or one of its values is null, naming the key
   * @throws IllegalArgumentException for an empty name or one containing '.'
   */
  public ModuleDict(Map<String, ? extends Module> modules) {
    checkNotNull(modules, "ModuleDict: modules is null");
    for (Map.Entry<String, ? extends Module> e : modules.entrySet()) {
      if (e.getValue() == null) {
        throw new NullPointerException("ModuleDict: modules['" + e.getKey() + "'] is null");
      }
    }
    modules.forEach(this::put);
  }

  /**
   * Adds {@code module} under {@code name}; returns this.
   *
   * @throws NullPointerException when {@code name} or {@code module} is null
   * @throws IllegalArgumentException for an empty name, one containing '.', or one already used
   */
  public ModuleDict put(String name, Module module) {
    checkNotNull(name, "ModuleDict.put: name is null");
    checkNotNull(module, "ModuleDict.put: module is null");
    if (module == this) {
      throw new IllegalArgumentException("ModuleDict: cannot add a ModuleDict to itself");
    }
    registerModule(name, module);
    return this;
  }

  /**
   * The module named {@code name}.
   *
   * @throws IllegalArgumentException naming the key and the keys there are
   */
  public Module get(String name) {
    checkNotNull(name, "ModuleDict.get: name is null");
    Module m = namedChildren().get(name);
    if (m == null) {
      throw new IllegalArgumentException(
          "ModuleDict: no module named '" + name + "' (keys: " + keys() + ")");
    }
    return m;
  }

  /** Whether a module is named {@code name}. */
  public boolean containsKey(String name) {
    checkNotNull(name, "ModuleDict.containsKey: name is null");
    return namedChildren().containsKey(name);
  }

  /** The names, in insertion order. */
  public List<String> keys() {
    return new ArrayList<>(namedChildren().keySet());
  }

  /** Number of modules. */
  public int size() {
    return namedChildren().size();
  }

  /**
   * Always throws: a dict has no forward (PyTorch raises {@code NotImplementedError}).
   *
   * @throws UnsupportedOperationException always
   */
  @Override
  public Tensor forward(Tensor x) {
    checkNotNull(x, "ModuleDict: input is null");
    throw new UnsupportedOperationException(
        "ModuleDict: has no forward; call its modules (get(name))");
  }
}
