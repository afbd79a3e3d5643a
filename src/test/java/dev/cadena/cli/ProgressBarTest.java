package dev.cadena.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  private String output() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private void advanceMillis(double millis) {
    now.addAndGet(Math.round(millis * 1e6));
  }

  private ProgressBar.Builder builder(String label, long total) {
    return ProgressBar.builder(label, total).out(out).clock(now::get);
  }

  @Test
  void testStep_rendersDocumentedLine() {
    ProgressBar bar = builder("label", 62).unit("batches").rateUnit("ex").width(10).interactive(true).build();
    advanceMillis(4440);
    bar.step(37, 18_692, "loss 0.3121  acc 91.2%");
    assertEquals(
        "\rlabel [=====>    ] 37/62 batches  loss 0.3121  acc 91.2%  4,210 ex/s  ETA 0:03", output());
  }

  @Test
  void testUpdate_metricsMapInOrderAndStepRate() {
    ProgressBar bar = builder("", 4).width(4).interactive(true).build();
    Map<String, String> m = new LinkedHashMap<>();
    m.put("loss", "1.5");
    m.put("acc", "50.0%");
    advanceMillis(2000);
    bar.update(1, m);
    assertEquals("\r[=>  ] 1/4  loss 1.5  acc 50.0%  0.50 it/s  ETA 0:06", output());
  }

  @Test
  void testInteractive_redrawsAtMostEvery100ms() {
    ProgressBar bar = builder("e", 1000).interactive(true).build();
    for (int i = 0; i < 1000; i++) {
      advanceMillis(1);
      bar.step(1, null);
    }
    bar.close();
    String s = output();
    long redraws = s.chars().filter(c -> c == '\r').count();
    // the first draw, one per 100 ms over one second, and the final line
    assertTrue(redraws >= 10 && redraws <= 12, "redraws " + redraws);
    assertTrue(s.endsWith("e [====================] 1000/1000  1,000 it/s  in 0:01" + System.lineSeparator()), s);
  }

  @Test
  void testInteractive_shorterLineErasesLeftovers() {
    ProgressBar bar = builder("x", 10).width(2).interactive(true).redrawIntervalMillis(0).build();
    advanceMillis(1000);
    bar.step(1, "a long metric text");
    bar.step(1, "");
    String second = output().substring(output().lastIndexOf('\r'));
    String first = output().substring(0, output().lastIndexOf('\r'));
    assertEquals(first.length(), second.length());
    assertTrue(second.endsWith("  "), second);
  }

  @Test
  void testLog_atMostTenLinesPerBar() {
    ProgressBar bar = builder("epoch 1", 62).unit("batches").interactive(false).build();
    for (int i = 0; i < 62; i++) {
      advanceMillis(50);
      bar.step(1, 32, String.format("loss %.4f", 1.0 / (i + 1)));
    }
    bar.close();
    String[] lines = output().split(System.lineSeparator());
    assertEquals(10, lines.length, output());
    assertTrue(lines[0].startsWith("epoch 1 [==>                 ] 7/62 batches  loss 0.1429  640 it/s  ETA 0:03"), lines[0]);
    assertEquals("epoch 1 [====================] 62/62 batches  loss 0.0161  640 it/s  in 0:03", lines[9]);
    assertTrue(output().indexOf('\r') < 0);
  }

  @Test
  void testLog_tinyTotalAndZeroTotal() {
    ProgressBar bar = builder("t", 3).interactive(false).build();
    bar.step(1, null);
    bar.step(1, null);
    bar.step(1, null);
    bar.close();
    assertEquals(3, output().split(System.lineSeparator()).length, output());
    bytes.reset();
    try (ProgressBar empty = builder("z", 0).interactive(false).build()) {
      empty.update(0, Map.of());
    }
    assertEquals("z [====================] 0/0  in 0:00" + System.lineSeparator(), output());
  }

  @Test
  void testClose_idempotentAndRejectsLaterUse() {
    ProgressBar bar = builder("b", 5).interactive(false).build();
    bar.close();
    bar.close();
    assertEquals(1, output().split(System.lineSeparator()).length);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> bar.step(1, null));
    assertEquals("progress.step: bar 'b' is closed", e.getMessage());
  }

  @Test
  void testBadArguments() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProgressBar.builder("x", -1));
    assertEquals("progress: total must be >= 0, got -1", e.getMessage());
    ProgressBar bar = builder("x", 5).interactive(false).build();
    e = assertThrows(IllegalArgumentException.class, () -> bar.step(-2, null));
    assertEquals("progress.step: n and items must be >= 0, got n=-2 items=0", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> bar.update(-1, null));
    assertEquals("progress.update: done must be >= 0, got -1", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ProgressBar.builder("x", 1).width(0));
    assertEquals("progress: width must be 1..200, got 0", e.getMessage());
  }

  @Test
  void testFormatting_durationsAndRates() {
    assertEquals("0:00", ProgressBar.formatDuration(0.4));
    assertEquals("1:05", ProgressBar.formatDuration(65));
    assertEquals("1:00:01", ProgressBar.formatDuration(3601));
    assertEquals("26:00:00", ProgressBar.formatDuration(26 * 3600));
    assertEquals("0.25", ProgressBar.formatRate(0.25));
    assertEquals("12.3", ProgressBar.formatRate(12.34));
    assertEquals("1,234,568", ProgressBar.formatRate(1_234_567.8));
  }
}
