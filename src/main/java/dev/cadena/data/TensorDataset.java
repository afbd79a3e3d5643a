package dev.cadena.data;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.autograd.Anomaly;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.ShapeException;
import dev.cadena.tensor.Shapes;

/**
 * Examples held in memory as two tensors whose first dimension indexes the example: features
 * {@code [N, ...]} and targets {@code [N, ...]} (int64 class labels {@code [N]}, or float targets).
 *
 * <pre>{@code
 * TensorDataset xor = Synthetic.xor();
 * TensorDataset.Batch b = xor.batch(new int[] {0, 3});   // b.x(): [2, 2], b.y(): [2, 1]
 * }</pre>
 */
public final class TensorDataset {
  private final Tensor features;
  private final Tensor targets;

  /** A batch of examples: inputs {@code x} and targets {@code y}. */
  public record Batch(Tensor x, Tensor y) {
    /** @throws NullPointerException when {@code x} or {@code y} is null */
    public Batch {
      checkNotNull(x, "Batch: x is null");
      checkNotNull(y, "Batch: y is null");
    }

    /** Number of examples in the batch. */
    public int size() {
      return x.size(0);
    }
  }

  /**
   * @throws ShapeException when either tensor is 0-d or their first dimensions differ
   */
  public TensorDataset(Tensor features, Tensor targets) {
    checkNotNull(features, "TensorDataset: features is null");
    checkNotNull(targets, "TensorDataset: targets is null");
    try (var o = Anomaly.operands("TensorDataset", "features", features, "targets", targets)) {
      check(features, targets);
    }
    this.features = features.detach();
    this.targets = targets.detach();
  }

  private static void check(Tensor features, Tensor targets) {
    if (features.rank() == 0 || targets.rank() == 0) {
      throw new ShapeException(
          "TensorDataset: features and targets need a first (example) dimension, got "
              + Shapes.str(features.shape()) + " and " + Shapes.str(targets.shape()));
    }
    if (features.size(0) != targets.size(0)) {
      throw new ShapeException(
          "TensorDataset: features and targets hold different numbers of examples: "
              + Shapes.str(features.shape()) + " and " + Shapes.str(targets.shape()));
    }
  }

  /** Number of examples. */
  public int size() {
    return features.size(0);
  }

  /** All features. */
  public Tensor features() {
    return features;
  }

  /** All targets. */
  public Tensor targets() {
    return targets;
  }

  /** Element type of the features. */
  public DType dtype() {
    return features.dtype();
  }

  /** The examples {@code from} (inclusive) to {@code to} (exclusive), sharing storage. */
  public TensorDataset slice(int from, int to) {
    if (from < 0 || to > size() || from > to) {
      try (var o = Anomaly.operands(
          "TensorDataset.slice", "features", features, "targets", targets)) {
        throw new ShapeException("TensorDataset.slice: range [" + from + ", " + to
            + ") does not fit " + size() + " examples (features " + Shapes.str(features.shape())
            + ")");
      }
    }
    return new TensorDataset(features.slice(0, from, to), targets.slice(0, from, to));
  }

  /**
   * The examples at {@code indices}, gathered into one batch.
   *
   * @throws ShapeException when an index is out of range
   */
  public Batch batch(int[] indices) {
    checkNotNull(indices, "TensorDataset.batch: indices is null");
    Tensor idx = Tensor.ofLongs(indices);
    try (var o = Anomaly.operands(
        "TensorDataset.batch", "features", features, "targets", targets)) {
      return new Batch(features.indexSelect(0, idx), targets.indexSelect(0, idx));
    }
  }

  /** The same examples with the features converted to {@code dtype} (targets kept). */
  public TensorDataset to(DType dtype) {
    checkNotNull(dtype, "TensorDataset.to: dtype is null");
    Tensor y = targets.dtype().isFloatingPoint() ? targets.to(dtype) : targets;
    return new TensorDataset(features.to(dtype), y);
  }

  @Override
  public String toString() {
    return "TensorDataset(size=" + size() + ", features=" + Shapes.str(features.shape()) + " "
        + features.dtype() + ", targets=" + Shapes.str(targets.shape()) + " " + targets.dtype() + ")";
  }
}
