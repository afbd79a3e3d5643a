package dev.cadena.func;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.autograd.AutogradException;
import dev.cadena.autograd.Engine;
import dev.cadena.autograd.GradMode;
import dev.cadena.autograd.Node;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.Shapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Activation checkpointing, as {@code torch.utils.checkpoint}: trade compute for memory. The
 * forward of {@code fn} runs without recording a graph, and the one node recorded in its place
 * keeps only the inputs (and the outputs); its VJP runs {@code fn} again with grad enabled and
 * back-propagates through that recomputed graph, which is freed at once. So a network cut into
 * segments keeps one activation per segment instead of one per op, for one extra forward pass.
 *
 * <pre>{@code
 * // a block of two layers whose inner activations are not kept
 * Tensor h = Checkpoint.checkpoint(xs -> l2.forward(l1.forward(xs[0]).relu()).relu(),
 *     block.parameters(), x);
 * }</pre>
 *
 * <p><b>Gradients</b> equal those of the plain {@code fn} exactly: the recomputation runs the
 * same ops on the same values, and the gradient of each input and parameter is the one the plain
 * graph gives (an MLP's gradients are bitwise equal; see {@code CheckpointTest}).
 *
 * <p><b>Parameters captured by {@code fn}.</b> Java cannot see which tensors a lambda captures,
 * and the forward records nothing, so the tensors that {@code fn} reads from outside and that
 * require grad (a module's weights) are passed as {@code params}: they become inputs of the
 * node and receive their gradients in {@code backward()} and {@code Tensor.grad} like any other
 * input. A captured leaf that requires grad and is missing from {@code params} is found when the
 * backward recomputes the graph, and the backward then fails naming its shape, rather than
 * silently leaving it without a gradient. A captured tensor must be a leaf (a parameter or a
 * constant); pass an intermediate result of the enclosing graph as an input instead.
 *
 * <p><b>Higher order.</b> Under {@code createGraph} the VJP is itself checkpointed: it records a
 * node of the same kind whose inputs are the inputs, the upstream gradients and the parameters,
 * so second (and higher) derivatives through a checkpoint equal the plain ones, and the
 * recomputed graphs are never part of the enclosing one (each recomputation differentiates with
 * respect to fresh leaves that alias the inputs, so no inner backward pass reaches, or frees, the
 * graph below the inputs).
 *
 * <p><b>Randomness.</b> {@code fn} runs twice (three times for second derivatives) and must give
 * the same values each time. The library does not save or restore generator state (a
 * {@code RandomGenerator} has none to read); a {@code fn} that draws random numbers, such as
 * dropout, creates its generator inside from a seed it captures, e.g.
 * {@code xs -> Functional.dropout(xs[0], 0.5, true, new SplittableRandom(seed))}, choosing a
 * new seed per training step outside.
 *
 * <p>Several outputs ({@link #checkpointMany}) must share one dtype: they are recorded as one
 * node with a packed output of which each result is a view. An output that does not depend on
 * the inputs is a constant-valued view and gets no gradient through the recomputation.
 */
public final class Checkpoint {
  private Checkpoint() {}

  /**
   * {@code fn(inputs)} recorded as one checkpoint node, for a {@code fn} that captures no tensor
   * requiring grad (else use {@link #checkpoint(TensorFn, List, Tensor...)}).
   *
   * <pre>{@code
   * Tensor y = Checkpoint.checkpoint(xs -> xs[0].tanh().mul(xs[1]).exp(), a, b);
   * }</pre>
   *
   * @throws NullPointerException when {@code fn}, {@code inputs} or an input is null
   * @throws IllegalStateException when {@code fn} returns null
   */
  public static Tensor checkpoint(TensorFn fn, Tensor... inputs) {
    checkNotNull(fn, "checkpoint: fn is null");
    checkNotNull(inputs, "checkpoint: inputs is null");
    return checkpoint(fn, List.of(), inputs);
  }

  /**
   * {@code fn(inputs)} recorded as one checkpoint node that keeps only {@code inputs},
   * {@code params} and the result; {@code params} are the tensors {@code fn} captures that
   * require grad (e.g. {@code module.parameters()}).
   *
   * @throws NullPointerException when an argument or an element is null
   * @throws IllegalStateException when {@code fn} returns null
   */
  public static Tensor checkpoint(TensorFn fn, List<Tensor> params, Tensor... inputs) {
    checkNotNull(fn, "checkpoint: fn is null");
    checkNotNull(params, "checkpoint: params is null");
    checkNotNull(inputs, "checkpoint: inputs is null");
    TensorsFn many = xs -> new Tensor[] {fn.apply(xs)};
    return run("checkpoint", many, checkTensors("params", params.toArray(new Tensor[0])),
        checkTensors("inputs", inputs))[0];
  }

  /**
   * {@code fn(inputs)} with several outputs, recorded as one checkpoint node (the name differs
   * from {@code checkpoint} so that a lambda {@code xs -> ...} picks one without a cast).
   *
   * <pre>{@code
   * Tensor[] ys = Checkpoint.checkpointMany(xs -> new Tensor[] {xs[0].exp(), xs[0].sin()}, x);
   * }</pre>
   *
   * @throws NullPointerException when {@code fn}, {@code inputs} or an input is null
   * @throws IllegalArgumentException when the outputs do not share one dtype
   */
  public static Tensor[] checkpointMany(TensorsFn fn, Tensor... inputs) {
    checkNotNull(fn, "checkpointMany: fn is null");
    checkNotNull(inputs, "checkpointMany: inputs is null");
    return checkpointMany(fn, List.of(), inputs);
  }

  /**
   * {@code fn(inputs)} with several outputs and the captured tensors {@code params} that require
   * grad; see {@link #checkpoint(TensorFn, List, Tensor...)}.
   *
   * @throws NullPointerException when an argument or an element is null
   * @throws IllegalArgumentException when the outputs do not share one dtype
   */
  public static Tensor[] checkpointMany(TensorsFn fn, List<Tensor> params, Tensor... inputs) {
    checkNotNull(fn, "checkpointMany: fn is null");
    checkNotNull(params, "checkpointMany: params is null");
    checkNotNull(inputs, "checkpointMany: inputs is null");
    return run("checkpoint", fn, checkTensors("params", params.toArray(new Tensor[0])),
        checkTensors("inputs", inputs));
  }

  private static Tensor[] checkTensors(String what, Tensor[] ts) {
    for (int i = 0; i < ts.length; i++) {
      if (ts[i] == null) {
        throw new NullPointerException("checkpoint: " + what + "[" + i + "] is null");
      }
    }
    return ts.clone();
  }

  /** Runs {@code fn} without a graph and records one node over {@code inputs ++ params}. */
  private static Tensor[] run(String op, TensorsFn fn, Tensor[] params, Tensor[] inputs) {
    Tensor[] outs;
    try (GradMode.Scope s = GradMode.noGrad()) {
      outs = fn.apply(inputs.clone());
    }
    if (outs == null || outs.length == 0) {
      throw new IllegalStateException(
          op + ": fn returned " + (outs == null ? "null" : "no outputs"));
    }
    for (int i = 0; i < outs.length; i++) {
      if (outs[i] == null) {
        throw new IllegalStateException(op + ": fn returned null as output " + i);
      }
    }
    Tensor[] edges = concat(inputs, params);
    if (!GradMode.isEnabled() || !anyRequiresGrad(edges)) {
      return outs; // computed under noGrad: constants already
    }
    int n = inputs.length;
    int[][] shapes = new int[outs.length][];
    for (int i = 0; i < outs.length; i++) {
      shapes[i] = outs[i].shape();
    }
    if (outs.length == 1) {
      Tensor y = Node.record(op, outs[0].data(), edges,
          (node, g) -> vjp(fn, n, params, edges, new Tensor[] {g}));
      return new Tensor[] {y};
    }
    // Several outputs: one node, whose output packs them (flattened, end to end); each result is a
    // view of it, so the engine sums the outputs' gradients into the packed gradient and the VJP
    // gets them all at once, as one recomputation needs.
    DType dtype = outs[0].dtype();
    List<Tensor> flat = new ArrayList<>(outs.length);
    int[] offsets = new int[outs.length + 1];
    for (int i = 0; i < outs.length; i++) {
      if (outs[i].dtype() != dtype) {
        throw new IllegalArgumentException(
            op + ": outputs of several dtypes are not supported: output 0 is " + dtype
                + ", output " + i + " is " + outs[i].dtype());
      }
      flat.add(outs[i].reshape(outs[i].numel()));
      offsets[i + 1] = offsets[i] + outs[i].numel();
    }
    Tensor packedValue;
    try (GradMode.Scope s = GradMode.noGrad()) {
      packedValue = Tensor.cat(flat, 0);
    }
    Tensor packed = Node.record(op, packedValue.data(), edges,
        (node, g) -> vjp(fn, n, params, edges, unpack(g, offsets, shapes)));
    Tensor[] results = new Tensor[outs.length];
    for (int i = 0; i < outs.length; i++) {
      results[i] = packed.narrow(0, offsets[i], offsets[i + 1] - offsets[i]).reshape(shapes[i]);
    }
    return results;
  }

  private static Tensor[] unpack(Tensor g, int[] offsets, int[][] shapes) {
    Tensor[] gs = new Tensor[shapes.length];
    for (int i = 0; i < shapes.length; i++) {
      gs[i] = g.narrow(0, offsets[i], offsets[i + 1] - offsets[i]).reshape(shapes[i]);
    }
    return gs;
  }

  /**
   * The checkpoint node's VJP: one gradient per edge ({@code inputs ++ params}), null where none
   * is needed. Without a graph to record it recomputes and back-propagates at once; with one
   * (createGraph) it is itself a checkpoint over (inputs, upstream gradients; params), so it
   * keeps only those and can be differentiated again.
   */
  private static Tensor[] vjp(TensorsFn fn, int n, Tensor[] params, Tensor[] edges, Tensor[] gs) {
    if (!GradMode.isEnabled()) {
      return recomputeVjp(fn, n, params, concat(sliceOf(edges, 0, n), gs), false);
    }
    int[] wanted = wantedEdges(edges);
    if (wanted.length == 0) {
      return new Tensor[edges.length];
    }
    TensorsFn vjpFn = args -> {
      Tensor[] r = recomputeVjp(fn, n, params, args, GradMode.isEnabled());
      Tensor[] picked = new Tensor[wanted.length];
      for (int k = 0; k < wanted.length; k++) {
        Tensor e = edges[wanted[k]];
        picked[k] = r[wanted[k]] != null ? r[wanted[k]] : Tensor.zeros(e.dtype(), e.shape());
      }
      return picked;
    };
    Tensor[] picked = run("checkpoint_vjp", vjpFn, params, concat(sliceOf(edges, 0, n), gs));
    Tensor[] result = new Tensor[edges.length];
    for (int k = 0; k < wanted.length; k++) {
      result[wanted[k]] = picked[k];
    }
    return result;
  }

  /**
   * Runs {@code fn} with grad enabled on {@code args[0..n)} and back-propagates
   * {@code args[n..)} (one gradient per output) to the inputs and {@code params}; returns one
   * gradient per input and param, null where it does not require grad. An input that is not a
   * leaf is replaced by a fresh leaf alias first, so that the backward pass stays inside the
   * recomputed graph; with {@code create} the gradients are recorded as functions of the
   * (leaf) inputs, the gradients and the params.
   */
  private static Tensor[] recomputeVjp(
      TensorsFn fn, int n, Tensor[] params, Tensor[] args, boolean create) {
    Tensor[] xs = new Tensor[n];
    for (int i = 0; i < n; i++) {
      Tensor a = args[i];
      xs[i] = a.requiresGrad() && !a.isLeaf() ? a.detach().requiresGrad(true) : a;
    }
    Tensor[] outs;
    try (GradMode.Scope s = GradMode.enableGrad()) {
      outs = fn.apply(xs.clone());
    }
    int m = args.length - n;
    if (outs == null || outs.length != m) {
      throw new IllegalStateException(
          "checkpoint: the recomputation of fn returned "
              + (outs == null ? "null" : outs.length + " outputs") + " where the forward returned "
              + m);
    }
    Tensor[] edges = concat(xs, params);
    checkCaptured(outs, edges);
    List<Tensor> roots = new ArrayList<>();
    List<Tensor> rootGrads = new ArrayList<>();
    for (int j = 0; j < m; j++) {
      Tensor g = args[n + j];
      if (outs[j] == null || !Arrays.equals(outs[j].shape(), g.shape())) {
        throw new IllegalStateException(
            "checkpoint: the recomputation of fn gave output " + j + " of shape "
                + (outs[j] == null ? "null" : Shapes.str(outs[j].shape()))
                + ", not the forward's " + Shapes.str(g.shape()) + "; is fn deterministic?");
      }
      if (outs[j].requiresGrad()) {
        roots.add(outs[j]);
        rootGrads.add(g);
      }
    }
    int[] wanted = wantedEdges(edges);
    Tensor[] result = new Tensor[edges.length];
    if (wanted.length == 0) {
      return result;
    }
    Tensor[] wantedTensors = new Tensor[wanted.length];
    for (int k = 0; k < wanted.length; k++) {
      wantedTensors[k] = edges[wanted[k]];
    }
    Tensor[] grads;
    if (roots.isEmpty()) {
      grads = new Tensor[wanted.length];
      for (int k = 0; k < wanted.length; k++) {
        grads[k] = Tensor.zeros(wantedTensors[k].dtype(), wantedTensors[k].shape());
      }
    } else {
      grads = Engine.grad(roots.toArray(new Tensor[0]), wantedTensors,
          rootGrads.toArray(new Tensor[0]), create, create);
    }
    // A leaf given twice (as two inputs, or as an input and a param) gets its whole gradient
    // from Engine.grad at each place; the node would then pass it twice, so the later ones get 0.
    Map<Tensor, Boolean> given = new IdentityHashMap<>();
    for (int k = 0; k < wanted.length; k++) {
      boolean first = given.put(wantedTensors[k], Boolean.TRUE) == null;
      result[wanted[k]] = first ? grads[k] : wantedTensors[k].zerosLike();
    }
    return result;
  }

  /**
   * Fails when the recomputed graph reaches a leaf that requires grad but is neither an input
   * nor a param: {@code fn} captured it, and without this check it would get no gradient.
   */
  private static void checkCaptured(Tensor[] outs, Tensor[] edges) {
    Map<Object, Boolean> known = new IdentityHashMap<>();
    for (Tensor e : edges) {
      known.put(e, Boolean.TRUE);
    }
    Map<Node, Boolean> seen = new IdentityHashMap<>();
    List<Node> stack = new ArrayList<>();
    for (Tensor o : outs) {
      Node n = o.gradFn();
      if (n != null && seen.put(n, Boolean.TRUE) == null) {
        stack.add(n);
      }
    }
    while (!stack.isEmpty()) {
      Node n = stack.remove(stack.size() - 1);
      for (Tensor in : n.inputs()) {
        if (!in.requiresGrad() || known.containsKey(in)) {
          continue;
        }
        Node child = in.gradFn();
        if (child == null) {
          throw new AutogradException(
              "checkpoint: fn reads a tensor of shape " + Shapes.str(in.shape())
                  + " that requires grad but is neither an input nor a param (op '" + n.name()
                  + "' uses it); pass it in params, e.g. module.parameters(), so that it gets its"
                  + " gradient");
        }
        if (seen.put(child, Boolean.TRUE) == null) {
          stack.add(child);
        }
      }
    }
  }

  private static int[] wantedEdges(Tensor[] edges) {
    int count = 0;
    for (Tensor e : edges) {
      if (e.requiresGrad()) {
        count++;
      }
    }
    int[] wanted = new int[count];
    for (int i = 0, k = 0; i < edges.length; i++) {
      if (edges[i].requiresGrad()) {
        wanted[k++] = i;
      }
    }
    return wanted;
  }

  private static boolean anyRequiresGrad(Tensor[] ts) {
    for (Tensor t : ts) {
      if (t.requiresGrad()) {
        return true;
      }
    }
    return false;
  }

  private static Tensor[] concat(Tensor[] a, Tensor[] b) {
    Tensor[] c = new Tensor[a.length + b.length];
    System.arraycopy(a, 0, c, 0, a.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  private static Tensor[] sliceOf(Tensor[] a, int from, int to) {
    Tensor[] c = new Tensor[to - from];
    System.arraycopy(a, from, c, 0, to - from);
    return c;
  }
}
