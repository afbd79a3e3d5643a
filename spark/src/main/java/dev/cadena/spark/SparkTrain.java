package dev.cadena.spark;

import dev.cadena.Tensor;
import dev.cadena.cli.Flags;
import dev.cadena.cli.TrainJob;
import dev.cadena.cli.UsageException;
import dev.cadena.cli.ValueParser;
import dev.cadena.data.Datasets;
import dev.cadena.data.TensorDataset;
import dev.cadena.io.Mnist;
import dev.cadena.io.ModelFiles;
import dev.cadena.io.SafeTensors;
import dev.cadena.nn.Module;
import dev.cadena.optim.Optimizers;
import dev.cadena.tensor.DType;
import java.io.IOException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark job: trains the MNIST MLP with {@link DataParallelTrainer} from the digits embedded in
 * Cadena ({@code --data embedded}), a directory of IDX files or Parquet files, prints progress on
 * the driver, evaluates on held-out digits and saves the model.
 *
 * <pre>
 * spark-submit --class dev.cadena.spark.SparkTrain cadena-spark.jar --data hdfs:///mnist --steps 500
 * mvn -q -f spark/pom.xml exec:exec -Dexec.args="--master local[2] --data embedded --steps 200"
 * </pre>
 *
 * <p>IDX: {@code train-images-idx3-ubyte[.gz]} with {@code t10k-...} as the test set, or the
 * plain names {@code images-idx3-ubyte[.gz]} / {@code labels-idx1-ubyte[.gz]} with the last
 * {@code --holdout} digits held out (as the embedded set: 8,000 and 2,000). Parquet: a path (file
 * or directory) whose name ends in {@code .parquet}, or {@code --format parquet}, with columns
 * {@code features} (784 floats or doubles in [0, 1]) and {@code label}; {@code --test} names a
 * Parquet test set. The model file has the library's metadata, so {@code dev.cadena.cli.Main
 * --evaluate FILE} reads it (without dropout).
 */
public final class SparkTrain {
  private SparkTrain() {}

  public static void main(String[] args) throws IOException {
    Flags flags = new Flags("cadena-spark", "Trains the MNIST MLP on Spark with synchronous"
        + " data-parallel SGD (gradients summed with treeAggregate, optimiser on the driver).");
    Flags.Flag<String> master = flags.add("master", "URL", null,
        "Spark master, e.g. local[2]; spark-submit sets it otherwise", ValueParser.strings());
    Flags.Flag<String> data = flags.add("data", "PATH|embedded", null,
        "training data: 'embedded', an IDX directory or Parquet files", ValueParser.strings());
    Flags.Flag<String> format = flags.add("format", "auto|idx|parquet", "auto",
        "how to read --data", ValueParser.choice(List.of("auto", "idx", "parquet")));
    Flags.Flag<String> test = flags.add("test", "PATH", null,
        "Parquet test set (for Parquet training data)", ValueParser.strings());
    Flags.Flag<Integer> holdout = flags.add("holdout", "N", 2000,
        "digits held out from plain-named IDX or embedded data", ValueParser.ints(0, 1 << 30));
    Flags.Flag<Integer> partitions = flags.add("partitions", "N", 0,
        "partitions of the training data (0: Spark's default parallelism)",
        ValueParser.ints(0, 1 << 20));
    Flags.Flag<List<Integer>> hidden = flags.add("hidden", "H1,H2,...", List.of(128),
        "hidden layer widths", ValueParser.intList(1));
    Flags.Flag<Double> dropout = flags.add("dropout", "P", 0.0,
        "dropout after each hidden layer, in [0, 1)", text -> {
          double v = Double.parseDouble(text);
          if (!(v >= 0 && v < 1)) {
            throw new IllegalArgumentException("expected a number in [0, 1)");
          }
          return v;
        });
    Flags.Flag<String> dtype = flags.add("dtype", "float32|float64", "float32",
        "parameter dtype", ValueParser.choice(List.of("float32", "float64")));
    Flags.Flag<String> optimizer = flags.add("optimizer", String.join("|", Optimizers.names()),
        "adam", "optimiser, stepped on the driver", ValueParser.choice(Optimizers.names()));
    Flags.Flag<Double> lr = flags.add("lr", "X", 1e-3, "learning rate", ValueParser.doublesAbove(0));
    Flags.Flag<Integer> batch = flags.add("batch", "N", 64, "examples per partition per step",
        ValueParser.ints(1, 1 << 20));
    Flags.Flag<Integer> steps = flags.add("steps", "N", 0,
        "steps to train (0: one epoch of the largest partition per --epochs)",
        ValueParser.ints(0, Integer.MAX_VALUE));
    Flags.Flag<Integer> epochs = flags.add("epochs", "N", 1,
        "epochs when --steps is 0", ValueParser.ints(1, 100_000));
    Flags.Flag<Long> seed = flags.add("seed", "N", 0L, "seed of everything random",
        ValueParser.longs());
    Flags.Flag<String> checkpoint = flags.add("checkpoint", "DIR", null,
        "checkpoint directory (any Hadoop path); a run resumes from it", ValueParser.strings());
    Flags.Flag<Integer> every = flags.add("checkpoint-every", "K", 50, "steps between checkpoints",
        ValueParser.ints(1, Integer.MAX_VALUE));
    Flags.Flag<Integer> logEvery = flags.add("log-every", "K", 10, "steps between progress lines",
        ValueParser.ints(0, Integer.MAX_VALUE));
    Flags.Flag<String> out = flags.add("out", "PATH", null, "save the model here (Hadoop path)",
        ValueParser.strings());
    Flags.Flag<String> exportParquet = flags.add("export-parquet", "DIR", null,
        "write the training data as Parquet to DIR and exit", ValueParser.strings());
    Flags.Parsed p = flags.parseOrExit(args);
    try {
      if (p.get(data) == null) {
        throw new UsageException("cadena-spark: --data is required (try --data embedded)");
      }
      if (p.get(master) == null && !new SparkConf().contains("spark.master")) {
        throw new UsageException("cadena-spark: no Spark master: pass --master local[2] or run"
            + " it with spark-submit");
      }
    } catch (UsageException e) {
      System.err.println(e.getMessage());
      System.exit(UsageException.EXIT_STATUS);
    }
    SparkSession.Builder sb = SparkSession.builder().appName("cadena-spark")
        .config("spark.ui.showConsoleProgress", "false");
    if (p.get(master) != null) {
      sb.master(p.get(master)).config("spark.ui.enabled", "false");
    }
    SparkSession spark = sb.getOrCreate();
    try {
      run(spark, new Opts(p.get(data), p.get(format), p.get(test), p.get(holdout),
          p.get(partitions), p.get(hidden), p.get(dropout), DType.parse(p.get(dtype)),
          p.get(optimizer), p.get(lr), p.get(batch), p.get(steps), p.get(epochs), p.get(seed),
          p.get(checkpoint), p.get(every), p.get(logEvery), p.get(out), p.get(exportParquet)),
          System.out);
    } finally {
      spark.stop();
    }
  }

  /** The job's settings, parsed. */
  record Opts(String data, String format, String test, int holdout, int partitions,
      List<Integer> hidden, double dropout, DType dtype, String optimizer, double lr, int batch,
      int steps, int epochs, long seed, String checkpoint, int checkpointEvery, int logEvery,
      String out, String exportParquet) {}

  /** What the job did (for tests). */
  record Outcome(DataParallelTrainer.Result result, double testAccuracy, long totalSteps) {}

  /** Runs the job on {@code spark}; returns the trainer's result and the held-out accuracy. */
  static Outcome run(SparkSession spark, Opts o, PrintStream out) throws IOException {
    int parts = o.partitions() > 0 ? o.partitions() : spark.sparkContext().defaultParallelism();
    boolean parquet = o.format().equals("parquet")
        || (o.format().equals("auto") && o.data().replaceAll("/+$", "").endsWith(".parquet"));
    Dataset<Row> train;
    TensorDataset heldOut = null;
    if (parquet) {
      train = MnistFrames.readParquet(spark, o.data(), parts);
      if (o.test() != null) {
        heldOut = collect(MnistFrames.readParquet(spark, o.test(), 0), o.dtype());
      }
    } else {
      Mnist trainDigits;
      Mnist testDigits;
      if (o.data().equals("embedded")) {
        trainDigits = Mnist.embedded();
        testDigits = null;
      } else {
        var conf = spark.sparkContext().hadoopConfiguration();
        Path dir = new Path(o.data());
        FileSystem fs = dir.getFileSystem(conf);
        boolean split = fs.exists(new Path(dir, "train-" + Mnist.IMAGES_FILE))
            || fs.exists(new Path(dir, "train-" + Mnist.IMAGES_FILE + ".gz"));
        trainDigits = MnistFrames.readIdx(o.data(), split ? "train-" : "", conf);
        testDigits = split ? MnistFrames.readIdx(o.data(), "t10k-", conf) : null;
      }
      if (testDigits == null) {
        int keep = trainDigits.size() - Math.min(o.holdout(), trainDigits.size() - 1);
        testDigits = keep < trainDigits.size() ? trainDigits.subset(keep, trainDigits.size()) : null;
        trainDigits = trainDigits.subset(0, keep);
      }
      train = MnistFrames.toFrame(spark, trainDigits, o.dtype(), parts);
      if (testDigits != null) {
        heldOut = Datasets.toDataset(testDigits, o.dtype());
      }
    }
    if (o.exportParquet() != null) {
      train.write().parquet(o.exportParquet());
      out.println("wrote the training data to " + o.exportParquet());
      return new Outcome(null, Double.NaN, 0);
    }
    long examples = train.count();
    int numParts = train.rdd().getNumPartitions();
    long perPart = (examples + numParts - 1) / numParts;
    long steps = o.steps() > 0 ? o.steps()
        : (long) o.epochs() * ((perPart + o.batch() - 1) / o.batch());
    MnistMlp factory = new MnistMlp(784, o.hidden(), 10, o.dropout(), o.dtype());
    out.printf(Locale.ROOT, "%s%n%,d training digits in %d partitions, %s lr=%s, local batch %d"
        + " (global %d), %d steps, seed %d, master %s%n", factory.create(new java.util.Random(0)),
        examples, numParts, o.optimizer(), o.lr(), o.batch(), (long) o.batch() * numParts, steps,
        o.seed(), spark.sparkContext().master());
    DataParallelTrainer.Builder b = DataParallelTrainer.builder(factory)
        .optimizer(o.optimizer(), o.lr()).batchSize(o.batch()).steps(steps).seed(o.seed())
        .classes(10).progress(out, o.logEvery());
    if (o.checkpoint() != null) {
      b.checkpoint(o.checkpoint(), o.checkpointEvery());
    }
    long t0 = System.nanoTime();
    DataParallelTrainer.Result r = b.build().fit(train);
    double seconds = (System.nanoTime() - t0) / 1e9;
    long seen = r.history().stream().mapToLong(StepStats::examples).sum();
    out.printf(Locale.ROOT, "trained %d steps in %.1f s (%,.0f examples/s), last loss %.4f%n",
        r.history().size(), seconds, seen / seconds, r.lastLoss());
    double acc = Double.NaN;
    if (heldOut != null) {
      acc = TrainJob.accuracy(r.model(), heldOut);
      out.printf(Locale.ROOT, "test accuracy: %.2f%% on %d held-out digits%n", 100 * acc,
          heldOut.size());
    }
    if (o.out() != null) {
      save(r.model(), o, spark);
      out.println("saved the model to " + o.out());
    }
    return new Outcome(r, acc, steps);
  }

  private static TensorDataset collect(Dataset<Row> d, DType dtype) {
    List<Row> rows = d.select("features", "label").collectAsList();
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("cadena-spark: the test set is empty");
    }
    int dim = rows.get(0).getList(0).size();
    double[] x = new double[Math.multiplyExact(rows.size(), dim)];
    long[] y = new long[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      List<Object> f = rows.get(i).getList(0);
      if (f.size() != dim) {
        throw new IllegalArgumentException("cadena-spark: ragged test features: row " + i + " has "
            + f.size() + ", expected " + dim);
      }
      for (int j = 0; j < dim; j++) {
        x[i * dim + j] = ((Number) f.get(j)).doubleValue();
      }
      y[i] = ((Number) rows.get(i).get(1)).longValue();
    }
    return new TensorDataset(Tensor.fromArray(x, rows.size(), dim).to(dtype), Tensor.ofLongs(y));
  }

  /** Saves like the library's job ({@code ModelFiles.save} metadata), through Hadoop, atomically. */
  private static void save(Module model, Opts o, SparkSession spark) throws IOException {
    Map<String, SafeTensors.Entry> entries = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : model.stateDict().entrySet()) {
      entries.put(e.getKey(), ModelFiles.toEntry(e.getValue()));
    }
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", "pt");
    meta.put("producer", "cadena-spark");
    meta.put("model", o.dropout() > 0 ? "mlp-dropout" : "mlp");
    meta.put("hidden", String.join(",", o.hidden().stream().map(String::valueOf).toList()));
    meta.put("dtype", o.dtype().toString());
    meta.put(ModelFiles.LAYOUT_KEY, ModelFiles.LAYOUT_TORCH);
    Path target = new Path(o.out());
    FileSystem fs = target.getFileSystem(spark.sparkContext().hadoopConfiguration());
    if (target.getParent() != null) {
      fs.mkdirs(target.getParent());
    }
    Checkpoints.writeAtomically(fs, target, SafeTensors.toBytes(entries, meta));
  }
}
