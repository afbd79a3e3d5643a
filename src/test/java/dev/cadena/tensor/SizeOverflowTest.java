package dev.cadena.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Sizes, offsets and steps that overflow an {@code int}, and tensors of more elements than an
 * array can hold ({@link Shapes#MAX_ELEMENTS}): each is a {@link ShapeException} that names the op
 * and the size, or the result PyTorch gives, never a negative shape, a silently empty tensor, an
 * {@code OutOfMemoryError} or a {@code NegativeArraySizeException}.
 *
 * <p>The expected results come from PyTorch 1.13 semantics: Python slicing of a tensor
 * ({@code x[start:end:step]}, bounds clamped to {@code [0, n]} after counting negative ones from
 * the end, step > 0), {@code torch.narrow} (the range must fit), {@code torch.flatten} (a 0-d
 * tensor accepts only dims 0 and -1 and gives shape {@code [1]}) and {@code torch.arange} ({@code
 * ceil((end - start) / step)} elements). The test heap (2 GiB) cannot hold any of the refused
 * tensors, so a check that came after the allocation would fail here with an OutOfMemoryError.
 */
class SizeOverflowTest {

  /** Asserts a ShapeException whose message starts with {@code op + ":"} and names each value. */
  private static ShapeException assertShapeError(String op, Executable call, String... named) {
    ShapeException e = assertThrows(ShapeException.class, call);
    String m = e.getMessage();
    assertTrue(m.startsWith(op + ":"), "message should start with '" + op + ":': " + m);
    for (String n : named) {
      assertTrue(m.contains(n), "message should name " + n + ": " + m);
    }
    return e;
  }

  // ------------------------------------------------------------------ creation

  @Test
  void testArange_countBeyondAnArray_namesTheCount() {
    // torch.arange(0, 3e9, 1) has 3,000,000,000 elements (it succeeds in PyTorch, with 24 GB).
    assertShapeError("arange", () -> Tensor.arange(0, 3e9, 1), "3000000000", "2147483639");
    assertShapeError("arange", () -> Tensor.arange(0, Shapes.MAX_ELEMENTS + 1.0, 1),
        Long.toString(Shapes.MAX_ELEMENTS + 1L));
    // (end - start) / step overflows to infinity in double.
    assertShapeError("arange", () -> Tensor.arange(-1e308, 1e308, 1e-300), "infinitely many");
  }

  @Test
  void testArange_countsAsPyTorch() {
    // torch.arange(0, 1, 0.3) -> [0.0, 0.3, 0.6, 0.9]; torch.arange(5, 0, 1) -> [] (empty).
    assertEquals(4, Tensor.arange(0, 1, 0.3).numel());
    assertArrayEquals(new int[] {0}, Tensor.arange(5, 0, 1).shape());
    assertArrayEquals(new double[] {5, 3, 1}, Tensor.arange(5, 0, -2).toDoubleArray());
  }

  @Test
  void testFactories_tooManyElements_areShapeErrors() {
    assertShapeError("zeros", () -> Tensor.zeros(65536, 65536), "[65536, 65536]", "4294967296");
    assertShapeError("zeros", () -> Tensor.zeros(Integer.MAX_VALUE), "2147483647");
    assertShapeError("zeros", () -> Tensor.zeros(Shapes.MAX_ELEMENTS + 1), "2147483640");
    // Every factor fits an int, the product overflows even a long: named exactly all the same.
    assertShapeError("zeros",
        () -> Tensor.zeros(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE),
        "9903520300447984150353281023");
    assertShapeError("ones", () -> Tensor.ones(1 << 20, 1 << 20), "1099511627776");
    assertShapeError("full", () -> Tensor.full(2.0, 1 << 16, 1 << 16), "4294967296");
    assertShapeError("zeros", () -> Tensor.zeros(-1, 3), "negative", "[-1, 3]");
    assertShapeError("eye", () -> Tensor.eye(46341), "[46341, 46341]", "2147488281");
    assertShapeError("linspace", () -> Tensor.linspace(0, 1, Integer.MAX_VALUE), "2147483647");
    SplittableRandom rng = new SplittableRandom(7);
    assertShapeError("randn", () -> Tensor.randn(rng, 1 << 16, 1 << 16), "4294967296");
    assertShapeError("rand", () -> Tensor.rand(rng, 1 << 16, 1 << 16), "4294967296");
  }

  @Test
  void testEmptyShape_whoseStridesOverflow_isRefused() {
    // No elements, but its row-major strides (2^32) do not fit an int: refused, documented.
    assertShapeError("zeros", () -> Tensor.zeros(0, 65536, 65536), "4294967296", "strides");
    assertShapeError("reshape", () -> Tensor.zeros(0).reshape(0, 65536, 65536), "strides");
    // An empty shape within the limit is fine.
    assertEquals(0, Tensor.zeros(0, 65536, 16384).numel());
  }

  @Test
  void testShapes_numelAndCheckedSize() {
    assertEquals(Shapes.MAX_ELEMENTS, Integer.MAX_VALUE - 8);
    assertEquals(0, Shapes.numel(new int[] {5, 0, 7}));
    assertEquals(1, Shapes.numel(new int[0]));
    assertShapeError("shape", () -> Shapes.numel(new int[] {46341, 46341}), "2147488281");
    assertEquals(7, Shapes.checkedSize("op", "x", 7));
    assertShapeError("op", () -> Shapes.checkedSize("op", "x", 1L << 31), "x", "2147483648");
    assertShapeError("op", () -> Shapes.checkedSize("op", "x", -1), "x", "-1");
  }

  // ------------------------------------------------------------------ results too large

  @Test
  void testBroadcast_toTooManyElements_namesTheOp() {
    Tensor col = Tensor.zeros(65536, 1);
    Tensor row = Tensor.zeros(1, 65536);
    assertShapeError("add", () -> col.add(row), "[65536, 65536]", "4294967296");
    assertShapeError("mul", () -> col.mul(row), "4294967296");
    assertShapeError("where", () -> Tensor.where(col, col, row), "4294967296");
    assertShapeError("matmul", () -> col.matmul(row), "[65536, 65536]", "4294967296");
  }

  @Test
  void testExpand_toTooManyElements() {
    assertShapeError("expand", () -> Tensor.scalar(1).expand(65536, 65536), "4294967296");
    // 2^30 elements fit: a view, no copy (the test heap could not hold 8 GB).
    assertEquals(1 << 30, Tensor.scalar(1).expand(1 << 15, 1 << 15).numel());
  }

  @Test
  void testReshape_countsWithoutOverflow() {
    Tensor x = Tensor.arange(6);
    // 65536 * 65536 wraps to 0 in int arithmetic; the message names the true count.
    assertShapeError("reshape", () -> x.reshape(65536, 65536), "(4294967296 elements)");
    assertShapeError("reshape", () -> x.reshape(-1, 65536, 65536), "cannot infer");
    assertShapeError("reshape",
        () -> x.reshape(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, 2),
        "19807040600895968300706562046");
    assertArrayEquals(new int[] {2, 3}, x.reshape(-1, 3).shape());
  }

  @Test
  void testConcatAndStack_ofBroadcastViews_tooLong() {
    // Two views of 2^30 + 1 elements each (no storage to speak of): their join has 2^31 + 2.
    Tensor half = Tensor.scalar(1).expand((1 << 30) + 1);
    assertShapeError("concat", () -> Tensor.concat(List.of(half, half), 0), "2147483650");
    Tensor big = Tensor.scalar(1).expand(1 << 30);
    assertShapeError("concat", () -> Tensor.stack(List.of(big, big, big), 0), "[3, 1073741824]",
        "3221225472");
  }

  @Test
  void testOneHot_tooManyElements_beforeCopyingTheLabels() {
    // 2^28 labels (a broadcast view; copying them out would take 2 GiB) x 16 classes = 2^32.
    Tensor labels = Tensor.scalar(0, DType.INT64).expand(1 << 28);
    assertShapeError("oneHot", () -> labels.oneHot(16), "268435456", "4294967296");
  }

  // ------------------------------------------------------------------ views: slice

  @Test
  void testSlice_hugeStep_givesOneElement() {
    Tensor x = Tensor.arange(5);
    // torch.arange(5)[1:5:2147483646] -> tensor([1]); [0:5:2147483647] -> tensor([0]).
    Tensor a = x.slice(0, 1, 5, Integer.MAX_VALUE - 1);
    assertArrayEquals(new int[] {1}, a.shape());
    assertEquals(1, a.numel());
    assertEquals(1.0, a.item());
    Tensor b = x.slice(0, 0, 5, Integer.MAX_VALUE);
    assertArrayEquals(new int[] {1}, b.shape());
    assertEquals(0.0, b.item());
    // A strided array (stride 2 along axis 1) with a huge step: stride * step would overflow,
    // and is not used for one element. y[j][i] = 2i + j, so y[:, 2::2^31-1] = [[4], [5]].
    Tensor y = Tensor.arange(10).reshape(5, 2).permute(1, 0);
    Tensor m = y.slice(1, 2, 5, Integer.MAX_VALUE);
    assertArrayEquals(new int[] {2, 1}, m.shape());
    assertArrayEquals(new double[] {4, 5}, m.toDoubleArray());
    // The gradient of such a slice lands on the one element.
    Tensor w = Tensor.arange(5).requiresGrad(true);
    w.slice(0, 3, Integer.MAX_VALUE, Integer.MAX_VALUE).sum().backward();
    assertArrayEquals(new double[] {0, 0, 0, 1, 0}, w.grad().toDoubleArray());
  }

  @Test
  void testSlice_clampsLikePyTorch() {
    Tensor x = Tensor.arange(5);
    // Python slicing of torch.arange(5), PyTorch 1.13:
    assertArrayEquals(new double[] {3, 4}, x.slice(0, -2, Integer.MAX_VALUE).toDoubleArray()); // x[-2:]
    assertArrayEquals(new double[] {0, 1, 2, 3, 4},
        x.slice(0, Integer.MIN_VALUE, Integer.MAX_VALUE).toDoubleArray()); // x[-2**31:2**31-1]
    assertArrayEquals(new double[] {0, 1}, x.slice(0, -10, 2).toDoubleArray()); // x[-10:2]
    assertArrayEquals(new double[] {1, 3}, x.slice(0, 1, -1, 2).toDoubleArray()); // x[1:-1:2]
    assertArrayEquals(new int[] {0}, x.slice(0, 4, 2).shape()); // x[4:2] -> empty
    assertArrayEquals(new int[] {0}, x.slice(0, 6, 10).shape()); // x[6:10] -> empty
    assertArrayEquals(new int[] {0}, x.slice(0, 0, Integer.MIN_VALUE).shape()); // x[0:-2**31]
    assertArrayEquals(new double[] {0, 3}, x.slice(0, 0, 5, 3).toDoubleArray()); // x[0:5:3]
    // "step must be greater than zero"
    assertShapeError("slice", () -> x.slice(0, 0, 5, 0), "step", "0");
    assertShapeError("slice", () -> x.slice(0, 0, 5, -1), "step", "-1");
    assertShapeError("slice", () -> x.slice(0, 0, 5, Integer.MIN_VALUE), "step");
    assertShapeError("slice", () -> x.slice(1, 0, 5), "axis 1");
  }

  // ------------------------------------------------------------------ views: narrow, flatten

  @Test
  void testNarrow_rangeThatOverflows_isAnError() {
    Tensor x = Tensor.arange(5);
    // 1 + 2^31 - 1 wraps to a negative int: the range must still be refused, naming its true end.
    assertShapeError("narrow", () -> x.narrow(0, 1, Integer.MAX_VALUE), "2147483648", "size 5");
    assertShapeError("narrow", () -> x.narrow(0, Integer.MAX_VALUE, Integer.MAX_VALUE), "4294967294");
    assertShapeError("narrow", () -> x.narrow(0, 2, 4), "[2, 6)");
    assertShapeError("narrow", () -> x.narrow(0, 0, -1), "size 5");
    // torch.narrow(torch.arange(5), 0, 1, 4) -> [1, 2, 3, 4]; (0, 5, 0) -> empty.
    assertArrayEquals(new double[] {1, 2, 3, 4}, x.narrow(0, 1, 4).toDoubleArray());
    assertArrayEquals(new int[] {0}, x.narrow(0, 5, 0).shape());
  }

  @Test
  void testFlatten_ofAScalar_checksItsAxes() {
    Tensor s = Tensor.scalar(3);
    // torch.tensor(3.).flatten(5, 9): IndexError "Dimension out of range (expected to be in
    // range of [-1, 0], but got 5)"; flatten(0, 0), flatten(-1, -1), flatten(0, -1): shape [1].
    assertShapeError("flatten", () -> s.flatten(5, 9), "axis 5", "-1 to 0");
    assertShapeError("flatten", () -> s.flatten(0, 1), "axis 1");
    assertShapeError("flatten", () -> s.flatten(-2, -1), "axis -2");
    for (int[] ax : new int[][] {{0, 0}, {-1, -1}, {0, -1}, {-1, 0}}) {
      Tensor f = s.flatten(ax[0], ax[1]);
      assertArrayEquals(new int[] {1}, f.shape());
      assertEquals(3.0, f.item());
    }
  }

  @Test
  void testFlatten_mergesTheRange() {
    // torch.zeros(2, 3, 4).flatten(1, 2).shape -> [2, 12]
    assertArrayEquals(new int[] {2, 12}, Tensor.zeros(2, 3, 4).flatten(1, 2).shape());
    assertShapeError("flatten", () -> Tensor.zeros(2, 3).flatten(1, 0), "after");
  }

  /**
   * Slices and selects of an empty tensor are empty tensors that can be read: the fuzz found
   * {@code zeros(3, 0).slice(0, -1, MAX_VALUE - 1, 3)} (PyTorch: shape [1, 0]) whose
   * {@code toDoubleArray()} threw ArrayIndexOutOfBoundsException, its offset past the storage.
   */
  @Test
  void testViewsOfEmptyTensors_areReadable() {
    Tensor e = Tensor.zeros(3, 0);
    Tensor[] views = {
      e.slice(0, -1, Integer.MAX_VALUE - 1, 3), e.slice(0, 2, 3), e.select(0, 2), e.select(0, -1),
      e.narrow(0, 1, 2), e.t().slice(1, 2, 3), Tensor.zeros(DType.FLOAT32, 4, 0, 2).select(0, 3)
    };
    int[][] shapes = {{1, 0}, {1, 0}, {0}, {0}, {2, 0}, {0, 1}, {0, 2}};
    for (int i = 0; i < views.length; i++) {
      assertArrayEquals(shapes[i], views[i].shape(), "view " + i);
      assertEquals(0, views[i].toDoubleArray().length, "view " + i);
      assertEquals(0, views[i].sum().item(), "view " + i);
      assertEquals(0, views[i].reshape(-1).numel(), "view " + i);
    }
  }
}
