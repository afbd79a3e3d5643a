package dev.cadena.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.autograd.GradCheck;
import dev.cadena.func.Func;
import dev.cadena.tensor.ShapeException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code Tensor.einsum} against a reference written here: nested loops over every value of every
 * index (an odometer), multiplying the operands' entries and adding into the output. The
 * reference takes letters only and its own explicit output; a size-1 dimension is read at index
 * 0 (broadcast). Ellipsis equations are checked against a lettered equation that names the
 * ellipsis dims.
 */
class EinsumTest {

  /** The reference: {@code terms} per operand, explicit {@code out}; returns values and shape. */
  static Tensor reference(String[] terms, String out, Tensor... ops) {
    Map<Character, Integer> size = new LinkedHashMap<>();
    for (int i = 0; i < ops.length; i++) {
      for (int ax = 0; ax < terms[i].length(); ax++) {
        char c = terms[i].charAt(ax);
        int s = ops[i].size(ax);
        if (!size.containsKey(c) || size.get(c) == 1) {
          size.put(c, s);
        }
      }
    }
    List<Character> letters = new ArrayList<>(size.keySet());
    int[] outShape = new int[out.length()];
    for (int k = 0; k < out.length(); k++) {
      outShape[k] = size.get(out.charAt(k));
    }
    int outN = 1;
    for (int s : outShape) {
      outN *= s;
    }
    double[] result = new double[outN];
    double[][] vals = new double[ops.length][];
    for (int i = 0; i < ops.length; i++) {
      vals[i] = ops[i].toDoubleArray();
    }
    int[] value = new int[letters.size()];
    long total = 1;
    for (char c : letters) {
      total *= size.get(c);
    }
    for (long step = 0; step < total; step++) {
      // value = the odometer reading of step.
      long rest = step;
      for (int j = letters.size() - 1; j >= 0; j--) {
        int s = size.get(letters.get(j));
        value[j] = (int) (rest % s);
        rest /= s;
      }
      double prod = 1;
      for (int i = 0; i < ops.length; i++) {
        int flat = 0;
        for (int ax = 0; ax < terms[i].length(); ax++) {
          int s = ops[i].size(ax);
          int v = s == 1 ? 0 : value[letters.indexOf(terms[i].charAt(ax))];
          flat = flat * s + v;
        }
        prod *= vals[i][flat];
      }
      int o = 0;
      for (int k = 0; k < out.length(); k++) {
        o = o * outShape[k] + value[letters.indexOf(out.charAt(k))];
      }
      result[o] += prod;
    }
    return Tensor.fromArray(result, outShape);
  }

  private static Tensor randn(long seed, int... shape) {
    return Tensor.randn(new SplittableRandom(seed), shape);
  }

  private static Arguments c(String eq, String refTerms, String refOut, int[]... shapes) {
    return Arguments.of(eq, refTerms, refOut, shapes);
  }

  private static int[] s(int... d) {
    return d;
  }

  static Stream<Arguments> equations() {
    return Stream.of(
        c("ij,jk->ik", "ij,jk", "ik", s(2, 3), s(3, 4)),
        c("ij,jk", "ij,jk", "ik", s(2, 3), s(3, 4)),
        c("ij,jk->ki", "ij,jk", "ki", s(2, 3), s(3, 4)),
        c("ii->", "ii", "", s(3, 3)),
        c("ii", "ii", "", s(4, 4)),
        c("ii->i", "ii", "i", s(3, 3)),
        c("iij->ji", "iij", "ji", s(2, 2, 3)),
        c("iii->i", "iii", "i", s(3, 3, 3)),
        c("ij->", "ij", "", s(2, 3)),
        c("ij->ji", "ij", "ji", s(2, 3)),
        c("ba", "ba", "ab", s(2, 3)),
        c("ij->j", "ij", "j", s(2, 3)),
        c("i->i", "i", "i", s(4)),
        c("bij,bjk->bik", "bij,bjk", "bik", s(2, 3, 4), s(2, 4, 5)),
        c("i,i->", "i,i", "", s(5), s(5)),
        c("i,i", "i,i", "", s(5), s(5)),
        c("i,j->ij", "i,j", "ij", s(3), s(4)),
        c("i,j", "i,j", "ij", s(3), s(4)),
        c("ij,ij->ij", "ij,ij", "ij", s(2, 3), s(2, 3)),
        c("ij,ji->", "ij,ji", "", s(2, 3), s(3, 2)),
        c("ijk,jl,lk->il", "ijk,jl,lk", "il", s(2, 3, 4), s(3, 5), s(5, 4)),
        c("ab,bc,cd,de->ae", "ab,bc,cd,de", "ae", s(2, 3), s(3, 2), s(2, 4), s(4, 3)),
        c("i,i,i->i", "i,i,i", "i", s(4), s(4), s(4)),
        c("ij,jk,kl", "ij,jk,kl", "il", s(2, 2), s(2, 3), s(3, 2)),
        c("Ab,bA->A", "Ab,bA", "A", s(3, 2), s(2, 3)),
        c("aB,Bc", "aB,Bc", "ac", s(2, 3), s(3, 2)),
        c(",->", ",", "", s(), s()),
        c(",i->i", ",i", "i", s(), s(3)),
        c("ij,jk->ik", "ij,jk", "ik", s(2, 0), s(0, 3)),
        c("ij,jk->ik", "ij,jk", "ik", s(0, 3), s(3, 2)),
        c("ij,jk->ik", "ij,jk", "ik", s(2, 1), s(3, 4)),
        c("ij,j->ij", "ij,j", "ij", s(1, 3), s(3)),
        c("bij,bjk->bik", "bij,bjk", "bik", s(1, 2, 3), s(4, 3, 2)),
        c("ijk,ikl->ijl", "ijk,ikl", "ijl", s(3, 1, 2), s(3, 2, 1)),
        c("ij,kj->", "ij,kj", "", s(2, 3), s(4, 3)),
        c("ii,i->i", "ii,i", "i", s(3, 3), s(3)),
        c(" i j , j k -> i k ", "ij,jk", "ik", s(2, 3), s(3, 2)),
        c("...ij,...jk->...ik", "xij,xjk", "xik", s(2, 3, 4), s(2, 4, 5)),
        c("...ij,...jk->...ik", "xyij,yjk", "xyik", s(2, 3, 2, 3), s(3, 3, 4)),
        c("...ij,...jk->...ik", "xyij,yjk", "xyik", s(2, 1, 2, 3), s(3, 3, 4)),
        c("...ij,...jk", "xij,xjk", "xik", s(2, 3, 4), s(2, 4, 5)),
        c("...ii->...i", "xii", "xi", s(2, 3, 3)),
        c("i...->...", "ixy", "xy", s(3, 2, 4)),
        c("...ij->ij", "xij", "ij", s(4, 2, 3)),
        c("...->...", "", "", s()),
        c("ij...->...ji", "ijx", "xji", s(2, 3, 4)),
        c("i...j,j...->i...", "ixj,jx", "ix", s(2, 3, 4), s(4, 3)));
  }

  @ParameterizedTest(name = "{0} {3}")
  @MethodSource("equations")
  void einsum_matchesNestedLoops(String eq, String refTerms, String refOut, int[][] shapes) {
    Tensor[] ops = new Tensor[shapes.length];
    for (int i = 0; i < ops.length; i++) {
      ops[i] = randn(100 + i, shapes[i]);
    }
    Tensor got = Tensor.einsum(eq, ops);
    Tensor want = reference(refTerms.split(",", -1), refOut, ops);
    assertArrayEquals(want.shape(), got.shape(), eq);
    assertArrayEquals(want.toDoubleArray(), got.toDoubleArray(), 1e-12, eq);
  }

  @ParameterizedTest(name = "{0} {3}")
  @MethodSource("equations")
  void einsum_gradientsPassFirstAndSecondOrderChecks(
      String eq, String refTerms, String refOut, int[][] shapes) {
    Tensor[] ops = new Tensor[shapes.length];
    for (int i = 0; i < ops.length; i++) {
      ops[i] = randn(200 + i, shapes[i]).requiresGrad(true);
    }
    GradCheck.Report r = GradCheck.check(x -> Tensor.einsum(eq, x),
        GradCheck.Options.defaults().seed(7), ops);
    assertTrue(r.passed(), () -> eq + ": " + r);
    GradCheck.Report r2 = GradCheck.checkSecondOrder(x -> Tensor.einsum(eq, x),
        GradCheck.Options.defaults().seed(8).atol(1e-4), ops);
    assertTrue(r2.passed(), () -> eq + " (second order): " + r2);
    GradCheck.Report rj = GradCheck.checkJvp(x -> Tensor.einsum(eq, x),
        GradCheck.Options.defaults().seed(9), ops);
    assertTrue(rj.passed(), () -> eq + " (JVP): " + rj);
  }

  @Test
  void einsum_handValues() {
    Tensor a = Tensor.of(new double[][] {{1, 2}, {3, 4}});
    assertEquals(5.0, Tensor.einsum("ii", a).item(), 0.0);
    assertArrayEquals(new double[] {1, 4}, Tensor.einsum("ii->i", a).toDoubleArray(), 0.0);
    assertArrayEquals(new double[] {1, 3, 2, 4}, Tensor.einsum("ij->ji", a).toDoubleArray(), 0.0);
    assertArrayEquals(new double[] {7, 10, 15, 22}, Tensor.einsum("ij,jk", a, a).toDoubleArray(), 0.0);
    assertEquals(30.0, Tensor.einsum("ij,ij->", a, a).item(), 0.0);
  }

  @Test
  void einsum_promotesFloat32WithFloat64() {
    Tensor a = Tensor.ones(2, 3).to(dev.cadena.tensor.DType.FLOAT32);
    Tensor b = Tensor.ones(3);
    Tensor r = Tensor.einsum("ij,j->i", a, b);
    assertEquals(dev.cadena.tensor.DType.FLOAT64, r.dtype());
    assertArrayEquals(new double[] {3, 3}, r.toDoubleArray(), 0.0);
  }

  @Test
  void einsum_singleOperandIdentityIsTheSameValues() {
    Tensor a = randn(1, 2, 3);
    assertArrayEquals(a.toDoubleArray(), Tensor.einsum("ij->ij", a).toDoubleArray(), 0.0);
  }

  private static void expectError(String eq, Tensor[] ops, String... fragments) {
    ShapeException e = assertThrows(ShapeException.class, () -> Tensor.einsum(eq, ops));
    String m = e.getMessage();
    assertTrue(m.startsWith("einsum: "), m);
    assertTrue(m.contains("'" + eq + "'"), () -> "should name the equation: " + m);
    for (String f : fragments) {
      assertTrue(m.contains(f), () -> "should contain '" + f + "': " + m);
    }
  }

  @Test
  void einsum_errorsNameTheRuleTheEquationAndTheShapes() {
    Tensor m23 = Tensor.zeros(2, 3);
    Tensor m34 = Tensor.zeros(3, 4);
    Tensor m44 = Tensor.zeros(4, 4);
    expectError("ij,jk->ik", new Tensor[] {m23}, "2 operand terms", "1 operand was given", "[2, 3]");
    expectError("ij->ij", new Tensor[] {m23, m34}, "1 operand term", "2 operands", "[3, 4]");
    expectError("ij,jk->ik", new Tensor[] {m23, m44}, "index 'j'", "3", "4", "[2, 3], [4, 4]");
    expectError("i1,jk->ik", new Tensor[] {m23, m34}, "invalid character '1'");
    expectError("ij,jk->ik->i", new Tensor[] {m23, m34}, "'->' appears more than once");
    expectError("ij,jk->iz", new Tensor[] {m23, m34}, "output index 'z'", "does not appear");
    expectError("ij,jk->ii", new Tensor[] {m23, m34}, "output index 'i'", "more than once");
    expectError("ijk,jk->ik", new Tensor[] {m23, m34}, "operand 0", "3 subscripts", "rank 2");
    expectError("i..j,jk->ik", new Tensor[] {m23, m34}, "'.'");
    expectError("...i...,jk->ik", new Tensor[] {m23, m34}, "more than one ellipsis");
    expectError("ij-ik", new Tensor[] {m23}, "invalid character '-'");
    expectError("ii->i", new Tensor[] {m23}, "index 'i'", "repeated", "2", "3");
    expectError("...ij,...jk->...ik", new Tensor[] {Tensor.zeros(2, 2, 3), Tensor.zeros(3, 3, 4)},
        "'...'", "2", "3");
    expectError("", new Tensor[0], "at least one operand");
    NullPointerException npe = assertThrows(NullPointerException.class,
        () -> Tensor.einsum("i,i", Tensor.zeros(2), null));
    assertEquals("einsum: operands[1] is null", npe.getMessage());
  }

  @Test
  void einsum_worksUnderVmap() {
    Tensor xs = randn(3, 4, 2, 3);
    Tensor w = randn(4, 3, 5);
    Tensor got = Func.vmap(a -> Tensor.einsum("ij,jk->ik", a[0], a[1]),
        new int[] {0, Func.NOT_BATCHED}, 0).apply(xs, w);
    for (int b = 0; b < 4; b++) {
      Tensor want = reference(new String[] {"ij", "jk"}, "ik", xs.select(0, b), w);
      assertArrayEquals(want.toDoubleArray(), got.select(0, b).toDoubleArray(), 1e-12);
    }
    Tensor sq = randn(5, 4, 3, 3);
    Tensor t2 = Func.vmap(a -> Tensor.einsum("ii->", a[0])).apply(sq);
    for (int b = 0; b < 4; b++) {
      double tr = 0;
      for (int i = 0; i < 3; i++) {
        tr += sq.get(b, i, i);
      }
      assertEquals(tr, t2.get(b), 1e-12);
    }
    assertArrayEquals(new int[] {4}, t2.shape());
  }

  /** Random matrix chains: einsum("ij,jk,kl->il") equals the reference and matmul twice. */
  @Property(tries = 60, seed = "1101", edgeCases = EdgeCasesMode.NONE)
  void einsum_chainEqualsMatmul(@ForAll("dims") int[] d) {
    Tensor a = randn(d[0] + 1, d[0], d[1]);
    Tensor b = randn(d[1] + 2, d[1], d[2]);
    Tensor c = randn(d[2] + 3, d[2], d[3]);
    Tensor got = Tensor.einsum("ij,jk,kl->il", a, b, c);
    Tensor want = reference(new String[] {"ij", "jk", "kl"}, "il", a, b, c);
    assertArrayEquals(want.shape(), got.shape());
    assertArrayEquals(want.toDoubleArray(), got.toDoubleArray(), 1e-10);
    assertArrayEquals(a.matmul(b).matmul(c).toDoubleArray(), got.toDoubleArray(), 1e-10);
  }

  @Provide
  Arbitrary<int[]> dims() {
    return Arbitraries.integers().between(0, 4).array(int[].class).ofSize(4);
  }

  /** Batched products with broadcast size-1 batch dims, via ellipsis, against the reference. */
  @Property(tries = 60, seed = "2202", edgeCases = EdgeCasesMode.NONE)
  void einsum_ellipsisBroadcastsLikeTheReference(@ForAll("batchPairs") int[][] p) {
    int[] ba = p[0];
    int[] bb = p[1];
    int[] sa = {ba[0], ba[1], 2, 3};
    int[] sb = {bb[1], 3, 2};
    Tensor a = randn(5, sa);
    Tensor b = randn(6, sb);
    Tensor got = Tensor.einsum("...ij,...jk->...ik", a, b);
    Tensor want = reference(new String[] {"xyij", "yjk"}, "xyik", a, b);
    assertArrayEquals(want.shape(), got.shape());
    assertArrayEquals(want.toDoubleArray(), got.toDoubleArray(), 1e-12);
  }

  @Provide
  Arbitrary<int[][]> batchPairs() {
    Arbitrary<Integer> n = Arbitraries.integers().between(1, 3);
    return Combinators.combine(n, n, Arbitraries.integers().between(0, 2)).as((x, y, mode) -> {
      int ya = mode == 1 ? 1 : y;
      int yb = mode == 2 ? 1 : y;
      return new int[][] {{x, ya}, {0, yb}};
    });
  }

  @Test
  void reference_isItselfRight() {
    // The reference on a case worked by hand: [[1, 2], [3, 4]] @ [5, 6] = [17, 39].
    Tensor r = reference(new String[] {"ij", "j"}, "i",
        Tensor.of(new double[][] {{1, 2}, {3, 4}}), Tensor.of(5.0, 6.0));
    assertArrayEquals(new double[] {17, 39}, r.toDoubleArray(), 0.0);
    assertEquals(Arrays.toString(new int[] {2}), Arrays.toString(r.shape()));
  }
}
