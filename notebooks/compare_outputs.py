#!/usr/bin/env python3
"""Compares the text outputs of a freshly executed notebook with the committed one.

    python3 notebooks/compare_outputs.py COMMITTED.ipynb EXECUTED.ipynb

Used by `run-notebooks.sh --compare`. For every code cell, in order, it compares:
  - stream output (stdout and stderr), consecutive chunks of one stream joined, since how the
    kernel splits a stream into messages depends on timing;
  - execute_result / display_data: the set of MIME types and the text/plain form (image bytes
    are not compared: PNG encoding and font antialiasing may differ between machines, while the
    text form "BufferedImage 640x480" still catches a changed size);
  - errors: their name and value.
Cells whose metadata has {"cadena": {"nondeterministic": true}} are skipped (timings, anything
that depends on the machine). Exit status 0 when everything matches, 1 with a summary of each
difference (cell number, first lines of a unified diff) otherwise, 2 on bad input.
Standard library only, so it runs with Debian's python3 and nothing else.
"""
import difflib
import json
import sys

MAX_DIFF_LINES = 12


def source(cell):
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def text(value):
    return "".join(value) if isinstance(value, list) else (value or "")


def normalize(outputs):
    """Turns a cell's outputs into comparable lines."""
    lines = []
    pending = None  # (stream name, text) still being joined
    for out in outputs:
        kind = out.get("output_type")
        if kind == "stream":
            if pending and pending[0] == out.get("name"):
                pending = (pending[0], pending[1] + text(out.get("text")))
                continue
            if pending:
                lines += stream_lines(*pending)
            pending = (out.get("name"), text(out.get("text")))
            continue
        if pending:
            lines += stream_lines(*pending)
            pending = None
        if kind in ("execute_result", "display_data"):
            data = out.get("data", {})
            lines.append("[%s: %s]" % (kind, ", ".join(sorted(data))))
            lines += text(data.get("text/plain")).splitlines()
        elif kind == "error":
            lines.append("[error: %s: %s]" % (out.get("ename"), out.get("evalue")))
        else:
            lines.append("[%s]" % kind)
    if pending:
        lines += stream_lines(*pending)
    return lines


def stream_lines(name, body):
    return ["[%s]" % name] + body.splitlines()


def code_cells(path):
    try:
        with open(path, encoding="utf-8") as f:
            nb = json.load(f)
    except (OSError, ValueError) as e:
        print("compare: cannot read %s: %s" % (path, e))
        sys.exit(2)
    return [c for c in nb.get("cells", []) if c.get("cell_type") == "code"]


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2].strip())
        return 2
    committed, executed = code_cells(argv[1]), code_cells(argv[2])
    if len(committed) != len(executed):
        print("compare: %d code cells committed, %d executed" % (len(committed), len(executed)))
        return 1
    problems = 0
    skipped = 0
    for number, (old, new) in enumerate(zip(committed, executed), start=1):
        if old.get("metadata", {}).get("cadena", {}).get("nondeterministic"):
            skipped += 1
            continue
        if source(old) != source(new):
            print("code cell %d: sources differ (was the notebook edited during the run?)" % number)
            problems += 1
            continue
        want, got = normalize(old.get("outputs", [])), normalize(new.get("outputs", []))
        if want == got:
            continue
        problems += 1
        first_line = source(old).splitlines()[0] if source(old) else ""
        print("code cell %d (%s): outputs differ from the committed ones" % (number, first_line[:60]))
        diff = list(difflib.unified_diff(want, got, "committed", "executed", n=1, lineterm=""))
        for line in diff[:MAX_DIFF_LINES]:
            print("    " + line)
        if len(diff) > MAX_DIFF_LINES:
            print("    ... %d more diff lines" % (len(diff) - MAX_DIFF_LINES))
    checked = len(committed) - skipped
    if problems:
        print("%d of %d compared code cells differ (%d skipped as nondeterministic); "
              "re-run with --inplace and commit if the change is intended" % (problems, checked, skipped))
        return 1
    print("outputs match in %d code cells (%d skipped as nondeterministic)" % (checked, skipped))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
