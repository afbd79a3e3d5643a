package dev.cadena.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.autograd.GradCheck;
import dev.cadena.autograd.Node;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
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

  /** A sample filed under a primitive must exercise it: its forward graph records that op. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void coverage_sampleGraphRecordsItsPrimitive(GradSamples.Sample s) {
    Tensor out = s.f.apply(s.inputs(1));
    Set<String> ops = recordedOps(out);
    assertTrue(ops.contains(s.primitive.opName()),
        () -> "sample '" + s + "' is filed under " + s.primitive + " but its graph records no '"
            + s.primitive.opName() + "' node, only " + ops);
  }

  @Test
  void recordedOps_findsEveryNodeOfTheGraph() {
    Tensor x = Tensor.of(1.0, 2.0).requiresGrad(true);
    assertEquals(Set.of("exp", "mul", "sum"), recordedOps(x.exp().mul(x).sum()));
    assertEquals(Set.of(), recordedOps(x));
  }

  /** The op names of every node reachable from {@code out} through the inputs (iterative walk). */
  static Set<String> recordedOps(Tensor out) {
    Set<String> names = new TreeSet<>();
    Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Deque<Tensor> todo = new ArrayDeque<>();
    todo.push(out);
    while (!todo.isEmpty()) {
      Node n = todo.pop().gradFn();
      if (n != null && seen.add(n)) {
        names.add(n.name());
        n.inputs().forEach(todo::push);
      }
    }
    return names;
  }
}
