package dev.cadena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.common.collect.ImmutableMap;
import com.google.common.reflect.ClassPath;
import com.google.common.testing.ArbitraryInstances;
import com.google.common.testing.NullPointerTester;
import dev.cadena.autograd.Engine;
import dev.cadena.autograd.Function;
import dev.cadena.autograd.GradCheck;
import dev.cadena.autograd.Node;
import dev.cadena.cli.Flags;
import dev.cadena.cli.ProgressBar;
import dev.cadena.cli.TrainJob;
import dev.cadena.cli.TrainOptions;
import dev.cadena.cli.ValueParser;
import dev.cadena.data.DataLoader;
import dev.cadena.data.TensorDataset;
import dev.cadena.diagnostics.GradientMonitor;
import dev.cadena.diagnostics.Report;
import dev.cadena.diagnostics.Thresholds;
import dev.cadena.io.IdxArray;
import dev.cadena.io.Mnist;
import dev.cadena.io.SafeTensors;
import dev.cadena.nn.BatchNorm1d;
import dev.cadena.nn.Dropout;
import dev.cadena.nn.ELU;
import dev.cadena.nn.GELU;
import dev.cadena.nn.Hardtanh;
import dev.cadena.nn.GRU;
import dev.cadena.nn.GRUCell;
import dev.cadena.nn.LSTM;
import dev.cadena.nn.LSTMCell;
import dev.cadena.nn.LSTMOutput;
import dev.cadena.nn.LSTMState;
import dev.cadena.nn.LayerNorm;
import dev.cadena.nn.LeakyReLU;
import dev.cadena.nn.Linear;
import dev.cadena.nn.LogSigmoid;
import dev.cadena.nn.LogSoftmax;
import dev.cadena.nn.Module;
import dev.cadena.nn.RNN;
import dev.cadena.nn.RNNCell;
import dev.cadena.nn.RecurrentOutput;
import dev.cadena.nn.ReLU;
import dev.cadena.nn.Reduction;
import dev.cadena.nn.Sequential;
import dev.cadena.nn.SiLU;
import dev.cadena.nn.Sigmoid;
import dev.cadena.nn.Softmax;
import dev.cadena.nn.Softplus;
import dev.cadena.nn.Tanh;
import dev.cadena.optim.Adagrad;
import dev.cadena.optim.Adam;
import dev.cadena.optim.AdamW;
import dev.cadena.optim.CosineAnnealingLR;
import dev.cadena.optim.ExponentialLR;
import dev.cadena.optim.GradClip;
import dev.cadena.optim.LRScheduler;
import dev.cadena.optim.Optimizer;
import dev.cadena.optim.RMSprop;
import dev.cadena.optim.SGD;
import dev.cadena.optim.StepLR;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.NDArray;
import dev.cadena.testing.TensorArbitraries;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The null contract of {@code docs/design.md}: every public method and constructor of every
 * public class of the library, given {@code null} for a reference parameter, throws a {@link
 * NullPointerException} whose message names the op and the parameter ({@code add: other is
 * null}), at the public method and before any work; a parameter for which null is a documented,
 * meaningful value carries {@code @Nullable} (JSpecify's, which Guava brings) and is left out.
 *
 * <p>The classes are found by scanning the library's classes on the class path, so a new class or
 * method cannot skip the check. Three passes run over them:
 *
 * <ol>
 *   <li>guava-testlib's {@link NullPointerTester} over the public static methods, the public
 *       constructors and, with a sample instance per class, the public instance methods (it
 *       checks the exception's type only);
 *   <li>a reflective pass over the same members, one null at a time, that checks the message:
 *       {@code <op>: <parameter> is null}, where the op is the method's or the class's name and
 *       the parameter is the one passed null (not the JDK's {@code Cannot invoke ...}), and that
 *       the call changed neither the receiver nor any argument (no half-done effect);
 *   <li>null elements of arrays and lists, which both passes above cannot reach, named with
 *       their index ({@code cat: tensors[2] is null}).
 * </ol>
 */
class NullContractTest {

  /** Packages left out, with why; printed by every run. */
  private static final Map<String, String> EXCLUDED_PACKAGES = ImmutableMap.of(
      "dev.cadena.tensor.kernel",
      "the hot loops on primitive arrays: public only for dev.cadena.tensor, which checks every"
          + " argument at its own public boundary before calling them",
      "dev.cadena.examples",
      "demonstration programs, not library API (left out of the Javadoc as well)");

  /**
   * Member kinds left out, with why; printed by every run. Exceptions take their message and
   * cause as {@link Throwable} does, where null is allowed; the compiler-generated {@code
   * valueOf(String)} of an enum is the JDK's.
   */
  private static final List<String> EXCLUDED_MEMBERS = List.of(
      "constructors of Throwable subclasses (a null message or cause is Throwable's own convention)",
      "valueOf(String) of enums (generated by the compiler; the JDK throws 'Name is null')",
      "Node.Vjp.apply (implemented by each op's VJP, a lambda that only the engine calls)",
      "Node.Jvp.apply (implemented by each op's JVP, a lambda that only forward mode calls; its"
          + " tangents are null for inputs without one)",
      "apply of the functional interfaces of dev.cadena.func (implemented by the user's lambdas,"
          + " which the transforms call)");

  /** The functional interfaces whose implementations are lambdas: the engine's and the user's. */
  private static boolean userImplemented(Class<?> c) {
    return c == Node.Vjp.class || c == Node.Jvp.class
        || (c.isInterface() && c.isAnnotationPresent(FunctionalInterface.class)
            && c.getPackageName().equals("dev.cadena.func"));
  }

  /**
   * Words a message may use for a parameter instead of its Java name: the layers of {@code nn}
   * call the tensor they transform {@code input}, as PyTorch's do, whatever the Java name.
   */
  private static final Map<String, Set<String>> PARAMETER_ALIASES = ImmutableMap.of(
      "x", Set.of("input"));

  /** {@code <op>: <parameter> is null}, optionally followed by advice in parentheses. */
  private static final Pattern MESSAGE =
      Pattern.compile("([A-Za-z][A-Za-z0-9_]*(?:\\.[A-Za-z][A-Za-z0-9_]*)*): (\\S+) is null( \\(.+\\))?");

  private static Path dir;
  private static Map<Class<?>, Object> defaults;
  private static List<Object> samples;
  private static List<Class<?>> classes;

  @BeforeAll
  static void setUp() throws Exception {
    dir = Files.createTempDirectory("null-contract");
    dir.toFile().deleteOnExit();
    defaults = defaults();
    samples = samples();
    classes = libraryClasses();
    System.out.println("NullContractTest: excluded packages " + EXCLUDED_PACKAGES);
    System.out.println("NullContractTest: excluded members " + EXCLUDED_MEMBERS);
  }

  // ================================================================== what is tested

  /** Every public class, top-level or nested, of the library's own class files. */
  private static List<Class<?>> libraryClasses() throws Exception {
    URL root = Tensor.class.getProtectionDomain().getCodeSource().getLocation();
    ClassLoader loader = NullContractTest.class.getClassLoader();
    List<Class<?>> found = new ArrayList<>();
    for (ClassPath.ClassInfo info : ClassPath.from(loader).getTopLevelClassesRecursive("dev.cadena")) {
      if (!info.url().toString().startsWith(root.toString()) || info.getSimpleName().equals("package-info")
          || EXCLUDED_PACKAGES.containsKey(info.getPackageName())) {
        continue;
      }
      addPublic(info.load(), found);
    }
    found.sort(Comparator.comparing(Class::getName));
    assertTrue(found.contains(Tensor.class) && found.contains(DataLoader.class), "the scan found " + found);
    return found;
  }

  private static void addPublic(Class<?> c, List<Class<?>> found) {
    if (!Modifier.isPublic(c.getModifiers())) {
      return;
    }
    found.add(c);
    for (Class<?> nested : c.getDeclaredClasses()) {
      if (Modifier.isStatic(nested.getModifiers())) {
        addPublic(nested, found);
      }
    }
  }

  /** One member to call: a static method, a constructor, or an instance method on a sample. */
  private record Call(Class<?> owner, java.lang.reflect.Executable member, Object target) {
    String describe() {
      return member.getDeclaringClass().getName()
          + "." + (member instanceof Constructor ? "<init>" : member.getName())
          + Arrays.toString(member.getParameterTypes());
    }
  }

  /** The static methods and constructors of the classes, and the instance methods of the samples. */
  private static List<Call> calls() {
    List<Call> calls = new ArrayList<>();
    for (Class<?> c : classes) {
      for (Method m : c.getDeclaredMethods()) {
        if (Modifier.isPublic(m.getModifiers()) && Modifier.isStatic(m.getModifiers()) && !m.isSynthetic()
            && !isEnumValueOf(m)) {
          calls.add(new Call(c, m, null));
        }
      }
      if (!Throwable.class.isAssignableFrom(c) && !Modifier.isAbstract(c.getModifiers())) {
        for (Constructor<?> k : c.getConstructors()) {
          calls.add(new Call(c, k, null));
        }
      }
    }
    Set<String> seen = new LinkedHashSet<>();
    for (Object s : samples) {
      for (Method found : s.getClass().getMethods()) {
        Method m = declared(found);
        if (Modifier.isStatic(m.getModifiers()) || m.isBridge() || m.isSynthetic()
            || !m.getDeclaringClass().getName().startsWith("dev.cadena.")
            || (m.getName().equals("equals") && m.getParameterCount() == 1)) {
          continue;
        }
        m.trySetAccessible();
        // One receiver per method and class: the methods a subclass inherits are called on each
        // sample of that subclass (a Module method on every layer), since overrides differ.
        if (seen.add(s.getClass().getName() + "#" + m)) {
          calls.add(new Call(s.getClass(), m, s));
        }
      }
    }
    return calls;
  }

  /**
   * The method as its interface declares it when a lambda implements it: the lambda's own class
   * is hidden and keeps no parameter names.
   */
  private static Method declared(Method m) {
    if (!m.getDeclaringClass().isHidden()) {
      return m;
    }
    for (Class<?> i : m.getDeclaringClass().getInterfaces()) {
      try {
        return i.getMethod(m.getName(), m.getParameterTypes());
      } catch (NoSuchMethodException e) {
        // not this interface's method
      }
    }
    return m;
  }

  private static boolean isEnumValueOf(Method m) {
    return m.getDeclaringClass().isEnum() && m.getName().equals("valueOf")
        && Arrays.equals(m.getParameterTypes(), new Class<?>[] {String.class});
  }

  /** True for a parameter that may be null: primitive, or annotated {@code @Nullable}. */
  private static boolean nullable(Parameter p) {
    if (p.getType().isPrimitive()) {
      return true;
    }
    List<Annotation> all = new ArrayList<>(Arrays.asList(p.getAnnotations()));
    all.addAll(Arrays.asList(p.getAnnotatedType().getAnnotations()));
    return all.stream().anyMatch(a -> a.annotationType().getSimpleName().equals("Nullable"));
  }

  // ================================================================== defaults and samples

  /** The argument passed for each parameter type that is not the one set to null. */
  private static Map<Class<?>, Object> defaults() throws Exception {
    Map<Class<?>, Object> d = new LinkedHashMap<>();
    Tensor w = Tensor.of(new double[][] {{0.5, -1.0}, {2.0, 0.25}}).requiresGrad(true);
    Tensor product = w.mul(w);
    d.put(String.class, "caller");
    d.put(Tensor.class, Tensor.of(0.5, -1.5));
    d.put(NDArray.class, NDArray.wrap(new double[] {0.5, -1.5}, 2));
    d.put(DType.class, DType.FLOAT64);
    d.put(RandomGenerator.class, new SplittableRandom(42));
    d.put(Node.class, product.gradFn());
    d.put(Node.Vjp.class, (Node.Vjp) (n, g) -> new Tensor[] {g});
    d.put(Node.Jvp.class, (Node.Jvp) (t, in, out) -> t[0]);
    d.put(dev.cadena.func.TensorFn.class, (dev.cadena.func.TensorFn) xs -> xs[0].sum());
    d.put(dev.cadena.func.TensorsFn.class, (dev.cadena.func.TensorsFn) xs -> new Tensor[] {xs[0].sum()});
    d.put(java.util.function.Function.class, (java.util.function.Function<Tensor[], Tensor>) t -> t[0].sum());
    d.put(GradCheck.Options.class, GradCheck.Options.defaults());
    d.put(Function.Context.class, new Function.Context());
    d.put(Module.class, new Linear(2, 2, true, new SplittableRandom(1)));
    d.put(Optimizer.class, SGD.builder(List.of(Tensor.zeros(2).requiresGrad(true))).lr(0.1).build());
    d.put(TensorDataset.class, new TensorDataset(Tensor.zeros(4, 2), Tensor.ofLongs(0, 1, 0, 1)));
    d.put(Path.class, dir.resolve("default.bin"));
    d.put(PrintStream.class, new PrintStream(OutputStream.nullOutputStream()));
    d.put(InputStream.class, InputStream.nullInputStream());
    d.put(OutputStream.class, OutputStream.nullOutputStream());
    d.put(LongSupplier.class, (LongSupplier) () -> 0L);
    d.put(ValueParser.class, ValueParser.strings());
    Flags flags = new Flags("prog", "A program.");
    Flags.Flag<String> flag = flags.add("name", "NAME", "a", "a name", ValueParser.strings());
    d.put(Flags.class, flags);
    d.put(Flags.Flag.class, flag);
    d.put(Flags.Parsed.class, flags.parse("--name", "b"));
    d.put(TrainOptions.class, TrainOptions.defaults());
    d.put(Thresholds.class, Thresholds.defaults());
    IdxArray images = IdxArray.ofUnsignedBytes(new int[] {1, 28, 28}, new int[28 * 28]);
    IdxArray labels = IdxArray.ofUnsignedBytes(new int[] {1}, new int[] {3});
    d.put(IdxArray.class, labels);
    d.put(Mnist.class, Mnist.of(images, "images", labels, "labels"));
    d.put(SafeTensors.Entry.class, SafeTensors.Entry.ofDoubles(new int[] {2}, new double[] {1, 2}));
    d.put(Throwable.class, new RuntimeException("cause"));
    d.put(LSTMState.class, new LSTMState(Tensor.zeros(2), Tensor.zeros(2)));
    // dev.cadena.testing: a property that always holds, over an arbitrary of one value.
    d.put(java.util.function.Consumer.class, (java.util.function.Consumer<Object>) x -> { });
    d.put(net.jqwik.api.Arbitrary.class, net.jqwik.api.Arbitraries.just(new int[] {2}));
    return d;
  }

  /** The argument for a parameter of type {@code type}: a default, or Guava's arbitrary instance. */
  private static Object defaultFor(Class<?> type) {
    if (defaults.containsKey(type)) {
      return defaults.get(type);
    }
    Object v = ArbitraryInstances.get(type);
    if (v == null && !type.isPrimitive()) {
      throw new AssertionError("no default for " + type.getName() + ": add one to defaults()");
    }
    return v;
  }

  /** The receivers of the instance methods: at least one for every class that has such methods. */
  private static List<Object> samples() throws Exception {
    SplittableRandom rng = new SplittableRandom(7);
    List<Object> s = new ArrayList<>();
    Tensor p = Tensor.of(new double[][] {{1.0, 2.0}, {3.0, 4.0}}).requiresGrad(true);
    Tensor product = p.mul(p);
    s.add(Tensor.of(1.0, 2.0));
    s.add(NDArray.wrap(new double[] {1.0, 2.0}, 2));
    s.add(product.gradFn());
    s.add(new Function("twice") {
      @Override
      protected Tensor forward(Context ctx, Tensor... inputs) {
        return inputs[0].mul(2.0);
      }

      @Override
      protected Tensor[] backward(Context ctx, Tensor grad) {
        return new Tensor[] {grad.mul(2.0)};
      }
    });
    s.add(new Function.Context());
    s.add(Reduction.MEAN);
    Linear linear = new Linear(2, 2, true, new SplittableRandom(3));
    s.addAll(List.of(linear, new BatchNorm1d(2), new Dropout(0.5, rng), new ELU(), new GELU(),
        new LayerNorm(2), new LeakyReLU(), new LogSoftmax(1), new ReLU(), new Sequential(new Tanh()),
        new Sigmoid(), new Softmax(1), new Softplus(), new Tanh(), new SiLU(), new LogSigmoid(),
        new Hardtanh()));
    s.addAll(List.of(new RNNCell(2, 2, rng), new LSTMCell(2, 2, rng), new GRUCell(2, 2, rng),
        new RNN(2, 2, rng), new LSTM(2, 2, rng), new GRU(2, 2, rng),
        new RecurrentOutput(Tensor.zeros(3, 2), Tensor.zeros(1, 2)),
        new LSTMOutput(Tensor.zeros(3, 2), new LSTMState(Tensor.zeros(1, 2), Tensor.zeros(1, 2))),
        new LSTMState(Tensor.zeros(2), Tensor.zeros(2))));
    // Convolution, pooling, containers, embedding (h6).
    s.addAll(List.of(new dev.cadena.nn.Conv2d(1, 1, 1, rng), new dev.cadena.nn.Conv1d(1, 1, 1, rng),
        new dev.cadena.nn.MaxPool2d(1), new dev.cadena.nn.AvgPool2d(1),
        new dev.cadena.nn.AdaptiveAvgPool2d(1), new dev.cadena.nn.BatchNorm2d(2),
        new dev.cadena.nn.Dropout2d(0.5, rng), new dev.cadena.nn.Flatten(),
        new dev.cadena.nn.Unflatten(0, 2), new dev.cadena.nn.Identity(),
        new dev.cadena.nn.ModuleList(), new dev.cadena.nn.ModuleDict(),
        new dev.cadena.nn.Embedding(2, 2, rng)));
    // Pooling options (h2).
    s.addAll(List.of(new dev.cadena.nn.MaxPool1d(1), new dev.cadena.nn.AvgPool1d(1),
        new dev.cadena.nn.AdaptiveAvgPool1d(1), new dev.cadena.nn.AdaptiveMaxPool2d(1)));
    List<Tensor> params = linear.parameters();
    s.add(SGD.builder(params).lr(0.1).build());
    s.add(Adam.builder(params).build());
    s.add(AdamW.builder(params).build());
    s.add(RMSprop.builder(params).build());
    s.add(Adagrad.builder(params).build());
    Optimizer sgd = SGD.builder(params).lr(0.1).build();
    s.add(new StepLR(sgd, 2, 0.5));
    s.add(new ExponentialLR(sgd, 0.5));
    s.add(new CosineAnnealingLR(sgd, 4, 0.0));
    TensorDataset ds = new TensorDataset(Tensor.zeros(4, 2), Tensor.ofLongs(0, 1, 0, 1));
    s.add(ds);
    s.add(new DataLoader(ds, 2));
    GradientMonitor monitor = GradientMonitor.of(linear);
    linear.forward(Tensor.ones(1, 2)).sum().backward();
    monitor.recordGradients(0);
    s.add(monitor);
    Report report = monitor.report();
    s.add(report);
    Flags flags = new Flags("prog", "A program.");
    flags.add("name", "NAME", "a", "a name", ValueParser.strings());
    s.add(flags);
    s.add(flags.parse());
    s.add(ProgressBar.builder("bar", 4).out(new PrintStream(OutputStream.nullOutputStream())).build());
    s.add(ProgressBar.builder("bar", 4));
    s.add(new TrainJob(TrainOptions.defaults(), new PrintStream(OutputStream.nullOutputStream())));
    s.addAll(List.of(ValueParser.ints(0, 9), ValueParser.longs(), ValueParser.doublesAbove(0),
        ValueParser.choice(List.of("a", "b")), ValueParser.intList(1), ValueParser.paths(),
        ValueParser.strings()));
    s.add(SafeTensors.fromBytes(
        SafeTensors.toBytes(Map.of("w", SafeTensors.Entry.ofDoubles(new int[] {2}, new double[] {1, 2})), Map.of()),
        "sample"));
    s.add(new dev.cadena.viz.LinePlot(320, 200));
    s.add(new dev.cadena.viz.Heatmap(new double[][] {{0.0, 1.0}}));
    s.add(TensorArbitraries.shapes());
    s.add(TensorArbitraries.tensors(2));
    s.add(TensorArbitraries.tensorTuples(TensorArbitraries.broadcastablePairs()));
    return s;
  }

  // ================================================================== pass 1: NullPointerTester

  @Test
  void testNullPointerTester_everyPublicClass() {
    NullPointerTester tester = new NullPointerTester();
    for (Map.Entry<Class<?>, Object> e : defaults.entrySet()) {
      setDefault(tester, e.getKey(), e.getValue());
    }
    List<String> failures = new ArrayList<>();
    int classesTested = 0;
    for (Class<?> c : classes) {
      classesTested++;
      collect(failures, c + " static methods", () -> testStatics(tester, c));
      if (!Throwable.class.isAssignableFrom(c)) {
        collect(failures, c + " constructors", () -> tester.testAllPublicConstructors(c));
      }
    }
    for (Object s : samples) {
      collect(failures, s.getClass() + " instance methods", () -> tester.testAllPublicInstanceMethods(s));
    }
    List<Call> checked = calls().stream().filter(NullContractTest::hasCheckedParameter).toList();
    System.out.printf(
        "NullContractTest: NullPointerTester over %d classes and %d samples: %d distinct members"
            + " with a reference parameter that must not be null (%d static methods, %d"
            + " constructors, %d instance methods; %d calls of instance methods on samples)%n",
        classesTested, samples.size(),
        checked.stream().map(Call::member).distinct().count(),
        checked.stream().filter(k -> k.target == null && k.member instanceof Method).count(),
        checked.stream().filter(k -> k.member instanceof Constructor).count(),
        checked.stream().filter(k -> k.target != null).map(Call::member).distinct().count(),
        checked.stream().filter(k -> k.target != null).count());
    if (!failures.isEmpty()) {
      fail(failures.size() + " failures:\n" + String.join("\n", failures));
    }
  }

  /** The enum's generated {@code valueOf(String)} aside, every public static method. */
  private static void testStatics(NullPointerTester tester, Class<?> c) {
    for (Method m : c.getDeclaredMethods()) {
      if (Modifier.isPublic(m.getModifiers()) && Modifier.isStatic(m.getModifiers()) && !isEnumValueOf(m)) {
        tester.testMethod(null, m);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> void setDefault(NullPointerTester tester, Class<T> type, Object value) {
    tester.setDefault(type, (T) value);
  }

  private static boolean hasCheckedParameter(Call c) {
    return Arrays.stream(c.member.getParameters()).anyMatch(p -> !nullable(p));
  }

  private static void collect(List<String> failures, String what, Executable check) {
    try {
      check.execute();
    } catch (Throwable t) {
      failures.add(what + ": " + t);
    }
  }

  /**
   * Every class that declares a public instance method with a parameter that must not be null has
   * a sample to call it on, so that such a method cannot go untested.
   */
  @Test
  void testSamples_coverEveryClassWithInstanceMethods() {
    List<String> missing = new ArrayList<>();
    for (Class<?> c : classes) {
      for (Method m : c.getDeclaredMethods()) {
        boolean checked = Modifier.isPublic(m.getModifiers()) && !Modifier.isStatic(m.getModifiers())
            && !m.isSynthetic() && !m.isBridge() && !(m.getName().equals("equals") && m.getParameterCount() == 1)
            && Arrays.stream(m.getParameters()).anyMatch(p -> !nullable(p));
        if (checked && !userImplemented(c) && samples.stream().noneMatch(c::isInstance)) {
          missing.add(c.getName() + "." + m.getName());
        }
      }
    }
    assertTrue(missing.isEmpty(), "no sample instance in samples() for " + missing);
  }

  // ================================================================== pass 2: the messages

  @Test
  void testNullArguments_messageNamesOpAndParameter_nothingChanged() throws Exception {
    List<String> failures = new ArrayList<>();
    int checked = 0;
    for (Call call : calls()) {
      Parameter[] ps = call.member.getParameters();
      Map<String, Integer> messages = new LinkedHashMap<>();
      for (int i = 0; i < ps.length; i++) {
        if (nullable(ps[i])) {
          continue;
        }
        assertTrue(ps[i].isNamePresent(), "compile with -parameters (pom.xml): " + call.describe());
        checked++;
        Object[] args = new Object[ps.length];
        for (int j = 0; j < ps.length; j++) {
          args[j] = j == i ? null : defaultFor(ps[j].getType());
        }
        List<String> before = fingerprints(call.target, args);
        Throwable thrown = invoke(call, args);
        String where = call.describe() + " with null " + ps[i].getName();
        if (!(thrown instanceof NullPointerException)) {
          failures.add(where + ": expected a NullPointerException, got " + thrown);
          continue;
        }
        String problem = messageProblem(call, ps[i], args, thrown.getMessage());
        if (problem != null) {
          failures.add(where + ": " + problem + ": '" + thrown.getMessage() + "'");
        }
        Integer other = messages.put(thrown.getMessage(), i);
        if (other != null) {
          failures.add(where + ": the same message as for parameter " + other + ": '" + thrown.getMessage() + "'");
        }
        if (!before.equals(fingerprints(call.target, args))) {
          failures.add(where + ": changed its receiver or an argument before throwing: " + before + " -> "
              + fingerprints(call.target, args));
        }
      }
    }
    System.out.println("NullContractTest: " + checked + " null arguments, each message checked");
    if (!failures.isEmpty()) {
      fail(failures.size() + " failures:\n" + String.join("\n", new TreeSet<>(failures)));
    }
  }

  private static Throwable invoke(Call call, Object[] args) throws Exception {
    try {
      if (call.member instanceof Constructor<?> k) {
        k.newInstance(args);
      } else {
        ((Method) call.member).invoke(call.target, args);
      }
      return null;
    } catch (InvocationTargetException e) {
      return e.getCause();
    }
  }

  /**
   * Null when the message says {@code <op>: <parameter> is null} for this member; else what is
   * wrong. The op is the method's name (or one it starts, or that starts it: {@code sgd_} for
   * {@code Updates.sgd}, {@code crossEntropy} for {@code crossEntropyRows}), the class's, or the
   * value of a String parameter {@code op} or {@code owner}, by which a helper names its caller.
   */
  private static String messageProblem(Call call, Parameter p, Object[] args, String message) {
    if (message == null) {
      return "no message";
    }
    Matcher m = MESSAGE.matcher(message);
    if (!m.matches()) {
      return "not '<op>: <parameter> is null'";
    }
    String[] op = m.group(1).split("\\.");
    String last = op[op.length - 1];
    Set<String> names = new LinkedHashSet<>();
    if (call.member instanceof Method) {
      names.add(call.member.getName());
    }
    for (Class<?> c = call.owner; c != null; c = c.getEnclosingClass()) {
      names.add(c.getSimpleName());
    }
    for (Class<?> c = call.member.getDeclaringClass(); c != null; c = c.getEnclosingClass()) {
      names.add(c.getSimpleName());
    }
    if (call.target instanceof Function f) {
      names.add(f.name()); // a user-defined op names itself
    }
    Parameter[] ps = call.member.getParameters();
    for (int j = 0; j < ps.length; j++) {
      if (ps[j].getType() == String.class && Set.of("op", "owner").contains(ps[j].getName()) && args[j] != null) {
        names.add((String) args[j]);
      }
    }
    if (names.stream().noneMatch(n -> last.equals(n) || (Math.min(n.length(), last.length()) >= 3
        && (last.startsWith(n) || n.startsWith(last))))) {
      return "the op should be one of " + names;
    }
    String named = m.group(2);
    if (!named.equals(p.getName()) && !PARAMETER_ALIASES.getOrDefault(p.getName(), Set.of()).contains(named)) {
      return "names '" + named + "', not the parameter '" + p.getName() + "'";
    }
    return null;
  }

  /** What a call must not change: the receiver's and each argument's state, as text. */
  private static List<String> fingerprints(Object target, Object[] args) {
    List<String> f = new ArrayList<>();
    f.add(fingerprint(target));
    for (Object a : args) {
      f.add(fingerprint(a));
    }
    return f;
  }

  private static String fingerprint(Object o) {
    if (o instanceof Tensor t) {
      return "tensor v" + t.version() + " grad " + System.identityHashCode(t.borrowGrad()) + " rg " + t.requiresGrad();
    }
    if (o instanceof NDArray a) {
      return "array v" + a.version();
    }
    if (o instanceof Module m) {
      StringBuilder sb = new StringBuilder("module " + m.isTraining());
      m.namedParameters().forEach((k, v) -> sb.append(' ').append(k).append(fingerprint(v)));
      m.namedBuffers().forEach((k, v) -> sb.append(' ').append(k).append(fingerprint(v)));
      return sb.toString();
    }
    if (o instanceof Optimizer opt) {
      return "optimizer lr " + opt.learningRate() + " steps " + opt.stepCount(0);
    }
    if (o instanceof LRScheduler s) {
      return "scheduler " + s.epoch() + " " + s.lastLr();
    }
    if (o instanceof GradientMonitor g) {
      return "monitor " + g.steps();
    }
    return String.valueOf(o == null ? null : o.getClass().getName());
  }

  // ================================================================== pass 3: null elements

  @Test
  void testNullElements_nameOpAndIndex() {
    Tensor a = Tensor.of(1.0, 2.0);
    Tensor x = Tensor.of(1.0, 2.0).requiresGrad(true);
    Tensor y = x.mul(x).sum();
    List<Tensor> withNull = Arrays.asList(a, a, null);
    expectNpe("concat: tensors[2] is null", () -> Tensor.concat(withNull, 0));
    expectNpe("cat: tensors[2] is null", () -> Tensor.cat(withNull, 0));
    expectNpe("stack: tensors[2] is null", () -> Tensor.stack(withNull, 0));
    expectNpe("grad: outputs[0] is null", () -> Tensor.grad(Arrays.asList((Tensor) null), List.of(x), null, false));
    expectNpe("grad: inputs[1] is null", () -> Tensor.grad(y, Arrays.asList(x, null), false));
    expectNpe("backward: roots[0] is null",
        () -> Engine.backward(new Tensor[] {null}, new Tensor[] {Tensor.scalar(1)}, false, false));
    expectNpe("backward: rootGrads[0] is null",
        () -> Engine.backward(new Tensor[] {y}, new Tensor[] {null}, false, false));
    expectNpe("grad: gradOutputs[0] is null",
        () -> Engine.grad(new Tensor[] {y}, new Tensor[] {x}, new Tensor[] {null}, false, false));
    expectNpe("concat: parts[1] is null",
        () -> NDArray.concat(new NDArray[] {a.data(), null}, 0));
    expectNpe("fromArray: row [1] is null", () -> Tensor.of(new double[][] {{1.0}, null}));
    expectNpe("Sequential: modules[1] is null", () -> new Sequential(new ReLU(), null));
    expectNpe("SGD: params[1] is null", () -> SGD.builder(Arrays.asList(x, null)).build());
    expectNpe("gradNorm: params[1] is null", () -> GradClip.gradNorm(Arrays.asList(x, null)));
    Function twice = (Function) samples.stream().filter(s -> s instanceof Function).findFirst().orElseThrow();
    expectNpe("twice: inputs[1] is null", () -> twice.apply(a, null));
    expectNpe("parse: args[1] is null", () -> new Flags("prog", "").parse("--help", null));
    Map<String, Tensor> state = new LinkedHashMap<>(new Linear(2, 2, false, new SplittableRandom(1)).stateDict());
    state.put("weight", null);
    Linear target = new Linear(2, 2, false, new SplittableRandom(2));
    List<Double> weightBefore = Arrays.stream(target.weight().toDoubleArray()).boxed().toList();
    expectNpe("loadStateDict: state['weight'] is null", () -> target.loadStateDict(state));
    assertEquals(weightBefore, Arrays.stream(target.weight().toDoubleArray()).boxed().toList(),
        "a failed load leaves the module as it was");
    Map<String, SafeTensors.Entry> entries = new LinkedHashMap<>();
    entries.put("w", null);
    expectNpe("SafeTensors.toBytes: tensors['w'] is null", () -> SafeTensors.toBytes(entries, Map.of()));
    expectNpe("Heatmap: values[1] is null", () -> new dev.cadena.viz.Heatmap(new double[][] {{1.0}, null}));
    expectNpe("cellText: text[0] is null",
        () -> new dev.cadena.viz.Heatmap(new double[][] {{1.0}}).cellText(new String[][] {null}));
  }

  private static void expectNpe(String message, Executable call) {
    NullPointerException e = assertThrows(NullPointerException.class, call, message);
    assertEquals(message, e.getMessage());
  }

  // ================================================================== examples of the contract

  @Test
  void testInPlaceUpdates_nullArgument_versionUnchanged() {
    Tensor t = Tensor.of(1.0, 2.0);
    int version = t.version();
    expectNpe("add_: other is null", () -> t.add_(null));
    expectNpe("add_: other is null", () -> t.add_(null, 2.0));
    expectNpe("sub_: other is null", () -> t.sub_(null));
    expectNpe("mul_: other is null", () -> t.mul_(null));
    expectNpe("copy_: src is null", () -> t.copy_(null));
    assertEquals(version, t.version());
    assertEquals(List.of(1.0, 2.0), Arrays.stream(t.toDoubleArray()).boxed().toList());
  }

  @Test
  void testBriefExamples_messages() {
    expectNpe("add: other is null", () -> Tensor.of(1.0).add(null));
    expectNpe("zeros: shape is null", () -> Tensor.zeros((int[]) null));
    expectNpe("DataLoader: dataset is null", () -> new DataLoader(null, 2));
    expectNpe("SafeTensors.read: path is null", () -> SafeTensors.read(null));
  }

  @Test
  void testNullableParameters_stillAcceptNull() {
    Tensor t = Tensor.of(1.0, 2.0).requiresGrad(true);
    t.setGrad(Tensor.of(3.0, 4.0));
    t.setGrad(null);
    assertEquals(null, t.grad());
    DataLoader inOrder = new DataLoader(new TensorDataset(Tensor.zeros(3, 1), Tensor.ofLongs(0, 1, 2)), 2, false, false, null);
    assertEquals(2, inOrder.numBatches());
    Tensor x = Tensor.of(2.0).requiresGrad(true);
    List<Tensor> g = Tensor.grad(List.of(x.mul(x).sum()), List.of(x), null, false);
    assertEquals(4.0, g.get(0).item(), 0.0);
  }
}
