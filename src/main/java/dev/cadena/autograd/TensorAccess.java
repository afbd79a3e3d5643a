package dev.cadena.autograd;

import dev.cadena.Tensor;
import dev.cadena.tensor.NDArray;
import org.jspecify.annotations.Nullable;

/**
 * The narrow door of the package cycle {@code Tensor <-> autograd}: the one thing autograd needs
 * from {@link Tensor} that users must not do, making a tensor whose {@code gradFn} is a given
 * node. A public {@code Tensor.fromNode} would let any caller attach a second output to a node
 * (its VJP would then be run for a tensor it never produced), so instead {@code Tensor} installs
 * the only instance of this class when it initialises, as the JDK's {@code SharedSecrets} do, and
 * only {@link Node#record} uses it.
 *
 * <p>Not for users: {@link #install} accepts only a class nested in {@code Tensor}, once.
 */
public abstract class TensorAccess {
  private static volatile TensorAccess installed;

  /** For {@code Tensor}'s own implementation; {@link #install} rejects any other. */
  protected TensorAccess() {}

  /** A tensor of {@code data} produced by {@code node}: requires grad, {@code gradFn() == node}. */
  protected abstract Tensor fromNode(NDArray data, Node node);

  /** As {@link #fromNode}, for a batched result inside {@code vmap} (batch axis first). */
  protected abstract Tensor fromNodeBatched(NDArray data, Node node);

  /** {@code t}'s gradient, read by the engine without counting as held by a caller. */
  protected abstract Tensor engineGrad(Tensor t);

  /** Sets {@code t}'s gradient to one the engine made, which no caller holds yet. */
  protected abstract void setEngineGrad(Tensor t, Tensor g);

  /**
   * A dense buffer of {@code t}'s shape and dtype for its next gradient, which the library
   * allocated for that gradient alone: the one {@code zeroGrad()} kept from the last gradient if
   * no caller held it, else a new one; null when {@code t} has a gradient now.
   */
  protected abstract NDArray lendGradBuffer(Tensor t);

  /**
   * {@code t}'s count of live nodes holding it as a value to recycle ({@link
   * Node#recycleWithGraph}): positive while tracked, 0 when not, -1 once recycled.
   */
  protected abstract int graphHolds(Tensor t);

  /** Sets {@code t}'s count of holding nodes; -1 marks its storage as given back. */
  protected abstract void setGraphHolds(Tensor t, int holds);

  /** {@code t}'s forward-mode tangent holder ({@link ForwardAD}), or null. */
  protected abstract @Nullable Object forwardTangent(Tensor t);

  /** Sets {@code t}'s forward-mode tangent holder ({@link ForwardAD}). */
  protected abstract void setForwardTangent(Tensor t, Object dual);

  /**
   * Installs {@code Tensor}'s implementation; called by {@code Tensor}'s class initialiser.
   *
   * @throws NullPointerException when {@code access} is null
   * @throws IllegalStateException for an implementation not nested in {@code Tensor}, or when one
   *     is already installed
   */
  public static void install(TensorAccess access) {
    if (access == null) {
      throw new NullPointerException("TensorAccess.install: access is null");
    }
    if (access.getClass().getNestHost() != Tensor.class) {
      throw new IllegalStateException(
          "TensorAccess.install: only dev.cadena.Tensor installs its access, not "
              + access.getClass().getName());
    }
    synchronized (TensorAccess.class) {
      if (installed != null) {
        throw new IllegalStateException("TensorAccess.install: already installed");
      }
      installed = access;
    }
  }

  /** The installed access, initialising {@code Tensor} first if no tensor exists yet. */
  static TensorAccess get() {
    TensorAccess a = installed;
    if (a != null) {
      return a;
    }
    try {
      Class.forName(Tensor.class.getName(), true, Tensor.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("autograd: dev.cadena.Tensor cannot be loaded", e);
    }
    a = installed;
    if (a == null) {
      throw new IllegalStateException(
          "autograd: dev.cadena.Tensor has not installed its TensorAccess (is it still initialising?)");
    }
    return a;
  }
}
