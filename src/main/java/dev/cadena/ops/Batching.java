package dev.cadena.ops;

import dev.cadena.Tensor;
import dev.cadena.autograd.ForwardAD;
import dev.cadena.autograd.GradMode;
import dev.cadena.tensor.NDArray;

/**
 * {@code vmap}'s batching rules shared by the primitives: a batched tensor holds its physical
 * values with the batch axis first and reports its logical shape. A primitive with a batched input
 * translates its logical arguments (axes, shapes) to physical ones here; the graph keeps logical
 * tensors, so the unchanged VJPs run through the same rules.
 */
final class Batching {
  private Batching() {}

  /**
   * The operands of a broadcasting op made safe for physical broadcasting: each batched operand
   * of lower logical rank than the widest operand gets leading size-1 axes (a recorded logical
   * reshape), so that its batch axis stays first; unbatched operands broadcast from the right as
   * they are. Returns {@code ts} itself when none is batched.
   */
  static Tensor[] align(Tensor... ts) {
    if (!Tensor.anyBatched(ts)) {
      return ts;
    }
    int rank = 0;
    for (Tensor t : ts) {
      rank = Math.max(rank, t.rank());
    }
    Tensor[] r = ts.clone();
    for (int i = 0; i < r.length; i++) {
      Tensor t = r[i];
      if (t.isBatched() && t.rank() < rank) {
        int[] s = new int[rank];
        java.util.Arrays.fill(s, 1);
        int[] ls = t.shape();
        System.arraycopy(ls, 0, s, rank - ls.length, ls.length);
        r[i] = Movement.reshape(t, s);
      }
    }
    return r;
  }

  /** Logical axes (already checked, non-negative) as physical ones when {@code x} is batched. */
  static int[] axes(Tensor x, int[] ax) {
    if (!x.isBatched()) {
      return ax;
    }
    int[] r = new int[ax.length];
    for (int i = 0; i < ax.length; i++) {
      r[i] = ax[i] + 1;
    }
    return r;
  }

  /** A logical shape as the physical one of batched {@code x}: the batch size first. */
  static int[] shape(Tensor x, int[] shape) {
    if (!x.isBatched()) {
      return shape;
    }
    int[] r = new int[shape.length + 1];
    r[0] = x.data().dim(0);
    System.arraycopy(shape, 0, r, 1, shape.length);
    return r;
  }

  /** The logical shape of a physical result of batched {@code x}. */
  static int[] logical(Tensor x, NDArray r) {
    int[] s = r.shape();
    return x.isBatched() ? java.util.Arrays.copyOfRange(s, 1, s.length) : s;
  }

  /**
   * {@code t} as a batched tensor of batch size {@code batch}: itself when batched, else {@code t}
   * plus batched zeros (a recorded add, so that a gradient reaches {@code t}, per sample).
   */
  static Tensor batch(Tensor t, int batch) {
    if (t.isBatched()) {
      return t;
    }
    int[] s = new int[t.rank() + 1];
    s[0] = batch;
    System.arraycopy(t.shape(), 0, s, 1, t.rank());
    if (!(GradMode.isEnabled() && t.requiresGrad()) && ForwardAD.tangent(t) == null) {
      // No gradient or tangent to reach t: a broadcast view of it does, without a copy.
      return Tensor.vmapBatched(physical(t, batch));
    }
    return Elementwise.add(t, Tensor.vmapBatched(NDArray.zeros(t.dtype(), s)));
  }

  /**
   * The physical values of {@code t} for batch size {@code batch}: its own when batched, else a
   * broadcast view {@code [batch, t.shape...]} of them (for read-only operands such as indices).
   */
  static NDArray physical(Tensor t, int batch) {
    if (t.isBatched()) {
      return t.data();
    }
    int[] one = new int[t.rank() + 1];
    one[0] = 1;
    System.arraycopy(t.shape(), 0, one, 1, t.rank());
    int[] s = one.clone();
    s[0] = batch;
    return t.data().reshape(one).expand(s);
  }

  /**
   * A 1-d {@code index} along {@code axis} (checked) spread to {@code shape} (that of {@code x}
   * with {@code k = index.size(0)} entries along {@code axis}): the index tensor of the {@code
   * gather} or {@code scatterAdd} that equals {@code indexSelect} or {@code indexAdd} with {@code
   * index}. The batching rule of those two for a batched index, whose samples differ.
   */
  static Tensor spreadIndex(String op, int axis, Tensor index, int[] shape) {
    if (index.rank() != 1) {
      throw new dev.cadena.tensor.ShapeException(
          op + ": index must be 1-d, got shape " + dev.cadena.tensor.Shapes.str(index.shape()));
    }
    int[] view = new int[shape.length];
    java.util.Arrays.fill(view, 1);
    view[axis] = index.size(0);
    return Movement.expand(Movement.reshape(index, view), shape);
  }

  /** The batch size of the first batched tensor in {@code ts}. */
  static int batchSize(Tensor... ts) {
    for (Tensor t : ts) {
      if (t.isBatched()) {
        return t.data().dim(0);
      }
    }
    throw new IllegalStateException("vmap: no batched tensor");
  }

  /** Throws when an op that has no batching rule gets a batched input. */
  static void refuse(String op, Tensor... ts) {
    if (Tensor.anyBatched(ts)) {
      throw new UnsupportedOperationException("vmap: no batching rule for '" + op + "'");
    }
  }
}
