package dev.cadena.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link Shapes#axes}: reduction axes normalised, in increasing order, checked. */
class ShapesAxesTest {

  @Test
  void axes_normalisesAndSorts() {
    assertArrayEquals(new int[] {0, 1, 2}, Shapes.axes("sum", null, 3));
    assertArrayEquals(new int[] {0, 1, 2}, Shapes.axes("sum", new int[0], 3));
    assertArrayEquals(new int[] {}, Shapes.axes("sum", null, 0));
    assertArrayEquals(new int[] {2}, Shapes.axes("sum", new int[] {-1}, 3));
    assertArrayEquals(new int[] {0, 2}, Shapes.axes("sum", new int[] {2, 0}, 3));
    assertArrayEquals(new int[] {0, 1, 3}, Shapes.axes("sum", new int[] {-1, 1, -4}, 4));
  }

  @Test
  void axes_rejectsRepeatsAndOutOfRange() {
    ShapeException twice = assertThrows(ShapeException.class,
        () -> Shapes.axes("max", new int[] {1, -2}, 3));
    assertTrue(twice.getMessage().startsWith("max: axis -2 appears twice"), twice.getMessage());
    ShapeException range = assertThrows(ShapeException.class,
        () -> Shapes.axes("sum", new int[] {3}, 3));
    assertTrue(range.getMessage().contains("sum"), range.getMessage());
    assertThrows(ShapeException.class, () -> Shapes.axes("sum", new int[] {0, 5}, 3));
  }
}
