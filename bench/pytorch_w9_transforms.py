"""W9 transforms, the PyTorch peer of `CadenaBench w9`.

torch.autograd.functional (1.13) on an MLP-sized function, float64, and per-sample gradients of an
MLP loss by a loop over the samples (PyTorch 1.13 without functorch's vmap):
  f(x)  = W2 tanh(W1 x + b1) + b2, x in R^64, W1 [128, 64], W2 [32, 128] (fixed, seeded)
  g(x)  = sum(f(x)^2)
  jacobian  jacobian(f, x)         -> [32, 64]
  hessian   hessian(g, x)          -> [64, 64]
  hvp       hvp(g, x, v)           -> [64]
  jvp       jvp(f, x, v)           -> [32]
  per_sample  for each of 32 samples of an MLP 784-128-10 (tanh): grad of cross-entropy wrt
              the four parameters
Each figure is the median over --reps timed calls after --warmup calls (plus the minimum).

usage: /usr/bin/python3 bench/pytorch_w9_transforms.py [--threads 2] [--reps 30] [--warmup 10]
Prints one JSON line.
"""
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get("PEER_DIR") or os.path.normpath(
    os.path.join(HERE, "..", "..", "shared", "bench", "pytorch")))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch.autograd.functional import hessian, hvp, jacobian, jvp  # noqa: E402

from common import emit, int_arg, setup  # noqa: E402

argv = sys.argv
threads = int_arg(argv, "--threads", 2)
reps = int_arg(argv, "--reps", 30)
warmup = int_arg(argv, "--warmup", 10)
meta = setup(threads, seed=0)
D = torch.float64

W1 = torch.randn(128, 64, dtype=D) / 8.0
b1 = torch.randn(128, dtype=D) / 8.0
W2 = torch.randn(32, 128, dtype=D) / 11.3
b2 = torch.randn(32, dtype=D) / 11.3
x = torch.randn(64, dtype=D)
v = torch.randn(64, dtype=D)


def f(x):
    return W2 @ torch.tanh(W1 @ x + b1) + b2


def g(x):
    return (f(x) ** 2).sum()


P = [torch.randn(128, 784, dtype=D) / 28.0, torch.zeros(128, dtype=D),
     torch.randn(10, 128, dtype=D) / 11.3, torch.zeros(10, dtype=D)]
for p in P:
    p.requires_grad_(True)
xs = torch.randn(32, 784, dtype=D)
ys = torch.randint(0, 10, (32,))


def per_sample():
    out = []
    for i in range(xs.shape[0]):
        h = torch.tanh(xs[i:i + 1] @ P[0].T + P[1])
        loss = F.cross_entropy(h @ P[2].T + P[3], ys[i:i + 1])
        out.append(torch.autograd.grad(loss, P))
    return out


CASES = {
    "jacobian": lambda: jacobian(f, x),
    "hessian": lambda: hessian(g, x),
    "hvp": lambda: hvp(g, x, v)[1],
    "jvp": lambda: jvp(f, x, v)[1],
    "per_sample": per_sample,
}

rec = {"workload": "W9_transforms", "impl": "pytorch", "dtype": "float64", "reps": reps,
       "warmup": warmup, "fn": "64-128-32 tanh MLP; per-sample: 32 x (784-128-10)"}
for name, fn in CASES.items():
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t0) * 1e3)
    ts.sort()
    rec[name + "_ms"] = ts[len(ts) // 2]
    rec[name + "_min_ms"] = ts[0]
rec.update(meta)
emit(rec)
