package dev.cadena.tensor.kernel;

import java.util.Arrays;

/**
 * How to walk one shape for several operands at once, each with its own strides (in elements):
 * as {@link #rows()} rows of {@link #inner()} elements, the operands' offsets at the start of
 * each row given by {@link #rowOffsets}, and within a row operand {@code o} advancing by {@link
 * #innerStride innerStride(o)}.
 *
 * <p>The plan drops size-1 dimensions and merges adjacent dimensions that are contiguous for
 * every operand ({@code stride[i] == stride[i+1] * shape[i+1]}), so that the inner loop is as
 * long as possible: a contiguous array is one row, a {@code [B, N]} array plus a broadcast {@code
 * [N]} bias is {@code B} rows of {@code N}. An operand broadcast along a dimension has stride 0
 * there. A shape with no dimension of size other than 1 (a scalar) is one row of one element.
 *
 * <p>Example: shape {@code [2, 3, 4]}, operand strides {@code [12, 4, 1]} and {@code [0, 4, 1]}
 * give 2 rows of 12 elements, inner strides 1 and 1, and row offsets {@code (0, 0)} and {@code
 * (12, 0)}.
 */
public final class StridedPlan {
  private final int[] dims;
  private final int[][] st;

  /**
   * A plan for {@code shape} with one stride array per operand (each as long as the shape).
   */
  public StridedPlan(int[] shape, int[]... strides) {
    int r = shape.length;
    int k = strides.length;
    int[] ds = new int[Math.max(r, 1)];
    int[][] ss = new int[k][Math.max(r, 1)];
    int n = 0;
    for (int i = 0; i < r; i++) {
      if (shape[i] == 1) {
        continue;
      }
      if (n > 0) {
        boolean merge = true;
        for (int o = 0; o < k; o++) {
          if (ss[o][n - 1] != strides[o][i] * shape[i]) {
            merge = false;
            break;
          }
        }
        if (merge) {
          ds[n - 1] *= shape[i];
          for (int o = 0; o < k; o++) {
            ss[o][n - 1] = strides[o][i];
          }
          continue;
        }
      }
      ds[n] = shape[i];
      for (int o = 0; o < k; o++) {
        ss[o][n] = strides[o][i];
      }
      n++;
    }
    if (n == 0) {
      ds[0] = 1;
      for (int o = 0; o < k; o++) {
        ss[o][0] = 0;
      }
      n = 1;
    }
    dims = Arrays.copyOf(ds, n);
    st = new int[k][];
    for (int o = 0; o < k; o++) {
      st[o] = Arrays.copyOf(ss[o], n);
    }
  }

  /** Elements per row (the length of the innermost loop). */
  public int inner() {
    return dims[dims.length - 1];
  }

  /** The stride of operand {@code operand} within a row. */
  public int innerStride(int operand) {
    return st[operand][dims.length - 1];
  }

  /** Number of rows: the product of all merged dimensions but the last. */
  public int rows() {
    int r = 1;
    for (int i = 0; i < dims.length - 1; i++) {
      r *= dims[i];
    }
    return r;
  }

  /**
   * Fills {@code offs} with each operand's offset at the start of row {@code row}: its base
   * offset {@code base[o]} plus the row's coordinates times the operand's outer strides.
   */
  public void rowOffsets(int row, int[] base, int[] offs) {
    for (int o = 0; o < offs.length; o++) {
      offs[o] = base[o];
    }
    for (int i = dims.length - 2; i >= 0 && row > 0; i--) {
      int c = row % dims[i];
      row /= dims[i];
      for (int o = 0; o < offs.length; o++) {
        offs[o] += c * st[o][i];
      }
    }
  }
}
