package dev.cadena.spark;

import dev.cadena.Tensor;
import dev.cadena.nn.Loss;
import dev.cadena.nn.Reduction;
import java.io.Serializable;

/**
 * The training loss as a <em>sum</em> over the examples of a local batch. The trainer divides the
 * summed gradients by the global batch size, so that the step follows the gradient of the mean
 * loss over all partitions' examples, however unevenly they are split.
 */
@FunctionalInterface
public interface LossFunction extends Serializable {
  /**
   * The sum of the per-example losses of a batch: a scalar.
   *
   * @param output the model's output for the batch's features, {@code [b, ...]}
   * @param labels the batch's labels, int64 {@code [b]}
   */
  Tensor sum(Tensor output, Tensor labels);

  /** Cross-entropy of logits {@code [b, C]} and class labels, summed. */
  static LossFunction crossEntropy() {
    return (output, labels) -> Loss.crossEntropy(output, labels, Reduction.SUM);
  }
}
