package dev.cadena.tensor.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class ParallelTest {

  private static void withThreads(int threads, Runnable body) {
    int before = Parallel.threads();
    Parallel.setThreads(threads);
    try {
      body.run();
    } finally {
      Parallel.setThreads(before);
    }
  }

  /** Runs forRange and returns how often each index was visited; checks the ranges are sane. */
  private static AtomicIntegerArray visits(int n, long cost) {
    AtomicIntegerArray seen = new AtomicIntegerArray(n);
    Parallel.forRange(n, cost, (start, end) -> {
      assertTrue(0 <= start && start < end && end <= n, start + ".." + end + " of " + n);
      for (int i = start; i < end; i++) {
        seen.incrementAndGet(i);
      }
    });
    return seen;
  }

  @Property(tries = 100, seed = "7")
  void forRange_anyNAndCost_visitsEveryIndexOnce(
      @ForAll @IntRange(min = 0, max = 3000) int n,
      @ForAll @LongRange(min = 0, max = 1_000_000) long cost,
      @ForAll @IntRange(min = 1, max = 5) int threads) {
    withThreads(threads, () -> {
      AtomicIntegerArray seen = visits(n, cost);
      for (int i = 0; i < n; i++) {
        assertEquals(1, seen.get(i), "index " + i);
      }
    });
  }

  @Test
  void forRange_smallWork_runsOnCallerInOneChunk() {
    withThreads(4, () -> {
      List<Thread> runners = new ArrayList<>();
      AtomicInteger calls = new AtomicInteger();
      Parallel.forRange(100, (Parallel.SERIAL_THRESHOLD - 1) / 100, (s, e) -> {
        runners.add(Thread.currentThread());
        calls.incrementAndGet();
        assertEquals(0, s);
        assertEquals(100, e);
      });
      assertEquals(1, calls.get());
      assertSame(Thread.currentThread(), runners.get(0));
    });
  }

  @Test
  void forRange_largeWork_usesSeveralChunks() {
    withThreads(2, () -> {
      AtomicInteger calls = new AtomicInteger();
      Parallel.forRange(1000, Parallel.SERIAL_THRESHOLD, (s, e) -> calls.incrementAndGet());
      assertTrue(calls.get() > 1, "chunks: " + calls.get());
      assertTrue(calls.get() <= 8, "chunks: " + calls.get());
    });
  }

  @Test
  void forRange_nestedInsideWorkers_completes() {
    withThreads(2, () -> {
      AtomicInteger total = new AtomicInteger();
      Parallel.forRange(8, Parallel.SERIAL_THRESHOLD, (s, e) -> {
        for (int i = s; i < e; i++) {
          Parallel.forRange(8, Parallel.SERIAL_THRESHOLD, (s2, e2) -> {
            Parallel.forRange(50, Parallel.SERIAL_THRESHOLD, (s3, e3) -> total.addAndGet(e3 - s3));
          });
        }
      });
      // 8 outer items, each running the middle loop (8 items) once per chunk of the middle loop.
      assertEquals(0, total.get() % 50);
      assertTrue(total.get() >= 8 * 50, "total " + total.get());
    });
  }

  @Test
  void forRange_nestedSum_isExact() {
    withThreads(3, () -> {
      AtomicIntegerArray seen = new AtomicIntegerArray(40 * 40);
      Parallel.forRange(40, Parallel.SERIAL_THRESHOLD, (s, e) -> {
        for (int i = s; i < e; i++) {
          int row = i;
          Parallel.forRange(40, Parallel.SERIAL_THRESHOLD, (s2, e2) -> {
            for (int j = s2; j < e2; j++) {
              seen.incrementAndGet(row * 40 + j);
            }
          });
        }
      });
      for (int i = 0; i < seen.length(); i++) {
        assertEquals(1, seen.get(i), "index " + i);
      }
    });
  }

  @Test
  void forRange_fromSeveralUserThreads_visitsEveryIndexOnce() throws Exception {
    withThreads(2, () -> {
      ExecutorService users = Executors.newFixedThreadPool(4);
      try {
        List<Future<AtomicIntegerArray>> futures = new ArrayList<>();
        for (int u = 0; u < 16; u++) {
          futures.add(users.submit(() -> visits(5000, Parallel.SERIAL_THRESHOLD)));
        }
        for (Future<AtomicIntegerArray> f : futures) {
          AtomicIntegerArray seen = f.get();
          for (int i = 0; i < seen.length(); i++) {
            assertEquals(1, seen.get(i));
          }
        }
      } catch (Exception e) {
        throw new AssertionError(e);
      } finally {
        users.shutdown();
      }
    });
  }

  @Test
  void forRange_manyCallsBackToBack_visitEveryIndexOnce() {
    // Workers stay spinning between these calls and pick up the next one from the offers queue;
    // a lost or doubled offer would show as a missing or repeated index, or as a hang.
    withThreads(2, () -> {
      for (int call = 0; call < 5000; call++) {
        int n = 1 + call % 37;
        AtomicIntegerArray seen = visits(n, Parallel.SERIAL_THRESHOLD);
        for (int i = 0; i < n; i++) {
          assertEquals(1, seen.get(i), "call " + call + ", index " + i);
        }
      }
    });
  }

  @Test
  void forRange_bodyThrows_rethrowsOnCaller() {
    withThreads(2, () -> {
      IllegalStateException thrown = new IllegalStateException("boom");
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> Parallel.forRange(64, Parallel.SERIAL_THRESHOLD, (s, end) -> {
            if (s <= 40 && 40 < end) {
              throw thrown;
            }
          }));
      assertSame(thrown, e);
    });
  }

  @Test
  void forRange_badArguments_throw() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Parallel.forRange(-1, 1, (s, end) -> { }));
    assertEquals("Parallel.forRange: n and costPerItem must be >= 0, got n=-1, costPerItem=1",
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Parallel.forRange(3, -5, (s, end) -> { }));
    assertThrows(NullPointerException.class, () -> Parallel.forRange(3, 1, null));
  }

  @Test
  void forRange_zeroItems_neverCallsBody() {
    Parallel.forRange(0, 1000, (s, e) -> {
      throw new AssertionError("called");
    });
  }

  @Test
  void setThreads_zero_throwsNamingValue() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(0));
    assertEquals("Parallel.setThreads: thread count must be >= 1, got 0", e.getMessage());
  }

  @Test
  void setThreads_changesThreads() {
    withThreads(3, () -> assertEquals(3, Parallel.threads()));
  }
}
