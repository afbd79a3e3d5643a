package dev.cadena.fuzz;

import dev.cadena.Tensor;
import dev.cadena.fuzz.ApiSurface.Target;
import dev.cadena.fuzz.Contract.Category;
import dev.cadena.fuzz.Contract.Problem;
import dev.cadena.fuzz.Contract.Verdict;
import dev.cadena.io.Mnist;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The state of one fuzz run: which target comes next, the counts per outcome category and per
 * class, and the distinct contract breaches found, each kept once (by target, kind, exception type
 * and top frame) with its first example call and how often it happened.
 */
final class FuzzRun {
  /** The time limit of one call, results checks included. */
  static final long TIMEOUT_MILLIS = Long.getLong("cadena.fuzz.timeoutMillis", 2000);

  /**
   * Restricts the run to targets whose name contains this text, e.g.
   * {@code -Dcadena.fuzz.only=Tensor#slice} to rerun one method's calls.
   */
  static final String ONLY = System.getProperty("cadena.fuzz.only", "");

  /** The areas findings are grouped by: who fixes them. */
  static final List<String> AREAS = List.of("nulls", "sizes", "files", "numerics/messages", "other");

  private static FuzzRun current;

  final List<Target> targets;
  final Path dir;
  private final long startNanos = System.nanoTime();
  private long endNanos;
  private int calls;
  private final Set<String> quarantined = new HashSet<>();
  final Provocations provocations = new Provocations();

  /**
   * Hostile inputs that the run stops making once they made {@link #ENOUGH} calls time out: each
   * such call costs the whole time limit, and the first few already report the hang. Reading a
   * named pipe blocks forever (until the loaders refuse what is not a regular file); printing a
   * result hangs where toString costs more than it prints.
   */
  static final class Provocations {
    static final int ENOUGH = 3;
    private int pipeTimeouts;
    private int printTimeouts;

    boolean namedPipes() {
      return pipeTimeouts < ENOUGH;
    }

    boolean printing() {
      return printTimeouts < ENOUGH;
    }
  }
  private final EnumMap<Category, Integer> categories = new EnumMap<>(Category.class);
  private final Map<String, Integer> perClass = new TreeMap<>();
  private final Map<String, int[]> perTarget = new LinkedHashMap<>();
  private final Map<String, Finding> findings = new LinkedHashMap<>();
  /** IllegalArgumentException messages whose op prefix differs from the method's name. */
  private final Map<String, String> messageHints = new TreeMap<>();

  /** A distinct breach of the contract. */
  static final class Finding {
    final String area;
    final String target;
    final String kind;
    final String detail;
    final String frame;
    final String example;
    int count;

    Finding(String area, String target, String kind, String detail, String frame, String example) {
      this.area = area;
      this.target = target;
      this.kind = kind;
      this.detail = detail;
      this.frame = frame;
      this.example = example;
    }
  }

  private FuzzRun(List<Target> targets, Path dir) {
    this.targets = targets;
    this.dir = dir;
    for (Category c : Category.values()) {
      categories.put(c, 0);
    }
    for (int i = 0; i < targets.size(); i++) {
      perTarget.put(targets.get(i).name(), new int[2]);
      schedule.add(new Slot(targets.get(i), i));
    }
  }

  static synchronized FuzzRun start() {
    List<Target> ts = ApiSurface.targets().stream().filter(t -> t.name().contains(ONLY)).toList();
    if (ts.isEmpty()) {
      throw new IllegalStateException("no fuzz target matches cadena.fuzz.only=" + ONLY);
    }
    warmUp();
    try {
      current = new FuzzRun(ts, Files.createTempDirectory("cadena-fuzz"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return current;
  }

  /** A run over the given targets without warm-up, for harness tests. */
  static FuzzRun forTargets(List<Target> targets, Path dir) {
    return new FuzzRun(targets, dir);
  }

  static synchronized FuzzRun current() {
    if (current == null) {
      throw new IllegalStateException("no fuzz run in progress");
    }
    return current;
  }

  /**
   * Loads what the first calls would otherwise load under the time limit (the embedded digits,
   * the classes of the tensor kernels).
   */
  private static void warmUp() {
    Mnist.embedded();
    Tensor.randn(new java.util.SplittableRandom(1), 8, 8).matmul(Tensor.ones(8, 8)).sum().item();
    ApiSurface.targets();
  }

  /** A target's place in the schedule: it is due when its pass is the smallest. */
  private static final class Slot {
    final Target target;
    final int index;
    double pass;

    Slot(Target target, int index) {
      this.target = target;
      this.index = index;
      this.pass = 1 / target.weight();
    }
  }

  private final PriorityQueue<Slot> schedule = new PriorityQueue<>(
      Comparator.comparingDouble((Slot s) -> s.pass).thenComparingInt(s -> s.index));

  /**
   * The next target, by stride scheduling: each target in turn, as often as its weight says
   * ({@link ApiSurface#weight}), evenly spread over the run; a target that timed out once is
   * skipped from then on (a hang costs the whole time limit; one is enough to report it).
   */
  synchronized Target next() {
    for (int guard = 0; guard <= targets.size(); guard++) {
      Slot s = schedule.poll();
      s.pass += 1 / s.target.weight();
      schedule.add(s);
      if (!quarantined.contains(s.target.name())) {
        return s.target;
      }
    }
    throw new IllegalStateException("every fuzz target timed out");
  }

  /** Counts a call, and keeps what in it breaks the contract; {@code thrown} is what it threw. */
  synchronized void record(Call call, Verdict v, Throwable thrown) {
    calls++;
    categories.merge(v.category(), 1, Integer::sum);
    perClass.merge(ApiSurface.relativeName(call.target.owner()), 1, Integer::sum);
    int[] counts = perTarget.get(call.target.name());
    counts[0]++;
    if (v.category() == Category.RETURNED) {
      counts[1]++;
    }
    if (v.category() == Category.TIMEOUT) {
      quarantined.add(call.target.name());
      if (call.usesNamedPipe()) {
        provocations.pipeTimeouts++;
      }
      if (v.problems().get(0).kind().startsWith("timeout while using the result")) {
        provocations.printTimeouts++;
      }
    }
    if (v.category() == Category.IAE_FAMILY && v.problems().isEmpty() && thrown != null) {
      hintAtMessage(call, call.target.executable().getName(), String.valueOf(thrown.getMessage()));
    }
    for (Problem p : v.problems()) {
      String frame = Contract.frameText(p.frame());
      String type = p.cause() == null ? "" : p.cause().getClass().getName();
      String sameType = call.target.name() + "|" + type + "|";
      Finding f;
      if (p.cause() != null && p.cause().getStackTrace().length == 0) {
        // The JVM throws a hot implicit exception (NPE, AIOOBE, ...) from compiled code without
        // stack trace or message (-XX:+OmitStackTraceInFastThrow, the default): the same breach as
        // the one with a stack trace, if that was seen.
        f = findings.entrySet().stream().filter(e -> e.getKey().startsWith(sameType))
            .map(Map.Entry::getValue).findFirst().orElse(null);
        if (f == null) {
          f = findings.computeIfAbsent(sameType + "no stack", k -> new Finding(area(call, p),
              call.target.name(), p.kind() + " (thrown by the JVM without stack trace or message:"
              + " a hot implicit exception)", p.detail(), null, call.describe()));
        }
      } else {
        String key = sameType + frame + "|" + p.kind();
        f = findings.computeIfAbsent(key, k -> new Finding(
            area(call, p), call.target.name(), p.kind(), p.detail(), frame, call.describe()));
      }
      f.count++;
    }
  }

  /**
   * Notes a message whose op prefix ({@code "<op>: ..."}) is not the method's name nor a part of
   * it, or that has no prefix: not a breach (aliases like cat and concat name one op), but the
   * list helps to find messages that name the wrong op ({@code min} saying {@code max:}).
   */
  private void hintAtMessage(Call call, String method, String message) {
    if (call.target.owner() == dev.cadena.nn.Checks.class
        || (call.target.owner().isEnum() && method.equals("valueOf"))) {
      return; // the op name is an argument; the JDK writes valueOf's message
    }
    String name = method.equals("<init>") ? call.target.owner().getSimpleName() : method;
    int colon = message.indexOf(':');
    String prefix = colon > 0 && colon <= 40 ? message.substring(0, colon) : "";
    String p = prefix.toLowerCase(Locale.ROOT).replace("_", "");
    String n = name.toLowerCase(Locale.ROOT).replace("_", "");
    if (p.isEmpty() || !(p.contains(n) || n.contains(p))) {
      String key = "`" + call.target.name() + "` says `" + (prefix.isEmpty() ? "(no op prefix)" : prefix + ":") + "`";
      messageHints.putIfAbsent(key, Contract.abbreviate(message, 160));
    }
  }

  /** The message hints, one line each (Markdown). */
  String messageHints() {
    StringBuilder sb = new StringBuilder();
    messageHints.forEach((k, m) -> sb.append("- ").append(k).append(": ").append(m).append('\n'));
    return sb.toString();
  }

  /** Whose area a finding is: nulls, sizes, files, numerics/messages, or other. */
  static String area(Call call, Problem p) {
    String kind = p.kind();
    Throwable t = p.cause();
    boolean io = call.target.packageName().equals("io") || touchesFiles(call);
    if ((t instanceof NullPointerException && !kind.contains("although no argument"))
        || kind.contains("for a null argument") || kind.equals("returned object holds null")
        || (kind.startsWith("using ") && call.anyNull())) {
      return "nulls";
    }
    if (io || t instanceof IOException || t instanceof UncheckedIOException) {
      return "files";
    }
    if (kind.startsWith("timeout") || kind.contains("shape") || kind.contains("negative size")
        || kind.contains("data does not match") || t instanceof OutOfMemoryError
        || t instanceof NegativeArraySizeException || t instanceof IndexOutOfBoundsException
        || t instanceof ArithmeticException) {
      return "sizes";
    }
    if (kind.contains("without a message") || kind.contains("empty toString")) {
      return "numerics/messages";
    }
    return "other";
  }

  private static boolean touchesFiles(Call call) {
    for (Class<?> c : call.target.executable().getParameterTypes()) {
      if (c == Path.class || c == InputStream.class || c == OutputStream.class) {
        return true;
      }
    }
    return false;
  }

  synchronized void finish() {
    endNanos = System.nanoTime();
    World.deleteTree(dir);
  }

  int calls() {
    return calls;
  }

  List<Finding> findings() {
    return new ArrayList<>(findings.values());
  }

  double seconds() {
    return ((endNanos == 0 ? System.nanoTime() : endNanos) - startNanos) / 1e9;
  }

  /** Targets that never returned normally in this run (a sign the typical pools miss them). */
  List<String> neverReturned() {
    return perTarget.entrySet().stream().filter(e -> e.getValue()[0] > 0 && e.getValue()[1] == 0)
        .map(Map.Entry::getKey).toList();
  }

  /** One line: calls, duration, the count per category, the findings per area. */
  String summary() {
    String cats = categories.entrySet().stream().map(e -> e.getKey().label + " " + e.getValue())
        .collect(Collectors.joining(", "));
    Map<String, Long> byArea = new LinkedHashMap<>();
    for (String a : AREAS) {
      byArea.put(a, findings.values().stream().filter(f -> f.area.equals(a)).count());
    }
    String areas = byArea.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
        .collect(Collectors.joining(", "));
    String stopped = (quarantined.isEmpty() ? "" : "; " + quarantined.size() + " targets skipped after a timeout")
        + (provocations.namedPipes() ? "" : "; named pipes no longer made after " + Provocations.ENOUGH + " hangs")
        + (provocations.printing() ? "" : "; results no longer printed after " + Provocations.ENOUGH + " hangs");
    return String.format(Locale.ROOT,
        "PublicApiFuzzTest: %d calls to %d targets in %.1f s (%.2f ms/call, time limit %d ms): %s;"
            + " %d distinct findings (%s); %d targets never returned normally%s",
        calls, targets.size(), seconds(), 1000 * seconds() / Math.max(1, calls), TIMEOUT_MILLIS,
        cats, findings.size(), areas, neverReturned().size(), stopped);
  }

  /** The calls per class, one line. */
  String perClassLine() {
    return "PublicApiFuzzTest calls per class: " + perClass.entrySet().stream()
        .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
  }

  /**
   * Every finding, grouped by area, and within an area by kind and top frame (one cause, often
   * reached from many methods), with each method's count and the first example call (Markdown).
   */
  String report() {
    StringBuilder sb = new StringBuilder();
    for (String a : AREAS) {
      List<Finding> fs = findings.values().stream().filter(f -> f.area.equals(a)).toList();
      if (fs.isEmpty()) {
        continue;
      }
      sb.append("\n## ").append(a).append(" (").append(fs.size()).append(" distinct)\n");
      Map<String, List<Finding>> byCause = new LinkedHashMap<>();
      for (Finding f : fs) {
        byCause.computeIfAbsent(f.kind + " @ " + f.frame, k -> new ArrayList<>()).add(f);
      }
      for (List<Finding> group : byCause.values()) {
        Finding first = group.get(0);
        sb.append("- ").append(first.kind);
        if (first.frame != null) {
          sb.append(", at `").append(first.frame).append('`');
        }
        sb.append(": ").append(group.stream().map(f -> "`" + f.target + "` (" + f.count + ")")
            .collect(Collectors.joining(", ")));
        sb.append("\n  - ").append(first.detail == null ? "" : first.detail + "; ")
            .append("e.g. ").append(first.example).append('\n');
      }
    }
    return sb.toString();
  }
}
