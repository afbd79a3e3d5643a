package dev.cadena.ops;

/**
 * Every primitive op: the only ops with a vector-Jacobian product of their own. Everything else
 * ({@code sub}, {@code neg}, {@code mean}, {@code softmax}, layers, losses) is a composition of
 * these. Each constant names the op (as it appears in {@code grad_fn}), its forward and its VJP,
 * in the vocabulary of the op reference: {@code grad} is the upstream gradient, {@code out} the
 * forward result, {@code a}, {@code b}, {@code x} the inputs.
 *
 * <p>Tests enumerate this type: each primitive must have gradient-check samples and an entry in
 * {@code docs/ops.md}.
 */
public enum Primitive {
  ADD("add", "a + b", "da = grad; db = grad"),
  MUL("mul", "a * b", "da = grad * b; db = grad * a"),
  /** A primitive rather than {@code a * b^-1} for precision and speed. */
  DIV("div", "a / b", "da = grad / b; db = -grad * a / b^2"),
  POW("pow", "a ^ b", "da = grad * b * a^(b-1); db = grad * out * log(a)"),
  EXP("exp", "e^x", "dx = grad * out"),
  LOG("log", "ln x", "dx = grad / x"),
  /** A primitive rather than {@code pow(x, 0.5)} for speed and exactness. */
  SQRT("sqrt", "sqrt(x)", "dx = grad / (2 * out)"),
  ABS("abs", "|x|", "dx = grad * sign(x)"),
  SIN("sin", "sin x", "dx = grad * cos x"),
  COS("cos", "cos x", "dx = -grad * sin x"),
  /** A primitive for numerical stability (no overflow of e^2x) and to reuse {@code out}. */
  TANH("tanh", "tanh x", "dx = grad * (1 - out^2)"),
  /** A primitive for numerical stability (no overflow of e^-x) and to reuse {@code out}. */
  SIGMOID("sigmoid", "1 / (1 + e^-x)", "dx = grad * out * (1 - out)"),
  /** A primitive for speed; its derivative at 0 is taken as 0, as in PyTorch. */
  RELU("relu", "max(x, 0)", "dx = grad * (x > 0)"),
  MAXIMUM("maximum", "max(a, b)", "da = grad * ((a > b) + (a == b) / 2); db = grad * ((b > a) + (a == b) / 2)"),
  WHERE("where", "cond ? a : b", "da = where(cond, grad, 0); db = where(cond, 0, grad); cond gets none"),
  CAST("to", "x converted to another dtype", "dx = grad converted back to x's dtype"),
  SUM("sum", "sum of x over axes", "dx = grad (with reduced axes restored as size 1) expanded to x's shape"),
  /** Gradient split evenly among tied maxima, as PyTorch's amax. */
  MAX("max", "max of x over axes", "dx = grad * (x == out) / count(x == out), broadcast over the reduced axes"),
  MATMUL("matmul", "a @ b (batched, broadcast batch dims)", "da = grad @ b^T; db = a^T @ grad"),
  RESHAPE("reshape", "x with a new shape", "dx = grad reshaped to x's shape"),
  PERMUTE("permute", "x with axes reordered by p", "dx = grad permuted by the inverse of p"),
  EXPAND("expand", "x broadcast to a larger shape", "dx = grad (the engine sums it back to x's shape)"),
  SLICE("slice", "x[start:end:step] along an axis", "dx = zeros like x with grad scattered into the slice"),
  SLICE_SCATTER("sliceScatter", "x with its slice replaced by src", "dx = grad with the slice zeroed; dsrc = grad[slice]"),
  CONCAT("concat", "inputs joined along an axis", "dx_i = the part of grad that came from x_i"),
  INDEX_SELECT("indexSelect", "entries idx of x along an axis", "dx = zeros like x, indexAdd(grad) at idx"),
  INDEX_ADD("indexAdd", "x with src added at entries idx along an axis", "dx = grad; dsrc = grad.indexSelect(idx)"),
  GATHER("gather", "out[i][j] = x[idx[i][j]][j] (along an axis)", "dx = zeros like x, scatterAdd(grad) at idx"),
  SCATTER_ADD("scatterAdd", "x with src[i][j] added at [idx[i][j]][j]", "dx = grad; dsrc = grad.gather(idx)");

  private final String opName;
  private final String forward;
  private final String vjp;

  Primitive(String opName, String forward, String vjp) {
    this.opName = opName;
    this.forward = forward;
    this.vjp = vjp;
  }

  /** The op's name as it appears in {@code grad_fn} and error messages. */
  public String opName() {
    return opName;
  }

  /** The forward formula. */
  public String forward() {
    return forward;
  }

  /** The vector-Jacobian product, one formula per input. */
  public String vjp() {
    return vjp;
  }
}
