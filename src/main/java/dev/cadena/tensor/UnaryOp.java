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
  SIGN,
  /** {@code ln(1 + x)}, accurate near 0 ({@link Math#log1p}). */
  LOG1P,
  /** {@code e^x - 1}, accurate near 0 ({@link Math#expm1}). */
  EXPM1,
  /** The error function {@code 2/sqrt(pi) int_0^x e^(-t^2) dt} (Cody's rational approximations). */
  ERF,
  /** The complementary error function {@code 1 - erf(x)}, accurate in its tail. */
  ERFC
}
