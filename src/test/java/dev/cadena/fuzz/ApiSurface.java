package dev.cadena.fuzz;

import com.google.common.reflect.ClassPath;
import dev.cadena.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The public API the fuzz calls, found by reflection so that a new public class or method is
 * fuzzed without anyone listing it: {@link Tensor}, and every public class (nested public classes
 * included: builders, records, enums) of {@code dev.cadena.nn}, {@code optim}, {@code data} and
 * {@code io}. A target is one public constructor or method declared by such a class, with the class
 * whose sample instances receive the call.
 *
 * <p>Out of scope by the choice of packages, so never called: {@code dev.cadena.cli}
 * ({@code cli.Main} calls {@code System.exit}), {@code autograd}, {@code ops}, {@code tensor},
 * {@code diagnostics}, {@code viz} and {@code examples}. No public method of the fuzzed classes
 * blocks on or loops over user callbacks, so none is excluded for that reason; {@link #EXCLUDED}
 * lists the few that are left out, each with its reason.
 */
final class ApiSurface {
  private ApiSurface() {}

  /** The packages whose public classes are fuzzed, besides {@link Tensor}. */
  static final List<String> PACKAGES =
      List.of("dev.cadena.nn", "dev.cadena.optim", "dev.cadena.data", "dev.cadena.io");

  /**
   * Methods left out, by {@link #name}, with the reason. Keep it short: everything
   * left out here is a public entry point that no fuzz call checks.
   */
  static final Map<String, String> EXCLUDED = Map.of(
      "Tensor#vmapBatched(NDArray)",
      "vmap's hook for its batching rules: the batched tensor it makes refuses value reads"
          + " (toDoubleArray, item) by design, which the contract's use of a result does; VmapTest"
          + " checks it",
      "Tensor#vmapLike(NDArray,Tensor[])",
      "as vmapBatched, when a source is batched; VmapTest checks it");

  /**
   * Shares of the calls for targets far more expensive than the rest (the default share is 1):
   * a share of 0.1 calls the target a tenth as often as its weight would.
   */
  static final Map<String, Double> SHARES = Map.of(
      // Decodes all 10,000 embedded digits into two new 60 MB arrays per call.
      "data.Datasets#mnist(DType)", 0.1,
      "data.Datasets#toDataset(Mnist,DType)", 0.3,
      "io.Mnist#embeddedTrain()", 0.3,
      "io.Mnist#imagesAsDoubles()", 0.3,
      "io.Mnist#imagesAsFloats()", 0.3);

  /**
   * How often a target is called relative to the others: 2, plus one per parameter (each adds
   * combinations to try), plus 2 for a Tensor method (which has some 30 sample receivers), times
   * its share.
   */
  static double weight(Class<?> owner, Executable e, String name) {
    boolean tensorReceiver = owner == Tensor.class && !Modifier.isStatic(e.getModifiers());
    double base = 2 + e.getParameterCount() + (tensorReceiver ? 2 : 0);
    return base * SHARES.getOrDefault(name, 1.0);
  }

  /** One public constructor or method, and the class whose samples receive the call. */
  record Target(Class<?> owner, Executable executable, double weight) {
    boolean isStatic() {
      return executable instanceof Constructor || Modifier.isStatic(executable.getModifiers());
    }

    String name() {
      return ApiSurface.name(owner, executable);
    }

    /** {@code nn}, {@code optim}, ... or {@code Tensor}: the area a finding belongs to. */
    String packageName() {
      String p = owner.getPackageName();
      return p.equals("dev.cadena") ? "Tensor" : p.substring("dev.cadena.".length());
    }

    @Override
    public String toString() {
      return name();
    }
  }

  /**
   * {@code Tensor#slice(int,int,int,int)}, {@code nn.Linear#<init>(int,int,boolean,RandomGenerator)}:
   * the owner relative to {@code dev.cadena}, simple parameter type names.
   */
  static String name(Class<?> owner, Executable e) {
    StringBuilder sb = new StringBuilder(relativeName(owner)).append('#');
    sb.append(e instanceof Constructor ? "<init>" : e.getName()).append('(');
    Class<?>[] p = e.getParameterTypes();
    for (int i = 0; i < p.length; i++) {
      sb.append(i == 0 ? "" : ",").append(p[i].getSimpleName());
    }
    return sb.append(')').toString();
  }

  /** {@code Tensor}, {@code nn.Linear}, {@code optim.SGD.Builder}. */
  static String relativeName(Class<?> c) {
    String n = c.getName().substring("dev.cadena.".length()).replace('$', '.');
    return n;
  }

  private static List<Class<?>> classes;
  private static List<Target> targets;

  /** Tensor and the public classes of {@link #PACKAGES}, nested public classes included. */
  static synchronized List<Class<?>> classes() {
    if (classes == null) {
      List<Class<?>> found = new ArrayList<>();
      found.add(Tensor.class);
      try {
        ClassPath cp = ClassPath.from(ApiSurface.class.getClassLoader());
        for (String p : PACKAGES) {
          for (ClassPath.ClassInfo info : cp.getTopLevelClasses(p)) {
            Deque<Class<?>> todo = new ArrayDeque<>(List.of(info.load()));
            while (!todo.isEmpty()) {
              Class<?> c = todo.pop();
              if (Modifier.isPublic(c.getModifiers()) && !c.isAnnotation()) {
                found.add(c);
                todo.addAll(List.of(c.getDeclaredClasses()));
              }
            }
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      found.sort(Comparator.comparing(Class::getName));
      classes = List.copyOf(found);
    }
    return classes;
  }

  /** Every target, in a fixed order (sorted by name), excluded ones left out. */
  static synchronized List<Target> targets() {
    if (targets == null) {
      List<Target> all = new ArrayList<>();
      for (Class<?> c : classes()) {
        if (!Modifier.isAbstract(c.getModifiers()) && !c.isInterface()) {
          for (Constructor<?> k : c.getConstructors()) {
            add(all, c, k);
          }
        }
        for (Method m : c.getMethods()) {
          // Methods inherited from Object or the JDK (Enum#compareTo, Record#...) are not ours;
          // overrides declared here (toString, equals of records and values) are.
          if (m.getDeclaringClass() == c && !m.isSynthetic()) {
            add(all, c, m);
          }
        }
      }
      all.sort(Comparator.comparing(Target::name));
      targets = List.copyOf(all);
    }
    return targets;
  }

  private static void add(List<Target> all, Class<?> owner, Executable e) {
    String n = name(owner, e);
    if (!EXCLUDED.containsKey(n)) {
      all.add(new Target(owner, e, weight(owner, e, n)));
    }
  }

  /** The classes that own instance-method targets: each needs sample receivers. */
  static Set<Class<?>> receiverClasses() {
    Set<Class<?>> s = new java.util.LinkedHashSet<>();
    for (Target t : targets()) {
      if (!t.isStatic()) {
        s.add(t.owner());
      }
    }
    return s;
  }
}
