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
