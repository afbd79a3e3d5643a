package dev.cadena.tensor.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * fold's row addition, written out in groups of eight and four, against the plain loop it
 * replaces: bit for bit (the same additions in the same order), for every range up to 40
 * elements at several offsets, both dtypes, and nothing outside the range touched.
 */
class Im2ColRowsTest {

  @Test
  void addRow_equalsThePlainLoopBitForBit() {
    SplittableRandom rng = new SplittableRandom(12);
    for (int lo = 0; lo < 5; lo++) {
      for (int hi = lo; hi <= 40; hi++) {
        for (int[] at : new int[][] {{0, 0}, {3, 7}, {11, 1}}) {
          int src = at[0];
          int dst = at[1];
          double[] in = new double[64];
          double[] out = new double[64];
          for (int i = 0; i < 64; i++) {
            in[i] = rng.nextDouble(-1, 1) * Math.scalb(1.0, rng.nextInt(-20, 20));
            out[i] = rng.nextDouble(-1, 1);
          }
          double[] expected = out.clone();
          for (int p = lo; p < hi; p++) {
            expected[dst + p] += in[src + p];
          }
          Im2ColRowsF64.addRow(in, src, out, dst, lo, hi);
          assertArrayEquals(expected, out, "float64 lo=" + lo + " hi=" + hi);

          float[] in32 = new float[64];
          float[] out32 = new float[64];
          for (int i = 0; i < 64; i++) {
            in32[i] = (float) in[i];
            out32[i] = (float) expected[63 - i];
          }
          float[] expected32 = out32.clone();
          for (int p = lo; p < hi; p++) {
            expected32[dst + p] += in32[src + p];
          }
          Im2ColRowsF32.addRow(in32, src, out32, dst, lo, hi);
          assertArrayEquals(expected32, out32, "float32 lo=" + lo + " hi=" + hi);
        }
      }
    }
  }
}
