package dev.cadena.spark;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import java.io.Serializable;
import java.util.List;

/**
 * All of a model's parameters (or their gradients) as one flat primitive array, in the order of
 * {@code Module.parameters()}: a {@code double[]} for a float64 model, a {@code float[]} for a
 * float32 one. This is what travels between the driver and the tasks: one array, never boxed
 * values, and no copy to another precision.
 */
final class FlatVector implements Serializable {
  private static final long serialVersionUID = 1L;

  private final DType dtype;
  private final double[] d;
  private final float[] f;

  private FlatVector(DType dtype, double[] d, float[] f) {
    this.dtype = dtype;
    this.d = d;
    this.f = f;
  }

  /** A zero vector of {@code size} elements. */
  static FlatVector zeros(DType dtype, int size) {
    return dtype == DType.FLOAT64
        ? new FlatVector(dtype, new double[size], null)
        : new FlatVector(dtype, null, new float[size]);
  }

  /** The values of {@code tensors}, one after the other (each must have {@code dtype}). */
  static FlatVector of(DType dtype, List<Tensor> tensors, int size) {
    FlatVector v = zeros(dtype, size);
    int at = 0;
    for (Tensor t : tensors) {
      at = v.put(at, t);
    }
    return v;
  }

  /** Copies {@code t}'s values (or zeros for a null tensor of {@code n} elements) from {@code at}. */
  int put(int at, Tensor t) {
    if (dtype == DType.FLOAT64) {
      double[] src = t.toDoubleArray();
      System.arraycopy(src, 0, d, at, src.length);
      return at + src.length;
    }
    float[] src = t.toFloatArray();
    System.arraycopy(src, 0, f, at, src.length);
    return at + src.length;
  }

  /** Elements {@code [at, at + numel(shape))} as a new tensor of {@code shape}, each divided by {@code divisor}. */
  Tensor slice(int at, int[] shape, double divisor) {
    int n = 1;
    for (int s : shape) {
      n = Math.multiplyExact(n, s);
    }
    if (dtype == DType.FLOAT64) {
      double[] out = new double[n];
      if (divisor == 1) {
        System.arraycopy(d, at, out, 0, n);
      } else {
        for (int i = 0; i < n; i++) {
          out[i] = d[at + i] / divisor;
        }
      }
      return Tensor.fromArray(out, shape);
    }
    float[] out = new float[n];
    if (divisor == 1) {
      System.arraycopy(f, at, out, 0, n);
    } else {
      float div = (float) divisor;
      for (int i = 0; i < n; i++) {
        out[i] = f[at + i] / div;
      }
    }
    return Tensor.fromArray(out, shape);
  }

  /** Adds {@code other} into this vector, element by element; returns this. */
  FlatVector addInPlace(FlatVector other) {
    checkNotNull(other, "FlatVector.addInPlace: other is null");
    if (other.dtype != dtype || other.size() != size()) {
      throw new IllegalStateException("FlatVector.addInPlace: " + other.dtype + "[" + other.size()
          + "] into " + dtype + "[" + size() + "]");
    }
    if (dtype == DType.FLOAT64) {
      double[] o = other.d;
      for (int i = 0; i < d.length; i++) {
        d[i] += o[i];
      }
    } else {
      float[] o = other.f;
      for (int i = 0; i < f.length; i++) {
        f[i] += o[i];
      }
    }
    return this;
  }

  DType dtype() {
    return dtype;
  }

  int size() {
    return d != null ? d.length : f.length;
  }

  /** The payload's size in bytes (8 or 4 per element). */
  long bytes() {
    return (long) size() * (dtype == DType.FLOAT64 ? Double.BYTES : Float.BYTES);
  }

  /** A copy of the values as doubles (for tests and checks). */
  double[] toDoubleArray() {
    if (d != null) {
      return d.clone();
    }
    double[] out = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      out[i] = f[i];
    }
    return out;
  }
}
