package dev.cadena.tensor;

import java.util.Locale;

/**
 * Elementwise functions of two broadcast arguments, computed by {@link NDArray#binary}.
 * Comparisons give {@code 1} for true and {@code 0} for false in the operands' dtype.
 */
public enum BinaryOp {
  /** {@code a + b}. */
  ADD,
  /** {@code a - b}. */
  SUB,
  /** {@code a * b}. */
  MUL,
  /** {@code a / b}. */
  DIV,
  /** {@code a^b}. */
  POW,
  /** the larger of {@code a}, {@code b} (NaN if either is NaN). */
  MAX,
  /** the smaller of {@code a}, {@code b} (NaN if either is NaN). */
  MIN,
  /** {@code a == b}. */
  EQ,
  /** {@code a != b}. */
  NE,
  /** {@code a < b}. */
  LT,
  /** {@code a <= b}. */
  LE,
  /** {@code a > b}. */
  GT,
  /** {@code a >= b}. */
  GE;

  private final String opName = name().toLowerCase(Locale.ROOT);

  /** The lower-case name used in error messages, e.g. {@code "add"}. */
  public String opName() {
    return opName;
  }

  /** True for the six comparisons. */
  public boolean isComparison() {
    return ordinal() >= EQ.ordinal();
  }
}
