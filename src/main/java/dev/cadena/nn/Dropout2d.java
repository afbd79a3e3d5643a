package dev.cadena.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.autograd.Anomaly;
import dev.cadena.tensor.ShapeException;
import dev.cadena.tensor.Shapes;
import java.util.random.RandomGenerator;

/**
 * Channel dropout (PyTorch's {@code Dropout2d}): in training mode each whole channel of {@code [N,
 * C, H, W]} (or {@code [C, H, W]}) is zeroed with probability {@code p} and the others scaled by
 * {@code 1 / (1 - p)}; in evaluation mode (or for {@code p = 0}) the input is returned. The mask
 * {@code [N, C, 1, 1]} is a constant, so the gradient is {@code grad * mask / (1 - p)}.
 *
 * <p><b>Args:</b> {@code p} in {@code [0, 1)}; {@code rng} -- the layer's own seeded generator.
 *
 * <p><b>Shape:</b> {@code [N, C, H, W]} or {@code [C, H, W]}, output the same.
 *
 * <p><b>Example:</b>
 *
 * <pre>{@code
 * Dropout2d drop = new Dropout2d(0.5, new SplittableRandom(0));
 * drop.forward(Tensor.ones(2, 3, 4, 4));   // each 4x4 plane all 0 or all 2
 * System.out.println(drop);                // Dropout2d(p=0.5, inplace=False)
 * }</pre>
 */
public class Dropout2d extends Module {
  private final double p;
  private final RandomGenerator rng;

  /**
   * Drops channels with probability {@code p}.
   *
   * @throws NullPointerException when {@code rng} is null
   * @throws IllegalArgumentException unless {@code 0 <= p < 1}
   */
  public Dropout2d(double p, RandomGenerator rng) {
    String name = getClass().getSimpleName();
    this.p = Checks.inRange(name, "probability p", p, 0.0, 1.0, false);
    this.rng = checkNotNull(
        rng, "%s: rng is null (pass a seeded generator, e.g. new SplittableRandom(42))", name);
  }

  @Override
  public Tensor forward(Tensor x) {
    String name = getClass().getSimpleName();
    checkNotNull(x, "%s: input is null", name);
    try (var o = Anomaly.operands(name, "input", x)) {
      return checkedForward(name, x);
    }
  }

  private Tensor checkedForward(String name, Tensor x) {
    Checks.floating(name, "input", x);
    if (x.rank() != 3 && x.rank() != 4) {
      throw new ShapeException(
          name + ": expected a 4-d input [N, C, H, W] (or 3-d [C, H, W]), got shape "
              + Shapes.str(x.shape()));
    }
    if (!isTraining() || p == 0.0) {
      return x;
    }
    int[] maskShape = x.shape();
    for (int i = maskShape.length - 2; i < maskShape.length; i++) {
      maskShape[i] = 1;
    }
    Tensor keep = Tensor.rand(rng, maskShape).ge(p).to(x.dtype());
    return x.mul(keep.div(1.0 - p));
  }

  @Override
  protected String extraRepr() {
    return "p=" + Repr.number(p) + ", inplace=False";
  }
}
