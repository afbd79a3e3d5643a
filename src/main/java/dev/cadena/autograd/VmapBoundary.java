package dev.cadena.autograd;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.tensor.NDArray;
import dev.cadena.tensor.Shapes;

/**
 * Where {@code Func.vmap} enters and leaves the batched world, as two recorded, differentiable
 * ops (so that {@code grad}, {@code backward()} and {@code jvp} taken around a {@code vmap} reach
 * its arguments, as in torch.func):
 *
 * <ul>
 *   <li>{@link #toBatched} ({@code vmapIn}): a plain tensor whose axis {@code dim} becomes the
 *       batch axis (a permuted view); its VJP is {@link #fromBatched} of the gradient, its JVP
 *       {@code toBatched} of the tangent;
 *   <li>{@link #fromBatched} ({@code vmapOut}): a batched tensor as a plain one with the batch
 *       axis at {@code dim}; its VJP is {@link #toBatched} of the gradient.
 * </ul>
 *
 * <p>It also keeps the per-thread count of {@code vmap} calls running ({@link #inside}): inside,
 * a batched gradient for an unmapped tensor is its per-sample gradient; outside, the engine sums
 * it over the samples ({@link #sumOverBatch}), since every sample used that one tensor.
 *
 * <pre>{@code
 * Tensor x = Tensor.randn(rng, 5, 3).requiresGrad(true);
 * Tensor g = Func.vmap(a -> a[0].square().sum()).apply(x).sum(); // sum_i |x_i|^2
 * g.backward();                                                  // x.grad() = 2x
 * }</pre>
 */
public final class VmapBoundary {
  private VmapBoundary() {}

  /** The name of the op {@link #toBatched} records. */
  public static final String IN = "vmapIn";
  /** The name of the op {@link #fromBatched} records. */
  public static final String OUT = "vmapOut";

  private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);

  /** Marks a {@code vmap}'s {@code f} running on this thread until {@link Scope#close}. */
  public static final class Scope implements AutoCloseable {
    private final int[] depth;
    private boolean closed;

    private Scope(int[] depth) {
      this.depth = depth;
      depth[0]++;
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        depth[0]--;
      }
    }
  }

  /**
   * Opens a scope for the duration of one {@code vmap} call's {@code f}. Example: {@code try
   * (VmapBoundary.Scope s = VmapBoundary.enter()) { r = f.apply(batched); }}.
   */
  public static Scope enter() {
    return new Scope(DEPTH.get());
  }

  /** True while a {@code vmap}'s {@code f} runs on this thread. Example: false at top level. */
  public static boolean inside() {
    return DEPTH.get()[0] > 0;
  }

  /**
   * The plain tensor {@code x} (rank at least 1) as a batched one whose samples are its slices
   * along {@code dim} (checked, non-negative): physical values {@code x.permute(dim first)},
   * logical shape {@code x.shape} without {@code dim}. Recorded as {@code vmapIn}. Example:
   * {@code toBatched(zeros(3, 5), 1).shape()} is {@code [3]} for a batch of 5.
   */
  public static Tensor toBatched(Tensor x, int dim) {
    checkNotNull(x, "toBatched: x is null");
    if (x.isBatched()) {
      throw new UnsupportedOperationException(
          "vmap: nested vmap is not supported (the argument is already batched)");
    }
    int rank = x.rank();
    int d = Shapes.axis(IN, dim, rank);
    int[] p = new int[rank];
    p[0] = d;
    for (int i = 0, j = 1; i < rank; i++) {
      if (i != d) {
        p[j++] = i;
      }
    }
    int batch = x.size(d);
    return Node.recordBoundary(IN, x.data().permute(p), x,
        (n, grad) -> new Tensor[] {fromBatched(grad, batch, d)},
        (t, in, out) -> t[0] == null ? null : toBatched(t[0], d), true);
  }

  /**
   * {@code r} as a plain tensor of rank {@code r.rank() + 1} with the batch axis (of size {@code
   * batch}) at {@code dim} (checked against that rank): for a batched {@code r} its samples
   * stacked along {@code dim} (recorded as {@code vmapOut}, a contiguous copy), for an unbatched
   * one {@code r} repeated {@code batch} times along {@code dim} (a recorded unsqueeze and
   * expand). Example: {@code fromBatched(toBatched(x, 1), 5, 1)} equals {@code x}.
   */
  public static Tensor fromBatched(Tensor r, int batch, int dim) {
    checkNotNull(r, "fromBatched: r is null");
    int rank = r.rank() + 1;
    int od = Shapes.axis("vmap", dim, rank);
    if (!r.isBatched()) {
      int[] s = new int[rank];
      for (int i = 0, j = 0; i < rank; i++) {
        s[i] = i == od ? batch : r.shape()[j++];
      }
      Tensor repeated = r.unsqueeze(od).expand(s);
      if ((GradMode.isEnabled() && r.requiresGrad()) || ForwardAD.tangent(r) != null) {
        return repeated;
      }
      return Tensor.fromData(repeated.data().contiguous()); // a plain result owns its storage

    }
    // Result axis i takes physical axis p[i]: the batch axis (0) goes to od.
    int[] p = new int[rank];
    for (int i = 0, j = 1; i < rank; i++) {
      p[i] = i == od ? 0 : j++;
    }
    NDArray phys = r.data().permute(p).contiguous();
    return Node.recordBoundary(OUT, phys, r,
        (n, grad) -> new Tensor[] {toBatched(grad, od)},
        (t, in, out) -> t[0] == null ? null : fromBatched(t[0], batch, od), false);
  }

  /**
   * The sum over the samples of batched {@code g}, as a plain tensor of its logical shape: {@code
   * fromBatched(g, batch, 0).sum(0)}, recorded. Example: for a batch of 5 per-sample gradients of
   * a shared weight, their total.
   */
  public static Tensor sumOverBatch(Tensor g) {
    checkNotNull(g, "sumOverBatch: g is null");
    return fromBatched(g, g.data().dim(0), 0).sum(0);
  }
}
