#!/usr/bin/python3
"""Merges the JSON lines of one bench/run.sh run into one Markdown table.

usage: /usr/bin/python3 bench/report.py DIR
DIR holds cadena.jsonl, pytorch.jsonl (optional), peak.jsonl (optional) and machine.txt.

Cadena has two columns: the headline, run with the JVM settings of a README user
(`"jvm_config": "defaults"`: the flags in .mvn/jvm.config), on which the targets are judged, and
the tuned GC flags (`"jvm_config": "tuned"`), judged separately. Cadena records without a
jvm_config (by hand, or runs before the two columns existed) count as the headline.

Each cell is the median over rounds of the per-run figure, with its spread: the min-max of the
per-run figures when there were several rounds, else the run's own min-p90 where it has them.
A figure nobody measured (peer skipped, a workload failed) prints n/a and meets no target.
"""
import json
import os
import statistics
import sys

if len(sys.argv) != 2:
    sys.exit("usage: report.py DIR")
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
                try:
                    recs.append(json.loads(line))
                except json.JSONDecodeError:
                    print(f"report.py: {name}: skipped a malformed line: {line[:80]}",
                          file=sys.stderr)
    return recs


cad_all = load("cadena.jsonl")
pyt = load("pytorch.jsonl")
peak = load("peak.jsonl")
machine_path = os.path.join(out_dir, "machine.txt")
machine = open(machine_path).read() if os.path.exists(machine_path) else ""

CONFIGS = ("defaults", "tuned")
cad = {c: [r for r in cad_all if (r.get("jvm_config") if r.get("jvm_config") in CONFIGS
                                  else "defaults") == c] for c in CONFIGS}


def pick(recs, workload, job=None, **kw):
    """Records of one workload; job, when given, is matched against run.sh's "job" tag. Records
    without a tag (runs by hand) count as the plain job ("w2"), never as a variant ("w2_steady")."""
    return [r for r in recs if r.get("workload") == workload
            and (job is None or r.get("job") == job or ("job" not in r and "_" not in job))
            and all(r.get(k) == v for k, v in kw.items())]


def field(name, scale=1.0):
    return lambda r: None if r.get(name) is None else r[name] * scale


class Cell:
    """Per-run values of one figure: median and spread."""

    def __init__(self, recs, value, lo=None, hi=None):
        self.vals = [v for v in (value(r) for r in recs) if v is not None]
        self.n = len(self.vals)
        self.lo = self.hi = None
        if self.n >= 2:
            self.lo, self.hi = min(self.vals), max(self.vals)
        elif self.n == 1 and lo and hi:
            r = next(r for r in recs if value(r) is not None)
            self.lo, self.hi = lo(r), hi(r)

    @property
    def med(self):
        return statistics.median(self.vals) if self.vals else None

    def fmt(self, digits):
        if self.med is None:
            return "n/a"
        s = f"{self.med:.{digits}f}"
        if self.lo is not None and self.hi is not None:
            s += f" ({self.lo:.{digits}f}-{self.hi:.{digits}f})"
        return s


def gflops_cell(recs):
    # GFLOP/s from the median time; within-run spread from the p90 and min times.
    def at(time_field):
        return lambda r: (r["gflops_at_median"] * r["median_ms"] / r[time_field]
                          if r.get(time_field) and r.get("median_ms") else None)
    return Cell(recs, field("gflops_at_median"), at("p90_ms"), at("min_ms"))


def ms_cell(recs):
    return Cell(recs, field("median_ms"), field("min_ms"), field("p90_ms"))


def bwd_over_fwd(r):
    f, b = r.get("fwd_us_per_op_median"), r.get("bwd_us_per_op_median")
    return b / f if (f and b is not None) else None


class Row:
    """One figure. cell(recs) -> Cell, applied to each Cadena column and to the peer.
    target: None (context) or (text, kind, threshold); kind "higher" / "lower" compares the
    Cadena/PyTorch ratio, "own" compares the Cadena figure itself (ratio column: -)."""

    def __init__(self, name, unit, cell, digits, target=None, peer=True):
        self.name, self.unit, self.digits, self.target = name, unit, digits, target
        self.c = {c: cell(cad[c]) for c in CONFIGS}
        self.p = cell(pyt) if peer else None

    def judge(self, config):
        """(ratio text, met: True / False / None for n/a or no target)."""
        c = self.c[config]
        if self.target and self.target[1] == "own":
            rtxt = "-"
            ok = None if c.med is None else c.med <= self.target[2]
        else:
            p = self.p
            ratio = (c.med / p.med) if (p and c.med is not None and p.med) else None
            rtxt = f"{ratio:.2f}x" if ratio is not None else "n/a" if p else "-"
            if self.target is None or ratio is None:
                ok = None
            else:
                ok = ratio >= self.target[2] if self.target[1] == "higher" else ratio <= self.target[2]
        return rtxt, ok


rows = []

W1 = "W1_matmul_fwd_bwd"
w1_all = pick(cad_all + pyt, W1)
# Every (dtype, threads, n) either side measured, and always the two headline rows (n/a when
# missing, so that a failed W1 still counts against the targets).
w1_keys = {(r.get("dtype"), r.get("threads"), r.get("n")) for r in w1_all
           if r.get("dtype") and r.get("threads") is not None and r.get("n") is not None}
w1_keys |= {("float32", 2, 1024), ("float64", 2, 1024)}
for dtype in ("float32", "float64"):
    for t in sorted({k[1] for k in w1_keys}):
        for n in sorted({k[2] for k in w1_keys if k[0] == dtype and k[1] == t}):
            target = (">= 1.0x", "higher", 1.0) if (n == 1024 and t == 2) else (">= 0.9x", "higher", 0.9)
            rows.append(Row(f"W1 matmul fwd+bwd {dtype} n={n} t={t}", "GFLOP/s",
                            lambda recs, d=dtype, t=t, n=n: gflops_cell(
                                pick(recs, W1, dtype=d, threads=t, n=n)), 1, target))


def w2(recs):
    return pick(recs, "W2_mlp_step", job="w2")


def w2s(recs):
    return pick(recs, "W2_mlp_step", job="w2_steady")


def w2p(recs):
    return pick(recs, "W2_mlp_step_parts")


steady_warmup = next((r.get("warmup") for r in w2s(cad_all) if r.get("warmup")), None)
rows.append(Row("W2 MLP step (batch 128) t=2", "ms/step", lambda recs: ms_cell(w2(recs)), 2,
                ("<= 1.0x", "lower", 1.0)))
rows.append(Row("W2 steady state" + (f" (after {steady_warmup} warm-up steps)" if steady_warmup
                                     else "") + " t=2", "ms/step",
                lambda recs: ms_cell(w2s(recs)), 2, ("<= 0.8x", "lower", 0.8)))
rows.append(Row("W2 peak RSS", "MiB", lambda recs: Cell(w2(recs), field("peak_rss_mib")), 0,
                ("<= 1.0x", "lower", 1.0)))
rows.append(Row("W2 RSS after JVM start / import torch", "MiB",
                lambda recs: Cell(w2(recs), field("rss_after_import_mib")), 0))
rows.append(Row("W2 allocation per timed step (all JVM threads)", "MiB/step",
                lambda recs: Cell(w2(recs), field("alloc_mib_per_step")), 2, peer=False))
rows.append(Row("W2 GC collections over the run", "count",
                lambda recs: Cell(w2(recs), field("gc_count")), 0, peer=False))
rows.append(Row("W2 GC time over the run", "ms",
                lambda recs: Cell(w2(recs), field("gc_ms")), 0, peer=False))
for key, label in (("forward", "forward (zero_grad + forward)"), ("loss", "loss"),
                   ("backward", "backward"), ("step", "optimiser step")):
    rows.append(Row(f"W2 phase: {label}", "ms",
                    lambda recs, k=key: Cell(w2p(recs), field(f"{k}_ms"), field(f"{k}_min_ms"),
                                             field(f"{k}_p90_ms")), 3))
rows.append(Row("W2 phases: sum of the four", "ms",
                lambda recs: Cell(w2p(recs), field("sum_of_phases_median_ms")), 3))


def w3(recs):
    return pick(recs, "W3_chain_overhead")


rows.append(Row("W3 graph overhead (fwd+bwd) t=2", "us/op",
                lambda recs: Cell(w3(recs), field("us_per_op_median"), field("us_per_op_min"),
                                  field("us_per_op_median")), 3, ("<= 0.1x", "lower", 0.1)))
rows.append(Row("W3 forward share", "us/op",
                lambda recs: Cell(w3(recs), field("fwd_us_per_op_median")), 3))
rows.append(Row("W3 backward share", "us/op",
                lambda recs: Cell(w3(recs), field("bwd_us_per_op_median")), 3))
rows.append(Row("W3 backward per op / forward per op (each side its own)", "ratio",
                lambda recs: Cell(w3(recs), bwd_over_fwd), 2, ("Cadena <= 2.0", "own", 2.0)))
rows.append(Row("W3 allocation per op, forward (main thread)", "B/op",
                lambda recs: Cell(w3(recs), field("fwd_bytes_per_op_median")), 0, peer=False))
rows.append(Row("W3 allocation per op, backward (main thread)", "B/op",
                lambda recs: Cell(w3(recs), field("bwd_bytes_per_op_median")), 0, peer=False))
rows.append(Row("W3 GC collections per chain (forward + backward)", "count",
                lambda recs: Cell(w3(recs), field("gc_in_timed_window_per_rep")), 2, peer=False))


def w5(recs):
    return pick(recs, "W5_mnist_to_96")


rows.append(Row("W5 MNIST recipe: time to 96% test acc. t=2", "s",
                lambda recs: Cell(w5(recs), field("seconds_to_target")), 2,
                ("<= 1.0x", "lower", 1.0)))
rows.append(Row("W5 epochs to 96%", "epochs", lambda recs: Cell(w5(recs), field("epochs_to_target")), 0))
rows.append(Row("W5 seconds per epoch (incl. eval)", "s",
                lambda recs: Cell(w5(recs), field("seconds_per_epoch_median")), 3))
if any(r.get("epochs_run", 0) > (r.get("epochs_to_target") or 0) for r in w5(cad_all + pyt)):
    rows.append(Row("W5 final test accuracy", "%",
                    lambda recs: Cell(w5(recs), field("final_acc", 100)), 2))


def w7(recs):
    return pick(recs, "W7_cnn_step")


rows.append(Row("W7 CNN step (batch 64, conv 5x5 32-32 + BN, float32) t=2", "ms/step",
                lambda recs: ms_cell(w7(recs)), 2, ("<= 1.5x", "lower", 1.5)))
rows.append(Row("W7 GEMM-equivalent GFLOP/s at the median", "GFLOP/s",
                lambda recs: Cell(w7(recs), field("gflops_at_median")), 2))


def w8(recs, mode):
    return pick(recs, "W8_checkpoint", mode=mode)


# Cadena only: a 20-layer MLP without and with checkpointing of each block (no peer measures it).
for key, label, unit, digits in (("saved_activation_mib", "saved activations", "MiB", 2),
                                 ("saved_total_mib", "saved storages incl. parameters", "MiB", 2),
                                 ("live_heap_after_forward_mib", "live heap after forward (after GC)",
                                  "MiB", 1),
                                 ("peak_heap_mib", "peak heap used during a step (incl. garbage)",
                                  "MiB", 0),
                                 ("median_ms", "step (fwd+bwd)", "ms", 2)):
    for mode in ("plain", "checkpoint"):
        rows.append(Row(f"W8 {label}, {mode}", unit,
                        lambda recs, k=key, m=mode: Cell(w8(recs, m), field(k)), digits,
                        peer=False))

def w9(recs):
    return pick(recs, "W9_transforms")


for key, label in (("jacobian", "jacobian (jacrev) of R^64 -> R^32"),
                   ("hessian", "hessian (forward over reverse) of R^64 -> R"),
                   ("hvp", "hvp"), ("jvp", "jvp"),
                   ("per_sample", "per-sample gradients, 32 x MLP 784-128-10 (Cadena: vmap)")):
    rows.append(Row(f"W9 {label} t=2", "ms",
                    lambda recs, k=key: Cell(w9(recs), field(f"{k}_ms"), field(f"{k}_min_ms"),
                                             field(f"{k}_ms")), 3, ("<= 1.0x", "lower", 1.0)))

rows.append(Row("W9 per-sample gradients by a Java loop of grad (Cadena only)", "ms",
                lambda recs: Cell(w9(recs), field("per_sample_loop_ms"), field("per_sample_loop_min_ms"),
                                  field("per_sample_loop_ms")), 3, peer=False))

# ---------------------------------------------------------------- header
print(f"### Cadena vs PyTorch ({out_dir})\n")
for line in machine.splitlines():
    print(f"- {line}")
for c, title in (("defaults", "JVM defaults (headline)"), ("tuned", "tuned flags")):
    recs = cad[c]
    if not recs:
        print(f"- Cadena, {title}: not run")
        continue
    r0 = recs[0]
    heap = f"{r0['max_heap_mib']:.0f} MiB" if r0.get("max_heap_mib") else "?"
    gc = next((r.get("gc_names") for r in recs if r.get("gc_names")), "?")
    print(f"- Cadena, {title}: JVM args `{r0.get('jvm_args', '?')}`; max heap {heap}; GC {gc};"
          f" Gemm.implementation() = {r0.get('gemm', '?')}; java {r0.get('java', '?')}")
if pyt:
    r0 = pyt[0]
    print(f"- PyTorch {r0.get('torch')}: blas = {r0.get('blas')}, OpenBLAS core ="
          f" {r0.get('openblas_core')}, libs = {', '.join(r0.get('blas_libs', []))}")
else:
    print("- PyTorch: not run")
busy = {"Cadena": [r["cpu_busy_before"] for r in cad_all if r.get("cpu_busy_before") is not None],
        "PyTorch": [r["cpu_busy_before"] for r in pyt if r.get("cpu_busy_before") is not None]}
if any(busy.values()):
    print("- machine busy before each run (fraction of both cores, median / max): " + ", ".join(
        f"{k} {statistics.median(v):.2f} / {max(v):.2f}" for k, v in busy.items() if v))
rounds = sorted({str(r.get("run")) for r in cad_all + pyt})
print(f"- rounds: {len(rounds)}; cell = median over rounds (spread: min-max over rounds;"
      f" with one round: the run's min-p90 where it has them)")
print("- targets are judged on the JVM-defaults column; `ratio (tuned)` says in brackets whether"
      " the tuned column would meet them\n")

# ---------------------------------------------------------------- table
print("| workload | unit | Cadena (JVM defaults) | PyTorch | ratio | target | met |"
      " Cadena (tuned flags) | ratio (tuned) |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
tally = {c: [0, 0, 0] for c in CONFIGS}  # met, targets, not judged (n/a)
for row in rows:
    cells = {}
    for c in CONFIGS:
        rtxt, ok = row.judge(c)
        if row.target is not None:
            tally[c][1] += 1
            tally[c][0] += ok is True
            tally[c][2] += ok is None
        cells[c] = (rtxt, ok)
    ttxt = row.target[0] if row.target else ""
    ok_d = cells["defaults"][1]
    mtxt = "" if row.target is None else ("n/a" if ok_d is None else "**yes**" if ok_d else "no")
    rt, ok_t = cells["tuned"]
    if row.target is not None and ok_t is not None:
        rt += " (**yes**)" if ok_t else " (no)"
    ptxt = row.p.fmt(row.digits) if row.p else "-"
    print(f"| {row.name} | {row.unit} | {row.c['defaults'].fmt(row.digits)} | {ptxt} |"
          f" {cells['defaults'][0]} | {ttxt} | {mtxt} | {row.c['tuned'].fmt(row.digits)} | {rt} |")
print()
for c, title in (("defaults", "JVM defaults, the headline"), ("tuned", "tuned flags")):
    met, total, na = tally[c]
    print(f"Targets met: {met} of {total} ({title}" + (f"; {na} n/a" if na else "") + ").")

# ---------------------------------------------------------------- BLAS peak
if peak:
    print("\n**Machine BLAS peak** (numpy dot 2048x2048, OpenBLAS, 2 threads) and Cadena's W1"
          " n=1024 t=2 against it (W1 counts 3 GEMMs, two of them transposed, plus the sum):\n")
    print("| dtype | numpy dot median GFLOP/s (best call), best of the peak runs |"
          " Cadena W1 (JVM defaults) GFLOP/s | % of peak | Cadena W1 (tuned flags) GFLOP/s |"
          " % of peak |")
    print("| --- | --- | --- | --- | --- | --- |")
    for dtype in ("float32", "float64"):
        pk = [r for r in peak if r.get("workload") == "numpy_dot_peak" and r.get("dtype") == dtype]
        if not pk:
            continue
        pk.sort(key=lambda r: -r["gflops_at_median"])  # the quietest of the peak runs
        top = pk[0]["gflops_at_median"]
        line = f"| {dtype} | {top:.1f} ({pk[0]['gflops_best']:.1f}) |"
        for c in CONFIGS:
            cell = gflops_cell(pick(cad[c], W1, dtype=dtype, threads=2, n=1024))
            pct = f"{100 * cell.med / top:.0f}%" if cell.med else "n/a"
            line += f" {cell.fmt(1)} | {pct} |"
        print(line)
    cpu = next((r for r in peak if r.get("workload") == "lscpu"), None)
    if cpu:
        print(f"\nCPU (lscpu): {cpu.get('model_name')}, family {cpu.get('cpu_family')} model"
              f" {cpu.get('model')}, {cpu.get('cpus')} cpus, hypervisor {cpu.get('hypervisor')},"
              f" L2 {cpu.get('l2')}, L3 {cpu.get('l3')}")
