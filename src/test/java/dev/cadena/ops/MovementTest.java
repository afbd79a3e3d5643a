package dev.cadena.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.cadena.RefArray;
import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Movement ops against nested loops over plain arrays. */
class MovementTest {

  /** x[i][j][k] = 100 i + 10 j + k: every element tells where it came from. */
  private static Tensor coded(int a, int b, int c) {
    double[] v = new double[a * b * c];
    for (int i = 0; i < a; i++) {
      for (int j = 0; j < b; j++) {
        for (int k = 0; k < c; k++) {
          v[(i * b + j) * c + k] = 100 * i + 10 * j + k;
        }
      }
    }
    return Tensor.fromArray(v, a, b, c);
  }

  private static double code(int i, int j, int k) {
    return 100 * i + 10 * j + k;
  }

  @Test
  void reshapeAndView_keepRowMajorOrder() {
    Tensor x = coded(2, 3, 4);
    double[] flat = x.toDoubleArray();
    Tensor r = x.reshape(4, -1);
    assertArrayEquals(new int[] {4, 6}, r.shape());
    assertArrayEquals(flat, r.toDoubleArray());
    assertArrayEquals(new int[] {24}, x.view(-1).shape());
    assertArrayEquals(new int[] {24}, x.flatten().shape());
    assertArrayEquals(new int[] {6, 4}, x.flatten(0, 1).shape());
    assertArrayEquals(new int[] {2, 12}, x.flatten(1, -1).shape());
    assertSame(x, x.reshape(2, 3, 4), "reshape to the same shape is the identity");
    // Reshape of a non-contiguous view copies in logical order.
    Tensor t = x.transpose(0, 2).reshape(-1);
    int p = 0;
    for (int k = 0; k < 4; k++) {
      for (int j = 0; j < 3; j++) {
        for (int i = 0; i < 2; i++) {
          assertEquals(code(i, j, k), t.get(p++));
        }
      }
    }
    assertArrayEquals(new int[0], Tensor.of(5.0).reshape().shape());
  }

  @Test
  void permuteAndTranspose() {
    Tensor x = coded(2, 3, 4);
    Tensor p = x.permute(2, 0, 1);
    assertArrayEquals(new int[] {4, 2, 3}, p.shape());
    Tensor t = x.transpose(0, -1);
    assertArrayEquals(new int[] {4, 3, 2}, t.shape());
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 3; j++) {
        for (int k = 0; k < 4; k++) {
          assertEquals(code(i, j, k), p.get(k, i, j));
          assertEquals(code(i, j, k), t.get(k, j, i));
        }
      }
    }
    RefArray.of(x).permute(1, 2, 0).assertClose(x.permute(1, 2, 0), 0);
    Tensor m = Tensor.of(new double[][] {{1, 2, 3}, {4, 5, 6}});
    assertArrayEquals(new double[] {1, 4, 2, 5, 3, 6}, m.t().toDoubleArray());
    assertArrayEquals(new double[] {1, 4, 2, 5, 3, 6}, m.mT().toDoubleArray());
  }

  @Test
  void expandAndBroadcastTo() {
    Tensor col = Tensor.of(new double[][] {{1}, {2}});
    Tensor e = col.expand(3, 2, 4);
    assertArrayEquals(new int[] {3, 2, 4}, e.shape());
    for (int a = 0; a < 3; a++) {
      for (int i = 0; i < 2; i++) {
        for (int k = 0; k < 4; k++) {
          assertEquals(i + 1, e.get(a, i, k));
        }
      }
    }
    assertArrayEquals(new int[] {2, 3}, Tensor.scalar(7).broadcastTo(2, 3).shape());
    assertArrayEquals(new double[] {7, 7, 7, 7, 7, 7}, Tensor.scalar(7).broadcastTo(2, 3).toDoubleArray());
  }

  @Test
  void squeezeAndUnsqueeze() {
    Tensor x = Tensor.zeros(1, 3, 1, 2);
    assertArrayEquals(new int[] {3, 2}, x.squeeze().shape());
    assertArrayEquals(new int[] {3, 1, 2}, x.squeeze(0).shape());
    assertArrayEquals(new int[] {1, 3, 2}, x.squeeze(-2).shape());
    Tensor v = Tensor.of(1.0, 2.0, 3.0);
    assertArrayEquals(new int[] {1, 3}, v.unsqueeze(0).shape());
    assertArrayEquals(new int[] {3, 1}, v.unsqueeze(1).shape());
    assertArrayEquals(new int[] {3, 1}, v.unsqueeze(-1).shape());
    assertArrayEquals(new double[] {1, 2, 3}, v.unsqueeze(0).toDoubleArray());
    assertArrayEquals(new int[0], Tensor.zeros(1, 1).squeeze().shape());
    assertArrayEquals(new int[] {1}, Tensor.scalar(1).unsqueeze(0).shape());
  }

  @Test
  void concatAndStack() {
    Tensor a = coded(2, 2, 3);
    Tensor b = coded(2, 1, 3).add(1000.0);
    Tensor c = Tensor.concat(List.of(a, b), 1);
    assertArrayEquals(new int[] {2, 3, 3}, c.shape());
    for (int i = 0; i < 2; i++) {
      for (int k = 0; k < 3; k++) {
        assertEquals(code(i, 0, k), c.get(i, 0, k));
        assertEquals(code(i, 1, k), c.get(i, 1, k));
        assertEquals(1000 + code(i, 0, k), c.get(i, 2, k));
      }
    }
    assertArrayEquals(new int[] {4, 2, 3}, Tensor.cat(List.of(a, a), 0).shape());
    assertArrayEquals(new int[] {2, 2, 6}, Tensor.concat(List.of(a, a), -1).shape());

    Tensor p = Tensor.of(1.0, 2.0);
    Tensor q = Tensor.of(3.0, 4.0);
    Tensor s0 = Tensor.stack(List.of(p, q), 0);
    Tensor s1 = Tensor.stack(List.of(p, q), 1);
    Tensor sLast = Tensor.stack(List.of(p, q), -1);
    assertArrayEquals(new int[] {2, 2}, s0.shape());
    assertArrayEquals(new double[] {1, 2, 3, 4}, s0.toDoubleArray());
    assertArrayEquals(new double[] {1, 3, 2, 4}, s1.toDoubleArray());
    assertArrayEquals(new double[] {1, 3, 2, 4}, sLast.toDoubleArray());
    assertEquals(DType.FLOAT64, Tensor.concat(List.of(Tensor.of(1f), Tensor.of(2.0)), 0).dtype());
  }

  @Test
  void sliceNarrowSelect() {
    Tensor x = coded(3, 5, 2);
    Tensor s = x.slice(1, 1, 5, 2);
    assertArrayEquals(new int[] {3, 2, 2}, s.shape());
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 2; j++) {
        for (int k = 0; k < 2; k++) {
          assertEquals(code(i, 1 + 2 * j, k), s.get(i, j, k));
        }
      }
    }
    // Python-style clamping and negative bounds.
    assertArrayEquals(new int[] {3, 2, 2}, x.slice(1, -2, 100).shape());
    assertEquals(code(0, 3, 0), x.slice(1, -2, 100).get(0, 0, 0));
    assertArrayEquals(new int[] {3, 0, 2}, x.slice(1, 4, 2).shape());
    Tensor n = x.narrow(0, 1, 2);
    assertArrayEquals(new int[] {2, 5, 2}, n.shape());
    assertEquals(code(1, 4, 1), n.get(0, 4, 1));
    Tensor sel = x.select(1, -1);
    assertArrayEquals(new int[] {3, 2}, sel.shape());
    for (int i = 0; i < 3; i++) {
      assertEquals(code(i, 4, 0), sel.get(i, 0));
    }
  }

  @Test
  void indexSelectGatherOneHot() {
    Tensor x = coded(3, 4, 1).reshape(3, 4);
    Tensor rows = x.indexSelect(0, Tensor.ofLongs(2, 0, 2));
    assertArrayEquals(new int[] {3, 4}, rows.shape());
    long[] ri = {2, 0, 2};
    for (int r = 0; r < 3; r++) {
      for (int c = 0; c < 4; c++) {
        assertEquals(x.get((int) ri[r], c), rows.get(r, c));
      }
    }
    Tensor cols = x.indexSelect(1, Tensor.ofLongs(3, -1, 0));
    assertEquals(x.get(1, 3), cols.get(1, 1), "negative index counts from the end");
    assertEquals(x.get(2, 0), cols.get(2, 2));

    long[][] idx = {{1, 0}, {3, 3}, {0, 2}};
    Tensor g = x.gather(1, Tensor.fromArray(idx));
    assertArrayEquals(new int[] {3, 2}, g.shape());
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 2; j++) {
        assertEquals(x.get(i, (int) idx[i][j]), g.get(i, j));
      }
    }
    long[][] idx0 = {{2, 1, 0, 0}};
    Tensor g0 = x.gather(0, Tensor.fromArray(idx0));
    for (int j = 0; j < 4; j++) {
      assertEquals(x.get((int) idx0[0][j], j), g0.get(0, j));
    }

    Tensor labels = Tensor.fromArray(new long[][] {{2, 0}, {1, 2}});
    Tensor oh = labels.oneHot(3);
    assertArrayEquals(new int[] {2, 2, 3}, oh.shape());
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 2; j++) {
        for (int c = 0; c < 3; c++) {
          assertEquals(labels.toLongArray()[i * 2 + j] == c ? 1.0 : 0.0, oh.get(i, j, c));
        }
      }
    }
  }

  @Test
  void scatterOps_areInversesOfTheirSelections() {
    Tensor base = Tensor.zeros(3, 2);
    Tensor src = Tensor.of(new double[][] {{1, 2}, {3, 4}, {5, 6}});
    Tensor added = base.indexAdd(0, Tensor.ofLongs(2, 0, 2), src);
    assertArrayEquals(new double[] {3, 4, 0, 0, 6, 8}, added.toDoubleArray(), "repeats accumulate");
    Tensor sc = Tensor.zeros(2, 3).scatterAdd(1, Tensor.fromArray(new long[][] {{0, 0}, {2, 1}}),
        Tensor.of(new double[][] {{1, 2}, {3, 4}}));
    assertArrayEquals(new double[] {3, 0, 0, 0, 4, 3}, sc.toDoubleArray());
    Tensor ss = Tensor.zeros(4, 2).sliceScatter(Tensor.ones(2, 2), 0, 0, 4, 2);
    assertArrayEquals(new double[] {1, 1, 0, 0, 1, 1, 0, 0}, ss.toDoubleArray());
  }

  @Test
  void movementGradients_routeBackToSources() {
    Tensor x = Tensor.randn(new SplittableRandom(8), 3, 4).requiresGrad(true);
    Tensor u = Tensor.randn(new SplittableRandom(9), 3, 2);
    x.indexSelect(1, Tensor.ofLongs(1, 1)).backward(u);
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 4; j++) {
        double want = j == 1 ? u.get(i, 0) + u.get(i, 1) : 0;
        assertEquals(want, x.grad().get(i, j), 1e-15);
      }
    }
    x.zeroGrad();
    x.slice(1, 0, 4, 2).backward(u);
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 4; j++) {
        assertEquals(j % 2 == 0 ? u.get(i, j / 2) : 0, x.grad().get(i, j));
      }
    }
    x.zeroGrad();
    x.permute(1, 0).reshape(2, 6).backward(Tensor.arange(12).reshape(2, 6));
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 4; j++) {
        assertEquals(j * 3 + i, x.grad().get(i, j), "element (i, j) landed at flat j*3+i");
      }
    }
    x.zeroGrad();
    x.expand(2, 3, 4).sum().backward();
    for (double g : x.grad().toDoubleArray()) {
      assertEquals(2.0, g);
    }
    x.zeroGrad();
    Tensor y = Tensor.of(1.0, 2.0).requiresGrad(true);
    Tensor.concat(List.of(x.select(0, 0), y), 0).backward(Tensor.arange(6));
    assertArrayEquals(new double[] {0, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0}, x.grad().toDoubleArray());
    assertArrayEquals(new double[] {4, 5}, y.grad().toDoubleArray());
  }
}
