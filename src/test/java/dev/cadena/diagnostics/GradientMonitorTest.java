package dev.cadena.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.nn.Module;
import dev.cadena.optim.Adam;
import dev.cadena.optim.Optimizer;
import dev.cadena.optim.SGD;
import dev.cadena.tensor.DType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GradientMonitorTest {

  /** x @ weight + bias; defined here so these tests do not depend on the nn layers. */
  static final class Affine extends Module {
    Affine(Tensor weight, Tensor bias) {
      registerParameter("weight", weight);
      registerParameter("bias", bias);
    }

    @Override
    public Tensor forward(Tensor x) {
      return x.matmul(namedParameters().get("weight")).add(namedParameters().get("bias"));
    }
  }

  /** {@code depth} affine layers named "0", "1", ..., each followed by a sigmoid if asked. */
  static final class Chain extends Module {
    private final List<Affine> layers = new ArrayList<>();
    private final boolean sigmoid;

    Chain(SplittableRandom rng, int depth, int width, double weightScale, boolean sigmoid) {
      this.sigmoid = sigmoid;
      for (int i = 0; i < depth; i++) {
        Affine a = new Affine(Tensor.randn(rng, width, width).mul(weightScale), Tensor.zeros(width));
        layers.add(registerModule(Integer.toString(i), a));
      }
    }

    @Override
    public Tensor forward(Tensor x) {
      for (Affine a : layers) {
        x = a.forward(x);
        if (sigmoid) {
          x = x.sigmoid();
        }
      }
      return x;
    }
  }

  private static void backwardOnce(Chain model, SplittableRandom rng) {
    Tensor x = Tensor.randn(rng, 16, 8);
    Tensor y = Tensor.randn(rng, 16, 8);
    model.forward(x).sub(y).pow(2).mean().backward();
  }

  @Test
  void testRecordGradients_deepSigmoidChainWithTinyWeights_flagsFirstLayerVanishing() {
    SplittableRandom rng = new SplittableRandom(1);
    Chain model = new Chain(rng, 10, 8, 0.05, true);
    GradientMonitor monitor = GradientMonitor.of(model);
    assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), monitor.layers());
    backwardOnce(model, rng);
    monitor.recordGradients(0);
    Report r = monitor.report();
    assertTrue(r.hasVanishing(), r.toTable());
    assertFalse(r.hasExploding(), r.toTable());
    assertEquals(Flag.Kind.VANISHING, r.flagsFor("0").get(0).kind(), r.toTable());
    assertTrue(r.flagsFor("9").isEmpty(), "the last layer gets a healthy gradient\n" + r.toTable());
    // Each sigmoid layer scales the backward signal by at most 0.25 * ||W||: norms fall toward
    // the input.
    assertTrue(r.layer("0").gradNorm() < 1e-6 * r.layer("9").gradNorm(), r.toTable());
  }

  @Test
  void testRecordGradients_deepLinearChainWithLargeWeights_flagsExploding() {
    SplittableRandom rng = new SplittableRandom(2);
    Chain model = new Chain(rng, 8, 8, 2.0, false);
    GradientMonitor monitor = GradientMonitor.of(model);
    backwardOnce(model, rng);
    monitor.recordGradients(0);
    Report r = monitor.report();
    assertTrue(r.hasExploding(), r.toTable());
    assertFalse(r.hasVanishing(), r.toTable());
    Flag first = r.flagsFor("0").get(0);
    assertEquals(Flag.Kind.EXPLODING, first.kind());
    assertTrue(first.reason().matches("grad norm \\S+ > 1\\.000e\\+03"), first.reason());
  }

  @Test
  void testRecordGradients_normGrowingFast_flagsExplodingOnce() {
    Tensor w = Tensor.of(1.0, 1.0).requiresGrad(true);
    GradientMonitor monitor = new GradientMonitor(Map.of("w", w));
    w.setGrad(Tensor.of(0.6, 0.8)); // norm 1
    monitor.recordGradients(1);
    w.setGrad(Tensor.of(30.0, 40.0)); // norm 50
    monitor.recordGradients(2);
    w.setGrad(Tensor.of(60.0, 80.0)); // norm 100: doubling is not "fast"
    monitor.recordGradients(3);
    assertEquals(List.of(), monitor.report(1).flags());
    List<Flag> flags = monitor.flags();
    assertEquals(1, flags.size(), flags.toString());
    assertEquals(
        new Flag("w", 2, Flag.Kind.EXPLODING,
            "grad norm grew 50.0x since step 1 (1.000e+00 -> 5.000e+01), above 10.0x"),
        flags.get(0));
  }

  @Test
  void testRecordGradients_recoveryFromVanishedIsNotExploding() {
    Tensor w = Tensor.of(1.0).requiresGrad(true);
    GradientMonitor monitor = new GradientMonitor(Map.of("w", w));
    w.setGrad(Tensor.of(1e-12));
    monitor.recordGradients(0);
    w.setGrad(Tensor.of(1.0));
    monitor.recordGradients(1);
    assertEquals(Flag.Kind.VANISHING, monitor.report(0).flags().get(0).kind());
    assertEquals("grad norm 1.000e-12 < 1.000e-08", monitor.report(0).flags().get(0).reason());
    assertEquals(List.of(), monitor.report(1).flags());
  }

  @Test
  void testRecordGradients_nonFiniteGrad_flagsExploding() {
    Tensor w = Tensor.of(1.0).requiresGrad(true);
    GradientMonitor monitor = new GradientMonitor(Map.of("w", w));
    w.setGrad(Tensor.of(Double.NaN));
    monitor.recordGradients(0);
    assertEquals("grad norm is NaN", monitor.report().flags().get(0).reason());
  }

  @Test
  void testRecordGradients_relativeRule_namesLargestLayer() {
    Map<String, Tensor> named = new LinkedHashMap<>();
    Tensor a = Tensor.of(1.0).requiresGrad(true);
    Tensor b = Tensor.of(1.0).requiresGrad(true);
    named.put("small.weight", a);
    named.put("big.weight", b);
    GradientMonitor monitor = new GradientMonitor(named);
    a.setGrad(Tensor.of(1e-5));
    b.setGrad(Tensor.of(1.0));
    monitor.recordGradients(0);
    assertEquals(
        List.of(new Flag("small", 0, Flag.Kind.VANISHING,
            "grad norm 1.000e-05 is 1.000e-05 of the largest (1.000e+00, layer 'big'), below 1.000e-03")),
        monitor.report().flags());
  }

  @Test
  void testRecordUpdates_sgdStep_matchesHandComputation() {
    Map<String, Tensor> named = new LinkedHashMap<>();
    Tensor w = Tensor.of(3.0, 4.0).requiresGrad(true);
    Tensor b = Tensor.of(0.0).requiresGrad(true);
    Tensor frozen = Tensor.of(new double[][] {{2.0}}).requiresGrad(true);
    named.put("0.weight", w);
    named.put("0.bias", b);
    named.put("1.weight", frozen);
    GradientMonitor monitor = new GradientMonitor(named);
    Optimizer opt = SGD.builder(named.values()).lr(0.5).build();
    w.setGrad(Tensor.of(1.0, 2.0));
    b.setGrad(Tensor.of(2.0));
    monitor.recordGradients(7);
    opt.step();
    monitor.recordUpdates(7);

    LayerStats s = monitor.report().layer("0");
    assertEquals(7, s.step());
    assertEquals(3, s.parameterCount());
    assertEquals(3.0, s.gradNorm(), 1e-15); // sqrt(1 + 4 + 4)
    assertEquals(5.0, s.paramNorm(), 1e-15); // sqrt(9 + 16 + 0)
    assertEquals(1.5, s.updateNorm(), 1e-15); // 0.5 * (1, 2, 2)
    assertEquals(0.3, s.updateRatio(), 1e-15);

    LayerStats f = monitor.report().layer("1");
    assertTrue(Double.isNaN(f.gradNorm()), "no gradient reached it");
    assertEquals(0.0, f.updateNorm());
    assertEquals(0.0, f.updateRatio());
    assertEquals(List.of(), monitor.report().flags(), "an unused layer is not judged");
  }

  @Test
  void testRecordUpdates_adamFirstStep_measuresTheActualMove() {
    // Adam's first step moves every element by lr regardless of the gradient's size, which a
    // prediction from lr * ||grad|| would get wrong.
    Tensor w = Tensor.full(1.0, DType.FLOAT32, 4).requiresGrad(true);
    GradientMonitor monitor = new GradientMonitor(Map.of("w", w));
    Optimizer opt = Adam.builder(List.of(w)).lr(0.01).build();
    w.setGrad(Tensor.of(1e-3f, -2e-3f, 5.0f, -7.0f));
    monitor.recordGradients(0);
    opt.step();
    monitor.recordUpdates(0);
    LayerStats s = monitor.report().layer("w");
    assertEquals(2.0, s.paramNorm(), 1e-7);
    assertEquals(0.02, s.updateNorm(), 1e-6); // 0.01 * sqrt(4)
    assertEquals(0.01, s.updateRatio(), 1e-6);
  }

  @Test
  void testHistory_oneEntryPerStep() {
    SplittableRandom rng = new SplittableRandom(3);
    Chain model = new Chain(rng, 3, 8, 0.5, true);
    GradientMonitor monitor = GradientMonitor.of(model);
    Optimizer opt = SGD.builder(model.parameters()).lr(0.1).build();
    for (int step = 0; step < 4; step++) {
      opt.zeroGrad();
      backwardOnce(model, rng);
      monitor.recordGradients(step);
      opt.step();
      monitor.recordUpdates(step);
    }
    assertEquals(List.of(0L, 1L, 2L, 3L), monitor.steps());
    List<LayerStats> h = monitor.history("2");
    assertEquals(4, h.size());
    for (int i = 0; i < 4; i++) {
      assertEquals(i, h.get(i).step());
      assertTrue(h.get(i).updateRatio() > 0 && h.get(i).updateRatio() < 1, h.get(i).toString());
    }
    monitor.clear();
    assertEquals(List.of(), monitor.steps());
    assertThrows(IllegalStateException.class, monitor::report);
  }

  @Test
  void testToTable_readablePerLayerRows() {
    Map<String, Tensor> named = new LinkedHashMap<>();
    Tensor a = Tensor.of(3.0, 4.0).requiresGrad(true);
    Tensor b = Tensor.of(1.0).requiresGrad(true);
    named.put("0.weight", a);
    named.put("1.weight", b);
    GradientMonitor monitor = new GradientMonitor(named);
    a.setGrad(Tensor.of(1e-12, 0.0));
    b.setGrad(Tensor.of(2.0));
    monitor.recordGradients(3);
    SGD.builder(named.values()).lr(0.5).build().step();
    monitor.recordUpdates(3);
    assertEquals(
        "step 3\n"
            + "layer  params  grad norm  param norm  update norm  update/param  flag\n"
            + "0           2  1.000e-12   5.000e+00    5.000e-13     1.000e-13  VANISHING\n"
            + "1           1  2.000e+00   1.000e+00    1.000e+00     1.000e+00\n"
            + "\n"
            + "step 3, layer '0': VANISHING: grad norm 1.000e-12 < 1.000e-08\n",
        monitor.toTable());
  }

  @Test
  void testLayerOf_groupsByModulePrefix() {
    assertEquals("3", GradientMonitor.layerOf("3.weight"));
    assertEquals("encoder.0", GradientMonitor.layerOf("encoder.0.bias"));
    assertEquals("scale", GradientMonitor.layerOf("scale"));
  }

  @Test
  void testErrors_explainThemselves() {
    Tensor w = Tensor.of(1.0).requiresGrad(true);
    GradientMonitor monitor = new GradientMonitor(Map.of("w", w));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> monitor.recordUpdates(0));
    assertEquals(
        "GradientMonitor: recordUpdates(0) must follow recordGradients(0) once (last recorded step: none)",
        e.getMessage());
    monitor.recordGradients(5);
    e = assertThrows(IllegalArgumentException.class, () -> monitor.recordGradients(5));
    assertEquals("GradientMonitor: steps must increase, got 5 after 5", e.getMessage());
    monitor.recordUpdates(5);
    e = assertThrows(IllegalArgumentException.class, () -> monitor.recordUpdates(5));
    assertTrue(e.getMessage().endsWith("(last recorded step: 5, updates already recorded)"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> monitor.history("x"));
    assertEquals("GradientMonitor: no layer 'x' (layers: [w])", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new GradientMonitor(Map.of()));
    assertEquals("GradientMonitor: no parameters to monitor; pass e.g. model.namedParameters()", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Thresholds.defaults().withExplodingGrowth(0.5));
    assertEquals("Thresholds: explodingGrowth must be > 1, got 0.5", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Thresholds.defaults().withVanishingRelative(1));
    assertEquals("Thresholds: vanishingRelative must be in [0, 1), got 1.0", e.getMessage());
  }

  @Test
  void testThresholds_custom() {
    Tensor w = Tensor.of(1.0).requiresGrad(true);
    GradientMonitor monitor = new GradientMonitor(Map.of("w", w), Thresholds.defaults().withExplodingNorm(10));
    w.setGrad(Tensor.of(20.0));
    monitor.recordGradients(0);
    assertTrue(monitor.report().hasExploding());
  }
}
