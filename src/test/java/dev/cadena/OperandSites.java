package dev.cadena;

import dev.cadena.nn.Module;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes the operands of {@link AnomalyOperandsCoverageTest}'s cases and remembers, for each, the
 * line of the test that asked for it, read from a fresh stack trace (not from anomaly mode's own
 * walker). Its name does not end in {@code Test}, so anomaly mode does not count its frames as
 * the user's: the creation site it records for a tensor made here is the test's line too.
 */
final class OperandSites {
  /** An operand: the tensor and what the message should say of it after its name. */
  record Made(Tensor tensor, String description) {}

  private static final String TEST = AnomalyOperandsCoverageTest.class.getName();

  final List<Made> made = new ArrayList<>();

  /** {@code AnomalyOperandsCoverageTest.java:<line>} of the test frame that called this class. */
  static String testSite() {
    for (StackTraceElement e : new Throwable().getStackTrace()) {
      String c = e.getClassName();
      if (c.equals(TEST) || c.startsWith(TEST + "$")) {
        return e.getFileName() + ":" + e.getLineNumber();
      }
    }
    throw new AssertionError("not called from " + TEST);
  }

  private static String shape(Tensor t) {
    return java.util.Arrays.toString(t.shape());
  }

  private Tensor leaf(Tensor t) {
    made.add(new Made(t, shape(t) + " leaf created at " + testSite()));
    return t;
  }

  /** A float64 leaf of zeros. */
  Tensor zeros(int... shape) {
    return leaf(Tensor.zeros(shape));
  }

  /** An int64 leaf of shape {@code [values.length]}. */
  Tensor longs(long... values) {
    return leaf(Tensor.ofLongs(values));
  }

  /** A tensor that {@code op} made without a graph (a view of a constant). */
  Tensor madeBy(String op, Tensor t) {
    made.add(new Made(t, shape(t) + " made by " + op + " at " + testSite()));
    return t;
  }

  /** Records the named parameters of a module made on the caller's line, in the order given. */
  <M extends Module> M module(M m, String... parameters) {
    for (String p : parameters) {
      Tensor t = m.namedParameters().get(p);
      if (t == null) {
        throw new AssertionError(m.getClass().getSimpleName() + " has no parameter " + p);
      }
      made.add(new Made(t, shape(t) + " leaf created at " + testSite()));
    }
    return m;
  }
}
