package dev.cadena.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.io.FormatException;
import dev.cadena.io.SafeTensors;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The main job, shortened: one epoch of a small network, saved, loaded and evaluated again. */
class TrainJobTest {
  @Test
  void testTrainSaveEvaluate_roundTripsTheModel(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("m.safetensors");
    TrainOptions o = TrainOptions.parse("--epochs", "1", "--hidden", "64", "--out", file.toString(),
        "--seed", "7");
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
    TrainJob.Result r = new TrainJob(o, out).train();
    String log = buf.toString(StandardCharsets.UTF_8);
    assertTrue(r.testAccuracy() > 0.85, "one epoch of a 784-64-10 MLP: " + r.testAccuracy());
    assertTrue(log.contains("epoch 1/1") && log.contains("test accuracy:"), log);
    assertTrue(Files.size(file) > 784 * 64 * 4, "weights were written");

    double again = new TrainJob(o, out).evaluate(file);
    assertEquals(r.testAccuracy(), again, 0.0, "the loaded model classifies exactly as the trained one");
  }

  @Test
  void testCnn_trainsSavesAndEvaluatesEndToEnd(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("cnn.safetensors");
    TrainOptions o = TrainOptions.parse("--model", "cnn", "--epochs", "1", "--out", file.toString(),
        "--seed", "3");
    assertEquals("cnn", o.model());
    assertEquals(TrainOptions.CNN_BATCH_SIZE, o.batchSize(), "cnn's own default");
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
    TrainJob.Result r = new TrainJob(o, out).limitExamples(1024).train();
    String log = buf.toString(StandardCharsets.UTF_8);
    assertTrue(log.contains("Conv2d(1, 32, kernel_size=(5, 5), stride=(1, 1))")
        && log.contains("MaxPool2d(kernel_size=2") && log.contains("epoch 1/1")
        && log.contains("31,722 parameters"), log);
    // 32 steps of batch 32 on 1,024 digits: well above chance (10%), far from trained.
    assertTrue(r.testAccuracy() > 0.3, "accuracy after 32 steps: " + r.testAccuracy());
    assertTrue(Double.isFinite(r.lastLoss()));
    assertEquals("cnn", SafeTensors.read(file).metadata().get("model"));
    double again = new TrainJob(o, out).limitExamples(1024).evaluate(file);
    // evaluate() reads the whole held-out set; on the 1,024 digits of the run the reloaded model
    // classifies exactly as the trained one.
    assertTrue(again > 0.3, "reloaded cnn: " + again);
    assertEquals(r.testAccuracy(),
        TrainJob.accuracy(reloaded(file), dev.cadena.data.Datasets.mnist(dev.cadena.tensor.DType.FLOAT32)
            .test().slice(0, 1024)), 0.0);
  }

  private static dev.cadena.nn.Module reloaded(Path file) throws Exception {
    dev.cadena.nn.Module m = TrainJob.buildCnn(dev.cadena.tensor.DType.FLOAT32, 0);
    dev.cadena.io.ModelFiles.load(m, file);
    return m;
  }

  @Test
  void testModelOption_defaultsAndRejection() {
    TrainOptions mlp = TrainOptions.parse();
    assertEquals("mlp", mlp.model());
    assertEquals(15, mlp.epochs());
    TrainOptions cnn = TrainOptions.parse("--model", "cnn");
    assertEquals(TrainOptions.CNN_EPOCHS, cnn.epochs());
    assertEquals(TrainOptions.CNN_LR, cnn.lr(), 0.0);
    assertEquals(Path.of("target", "mnist-cnn.safetensors"), cnn.out().get());
    TrainOptions given = TrainOptions.parse("--model", "cnn", "--epochs", "2", "--lr", "0.3");
    assertEquals(2, given.epochs());
    assertEquals(0.3, given.lr(), 0.0);
    UsageException e = assertThrows(UsageException.class, () -> TrainOptions.parse("--model", "rnn"));
    assertTrue(e.getMessage().contains("rnn"), e.getMessage());
  }

  @Test
  void testEvaluate_rejectsCorruptAndForeignFiles(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("m.safetensors");
    TrainOptions o = TrainOptions.parse("--epochs", "1", "--hidden", "16", "--out", file.toString());
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    new TrainJob(o, quiet).train();
    byte[] bytes = Files.readAllBytes(file);
    Path cut = dir.resolve("cut.safetensors");
    Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
    assertThrows(FormatException.class, () -> new TrainJob(o, quiet).evaluate(cut));
    Path other = dir.resolve("other.safetensors");
    SafeTensors.write(other, Map.of("w",
        SafeTensors.Entry.ofFloats(new int[] {2}, new float[] {1, 2})), Map.of());
    FormatException e = assertThrows(FormatException.class, () -> new TrainJob(o, quiet).evaluate(other));
    assertTrue(e.getMessage().contains("metadata"), e.getMessage());
    Path bad = dir.resolve("bad.safetensors");
    SafeTensors.write(bad, Map.of("w",
        SafeTensors.Entry.ofFloats(new int[] {2}, new float[] {1, 2})),
        Map.of("hidden", "64,x", "dtype", "float32"));
    FormatException e2 = assertThrows(FormatException.class, () -> new TrainJob(o, quiet).evaluate(bad));
    assertTrue(e2.getMessage().contains("hidden='64,x'"), e2.getMessage());
  }
}
