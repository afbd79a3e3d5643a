package dev.cadena.cli;

import static com.google.common.base.Preconditions.checkNotNull;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * A progress bar for long jobs such as training epochs:
 *
 * <pre>
 * epoch 3 [=====&gt;    ] 37/62 batches  loss 0.3121  acc 91.2%  4,210 ex/s  ETA 0:03
 * </pre>
 *
 * <p>On a terminal it redraws one line in place with {@code '\r'}, at most every 100 ms. Anywhere
 * else (a CI log, a file) it prints a full line each time another tenth of the work is done, so a
 * bar leaves at most 10 lines in a log, the last of them the final line from {@link #close()}.
 *
 * <p>The rate counts items, e.g. examples, when they are reported with {@link #step(long, long,
 * String)}, and steps otherwise. The ETA assumes the average rate so far holds; the final line
 * shows the elapsed time instead.
 *
 * <p>Example:
 *
 * <pre>{@code
 * try (ProgressBar bar = ProgressBar.builder("epoch 1", batches).unit("batches").rateUnit("ex").build()) {
 *   for (int b = 0; b < batches; b++) {
 *     double loss = trainBatch(b);
 *     bar.step(1, batchSize, String.format("loss %.4f", loss));
 *   }
 * }
 * }</pre>
 *
 * <p>Methods are synchronized, so worker threads may report progress.
 */
public final class ProgressBar implements AutoCloseable {
  private final String label;
  private final long total;
  private final PrintStream out;
  private final String unit;
  private final String rateUnit;
  private final int width;
  private final boolean interactive;
  private final LongSupplier nanoClock;
  private final long redrawIntervalNanos;
  private final int logLines;

  private final long startNanos;
  private long done;
  private long items;
  private String metrics = "";
  private long lastDrawNanos;
  private boolean drawn;
  private int lastLength;
  private int lastLoggedSlot;
  private boolean closed;

  /**
   * A bar writing to {@code out}, redrawing in place when {@code out} is the console's standard
   * output or error and logging a few lines otherwise.
   *
   * @param label the text before the bar; null or empty for none
   * @param total the number of steps; 0 when unknown or empty
   * @throws NullPointerException if {@code out} is null
   * @throws IllegalArgumentException if {@code total} is negative
   */
  public ProgressBar(@Nullable String label, long total, PrintStream out) {
    this(builder(label, total).out(checkNotNull(out, "ProgressBar: out is null")));
  }

  private ProgressBar(Builder b) {
    this.label = b.label;
    this.total = b.total;
    this.out = b.out;
    this.unit = b.unit;
    this.rateUnit = b.rateUnit;
    this.width = b.width;
    this.interactive =
        b.interactive != null
            ? b.interactive
            : System.console() != null && (b.out == System.out || b.out == System.err);
    this.nanoClock = b.nanoClock;
    this.redrawIntervalNanos = b.redrawIntervalMillis * 1_000_000L;
    this.logLines = b.logLines;
    this.startNanos = nanoClock.getAsLong();
  }

  /**
   * A builder for a bar over {@code total} steps.
   *
   * @param label the text before the bar; null or empty for none
   * @throws IllegalArgumentException if {@code total} is negative
   */
  public static Builder builder(@Nullable String label, long total) {
    return new Builder(label, total);
  }

  /** Options of a {@link ProgressBar}; every one has a default. */
  public static final class Builder {
    private final String label;
    private final long total;
    private PrintStream out = System.err;
    private String unit = "";
    private String rateUnit = "";
    private int width = 20;
    private Boolean interactive;
    private LongSupplier nanoClock = System::nanoTime;
    private long redrawIntervalMillis = 100;
    private int logLines = 10;

    private Builder(@Nullable String label, long total) {
      if (total < 0) {
        throw new IllegalArgumentException("progress: total must be >= 0, got " + total);
      }
      this.label = label == null ? "" : label;
      this.total = total;
    }

    /** Where to draw; default {@code System.err}, which keeps standard output for results. */
    public Builder out(PrintStream out) {
      checkNotNull(out, "ProgressBar.Builder.out: out is null");
      this.out = out;
      return this;
    }

    /** The word after the step count, e.g. {@code "batches"}; default (and null) none. */
    public Builder unit(@Nullable String unit) {
      this.unit = unit == null ? "" : unit;
      return this;
    }

    /** The word before {@code /s} for items, e.g. {@code "ex"}; default {@code "it"}; null none. */
    public Builder rateUnit(@Nullable String rateUnit) {
      this.rateUnit = rateUnit == null ? "" : rateUnit;
      return this;
    }

    /**
     * Characters between the brackets; default 20.
     *
     * @throws IllegalArgumentException unless {@code 1 <= width <= 200}
     */
    public Builder width(int width) {
      if (width < 1 || width > 200) {
        throw new IllegalArgumentException("progress: width must be 1..200, got " + width);
      }
      this.width = width;
      return this;
    }

    /** Forces in-place redrawing ({@code true}) or log lines ({@code false}). */
    public Builder interactive(boolean interactive) {
      this.interactive = interactive;
      return this;
    }

    /** The time source in nanoseconds; default {@link System#nanoTime()}. For tests. */
    public Builder clock(LongSupplier nanoClock) {
      checkNotNull(nanoClock, "ProgressBar.Builder.clock: nanoClock is null");
      this.nanoClock = nanoClock;
      return this;
    }

    /**
     * Minimum time between two in-place redraws; default 100 ms.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder redrawIntervalMillis(long millis) {
      if (millis < 0) {
        throw new IllegalArgumentException("progress: redraw interval must be >= 0, got " + millis);
      }
      this.redrawIntervalMillis = millis;
      return this;
    }

    /**
     * Most lines a bar writes when not interactive, the final one included; default 10.
     *
     * @throws IllegalArgumentException if less than 1
     */
    public Builder logLines(int lines) {
      if (lines < 1) {
        throw new IllegalArgumentException("progress: log lines must be >= 1, got " + lines);
      }
      this.logLines = lines;
      return this;
    }

    /** The bar; its clock starts now. */
    public ProgressBar build() {
      return new ProgressBar(this);
    }
  }

  /**
   * Advances by {@code n} steps.
   *
   * @param extraMetrics text shown after the count, e.g. {@code "loss 0.3121  acc 91.2%"}; {@code
   *     null} keeps the previous text
   * @throws IllegalArgumentException if {@code n} is negative
   * @throws IllegalStateException if the bar is closed
   */
  public void step(long n, @Nullable String extraMetrics) {
    step(n, 0, extraMetrics);
  }

  /**
   * Advances by {@code n} steps that processed {@code items} items (e.g. the examples of a batch),
   * which the rate then counts.
   *
   * @throws IllegalArgumentException if {@code n} or {@code items} is negative
   * @throws IllegalStateException if the bar is closed
   */
  public synchronized void step(long n, long items, @Nullable String extraMetrics) {
    if (n < 0 || items < 0) {
      throw new IllegalArgumentException(
          String.format("progress.step: n and items must be >= 0, got n=%d items=%d", n, items));
    }
    checkOpen("step");
    done += n;
    this.items += items;
    if (extraMetrics != null) {
      metrics = extraMetrics;
    }
    maybeDraw();
  }

  /**
   * Sets the number of steps done and the metrics, shown as {@code key value} pairs in map order.
   *
   * @param metrics for example {@code {"loss": "0.3121", "acc": "91.2%"}}; {@code null} keeps the
   *     previous metrics
   * @throws IllegalArgumentException if {@code done} is negative
   * @throws IllegalStateException if the bar is closed
   */
  public synchronized void update(long done, @Nullable Map<String, String> metrics) {
    if (done < 0) {
      throw new IllegalArgumentException("progress.update: done must be >= 0, got " + done);
    }
    checkOpen("update");
    this.done = done;
    if (metrics != null) {
      this.metrics = formatMetrics(metrics);
    }
    maybeDraw();
  }

  /** Prints the final line with the elapsed time and ends it; later calls do nothing. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    String line = render(nanoClock.getAsLong(), true);
    if (interactive) {
      out.print("\r" + line + padding(line) + System.lineSeparator());
    } else {
      out.println(line);
    }
    out.flush();
  }

  private void checkOpen(String op) {
    if (closed) {
      throw new IllegalStateException("progress." + op + ": bar '" + label + "' is closed");
    }
  }

  static String formatMetrics(Map<String, String> metrics) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, String> m : new LinkedHashMap<>(metrics).entrySet()) {
      if (sb.length() > 0) {
        sb.append("  ");
      }
      sb.append(m.getKey()).append(' ').append(m.getValue());
    }
    return sb.toString();
  }

  private void maybeDraw() {
    long now = nanoClock.getAsLong();
    if (interactive) {
      if (!drawn || now - lastDrawNanos >= redrawIntervalNanos) {
        String line = render(now, false);
        out.print("\r" + line + padding(line));
        out.flush();
        lastLength = line.length();
        lastDrawNanos = now;
        drawn = true;
      }
      return;
    }
    // One line each time another 1/logLines of the work is done; the last slot is the final line.
    if (total > 0 && done < total) {
      int slot = (int) Math.min(logLines - 1, done * logLines / total);
      if (slot > lastLoggedSlot) {
        lastLoggedSlot = slot;
        out.println(render(now, false));
        out.flush();
      }
    }
  }

  /** Spaces that erase the rest of a longer previous line. */
  private String padding(String line) {
    return line.length() < lastLength ? " ".repeat(lastLength - line.length()) : "";
  }

  /** The line for the current state; package-private for tests. */
  synchronized String render(long nowNanos, boolean last) {
    StringBuilder sb = new StringBuilder();
    if (!label.isEmpty()) {
      sb.append(label).append(' ');
    }
    sb.append('[').append(bar()).append("] ");
    sb.append(done).append('/').append(total);
    if (!unit.isEmpty()) {
      sb.append(' ').append(unit);
    }
    if (!metrics.isEmpty()) {
      sb.append("  ").append(metrics);
    }
    double seconds = Math.max(0, nowNanos - startNanos) / 1e9;
    if (seconds > 0) {
      boolean countItems = items > 0;
      double rate = (countItems ? items : done) / seconds;
      String what = countItems ? (rateUnit.isEmpty() ? "it" : rateUnit) : (unit.isEmpty() ? "it" : unit);
      sb.append("  ").append(formatRate(rate)).append(' ').append(what).append("/s");
    }
    if (last) {
      sb.append("  in ").append(formatDuration(seconds));
    } else if (done > 0 && seconds > 0) {
      double remaining = Math.max(0, total - done) * seconds / done;
      sb.append("  ETA ").append(formatDuration(remaining));
    } else {
      sb.append("  ETA --:--");
    }
    return sb.toString();
  }

  private String bar() {
    double fraction = total == 0 ? 1 : Math.min(1.0, (double) done / total);
    int filled = (int) (fraction * width);
    if (filled >= width) {
      return "=".repeat(width);
    }
    return "=".repeat(filled) + ">" + " ".repeat(width - filled - 1);
  }

  static String formatRate(double rate) {
    if (rate >= 100) {
      return String.format(Locale.ROOT, "%,.0f", rate);
    }
    if (rate >= 10) {
      return String.format(Locale.ROOT, "%.1f", rate);
    }
    return String.format(Locale.ROOT, "%.2f", rate);
  }

  /** {@code m:ss}, or {@code h:mm:ss} from one hour on; rounded to the nearest second. */
  static String formatDuration(double seconds) {
    long s = Math.round(seconds);
    if (s >= 3600) {
      return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }
    return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
