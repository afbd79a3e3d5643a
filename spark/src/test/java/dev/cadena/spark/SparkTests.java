package dev.cadena.spark;

import dev.cadena.Tensor;
import dev.cadena.nn.Linear;
import dev.cadena.nn.Loss;
import dev.cadena.nn.Module;
import dev.cadena.nn.Sequential;
import dev.cadena.nn.Tanh;
import dev.cadena.optim.Optimizer;
import dev.cadena.tensor.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Shared pieces of the Spark tests: one local session per master, data with known partitions, the reference. */
final class SparkTests {
  private static SparkSession session;
  private static String sessionMaster;

  private SparkTests() {}

  /** A local session for {@code master} ("local[2]", "local[2,2]", ...); one at a time per JVM. */
  static synchronized SparkSession session(String master) {
    if (session != null && master.equals(sessionMaster)) {
      return session;
    }
    if (session != null) {
      session.stop();
    }
    session = SparkSession.builder().master(master).appName("cadena-spark-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate();
    sessionMaster = master;
    return session;
  }

  static final StructType SCHEMA = new StructType()
      .add("features", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
      .add("label", DataTypes.IntegerType, false);

  /** Random rows: features N(0, 1) of {@code dim}, labels in [0, classes), partition by partition. */
  static List<List<Row>> randomParts(long seed, int[] sizes, int dim, int classes) {
    SplittableRandom rng = new SplittableRandom(seed);
    List<List<Row>> parts = new ArrayList<>();
    for (int size : sizes) {
      List<Row> rows = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        double[] f = new double[dim];
        for (int j = 0; j < dim; j++) {
          f[j] = rng.nextGaussian();
        }
        rows.add(RowFactory.create(f, rng.nextInt(classes)));
      }
      parts.add(rows);
    }
    return parts;
  }

  /** A data frame whose partition {@code i} holds exactly {@code parts.get(i)}, in order. */
  static Dataset<Row> frame(SparkSession spark, List<List<Row>> parts, StructType schema) {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<Integer> ids = new ArrayList<>();
    for (int i = 0; i < parts.size(); i++) {
      ids.add(i);
    }
    List<List<Row>> copy = new ArrayList<>(parts);
    return spark.createDataFrame(
        sc.parallelize(ids, parts.size()).mapPartitionsWithIndex(
            (i, it) -> copy.get(i).iterator(), true), schema);
  }

  static Dataset<Row> frame(SparkSession spark, List<List<Row>> parts) {
    return frame(spark, parts, SCHEMA);
  }

  /** A small float64 MLP: dim - 8 (tanh) - classes. */
  static ModelFactory smallMlp(int dim, int classes) {
    return rng -> new Sequential(new Linear(dim, 8, true, DType.FLOAT64, rng), new Tanh(),
        new Linear(8, classes, true, DType.FLOAT64, rng));
  }

  /**
   * The single-process reference: per step, the union (in partition order) of the partitions'
   * local batches from {@link BatchPlan}, the mean cross-entropy, one optimiser step.
   */
  static Module reference(ModelFactory factory, Function<List<Tensor>, Optimizer> optimizer,
      List<List<Row>> parts, int batchSize, long steps, long seed, List<Double> losses) {
    Module model = factory.create(new SplittableRandom(seed));
    Optimizer opt = optimizer.apply(model.parameters());
    for (long step = 1; step <= steps; step++) {
      List<double[]> xs = new ArrayList<>();
      List<Long> ys = new ArrayList<>();
      for (int p = 0; p < parts.size(); p++) {
        List<Row> rows = parts.get(p);
        for (int i : BatchPlan.indices(rows.size(), batchSize, step, seed, p)) {
          xs.add(((double[]) rows.get(i).get(0)).clone());
          ys.add(((Number) rows.get(i).get(1)).longValue());
        }
      }
      int dim = xs.get(0).length;
      double[] flat = new double[xs.size() * dim];
      long[] labels = new long[xs.size()];
      for (int i = 0; i < xs.size(); i++) {
        System.arraycopy(xs.get(i), 0, flat, i * dim, dim);
        labels[i] = ys.get(i);
      }
      opt.zeroGrad();
      Tensor loss = Loss.crossEntropy(model.forward(Tensor.fromArray(flat, xs.size(), dim)),
          Tensor.ofLongs(labels));
      loss.backward();
      opt.step();
      if (losses != null) {
        losses.add(loss.item());
      }
    }
    return model;
  }

  /** The largest absolute difference between two models' parameters. */
  static double maxDiff(Module a, Module b) {
    double max = 0;
    List<Tensor> pa = a.parameters();
    List<Tensor> pb = b.parameters();
    for (int i = 0; i < pa.size(); i++) {
      double[] x = pa.get(i).toDoubleArray();
      double[] y = pb.get(i).toDoubleArray();
      for (int j = 0; j < x.length; j++) {
        max = Math.max(max, Math.abs(x[j] - y[j]));
      }
    }
    return max;
  }

  /** All parameters, flattened (for bitwise comparisons). */
  static double[] flat(Module m) {
    List<Double> out = new ArrayList<>();
    for (Tensor p : m.parameters()) {
      for (double v : p.toDoubleArray()) {
        out.add(v);
      }
    }
    double[] a = new double[out.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = out.get(i);
    }
    return a;
  }
}
