package dev.cadena.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.tensor.DType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad data, settings and checkpoint paths are {@link IllegalArgumentException}s naming what and
 * the values, before the first step (no step listener call).
 */
class BadInputTest {
  private static final int DIM = 6;
  private static final int CLASSES = 3;

  private final AtomicInteger stepsRun = new AtomicInteger();

  private DataParallelTrainer.Builder trainer() {
    return DataParallelTrainer.builder(SparkTests.smallMlp(DIM, CLASSES)).classes(CLASSES)
        .batchSize(4).steps(3).progress(new PrintStream(new ByteArrayOutputStream()), 0)
        .listener(s -> stepsRun.incrementAndGet());
  }

  /** Fits on {@code data} expecting a refusal before any step; returns the message. */
  private String refused(DataParallelTrainer.Builder b, Dataset<Row> data) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> b.build().fit(data));
    assertEquals(0, stepsRun.get(), "no step ran: " + e.getMessage());
    return e.getMessage();
  }

  private static List<List<Row>> good() {
    return SparkTests.randomParts(21, new int[] {6, 6}, DIM, CLASSES);
  }

  @Test
  void testSchemaWithoutTheColumns() {
    SparkSession spark = SparkTests.session("local[2]");
    Dataset<Row> data = SparkTests.frame(spark, good()).withColumnRenamed("features", "pixels");
    String m = refused(trainer(), data);
    assertTrue(m.contains("the data needs columns 'features' (array of double or float) and"
        + " 'label' (integer), got schema struct<pixels:array<double>,label:int>"), m);
  }

  @Test
  void testColumnsOfTheWrongTypes() {
    SparkSession spark = SparkTests.session("local[2]");
    Dataset<Row> data = SparkTests.frame(spark, good());
    String m = refused(trainer(), data.withColumn("features", data.col("label").cast("string")));
    assertTrue(m.contains("column 'features' must be array<double> or array<float>, got string"), m);
    m = refused(trainer(), data.withColumn("label", data.col("label").cast("double")));
    assertTrue(m.contains("column 'label' must be an integer type, got double"), m);
  }

  @Test
  void testRaggedFeaturesInOnePartition() {
    SparkSession spark = SparkTests.session("local[2]");
    List<List<Row>> parts = good();
    List<Row> p1 = new ArrayList<>(parts.get(1));
    p1.set(3, RowFactory.create(new double[DIM - 1], 0));
    parts.set(1, p1);
    String m = refused(trainer(), SparkTests.frame(spark, parts));
    assertTrue(m.contains("ragged features: row 3 of partition 1 has 5 values in 'features',"
        + " expected 6"), m);
  }

  @Test
  void testRaggedFeaturesAcrossPartitions() {
    SparkSession spark = SparkTests.session("local[2]");
    List<List<Row>> parts = good();
    parts.set(1, SparkTests.randomParts(22, new int[] {4}, DIM + 1, CLASSES).get(0));
    String m = refused(trainer(), SparkTests.frame(spark, parts));
    assertTrue(m.contains("ragged features: partition 0 has 6 per example, partition 1 has 7"), m);
  }

  @Test
  void testFeaturesTheModelDoesNotAccept() {
    SparkSession spark = SparkTests.session("local[2]");
    Dataset<Row> data = SparkTests.frame(spark,
        SparkTests.randomParts(23, new int[] {5, 5}, DIM - 2, CLASSES));
    String m = refused(trainer(), data);
    assertTrue(m.contains("the model does not accept 4 features per example"), m);
  }

  @Test
  void testLabelsOutOfRange() {
    SparkSession spark = SparkTests.session("local[2]");
    for (int bad : new int[] {CLASSES, -1}) {
      List<List<Row>> parts = good();
      List<Row> p0 = new ArrayList<>(parts.get(0));
      p0.set(2, RowFactory.create(new double[DIM], bad));
      parts.set(0, p0);
      String m = refused(trainer(), SparkTests.frame(spark, parts));
      assertTrue(m.contains("label " + bad + " at row 2 of partition 0 is out of range [0, 3)"), m);
    }
  }

  @Test
  void testNullFeatures() {
    SparkSession spark = SparkTests.session("local[2]");
    StructType nullable = new StructType()
        .add("features", DataTypes.createArrayType(DataTypes.DoubleType, true), true)
        .add("label", DataTypes.IntegerType, true);
    List<List<Row>> parts = good();
    List<Row> p1 = new ArrayList<>(parts.get(1));
    p1.set(0, RowFactory.create(null, 1));
    parts.set(1, p1);
    String m = refused(trainer(), SparkTests.frame(spark, parts, nullable));
    assertTrue(m.contains("column 'features' is null at row 0 of partition 1"), m);
  }

  @Test
  void testAllPartitionsEmpty() {
    SparkSession spark = SparkTests.session("local[2]");
    Dataset<Row> data = SparkTests.frame(spark, SparkTests.randomParts(24, new int[] {0, 0}, DIM,
        CLASSES));
    String m = refused(trainer(), data);
    assertTrue(m.contains("all 2 partitions of the training data are empty"), m);
  }

  @Test
  void testOneEmptyPartition_contributesNothing_trainingRuns() {
    SparkSession spark = SparkTests.session("local[2]");
    Dataset<Row> data = SparkTests.frame(spark, SparkTests.randomParts(25, new int[] {0, 9}, DIM,
        CLASSES));
    DataParallelTrainer.Result r = trainer().build().fit(data);
    assertEquals(3, r.history().size());
    assertEquals(4, r.history().get(0).examples(), "only partition 1's batch of 4");
    assertEquals(r.history().get(0).broadcastBytes(), r.history().get(0).gradientBytes(),
        "one partition sent gradients");
  }

  @Test
  void testFloatFeatures_float32Model_accepted() {
    SparkSession spark = SparkTests.session("local[2]");
    Dataset<Row> data = SparkTests.frame(spark, good());
    Dataset<Row> floats = data.withColumn("features", data.col("features").cast("array<float>"));
    DataParallelTrainer.Result r = DataParallelTrainer.builder(
        new MnistMlp(DIM, List.of(5), CLASSES, 0.0, DType.FLOAT32)).classes(CLASSES).batchSize(4)
        .steps(3).progress(new PrintStream(new ByteArrayOutputStream()), 0).build().fit(floats);
    assertEquals(DType.FLOAT32, r.model().parameters().get(0).dtype());
    assertEquals(4L * (DIM * 5 + 5 + 5 * CLASSES + CLASSES), r.history().get(0).broadcastBytes());
  }

  @Test
  void testCheckpointPathUnreachable() {
    SparkSession spark = SparkTests.session("local[2]");
    Dataset<Row> data = SparkTests.frame(spark, good());
    String m = refused(trainer().checkpoint("nosuchfs://nowhere/runs", 2), data);
    assertTrue(m.startsWith("checkpoint directory 'nosuchfs://nowhere/runs' cannot be reached or"
        + " written: UnsupportedFileSystemException"), m);
  }

  @Test
  void testCheckpointPathUnwritable(@TempDir Path tmp) throws IOException {
    SparkSession spark = SparkTests.session("local[2]");
    Dataset<Row> data = SparkTests.frame(spark, good());
    Path file = Files.writeString(tmp.resolve("a-file"), "not a directory");
    String m = refused(trainer().checkpoint(file.toUri().toString(), 2), data);
    assertTrue(m.contains("checkpoint directory '" + file.toUri() + "' is a file, not a directory"),
        m);
    String under = file.toUri() + "/runs";
    m = refused(trainer().checkpoint(under, 2), data);
    assertTrue(m.startsWith("checkpoint directory '" + under + "' cannot be reached or written"), m);
    assertEquals("not a directory", Files.readString(file), "the file was left alone");
  }

  @Test
  void testBadSettings() {
    ModelFactory f = SparkTests.smallMlp(DIM, CLASSES);
    assertSetting("batchSize must be >= 1, got 0",
        () -> DataParallelTrainer.builder(f).steps(1).batchSize(0).build());
    assertSetting("steps must be >= 1, got 0", () -> DataParallelTrainer.builder(f).steps(0).build());
    assertSetting("steps must be >= 1, got -1", () -> DataParallelTrainer.builder(f).build());
    assertSetting("classes must be >= 1, got 0",
        () -> DataParallelTrainer.builder(f).steps(1).classes(0).build());
    assertSetting("treeDepth must be >= 1, got 0",
        () -> DataParallelTrainer.builder(f).steps(1).treeDepth(0).build());
    assertSetting("checkpoint interval must be >= 1 step, got 0",
        () -> DataParallelTrainer.builder(f).steps(1).checkpoint("file:/tmp/x", 0).build());
    assertSetting("features and label columns are both 'y'",
        () -> DataParallelTrainer.builder(f).steps(1).columns("y", "y").build());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DataParallelTrainer.builder(f).optimizer("lbfgs", 0.1));
    assertTrue(e.getMessage().contains("unknown optimiser 'lbfgs'"), e.getMessage());
    NullPointerException n = assertThrows(NullPointerException.class,
        () -> DataParallelTrainer.builder(null));
    assertEquals("DataParallelTrainer: factory is null", n.getMessage());
    n = assertThrows(NullPointerException.class,
        () -> DataParallelTrainer.builder(f).steps(1).build().fit(null));
    assertEquals("DataParallelTrainer.fit: data is null", n.getMessage());
    n = assertThrows(NullPointerException.class,
        () -> DataParallelTrainer.builder(f).checkpoint(null, 1));
    assertEquals("DataParallelTrainer.checkpoint: dir is null", n.getMessage());
  }

  private static void assertSetting(String message, Runnable r) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
    assertEquals("DataParallelTrainer: " + message, e.getMessage());
  }
}
