#!/usr/bin/env python3
"""Reference values for NumericsVsTorchTest: PyTorch's results and gradients at edge inputs.

Run with PyTorch 1.13 (Debian's python3-torch) from the repository root:

    /usr/bin/python3 src/test/python/numerics_vs_torch.py > src/test/resources/numerics_vs_torch.txt

Every case is an op that Cadena has under the same name (the test maps each name to a Cadena
call), evaluated in float32 and float64 on edge values: signed zeros, infinities, NaN, float32
denormals (1e-40), float64 denormals (1e-310), huge values, saturated probabilities, empty and
0-d tensors. For each case the file gives the inputs exactly as torch held them, the upstream
gradient, the output (or the error torch raised) and the gradient of every floating input; a
few cases also give second-order gradients.

Output format, one record per case (values are Python reprs, or inf, -inf, nan):

    case NAME DTYPE
    in SHAPE v0 v1 ...         one line per input, in argument order ("long" for int64 labels)
    up SHAPE v0 v1 ...         the upstream gradient (the test backpropagates the same one)
    out SHAPE v0 v1 ...        or:  error MESSAGE
    grad I SHAPE v0 v1 ...     gradient of input I (or: grad I none); or: nograd MESSAGE
    grad2 I SHAPE v0 v1 ...    d(sum of the first-order gradients)/d(input I), when asked for
    ref64 out|grad I SHAPE ... float32 cases only: the same computation in float64 on the same
                               inputs, where float32 rounding or overflow changed the result
    end

SHAPE is like [2,3]; [] is a 0-d tensor.
"""
import math
import sys

import torch
import torch.nn.functional as F

inf = math.inf
nan = math.nan

DTYPES = {"float32": torch.float32, "float64": torch.float64}

# The upstream gradient of every case: this pattern over the output's elements (exact in binary).
UPSTREAM = (1.0, -0.5, 2.0, 0.25)


def fmt(v):
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return repr(float(v))


def line(tag, t):
    shape = "[" + ",".join(str(s) for s in t.shape) + "]"
    vals = t.detach().reshape(-1).tolist()
    return " ".join([tag, shape] + [fmt(v) if isinstance(v, float) else str(v) for v in vals])


def upstream_like(out):
    n = out.numel()
    vals = [UPSTREAM[i % len(UPSTREAM)] for i in range(n)]
    return torch.tensor(vals, dtype=out.dtype).reshape(out.shape)


CASES = []


def case(name, fn, inputs, second=False, dtypes=("float32", "float64")):
    """inputs: list of (values, shape) for float inputs, or ("long", values, shape) for labels."""
    CASES.append((name, fn, inputs, second, dtypes))


def run_case(out_lines, name, fn, inputs, second, dtype_name):
    dt = DTYPES[dtype_name]
    tensors = []
    for spec in inputs:
        if spec[0] == "long":
            tensors.append(torch.tensor(spec[1], dtype=torch.int64).reshape(spec[2]))
        else:
            values, shape = spec
            tensors.append(torch.tensor(values, dtype=dt).reshape(shape).requires_grad_(True))
    out_lines.append(f"case {name} {dtype_name}")
    for t in tensors:
        out_lines.append(line("long" if t.dtype == torch.int64 else "in", t))
    try:
        out = fn(*tensors)
    except (RuntimeError, ValueError, IndexError) as e:
        out_lines.append("error " + str(e).splitlines()[0])
        out_lines.append("end")
        return
    if out.dtype == torch.bool:  # a comparison: Cadena's masks are 0/1 in the operands' dtype
        out = out.to(dt)
    up = upstream_like(out)
    out_lines.append(line("up", up))
    out_lines.append(line("out", out))
    floats = [t for t in tensors if t.dtype != torch.int64]
    if not out.requires_grad:  # a constant (a mask): every gradient is zero
        grads = [torch.zeros_like(t) for t in floats]
    else:
        try:
            grads = torch.autograd.grad(out, floats, grad_outputs=up, allow_unused=True,
                                        create_graph=second)
        except RuntimeError as e:
            out_lines.append("nograd " + str(e).splitlines()[0])
            out_lines.append("end")
            return
    for i, g in enumerate(grads):
        out_lines.append(f"grad {i} none" if g is None else line(f"grad {i}", g))
    if dtype_name == "float32":
        reference64(out_lines, fn, tensors, out, grads, up)
    if second:
        total = sum(g.sum() for g in grads if g is not None)
        if total.requires_grad:
            g2 = torch.autograd.grad(total, floats, allow_unused=True)
        else:  # torch's first-order gradient is a constant (pow(x, 0)'s zeros): its derivative is 0
            g2 = [torch.zeros_like(t) for t in floats]
        for i, g in enumerate(g2):
            out_lines.append(f"grad2 {i} none" if g is None else line(f"grad2 {i}", g))
    out_lines.append("end")


def differs(a32, a64):
    """True when float32 rounding changed a value beyond a few float32 ulps (or its class)."""
    for u, v in zip(a32.detach().reshape(-1).tolist(), a64.detach().reshape(-1).tolist()):
        if math.isnan(u) or math.isnan(v) or math.isinf(u) or math.isinf(v):
            if not (math.isnan(u) and math.isnan(v)) and u != v:
                return True
        elif abs(u - v) > 4e-6 * (1 + abs(v)):
            return True
    return False


def reference64(out_lines, fn, tensors, out32, grads32, up32):
    """For a float32 case, the same computation in float64 on the same (float32) inputs, written
    as "ref64 out ..." and "ref64 grad I ..." lines where it differs from the float32 result:
    the exact value that float32 arithmetic rounded or overflowed."""
    t64 = [t if t.dtype == torch.int64 else t.detach().to(torch.float64).requires_grad_(True)
           for t in tensors]
    out = fn(*t64)
    if out.dtype == torch.bool:
        out = out.to(torch.float64)
    floats = [t for t in t64 if t.dtype != torch.int64]
    try:
        grads = ([torch.zeros_like(t) for t in floats] if not out.requires_grad else
                 torch.autograd.grad(out, floats, grad_outputs=up32.to(torch.float64),
                                     allow_unused=True))
    except RuntimeError:
        grads = [None] * len(floats)
    if differs(out32, out):
        out_lines.append(line("ref64 out", out))
    for i, (g32, g) in enumerate(zip(grads32, grads)):
        if g32 is not None and g is not None and differs(g32, g):
            out_lines.append(line(f"ref64 grad {i}", g))


# ---------------------------------------------------------------- edge values

EDGE = [0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 17.0, inf, -inf, nan, 1e-40, -1e-40, 1e-310, 1e30,
        -1e30, 3e38, 1e300, -1e300]
PAIR = [0.0, -0.0, 1.0, -1.0, 2.5, inf, -inf, nan, 1e-40, 1e30]
PAIR_A = [a for a in PAIR for _ in PAIR]
PAIR_B = [b for _ in PAIR for b in PAIR]


def vec(values):
    return (list(values), [len(values)])


# ---------------------------------------------------------------- unary

UNARY = {
    "exp": torch.exp, "log": torch.log, "sqrt": torch.sqrt, "abs": torch.abs,
    "sin": torch.sin, "cos": torch.cos, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
    "relu": torch.relu, "neg": torch.neg, "square": torch.square,
    "reciprocal": torch.reciprocal,
    "add(2.5)": lambda x: x + 2.5, "sub(2.5)": lambda x: x - 2.5,
    "rsub(1)": lambda x: 1 - x, "mul(2.5)": lambda x: x * 2.5, "mul(0)": lambda x: x * 0.0,
    "div(2.5)": lambda x: x / 2.5, "div(0)": lambda x: x / 0.0,
    "pow(2)": lambda x: x.pow(2.0), "pow(3)": lambda x: x.pow(3.0),
    "pow(0.5)": lambda x: x.pow(0.5), "pow(0)": lambda x: x.pow(0.0),
    "pow(-1)": lambda x: x.pow(-1.0), "pow(-0.5)": lambda x: x.pow(-0.5),
    "pow(1.5)": lambda x: x.pow(1.5), "pow(-2)": lambda x: x.pow(-2.0),
    "maximum(0)": lambda x: torch.maximum(x, torch.zeros((), dtype=x.dtype)),
    "minimum(0)": lambda x: torch.minimum(x, torch.zeros((), dtype=x.dtype)),
    "clamp(-1,1)": lambda x: torch.clamp(x, -1.0, 1.0),
    "clampMin(0)": lambda x: torch.clamp(x, min=0.0),
    "clampMax(0)": lambda x: torch.clamp(x, max=0.0),
    "softplus": F.softplus,
    "gelu": F.gelu,
    "gelu(tanh)": lambda x: F.gelu(x, approximate="tanh"),
    "elu(1)": lambda x: F.elu(x, 1.0),
    "leakyRelu(0.01)": lambda x: F.leaky_relu(x, 0.01),
    "sign": torch.sign,
    "gt(0)": lambda x: x > 0.0,
}
for name, fn in UNARY.items():
    case(name, fn, [vec(EDGE)])
    case(name + " empty", fn, [([], [2, 0])])
    case(name + " 0-d", fn, [([0.0], [])])

# ---------------------------------------------------------------- binary (all pairs)

BINARY = {
    "add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div, "pow": torch.pow,
    "maximum": torch.maximum, "minimum": torch.minimum,
    "where(a>b)": lambda a, b: torch.where(a > b, a, b),
}
for name, fn in BINARY.items():
    case(name, fn, [vec(PAIR_A), vec(PAIR_B)])
    case(name + " empty", fn, [([], [0]), ([], [2, 0])])
    case(name + " empty and 0-d", fn, [([], [0]), ([2.0], [])])

# pow at base 0 and -0 with a tensor exponent, first and second order
POW0_E = [2.0, 1.0, 0.5, 0.0, -0.5, -1.0]
POW0_X = [0.0, -0.0, 2.0]
case("pow base 0", torch.pow, [vec([x for x in POW0_X for _ in POW0_E]),
                               vec([e for _ in POW0_X for e in POW0_E])])
# Second order away from base 0 (at base 0 torch's tensor-exponent second derivatives are all NaN;
# NumericsVsTorchTest checks Cadena's there against the analytic values).
POW2_X = [2.0, 0.5, 3.0]
case("pow second", torch.pow, [vec([x for x in POW2_X for _ in POW0_E]),
                               vec([e for _ in POW2_X for e in POW0_E])], second=True)
case("pow(0) base 0", lambda x: x.pow(0.0), [vec([0.0, -0.0, 1.5])], second=True)

# ---------------------------------------------------------------- reductions

ROWS = [
    [1.0, 2.0, 3.0], [3.0, 3.0, 3.0], [0.0, 0.0, 0.0], [-0.0, 0.0, 1e-40], [2.0, 2.0, 1.0],
    [inf, 1.0, 2.0], [-inf, 1.0, 2.0], [nan, 1.0, 2.0], [inf, inf, 1.0], [inf, -inf, 1.0],
    [-inf, -inf, -inf], [inf, inf, inf], [1e30, -1e30, 1.0], [3e38, 3e38, 1.0],
    [1e-40, 2e-40, -1e-40], [1e300, 1e300, 0.0], [1e3, 0.0, -1e3], [nan, nan, 1.0],
]
MATRIX = ([v for r in ROWS for v in r], [len(ROWS), 3])

AXIS = {
    "sum(1)": lambda x: x.sum(1), "mean(1)": lambda x: x.mean(1),
    "max(1)": lambda x: x.amax(1), "min(1)": lambda x: x.amin(1),
    "var(1)": lambda x: x.var(1), "var(1,c=0)": lambda x: x.var(1, unbiased=False),
    "std(1)": lambda x: x.std(1), "std(1,c=0)": lambda x: x.std(1, unbiased=False),
    "logsumexp(1)": lambda x: x.logsumexp(1), "softmax(1)": lambda x: x.softmax(1),
    "logSoftmax(1)": lambda x: x.log_softmax(1),
    "layerNorm": lambda x: F.layer_norm(x, [3], eps=1e-5),
}
for name, fn in AXIS.items():
    case(name, fn, [MATRIX])
    case(name + " [2,0]", fn, [([], [2, 0])])
    case(name + " [0,3]", fn, [([], [0, 3])])

# BatchNorm1d in training, channels = the rows above: input [3, len(ROWS)]
BN_X = ([ROWS[c][i] for i in range(3) for c in range(len(ROWS))], [3, len(ROWS)])
case("batchNorm1d", lambda x: F.batch_norm(x, None, None, training=True, eps=1e-5), [BN_X])

ALL = {
    "sum": lambda x: x.sum(), "mean": lambda x: x.mean(), "max": lambda x: x.max(),
    "min": lambda x: x.min(), "var": lambda x: x.var(), "std": lambda x: x.std(),
    "std(c=0)": lambda x: x.std(unbiased=False),
}
for name, fn in ALL.items():
    for i, r in enumerate(ROWS):
        case(f"{name} row{i}", fn, [vec(r)])
    case(name + " empty", fn, [([], [0])])
    case(name + " [1]", fn, [([5.0], [1])])
    case(name + " [2,1] constant", fn, [([4.0, 4.0], [2, 1])])
# over an empty axis: softmax and logSoftmax give empty tensors, logsumexp -inf
case("logsumexp(0) [0]", lambda x: x.logsumexp(0), [([], [0])])
case("softmax(0) [2,0]", lambda x: x.softmax(0), [([], [2, 0])])
case("logSoftmax(0) [0]", lambda x: x.log_softmax(0), [([], [0])])
case("std const second", lambda x: x.std(), [vec([3.0, 3.0, 3.0, 3.0])], second=True)

# ---------------------------------------------------------------- losses

PROBS = [0.0, 1e-40, 1e-30, 1e-12, 0.3, 0.5, 1 - 1e-7, 1.0, 1 / (1 + math.exp(-17.0))]
PT = [0.0, 0.25, 1.0]
BCE_P = vec([p for p in PROBS for _ in PT])
BCE_Y = vec([y for _ in PROBS for y in PT])
for red in ("none", "mean", "sum"):
    case(f"binaryCrossEntropy {red}",
         lambda p, y, red=red: F.binary_cross_entropy(p, y, reduction=red), [BCE_P, BCE_Y])
case("binaryCrossEntropy nan", lambda p, y: F.binary_cross_entropy(p, y),
     [vec([0.5, nan]), vec([1.0, 0.0])])
case("binaryCrossEntropy 1.5", lambda p, y: F.binary_cross_entropy(p, y),
     [vec([0.5, 1.5]), vec([1.0, 0.0])])
case("binaryCrossEntropy empty", lambda p, y: F.binary_cross_entropy(p, y),
     [([], [0]), ([], [0])])
case("binaryCrossEntropy second", lambda p, y: F.binary_cross_entropy(p, y, reduction="sum"),
     [vec([0.3, 0.5, 0.9]), vec([1.0, 0.25, 0.0])], second=True)
SIG_X = [17.0, -17.0, 30.0, -30.0, 100.0, -100.0, 0.0, 1e-40, 50.0]
case("binaryCrossEntropy of sigmoid",
     lambda x, y: F.binary_cross_entropy(torch.sigmoid(x), y, reduction="none"),
     [vec([x for x in SIG_X for _ in (0.0, 1.0)]), vec([y for _ in SIG_X for y in (0.0, 1.0)])])
LOGITS = [0.0, -0.0, 1.0, -1.0, 17.0, -17.0, 100.0, -100.0, 1e30, -1e30, inf, -inf, nan, 1e-40]
LT = [0.0, 0.5, 1.0]
for red in ("none", "mean"):
    case(f"binaryCrossEntropyWithLogits {red}",
         lambda x, y, red=red: F.binary_cross_entropy_with_logits(x, y, reduction=red),
         [vec([x for x in LOGITS for _ in LT]), vec([y for _ in LOGITS for y in LT])])
case("mse", lambda x, y: F.mse_loss(x, y, reduction="none"), [vec(PAIR_A), vec(PAIR_B)])
case("l1", lambda x, y: F.l1_loss(x, y, reduction="none"), [vec(PAIR_A), vec(PAIR_B)])
case("huber(1)", lambda x, y: F.huber_loss(x, y, reduction="none", delta=1.0),
     [vec(PAIR_A), vec(PAIR_B)])
case("mse empty", lambda x, y: F.mse_loss(x, y), [([], [0]), ([], [0])])
CE_ROWS = [[1.0, 2.0, 3.0], [1e3, 0.0, -1e3], [inf, 1.0, 2.0], [-inf, 0.0, 1.0],
           [nan, 1.0, 2.0], [1e30, 1e30, 0.0], [-inf, -inf, -inf], [3e38, -3e38, 0.0],
           [-1e3, 0.0, 1e3]]
CE_LABELS = [0, 2, 1, 0, 1, 0, 0, 1, 0]
CE_X = ([v for r in CE_ROWS for v in r], [len(CE_ROWS), 3])
case("crossEntropy none", lambda x, y: F.cross_entropy(x, y, reduction="none"),
     [CE_X, ("long", CE_LABELS, [len(CE_LABELS)])])
case("crossEntropy mean", lambda x, y: F.cross_entropy(x, y),
     [CE_X, ("long", CE_LABELS, [len(CE_LABELS)])])
case("crossEntropy empty", lambda x, y: F.cross_entropy(x, y),
     [([], [0, 3]), ("long", [], [0])])
case("nll of logSoftmax", lambda x, y: F.nll_loss(x.log_softmax(1), y, reduction="none"),
     [CE_X, ("long", CE_LABELS, [len(CE_LABELS)])])


def main():
    lines = [
        "# Generated by src/test/python/numerics_vs_torch.py with torch " + torch.__version__
        + "; do not edit by hand.",
        "# PyTorch's values and gradients at edge inputs, read by NumericsVsTorchTest.",
    ]
    for name, fn, inputs, second, dtypes in CASES:
        for d in dtypes:
            run_case(lines, name, fn, inputs, second, d)
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()
