package dev.cadena.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.Shapes;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The arbitraries draw what they promise (ranks, sizes, broadcastable shapes, value constraints,
 * valid indices), cover the cases they promise (0-d, size 1, empty, lower ranks), are
 * reproducible from a seed, and shrink toward the simplest allowed case.
 */
class TensorArbitrariesTest {

  // ------------------------------------------------------------------ shapes

  @Property(tries = 200, seed = "11")
  void shapes_respectRankAndSizes(@ForAll("smallShapes") int[] s) {
    assertTrue(s.length >= 0 && s.length <= 2, Arrays.toString(s));
    for (int d : s) {
      assertTrue(d >= 2 && d <= 5, Arrays.toString(s));
    }
  }

  @Provide
  Arbitrary<int[]> smallShapes() {
    return TensorArbitraries.shapes().rank(0, 2).sizes(2, 5);
  }

  @Test
  void shapes_defaults_coverRanksOneToThree_andSizesOneToFour_only() {
    List<int[]> drawn = Samples.draw(TensorArbitraries.shapes(), 1, 300);
    boolean[] ranks = new boolean[4];
    boolean[] sizes = new boolean[5];
    for (int[] s : drawn) {
      assertTrue(s.length >= 1 && s.length <= 3, Arrays.toString(s));
      ranks[s.length] = true;
      for (int d : s) {
        assertTrue(d >= 1 && d <= 4, Arrays.toString(s));
        sizes[d] = true;
      }
    }
    assertArrayEquals(new boolean[] {false, true, true, true}, ranks);
    assertArrayEquals(new boolean[] {false, true, true, true, true}, sizes);
  }

  @Test
  void shapes_allowScalarAndEmpty_addZeroDAndSizeZero() {
    List<int[]> drawn = Samples.draw(TensorArbitraries.shapes().allowScalar().allowEmpty(), 2, 300);
    assertTrue(drawn.stream().anyMatch(s -> s.length == 0), "a 0-d shape");
    assertTrue(drawn.stream().anyMatch(s -> Arrays.stream(s).anyMatch(d -> d == 0)), "an empty dim");
    List<int[]> plain = Samples.draw(TensorArbitraries.shapes(), 2, 300);
    assertTrue(plain.stream().noneMatch(s -> s.length == 0 || Arrays.stream(s).anyMatch(d -> d == 0)));
  }

  @Test
  void shapes_badRanges_throwNamingTheValues() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TensorArbitraries.shapes().rank(3, 1));
    assertTrue(e.getMessage().contains("shapes.rank") && e.getMessage().contains("min 3, max 1"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> TensorArbitraries.shapes().sizes(0, 2));
    assertTrue(e.getMessage().contains("shapes.sizes") && e.getMessage().contains("allowEmpty"), e.getMessage());
  }

  // ------------------------------------------------------------------ broadcasting

  /** NumPy's rule, written out: align trailing dims; each pair equal or one of them 1. */
  private static int[] naiveBroadcast(int[]... shapes) {
    int rank = Arrays.stream(shapes).mapToInt(s -> s.length).max().orElse(0);
    int[] out = new int[rank];
    Arrays.fill(out, 1);
    for (int[] s : shapes) {
      for (int i = 0; i < s.length; i++) {
        int o = rank - s.length + i;
        if (s[i] != 1) {
          assertTrue(out[o] == 1 || out[o] == s[i], () -> "not broadcastable: " + Arrays.deepToString(shapes));
          out[o] = s[i];
        }
      }
    }
    return out;
  }

  @Property(tries = 200, seed = "12")
  void broadcastablePairs_broadcast(@ForAll("pairs") int[][] p) {
    assertEquals(2, p.length);
    assertArrayEquals(naiveBroadcast(p[0], p[1]), Shapes.broadcast("test", p[0], p[1]));
  }

  @Property(tries = 200, seed = "13")
  void broadcastableTriples_broadcast(@ForAll("triples") int[][] t) {
    assertEquals(3, t.length);
    int[] ab = Shapes.broadcast("test", t[0], t[1]);
    assertArrayEquals(naiveBroadcast(t[0], t[1], t[2]), Shapes.broadcast("test", ab, t[2]));
  }

  @Provide
  Arbitrary<int[][]> pairs() {
    return TensorArbitraries.broadcastablePairs(TensorArbitraries.shapes().allowScalar().allowEmpty());
  }

  @Provide
  Arbitrary<int[][]> triples() {
    return TensorArbitraries.broadcastableTriples();
  }

  @Test
  void broadcastablePairs_coverEveryPattern() {
    List<int[][]> drawn = Samples.draw(TensorArbitraries.broadcastablePairs(), 3, 300);
    assertTrue(drawn.stream().anyMatch(p -> Arrays.equals(p[0], p[1])), "equal shapes");
    assertTrue(drawn.stream().anyMatch(p -> p[0].length != p[1].length), "different ranks");
    assertTrue(drawn.stream().anyMatch(p -> p[0].length == 0 || p[1].length == 0), "a 0-d side");
    // A size-1 dimension stretched against a larger one, on either side.
    assertTrue(drawn.stream().anyMatch(p -> stretches(p[0], p[1])), "first stretched");
    assertTrue(drawn.stream().anyMatch(p -> stretches(p[1], p[0])), "second stretched");
  }

  private static boolean stretches(int[] a, int[] b) {
    for (int i = 1; i <= Math.min(a.length, b.length); i++) {
      if (a[a.length - i] == 1 && b[b.length - i] > 1) {
        return true;
      }
    }
    return false;
  }

  // ------------------------------------------------------------------ tensors

  @Property(tries = 200, seed = "14")
  void tensors_haveTheDrawnShape_defaultValuesAndDtype(@ForAll("plainTensors") Tensor t) {
    assertEquals(DType.FLOAT64, t.dtype());
    assertTrue(t.requiresGrad());
    assertTrue(t.rank() >= 1 && t.rank() <= 3);
    for (double v : t.toDoubleArray()) {
      assertTrue(v >= -2 && v <= 2, "value " + v);
      assertEquals(v, Math.round(v * 1e4) / 1e4, 0, "4 decimals: " + v);
    }
  }

  @Provide
  Arbitrary<Tensor> plainTensors() {
    return TensorArbitraries.tensors(TensorArbitraries.shapes());
  }

  @Property(tries = 200, seed = "15")
  void tensors_awayFrom_keepsTheMargin(@ForAll("kinked") Tensor t) {
    for (double v : t.toDoubleArray()) {
      assertTrue(Math.abs(v) >= 0.25 && Math.abs(v - 1) >= 0.1 && v >= -1 && v <= 3, "value " + v);
    }
  }

  @Provide
  Arbitrary<Tensor> kinked() {
    return TensorArbitraries.tensors(TensorArbitraries.shapes()).values(-1, 3).awayFrom(0.0, 0.25)
        .awayFrom(1.0, 0.1);
  }

  @Property(tries = 200, seed = "16")
  void tensors_positive_areAtLeastTheMargin(@ForAll("positives") Tensor t) {
    assertEquals(DType.FLOAT32, t.dtype());
    for (double v : t.toDoubleArray()) {
      assertTrue(v >= 0.1f && v <= 2, "value " + v);
    }
  }

  @Provide
  Arbitrary<Tensor> positives() {
    return TensorArbitraries.tensors(TensorArbitraries.shapes().allowScalar()).positive()
        .dtype(DType.FLOAT32);
  }

  @Property(tries = 200, seed = "17")
  void tensors_distinctAlong_haveNoTiesInAGroup(@ForAll("distinctRows") Tensor t) {
    int[] s = t.shape();
    double[] v = t.toDoubleArray();
    int cols = s[s.length - 1];
    for (int r = 0; r < v.length / cols; r++) {
      for (int i = 0; i < cols; i++) {
        for (int j = i + 1; j < cols; j++) {
          assertTrue(Math.abs(v[r * cols + i] - v[r * cols + j]) >= 1e-3, Arrays.toString(v));
        }
      }
    }
  }

  @Provide
  Arbitrary<Tensor> distinctRows() {
    return TensorArbitraries.tensors(TensorArbitraries.shapes().sizes(3, 4)).decimals(2)
        .distinctAlong(-1);
  }

  @Test
  void tensors_distinct_isOverAllElements_int64AreIntegers() {
    for (Tensor t : Samples.draw(TensorArbitraries.tensors(3, 3).values(-5, 5).decimals(1).distinct(), 4, 50)) {
      double[] v = t.toDoubleArray();
      assertEquals(9, Arrays.stream(v).distinct().count(), Arrays.toString(v));
    }
    for (Tensor t : Samples.draw(TensorArbitraries.tensors(4).values(-3, 3).dtype(DType.INT64), 5, 50)) {
      assertEquals(DType.INT64, t.dtype());
      assertTrue(!t.requiresGrad());
      for (double v : t.toDoubleArray()) {
        assertTrue(v == Math.rint(v) && v >= -3 && v <= 3, "value " + v);
      }
    }
  }

  @Test
  void tensors_impossibleConstraints_throwNamingThem() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Samples.draw(TensorArbitraries.tensors(2).values(0, 0.05).positive(), 1, 1));
    assertTrue(e.getMessage().contains("no value satisfies") && e.getMessage().contains("0.05"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> Samples.draw(TensorArbitraries.tensors(5).values(0, 0.001).distinct(), 1, 1));
    assertTrue(e.getMessage().contains("5 values") && e.getMessage().contains("[5]"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> TensorArbitraries.tensors(2).values(2, 1));
    assertTrue(e.getMessage().contains("tensors.values") && e.getMessage().contains("lo 2.0, hi 1.0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> Samples.draw(TensorArbitraries.tensors(2, 3).distinctAlong(2), 1, 1));
    assertTrue(e.getMessage().contains("axis 2") && e.getMessage().contains("[2, 3]"), e.getMessage());
  }

  @Test
  void tensorTuples_oneTensorPerShape_withTheConstraints() {
    for (Tensor[] xy : Samples.draw(TensorArbitraries.tensorTuples(TensorArbitraries.broadcastablePairs())
        .positive(), 6, 50)) {
      assertEquals(2, xy.length);
      Shapes.broadcast("test", xy[0].shape(), xy[1].shape());
      for (Tensor t : xy) {
        assertTrue(Arrays.stream(t.toDoubleArray()).allMatch(v -> v >= 0.1), t.toString());
      }
    }
  }

  // ------------------------------------------------------------------ indices and generators

  @Property(tries = 100, seed = "18")
  void indices_areValidAlongTheDim(@ForAll("shapeAndIndex") Object[] si) {
    int[] shape = (int[]) si[0];
    Tensor index = (Tensor) si[1];
    assertEquals(DType.INT64, index.dtype());
    assertArrayEquals(new int[] {5}, index.shape());
    for (double i : index.toDoubleArray()) {
      assertTrue(i >= 0 && i < shape[shape.length - 1], i + " along " + Arrays.toString(shape));
    }
    // indexSelect accepts it: the selected dimension has the index's length.
    int[] want = shape.clone();
    want[want.length - 1] = 5;
    assertArrayEquals(want, Tensor.zeros(shape).indexSelect(-1, index).shape());
  }

  @Provide
  Arbitrary<Object[]> shapeAndIndex() {
    return TensorArbitraries.shapes().flatMap(s ->
        TensorArbitraries.indices(s, -1, 5).map(i -> new Object[] {s, i}));
  }

  @Test
  void gatherIndices_haveTheShape_andValidEntries() {
    int[] shape = {2, 3};
    for (Tensor idx : Samples.draw(TensorArbitraries.gatherIndices(shape, 0), 7, 30)) {
      assertArrayEquals(shape, idx.shape());
      assertTrue(Arrays.stream(idx.toDoubleArray()).allMatch(v -> v == 0 || v == 1));
    }
    assertThrows(IllegalArgumentException.class, () -> TensorArbitraries.indices(new int[] {2, 0}, 1, 3));
    assertThrows(IllegalArgumentException.class, () -> TensorArbitraries.indices(new int[] {2}, 1, 3));
  }

  @Test
  void randomGenerators_replayFromTheirSeed_andSayIt() {
    List<RandomGenerator> a = Samples.draw(TensorArbitraries.randomGenerators(), 8, 3);
    List<RandomGenerator> b = Samples.draw(TensorArbitraries.randomGenerators(), 8, 3);
    for (int i = 0; i < 3; i++) {
      assertEquals(a.get(i).nextLong(), b.get(i).nextLong());
      assertEquals(a.get(i).toString(), b.get(i).toString());
      assertTrue(a.get(i).toString().startsWith("SplittableRandom(seed="), a.get(i).toString());
    }
    assertNotEquals(a.get(0).toString(), a.get(1).toString());
  }

  // ------------------------------------------------------------------ Samples

  @Test
  void draw_isReproducible_andDependsOnTheSeed() {
    Arbitrary<Tensor> xs = TensorArbitraries.tensors(TensorArbitraries.shapes());
    List<Tensor> a = Samples.draw(xs, 42, 10);
    List<Tensor> b = Samples.draw(xs, 42, 10);
    List<Tensor> c = Samples.draw(xs, 43, 10);
    for (int i = 0; i < 10; i++) {
      assertArrayEquals(a.get(i).toDoubleArray(), b.get(i).toDoubleArray());
      assertArrayEquals(a.get(i).shape(), b.get(i).shape());
    }
    assertTrue(!Arrays.deepEquals(a.stream().map(Tensor::toDoubleArray).toArray(),
        c.stream().map(Tensor::toDoubleArray).toArray()));
  }

  @Test
  void falsify_shrinksShapesToTheLeastThatFails() {
    // Fails for any dimension >= 3: the least failing shape is [3].
    Samples.Counterexample<int[]> c = Samples.falsify(TensorArbitraries.shapes().sizes(1, 6), 9, 100,
        s -> assertTrue(Arrays.stream(s).allMatch(d -> d < 3))).orElseThrow();
    assertArrayEquals(new int[] {3}, c.shrunk());
    assertTrue(c.tryNumber() >= 1 && c.seed() == 9);
    assertTrue(Samples.falsify(TensorArbitraries.shapes(), 9, 50, s -> { }).isEmpty());
  }

  @Test
  void falsify_shrinksValuesTowardTheAllowedValueNearestZero() {
    // Always fails: the simplest tensor is one element at the shrink target.
    double[][] expected = {{0.0}, {0.1}, {-0.5}, {1.0}};
    List<TensorArbitrary> arbs = List.of(
        TensorArbitraries.tensors(TensorArbitraries.shapes()),
        TensorArbitraries.tensors(TensorArbitraries.shapes()).positive(),
        TensorArbitraries.tensors(TensorArbitraries.shapes()).values(-2, 0.3).awayFrom(0.0, 0.5),
        TensorArbitraries.tensors(TensorArbitraries.shapes()).values(1, 2));
    for (int k = 0; k < arbs.size(); k++) {
      Tensor t = Samples.falsify(arbs.get(k), 10, 10, x -> {
        throw new AssertionError("always");
      }).orElseThrow().shrunk();
      assertArrayEquals(new int[] {1}, t.shape(), arbs.get(k).toString());
      assertArrayEquals(expected[k], t.toDoubleArray(), 0, arbs.get(k).toString());
    }
  }
}
