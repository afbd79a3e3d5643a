"""W7: CNN training step, the PyTorch peer of `CadenaBench w7`.

The main job's CNN (`TrainJob.buildCnn`): 784-pixel rows unflattened to [1, 28, 28],
Conv2d(1, 32, 5) - BatchNorm2d(32) - ReLU - MaxPool2d(2) - Conv2d(32, 32, 5) - BatchNorm2d(32) -
ReLU - MaxPool2d(2) - Flatten - Linear(512, 10) in training mode, F.cross_entropy on logits, batch 64, plain SGD lr 0.01 (torch.optim.SGD, no
momentum), float32. Data: 10 fixed random batches (setup(seed=0), then the model, then x ~ N(0,1)
[64, 784], y ~ U{0..9}), cycled step by step; warm-up steps, then timed steps, each
zero_grad(set_to_none=True) + forward + loss + backward + optimizer.step().

FLOPs per step (GEMM-equivalent only): forward 2*B*(32*25*576 + 32*800*64 + 512*10), weight
grads the same, input grads for conv2 and the linear layer (the images need no grad).

The shared helpers (`common`) come from PEER_DIR, by default shared/bench/pytorch beside the
project (../../shared/bench/pytorch from this file).

usage: /usr/bin/python3 bench/pytorch_w7_cnn.py [--threads 2] [--steps 100] [--warmup 20]
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

from common import emit, int_arg, peak_rss_mib, setup, summarize  # noqa: E402

argv = sys.argv
threads = int_arg(argv, "--threads", 2)
steps = int_arg(argv, "--steps", 100)
warmup = int_arg(argv, "--warmup", 20)
B = 64

meta = setup(threads, seed=0)
model = nn.Sequential(nn.Unflatten(1, (1, 28, 28)),
                      nn.Conv2d(1, 32, 5), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
                      nn.Conv2d(32, 32, 5), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
                      nn.Flatten(), nn.Linear(512, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.01)
xs = [torch.randn(B, 784) for _ in range(10)]
ys = [torch.randint(0, 10, (B,)) for _ in range(10)]


def step(i):
    x, y = xs[i % 10], ys[i % 10]
    t0 = time.perf_counter()
    opt.zero_grad(set_to_none=True)
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    opt.step()
    return time.perf_counter() - t0, loss


for i in range(warmup):
    step(i)
times = []
first_loss = None
loss = None
for i in range(steps):
    t, loss = step(warmup + i)
    times.append(t)
    if first_loss is None:
        first_loss = loss.item()

conv1 = 2.0 * B * 32 * 25 * 24 * 24
conv2 = 2.0 * B * 32 * 800 * 8 * 8
lin = 2.0 * B * 512 * 10
flops = 2 * (conv1 + conv2 + lin) + conv2 + lin
s = summarize(times)
rec = {"workload": "W7_cnn_step", "impl": "pytorch",
       "arch": "conv5x5(32)-bn-pool-conv5x5(32)-bn-pool-linear(512,10)", "batch": B,
       "dtype": "float32", "optimizer": "SGD lr=0.01", "warmup": warmup}
rec.update(s)
rec["gflops_at_median"] = flops / (s["median_ms"] * 1e-3) / 1e9
rec["mflop_per_step"] = flops / 1e6
rec["peak_rss_mib"] = peak_rss_mib()
rec["loss_first_timed"] = first_loss
rec["loss_last"] = loss.item() if loss is not None else None
rec.update(meta)
emit(rec)
