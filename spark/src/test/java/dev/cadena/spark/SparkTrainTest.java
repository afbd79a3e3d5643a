package dev.cadena.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.cli.TrainJob;
import dev.cadena.cli.TrainOptions;
import dev.cadena.io.Mnist;
import dev.cadena.tensor.DType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job end to end on local[2]: embedded digits, IDX files, Parquet, saving the model. */
class SparkTrainTest {

  private static SparkTrain.Opts opts(String data, String format, int holdout, int steps,
      String out, String export) {
    return new SparkTrain.Opts(data, format, null, holdout, 2, List.of(32), 0.0, DType.FLOAT32,
        "adam", 3e-3, 32, steps, 1, 7, null, 50, 10, out, export);
  }

  @Test
  void testEmbedded_trainsEvaluatesAndSavesAModelTheLibraryReads(@TempDir Path tmp)
      throws IOException {
    SparkSession spark = SparkTests.session("local[2]");
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    Path model = tmp.resolve("models/mlp.safetensors");
    SparkTrain.Outcome o = SparkTrain.run(spark,
        opts("embedded", "auto", 2000, 80, model.toString(), null),
        new PrintStream(log, true, StandardCharsets.UTF_8));
    String text = log.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains("8,000 training digits in 2 partitions, adam lr=0.003, local batch 32"
        + " (global 64), 80 steps"), text);
    assertTrue(text.contains("step 80/80  loss "), text);
    assertTrue(text.contains(" ex/s  comm 0.31 MB "), "25,450 float32 parameters, broadcast once"
        + " and sent back by 2 partitions: 3 x 101,800 bytes\n" + text);
    assertTrue(o.testAccuracy() > 0.75, "80 steps of 64 digits reach > 75%: " + o.testAccuracy());
    // The library's own job reads the file and finds the same accuracy on the same 2,000 digits.
    TrainJob job = new TrainJob(TrainOptions.defaults(),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    assertEquals(o.testAccuracy(), job.evaluate(model), 0.0);
  }

  private static void copyResource(String name, Path to) throws IOException {
    try (InputStream in = Mnist.class.getResourceAsStream("/dev/cadena/data/mnist-10k/" + name)) {
      Files.copy(in, to);
    }
  }

  @Test
  void testIdxDirectory_trainAndT10kPrefixes(@TempDir Path tmp) throws IOException {
    SparkSession spark = SparkTests.session("local[2]");
    for (String prefix : new String[] {"train-", "t10k-"}) {
      copyResource(Mnist.IMAGES_FILE + ".gz", tmp.resolve(prefix + Mnist.IMAGES_FILE + ".gz"));
      copyResource(Mnist.LABELS_FILE + ".gz", tmp.resolve(prefix + Mnist.LABELS_FILE + ".gz"));
    }
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    SparkTrain.Outcome o = SparkTrain.run(spark, opts(tmp.toUri().toString(), "auto", 0, 20, null,
        null), new PrintStream(log, true, StandardCharsets.UTF_8));
    String text = log.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains("10,000 training digits in 2 partitions"), text);
    assertTrue(text.contains("on 10000 held-out digits"), text);
    assertEquals(20, o.result().history().size());
  }

  @Test
  void testParquet_exportedThenTrainedFrom(@TempDir Path tmp) throws IOException {
    SparkSession spark = SparkTests.session("local[2]");
    String dir = tmp.resolve("digits.parquet").toString();
    SparkTrain.run(spark, opts("embedded", "auto", 9000, 1, null, dir),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    SparkTrain.Outcome o = SparkTrain.run(spark, opts(dir, "auto", 0, 0, null, null),
        new PrintStream(log, true, StandardCharsets.UTF_8));
    String text = log.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains("1,000 training digits in 2 partitions"), text);
    // --steps 0 with one epoch: ceil(500 / 32) = 16 steps of the 500-digit partitions.
    assertEquals(16, o.totalSteps(), text);
    assertEquals(16, o.result().history().size());
  }
}
