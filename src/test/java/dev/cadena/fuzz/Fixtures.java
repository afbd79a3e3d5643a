package dev.cadena.fuzz;

import dev.cadena.Tensor;
import dev.cadena.data.Datasets;
import dev.cadena.data.DataLoader;
import dev.cadena.data.Synthetic;
import dev.cadena.data.TensorDataset;
import dev.cadena.io.FormatException;
import dev.cadena.io.IdxArray;
import dev.cadena.io.Mnist;
import dev.cadena.io.ModelFiles;
import dev.cadena.io.SafeTensors;
import dev.cadena.nn.BatchNorm1d;
import dev.cadena.nn.Dropout;
import dev.cadena.nn.ELU;
import dev.cadena.nn.Functional;
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
import dev.cadena.nn.ReLU;
import dev.cadena.nn.RecurrentOutput;
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
import dev.cadena.optim.Optimizer;
import dev.cadena.optim.RMSprop;
import dev.cadena.optim.SGD;
import dev.cadena.optim.StepLR;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.NDArray;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Array;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import java.util.zip.GZIPOutputStream;

/**
 * The arguments and receivers of fuzz calls: for each parameter type a pool of <em>typical</em>
 * values (valid for most methods, so that a call gets past its checks and into the work) and of
 * <em>hostile</em> ones (null, empty, negative, huge, NaN, corrupt files, ...). Every value is made
 * fresh for the call from its seeded {@link World}, and carries a label for the report.
 *
 * <p><b>Sizes are capped on purpose.</b> A size that fits in an {@code int} but not in the 2 GB
 * test heap (say 2^30 float64 elements, 8 GB) would make any correct implementation run out of
 * memory, and that is the right answer, not a bug. So every generated size, alone or multiplied
 * with the others and with the small sample tensors, either needs at most a few tens of MB or
 * exceeds {@code Integer.MAX_VALUE} (or the JVM's array limit just below it), where the contract
 * asks for a {@code ShapeException}: ints are small or one of {@code 1<<16}, {@code 1<<20},
 * {@code 46341} (its square exceeds 2^31), {@code MAX_VALUE - 1}, {@code MAX_VALUE}, and 2^30
 * appears only in shapes whose product exceeds 2^31; the doubles that {@code arange} turns into an
 * element count are small or at least {@code 1e10} when divided by any step in the pool; tensors
 * have at most a million elements, and that one only as a broadcast view.
 */
final class Fixtures {
  private Fixtures() {}

  /** One argument: its value, how it reads in a report, whether it is or holds a null. */
  record Arg(Object value, String label, boolean nullish) {
    @Override
    public String toString() {
      return label;
    }
  }

  /** A fixture maker with its label. */
  record Named<T>(String label, Function<World, T> make) {}

  /** A receiver maker for instances of {@code type}. */
  record Sample(Class<?> type, String label, Function<World, Object> make) {}

  private static <T> Named<T> named(String label, Function<World, T> make) {
    return new Named<>(label, make);
  }

  private static final Named<Object> NULL = named("null", w -> null);

  static final String NAMED_PIPE = "named pipe";

  /** Raised for a parameter type that has no pool: {@code PublicApiFuzzTest} lists them all. */
  static final class NoPool extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NoPool(Type t) {
      super("no argument pool for " + t.getTypeName());
    }
  }

  // ================================================================ drawing an argument

  /** A typical or hostile value of {@code type} for a call in {@code w}. */
  static Arg draw(Type type, World w, boolean hostile) {
    if (type instanceof Class<?> c) {
      return drawClass(c, w, hostile);
    }
    if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw) {
      Type[] a = p.getActualTypeArguments();
      if ((raw == List.class || raw == Iterable.class) && a[0] == Tensor.class) {
        return pickNamed(hostile ? HOSTILE_TENSOR_LISTS : TYPICAL_TENSOR_LISTS, w);
      }
      if (raw == List.class && a[0] == String.class) {
        return pickNamed(hostile ? HOSTILE_STRING_LISTS : TYPICAL_STRING_LISTS, w);
      }
      if (raw == Map.class && a[0] == String.class) {
        if (a[1] == Tensor.class) {
          return pickNamed(hostile ? HOSTILE_STATE : TYPICAL_STATE, w);
        }
        if (a[1] == String.class) {
          return pickNamed(hostile ? HOSTILE_METADATA : TYPICAL_METADATA, w);
        }
        if (a[1] == SafeTensors.Entry.class) {
          return pickNamed(hostile ? HOSTILE_ENTRY_MAPS : TYPICAL_ENTRY_MAPS, w);
        }
        if (a[1] instanceof java.lang.reflect.WildcardType wt
            && wt.getUpperBounds()[0] == Module.class) {
          return pickNamed(hostile ? HOSTILE_MODULE_MAPS : TYPICAL_MODULE_MAPS, w);
        }
      }
    }
    throw new NoPool(type);
  }

  private static Arg drawClass(Class<?> c, World w, boolean hostile) {
    if (c == int.class) {
      return ints(w, hostile);
    }
    if (c == long.class) {
      long v = hostile
          ? w.pick(List.of(Long.MIN_VALUE, Long.MAX_VALUE, -1L, 1L << 40, (long) Integer.MAX_VALUE + 1))
          : w.pick(List.of(0L, 1L, 2L, 3L));
      return new Arg(v, longLabel(v), false);
    }
    if (c == double.class) {
      return doubles(w, hostile);
    }
    if (c == boolean.class) {
      boolean b = w.coin(0.5);
      return new Arg(b, Boolean.toString(b), false);
    }
    if (c.isEnum()) {
      Object[] constants = c.getEnumConstants();
      if (hostile && w.coin(0.5)) {
        return new Arg(null, "null", true);
      }
      Object v = constants[w.rnd.nextInt(constants.length)];
      return new Arg(v, v.toString(), false);
    }
    if (c == Tensor.class && !hostile && w.last != null && w.coin(0.4)) {
      return pickNamed(FITTING_TENSORS, w);
    }
    Pool pool = POOLS.get(c);
    if (pool == null) {
      throw new NoPool(c);
    }
    return pickNamed(hostile ? pool.hostile() : pool.typical(), w);
  }

  private static Arg pickNamed(List<? extends Named<?>> pool, World w) {
    Named<?> n = w.pick(pool);
    Object v = n.make().apply(w);
    if (v instanceof Tensor t) {
      w.last = t;
    }
    return new Arg(v, n.label(), v == null || holdsNull(v));
  }

  /** Whether a collection, map or array (one level deep) holds a null. */
  static boolean holdsNull(Object v) {
    if (v instanceof Iterable<?> it && !(v instanceof Path)) {
      if (v instanceof java.util.Collection<?>) {
        for (Object o : it) {
          if (o == null) {
            return true;
          }
        }
      }
      return false;
    }
    if (v instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (e.getKey() == null || e.getValue() == null) {
          return true;
        }
      }
      return false;
    }
    if (v != null && v.getClass().isArray() && !v.getClass().getComponentType().isPrimitive()) {
      for (int i = 0; i < Array.getLength(v); i++) {
        Object o = Array.get(v, i);
        if (o == null || holdsNull(o)) {
          return true;
        }
      }
    }
    return false;
  }

  // ================================================================ scalars

  private static final List<Integer> TYPICAL_INTS = List.of(0, 1, 2, -1, 3);

  /** See the class comment: no lone value between a few million and 2^31 - 2. */
  private static final List<Integer> HOSTILE_INTS = List.of(
      Integer.MIN_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE - 1, -2, 1 << 16, 1 << 20, 46341);

  private static Arg ints(World w, boolean hostile) {
    int v;
    if (!hostile) {
      v = w.pick(TYPICAL_INTS);
    } else if (w.coin(0.3)) {
      v = w.rnd.nextInt(-4, 7);
    } else {
      v = w.pick(HOSTILE_INTS);
    }
    return new Arg(v, intLabel(v), false);
  }

  static String intLabel(int v) {
    return switch (v) {
      case Integer.MIN_VALUE -> "MIN_VALUE";
      case Integer.MAX_VALUE -> "MAX_VALUE";
      case Integer.MAX_VALUE - 1 -> "MAX_VALUE-1";
      case 1 << 16 -> "1<<16";
      case 1 << 20 -> "1<<20";
      case 1 << 30 -> "1<<30";
      default -> Integer.toString(v);
    };
  }

  private static String longLabel(long v) {
    if (v == Long.MIN_VALUE) {
      return "Long.MIN_VALUE";
    }
    if (v == Long.MAX_VALUE) {
      return "Long.MAX_VALUE";
    }
    return v + "L";
  }

  private static final List<Double> TYPICAL_DOUBLES = List.of(0.0, 0.5, 1.0, 2.0, -1.0, 0.1, 1e-5);

  /**
   * Non-finite, signed zero, subnormal and extreme values; 1e10 rather than 3e9, because
   * {@code arange(0, 3e9, 2)} would ask for 1.5e9 elements, which fit an int but not the heap.
   */
  private static final List<Double> HOSTILE_DOUBLES = List.of(
      Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 1e-320,
      Double.MIN_VALUE, 1e308, -1e308, 1e10, -2.5, 1.5, 0.999999);

  private static Arg doubles(World w, boolean hostile) {
    double v;
    if (!hostile) {
      // Multiples of 1/4 in [-3, 3]: no random tiny step makes arange's count huge.
      v = w.coin(0.3) ? w.rnd.nextInt(-12, 13) / 4.0 : w.pick(TYPICAL_DOUBLES);
    } else {
      v = w.pick(HOSTILE_DOUBLES);
    }
    return new Arg(v, doubleLabel(v), false);
  }

  private static String doubleLabel(double v) {
    if (v == 0 && 1 / v < 0) {
      return "-0.0";
    }
    return Double.toString(v);
  }

  // ================================================================ arrays

  private static Named<int[]> shape(int... s) {
    return named(Arrays.toString(s), w -> s.clone());
  }

  private static final List<Named<?>> TYPICAL_INT_ARRAYS = List.of(
      shape(2, 3), shape(3), shape(), shape(1), shape(6), shape(3, 2), shape(-1), shape(0),
      shape(1, 0), shape(2, -1), shape(0, 1));

  /** Products either small or beyond 2^31 (see the class comment). */
  private static final List<Named<?>> HOSTILE_INT_ARRAYS = List.of(
      NULL,
      shape(-1, -1), shape(-2), shape(2, -3), shape(1 << 16, 1 << 16), shape(46341, 46341),
      shape(1 << 30, 2), shape(2, 1 << 30), shape(1 << 16, 1 << 15), shape(Integer.MAX_VALUE),
      shape(Integer.MAX_VALUE, 0), shape(Integer.MIN_VALUE), shape(1 << 20), shape(0, 0),
      shape(1, -1), shape(0, 3), shape(5), shape(4, 4, 4), shape(Integer.MAX_VALUE - 1, 2),
      named("random small", Fixtures::randomShape));

  private static int[] randomShape(World w) {
    int[] s = new int[w.rnd.nextInt(0, 5)];
    for (int i = 0; i < s.length; i++) {
      s[i] = w.rnd.nextInt(-1, 5);
    }
    return s;
  }

  private static final List<Named<?>> TYPICAL_LONG_ARRAYS = List.of(
      named("{0, 1, 2}", w -> new long[] {0, 1, 2}), named("{}", w -> new long[0]),
      named("{5}", w -> new long[] {5}));
  private static final List<Named<?>> HOSTILE_LONG_ARRAYS = List.of(
      NULL, named("{MAX, MIN}", w -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE}),
      named("{-1}", w -> new long[] {-1}));

  private static final List<Named<?>> TYPICAL_DOUBLE_ARRAYS = List.of(
      named("{1, 2, 3}", w -> new double[] {1, 2, 3}), named("{0.5}", w -> new double[] {0.5}),
      named("{}", w -> new double[0]), named("{1..6}", w -> new double[] {1, 2, 3, 4, 5, 6}));
  private static final List<Named<?>> HOSTILE_DOUBLE_ARRAYS = List.of(
      NULL,
      named("{NaN, inf, -inf}",
          w -> new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}),
      named("{1e308, -1e308}", w -> new double[] {1e308, -1e308}));

  private static final List<Named<?>> TYPICAL_FLOAT_ARRAYS = List.of(
      named("{1f, 2f, 3f}", w -> new float[] {1, 2, 3}),
      named("{1f..6f}", w -> new float[] {1, 2, 3, 4, 5, 6}), named("{}", w -> new float[0]));
  private static final List<Named<?>> HOSTILE_FLOAT_ARRAYS = List.of(
      NULL, named("{NaN, inf}", w -> new float[] {Float.NaN, Float.POSITIVE_INFINITY}),
      named("{3.4e38f, 1e-45f}", w -> new float[] {3.4e38f, 1e-45f}));

  private static final List<Named<?>> TYPICAL_DOUBLE_2D = List.of(
      named("{{1, 2}, {3, 4}}", w -> new double[][] {{1, 2}, {3, 4}}),
      named("{{1, 2, 3}}", w -> new double[][] {{1, 2, 3}}));
  private static final List<Named<?>> HOSTILE_DOUBLE_2D = List.of(
      NULL, named("{}", w -> new double[0][]), named("{{}}", w -> new double[][] {{}}),
      named("ragged {{1, 2}, {3}}", w -> new double[][] {{1, 2}, {3}}),
      named("{null}", w -> new double[][] {null}),
      named("{{1}, null}", w -> new double[][] {{1}, null}));

  private static final List<Named<?>> TYPICAL_DOUBLE_3D = List.of(
      named("{{{1, 2}}, {{3, 4}}}", w -> new double[][][] {{{1, 2}}, {{3, 4}}}));
  private static final List<Named<?>> HOSTILE_DOUBLE_3D = List.of(
      NULL, named("{}", w -> new double[0][][]),
      named("ragged {{{1}}, {{1, 2}}}", w -> new double[][][] {{{1}}, {{1, 2}}}),
      named("{{null}}", w -> new double[][][] {{null}}), named("{null}", w -> new double[][][] {null}));

  private static final List<Named<?>> TYPICAL_FLOAT_2D = List.of(
      named("{{1f, 2f}, {3f, 4f}}", w -> new float[][] {{1, 2}, {3, 4}}));
  private static final List<Named<?>> HOSTILE_FLOAT_2D = List.of(
      NULL, named("ragged {{1f}, {}}", w -> new float[][] {{1}, {}}),
      named("{null}", w -> new float[][] {null}), named("{}", w -> new float[0][]));

  private static final List<Named<?>> TYPICAL_BYTES = List.of(
      named("bytes {0..5}", w -> new byte[] {0, 1, 2, 3, 4, 5}),
      named("valid safetensors bytes", w -> Files.safetensors()),
      named("valid IDX bytes", w -> Files.idxUbyte(new int[] {2, 3}, 6)));
  private static final List<Named<?>> HOSTILE_BYTES = List.of(
      NULL, named("empty bytes", w -> new byte[0]),
      named("64 garbage bytes", w -> Files.garbage(w, 64)),
      named("safetensors header length 2^40", w -> Files.safetensorsHugeHeader()),
      named("safetensors with dtype twice", w -> Files.safetensorsDuplicateKey()),
      named("truncated safetensors", w -> Files.truncated(Files.safetensors())),
      named("safetensors offsets past the end", w -> Files.safetensorsBadOffsets()));

  // ================================================================ tensors

  private static final List<Named<?>> TYPICAL_TENSORS = List.of(
      named("f64[2,3]", w -> Tensor.randn(w.rng(), 2, 3)),
      named("f64[3]", w -> Tensor.randn(w.rng(), 3)),
      named("f64[] 0-d", w -> Tensor.scalar(0.7)),
      named("f64[1]", w -> Tensor.of(2.0)),
      named("f64[3,1,2]", w -> Tensor.randn(w.rng(), 3, 1, 2)),
      named("f64[3,2]", w -> Tensor.randn(w.rng(), 3, 2)),
      named("f64[2,4]", w -> Tensor.rand(w.rng(), 2, 4)),
      named("f64[2,3] leaf requiresGrad", World::leaf),
      named("f64[2,3] non-leaf (leaf*2)", World::hidden),
      named("f64[] loss (sum of leaf*2)", World::loss),
      named("f32[2,3]", w -> Tensor.randn(w.rng(), DType.FLOAT32, 2, 3)),
      named("i64[2] {0, 1}", w -> Tensor.ofLongs(0, 1)),
      named("i64[2,3] {0..2}", w -> Tensor.ofLongs(0, 1, 2, 2, 1, 0).reshape(2, 3)),
      named("i64[4] {0..3}", w -> Tensor.ofLongs(0, 1, 2, 3)),
      named("f64[] 0-d leaf requiresGrad", w -> Tensor.scalar(0.3).requiresGrad(true)));

  /** Typical tensors that fit the last one drawn, taken for 40% of the typical tensors. */
  private static final List<Named<?>> FITTING_TENSORS = List.of(
      named("f64 of the last tensor's shape", w -> Tensor.randn(w.rng(), lastShape(w))),
      named("f32 of the last tensor's shape", w -> Tensor.randn(w.rng(), DType.FLOAT32, lastShape(w))),
      named("i64 zeros of the last tensor's shape", w -> Tensor.zeros(DType.INT64, lastShape(w))),
      named("i64 class labels for the last tensor's rows", Fixtures::labelsForLast));

  /**
   * The last tensor's shape, or [2, 3] when there is none or it is large (a [1000, 1000] operand
   * would make a matmul with the broadcast view take seconds, a false hang).
   */
  private static int[] lastShape(World w) {
    return w.last == null || w.last.numel() > 10_000 ? new int[] {2, 3} : w.last.shape();
  }

  /** For a last tensor of shape [N, C, ...]: int64 [N] of labels in 0..C-1. */
  private static Tensor labelsForLast(World w) {
    int[] s = lastShape(w);
    int n = s.length == 0 ? 1 : s[0];
    int classes = s.length < 2 ? 2 : Math.max(1, s[1]);
    long[] labels = new long[Math.min(n, 1 << 16)];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = w.rnd.nextInt(classes);
    }
    return Tensor.ofLongs(labels);
  }

  private static final List<Named<?>> HOSTILE_TENSORS = List.of(
      NULL,
      named("f64[0]", w -> Tensor.zeros(0)),
      named("f64[0,3]", w -> Tensor.zeros(0, 3)),
      named("f64[3,0]", w -> Tensor.zeros(3, 0)),
      named("i64[0]", w -> Tensor.zeros(DType.INT64, 0)),
      named("f64[2,3] expanded from 0-d", w -> Tensor.scalar(1.5).expand(2, 3)),
      named("f64[1000,1000] expanded from 0-d", w -> Tensor.scalar(1.5).expand(1000, 1000)),
      named("f64[2,2] strided slice", w -> Tensor.arange(12).reshape(3, 4).slice(1, 0, 4, 2).slice(0, 1, 3, 1)),
      named("f64[3,2] transposed", w -> Tensor.randn(w.rng(), 2, 3).t()),
      named("f64[3] {NaN, inf, -inf}",
          w -> Tensor.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY)),
      named("f32[2] {1e-40f, 1f}", w -> Tensor.of(1e-40f, 1f)),
      named("f64[] loss after backward", w -> {
        Tensor l = Tensor.randn(w.rng(), 2).requiresGrad(true).exp().sum();
        l.backward();
        return l;
      }),
      named("i64[2] {-1, 7}", w -> Tensor.ofLongs(-1, 7)),
      named("i64[1] {Long.MAX_VALUE}", w -> Tensor.ofLongs(Long.MAX_VALUE)),
      named("f32[2,3] leaf requiresGrad", w -> Tensor.randn(w.rng(), DType.FLOAT32, 2, 3).requiresGrad(true)),
      named("f64[1,1,1,1,1]", w -> Tensor.ones(1, 1, 1, 1, 1)),
      named("f64[2,3] detached leaf", w -> w.leaf().detach()));

  /** Receivers of Tensor methods: every tensor of both pools but null. */
  private static final List<Named<?>> TENSOR_RECEIVERS;

  static {
    List<Named<?>> r = new ArrayList<>(TYPICAL_TENSORS);
    r.addAll(HOSTILE_TENSORS.subList(1, HOSTILE_TENSORS.size()));
    TENSOR_RECEIVERS = List.copyOf(r);
  }

  private static Tensor tensor(World w) {
    return (Tensor) w.pick(TYPICAL_TENSORS).make().apply(w);
  }

  /** A list the callee may change, which (unlike List.of) may hold null. */
  @SafeVarargs
  private static <T> List<T> mutableList(T... items) {
    List<T> l = new ArrayList<>(items.length);
    for (T t : items) {
      l.add(t);
    }
    return l;
  }

  private static final List<Named<?>> TYPICAL_TENSOR_LISTS = List.of(
      named("[Linear(3,2) params with grads]", World::params),
      named("[f64[2,3], f64[2,3]]", w -> mutableList(Tensor.randn(w.rng(), 2, 3), Tensor.randn(w.rng(), 2, 3))),
      named("[f64[3] x3]", w -> mutableList(Tensor.randn(w.rng(), 3), Tensor.randn(w.rng(), 3), Tensor.randn(w.rng(), 3))),
      named("[f32[2], f32[2]]", w -> mutableList(Tensor.of(1f, 2f), Tensor.of(3f, 4f))),
      named("[leaf]", w -> mutableList(w.leaf())),
      named("[loss]", w -> mutableList(w.loss())),
      named("[non-leaf]", w -> mutableList(w.hidden())),
      named("[f64[1] leaf requiresGrad]", w -> mutableList(Tensor.of(1.0).requiresGrad(true))));

  private static final List<Named<?>> HOSTILE_TENSOR_LISTS = List.of(
      NULL,
      named("[]", w -> new ArrayList<Tensor>()),
      named("[null]", w -> mutableList((Tensor) null)),
      named("[f64[2,3], null]", w -> mutableList(Tensor.randn(w.rng(), 2, 3), null)),
      named("[f64[2,3], f64[3,2]]", w -> mutableList(Tensor.randn(w.rng(), 2, 3), Tensor.randn(w.rng(), 3, 2))),
      named("[f32[2], f64[2]]", w -> mutableList(Tensor.of(1f, 2f), Tensor.of(1.0, 2.0))),
      named("[i64[2], f64[2]]", w -> mutableList(Tensor.ofLongs(1, 2), Tensor.of(1.0, 2.0))),
      named("[0-d, 0-d]", w -> mutableList(Tensor.scalar(1), Tensor.scalar(2))),
      named("[f64[0], f64[2]]", w -> mutableList(Tensor.zeros(0), Tensor.of(1.0, 2.0))),
      named("[f64[2] no grad]", w -> mutableList(Tensor.of(1.0, 2.0))),
      named("[param, same param]", w -> {
        Tensor p = w.params().get(0);
        return mutableList(p, p);
      }),
      named("[param with NaN grad]", w -> {
        Tensor p = Tensor.of(1.0, 2.0).requiresGrad(true);
        p.setGrad(Tensor.of(Double.NaN, Double.POSITIVE_INFINITY));
        return mutableList(p);
      }),
      named("[expanded view, f64[2,3]]",
          w -> mutableList(Tensor.scalar(1.5).expand(2, 3), Tensor.randn(w.rng(), 2, 3))));

  private static final List<Named<?>> TYPICAL_STRING_LISTS = List.of(
      named("[]", w -> new ArrayList<String>()),
      named("[0.weight, 1.running_mean]", w -> mutableList("0.weight", "1.running_mean")));

  private static final List<Named<?>> HOSTILE_STRING_LISTS = List.of(
      NULL,
      named("[null]", w -> mutableList((String) null)),
      named("[\"\"]", w -> mutableList("")));

  // ================================================================ maps

  private static final List<Named<?>> TYPICAL_STATE = List.of(
      named("state of the receiver (zeros)", Fixtures::receiverState),
      named("state of the receiver (zeros)", Fixtures::receiverState),
      named("{weight: f64[2,3], bias: f64[2]}", w -> {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("weight", Tensor.randn(w.rng(), 2, 3));
        m.put("bias", Tensor.randn(w.rng(), 2));
        return m;
      }));

  private static final List<Named<?>> HOSTILE_STATE = List.of(
      NULL,
      named("{}", w -> new LinkedHashMap<String, Tensor>()),
      named("{weight: null}", w -> {
        Map<String, Tensor> m = new HashMap<>();
        m.put("weight", null);
        return m;
      }),
      named("{null: f64[2]}", w -> {
        Map<String, Tensor> m = new HashMap<>();
        m.put(null, Tensor.of(1.0, 2.0));
        return m;
      }),
      named("receiver state + extra key", w -> {
        Map<String, Tensor> m = receiverState(w);
        m.put("nope", Tensor.zeros(1));
        return m;
      }),
      named("receiver state, one entry of a wrong shape", w -> mutateState(w, t -> Tensor.zeros(t.numel() + 1))),
      named("receiver state, one entry float32", w -> mutateState(w, t -> t.to(DType.FLOAT32))),
      named("receiver state, one entry int64", w -> mutateState(w, t -> Tensor.zeros(DType.INT64, t.shape()))));

  private static Map<String, Tensor> receiverState(World w) {
    Map<String, Tensor> m = new LinkedHashMap<>();
    if (w.receiver instanceof Module mod) {
      for (Map.Entry<String, Tensor> e : mod.stateDict().entrySet()) {
        m.put(e.getKey(), e.getValue().zerosLike());
      }
    }
    return m;
  }

  private static Map<String, Tensor> mutateState(World w, Function<Tensor, Tensor> change) {
    Map<String, Tensor> m = receiverState(w);
    if (!m.isEmpty()) {
      String key = w.pick(new ArrayList<>(m.keySet()));
      m.put(key, change.apply(m.get(key)));
    }
    return m;
  }

  private static final List<Named<?>> TYPICAL_METADATA = List.of(
      named("{}", w -> new LinkedHashMap<String, String>()),
      named("{format: pt}", w -> new LinkedHashMap<>(Map.of("format", "pt"))));
  private static final List<Named<?>> HOSTILE_METADATA = List.of(
      NULL,
      named("{k: null}", w -> {
        Map<String, String> m = new HashMap<>();
        m.put("k", null);
        return m;
      }),
      named("{null: v}", w -> {
        Map<String, String> m = new HashMap<>();
        m.put(null, "v");
        return m;
      }),
      named("{__metadata__: x}", w -> new LinkedHashMap<>(Map.of("__metadata__", "x"))),
      named("{k: quote and NUL}", w -> new LinkedHashMap<>(Map.of("k", "\"}\u0000"))));

  private static final List<Named<?>> TYPICAL_ENTRY_MAPS = List.of(
      named("{w: F64[2,3]}", w -> new LinkedHashMap<>(Map.of("w", entry(w)))),
      named("{a: F64[2,3], b: F32[3]}", w -> {
        Map<String, SafeTensors.Entry> m = new LinkedHashMap<>();
        m.put("a", entry(w));
        m.put("b", SafeTensors.Entry.ofFloats(new int[] {3}, new float[] {1, 2, 3}));
        return m;
      }));
  private static final List<Named<?>> HOSTILE_ENTRY_MAPS = List.of(
      NULL,
      named("{}", w -> new LinkedHashMap<String, SafeTensors.Entry>()),
      named("{w: null}", w -> {
        Map<String, SafeTensors.Entry> m = new HashMap<>();
        m.put("w", null);
        return m;
      }),
      named("{null: entry}", w -> {
        Map<String, SafeTensors.Entry> m = new HashMap<>();
        m.put(null, entry(w));
        return m;
      }),
      named("{__metadata__: entry}", w -> new LinkedHashMap<>(Map.of("__metadata__", entry(w)))),
      named("{\"\": entry}", w -> new LinkedHashMap<>(Map.of("", entry(w)))));

  private static SafeTensors.Entry entry(World w) {
    return SafeTensors.Entry.ofDoubles(new int[] {2, 3}, new double[] {1, 2, 3, 4, 5, 6});
  }

  // ================================================================ other library types

  private static final List<Named<?>> TYPICAL_LSTM_STATES = List.of(
      named("LSTMState([2,3], [2,3])", w -> lstmState(w, 2, 3)),
      named("LSTMState([1,2,3], [1,2,3])", w -> lstmState(w, 1, 2, 3)),
      named("LSTMState([2], [2])", w -> lstmState(w, 2)));
  private static final List<Named<?>> HOSTILE_LSTM_STATES = List.of(
      NULL,
      named("LSTMState(i64[2,3], i64[2,3])",
          w -> new LSTMState(Tensor.zeros(DType.INT64, 2, 3), Tensor.zeros(DType.INT64, 2, 3))),
      named("LSTMState([2,3], [3,2])",
          w -> new LSTMState(Tensor.randn(w.rng(), 2, 3), Tensor.randn(w.rng(), 3, 2))),
      named("LSTMState(0-d, 0-d)", w -> new LSTMState(Tensor.scalar(1.0), Tensor.scalar(1.0))));

  private static final List<Named<?>> TYPICAL_MODULES = List.of(
      named("Linear(3,2)", w -> new Linear(3, 2, true, w.rng())),
      named("Sequential(Linear(3,2), ReLU)", w -> new Sequential(new Linear(3, 2, true, w.rng()), new ReLU())),
      named("ReLU", w -> new ReLU()));
  private static final List<Named<?>> HOSTILE_MODULES = List.of(
      NULL,
      named("Sequential()", w -> new Sequential()),
      named("the receiver itself", w -> w.receiver instanceof Module m ? m : new Sequential()),
      named("LayerNorm(3)", w -> new LayerNorm(3)));

  /** Tensor arrays: the sources of {@code Tensor.vmapLike} and {@code Tensor.anyBatched}. */
  private static final List<Named<?>> TYPICAL_TENSOR_ARRAYS = List.of(
      named("{tensor, tensor}", w -> new Tensor[] {tensor(w), tensor(w)}),
      named("{tensor}", w -> new Tensor[] {tensor(w)}),
      named("{}", w -> new Tensor[0]));
  private static final List<Named<?>> HOSTILE_TENSOR_ARRAYS = List.of(
      NULL,
      named("{null}", w -> new Tensor[] {null}),
      named("{batched [2, 3]}",
          w -> new Tensor[] {Tensor.vmapBatched(dev.cadena.tensor.NDArray.zeros(
              dev.cadena.tensor.DType.FLOAT64, 2, 3))}));

  private static final List<Named<?>> TYPICAL_MODULE_ARRAYS = List.of(
      named("{Linear(3,4), ReLU, Linear(4,2)}",
          w -> new Module[] {new Linear(3, 4, true, w.rng()), new ReLU(), new Linear(4, 2, true, w.rng())}),
      named("{ReLU}", w -> new Module[] {new ReLU()}),
      named("{}", w -> new Module[0]));
  private static final List<Named<?>> HOSTILE_MODULE_ARRAYS = List.of(
      NULL,
      named("{null}", w -> new Module[] {null}),
      named("{m, m} one instance twice", w -> {
        Module m = new Linear(2, 2, true, w.rng());
        return new Module[] {m, m};
      }),
      named("{Linear(3,2), Linear(5,1)}",
          w -> new Module[] {new Linear(3, 2, true, w.rng()), new Linear(5, 1, true, w.rng())}),
      named("{the receiver}", w -> new Module[] {w.receiver instanceof Module m ? m : new ReLU()}));

  /** ModuleDict's constructor argument (h6). */
  private static final List<Named<?>> TYPICAL_MODULE_MAPS = List.of(
      named("{a: Linear(3,2), b: ReLU}", w -> {
        Map<String, Module> m = new LinkedHashMap<>();
        m.put("a", new Linear(3, 2, true, w.rng()));
        m.put("b", new ReLU());
        return m;
      }),
      named("{}", w -> new LinkedHashMap<String, Module>()));
  private static final List<Named<?>> HOSTILE_MODULE_MAPS = List.of(
      NULL,
      named("{a: null}", w -> {
        Map<String, Module> m = new HashMap<>();
        m.put("a", null);
        return m;
      }),
      named("{'a.b': ReLU}", w -> new LinkedHashMap<>(Map.of("a.b", new ReLU()))),
      named("{'': ReLU}", w -> new LinkedHashMap<>(Map.of("", new ReLU()))));

  /** Boxed optional arguments (Embedding's paddingIdx and maxNorm, h6): null means absent. */
  private static final List<Named<?>> TYPICAL_INTEGERS = List.of(
      NULL, named("0", w -> 0), named("1", w -> 1), named("-1", w -> -1));
  private static final List<Named<?>> HOSTILE_INTEGERS = List.of(
      named("Integer.MIN_VALUE", w -> Integer.MIN_VALUE), named("Integer.MAX_VALUE", w -> Integer.MAX_VALUE),
      named("-1000", w -> -1000));
  private static final List<Named<?>> TYPICAL_BOXED_DOUBLES = List.of(
      NULL, named("1.0", w -> 1.0), named("0.5", w -> 0.5));
  private static final List<Named<?>> HOSTILE_BOXED_DOUBLES = List.of(
      named("NaN", w -> Double.NaN), named("-1.0", w -> -1.0), named("0.0", w -> 0.0),
      named("Infinity", w -> Double.POSITIVE_INFINITY));

  private static final List<Named<?>> TYPICAL_OPTIMIZERS = List.of(
      named("SGD(lr=0.1) over Linear params", w -> SGD.builder(w.params()).lr(0.1).build()),
      named("Adam over Linear params", w -> Adam.builder(w.params()).lr(0.01).build()));
  private static final List<Named<?>> HOSTILE_OPTIMIZERS = List.of(NULL);

  private static final List<Named<?>> TYPICAL_DATASETS = List.of(
      named("TensorDataset(f64[5,2], i64[5])", Fixtures::dataset),
      named("xor()", w -> Synthetic.xor()));
  private static final List<Named<?>> HOSTILE_DATASETS = List.of(
      NULL,
      named("TensorDataset of 1 sample", w -> new TensorDataset(Tensor.randn(w.rng(), 1, 2), Tensor.ofLongs(1))),
      named("TensorDataset(f32[4,2,2], i64[4])",
          w -> new TensorDataset(Tensor.randn(w.rng(), DType.FLOAT32, 4, 2, 2), Tensor.ofLongs(0, 1, 0, 1))));

  private static TensorDataset dataset(World w) {
    return new TensorDataset(Tensor.randn(w.rng(), 5, 2), Tensor.ofLongs(0, 1, 0, 1, 1));
  }

  private static final List<Named<?>> TYPICAL_IDX = List.of(
      named("IdxArray ubyte[2,3]", w -> IdxArray.ofUnsignedBytes(new int[] {2, 3}, new int[] {0, 1, 2, 3, 4, 255})),
      named("IdxArray float[4]", w -> IdxArray.ofFloats(new int[] {4}, new float[] {1, 2, 3, 4})),
      named("IdxArray double[2,2]", w -> IdxArray.ofDoubles(new int[] {2, 2}, new double[] {1, 2, 3, 4})),
      named("IdxArray int[3]", w -> IdxArray.ofInts(new int[] {3}, new int[] {-1, 0, 7})),
      named("IdxArray MNIST images ubyte[4,28,28]", w -> mnistImages()),
      named("IdxArray MNIST labels ubyte[4]", w -> IdxArray.ofUnsignedBytes(new int[] {4}, new int[] {0, 1, 2, 9})));
  private static final List<Named<?>> HOSTILE_IDX = List.of(
      NULL,
      named("IdxArray sbyte[2]", w -> IdxArray.ofBytes(IdxArray.Type.SIGNED_BYTE, new int[] {2}, new byte[] {-1, 1})),
      named("IdxArray float[2] {NaN, inf}",
          w -> IdxArray.ofFloats(new int[] {2}, new float[] {Float.NaN, Float.POSITIVE_INFINITY})),
      named("IdxArray labels ubyte[4] {0, 10, 255, 3}",
          w -> IdxArray.ofUnsignedBytes(new int[] {4}, new int[] {0, 10, 255, 3})));

  private static IdxArray mnistImages() {
    int[] v = new int[4 * 28 * 28];
    for (int i = 0; i < v.length; i++) {
      v[i] = (i * 7) & 255;
    }
    return IdxArray.ofUnsignedBytes(new int[] {4, 28, 28}, v);
  }

  private static final List<Named<?>> TYPICAL_MNIST = List.of(
      named("embedded MNIST, 6 digits", w -> Mnist.embedded().subset(0, 6)));
  private static final List<Named<?>> HOSTILE_MNIST = List.of(NULL);

  private static final List<Named<?>> TYPICAL_ENTRIES = List.of(
      named("Entry F64[2,3]", Fixtures::entry),
      named("Entry F32[3]", w -> SafeTensors.Entry.ofFloats(new int[] {3}, new float[] {1, 2, 3})),
      named("Entry I64[2]", w -> SafeTensors.Entry.ofLongs(new int[] {2}, new long[] {1, 2})),
      named("Entry I32[2]", w -> SafeTensors.Entry.ofInts(new int[] {2}, new int[] {1, 2})));
  private static final List<Named<?>> HOSTILE_ENTRIES = List.of(
      NULL,
      named("Entry F16[2]", w -> SafeTensors.Entry.ofBytes(SafeTensors.ElementType.F16, new int[] {2}, new byte[4])),
      named("Entry BF16[1]", w -> SafeTensors.Entry.ofBytes(SafeTensors.ElementType.BF16, new int[] {1}, new byte[2])),
      named("Entry U8[3]", w -> SafeTensors.Entry.ofBytes(SafeTensors.ElementType.U8, new int[] {3}, new byte[] {1, 2, 3})),
      named("Entry BOOL[2]", w -> SafeTensors.Entry.ofBytes(SafeTensors.ElementType.BOOL, new int[] {2}, new byte[] {0, 1})),
      named("Entry I64[1] {Long.MAX_VALUE}", w -> SafeTensors.Entry.ofLongs(new int[] {1}, new long[] {Long.MAX_VALUE})),
      named("Entry F64[0]", w -> SafeTensors.Entry.ofDoubles(new int[] {0}, new double[0])),
      named("Entry F64[] 0-d", w -> SafeTensors.Entry.ofDoubles(new int[0], new double[] {1})));

  private static final List<Named<?>> TYPICAL_NDARRAYS = List.of(
      named("NDArray f64[2,3]", w -> Tensor.randn(w.rng(), 2, 3).data()),
      named("NDArray f32[3]", w -> NDArray.zeros(DType.FLOAT32, 3)));
  private static final List<Named<?>> HOSTILE_NDARRAYS = List.of(
      NULL,
      named("NDArray [2,3] expanded from 0-d", w -> Tensor.scalar(1).expand(2, 3).data()),
      named("NDArray f64[0]", w -> NDArray.zeros(DType.FLOAT64, 0)));

  private static final List<Named<?>> TYPICAL_GENERATORS = List.of(
      named("SplittableRandom(seeded)", World::rng));
  private static final List<Named<?>> HOSTILE_GENERATORS = List.of(NULL);

  private static final List<Named<?>> TYPICAL_STRINGS = List.of(
      named("\"relu\"", w -> "relu"), named("\"tanh\"", w -> "tanh"), named("\"linear\"", w -> "linear"),
      named("\"leaky_relu\"", w -> "leaky_relu"), named("\"sgd\"", w -> "sgd"), named("\"adam\"", w -> "adam"),
      named("\"rmsprop\"", w -> "rmsprop"), named("\"w\"", w -> "w"), named("\"weight\"", w -> "weight"),
      named("\"op\"", w -> "op"), named("\"\" (empty)", w -> ""), named("\"train-\"", w -> "train-"),
      named("\"MEAN\"", w -> "MEAN"), named("\"FLOAT64\"", w -> "FLOAT64"));
  private static final List<Named<?>> HOSTILE_STRINGS = List.of(
      NULL, named("\" \"", w -> " "), named("\"RELU\"", w -> "RELU"),
      named("\"no such name\"", w -> "no such name"), named("\"\\u0000\"", w -> "\u0000"),
      named("\"__metadata__\"", w -> "__metadata__"), named("\"%s %d\"", w -> "%s %d"),
      named("\"x\" x 300", w -> "x".repeat(300)));

  private static final List<Named<?>> TYPICAL_OBJECTS = List.of(
      named("double[][] {{1, 2}, {3, 4}}", w -> new double[][] {{1, 2}, {3, 4}}),
      named("double[] {1, 2, 3}", w -> new double[] {1, 2, 3}),
      named("float[][] {{1f, 2f}}", w -> new float[][] {{1, 2}}),
      named("long[] {1, 2}", w -> new long[] {1, 2}),
      named("int[][] {{1, 2}}", w -> new int[][] {{1, 2}}),
      named("the receiver", w -> w.receiver),
      named("a tensor", Fixtures::tensor),
      named("Double 1.5", w -> 1.5));
  private static final List<Named<?>> HOSTILE_OBJECTS = List.of(
      NULL, named("\"text\"", w -> "text"), named("new Object()", w -> new Object()),
      named("ragged double[][]", w -> new double[][] {{1, 2}, {3}}),
      named("double[][] {null}", w -> new double[][] {null}),
      named("double[0][]", w -> new double[0][]),
      named("Object[] {1.0, 2.0}", w -> new Object[] {1.0, 2.0}),
      named("Double[] {1.0}", w -> new Double[] {1.0}),
      named("double[1]x9 (rank 9)", w -> new double[1][1][1][1][1][1][1][1][1]),
      named("boolean[] {true}", w -> new boolean[] {true}),
      named("char[] {'a'}", w -> new char[] {'a'}),
      named("String[] {\"a\"}", w -> new String[] {"a"}));

  private static final List<Named<?>> TYPICAL_THROWABLES = List.of(
      named("IOException(\"cause\")", w -> new IOException("cause")),
      named("RuntimeException(\"cause\")", w -> new RuntimeException("cause")));
  private static final List<Named<?>> HOSTILE_THROWABLES = List.of(NULL);

  // ================================================================ files and streams

  private static final List<Named<?>> TYPICAL_PATHS = List.of(
      named("fresh path in a temp dir", w -> w.freshPath(".bin")),
      named("fresh .safetensors path in a temp dir", w -> w.freshPath(".safetensors")),
      named("valid safetensors file", w -> w.file(".safetensors", Files.safetensors())),
      named("model file of a Linear(3,2)", Files::linearModelFile),
      named("valid IDX file ubyte[2,3]", w -> w.file(".idx", Files.idxUbyte(new int[] {2, 3}, 6))),
      named("MNIST dir (4 digits, plain and train- files)", Files::mnistDir),
      named("MNIST images file", w -> w.file("-images", Files.idxUbyte(new int[] {4, 28, 28}, 4 * 28 * 28))),
      named("MNIST labels file", w -> w.file("-labels", Files.idxUbyte(new int[] {4}, 4))));
  private static final List<Named<?>> HOSTILE_PATHS = List.of(
      NULL,
      named("nonexistent file", w -> w.freshPath(".missing")),
      named("a directory", World::subdir),
      named("garbage file", w -> w.file(".bin", Files.garbage(w, 64))),
      named("empty file", w -> w.file(".bin", new byte[0])),
      named(NAMED_PIPE, w -> {
        Path p = w.fifo();
        return p != null ? p : w.subdir();
      }),
      named("path under a missing dir", w -> w.freshPath("").resolve("missing").resolve("x.bin")),
      named("path under a regular file", w -> w.file(".bin", new byte[] {1}).resolve("x")),
      named("truncated safetensors file", w -> w.file(".safetensors", Files.truncated(Files.safetensors()))),
      named("safetensors file, header length 2^40", w -> w.file(".safetensors", Files.safetensorsHugeHeader())),
      named("safetensors file, dtype twice", w -> w.file(".safetensors", Files.safetensorsDuplicateKey())),
      named("IDX file declaring 2^31 bytes", w -> w.file(".idx", Files.idxHeader(new int[] {1 << 16, 1 << 15}, 16))),
      named("IDX file declaring 2^28 bytes, 16 present", w -> w.file(".idx", Files.idxHeader(new int[] {1 << 14, 1 << 14}, 16))),
      named("gzipped IDX declaring 2^28 bytes", w -> w.file(".idx.gz", Files.gzip(Files.idxHeader(new int[] {1 << 14, 1 << 14}, 16)))));

  private static final List<Named<?>> TYPICAL_INPUTS = List.of(
      named("stream of valid IDX ubyte[2,3]", w -> new ByteArrayInputStream(Files.idxUbyte(new int[] {2, 3}, 6))),
      named("gzip stream of valid IDX", w -> new ByteArrayInputStream(Files.gzip(Files.idxUbyte(new int[] {3}, 3)))));
  private static final List<Named<?>> HOSTILE_INPUTS = List.of(
      NULL,
      named("empty stream", w -> new ByteArrayInputStream(new byte[0])),
      named("garbage stream", w -> new ByteArrayInputStream(Files.garbage(w, 64))),
      named("truncated IDX stream", w -> new ByteArrayInputStream(Files.truncated(Files.idxUbyte(new int[] {2, 3}, 6)))),
      named("IDX stream declaring 2^31 bytes", w -> new ByteArrayInputStream(Files.idxHeader(new int[] {1 << 16, 1 << 15}, 16))),
      named("IDX stream declaring 2^28 bytes", w -> new ByteArrayInputStream(Files.idxHeader(new int[] {1 << 14, 1 << 14}, 16))),
      named("stream whose read fails", w -> new FailingInput()));
  private static final List<Named<?>> TYPICAL_OUTPUTS = List.of(
      named("ByteArrayOutputStream", w -> new ByteArrayOutputStream()));
  private static final List<Named<?>> HOSTILE_OUTPUTS = List.of(
      NULL, named("stream whose write fails", w -> new FailingOutput()));

  /** An input stream that fails as a broken disk or connection would. */
  static final class FailingInput extends InputStream {
    @Override
    public int read() throws IOException {
      throw new IOException("fuzz: this stream cannot be read");
    }
  }

  /** An output stream that fails as a full disk would. */
  static final class FailingOutput extends OutputStream {
    @Override
    public void write(int b) throws IOException {
      throw new IOException("fuzz: this stream cannot be written");
    }
  }

  /** File contents, built by hand (not by the library under test) so they can be corrupt. */
  static final class Files {
    private Files() {}

    static byte[] garbage(World w, int n) {
      byte[] b = new byte[n];
      w.rnd.nextBytes(b);
      return b;
    }

    static byte[] truncated(byte[] b) {
      return Arrays.copyOf(b, b.length / 2);
    }

    /** An IDX file of unsigned bytes {@code 0, 1, 2, ...}, {@code count} of them. */
    static byte[] idxUbyte(int[] dims, int count) {
      byte[] h = idxHeader(dims, count);
      for (int i = 0; i < count; i++) {
        h[4 + 4 * dims.length + i] = (byte) (i % 10);
      }
      return h;
    }

    /** An unsigned-byte IDX header for {@code dims}, followed by {@code present} data bytes. */
    static byte[] idxHeader(int[] dims, int present) {
      ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + present).order(ByteOrder.BIG_ENDIAN);
      b.put((byte) 0).put((byte) 0).put((byte) 0x08).put((byte) dims.length);
      for (int d : dims) {
        b.putInt(d);
      }
      return b.array();
    }

    static byte[] safetensors(String header, byte[] data) {
      byte[] h = header.getBytes(StandardCharsets.UTF_8);
      ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
      b.putLong(h.length).put(h).put(data);
      return b.array();
    }

    /** {@code w}: F64 [2] {1, 2}, with one metadata entry. */
    static byte[] safetensors() {
      ByteBuffer d = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(1).putDouble(2);
      return safetensors(
          "{\"__metadata__\":{\"k\":\"v\"},\"w\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}}",
          d.array());
    }

    static byte[] safetensorsDuplicateKey() {
      return safetensors(
          "{\"w\":{\"dtype\":\"F64\",\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]}}", new byte[16]);
    }

    static byte[] safetensorsBadOffsets() {
      return safetensors("{\"w\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,1600]}}", new byte[16]);
    }

    static byte[] safetensorsHugeHeader() {
      return ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).array();
    }

    static byte[] gzip(byte[] b) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
        gz.write(b);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return out.toByteArray();
    }

    static Path linearModelFile(World w) {
      Path p = w.freshPath(".safetensors");
      try {
        ModelFiles.save(new Linear(3, 2, true, w.rng()), p);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return p;
    }

    static Path mnistDir(World w) {
      Path d = w.subdir();
      byte[] images = idxUbyte(new int[] {4, 28, 28}, 4 * 28 * 28);
      byte[] labels = idxUbyte(new int[] {4}, 4);
      try {
        for (String prefix : List.of("", "train-")) {
          java.nio.file.Files.write(d.resolve(prefix + Mnist.IMAGES_FILE), images);
          java.nio.file.Files.write(d.resolve(prefix + Mnist.LABELS_FILE), labels);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return d;
    }
  }

  // ================================================================ the pool table

  private record Pool(List<Named<?>> typical, List<Named<?>> hostile) {}

  private static final Map<Class<?>, Pool> POOLS = new HashMap<>();

  private static void pool(Class<?> type, List<Named<?>> typical, List<Named<?>> hostile) {
    POOLS.put(type, new Pool(typical, hostile));
  }

  static {
    pool(int[].class, TYPICAL_INT_ARRAYS, HOSTILE_INT_ARRAYS);
    pool(long[].class, TYPICAL_LONG_ARRAYS, HOSTILE_LONG_ARRAYS);
    pool(double[].class, TYPICAL_DOUBLE_ARRAYS, HOSTILE_DOUBLE_ARRAYS);
    pool(float[].class, TYPICAL_FLOAT_ARRAYS, HOSTILE_FLOAT_ARRAYS);
    pool(double[][].class, TYPICAL_DOUBLE_2D, HOSTILE_DOUBLE_2D);
    pool(double[][][].class, TYPICAL_DOUBLE_3D, HOSTILE_DOUBLE_3D);
    pool(float[][].class, TYPICAL_FLOAT_2D, HOSTILE_FLOAT_2D);
    pool(byte[].class, TYPICAL_BYTES, HOSTILE_BYTES);
    pool(Tensor.class, TYPICAL_TENSORS, HOSTILE_TENSORS);
    pool(NDArray.class, TYPICAL_NDARRAYS, HOSTILE_NDARRAYS);
    pool(RandomGenerator.class, TYPICAL_GENERATORS, HOSTILE_GENERATORS);
    pool(String.class, TYPICAL_STRINGS, HOSTILE_STRINGS);
    pool(Object.class, TYPICAL_OBJECTS, HOSTILE_OBJECTS);
    pool(Throwable.class, TYPICAL_THROWABLES, HOSTILE_THROWABLES);
    pool(Path.class, TYPICAL_PATHS, HOSTILE_PATHS);
    pool(InputStream.class, TYPICAL_INPUTS, HOSTILE_INPUTS);
    pool(OutputStream.class, TYPICAL_OUTPUTS, HOSTILE_OUTPUTS);
    pool(Module.class, TYPICAL_MODULES, HOSTILE_MODULES);
    pool(LSTMState.class, TYPICAL_LSTM_STATES, HOSTILE_LSTM_STATES);
    pool(Module[].class, TYPICAL_MODULE_ARRAYS, HOSTILE_MODULE_ARRAYS);
    pool(Tensor[].class, TYPICAL_TENSOR_ARRAYS, HOSTILE_TENSOR_ARRAYS);
    pool(Optimizer.class, TYPICAL_OPTIMIZERS, HOSTILE_OPTIMIZERS);
    pool(TensorDataset.class, TYPICAL_DATASETS, HOSTILE_DATASETS);
    pool(IdxArray.class, TYPICAL_IDX, HOSTILE_IDX);
    pool(Mnist.class, TYPICAL_MNIST, HOSTILE_MNIST);
    pool(SafeTensors.Entry.class, TYPICAL_ENTRIES, HOSTILE_ENTRIES);
    pool(Integer.class, TYPICAL_INTEGERS, HOSTILE_INTEGERS);
    pool(Double.class, TYPICAL_BOXED_DOUBLES, HOSTILE_BOXED_DOUBLES);
  }

  // ================================================================ receivers

  private static Sample sample(Class<?> type, String label, Function<World, Object> make) {
    return new Sample(type, label, make);
  }

  /**
   * Receivers of instance methods, by class; a method declared by an abstract class (Module,
   * Optimizer, LRScheduler) is called on samples of every subclass. Tensor receivers are the
   * tensors of both pools, enum receivers each constant.
   */
  static final List<Sample> SAMPLES = List.of(
      sample(Linear.class, "Linear(3,2)", w -> new Linear(3, 2, true, w.rng())),
      sample(Linear.class, "Linear(2,3, no bias, f32)", w -> new Linear(2, 3, false, DType.FLOAT32, w.rng())),
      sample(Linear.class, "Linear(3,2) with grads", World::model),
      sample(Sequential.class, "Sequential(Linear(3,4), ReLU, Linear(4,2))",
          w -> new Sequential(new Linear(3, 4, true, w.rng()), new ReLU(), new Linear(4, 2, true, w.rng()))),
      sample(Sequential.class, "Sequential()", w -> new Sequential()),
      sample(BatchNorm1d.class, "BatchNorm1d(3)", w -> new BatchNorm1d(3)),
      sample(BatchNorm1d.class, "BatchNorm1d(2, no affine) in eval mode",
          w -> new BatchNorm1d(2, 1e-5, 0.1, false).eval()),
      sample(LayerNorm.class, "LayerNorm(3)", w -> new LayerNorm(3)),
      sample(LayerNorm.class, "LayerNorm([2,3], f32)", w -> new LayerNorm(new int[] {2, 3}, 1e-5, true, DType.FLOAT32)),
      sample(Dropout.class, "Dropout(0.5)", w -> new Dropout(0.5, w.rng())),
      sample(Dropout.class, "Dropout(0.0)", w -> new Dropout(0.0, w.rng())),
      sample(ELU.class, "ELU()", w -> new ELU()),
      sample(LeakyReLU.class, "LeakyReLU(0.2)", w -> new LeakyReLU(0.2)),
      sample(Softmax.class, "Softmax(1)", w -> new Softmax(1)),
      sample(Softmax.class, "Softmax(-1)", w -> new Softmax(-1)),
      sample(LogSoftmax.class, "LogSoftmax(1)", w -> new LogSoftmax(1)),
      sample(Softplus.class, "Softplus(2, 10)", w -> new Softplus(2, 10)),
      sample(GELU.class, "GELU(tanh)", w -> new GELU(Functional.GeluApproximation.TANH)),
      sample(ReLU.class, "ReLU()", w -> new ReLU()),
      sample(Sigmoid.class, "Sigmoid()", w -> new Sigmoid()),
      sample(Tanh.class, "Tanh()", w -> new Tanh()),
      sample(Module.LoadResult.class, "LoadResult([3.bias], [extra])",
          w -> new Module.LoadResult(List.of("3.bias"), List.of("extra"))),
      sample(SiLU.class, "SiLU()", w -> new SiLU()),
      sample(LogSigmoid.class, "LogSigmoid()", w -> new LogSigmoid()),
      sample(Hardtanh.class, "Hardtanh(-2, 0.5)", w -> new Hardtanh(-2, 0.5)),
      sample(RNNCell.class, "RNNCell(3, 2)", w -> new RNNCell(3, 2, w.rng())),
      sample(RNNCell.class, "RNNCell(2, 3, no bias, relu, f32)",
          w -> new RNNCell(2, 3, false, RNN.Nonlinearity.RELU, DType.FLOAT32, w.rng())),
      sample(LSTMCell.class, "LSTMCell(3, 2)", w -> new LSTMCell(3, 2, w.rng())),
      sample(GRUCell.class, "GRUCell(2, 3)", w -> new GRUCell(2, 3, w.rng())),
      sample(RNN.class, "RNN(2, 3)", w -> new RNN(2, 3, w.rng())),
      sample(RNN.class, "RNN(3, 2, 2 layers, relu, batchFirst, dropout 0.5, bidirectional)",
          w -> new RNN(3, 2, 2, RNN.Nonlinearity.RELU, true, true, 0.5, true, w.rng())),
      sample(LSTM.class, "LSTM(3, 2)", w -> new LSTM(3, 2, w.rng())),
      sample(LSTM.class, "LSTM(2, 2, 2 layers, bidirectional) retaining step grads",
          w -> new LSTM(2, 2, 2, true, false, 0.0, true, w.rng()).retainStepGrads(true)),
      sample(GRU.class, "GRU(2, 2, batchFirst, no bias)",
          w -> new GRU(2, 2, 1, false, true, 0.0, false, w.rng())),
      sample(RecurrentOutput.class, "RecurrentOutput([3,2], [1,2])",
          w -> new RecurrentOutput(Tensor.randn(w.rng(), 3, 2), Tensor.randn(w.rng(), 1, 2))),
      sample(LSTMOutput.class, "LSTMOutput([3,2], ([1,2], [1,2]))",
          w -> new LSTMOutput(Tensor.randn(w.rng(), 3, 2), lstmState(w, 1, 2))),
      sample(LSTMState.class, "LSTMState([2,3], [2,3])", w -> lstmState(w, 2, 3)),
      // Convolution, pooling, containers, embedding (h6).
      sample(dev.cadena.nn.Conv2d.class, "Conv2d(1, 2, 2)", w -> new dev.cadena.nn.Conv2d(1, 2, 2, w.rng())),
      sample(dev.cadena.nn.Conv2d.class, "Conv2d(2, 2, 3, same, groups 2, f32)",
          w -> new dev.cadena.nn.Conv2d(2, 2, new int[] {3}, new int[] {1}, "same", new int[] {1}, 2,
              false, DType.FLOAT32, w.rng())),
      sample(dev.cadena.nn.Conv1d.class, "Conv1d(1, 2, 2)", w -> new dev.cadena.nn.Conv1d(1, 2, 2, w.rng())),
      sample(dev.cadena.nn.MaxPool2d.class, "MaxPool2d(2)", w -> new dev.cadena.nn.MaxPool2d(2)),
      sample(dev.cadena.nn.AvgPool2d.class, "AvgPool2d(1)", w -> new dev.cadena.nn.AvgPool2d(1)),
      sample(dev.cadena.nn.AdaptiveAvgPool2d.class, "AdaptiveAvgPool2d(1)", w -> new dev.cadena.nn.AdaptiveAvgPool2d(1)),
      sample(dev.cadena.nn.MaxPool1d.class, "MaxPool1d(2)", w -> new dev.cadena.nn.MaxPool1d(2)),
      sample(dev.cadena.nn.AvgPool1d.class, "AvgPool1d(1)", w -> new dev.cadena.nn.AvgPool1d(1)),
      sample(dev.cadena.nn.AdaptiveAvgPool1d.class, "AdaptiveAvgPool1d(1)", w -> new dev.cadena.nn.AdaptiveAvgPool1d(1)),
      sample(dev.cadena.nn.AdaptiveMaxPool2d.class, "AdaptiveMaxPool2d(1)", w -> new dev.cadena.nn.AdaptiveMaxPool2d(1)),
      sample(dev.cadena.nn.BatchNorm2d.class, "BatchNorm2d(2)", w -> new dev.cadena.nn.BatchNorm2d(2)),
      sample(dev.cadena.nn.Dropout2d.class, "Dropout2d(0.5)", w -> new dev.cadena.nn.Dropout2d(0.5, w.rng())),
      sample(dev.cadena.nn.Flatten.class, "Flatten()", w -> new dev.cadena.nn.Flatten()),
      sample(dev.cadena.nn.Unflatten.class, "Unflatten(1, 3)", w -> new dev.cadena.nn.Unflatten(1, 3)),
      sample(dev.cadena.nn.Identity.class, "Identity()", w -> new dev.cadena.nn.Identity()),
      sample(dev.cadena.nn.ModuleList.class, "ModuleList(Linear(3,2), ReLU)",
          w -> new dev.cadena.nn.ModuleList(new Linear(3, 2, true, w.rng()), new ReLU())),
      sample(dev.cadena.nn.ModuleDict.class, "ModuleDict{a: ReLU}",
          w -> new dev.cadena.nn.ModuleDict().put("a", new ReLU())),
      sample(dev.cadena.nn.Embedding.class, "Embedding(4, 2, padding 0)",
          w -> new dev.cadena.nn.Embedding(4, 2, 0, null, DType.FLOAT64, w.rng())),

      sample(SGD.class, "SGD(lr=0.1, momentum=0.9, nesterov)",
          w -> SGD.builder(w.params()).lr(0.1).momentum(0.9).nesterov(true).build()),
      sample(SGD.class, "SGD(lr=0.1)", w -> SGD.builder(w.params()).lr(0.1).build()),
      sample(Adam.class, "Adam(lr=0.01)", w -> Adam.builder(w.params()).lr(0.01).build()),
      sample(AdamW.class, "AdamW(lr=0.01)", w -> AdamW.builder(w.params()).lr(0.01).build()),
      sample(RMSprop.class, "RMSprop(centered, momentum=0.9)",
          w -> RMSprop.builder(w.params()).lr(0.01).centered(true).momentum(0.9).build()),
      sample(Adagrad.class, "Adagrad(lr=0.1)", w -> Adagrad.builder(w.params()).lr(0.1).build()),
      sample(SGD.Builder.class, "SGD.builder(params)", w -> SGD.builder(w.params())),
      sample(Adam.Builder.class, "Adam.builder(params)", w -> Adam.builder(w.params())),
      sample(AdamW.Builder.class, "AdamW.builder(params)", w -> AdamW.builder(w.params())),
      sample(RMSprop.Builder.class, "RMSprop.builder(params)", w -> RMSprop.builder(w.params())),
      sample(Adagrad.Builder.class, "Adagrad.builder(params)", w -> Adagrad.builder(w.params())),
      sample(StepLR.class, "StepLR(SGD, 2, 0.5)", w -> new StepLR(sgd(w), 2, 0.5)),
      sample(ExponentialLR.class, "ExponentialLR(SGD, 0.9)", w -> new ExponentialLR(sgd(w), 0.9)),
      sample(CosineAnnealingLR.class, "CosineAnnealingLR(SGD, 10, 0)", w -> new CosineAnnealingLR(sgd(w), 10, 0.0)),

      sample(TensorDataset.class, "TensorDataset(f64[5,2], i64[5])", Fixtures::dataset),
      sample(TensorDataset.class, "xor()", w -> Synthetic.xor()),
      sample(TensorDataset.class, "TensorDataset(f32[4,2,2], i64[4])",
          w -> new TensorDataset(Tensor.randn(w.rng(), DType.FLOAT32, 4, 2, 2), Tensor.ofLongs(0, 1, 0, 1))),
      sample(DataLoader.class, "DataLoader(ds5, 2)", w -> new DataLoader(dataset(w), 2)),
      sample(DataLoader.class, "DataLoader(ds5, 3, shuffle, dropLast)", w -> new DataLoader(dataset(w), 3, true, true, w.rng())),
      sample(DataLoader.class, "DataLoader(ds5, 10)", w -> new DataLoader(dataset(w), 10)),
      sample(TensorDataset.Batch.class, "Batch of ds5 {0, 1}", w -> dataset(w).batch(new int[] {0, 1})),
      sample(Datasets.Split.class, "Split of ds5 (0.4)", w -> Datasets.trainTestSplit(dataset(w), 0.4, w.rng())),

      sample(IdxArray.class, "IdxArray ubyte[2,3]", w -> IdxArray.ofUnsignedBytes(new int[] {2, 3}, new int[] {0, 1, 2, 3, 4, 255})),
      sample(IdxArray.class, "IdxArray float[4]", w -> IdxArray.ofFloats(new int[] {4}, new float[] {1, 2, Float.NaN, 4})),
      sample(IdxArray.class, "IdxArray double[2,2]", w -> IdxArray.ofDoubles(new int[] {2, 2}, new double[] {1, 2, 3, 4})),
      sample(IdxArray.class, "IdxArray int[3]", w -> IdxArray.ofInts(new int[] {3}, new int[] {-1, 0, 7})),
      sample(Mnist.class, "embedded MNIST, 6 digits", w -> Mnist.embedded().subset(0, 6)),
      sample(SafeTensors.Entry.class, "Entry F64[2,3]", Fixtures::entry),
      sample(SafeTensors.Entry.class, "Entry F32[3]", w -> SafeTensors.Entry.ofFloats(new int[] {3}, new float[] {1, 2, 3})),
      sample(SafeTensors.Entry.class, "Entry I64[2]", w -> SafeTensors.Entry.ofLongs(new int[] {2}, new long[] {1, 2})),
      sample(SafeTensors.Entry.class, "Entry I32[2]", w -> SafeTensors.Entry.ofInts(new int[] {2}, new int[] {1, 2})),
      sample(SafeTensors.Entry.class, "Entry F16[2]",
          w -> SafeTensors.Entry.ofBytes(SafeTensors.ElementType.F16, new int[] {2}, new byte[4])),
      sample(SafeTensors.Contents.class, "Contents {w: F64[2]} + metadata",
          w -> SafeTensors.fromBytes(Files.safetensors(), "fuzz sample")),
      sample(FormatException.class, "FormatException(msg, path)",
          w -> new FormatException("fuzz: bad file", w.freshPath(".bin"))),
      sample(FormatException.class, "FormatException(msg)", w -> new FormatException("fuzz: bad bytes")));

  private static LSTMState lstmState(World w, int... shape) {
    return new LSTMState(Tensor.randn(w.rng(), shape), Tensor.randn(w.rng(), shape));
  }

  private static SGD sgd(World w) {
    return SGD.builder(w.params()).lr(0.1).build();
  }

  /** Whether instances of {@code c} can be made as receivers. */
  static boolean hasReceiver(Class<?> c) {
    if (c == Tensor.class || c.isEnum()) {
      return true;
    }
    return SAMPLES.stream().anyMatch(s -> c.isAssignableFrom(s.type()));
  }

  /** A fresh receiver for a method of {@code c}, with its label. */
  static Arg receiver(Class<?> c, World w) {
    if (c == Tensor.class) {
      return pickNamed(TENSOR_RECEIVERS, w);
    }
    if (c.isEnum()) {
      Object[] constants = c.getEnumConstants();
      Object v = constants[w.rnd.nextInt(constants.length)];
      return new Arg(v, v.toString(), false);
    }
    List<Sample> fit = SAMPLES.stream().filter(s -> c.isAssignableFrom(s.type())).toList();
    if (fit.isEmpty()) {
      throw new IllegalStateException("no sample receiver for " + c.getName());
    }
    Sample s = w.pick(fit);
    return new Arg(s.make().apply(w), s.label(), false);
  }
}
