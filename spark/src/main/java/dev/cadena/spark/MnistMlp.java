package dev.cadena.spark;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.nn.Dropout;
import dev.cadena.nn.Linear;
import dev.cadena.nn.Module;
import dev.cadena.nn.ReLU;
import dev.cadena.nn.Sequential;
import dev.cadena.tensor.DType;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The MNIST multilayer perceptron of the library's main job ({@code dev.cadena.cli.TrainJob}):
 * {@code Linear(784, h1)} - ReLU - ... - {@code Linear(hk, 10)}, optionally with dropout after
 * each ReLU, as a {@link ModelFactory} that Spark can ship to the tasks.
 *
 * @param inputs features per example (784 for MNIST)
 * @param hidden the hidden layers' widths
 * @param classes the output width
 * @param dropout the drop probability after each hidden layer, 0 for none
 * @param dtype float32 or float64
 */
public record MnistMlp(int inputs, List<Integer> hidden, int classes, double dropout, DType dtype)
    implements ModelFactory {
  private static final long serialVersionUID = 1L;

  /**
   * @throws NullPointerException when {@code hidden} or {@code dtype} is null
   * @throws IllegalArgumentException for a width below 1 or a dropout outside [0, 1)
   */
  public MnistMlp {
    checkNotNull(hidden, "MnistMlp: hidden is null");
    checkNotNull(dtype, "MnistMlp: dtype is null");
    hidden = List.copyOf(hidden);
    if (inputs < 1 || classes < 1 || hidden.stream().anyMatch(h -> h < 1)) {
      throw new IllegalArgumentException("MnistMlp: widths must be >= 1, got inputs=" + inputs
          + ", hidden=" + hidden + ", classes=" + classes);
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException("MnistMlp: dropout must be in [0, 1), got " + dropout);
    }
  }

  /** 784 - {@code hidden} - 10 without dropout. */
  public MnistMlp(List<Integer> hidden, DType dtype) {
    this(784, hidden, 10, 0, dtype);
  }

  @Override
  public Module create(RandomGenerator rng) {
    Sequential model = new Sequential();
    int in = inputs;
    for (int h : hidden) {
      model.add(new Linear(in, h, true, dtype, rng));
      model.add(new ReLU());
      if (dropout > 0) {
        model.add(new Dropout(dropout, rng));
      }
      in = h;
    }
    model.add(new Linear(in, classes, true, dtype, rng));
    return model;
  }
}
