"""PyTorch fixtures for Cadena's interop tests, and a check of Cadena-saved files in PyTorch.

Cadena's ``ModelFiles`` writes ``Module.stateDict()``, which is named and laid out as PyTorch's
``state_dict()`` of the equivalent ``torch.nn`` model. This script tests that claim both ways
with real PyTorch (run it with an interpreter that has torch, e.g. Debian's ``/usr/bin/python3``;
CI has no torch, so ``mvn test`` only uses the committed fixtures).

Mode 1, write the fixtures (committed under ``src/test/resources/torch/``)::

    /usr/bin/python3 src/test/python/torch_fixtures.py write src/test/resources/torch

  For each model below it trains the float32 model a few SGD steps (so BatchNorm's running
  statistics and ``num_batches_tracked`` are not the initial ones), saves its ``state_dict()``
  as ``<name>.safetensors``, and saves ``<name>_io.safetensors`` with an input ``x``, the
  outputs ``eval`` (``model.eval()``) and ``train`` (``model.train()``, batch statistics; not
  for the models in ``EVAL_ONLY``, whose dropout is random), and every buffer after that
  training-mode pass as ``after_train.<key>``. ``TorchInteropTest`` loads them into the same
  Cadena model and compares.

  It also writes ``pool.safetensors``: fixed float64 inputs and PyTorch's pooling results for
  several option combinations (ceil mode, count_include_pad, divisor_override, return_indices,
  ties, 1-d, adaptive max), which ``PoolingOptionsTest`` compares with Cadena's.

Mode 2, check files that Cadena saved (``TorchInteropTest`` writes them to
``target/torch-check/`` in the same two-file form, from models Cadena initialised and trained)::

    mvn -B -o test -Dtest=TorchInteropTest
    /usr/bin/python3 src/test/python/torch_fixtures.py check target/torch-check

  It builds each model in PyTorch, calls ``load_state_dict(..., strict=True)`` on the Cadena
  file, and compares PyTorch's outputs and updated buffers with Cadena's (to 1e-6). It exits
  with status 1 on a mismatch.

Mode 3, check a model file the main job wrote (``--model cnn``, 32 channels)::

    mvn -B -o -q compile exec:java -Dexec.args="--model cnn --epochs 1 --out target/job-cnn.safetensors"
    /usr/bin/python3 src/test/python/torch_fixtures.py job target/job-cnn.safetensors

  It loads the file into ``cnn(32)`` with ``strict=True`` and runs it in eval mode.

Debian has no ``safetensors`` package, so the format is read and written here: an 8-byte
little-endian header length, a JSON header ``{name: {dtype, shape, data_offsets}}`` (plus
``__metadata__``), then the raw little-endian data. With the ``safetensors`` package installed,
``safetensors.torch.load_file`` reads the same files.
"""

import json
import struct
import sys
from pathlib import Path

import numpy as np
import torch
from torch import nn

DTYPES = {"F32": np.float32, "F64": np.float64, "I64": np.int64}
NAMES = {np.dtype(v): k for k, v in DTYPES.items()}
TOL = 1e-6


def build(name):
    """The models, each with a Cadena twin built in TorchInteropTest."""
    if name == "mlp_bn":
        return nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))
    if name == "mlp_ln":
        return nn.Sequential(
            nn.Linear(5, 6), nn.LayerNorm(6), nn.Tanh(), nn.Linear(6, 6), nn.ReLU(),
            nn.Linear(6, 4), nn.GELU(), nn.Linear(4, 2))
    if name == "acts":
        return nn.Sequential(
            nn.Linear(3, 5), nn.ELU(), nn.Linear(5, 5), nn.LeakyReLU(), nn.Linear(5, 4),
            nn.Sigmoid(), nn.BatchNorm1d(4, eps=1e-3, momentum=0.3, affine=False),
            nn.Softplus(), nn.Linear(4, 3), nn.LogSoftmax(dim=1))
    if name == "cnn":
        return cnn(8)
    if name == "conv_mix":
        return nn.Sequential(
            nn.Conv2d(4, 6, 3, stride=2, padding=1, dilation=2, groups=2, bias=False),
            nn.Dropout2d(0.3), nn.AvgPool2d(3, stride=1, padding=1), nn.Tanh(),
            nn.AdaptiveAvgPool2d((3, 2)), nn.Flatten(2), nn.Conv1d(6, 4, 4, padding="same"),
            nn.Flatten(), nn.Linear(24, 3))
    if name == "embed":
        return nn.Sequential(nn.Embedding(10, 4, padding_idx=0, max_norm=1.5), nn.Linear(4, 3))
    raise ValueError(name)


def cnn(channels):
    """The main job's CNN (dev.cadena.cli.TrainJob, --model cnn) with ``channels`` (32 there)."""
    c = channels
    return nn.Sequential(
        nn.Unflatten(1, (1, 28, 28)), nn.Conv2d(1, c, 5), nn.BatchNorm2d(c), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(c, c, 5), nn.BatchNorm2d(c), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(c * 4 * 4, 10))


# name -> the input shape after the batch size
MODELS = {"mlp_bn": (4,), "mlp_ln": (5,), "acts": (3,), "cnn": (784,),
          "conv_mix": (4, 11, 11), "embed": (5,)}
# models whose training-mode output is random (dropout), compared in eval mode only
EVAL_ONLY = {"conv_mix"}


def make_input(name, n):
    if name == "embed":
        x = torch.randint(0, 10, (n,) + MODELS[name])
        x[0, 0] = 0  # the padding index appears at least once
        return x
    return torch.randn((n,) + MODELS[name])


def write_file(path, tensors, metadata=None):
    """Writes {name: numpy array} in the safetensors format."""
    header = {}
    blobs = []
    offset = 0
    for key in sorted(tensors):
        a = np.asarray(tensors[key], order="C")  # ascontiguousarray would make 0-d arrays 1-d
        raw = a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes()
        header[key] = {"dtype": NAMES[a.dtype], "shape": list(a.shape),
                       "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


def read_file(path):
    """Reads a safetensors file into {name: numpy array} and its metadata."""
    data = Path(path).read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    body = data[8 + n:]
    out = {}
    for key, h in header.items():
        begin, end = h["data_offsets"]
        dt = np.dtype(DTYPES[h["dtype"]]).newbyteorder("<")
        out[key] = np.frombuffer(body[begin:end], dtype=dt).reshape(h["shape"]).astype(dt.newbyteorder("="))
    return out, meta


def state_to_numpy(model):
    return {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}


def run_io(model, x, eval_only=False):
    """Eval output, train output, and the buffers after the training-mode pass."""
    with torch.no_grad():
        model.eval()
        io = {"x": x.numpy(), "eval": model(x).numpy().copy()}
        if not eval_only:
            model.train()
            io["train"] = model(x).numpy().copy()
    for k, v in model.named_buffers():
        io["after_train." + k] = v.detach().numpy().copy()
    return io


def write(out_dir):
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(MODELS):
        torch.manual_seed(100 + i)
        model = build(name).float()
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        model.train()
        for _ in range(3):
            xb = make_input(name, 8)
            if xb.is_floating_point():
                xb = xb * 2 + 0.5
            loss = model(xb).square().mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        write_file(out_dir / (name + ".safetensors"), state_to_numpy(model), {"format": "pt"})
        x = make_input(name, 6)
        write_file(out_dir / (name + "_io.safetensors"), run_io(model, x, name in EVAL_ONLY),
                   {"format": "pt"})
        print("wrote", name, sorted(model.state_dict().keys()))
    cases = pool_cases()
    write_file(out_dir / "pool.safetensors", cases, {"format": "pt"})
    print("wrote pool", {k: list(v.shape) for k, v in cases.items()})


def pool_cases():
    """PyTorch's pooling options on fixed inputs: {name: array}, written as pool.safetensors."""
    import torch.nn.functional as F
    torch.manual_seed(7)
    x = torch.randn(2, 3, 7, 8, dtype=torch.float64)
    x5 = torch.randn(1, 2, 5, 5, dtype=torch.float64)
    x1 = torch.randn(2, 3, 9, dtype=torch.float64)
    out = {"x": x, "x5": x5, "x1": x1}

    def with_indices(name, r):
        out[name], out[name + ".indices"] = r

    with_indices("max_k2", F.max_pool2d(x, 2, return_indices=True))
    with_indices("max_k3s2p1_ceil", F.max_pool2d(x, 3, 2, 1, ceil_mode=True, return_indices=True))
    with_indices("max_k23s2p1d21_ceil", F.max_pool2d(x, (2, 3), 2, 1, dilation=(2, 1),
                                                     ceil_mode=True, return_indices=True))
    # ceil mode's rule: the 4th window would start in the right padding, so 3 per axis
    with_indices("max5_k2s2p1_ceil", F.max_pool2d(x5, 2, 2, 1, ceil_mode=True, return_indices=True))
    out["avg_k3s2p1_ceil"] = F.avg_pool2d(x, 3, 2, 1, ceil_mode=True)
    out["avg_k3s2p1_ceil_excl"] = F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False)
    out["avg_k32s12p1_excl"] = F.avg_pool2d(x, (3, 2), (1, 2), 1, count_include_pad=False)
    out["avg_k3s2_ceil"] = F.avg_pool2d(x, 3, 2, 0, ceil_mode=True)
    out["avg_k2s2p1_ceil_div3"] = F.avg_pool2d(x, 2, 2, 1, ceil_mode=True, divisor_override=3)
    out["avg5_k2s2p1_ceil"] = F.avg_pool2d(x5, 2, 2, 1, ceil_mode=True)
    with_indices("max1d_k4s3p2_ceil", F.max_pool1d(x1, 4, 3, 2, ceil_mode=True, return_indices=True))
    with_indices("max1d_k2d3", F.max_pool1d(x1, 2, 1, 0, dilation=3, return_indices=True))
    out["avg1d_k3s2p1_ceil_excl"] = F.avg_pool1d(x1, 3, 2, 1, ceil_mode=True, count_include_pad=False)
    out["avg1d_k2"] = F.avg_pool1d(x1, 2)
    out["adaptive1d_4"] = F.adaptive_avg_pool1d(x1, 4)
    with_indices("amax_3x5", F.adaptive_max_pool2d(x, (3, 5), return_indices=True))
    with_indices("amax5_2", F.adaptive_max_pool2d(x5, 2, return_indices=True))
    # ties: which of equal maxima PyTorch reports (the first in row-major order)
    xt = torch.randint(0, 3, (1, 2, 5, 6)).double()
    out["xt"] = xt
    with_indices("tie_max_k2_ceil", F.max_pool2d(xt, 2, ceil_mode=True, return_indices=True))
    with_indices("tie_amax_2x4", F.adaptive_max_pool2d(xt, (2, 4), return_indices=True))
    return {k: v.numpy() for k, v in out.items()}


def close(a, b):
    return a.shape == b.shape and np.allclose(a, b, rtol=TOL, atol=TOL)


def check(in_dir):
    in_dir = Path(in_dir)
    failures = 0
    checked = 0
    for name in MODELS:
        state_path = in_dir / (name + ".safetensors")
        io_path = in_dir / (name + "_io.safetensors")
        if not state_path.exists():
            continue
        state, meta = read_file(state_path)
        io, _ = read_file(io_path)
        model = build(name)
        first = next(iter(state.values()))
        if first.dtype == np.float64:
            model = model.double()
        model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in state.items()}, strict=True)
        got = run_io(model, torch.from_numpy(io["x"].copy()), name in EVAL_ONLY)
        for key, want in io.items():
            if key == "x":
                continue
            ok = close(got[key], want)
            failures += not ok
            print(("ok  " if ok else "FAIL"), name, key,
                  "" if ok else "max diff %g" % np.max(np.abs(got[key] - want)))
        checked += 1
        print("   ", name, "metadata", meta)
    if checked == 0:
        print("no Cadena files found in", in_dir, "(run mvn -B -o test -Dtest=TorchInteropTest)")
        return 1
    return 1 if failures else 0


def job(path):
    """Loads the main job's CNN file into the torch CNN, strictly, and runs it."""
    state, meta = read_file(path)
    model = cnn(32)
    if next(iter(state.values())).dtype == np.float64:
        model = model.double()
    model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in state.items()}, strict=True)
    model.eval()
    torch.manual_seed(0)
    with torch.no_grad():
        y = model(torch.rand(4, 784, dtype=next(model.parameters()).dtype))
    ok = tuple(y.shape) == (4, 10) and bool(torch.isfinite(y).all())
    print("ok  " if ok else "FAIL", path, "loaded with strict=True;", len(state), "tensors;",
          "output", tuple(y.shape), "metadata", meta)
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("write", "check", "job"):
        print(__doc__)
        sys.exit(2)
    if sys.argv[1] == "write":
        write(sys.argv[2])
    elif sys.argv[1] == "check":
        sys.exit(check(sys.argv[2]))
    else:
        sys.exit(job(sys.argv[2]))
