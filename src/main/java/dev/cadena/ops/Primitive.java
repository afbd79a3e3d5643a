package dev.cadena.ops;

/**
 * Every primitive op: the only ops with a vector-Jacobian product of their own. Everything else
 * ({@code sub}, {@code neg}, {@code mean}, {@code softmax}, layers, losses) is a composition of
 * these. Each constant is one line of the derivative table: the op's name (as it appears in
 * {@code grad_fn}), its forward, its VJP and remarks, in the vocabulary of the op reference:
 * {@code grad} is the upstream gradient, {@code out} the forward result, {@code a}, {@code b},
 * {@code x} the inputs; the JVP gives the output's tangent {@code t} from the inputs' tangents
 * {@code ta}, {@code tb}, {@code tx}. The formulas state what the code computes, in the order it computes it
 * (e.g. {@code div}'s {@code db = -grad * out / b}, not the textbook {@code -grad * a / b^2}).
 *
 * <p>This enum is the single source of that table: the primitives table of {@code docs/ops.md}
 * is generated from it ({@code DocsReferenceTest} fails on any difference and says how to
 * regenerate it), and the ops' Javadoc links to the constant instead of repeating the formula.
 * Tests enumerate this type: each primitive must have gradient-check samples whose graph records
 * it.
 */
public enum Primitive {
  ADD("add", "a + b", "da = grad; db = grad", "t = ta + tb",
      "broadcasting; float32 op float64 promotes to float64; with a Java scalar `b` (`x.add(1.0)`,"
          + " `x.sub(1.0)`) the node has `a` as its only input and no 0-d tensor is made"),
  MUL("mul", "a * b", "da = grad * b; db = grad * a", "t = ta * b + a * tb",
      "with a Java scalar `b` (`x.mul(0.5)`) the node has `a` as its only input and holds `b`"),
  /** A primitive rather than {@code a * b^-1} for precision. */
  DIV("div", "a / b", "da = grad / b; db = -grad * out / b", "t = (ta - tb * out) / b",
      "a primitive rather than `a * b^-1` for precision; `-grad * out / b` equals"
          + " `-grad * a / b^2` without squaring `b`; a Java scalar `b` is held by the node, as"
          + " for `mul`"),
  POW("pow", "a ^ b",
      "da = where(b == 0, 0, grad * (b * a^(b-1))); db = grad * where(a == 0 & b >= 0, 0, a^b * log(a))",
      "t = where(b == 0, 0, ta * (b * a^(b-1))) + tb * where(a == 0 & b >= 0, 0, a^b * log(a))",
      "tensor or constant exponent (a Java scalar becomes a 0-d tensor of `a`'s dtype); the masks"
          + " are PyTorch's: `da` is 0 for `b = 0` (also at `a = 0`), `db` is 0 at `a = 0` for"
          + " `b >= 0` and NaN for `a < 0`; the masked-out branches are evaluated at base 1, so"
          + " second derivatives there are 0, not NaN; values follow C99's `pow` (`1^nan = 1`,"
          + " `(-1)^inf = 1`)"),
  EXP("exp", "e^x", "dx = grad * out", "t = tx * out", "reuses the forward result"),
  LOG("log", "ln x", "dx = grad / x", "t = tx / x", ""),
  /** A primitive rather than {@code pow(x, 0.5)} for speed and exactness. */
  SQRT("sqrt", "sqrt(x)", "dx = grad / (2 * out)", "t = tx / (2 * out)",
      "a primitive rather than `pow(x, 0.5)` for speed and exactness"),
  ABS("abs", "abs(x)", "dx = grad * sign(x)", "t = tx * sign(x)", "derivative 0 at 0"),
  SIN("sin", "sin x", "dx = grad * cos x", "t = tx * cos x", ""),
  COS("cos", "cos x", "dx = -grad * sin x", "t = -tx * sin x", ""),
  /** A primitive for numerical stability (no overflow of e^2x) and to reuse {@code out}. */
  TANH("tanh", "tanh x", "dx = grad * (1 - out^2)", "t = tx * (1 - out^2)",
      "primitive for stability (no overflow of `e^2x`) and to reuse `out`; without `createGraph`"
          + " the VJP is one fused pass"),
  /** A primitive for numerical stability (no overflow of e^-x) and to reuse {@code out}. */
  SIGMOID("sigmoid", "1 / (1 + e^-x)", "dx = grad * (out * (1 - out))", "t = tx * (out * (1 - out))",
      "primitive for stability (computed without overflow for large `abs(x)`) and to reuse `out`;"
          + " without `createGraph` the VJP is one fused pass"),
  /** A primitive for speed; its derivative at 0 is taken as 0, as in PyTorch. */
  RELU("relu", "max(x, 0)", "dx = where(out > 0, grad, 0)", "t = where(out > 0, tx, 0)",
      "primitive for speed; derivative 0 at 0, as in PyTorch; without `createGraph` the VJP is"
          + " one fused pass"),
  /** A primitive for accuracy: {@code log(1 + x)} loses every digit of a tiny {@code x}. */
  LOG1P("log1p", "ln(1 + x)", "dx = grad / (1 + x)", "t = tx / (1 + x)",
      "primitive for accuracy near 0 (`Math.log1p`): `log1p(1e-10)` is `1e-10 - 5e-21`, where"
          + " `log(1 + x)` gives `1.00000008e-10`"),
  /** A primitive for accuracy: {@code exp(x) - 1} loses every digit of a tiny result. */
  EXPM1("expm1", "e^x - 1", "dx = grad * (out + 1)", "t = tx * (out + 1)",
      "primitive for accuracy near 0 (`Math.expm1`); reuses the forward result"),
  /** A primitive for accuracy (a composition of polynomial pieces would be slow and inexact). */
  ERF("erf", "2/sqrt(pi) * int_0^x e^(-s^2) ds", "dx = grad * (2/sqrt(pi) * e^(-x^2))",
      "t = tx * (2/sqrt(pi) * e^(-x^2))",
      "primitive for accuracy and speed: W. J. Cody's rational Chebyshev approximations, within"
          + " 1e-15 (relative) of the true value; float32 computes in float64 and rounds once"),
  /** A primitive for accuracy: {@code 1 - erf(x)} is 0 beyond {@code x = 6} in float64. */
  ERFC("erfc", "1 - erf(x)", "dx = -grad * (2/sqrt(pi) * e^(-x^2))",
      "t = -tx * (2/sqrt(pi) * e^(-x^2))",
      "primitive for accuracy in the tail: `erfc(10) = 2.09e-45`, where `1 - erf(10)` is 0;"
          + " Cody's approximations, as `erf`; `gelu` uses it"),
  MAXIMUM("maximum", "max(a, b)",
      "g = where(a == b, grad / 2, grad); da = where(a < b, 0, g); db = where(b < a, 0, g)", "w = where(a == b, 1/2, 1); t = ta * where(a < b, 0, w) + tb * where(b < a, 0, w)",
      "elementwise; NaN if either is NaN; ties split the gradient evenly, and where either is"
          + " NaN both get `grad` (neither is smaller), as in PyTorch"),
  WHERE("where", "cond != 0 ? a : b", "da = where(cond, grad, 0); db = where(cond, 0, grad)", "t = where(cond, ta, tb)",
      "`cond` is a mask and gets no gradient; all three broadcast"),
  CAST("to", "x.to(dtype)", "dx = grad.to(x.dtype)", "t = tx.to(dtype)",
      "between float32 and float64; conversions to or from int64 are not differentiable and"
          + " record nothing"),
  SUM("sum", "sum(x, axes)", "dx = grad.reshape(kept).expand(x.shape)", "t = sum(tx, axes)",
      "`kept` is `x.shape` with the reduced axes as size 1; an empty axis list means all axes"),
  /**
   * A primitive for numerical stability, PyTorch's binary cross-entropy: its gradient in {@code p}
   * stays finite where {@code p} is exactly 0 or 1 (a saturated float32 sigmoid).
   */
  BINARY_CROSS_ENTROPY("binaryCrossEntropy",
      "-(y * max(log p, -100) + (1 - y) * max(log(1 - p), -100))",
      "dp = grad * (p - y) / max(p * (1 - p), 1e-12); dy = -grad * log(p / (1 - p))", "t = tp * (p - y) / max(p * (1 - p), 1e-12) - ty * log(p / (1 - p))",
      "elementwise, `p` probabilities in [0, 1], `y` targets, same shape (`nn.Loss` checks both"
          + " and reduces); PyTorch's clamp of each log at -100 and its floor `1e-12` (a float"
          + " constant, also for float64) of the denominator, so `dp` is finite for every `p`;"
          + " `dy` is infinite at `p = 0` or `1`, as in PyTorch"),
  /**
   * A primitive for numerical stability: its VJP is PyTorch's {@code 2 (x - mean) / (N - c)},
   * without the mean's own gradient, which is zero in exact arithmetic but NaN for infinite
   * inputs and inexact after cancellation.
   */
  VAR("var", "sum((x - mean(x, axes))^2, axes) / (N - c)",
      "dx = grad.reshape(kept) * (2 / (N - c)) * (x - mean(x, axes, kept))", "t = sum(tx * (x - mean(x, axes, kept)), axes) * (2 / (N - c))",
      "`N` the number of reduced elements, `c` the correction (1 unbiased, 0 population); float32"
          + " is computed in float64 and rounded once; `mean` in the VJP is recorded with"
          + " `createGraph`, so second derivatives are exact; `std` is a composition on it"),
  /** A fused primitive, for speed and stability: softmax cross-entropy in one pass per row. */
  CROSS_ENTROPY("crossEntropy", "logsumexp(x[i]) - x[i][y[i]] per row i",
      "dx = (softmax(x, 1) - onehot(y)) * grad.unsqueeze(1)", "t = sum((softmax(x, 1) - onehot(y)) * tx, 1)",
      "`x` is `[N, C]` logits, `y` int64 labels `[N]` (no gradient), the result `[N]` (the loss"
          + " reduces it); the logsumexp is shifted by the row's maximum, also an infinite one (a"
          + " row holding `+inf`, or only `-inf`, gives NaN, as in PyTorch); float32 rows are"
          + " summed in float64"),
  /**
   * A fused primitive, for speed: batch normalisation with the batch's statistics in three passes
   * forward and two backward, where the composition makes about ten.
   */
  BATCH_NORM("batchNorm", "xhat * w + b, xhat = (x - mean(x, axes)) * rstd, rstd = 1 / sqrt(var(x, axes) + eps)",
      "gw = grad * w; dx = rstd * (gw - mean(gw, axes) - xhat * mean(gw * xhat, axes)); dw = sum(grad * xhat, axes); db = sum(grad, axes)",
      "tc = tx - mean(tx, axes); t = rstd * (tc - xhat * mean(xhat * tc, axes)) * w + xhat * tw + tb",
      "training mode of `nn.BatchNorm1d`/`BatchNorm2d`: `x` is `[N, C]` or `[N, C, L]` (a"
          + " `BatchNorm2d` flattens `H, W`), `axes` all but channel axis 1, `var` the biased"
          + " variance, `w` and `b` `[C]` or absent (1 and 0); the gradient flows through the"
          + " statistics; fused for speed (channels split across threads, statistics in"
          + " float64); with `createGraph` the VJP is the same formula in differentiable ops;"
          + " under `vmap`, with mixed dtypes or an empty `x`, the composition of `mean`, `var`,"
          + " `mul` and `add`"),
  /** Gradient split evenly among tied maxima, as PyTorch's amax. */
  MAX("max", "max(x, axes)", "dx = grad.reshape(kept) * m / sum(m, axes), m = (x == out) | (isnan(x) & isnan(out))", "t = sum(tx * m / sum(m, axes), axes), m as for the VJP",
      "`Tensor.amax` and `max()` (`amin`, `min()` on `neg`); `kept` as for `sum`, `out` and the"
          + " count also with the reduced axes kept; tied maxima share the gradient, as PyTorch's"
          + " `amax` (`max(dim)` with indices is a composition on `gather` instead); NaN counts as equal to a NaN maximum (PyTorch's"
          + " `max()`: the NaNs share the gradient); error on an empty dimension"),
  MATMUL("matmul", "a @ b", "da = grad @ b.mT; db = a.mT @ grad", "t = ta @ b + a @ tb",
      "on the last two axes, rank >= 2, batch axes broadcast (the engine sums them back; a 2-d"
          + " operand against a batched one, a convolution's weight, gets the batch's products"
          + " summed directly, without their stack);"
          + " `mT` swaps the last two axes; the vector cases are compositions (see below)"),
  /** A fused primitive, for speed: one output array and one pass for bias and activation. */
  LINEAR("linear", "x @ w + b, then max(., 0) with relu",
      "g = relu ? where(out > 0, grad, 0) : grad; dx = g @ w.mT; dw = x.mT @ g; db = sum(g, rows)", "s = tx @ w + x @ tw + tb; t = relu ? where(out > 0, s, 0) : s",
      "fused for speed (`nn.Linear`, and a `Linear` followed by a `ReLU` in a `Sequential`): the"
          + " bias is written into the output and the product accumulates onto it, the ReLU is"
          + " applied in place; `x` is `[..., in]` (leading axes flattened into rows for `dw`"
          + " and `db`), `w` `[in, out]`, `b` `[out]` or absent; without `createGraph`, `dw`"
          + " reuses the gradient buffer that `zeroGrad()` released when nothing else holds it"),
  RESHAPE("reshape", "x.reshape(shape)", "dx = grad.reshape(x.shape)", "t = tx.reshape(shape)",
      "one size may be -1; a view when the strides allow (always for a contiguous `x`, and for"
          + " a broadcast `x` split or merged along its broadcast axes), else a copy"),
  PERMUTE("permute", "x.permute(p)", "dx = grad.permute(inverse(p))", "t = tx.permute(p)",
      "result axis `i` is `x`'s axis `p[i]`; a view"),
  EXPAND("expand", "x.expand(shape)", "dx = grad", "t = tx.expand(shape)",
      "`x` broadcast to a larger shape, a view with stride 0 on broadcast axes; the engine sums"
          + " `dx` back to `x.shape`"),
  SLICE("slice", "x[start:end:step]", "dx = sliceScatter(zeros like x, grad)", "t = tx[start:end:step]",
      "along one axis; a view; bounds clamp like Python slices; step > 0"),
  SLICE_SCATTER("sliceScatter", "sliceScatter(x, src)",
      "dx = sliceScatter(grad, zeros like src); dsrc = grad[start:end:step]", "t = sliceScatter(tx, tsrc)",
      "`x` with its slice `start:end:step` along one axis replaced by `src`; the transpose of"
          + " `slice`"),
  CONCAT("concat", "concat([x_1, ..., x_n], axis)",
      "dx_i = grad[offset_i:offset_i + x_i.shape[axis]]", "t = concat([tx_1, ..., tx_n], axis)",
      "joins along an existing axis, and the VJP slices along it; `offset_i` is where `x_i` starts;"
          + " dtypes promote"),
  INDEX_SELECT("indexSelect", "x.indexSelect(axis, idx)", "dx = indexAdd(zeros like x, axis, idx, grad)", "t = tx.indexSelect(axis, idx)",
      "`idx` is 1-d int64; repeated indices accumulate in the VJP; negative indices count from"
          + " the end"),
  INDEX_ADD("indexAdd", "x.indexAdd(axis, idx, src)", "dx = grad; dsrc = grad.indexSelect(axis, idx)", "t = tx.indexAdd(axis, idx, tsrc)",
      "`x` with `src` added at entries `idx` along `axis`; the transpose of `indexSelect`"),
  GATHER("gather", "out[i][j] = x[idx[i][j]][j]", "dx = scatterAdd(zeros like x, axis, idx, grad)", "t = tx.gather(axis, idx)",
      "shown for axis 0, likewise for others; `idx` is int64 with `x`'s rank"),
  SCATTER_ADD("scatterAdd", "x.scatterAdd(axis, idx, src)", "dx = grad; dsrc = grad.gather(axis, idx)", "t = tx.scatterAdd(axis, idx, tsrc)",
      "`x` with `src[i][j]` added at `[idx[i][j]][j]` (axis 0); the transpose of `gather`"),
  // ---- sorting and scans
  /**
   * A primitive for speed: one pass per line, where a composition of slices and adds would take
   * {@code log n} passes and as many nodes; its VJP is again a (reversed) cumsum.
   */
  CUMSUM("cumsum", "out[i] = sum(x[j], j <= i) along axis",
      "dx = flip(cumsum(flip(grad, axis), axis), axis)", "t = cumsum(tx, axis)",
      "primitive for speed (one pass per line); `flip` reverses the axis (an `indexSelect`), so"
          + " the VJP is the reversed cumulative sum `dx[i] = sum(grad[j], j >= i)`; summed in"
          + " float64 also for float32 data"),
  /** A primitive for speed: one copy pass on the primitive arrays (convolution is unfold + matmul). */
  UNFOLD("unfold", "unfold(x, k, d, p, s)", "dx = fold(grad, x.shape[2:], k, d, p, s)", "t = unfold(tx, k, d, p, s)",
      "im2col, PyTorch's `F.unfold`: `x` `[N, C, H, W]` to `[N, C*kH*kW, L]`, one column per window"
          + " position (`L = oH*oW`, `oH = (H + 2pH - dH(kH-1) - 1) / sH + 1`); kernel `k`,"
          + " dilation `d`, padding `p` (zeros), stride `s`, each a (height, width) pair; a"
          + " primitive for speed (the loops write each row contiguously); linear, so its VJP is"
          + " its transpose `fold`"),
  /** A primitive for speed, the transpose of {@link #UNFOLD} (overlapping windows add up). */
  FOLD("fold", "fold(x, (H, W), k, d, p, s)", "dx = unfold(grad, k, d, p, s)", "t = fold(tx, (H, W), k, d, p, s)",
      "col2im, PyTorch's `F.fold`: `[N, C*kH*kW, L]` columns added back into `[N, C, H, W]`"
          + " images (overlaps sum, padding positions are dropped); the transpose of `unfold`,"
          + " whose VJP it is");

  private final String opName;
  private final String forward;
  private final String vjp;
  private final String jvp;
  private final String remarks;

  Primitive(String opName, String forward, String vjp, String jvp, String remarks) {
    this.opName = opName;
    this.forward = forward;
    this.vjp = vjp;
    this.jvp = jvp;
    this.remarks = remarks;
  }

  /** The op's name as it appears in {@code grad_fn} and error messages. */
  public String opName() {
    return opName;
  }

  /** The forward formula, in the notation of {@code docs/ops.md}. */
  public String forward() {
    return forward;
  }

  /** The vector-Jacobian product, one formula per input, as the code computes it. */
  public String vjp() {
    return vjp;
  }

  /**
   * The Jacobian-vector product (forward mode): the output's tangent {@code t} from the inputs'
   * tangents ({@code ta}, {@code tb}, {@code tx}; a missing one counts as zero), as the code
   * computes it, in the same vocabulary as {@link #vjp()}.
   */
  public String jvp() {
    return jvp;
  }

  /**
   * Notes for the op reference (why it is a primitive, edge cases, which inputs get no
   * gradient), in Markdown with code in backticks; empty when there is nothing to add.
   */
  public String remarks() {
    return remarks;
  }
}
