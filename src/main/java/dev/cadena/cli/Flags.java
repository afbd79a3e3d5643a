package dev.cadena.cli;

import static com.google.common.base.Preconditions.checkNotNull;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A small command-line flag parser: typed flags with defaults, {@code --name value} and {@code
 * --name=value} forms, switches without a value, generated help, and clear errors.
 *
 * <p>Errors are {@link UsageException}s naming the program, the flag and the value:
 *
 * <pre>
 * cadena: unknown flag --epoch (did you mean --epochs?)
 * cadena: --lr: expected a finite number &gt; 0.0, got 'fast'
 * cadena: --batch-size needs a value (N)
 * </pre>
 *
 * <p>{@code --help} (or {@code -h}) is always defined. {@link #parseOrExit} handles it and the
 * errors the usual way: help to standard output and exit status 0; an error and a hint to
 * standard error and exit status {@value UsageException#EXIT_STATUS}.
 *
 * <p>Example:
 *
 * <pre>{@code
 * Flags flags = new Flags("cadena", "Trains a classifier on MNIST.");
 * Flags.Flag<Integer> epochs = flags.add("epochs", "N", 10, "passes over the data", ValueParser.ints(1, 10_000));
 * Flags.Flag<Boolean> verbose = flags.addSwitch("verbose", "print every batch");
 * Flags.Parsed parsed = flags.parseOrExit(args);
 * int n = parsed.get(epochs);
 * }</pre>
 *
 * <p>Definitions are not thread-safe; a {@link Parsed} result is immutable.
 */
public final class Flags {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]*");

  private final String program;
  private final String description;
  private final Map<String, Flag<?>> flags = new LinkedHashMap<>();
  private final Flag<Boolean> help;

  /**
   * An empty set of flags with {@code --help}.
   *
   * @param program the name used in messages and help, e.g. {@code "cadena"}
   * @param description one or more sentences for the help text; may be empty (or null)
   * @throws NullPointerException if {@code program} is null
   * @throws IllegalArgumentException if {@code program} is empty
   */
  public Flags(String program, @Nullable String description) {
    checkNotNull(program, "Flags: program is null");
    if (program.isEmpty()) {
      throw new IllegalArgumentException("flags: program name must not be empty");
    }
    this.program = program;
    this.description = description == null ? "" : description;
    this.help = addSwitch("help", "show this help and exit");
  }

  /**
   * A flag definition: name, value type, default and help. Obtained from {@link Flags#add} and
   * used as a key into {@link Parsed}.
   *
   * @param <T> the value type
   */
  public static final class Flag<T> {
    private final Flags owner;
    private final String name;
    private final String valueName;
    private final T defaultValue;
    private final String help;
    private final ValueParser<T> parser;

    private Flag(
        Flags owner, String name, String valueName, T defaultValue, String help, ValueParser<T> parser) {
      this.owner = owner;
      this.name = name;
      this.valueName = valueName;
      this.defaultValue = defaultValue;
      this.help = help;
      this.parser = parser;
    }

    /** The name without dashes, e.g. {@code "batch-size"}. */
    public String name() {
      return name;
    }

    /** The default value; {@code null} when the flag has none. */
    public T defaultValue() {
      return defaultValue;
    }

    /** Whether the flag takes no value (a switch). */
    public boolean isSwitch() {
      return valueName == null;
    }

    @Override
    public String toString() {
      return "--" + name + (isSwitch() ? "" : " " + valueName);
    }
  }

  /**
   * Defines {@code --name VALUE}.
   *
   * @param name lowercase letters, digits and dashes, starting with a letter, e.g. {@code
   *     "batch-size"}
   * @param valueName how help shows the value, e.g. {@code "N"} or {@code "sgd|adam"}
   * @param defaultValue the value when the flag is absent; {@code null} for none
   * @param parser checks and converts the text; the default does not go through it
   * @throws NullPointerException if {@code name}, {@code valueName}, {@code help} or {@code
   *     parser} is null
   * @throws IllegalArgumentException if the name is malformed or already defined
   */
  public <T> Flag<T> add(
      String name, String valueName, @Nullable T defaultValue, String help, ValueParser<T> parser) {
    checkNotNull(name, "Flags.add: name is null");
    checkNotNull(valueName, "Flags.add: valueName is null");
    checkNotNull(help, "Flags.add: help is null");
    checkNotNull(parser, "Flags.add: parser is null");
    return define(new Flag<>(this, checkName(name), valueName, defaultValue, help, parser));
  }

  /**
   * Defines a switch {@code --name} that takes no value: absent is false, present is true.
   *
   * @throws NullPointerException if {@code name} or {@code help} is null
   * @throws IllegalArgumentException if the name is malformed or already defined
   */
  public Flag<Boolean> addSwitch(String name, String help) {
    checkNotNull(name, "Flags.addSwitch: name is null");
    checkNotNull(help, "Flags.addSwitch: help is null");
    return define(new Flag<>(this, checkName(name), null, false, help, null));
  }

  private String checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "flags: name must be lowercase letters, digits and dashes, got '" + name + "'");
    }
    if (flags.containsKey(name)) {
      throw new IllegalArgumentException("flags: --" + name + " is defined twice");
    }
    return name;
  }

  private <T> Flag<T> define(Flag<T> flag) {
    flags.put(flag.name, flag);
    return flag;
  }

  /** The built-in {@code --help} switch. */
  public Flag<Boolean> helpFlag() {
    return help;
  }

  /** The values of one command line. */
  public static final class Parsed {
    private final Flags owner;
    private final Map<Flag<?>, Object> values;

    private Parsed(Flags owner, Map<Flag<?>, Object> values) {
      this.owner = owner;
      this.values = Collections.unmodifiableMap(values);
    }

    /**
     * The value given for {@code flag}, or its default.
     *
     * @throws IllegalArgumentException if {@code flag} belongs to another {@link Flags}
     */
    @SuppressWarnings("unchecked") // values are stored under their own flag, so the cast holds
    public <T> T get(Flag<T> flag) {
      checkNotNull(flag, "Parsed.get: flag is null");
      checkOwner(flag);
      return values.containsKey(flag) ? (T) values.get(flag) : flag.defaultValue;
    }

    /** Whether {@code flag} appeared on the command line. */
    public boolean isSet(Flag<?> flag) {
      checkNotNull(flag, "Parsed.isSet: flag is null");
      checkOwner(flag);
      return values.containsKey(flag);
    }

    /** Whether {@code --help} or {@code -h} was given. */
    public boolean helpRequested() {
      return get(owner.help);
    }

    private void checkOwner(Flag<?> flag) {
      if (flag.owner != owner) {
        throw new IllegalArgumentException(
            "flags: " + flag + " is not a flag of " + owner.program);
      }
    }
  }

  /** A NullPointerException naming the op and the first null argument, if any. */
  private static void checkArgs(String op, String[] args) {
    checkNotNull(args, "%s: args is null", op);
    for (int i = 0; i < args.length; i++) {
      if (args[i] == null) {
        throw new NullPointerException(op + ": args[" + i + "] is null");
      }
    }
  }

  /**
   * Parses {@code args}. With {@code --help} the other flags are still checked.
   *
   * @throws UsageException for an unknown flag, a positional argument, a flag given twice, a
   *     missing value, a value given to a switch, or a value the flag's parser rejects
   */
  public Parsed parse(String... args) {
    checkArgs("parse", args);
    Map<Flag<?>, Object> values = new IdentityHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("-h")) {
        arg = "--help";
      }
      if (!arg.startsWith("--") || arg.length() == 2) {
        throw usage(
            String.format("unexpected argument '%s' (flags start with --; see --help)", arg));
      }
      int eq = arg.indexOf('=');
      String name = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
      Flag<?> flag = flags.get(name);
      if (flag == null) {
        throw usage("unknown flag --" + name + suggestion(name));
      }
      if (values.containsKey(flag)) {
        throw usage("--" + name + " is given twice");
      }
      if (flag.isSwitch()) {
        if (eq >= 0) {
          throw usage(String.format("--%s takes no value, got '%s'", name, arg.substring(eq + 1)));
        }
        values.put(flag, true);
        continue;
      }
      String text;
      if (eq >= 0) {
        text = arg.substring(eq + 1);
      } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
        text = args[++i];
      } else {
        throw usage(String.format("--%s needs a value (%s)", name, flag.valueName));
      }
      try {
        values.put(flag, flag.parser.parse(text));
      } catch (IllegalArgumentException e) {
        throw usage(String.format("--%s: %s, got '%s'", name, e.getMessage(), text));
      }
    }
    return new Parsed(this, values);
  }

  /**
   * Parses {@code args} for a {@code main} method: prints the help and exits with status 0 on
   * {@code --help}; prints the error and a hint to standard error and exits with status {@value
   * UsageException#EXIT_STATUS} on a usage error.
   */
  public Parsed parseOrExit(String... args) {
    checkArgs("parseOrExit", args);
    int status = handle(args, System.out, System.err);
    if (status >= 0) {
      System.exit(status);
    }
    return parse(args);
  }

  /**
   * The part of {@link #parseOrExit} that can be tested: prints what it would print and returns
   * the exit status, or -1 when the program should go on.
   */
  int handle(String[] args, PrintStream out, PrintStream err) {
    try {
      if (!parse(args).helpRequested()) {
        return -1;
      }
      out.print(help());
      out.flush();
      return 0;
    } catch (UsageException e) {
      err.println(e.getMessage());
      err.println("Run '" + program + " --help' for the list of flags.");
      err.flush();
      return UsageException.EXIT_STATUS;
    }
  }

  private UsageException usage(String message) {
    return new UsageException(program + ": " + message);
  }

  /** A "did you mean" hint for a close flag name, or "". */
  private String suggestion(String name) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String known : flags.keySet()) {
      int d = editDistance(name, known);
      if (d < bestDistance) {
        best = known;
        bestDistance = d;
      }
    }
    return best != null && bestDistance <= Math.max(1, name.length() / 3)
        ? " (did you mean --" + best + "?)"
        : "";
  }

  private static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitute = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(substitute, Math.min(prev[j] + 1, cur[j - 1] + 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  /**
   * The help text: usage line, description, and one line per flag with its default, e.g.
   *
   * <pre>
   *   --epochs N                  passes over the training data (default: 10)
   * </pre>
   */
  public String help() {
    StringBuilder sb = new StringBuilder();
    sb.append("Usage: ").append(program).append(" [flags]\n");
    if (!description.isEmpty()) {
      sb.append('\n').append(description).append('\n');
    }
    sb.append("\nFlags:\n");
    // --help goes last: it is defined first but matters least.
    List<Flag<?>> ordered = new ArrayList<>(flags.values());
    ordered.remove(help);
    ordered.add(help);
    List<String> left = new ArrayList<>();
    int width = 0;
    for (Flag<?> f : ordered) {
      String l = "  " + f;
      left.add(l);
      width = Math.max(width, l.length());
    }
    int i = 0;
    for (Flag<?> f : ordered) {
      String l = left.get(i++);
      sb.append(l).append(" ".repeat(width - l.length() + 2)).append(f.help == null ? "" : f.help);
      if (!f.isSwitch() && f.defaultValue != null) {
        sb.append(" (default: ").append(showDefault(f.defaultValue)).append(')');
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  private static String showDefault(Object value) {
    if (value instanceof List) {
      StringBuilder sb = new StringBuilder();
      for (Object o : (List<?>) value) {
        if (sb.length() > 0) {
          sb.append(',');
        }
        sb.append(o);
      }
      return sb.toString();
    }
    return String.valueOf(value);
  }
}
