package dev.cadena.tensor;

/** Elementwise functions of one argument, computed by {@link NDArray#unary(UnaryOp)}. */
public enum UnaryOp {
  /** {@code x} (also converts between dtypes when the output has another dtype). */
  COPY,
  /** {@code -x}. */
  NEG,
  /** {@code e^x}. */
  EXP,
  /** natural logarithm. */
  LOG,
  /** square root. */
  SQRT,
  /** {@code |x|}. */
  ABS,
  /** sine. */
  SIN,
  /** cosine. */
  COS,
  /** hyperbolic tangent. */
  TANH,
  /** {@code 1 / (1 + e^-x)}, computed without overflow for large {@code |x|}. */
  SIGMOID,
  /** {@code max(x, 0)}. */
  RELU,
  /** {@code -1, 0 or 1}. */
  SIGN
}
