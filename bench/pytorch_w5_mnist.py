"""W5 peer: the Cadena main job's recipe in PyTorch, wall time to 96% test accuracy.

Recipe (dev.cadena.cli.TrainJob defaults):
  784-256-128-10 ReLU MLP (nn.Linear default init, U(-1/sqrt(in), 1/sqrt(in)) like Cadena's
  Linear), float32, SGD nesterov momentum 0.9, lr 0.05, CosineAnnealingLR(T_max=15) stepped per
  epoch, batch 32, reshuffled every epoch, last partial batch kept, random shift of each training
  digit by dy, dx in {-1, 0, 1} with zero fill, cross-entropy on logits.
Data: the embedded digits src/main/resources/dev/cadena/data/mnist-10k/*.gz (IDX), scaled to
[0, 1]; the first 8,000 train, the last 2,000 test.
Test accuracy after each epoch (model.eval(), no_grad, batches of 1000). The clock starts after
the data is loaded and the model built and includes each epoch's evaluation, like CadenaBench w5.

usage: /usr/bin/python3 bench/pytorch_w5_mnist.py [--threads 2] [--epochs 15]
                                                  [--target-acc 0.96] [--stop-at-target]
Prints one JSON line; per-epoch progress goes to stderr.
"""
import gzip
import os
import struct
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# The shared peer helpers (`common`): PEER_DIR, else shared/bench/pytorch beside the project.
sys.path.insert(0, os.environ.get("PEER_DIR") or os.path.normpath(
    os.path.join(HERE, "..", "..", "shared", "bench", "pytorch")))

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from common import emit, int_arg, peak_rss_mib, setup, str_arg  # noqa: E402

argv = sys.argv
threads = int_arg(argv, "--threads", 2)
epochs = int_arg(argv, "--epochs", 15)
target = float(str_arg(argv, "--target-acc", "0.96"))
stop_at_target = "--stop-at-target" in argv
data_dir = str_arg(argv, "--data", os.path.join(
    HERE, "..", "src", "main", "resources", "dev", "cadena", "data", "mnist-10k"))
SEED = 42
BATCH = 32
LR = 0.05


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic, count = struct.unpack(">ii", raw[:8])
    if magic == 0x803:
        rows, cols = struct.unpack(">ii", raw[8:16])
        body = raw[16:]
        return torch.frombuffer(bytearray(body), dtype=torch.uint8).reshape(count, rows * cols)
    if magic == 0x801:
        return torch.frombuffer(bytearray(raw[8:]), dtype=torch.uint8).reshape(count)
    raise ValueError(f"{path}: unknown IDX magic {magic:#x}")


def random_shift(x, gen):
    """Shifts each 28x28 image by (dy, dx) in {-1, 0, 1}^2, zero fill: out[y, x] = in[y-dy, x-dx]."""
    b = x.shape[0]
    dy = torch.randint(-1, 2, (b,), generator=gen)
    dx = torch.randint(-1, 2, (b,), generator=gen)
    padded = F.pad(x.view(b, 28, 28), (1, 1, 1, 1))
    ar = torch.arange(28)
    rows = (ar[None, :] - dy[:, None] + 1)[:, :, None]
    cols = (ar[None, :] - dx[:, None] + 1)[:, None, :]
    return padded[torch.arange(b)[:, None, None], rows, cols].reshape(b, 784)


def accuracy(model, x, y):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, x.shape[0], 1000):
            correct += (model(x[i:i + 1000]).argmax(1) == y[i:i + 1000]).sum().item()
    model.train()
    return correct / x.shape[0]


meta = setup(threads, seed=SEED)
t_load = time.perf_counter()
images = read_idx(os.path.join(data_dir, "images-idx3-ubyte.gz")).float().div_(255.0)
labels = read_idx(os.path.join(data_dir, "labels-idx1-ubyte.gz")).long()
x_train, y_train = images[:8000].contiguous(), labels[:8000].contiguous()
x_test, y_test = images[8000:].contiguous(), labels[8000:].contiguous()
load_s = time.perf_counter() - t_load

model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(),
                      nn.Linear(256, 128), nn.ReLU(),
                      nn.Linear(128, 10))
opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=0.9, nesterov=True)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs, eta_min=0.0)
shuffle_gen = torch.Generator().manual_seed(SEED + 1)
augment_gen = torch.Generator().manual_seed(SEED + 2)

accs, at, eval_s = [], [], []
epochs_to_target, seconds_to_target = None, None
last_loss = float("nan")
start = time.perf_counter()
for epoch in range(1, epochs + 1):
    order = torch.randperm(8000, generator=shuffle_gen)
    for i in range(0, 8000, BATCH):
        idx = order[i:i + BATCH]
        x = random_shift(x_train[idx], augment_gen)
        loss = F.cross_entropy(model(x), y_train[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    last_loss = loss.item()
    sched.step()
    e0 = time.perf_counter()
    acc = accuracy(model, x_test, y_test)
    e1 = time.perf_counter()
    t = e1 - start
    accs.append(acc)
    at.append(t)
    eval_s.append(e1 - e0)
    print(f"W5 epoch {epoch}: test accuracy {acc:.4f} at {t:.2f} s", file=sys.stderr, flush=True)
    if epochs_to_target is None and acc >= target:
        epochs_to_target, seconds_to_target = epoch, t
        if stop_at_target:
            break
total = time.perf_counter() - start


def median(v):
    v = sorted(v)
    return v[len(v) // 2] if len(v) % 2 else 0.5 * (v[len(v) // 2 - 1] + v[len(v) // 2])


per_epoch = [at[i] - (at[i - 1] if i else 0.0) for i in range(len(at))]
rec = {"workload": "W5_mnist_to_96", "impl": "pytorch", "arch": "784-256-128-10",
       "dtype": "float32",
       "recipe": f"SGD nesterov m=0.9 lr={LR} cosine/{epochs} epochs, batch {BATCH}, shift<=1px",
       "target_acc": target, "epochs_to_target": epochs_to_target,
       "seconds_to_target": seconds_to_target, "epochs_run": len(accs),
       "final_acc": accs[-1], "best_acc": max(accs), "seconds_total": total,
       "seconds_per_epoch_median": median(per_epoch), "eval_seconds_median": median(eval_s),
       "load_seconds": load_s, "last_loss": last_loss, "epoch_acc": accs, "epoch_end_s": at,
       "peak_rss_mib": peak_rss_mib()}
rec.update(meta)
emit(rec)
