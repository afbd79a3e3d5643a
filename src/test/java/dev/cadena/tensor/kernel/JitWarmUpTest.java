package dev.cadena.tensor.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The warm-up's compiler directive: in force while a warm-up runs, gone once it ends, never left
 * behind by a warm-up that ends before the directive could be added. The tests run on HotSpot
 * (the JDKs the README names), which has the {@code DiagnosticCommand} MBean.
 */
class JitWarmUpTest {
  private static final String PATTERN = "dev/cadena/tensor/kernel/*.*";

  @Test
  void foregroundCompiles_inForceUntilClosed() throws Exception {
    for (String mode : new String[] {"sync", "async"}) {
      inForceUntilClosed(JitWarmUp.ForegroundCompiles.start(mode));
    }
  }

  private static void inForceUntilClosed(JitWarmUp.ForegroundCompiles f) throws Exception {
    f.join(30_000);
    try {
      assertTrue(f.describe().startsWith("foreground compiles from "), f.describe());
      String stack = JitWarmUp.ForegroundCompiles.printDirectives();
      assertTrue(stack.contains(PATTERN), stack);
      assertTrue(stack.contains("BackgroundCompilation:false"), stack);
    } finally {
      f.close();
    }
    assertFalse(JitWarmUp.ForegroundCompiles.printDirectives().contains(PATTERN));
    assertEquals("background compiles", f.describe());
  }

  /**
   * {@link JitWarmUp.ForegroundCompiles#prepare} writes one directive file, which the first
   * warm-up takes and deletes: a second one (float32 after float64, say) must write its own.
   */
  @Test
  void foregroundCompiles_afterPrepare_inForceTwiceInARow() throws Exception {
    JitWarmUp.ForegroundCompiles.prepare();
    JitWarmUp.ForegroundCompiles.prepare();
    inForceUntilClosed(JitWarmUp.ForegroundCompiles.start("sync"));
    inForceUntilClosed(JitWarmUp.ForegroundCompiles.start("sync"));
  }

  @Test
  void foregroundCompiles_off_addsNothing() throws Exception {
    JitWarmUp.ForegroundCompiles f = JitWarmUp.ForegroundCompiles.start("off");
    assertEquals("background compiles", f.describe());
    assertFalse(JitWarmUp.ForegroundCompiles.printDirectives().contains(PATTERN));
    f.close();
  }

  @Test
  void foregroundCompiles_closedBeforeAdded_addsNothing() throws Exception {
    JitWarmUp.ForegroundCompiles f = JitWarmUp.ForegroundCompiles.start("async");
    f.close();
    f.join(30_000);
    assertFalse(JitWarmUp.ForegroundCompiles.printDirectives().contains(PATTERN));
    assertEquals("background compiles", f.describe());
  }

  @Test
  void run_endsWithTheDirectiveRemoved() throws Exception {
    int[] calls = new int[1];
    int made = JitWarmUp.run(() -> calls[0]++, () -> calls[0]++);
    assertEquals(calls[0], made);
    assertFalse(JitWarmUp.ForegroundCompiles.printDirectives().contains(PATTERN));
  }

  /**
   * A scalar kernel's warm-up: a fixed number of calls, with the directive in force once {@link
   * JitWarmUp.ForegroundCompiles#prepare} has made the MBean server, and removed after.
   */
  @Test
  void repeat_afterPrepare_fixedCallsInForeground_directiveRemoved() throws Exception {
    JitWarmUp.ForegroundCompiles.prepare();
    // Waits for the prepared server (the sync start does), so that repeat takes it.
    JitWarmUp.ForegroundCompiles.start("sync").close();
    int[] calls = new int[1];
    String[] stackDuring = new String[1];
    JitWarmUp.repeat(() -> {
      if (calls[0]++ == 0) {
        try {
          stackDuring[0] = JitWarmUp.ForegroundCompiles.printDirectives();
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      }
    });
    assertEquals(JitWarmUp.REPEAT_CALLS, calls[0]);
    assertTrue(stackDuring[0].contains(PATTERN), stackDuring[0]);
    assertFalse(JitWarmUp.ForegroundCompiles.printDirectives().contains(PATTERN));
  }

  /** Both halves run, on two threads, until quiet; the calls returned are theirs together. */
  @Test
  void runBoth_callsBothHalvesOnTwoThreads_directiveRemoved() throws Exception {
    AtomicInteger first = new AtomicInteger();
    AtomicInteger second = new AtomicInteger();
    Thread[] threads = new Thread[2];
    int made = JitWarmUp.runBoth(() -> {
      first.incrementAndGet();
      threads[0] = Thread.currentThread();
    }, () -> {
      second.incrementAndGet();
      threads[1] = Thread.currentThread();
    });
    assertTrue(first.get() > 0 && second.get() > 0, first + " " + second);
    assertEquals(first.get() + second.get(), made);
    assertEquals(Thread.currentThread(), threads[0]);
    assertTrue(threads[1] != null && threads[1] != threads[0], String.valueOf(threads[1]));
    assertFalse(JitWarmUp.ForegroundCompiles.printDirectives().contains(PATTERN));
  }

  /** A failure in the second half reaches the caller. */
  @Test
  void runBoth_secondHalfThrows_rethrownHere() {
    IllegalStateException boom = new IllegalStateException("boom");
    IllegalStateException thrown = org.junit.jupiter.api.Assertions.assertThrows(
        IllegalStateException.class, () -> JitWarmUp.runBoth(() -> { }, () -> {
          throw boom;
        }));
    assertEquals(boom, thrown);
  }

  /**
   * A warm-up that runs out of stack returns instead of throwing: it runs in a kernel's class
   * initialiser, and an error there would leave the kernel unusable (NoClassDefFoundError).
   */
  @Test
  void repeat_stackOverflow_returnsWithTheDirectiveRemoved() throws Exception {
    int[] calls = new int[1];
    JitWarmUp.repeat(() -> {
      calls[0]++;
      recurseForever(0);
    });
    assertEquals(1, calls[0]);
    assertFalse(JitWarmUp.ForegroundCompiles.printDirectives().contains(PATTERN));
  }

  private static int recurseForever(int depth) {
    return recurseForever(depth + 1) + 1;
  }
}
