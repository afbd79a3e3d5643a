#!/usr/bin/python3
"""Merges the JSON lines of one bench/run.sh run into one Markdown table.

usage: /usr/bin/python3 bench/report.py DIR
DIR holds cadena.jsonl, pytorch.jsonl (optional), peak.jsonl (optional) and machine.txt.

Each cell is the median over rounds of the per-run figure, with its spread: the min-max of the
per-run figures when there were several rounds, else the run's own min-p90.
"""
import json
import os
import statistics
import sys

out_dir = sys.argv[1]


def load(name):
    path = os.path.join(out_dir, name)
    if not os.path.exists(path):
        return []
    recs = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                recs.append(json.loads(line))
    return recs


cad = load("cadena.jsonl")
pyt = load("pytorch.jsonl")
peak = load("peak.jsonl")
machine = open(os.path.join(out_dir, "machine.txt")).read() if os.path.exists(
    os.path.join(out_dir, "machine.txt")) else ""


def pick(recs, workload, **kw):
    return [r for r in recs if r.get("workload") == workload
            and all(r.get(k) == v for k, v in kw.items())]


class Cell:
    """Per-run values of one figure: median and spread."""

    def __init__(self, recs, field, lo_field=None, hi_field=None, scale=1.0):
        self.vals = [r[field] * scale for r in recs if r.get(field) is not None]
        self.n = len(self.vals)
        self.lo = self.hi = None
        if self.n >= 2:
            self.lo, self.hi = min(self.vals), max(self.vals)
        elif self.n == 1 and lo_field and hi_field:
            r = recs[0]
            self.lo, self.hi = r[lo_field] * scale, r[hi_field] * scale

    @property
    def med(self):
        return statistics.median(self.vals) if self.vals else None

    def fmt(self, digits):
        if self.med is None:
            return "n/a"
        s = f"{self.med:.{digits}f}"
        if self.lo is not None:
            s += f" ({self.lo:.{digits}f}-{self.hi:.{digits}f})"
        return s


def gflops_cell(recs):
    # GFLOP/s from the median time; within-run spread from the min and p90 times.
    c = Cell(recs, "gflops_at_median")
    if c.n == 1:
        r = recs[0]
        flops = r["gflops_at_median"] * r["median_ms"]
        c.lo, c.hi = flops / r["p90_ms"], flops / r["min_ms"]
    return c


rows = []  # (workload, metric, cadena Cell, pytorch Cell, digits, target text, kind)
# kind: "higher" (ratio >= x is met), "lower" (ratio <= x is met), None (no target)

threads_seen = sorted({r.get("threads") for r in cad if r.get("workload") == "W1_matmul_fwd_bwd"})
for dtype in ("float32", "float64"):
    for t in threads_seen:
        sizes = sorted({r["n"] for r in pick(cad, "W1_matmul_fwd_bwd", dtype=dtype, threads=t)})
        for n in sizes:
            c = gflops_cell(pick(cad, "W1_matmul_fwd_bwd", dtype=dtype, threads=t, n=n))
            p = gflops_cell(pick(pyt, "W1_matmul_fwd_bwd", dtype=dtype, threads=t, n=n))
            target = (">= 1.0x", "higher", 1.0) if (n == 1024 and t == 2) else None
            rows.append((f"W1 matmul fwd+bwd {dtype} n={n} t={t}", "GFLOP/s", c, p, 1, target))

w2c, w2p = pick(cad, "W2_mlp_step"), pick(pyt, "W2_mlp_step")
rows.append(("W2 MLP step (batch 128) t=2", "ms/step", Cell(w2c, "median_ms", "min_ms", "p90_ms"),
             Cell(w2p, "median_ms", "min_ms", "p90_ms"), 2, ("<= 1.0x", "lower", 1.0)))
rows.append(("W2 peak RSS", "MiB", Cell(w2c, "peak_rss_mib"), Cell(w2p, "peak_rss_mib"), 0,
             ("<= 1.0x", "lower", 1.0)))
rows.append(("W2 RSS after JVM start / import torch", "MiB", Cell(w2c, "rss_after_import_mib"),
             Cell(w2p, "rss_after_import_mib"), 0, None))
w3c, w3p = pick(cad, "W3_chain_overhead"), pick(pyt, "W3_chain_overhead")
rows.append(("W3 graph overhead (fwd+bwd) t=2", "us/op",
             Cell(w3c, "us_per_op_median", "us_per_op_min", "us_per_op_median"),
             Cell(w3p, "us_per_op_median", "us_per_op_min", "us_per_op_median"), 3,
             ("<= 0.1x", "lower", 0.1)))
rows.append(("W3 forward share", "us/op", Cell(w3c, "fwd_us_per_op_median"),
             Cell(w3p, "fwd_us_per_op_median"), 3, None))
rows.append(("W3 backward share", "us/op", Cell(w3c, "bwd_us_per_op_median"),
             Cell(w3p, "bwd_us_per_op_median"), 3, None))
w5c, w5p = pick(cad, "W5_mnist_to_96"), pick(pyt, "W5_mnist_to_96")
rows.append(("W5 MNIST recipe: time to 96% test acc. t=2", "s", Cell(w5c, "seconds_to_target"),
             Cell(w5p, "seconds_to_target"), 2, ("<= 1.0x", "lower", 1.0)))
rows.append(("W5 epochs to 96%", "epochs", Cell(w5c, "epochs_to_target"),
             Cell(w5p, "epochs_to_target"), 0, None))
rows.append(("W5 seconds per epoch (incl. eval)", "s", Cell(w5c, "seconds_per_epoch_median"),
             Cell(w5p, "seconds_per_epoch_median"), 3, None))
if any(r.get("epochs_run", 0) > (r.get("epochs_to_target") or 0) for r in w5c + w5p):
    rows.append(("W5 final test accuracy", "%", Cell(w5c, "final_acc", scale=100),
                 Cell(w5p, "final_acc", scale=100), 2, None))

print(f"### Cadena vs PyTorch ({out_dir})\n")
for line in machine.splitlines():
    print(f"- {line}")
gemm = next((r.get("gemm") for r in cad if r.get("gemm")), "n/a")
print(f"- Cadena: Gemm.implementation() = {gemm}; java {next((r.get('java') for r in cad), '?')};"
      f" JVM args: {next((r.get('jvm_args') for r in cad), '?')}")
if pyt:
    r0 = pyt[0]
    print(f"- PyTorch {r0.get('torch')}: blas = {r0.get('blas')}, OpenBLAS core ="
          f" {r0.get('openblas_core')}, libs = {', '.join(r0.get('blas_libs', []))}")
else:
    print("- PyTorch: not run")
busy_c = [r["cpu_busy_before"] for r in cad if r.get("cpu_busy_before") is not None]
busy_p = [r["cpu_busy_before"] for r in pyt if r.get("cpu_busy_before") is not None]
if busy_c:
    print(f"- machine busy before each run (fraction of both cores, median / max): Cadena"
          f" {statistics.median(busy_c):.2f} / {max(busy_c):.2f}" +
          (f", PyTorch {statistics.median(busy_p):.2f} / {max(busy_p):.2f}" if busy_p else ""))
rounds = sorted({r.get("run") for r in cad})
print(f"- rounds: {len(rounds)}; cell = median over rounds (spread: min-max over rounds;"
      f" with one round: the run's min-p90)\n")

print("| workload | unit | Cadena | PyTorch | Cadena/PyTorch | target | met |")
print("| --- | --- | --- | --- | --- | --- | --- |")
met_count = total_targets = 0
for name, unit, c, p, digits, target in rows:
    ratio = (c.med / p.med) if (c.med is not None and p.med not in (None, 0)) else None
    rtxt = f"{ratio:.2f}x" if ratio is not None else "n/a"
    if target is None:
        ttxt, mtxt = "", ""
    else:
        ttxt = target[0]
        total_targets += 1
        if ratio is None:
            mtxt = "n/a"
        else:
            ok = ratio >= target[2] if target[1] == "higher" else ratio <= target[2]
            met_count += ok
            mtxt = "**yes**" if ok else "no"
    print(f"| {name} | {unit} | {c.fmt(digits)} | {p.fmt(digits)} | {rtxt} | {ttxt} | {mtxt} |")
print(f"\nTargets met: {met_count} of {total_targets}.")

if peak:
    print("\n**Machine BLAS peak** (numpy dot 2048x2048, OpenBLAS, 2 threads) and Cadena's W1"
          " n=1024 t=2 against it (W1 counts 3 GEMMs, two of them transposed, plus the sum):\n")
    print("| dtype | numpy dot median GFLOP/s (best call), best of the peak runs | Cadena W1 n=1024 t=2 GFLOP/s | % of peak |")
    print("| --- | --- | --- | --- |")
    for dtype in ("float32", "float64"):
        pk = [r for r in peak if r.get("workload") == "numpy_dot_peak" and r.get("dtype") == dtype]
        if not pk:
            continue
        pk.sort(key=lambda r: -r["gflops_at_median"])  # the quietest of the peak runs
        c = gflops_cell(pick(cad, "W1_matmul_fwd_bwd", dtype=dtype, threads=2, n=1024))
        pct = f"{100 * c.med / pk[0]['gflops_at_median']:.0f}%" if c.med else "n/a"
        print(f"| {dtype} | {pk[0]['gflops_at_median']:.1f} ({pk[0]['gflops_best']:.1f}) |"
              f" {c.fmt(1)} | {pct} |")
    cpu = next((r for r in peak if r.get("workload") == "lscpu"), None)
    if cpu:
        print(f"\nCPU (lscpu): {cpu.get('model_name')}, family {cpu.get('cpu_family')} model"
              f" {cpu.get('model')}, {cpu.get('cpus')} cpus, hypervisor {cpu.get('hypervisor')},"
              f" L2 {cpu.get('l2')}, L3 {cpu.get('l3')}")
