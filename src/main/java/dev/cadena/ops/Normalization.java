package dev.cadena.ops;

import static com.google.common.base.Preconditions.checkNotNull;
import static dev.cadena.ops.Recording.grads;
import static dev.cadena.ops.Recording.plus;
import static dev.cadena.ops.Recording.record;

import dev.cadena.Tensor;
import dev.cadena.autograd.Anomaly;
import dev.cadena.autograd.ForwardAD;
import dev.cadena.autograd.GradMode;
import dev.cadena.tensor.NDArray;
import dev.cadena.tensor.ShapeException;
import dev.cadena.tensor.Shapes;
import org.jspecify.annotations.Nullable;

/**
 * The batch-norm primitive {@link Primitive#BATCH_NORM}: normalisation of channel axis 1 with
 * the batch's own statistics, the training mode of {@code nn.BatchNorm1d} and {@code
 * nn.BatchNorm2d}. Evaluation with running estimates is an ordinary composition ({@code
 * nn.Functional.batchNorm}).
 */
public final class Normalization {
  private Normalization() {}

  /**
   * {@code y = (x - mean) / sqrt(var + eps) * weight + bias} per channel of {@code x} ({@code
   * [N, C]} or {@code [N, C, L]}), with the mean and the biased variance of the channel's {@code
   * N * L} values; {@code weight} and {@code bias} are {@code [C]} or null (1 and 0). The
   * gradient flows through the statistics too, as in PyTorch's training mode.
   *
   * <p>One primitive instead of the composition of mean, var, mul and add: three passes over
   * {@code x} forward and two backward (about ten and as many temporaries for the composition),
   * channels split across threads. A batched input (under {@code vmap}), mixed dtypes or an
   * empty input take the composition, which computes the same values.
   *
   * @return {@code {y, mean, var}}: the output, then the batch mean and biased variance {@code
   *     [C]} in x's dtype, constants (no graph), for a module's running estimates
   * @throws ShapeException when x is not 2-d or 3-d, or weight or bias is not {@code [C]}
   * @throws IllegalArgumentException for an eps that is not positive and finite, or int64 data
   */
  public static Tensor[] batchNorm(
      Tensor x, @Nullable Tensor weight, @Nullable Tensor bias, double eps) {
    try (var o = Anomaly.operands("batchNorm", "x", x, "weight", weight, "bias", bias)) {
      return batchNormImpl(x, weight, bias, eps);
    }
  }

  private static Tensor[] batchNormImpl(
      Tensor x, @Nullable Tensor weight, @Nullable Tensor bias, double eps) {
    checkNotNull(x, "batchNorm: x is null");
    Elementwise.floatType("batchNorm", x);
    if (!(eps > 0) || Double.isInfinite(eps)) {
      throw new IllegalArgumentException("batchNorm: eps must be positive and finite, got " + eps);
    }
    if (x.rank() != 2 && x.rank() != 3) {
      throw new ShapeException(
          "batchNorm: expected a 2-d [N, C] or 3-d [N, C, L] input, got shape "
              + Shapes.str(x.shape()));
    }
    int c = x.size(1);
    checkChannel("weight", weight, c);
    checkChannel("bias", bias, c);
    Geometry geo = new Geometry(x.rank(), c, eps);
    if (Tensor.anyBatched(x, weight, bias) || x.numel() == 0
        || (weight != null && weight.dtype() != x.dtype())
        || (bias != null && bias.dtype() != x.dtype())) {
      return composition(x, weight, bias, geo);
    }
    NDArray[] r = NDArray.batchNorm(
        x.data(), weight == null ? null : weight.data(), bias == null ? null : bias.data(), eps);
    NDArray mean = r[1];
    NDArray rstd = r[3];
    int wi = weight == null ? -1 : 1;
    int bi = bias == null ? -1 : weight == null ? 1 : 2;
    Tensor[] inputs = new Tensor[1 + (wi > 0 ? 1 : 0) + (bi > 0 ? 1 : 0)];
    inputs[0] = x;
    if (wi > 0) {
      inputs[wi] = weight;
    }
    if (bi > 0) {
      inputs[bi] = bias;
    }
    Tensor y = record(Primitive.BATCH_NORM, r[0], inputs, (n, grad) -> {
      Tensor in = n.input(0);
      Tensor w = wi > 0 ? n.input(wi) : null;
      Tensor[] g = new Tensor[inputs.length];
      if (!GradMode.isEnabled() && !ForwardAD.anyTangent(in, grad) && !grad.isBatched()
          && grad.dtype() == in.dtype() && !in.isBatched()) {
        NDArray[] d = NDArray.batchNormBackward(
            in.data(), grad.data(), mean, rstd, w == null ? null : w.data(), n.needsGrad(0));
        g[0] = d[0] == null ? null : Tensor.fromData(d[0]);
        if (wi > 0 && n.needsGrad(wi)) {
          g[wi] = Tensor.fromData(d[1]);
        }
        if (bi > 0 && n.needsGrad(bi)) {
          g[bi] = Tensor.fromData(d[2]);
        }
        return grads(g);
      }
      // With createGraph, the same VJP from differentiable ops, so that it has derivatives too:
      // dx = rstd * (gw - mean(gw) - xhat * mean(gw * xhat)), gw = grad * w.
      Tensor[] s = geo.standardise(in);
      Tensor xhat = s[0];
      Tensor r0 = s[1];
      if (n.needsGrad(0)) {
        Tensor gw = w == null ? grad : grad.mul(w.reshape(geo.statShape));
        g[0] = gw.sub(gw.mean(geo.axes, true))
            .sub(xhat.mul(gw.mul(xhat).mean(geo.axes, true)))
            .mul(r0);
      }
      if (wi > 0 && n.needsGrad(wi)) {
        g[wi] = grad.mul(xhat).sum(geo.axes, false);
      }
      if (bi > 0 && n.needsGrad(bi)) {
        g[bi] = grad.sum(geo.axes, false);
      }
      return grads(g);
    }, (t, in, out) -> {
      // d xhat = rstd * (tx - mean(tx) - xhat * mean(xhat * (tx - mean(tx)))); t = d xhat * w +
      // xhat * tw + tb.
      Tensor[] s = geo.standardise(in[0]);
      Tensor xhat = s[0];
      Tensor tangent = null;
      if (t[0] != null) {
        Tensor tc = t[0].sub(t[0].mean(geo.axes, true));
        Tensor dxhat = tc.sub(xhat.mul(xhat.mul(tc).mean(geo.axes, true))).mul(s[1]);
        tangent = wi > 0 ? dxhat.mul(in[wi].reshape(geo.statShape)) : dxhat;
      }
      if (wi > 0 && t[wi] != null) {
        tangent = plus(tangent, xhat.mul(t[wi].reshape(geo.statShape)));
      }
      if (bi > 0 && t[bi] != null) {
        tangent = plus(tangent, t[bi].reshape(geo.statShape).expand(in[0].shape()));
      }
      return tangent;
    });
    return new Tensor[] {
        y,
        Tensor.fromData(mean.astype(x.dtype())),
        Tensor.fromData(r[2].astype(x.dtype()))};
  }

  /** The composition the primitive replaces, for the cases it does not take. */
  private static Tensor[] composition(
      Tensor x, @Nullable Tensor weight, @Nullable Tensor bias, Geometry geo) {
    Tensor mean = x.mean(geo.axes, false);
    Tensor var = x.var(geo.axes, 0, false);
    Tensor scale = var.reshape(geo.statShape).add(geo.eps).sqrt().reciprocal();
    if (weight != null) {
      scale = scale.mul(weight.reshape(geo.statShape));
    }
    Tensor y = x.sub(mean.reshape(geo.statShape)).mul(scale);
    if (bias != null) {
      y = y.add(bias.reshape(geo.statShape));
    }
    return new Tensor[] {y, mean.detach(), var.detach()};
  }

  private static void checkChannel(String what, @Nullable Tensor p, int c) {
    if (p == null) {
      return;
    }
    Elementwise.floatType("batchNorm", p);
    if (p.rank() != 1 || p.size(0) != c) {
      throw new ShapeException(
          "batchNorm: " + what + " must have shape [" + c + "] (one per channel), got "
              + Shapes.str(p.shape()));
    }
  }

  /** The reduced axes, the shape of a per-channel term and eps, for x of rank 2 or 3. */
  private static final class Geometry {
    final int[] axes;
    final int[] statShape;
    final double eps;

    Geometry(int rank, int c, double eps) {
      this.axes = rank == 2 ? new int[] {0} : new int[] {0, 2};
      this.statShape = rank == 2 ? new int[] {c} : new int[] {c, 1};
      this.eps = eps;
    }

    /** {@code {xhat, rstd}} of x from differentiable ops, rstd with kept dimensions. */
    Tensor[] standardise(Tensor x) {
      Tensor xc = x.sub(x.mean(axes, true));
      Tensor rstd = xc.mul(xc).mean(axes, true).add(eps).sqrt().reciprocal();
      return new Tensor[] {xc.mul(rstd), rstd};
    }
  }
}
