package dev.cadena.diagnostics;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The state of every layer at one recorded step, and the flags raised there; an immutable
 * snapshot made by {@link GradientMonitor#report()}. {@link #toTable()} prints it:
 *
 * <pre>
 * step 3
 * layer  params  grad norm  param norm  update norm  update/param  flag
 * 0          20  2.113e-13   4.472e-02    2.113e-14     4.725e-13  VANISHING
 * 1          20  7.958e-02   4.472e-02    7.958e-03     1.779e-01
 *
 * step 3, layer '0': VANISHING: grad norm 2.113e-13 &lt; 1e-08
 * </pre>
 */
public final class Report {
  private final long step;
  private final List<LayerStats> layers;
  private final List<Flag> flags;

  Report(long step, List<LayerStats> layers, List<Flag> flags) {
    this.step = step;
    this.layers = Collections.unmodifiableList(new ArrayList<>(layers));
    this.flags = Collections.unmodifiableList(new ArrayList<>(flags));
  }

  /** The step this report describes. */
  public long step() {
    return step;
  }

  /** One entry per layer, in the order the layers first appear among the parameters. */
  public List<LayerStats> layers() {
    return layers;
  }

  /**
   * The entry for {@code layer}.
   *
   * @throws IllegalArgumentException for an unknown layer, listing the known ones
   */
  public LayerStats layer(String layer) {
    checkNotNull(layer, "Report.layer: layer is null");
    for (LayerStats s : layers) {
      if (s.layer().equals(layer)) {
        return s;
      }
    }
    List<String> names = new ArrayList<>();
    for (LayerStats s : layers) {
      names.add(s.layer());
    }
    throw new IllegalArgumentException("Report: no layer '" + layer + "' (layers: " + names + ")");
  }

  /** Every flag raised at this step. */
  public List<Flag> flags() {
    return flags;
  }

  /** The flags of one kind. */
  public List<Flag> flags(Flag.Kind kind) {
    checkNotNull(kind, "Report.flags: kind is null");
    List<Flag> out = new ArrayList<>();
    for (Flag f : flags) {
      if (f.kind() == kind) {
        out.add(f);
      }
    }
    return out;
  }

  /** The flags raised for {@code layer}. */
  public List<Flag> flagsFor(String layer) {
    checkNotNull(layer, "Report.flagsFor: layer is null");
    List<Flag> out = new ArrayList<>();
    for (Flag f : flags) {
      if (f.layer().equals(layer)) {
        out.add(f);
      }
    }
    return out;
  }

  /** True when some layer is flagged VANISHING. */
  public boolean hasVanishing() {
    return !flags(Flag.Kind.VANISHING).isEmpty();
  }

  /** True when some layer is flagged EXPLODING. */
  public boolean hasExploding() {
    return !flags(Flag.Kind.EXPLODING).isEmpty();
  }

  /** A per-layer table (see the class doc), then one line per flag with its reason. */
  public String toTable() {
    String[] header = {"layer", "params", "grad norm", "param norm", "update norm", "update/param", "flag"};
    List<String[]> rows = new ArrayList<>();
    rows.add(header);
    for (LayerStats s : layers) {
      List<String> kinds = new ArrayList<>();
      for (Flag f : flagsFor(s.layer())) {
        kinds.add(f.kind().toString());
      }
      rows.add(new String[] {
          s.layer(), Long.toString(s.parameterCount()), num(s.gradNorm()), num(s.paramNorm()),
          num(s.updateNorm()), num(s.updateRatio()), String.join(",", kinds)});
    }
    int[] width = new int[header.length];
    for (String[] r : rows) {
      for (int c = 0; c < r.length; c++) {
        width[c] = Math.max(width[c], r[c].length());
      }
    }
    StringBuilder sb = new StringBuilder("step ").append(step).append('\n');
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < r.length; c++) {
        if (c > 0) {
          line.append("  ");
        }
        // Names and flags read left to right; numbers line up on the right.
        boolean left = c == 0 || c == r.length - 1;
        String pad = " ".repeat(width[c] - r[c].length());
        line.append(left ? r[c] + pad : pad + r[c]);
      }
      sb.append(line.toString().stripTrailing()).append('\n');
    }
    if (!flags.isEmpty()) {
      sb.append('\n');
      for (Flag f : flags) {
        sb.append(f).append('\n');
      }
    }
    return sb.toString();
  }

  private static String num(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3e", v);
  }

  @Override
  public String toString() {
    return toTable();
  }
}
