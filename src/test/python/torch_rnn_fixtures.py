#!/usr/bin/env python3
"""Reference values for RecurrentVsTorchTest: PyTorch's recurrent layers in float64.

Run with PyTorch 1.13 (Debian's python3-torch) from the repository root:

    /usr/bin/python3 src/test/python/torch_rnn_fixtures.py > src/test/resources/torch_rnn_fixtures.json

For each case the file holds the module's constructor arguments, its state_dict (PyTorch's
parameter names, so the Java test loads them by name), the input and initial states, the outputs,
and the gradients of

    L = sum(output * u) + sum(h_n * v) [+ sum(c_n * w)]

(u, v, w fixed random tensors, also saved) with respect to every parameter, the input and the
initial states. Every tensor is {"shape": [...], "data": [row-major float64 values]}; Python's
json writes each double with repr, which round-trips exactly.
"""
import json
import sys

import torch

torch.manual_seed(20261202)


def t(x):
    return {"shape": list(x.shape), "data": [float(v) for v in x.detach().reshape(-1).tolist()]}


def case(name, kind, kwargs, x, with_h0=True):
    cls = {"RNN": torch.nn.RNN, "LSTM": torch.nn.LSTM, "GRU": torch.nn.GRU}[kind]
    m = cls(**kwargs).double()
    d = 2 if kwargs.get("bidirectional", False) else 1
    layers = kwargs.get("num_layers", 1)
    hidden = kwargs["hidden_size"]
    batched = x.dim() == 3
    state_shape = (d * layers, x.shape[0 if kwargs.get("batch_first", False) else 1], hidden) \
        if batched else (d * layers, hidden)
    x = x.clone().requires_grad_(True)
    h0 = torch.randn(state_shape, dtype=torch.float64).requires_grad_(True) if with_h0 else None
    c0 = torch.randn(state_shape, dtype=torch.float64).requires_grad_(True) \
        if with_h0 and kind == "LSTM" else None
    if kind == "LSTM":
        out, (hn, cn) = m(x, (h0, c0)) if with_h0 else m(x)
    else:
        out, hn = m(x, h0) if with_h0 else m(x)
        cn = None
    u = torch.randn(out.shape, dtype=torch.float64)
    v = torch.randn(hn.shape, dtype=torch.float64)
    loss = (out * u).sum() + (hn * v).sum()
    w = None
    if cn is not None:
        w = torch.randn(cn.shape, dtype=torch.float64)
        loss = loss + (cn * w).sum()
    loss.backward()
    rec = {
        "name": name, "kind": kind, "kwargs": kwargs,
        "state_dict": {k: t(p) for k, p in m.state_dict().items()},
        "input": t(x), "output": t(out), "h_n": t(hn), "u": t(u), "v": t(v),
        "grads": {k: t(p.grad) for k, p in m.named_parameters()},
        "grad_input": t(x.grad),
    }
    if with_h0:
        rec["h0"] = t(h0)
        rec["grad_h0"] = t(h0.grad)
    if cn is not None:
        rec["c_n"] = t(cn)
        rec["w"] = t(w)
        if with_h0:
            rec["c0"] = t(c0)
            rec["grad_c0"] = t(c0.grad)
    return rec


def randn(*shape):
    return torch.randn(shape, dtype=torch.float64)


cases = [
    case("lstm_2layers", "LSTM", {"input_size": 3, "hidden_size": 2, "num_layers": 2}, randn(3, 2, 3)),
    case("lstm_batch_first_bidirectional", "LSTM",
         {"input_size": 3, "hidden_size": 2, "batch_first": True, "bidirectional": True},
         randn(2, 3, 3)),
    case("gru_2layers", "GRU", {"input_size": 3, "hidden_size": 2, "num_layers": 2}, randn(3, 2, 3)),
    case("gru_bidirectional_unbatched_no_h0", "GRU",
         {"input_size": 3, "hidden_size": 2, "bidirectional": True}, randn(4, 3), with_h0=False),
    case("rnn_relu_no_bias", "RNN",
         {"input_size": 3, "hidden_size": 2, "nonlinearity": "relu", "bias": False}, randn(3, 2, 3)),
    case("rnn_tanh_2layers_bidirectional", "RNN",
         {"input_size": 3, "hidden_size": 2, "num_layers": 2, "bidirectional": True}, randn(3, 2, 3)),
]
json.dump({"torch": torch.__version__, "cases": cases}, sys.stdout, indent=None, separators=(",", ":"))
sys.stdout.write("\n")
