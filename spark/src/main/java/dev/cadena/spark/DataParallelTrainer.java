package dev.cadena.spark;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.nn.Module;
import dev.cadena.optim.Optimizer;
import dev.cadena.optim.Optimizers;
import dev.cadena.tensor.DType;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Synchronous data-parallel SGD on Spark: every step, each partition of the training data computes
 * the gradient of its local mini-batch with a replica of the model, the gradients are summed with
 * {@code treeAggregate}, and the driver applies one step of any Cadena optimiser (with its state)
 * to the one true copy of the parameters, which the next step broadcasts.
 *
 * <p><b>Loss scaling.</b> With local batches {@code B_p} (of sizes {@code b_p}, which may differ,
 * and are 0 for an empty partition) and {@code B = sum_p b_p}, the step follows the gradient of
 * the mean loss over the global batch:
 *
 * <pre>
 *   grad (1/B) sum_{i in union B_p} l_i  =  (1/B) sum_p grad sum_{i in B_p} l_i
 * </pre>
 *
 * <p>so each task returns the gradient of its <em>summed</em> loss ({@link LossFunction}) and the
 * count {@code b_p}, and the driver divides the total by {@code B}. Every example weighs the same
 * whatever its partition; N partitions with local batch {@code b} give the parameters of one
 * process with batch {@code N b}, to rounding.
 *
 * <p><b>Reproducible.</b> Which examples a partition uses, and the seeds of the model's random
 * layers, are functions of {@code (seed, step, partition)} ({@link BatchPlan}), so a retried task
 * computes the same partial and a resumed run continues as the uninterrupted one. Summing two
 * partials is commutative bit for bit, so with two partitions a run is reproducible bitwise; with
 * more, the order of the driver's last sums follows the tasks' completion and runs agree to
 * rounding (about 1e-16 relative per step).
 *
 * <p><b>Checkpoints.</b> With {@link Builder#checkpoint(String, int)}, the model's parameters and
 * the optimiser's state are written every K steps to a directory of any Hadoop file system,
 * atomically; a run started with the same settings and directory resumes from the newest valid
 * checkpoint ({@link Checkpoints}).
 *
 * <p><b>Input.</b> A {@code Dataset<Row>} with a features column (an array of doubles or floats,
 * all of one length) and a label column (an integer type, in {@code [0, classes)}). Each
 * partition is read once into primitive arrays and cached. A missing or mistyped column, ragged
 * features, a null, a label out of range, a width the model does not accept, or data whose
 * partitions are all empty is an {@link IllegalArgumentException} before the first step; an
 * empty partition among others contributes nothing.
 *
 * <p><b>Limits.</b> Modules with buffers (BatchNorm's running statistics) are refused: replicas
 * would update their own copies. A parameter that gets no gradient on a partition gets zeros
 * from it, and the optimiser steps every parameter.
 *
 * <pre>{@code
 * DataParallelTrainer trainer = DataParallelTrainer.builder(new MnistMlp(List.of(128), DType.FLOAT32))
 *     .optimizer("adam", 1e-3).batchSize(64).steps(500).seed(1)
 *     .checkpoint("hdfs:///runs/mnist", 100)
 *     .build();
 * DataParallelTrainer.Result r = trainer.fit(trainingData);   // a Dataset<Row>: features, label
 * }</pre>
 */
public final class DataParallelTrainer {
  private final ModelFactory factory;
  private final LossFunction loss;
  private final Function<List<Tensor>, Optimizer> optimizer;
  private final int batchSize;
  private final long steps;
  private final long seed;
  private final int classes;
  private final String featuresCol;
  private final String labelCol;
  private final int treeDepth;
  private final String checkpointDir;
  private final int checkpointEvery;
  private final int keepCheckpoints;
  private final Consumer<StepStats> listener;
  private final PrintStream out;
  private final int logEvery;
  private final PartitionTask.TaskHook taskHook;

  private DataParallelTrainer(Builder b) {
    this.factory = b.factory;
    this.loss = b.loss;
    this.optimizer = b.optimizer;
    this.batchSize = b.batchSize;
    this.steps = b.steps;
    this.seed = b.seed;
    this.classes = b.classes;
    this.featuresCol = b.featuresCol;
    this.labelCol = b.labelCol;
    this.treeDepth = b.treeDepth;
    this.checkpointDir = b.checkpointDir;
    this.checkpointEvery = b.checkpointEvery;
    this.keepCheckpoints = b.keepCheckpoints;
    this.listener = b.listener;
    this.out = b.out;
    this.logEvery = b.logEvery;
    this.taskHook = b.taskHook;
  }

  /** A builder for a model made by {@code factory}. */
  public static Builder builder(ModelFactory factory) {
    checkNotNull(factory, "DataParallelTrainer: factory is null");
    return new Builder(factory);
  }

  /**
   * What a run ended with.
   *
   * @param model the driver's model, with the trained parameters
   * @param optimizer its optimiser, with its state
   * @param resumedFrom the step of the checkpoint the run resumed from, 0 for a fresh start
   * @param history the statistics of the steps this run executed
   */
  public record Result(Module model, Optimizer optimizer, long resumedFrom, List<StepStats> history) {
    /** The mean loss of the last executed step, NaN when none ran. */
    public double lastLoss() {
      return history.isEmpty() ? Double.NaN : history.get(history.size() - 1).loss();
    }
  }

  /**
   * Trains on {@code data} for the configured number of steps (resuming from a checkpoint when
   * there is one) and returns the driver's model.
   *
   * @throws NullPointerException when {@code data} is null
   * @throws IllegalArgumentException for bad data or an unusable checkpoint directory, before the
   *     first step (see the class comment), or when a checkpoint cannot be written, at that step
   */
  public Result fit(Dataset<Row> data) {
    checkNotNull(data, "DataParallelTrainer.fit: data is null");
    Module model = factory.create(new SplittableRandom(seed));
    model.train();
    Map<String, Tensor> named = model.namedParameters();
    List<Tensor> params = model.parameters();
    DType dtype = checkModel(model, params);
    int total = 0;
    for (Tensor p : params) {
      total = Math.addExact(total, p.numel());
    }
    Optimizer opt = optimizer.apply(params);
    checkNotNull(opt, "DataParallelTrainer: the optimizer function returned null");

    checkSchema(data.schema());
    int partitions = data.rdd().getNumPartitions();
    Checkpoints ckpts = checkpointDir == null ? null
        : Checkpoints.open(checkpointDir, data.sparkSession().sparkContext().hadoopConfiguration(),
            keepCheckpoints);
    Checkpoints.RunSettings settings =
        new Checkpoints.RunSettings(seed, batchSize, partitions, opt.toString());

    JavaRDD<ExampleBlock> blocks = readBlocks(data, dtype);
    String runId = UUID.randomUUID().toString();
    try {
      checkBlocks(blocks, model, dtype, partitions);
      long start = 0;
      if (ckpts != null) {
        Optional<Checkpoints.Loaded> c = ckpts.latest(named, settings,
            msg -> out.println("warning: " + msg));
        if (c.isPresent()) {
          Checkpoints.apply(c.get(), named, opt);
          start = c.get().step();
          out.printf(Locale.ROOT, "resumed from %s (step %d)%n", c.get().file(), start);
        }
      }
      PartitionTask.Spec spec = new PartitionTask.Spec(runId, factory, loss, dtype, batchSize, seed,
          taskHook);
      JavaSparkContext sc = JavaSparkContext.fromSparkContext(data.sparkSession().sparkContext());
      List<StepStats> history = new ArrayList<>();
      for (long step = start + 1; step <= steps; step++) {
        StepStats stats = step(sc, blocks, spec, step, params, dtype, total, opt, treeDepth);
        history.add(stats);
        if (logEvery > 0 && (step % logEvery == 0 || step == steps)) {
          out.println(stats.format(steps));
        }
        if (ckpts != null && (step % checkpointEvery == 0 || step == steps)) {
          ckpts.write(step, named, opt, settings);
        }
        if (listener != null) {
          listener.accept(stats);
        }
      }
      return new Result(model, opt, start, Collections.unmodifiableList(history));
    } finally {
      data.sparkSession().sparkContext().setJobDescription(null);
      blocks.unpersist(false);
      PartitionTask.Replicas.release(runId);
    }
  }

  /** One synchronous step: broadcast, partial gradients, tree sum, optimiser step. */
  private static StepStats step(JavaSparkContext sc, JavaRDD<ExampleBlock> blocks,
      PartitionTask.Spec spec, long step, List<Tensor> params, DType dtype, int total,
      Optimizer opt, int treeDepth) {
    long t0 = System.nanoTime();
    FlatVector values = FlatVector.of(dtype, params, total);
    Broadcast<FlatVector> bc = sc.broadcast(values);
    sc.setJobDescription("cadena-spark step " + step);
    GradientPartial sum;
    try {
      sum = blocks
          .map(b -> PartitionTask.compute(spec, b, step, bc.value()))
          .treeAggregate(GradientPartial.empty(), GradientPartial::merge, GradientPartial::merge,
              treeDepth);
    } finally {
      bc.destroy();
    }
    if (sum.examples == 0) {
      throw new IllegalStateException("step " + step + ": no partition had examples");
    }
    long t1 = System.nanoTime();
    int at = 0;
    for (Tensor p : params) {
      p.setGrad(sum.grads.slice(at, p.shape(), sum.examples));
      at += p.numel();
    }
    opt.step();
    long t2 = System.nanoTime();
    double seconds = (t2 - t0) / 1e9;
    double compute = sum.maxComputeNanos / 1e9;
    return new StepStats(step, sum.lossSum / sum.examples, sum.examples, seconds, compute,
        values.bytes(), Math.multiplyExact(sum.partials, values.bytes()),
        Math.max(0, (t1 - t0) / 1e9 - compute));
  }

  /** The model's dtype; refuses models with buffers or with parameters of mixed dtypes. */
  private static DType checkModel(Module model, List<Tensor> params) {
    if (params.isEmpty()) {
      throw new IllegalArgumentException("DataParallelTrainer: the model has no parameters: " + model);
    }
    if (model.stateDict().size() != params.size()) {
      List<String> buffers = new ArrayList<>(model.stateDict().keySet());
      buffers.removeAll(model.namedParameters().keySet());
      throw new IllegalArgumentException("DataParallelTrainer: the model has buffers " + buffers
          + " (e.g. BatchNorm's running statistics), which replicas cannot keep in step;"
          + " use a model without them");
    }
    DType dtype = params.get(0).dtype();
    for (Tensor p : params) {
      if (p.dtype() != dtype || !(dtype == DType.FLOAT64 || dtype == DType.FLOAT32)) {
        throw new IllegalArgumentException("DataParallelTrainer: parameters must all be float64 or"
            + " all float32, got " + dtype + " and " + p.dtype());
      }
    }
    return dtype;
  }

  private void checkSchema(StructType schema) {
    List<String> names = List.of(schema.fieldNames());
    if (!names.contains(featuresCol) || !names.contains(labelCol)) {
      throw new IllegalArgumentException("DataParallelTrainer: the data needs columns '" + featuresCol
          + "' (array of double or float) and '" + labelCol + "' (integer), got schema "
          + schema.simpleString());
    }
    DataType f = schema.apply(featuresCol).dataType();
    boolean numericArray = f instanceof ArrayType
        && (((ArrayType) f).elementType().equals(DataTypes.DoubleType)
            || ((ArrayType) f).elementType().equals(DataTypes.FloatType));
    if (!numericArray) {
      throw new IllegalArgumentException("DataParallelTrainer: column '" + featuresCol + "' must be"
          + " array<double> or array<float>, got " + f.simpleString());
    }
    DataType l = schema.apply(labelCol).dataType();
    if (!(l.equals(DataTypes.IntegerType) || l.equals(DataTypes.LongType)
        || l.equals(DataTypes.ShortType) || l.equals(DataTypes.ByteType))) {
      throw new IllegalArgumentException("DataParallelTrainer: column '" + labelCol + "' must be an"
          + " integer type, got " + l.simpleString());
    }
  }

  /** Each partition's rows read once into an {@link ExampleBlock}, cached. */
  private JavaRDD<ExampleBlock> readBlocks(Dataset<Row> data, DType dtype) {
    int classes = this.classes;
    String fc = featuresCol;
    String lc = labelCol;
    return data.select(fc, lc).javaRDD()
        .mapPartitionsWithIndex((Integer i, Iterator<Row> rows) -> List.of(
            ExampleBlock.read(i, rows, dtype, -1, classes, fc, lc)).iterator(), true)
        .persist(StorageLevel.MEMORY_ONLY());
  }

  /** Reads every partition once and checks what they hold, before the first step. */
  private static void checkBlocks(JavaRDD<ExampleBlock> blocks, Module model, DType dtype,
      int partitions) {
    List<ExampleBlock.Summary> summaries = blocks.map(ExampleBlock::summary).collect();
    long examples = 0;
    ExampleBlock.Summary first = null;
    for (ExampleBlock.Summary s : summaries) {
      if (s.problem() != null) {
        throw new IllegalArgumentException("DataParallelTrainer: " + s.problem());
      }
      if (s.n() == 0) {
        continue;
      }
      if (first == null) {
        first = s;
      } else if (s.dim() != first.dim()) {
        throw new IllegalArgumentException("DataParallelTrainer: ragged features: partition "
            + first.partition() + " has " + first.dim() + " per example, partition " + s.partition()
            + " has " + s.dim());
      }
      examples += s.n();
    }
    if (first == null) {
      throw new IllegalArgumentException(
          "DataParallelTrainer: all " + partitions + " partitions of the training data are empty");
    }
    try (var s = Tensor.noGrad()) {
      model.forward(Tensor.zeros(dtype, 1, first.dim()));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("DataParallelTrainer: the model does not accept "
          + first.dim() + " features per example: " + e.getMessage(), e);
    }
    if (examples == 0) {
      throw new IllegalStateException("unreachable: non-empty partitions without examples");
    }
  }

  /**
   * Collects the trainer's settings; {@link #build()} checks them. Defaults: cross-entropy, Adam
   * with lr 1e-3, local batch 32, seed 0, 10 classes, columns {@code features} and {@code label},
   * tree depth 2, no checkpoints, progress every 10 steps on {@code System.out}.
   */
  public static final class Builder {
    private final ModelFactory factory;
    private LossFunction loss = LossFunction.crossEntropy();
    private Function<List<Tensor>, Optimizer> optimizer = ps -> Optimizers.create("adam", ps, 1e-3);
    private int batchSize = 32;
    private long steps = -1;
    private long seed;
    private int classes = 10;
    private String featuresCol = "features";
    private String labelCol = "label";
    private int treeDepth = 2;
    private String checkpointDir;
    private int checkpointEvery;
    private int keepCheckpoints = 3;
    private Consumer<StepStats> listener;
    private PrintStream out = System.out;
    private int logEvery = 10;
    private PartitionTask.TaskHook taskHook;

    private Builder(ModelFactory factory) {
      this.factory = factory;
    }

    /** The loss, summed over a local batch (default cross-entropy). */
    public Builder loss(LossFunction loss) {
      this.loss = checkNotNull(loss, "DataParallelTrainer.loss: loss is null");
      return this;
    }

    /** The optimiser over the driver model's parameters, e.g. {@code ps -> SGD.builder(ps).lr(0.1).build()}. */
    public Builder optimizer(Function<List<Tensor>, Optimizer> optimizer) {
      this.optimizer = checkNotNull(optimizer, "DataParallelTrainer.optimizer: optimizer is null");
      return this;
    }

    /** An optimiser by name ({@link Optimizers#create}). */
    public Builder optimizer(String name, double lr) {
      checkNotNull(name, "DataParallelTrainer.optimizer: name is null");
      Optimizers.create(name, List.of(Tensor.zeros(1).requiresGrad(true)), lr); // checks name, lr
      this.optimizer = ps -> Optimizers.create(name, ps, lr);
      return this;
    }

    /** Examples per partition per step, {@code >= 1}. */
    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /** How many steps the run ends after (counting those of a resumed checkpoint), {@code >= 1}. */
    public Builder steps(long steps) {
      this.steps = steps;
      return this;
    }

    /** The seed of the initial parameters, the shuffles and the random layers. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Labels must lie in {@code [0, classes)}, {@code classes >= 1}. */
    public Builder classes(int classes) {
      this.classes = classes;
      return this;
    }

    /** The names of the features and label columns. */
    public Builder columns(String features, String label) {
      this.featuresCol = checkNotNull(features, "DataParallelTrainer.columns: features is null");
      this.labelCol = checkNotNull(label, "DataParallelTrainer.columns: label is null");
      return this;
    }

    /** {@code treeAggregate}'s depth, {@code >= 1} (default 2). */
    public Builder treeDepth(int depth) {
      this.treeDepth = depth;
      return this;
    }

    /**
     * Checkpoints every {@code every} steps (and after the last) to {@code dir}, a Hadoop path
     * ({@code file:/...}, {@code hdfs://...}); a run resumes from the newest valid one there.
     */
    public Builder checkpoint(String dir, int every) {
      this.checkpointDir = checkNotNull(dir, "DataParallelTrainer.checkpoint: dir is null");
      this.checkpointEvery = every;
      return this;
    }

    /** How many checkpoints to keep (default 3; 0 keeps all). */
    public Builder keepCheckpoints(int keep) {
      this.keepCheckpoints = keep;
      return this;
    }

    /** Called on the driver after every step (and its checkpoint). */
    public Builder listener(Consumer<StepStats> listener) {
      this.listener = checkNotNull(listener, "DataParallelTrainer.listener: listener is null");
      return this;
    }

    /** Prints a progress line to {@code out} every {@code every} steps (0: never). */
    public Builder progress(PrintStream out, int every) {
      this.out = checkNotNull(out, "DataParallelTrainer.progress: out is null");
      this.logEvery = every;
      return this;
    }

    /** For tests: called in every task before its gradient (to inject failures). */
    Builder taskHook(PartitionTask.TaskHook hook) {
      this.taskHook = hook;
      return this;
    }

    /**
     * The trainer.
     *
     * @throws IllegalArgumentException naming the first bad setting and its value
     */
    public DataParallelTrainer build() {
      check(batchSize >= 1, "batchSize must be >= 1, got " + batchSize);
      check(steps >= 1, "steps must be >= 1, got " + steps);
      check(classes >= 1, "classes must be >= 1, got " + classes);
      check(treeDepth >= 1, "treeDepth must be >= 1, got " + treeDepth);
      check(checkpointDir == null || checkpointEvery >= 1,
          "checkpoint interval must be >= 1 step, got " + checkpointEvery);
      check(keepCheckpoints >= 0, "keepCheckpoints must be >= 0, got " + keepCheckpoints);
      check(logEvery >= 0, "progress interval must be >= 0, got " + logEvery);
      check(!featuresCol.equals(labelCol), "features and label columns are both '" + labelCol + "'");
      return new DataParallelTrainer(this);
    }

    private static void check(boolean ok, String message) {
      if (!ok) {
        throw new IllegalArgumentException("DataParallelTrainer: " + message);
      }
    }
  }
}
