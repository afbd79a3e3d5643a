package dev.cadena.tensor.kernel;

/**
 * Fused, in-place optimiser updates on primitive arrays: each kernel reads the gradient {@code g}
 * and writes the parameter {@code p} and its state buffers in one pass, with no temporary array.
 * The arithmetic is that of the arrays' element type; hyper-parameters come in already combined
 * ({@code 1 - beta1}, bias corrections, the decayed learning rate) by the caller, {@code
 * dev.cadena.tensor.Updates}, which also checks shapes, handles strided views and bumps version
 * counters. Here an array is a range {@code [off, off + n)} of a storage array; {@code g} is never
 * written.
 *
 * <p>Every kernel has two loops. When all ranges start at the same offset (parameters, gradients
 * and state buffers usually all start at 0) one index serves every array, and C2 vectorises the
 * loop; with different offsets it must assume that two of the arrays are one and overlap, and
 * runs the second, scalar loop.
 *
 * <p>The 64-bit version of this class is written by hand; the 32-bit one is generated from it
 * (rules of issue 8), so that both dtypes run the same formulas in their own arithmetic.
 */
public final class UpdateKernelsF64 {
  private UpdateKernelsF64() {}

  /**
   * SGD without momentum, with L2 weight decay {@code wd}: {@code p = p - lr * (g + wd * p)}.
   */
  public static void sgd(double[] p, int pOff, double[] g, int gOff, int n, double lr, double wd) {
    if (pOff == gOff) {
      int end = pOff + n;
      for (int i = pOff; i < end; i++) {
        double gi = g[i] + wd * p[i];
        p[i] -= lr * gi;
      }
      return;
    }
    for (int i = 0; i < n; i++) {
      double gi = g[gOff + i] + wd * p[pOff + i];
      p[pOff + i] -= lr * gi;
    }
  }

  /**
   * SGD with (heavy-ball) momentum buffer {@code b}:
   *
   * <pre>
   *   gi = g + wd * p
   *   b  = keep * b + blend * gi
   *   p  = p - lr * b
   * </pre>
   *
   * <p>The caller passes {@code keep = mu, blend = 1 - dampening}, or {@code keep = 0, blend = 1}
   * on the first step, where the buffer becomes the gradient itself.
   */
  public static void sgdMomentum(
      double[] p, int pOff, double[] g, int gOff, double[] b, int bOff, int n,
      double lr, double wd, double keep, double blend) {
    if (pOff == gOff && pOff == bOff) {
      int end = pOff + n;
      for (int i = pOff; i < end; i++) {
        double gi = g[i] + wd * p[i];
        double bi = keep * b[i] + blend * gi;
        b[i] = bi;
        p[i] -= lr * bi;
      }
      return;
    }
    for (int i = 0; i < n; i++) {
      double gi = g[gOff + i] + wd * p[pOff + i];
      double bi = keep * b[bOff + i] + blend * gi;
      b[bOff + i] = bi;
      p[pOff + i] -= lr * bi;
    }
  }

  /**
   * SGD with Nesterov momentum: as {@link #sgdMomentum}, but the step looks ahead along the
   * buffer, {@code p = p - lr * (gi + mu * b)}.
   */
  public static void sgdNesterov(
      double[] p, int pOff, double[] g, int gOff, double[] b, int bOff, int n,
      double lr, double wd, double keep, double blend, double mu) {
    if (pOff == gOff && pOff == bOff) {
      int end = pOff + n;
      for (int i = pOff; i < end; i++) {
        double gi = g[i] + wd * p[i];
        double bi = keep * b[i] + blend * gi;
        b[i] = bi;
        p[i] -= lr * (gi + mu * bi);
      }
      return;
    }
    for (int i = 0; i < n; i++) {
      double gi = g[gOff + i] + wd * p[pOff + i];
      double bi = keep * b[bOff + i] + blend * gi;
      b[bOff + i] = bi;
      p[pOff + i] -= lr * (gi + mu * bi);
    }
  }

  /**
   * Adam and AdamW, with first and second moments {@code m} and {@code v} (both starting at
   * {@code sOff}):
   *
   * <pre>
   *   pi = shrink * p                       (AdamW: shrink = 1 - lr * lambda; Adam: 1)
   *   gi = g + l2 * pi                      (Adam: l2 = lambda; AdamW: 0)
   *   m  = beta1 * m + c1 * gi              (c1 = 1 - beta1)
   *   v  = beta2 * v + c2 * gi * gi         (c2 = 1 - beta2)
   *   p  = pi - lr * (m / bias1) / (sqrt(v / bias2) + eps)
   * </pre>
   *
   * <p>with {@code bias1 = 1 - beta1^t} and {@code bias2 = 1 - beta2^t} at step {@code t}.
   * Multiplying by a {@code shrink} of 1 is exact, so Adam pays nothing for sharing the kernel.
   */
  public static void adam(
      double[] p, int pOff, double[] g, int gOff, double[] m, double[] v, int sOff, int n,
      double lr, double shrink, double l2, double beta1, double c1, double beta2, double c2,
      double bias1, double bias2, double eps) {
    if (pOff == gOff && pOff == sOff) {
      int end = pOff + n;
      for (int i = pOff; i < end; i++) {
        double pi = shrink * p[i];
        double gi = g[i] + l2 * pi;
        double mi = beta1 * m[i] + c1 * gi;
        double vi = beta2 * v[i] + c2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        double denom = Math.sqrt(vi / bias2) + eps; // f32: float denom = (float) Math.sqrt(vi / bias2) + eps;
        p[i] = pi - lr * (mi / bias1) / denom;
      }
      return;
    }
    for (int i = 0; i < n; i++) {
      double pi = shrink * p[pOff + i];
      double gi = g[gOff + i] + l2 * pi;
      double mi = beta1 * m[sOff + i] + c1 * gi;
      double vi = beta2 * v[sOff + i] + c2 * gi * gi;
      m[sOff + i] = mi;
      v[sOff + i] = vi;
      double denom = Math.sqrt(vi / bias2) + eps; // f32: float denom = (float) Math.sqrt(vi / bias2) + eps;
      p[pOff + i] = pi - lr * (mi / bias1) / denom;
    }
  }

  /**
   * RMSprop with square average {@code v}, and optionally the gradient average {@code gBar}
   * (centered; null otherwise) and the momentum buffer {@code b} (null when {@code mu == 0}), all
   * starting at {@code sOff}:
   *
   * <pre>
   *   gi   = g + wd * p
   *   v    = alpha * v + c * gi * gi                  (c = 1 - alpha)
   *   gBar = alpha * gBar + c * gi,  var = v - gBar^2   centered; var = v otherwise
   *   step = gi / (sqrt(var) + eps)
   *   b    = mu * b + step,  step = b                   with momentum
   *   p    = p - lr * step
   * </pre>
   *
   * <p>The two options are tested once per element; they do not change within the loop, so the
   * JIT can hoist the tests out of it.
   */
  public static void rmsprop(
      double[] p, int pOff, double[] g, int gOff, double[] v, double[] gBar, double[] b, int sOff,
      int n, double lr, double alpha, double c, double eps, double wd, double mu) {
    boolean centered = gBar != null;
    boolean momentum = b != null;
    if (pOff == gOff && pOff == sOff) {
      int end = pOff + n;
      for (int i = pOff; i < end; i++) {
        double gi = g[i] + wd * p[i];
        double vi = alpha * v[i] + c * gi * gi;
        v[i] = vi;
        double var = vi;
        if (centered) {
          double gb = alpha * gBar[i] + c * gi;
          gBar[i] = gb;
          var = vi - gb * gb;
        }
        double denom = Math.sqrt(var) + eps; // f32: float denom = (float) Math.sqrt(var) + eps;
        double step = gi / denom;
        if (momentum) {
          step = mu * b[i] + step;
          b[i] = step;
        }
        p[i] -= lr * step;
      }
      return;
    }
    for (int i = 0; i < n; i++) {
      int s = sOff + i;
      double gi = g[gOff + i] + wd * p[pOff + i];
      double vi = alpha * v[s] + c * gi * gi;
      v[s] = vi;
      double var = vi;
      if (centered) {
        double gb = alpha * gBar[s] + c * gi;
        gBar[s] = gb;
        var = vi - gb * gb;
      }
      double denom = Math.sqrt(var) + eps; // f32: float denom = (float) Math.sqrt(var) + eps;
      double step = gi / denom;
      if (momentum) {
        step = mu * b[s] + step;
        b[s] = step;
      }
      p[pOff + i] -= lr * step;
    }
  }

  /**
   * Adagrad with squared-gradient sums {@code s} and the step's decayed learning rate {@code
   * lrT}:
   *
   * <pre>
   *   gi = g + wd * p
   *   s  = s + gi * gi
   *   p  = p - lrT * gi / (sqrt(s) + eps)
   * </pre>
   */
  public static void adagrad(
      double[] p, int pOff, double[] g, int gOff, double[] s, int sOff, int n,
      double lrT, double wd, double eps) {
    if (pOff == gOff && pOff == sOff) {
      int end = pOff + n;
      for (int i = pOff; i < end; i++) {
        double gi = g[i] + wd * p[i];
        double si = s[i] + gi * gi;
        s[i] = si;
        double denom = Math.sqrt(si) + eps; // f32: float denom = (float) Math.sqrt(si) + eps;
        p[i] -= lrT * gi / denom;
      }
      return;
    }
    for (int i = 0; i < n; i++) {
      double gi = g[gOff + i] + wd * p[pOff + i];
      double si = s[sOff + i] + gi * gi;
      s[sOff + i] = si;
      double denom = Math.sqrt(si) + eps; // f32: float denom = (float) Math.sqrt(si) + eps;
      p[pOff + i] -= lrT * gi / denom;
    }
  }
}
