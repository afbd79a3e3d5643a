package dev.cadena.tensor;

import dev.cadena.tensor.kernel.Parallel;
import dev.cadena.tensor.kernel.UpdateKernelsF32;
import dev.cadena.tensor.kernel.UpdateKernelsF64;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Named kernels for the layers above the tensor layer (optimisers, gradient clipping,
 * diagnostics), so that none of them touches an array's storage: sums of squares, and the fused
 * in-place updates of SGD, Adam, AdamW, RMSprop and Adagrad with {@code torch.optim}'s formulas.
 *
 * <p><b>Updates.</b> Each update reads the gradient once and writes the parameter and its state
 * buffers (momentum, moment estimates, sums) in place, in one pass over the elements and without
 * temporary arrays. Parameter, gradient and state share one dtype, float32 or float64, and the
 * arithmetic is done in that dtype: a float32 parameter keeps float32 state and is never copied
 * to float64 (as in PyTorch). The hyper-parameters are rounded once to float32 for a float32
 * parameter. Every update bumps the version counter of the parameter and of the state buffers
 * (see {@link NDArray#version()}), so that a graph recorded before the step fails on backward
 * instead of using the new values.
 *
 * <p>The parameter may be a strided view (it is copied, updated and written back through the
 * view; a broadcast view, whose elements share memory, is rejected); the gradient may be any
 * view of the parameter's shape, of either float dtype, and is never written. State buffers are
 * contiguous arrays of the parameter's dtype and shape, owned by the caller, allocated before the
 * first step ({@link NDArray#zeros}) and passed to every step. The arithmetic itself is in {@link
 * UpdateKernelsF64} and its float32 twin. Every element is updated on its own, so a large
 * parameter is split across threads ({@link Parallel#forRange}) with the same results.
 *
 * <pre>{@code
 * NDArray buf = NDArray.zeros(p.dtype(), p.shape());
 * for (long t = 1; t <= steps; t++) {
 *   NDArray g = gradientOf(p);
 *   Updates.sgd(p, g, buf, t, 0.1, 0.9, 0, 0, false);   // lr 0.1, momentum 0.9
 * }
 * }</pre>
 */
public final class Updates {
  private Updates() {}

  /**
   * Estimated nanoseconds per element on one core ({@link Parallel#forRange}): SGD reads two and
   * writes one value (about 0.3 ns measured for float32), Adam, RMSprop and Adagrad take a square
   * root and a division.
   */
  private static final long SGD_COST = 1;
  private static final long ADAPTIVE_COST = 3;

  // ------------------------------------------------------------------------------- norms

  /**
   * {@code sum(a_i^2)} over all elements of {@code a}, accumulated in float64 in row-major order
   * whatever {@code a}'s dtype (float32 and int64 elements are widened exactly). Strided arrays
   * are read through a contiguous copy. The L2 norm is its square root.
   *
   * <pre>{@code
   * Updates.sumOfSquares(NDArray.wrap(new double[] {3, 4}, 2))   // 25.0
   * }</pre>
   *
   * @throws NullPointerException when {@code a} is null
   */
  public static double sumOfSquares(NDArray a) {
    requireArray("sumOfSquares", "a", a);
    NDArray c = a.contiguous();
    int n = c.size();
    int o = c.offset();
    double s = 0;
    switch (c.dtype()) {
      case FLOAT64: {
        double[] d = c.doubleStorage();
        for (int i = 0; i < n; i++) {
          double v = d[o + i];
          s += v * v;
        }
        break;
      }
      case FLOAT32: {
        float[] f = c.floatStorage();
        for (int i = 0; i < n; i++) {
          double v = f[o + i];
          s += v * v;
        }
        break;
      }
      default: {
        long[] l = c.longStorage();
        for (int i = 0; i < n; i++) {
          double v = l[o + i];
          s += v * v;
        }
      }
    }
    return s;
  }

  /**
   * {@code sum((a_i - b_i)^2)} over all elements, with every element widened to float64 before
   * subtracting and the sum accumulated in float64 in row-major order: {@code ||a - b||^2}
   * without a temporary difference array (for float32 and float64 {@code a}; others are
   * converted first).
   *
   * @throws NullPointerException when {@code a} or {@code b} is null
   * @throws ShapeException when the shapes differ
   */
  public static double sumOfSquaredDifferences(NDArray a, NDArray b) {
    String op = "sumOfSquaredDifferences";
    requireArray(op, "a", a);
    requireArray(op, "b", b);
    if (!a.sameShape(b)) {
      throw new ShapeException(
          op + ": shapes differ: " + Shapes.str(a.shape()) + " and " + Shapes.str(b.shape()));
    }
    NDArray ca = a.dtype() == DType.INT64 ? a.astype(DType.FLOAT64) : a.contiguous();
    NDArray cb = b.astype(DType.FLOAT64).contiguous();
    double[] y = cb.doubleStorage();
    int n = ca.size();
    int ao = ca.offset();
    int bo = cb.offset();
    double s = 0;
    if (ca.dtype() == DType.FLOAT32) {
      float[] x = ca.floatStorage();
      for (int i = 0; i < n; i++) {
        double v = x[ao + i] - y[bo + i];
        s += v * v;
      }
    } else {
      double[] x = ca.doubleStorage();
      for (int i = 0; i < n; i++) {
        double v = x[ao + i] - y[bo + i];
        s += v * v;
      }
    }
    return s;
  }

  // ------------------------------------------------------------------------------- updates

  /**
   * One step of SGD ({@code torch.optim.SGD}) on {@code param}, in place. With learning rate
   * {@code lr}, momentum {@code mu}, dampening {@code tau} and weight decay {@code lambda}:
   *
   * <pre>
   *   g = grad + lambda * p
   *   b = g                                  (t = 1)
   *   b = mu * b + (1 - tau) * g             (t > 1)      [only when mu != 0]
   *   d = nesterov ? g + mu * b : b                        [d = g when mu == 0]
   *   p = p - lr * d
   * </pre>
   *
   * <p>On the first step the buffer becomes the gradient itself ({@code b = 0 * b + 1 * g}), so
   * dampening does not shrink the first step.
   *
   * @param momentumBuffer {@code b} (zeros before the first step), required when {@code momentum
   *     != 0}, ignored (may be null) otherwise
   * @param step {@code t}, the number of this step for this parameter, from 1
   * @throws NullPointerException when {@code param}, {@code grad} or a required buffer is null
   * @throws DTypeException when {@code param} is not float32 or float64, or a buffer's dtype
   *     differs from it
   * @throws ShapeException when a shape differs from {@code param}'s, a buffer is not contiguous,
   *     or {@code param} is a broadcast view
   * @throws IllegalArgumentException when {@code step < 1}
   */
  public static void sgd(
      NDArray param, NDArray grad, @Nullable NDArray momentumBuffer, long step, double lr,
      double momentum, double dampening, double weightDecay, boolean nesterov) {
    String op = "sgd_";
    if (momentum != 0) {
      requireArray(op, "momentumBuffer", momentumBuffer);
    }
    checkUpdate(op, param, grad);
    checkStep(op, step);
    if (momentum != 0) {
      checkState(op, "momentumBuffer", momentumBuffer, param);
    }
    NDArray p = writable(param);
    NDArray g = readable(grad, param);
    int n = p.size();
    boolean first = step == 1;
    // On the first step b = 0 * b + 1 * g, the gradient itself.
    double keep = first ? 0 : momentum;
    double blend = first ? 1 : 1 - dampening;
    int po = p.offset();
    int go = g.offset();
    int bo = momentum == 0 ? 0 : momentumBuffer.offset();
    if (p.dtype() == DType.FLOAT64) {
      double[] pd = p.doubleStorage();
      double[] gd = g.doubleStorage();
      double[] bd = momentum == 0 ? null : momentumBuffer.doubleStorage();
      Parallel.forRange(n, SGD_COST, (s, e) -> {
        if (momentum == 0) {
          UpdateKernelsF64.sgd(pd, po + s, gd, go + s, e - s, lr, weightDecay);
        } else if (nesterov) {
          UpdateKernelsF64.sgdNesterov(pd, po + s, gd, go + s, bd, bo + s, e - s, lr,
              weightDecay, keep, blend, momentum);
        } else {
          UpdateKernelsF64.sgdMomentum(pd, po + s, gd, go + s, bd, bo + s, e - s, lr,
              weightDecay, keep, blend);
        }
      });
    } else {
      float[] pf = p.floatStorage();
      float[] gf = g.floatStorage();
      float[] bf = momentum == 0 ? null : momentumBuffer.floatStorage();
      Parallel.forRange(n, SGD_COST, (s, e) -> {
        if (momentum == 0) {
          UpdateKernelsF32.sgd(pf, po + s, gf, go + s, e - s, (float) lr, (float) weightDecay);
        } else if (nesterov) {
          UpdateKernelsF32.sgdNesterov(pf, po + s, gf, go + s, bf, bo + s, e - s, (float) lr,
              (float) weightDecay, (float) keep, (float) blend, (float) momentum);
        } else {
          UpdateKernelsF32.sgdMomentum(pf, po + s, gf, go + s, bf, bo + s, e - s, (float) lr,
              (float) weightDecay, (float) keep, (float) blend);
        }
      });
    }
    if (momentum != 0) {
      momentumBuffer.markModified();
    }
    finish(param, p);
  }

  /**
   * One step of Adam ({@code torch.optim.Adam}) or, with {@code decoupled}, AdamW ({@code
   * torch.optim.AdamW}) on {@code param}, in place. With {@code lr}, {@code beta1}, {@code beta2},
   * {@code eps} and weight decay {@code lambda}, at step {@code t}:
   *
   * <pre>
   *   p    = p - lr * lambda * p                  [AdamW]
   *   g    = grad + lambda * p                    [Adam: an L2 penalty; AdamW: g = grad]
   *   m    = beta1 * m + (1 - beta1) * g
   *   v    = beta2 * v + (1 - beta2) * g^2
   *   mHat = m / (1 - beta1^t)
   *   vHat = v / (1 - beta2^t)
   *   p    = p - lr * mHat / (sqrt(vHat) + eps)
   * </pre>
   *
   * @param expAvg {@code m}, zeros before the first step
   * @param expAvgSq {@code v}, zeros before the first step
   * @param step {@code t}, from 1
   * @throws NullPointerException when an array is null
   * @throws DTypeException when {@code param} is not float32 or float64, or a buffer's dtype
   *     differs from it
   * @throws ShapeException when a shape differs from {@code param}'s, a buffer is not contiguous,
   *     or {@code param} is a broadcast view
   * @throws IllegalArgumentException when {@code step < 1}
   */
  public static void adam(
      NDArray param, NDArray grad, NDArray expAvg, NDArray expAvgSq, long step, double lr,
      double beta1, double beta2, double eps, double weightDecay, boolean decoupled) {
    String op = decoupled ? "adamw_" : "adam_";
    requireArray(op, "expAvg", expAvg);
    requireArray(op, "expAvgSq", expAvgSq);
    checkUpdate(op, param, grad);
    checkStep(op, step);
    checkState(op, "expAvg", expAvg, param);
    checkState(op, "expAvgSq", expAvgSq, param);
    checkSameOffset(op, "expAvg", expAvg, "expAvgSq", expAvgSq);
    NDArray p = writable(param);
    NDArray g = readable(grad, param);
    double shrink = decoupled ? 1 - lr * weightDecay : 1;
    double l2 = decoupled ? 0 : weightDecay;
    double bias1 = 1 - Math.pow(beta1, step);
    double bias2 = 1 - Math.pow(beta2, step);
    int n = p.size();
    int so = expAvg.offset();
    int po = p.offset();
    int go = g.offset();
    if (p.dtype() == DType.FLOAT64) {
      double[] pd = p.doubleStorage();
      double[] gd = g.doubleStorage();
      double[] md = expAvg.doubleStorage();
      double[] vd = expAvgSq.doubleStorage();
      Parallel.forRange(n, ADAPTIVE_COST, (s, e) -> UpdateKernelsF64.adam(pd, po + s, gd, go + s,
          md, vd, so + s, e - s, lr, shrink, l2, beta1, 1 - beta1, beta2, 1 - beta2, bias1, bias2,
          eps));
    } else {
      float[] pf = p.floatStorage();
      float[] gf = g.floatStorage();
      float[] mf = expAvg.floatStorage();
      float[] vf = expAvgSq.floatStorage();
      Parallel.forRange(n, ADAPTIVE_COST, (s, e) -> UpdateKernelsF32.adam(pf, po + s, gf, go + s,
          mf, vf, so + s, e - s, (float) lr, (float) shrink, (float) l2, (float) beta1,
          (float) (1 - beta1), (float) beta2, (float) (1 - beta2), (float) bias1, (float) bias2,
          (float) eps));
    }
    expAvg.markModified();
    expAvgSq.markModified();
    finish(param, p);
  }

  /**
   * One step of RMSprop ({@code torch.optim.RMSprop}) on {@code param}, in place. With {@code
   * lr}, smoothing constant {@code alpha}, {@code eps}, weight decay {@code lambda} and momentum
   * {@code mu}:
   *
   * <pre>
   *   g     = grad + lambda * p
   *   v     = alpha * v + (1 - alpha) * g^2
   *   gBar  = alpha * gBar + (1 - alpha) * g                [centered only]
   *   denom = sqrt(v - gBar^2) + eps   if centered,   sqrt(v) + eps   otherwise
   *   b     = mu * b + g / denom,  p = p - lr * b           if mu > 0
   *   p     = p - lr * g / denom                             otherwise
   * </pre>
   *
   * @param squareAvg {@code v}, zeros before the first step
   * @param gradAvg {@code gBar} (zeros before the first step) for the centered variant, null for
   *     the plain one
   * @param momentumBuffer {@code b} (zeros before the first step), required when {@code
   *     momentum > 0}, ignored (may be null) otherwise
   * @throws NullPointerException when {@code param}, {@code grad}, {@code squareAvg} or a
   *     required momentum buffer is null
   * @throws DTypeException when {@code param} is not float32 or float64, or a buffer's dtype
   *     differs from it
   * @throws ShapeException when a shape differs from {@code param}'s, a buffer is not contiguous,
   *     or {@code param} is a broadcast view
   */
  public static void rmsprop(
      NDArray param, NDArray grad, NDArray squareAvg, @Nullable NDArray gradAvg,
      @Nullable NDArray momentumBuffer, double lr, double alpha, double eps, double weightDecay,
      double momentum) {
    String op = "rmsprop_";
    requireArray(op, "squareAvg", squareAvg);
    if (momentum > 0) {
      requireArray(op, "momentumBuffer", momentumBuffer);
    }
    checkUpdate(op, param, grad);
    checkState(op, "squareAvg", squareAvg, param);
    if (gradAvg != null) {
      checkState(op, "gradAvg", gradAvg, param);
      checkSameOffset(op, "squareAvg", squareAvg, "gradAvg", gradAvg);
    }
    NDArray b = momentum > 0 ? momentumBuffer : null;
    if (momentum > 0) {
      checkState(op, "momentumBuffer", b, param);
      checkSameOffset(op, "squareAvg", squareAvg, "momentumBuffer", b);
    }
    NDArray p = writable(param);
    NDArray g = readable(grad, param);
    int n = p.size();
    int so = squareAvg.offset();
    int po = p.offset();
    int go = g.offset();
    if (p.dtype() == DType.FLOAT64) {
      double[] pd = p.doubleStorage();
      double[] gd = g.doubleStorage();
      double[] vd = squareAvg.doubleStorage();
      double[] ad = gradAvg == null ? null : gradAvg.doubleStorage();
      double[] bd = b == null ? null : b.doubleStorage();
      Parallel.forRange(n, ADAPTIVE_COST, (s, e) -> UpdateKernelsF64.rmsprop(pd, po + s, gd,
          go + s, vd, ad, bd, so + s, e - s, lr, alpha, 1 - alpha, eps, weightDecay, momentum));
    } else {
      float[] pf = p.floatStorage();
      float[] gf = g.floatStorage();
      float[] vf = squareAvg.floatStorage();
      float[] af = gradAvg == null ? null : gradAvg.floatStorage();
      float[] bf = b == null ? null : b.floatStorage();
      Parallel.forRange(n, ADAPTIVE_COST, (s, e) -> UpdateKernelsF32.rmsprop(pf, po + s, gf,
          go + s, vf, af, bf, so + s, e - s, (float) lr, (float) alpha, (float) (1 - alpha),
          (float) eps, (float) weightDecay, (float) momentum));
    }
    squareAvg.markModified();
    if (gradAvg != null) {
      gradAvg.markModified();
    }
    if (b != null) {
      b.markModified();
    }
    finish(param, p);
  }

  /**
   * One step of Adagrad ({@code torch.optim.Adagrad}) on {@code param}, in place. With {@code
   * lr}, learning-rate decay {@code eta}, weight decay {@code lambda} and {@code eps}, at step
   * {@code t}:
   *
   * <pre>
   *   lrT = lr / (1 + (t - 1) * eta)
   *   g   = grad + lambda * p
   *   s   = s + g^2
   *   p   = p - lrT * g / (sqrt(s) + eps)
   * </pre>
   *
   * @param sum {@code s}, filled with the initial accumulator value before the first step
   * @param step {@code t}, from 1
   * @throws NullPointerException when an array is null
   * @throws DTypeException when {@code param} is not float32 or float64, or {@code sum}'s dtype
   *     differs from it
   * @throws ShapeException when a shape differs from {@code param}'s, {@code sum} is not
   *     contiguous, or {@code param} is a broadcast view
   * @throws IllegalArgumentException when {@code step < 1}
   */
  public static void adagrad(
      NDArray param, NDArray grad, NDArray sum, long step, double lr, double lrDecay,
      double weightDecay, double eps) {
    String op = "adagrad_";
    requireArray(op, "sum", sum);
    checkUpdate(op, param, grad);
    checkStep(op, step);
    checkState(op, "sum", sum, param);
    NDArray p = writable(param);
    NDArray g = readable(grad, param);
    double lrT = lr / (1 + (step - 1) * lrDecay);
    int n = p.size();
    int po = p.offset();
    int go = g.offset();
    int so = sum.offset();
    if (p.dtype() == DType.FLOAT64) {
      double[] pd = p.doubleStorage();
      double[] gd = g.doubleStorage();
      double[] sd = sum.doubleStorage();
      Parallel.forRange(n, ADAPTIVE_COST, (s, e) -> UpdateKernelsF64.adagrad(pd, po + s, gd,
          go + s, sd, so + s, e - s, lrT, weightDecay, eps));
    } else {
      float[] pf = p.floatStorage();
      float[] gf = g.floatStorage();
      float[] sf = sum.floatStorage();
      Parallel.forRange(n, ADAPTIVE_COST, (s, e) -> UpdateKernelsF32.adagrad(pf, po + s, gf,
          go + s, sf, so + s, e - s, (float) lrT, (float) weightDecay, (float) eps));
    }
    sum.markModified();
    finish(param, p);
  }

  // ------------------------------------------------------------------------------- helpers

  private static void requireArray(String op, String name, NDArray a) {
    if (a == null) {
      throw new NullPointerException(op + ": " + name + " is null");
    }
  }

  /** Checks the parameter and gradient before anything is written. */
  private static void checkUpdate(String op, NDArray param, NDArray grad) {
    requireArray(op, "param", param);
    requireArray(op, "grad", grad);
    if (!param.dtype().isFloatingPoint() || !grad.dtype().isFloatingPoint()) {
      throw new DTypeException(
          op + ": parameter and gradient must be float32 or float64, got " + param.dtype()
              + " and " + grad.dtype());
    }
    if (!param.sameShape(grad)) {
      throw new ShapeException(
          op + ": gradient shape " + Shapes.str(grad.shape()) + " does not match parameter shape "
              + Shapes.str(param.shape()));
    }
    if (param.isContiguous()) {
      return;
    }
    // Written back through a broadcast view, one memory location would receive the update of
    // every element that shares it; reject it before the state is changed.
    int[] shape = param.shape();
    int[] strides = param.strides();
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] > 1 && strides[i] == 0) {
        throw new ShapeException(
            op + ": cannot update a broadcast view in place (shape " + Shapes.str(shape)
                + ", strides " + Arrays.toString(strides) + "): several elements share one memory"
                + " location");
      }
    }
  }

  private static void checkStep(String op, long step) {
    if (step < 1) {
      throw new IllegalArgumentException(op + ": step must be >= 1, got " + step);
    }
  }

  private static void checkState(String op, String name, NDArray s, NDArray param) {
    requireArray(op, name, s);
    if (s.dtype() != param.dtype()) {
      throw new DTypeException(
          op + ": " + name + " must have the parameter's dtype " + param.dtype() + ", got "
              + s.dtype());
    }
    if (!s.sameShape(param)) {
      throw new ShapeException(
          op + ": " + name + " shape " + Shapes.str(s.shape()) + " does not match parameter shape "
              + Shapes.str(param.shape()));
    }
    if (!s.isContiguous()) {
      throw new ShapeException(
          op + ": " + name + " must be contiguous, got strides " + Arrays.toString(s.strides())
              + " for shape " + Shapes.str(s.shape()));
    }
  }

  /** The kernels index a parameter's state buffers with one offset. */
  private static void checkSameOffset(String op, String n1, NDArray s1, String n2, NDArray s2) {
    if (s1.offset() != s2.offset()) {
      throw new ShapeException(
          op + ": " + n1 + " and " + n2 + " must start at the same storage offset, got "
              + s1.offset() + " and " + s2.offset());
    }
  }

  /** The array the kernel writes: the parameter itself, or a contiguous copy of a strided one. */
  private static NDArray writable(NDArray param) {
    return param.isContiguous() ? param : param.copy();
  }

  /**
   * The gradient as a contiguous array of the parameter's dtype, copied only when it is not one
   * already, or when it shares the parameter's storage (the kernel writes the parameter while
   * it reads the gradient).
   */
  private static NDArray readable(NDArray grad, NDArray param) {
    if (grad.dtype() != param.dtype()) {
      return grad.astype(param.dtype());
    }
    if (!grad.isContiguous() || grad.storageKey() == param.storageKey()) {
      return grad.copy();
    }
    return grad;
  }

  /** Records the update: bumps the version, or writes a strided parameter's copy back. */
  private static void finish(NDArray param, NDArray written) {
    if (written == param) {
      param.markModified();
    } else {
      param.assign(written); // bumps the version
    }
  }
}
