package dev.cadena.cli;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.optim.Optimizers;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The command-line options of the main training job, with their flags and defaults:
 *
 * <pre>
 * --epochs N                   passes over the training data (default: 15)
 * --batch-size N               examples per gradient step (default: 32)
 * --lr X                       initial learning rate, annealed by a cosine schedule (default: 0.05)
 * --optimizer NAME             update rule: sgd, momentum, nesterov, adam, adamw, rmsprop, adagrad
 *                              (default: nesterov, i.e. SGD with Nesterov momentum 0.9)
 * --hidden N,N,...             hidden layer widths (default: 256,128)
 * --seed N                     seed of every random generator (default: 42)
 * --dtype float32|float64      floating-point precision (default: float32)
 * --out PATH                   where to save the trained model (default: target/mnist-mlp.safetensors)
 * --evaluate PATH              load a saved model and evaluate it instead of training
 * --shift N                    augment: shift training digits by up to N pixels (default: 1; 0: off)
 * --threads N                  kernel threads (default: all cores)
 * --model mlp|cnn              the network: the MLP of --hidden, or a small CNN (default: mlp);
 *                              cnn changes the defaults of --epochs, --batch-size, --lr, --shift
 *                              and --out to CNN_EPOCHS, CNN_BATCH_SIZE, CNN_LR, CNN_SHIFT and
 *                              target/mnist-cnn.safetensors
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
 * @param out where to save the trained model, if anywhere
 * @param evaluate a saved model to evaluate instead of training, if any
 * @param shift augmentation: random shifts of up to this many pixels (0: none)
 * @param threads kernel threads, 0 for all cores
 * @param model one of {@link #MODELS}: {@code "mlp"} or {@code "cnn"}
 */
public record TrainOptions(
    int epochs,
    int batchSize,
    double lr,
    String optimizer,
    List<Integer> hidden,
    long seed,
    String dtype,
    Optional<Path> out,
    Optional<Path> evaluate,
    int shift,
    int threads,
    String model) {

  /** The accepted {@code --optimizer} values. */
  public static final List<String> OPTIMIZERS = Optimizers.names();

  /** The accepted {@code --model} values. */
  public static final List<String> MODELS = List.of("mlp", "cnn");

  /** {@code --epochs} for {@code --model cnn} when it is not given. */
  public static final int CNN_EPOCHS = 8;

  /** {@code --batch-size} for {@code --model cnn} when it is not given. */
  public static final int CNN_BATCH_SIZE = 32;

  /** {@code --lr} for {@code --model cnn} when it is not given. */
  public static final double CNN_LR = 0.05;

  /** {@code --shift} for {@code --model cnn} when it is not given. */
  public static final int CNN_SHIFT = 1;

  /** The accepted {@code --dtype} values. */
  public static final List<String> DTYPES = List.of("float32", "float64");

  private static final Flags FLAGS =
      new Flags("cadena", "Trains a multilayer perceptron on the embedded MNIST digits.");
  private static final Flags.Flag<Integer> EPOCHS =
      FLAGS.add("epochs", "N", 15, "passes over the training data", ValueParser.ints(1, 1_000_000));
  private static final Flags.Flag<Integer> BATCH_SIZE =
      FLAGS.add(
          "batch-size", "N", 32, "examples per gradient step", ValueParser.ints(1, 1_000_000));
  private static final Flags.Flag<Double> LR =
      FLAGS.add("lr", "X", 0.05, "initial learning rate (cosine schedule)", ValueParser.doublesAbove(0));
  private static final Flags.Flag<String> OPTIMIZER =
      FLAGS.add(
          "optimizer",
          String.join("|", OPTIMIZERS),
          "nesterov",
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
          "out", "PATH", Path.of("target", "mnist-mlp.safetensors"),
          "where to save the trained model (.safetensors)", ValueParser.paths());
  private static final Flags.Flag<Path> EVALUATE =
      FLAGS.add(
          "evaluate", "PATH", null, "load a saved model and evaluate it instead of training",
          ValueParser.paths());
  private static final Flags.Flag<Integer> SHIFT =
      FLAGS.add("shift", "N", 1, "augment: shift training digits by up to N pixels (0: off)",
          ValueParser.ints(0, 8));
  private static final Flags.Flag<Integer> THREADS =
      FLAGS.add("threads", "N", 0, "kernel threads (0: all cores)", ValueParser.ints(0, 1024));
  private static final Flags.Flag<String> MODEL =
      FLAGS.add("model", String.join("|", MODELS), "mlp",
          "network: the MLP of --hidden or a small CNN (cnn: other defaults for --epochs,"
              + " --batch-size, --lr, --shift, --out)",
          ValueParser.choice(MODELS));

  /**
   * Makes {@code hidden} unmodifiable.
   *
   * @throws NullPointerException when {@code optimizer}, {@code hidden} (or one of its widths),
   *     {@code dtype}, {@code out} or {@code evaluate} is null; pass {@code Optional.empty()} for
   *     no path
   */
  public TrainOptions {
    checkNotNull(optimizer, "TrainOptions: optimizer is null");
    checkNotNull(hidden, "TrainOptions: hidden is null");
    checkNotNull(dtype, "TrainOptions: dtype is null");
    checkNotNull(out, "TrainOptions: out is null");
    checkNotNull(evaluate, "TrainOptions: evaluate is null");
    checkNotNull(model, "TrainOptions: model is null");
    for (int i = 0; i < hidden.size(); i++) {
      checkNotNull(hidden.get(i), "TrainOptions: hidden[%s] is null", i);
    }
    hidden = List.copyOf(hidden);
  }

  /** The options of the MLP job ({@code model} {@code "mlp"}), as before {@code --model} existed. */
  public TrainOptions(int epochs, int batchSize, double lr, String optimizer, List<Integer> hidden,
      long seed, String dtype, Optional<Path> out, Optional<Path> evaluate, int shift,
      int threads) {
    this(epochs, batchSize, lr, optimizer, hidden, seed, dtype, out, evaluate, shift, threads,
        "mlp");
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
    checkNotNull(parsed, "TrainOptions.from: parsed is null");
    String model = parsed.get(MODEL);
    boolean cnn = model.equals("cnn");
    return new TrainOptions(
        cnn && !parsed.isSet(EPOCHS) ? CNN_EPOCHS : parsed.get(EPOCHS),
        cnn && !parsed.isSet(BATCH_SIZE) ? CNN_BATCH_SIZE : parsed.get(BATCH_SIZE),
        cnn && !parsed.isSet(LR) ? CNN_LR : parsed.get(LR),
        parsed.get(OPTIMIZER),
        parsed.get(HIDDEN),
        parsed.get(SEED),
        parsed.get(DTYPE),
        Optional.ofNullable(cnn && !parsed.isSet(OUT)
            ? Path.of("target", "mnist-cnn.safetensors") : parsed.get(OUT)),
        Optional.ofNullable(parsed.get(EVALUATE)),
        cnn && !parsed.isSet(SHIFT) ? CNN_SHIFT : parsed.get(SHIFT),
        parsed.get(THREADS),
        model);
  }

  /**
   * Parses the command line of {@code main}: on {@code --help} prints the help and exits with
   * status 0; on a bad flag prints the error to standard error and exits with status 2.
   */
  public static TrainOptions parseOrExit(String... args) {
    checkNotNull(args, "TrainOptions.parseOrExit: args is null");
    return from(FLAGS.parseOrExit(args));
  }

  /**
   * Parses a command line without exiting.
   *
   * @throws UsageException if a flag is unknown or a value is malformed; {@code --help} is
   *     accepted and ignored (see {@link Flags.Parsed#helpRequested()})
   */
  public static TrainOptions parse(String... args) {
    checkNotNull(args, "TrainOptions.parse: args is null");
    return from(FLAGS.parse(args));
  }
}
