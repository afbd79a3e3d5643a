package dev.cadena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.tensor.DType;
import java.lang.management.ManagementFactory;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Printing costs what it prints: the format and the column width come from the printed elements
 * only, so a million-element tensor or a 2^30-element broadcast view prints without reading (or
 * copying) the rest. The layout follows PyTorch 1.13's {@code torch.set_printoptions} defaults
 * (threshold 1000, edgeitems 3, values aligned right in one width, rows indented under the first
 * bracket); the expected strings are written out by hand from those rules. The allocation bound
 * (bytes counted by {@code com.sun.management.ThreadMXBean}) stands in for a time limit: the old
 * formatter made a string of every element, hundreds of MB for a million elements.
 */
class TensorFormatTest {
  private static final long FEW_MB = 4L << 20;
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private static String printedWithin(long limit, Supplier<Tensor> make) {
    Tensor t = make.get();
    assertTrue(THREADS.isThreadAllocatedMemorySupported() && THREADS.isThreadAllocatedMemoryEnabled(),
        "the JVM must count allocated bytes per thread");
    long before = THREADS.getCurrentThreadAllocatedBytes();
    String s = t.toString();
    long used = THREADS.getCurrentThreadAllocatedBytes() - before;
    assertTrue(used <= limit, "toString allocated " + used + " bytes, at most " + limit + " expected");
    return s;
  }

  @Test
  void testSmallTensors_keepTheirFormat() {
    // torch.tensor([[0.5, 1.25], [-2, 3]]) prints the same values, widths and indentation.
    assertEquals("tensor([[ 0.5000,  1.2500],\n        [-2.0000,  3.0000]], shape=[2, 2], dtype=float64)",
        Tensor.of(new double[][] {{0.5, 1.25}, {-2, 3}}).toString());
    assertEquals("tensor([ 1., 10.,  3.], shape=[3], dtype=float32)", Tensor.of(1f, 10f, 3f).toString());
    assertEquals("tensor([4, 5], shape=[2], dtype=int64)", Tensor.ofLongs(4, 5).toString());
    assertEquals("tensor(2.5000, shape=[], dtype=float64)", Tensor.scalar(2.5).toString());
    assertEquals("tensor([], shape=[0], dtype=float64)", Tensor.zeros(0).toString());
    assertEquals("tensor([1.0000e-05, 1.0000e+00,        nan,       -inf], shape=[4], dtype=float64)",
        Tensor.of(1e-5, 1, Double.NaN, Double.NEGATIVE_INFINITY).toString());
  }

  @Test
  void testMillionElements_printsSixAndReadsNoMore() {
    String s = printedWithin(FEW_MB, () -> Tensor.arange(1_000_000));
    // The widest printed value is "999999." (7 characters); "0." is padded to it.
    assertEquals("tensor([     0.,      1.,      2., ..., 999997., 999998., 999999.], shape=[1000000],"
        + " dtype=float64)", s);
  }

  @Test
  void testBroadcastViewOfTwoToThe30_printsWithoutCopying() {
    String s = printedWithin(FEW_MB, () -> Tensor.scalar(1.5).expand(1 << 15, 1 << 15));
    String row = "[1.5000, 1.5000, 1.5000, ..., 1.5000, 1.5000, 1.5000]";
    String indent = "\n        ";
    assertEquals("tensor([" + row + "," + indent + row + "," + indent + row + "," + indent + "...,"
        + indent + row + "," + indent + row + "," + indent + row + "], shape=[32768, 32768],"
        + " dtype=float64)", s);
    String l = printedWithin(FEW_MB, () -> Tensor.scalar(7, DType.INT64).expand(2000));
    assertEquals("tensor([7, 7, 7, ..., 7, 7, 7], shape=[2000], dtype=int64)", l);
  }

  @Test
  void testFormatAndWidth_comeFromThePrintedElementsOnly() {
    // 1001 ones but for a wide middle value: the middle is not printed, so neither the format
    // (whole numbers, as all printed values are) nor the width (2) follows it. PyTorch's
    // formatter likewise sees only the summarised data.
    double[] v = new double[1001];
    java.util.Arrays.fill(v, 1);
    v[500] = 123456.789;
    assertEquals("tensor([1., 1., 1., ..., 1., 1., 1.], shape=[1001], dtype=float64)",
        Tensor.of(v).toString());
    // Not summarised (1000 elements): every value counts, here for the fixed-point format.
    double[] w = new double[1000];
    java.util.Arrays.fill(w, 1);
    w[500] = 0.5;
    String s = Tensor.of(w).toString();
    assertTrue(s.startsWith("tensor([1.0000, 1.0000, "), s);
    assertTrue(s.contains(" 0.5000, "), s);
  }

  @Test
  void testSummarisedMatrix_cutsOnlyLongDimensions() {
    // [2, 1000]: 2000 elements, so summarised; the first dimension (2 <= 6) is printed whole.
    String s = Tensor.arange(2000).reshape(2, 1000).toString();
    assertEquals("tensor([[   0.,    1.,    2., ...,  997.,  998.,  999.],\n"
        + "        [1000., 1001., 1002., ..., 1997., 1998., 1999.]], shape=[2, 1000], dtype=float64)", s);
  }
}
