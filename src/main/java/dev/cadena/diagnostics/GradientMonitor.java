package dev.cadena.diagnostics;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.nn.Module;
import dev.cadena.nn.RNNBase;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Records, per layer and per step, the gradient norm and how far the optimiser step moved the
 * parameters, and flags layers whose gradients vanish or explode (see {@link Thresholds}).
 *
 * <p>Parameters are grouped into layers by their name's prefix: {@code "3.weight"} and {@code
 * "3.bias"} form layer {@code "3"}, {@code "encoder.0.weight"} belongs to {@code "encoder.0"}, and
 * a name without a dot is a layer of its own. For a layer with parameters {@code p} and gradients
 * {@code g} (all of its tensors together, as one vector):
 *
 * <pre>
 *   gradNorm    = ||g||                                   (recordGradients, after backward)
 *   updateRatio = ||p_after - p_before|| / ||p_before||    (recordUpdates, after step)
 * </pre>
 *
 * <p>The update is measured, not predicted from the learning rate, so it is right for every
 * optimiser (momentum, Adam's per-element scaling, weight decay): {@link #recordGradients} keeps
 * a float64 copy of every parameter (allocated once) and {@link #recordUpdates} compares against
 * it.
 *
 * <pre>{@code
 * GradientMonitor monitor = GradientMonitor.of(model);
 * for (int step = 0; step < steps; step++) {
 *   opt.zeroGrad();
 *   lossFn(model.forward(x), y).backward();
 *   monitor.recordGradients(step);
 *   opt.step();
 *   monitor.recordUpdates(step);
 * }
 * System.out.println(monitor.toTable());
 * if (monitor.report().hasVanishing()) { ... }
 * }</pre>
 *
 * <p>Every recorded step is kept (one {@link LayerStats} per layer); {@link #clear()} drops them.
 */
public final class GradientMonitor {
  private final Thresholds thresholds;
  private final List<String> layers;
  private final Tensor[] params;
  private final int[] layerOfParam;
  private final long[] layerSizes;
  private final double[][] before;

  private final List<Long> steps = new ArrayList<>();
  private final List<LayerStats[]> stats = new ArrayList<>();
  private final List<List<Flag>> flags = new ArrayList<>();
  /** Whether recordUpdates has been called for the last recorded step. */
  private boolean updatesRecorded;
  /** Per-time-step gradient norms by training step (recordTimeSteps), in recording order. */
  private final Map<Long, double[]> timeSteps = new LinkedHashMap<>();

  /**
   * Monitors the given parameters, grouped into layers by name, with the default thresholds.
   *
   * @throws NullPointerException for a null map or a null parameter, naming its key
   * @throws IllegalArgumentException for an empty map
   */
  public GradientMonitor(Map<String, Tensor> namedParameters) {
    this(namedParameters, Thresholds.defaults());
  }

  /**
   * Monitors the given parameters, grouped into layers by name.
   *
   * @throws NullPointerException for a null map, a null parameter (naming its key) or null
   *     thresholds
   * @throws IllegalArgumentException for an empty map
   */
  public GradientMonitor(Map<String, Tensor> namedParameters, Thresholds thresholds) {
    checkNotNull(namedParameters, "GradientMonitor: namedParameters is null");
    checkNotNull(thresholds, "GradientMonitor: thresholds is null");
    for (Map.Entry<String, Tensor> e : namedParameters.entrySet()) {
      if (e.getValue() == null) {
        throw new NullPointerException(
            "GradientMonitor: namedParameters['" + e.getKey() + "'] is null");
      }
    }
    if (namedParameters.isEmpty()) {
      throw new IllegalArgumentException(
          "GradientMonitor: no parameters to monitor; pass e.g. model.namedParameters()");
    }
    this.thresholds = thresholds;
    Map<String, Integer> layerIndex = new LinkedHashMap<>();
    int n = namedParameters.size();
    params = new Tensor[n];
    layerOfParam = new int[n];
    before = new double[n][];
    int i = 0;
    for (Map.Entry<String, Tensor> e : namedParameters.entrySet()) {
      params[i] = e.getValue();
      layerOfParam[i] = layerIndex.computeIfAbsent(layerOf(e.getKey()), k -> layerIndex.size());
      i++;
    }
    layers = Collections.unmodifiableList(new ArrayList<>(layerIndex.keySet()));
    layerSizes = new long[layers.size()];
    for (int k = 0; k < n; k++) {
      layerSizes[layerOfParam[k]] += params[k].numel();
    }
  }

  /** Monitors {@code model.namedParameters()} with the default thresholds. */
  public static GradientMonitor of(Module model) {
    checkNotNull(model, "GradientMonitor.of: model is null");
    return new GradientMonitor(model.namedParameters());
  }

  /** Monitors {@code model.namedParameters()} with the given thresholds. */
  public static GradientMonitor of(Module model, Thresholds thresholds) {
    checkNotNull(model, "GradientMonitor.of: model is null");
    checkNotNull(thresholds, "GradientMonitor.of: thresholds is null");
    return new GradientMonitor(model.namedParameters(), thresholds);
  }

  /**
   * The layer a parameter belongs to: its name up to the last dot ({@code "3.weight" -> "3"}), or
   * the whole name when it has no dot.
   */
  public static String layerOf(String parameterName) {
    checkNotNull(parameterName, "GradientMonitor.layerOf: parameterName is null");
    int dot = parameterName.lastIndexOf('.');
    return dot < 0 ? parameterName : parameterName.substring(0, dot);
  }

  /**
   * Records every layer's gradient norm and parameter norm (call after {@code backward()}, before
   * the optimiser step), keeps a copy of the parameters for {@link #recordUpdates}, and raises
   * this step's flags.
   *
   * @throws IllegalArgumentException when {@code step} is not larger than the last recorded step
   */
  public void recordGradients(long step) {
    if (!steps.isEmpty() && step <= steps.get(steps.size() - 1)) {
      throw new IllegalArgumentException(
          "GradientMonitor: steps must increase, got " + step + " after "
              + steps.get(steps.size() - 1));
    }
    int k = layers.size();
    double[] gradSq = new double[k];
    double[] paramSq = new double[k];
    boolean[] hasGrad = new boolean[k];
    for (int i = 0; i < params.length; i++) {
      Tensor p = params[i];
      int layer = layerOfParam[i];
      if (p.borrowGrad() != null) {
        gradSq[layer] += Norms.sumOfSquares(p.borrowGrad().data());
        hasGrad[layer] = true;
      }
      if (before[i] == null) {
        before[i] = new double[p.numel()];
      }
      Norms.copy(p.data(), before[i]);
      paramSq[layer] += Norms.sumOfSquares(p.data());
    }
    LayerStats[] now = new LayerStats[k];
    for (int l = 0; l < k; l++) {
      double gradNorm = hasGrad[l] ? Math.sqrt(gradSq[l]) : Double.NaN;
      now[l] = new LayerStats(layers.get(l), step, layerSizes[l], gradNorm, Math.sqrt(paramSq[l]), Double.NaN);
    }
    LayerStats[] previous = stats.isEmpty() ? null : stats.get(stats.size() - 1);
    steps.add(step);
    stats.add(now);
    flags.add(Collections.unmodifiableList(flag(now, previous, hasGrad)));
    updatesRecorded = false;
  }

  /**
   * Records how far the optimiser step just taken moved each layer, {@code ||p_after -
   * p_before||}, against the copy made by {@link #recordGradients(long)} for the same step.
   *
   * @throws IllegalArgumentException when the last {@code recordGradients} call was not for
   *     {@code step}, or updates for it were already recorded
   */
  public void recordUpdates(long step) {
    if (steps.isEmpty() || steps.get(steps.size() - 1) != step || updatesRecorded) {
      String last = steps.isEmpty() ? "none" : Long.toString(steps.get(steps.size() - 1));
      throw new IllegalArgumentException(
          "GradientMonitor: recordUpdates(" + step + ") must follow recordGradients(" + step
              + ") once (last recorded step: " + last
              + (updatesRecorded ? ", updates already recorded" : "") + ")");
    }
    double[] diffSq = new double[layers.size()];
    for (int i = 0; i < params.length; i++) {
      diffSq[layerOfParam[i]] += Norms.sumOfSquaredDifferences(params[i].data(), before[i]);
    }
    LayerStats[] now = stats.get(stats.size() - 1);
    for (int l = 0; l < now.length; l++) {
      now[l] = now[l].withUpdateNorm(Math.sqrt(diffSq[l]));
    }
    updatesRecorded = true;
  }

  private List<Flag> flag(LayerStats[] now, LayerStats[] previous, boolean[] hasGrad) {
    Thresholds t = thresholds;
    double largest = 0;
    String largestLayer = null;
    for (LayerStats s : now) {
      if (Double.isFinite(s.gradNorm()) && s.gradNorm() > largest) {
        largest = s.gradNorm();
        largestLayer = s.layer();
      }
    }
    List<Flag> out = new ArrayList<>();
    for (int l = 0; l < now.length; l++) {
      LayerStats s = now[l];
      double n = s.gradNorm();
      if (!hasGrad[l]) {
        continue; // no gradient reached this layer: frozen or unused, nothing to judge
      }
      if (!Double.isFinite(n)) {
        out.add(flag(s, Flag.Kind.EXPLODING, "grad norm is " + n));
      } else if (n > t.explodingNorm()) {
        out.add(flag(s, Flag.Kind.EXPLODING, "grad norm " + sci(n) + " > " + sci(t.explodingNorm())));
      } else if (n < t.vanishingNorm()) {
        out.add(flag(s, Flag.Kind.VANISHING, "grad norm " + sci(n) + " < " + sci(t.vanishingNorm())));
      } else if (largest > 0 && n / largest < t.vanishingRelative()) {
        out.add(flag(s, Flag.Kind.VANISHING,
            "grad norm " + sci(n) + " is " + sci(n / largest) + " of the largest (" + sci(largest)
                + ", layer '" + largestLayer + "'), below " + sci(t.vanishingRelative())));
      } else if (grewFast(previous, l, n)) {
        double p = previous[l].gradNorm();
        out.add(flag(s, Flag.Kind.EXPLODING,
            "grad norm grew " + String.format(Locale.ROOT, "%.1f", n / p) + "x since step "
                + previous[l].step() + " (" + sci(p) + " -> " + sci(n) + "), above "
                + String.format(Locale.ROOT, "%.1f", t.explodingGrowth()) + "x"));
      }
    }
    return out;
  }

  /**
   * True when layer {@code l}'s norm grew by more than the growth threshold since the previous
   * step. A layer recovering from a vanished gradient is not exploding, so the previous norm must
   * itself be above the vanishing threshold.
   */
  private boolean grewFast(LayerStats[] previous, int l, double n) {
    if (previous == null) {
      return false;
    }
    double p = previous[l].gradNorm();
    return p > thresholds.vanishingNorm() && n > thresholds.explodingGrowth() * p;
  }

  private static Flag flag(LayerStats s, Flag.Kind kind, String reason) {
    return new Flag(s.layer(), s.step(), kind, reason);
  }

  private static String sci(double v) {
    return String.format(Locale.ROOT, "%.3e", v);
  }

  // ------------------------------------------------------------------ per time step (recurrent)

  /**
   * The gradient norm of each tensor, {@code ||dL/dh_t||} for the per-step hidden states of a
   * recurrent layer: entry {@code t} is the L2 norm of {@code states.get(t).grad()} (over the
   * whole batch), NaN for a state that got no gradient. Plot it against {@code t} to see a
   * gradient vanish (or explode) on its way back through time.
   *
   * <pre>{@code
   * rnn.retainStepGrads(true);               // before forward
   * Tensor out = rnn.forward(x);             // [T, B, H]
   * loss(out.select(0, T - 1)).backward();   // a loss on the last step only
   * double[] norms = GradientMonitor.stepGradNorms(rnn.stepStates());   // norms[t] = ||dL/dh_t||
   * }</pre>
   *
   * <p>The tensors must have had {@code retainGrad()} called before backward (as {@link
   * RNNBase#retainStepGrads(boolean)} does): a non-leaf's gradient is otherwise not kept.
   *
   * @throws NullPointerException for a null list or a null element, naming its index
   */
  public static double[] stepGradNorms(List<Tensor> states) {
    checkNotNull(states, "stepGradNorms: states is null");
    for (int t = 0; t < states.size(); t++) {
      if (states.get(t) == null) {
        throw new NullPointerException("stepGradNorms: states[" + t + "] is null");
      }
    }
    double[] out = new double[states.size()];
    for (int t = 0; t < out.length; t++) {
      Tensor g = states.get(t).borrowGrad();
      out[t] = g == null ? Double.NaN : Math.sqrt(Norms.sumOfSquares(g.data()));
    }
    return out;
  }

  /**
   * {@link #stepGradNorms(List)} of the states a recurrent module kept in its last forward.
   *
   * @throws NullPointerException when {@code rnn} is null
   * @throws IllegalStateException when the module kept no states (call {@code
   *     retainStepGrads(true)} before forward)
   */
  public static double[] stepGradNorms(RNNBase rnn) {
    checkNotNull(rnn, "stepGradNorms: rnn is null");
    if (rnn.stepStates().isEmpty()) {
      throw new IllegalStateException(
          "stepGradNorms: " + rnn.getClass().getSimpleName() + " kept no per-step states; call "
              + "retainStepGrads(true) before forward");
    }
    return stepGradNorms(rnn.stepStates());
  }

  /**
   * Records {@link #stepGradNorms(List)} of {@code states} for training step {@code step} (call
   * after backward); {@link #timeStepNorms(long)} returns them.
   *
   * @throws NullPointerException for a null list or element
   * @throws IllegalArgumentException when {@code step} was already recorded
   */
  public void recordTimeSteps(long step, List<Tensor> states) {
    checkNotNull(states, "recordTimeSteps: states is null");
    if (timeSteps.containsKey(step)) {
      throw new IllegalArgumentException(
          "GradientMonitor: time steps of step " + step + " are already recorded");
    }
    timeSteps.put(step, stepGradNorms(states));
  }

  /**
   * The per-time-step gradient norms recorded for training step {@code step} (a copy).
   *
   * @throws IllegalArgumentException when none were recorded for it
   */
  public double[] timeStepNorms(long step) {
    double[] n = timeSteps.get(step);
    if (n == null) {
      throw new IllegalArgumentException(
          "GradientMonitor: no time steps recorded for step " + step + " (recorded: "
              + timeSteps.keySet() + "); call recordTimeSteps(step, states)");
    }
    return n.clone();
  }

  /** The training steps for which per-time-step norms were recorded, oldest first. */
  public List<Long> timeStepSteps() {
    return List.copyOf(timeSteps.keySet());
  }

  /** The layer names, in the order they first appear among the parameters. */
  public List<String> layers() {
    return layers;
  }

  /** The thresholds this monitor flags with. */
  public Thresholds thresholds() {
    return thresholds;
  }

  /** The recorded steps, oldest first. */
  public List<Long> steps() {
    return Collections.unmodifiableList(new ArrayList<>(steps));
  }

  /**
   * The report for the last recorded step.
   *
   * @throws IllegalStateException when nothing was recorded yet
   */
  public Report report() {
    if (steps.isEmpty()) {
      throw new IllegalStateException("GradientMonitor: nothing recorded yet; call recordGradients(step)");
    }
    return reportAt(steps.size() - 1);
  }

  /**
   * The report for a recorded step.
   *
   * @throws IllegalArgumentException when {@code step} was not recorded
   */
  public Report report(long step) {
    int i = steps.indexOf(step);
    if (i < 0) {
      throw new IllegalArgumentException(
          "GradientMonitor: step " + step + " was not recorded (" + steps.size() + " steps recorded)");
    }
    return reportAt(i);
  }

  private Report reportAt(int i) {
    return new Report(steps.get(i), List.of(stats.get(i)), flags.get(i));
  }

  /**
   * One layer's statistics at every recorded step, oldest first.
   *
   * @throws IllegalArgumentException for an unknown layer, listing the known ones
   */
  public List<LayerStats> history(String layer) {
    checkNotNull(layer, "GradientMonitor.history: layer is null");
    int l = layers.indexOf(layer);
    if (l < 0) {
      throw new IllegalArgumentException(
          "GradientMonitor: no layer '" + layer + "' (layers: " + layers + ")");
    }
    List<LayerStats> out = new ArrayList<>();
    for (LayerStats[] s : stats) {
      out.add(s[l]);
    }
    return out;
  }

  /** Every flag raised so far, oldest first. */
  public List<Flag> flags() {
    List<Flag> out = new ArrayList<>();
    for (List<Flag> f : flags) {
      out.addAll(f);
    }
    return out;
  }

  /** The last recorded step as a table (see {@link Report#toTable()}). */
  public String toTable() {
    return report().toTable();
  }

  /** Forgets all recorded steps (the parameter copies are kept for reuse). */
  public void clear() {
    steps.clear();
    stats.clear();
    flags.clear();
    timeSteps.clear();
    updatesRecorded = false;
  }

  @Override
  public String toString() {
    return "GradientMonitor(layers=" + layers + ", steps=" + steps.size() + ")";
  }
}
