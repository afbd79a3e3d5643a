package dev.cadena.ops;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.autograd.GradCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PrimitiveGradCheckTest {
  static Stream<GradSamples.Sample> samples() {
    return GradSamples.list().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void firstOrder_matchesFiniteDifferences(GradSamples.Sample s) {
    Tensor[] in = s.inputs(42);
    GradCheck.Report r = GradCheck.check(s.f, GradCheck.Options.defaults().eps(s.eps), in);
    assertTrue(r.passed(), r::toString);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void secondOrder_matchesFiniteDifferences(GradSamples.Sample s) {
    Tensor[] in = s.inputs(7);
    GradCheck.Report r = GradCheck.checkSecondOrder(s.f, GradCheck.Options.defaults().eps(s.eps).atol(1e-4), in);
    assertTrue(r.passed(), r::toString);
  }

  @Test
  void coverage_everyPrimitiveHasGradientSamples() {
    List<Primitive> missing = new ArrayList<>();
    for (Primitive p : Primitive.values()) {
      if (!GradSamples.all().containsKey(p) || GradSamples.all().get(p).isEmpty()) {
        missing.add(p);
      }
    }
    assertTrue(missing.isEmpty(), () -> "primitives without gradient-check samples: " + missing);
  }
}
