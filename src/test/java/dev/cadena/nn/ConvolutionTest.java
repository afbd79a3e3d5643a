package dev.cadena.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.autograd.GradCheck;
import dev.cadena.ops.Windows;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.DTypeException;
import dev.cadena.tensor.ShapeException;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Convolution, pooling and embedding against naive nested loops written here (independent of the
 * unfold kernel), in float64 and float32, on odd sizes, strides, padding, dilation and groups;
 * their gradients against finite differences; their errors.
 */
class ConvolutionTest {
  // ------------------------------------------------------------------ naive references

  /** {@code x[n][c][y][x]} or 0 outside the image. */
  static double pixel(double[] x, int[] s, int n, int c, int y, int xx) {
    if (y < 0 || y >= s[2] || xx < 0 || xx >= s[3]) {
      return 0;
    }
    return x[((n * s[1] + c) * s[2] + y) * s[3] + xx];
  }

  static int outSize(int size, int k, int d, int p, int st) {
    return (size + 2 * p - d * (k - 1) - 1) / st + 1;
  }

  /** unfold by its definition: row (c, i, j), column (oy, ox). */
  static double[] naiveUnfold(double[] x, int[] s, int[] k, int[] d, int[] p, int[] st) {
    int oh = outSize(s[2], k[0], d[0], p[0], st[0]);
    int ow = outSize(s[3], k[1], d[1], p[1], st[1]);
    int rows = s[1] * k[0] * k[1];
    double[] out = new double[s[0] * rows * oh * ow];
    for (int n = 0; n < s[0]; n++) {
      for (int c = 0; c < s[1]; c++) {
        for (int i = 0; i < k[0]; i++) {
          for (int j = 0; j < k[1]; j++) {
            int row = (c * k[0] + i) * k[1] + j;
            for (int oy = 0; oy < oh; oy++) {
              for (int ox = 0; ox < ow; ox++) {
                out[(n * rows + row) * oh * ow + oy * ow + ox] =
                    pixel(x, s, n, c, oy * st[0] - p[0] + i * d[0], ox * st[1] - p[1] + j * d[1]);
              }
            }
          }
        }
      }
    }
    return out;
  }

  /** Convolution by its definition (PyTorch's cross-correlation), groups included. */
  static double[] naiveConv(double[] x, int[] s, double[] w, int[] ws, double[] b, int[] st,
      int[] p, int[] d, int groups) {
    int o = ws[0];
    int cg = ws[1];
    int og = o / groups;
    int oh = outSize(s[2], ws[2], d[0], p[0], st[0]);
    int ow = outSize(s[3], ws[3], d[1], p[1], st[1]);
    double[] out = new double[s[0] * o * oh * ow];
    for (int n = 0; n < s[0]; n++) {
      for (int oc = 0; oc < o; oc++) {
        int g = oc / og;
        for (int oy = 0; oy < oh; oy++) {
          for (int ox = 0; ox < ow; ox++) {
            double acc = b == null ? 0 : b[oc];
            for (int c = 0; c < cg; c++) {
              for (int i = 0; i < ws[2]; i++) {
                for (int j = 0; j < ws[3]; j++) {
                  acc += w[((oc * cg + c) * ws[2] + i) * ws[3] + j]
                      * pixel(x, s, n, g * cg + c, oy * st[0] - p[0] + i * d[0],
                          ox * st[1] - p[1] + j * d[1]);
                }
              }
            }
            out[((n * o + oc) * oh + oy) * ow + ox] = acc;
          }
        }
      }
    }
    return out;
  }

  /** Max or mean of each window; max pads with -inf, the mean counts zero padding. */
  static double[] naivePool(double[] x, int[] s, int[] k, int[] st, int[] p, int[] d, boolean max) {
    int oh = outSize(s[2], k[0], d[0], p[0], st[0]);
    int ow = outSize(s[3], k[1], d[1], p[1], st[1]);
    double[] out = new double[s[0] * s[1] * oh * ow];
    for (int n = 0; n < s[0]; n++) {
      for (int c = 0; c < s[1]; c++) {
        for (int oy = 0; oy < oh; oy++) {
          for (int ox = 0; ox < ow; ox++) {
            double acc = max ? Double.NEGATIVE_INFINITY : 0;
            for (int i = 0; i < k[0]; i++) {
              for (int j = 0; j < k[1]; j++) {
                int y = oy * st[0] - p[0] + i * d[0];
                int xx = ox * st[1] - p[1] + j * d[1];
                boolean inside = y >= 0 && y < s[2] && xx >= 0 && xx < s[3];
                if (max) {
                  if (inside) {
                    acc = Math.max(acc, pixel(x, s, n, c, y, xx));
                  }
                } else {
                  acc += pixel(x, s, n, c, y, xx);
                }
              }
            }
            out[((n * s[1] + c) * oh + oy) * ow + ox] = max ? acc : acc / (k[0] * k[1]);
          }
        }
      }
    }
    return out;
  }

  private static Tensor random(long seed, DType dtype, int... shape) {
    return Tensor.uniform(new SplittableRandom(seed), -1, 1, dtype, shape);
  }

  private static void assertClose(double[] expected, Tensor actual, double tol, String what) {
    double[] a = actual.toDoubleArray();
    assertEquals(expected.length, a.length, what + ": element count");
    for (int i = 0; i < a.length; i++) {
      int k = i;
      assertEquals(expected[i], a[i], tol * (1 + Math.abs(expected[i])),
          () -> what + ": element " + k);
    }
  }

  // ------------------------------------------------------------------ unfold and fold

  /** {x shape, kernel, dilation, padding, stride}. */
  static Stream<Arguments> geometries() {
    return Stream.of(
        Arguments.of(new int[] {2, 3, 7, 5}, new int[] {3, 2}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}),
        Arguments.of(new int[] {1, 2, 9, 8}, new int[] {3, 3}, new int[] {2, 1}, new int[] {1, 2}, new int[] {2, 3}),
        Arguments.of(new int[] {3, 1, 5, 5}, new int[] {5, 5}, new int[] {1, 1}, new int[] {2, 2}, new int[] {1, 1}),
        Arguments.of(new int[] {1, 4, 6, 7}, new int[] {1, 1}, new int[] {1, 1}, new int[] {0, 0}, new int[] {2, 2}),
        Arguments.of(new int[] {2, 2, 4, 11}, new int[] {2, 4}, new int[] {3, 2}, new int[] {3, 1}, new int[] {1, 4}),
        Arguments.of(new int[] {1, 1, 1, 1}, new int[] {1, 1}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}),
        Arguments.of(new int[] {1, 1, 1, 1}, new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}));
  }

  @ParameterizedTest
  @MethodSource("geometries")
  void testUnfold_matchesNaiveLoops(int[] s, int[] k, int[] d, int[] p, int[] st) {
    for (DType dt : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
      Tensor x = random(1, dt, s);
      Tensor u = Functional.unfold(x, k, d, p, st);
      assertEquals(dt, u.dtype());
      double[] ref = naiveUnfold(x.toDoubleArray(), s, k, d, p, st);
      int oh = outSize(s[2], k[0], d[0], p[0], st[0]);
      int ow = outSize(s[3], k[1], d[1], p[1], st[1]);
      assertArrayEquals(new int[] {s[0], s[1] * k[0] * k[1], oh * ow}, u.shape());
      // A copy: exact in both dtypes.
      assertClose(ref, u, 0.0, "unfold " + dt);
    }
  }

  /** fold is unfold's transpose: {@code <unfold(x), y> = <x, fold(y)>}, a known identity. */
  @ParameterizedTest
  @MethodSource("geometries")
  void testFold_isTheTransposeOfUnfold(int[] s, int[] k, int[] d, int[] p, int[] st) {
    for (DType dt : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
      Tensor x = random(2, dt, s);
      Tensor cols = Functional.unfold(x, k, d, p, st);
      Tensor y = random(3, dt, cols.shape());
      Tensor back = Functional.fold(y, new int[] {s[2], s[3]}, k, d, p, st);
      assertArrayEquals(s, back.shape());
      double lhs = cols.to(DType.FLOAT64).mul(y.to(DType.FLOAT64)).sum().item();
      double rhs = x.to(DType.FLOAT64).mul(back.to(DType.FLOAT64)).sum().item();
      assertEquals(lhs, rhs, (dt == DType.FLOAT32 ? 1e-4 : 1e-10) * (1 + Math.abs(lhs)), dt.toString());
    }
  }

  @Test
  void testFold_countsTheWindowsThatCoverEachPixel() {
    Tensor counts = Functional.fold(Tensor.ones(1, 4, 4), new int[] {3}, new int[] {2},
        new int[] {1}, new int[] {0}, new int[] {1});
    assertArrayEquals(new double[] {1, 2, 1, 2, 4, 2, 1, 2, 1}, counts.toDoubleArray());
  }

  @Test
  void testUnfold_emptyBatchAndChannels() {
    assertArrayEquals(new int[] {0, 12, 4}, Functional.unfold(Tensor.zeros(0, 3, 3, 3),
        new int[] {2}, new int[] {1}, new int[] {0}, new int[] {1}).shape());
    assertArrayEquals(new int[] {2, 0, 9}, Functional.unfold(Tensor.zeros(2, 0, 3, 3),
        new int[] {1}, new int[] {1}, new int[] {0}, new int[] {1}).shape());
  }

  @Test
  void testUnfold_secondOrderThroughFold() {
    // d/dx of <unfold(x)^2, u> is 2 fold(unfold(x) * u): its own gradient runs unfold again.
    Tensor u = random(5, DType.FLOAT64, 1, 8, 6);
    GradCheck.Report r = GradCheck.checkSecondOrder(x -> Windows.unfold(x[0], new int[] {2, 2},
        new int[] {1, 2}, new int[] {1, 0}, new int[] {2, 1}).square().mul(u),
        GradCheck.Options.defaults().atol(1e-4), random(6, DType.FLOAT64, 1, 2, 5, 4).requiresGrad(true));
    assertTrue(r.passed(), r::toString);
  }

  // ------------------------------------------------------------------ convolution

  /** {x shape, weight shape, stride, padding, dilation, groups, bias}. */
  static Stream<Arguments> convolutions() {
    return Stream.of(
        Arguments.of(new int[] {2, 3, 7, 6}, new int[] {4, 3, 3, 3}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 1, true),
        Arguments.of(new int[] {1, 2, 9, 7}, new int[] {3, 2, 3, 2}, new int[] {2, 3}, new int[] {1, 2}, new int[] {1, 1}, 1, false),
        Arguments.of(new int[] {2, 4, 8, 9}, new int[] {6, 2, 3, 3}, new int[] {1, 2}, new int[] {2, 1}, new int[] {2, 3}, 2, true),
        Arguments.of(new int[] {1, 6, 5, 5}, new int[] {6, 1, 3, 3}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 6, true),
        Arguments.of(new int[] {3, 1, 5, 5}, new int[] {2, 1, 5, 5}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 1, true),
        Arguments.of(new int[] {1, 3, 1, 1}, new int[] {2, 3, 1, 1}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 1, true));
  }

  @ParameterizedTest
  @MethodSource("convolutions")
  void testConv2d_matchesNaiveLoops(int[] s, int[] ws, int[] st, int[] p, int[] d, int groups,
      boolean withBias) {
    for (DType dt : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
      Tensor x = random(11, dt, s);
      Tensor w = random(12, dt, ws);
      Tensor b = withBias ? random(13, dt, ws[0]) : null;
      Tensor y = Functional.conv2d(x, w, b, st, p, d, groups);
      double[] ref = naiveConv(x.toDoubleArray(), s, w.toDoubleArray(), ws,
          b == null ? null : b.toDoubleArray(), st, p, d, groups);
      assertArrayEquals(new int[] {s[0], ws[0], outSize(s[2], ws[2], d[0], p[0], st[0]),
          outSize(s[3], ws[3], d[1], p[1], st[1])}, y.shape());
      assertEquals(dt, y.dtype());
      assertClose(ref, y, dt == DType.FLOAT32 ? 1e-5 : 1e-12, "conv2d " + dt);
    }
  }

  @Test
  void testConv2d_samePadding_keepsTheSizeAndPadsTheExtraZeroBottomRight() {
    Tensor x = random(20, DType.FLOAT64, 2, 2, 6, 5);
    Tensor w = random(21, DType.FLOAT64, 3, 2, 4, 3);           // total padding 3 (odd) and 2
    Tensor y = Functional.conv2d(x, w, null, new int[] {1}, "same", new int[] {1}, 1);
    assertArrayEquals(new int[] {2, 3, 6, 5}, y.shape());
    // The naive convolution of x padded by hand: top 1, bottom 2, left 1, right 1.
    int[] ps = {2, 2, 9, 7};
    double[] xs = x.toDoubleArray();
    double[] padded = new double[2 * 2 * 9 * 7];
    for (int n = 0; n < 2; n++) {
      for (int c = 0; c < 2; c++) {
        for (int i = 0; i < 6; i++) {
          for (int j = 0; j < 5; j++) {
            padded[((n * 2 + c) * 9 + i + 1) * 7 + j + 1] = xs[((n * 2 + c) * 6 + i) * 5 + j];
          }
        }
      }
    }
    double[] ref = naiveConv(padded, ps, w.toDoubleArray(), w.shape(), null, new int[] {1, 1},
        new int[] {0, 0}, new int[] {1, 1}, 1);
    assertClose(ref, y, 1e-12, "same");
    Tensor valid = Functional.conv2d(x, w, null, new int[] {1}, "valid", new int[] {1}, 1);
    assertArrayEquals(new int[] {2, 3, 3, 3}, valid.shape());
  }

  @Test
  void testConv2d_unbatchedInput() {
    Tensor x = random(22, DType.FLOAT64, 2, 5, 5);
    Tensor w = random(23, DType.FLOAT64, 3, 2, 3, 3);
    Tensor y = Functional.conv2d(x, w, null);
    assertArrayEquals(new int[] {3, 3, 3}, y.shape());
    assertTrue(y.allClose(Functional.conv2d(x.unsqueeze(0), w, null).squeeze(0), 0, 0));
  }

  @Test
  void testConv1d_matchesNaiveLoops() {
    Tensor x = random(30, DType.FLOAT64, 2, 4, 11);
    Tensor w = random(31, DType.FLOAT64, 6, 2, 3);
    Tensor b = random(32, DType.FLOAT64, 6);
    Tensor y = Functional.conv1d(x, w, b, 2, 1, 2, 2);
    int ol = outSize(11, 3, 2, 1, 2);
    assertArrayEquals(new int[] {2, 6, ol}, y.shape());
    double[] xs = x.toDoubleArray();
    double[] wv = w.toDoubleArray();
    double[] bv = b.toDoubleArray();
    double[] ref = new double[2 * 6 * ol];
    for (int n = 0; n < 2; n++) {
      for (int o = 0; o < 6; o++) {
        int g = o / 3;
        for (int t = 0; t < ol; t++) {
          double acc = bv[o];
          for (int c = 0; c < 2; c++) {
            for (int j = 0; j < 3; j++) {
              int pos = t * 2 - 1 + j * 2;
              if (pos >= 0 && pos < 11) {
                acc += wv[(o * 2 + c) * 3 + j] * xs[(n * 4 + g * 2 + c) * 11 + pos];
              }
            }
          }
          ref[(n * 6 + o) * ol + t] = acc;
        }
      }
    }
    assertClose(ref, y, 1e-12, "conv1d");
    assertArrayEquals(new int[] {2, 6, 11},
        Functional.conv1d(x, w, b, 1, "same", 1, 2).shape());
  }

  @Test
  void testConv2d_gradientsFirstAndSecondOrder() {
    GradCheck.Report r = GradCheck.check(
        in -> Functional.conv2d(in[0], in[1], in[2], new int[] {2, 1}, new int[] {1, 0}, new int[] {1, 2}, 2),
        random(40, DType.FLOAT64, 2, 4, 5, 6).requiresGrad(true),
        random(41, DType.FLOAT64, 2, 2, 2, 2).requiresGrad(true),
        random(42, DType.FLOAT64, 2).requiresGrad(true));
    assertTrue(r.passed(), r::toString);
    GradCheck.Report r2 = GradCheck.checkSecondOrder(
        in -> Functional.conv2d(in[0], in[1], null, new int[] {1}, new int[] {1}, new int[] {1}, 1).tanh(),
        GradCheck.Options.defaults().atol(1e-4),
        random(43, DType.FLOAT64, 1, 2, 4, 3).requiresGrad(true),
        random(44, DType.FLOAT64, 3, 2, 2, 2).requiresGrad(true));
    assertTrue(r2.passed(), r2::toString);
  }

  // ------------------------------------------------------------------ pooling

  /** {x shape, kernel, stride, padding, dilation}. */
  static Stream<Arguments> pools() {
    return Stream.of(
        Arguments.of(new int[] {2, 3, 8, 6}, new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0}, new int[] {1, 1}),
        Arguments.of(new int[] {1, 2, 7, 9}, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}),
        Arguments.of(new int[] {2, 1, 9, 8}, new int[] {3, 2}, new int[] {1, 3}, new int[] {1, 0}, new int[] {2, 1}),
        Arguments.of(new int[] {1, 1, 5, 5}, new int[] {5, 5}, new int[] {1, 1}, new int[] {2, 2}, new int[] {1, 1}),
        Arguments.of(new int[] {1, 2, 1, 1}, new int[] {1, 1}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}));
  }

  @ParameterizedTest
  @MethodSource("pools")
  void testMaxPool2d_matchesNaiveLoops(int[] s, int[] k, int[] st, int[] p, int[] d) {
    for (DType dt : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
      Tensor x = random(50, dt, s);
      Tensor y = Functional.maxPool2d(x, k, st, p, d);
      assertClose(naivePool(x.toDoubleArray(), s, k, st, p, d, true), y, 0.0, "maxPool2d " + dt);
    }
  }

  @ParameterizedTest
  @MethodSource("pools")
  void testAvgPool2d_matchesNaiveLoops(int[] s, int[] k, int[] st, int[] p, int[] d) {
    if (d[0] != 1 || d[1] != 1) {
      return;     // avg_pool2d has no dilation
    }
    for (DType dt : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
      Tensor x = random(51, dt, s);
      Tensor y = Functional.avgPool2d(x, k, st, p);
      assertClose(naivePool(x.toDoubleArray(), s, k, st, p, d, false), y,
          dt == DType.FLOAT32 ? 1e-6 : 1e-14, "avgPool2d " + dt);
    }
  }

  @Test
  void testMaxPool2d_gradientGoesToTheMaximum() {
    Tensor x = Tensor.of(new double[][] {{1, 5, 2, 0}, {3, 4, 8, 1}}).reshape(1, 1, 2, 4)
        .requiresGrad(true);
    Functional.maxPool2d(x, 2).sum().backward();
    assertArrayEquals(new double[] {0, 1, 0, 0, 0, 0, 1, 0}, x.grad().toDoubleArray());
  }

  /** A tie (a window of zeros after a ReLU) gives the whole gradient to its first maximum. */
  @Test
  void testMaxPool2d_tieGoesToTheFirstMaximumInRowMajorOrder() {
    Tensor x = Tensor.of(new double[][] {{0, 0, 2, 7}, {0, 0, 7, 1}}).reshape(1, 1, 2, 4)
        .requiresGrad(true);
    Functional.maxPool2d(x, 2).mul(Tensor.of(3.0, 5.0).reshape(1, 1, 1, 2)).sum().backward();
    assertArrayEquals(new double[] {3, 0, 0, 5, 0, 0, 0, 0}, x.grad().toDoubleArray());
  }

  @Test
  void testPooling_gradients() {
    GradCheck.Report r = GradCheck.check(
        in -> Functional.maxPool2d(in[0], new int[] {2, 3}, new int[] {1, 2}, new int[] {1}, new int[] {1})
            .add(Functional.avgPool2d(in[0], new int[] {2, 3}, new int[] {1, 2}, new int[] {1})),
        random(52, DType.FLOAT64, 2, 2, 5, 7).requiresGrad(true));
    assertTrue(r.passed(), r::toString);
    GradCheck.Report a = GradCheck.checkSecondOrder(
        in -> Functional.adaptiveAvgPool2d(in[0], new int[] {2, 3}).square(),
        GradCheck.Options.defaults().atol(1e-4), random(53, DType.FLOAT64, 1, 2, 5, 7).requiresGrad(true));
    assertTrue(a.passed(), a::toString);
  }

  @Test
  void testAdaptiveAvgPool2d_matchesPyTorchsBins() {
    // Bins of 5 rows into 3: [0, 2), [1, 4), [3, 5); of 7 columns into 2: [0, 4), [3, 7).
    Tensor x = random(54, DType.FLOAT64, 2, 3, 5, 7);
    Tensor y = Functional.adaptiveAvgPool2d(x, new int[] {3, 2});
    assertArrayEquals(new int[] {2, 3, 3, 2}, y.shape());
    int[][] rows = {{0, 2}, {1, 4}, {3, 5}};
    int[][] cols = {{0, 4}, {3, 7}};
    double[] xs = x.toDoubleArray();
    double[] ref = new double[2 * 3 * 3 * 2];
    for (int nc = 0; nc < 6; nc++) {
      for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 2; j++) {
          double sum = 0;
          int count = 0;
          for (int a = rows[i][0]; a < rows[i][1]; a++) {
            for (int b = cols[j][0]; b < cols[j][1]; b++) {
              sum += xs[(nc * 5 + a) * 7 + b];
              count++;
            }
          }
          ref[(nc * 3 + i) * 2 + j] = sum / count;
        }
      }
    }
    assertClose(ref, y, 1e-12, "adaptiveAvgPool2d");
    Tensor global = Functional.adaptiveAvgPool2d(x, new int[] {1});
    assertClose(x.mean(new int[] {2, 3}, true).toDoubleArray(), global, 1e-12, "global");
  }

  // ------------------------------------------------------------------ embedding, flatten

  @Test
  void testEmbedding_looksUpRowsAndBlocksThePaddingRowsGradient() {
    Tensor w = random(60, DType.FLOAT64, 5, 3).requiresGrad(true);
    Tensor idx = Tensor.ofLongs(4, 0, 2, 0, 4, 1).reshape(2, 3);
    Tensor e = Functional.embedding(idx, w, 0, null);
    assertArrayEquals(new int[] {2, 3, 3}, e.shape());
    double[] wv = w.toDoubleArray();
    long[] iv = idx.toLongArray();
    double[] ev = e.toDoubleArray();
    for (int i = 0; i < 6; i++) {
      for (int j = 0; j < 3; j++) {
        assertEquals(wv[(int) iv[i] * 3 + j], ev[i * 3 + j], 0.0);
      }
    }
    e.sum().backward();
    // Each row's gradient counts its uses; row 0 is the padding row and gets none.
    assertArrayEquals(new double[] {0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 2, 2, 2},
        w.grad().toDoubleArray());
  }

  @Test
  void testEmbedding_maxNormRescalesTheRowsItLooksUp() {
    Tensor w = Tensor.of(new double[][] {{3, 4}, {0.3, 0.4}, {6, 8}});
    Functional.embedding(Tensor.ofLongs(0, 1), w, null, 1.0);
    double scale = 1.0 / (5 + 1e-7);
    assertArrayEquals(new double[] {3 * scale, 4 * scale, 0.3, 0.4, 6, 8}, w.toDoubleArray(), 1e-12);
  }

  @Test
  void testEmbeddingModule_initAndParameterGradient() {
    Embedding emb = new Embedding(6, 4, -1, null, DType.FLOAT64, new SplittableRandom(3));
    assertEquals("Embedding(6, 4, padding_idx=5)", emb.toString());
    double[] row = emb.weight().select(0, 5).toDoubleArray();
    assertArrayEquals(new double[4], row, 0.0);
    Embedding big = new Embedding(500, 20, new SplittableRandom(4));
    double[] v = big.weight().toDoubleArray();
    double mean = 0;
    double sq = 0;
    for (double d : v) {
      mean += d / v.length;
      sq += d * d / v.length;
    }
    assertEquals(0.0, mean, 0.05, "N(0, 1) mean");
    assertEquals(1.0, sq - mean * mean, 0.05, "N(0, 1) variance");
    // The parameter gradient against finite differences, through a smooth function of the rows.
    Embedding small = new Embedding(4, 3, new SplittableRandom(5));
    Tensor idx = Tensor.ofLongs(3, 1, 3, 0);
    Tensor u = random(61, DType.FLOAT64, 4, 3);
    Tensor loss = small.forward(idx).tanh().mul(u).sum();
    loss.backward();
    double[] analytic = small.weight().grad().toDoubleArray();
    double[] base = small.weight().toDoubleArray();
    for (int i = 0; i < base.length; i++) {
      double[] plus = base.clone();
      double[] minus = base.clone();
      plus[i] += 1e-6;
      minus[i] -= 1e-6;
      double lp = Tensor.fromArray(plus, 4, 3).indexSelect(0, idx).tanh().mul(u).sum().item();
      double lm = Tensor.fromArray(minus, 4, 3).indexSelect(0, idx).tanh().mul(u).sum().item();
      assertEquals((lp - lm) / 2e-6, analytic[i], 1e-6, "weight[" + i + "]");
    }
  }

  @Test
  void testFlatten_defaults() {
    assertArrayEquals(new int[] {120}, Functional.flatten(Tensor.zeros(2, 3, 4, 5)).shape());
    assertArrayEquals(new int[] {2, 60}, Functional.flatten(Tensor.zeros(2, 3, 4, 5), 1, -1).shape());
    assertArrayEquals(new int[] {2, 60}, new Flatten().forward(Tensor.zeros(2, 3, 4, 5)).shape());
    assertArrayEquals(new int[] {2, 1, 3, 4},
        new Unflatten(1, 1, 3, 4).forward(Tensor.zeros(2, 12)).shape());
  }

  // ------------------------------------------------------------------ modules

  @Test
  void testModules_printLikePyTorch() {
    SplittableRandom r = new SplittableRandom(0);
    assertEquals("Conv2d(1, 16, kernel_size=(5, 5), stride=(1, 1))", new Conv2d(1, 16, 5, r).toString());
    assertEquals("Conv2d(4, 8, kernel_size=(3, 2), stride=(2, 1), padding=(1, 1), dilation=(2, 2),"
        + " groups=2, bias=False)", new Conv2d(4, 8, new int[] {3, 2}, new int[] {2, 1},
            new int[] {1}, new int[] {2}, 2, false, DType.FLOAT64, r).toString());
    assertEquals("Conv2d(2, 2, kernel_size=(3, 3), stride=(1, 1), padding=same)", new Conv2d(2, 2,
        new int[] {3}, new int[] {1}, "same", new int[] {1}, 1, true, DType.FLOAT64, r).toString());
    assertEquals("Conv1d(2, 6, kernel_size=(3,), stride=(1,))", new Conv1d(2, 6, 3, r).toString());
    assertEquals("MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)",
        new MaxPool2d(2).toString());
    assertEquals("AvgPool2d(kernel_size=(3, 2), stride=1, padding=(1, 0))",
        new AvgPool2d(new int[] {3, 2}, new int[] {1}, new int[] {1, 0}).toString());
    assertEquals("AdaptiveAvgPool2d(output_size=1)", new AdaptiveAvgPool2d(1).toString());
    assertEquals("BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)",
        new BatchNorm2d(16).toString());
    assertEquals("Dropout2d(p=0.5, inplace=False)", new Dropout2d(0.5, r).toString());
    assertEquals("Flatten(start_dim=1, end_dim=-1)", new Flatten().toString());
    assertEquals("Unflatten(dim=1, unflattened_size=(1, 28, 28))", new Unflatten(1, 1, 28, 28).toString());
    assertEquals("Identity()", new Identity().toString());
  }

  @Test
  void testConv2d_pyTorchLayoutAndInit() {
    Conv2d conv = new Conv2d(6, 4, new int[] {3, 5}, new int[] {1}, new int[] {0}, new int[] {1},
        2, true, DType.FLOAT32, new SplittableRandom(9));
    assertArrayEquals(new int[] {4, 3, 3, 5}, conv.weight().shape());
    assertArrayEquals(new int[] {4}, conv.bias().shape());
    assertEquals(DType.FLOAT32, conv.weight().dtype());
    assertEquals(java.util.List.of("weight", "bias"), java.util.List.copyOf(conv.namedParameters().keySet()));
    // kaiming_uniform(a = sqrt 5): bound 1 / sqrt(fan_in), fan_in = 3 * 3 * 5 = 45.
    double bound = 1 / Math.sqrt(45);
    double max = 0;
    for (double v : conv.weight().toDoubleArray()) {
      assertTrue(Math.abs(v) <= bound, "inside U(-k, k)");
      max = Math.max(max, Math.abs(v));
    }
    assertTrue(max > 0.8 * bound, "spread up to the bound: " + max + " of " + bound);
    for (double v : conv.bias().toDoubleArray()) {
      assertTrue(Math.abs(v) <= bound);
    }
  }

  @Test
  void testBatchNorm2d_normalisesEachChannelAndTracksStatistics() {
    BatchNorm2d bn = new BatchNorm2d(3);
    Tensor x = random(70, DType.FLOAT64, 4, 3, 5, 6).mul(3).add(1);
    Tensor y = bn.forward(x);
    Tensor mean = y.mean(new int[] {0, 2, 3}, false);
    Tensor var = y.var(new int[] {0, 2, 3}, 0, false);
    assertTrue(mean.allClose(Tensor.zeros(3), 0, 1e-12), mean::toString);
    assertTrue(var.allClose(Tensor.ones(3), 1e-4, 1e-4), var::toString);
    Tensor unbiased = x.var(new int[] {0, 2, 3}, 1, false);
    assertTrue(bn.runningVar().allClose(unbiased.mul(0.1).add(0.9), 1e-12, 1e-12));
    assertTrue(bn.runningMean().allClose(x.mean(new int[] {0, 2, 3}, false).mul(0.1), 1e-12, 1e-12));
    assertEquals(1, bn.numBatchesTracked());
    assertEquals(java.util.List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked"),
        java.util.List.copyOf(bn.stateDict().keySet()));
    bn.eval();
    Tensor z = bn.forward(x);
    Tensor expected = x.sub(bn.runningMean().reshape(3, 1, 1))
        .div(bn.runningVar().reshape(3, 1, 1).add(1e-5).sqrt());
    assertTrue(z.allClose(expected, 1e-12, 1e-12));
  }

  @Test
  void testDropout2d_dropsWholeChannels() {
    Dropout2d drop = new Dropout2d(0.5, new SplittableRandom(1));
    Tensor y = drop.forward(Tensor.ones(4, 8, 3, 3));
    double[] v = y.toDoubleArray();
    int dropped = 0;
    for (int plane = 0; plane < 32; plane++) {
      double first = v[plane * 9];
      assertTrue(first == 0 || first == 2, "0 or 1 / (1 - p)");
      for (int i = 1; i < 9; i++) {
        assertEquals(first, v[plane * 9 + i], 0.0, "one value per channel");
      }
      dropped += first == 0 ? 1 : 0;
    }
    assertTrue(dropped > 4 && dropped < 28, "about half dropped: " + dropped);
    drop.eval();
    Tensor x = Tensor.ones(2, 3, 2, 2);
    assertTrue(drop.forward(x) == x);
  }

  @Test
  void testModuleListAndDict_registerTheirModules() {
    SplittableRandom r = new SplittableRandom(2);
    ModuleList list = new ModuleList(new Linear(2, 3, true, r), new Linear(3, 1, false, r));
    assertEquals(java.util.List.of("0.weight", "0.bias", "1.weight"),
        java.util.List.copyOf(list.namedParameters().keySet()));
    assertEquals(2, list.size());
    assertTrue(list.get(-1) == list.get(1));
    assertThrows(UnsupportedOperationException.class, () -> list.forward(Tensor.zeros(1, 2)));
    ModuleDict dict = new ModuleDict().put("enc", new Linear(2, 2, true, r)).put("head", list);
    assertEquals(java.util.List.of("enc", "head"), dict.keys());
    assertEquals(java.util.List.of("enc.weight", "enc.bias", "head.0.weight", "head.0.bias", "head.1.weight"),
        java.util.List.copyOf(dict.namedParameters().keySet()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> dict.get("dec"));
    assertTrue(e.getMessage().contains("'dec'") && e.getMessage().contains("[enc, head]"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> dict.put("enc", new Identity()));
    assertThrows(UnsupportedOperationException.class, () -> dict.forward(Tensor.zeros(1, 2)));
  }

  @Test
  void testCnn_parameterGradients() {
    SplittableRandom r = new SplittableRandom(3);
    Sequential m = new Sequential(new Conv2d(2, 3, new int[] {3}, new int[] {1}, new int[] {1},
        new int[] {1}, 1, true, DType.FLOAT64, r), new Tanh(), new AvgPool2d(2), new Flatten(),
        new Linear(18, 2, true, r));
    String problems = ParameterGradCheck.check(m, random(80, DType.FLOAT64, 2, 2, 4, 6), 1e-6, 1e-5, 1e-3);
    assertNull(problems, problems);
    Conv1d conv1 = new Conv1d(4, 2, 3, 2, 1, 1, 2, true, DType.FLOAT64, r);
    String p1 = ParameterGradCheck.check(conv1, random(81, DType.FLOAT64, 2, 4, 7), 1e-6, 1e-5, 1e-3);
    assertNull(p1, p1);
  }

  // ------------------------------------------------------------------ errors

  @Test
  void testErrors_nameTheOpAndTheValues() {
    Tensor x = Tensor.zeros(2, 3, 5, 5);
    ShapeException channels = assertThrows(ShapeException.class,
        () -> Functional.conv2d(x, Tensor.zeros(4, 2, 3, 3), null));
    assertTrue(channels.getMessage().startsWith("conv2d: input has 3 channels")
        && channels.getMessage().contains("[4, 2, 3, 3]"), channels.getMessage());
    ShapeException big = assertThrows(ShapeException.class,
        () -> Functional.conv2d(x, Tensor.zeros(1, 3, 7, 3), null));
    assertTrue(big.getMessage().startsWith("unfold: the height of the dilated kernel (7")
        && big.getMessage().contains("(5 = 5 + 2 * padding 0)"), big.getMessage());
    IllegalArgumentException groups = assertThrows(IllegalArgumentException.class,
        () -> Functional.conv2d(x, Tensor.zeros(4, 1, 3, 3), null, new int[] {1}, new int[] {0},
            new int[] {1}, 2));
    assertTrue(groups.getMessage().startsWith("conv2d: groups must")
        && groups.getMessage().contains("groups=2 for 3 input and 4 output channels"), groups.getMessage());
    ShapeException rank = assertThrows(ShapeException.class,
        () -> Functional.conv2d(Tensor.zeros(3, 5), Tensor.zeros(1, 3, 1, 1), null));
    assertTrue(rank.getMessage().startsWith("conv2d: expected a 4-d input") && rank.getMessage().contains("[3, 5]"),
        rank.getMessage());
    ShapeException module = assertThrows(ShapeException.class,
        () -> new Conv2d(1, 2, 3, new SplittableRandom(0)).forward(x));
    assertTrue(module.getMessage().startsWith("Conv2d: input has 3 channels"), module.getMessage());
    IllegalArgumentException same = assertThrows(IllegalArgumentException.class,
        () -> Functional.conv2d(x, Tensor.zeros(1, 3, 3, 3), null, new int[] {2}, "same", new int[] {1}, 1));
    assertTrue(same.getMessage().contains("'same' needs stride 1"), same.getMessage());
    IllegalArgumentException mode = assertThrows(IllegalArgumentException.class,
        () -> Functional.conv2d(x, Tensor.zeros(1, 3, 3, 3), null, new int[] {1}, "full", new int[] {1}, 1));
    assertTrue(mode.getMessage().contains("'full'"), mode.getMessage());
    IllegalArgumentException stride = assertThrows(IllegalArgumentException.class,
        () -> Functional.unfold(x, new int[] {2}, new int[] {1}, new int[] {0}, new int[] {0, 1}));
    assertTrue(stride.getMessage().startsWith("unfold: stride must be 2 values >= 1, got [0, 1]"),
        stride.getMessage());
    ShapeException foldCols = assertThrows(ShapeException.class,
        () -> Functional.fold(Tensor.zeros(1, 4, 5), new int[] {3}, new int[] {2}, new int[] {1},
            new int[] {0}, new int[] {1}));
    assertTrue(foldCols.getMessage().startsWith("fold: the input has 5 columns")
        && foldCols.getMessage().contains("2 * 2 = 4"), foldCols.getMessage());
    IllegalArgumentException pad = assertThrows(IllegalArgumentException.class,
        () -> Functional.maxPool2d(x, new int[] {2}, null, new int[] {2}, new int[] {1}));
    assertTrue(pad.getMessage().startsWith("maxPool2d: padding must be at most half"), pad.getMessage());
    ShapeException poolRank = assertThrows(ShapeException.class,
        () -> new MaxPool2d(2).forward(Tensor.zeros(4, 4)));
    assertTrue(poolRank.getMessage().startsWith("MaxPool2d: expected a 4-d input"), poolRank.getMessage());
    assertThrows(DTypeException.class, () -> Functional.embedding(Tensor.zeros(2), Tensor.zeros(3, 2), null, null));
    IllegalArgumentException index = assertThrows(IllegalArgumentException.class,
        () -> Functional.embedding(Tensor.ofLongs(0, 3), Tensor.zeros(3, 2), null, null));
    assertTrue(index.getMessage().equals("embedding: index 3 at position 1 is out of range [0, 3)"),
        index.getMessage());
    IllegalArgumentException ctor = assertThrows(IllegalArgumentException.class,
        () -> new Conv2d(3, 4, new int[] {3}, new int[] {1}, new int[] {0}, new int[] {1}, 2, true,
            DType.FLOAT64, new SplittableRandom(0)));
    assertTrue(ctor.getMessage().startsWith("Conv2d: groups must"), ctor.getMessage());
    ShapeException bn = assertThrows(ShapeException.class, () -> new BatchNorm2d(4).forward(x));
    assertTrue(bn.getMessage().contains("[N, 4, H, W]") && bn.getMessage().contains("[2, 3, 5, 5]"),
        bn.getMessage());
  }

  @Test
  void testNulls_areRejectedNamingTheOpAndParameter() {
    Tensor x = Tensor.zeros(1, 1, 3, 3);
    NullPointerException a = assertThrows(NullPointerException.class, () -> Functional.conv2d(null, x, null));
    assertEquals("conv2d: input is null", a.getMessage());
    NullPointerException b = assertThrows(NullPointerException.class, () -> Functional.conv2d(x, null, null));
    assertEquals("conv2d: weight is null", b.getMessage());
    NullPointerException c = assertThrows(NullPointerException.class,
        () -> Functional.unfold(x, null, new int[] {1}, new int[] {0}, new int[] {1}));
    assertEquals("unfold: kernelSize is null", c.getMessage());
    NullPointerException d = assertThrows(NullPointerException.class,
        () -> Windows.fold(x.reshape(1, 1, 9), null, new int[] {1, 1}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}));
    assertEquals("fold: outputSize is null", d.getMessage());
    NullPointerException e = assertThrows(NullPointerException.class, () -> new MaxPool2d(2).forward(null));
    assertEquals("MaxPool2d: input is null", e.getMessage());
    NullPointerException f = assertThrows(NullPointerException.class,
        () -> Functional.embedding(null, x, null, null));
    assertEquals("embedding: input is null", f.getMessage());
  }
}
