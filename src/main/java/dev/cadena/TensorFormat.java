package dev.cadena;

import dev.cadena.tensor.DType;
import dev.cadena.tensor.NDArray;
import java.util.Locale;

/** PyTorch-style printing of tensor values: one number format for all elements, aligned. */
final class TensorFormat {
  private static final int THRESHOLD = 1000;
  private static final int EDGE = 3;

  private TensorFormat() {}

  static String format(NDArray a, int indent) {
    int[] shape = a.shape();
    boolean summarize = a.size() > THRESHOLD;
    // Choose a format from the values that will be printed.
    boolean ints = true;
    double maxAbs = 0;
    double minAbs = Double.POSITIVE_INFINITY;
    for (int i = 0, n = a.size(); i < n; i++) {
      double v = a.getFlat(i);
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
    String fmt;
    if (a.dtype() == DType.INT64) {
      fmt = "%d";
    } else if (ints && maxAbs < 1e8) {
      fmt = "%.0f.";
    } else if (maxAbs >= 1e8 || (minAbs < 1e-4 && minAbs > 0) || maxAbs / minAbs > 1e6 && minAbs < 1) {
      fmt = "%.4e";
    } else {
      fmt = "%.4f";
    }
    int width = 0;
    for (int i = 0, n = a.size(); i < n; i++) {
      width = Math.max(width, num(a, i, fmt).length());
    }
    StringBuilder sb = new StringBuilder();
    if (shape.length == 0) {
      return num(a, 0, fmt);
    }
    int[] strides = new int[shape.length];
    int s = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      strides[i] = s;
      s *= shape[i];
    }
    render(sb, a, shape, strides, 0, 0, fmt, width, indent + 1, summarize);
    return sb.toString();
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

  private static void render(
      StringBuilder sb, NDArray a, int[] shape, int[] strides, int dim, int base, String fmt,
      int width, int indent, boolean summarize) {
    sb.append('[');
    int n = shape[dim];
    boolean cut = summarize && n > 2 * EDGE;
    for (int i = 0; i < n; i++) {
      if (cut && i == EDGE) {
        sb.append(dim == shape.length - 1 ? "..., " : "...,\n" + " ".repeat(indent + dim));
        i = n - EDGE;
      }
      if (dim == shape.length - 1) {
        String v = num(a, base + i * strides[dim], fmt);
        sb.append(" ".repeat(Math.max(0, width - v.length()))).append(v);
        if (i < n - 1) {
          sb.append(", ");
        }
      } else {
        render(sb, a, shape, strides, dim + 1, base + i * strides[dim], fmt, width, indent, summarize);
        if (i < n - 1) {
          sb.append(",").append("\n".repeat(shape.length - 1 - dim)).append(" ".repeat(indent + dim));
        }
      }
    }
    sb.append(']');
  }
}
