package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.autograd.Node;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A chain of modules applied in order: {@code forward(x) = m_{n-1}(... m_1(m_0(x)))}. Children are
 * named {@code "0"}, {@code "1"}, ... so parameters are named {@code "0.weight"}, {@code
 * "0.bias"}, {@code "2.weight"}, ...
 *
 * <p>A {@link Linear} directly followed by a {@link ReLU} (those exact classes, not subclasses)
 * runs as one fused {@code linear} node with the ReLU applied in place, which saves two arrays
 * per layer and step; values and gradients are those of the two modules applied one after the
 * other, and the output's {@code gradFn()} is named {@code linear} instead of {@code relu}.
 *
 * <p>The value that one of the built-in layers {@link Linear}, {@link ReLU}, {@link Tanh} or
 * {@link Sigmoid} (exact classes) passes to the next of them is seen by no one but the two: its
 * storage goes back for reuse once the backward pass has freed the nodes that hold it ({@link
 * dev.cadena.autograd.Node#recycleWithGraph}), and the next step's layers write their outputs
 * into it instead of new arrays. Any other module keeps the values it receives and returns.
 *
 * <p><b>Example:</b>
 *
 * <pre>{@code
 * var rng = new SplittableRandom(0);
 * Sequential mlp = new Sequential(new Linear(784, 256, true, rng), new ReLU(), new Linear(256, 10, true, rng));
 * System.out.println(mlp);
 * // Sequential(
 * //   (0): Linear(in=784, out=256, bias=true)
 * //   (1): ReLU()
 * //   (2): Linear(in=256, out=10, bias=true)
 * // )
 * }</pre>
 */
public final class Sequential extends Module implements Iterable<Module> {
  private final List<Module> layers = new ArrayList<>();

  /**
   * A chain of the given modules.
   *
   * @throws NullPointerException for a null module, naming its position, before any is added
   */
  public Sequential(Module... modules) {
    checkNotNull(modules, "Sequential: modules is null");
    for (int i = 0; i < modules.length; i++) {
      if (modules[i] == null) {
        throw new NullPointerException("Sequential: modules[" + i + "] is null");
      }
    }
    for (Module m : modules) {
      add(m);
    }
  }

  /** Appends a module under the next index name; returns this. */
  public Sequential add(Module module) {
    checkNotNull(module, "Sequential.add: module is null");
    if (module == this) {
      throw new IllegalArgumentException("Sequential: cannot add a Sequential to itself");
    }
    registerModule(Integer.toString(layers.size()), module);
    layers.add(module);
    return this;
  }

  /**
   * The module at position {@code i}.
   *
   * @throws IllegalArgumentException naming the index and the size
   */
  public Module get(int i) {
    if (i < 0 || i >= layers.size()) {
      throw new IllegalArgumentException(
          "Sequential: index " + i + " is out of range for " + layers.size() + " modules");
    }
    return layers.get(i);
  }

  /** Number of modules. */
  public int size() {
    return layers.size();
  }

  @Override
  public Iterator<Module> iterator() {
    return List.copyOf(layers).iterator();
  }

  /** Applies each module to the previous one's output. */
  @Override
  public Tensor forward(Tensor x) {
    checkNotNull(x, "Sequential: input is null");
    // Whether x is the output of a built-in layer of this chain, which nothing else has seen.
    boolean internal = false;
    for (int i = 0; i < layers.size(); i++) {
      Module m = layers.get(i);
      boolean fused = i + 1 < layers.size() && m.getClass() == Linear.class
          && layers.get(i + 1).getClass() == ReLU.class;
      boolean builtIn = fused || isBuiltInLayer(m);
      if (internal && builtIn) {
        Node.recycleWithGraph(x); // passed from one built-in layer to the next only
      }
      if (fused) {
        // A Linear then a ReLU: one fused op (one output array, ReLU applied in place).
        Linear linear = (Linear) m;
        x = Functional.linear("Linear", x, linear.weight(), linear.bias(), true);
        i++;
      } else {
        x = m.forward(x);
      }
      internal = builtIn;
    }
    return x;
  }

  /**
   * The layers whose forward records its ops on its input and returns a new value, and keeps
   * neither: their input and output are the graph's alone.
   */
  private static boolean isBuiltInLayer(Module m) {
    Class<?> c = m.getClass();
    return c == Linear.class || c == ReLU.class || c == Tanh.class || c == Sigmoid.class;
  }
}
