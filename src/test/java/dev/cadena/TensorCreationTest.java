package dev.cadena;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.tensor.DType;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Creation, access, dtypes and printing of tensors. */
class TensorCreationTest {

  // ------------------------------------------------------------------ from Java arrays

  @Test
  void fromArray_anyRank_keepsShapeAndRowMajorOrder() {
    double[][][][] a = new double[2][3][1][4];
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 3; j++) {
        for (int l = 0; l < 4; l++) {
          a[i][j][0][l] = 100 * i + 10 * j + l;
        }
      }
    }
    Tensor t = Tensor.fromArray(a);
    assertArrayEquals(new int[] {2, 3, 1, 4}, t.shape());
    assertEquals(DType.FLOAT64, t.dtype());
    assertEquals(24, t.numel());
    assertEquals(4, t.rank());
    double[] flat = t.toDoubleArray();
    int k = 0;
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 3; j++) {
        for (int l = 0; l < 4; l++) {
          assertEquals(100 * i + 10 * j + l, flat[k++]);
          assertEquals(a[i][j][0][l], t.get(i, j, 0, l));
        }
      }
    }
  }

  @Test
  void of_intLiterals_areFloat64_andPyTorchNamesAgree() {
    Tensor t = Tensor.of(1, 2, 3);
    assertEquals(DType.FLOAT64, t.dtype());
    org.junit.jupiter.api.Assertions.assertArrayEquals(new double[] {1, 2, 3}, t.toDoubleArray());
    Tensor m = Tensor.zeros(2, 3, 4);
    assertEquals(m.rank(), m.dim());
    org.junit.jupiter.api.Assertions.assertArrayEquals(m.shape(), m.size());
  }

  @Test
  void fromArray_elementTypes_mapToDtypes() {
    assertEquals(DType.FLOAT32, Tensor.fromArray(new float[][] {{1f, 2f}}).dtype());
    assertEquals(DType.INT64, Tensor.fromArray(new int[][] {{1, 2}, {3, 4}}).dtype());
    assertEquals(DType.INT64, Tensor.fromArray(new long[] {5, 6}).dtype());
    assertArrayEquals(new long[] {1, 2, 3, 4}, Tensor.fromArray(new int[][] {{1, 2}, {3, 4}}).toLongArray());
    Tensor s = Tensor.fromArray(2.5);
    assertEquals(0, s.rank());
    assertEquals(2.5, s.item());
  }

  @Test
  void fromArray_ragged_throwsNamingTheRow() {
    double[][] ragged = {{1, 2, 3}, {4, 5}};
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Tensor.fromArray(ragged));
    assertTrue(e.getMessage().contains("fromArray"), e.getMessage());
    assertTrue(e.getMessage().contains("ragged"), e.getMessage());
    assertTrue(e.getMessage().contains("[1]"), e.getMessage());
    assertTrue(e.getMessage().contains("2") && e.getMessage().contains("3"), e.getMessage());
  }

  @Test
  void fromArray_raggedDeep_andUnsupported_throw() {
    double[][][] deep = {{{1, 2}, {3, 4}}, {{5, 6}, {7}}};
    assertThrows(IllegalArgumentException.class, () -> Tensor.fromArray(deep));
    assertThrows(IllegalArgumentException.class, () -> Tensor.fromArray(new String[] {"a"}));
    assertThrows(IllegalArgumentException.class, () -> Tensor.fromArray("not an array"));
  }

  @Test
  void fromArray_withShape_copiesTheData() {
    double[] src = {1, 2, 3, 4, 5, 6};
    Tensor t = Tensor.fromArray(src, 2, 3);
    src[0] = 99;
    assertEquals(1, t.get(0, 0));
    assertEquals(6, t.get(1, 2));
    assertEquals(6, t.get(-1, -1));
    double[] v = {7, 8};
    Tensor u = Tensor.of(v);
    v[1] = -1;
    assertEquals(8, u.get(1));
  }

  // ------------------------------------------------------------------ factories

  @Test
  void scalar_isZeroDimensional() {
    Tensor s = Tensor.scalar(3.25);
    assertArrayEquals(new int[0], s.shape());
    assertEquals(1, s.numel());
    assertEquals(3.25, s.item());
    assertEquals(3.25, s.get());
    assertEquals(DType.FLOAT32, Tensor.scalar(1, DType.FLOAT32).dtype());
  }

  @Test
  void zerosOnesFull_haveShapeDtypeAndValue() {
    assertAll(Tensor.zeros(2, 3), new int[] {2, 3}, DType.FLOAT64, 0.0);
    assertAll(Tensor.ones(4), new int[] {4}, DType.FLOAT64, 1.0);
    assertAll(Tensor.ones(DType.FLOAT32, 1, 2), new int[] {1, 2}, DType.FLOAT32, 1.0);
    assertAll(Tensor.full(-2.5, 3, 1, 2), new int[] {3, 1, 2}, DType.FLOAT64, -2.5);
    assertAll(Tensor.zeros(DType.INT64, 5), new int[] {5}, DType.INT64, 0.0);
    assertAll(Tensor.zeros(0, 3), new int[] {0, 3}, DType.FLOAT64, 0.0);
    Tensor x = Tensor.fromArray(new float[][] {{1, 2, 3}});
    assertAll(x.zerosLike(), new int[] {1, 3}, DType.FLOAT32, 0.0);
    assertAll(x.onesLike(), new int[] {1, 3}, DType.FLOAT32, 1.0);
  }

  private static void assertAll(Tensor t, int[] shape, DType dtype, double value) {
    assertArrayEquals(shape, t.shape());
    assertEquals(dtype, t.dtype());
    for (double v : t.toDoubleArray()) {
      assertEquals(value, v);
    }
  }

  @Test
  void arange_matchesLoop() {
    assertArrayEquals(new double[] {0, 1, 2, 3, 4}, Tensor.arange(5).toDoubleArray());
    assertArrayEquals(new double[] {2, 2.5, 3, 3.5}, Tensor.arange(2, 4, 0.5).toDoubleArray());
    assertArrayEquals(new double[] {5, 3, 1}, Tensor.arange(5, 0, -2).toDoubleArray());
    assertEquals(0, Tensor.arange(3, 3, 1).numel());
    assertThrows(IllegalArgumentException.class, () -> Tensor.arange(0, 1, 0));
  }

  @Test
  void linspace_includesBothEnds() {
    double[] v = Tensor.linspace(-1, 1, 5).toDoubleArray();
    assertArrayEquals(new double[] {-1, -0.5, 0, 0.5, 1}, v, 1e-15);
    assertArrayEquals(new double[] {3}, Tensor.linspace(3, 7, 1).toDoubleArray());
    assertEquals(0, Tensor.linspace(0, 1, 0).numel());
    assertThrows(IllegalArgumentException.class, () -> Tensor.linspace(0, 1, -1));
  }

  @Test
  void eye_isIdentity() {
    Tensor e = Tensor.eye(4);
    assertArrayEquals(new int[] {4, 4}, e.shape());
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 4; j++) {
        assertEquals(i == j ? 1.0 : 0.0, e.get(i, j));
      }
    }
  }

  // ------------------------------------------------------------------ random

  @Test
  void random_sameSeedSameValues_differentSeedDifferentValues() {
    double[] a = Tensor.randn(new SplittableRandom(11), 3, 4).toDoubleArray();
    double[] b = Tensor.randn(new SplittableRandom(11), 3, 4).toDoubleArray();
    double[] c = Tensor.randn(new SplittableRandom(12), 3, 4).toDoubleArray();
    assertArrayEquals(a, b);
    assertFalse(Arrays.equals(a, c));
    assertArrayEquals(
        Tensor.rand(new SplittableRandom(5), 7).toDoubleArray(),
        Tensor.rand(new SplittableRandom(5), 7).toDoubleArray());
    assertArrayEquals(
        Tensor.uniform(new SplittableRandom(5), -3, 3, DType.FLOAT32, 2, 2).toFloatArray(),
        Tensor.uniform(new SplittableRandom(5), -3, 3, DType.FLOAT32, 2, 2).toFloatArray());
  }

  @Test
  void random_valuesComeFromTheGivenGenerator() {
    SplittableRandom ref = new SplittableRandom(3);
    double[] expected = new double[6];
    for (int i = 0; i < 6; i++) {
      expected[i] = ref.nextGaussian();
    }
    assertArrayEquals(expected, Tensor.randn(new SplittableRandom(3), 2, 3).toDoubleArray());
  }

  @Test
  void random_rangesAndMoments() {
    double[] u = Tensor.uniform(new SplittableRandom(1), 2, 5, DType.FLOAT64, 20000).toDoubleArray();
    double mean = 0;
    for (double x : u) {
      assertTrue(x >= 2 && x < 5, "uniform sample out of [2, 5): " + x);
      mean += x / u.length;
    }
    assertEquals(3.5, mean, 0.05);
    double[] r = Tensor.rand(new SplittableRandom(2), 1000).toDoubleArray();
    for (double x : r) {
      assertTrue(x >= 0 && x < 1);
    }
    double[] g = Tensor.randn(new SplittableRandom(4), 20000).toDoubleArray();
    double m = Arrays.stream(g).average().orElseThrow();
    double var = Arrays.stream(g).map(x -> (x - m) * (x - m)).sum() / g.length;
    assertEquals(0, m, 0.05);
    assertEquals(1, var, 0.05);
    assertEquals(DType.FLOAT32, Tensor.randn(new SplittableRandom(1), DType.FLOAT32, 2).dtype());
  }

  // ------------------------------------------------------------------ access

  @Test
  void item_andGet() {
    Tensor t = Tensor.of(new double[][] {{1, 2}, {3, 4}});
    assertEquals(3, t.get(1, 0));
    assertEquals(4, t.get(-1, -1));
    assertEquals(7.0, Tensor.of(7.0).item());
    assertEquals(7.0, Tensor.of(new double[][] {{7}}).item());
    assertThrows(IllegalArgumentException.class, t::item);
    assertThrows(IllegalArgumentException.class, () -> t.get(2, 0));
    assertThrows(IllegalArgumentException.class, () -> t.get(0));
  }

  @Test
  void toArrays_areCopies() {
    Tensor t = Tensor.of(1.0, 2.0, 3.0);
    double[] d = t.toDoubleArray();
    d[0] = 100;
    assertEquals(1.0, t.get(0));
    assertEquals(1.0, t.toDoubleArray()[0]);
    Tensor f = Tensor.of(1f, 2f);
    float[] fa = f.toFloatArray();
    fa[1] = -5f;
    assertEquals(2.0, f.get(1));
    long[] la = Tensor.ofLongs(4, 5).toLongArray();
    la[0] = 0;
    int[] shape = t.shape();
    shape[0] = 42;
    assertArrayEquals(new int[] {3}, t.shape());
  }

  @Test
  void toFloatArray_ofFloat64_rounds() {
    Tensor t = Tensor.of(0.1, 1.0 / 3);
    assertArrayEquals(new float[] {0.1f, (float) (1.0 / 3)}, t.toFloatArray());
  }

  @Test
  void allClose_usesTolerancesAndShape() {
    Tensor a = Tensor.of(1.0, 2.0);
    assertTrue(a.allClose(Tensor.of(1.0 + 1e-9, 2.0)));
    assertFalse(a.allClose(Tensor.of(1.001, 2.0)));
    assertTrue(a.allClose(Tensor.of(1.001, 2.0), 1e-2, 0));
    assertFalse(a.allClose(Tensor.of(new double[][] {{1, 2}})));
    assertFalse(Tensor.of(Double.NaN).allClose(Tensor.of(1.0)));
  }

  // ------------------------------------------------------------------ dtypes

  @Test
  void to_convertsBetweenDtypes() {
    Tensor d = Tensor.of(0.1, 2.75, -3.5);
    Tensor f = d.to(DType.FLOAT32);
    assertEquals(DType.FLOAT32, f.dtype());
    assertArrayEquals(new float[] {0.1f, 2.75f, -3.5f}, f.toFloatArray());
    Tensor back = f.to(DType.FLOAT64);
    assertEquals(DType.FLOAT64, back.dtype());
    assertEquals((double) 0.1f, back.get(0));
    Tensor i = d.to(DType.INT64);
    assertEquals(DType.INT64, i.dtype());
    assertArrayEquals(new long[] {0, 2, -3}, i.toLongArray());
    assertEquals(d, d.to(DType.FLOAT64), "converting to the same dtype is a no-op");
  }

  @Test
  void promotion_float32WithFloat64GivesFloat64_javaScalarKeepsDtype() {
    Tensor f = Tensor.of(1f, 2f);
    Tensor d = Tensor.of(0.5, 0.25);
    for (Tensor r : new Tensor[] {f.add(d), d.add(f), f.mul(d), f.sub(d), d.div(f), f.maximum(d), f.pow(d)}) {
      assertEquals(DType.FLOAT64, r.dtype());
    }
    assertArrayEquals(new double[] {1.5, 2.25}, f.add(d).toDoubleArray());
    assertEquals(DType.FLOAT32, f.mul(2.0).dtype());
    assertEquals(DType.FLOAT32, f.add(0.1).dtype());
    assertEquals(DType.FLOAT32, f.div(3.0).dtype());
    assertEquals(DType.FLOAT32, f.pow(2.0).dtype());
    assertEquals(DType.FLOAT32, f.exp().dtype());
    assertEquals(DType.FLOAT32, f.sum().dtype());
    assertEquals(DType.FLOAT64, Tensor.fromArray(new float[][] {{1, 2}}).matmul(Tensor.of(1.0, 2.0)).dtype());
    assertEquals(DType.FLOAT64, DType.promote(DType.FLOAT32, DType.FLOAT64));
    assertEquals(DType.FLOAT32, DType.promote(DType.INT64, DType.FLOAT32));
  }

  @Test
  void float32_arithmeticRoundsToFloat() {
    Tensor f = Tensor.of(0.1f, 0.2f);
    float[] got = f.add(Tensor.of(0.7f, 0.3f)).toFloatArray();
    assertEquals(0.1f + 0.7f, got[0]);
    assertEquals(0.2f + 0.3f, got[1]);
  }

  // ------------------------------------------------------------------ printing

  @Test
  void toString_showsValuesShapeDtype() {
    String s = Tensor.of(new double[][] {{0.5, 1.25}, {-2, 3}}).toString();
    assertTrue(s.startsWith("tensor(["), s);
    assertTrue(s.contains("0.5000") && s.contains("1.2500") && s.contains("-2.0000"), s);
    assertTrue(s.contains("shape=[2, 2]"), s);
    assertTrue(s.contains("dtype=float64"), s);
    assertFalse(s.contains("grad_fn"), s);
    assertTrue(s.endsWith(")"), s);
    assertEquals(3, count(s, "\\["), "an outer bracket and one per row: " + s);
  }

  @Test
  void toString_integersAndDtypes() {
    String s = Tensor.of(1f, 2f, 3f).toString();
    assertTrue(s.contains("dtype=float32"), s);
    assertTrue(s.contains("1.") && s.contains("3."), s);
    String l = Tensor.ofLongs(4, 5).toString();
    assertTrue(l.contains("[4, 5]") && l.contains("dtype=int64"), l);
    String z = Tensor.scalar(2.5).toString();
    assertTrue(z.contains("2.5") && z.contains("shape=[]"), z);
  }

  @Test
  void toString_showsGradFnAndRequiresGrad() {
    Tensor x = Tensor.of(1.0, 2.0).requiresGrad(true);
    assertTrue(x.toString().contains("requiresGrad=true"), x.toString());
    String y = x.exp().toString();
    assertTrue(y.contains("grad_fn=<exp>"), y);
    String m = Tensor.of(new double[][] {{1, 2}}).matmul(Tensor.of(new double[][] {{1}, {2}}).requiresGrad(true)).toString();
    assertTrue(m.contains("grad_fn=<matmul>"), m);
  }

  @Test
  void toString_abbreviatesBeyondAThousandElements() {
    String small = Tensor.arange(1000).toString();
    assertFalse(small.contains("..."), "1000 elements are printed in full");
    assertEquals(1000, countNumbers(small));

    String big = Tensor.arange(1001).toString();
    assertTrue(big.contains("..."), big);
    assertTrue(big.contains("shape=[1001]"), big);
    assertTrue(big.contains("1000."), "the last element is shown: " + big);
    assertTrue(countNumbers(big) < 20, big);

    String matrix = Tensor.arange(40 * 40).reshape(40, 40).toString();
    assertTrue(matrix.contains("..."), matrix);
    assertTrue(matrix.contains("1599."), matrix);
    assertTrue(matrix.length() < 1000, "abbreviated output should be short, got " + matrix.length());
  }

  /** Counts the values printed inside the brackets (not the shape). */
  private static int countNumbers(String s) {
    String values = s.substring(0, s.indexOf(", shape="));
    Matcher m = Pattern.compile("-?\\d+\\.\\d*").matcher(values);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  private static int count(String s, String regex) {
    String values = s.substring(0, s.indexOf(", shape="));
    Matcher m = Pattern.compile(regex).matcher(values);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }
}
