package dev.cadena.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.nn.Module;
import dev.cadena.tensor.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFilesTest {
  /** A tiny model: one weight, one bias, one buffer. */
  static final class Tiny extends Module {
    final Tensor w;
    final Tensor b;

    Tiny(long seed, int in, DType dtype) {
      SplittableRandom r = new SplittableRandom(seed);
      w = registerParameter("weight", Tensor.randn(r, dtype, in, 3));
      b = registerParameter("bias", Tensor.randn(r, dtype, 3));
      registerBuffer("steps", Tensor.ofLongs(seed));
    }

    @Override
    public Tensor forward(Tensor x) {
      return x.matmul(w).add(b);
    }
  }

  @Test
  void testRoundTrip_restoresEveryValue(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("m.safetensors");
    Tiny a = new Tiny(1, 4, DType.FLOAT32);
    ModelFiles.save(a, f);
    Tiny b = new Tiny(2, 4, DType.FLOAT32);
    ModelFiles.load(b, f);
    for (String k : a.stateDict().keySet()) {
      assertArrayEquals(a.stateDict().get(k).toDoubleArray(), b.stateDict().get(k).toDoubleArray(), 0.0, k);
    }
  }

  @Test
  void testLoad_mismatchesAreReportedByNameAndModelUntouched(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("m.safetensors");
    ModelFiles.save(new Tiny(1, 4, DType.FLOAT64), f);
    Tiny other = new Tiny(2, 5, DType.FLOAT64);
    double[] before = other.w.toDoubleArray();
    FormatException e = assertThrows(FormatException.class, () -> ModelFiles.load(other, f));
    assertTrue(e.getMessage().contains("'weight' has shape [4, 3]"), e.getMessage());
    assertArrayEquals(before, other.w.toDoubleArray(), 0.0);
    Tiny wrongType = new Tiny(2, 4, DType.FLOAT32);
    FormatException e2 = assertThrows(FormatException.class, () -> ModelFiles.load(wrongType, f));
    assertTrue(e2.getMessage().contains("'weight' has dtype F64"), e2.getMessage());
  }

  @Test
  void testLoad_truncatedFileGivesFormatErrorAndModelUntouched(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("m.safetensors");
    ModelFiles.save(new Tiny(1, 4, DType.FLOAT64), f);
    byte[] all = Files.readAllBytes(f);
    Tiny target = new Tiny(9, 4, DType.FLOAT64);
    double[] before = target.w.toDoubleArray();
    for (int cut : new int[] {0, 4, 8, 20, all.length / 2, all.length - 1}) {
      Path t = dir.resolve("cut" + cut);
      Files.write(t, Arrays.copyOf(all, cut));
      assertThrows(FormatException.class, () -> ModelFiles.load(target, t), "cut at " + cut);
    }
    byte[] corrupt = all.clone();
    corrupt[12] = '#';
    Path c = dir.resolve("corrupt");
    Files.write(c, corrupt);
    assertThrows(FormatException.class, () -> ModelFiles.load(target, c));
    assertArrayEquals(before, target.w.toDoubleArray(), 0.0);
  }
}
