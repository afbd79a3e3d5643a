package dev.cadena.spark;

import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Row;

/**
 * One partition's examples as two primitive arrays, built once from the partition's rows and
 * cached by Spark for the whole run: features {@code [n, dim]} row-major in the model's dtype and
 * labels. A block whose rows break a rule (ragged or null features, a label out of range) keeps
 * the first problem instead of failing the task, so that the driver reports it as an
 * {@link IllegalArgumentException} before training starts (a task failure would be retried and
 * then wrapped by Spark).
 */
final class ExampleBlock implements Serializable {
  private static final long serialVersionUID = 1L;

  final int partition;
  final int n;
  /** Features per example; -1 for an empty partition. */
  final int dim;
  private final DType dtype;
  private final double[] xd;
  private final float[] xf;
  private final long[] y;
  /** The first broken rule, naming the partition, row and values; null when there is none. */
  final String problem;

  private ExampleBlock(int partition, int n, int dim, DType dtype, double[] xd, float[] xf, long[] y,
      String problem) {
    this.partition = partition;
    this.n = n;
    this.dim = dim;
    this.dtype = dtype;
    this.xd = xd;
    this.xf = xf;
    this.y = y;
    this.problem = problem;
  }

  /**
   * Reads rows of two columns: features (an array of numbers, column 0) and label (an integer,
   * column 1), checking that every row has {@code dim} features (the first row's count when
   * {@code dim} is -1) and a label in {@code [0, classes)}.
   */
  static ExampleBlock read(int partition, Iterator<Row> rows, DType dtype, int dim, int classes,
      String featuresCol, String labelCol) {
    DoubleBuffer xs = new DoubleBuffer();
    LongBuffer ys = new LongBuffer();
    int n = 0;
    int width = dim;
    while (rows.hasNext()) {
      Row r = rows.next();
      String where = "row " + n + " of partition " + partition;
      if (r.isNullAt(0)) {
        return failed(partition, dtype, "column '" + featuresCol + "' is null at " + where);
      }
      if (r.isNullAt(1)) {
        return failed(partition, dtype, "column '" + labelCol + "' is null at " + where);
      }
      List<Object> f = r.getList(0);
      if (width < 0) {
        width = f.size();
      }
      if (f.size() != width) {
        return failed(partition, dtype, "ragged features: " + where + " has " + f.size()
            + " values in '" + featuresCol + "', expected " + width);
      }
      for (int i = 0; i < width; i++) {
        Object v = f.get(i);
        if (v == null) {
          return failed(partition, dtype, "'" + featuresCol + "' has a null element at index " + i
              + " of " + where);
        }
        xs.add(((Number) v).doubleValue());
      }
      long label = ((Number) r.get(1)).longValue();
      if (label < 0 || label >= classes) {
        return failed(partition, dtype, "label " + label + " at " + where + " is out of range [0, "
            + classes + ")");
      }
      ys.add(label);
      n++;
    }
    double[] x = xs.toArray();
    if (dtype == DType.FLOAT64) {
      return new ExampleBlock(partition, n, n == 0 ? -1 : width, dtype, x, null, ys.toArray(), null);
    }
    float[] xf = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      xf[i] = (float) x[i];
    }
    return new ExampleBlock(partition, n, n == 0 ? -1 : width, dtype, null, xf, ys.toArray(), null);
  }

  private static ExampleBlock failed(int partition, DType dtype, String problem) {
    return new ExampleBlock(partition, 0, -1, dtype, null, null, null, problem);
  }

  /** The features of the examples at {@code idx}, {@code [idx.length, dim]}. */
  Tensor features(int[] idx) {
    if (dtype == DType.FLOAT64) {
      double[] out = new double[Math.multiplyExact(idx.length, dim)];
      for (int i = 0; i < idx.length; i++) {
        System.arraycopy(xd, idx[i] * dim, out, i * dim, dim);
      }
      return Tensor.fromArray(out, idx.length, dim);
    }
    float[] out = new float[Math.multiplyExact(idx.length, dim)];
    for (int i = 0; i < idx.length; i++) {
      System.arraycopy(xf, idx[i] * dim, out, i * dim, dim);
    }
    return Tensor.fromArray(out, idx.length, dim);
  }

  /** The labels of the examples at {@code idx}, int64 {@code [idx.length]}. */
  Tensor labels(int[] idx) {
    long[] out = new long[idx.length];
    for (int i = 0; i < idx.length; i++) {
      out[i] = y[idx[i]];
    }
    return Tensor.ofLongs(out);
  }

  /** What the driver needs to know of a block: its size, width and problem. */
  Summary summary() {
    return new Summary(partition, n, dim, problem);
  }

  /** A block's size and first problem, collected on the driver before training starts. */
  record Summary(int partition, int n, int dim, String problem) implements Serializable {}

  /** A growable double[] (no boxing while a partition's rows are read). */
  private static final class DoubleBuffer {
    private double[] a = new double[1024];
    private int size;

    void add(double v) {
      if (size == a.length) {
        a = java.util.Arrays.copyOf(a, Math.multiplyExact(a.length, 2));
      }
      a[size++] = v;
    }

    double[] toArray() {
      return java.util.Arrays.copyOf(a, size);
    }
  }

  /** A growable long[]. */
  private static final class LongBuffer {
    private long[] a = new long[64];
    private int size;

    void add(long v) {
      if (size == a.length) {
        a = java.util.Arrays.copyOf(a, Math.multiplyExact(a.length, 2));
      }
      a[size++] = v;
    }

    long[] toArray() {
      return java.util.Arrays.copyOf(a, size);
    }
  }
}
