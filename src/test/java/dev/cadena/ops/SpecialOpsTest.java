package dev.cadena.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.RefArray;
import dev.cadena.Tensor;
import dev.cadena.func.Func;
import dev.cadena.func.TensorFn;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.ShapeException;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * log1p, expm1, erf, erfc and the activations and masks built on them, at the tensor level:
 * values against independently known ones (published tables, java.lang.Math, naive loops) in
 * float64 and float32, exact derivatives at chosen points, and the masks' edge cases (NaN, empty,
 * int64, broadcasting).
 */
class SpecialOpsTest {
  private static final double NAN = Double.NaN;
  private static final double INF = Double.POSITIVE_INFINITY;

  // ------------------------------------------------------------------ log1p, expm1

  @Test
  void log1p_keepsTheDigitsOfATinyArgument() {
    // log1p(x) = x - x^2/2 + ...: 1e-10 - 5e-21, where log(1 + 1e-10) is 1.00000008e-10.
    assertEquals(1e-10 - 5e-21, Tensor.of(1e-10).log1p().item(), 1e-26);
    assertEquals(Math.log(3.0), Tensor.of(2.0).log1p().item(), Math.ulp(1.0));
    assertEquals(Double.NEGATIVE_INFINITY, Tensor.of(-1.0).log1p().item(), 0.0);
    assertTrue(Double.isNaN(Tensor.of(-2.0).log1p().item()));
    // float32: the float64 value rounded once.
    Tensor f = Tensor.of(1e-7f, 0.5f).log1p();
    assertEquals(DType.FLOAT32, f.dtype());
    assertEquals((float) (1e-7f - 0.5 * 1e-7f * 1e-7f), f.toFloatArray()[0], 0f);
    assertEquals((float) Math.log(1.5), f.toFloatArray()[1], 0f);
  }

  @Test
  void expm1_keepsTheDigitsOfATinyResult() {
    assertEquals(1e-10 + 5e-21, Tensor.of(1e-10).expm1().item(), 1e-26);
    assertEquals(-1.0, Tensor.of(Double.NEGATIVE_INFINITY).expm1().item(), 0.0);
    assertEquals(Math.E - 1, Tensor.of(1.0).expm1().item(), 1e-15);
    Tensor f = Tensor.of(1e-7f).expm1();
    assertEquals((float) (1e-7f + 0.5 * 1e-7f * 1e-7f), f.toFloatArray()[0], 0f);
  }

  @Test
  void log1pAndExpm1_derivatives_areExactFormulas() {
    Tensor x = Tensor.of(-0.5, 0.0, 3.0).requiresGrad(true);
    x.log1p().sum().backward();
    assertArrayEquals(new double[] {2.0, 1.0, 0.25}, x.grad().toDoubleArray(), 1e-15);
    Tensor y = Tensor.of(-1.0, 0.0, 2.0).requiresGrad(true);
    y.expm1().sum().backward();
    assertArrayEquals(new double[] {Math.exp(-1), 1, Math.exp(2)}, y.grad().toDoubleArray(), 1e-15);
  }

  // ------------------------------------------------------------------ erf, erfc

  @Test
  void erf_knownValues_float64AndFloat32() {
    // Abramowitz and Stegun, Table 7.1, to the last digit of a double.
    double[] xs = {0.5, 1.0, 2.0, -1.5};
    double[] erf = {0.5204998778130465, 0.8427007929497149, 0.9953222650189527, -0.9661051464753108};
    double[] erf64 = Tensor.of(xs).erf().toDoubleArray();
    float[] erf32 = Tensor.of(0.5f, 1f, 2f, -1.5f).erf().toFloatArray();
    for (int i = 0; i < xs.length; i++) {
      assertEquals(erf[i], erf64[i], 1e-15 * Math.abs(erf[i]), "erf(" + xs[i] + ")");
      assertEquals((float) erf[i], erf32[i], Math.ulp((float) erf[i]), "float32 erf(" + xs[i] + ")");
    }
  }

  @Test
  void erfc_isAccurateInTheTail_where1MinusErfIsZero() {
    assertEquals(2.088487583762545e-45, Tensor.of(10.0).erfc().item(), 1e-15 * 2.1e-45);
    assertEquals(0.0, Tensor.of(10.0).erf().rsub(1.0).item(), 0.0);
    assertEquals(1.5374597944280351e-12, Tensor.of(5.0).erfc().item(), 1e-15 * 1.6e-12);
    assertEquals(2.0, Tensor.of(-INF).erfc().item(), 0.0);
    // float32: erfc(5) = 1.5374598e-12 is a normal float, rounded once from the float64 value.
    assertEquals((float) 1.5374597944280351e-12, Tensor.of(5f).erfc().toFloatArray()[0], 0f);
  }

  @Test
  void erfAndErfc_derivativesAreTwoOverSqrtPiTimesGaussian() {
    Tensor x = Tensor.of(0.0, 0.7, -2.0).requiresGrad(true);
    x.erf().sum().backward();
    Tensor z = Tensor.of(0.0, 0.7, -2.0).requiresGrad(true);
    z.erfc().sum().backward();
    for (int i = 0; i < 3; i++) {
      double v = x.get(i);
      double want = 2 / Math.sqrt(Math.PI) * Math.exp(-v * v);
      assertEquals(want, x.grad().get(i), 1e-15, "erf'(" + v + ")");
      assertEquals(-want, z.grad().get(i), 1e-15, "erfc'(" + v + ")");
    }
  }

  @Test
  void gelu_exactMatchesNormalCdf_alsoInTheNegativeTail() {
    // gelu(-10) = -10 Phi(-10) = -7.619853024160526e-23 (mpmath, 40 digits). The rounding of
    // -x / sqrt 2 (half an ulp) is amplified by erfc's condition number 2 u^2 = 100 there.
    assertEquals(-7.619853024160526e-23, Tensor.of(-10.0).gelu().item(), 2e-14 * 7.7e-23);
    assertEquals(0.8413447460685429, Tensor.of(1.0).gelu().item(), 2e-16);
    double inner = Math.sqrt(2 / Math.PI) * (1 + 0.044715);
    assertEquals(0.5 * (1 + Math.tanh(inner)), Tensor.of(1.0).gelu("tanh").item(), 1e-16);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Tensor.of(1.0).gelu("erf"));
    assertEquals("gelu: approximate must be \"none\" or \"tanh\", got \"erf\"", e.getMessage());
  }

  // ------------------------------------------------------------------ rdiv, softplus

  @Test
  void rdiv_isConstantOverX_withGradientMinusConstantOverXSquared() {
    Tensor x = Tensor.of(2.0, -4.0).requiresGrad(true);
    Tensor y = x.rdiv(3.0);
    assertArrayEquals(new double[] {1.5, -0.75}, y.toDoubleArray(), 0.0);
    y.sum().backward();
    assertArrayEquals(new double[] {-0.75, -3.0 / 16}, x.grad().toDoubleArray(), 1e-16);
  }

  @Test
  void softplus_tensorMethod_matchesFormulaAndThreshold() {
    Tensor x = Tensor.of(-40.0, 0.0, 1.0, 21.0);
    double[] y = x.softplus().toDoubleArray();
    assertEquals(Math.exp(-40), y[0], 1e-15 * Math.exp(-40));
    assertEquals(Math.log(2), y[1], 1e-16);
    assertEquals(Math.log1p(Math.E), y[2], 1e-15);
    assertEquals(21.0, y[3], 0.0); // beta x > 20: x itself
    // beta 2, threshold 1: 2 * 1 > 1, so x; at 0.25 it is log(1 + e^0.5) / 2.
    double[] z = Tensor.of(1.0, 0.25).softplus(2.0, 1.0).toDoubleArray();
    assertEquals(1.0, z[0], 0.0);
    assertEquals(Math.log1p(Math.exp(0.5)) / 2, z[1], 1e-16);
    assertEquals("softplus: beta must be positive and finite, got 0.0",
        assertThrows(IllegalArgumentException.class, () -> x.softplus(0.0, 20)).getMessage());
    assertEquals("softplus: threshold must be finite, got NaN",
        assertThrows(IllegalArgumentException.class, () -> x.softplus(1.0, NAN)).getMessage());
  }

  // ------------------------------------------------------------------ maskedFill

  @Test
  void maskedFill_fillsWhereTheMaskHolds_andItsGradientIsZeroThere() {
    Tensor x = Tensor.of(new double[][] {{1, 2, 3}, {4, 5, 6}}).requiresGrad(true);
    Tensor mask = Tensor.of(1.0, 0.0, 1.0); // broadcast over the rows
    Tensor y = x.maskedFill(mask, -9.0);
    assertArrayEquals(new double[] {-9, 2, -9, -9, 5, -9}, y.toDoubleArray(), 0.0);
    assertArrayEquals(new int[] {2, 3}, y.shape());
    y.sum().backward();
    assertArrayEquals(new double[] {0, 1, 0, 0, 1, 0}, x.grad().toDoubleArray(), 0.0);
    // A mask from a comparison, -inf fill (attention masking), float32 input.
    Tensor s = Tensor.of(1f, 2f, 3f);
    Tensor f = s.maskedFill(s.gt(2.5), Double.NEGATIVE_INFINITY);
    assertEquals(DType.FLOAT32, f.dtype());
    assertArrayEquals(new float[] {1f, 2f, Float.NEGATIVE_INFINITY}, f.toFloatArray(), 0f);
  }

  @Test
  void maskedFill_maskMustBroadcastToTheInput() {
    Tensor x = Tensor.zeros(2, 3);
    ShapeException e = assertThrows(ShapeException.class, () -> x.maskedFill(Tensor.zeros(2, 2, 3), 1));
    assertEquals("maskedFill: mask of shape [2, 2, 3] does not broadcast to the input's shape [2, 3]",
        e.getMessage());
    assertThrows(ShapeException.class, () -> x.maskedFill(Tensor.zeros(2), 1));
    assertThrows(ShapeException.class, () -> Tensor.zeros(1, 3).maskedFill(Tensor.zeros(2, 3), 1),
        "the result keeps the input's shape: a mask that would enlarge it is refused");
  }

  // ------------------------------------------------------------------ masks

  @Test
  void isnanIsinfIsfinite_classifyEveryKindOfValue() {
    Tensor x = Tensor.of(1.0, NAN, INF, -INF, 0.0, -0.0, Double.MIN_VALUE, Double.MAX_VALUE);
    assertArrayEquals(new double[] {0, 1, 0, 0, 0, 0, 0, 0}, x.isnan().toDoubleArray(), 0.0);
    assertArrayEquals(new double[] {0, 0, 1, 1, 0, 0, 0, 0}, x.isinf().toDoubleArray(), 0.0);
    assertArrayEquals(new double[] {1, 0, 0, 0, 1, 1, 1, 1}, x.isfinite().toDoubleArray(), 0.0);
    Tensor f = Tensor.of(Float.NaN, Float.POSITIVE_INFINITY, 2f);
    assertEquals(DType.FLOAT32, f.isfinite().dtype());
    assertArrayEquals(new float[] {0, 0, 1}, f.isfinite().toFloatArray(), 0f);
    // int64 has neither NaN nor infinities; masks of it are float64, like comparisons.
    Tensor i = Tensor.ofLongs(1, 2);
    assertArrayEquals(new double[] {0, 0}, i.isnan().toDoubleArray(), 0.0);
    assertArrayEquals(new double[] {1, 1}, i.isfinite().toDoubleArray(), 0.0);
  }

  @Test
  void masks_recordNoGraph() {
    Tensor x = Tensor.of(1.0, NAN).requiresGrad(true);
    for (Tensor m : new Tensor[] {x.isnan(), x.isinf(), x.isfinite(), x.logicalNot(),
        x.logicalAnd(x), x.logicalOr(x), x.any(), x.all(), x.any(0, true)}) {
      assertNull(m.gradFn());
      assertTrue(!m.requiresGrad());
    }
  }

  @Test
  void logicalOps_treatNonzeroAndNaNAsTrue_andBroadcast() {
    Tensor a = Tensor.of(new double[][] {{0, 2}, {NAN, 0}});
    Tensor b = Tensor.of(0.0, -1.0);
    assertArrayEquals(new double[] {1, 0, 0, 1}, a.logicalNot().toDoubleArray(), 0.0);
    assertArrayEquals(new double[] {0, 1, 0, 0}, a.logicalAnd(b).toDoubleArray(), 0.0);
    assertArrayEquals(new double[] {0, 1, 1, 1}, a.logicalOr(b).toDoubleArray(), 0.0);
    assertArrayEquals(new double[] {0, 1}, Tensor.ofLongs(0, 5).logicalAnd(Tensor.of(1.0, 1.0))
        .toDoubleArray(), 0.0);
    ShapeException e = assertThrows(ShapeException.class, () -> a.logicalAnd(Tensor.zeros(3)));
    assertTrue(e.getMessage().startsWith("logicalAnd: "), e::getMessage);
  }

  @Test
  void anyAll_edgeCases() {
    assertEquals(1.0, Tensor.of(0.0, NAN).any().item(), 0.0, "NaN is nonzero");
    assertEquals(1.0, Tensor.of(1.0, NAN).all().item(), 0.0);
    assertEquals(0.0, Tensor.of(0.0, 0.0).any().item(), 0.0);
    assertEquals(0.0, Tensor.zeros(0).any().item(), 0.0, "any of nothing is false");
    assertEquals(1.0, Tensor.zeros(0).all().item(), 0.0, "all of nothing is true");
    assertEquals(1.0, Tensor.scalar(3.0).all().item(), 0.0);
    assertArrayEquals(new int[0], Tensor.of(1.0).any().shape());
    Tensor m = Tensor.of(new double[][] {{0, 1, 1}, {0, 0, 1}});
    assertArrayEquals(new double[] {0, 1, 1}, m.any(0, false).toDoubleArray(), 0.0);
    assertArrayEquals(new double[] {0, 0, 1}, m.all(0, false).toDoubleArray(), 0.0);
    assertArrayEquals(new double[] {1, 1}, m.any(1, false).toDoubleArray(), 0.0);
    assertArrayEquals(new double[] {0, 0}, m.all(-1, false).toDoubleArray(), 0.0);
    assertArrayEquals(new int[] {2, 1}, m.any(-1, true).shape());
    assertArrayEquals(new double[] {1, 1}, Tensor.ofLongs(0, 3, 0, 4).reshape(2, 2).any(1, false).toDoubleArray(), 0.0);
    ShapeException e = assertThrows(ShapeException.class, () -> m.all(2, false));
    assertTrue(e.getMessage().startsWith("all: "), e::getMessage);
    assertTrue(assertThrows(ShapeException.class, () -> m.any(-3, true)).getMessage().startsWith("any: "));
  }

  @Test
  void compositionsOnRuledPrimitives_workUnderVmap_likeAPerRowLoop() {
    // Masks, silu and hardtanh are compositions; log1p, expm1, erf and erfc (elementwise
    // primitives) have the identity rule: VmapTest checks them with their gradients.
    Tensor x = Tensor.of(new double[][] {{0, 1.5, NAN}, {-2, 0.25, 0}});
    TensorFn f = in -> in[0].silu().add(in[0].hardtanh())
        .maskedFill(in[0].gt(1.0), 7.0).add(in[0].isnan()).add(in[0].any());
    Tensor batched = Func.vmap(f).apply(x);
    for (int r = 0; r < 2; r++) {
      assertArrayEquals(f.apply(x.select(0, r)).toDoubleArray(), batched.select(0, r).toDoubleArray(),
          0.0, "row " + r);
    }
    TensorFn g = in -> in[0].erf().add(in[0].log1p()).mul(in[0].erfc()).add(in[0].expm1());
    Tensor y = Tensor.of(new double[][] {{0, 1.5, -0.5}, {-0.75, 0.25, 3}});
    Tensor special = Func.vmap(g).apply(y);
    for (int r = 0; r < 2; r++) {
      assertArrayEquals(g.apply(y.select(0, r)).toDoubleArray(), special.select(0, r).toDoubleArray(),
          0.0, "row " + r);
    }
  }

  /** any and all along a random axis (or all axes) of random 0/1/NaN data, against a naive loop. */
  @Property(tries = 200, seed = "4242", edgeCases = EdgeCasesMode.NONE)
  void anyAll_matchNaiveLoops(@ForAll("shapesWithEmpty") int[] shape, @ForAll long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[] v = new double[RefArray.count(shape)];
    for (int i = 0; i < v.length; i++) {
      int k = rng.nextInt(4);
      v[i] = k == 0 ? 0 : k == 1 ? 0 : k == 2 ? 1.5 : (rng.nextBoolean() ? NAN : -2);
    }
    RefArray ref = new RefArray(shape, v);
    Tensor x = ref.toTensor();
    boolean keep = rng.nextBoolean();
    int[] axes = shape.length == 0 || rng.nextBoolean() ? new int[0] : new int[] {rng.nextInt(shape.length)};
    int[] all = new int[shape.length];
    for (int i = 0; i < all.length; i++) {
      all[i] = i;
    }
    int[] refAxes = axes.length == 0 ? all : axes;
    RefArray wantAny = ref.reduce(refAxes, keep, 0, (acc, e) -> acc != 0 || e != 0 ? 1 : 0);
    RefArray wantAll = ref.reduce(refAxes, keep, 1, (acc, e) -> acc != 0 && e != 0 ? 1 : 0);
    Tensor gotAny = axes.length == 0 && !keep ? x.any() : Reductions.any(x, axes, keep);
    Tensor gotAll = axes.length == 0 && !keep ? x.all() : Reductions.all(x, axes, keep);
    wantAny.assertClose(gotAny, 0.0);
    wantAll.assertClose(gotAll, 0.0);
  }

  /** Shapes of rank 0 to 3 with sizes 0 to 3: empty axes included. */
  @Provide
  Arbitrary<int[]> shapesWithEmpty() {
    return Arbitraries.integers().between(0, 3).array(int[].class).ofMinSize(0).ofMaxSize(3);
  }
}
