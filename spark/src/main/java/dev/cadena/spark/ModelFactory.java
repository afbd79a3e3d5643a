package dev.cadena.spark;

import dev.cadena.nn.Module;
import java.io.Serializable;
import java.util.random.RandomGenerator;

/**
 * Builds the model, once on the driver (whose parameters are the ones trained) and once per
 * replica in the tasks. It is serialised with the job, so it must be a small serialisable object
 * (a record of hyper-parameters, or a lambda cast to this type), not a built model.
 *
 * <p>Every random layer (e.g. {@code Dropout}) must draw from {@code rng}: the trainer reseeds it
 * for each step and partition from {@code (seed, step, partition)}, which is what makes a
 * distributed run reproducible. The initial parameter values drawn from it only matter on the
 * driver; a replica's parameters are overwritten with the driver's before each step.
 *
 * <pre>{@code
 * ModelFactory f = rng -> new Sequential(new Linear(784, 128, true, rng), new ReLU(),
 *     new Dropout(0.2, rng), new Linear(128, 10, true, rng));
 * }</pre>
 */
@FunctionalInterface
public interface ModelFactory extends Serializable {
  /** A new model whose random layers draw from {@code rng}. */
  Module create(RandomGenerator rng);
}
