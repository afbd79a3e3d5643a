package dev.cadena.spark;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.cadena.Tensor;
import dev.cadena.cli.Flags;
import dev.cadena.cli.ValueParser;
import dev.cadena.io.Mnist;
import dev.cadena.nn.Loss;
import dev.cadena.nn.Module;
import dev.cadena.optim.Optimizer;
import dev.cadena.optim.Optimizers;
import dev.cadena.tensor.DType;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark bench row: for each master ({@code local[1]}, {@code local[2]}: N partitions, one per
 * core), the data-parallel trainer's examples per second, per-step communication bytes and time,
 * against the single-process Cadena loop with the same global batch {@code N b} on the same
 * digits (the overhead ratio). Prints one JSON line; {@code bench/spark.sh} runs it.
 *
 * <p>Per step, bytes are the parameters' payload broadcast once plus one gradient payload per
 * non-empty partition; time is the step's wall time less the slowest task's compute and the
 * driver's update (scheduling, serialisation, broadcast, result transfer and sums).
 */
public final class SparkBench {
  private SparkBench() {}

  public static void main(String[] args) {
    Flags flags = new Flags("spark-bench", "Data-parallel Cadena on Spark against one process.");
    Flags.Flag<String> masters = flags.add("masters", "M1;M2", "local[1];local[2]",
        "Spark masters, ';'-separated; local[N] gets N partitions", ValueParser.strings());
    Flags.Flag<Integer> steps = flags.add("steps", "N", 60, "timed steps", ValueParser.ints(1, 1 << 20));
    Flags.Flag<Integer> warmup = flags.add("warmup", "N", 20, "untimed steps first",
        ValueParser.ints(0, 1 << 20));
    Flags.Flag<Integer> batch = flags.add("batch", "N", 64, "examples per partition per step",
        ValueParser.ints(1, 1 << 20));
    Flags.Flag<List<Integer>> hidden = flags.add("hidden", "H1,...", List.of(128), "hidden widths",
        ValueParser.intList(1));
    Flags.Parsed p = flags.parseOrExit(args);
    DType dtype = DType.FLOAT32;
    MnistMlp factory = new MnistMlp(784, p.get(hidden), 10, 0, dtype);
    Mnist digits = Mnist.embeddedTrain();
    int b = p.get(batch);
    int w = p.get(warmup);
    int s = p.get(steps);
    JsonArray rows = new JsonArray();
    for (String master : p.get(masters).split(";")) {
      SparkSession spark = SparkSession.builder().master(master.trim()).appName("cadena-spark-bench")
          .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
          .getOrCreate();
      int n = spark.sparkContext().defaultParallelism();
      Dataset<Row> data = MnistFrames.toFrame(spark, digits, dtype, n);
      DataParallelTrainer.Result r = DataParallelTrainer.builder(factory).optimizer("adam", 1e-3)
          .batchSize(b).steps(w + s).seed(1)
          .progress(new PrintStream(new ByteArrayOutputStream()), 0).build().fit(data);
      spark.stop();
      List<StepStats> timed = r.history().subList(w, w + s);
      double seconds = timed.stream().mapToDouble(StepStats::seconds).sum();
      long examples = timed.stream().mapToLong(StepStats::examples).sum();
      double single = singleProcess(factory, digits, n * b, w, s);
      JsonObject row = new JsonObject();
      row.addProperty("master", master.trim());
      row.addProperty("partitions", n);
      row.addProperty("global_batch", n * b);
      row.addProperty("examples_per_s", round(examples / seconds));
      row.addProperty("step_ms", round(1e3 * seconds / s));
      row.addProperty("compute_ms_per_step",
          round(1e3 * timed.stream().mapToDouble(StepStats::computeSeconds).sum() / s));
      row.addProperty("comm_ms_per_step",
          round(1e3 * timed.stream().mapToDouble(StepStats::commSeconds).sum() / s));
      row.addProperty("comm_bytes_per_step",
          timed.get(0).broadcastBytes() + timed.get(0).gradientBytes());
      row.addProperty("single_process_examples_per_s", round(single));
      row.addProperty("overhead_ratio", round(single / (examples / seconds)));
      rows.add(row);
    }
    JsonObject out = new JsonObject();
    out.addProperty("bench", "spark-data-parallel");
    StringBuilder name = new StringBuilder("mlp-784");
    for (int h : p.get(hidden)) {
      name.append('-').append(h);
    }
    out.addProperty("model", name.append("-10-float32").toString());
    out.addProperty("parameters", factory.create(new SplittableRandom(0)).parameterCount());
    out.addProperty("optimizer", "adam");
    out.addProperty("batch_per_partition", b);
    out.addProperty("warmup_steps", w);
    out.addProperty("timed_steps", s);
    out.addProperty("cores", Runtime.getRuntime().availableProcessors());
    out.add("rows", rows);
    System.out.println(new GsonBuilder().disableHtmlEscaping().create().toJson(out));
  }

  /** Examples per second of one process on batches of {@code batch}, after {@code warmup} steps. */
  static double singleProcess(ModelFactory factory, Mnist digits, int batch, int warmup, int steps) {
    Module model = factory.create(new SplittableRandom(1));
    Optimizer opt = Optimizers.create("adam", model.parameters(), 1e-3);
    float[] x = digits.imagesAsFloats();
    int[] labels = digits.labels();
    long start = 0;
    for (int step = 1; step <= warmup + steps; step++) {
      if (step == warmup + 1) {
        start = System.nanoTime();
      }
      int[] idx = BatchPlan.indices(digits.size(), batch, step, 1, 0);
      float[] xb = new float[idx.length * Mnist.PIXELS];
      long[] yb = new long[idx.length];
      for (int i = 0; i < idx.length; i++) {
        System.arraycopy(x, idx[i] * Mnist.PIXELS, xb, i * Mnist.PIXELS, Mnist.PIXELS);
        yb[i] = labels[idx[i]];
      }
      opt.zeroGrad();
      Tensor loss = Loss.crossEntropy(model.forward(Tensor.fromArray(xb, idx.length, Mnist.PIXELS)),
          Tensor.ofLongs(yb));
      loss.backward();
      opt.step();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return (double) steps * batch / seconds;
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }
}
