package dev.cadena.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link Images#shift} against a pixel-by-pixel reference, in every dtype and for views. */
class ImagesTest {

  /** out[k, y, x] = in[k, y - dy, x - dx] where that pixel exists, else 0. */
  private static double[] reference(double[] in, int n, int h, int w, int[] dy, int[] dx) {
    double[] out = new double[n * h * w];
    for (int k = 0; k < n; k++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          long sy = (long) y - dy[k];
          long sx = (long) x - dx[k];
          if (sy >= 0 && sy < h && sx >= 0 && sx < w) {
            out[(k * h + y) * w + x] = in[(int) ((k * h + sy) * w + sx)];
          }
        }
      }
    }
    return out;
  }

  @Test
  void testShift_matchesReference_everyDtype_views_largeShifts() {
    SplittableRandom rng = new SplittableRandom(11);
    int n = 6;
    int h = 5;
    int w = 7;
    int[] dy = {0, 2, -3, 5, -9, Integer.MIN_VALUE};
    int[] dx = {1, -6, 3, 0, 2, Integer.MAX_VALUE};
    double[] v = new double[n * h * w];
    for (int i = 0; i < v.length; i++) {
      v[i] = 1 + rng.nextInt(100);
    }
    double[] expected = reference(v, n, h, w, dy, dx);
    for (DType dtype : DType.values()) {
      NDArray images = NDArray.wrap(v.clone(), n, h * w).astype(dtype);
      NDArray out = Images.shift(images, h, w, dy, dx);
      assertEquals(dtype, out.dtype());
      assertArrayEquals(new int[] {n, h * w}, out.shape());
      assertArrayEquals(expected, out.toDoubleArray(), 0, dtype.toString());
      // The same images as a transposed (strided) view.
      NDArray t = NDArray.wrap(v.clone(), n, h * w).permute(1, 0).astype(dtype).contiguous()
          .permute(1, 0);
      assertArrayEquals(expected, Images.shift(t, h, w, dy, dx).toDoubleArray(), 0, dtype + " view");
    }
    assertArrayEquals(v, NDArray.wrap(v.clone(), n, h * w).toDoubleArray(), 0, "input unchanged");
  }

  @Test
  void testShift_badArguments_namedErrors() {
    NDArray x = NDArray.zeros(DType.FLOAT32, 2, 4);
    ShapeException e = assertThrows(ShapeException.class,
        () -> Images.shift(x, 3, 3, new int[2], new int[2]));
    assertEquals("shift: expected images of shape [N, 9] (3x3 pixels), got [2, 4]", e.getMessage());
    e = assertThrows(ShapeException.class, () -> Images.shift(x, 2, 2, new int[1], new int[2]));
    assertEquals("shift: need one shift per image, got 1 dy and 2 dx for 2 images", e.getMessage());
    NullPointerException npe = assertThrows(NullPointerException.class,
        () -> Images.shift(x, 2, 2, new int[2], null));
    assertEquals("shift: dx is null", npe.getMessage());
  }
}
