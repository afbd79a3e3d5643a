package dev.cadena.diagnostics;

/**
 * When {@link GradientMonitor} flags a layer. At each recorded step, with {@code n} a layer's
 * gradient norm, {@code nMax} the largest layer's and {@code nPrev} the layer's norm at the
 * previous recorded step, the first rule that applies gives the layer's flag (at most one):
 *
 * <ol>
 *   <li>EXPLODING when {@code n} is not finite (NaN or infinity);
 *   <li>EXPLODING when {@code n > explodingNorm};
 *   <li>VANISHING when {@code n < vanishingNorm};
 *   <li>VANISHING when {@code n / nMax < vanishingRelative};
 *   <li>EXPLODING when {@code n > explodingGrowth * nPrev} and {@code nPrev > vanishingNorm}.
 * </ol>
 *
 * <p>Layers that received no gradient at all (frozen or unused) are not judged.
 *
 * <pre>{@code
 * Thresholds t = Thresholds.defaults().withExplodingNorm(100);
 * }</pre>
 *
 * @param vanishingNorm absolute gradient norm below which a layer is vanishing ({@code >= 0})
 * @param vanishingRelative fraction of the largest layer's norm below which a layer is vanishing
 *     (in [0, 1))
 * @param explodingNorm absolute gradient norm above which a layer is exploding ({@code > 0})
 * @param explodingGrowth growth factor between consecutive recorded steps above which a layer is
 *     exploding ({@code > 1})
 */
public record Thresholds(
    double vanishingNorm, double vanishingRelative, double explodingNorm, double explodingGrowth) {

  /**
   * Checks the values.
   *
   * @throws IllegalArgumentException naming the first value out of range
   */
  public Thresholds {
    if (!(vanishingNorm >= 0) || Double.isInfinite(vanishingNorm)) {
      throw new IllegalArgumentException(
          "Thresholds: vanishingNorm must be >= 0 and finite, got " + vanishingNorm);
    }
    if (!(vanishingRelative >= 0 && vanishingRelative < 1)) {
      throw new IllegalArgumentException(
          "Thresholds: vanishingRelative must be in [0, 1), got " + vanishingRelative);
    }
    if (!(explodingNorm > 0)) {
      throw new IllegalArgumentException("Thresholds: explodingNorm must be > 0, got " + explodingNorm);
    }
    if (!(explodingGrowth > 1)) {
      throw new IllegalArgumentException(
          "Thresholds: explodingGrowth must be > 1, got " + explodingGrowth);
    }
  }

  /** vanishingNorm 1e-8, vanishingRelative 1e-3, explodingNorm 1e3, explodingGrowth 10. */
  public static Thresholds defaults() {
    return new Thresholds(1e-8, 1e-3, 1e3, 10);
  }

  /** A copy with another {@code vanishingNorm}. */
  public Thresholds withVanishingNorm(double value) {
    return new Thresholds(value, vanishingRelative, explodingNorm, explodingGrowth);
  }

  /** A copy with another {@code vanishingRelative}. */
  public Thresholds withVanishingRelative(double value) {
    return new Thresholds(vanishingNorm, value, explodingNorm, explodingGrowth);
  }

  /** A copy with another {@code explodingNorm}. */
  public Thresholds withExplodingNorm(double value) {
    return new Thresholds(vanishingNorm, vanishingRelative, value, explodingGrowth);
  }

  /** A copy with another {@code explodingGrowth}. */
  public Thresholds withExplodingGrowth(double value) {
    return new Thresholds(vanishingNorm, vanishingRelative, explodingNorm, value);
  }
}
