package dev.cadena.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retried tasks and restarted jobs end with the parameters of an undisturbed run: Spark retries a
 * task that fails on its first attempt, and a job stopped after a checkpoint resumes from it with
 * the model and the optimiser's state.
 */
class FaultToleranceTest {
  private static final int DIM = 5;
  private static final int CLASSES = 4;
  /** Failures the hook injected (tasks run in this JVM in local mode). */
  static final AtomicInteger INJECTED = new AtomicInteger();

  private static DataParallelTrainer.Builder trainer(PrintStream out) {
    return DataParallelTrainer.builder(SparkTests.smallMlp(DIM, CLASSES)).classes(CLASSES)
        .optimizer("adam", 0.02).batchSize(4).steps(12).seed(17).progress(out, 0);
  }

  private static Dataset<Row> data(SparkSession spark) {
    return SparkTests.frame(spark, SparkTests.randomParts(8, new int[] {11, 14}, DIM, CLASSES));
  }

  private static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }

  @Test
  void testTaskFailingOnFirstAttempt_isRetried_sameParametersAsUndisturbed() {
    SparkSession spark = SparkTests.session("local[2,2]");
    Dataset<Row> data = data(spark);
    double[] undisturbed = SparkTests.flat(trainer(quiet()).build().fit(data).model());
    INJECTED.set(0);
    DataParallelTrainer disturbed = trainer(quiet()).taskHook((step, partition) -> {
      if ((step == 3 || step == 9) && partition == 1 && TaskContext.get().attemptNumber() == 0) {
        INJECTED.incrementAndGet();
        throw new IllegalStateException("injected failure at step " + step);
      }
    }).build();
    double[] retried = SparkTests.flat(disturbed.fit(data).model());
    assertEquals(2, INJECTED.get(), "both injected failures happened");
    assertArrayEquals(undisturbed, retried, 0.0);
  }

  @Test
  void testRestartedJob_resumesFromLastCheckpoint_sameParametersAsUninterrupted(@TempDir Path tmp)
      throws IOException {
    SparkSession spark = SparkTests.session("local[2]");
    Dataset<Row> data = data(spark);
    double[] uninterrupted = SparkTests.flat(
        trainer(quiet()).checkpoint(tmp.resolve("a").toUri().toString(), 4).build().fit(data).model());

    String dir = tmp.resolve("b").toUri().toString();
    RuntimeException crash = assertThrows(RuntimeException.class, () -> trainer(quiet())
        .checkpoint(dir, 4).listener(s -> {
          if (s.step() == 10) {
            throw new RuntimeException("driver lost at step 10");
          }
        }).build().fit(data));
    assertEquals("driver lost at step 10", crash.getMessage());
    assertTrue(Files.isRegularFile(tmp.resolve("b/step-00000008.safetensors")));

    ByteArrayOutputStream log = new ByteArrayOutputStream();
    DataParallelTrainer.Result resumed = trainer(new PrintStream(log, true, StandardCharsets.UTF_8))
        .checkpoint(dir, 4).build().fit(data);
    assertEquals(8, resumed.resumedFrom());
    assertEquals(4, resumed.history().size(), "steps 9 to 12 ran again");
    assertTrue(log.toString(StandardCharsets.UTF_8).contains("step-00000008.safetensors (step 8)"));
    assertArrayEquals(uninterrupted, SparkTests.flat(resumed.model()), 0.0);
    assertEquals(12, resumed.optimizer().stepCount(0), "the optimiser's state came back");
  }

  @Test
  void testCorruptNewestCheckpoint_isSkipped_olderOneResumes(@TempDir Path tmp) throws IOException {
    SparkSession spark = SparkTests.session("local[2]");
    Dataset<Row> data = data(spark);
    String dir = tmp.toUri().toString();
    double[] full = SparkTests.flat(trainer(quiet()).checkpoint(dir, 4).build().fit(data).model());
    // Truncate the newest: its checksum and its safetensors header both fail now.
    Path newest = tmp.resolve("step-00000012.safetensors");
    byte[] bytes = Files.readAllBytes(newest);
    Files.write(newest, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    DataParallelTrainer.Result r = trainer(new PrintStream(log, true, StandardCharsets.UTF_8))
        .checkpoint(dir, 4).build().fit(data);
    assertEquals(8, r.resumedFrom());
    assertTrue(log.toString(StandardCharsets.UTF_8).contains("warning: skipping checkpoint"),
        log.toString(StandardCharsets.UTF_8));
    assertArrayEquals(full, SparkTests.flat(r.model()), 0.0);
  }

  @Test
  void testCheckpointOfAnotherRun_isRefusedWithTheSettingThatDiffers(@TempDir Path tmp) {
    SparkSession spark = SparkTests.session("local[2]");
    Dataset<Row> data = data(spark);
    String dir = tmp.toUri().toString();
    trainer(quiet()).steps(4).checkpoint(dir, 4).build().fit(data);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> trainer(quiet()).batchSize(5).checkpoint(dir, 4).build().fit(data));
    assertTrue(e.getMessage().contains("no usable checkpoint in"), e.getMessage());
    assertTrue(e.getMessage().contains("batch_size=4, this run has batch_size=5"), e.getMessage());
  }

  @Test
  void testCheckpointWriteFailingMidRun_failsAtThatStep_keepsEarlierCheckpoints(@TempDir Path tmp)
      throws IOException {
    SparkSession spark = SparkTests.session("local[2]");
    Dataset<Row> data = data(spark);
    double[] uninterrupted = SparkTests.flat(trainer(quiet()).build().fit(data).model());
    // A non-empty directory where step 8's checkpoint must go: the write cannot replace it.
    Path blocker = tmp.resolve("step-00000008.safetensors");
    Files.createDirectories(blocker);
    Files.writeString(blocker.resolve("x"), "x");
    AtomicInteger lastStep = new AtomicInteger();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trainer(quiet())
        .checkpoint(tmp.toUri().toString(), 4).listener(s -> lastStep.set((int) s.step())).build()
        .fit(data));
    assertTrue(e.getMessage().startsWith("checkpoint of step 8 to "), e.getMessage());
    assertTrue(e.getMessage().contains("(earlier checkpoints are untouched)"), e.getMessage());
    assertEquals(7, lastStep.get(), "the run stopped at step 8");
    try (var files = Files.list(tmp)) {
      assertEquals(List.of(".step-00000004.safetensors.crc", "step-00000004.safetensors",
          "step-00000008.safetensors"), files.map(p -> p.getFileName().toString()).sorted().toList(),
          "step 4's checkpoint is there, no temporary file is left");
    }
    // Once the obstacle is gone the run resumes from step 4 and ends as if never stopped.
    Files.delete(blocker.resolve("x"));
    Files.delete(blocker);
    DataParallelTrainer.Result r = trainer(quiet()).checkpoint(tmp.toUri().toString(), 4).build()
        .fit(data);
    assertEquals(4, r.resumedFrom());
    assertArrayEquals(uninterrupted, SparkTests.flat(r.model()), 0.0);
  }
}
