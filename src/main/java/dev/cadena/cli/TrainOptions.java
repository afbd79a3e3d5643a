package dev.cadena.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The command-line options of the main training job, with their flags and defaults:
 *
 * <pre>
 * --epochs N                   passes over the training data (default: 10)
 * --batch-size N               examples per gradient step (default: 64)
 * --lr X                       learning rate (default: 0.001)
 * --optimizer sgd|momentum|adam
 *                              update rule (default: adam)
 * --hidden N,N,...             hidden layer widths (default: 256,128)
 * --seed N                     seed of every random generator (default: 42)
 * --dtype float32|float64      floating-point precision (default: float32)
 * --out PATH                   where to save the trained weights (.safetensors); none by default
 * --help                       show the help and exit
 * </pre>
 *
 * <p>Example, in {@code main}:
 *
 * <pre>{@code
 * TrainOptions options = TrainOptions.parseOrExit(args); // exits 2 on bad flags, 0 on --help
 * for (int epoch = 0; epoch < options.epochs(); epoch++) { ... }
 * }</pre>
 *
 * @param epochs passes over the training data, at least 1
 * @param batchSize examples per step, at least 1
 * @param lr learning rate, finite and positive
 * @param optimizer one of {@link #OPTIMIZERS}
 * @param hidden hidden layer widths, each at least 1; unmodifiable
 * @param seed seed of every random generator
 * @param dtype {@code "float32"} or {@code "float64"}
 * @param out where to save the weights, if anywhere
 */
public record TrainOptions(
    int epochs,
    int batchSize,
    double lr,
    String optimizer,
    List<Integer> hidden,
    long seed,
    String dtype,
    Optional<Path> out) {

  /** The accepted {@code --optimizer} values. */
  public static final List<String> OPTIMIZERS = List.of("sgd", "momentum", "adam");

  /** The accepted {@code --dtype} values. */
  public static final List<String> DTYPES = List.of("float32", "float64");

  private static final Flags FLAGS =
      new Flags("cadena", "Trains a multilayer perceptron on the embedded MNIST digits.");
  private static final Flags.Flag<Integer> EPOCHS =
      FLAGS.add("epochs", "N", 10, "passes over the training data", ValueParser.ints(1, 1_000_000));
  private static final Flags.Flag<Integer> BATCH_SIZE =
      FLAGS.add(
          "batch-size", "N", 64, "examples per gradient step", ValueParser.ints(1, 1_000_000));
  private static final Flags.Flag<Double> LR =
      FLAGS.add("lr", "X", 0.001, "learning rate", ValueParser.doublesAbove(0));
  private static final Flags.Flag<String> OPTIMIZER =
      FLAGS.add(
          "optimizer",
          String.join("|", OPTIMIZERS),
          "adam",
          "update rule",
          ValueParser.choice(OPTIMIZERS));
  private static final Flags.Flag<List<Integer>> HIDDEN =
      FLAGS.add("hidden", "N,N,...", List.of(256, 128), "hidden layer widths", ValueParser.intList(1));
  private static final Flags.Flag<Long> SEED =
      FLAGS.add("seed", "N", 42L, "seed of every random generator", ValueParser.longs());
  private static final Flags.Flag<String> DTYPE =
      FLAGS.add(
          "dtype",
          String.join("|", DTYPES),
          "float32",
          "floating-point precision",
          ValueParser.choice(DTYPES));
  private static final Flags.Flag<Path> OUT =
      FLAGS.add(
          "out", "PATH", null, "where to save the trained weights (.safetensors)", ValueParser.paths());

  /** Makes {@code hidden} unmodifiable. */
  public TrainOptions {
    hidden = List.copyOf(hidden);
  }

  /** The flag definitions, for help text or custom handling. */
  public static Flags flags() {
    return FLAGS;
  }

  /** The options with every flag at its default. */
  public static TrainOptions defaults() {
    return from(FLAGS.parse());
  }

  /**
   * The options of a parsed command line; {@code --help} is ignored here.
   *
   * @throws IllegalArgumentException if {@code parsed} came from other flags than {@link #flags()}
   */
  public static TrainOptions from(Flags.Parsed parsed) {
    return new TrainOptions(
        parsed.get(EPOCHS),
        parsed.get(BATCH_SIZE),
        parsed.get(LR),
        parsed.get(OPTIMIZER),
        parsed.get(HIDDEN),
        parsed.get(SEED),
        parsed.get(DTYPE),
        Optional.ofNullable(parsed.get(OUT)));
  }

  /**
   * Parses the command line of {@code main}: on {@code --help} prints the help and exits with
   * status 0; on a bad flag prints the error to standard error and exits with status 2.
   */
  public static TrainOptions parseOrExit(String... args) {
    return from(FLAGS.parseOrExit(args));
  }

  /**
   * Parses a command line without exiting.
   *
   * @throws UsageException if a flag is unknown or a value is malformed; {@code --help} is
   *     accepted and ignored (see {@link Flags.Parsed#helpRequested()})
   */
  public static TrainOptions parse(String... args) {
    return from(FLAGS.parse(args));
  }
}
