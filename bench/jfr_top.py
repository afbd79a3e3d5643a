#!/usr/bin/python3
"""Aggregates JFR execution samples: self time by top frame and inclusive time by method.

usage: /usr/bin/python3 bench/jfr_top.py recording.jfr [--top 25] [--filter dev.cadena]
Runs `jfr print --events jdk.ExecutionSample` and counts, for each sample, its top frame
(self) and every distinct method on its stack (inclusive).
"""
import collections
import re
import subprocess
import sys

path = sys.argv[1]
top = int(sys.argv[sys.argv.index("--top") + 1]) if "--top" in sys.argv else 25
flt = sys.argv[sys.argv.index("--filter") + 1] if "--filter" in sys.argv else None
# jfr truncates stacks to 5 frames unless --stack-depth is given.
out = subprocess.run(["jfr", "print", "--stack-depth", "64", "--events", "jdk.ExecutionSample", path],
                     capture_output=True, text=True, check=True).stdout
frame_re = re.compile(r"^\s+([\w$.<>/]+)\(.*\)\s+line:")
selfc, incl, thread_c = collections.Counter(), collections.Counter(), collections.Counter()
first_cadena = collections.Counter()
n = 0
stack = None
for line in out.splitlines():
    if line.startswith("jdk.ExecutionSample"):
        stack = []
        continue
    if stack is None:
        continue
    m = frame_re.match(line)
    if m:
        stack.append(m.group(1))
    elif line.strip() == "}" and stack is not None:
        if stack:
            n += 1
            selfc[stack[0]] += 1
            for meth in set(stack):
                incl[meth] += 1
            fc = next((f for f in stack if f.startswith("dev.cadena")), None)
            if fc:
                first_cadena[fc] += 1
        stack = None
print(f"{n} samples")
print("\n== self (top frame) ==")
for meth, c in selfc.most_common(top):
    print(f"{100.0 * c / n:6.1f}%  {meth}")
print("\n== self, attributed to the first dev.cadena frame ==")
for meth, c in first_cadena.most_common(top):
    print(f"{100.0 * c / n:6.1f}%  {meth}")
print("\n== inclusive ==")
for meth, c in incl.most_common(top * 2):
    if flt is None or meth.startswith(flt):
        print(f"{100.0 * c / n:6.1f}%  {meth}")
