package dev.cadena.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.fuzz.ApiSurface.Target;
import dev.cadena.fuzz.Contract.Category;
import dev.cadena.fuzz.Contract.Problem;
import dev.cadena.fuzz.Contract.Verdict;
import dev.cadena.fuzz.Fixtures.Arg;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fuzz harness tells a breach of the error contract from a call that keeps it: each planted
 * breach in {@link Planted} is reported with its kind and top frame, the methods that keep the
 * contract are not, a hanging call is stopped, and equal breaches are counted as one finding.
 */
class FuzzHarnessTest {
  private Path dir;

  @BeforeEach
  void makeDir() throws IOException {
    dir = Files.createTempDirectory("cadena-fuzz-harness");
  }

  @AfterEach
  void deleteDir() {
    World.deleteTree(dir);
  }

  private static Target target(String name) {
    Method m = Arrays.stream(Planted.class.getMethods()).filter(x -> x.getName().equals(name))
        .findFirst().orElseThrow();
    return new Target(Planted.class, m, 1);
  }

  private static Arg arg(Object v) {
    return new Arg(v, String.valueOf(v), v == null);
  }

  private Verdict judgeWithin(long timeoutMillis, String method, Object... args) {
    Arg[] a = Arrays.stream(args).map(FuzzHarnessTest::arg).toArray(Arg[]::new);
    Call call = Call.fixed(target(method), dir, null, a);
    return Contract.judge(call, call.run(timeoutMillis));
  }

  private Verdict judge(String method, Object... args) {
    return judgeWithin(2000, method, args);
  }

  private static String kinds(Verdict v) {
    return v.problems().stream().map(Problem::kind).collect(Collectors.joining("; "));
  }

  @Test
  void indexOutOfBounds_isOutsideTheContract() {
    Verdict v = judge("indexOutOfBounds", 5);
    assertEquals(Category.OUTSIDE, v.category());
    assertEquals(1, v.problems().size(), () -> kinds(v));
    assertEquals("ArrayIndexOutOfBoundsException is outside the contract", v.problems().get(0).kind());
    assertEquals("indexOutOfBounds", v.problems().get(0).frame().getMethodName());
  }

  @Test
  void jdkNpe_isReported_namedNpeIsNot() {
    Verdict jdk = judge("jdkNpe", (Object) null);
    assertEquals(Category.NPE, jdk.category());
    assertEquals("NullPointerException with the JDK's message, not one naming the op", kinds(jdk));

    Verdict named = judge("namedNpe", (Object) null);
    assertEquals(Category.NPE, named.category());
    assertEquals(List.of(), named.problems());
  }

  @Test
  void npeWithoutNullArgument_isReported() {
    Verdict v = judge("npeWithoutNullArgument", Tensor.zeros(2));
    assertEquals("NullPointerException although no argument is or holds null", kinds(v));
  }

  @Test
  void iaeWithoutMessage_isReported_iaeWithMessageIsNot() {
    assertEquals("IllegalArgumentException without a message", kinds(judge("silentIae", 1)));
    Verdict named = judge("namedIae", 1);
    assertEquals(Category.IAE_FAMILY, named.category());
    assertEquals(List.of(), named.problems());
  }

  @Test
  void iaeForNullArgument_isReported() {
    assertEquals("IllegalArgumentException for a null argument (NPE expected)",
        kinds(judge("iaeForNull", (Object) null)));
  }

  @Test
  void hangingCall_isStoppedAndReportedWhereItHangs() {
    long t0 = System.nanoTime();
    Verdict v = judgeWithin(200, "spin", 1);
    long millis = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(Category.TIMEOUT, v.category());
    assertEquals("timeout", kinds(v));
    assertEquals("spin", v.problems().get(0).frame().getMethodName());
    assertTrue(millis < 1500, () -> "took " + millis + " ms");
  }

  @Test
  void throwAfterInPlaceChange_isReported() {
    Tensor t = Tensor.zeros(3);
    Verdict v = judge("throwAfterUpdate", t);
    assertEquals(Category.IAE_FAMILY, v.category());
    assertTrue(kinds(v).startsWith("threw IllegalArgumentException after an in-place change (argument 0 [3]: version 0 -> 1"),
        () -> kinds(v));
  }

  @Test
  void consistentTensor_passes() {
    // The check that a returned batch, split or loader holds no null has no planted case: the
    // records refuse null components where they are made (NullContractTest), so no value of the
    // library's types can hold one any more.
    assertEquals(List.of(), judge("fine").problems());
  }

  @Test
  void run_countsEqualBreachesAsOneFinding() {
    Target t = target("indexOutOfBounds");
    FuzzRun run = FuzzRun.forTargets(List.of(t), dir);
    for (int i = 0; i < 3; i++) {
      Call call = Call.fixed(t, dir, null, arg(i));
      Call.Outcome o = call.run(2000);
      run.record(call, Contract.judge(call, o), o.thrown());
    }
    assertEquals(3, run.calls());
    assertEquals(1, run.findings().size());
    assertEquals(3, run.findings().get(0).count);
    assertEquals("sizes", run.findings().get(0).area);
    assertTrue(run.report().contains("ArrayIndexOutOfBoundsException is outside the contract"), run::report);
  }
}
