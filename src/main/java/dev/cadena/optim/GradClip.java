package dev.cadena.optim;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.autograd.GradMode;
import dev.cadena.nn.Checks;
import dev.cadena.tensor.Updates;

/**
 * Gradient clipping, the usual remedy for exploding gradients, as {@code
 * torch.nn.utils.clip_grad_norm_} and {@code clip_grad_value_}. Call it between {@code
 * backward()} and {@code step()}:
 *
 * <pre>{@code
 * loss.backward();
 * double norm = GradClip.clipGradNorm(model.parameters(), 1.0);
 * opt.step();
 * }</pre>
 *
 * <p>Parameters whose {@code grad()} is null are skipped. Clipped gradients are <em>replaced</em>
 * ({@code setGrad}) by new tensors rather than written in place: the engine may hand one gradient
 * tensor to several parameters, or a broadcast view, and writing into it would change (or, for a
 * view, corrupt) the others. A reference to the old gradient therefore keeps the old values.
 */
public final class GradClip {
  /** Added to the norm before dividing, as PyTorch does, so a zero norm never divides by zero. */
  public static final double EPS = 1e-6;

  private GradClip() {}

  /**
   * The global L2 norm of all gradients, {@code sqrt(sum over params, elements of g^2)}, as if
   * they were concatenated into one vector; 0 when no parameter has a gradient.
   *
   * @throws NullPointerException when {@code params} or one of its elements is null
   */
  public static double gradNorm(Iterable<Tensor> params) {
    checkParams("gradNorm", params);
    double sumSq = 0;
    for (Tensor p : params) {
      Tensor g = p.borrowGrad();
      if (g != null) {
        sumSq += Updates.sumOfSquares(g.data());
      }
    }
    return Math.sqrt(sumSq);
  }

  /**
   * Rescales all gradients together so that their global L2 norm is at most {@code maxNorm}:
   *
   * <pre>
   *   norm = sqrt(sum of g^2 over all gradients)
   *   coef = maxNorm / (norm + 1e-6)
   *   g    = g * coef             for every gradient, when coef &lt; 1
   * </pre>
   *
   * <p>The direction of the combined gradient is kept. When the norm is not finite (an overflow or
   * a NaN upstream) the gradients are left unchanged and the norm is returned, so that the caller
   * can skip the step.
   *
   * @return the global norm before clipping
   * @throws NullPointerException when {@code params} or one of its elements is null
   * @throws IllegalArgumentException when {@code maxNorm} is not a finite number {@code > 0}
   */
  public static double clipGradNorm(Iterable<Tensor> params, double maxNorm) {
    checkParams("clipGradNorm", params);
    Checks.positive("clipGradNorm", "maxNorm", maxNorm);
    double norm = gradNorm(params);
    double coef = maxNorm / (norm + EPS);
    if (Double.isFinite(norm) && coef < 1) {
      try (GradMode.Scope s = GradMode.noGrad()) {
        for (Tensor p : params) {
          Tensor g = p.grad();
          if (g != null) {
            p.setGrad(g.mul(coef));
          }
        }
      }
    }
    return norm;
  }

  /**
   * Clamps every gradient element to {@code [-clipValue, clipValue]}. Unlike {@link
   * #clipGradNorm}, this changes the gradient's direction.
   *
   * @throws NullPointerException when {@code params} or one of its elements is null
   * @throws IllegalArgumentException when {@code clipValue} is not a finite number {@code > 0}
   */
  public static void clipGradValue(Iterable<Tensor> params, double clipValue) {
    checkParams("clipGradValue", params);
    Checks.positive("clipGradValue", "clipValue", clipValue);
    try (GradMode.Scope s = GradMode.noGrad()) {
      for (Tensor p : params) {
        Tensor g = p.grad();
        if (g != null) {
          p.setGrad(g.clamp(-clipValue, clipValue));
        }
      }
    }
  }

  private static void checkParams(String op, Iterable<Tensor> params) {
    checkNotNull(params, "%s: params is null", op);
    int i = 0;
    for (Tensor p : params) {
      if (p == null) {
        throw new NullPointerException(op + ": params[" + i + "] is null");
      }
      i++;
    }
  }
}
