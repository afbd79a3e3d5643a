package dev.cadena;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.tensor.DType;
import dev.cadena.tensor.DTypeException;
import dev.cadena.tensor.ShapeException;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every op names itself in its error, also when it is a composition whose first step would
 * otherwise fail under another name ({@code rsub} through {@code neg}, {@code min} through {@code
 * max}, {@code sub} through {@code add}).
 */
class OpNameErrorMessagesTest {
  private static final Tensor INTS = Tensor.ofLongs(1, 2, 3);
  private static final Tensor FLOATS = Tensor.of(1.0, 2.0, 3.0);
  private static final Tensor FOUR = Tensor.of(1.0, 2.0, 3.0, 4.0);

  private static Arguments op(String name, Function<Tensor, Tensor> f) {
    return Arguments.of(name, f);
  }

  /** Ops on an int64 tensor: each must say {@code <name>: int64 tensors are not supported}. */
  static Stream<Arguments> int64Ops() {
    return Stream.of(
        op("add", t -> t.add(2.0)), op("sub", t -> t.sub(2.0)), op("rsub", t -> t.rsub(2.0)),
        op("mul", t -> t.mul(2.0)), op("div", t -> t.div(2.0)), op("pow", t -> t.pow(2.0)),
        op("maximum", t -> t.maximum(2.0)), op("minimum", t -> t.minimum(2.0)),
        op("clamp", t -> t.clamp(0, 1)), op("clampMin", t -> t.clampMin(0)),
        op("clampMax", t -> t.clampMax(0)), op("neg", Tensor::neg), op("square", Tensor::square),
        op("reciprocal", Tensor::reciprocal), op("exp", Tensor::exp), op("sqrt", Tensor::sqrt),
        op("sub", t -> t.sub(t)), op("minimum", t -> t.minimum(t)), op("add", t -> t.add(t)),
        op("sum", Tensor::sum), op("mean", Tensor::mean), op("max", Tensor::max),
        op("min", Tensor::min), op("var", Tensor::var), op("std", Tensor::std),
        op("logsumexp", t -> t.logsumexp(0)), op("softmax", t -> t.softmax(0)),
        op("logSoftmax", t -> t.logSoftmax(0)), op("argmax", Tensor::argmax),
        op("argmin", Tensor::argmin),
        op("log1p", Tensor::log1p), op("expm1", Tensor::expm1), op("erf", Tensor::erf),
        op("erfc", Tensor::erfc), op("rdiv", t -> t.rdiv(1.0)), op("softplus", Tensor::softplus),
        op("logSigmoid", Tensor::logSigmoid), op("silu", Tensor::silu),
        op("hardtanh", Tensor::hardtanh), op("gelu", Tensor::gelu),
        op("gelu", t -> t.gelu("tanh")), op("maskedFill", t -> t.maskedFill(t, 0.0)),
        op("tril", t -> t.reshape(1, 3).tril()), op("triu", t -> t.reshape(3, 1).triu(1)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("int64Ops")
  void int64Operand_errorNamesTheOp(String name, Function<Tensor, Tensor> f) {
    DTypeException e = assertThrows(DTypeException.class, () -> f.apply(INTS));
    assertTrue(e.getMessage().startsWith(name + ": int64 tensors are not supported"),
        () -> "expected '" + name + ": ...', got: " + e.getMessage());
  }

  /** Reductions over an empty dimension, which have no identity: each names itself. */
  static Stream<Arguments> emptyReductions() {
    return Stream.of(
        op("max", Tensor::max), op("min", Tensor::min), op("argmax", Tensor::argmax),
        op("argmin", Tensor::argmin), op("max", t -> t.reshape(2, 0).max(1).values()),
        op("min", t -> t.reshape(2, 0).min(1).values()), op("argmax", t -> t.reshape(2, 0).argmax(1)),
        op("argmin", t -> t.reshape(2, 0).argmin(1)),
        op("max", t -> t.reshape(2, 0).amax(new int[] {0, 1}, false)),
        op("min", t -> t.reshape(2, 0).amin(new int[] {0, 1}, true)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("emptyReductions")
  void emptyReduction_errorNamesTheOp(String name, Function<Tensor, Tensor> f) {
    ShapeException e = assertThrows(ShapeException.class, () -> f.apply(Tensor.zeros(0)));
    assertTrue(e.getMessage().startsWith(name + ": cannot reduce an empty dimension"),
        () -> "expected '" + name + ": ...', got: " + e.getMessage());
  }

  /** Binary ops whose shapes do not broadcast: each names itself and both shapes. */
  static Stream<Arguments> broadcastFailures() {
    return Stream.of(
        op("add", t -> t.add(FOUR)), op("sub", t -> t.sub(FOUR)), op("mul", t -> t.mul(FOUR)),
        op("div", t -> t.div(FOUR)), op("pow", t -> t.pow(FOUR)),
        op("maximum", t -> t.maximum(FOUR)), op("minimum", t -> t.minimum(FOUR)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("broadcastFailures")
  void broadcastFailure_errorNamesTheOpAndShapes(String name, Function<Tensor, Tensor> f) {
    ShapeException e = assertThrows(ShapeException.class, () -> f.apply(FLOATS));
    String m = e.getMessage();
    assertTrue(m.startsWith(name + ": ") && m.contains("[3]") && m.contains("[4]"),
        () -> "expected '" + name + ": ... [3] ... [4]', got: " + m);
  }

  /**
   * Factories, in-place writes and accessors whose checks run in a helper of another name
   * ({@code ones} through {@code zeros}, {@code fill_} through {@code copy_}, {@code size}
   * through {@code dim}), as the fuzz listed them: each names itself.
   */
  static Stream<Arguments> otherArguments() {
    java.util.SplittableRandom rng = new java.util.SplittableRandom(1);
    Tensor view = Tensor.scalar(1.0).expand(2, 3);
    return Stream.of(
        Arguments.of("ones", (Runnable) () -> Tensor.ones(2, -1)),
        Arguments.of("ones", (Runnable) () -> Tensor.ones(DType.FLOAT32, -3)),
        Arguments.of("full", (Runnable) () -> Tensor.full(2.0, 2, -3)),
        Arguments.of("rand", (Runnable) () -> Tensor.rand(rng, 2, -3)),
        Arguments.of("fromArray", (Runnable) () -> Tensor.fromArray(new double[0], 1)),
        Arguments.of("fromArray", (Runnable) () -> Tensor.fromArray(new float[2], 3)),
        Arguments.of("fill_", (Runnable) () -> view.fill_(1.0)),
        Arguments.of("zero_", (Runnable) view::zero_),
        Arguments.of("add_", (Runnable) () -> Tensor.zeros(2, 3).add_(Tensor.scalar(1.0), 2.0)),
        Arguments.of("size", (Runnable) () -> FLOATS.size(-2)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("otherArguments")
  void otherBadArgument_errorNamesTheOp(String name, Runnable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
    assertTrue(e.getMessage().startsWith(name + ": "),
        () -> "expected '" + name + ": ...', got: " + e.getMessage());
  }

  /** A null row below the first is named by its position (it was an NPE without a message). */
  @org.junit.jupiter.api.Test
  void fromArray_nullInnerRow_isNamed() {
    NullPointerException e = assertThrows(NullPointerException.class,
        () -> Tensor.of(new double[][][] {{null}}));
    org.junit.jupiter.api.Assertions.assertEquals("fromArray: row [0][0] is null", e.getMessage());
    NullPointerException f = assertThrows(NullPointerException.class,
        () -> Tensor.of(new double[][] {{1.0}, null}));
    org.junit.jupiter.api.Assertions.assertEquals("fromArray: row [1] is null", f.getMessage());
  }
}
