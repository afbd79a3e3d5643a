package dev.cadena;

import dev.cadena.tensor.DType;
import dev.cadena.tensor.NDArray;
import java.util.Arrays;
import java.util.Locale;

/**
 * PyTorch-style printing of tensor values: one number format for all elements, aligned.
 *
 * <p>Beyond {@value #THRESHOLD} elements the output is summarised as PyTorch does: along each
 * dimension longer than {@code 2 * }{@value #EDGE}, only the first and last {@value #EDGE}
 * entries are printed, with {@code ...} between. The format and the column width are chosen
 * from the printed elements only (as PyTorch's formatter sees only the summarised data), so
 * printing costs what it prints: a million-element tensor or a broadcast view of 2^30 elements
 * reads a few dozen values, never the whole array.
 */
final class TensorFormat {
  private static final int THRESHOLD = 1000;
  private static final int EDGE = 3;

  private TensorFormat() {}

  static String format(NDArray a, int indent) {
    int[] shape = a.shape();
    if (shape.length == 0) {
      // A 0-d tensor prints its one element, with no brackets. Settled before the strides loop:
      // in one CI run of PublicApiFuzzTest (JDK 17.0.15, C2) that loop, compiled after millions
      // of calls on other ranks, ran its body once with i = -1 for a 0-d shape
      // (ArrayIndexOutOfBoundsException: Index -1 out of bounds for length 0), which a correct
      // execution cannot do; not reproduced in four reruns.
      Positions one = new Positions();
      one.add(0);
      return num(a, 0, chooseFormat(a, one));
    }
    boolean summarize = a.size() > THRESHOLD;
    // Row-major strides of the logical shape (they fit an int: the size does), to address
    // elements by their flat index.
    int[] strides = new int[shape.length];
    int s = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      strides[i] = s;
      s *= shape[i];
    }
    // The flat indices of the printed elements, in the order they are printed.
    Positions printed = new Positions();
    collect(shape, strides, 0, 0, summarize, printed);
    String fmt = chooseFormat(a, printed);
    String[] text = new String[printed.size];
    int width = 0;
    for (int k = 0; k < printed.size; k++) {
      text[k] = num(a, printed.at[k], fmt);
      width = Math.max(width, text[k].length());
    }
    StringBuilder sb = new StringBuilder();
    render(sb, shape, 0, text, new int[1], width, indent + 1, summarize);
    return sb.toString();
  }

  /** A growable list of flat indices. */
  private static final class Positions {
    int[] at = new int[16];
    int size;

    void add(int flat) {
      if (size == at.length) {
        at = Arrays.copyOf(at, 2 * size);
      }
      at[size++] = flat;
    }
  }

  /** Whether dimension {@code dim}'s entries {@code EDGE .. n-EDGE-1} are left out. */
  private static boolean cut(int[] shape, int dim, boolean summarize) {
    return summarize && shape[dim] > 2 * EDGE;
  }

  /** Appends the flat indices that {@link #render} prints, in its order. */
  private static void collect(
      int[] shape, int[] strides, int dim, int base, boolean summarize, Positions out) {
    int n = shape[dim];
    boolean cut = cut(shape, dim, summarize);
    for (int i = 0; i < n; i++) {
      if (cut && i == EDGE) {
        i = n - EDGE;
      }
      int flat = base + i * strides[dim];
      if (dim == shape.length - 1) {
        out.add(flat);
      } else {
        collect(shape, strides, dim + 1, flat, summarize, out);
      }
    }
  }

  /** One format for every printed element: integers, fixed point or scientific. */
  private static String chooseFormat(NDArray a, Positions printed) {
    if (a.dtype() == DType.INT64) {
      return "%d";
    }
    boolean ints = true;
    double maxAbs = 0;
    double minAbs = Double.POSITIVE_INFINITY;
    for (int k = 0; k < printed.size; k++) {
      double v = a.getFlat(printed.at[k]);
      if (!Double.isFinite(v)) {
        continue;
      }
      double av = Math.abs(v);
      maxAbs = Math.max(maxAbs, av);
      if (av > 0) {
        minAbs = Math.min(minAbs, av);
      }
      if (v != Math.rint(v)) {
        ints = false;
      }
    }
    if (ints && maxAbs < 1e8) {
      return "%.0f.";
    } else if (maxAbs >= 1e8 || (minAbs < 1e-4 && minAbs > 0) || maxAbs / minAbs > 1e6 && minAbs < 1) {
      return "%.4e";
    } else {
      return "%.4f";
    }
  }

  private static String num(NDArray a, int flat, String fmt) {
    if (a.dtype() == DType.INT64) {
      return Long.toString(a.getFlatLong(flat));
    }
    double v = a.getFlat(flat);
    if (Double.isNaN(v)) {
      return "nan";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "inf" : "-inf";
    }
    return String.format(Locale.ROOT, fmt, v);
  }

  /**
   * Renders dimension {@code dim} and below, taking the printed numbers from {@code text} in
   * order ({@code next[0]} is the next one).
   */
  private static void render(
      StringBuilder sb, int[] shape, int dim, String[] text, int[] next, int width, int indent,
      boolean summarize) {
    sb.append('[');
    int n = shape[dim];
    boolean cut = cut(shape, dim, summarize);
    for (int i = 0; i < n; i++) {
      if (cut && i == EDGE) {
        sb.append(dim == shape.length - 1 ? "..., " : "...,\n" + " ".repeat(indent + dim));
        i = n - EDGE;
      }
      if (dim == shape.length - 1) {
        String v = text[next[0]++];
        sb.append(" ".repeat(Math.max(0, width - v.length()))).append(v);
        if (i < n - 1) {
          sb.append(", ");
        }
      } else {
        render(sb, shape, dim + 1, text, next, width, indent, summarize);
        if (i < n - 1) {
          sb.append(",").append("\n".repeat(shape.length - 1 - dim)).append(" ".repeat(indent + dim));
        }
      }
    }
    sb.append(']');
  }
}
