package dev.cadena.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.nn.Functional;
import dev.cadena.nn.Linear;
import dev.cadena.nn.Loss;
import dev.cadena.ops.Einsum;
import dev.cadena.ops.LinearAlgebra;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.NDArray;
import dev.cadena.tensor.ShapeException;
import dev.cadena.tensor.Shapes;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Anomaly mode's shape errors name each operand of the failing op: its shape, the op that made it
 * (or "leaf") and the line of this file that created it. Every expected site is this file's own
 * line, read from a fresh stack trace on the line that creates the tensor or makes the call, and
 * every expected message is the one the same call gives outside the mode plus the context.
 */
class AnomalyShapeSitesTest {

  /** The line this is called from, read from a fresh stack trace (not from Anomaly's walker). */
  private static int lineHere() {
    return new Throwable().getStackTrace()[1].getLineNumber();
  }

  private static String site(int line) {
    return "AnomalyShapeSitesTest.java:" + line;
  }

  /** What the context says of a leaf of {@code shape} created on {@code line}. */
  private static String leaf(String shape, int line) {
    return shape + " leaf created at " + site(line);
  }

  /** Runs {@code make} in anomaly mode: the tensor's creation site is the line of the lambda. */
  private static <T> T inMode(Supplier<T> make) {
    try (var m = Anomaly.detect()) {
      return make.get();
    }
  }

  /**
   * {@code call} throws a ShapeException in and out of anomaly mode; in the mode its message is
   * the plain one followed by {@code (called at <callLine>; <operands>)}; out of it, the plain
   * one names no site.
   */
  private static void assertOperands(Executable call, int callLine, String operands) {
    ShapeException on;
    try (var m = Anomaly.detect()) {
      on = assertThrows(ShapeException.class, call);
    }
    ShapeException off = assertThrows(ShapeException.class, call);
    assertFalse(off.getMessage().contains("called at"), off.getMessage());
    assertFalse(off.getMessage().contains("created at"), off.getMessage());
    assertEquals(off.getMessage() + " (called at " + site(callLine) + "; " + operands + ")",
        on.getMessage());
  }

  // ------------------------------------------------------------- the issue's example

  @Test
  void matmul_namesTheOpThatMadeEachOperandAndItsSite() {
    int[] l = new int[4];
    ShapeException e;
    try (var m = Anomaly.detect()) {
      l[0] = lineHere(); Tensor w = Tensor.ones(2, 3).requiresGrad(true);
      l[1] = lineHere(); Tensor a = w.relu();
      l[2] = lineHere(); Tensor b = Tensor.zeros(4, 5);
      e = assertThrows(ShapeException.class, () -> {
        l[3] = lineHere(); a.matmul(b);
      });
    }
    String plain = "matmul: inner dimensions differ: [2, 3] @ [4, 5] (3 != 4)";
    assertEquals(plain + " (called at " + site(l[3]) + "; a [2, 3] made by relu at " + site(l[1])
        + ", b [4, 5] leaf created at " + site(l[2]) + ")", e.getMessage());
  }

  // ------------------------------------------------------------- op families

  @Test
  void binaryElementwise_everyOpNamesBothOperands() {
    int la = lineHere(); Tensor a = inMode(() -> Tensor.zeros(2, 3));
    int lb = lineHere(); Tensor b = inMode(() -> Tensor.zeros(4));
    String both = "a " + leaf("[2, 3]", la) + ", b " + leaf("[4]", lb);
    int l;
    l = lineHere(); assertOperands(() -> a.add(b), l, both);
    l = lineHere(); assertOperands(() -> a.sub(b), l, both);
    l = lineHere(); assertOperands(() -> a.mul(b), l, both);
    l = lineHere(); assertOperands(() -> a.div(b), l, both);
    l = lineHere(); assertOperands(() -> a.pow(b), l, both);
    l = lineHere(); assertOperands(() -> a.maximum(b), l, both);
    l = lineHere(); assertOperands(() -> a.minimum(b), l, both);
    l = lineHere(); assertOperands(() -> a.eq(b), l, both);
    l = lineHere(); assertOperands(() -> a.logicalAnd(b), l, both);
    int lc = lineHere(); Tensor cond = inMode(() -> Tensor.ones(5));
    l = lineHere(); assertOperands(() -> Tensor.where(cond, a, a), l,
        "cond " + leaf("[5]", lc) + ", a " + leaf("[2, 3]", la) + ", b " + leaf("[2, 3]", la));
    l = lineHere(); assertOperands(() -> a.maskedFill(b, 0.0), l,
        "x " + leaf("[2, 3]", la) + ", mask " + leaf("[4]", lb));
  }

  @Test
  void matrixProducts_bmmMatmulLinear() {
    int la = lineHere(); Tensor a = inMode(() -> Tensor.zeros(2, 3, 4));
    int lb = lineHere(); Tensor b = inMode(() -> Tensor.zeros(5, 4, 1));
    int l = lineHere(); assertOperands(() -> a.bmm(b), l,
        "a " + leaf("[2, 3, 4]", la) + ", b " + leaf("[5, 4, 1]", lb));
    int lv = lineHere(); Tensor v = inMode(() -> Tensor.zeros(7));
    l = lineHere(); assertOperands(() -> a.matmul(v), l,
        "a " + leaf("[2, 3, 4]", la) + ", b " + leaf("[7]", lv));
    l = lineHere(); assertOperands(() -> LinearAlgebra.linear(a, b, null, false), l,
        "x " + leaf("[2, 3, 4]", la) + ", w " + leaf("[5, 4, 1]", lb));
  }

  @Test
  void joining_concatAndStackNameEveryPart() {
    int lx = lineHere(); Tensor x = inMode(() -> Tensor.zeros(2, 3));
    int ly = lineHere(); Tensor y = inMode(() -> Tensor.zeros(2, 3, 1));
    int l = lineHere(); assertOperands(() -> Tensor.concat(List.of(x, y), 0), l,
        "parts[0] " + leaf("[2, 3]", lx) + ", parts[1] " + leaf("[2, 3, 1]", ly));
    l = lineHere(); assertOperands(() -> Tensor.stack(List.of(x, y, x), 0), l,
        "parts[0] " + leaf("[2, 3]", lx) + ", parts[1] " + leaf("[2, 3, 1]", ly) + ", parts[2] "
            + leaf("[2, 3]", lx));
  }

  @Test
  void joining_manyParts_listTheFirstEightAndCountTheRest() {
    int lx = lineHere(); Tensor x = inMode(() -> Tensor.zeros(2));
    Tensor y = inMode(() -> Tensor.zeros(2, 2)); // the eleventh part, counted but not listed
    Tensor[] parts = new Tensor[11];
    java.util.Arrays.fill(parts, x);
    parts[10] = y;
    StringBuilder expected = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      expected.append(i == 0 ? "" : ", ").append("parts[").append(i).append("] ")
          .append(leaf("[2]", lx));
    }
    expected.append(", ... (3 more)");
    int l = lineHere(); assertOperands(() -> Tensor.concat(List.of(parts), 0), l, expected.toString());
  }

  @Test
  void views_reshapeViewExpandPermuteTransposeFlatten() {
    int lx = lineHere(); Tensor x = inMode(() -> Tensor.zeros(2, 3));
    String op = "x " + leaf("[2, 3]", lx);
    int l;
    l = lineHere(); assertOperands(() -> x.reshape(7), l, op);
    l = lineHere(); assertOperands(() -> x.view(4, 2), l, op);
    l = lineHere(); assertOperands(() -> x.expand(4, 3), l, op);
    l = lineHere(); assertOperands(() -> x.broadcastTo(2, 4), l, op);
    l = lineHere(); assertOperands(() -> x.permute(0, 0), l, op);
    l = lineHere(); assertOperands(() -> x.transpose(0, 2), l, op);
    l = lineHere(); assertOperands(() -> x.flatten(1, 0), l, op);
    l = lineHere(); assertOperands(() -> x.squeeze(0), l, op);
    l = lineHere(); assertOperands(() -> x.unsqueeze(5), l, op);
    int l3 = lineHere(); Tensor x3 = inMode(() -> Tensor.zeros(1, 2, 3));
    l = lineHere(); assertOperands(() -> x3.t(), l, "x " + leaf("[1, 2, 3]", l3));
    int l1 = lineHere(); Tensor x1 = inMode(() -> Tensor.zeros(3));
    l = lineHere(); assertOperands(() -> x1.mT(), l, "x " + leaf("[3]", l1));
  }

  @Test
  void slicing_sliceNarrowSelect() {
    int lx = lineHere(); Tensor x = inMode(() -> Tensor.zeros(2, 3));
    String op = "x " + leaf("[2, 3]", lx);
    int l;
    l = lineHere(); assertOperands(() -> x.slice(2, 0, 1), l, op);
    l = lineHere(); assertOperands(() -> x.narrow(1, 2, 5), l, op);
    l = lineHere(); assertOperands(() -> x.select(0, 9), l, op);
  }

  @Test
  void indexing_indexSelectGatherScatterAddIndexAdd() {
    int lx = lineHere(); Tensor x = inMode(() -> Tensor.zeros(2, 3));
    int li = lineHere(); Tensor index = inMode(() -> Tensor.ofLongs(0, 1));
    int ls = lineHere(); Tensor src = inMode(() -> Tensor.ones(5, 5));
    String xs = "x " + leaf("[2, 3]", lx);
    String is = "index " + leaf("[2]", li);
    int l;
    l = lineHere(); assertOperands(() -> x.indexSelect(4, index), l, xs + ", " + is);
    l = lineHere(); assertOperands(() -> x.gather(1, index), l, xs + ", " + is);
    l = lineHere(); assertOperands(() -> x.scatterAdd(1, index, src), l,
        xs + ", " + is + ", src " + leaf("[5, 5]", ls));
    l = lineHere(); assertOperands(() -> x.indexAdd(1, index, src), l,
        xs + ", " + is + ", src " + leaf("[5, 5]", ls));
  }

  @Test
  void reductions_axisErrorsOfSumMeanMaxAndSoftmax() {
    int lx = lineHere(); Tensor x = inMode(() -> Tensor.zeros(2, 3));
    String op = "x " + leaf("[2, 3]", lx);
    int l;
    l = lineHere(); assertOperands(() -> x.sum(2), l, op);
    l = lineHere(); assertOperands(() -> x.mean(-3), l, op);
    l = lineHere(); assertOperands(() -> x.amax(5), l, op);
    l = lineHere(); assertOperands(() -> x.max(3), l, op);
    l = lineHere(); assertOperands(() -> x.amin(new int[] {4}, false), l, op);
    l = lineHere(); assertOperands(() -> x.softmax(2), l, op);
    l = lineHere(); assertOperands(() -> x.logSoftmax(-4), l, op);
  }

  @Test
  void shapeOpsScansAndSorting_nameTheirInput() {
    int lx = lineHere(); Tensor x = inMode(() -> Tensor.zeros(2, 3));
    int lv = lineHere(); Tensor v = inMode(() -> Tensor.zeros(4));
    String op = "x " + leaf("[2, 3]", lx);
    int l;
    l = lineHere(); assertOperands(() -> x.split(0, 0), l, op);
    l = lineHere(); assertOperands(() -> x.split(new int[] {1, 5}, 1), l, op);
    l = lineHere(); assertOperands(() -> x.chunk(0, 1), l, op);
    l = lineHere(); assertOperands(() -> x.unbind(2), l, op);
    l = lineHere(); assertOperands(() -> x.flip(3), l, op);
    l = lineHere(); assertOperands(() -> x.roll(new int[] {1}, new int[] {0, 1}), l, op);
    l = lineHere(); assertOperands(() -> x.repeat(2), l, op);
    l = lineHere(); assertOperands(() -> v.tril(0), l, "x " + leaf("[4]", lv));
    l = lineHere(); assertOperands(() -> v.triu(0), l, "x " + leaf("[4]", lv));
    l = lineHere(); assertOperands(() -> x.cumsum(2), l, op);
    l = lineHere(); assertOperands(() -> x.cumprod(-3), l, op);
    l = lineHere(); assertOperands(() -> x.prod(2, false), l, op);
    l = lineHere(); assertOperands(() -> x.norm(2.0, new int[] {4}, false), l, op);
    l = lineHere(); assertOperands(() -> x.sort(2), l, op);
    l = lineHere(); assertOperands(() -> x.argsort(-3), l, op);
    l = lineHere(); assertOperands(() -> x.kthvalue(1, 2, false), l, op);
    int li = lineHere(); Tensor indices = inMode(() -> Tensor.ofLongs(0, 1, 0, 1));
    l = lineHere(); assertOperands(() -> x.takeAlongDim(indices, 0), l,
        op + ", indices " + leaf("[4]", li));
  }

  @Test
  void losses_crossEntropyNllMseAndThePrimitive() {
    int lz = lineHere(); Tensor logits = inMode(() -> Tensor.zeros(2, 3, 1));
    int ly = lineHere(); Tensor labels = inMode(() -> Tensor.ofLongs(0, 1));
    int lt = lineHere(); Tensor target = inMode(() -> Tensor.zeros(4));
    String cls = "input " + leaf("[2, 3, 1]", lz) + ", labels " + leaf("[2]", ly);
    int l;
    l = lineHere(); assertOperands(() -> Loss.crossEntropy(logits, labels), l, cls);
    l = lineHere(); assertOperands(() -> Loss.nll(logits, labels), l, cls);
    l = lineHere(); assertOperands(() -> Loss.mse(logits, target), l,
        "input " + leaf("[2, 3, 1]", lz) + ", target " + leaf("[4]", lt));
  }

  @Test
  void einsum_namesEveryOperand() {
    int la = lineHere(); Tensor a = inMode(() -> Tensor.zeros(2, 3));
    int lb = lineHere(); Tensor b = inMode(() -> Tensor.zeros(4, 5));
    int l = lineHere(); assertOperands(() -> Einsum.einsum("ij,jk->ik", a, b), l,
        "operands[0] " + leaf("[2, 3]", la) + ", operands[1] " + leaf("[4, 5]", lb));
  }

  @Test
  void linearLayerAndFunctional_nameInputWeightAndBias() {
    int ll = lineHere(); Linear layer = inMode(() -> new Linear(4, 5, true, new SplittableRandom(1)));
    int lx = lineHere(); Tensor x = inMode(() -> Tensor.zeros(2, 3));
    String params = ", weight " + leaf("[4, 5]", ll) + ", bias " + leaf("[5]", ll);
    int l = lineHere(); assertOperands(() -> layer.forward(x), l, "input " + leaf("[2, 3]", lx) + params);
    l = lineHere(); assertOperands(() -> Functional.linear(x, layer.weight(), layer.bias()), l,
        "input " + leaf("[2, 3]", lx) + params);
  }

  // ------------------------------------------------------------- what the sites say

  @Test
  void tensorsCreatedBeforeTheScope_sayItAndNodesKeepTheOpName() {
    Tensor w = Tensor.ones(2, 3).requiresGrad(true);
    Tensor h = w.tanh(); // a node made outside the mode
    Tensor b = Tensor.zeros(4, 5);
    int l = lineHere(); assertOperands(() -> h.matmul(b), l,
        "a [2, 3] made by tanh outside anomaly mode, b [4, 5] leaf created outside anomaly mode");
  }

  @Test
  void resultsWithoutAGraph_nameTheOpThatMadeThem() {
    int[] lines = new int[2];
    Tensor w = Tensor.ones(2, 3).requiresGrad(true);
    Tensor[] made = new Tensor[2];
    try (var m = Anomaly.detect()) {
      try (var s = Tensor.noGrad()) {
        lines[0] = lineHere(); made[0] = w.exp();
      }
      lines[1] = lineHere(); made[1] = Tensor.zeros(4).sigmoid(); // no input requires grad
    }
    int l = lineHere(); assertOperands(() -> made[0].add(made[1]), l,
        "a [2, 3] made by exp at " + site(lines[0]) + ", b [4] made by sigmoid at " + site(lines[1]));
  }

  @Test
  void sitesOutliveTheGraph_afterBackward() {
    int[] lines = new int[2];
    Tensor[] h = new Tensor[1];
    try (var m = Anomaly.detect()) {
      lines[0] = lineHere(); Tensor w = Tensor.ones(2, 3).requiresGrad(true);
      lines[1] = lineHere(); h[0] = w.relu();
      h[0].sum().backward(); // frees relu's node
    }
    int l = lineHere(); assertOperands(() -> h[0].reshape(5), l,
        "x [2, 3] made by relu at " + site(lines[1]));
  }

  @Test
  void gradientsMadeByABackwardPass_sayWhereTheyComeFrom() {
    Tensor w = Tensor.ones(2, 3).requiresGrad(true);
    Tensor[] g = new Tensor[1];
    try (var m = Anomaly.detect()) {
      // mul's VJP computes w's gradient grad * 2 inside the rule
      g[0] = Engine.grad(new Tensor[] {w.mul(2.0).sum()}, new Tensor[] {w},
          new Tensor[] {Tensor.scalar(1.0)}, false, false)[0];
    }
    int l = lineHere(); assertOperands(() -> g[0].reshape(5), l,
        "x [2, 3] leaf created in a backward or forward-mode pass");
  }

  // ------------------------------------------------------------- stale and nested operands

  /** A user-defined op that tells anomaly mode no operands and always throws a shape error. */
  private static Function silentOp() {
    return new Function("silentOp") {
      @Override
      protected Tensor forward(Context ctx, Tensor... in) {
        throw new ShapeException("silentOp: bad shape " + Shapes.str(in[0].shape()));
      }

      @Override
      protected Tensor[] backward(Context ctx, Tensor grad) {
        return new Tensor[] {grad};
      }
    };
  }

  @Test
  void anOpThatReturned_isNeverNamed() {
    Tensor x = inMode(() -> Tensor.zeros(2, 3));
    try (var m = Anomaly.detect()) {
      Tensor ok = x.matmul(Tensor.zeros(3, 2)); // told its operands, returned
      assertEquals(2, ok.rank());
      assertThrows(ShapeException.class, () -> x.reshape(7)); // told its operands, threw
      ShapeException e = assertThrows(ShapeException.class, () -> silentOp().apply(x));
      // the site is the first user frame, the throw in silentOp's forward; no operands follow
      assertTrue(e.getMessage().matches("silentOp: bad shape \\[2, 3\\] \\(called at "
          + "AnomalyShapeSitesTest\\.java:\\d+\\)"), e.getMessage());
      int lt = lineHere(); ShapeException t = new ShapeException("t: bad");
      assertEquals("t: bad (called at " + site(lt) + ")", t.getMessage());
    }
  }

  @Test
  void handles_nest_andTheOuterOpIsNamedWhenItDiffers() {
    int lp = lineHere(); Tensor p = inMode(() -> Tensor.zeros(3));
    int lx = lineHere(); Tensor x = inMode(() -> Tensor.zeros(2, 3));
    try (var m = Anomaly.detect()) {
      try (var outer = Anomaly.operands("myComposition", "p", p)) {
        int l = lineHere(); ShapeException own = new ShapeException("myComposition: bad");
        assertEquals("myComposition: bad (called at " + site(l) + "; p " + leaf("[3]", lp) + ")",
            own.getMessage());
        int[] li = new int[1];
        ShapeException inner = assertThrows(ShapeException.class, () -> {
          li[0] = lineHere(); x.reshape(7);
        });
        assertTrue(inner.getMessage().endsWith(" (called at " + site(li[0]) + "; x "
            + leaf("[2, 3]", lx) + "; in myComposition: p " + leaf("[3]", lp) + ")"),
            inner.getMessage());
        try (var other = Anomaly.operands("helper", "x", x)) {
          // a message of another op than the innermost one names that op with its operands
          l = lineHere(); ShapeException e = new ShapeException("elsewhere: bad");
          assertEquals("elsewhere: bad (called at " + site(l) + "; in helper: x "
              + leaf("[2, 3]", lx) + "; in myComposition: p " + leaf("[3]", lp) + ")",
              e.getMessage());
        }
        l = lineHere(); ShapeException after = new ShapeException("myComposition: again");
        assertEquals("myComposition: again (called at " + site(l) + "; p " + leaf("[3]", lp)
            + ")", after.getMessage());
      }
      int l = lineHere(); ShapeException none = new ShapeException("myComposition: done");
      assertEquals("myComposition: done (called at " + site(l) + ")", none.getMessage());
    }
  }

  @Test
  void handles_ofTheSameOpNested_nameTheOutermost_theUsersCall() {
    int lx = lineHere(); Tensor x = inMode(() -> Tensor.zeros(3, 4));
    Tensor inner = Tensor.zeros(1, 3, 4); // what an op re-entering itself passes on
    try (var m = Anomaly.detect()) {
      try (var outer = Anomaly.operands("pool", "input", x);
          var again = Anomaly.operands("pool", "input", inner)) {
        int l = lineHere(); ShapeException e = new ShapeException("pool: bad");
        assertEquals("pool: bad (called at " + site(l) + "; input " + leaf("[3, 4]", lx) + ")",
            e.getMessage());
        try (var other = Anomaly.operands("unfold", "x", inner)) {
          // another op inside still speaks first, then the user's call
          l = lineHere(); e = new ShapeException("unfold: bad");
          assertEquals("unfold: bad (called at " + site(l) + "; x [1, 3, 4] leaf created outside"
              + " anomaly mode; in pool: input " + leaf("[3, 4]", lx) + ")", e.getMessage());
        }
      }
    }
  }

  @Test
  void handles_closeTwiceHarmlessly_andNullOperandsAreLeftOut() {
    int lx = lineHere(); Tensor x = inMode(() -> Tensor.zeros(2));
    try (var m = Anomaly.detect()) {
      Anomaly.Operands outer = Anomaly.operands("outer", "x", x);
      Anomaly.Operands inner = Anomaly.operands("inner", "a", null, "b", x);
      int l = lineHere(); ShapeException e = new ShapeException("inner: bad");
      assertEquals("inner: bad (called at " + site(l) + "; b " + leaf("[2]", lx) + "; in outer: x "
          + leaf("[2]", lx) + ")", e.getMessage());
      try (var empty = Anomaly.operands("empty", "a", (Tensor) null)) {
        l = lineHere(); e = new ShapeException("empty: bad");
        // nothing to name inside; the outer op is named with its operand
        assertEquals("empty: bad (called at " + site(l) + "; in outer: x " + leaf("[2]", lx) + ")",
            e.getMessage());
      }
      inner.close();
      inner.close();
      outer.close();
      l = lineHere(); e = new ShapeException("inner: bad");
      assertEquals("inner: bad (called at " + site(l) + ")", e.getMessage());
    }
  }

  @Test
  void offMode_operandsReturnsNullAndNothingIsAppended() {
    Tensor x = Tensor.zeros(2, 3);
    assertNull(Anomaly.operands("reshape", "x", x));
    assertNull(Anomaly.operands("add", "a", x, "b", x));
    assertNull(Anomaly.operands("where", "cond", x, "a", x, "b", x));
    assertNull(Anomaly.operands("concat", "parts", List.of(x)));
    assertNull(Anomaly.operands("einsum", "operands", new Tensor[] {x}));
    assertEquals("t: bad", new ShapeException("t: bad").getMessage());
    ShapeException e = assertThrows(ShapeException.class, () -> x.reshape(7));
    assertFalse(e.getMessage().contains("called at"), e.getMessage());
    assertFalse(e.getMessage().contains("created"), e.getMessage());
  }

  @Test
  void threads_areIndependent() throws Exception {
    int lx = lineHere(); Tensor x = inMode(() -> Tensor.zeros(2, 3));
    AtomicReference<Object> withMode = new AtomicReference<>();
    AtomicReference<Object> withoutMode = new AtomicReference<>();
    int[] l = new int[1];
    try (var m = Anomaly.detect(); var o = Anomaly.operands("mainOp", "x", x)) {
      Thread t1 = new Thread(() -> {
        try (var m1 = Anomaly.detect()) {
          l[0] = lineHere(); x.sum(5);
        } catch (RuntimeException e) {
          withMode.set(e.getMessage());
        }
      });
      Thread t2 = new Thread(() -> {
        try {
          x.sum(5);
        } catch (RuntimeException e) {
          withoutMode.set(e.getMessage());
        }
      });
      t1.start();
      t1.join();
      t2.start();
      t2.join();
    }
    String plain = assertThrows(ShapeException.class, () -> x.sum(5)).getMessage();
    assertEquals(plain, withoutMode.get());
    // the other thread names its own call and operands, not this thread's open "mainOp"
    assertEquals(plain + " (called at " + site(l[0]) + "; x " + leaf("[2, 3]", lx) + ")",
        withMode.get());
  }

  // ------------------------------------------------------------- random shapes

  /** Shapes of rank 1 to 3 whose dimension {@code at} (from the end) is {@code n}, others 1 to 3. */
  private static int[] shapeWith(int rank, int at, int n, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int[] s = new int[rank];
    for (int i = 0; i < rank; i++) {
      s[i] = 1 + rng.nextInt(3);
    }
    s[rank - 1 - at] = n;
    return s;
  }

  @Property(tries = 40, seed = "20261202")
  void add_mismatchedShapes_nameBothOperandsShapesAndSites(
      @ForAll @IntRange(min = 1, max = 3) int rankA, @ForAll @IntRange(min = 1, max = 3) int rankB,
      @ForAll @IntRange(min = 2, max = 4) int n, @ForAll @IntRange(min = 1, max = 3) int delta,
      @ForAll long seed) {
    // The last dims are n and n + delta, neither 1: they cannot broadcast.
    int[] sa = shapeWith(rankA, 0, n, seed);
    int[] sb = shapeWith(rankB, 0, n + delta, seed + 1);
    int la = lineHere(); Tensor a = inMode(() -> Tensor.zeros(sa));
    int lb = lineHere(); Tensor b = inMode(() -> Tensor.zeros(sb).requiresGrad(true).exp());
    int l = lineHere(); assertOperands(() -> a.add(b), l,
        "a " + leaf(Shapes.str(sa), la) + ", b " + Shapes.str(sb) + " made by exp at " + site(lb));
  }

  @Property(tries = 40, seed = "20261203")
  void matmul_mismatchedInnerDims_nameBothOperandsShapesAndSites(
      @ForAll @IntRange(min = 1, max = 4) int m, @ForAll @IntRange(min = 1, max = 4) int k,
      @ForAll @IntRange(min = 1, max = 3) int delta, @ForAll @IntRange(min = 1, max = 4) int p) {
    int[] sa = {m, k};
    int[] sb = {k + delta, p};
    int la = lineHere(); Tensor a = inMode(() -> Tensor.fromData(NDArray.zeros(DType.FLOAT64, sa)));
    int lb = lineHere(); Tensor b = inMode(() -> Tensor.zeros(sb));
    int l = lineHere(); assertOperands(() -> a.matmul(b), l,
        "a " + leaf(Shapes.str(sa), la) + ", b " + leaf(Shapes.str(sb), lb));
  }
}
