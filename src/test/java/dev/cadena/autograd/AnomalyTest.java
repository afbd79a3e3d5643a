package dev.cadena.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.optim.SGD;
import dev.cadena.tensor.ShapeException;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Anomaly mode: the NaN and infinity checks of each phase, the creation sites they name (this
 * file's lines: test classes count as user code), scopes per thread, and the in-place and shape
 * errors it enriches.
 */
class AnomalyTest {

  /** The line this is called from, read from a fresh stack trace (not from Anomaly's walker). */
  private static int lineHere() {
    return new Throwable().getStackTrace()[1].getLineNumber();
  }

  private static String site(int line) {
    return "AnomalyTest.java:" + line;
  }

  @Test
  void forward_nanFromLog_namesOpPhaseSiteInputsAndChain() {
    Tensor x = Tensor.of(1.0, 2.0, 3.0).requiresGrad(true);
    int[] lines = new int[2];
    AnomalyException e;
    try (var a = Anomaly.detect()) {
      lines[0] = lineHere(); Tensor d = x.sub(Tensor.of(2.0, 2.0, 2.0));
      e = assertThrows(AnomalyException.class, () -> {
        lines[1] = lineHere(); d.log();
      });
    }
    String m = e.getMessage();
    assertEquals("log", e.op());
    assertEquals("forward", e.phase());
    assertEquals(site(lines[1]), e.site());
    assertTrue(m.startsWith("anomaly: forward of 'log' produced 1 NaN and 1 infinite of 3 elements"), m);
    assertTrue(m.contains("op created at " + site(lines[1])), m);
    // log's input is x - 2 = [-1, 0, 1]
    assertTrue(m.contains("input 0: shape [3], min -1.00000, max 1.00000, NaN 0"), m);
    assertTrue(m.contains("log at " + site(lines[1])), m);
    // sub is a composition: x + (-1 * b) records add, whose inputs are x and a constant
    assertTrue(m.contains("<- add at " + site(lines[0])), m);
    assertTrue(m.contains("<- leaf [3] (requires grad)"), m);
    assertTrue(m.contains("<- leaf [3] (constant)"), m);
    assertInstanceOf(AutogradException.class, e);
  }

  @Test
  void forward_isCheckedWithoutGradToo() {
    try (var a = Anomaly.detect()) {
      AnomalyException e = assertThrows(AnomalyException.class, () -> Tensor.of(-4.0, 4.0).sqrt());
      assertEquals("sqrt", e.op());
      assertTrue(e.getMessage().contains("input 0: shape [2], min -4.00000, max 4.00000, NaN 0"),
          e.getMessage());
    }
  }

  @Test
  void backward_infFromSqrtAtZero_namesTheBackwardPhaseAndTheForwardSite() {
    Tensor x = Tensor.of(0.0, 4.0).requiresGrad(true);
    int[] line = new int[1];
    AnomalyException e;
    try (var a = Anomaly.detect()) {
      line[0] = lineHere(); Tensor y = x.sqrt();
      Tensor loss = y.mul(3.0).sum();
      // d sqrt(x)/dx = 1 / (2 sqrt(x)) is infinite at 0: the forward is finite, the VJP is not
      e = assertThrows(AnomalyException.class, loss::backward);
    }
    String m = e.getMessage();
    assertEquals("sqrt", e.op());
    assertEquals("backward of sqrt", e.phase());
    assertEquals(site(line[0]), e.site());
    assertTrue(m.startsWith("anomaly: backward of 'sqrt' produced 1 infinite of 2 elements in the"
        + " gradient of input 0 (shape [2]); op created at " + site(line[0])), m);
    assertTrue(m.contains("input 0: shape [2], min 0.00000, max 4.00000, NaN 0"), m);
    assertTrue(m.contains("upstream gradient: shape [2], min 3.00000, max 3.00000, NaN 0"), m);
    assertTrue(m.contains("<- leaf [2] (requires grad)"), m);
  }

  @Test
  void backward_withoutAnomalyMode_isSilent() {
    Tensor x = Tensor.of(0.0, 4.0).requiresGrad(true);
    x.sqrt().sum().backward();
    assertEquals(Double.POSITIVE_INFINITY, x.grad().toDoubleArray()[0]);
    assertEquals(0.25, x.grad().toDoubleArray()[1], 1e-15);
  }

  @Test
  void backward_nanPropagatedFromAbove_isReportedAtTheFirstOpThatMadeIt() {
    // sqrt(x - x) is a finite 0, but its VJP divides by 2 sqrt(0): the first infinite gradient
    // is sqrt's, below add (whose gradient is finite), above sub
    Tensor x = Tensor.of(1.0, 2.0).requiresGrad(true);
    int[] line = new int[1];
    AnomalyException e;
    try (var a = Anomaly.detect()) {
      Tensor z = x.sub(x);
      line[0] = lineHere(); Tensor s = z.sqrt();
      Tensor loss = s.add(x).sum();
      e = assertThrows(AnomalyException.class, loss::backward);
    }
    assertEquals("backward of sqrt", e.phase());
    assertEquals(site(line[0]), e.site());
    assertTrue(e.getMessage().startsWith("anomaly: backward of 'sqrt' produced 2 infinite of 2"),
        e.getMessage());
    assertTrue(e.getMessage().contains("<- add at " + site(line[0] - 1)), e.getMessage());
  }

  @Test
  void backward_finiteGraph_givesTheSameGradientsAsWithoutTheMode() {
    Tensor x = Tensor.of(0.5, -1.5, 2.0).requiresGrad(true);
    x.tanh().mul(x).exp().sum().backward();
    double[] plain = x.grad().toDoubleArray();
    x.zeroGrad();
    try (var a = Anomaly.detect()) {
      x.tanh().mul(x).exp().sum().backward();
    }
    double[] checked = x.grad().toDoubleArray();
    for (int i = 0; i < plain.length; i++) {
      assertEquals(plain[i], checked[i], 0.0);
    }
  }

  @Test
  void createGraph_secondOrderInsideTheMode_works() {
    Tensor x = Tensor.of(2.0).requiresGrad(true);
    try (var a = Anomaly.detect()) {
      Tensor[] g = Engine.grad(new Tensor[] {x.pow(3.0)}, new Tensor[] {x},
          new Tensor[] {Tensor.of(1.0)}, true, true);
      Tensor[] h = Engine.grad(g, new Tensor[] {x}, new Tensor[] {Tensor.of(1.0)}, false, false);
      assertEquals(12.0, h[0].toDoubleArray()[0], 1e-12); // d2/dx2 x^3 = 6x
    }
  }

  @Test
  void checkTangent_throwsOnlyInTheModeNamingTheJvpPhase() {
    Tensor x = Tensor.of(-1.0, 1.0);
    Tensor tangent = Tensor.of(Double.NaN, 1.0);
    Anomaly.checkTangent("log", tangent, x); // off: nothing
    int[] line = new int[1];
    AnomalyException e;
    try (var a = Anomaly.detect()) {
      Anomaly.checkTangent("log", Tensor.of(1.0, 1.0), x); // finite: nothing
      e = assertThrows(AnomalyException.class, () -> {
        line[0] = lineHere(); Anomaly.checkTangent("log", tangent, x);
      });
    }
    assertEquals("jvp of log", e.phase());
    assertEquals(site(line[0]), e.site());
    assertTrue(e.getMessage().startsWith("anomaly: jvp of 'log' produced 1 NaN of 2 elements in the"
        + " tangent"), e.getMessage());
    assertTrue(e.getMessage().contains("primal 0: shape [2], min -1.00000, max 1.00000, NaN 0"),
        e.getMessage());
  }

  @Test
  void forwardMode_aJvpThatOverflowsIsNamedWithItsOp() {
    // sqrt's tangent t / (2 sqrt(x)) is infinite at x = 0, though sqrt(0) itself is finite.
    Tensor x = Tensor.of(0.0, 4.0);
    Tensor v = Tensor.of(1.0, 1.0);
    try (var level = ForwardAD.enter()) {
      Tensor plain = ForwardAD.makeDual(x, v).sqrt(); // off: an infinite tangent, no error
      assertTrue(Double.isInfinite(ForwardAD.tangent(plain).toDoubleArray()[0]));
      AnomalyException e;
      try (var a = Anomaly.detect()) {
        Tensor dual = ForwardAD.makeDual(x, v);
        e = assertThrows(AnomalyException.class, dual::sqrt);
      }
      assertEquals("jvp of sqrt", e.phase());
      assertTrue(e.getMessage().startsWith("anomaly: jvp of 'sqrt' produced 1 infinite"), e.getMessage());
    }
  }

  @Test
  void scopes_nest_andCloseTwiceHarmlessly() {
    assertFalse(Anomaly.isEnabled());
    try (var outer = Anomaly.detect()) {
      try (var inner = Anomaly.detect()) {
        assertTrue(Anomaly.isEnabled());
        inner.close();
        inner.close();
      }
      assertTrue(Anomaly.isEnabled());
      assertThrows(AnomalyException.class, () -> Tensor.of(-1.0).log());
    }
    assertFalse(Anomaly.isEnabled());
    Tensor.of(-1.0).log(); // off again: NaN, no exception
  }

  @Test
  void otherThreads_areUnaffected() throws Exception {
    AtomicReference<Object> seen = new AtomicReference<>();
    try (var a = Anomaly.detect()) {
      Thread t = new Thread(() -> {
        try {
          seen.set(Anomaly.isEnabled() + " " + Tensor.of(-1.0).log().toDoubleArray()[0]);
        } catch (RuntimeException e) {
          seen.set(e);
        }
      });
      t.start();
      t.join();
      assertTrue(Anomaly.isEnabled());
    }
    assertEquals("false NaN", seen.get());
  }

  @Test
  void userFrames_areOutsideTheLibraryAndTheJdk_orInTestClasses() {
    assertTrue(Anomaly.isUserFrame("com.example.Train"));
    assertTrue(Anomaly.isUserFrame("REPL.$JShell$12"));
    assertTrue(Anomaly.isUserFrame("dev.cadena.autograd.AnomalyTest"));
    assertTrue(Anomaly.isUserFrame("dev.cadena.autograd.AnomalyTest$Inner"));
    assertFalse(Anomaly.isUserFrame("dev.cadena.Tensor"));
    assertFalse(Anomaly.isUserFrame("dev.cadena.ops.Elementwise"));
    assertFalse(Anomaly.isUserFrame("dev.cadena.TestUtil$Tests"));
    assertFalse(Anomaly.isUserFrame("java.util.stream.ReferencePipeline$3$1"));
    assertFalse(Anomaly.isUserFrame("jdk.internal.reflect.DirectMethodHandleAccessor"));
  }

  // ------------------------------------------------------------- in-place errors

  @Test
  void modified_leafInput_namesTheTensorAndTheInPlaceOp_inAnyMode() {
    Tensor w = Tensor.of(1.0, 2.0).requiresGrad(true);
    Tensor loss = w.mul(w).sum();
    try (var s = Tensor.noGrad()) {
      w.sub_(Tensor.of(0.5, 0.5));
    }
    AutogradException e = assertThrows(AutogradException.class, loss::backward);
    assertTrue(e.getMessage().contains("of 'mul' (a leaf, shape [2]) was modified in place by"
        + " 'sub_' after the forward pass (version 0 -> 1)"), e.getMessage());
    assertFalse(e.getMessage().contains("created at"), e.getMessage());
  }

  @Test
  void modified_byAnOptimiserStep_namesTheOptimiser() {
    Tensor w = Tensor.of(1.0, 2.0).requiresGrad(true);
    SGD opt = SGD.builder(List.of(w)).lr(0.1).build();
    w.mul(w).sum().backward();
    Tensor loss = w.mul(w).sum();
    opt.step(); // between the forward and the backward: the saved w is stale
    AutogradException e = assertThrows(AutogradException.class, loss::backward);
    assertTrue(e.getMessage().contains("(a leaf, shape [2]) was modified in place by 'SGD.step'"),
        e.getMessage());
  }

  @Test
  void modified_output_inAnomalyMode_namesTheSitesOfTheOpAndTheTensorAndTheUpdate() {
    Tensor x = Tensor.of(0.5, 1.0).requiresGrad(true);
    int[] lines = new int[3];
    AutogradException e;
    try (var a = Anomaly.detect()) {
      lines[0] = lineHere(); Tensor h = x.exp();
      lines[1] = lineHere(); Tensor loss = h.mul(h).sum();
      try (var s = Tensor.noGrad()) {
        lines[2] = lineHere(); h.mul_(2.0);
      }
      e = assertThrows(AutogradException.class, loss::backward);
    }
    String m = e.getMessage();
    assertTrue(m.contains("of 'mul' (the output of 'exp', shape [2]) was modified in place by 'mul_ at "
        + site(lines[2]) + "'"), m);
    assertTrue(m.contains("'mul' was created at " + site(lines[1]) + ", 'exp' at " + site(lines[0])), m);
  }

  @Test
  void modified_leafInput_inAnomalyMode_namesTheLeafsSiteToo() {
    int[] lines = new int[3];
    AutogradException e;
    try (var a = Anomaly.detect()) {
      lines[0] = lineHere(); Tensor w = Tensor.of(1.0, 2.0).requiresGrad(true);
      lines[1] = lineHere(); Tensor loss = w.mul(w).sum();
      try (var s = Tensor.noGrad()) {
        lines[2] = lineHere(); w.sub_(Tensor.of(0.5, 0.5));
      }
      e = assertThrows(AutogradException.class, loss::backward);
    }
    String m = e.getMessage();
    assertTrue(m.contains("of 'mul' (a leaf, shape [2]) was modified in place by 'sub_ at "
        + site(lines[2]) + "'"), m);
    assertTrue(m.contains("; 'mul' was created at " + site(lines[1]) + ", the leaf at "
        + site(lines[0]) + ";"), m);
    // the update changed the saved tensor itself: no other tensor to name
    assertFalse(m.contains("another tensor"), m);
  }

  @Test
  void modified_leafCreatedBeforeTheScope_saysSo() {
    Tensor w = Tensor.of(1.0, 2.0).requiresGrad(true);
    AutogradException e;
    try (var a = Anomaly.detect()) {
      Tensor loss = w.mul(w).sum();
      try (var s = Tensor.noGrad()) {
        w.fill_(3.0);
      }
      e = assertThrows(AutogradException.class, loss::backward);
    }
    assertTrue(e.getMessage().contains(", the leaf outside anomaly mode;"), e.getMessage());
  }

  @Test
  void modified_throughAView_namesTheViewThatWasUpdatedAndItsSite() {
    Tensor x = Tensor.of(0.5, 1.0).requiresGrad(true);
    int[] lines = new int[3];
    AutogradException e;
    try (var a = Anomaly.detect()) {
      lines[0] = lineHere(); Tensor h = x.exp(); // exp's VJP reads its output h
      Tensor loss = h.sum();
      try (var s = Tensor.noGrad()) {
        lines[1] = lineHere(); Tensor v = h.detach().view(2, 1); // shares h's storage
        lines[2] = lineHere(); v.mul_(2.0);
      }
      e = assertThrows(AutogradException.class, loss::backward);
    }
    String m = e.getMessage();
    assertTrue(m.contains("its output of 'exp' (the output of 'exp', shape [2]) was modified in"
        + " place by 'mul_ at " + site(lines[2]) + "'"), m);
    assertTrue(m.contains("; 'exp' was created at " + site(lines[0]) + ", 'exp' at "
        + site(lines[0])), m);
    assertTrue(m.contains("; the update changed another tensor sharing its storage: [2, 1] made by"
        + " reshape at " + site(lines[1]) + ";"), m);
  }

  @Test
  void modified_savedOutput_namesIt() {
    Tensor x = Tensor.of(0.5, 1.0).requiresGrad(true);
    Tensor h = x.exp(); // exp's VJP reads its output
    Tensor loss = h.sum();
    try (var s = Tensor.noGrad()) {
      h.zero_();
    }
    AutogradException e = assertThrows(AutogradException.class, loss::backward);
    assertTrue(e.getMessage().contains("its output of 'exp' (the output of 'exp', shape [2]) was"
        + " modified in place by 'zero_'"), e.getMessage());
  }

  /** A custom op whose backward is wrong on purpose: it returns NaN where x is negative. */
  private static Function sqrtAbs() {
    return new Function("sqrtAbs") {
      @Override
      protected Tensor forward(Context ctx, Tensor... in) {
        ctx.saveForBackward(in[0]);
        return in[0].abs().sqrt();
      }

      @Override
      protected Tensor[] backward(Context ctx, Tensor grad) {
        Tensor x = ctx.saved(0);
        return new Tensor[] {grad.div(x.sqrt().mul(2.0))};
      }
    };
  }

  @Test
  void customFunction_nanInItsBackward_isNamedWithItsSite() {
    Tensor x = Tensor.of(-4.0, 4.0).requiresGrad(true);
    int[] line = new int[1];
    AnomalyException e;
    try (var a = Anomaly.detect()) {
      line[0] = lineHere(); Tensor y = sqrtAbs().apply(x);
      Tensor loss = y.sum();
      e = assertThrows(AnomalyException.class, loss::backward);
    }
    assertEquals("backward of sqrtAbs", e.phase());
    assertEquals(site(line[0]), e.site());
    assertTrue(e.getMessage().contains("produced 1 NaN of 2 elements"), e.getMessage());
  }

  @Test
  void customFunction_savedTensorModified_namesTheTensorAndTheUpdate() {
    Tensor x = Tensor.of(4.0, 9.0).requiresGrad(true);
    Tensor loss = sqrtAbs().apply(x).sum();
    try (var s = Tensor.noGrad()) {
      x.fill_(1.0);
    }
    AutogradException e = assertThrows(AutogradException.class, loss::backward);
    assertTrue(e.getMessage().contains("saved tensor 0 of 'sqrtAbs' (a leaf, shape [2]) was"
        + " modified in place by 'fill_'"), e.getMessage());
  }

  // ------------------------------------------------------------- shape errors

  @Test
  void shapeError_inAnomalyMode_namesTheFailingCallAndTheOperands() {
    Tensor a = Tensor.zeros(2, 3);
    Tensor b = Tensor.zeros(4, 5);
    ShapeException plain = assertThrows(ShapeException.class, () -> a.matmul(b));
    assertFalse(plain.getMessage().contains("called at"), plain.getMessage());
    int[] line = new int[1];
    ShapeException e;
    try (var m = Anomaly.detect()) {
      e = assertThrows(ShapeException.class, () -> {
        line[0] = lineHere(); a.matmul(b);
      });
    }
    // a and b were created before the scope opened: the message says so
    assertEquals(plain.getMessage() + " (called at " + site(line[0]) + "; a [2, 3] leaf created"
        + " outside anomaly mode, b [4, 5] leaf created outside anomaly mode)", e.getMessage());
  }
}
