package dev.cadena.spark;

import dev.cadena.Tensor;
import dev.cadena.nn.Module;
import dev.cadena.tensor.DType;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.random.RandomGenerator;

/**
 * The work of one task in one step, on an executor: load the driver's parameters into a replica
 * of the model, run forward and backward on the partition's local batch, and return the
 * gradients of the summed loss.
 *
 * <p>Replicas are kept per executor JVM between steps (one per concurrently running task), so a
 * step costs one parameter copy, not a model construction. Correctness never depends on that
 * cache: every task loads all parameters from the step's broadcast and reseeds the replica's
 * random layers from {@code (seed, step, partition)}.
 */
final class PartitionTask {
  private PartitionTask() {}

  /** Everything a task needs besides its block, the step and the parameters; serialised once per step. */
  record Spec(String runId, ModelFactory factory, LossFunction loss, DType dtype, int batchSize,
      long seed, TaskHook hook) implements Serializable {}

  /** Called in each task before it computes; lets tests inject failures. */
  @FunctionalInterface
  interface TaskHook extends Serializable {
    void beforeGradient(long step, int partition);
  }

  /** The partial of {@code block} at {@code step} with parameters {@code params}. */
  static GradientPartial compute(Spec spec, ExampleBlock block, long step, FlatVector params) {
    long start = System.nanoTime();
    if (spec.hook() != null) {
      spec.hook().beforeGradient(step, block.partition);
    }
    int[] idx = BatchPlan.indices(block.n, spec.batchSize(), step, spec.seed(), block.partition);
    if (idx.length == 0) {
      return GradientPartial.empty();
    }
    Replica r = Replicas.take(spec);
    try {
      r.load(params);
      r.rng.reseed(BatchPlan.dropoutSeed(spec.seed(), step, block.partition));
      for (Tensor p : r.params) {
        p.zeroGrad();
      }
      Tensor loss = spec.loss().sum(r.model.forward(block.features(idx)), block.labels(idx));
      loss.backward();
      FlatVector grads = FlatVector.zeros(spec.dtype(), params.size());
      int at = 0;
      for (Tensor p : r.params) {
        Tensor g = p.grad();
        at = g == null ? at + p.numel() : grads.put(at, g);
      }
      return new GradientPartial(grads, idx.length, loss.item(), System.nanoTime() - start);
    } finally {
      Replicas.give(spec.runId(), r);
    }
  }

  /** A generator whose sequence is restarted from a new seed at every step. */
  static final class ReseedableRandom implements RandomGenerator {
    private SplittableRandom rng = new SplittableRandom(0);

    void reseed(long seed) {
      rng = new SplittableRandom(seed);
    }

    @Override
    public long nextLong() {
      return rng.nextLong();
    }
  }

  /** One model replica with its generator. */
  static final class Replica {
    final Module model;
    final List<Tensor> params;
    final ReseedableRandom rng;

    Replica(ModelFactory factory) {
      this.rng = new ReseedableRandom();
      this.model = factory.create(rng);
      this.model.train();
      this.params = model.parameters();
    }

    void load(FlatVector flat) {
      int at = 0;
      try (var s = Tensor.noGrad()) {
        for (Tensor p : params) {
          p.copy_(flat.slice(at, p.shape(), 1));
          at += p.numel();
        }
      }
    }
  }

  /** The executor's replicas, of the current run only. */
  static final class Replicas {
    private static final Map<String, ConcurrentLinkedQueue<Replica>> POOLS =
        new ConcurrentHashMap<>();

    private Replicas() {}

    static Replica take(Spec spec) {
      ConcurrentLinkedQueue<Replica> pool = POOLS.get(spec.runId());
      if (pool == null) {
        // A new run: the replicas of earlier ones are garbage now.
        POOLS.keySet().removeIf(k -> !k.equals(spec.runId()));
        pool = POOLS.computeIfAbsent(spec.runId(), k -> new ConcurrentLinkedQueue<>());
      }
      Replica r = pool.poll();
      return r != null ? r : new Replica(spec.factory());
    }

    static void give(String runId, Replica r) {
      ConcurrentLinkedQueue<Replica> pool = POOLS.get(runId);
      if (pool != null) {
        pool.add(r);
      }
    }

    /** Drops the replicas of {@code runId} (the driver calls it when a run ends; in local mode it is the executor too). */
    static void release(String runId) {
      POOLS.remove(runId);
    }
  }
}
