package dev.cadena.tensor;

/**
 * Kernels along one axis, behind {@link NDArray#argsort} and {@link NDArray#cumsum}: the axis is
 * permuted last and the view made contiguous, so that each output row reads one contiguous input
 * row; the result is permuted back into a new contiguous array.
 */
final class Scans {
  private Scans() {}

  /** See {@link NDArray#argsort}. */
  static NDArray argsort(NDArray x, int axis, boolean descending) {
    x.requireFloat("argsort");
    int[] shape = x.shape;
    int a = Shapes.axis("argsort", axis, shape.length);
    int[] perm = axisLast(shape.length, a);
    NDArray src = x.permute(perm).contiguous();
    int n = shape[a];
    NDArray out = NDArray.zeros(DType.INT64, src.shape);
    if (n == 0 || src.size == 0) {
      return out.permute(inverse(perm)).copy();
    }
    int rows = src.size / n;
    double[] key = new double[n];
    int[] idx = new int[n];
    int[] tmp = new int[n];
    for (int r = 0; r < rows; r++) {
      int base = src.offset + r * n;
      if (src.d != null) {
        System.arraycopy(src.d, base, key, 0, n);
      } else {
        for (int i = 0; i < n; i++) {
          key[i] = src.f[base + i];
        }
      }
      for (int i = 0; i < n; i++) {
        idx[i] = i;
      }
      mergeSort(key, idx, tmp, 0, n, descending);
      int o = r * n;
      for (int i = 0; i < n; i++) {
        out.l[o + i] = idx[i];
      }
    }
    return out.permute(inverse(perm)).copy();
  }

  /**
   * True when {@code a} goes strictly before {@code b}: in ascending order a smaller value, or a
   * number before NaN (NaN sorts as the largest value, as in PyTorch); in descending order the
   * reverse. Equal values (also {@code -0.0} and {@code 0.0}, or two NaNs) are never before each
   * other, which keeps the merge stable.
   */
  private static boolean before(double a, double b, boolean descending) {
    if (descending) {
      return a > b || (a != a && b == b);
    }
    return a < b || (b != b && a == a);
  }

  /** Sorts {@code idx[lo, hi)} by {@code key[idx[i]]}, stably; {@code tmp} is scratch space. */
  private static void mergeSort(double[] key, int[] idx, int[] tmp, int lo, int hi, boolean desc) {
    if (hi - lo <= 16) {
      // Insertion sort: moves an element left only past elements it goes strictly before.
      for (int i = lo + 1; i < hi; i++) {
        int v = idx[i];
        double kv = key[v];
        int j = i - 1;
        while (j >= lo && before(kv, key[idx[j]], desc)) {
          idx[j + 1] = idx[j];
          j--;
        }
        idx[j + 1] = v;
      }
      return;
    }
    int mid = (lo + hi) >>> 1;
    mergeSort(key, idx, tmp, lo, mid, desc);
    mergeSort(key, idx, tmp, mid, hi, desc);
    if (!before(key[idx[mid]], key[idx[mid - 1]], desc)) {
      return; // already in order
    }
    System.arraycopy(idx, lo, tmp, lo, hi - lo);
    int i = lo;
    int j = mid;
    for (int k = lo; k < hi; k++) {
      // Take from the right run only when it goes strictly before the left one: stable.
      if (i < mid && (j >= hi || !before(key[tmp[j]], key[tmp[i]], desc))) {
        idx[k] = tmp[i++];
      } else {
        idx[k] = tmp[j++];
      }
    }
  }

  /** See {@link NDArray#cumsum}. */
  static NDArray cumsum(NDArray x, int axis) {
    x.requireFloat("cumsum");
    int[] shape = x.shape;
    int a = Shapes.axis("cumsum", axis, shape.length);
    int[] perm = axisLast(shape.length, a);
    NDArray src = x.permute(perm).contiguous();
    int n = shape[a];
    NDArray out = NDArray.zeros(x.dtype, src.shape);
    if (n == 0 || src.size == 0) {
      return out.permute(inverse(perm)).copy();
    }
    int rows = src.size / n;
    for (int r = 0; r < rows; r++) {
      int base = src.offset + r * n;
      int o = r * n;
      // The running sum is kept in float64 also for float32 data, each output rounded once.
      double s = 0;
      if (src.d != null) {
        for (int i = 0; i < n; i++) {
          s += src.d[base + i];
          out.d[o + i] = s;
        }
      } else {
        for (int i = 0; i < n; i++) {
          s += src.f[base + i];
          out.f[o + i] = (float) s;
        }
      }
    }
    return out.permute(inverse(perm)).copy();
  }

  /** The permutation that moves axis {@code a} of {@code rank} axes last. */
  private static int[] axisLast(int rank, int a) {
    int[] perm = new int[rank];
    int j = 0;
    for (int i = 0; i < rank; i++) {
      if (i != a) {
        perm[j++] = i;
      }
    }
    perm[j] = a;
    return perm;
  }

  private static int[] inverse(int[] perm) {
    int[] inv = new int[perm.length];
    for (int i = 0; i < perm.length; i++) {
      inv[perm[i]] = i;
    }
    return inv;
  }
}
