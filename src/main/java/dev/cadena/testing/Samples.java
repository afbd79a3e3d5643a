package dev.cadena.testing;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Supplier;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.JqwikException;
import net.jqwik.api.RandomGenerator;
import net.jqwik.api.Shrinkable;
import net.jqwik.api.sessions.JqwikSession;
import org.jspecify.annotations.Nullable;

/**
 * Properties outside a test runner (a notebook, a {@code main}): draws seeded samples from any
 * arbitrary, and looks for a counterexample to a property and shrinks it, the way a
 * {@code @Property} method does under JUnit. Inside JUnit use jqwik's {@code @Property(seed =
 * "...")} instead, which reports and replays by itself.
 *
 * <pre>{@code
 * Arbitrary<Tensor> xs = TensorArbitraries.tensors(TensorArbitraries.shapes());
 * List<Tensor> some = Samples.draw(xs, 42, 10);          // the same ten tensors on every run
 * Optional<Samples.Counterexample<Tensor>> c =
 *     Samples.falsify(xs, 42, 100, x -> GradProperties.check(in -> MY_OP.apply(in[0]), x));
 * }</pre>
 */
public final class Samples {
  private Samples() {}

  /** jqwik's generation size for 1000 tries, its default. */
  private static final int GEN_SIZE = 1000;
  /** An upper bound on shrinking steps, so that a property that flips never loops for long. */
  private static final int MAX_SHRINK_STEPS = 1000;

  /**
   * {@code n} values drawn from {@code arbitrary} with a {@link Random} seeded with {@code seed}:
   * the same values on every run and every thread.
   *
   * @throws IllegalArgumentException for {@code n < 0}
   */
  public static <T> List<T> draw(Arbitrary<T> arbitrary, long seed, int n) {
    checkNotNull(arbitrary, "draw: arbitrary is null");
    if (n < 0) {
      throw new IllegalArgumentException("draw: n must be >= 0, got " + n);
    }
    return inJqwik(() -> {
      RandomGenerator<T> g = arbitrary.generator(GEN_SIZE);
      Random random = new Random(seed);
      List<T> r = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        r.add(g.next(random).value());
      }
      return r;
    });
  }

  /**
   * Runs {@code body} where jqwik's generators work: as it is inside a property or an open
   * {@link JqwikSession}, else in a session opened and closed around it (a JUnit {@code @Test},
   * a notebook cell, a {@code main}).
   */
  private static <R> R inJqwik(Supplier<R> body) {
    if (JqwikSession.isActive()) {
      return body.get();
    }
    boolean started;
    try {
      JqwikSession.start();
      started = true;
    } catch (JqwikException insideAProperty) {
      started = false; // jqwik's own lifecycle is running: its generators work already
    }
    try {
      return body.get();
    } finally {
      if (started) {
        JqwikSession.finish();
      }
    }
  }

  /**
   * A failing sample: the first one drawn, the one it shrank to, and the seed and try that found
   * it.
   *
   * @param original the first failing sample drawn
   * @param shrunk the smallest failing sample shrinking found
   * @param error what the property threw for {@code shrunk}
   * @param seed the seed given to {@link #falsify}
   * @param tryNumber which try (from 1) found {@code original}
   * @param shrinkSteps how many shrinking steps led from {@code original} to {@code shrunk}
   */
  public record Counterexample<T>(T original, T shrunk, Throwable error, long seed,
      int tryNumber, int shrinkSteps) {
    /** Checks that no component is null. */
    public Counterexample {
      checkNotNull(original, "Counterexample: original is null");
      checkNotNull(shrunk, "Counterexample: shrunk is null");
      checkNotNull(error, "Counterexample: error is null");
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT,
          "counterexample (seed %d, try %d, %d shrinking steps): %s%n  %s", seed, tryNumber,
          shrinkSteps, shrunk, error.getMessage());
    }
  }

  /**
   * Draws up to {@code tries} samples (seeded with {@code seed}) until {@code property} throws an
   * {@link AssertionError} for one, then shrinks it greedily: of the smaller candidates jqwik's
   * shrinking offers, the first that still fails is kept, until none does. Other exceptions
   * propagate, as they would from a test.
   *
   * @return the counterexample, or empty when every try passed
   * @throws IllegalArgumentException for {@code tries < 1}
   */
  public static <T> Optional<Counterexample<T>> falsify(
      Arbitrary<T> arbitrary, long seed, int tries, Consumer<? super T> property) {
    checkNotNull(arbitrary, "falsify: arbitrary is null");
    checkNotNull(property, "falsify: property is null");
    if (tries < 1) {
      throw new IllegalArgumentException("falsify: tries must be >= 1, got " + tries);
    }
    return inJqwik(() -> falsifyInJqwik(arbitrary, seed, tries, property));
  }

  private static <T> Optional<Counterexample<T>> falsifyInJqwik(
      Arbitrary<T> arbitrary, long seed, int tries, Consumer<? super T> property) {
    RandomGenerator<T> g = arbitrary.generator(GEN_SIZE);
    Random random = new Random(seed);
    for (int t = 1; t <= tries; t++) {
      Shrinkable<T> s = g.next(random);
      AssertionError e = failure(property, s.value());
      if (e == null) {
        continue;
      }
      T original = s.value();
      int steps = 0;
      boolean progress = true;
      while (progress && steps < MAX_SHRINK_STEPS) {
        progress = false;
        Iterator<Shrinkable<T>> it = s.shrink().iterator();
        while (it.hasNext()) {
          Shrinkable<T> c = it.next();
          AssertionError ce = failure(property, c.value());
          if (ce != null) {
            s = c;
            e = ce;
            steps++;
            progress = true;
            break;
          }
        }
      }
      return Optional.of(new Counterexample<>(original, s.value(), e, seed, t, steps));
    }
    return Optional.empty();
  }

  private static <T> @Nullable AssertionError failure(Consumer<? super T> property, T value) {
    try {
      property.accept(value);
      return null;
    } catch (AssertionError e) {
      return e;
    }
  }
}
