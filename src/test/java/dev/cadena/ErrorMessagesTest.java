package dev.cadena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cadena.autograd.AutogradException;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.DTypeException;
import dev.cadena.tensor.NDArray;
import dev.cadena.tensor.ShapeException;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Every user mistake is an {@link IllegalArgumentException} subclass whose message names the op
 * and the shapes, axes or dtypes involved.
 */
class ErrorMessagesTest {

  /** Asserts the call throws {@code type} and its message contains every fragment. */
  private static <T extends IllegalArgumentException> T expect(
      Class<T> type, Executable call, String... fragments) {
    T e = assertThrows(type, call);
    String m = e.getMessage();
    for (String f : fragments) {
      assertTrue(m.contains(f), () -> "message should contain '" + f + "': " + m);
    }
    return e;
  }

  @Test
  void matmul_innerDimensionMismatch() {
    ShapeException e = expect(ShapeException.class,
        () -> Tensor.zeros(2, 3).matmul(Tensor.zeros(4, 5)), "matmul", "[2, 3]", "[4, 5]", "3 != 4");
    assertEquals("matmul: inner dimensions differ: [2, 3] @ [4, 5] (3 != 4)", e.getMessage());
    expect(ShapeException.class, () -> Tensor.zeros(3).matmul(Tensor.zeros(4)), "matmul", "[3]", "[4]");
    expect(ShapeException.class, () -> Tensor.zeros(2, 3).matmul(Tensor.zeros(2)), "matmul", "[2, 3]", "[2]");
    expect(ShapeException.class, () -> Tensor.zeros(2, 2, 3).matmul(Tensor.zeros(3, 3, 1)),
        "matmul", "batch", "[2, 2, 3]", "[3, 3, 1]");
    expect(ShapeException.class, () -> Tensor.scalar(1).matmul(Tensor.zeros(1)), "matmul", "[]");
  }

  @Test
  void broadcastingFailure_namesBothShapes() {
    expect(ShapeException.class, () -> Tensor.zeros(2, 3).add(Tensor.zeros(2)), "add", "[2, 3]", "[2]");
    expect(ShapeException.class, () -> Tensor.zeros(5).maximum(Tensor.zeros(4)), "max", "[5]", "[4]");
    expect(ShapeException.class, () -> Tensor.zeros(2, 3).expand(4, 3), "expand", "[2, 3]", "[4, 3]");
  }

  @Test
  void backward_onNonScalarWithoutGradient() {
    Tensor y = Tensor.zeros(2, 3).requiresGrad(true).mul(2.0);
    expect(AutogradException.class, y::backward, "backward", "scalar", "[2, 3]");
    expect(AutogradException.class, () -> y.backward(Tensor.zeros(3)), "backward", "[3]", "[2, 3]");
    expect(AutogradException.class, () -> Tensor.grad(List.of(y), List.of(y), null, false), "grad", "[2, 3]");
    expect(AutogradException.class, () -> Tensor.of(1.0).backward(), "backward", "does not require grad");
  }

  @Test
  void secondBackward() {
    Tensor x = Tensor.of(1.0).requiresGrad(true);
    Tensor y = x.exp().sum();
    y.backward();
    expect(AutogradException.class, y::backward, "backward", "'sum'", "retainGraph");
  }

  @Test
  void modifiedSavedTensor() {
    Tensor x = Tensor.of(1.0, 2.0).requiresGrad(true);
    Tensor y = x.sigmoid();
    Tensor loss = y.sum();
    try (var s = Tensor.noGrad()) {
      y.add_(Tensor.of(1.0, 1.0));
    }
    expect(AutogradException.class, loss::backward, "'sigmoid'", "modified in place", "version");
  }

  @Test
  void axisOutOfRange_namesOpAxisAndRank() {
    Tensor x = Tensor.zeros(2, 3);
    expect(ShapeException.class, () -> x.sum(2), "sum", "axis 2", "rank 2");
    expect(ShapeException.class, () -> x.sum(-3), "sum", "axis -3");
    expect(ShapeException.class, () -> x.mean(5), "mean", "axis 5");
    expect(ShapeException.class, () -> x.max(2), "max", "axis 2");
    expect(ShapeException.class, () -> x.min(2), "min", "axis 2");
    expect(ShapeException.class, () -> x.var(2), "var", "axis 2");
    expect(ShapeException.class, () -> x.std(2), "std", "axis 2");
    expect(ShapeException.class, () -> x.argmax(2), "argmax", "axis 2");
    expect(ShapeException.class, () -> x.logsumexp(2), "logsumexp", "axis 2");
    expect(ShapeException.class, () -> x.softmax(2), "softmax", "axis 2", "rank 2");
    expect(ShapeException.class, () -> x.logSoftmax(-3), "logSoftmax", "axis -3");
    expect(ShapeException.class, () -> x.permute(0, 2), "permute", "axis 2");
    expect(ShapeException.class, () -> x.permute(0), "permute", "rank 2");
    expect(ShapeException.class, () -> x.permute(0, 0), "permute", "0");
    expect(ShapeException.class, () -> x.transpose(0, 2), "transpose", "axis 2");
    expect(ShapeException.class, () -> x.squeeze(2), "squeeze", "axis 2");
    expect(ShapeException.class, () -> x.squeeze(0), "squeeze", "size 2");
    expect(ShapeException.class, () -> x.unsqueeze(4), "unsqueeze", "axis 4");
    expect(ShapeException.class, () -> Tensor.concat(List.of(x, x), 2), "concat", "axis 2");
    expect(ShapeException.class, () -> Tensor.concat(List.of(x, Tensor.zeros(3, 3)), 1), "concat", "[2, 3]", "[3, 3]");
    expect(ShapeException.class, () -> Tensor.stack(List.of(x, x), 3), "stack", "axis 3");
    expect(ShapeException.class, () -> Tensor.stack(List.of(x, Tensor.zeros(3, 2)), 0), "stack", "[2, 3]", "[3, 2]");
    expect(ShapeException.class, () -> x.select(2, 0), "select", "axis 2");
    expect(ShapeException.class, () -> x.select(0, 2), "select", "index 2", "size 2");
    expect(ShapeException.class, () -> x.slice(3, 0, 1), "slice", "axis 3");
    expect(ShapeException.class, () -> x.narrow(1, 2, 2), "narrow", "size 3");
    expect(ShapeException.class, () -> x.indexSelect(2, Tensor.ofLongs(0)), "indexSelect", "axis 2");
    expect(ShapeException.class, () -> x.gather(2, Tensor.zeros(DType.INT64, 2, 3)), "gather", "axis 2");
    expect(ShapeException.class, () -> x.size(2), "axis 2");
    expect(ShapeException.class, () -> Tensor.scalar(1).sum(0), "sum", "rank 0");
  }

  @Test
  void reshape_sizeMismatch() {
    Tensor x = Tensor.zeros(2, 3);
    expect(ShapeException.class, () -> x.reshape(4), "reshape", "[2, 3]", "[4]");
    expect(ShapeException.class, () -> x.view(4, -1), "reshape", "[4, -1]");
    expect(ShapeException.class, () -> x.reshape(-1, -1), "reshape", "-1");
  }

  @Test
  void indexOutOfRange() {
    Tensor x = Tensor.zeros(3, 2);
    expect(ShapeException.class, () -> x.indexSelect(0, Tensor.ofLongs(0, 3)), "indexSelect", "index 3", "size 3");
    expect(ShapeException.class, () -> x.indexSelect(0, Tensor.ofLongs(-4)), "indexSelect", "index -4");
    expect(ShapeException.class, () -> x.gather(1, Tensor.fromArray(new long[][] {{0}, {2}, {1}})),
        "gather", "index 2", "size 2");
    expect(IllegalArgumentException.class, () -> Tensor.ofLongs(0, 3).oneHot(3), "oneHot", "3", "[0, 3)");
    expect(IllegalArgumentException.class, () -> Tensor.ofLongs(-1).oneHot(3), "oneHot", "-1");
    expect(ShapeException.class, () -> x.get(3, 0), "get", "index 3");
    expect(ShapeException.class, () -> x.get(0), "get", "rank 2");
  }

  @Test
  void int64InArithmetic() {
    Tensor l = Tensor.ofLongs(1, 2);
    expect(DTypeException.class, () -> l.add(l), "add", "int64");
    expect(DTypeException.class, () -> l.mul(l), "mul", "int64");
    expect(DTypeException.class, () -> l.exp(), "exp", "int64");
    expect(DTypeException.class, () -> l.add(1.0), "add: int64");
    expect(DTypeException.class, () -> l.mul(2.0), "mul: int64", ".to(DType.FLOAT64)");
    expect(DTypeException.class, () -> l.sum(), "sum", "int64");
    expect(DTypeException.class, () -> l.neg(), "neg", "int64");
    expect(DTypeException.class, () -> l.to(DType.INT64).matmul(l), "matmul", "int64");
    expect(AutogradException.class, () -> Tensor.ofLongs(1).requiresGrad(true), "requiresGrad", "int64");
  }

  @Test
  void indexDtype() {
    Tensor x = Tensor.zeros(3, 2);
    expect(DTypeException.class, () -> x.gather(0, Tensor.zeros(1, 2)), "gather", "int64", "float64");
    expect(DTypeException.class, () -> x.indexSelect(0, Tensor.of(0.0)), "indexSelect", "int64", "float64");
    expect(DTypeException.class, () -> Tensor.of(1.0).oneHot(2), "oneHot", "int64", "float64");
  }

  @Test
  void raggedFromArray() {
    expect(IllegalArgumentException.class, () -> Tensor.fromArray(new double[][] {{1, 2}, {3}}),
        "fromArray", "ragged", "length 1", "expected 2");
  }

  @Test
  void itemOnMultiElementTensor() {
    expect(ShapeException.class, () -> Tensor.zeros(2, 2).item(), "item", "[2, 2]", "4 elements");
  }

  @Test
  void requiresGradOnNonLeaf() {
    Tensor y = Tensor.of(1.0).requiresGrad(true).exp();
    expect(AutogradException.class, () -> y.requiresGrad(true), "requiresGrad", "'exp'", "detach");
  }

  @Test
  void functionalGrad_mismatchedGradOutputs() {
    Tensor x = Tensor.of(1.0).requiresGrad(true);
    Tensor a = x.mul(2.0);
    Tensor b = x.mul(3.0);
    expect(IllegalArgumentException.class,
        () -> Tensor.grad(List.of(a, b), List.of(x), List.of(Tensor.of(1.0)), false), "grad", "2", "1");
  }

  @Test
  void factories_rejectBadArguments() {
    expect(ShapeException.class, () -> Tensor.zeros(2, -1), "zeros", "[2, -1]");
    expect(IllegalArgumentException.class, () -> Tensor.eye(-1), "eye");
    expect(IllegalArgumentException.class, () -> Tensor.uniform(new SplittableRandom(1), 2, 1, DType.FLOAT64, 2), "uniform");
    expect(ShapeException.class, () -> Tensor.fromArray(new double[] {1, 2, 3}, 2, 2), "3 values", "[2, 2]");
    expect(ShapeException.class, () -> Tensor.eye(50_000), "eye", "50000");
    expect(ShapeException.class, () -> Tensor.ofLongs(0, 1).oneHot(Integer.MAX_VALUE), "oneHot", "2 labels");
  }

  // ------------------------------------------------------------------ fuzzing

  /** Calls ops with random (often invalid) axes, indices and shapes. */
  @Property(tries = 400, seed = "13", edgeCases = EdgeCasesMode.NONE)
  void randomBadArguments_onlyIllegalArgumentExceptionsEscape(@ForAll long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int rank = rng.nextInt(4);
    int[] shape = new int[rank];
    for (int i = 0; i < rank; i++) {
      shape[i] = rng.nextInt(4);
    }
    Tensor x = Tensor.randn(rng, shape);
    int a = rng.nextInt(-6, 6);
    int b = rng.nextInt(-6, 6);
    int c = rng.nextInt(-6, 6);
    List<Supplier<Object>> calls = List.of(
        () -> x.sum(a), () -> x.mean(a, true), () -> x.max(a), () -> x.amin(new int[] {a, b}, false), () -> x.amax(a),
        () -> x.var(new int[] {a}, 1, true), () -> x.softmax(a), () -> x.logSoftmax(a),
        () -> x.logsumexp(a), () -> x.argmax(a), () -> x.argmin(a),
        () -> x.permute(randomInts(rng, rng.nextInt(5), -5, 5)), () -> x.transpose(a, b),
        () -> x.squeeze(a), () -> x.unsqueeze(a), () -> x.select(a, b), () -> x.narrow(a, b, c),
        () -> x.slice(a, b, c), () -> x.slice(a, b, c, rng.nextInt(-2, 3)),
        () -> x.reshape(randomInts(rng, rng.nextInt(4), -2, 6)),
        () -> x.expand(randomInts(rng, rng.nextInt(5), -1, 4)),
        () -> x.flatten(a, b), () -> x.get(randomInts(rng, rank, -4, 4)),
        () -> x.indexSelect(a, Tensor.ofLongs(randomLongs(rng, 3))),
        () -> x.gather(a, Tensor.fromData(NDArray.wrap(randomLongs(rng, x.numel()), shape))),
        () -> x.indexAdd(a, Tensor.ofLongs(randomLongs(rng, 1)), Tensor.zeros(shape)),
        () -> x.scatterAdd(a, Tensor.fromData(NDArray.wrap(randomLongs(rng, x.numel()), shape)), x),
        () -> x.sliceScatter(x, a, b, c, 1),
        () -> Tensor.concat(List.of(x, Tensor.zeros(randomInts(rng, rank, 0, 3))), a),
        () -> Tensor.stack(List.of(x, x), a),
        () -> Tensor.ofLongs(randomLongs(rng, 3)).oneHot(rng.nextInt(-1, 4)),
        () -> x.matmul(Tensor.zeros(randomInts(rng, rng.nextInt(4), 0, 4))),
        () -> x.add(Tensor.zeros(randomInts(rng, rng.nextInt(4), 0, 4))),
        () -> Tensor.where(Tensor.zeros(randomInts(rng, rng.nextInt(3), 1, 3)), x, x),
        () -> x.sumTo(randomInts(rng, rng.nextInt(4), 0, 4)),
        () -> x.item(), () -> x.size(a), () -> x.t(), () -> x.mT(), () -> x.clamp(a, b));
    for (int i = 0; i < calls.size(); i++) {
      try {
        calls.get(i).get();
      } catch (IllegalArgumentException expected) {
        assertTrue(expected.getMessage() != null && !expected.getMessage().isEmpty(),
            "call " + i + " threw an exception without a message");
      } catch (RuntimeException other) {
        fail("call " + i + " on shape " + Arrays.toString(shape) + " with a=" + a + ", b=" + b
            + ", c=" + c + " threw " + other, other);
      }
    }
  }

  private static int[] randomInts(SplittableRandom rng, int n, int lo, int hi) {
    int[] r = new int[n];
    for (int i = 0; i < n; i++) {
      r[i] = rng.nextInt(lo, hi);
    }
    return r;
  }

  private static long[] randomLongs(SplittableRandom rng, int n) {
    long[] r = new long[n];
    for (int i = 0; i < n; i++) {
      r[i] = rng.nextInt(-4, 4);
    }
    return r;
  }
}
