package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import java.util.random.RandomGenerator;

/**
 * Inverted dropout (Srivastava et al. 2014): in training mode each element is zeroed with
 * probability {@code p} and the rest are scaled by {@code 1 / (1 - p)}, so {@code E[y] = x}; in
 * evaluation mode it is the identity. The mask is drawn from the layer's own seeded generator, so
 * a run is reproducible. See {@link Functional#dropout}.
 *
 * <p><b>Args:</b> {@code p} -- probability of zeroing an element, in {@code [0, 1)}; {@code rng} --
 * the seeded generator for the masks.
 *
 * <p><b>Shape:</b> input {@code [*]}, output the same shape.
 *
 * <p><b>Example:</b>
 *
 * <pre>{@code
 * Dropout drop = new Dropout(0.5, new SplittableRandom(0));
 * Tensor y = drop.forward(Tensor.ones(2, 4));  // entries 0 or 2
 * drop.eval();
 * Tensor z = drop.forward(Tensor.ones(2, 4));  // all ones
 * }</pre>
 */
public final class Dropout extends Module {
  private final double p;
  private final RandomGenerator rng;

  /**
   * A dropout layer.
   *
   * @throws NullPointerException for a null generator
   * @throws IllegalArgumentException unless {@code 0 <= p < 1}
   */
  public Dropout(double p, RandomGenerator rng) {
    checkNotNull(
        rng, "Dropout: rng is null (pass a seeded generator, e.g. new SplittableRandom(42))");
    this.p = Checks.inRange("Dropout", "probability p", p, 0.0, 1.0, false);
    this.rng = rng;
  }

  /** The drop probability. */
  public double p() {
    return p;
  }

  @Override
  public Tensor forward(Tensor x) {
    checkNotNull(x, "Dropout: input is null");
    return Functional.dropout(x, p, isTraining(), rng);
  }

  @Override
  protected String extraRepr() {
    return "p=" + p;
  }
}
