package dev.cadena.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.autograd.GradCheck;
import dev.cadena.io.ModelFiles;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.ShapeException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * PyTorch's pooling options (ceil mode, count_include_pad, divisor_override, return_indices and
 * ties, the 1-d layers, adaptive max pooling) against PyTorch itself: {@code src/test/resources/torch/pool.safetensors}, written
 * by {@code src/test/python/torch_fixtures.py write} with torch 1.13 from fixed float64 inputs.
 * Also their gradients (first and second order, float64, central differences), the layers'
 * printing and their errors. Random geometries against naive loops: {@link PoolingProperties}.
 */
class PoolingOptionsTest {
  private static Map<String, Tensor> torch;

  @BeforeAll
  static void load() throws Exception {
    URL u = PoolingOptionsTest.class.getResource("/torch/pool.safetensors");
    assertNotNull(u, "missing /torch/pool.safetensors (run src/test/python/torch_fixtures.py write)");
    torch = ModelFiles.read(Path.of(u.toURI()));
  }

  private static int[] i(int... v) {
    return v;
  }

  /** Each fixture name with Cadena's call on the fixture input it was made from. */
  static Stream<Arguments> cases() {
    return Stream.of(
        max("max_k2", "x", x -> Functional.maxPool2dWithIndices(x, i(2), null, i(0), i(1), false)),
        max("max_k3s2p1_ceil", "x",
            x -> new MaxPool2d(i(3), i(2), i(1), i(1), true).forwardWithIndices(x)),
        max("max_k23s2p1d21_ceil", "x",
            x -> Functional.maxPool2dWithIndices(x, i(2, 3), i(2), i(1), i(2, 1), true)),
        max("max5_k2s2p1_ceil", "x5",
            x -> Functional.maxPool2dWithIndices(x, i(2), i(2), i(1), i(1), true)),
        avg("avg_k3s2p1_ceil", "x", x -> new AvgPool2d(i(3), i(2), i(1), true, true, null).forward(x)),
        avg("avg_k3s2p1_ceil_excl", "x",
            x -> Functional.avgPool2d(x, i(3), i(2), i(1), true, false, null)),
        avg("avg_k32s12p1_excl", "x",
            x -> new AvgPool2d(i(3, 2), i(1, 2), i(1), false, false, null).forward(x)),
        avg("avg_k3s2_ceil", "x", x -> Functional.avgPool2d(x, i(3), i(2), i(0), true, true, null)),
        avg("avg_k2s2p1_ceil_div3", "x",
            x -> new AvgPool2d(i(2), i(2), i(1), true, true, 3).forward(x)),
        avg("avg5_k2s2p1_ceil", "x5", x -> Functional.avgPool2d(x, i(2), i(2), i(1), true, true, null)),
        max("max1d_k4s3p2_ceil", "x1", x -> new MaxPool1d(4, 3, 2, 1, true).forwardWithIndices(x)),
        max("max1d_k2d3", "x1", x -> Functional.maxPool1dWithIndices(x, 2, 1, 0, 3, false)),
        avg("avg1d_k3s2p1_ceil_excl", "x1", x -> new AvgPool1d(3, 2, 1, true, false).forward(x)),
        avg("avg1d_k2", "x1", x -> Functional.avgPool1d(x, 2, null, 0, false, true)),
        avg("adaptive1d_4", "x1", x -> new AdaptiveAvgPool1d(4).forward(x)),
        max("amax_3x5", "x", x -> Functional.adaptiveMaxPool2dWithIndices(x, i(3, 5))),
        max("amax5_2", "x5", x -> new AdaptiveMaxPool2d(2).forwardWithIndices(x)),
        max("tie_max_k2_ceil", "xt", x -> new MaxPool2d(i(2), null, i(0), i(1), true).forwardWithIndices(x)),
        max("tie_amax_2x4", "xt", x -> Functional.adaptiveMaxPool2dWithIndices(x, i(2, 4))));
  }

  private static Arguments max(String name, String input, Function<Tensor, Tensor.ValuesIndices> f) {
    return Arguments.of(name, input, f);
  }

  private static Arguments avg(String name, String input, Function<Tensor, Tensor> f) {
    return Arguments.of(name, input, (Function<Tensor, Tensor.ValuesIndices>)
        x -> new Tensor.ValuesIndices(f.apply(x), Tensor.ofLongs(new long[0])));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void testPooling_matchesPyTorch(String name, String input,
      Function<Tensor, Tensor.ValuesIndices> f) {
    Tensor.ValuesIndices got = f.apply(torch.get(input));
    Tensor want = torch.get(name);
    assertArrayEquals(want.shape(), got.values().shape(), name + ": shape");
    assertArrayEquals(want.toDoubleArray(), got.values().toDoubleArray(), 1e-12, name);
    Tensor wantIdx = torch.get(name + ".indices");
    if (wantIdx != null) {
      assertEquals(DType.INT64, got.indices().dtype());
      assertArrayEquals(wantIdx.shape(), got.indices().shape(), name + ": indices shape");
      assertArrayEquals(wantIdx.toDoubleArray(), got.indices().toDoubleArray(), 0.0, name + ": indices");
    }
  }

  @Test
  void testCeilMode_lastWindowStartingInTheRightPaddingIsDropped() {
    // 5 + 2 * 1 with k = s = 2: ceil gives 4 windows, the 4th would start at 6 - 1 = 5 >= 5 + 1 - 1.
    Tensor x = Tensor.zeros(1, 1, 5, 5);
    assertArrayEquals(i(1, 1, 3, 3),
        Functional.maxPool2d(x, i(2), i(2), i(1), i(1), true).shape());
    assertArrayEquals(i(1, 1, 3, 3),
        Functional.maxPool2d(x, i(2), i(2), i(1), i(1), false).shape());
    assertArrayEquals(i(1, 1, 3, 3), Functional.maxPool2d(Tensor.zeros(1, 1, 6, 6), i(2), i(2),
        i(0), i(1), true).shape());
    assertArrayEquals(i(1, 1, 3, 3), Functional.maxPool2d(Tensor.zeros(1, 1, 5, 5), i(2), i(2),
        i(0), i(1), true).shape());
  }

  @Test
  void testPoolingOptions_gradients() {
    SplittableRandom r = new SplittableRandom(61);
    Tensor x = Tensor.uniform(r, -1, 1, DType.FLOAT64, 2, 2, 5, 6).requiresGrad(true);
    Function<Tensor[], Tensor> f = in -> Functional.maxPool2d(in[0], i(3), i(2), i(1), i(1), true)
        .square()
        .add(Functional.adaptiveMaxPool2d(in[0], i(3, 4)).square())
        .add(Functional.avgPool2d(in[0], i(3), i(2), i(1), true, false, null).square())
        .add(Functional.avgPool2d(in[0], i(2), i(2), i(1), true, true, 3).square())
        .add(Functional.maxPool2dWithIndices(in[0], i(2, 3), i(2), i(1), i(2, 1), true).values()
            .square().sum());
    GradCheck.Report first = GradCheck.check(f::apply, x);
    assertTrue(first.passed(), first::toString);
    GradCheck.Report second = GradCheck.checkSecondOrder(f::apply,
        GradCheck.Options.defaults().atol(1e-4), x);
    assertTrue(second.passed(), second::toString);

    Tensor x1 = Tensor.uniform(r, -1, 1, DType.FLOAT64, 2, 3, 9).requiresGrad(true);
    Function<Tensor[], Tensor> g = in -> Functional.maxPool1d(in[0], 4, 3, 2, 1, true).square().sum()
        .add(Functional.avgPool1d(in[0], 3, 2, 1, true, false).square().sum())
        .add(Functional.adaptiveAvgPool1d(in[0], 4).square().sum())
        .add(Functional.adaptiveMaxPool2d(in[0].unsqueeze(2), i(1, 4)).square().sum());
    GradCheck.Report first1 = GradCheck.check(g::apply, x1);
    assertTrue(first1.passed(), first1::toString);
    GradCheck.Report second1 = GradCheck.checkSecondOrder(g::apply,
        GradCheck.Options.defaults().atol(1e-4), x1);
    assertTrue(second1.passed(), second1::toString);
  }

  @Test
  void testMaxPoolIndices_areAConstantAndTheValuesCarryTheGradient() {
    Tensor x = Tensor.of(new double[][] {{1, 5, 2, 0}, {3, 4, 8, 7}}).reshape(1, 1, 2, 4)
        .requiresGrad(true);
    Tensor.ValuesIndices r = Functional.maxPool2dWithIndices(x, i(2), null, i(0), i(1), false);
    assertArrayEquals(new double[] {5, 8}, r.values().toDoubleArray(), 0.0);
    assertArrayEquals(new double[] {1, 6}, r.indices().toDoubleArray(), 0.0);
    assertTrue(!r.indices().requiresGrad());
    r.values().mul(Tensor.of(2.0, 3.0).reshape(1, 1, 1, 2)).sum().backward();
    assertArrayEquals(new double[] {0, 2, 0, 0, 0, 0, 3, 0}, x.grad().toDoubleArray(), 0.0);
    // unbatched input: indices still index the plane
    Tensor.ValuesIndices u = new MaxPool2d(2).forwardWithIndices(x.detach().reshape(1, 2, 4));
    assertArrayEquals(i(1, 1, 2), u.indices().shape());
    assertArrayEquals(new double[] {1, 6}, u.indices().toDoubleArray(), 0.0);
  }

  @Test
  void testPooling_printsAsPyTorch() {
    // The strings torch 1.13 prints for the same layers.
    assertEquals("MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=True)",
        new MaxPool2d(i(3), i(2), i(1), i(1), true).toString());
    assertEquals("AvgPool2d(kernel_size=3, stride=2, padding=1)",
        new AvgPool2d(i(3), i(2), i(1), true, false, 2).toString());
    assertEquals("MaxPool1d(kernel_size=3, stride=3, padding=0, dilation=1, ceil_mode=False)",
        new MaxPool1d(3).toString());
    assertEquals("AvgPool1d(kernel_size=(3,), stride=(3,), padding=(0,))", new AvgPool1d(3).toString());
    assertEquals("AdaptiveAvgPool1d(output_size=2)", new AdaptiveAvgPool1d(2).toString());
    assertEquals("AdaptiveMaxPool2d(output_size=(2, 3))",
        new AdaptiveMaxPool2d(i(2, 3)).toString());
  }

  @Test
  void testPoolingOptions_errors() {
    Tensor x = Tensor.zeros(1, 1, 4, 4);
    IllegalArgumentException div = assertThrows(IllegalArgumentException.class,
        () -> Functional.avgPool2d(x, i(2), null, i(0), false, true, 0));
    assertEquals("avgPool2d: divisor_override must be positive, got 0", div.getMessage());
    IllegalArgumentException divModule = assertThrows(IllegalArgumentException.class,
        () -> new AvgPool2d(i(2), null, i(0), false, true, -1));
    assertEquals("AvgPool2d: divisor_override must be positive, got -1", divModule.getMessage());
    IllegalArgumentException pad = assertThrows(IllegalArgumentException.class,
        () -> new MaxPool1d(2, null, 2, 1, false));
    assertEquals("MaxPool1d: padding must be non-negative and at most half the kernel size, got"
        + " padding 2 for kernel_size 2", pad.getMessage());
    IllegalArgumentException pad1 = assertThrows(IllegalArgumentException.class,
        () -> Functional.avgPool1d(Tensor.zeros(1, 1, 4), 3, null, -1, false, true));
    assertEquals("avgPool1d: padding must be non-negative and at most half the kernel size, got"
        + " padding -1 for kernel_size 3", pad1.getMessage());
    IllegalArgumentException k = assertThrows(IllegalArgumentException.class, () -> new AvgPool1d(0));
    assertTrue(k.getMessage().startsWith("AvgPool1d: kernel_size must be positive"), k.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new AdaptiveAvgPool1d(0));
    ShapeException rank = assertThrows(ShapeException.class, () -> new MaxPool1d(2).forward(x));
    assertEquals("MaxPool1d: expected a 3-d input [N, C, L] (or 2-d [C, L]), got shape [1, 1, 4, 4]",
        rank.getMessage());
    ShapeException rank1 = assertThrows(ShapeException.class,
        () -> Functional.adaptiveAvgPool1d(Tensor.zeros(3), 2));
    assertTrue(rank1.getMessage().startsWith("adaptiveAvgPool1d: expected a 3-d input"), rank1.getMessage());
    ShapeException small = assertThrows(ShapeException.class,
        () -> Functional.maxPool2d(Tensor.zeros(1, 1, 2, 2), i(3), null, i(0), i(1), true));
    assertTrue(small.getMessage().startsWith("maxPool2d: the height of the dilated kernel"),
        small.getMessage());
    NullPointerException n = assertThrows(NullPointerException.class,
        () -> Functional.maxPool2dWithIndices(null, i(2), null, i(0), i(1), false));
    assertEquals("maxPool2dWithIndices: input is null", n.getMessage());
    NullPointerException nk = assertThrows(NullPointerException.class,
        () -> Functional.avgPool2d(x, null, null, i(0), false, true, null));
    assertEquals("avgPool2d: kernelSize is null", nk.getMessage());
    ShapeException empty = assertThrows(ShapeException.class,
        () -> new AdaptiveMaxPool2d(2).forward(Tensor.zeros(1, 1, 0, 3)));
    assertEquals("AdaptiveMaxPool2d: the image must not be empty, got shape [1, 1, 0, 3]",
        empty.getMessage());
    IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
        () -> Functional.adaptiveMaxPool2d(x, i(2, 0)));
    assertTrue(size.getMessage().startsWith("adaptiveMaxPool2d: output_size must be positive"),
        size.getMessage());
    ShapeException huge = assertThrows(ShapeException.class,
        () -> Functional.adaptiveMaxPool2d(Tensor.zeros(3, 1, 2), i(2147483646, 2)));
    assertTrue(huge.getMessage().startsWith("adaptiveMaxPool2d: too many elements"), huge.getMessage());
    NullPointerException nm = assertThrows(NullPointerException.class,
        () -> new MaxPool1d(2).forwardWithIndices(null));
    assertEquals("MaxPool1d: input is null", nm.getMessage());
  }
}
