package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Modules held in a list (PyTorch's {@code ModuleList}), registered as children {@code "0"},
 * {@code "1"}, ..., so that their parameters are found, saved and trained. It has no forward of
 * its own: the owner calls the modules as it needs.
 *
 * <p><b>Example:</b>
 *
 * <pre>{@code
 * ModuleList blocks = new ModuleList(new Linear(4, 4, true, rng), new Linear(4, 4, true, rng));
 * for (Module m : blocks) { x = m.forward(x).relu(); }
 * blocks.namedParameters().keySet();   // [0.weight, 0.bias, 1.weight, 1.bias]
 * }</pre>
 */
public final class ModuleList extends Module implements Iterable<Module> {
  private final List<Module> modules = new ArrayList<>();

  /**
   * A list of the given modules.
   *
   * @throws NullPointerException for a null module, naming its position, before any is added
   */
  public ModuleList(Module... modules) {
    checkNotNull(modules, "ModuleList: modules is null");
    for (int i = 0; i < modules.length; i++) {
      if (modules[i] == null) {
        throw new NullPointerException("ModuleList: modules[" + i + "] is null");
      }
    }
    for (Module m : modules) {
      add(m);
    }
  }

  /** Appends a module under the next index name; returns this. */
  public ModuleList add(Module module) {
    checkNotNull(module, "ModuleList.add: module is null");
    if (module == this) {
      throw new IllegalArgumentException("ModuleList: cannot add a ModuleList to itself");
    }
    registerModule(Integer.toString(modules.size()), module);
    modules.add(module);
    return this;
  }

  /**
   * The module at position {@code i}; negative counts from the end.
   *
   * @throws IllegalArgumentException naming the index and the size
   */
  public Module get(int i) {
    int k = i < 0 ? i + modules.size() : i;
    if (k < 0 || k >= modules.size()) {
      throw new IllegalArgumentException(
          "ModuleList: index " + i + " is out of range for " + modules.size() + " modules");
    }
    return modules.get(k);
  }

  /** Number of modules. */
  public int size() {
    return modules.size();
  }

  @Override
  public Iterator<Module> iterator() {
    return List.copyOf(modules).iterator();
  }

  /**
   * Always throws: a list has no forward (PyTorch raises {@code NotImplementedError}).
   *
   * @throws UnsupportedOperationException always
   */
  @Override
  public Tensor forward(Tensor x) {
    checkNotNull(x, "ModuleList: input is null");
    throw new UnsupportedOperationException(
        "ModuleList: has no forward; call its modules (get(i), or iterate)");
  }
}
