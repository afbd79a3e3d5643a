package dev.cadena.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.ShapeArbitraries;
import dev.cadena.Tensor;
import dev.cadena.func.Func;
import dev.cadena.tensor.DTypeException;
import dev.cadena.tensor.ShapeException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The shape ops (split, chunk, unbind, flip, roll, repeat, tile, tril, triu, clone, bmm, expand
 * with -1): hand-worked values, naive index loops as references, properties over random shapes
 * (size-1, 0-d and empty included), and their errors. Gradients are checked by GradSamples.
 */
class ShapeOpsTest {

  private static Tensor randn(long seed, int... shape) {
    return Tensor.randn(new SplittableRandom(seed), shape);
  }

  /** Flat row-major index of {@code idx} in {@code shape}. */
  private static int flat(int[] shape, int[] idx) {
    int f = 0;
    for (int i = 0; i < shape.length; i++) {
      f = f * shape[i] + idx[i];
    }
    return f;
  }

  /** The multi-index of flat position {@code f} in {@code shape}. */
  private static int[] unflat(int[] shape, int f) {
    int[] idx = new int[shape.length];
    for (int i = shape.length - 1; i >= 0; i--) {
      idx[i] = f % shape[i];
      f /= shape[i];
    }
    return idx;
  }

  private static int numel(int[] shape) {
    int n = 1;
    for (int s : shape) {
      n *= s;
    }
    return n;
  }

  // ------------------------------------------------------------------ hand values

  @Test
  void split_chunk_unbind_handValues() {
    Tensor x = Tensor.arange(5);
    List<Tensor> p = x.split(2, 0);
    assertEquals(3, p.size());
    assertArrayEquals(new double[] {0, 1}, p.get(0).toDoubleArray(), 0.0);
    assertArrayEquals(new double[] {4}, p.get(2).toDoubleArray(), 0.0);
    List<Tensor> q = x.split(new int[] {1, 0, 4}, -1);
    assertArrayEquals(new int[] {0}, q.get(1).shape());
    assertArrayEquals(new double[] {1, 2, 3, 4}, q.get(2).toDoubleArray(), 0.0);
    assertEquals(3, x.chunk(3, 0).size());
    assertEquals(2, Tensor.arange(4).chunk(3, 0).size());  // ceil(4/3) = 2: pieces of 2 and 2
    assertEquals(3, Tensor.zeros(0).chunk(3, 0).size());
    assertEquals(1, Tensor.zeros(0).split(2, 0).size());
    List<Tensor> u = Tensor.of(new double[][] {{1, 2}, {3, 4}}).unbind(1);
    assertArrayEquals(new double[] {1, 3}, u.get(0).toDoubleArray(), 0.0);
    assertArrayEquals(new double[] {2, 4}, u.get(1).toDoubleArray(), 0.0);
    assertThrows(UnsupportedOperationException.class, () -> u.add(x));
  }

  @Test
  void flip_roll_repeat_tile_handValues() {
    assertArrayEquals(new double[] {3, 2, 1}, Tensor.of(1, 2, 3).flip(0).toDoubleArray(), 0.0);
    Tensor m = Tensor.of(new double[][] {{1, 2}, {3, 4}});
    assertArrayEquals(new double[] {4, 3, 2, 1}, m.flip(0, -1).toDoubleArray(), 0.0);
    assertArrayEquals(new double[] {4, 1, 2, 3},
        Tensor.of(1, 2, 3, 4).roll(new int[] {1}, new int[] {0}).toDoubleArray(), 0.0);
    assertArrayEquals(new double[] {2, 3, 4, 1}, Tensor.of(1, 2, 3, 4).roll(-1, 0).toDoubleArray(), 0.0);
    assertArrayEquals(new double[] {4, 1, 2, 3}, m.roll(1).toDoubleArray(), 0.0);
    assertArrayEquals(new double[] {4, 3, 2, 1},
        m.roll(new int[] {1, 1}, new int[] {0, 1}).toDoubleArray(), 0.0);
    Tensor r = Tensor.of(1, 2).repeat(2, 2);
    assertArrayEquals(new int[] {2, 4}, r.shape());
    assertArrayEquals(new double[] {1, 2, 1, 2, 1, 2, 1, 2}, r.toDoubleArray(), 0.0);
    assertArrayEquals(new int[] {2, 6}, Tensor.zeros(2, 3).tile(2).shape());
    assertArrayEquals(new int[] {3, 2, 3}, Tensor.zeros(2, 3).tile(3, 1, 1).shape());
    assertArrayEquals(new int[] {0, 3}, Tensor.zeros(2, 3).repeat(0, 1).shape());
    // 0-d: no dims to flip, roll of the single element, repeat/tile adding dims.
    Tensor z = Tensor.scalar(2.5);
    assertEquals(2.5, z.flip().item(), 0.0);
    assertEquals(2.5, z.roll(3).item(), 0.0);
    assertArrayEquals(new double[] {2.5, 2.5, 2.5}, z.repeat(3).toDoubleArray(), 0.0);
    assertArrayEquals(new int[] {2, 1}, z.tile(2, 1).shape());
    assertArrayEquals(new int[] {}, z.repeat().shape());
  }

  @Test
  void tril_triu_handValues() {
    Tensor o = Tensor.ones(2, 3);
    assertArrayEquals(new double[] {1, 0, 0, 1, 1, 0}, o.tril().toDoubleArray(), 0.0);
    assertArrayEquals(new double[] {1, 1, 0, 1, 1, 1}, o.tril(1).toDoubleArray(), 0.0);
    assertArrayEquals(new double[] {0, 0, 0, 1, 0, 0}, o.tril(-1).toDoubleArray(), 0.0);
    assertArrayEquals(new double[] {0, 1, 1, 0, 0, 1}, o.triu(1).toDoubleArray(), 0.0);
    assertArrayEquals(new double[] {1, 1, 1, 0, 1, 1}, o.triu().toDoubleArray(), 0.0);
    assertArrayEquals(o.toDoubleArray(), o.tril(Integer.MAX_VALUE).toDoubleArray(), 0.0);
    assertArrayEquals(new double[6], o.tril(Integer.MIN_VALUE).toDoubleArray(), 0.0);
    DTypeException e = assertThrows(DTypeException.class,
        () -> Tensor.ofLongs(1, 2, 3, 4).reshape(2, 2).tril());
    assertTrue(e.getMessage().startsWith("tril: int64 tensors are not supported"), e.getMessage());
  }

  @Test
  void expand_minusOneKeepsADim() {
    Tensor x = Tensor.of(1, 2, 3).reshape(3, 1);
    Tensor e = x.expand(2, -1, 4);
    assertArrayEquals(new int[] {2, 3, 4}, e.shape());
    assertEquals(3.0, e.get(1, 2, 3), 0.0);
    assertArrayEquals(new int[] {3, 5}, x.broadcastTo(-1, 5).shape());
    ShapeException err = assertThrows(ShapeException.class, () -> x.expand(-1, 3, 1));
    assertTrue(err.getMessage().startsWith("expand: -1 is not allowed for the new leading dim 0"),
        err.getMessage());
  }

  @Test
  void clone_isACopyInTheGraph() {
    Tensor x = Tensor.of(1.0, -0.0, Double.NaN).requiresGrad(true);
    Tensor c = x.clone();
    assertNotSame(x.data().storageKey(), c.data().storageKey());
    assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(c.get(1)));
    assertTrue(Double.isNaN(c.get(2)));
    c.mul(Tensor.of(2.0, 3.0, 4.0)).sum().backward();
    assertArrayEquals(new double[] {2, 3, 4}, x.grad().toDoubleArray(), 0.0);

    Tensor plain = x.detach().clone();
    assertNull(plain.gradFn());
    assertFalse(plain.requiresGrad());
    try (var s = Tensor.noGrad()) {
      plain.fill_(7);
    }
    assertEquals(1.0, x.get(0), 0.0);
    Tensor ints = Tensor.ofLongs(1, 2);
    Tensor ic = ints.clone();
    ic.fill_(5);
    assertArrayEquals(new long[] {1, 2}, ints.toLongArray());
  }

  @Test
  void bmm_isBatchedMatmulWithStrictShapes() {
    Tensor a = randn(1, 4, 2, 3);
    Tensor b = randn(2, 4, 3, 5);
    Tensor r = a.bmm(b);
    assertArrayEquals(new int[] {4, 2, 5}, r.shape());
    for (int k = 0; k < 4; k++) {
      for (int i = 0; i < 2; i++) {
        for (int j = 0; j < 5; j++) {
          double want = 0;
          for (int l = 0; l < 3; l++) {
            want += a.get(k, i, l) * b.get(k, l, j);
          }
          assertEquals(want, r.get(k, i, j), 1e-12);
        }
      }
    }
  }

  // ------------------------------------------------------------------ errors

  private static void expect(Supplier<Object> call, String... fragments) {
    ShapeException e = assertThrows(ShapeException.class, call::get);
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), () -> "should contain '" + f + "': " + e.getMessage());
    }
    assertTrue(e.getMessage().startsWith(fragments[0] + ": "), e.getMessage());
  }

  @Test
  void errors_nameTheOpAndTheValues() {
    Tensor x = Tensor.zeros(2, 3);
    expect(() -> x.split(0, 0), "split", "splitSize must be positive", "0", "[2, 3]");
    expect(() -> x.split(new int[] {1, 1}, 1), "split", "[1, 1]", "add up to 2", "size 3");
    expect(() -> x.split(new int[] {4, -1}, 1), "split", ">= 0", "[4, -1]");
    expect(() -> x.split(1, 2), "split", "axis 2");
    expect(() -> x.chunk(0, 0), "chunk", "chunks must be positive", "0");
    expect(() -> Tensor.zeros(0, 3).chunk(Integer.MAX_VALUE, 0), "chunk", "2147483647 empty pieces",
        "[0, 3]", "at most 65536");
    assertEquals(65536, Tensor.zeros(0, 3).chunk(65536, 0).size());
    expect(() -> x.unbind(-3), "unbind", "axis -3");
    expect(() -> x.flip(0, -2), "flip", "more than once", "[0, -2]");
    expect(() -> x.flip(2), "flip", "axis 2");
    expect(() -> x.roll(new int[] {1}, new int[] {0, 1}), "roll", "[1]", "[0, 1]", "same");
    expect(() -> x.roll(new int[0], new int[0]), "roll", "non-zero length");
    expect(() -> x.roll(1, 5), "roll", "axis 5");
    expect(() -> x.repeat(2), "repeat", "fewer than the 2 dims", "[2, 3]");
    expect(() -> x.repeat(1, -1), "repeat", ">= 0", "[1, -1]");
    expect(() -> x.repeat(65536, 65536), "repeat", "more than the");
    expect(() -> x.tile(-2), "tile", ">= 0");
    expect(() -> Tensor.zeros(3).tril(0), "tril", "rank >= 2", "[3]");
    expect(() -> Tensor.scalar(1).triu(0), "triu", "rank >= 2", "[]");
    expect(() -> x.expand(3), "expand", "fewer dims", "[2, 3]");
    expect(() -> x.bmm(Tensor.zeros(3, 2)), "bmm", "3-d", "[2, 3]", "[3, 2]");
    expect(() -> Tensor.zeros(2, 2, 3).bmm(Tensor.zeros(5, 3, 1)), "bmm", "batch sizes differ",
        "[2, 2, 3]", "[5, 3, 1]", "2 != 5");
    expect(() -> Tensor.zeros(2, 2, 3).bmm(Tensor.zeros(2, 4, 1)), "bmm", "inner dimensions",
        "3 != 4");
    expect(() -> Tensor.zeros(1, 2, 3).bmm(Tensor.zeros(2, 3, 1)), "bmm", "batch sizes differ");
  }

  // ------------------------------------------------------------------ properties

  @Provide
  Arbitrary<int[]> shapes() {
    return ShapeArbitraries.shapes(4, 4);
  }

  /** Shapes of rank >= 1, an axis and a seed; one size in three is 0 (empty). */
  @Provide
  Arbitrary<int[]> shapeAxisSeed() {
    Arbitrary<int[]> s = Arbitraries.integers().between(0, 4).array(int[].class).ofMinSize(1).ofMaxSize(4);
    return s.flatMap(shape -> Combinators.combine(
            Arbitraries.integers().between(-shape.length, shape.length - 1),
            Arbitraries.integers().between(1, 5), Arbitraries.longs())
        .as((axis, k, seed) -> {
          int[] r = new int[shape.length + 3];
          System.arraycopy(shape, 0, r, 0, shape.length);
          r[shape.length] = axis;
          r[shape.length + 1] = k;
          r[shape.length + 2] = (int) (long) seed;
          return r;
        }));
  }

  private static int[] shapeOf(int[] c) {
    return java.util.Arrays.copyOf(c, c.length - 3);
  }

  @Property(tries = 150, seed = "5150", edgeCases = EdgeCasesMode.NONE)
  void splitChunkUnbind_thenJoin_isIdentity(@ForAll("shapeAxisSeed") int[] c) {
    int[] shape = shapeOf(c);
    int axis = c[c.length - 3];
    int k = c[c.length - 2];
    Tensor x = randn(c[c.length - 1], shape);
    assertArrayEquals(x.toDoubleArray(), Tensor.concat(x.split(k, axis), axis).toDoubleArray(), 0.0);
    assertArrayEquals(x.toDoubleArray(), Tensor.concat(x.chunk(k, axis), axis).toDoubleArray(), 0.0);
    int n = x.size(axis);
    List<Tensor> chunks = x.chunk(k, axis);
    assertTrue(chunks.size() <= k || n == 0);
    if (n > 0) {
      int want = (n + k - 1) / k;
      assertEquals(want, chunks.get(0).size(axis));
    }
    List<Tensor> u = x.unbind(axis);
    assertEquals(n, u.size());
    if (n > 0) {
      Tensor st = Tensor.stack(u, axis < 0 ? axis + shape.length : axis);
      assertArrayEquals(x.toDoubleArray(), st.toDoubleArray(), 0.0);
      assertArrayEquals(shape, st.shape());
    }
    // Explicit sizes: one piece per element, then one empty piece.
    int[] sizes = new int[n + 1];
    java.util.Arrays.fill(sizes, 0, n, 1);
    assertArrayEquals(x.toDoubleArray(), Tensor.concat(x.split(sizes, axis), axis).toDoubleArray(), 0.0);
  }

  @Property(tries = 150, seed = "6160", edgeCases = EdgeCasesMode.NONE)
  void flip_matchesIndexLoop_andTwiceIsIdentity(@ForAll("shapeAxisSeed") int[] c) {
    int[] shape = shapeOf(c);
    int axis = c[c.length - 3];
    Tensor x = randn(c[c.length - 1], shape);
    int a = axis < 0 ? axis + shape.length : axis;
    Tensor f = x.flip(axis);
    double[] xv = x.toDoubleArray();
    double[] fv = f.toDoubleArray();
    for (int i = 0; i < fv.length; i++) {
      int[] idx = unflat(shape, i);
      idx[a] = shape[a] - 1 - idx[a];
      assertEquals(xv[flat(shape, idx)], fv[i], 0.0);
    }
    assertArrayEquals(xv, f.flip(axis).toDoubleArray(), 0.0);
    int[] all = new int[shape.length];
    for (int i = 0; i < all.length; i++) {
      all[i] = i;
    }
    assertArrayEquals(xv, x.flip(all).flip(all).toDoubleArray(), 0.0);
  }

  @Property(tries = 150, seed = "7170", edgeCases = EdgeCasesMode.NONE)
  void roll_matchesIndexLoop_andBySizeIsIdentity(@ForAll("shapeAxisSeed") int[] c) {
    int[] shape = shapeOf(c);
    int axis = c[c.length - 3];
    int shift = c[c.length - 2] - 3;  // -2 .. 2
    Tensor x = randn(c[c.length - 1], shape);
    int a = axis < 0 ? axis + shape.length : axis;
    int n = shape[a];
    double[] xv = x.toDoubleArray();
    double[] rv = x.roll(shift, axis).toDoubleArray();
    for (int i = 0; i < xv.length; i++) {
      int[] idx = unflat(shape, i);
      idx[a] = Math.floorMod(idx[a] + shift, n);
      assertEquals(xv[i], rv[flat(shape, idx)], 0.0);
    }
    assertArrayEquals(xv, x.roll(n, axis).toDoubleArray(), 0.0);
    assertArrayEquals(xv, x.roll(shift, axis).roll(-shift, axis).toDoubleArray(), 0.0);
    // Flattened: the row-major sequence shifts.
    double[] fv = x.roll(shift).toDoubleArray();
    assertEquals(xv.length, fv.length);
    for (int i = 0; i < xv.length; i++) {
      assertEquals(xv[i], fv[Math.floorMod(i + shift, xv.length)], 0.0);
    }
    assertArrayEquals(xv, x.roll(xv.length).toDoubleArray(), 0.0);
  }

  @Provide
  Arbitrary<int[][]> shapeAndReps() {
    return ShapeArbitraries.shapes(3, 3).flatMap(shape -> Combinators.combine(
            Arbitraries.integers().between(0, 2),
            Arbitraries.integers().between(0, 3).array(int[].class).ofSize(shape.length + 2))
        .as((extra, reps) -> new int[][] {shape, java.util.Arrays.copyOf(reps, shape.length + extra)}));
  }

  @Property(tries = 150, seed = "8180", edgeCases = EdgeCasesMode.NONE)
  void repeat_matchesIndexLoop_andEqualsTile(@ForAll("shapeAndReps") int[][] p) {
    int[] shape = p[0];
    int[] reps = p[1];
    Tensor x = randn(3, shape);
    Tensor r = x.repeat(reps);
    int lead = reps.length - shape.length;
    int[] want = new int[reps.length];
    for (int i = 0; i < reps.length; i++) {
      want[i] = reps[i] * (i < lead ? 1 : shape[i - lead]);
    }
    assertArrayEquals(want, r.shape());
    double[] xv = x.toDoubleArray();
    double[] rv = r.toDoubleArray();
    assertEquals(numel(want), rv.length);
    for (int i = 0; i < rv.length; i++) {
      int[] idx = unflat(want, i);
      int[] src = new int[shape.length];
      for (int d = 0; d < shape.length; d++) {
        src[d] = idx[d + lead] % shape[d];
      }
      assertEquals(xv[flat(shape, src)], rv[i], 0.0);
    }
    // tile agrees with repeat where both take the same sizes, and pads short reps with 1s.
    assertArrayEquals(rv, x.tile(reps).toDoubleArray(), 0.0);
    if (shape.length > 0) {
      int[] tail = java.util.Arrays.copyOfRange(reps, reps.length - 1, reps.length);
      int[] padded = new int[shape.length];
      java.util.Arrays.fill(padded, 1);
      padded[shape.length - 1] = tail[0];
      assertArrayEquals(x.repeat(padded).toDoubleArray(), x.tile(tail).toDoubleArray(), 0.0);
    }
  }

  @Provide
  Arbitrary<int[]> matrixShapes() {
    return Combinators.combine(ShapeArbitraries.shapes(2, 2),
            Arbitraries.integers().between(0, 4), Arbitraries.integers().between(0, 4),
            Arbitraries.integers().between(-5, 5))
        .as((batch, r, cc, k) -> {
          int[] s = java.util.Arrays.copyOf(batch, batch.length + 3);
          s[batch.length] = r;
          s[batch.length + 1] = cc;
          s[batch.length + 2] = k;
          return s;
        });
  }

  @Property(tries = 150, seed = "9190", edgeCases = EdgeCasesMode.NONE)
  void trilPlusTriuAbove_isIdentity_andMatchesIndexLoop(@ForAll("matrixShapes") int[] c) {
    int k = c[c.length - 1];
    int[] shape = java.util.Arrays.copyOf(c, c.length - 1);
    Tensor x = randn(k + 11, shape);
    Tensor lo = x.tril(k);
    Tensor hi = x.triu(k + 1);
    assertArrayEquals(x.toDoubleArray(), lo.add(hi).toDoubleArray(), 0.0);
    double[] xv = x.toDoubleArray();
    double[] lv = lo.toDoubleArray();
    for (int i = 0; i < xv.length; i++) {
      int[] idx = unflat(shape, i);
      int row = idx[shape.length - 2];
      int col = idx[shape.length - 1];
      assertEquals(col - row <= k ? xv[i] : 0.0, lv[i], 0.0);
    }
    assertArrayEquals(shape, lo.shape());
  }

  @Property(tries = 100, seed = "1212", edgeCases = EdgeCasesMode.NONE)
  void clone_equalsInput_andExpandMinusOneKeepsDims(@ForAll("shapes") int[] shape) {
    Tensor x = randn(4, shape);
    assertArrayEquals(x.toDoubleArray(), x.clone().toDoubleArray(), 0.0);
    assertArrayEquals(shape, x.clone().shape());
    int[] target = new int[shape.length + 1];
    target[0] = 2;
    java.util.Arrays.fill(target, 1, target.length, -1);
    Tensor e = x.expand(target);
    assertArrayEquals(x.toDoubleArray(), e.select(0, 1).toDoubleArray(), 0.0);
  }

  // ------------------------------------------------------------------ vmap

  @Test
  void flipRollTrilRepeat_workUnderVmap() {
    Tensor xs = randn(21, 4, 3, 2);
    Tensor got = Func.vmap(a -> a[0].flip(0).roll(1, 1).tril().repeat(1, 2)).apply(xs);
    List<Tensor> loop = new ArrayList<>();
    for (int b = 0; b < 4; b++) {
      loop.add(xs.select(0, b).flip(0).roll(1, 1).tril().repeat(1, 2));
    }
    assertArrayEquals(Tensor.stack(loop, 0).toDoubleArray(), got.toDoubleArray(), 0.0);
  }
}
