package dev.cadena.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.ShapeException;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AugmentTest {
  @Test
  void testRandomShift_movesASinglePixelByAtMostMaxShift() {
    // A 5x5 image with one lit pixel in the middle: after a shift it is lit somewhere within
    // the 3x3 neighbourhood, exactly once, and nothing else is.
    for (int seed = 0; seed < 20; seed++) {
      double[] img = new double[25];
      img[2 * 5 + 2] = 1;
      Tensor out = Augment.randomShift(Tensor.fromArray(img, 1, 25), 5, 5, 1, new SplittableRandom(seed));
      double[] v = out.toDoubleArray();
      int lit = -1;
      double total = 0;
      for (int i = 0; i < 25; i++) {
        total += v[i];
        if (v[i] == 1) {
          lit = i;
        }
      }
      assertEquals(1.0, total);
      assertTrue(Math.abs(lit / 5 - 2) <= 1 && Math.abs(lit % 5 - 2) <= 1, "pixel at " + lit);
    }
  }

  @Test
  void testRandomShift_drawsDyThenDxPerImage_fromTheGivenGenerator() {
    // A seed keeps giving the same augmentation: image k is moved by the (2k)th and (2k+1)th
    // draws, down and right.
    int n = 4;
    int h = 4;
    int w = 5;
    double[] img = new double[n * h * w];
    for (int i = 0; i < img.length; i++) {
      img[i] = i + 1;
    }
    Tensor out = Augment.randomShift(Tensor.fromArray(img, n, h * w), h, w, 2, new SplittableRandom(9));
    SplittableRandom rng = new SplittableRandom(9);
    double[] expected = new double[img.length];
    for (int k = 0; k < n; k++) {
      int dy = rng.nextInt(5) - 2;
      int dx = rng.nextInt(5) - 2;
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int sy = y - dy;
          int sx = x - dx;
          if (sy >= 0 && sy < h && sx >= 0 && sx < w) {
            expected[(k * h + y) * w + x] = img[(k * h + sy) * w + sx];
          }
        }
      }
    }
    assertArrayEquals(expected, out.toDoubleArray(), 0);
  }

  @Test
  void testRandomShift_fillsBorderWithZerosAndKeepsDtype() {
    double[] img = new double[9];
    Arrays.fill(img, 1);
    Tensor x = Tensor.fromArray(img, 1, 9).to(DType.FLOAT32);
    int[] zeros = new int[2];
    for (int seed = 0; seed < 30; seed++) {
      Tensor out = Augment.randomShift(x, 3, 3, 1, new SplittableRandom(seed));
      assertEquals(DType.FLOAT32, out.dtype());
      double sum = out.sum().item();
      assertTrue(sum == 9 || sum == 6 || sum == 4, "sum " + sum);
      zeros[sum == 9 ? 0 : 1]++;
    }
    assertTrue(zeros[1] > 0, "some shifts move the image");
  }

  @Test
  void testRandomShift_zeroShiftIsIdentityAndBadShapesAreRejected() {
    Tensor x = Tensor.arange(8).reshape(2, 4);
    assertArrayEquals(x.toDoubleArray(), Augment.randomShift(x, 2, 2, 0, new SplittableRandom(1)).toDoubleArray());
    ShapeException e = assertThrows(ShapeException.class,
        () -> Augment.randomShift(x, 3, 3, 1, new SplittableRandom(1)));
    assertTrue(e.getMessage().contains("[2, 4]") && e.getMessage().contains("[N, 9]"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Augment.randomShift(x, 2, 2, -1, new SplittableRandom(1)));
    IllegalArgumentException d = assertThrows(IllegalArgumentException.class,
        () -> Augment.randomShift(Tensor.ofLongs(1, 2, 3, 4).reshape(1, 4), 2, 2, 1, new SplittableRandom(1)));
    assertTrue(d.getMessage().startsWith("randomShift: images must be float32 or float64, got int64"),
        d.getMessage());
  }
}
