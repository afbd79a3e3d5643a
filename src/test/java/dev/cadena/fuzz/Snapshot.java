package dev.cadena.fuzz;

import dev.cadena.Tensor;
import dev.cadena.data.DataLoader;
import dev.cadena.data.TensorDataset;
import dev.cadena.fuzz.Fixtures.Arg;
import dev.cadena.nn.Module;
import dev.cadena.optim.LRScheduler;
import dev.cadena.optim.Optimizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The versions and (for small tensors) the values of every tensor a call can reach through its
 * receiver and arguments, taken before the call: a call that throws must leave them as they were
 * (no half-applied in-place update, no half-loaded model).
 */
final class Snapshot {
  /** Values are compared for tensors up to this size; larger ones by version only. */
  private static final int MAX_VALUES = 4096;

  private record Entry(String where, Tensor tensor, int version, double[] values) {}

  private final List<Entry> entries;

  private Snapshot(List<Entry> entries) {
    this.entries = entries;
  }

  static Snapshot of(Arg receiver, Arg[] args) {
    Map<Tensor, String> found = new IdentityHashMap<>();
    if (receiver != null) {
      collect(receiver.value(), "the receiver", found, 3);
    }
    for (int i = 0; i < args.length; i++) {
      collect(args[i].value(), "argument " + i, found, 3);
    }
    List<Entry> entries = new ArrayList<>();
    for (Map.Entry<Tensor, String> e : found.entrySet()) {
      Tensor t = e.getKey();
      try {
        double[] values = t.numel() <= MAX_VALUES ? t.toDoubleArray() : null;
        entries.add(new Entry(e.getValue(), t, t.version(), values));
      } catch (RuntimeException ex) {
        // A tensor the public API cannot read is not snapshotted (and the call will show why).
      }
    }
    return new Snapshot(entries);
  }

  /** The tensors that changed since the snapshot, described; empty when none did. */
  List<String> changes() {
    List<String> out = new ArrayList<>();
    for (Entry e : entries) {
      try {
        int v = e.tensor().version();
        if (v != e.version()) {
          out.add(e.where() + " " + Arrays.toString(e.tensor().shape()) + ": version "
              + e.version() + " -> " + v);
        } else if (e.values() != null && !Arrays.equals(e.values(), e.tensor().toDoubleArray())) {
          out.add(e.where() + " " + Arrays.toString(e.tensor().shape()) + ": values changed");
        }
      } catch (RuntimeException ex) {
        out.add(e.where() + ": unreadable after the call (" + ex.getClass().getSimpleName() + ")");
      }
    }
    return out;
  }

  private static void collect(Object o, String where, Map<Tensor, String> found, int depth) {
    if (o == null || depth < 0) {
      return;
    }
    try {
      if (o instanceof Tensor t) {
        found.putIfAbsent(t, where);
      } else if (o instanceof Module m) {
        for (Map.Entry<String, Tensor> e : m.stateDict().entrySet()) {
          collect(e.getValue(), where + " (" + e.getKey() + ")", found, depth - 1);
        }
      } else if (o instanceof Optimizer opt) {
        collect(opt.parameters(), where + " (parameters)", found, depth - 1);
      } else if (o instanceof LRScheduler s) {
        collect(s.optimizer(), where, found, depth - 1);
      } else if (o instanceof TensorDataset d) {
        collect(d.features(), where + " (features)", found, depth - 1);
        collect(d.targets(), where + " (targets)", found, depth - 1);
      } else if (o instanceof DataLoader l) {
        collect(l.dataset(), where, found, depth - 1);
      } else if (o instanceof TensorDataset.Batch b) {
        collect(b.x(), where + " (x)", found, depth - 1);
        collect(b.y(), where + " (y)", found, depth - 1);
      } else if (o instanceof Collection<?> c) {
        int i = 0;
        for (Object e : c) {
          collect(e, where + "[" + i++ + "]", found, depth - 1);
        }
      } else if (o instanceof Map<?, ?> m) {
        for (Map.Entry<?, ?> e : m.entrySet()) {
          collect(e.getValue(), where + "[" + e.getKey() + "]", found, depth - 1);
        }
      } else if (o instanceof Object[] a) {
        for (int i = 0; i < a.length; i++) {
          collect(a[i], where + "[" + i + "]", found, depth - 1);
        }
      }
    } catch (RuntimeException | StackOverflowError e) {
      // An object the public API cannot walk (a module that contains itself) is not snapshotted.
    }
  }
}
