package dev.cadena.ops;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.autograd.Anomaly;
import dev.cadena.autograd.ForwardAD;
import dev.cadena.autograd.GradMode;
import dev.cadena.autograd.Node;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.DTypeException;
import dev.cadena.tensor.NDArray;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What every primitive does around its arithmetic: promote the operands to one dtype, record the
 * forward result with its VJP under the primitive's name, and return one gradient per input. The
 * ops files call these instead of {@link Node#record}, so that the node's name always comes from
 * {@link Primitive} and the dtype rule is written once.
 */
final class Recording {
  private Recording() {}

  /**
   * The forward result {@code out} of primitive {@code p}, as a tensor with a node carrying
   * {@code vjp} when grad mode is on and an input requires grad (a constant otherwise), and, in
   * forward mode when an input has a tangent, the tangent {@code jvp} computes. Both rules are
   * required: a primitive without a JVP does not compile.
   */
  static Tensor record(Primitive p, NDArray out, Tensor[] inputs, Node.Vjp vjp, Node.Jvp jvp) {
    return Node.record(p.opName(), out, inputs, vjp, jvp);
  }

  /** {@link #record(Primitive, NDArray, Tensor[], Node.Vjp, Node.Jvp)} for one input, without an array. */
  static Tensor record(Primitive p, NDArray out, Tensor input, Node.Vjp vjp, Node.Jvp jvp) {
    return Node.record(p.opName(), out, input, vjp, jvp);
  }

  /**
   * True when {@link #record} of an op whose only input is {@code x} returns a plain constant
   * (no node, no tangent): grad mode off or {@code x} not requiring grad, no batch axis, no
   * forward-mode level open on this thread, anomaly mode off. Lets an op skip building a VJP
   * object that would be dropped, as a VJP's own ops do in a backward pass without a graph.
   */
  static boolean recordsNothing(Tensor x) {
    return (!GradMode.isEnabled() || !x.requiresGrad()) && !x.isBatched()
        && !ForwardAD.isActive() && !Anomaly.isEnabled();
  }

  /** {@code a + b} for JVP rules, where a null tangent is zero: null when both are. */
  static @Nullable Tensor plus(@Nullable Tensor a, @Nullable Tensor b) {
    return a == null ? b : b == null ? a : a.add(b);
  }

  /** {@code t}, or zeros of {@code like}'s shape and dtype when {@code t} is null (zero). */
  static Tensor orZeros(@Nullable Tensor t, Tensor like) {
    return t != null ? t : Tensor.zeros(like.dtype(), like.shape());
  }

  /**
   * The list, or a NullPointerException naming the op, the parameter and the first null element
   * ({@code concat: parts[2] is null}).
   */
  static List<Tensor> checkElements(String op, String name, List<Tensor> list) {
    checkNotNull(list, "%s: %s is null", op, name);
    int i = 0;
    for (Tensor t : list) {
      if (t == null) {
        throw new NullPointerException(op + ": " + name + "[" + i + "] is null");
      }
      i++;
    }
    return list;
  }

  /** A VJP's result, one gradient per input in input order (null where none is needed). */
  static Tensor[] grads(Tensor... g) {
    return g;
  }

  /**
   * Both operands cast to their promoted dtype ({@link DType#promote}), each through a recorded
   * {@link Elementwise#cast} where its dtype changes, so the gradient flows back converted.
   *
   * @throws DTypeException when the promoted dtype is int64 (no float op is defined on it)
   */
  static Tensor[] promote(String op, Tensor a, Tensor b) {
    DType t = DType.promote(a.dtype(), b.dtype());
    if (t == DType.INT64) {
      throw DTypeException.int64NotSupported(op);
    }
    return Batching.align(Elementwise.cast(a, t), Elementwise.cast(b, t));
  }
}
