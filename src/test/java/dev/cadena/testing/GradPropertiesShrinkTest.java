package dev.cadena.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.cadena.tensor.Shapes;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The companion finds deliberately wrong VJPs ({@link BuggyOps}) within the default number of
 * tries and jqwik shrinks each counterexample to the smallest case the bug needs. The properties
 * are run as a user's would be, by jqwik under the JUnit Platform; the error jqwik rethrows is
 * the one of the shrunk sample, a {@link GradPropertyError} that carries the inputs' shapes.
 */
class GradPropertiesShrinkTest {
  private static final Map<String, Throwable> FAILURES = new ConcurrentHashMap<>();

  @BeforeAll
  static void runTheBuggyProperties() {
    LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
        .selectors(selectClass(BuggyOps.class))
        .build();
    Launcher launcher = LauncherFactory.create();
    launcher.execute(request, new TestExecutionListener() {
      @Override
      public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        result.getThrowable().ifPresent(t -> FAILURES.put(id.getDisplayName(), t));
      }
    });
  }

  /** The shrunk failure of a property: a GradPropertyError of the expected check. */
  private static GradPropertyError failure(String property, String check) {
    Throwable t = FAILURES.get(property);
    assertTrue(t != null, () -> property + " did not fail within the default tries; failures "
        + FAILURES.keySet());
    GradPropertyError e = assertInstanceOf(GradPropertyError.class, t, () -> property + ": " + t);
    assertEquals(check, e.property(), e::getMessage);
    // The report shows the worst element with its index, both values and the tolerance.
    assertTrue(e.getMessage().contains("worst element") && e.getMessage().contains("tolerance"),
        e::getMessage);
    return e;
  }

  private static void assertShrunk(String property, GradPropertyError e, Consumer<int[][]> check) {
    int[][] shapes = e.inputShapes();
    try {
      check.accept(shapes);
    } catch (AssertionError a) {
      throw new AssertionError(property + " shrank only to " + Arrays.deepToString(shapes)
          + ": " + e.getMessage(), a);
    }
  }

  @Test
  void signError_isFound_andShrinksToOneElement() {
    GradPropertyError e = failure("signError", "gradcheck");
    assertShrunk("signError", e, s -> assertEquals(1, Shapes.numel(s[0])));
    // Where tanh x > 0 the analytic value is minus the numeric one.
    assertEquals(-e.expected(), e.got(), 1e-6);
  }

  @Test
  void missingBroadcastSum_isFound_andShrinksToTwoRowsOfOne() {
    GradPropertyError e = failure("missingBroadcastSum", "gradcheck");
    // Two rows are the least the missing sum needs; one column is enough.
    assertShrunk("missingBroadcastSum", e, s -> {
      assertArrayEquals(new int[] {2, 1}, s[0]);
      assertArrayEquals(new int[] {1}, s[1]);
    });
    assertEquals(1, e.input(), "the bias's gradient is the wrong one");
  }

  @Test
  void transposedMatmul_isFound_andShrinksToTwoByTwo() {
    GradPropertyError e = failure("transposedMatmul", "gradcheck");
    // A 1x1 matrix is its own transpose: 2x2 is the least the bug needs.
    assertShrunk("transposedMatmul", e, s -> {
      assertArrayEquals(new int[] {2, 2}, s[0]);
      assertArrayEquals(new int[] {2, 2}, s[1]);
    });
    assertEquals(0, e.input(), "a's gradient is the wrong one");
  }

  @Test
  void wrongSecondDerivative_passesFirstOrder_failsSecond_andShrinksToOneElement() {
    GradPropertyError e = failure("wrongSecondDerivative", "gradgradcheck");
    assertShrunk("wrongSecondDerivative", e, s -> assertEquals(1, Shapes.numel(s[0])));
    // d/dx of the VJP is 3x instead of 6x: the analytic value is half the numeric one.
    assertEquals(e.expected() / 2, e.got(), 1e-4 * Math.abs(e.expected()) + 1e-6);
  }
}
