"""W2 split into phases, the PyTorch peer of `CadenaBench w2parts`.

Model, data and seed are those of the shared peer's w2_mlp_step.py (784-256-128-10 ReLU,
F.cross_entropy on logits, batch 128, SGD lr 0.01, float32; setup(seed=0), then the model, then
10 batches x ~ N(0,1), y ~ U{0..9}, cycled step by step), and so are warm-up and steps. Each step
is timed in four phases, the same calls inside each timer as on Cadena's side:
  forward   opt.zero_grad(set_to_none=True) + model(x)
  loss      F.cross_entropy(logits, y)
  backward  loss.backward()
  step      opt.step()
Each phase's figure is its median over the timed steps (plus min and p90).

The shared helpers (`common`) come from PEER_DIR, by default shared/bench/pytorch beside the
project (../../shared/bench/pytorch from this file).

usage: /usr/bin/python3 bench/pytorch_w2_parts.py [--threads 2] [--steps 200] [--warmup 20]
Prints one JSON line.
"""
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get("PEER_DIR") or os.path.normpath(
    os.path.join(HERE, "..", "..", "shared", "bench", "pytorch")))

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from common import emit, int_arg, setup  # noqa: E402

argv = sys.argv
threads = int_arg(argv, "--threads", 2)
steps = int_arg(argv, "--steps", 200)
warmup = int_arg(argv, "--warmup", 20)
B = 128

# Same order of random draws as w2_mlp_step.py: the seed, the three layers, then the batches.
meta = setup(threads, seed=0)
model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(),
                      nn.Linear(256, 128), nn.ReLU(),
                      nn.Linear(128, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.01)
xs = [torch.randn(B, 784) for _ in range(10)]
ys = [torch.randint(0, 10, (B,)) for _ in range(10)]

NAMES = ("forward", "loss", "backward", "step")


def step(i):
    x, y = xs[i % 10], ys[i % 10]
    t0 = time.perf_counter()
    opt.zero_grad(set_to_none=True)
    logits = model(x)
    t1 = time.perf_counter()
    loss = F.cross_entropy(logits, y)
    t2 = time.perf_counter()
    loss.backward()
    t3 = time.perf_counter()
    opt.step()
    t4 = time.perf_counter()
    return (t1 - t0, t2 - t1, t3 - t2, t4 - t3), t4 - t0, loss


for i in range(warmup):
    step(i)
parts = [[] for _ in NAMES]
totals = []
loss = None
for i in range(steps):
    p, tot, loss = step(warmup + i)
    for k, v in enumerate(p):
        parts[k].append(v * 1e3)
    totals.append(tot * 1e3)


def median(v):
    v = sorted(v)
    n = len(v)
    return v[n // 2] if n % 2 else 0.5 * (v[n // 2 - 1] + v[n // 2])


rec = {"workload": "W2_mlp_step_parts", "impl": "pytorch", "arch": "784-256-128-10", "batch": B,
       "dtype": "float32", "optimizer": "SGD lr=0.01", "warmup": warmup, "n_timed": steps}
for name, ms in zip(NAMES, parts):
    s = sorted(ms)
    rec[name + "_ms"] = median(s)
    rec[name + "_min_ms"] = s[0]
    rec[name + "_p90_ms"] = s[min(len(s) - 1, int(0.9 * len(s)))]
rec["sum_of_phases_median_ms"] = median(totals)
rec["loss_last"] = loss.item() if loss is not None else None
rec.update(meta)
emit(rec)
