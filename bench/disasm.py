#!/usr/bin/env python3
"""Disassembles one C2-compiled method from HotSpot's PrintAssembly output, without hsdis.

Without a disassembler plugin, -XX:CompileCommand=print writes each compiled method's code as
hex words. This script takes the first C2 (tier 4, not OSR) compilation of the named method,
turns its main code section back into bytes and disassembles them with binutils' objdump, then
prints the innermost loops it finds (backward jumps) with counts of FMAs, range checks and stack
accesses, the figures docs/performance.md quotes for the GEMM kernels.

usage:
  java --add-modules jdk.incubator.vector -XX:+UnlockDiagnosticVMOptions \\
      -XX:CompileCommand=print,dev.cadena.tensor.kernel.VectorGemmF32::kernel5 \\
      -cp ... <a program that runs products> > target/print.txt
  python3 bench/disasm.py target/print.txt kernel5 [--all]

--all prints the whole method instead of its loops. Needs objdump (Debian: binutils).
"""
import re
import subprocess
import sys
import tempfile

HEX_LINE = re.compile(r"^\s+0x([0-9a-f]+): ((?:[0-9a-f]{4} ?[0-9a-f]{0,4} ?\| ?)*[0-9a-f ]+)$")


def code_bytes(text, method):
    """(start address, bytes) of the first non-OSR C2 compilation of `method`."""
    header = re.compile(
        r"^Compiled method \(c2\)\s+\d+\s+\d+\s+4\s+\S*::" + re.escape(method) + r" ")
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if header.match(line):
            start, data = None, bytearray()
            for l in lines[i + 1:]:
                m = HEX_LINE.match(l)
                if m:
                    if start is None:
                        start = int(m.group(1), 16)
                    data += bytes.fromhex(m.group(2).replace("|", "").replace(" ", ""))
                elif start is not None and ("[Stub Code]" in l or l.startswith("Compiled method")):
                    break
            return start, bytes(data)
    raise SystemExit(f"disasm.py: no C2 compilation of {method} in the input")


def disassemble(start, data):
    with tempfile.NamedTemporaryFile(suffix=".bin") as f:
        f.write(data)
        f.flush()
        out = subprocess.run(
            ["objdump", "-D", "-b", "binary", "-mi386:x86-64", "-M", "intel",
             f"--adjust-vma={start:#x}", f.name],
            check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.split("\n"):
        m = re.match(r"^\s*([0-9a-f]+):\t(?:[0-9a-f]{2} )+\s*\t(.*)$", line)
        if m:
            rows.append((int(m.group(1), 16), m.group(2).strip()))
    return rows


def loops(rows):
    """Backward conditional jumps that close a body containing no other backward jump."""
    found = []
    for idx, (addr, ins) in enumerate(rows):
        m = re.match(r"^j(?!mp)\w+\s+0x([0-9a-f]+)", ins)
        if m and int(m.group(1), 16) < addr:
            target = int(m.group(1), 16)
            body = [r for r in rows[:idx + 1] if r[0] >= target]
            inner = [r for r in body[:-1] if re.match(r"^j(?!mp)\w+\s+0x([0-9a-f]+)", r[1])
                     and int(re.match(r"^j\w+\s+0x([0-9a-f]+)", r[1]).group(1), 16) < r[0]
                     and int(re.match(r"^j\w+\s+0x([0-9a-f]+)", r[1]).group(1), 16) >= target]
            if not inner:
                found.append(body)
    return found


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    text = open(sys.argv[1], errors="replace").read()
    start, data = code_bytes(text, sys.argv[2])
    rows = disassemble(start, data)
    if "--all" in sys.argv:
        for addr, ins in rows:
            print(f"{addr:x}: {ins}")
        return
    for body in loops(rows):
        fma = sum(1 for _, i in body if i.startswith("vfmadd"))
        checks = sum(1 for _, i in body if i.startswith("jae"))
        stack = sum(1 for _, i in body if "rsp+" in i)
        print(f"loop {body[0][0]:x}-{body[-1][0]:x}: {len(body)} instructions, {fma} FMAs, "
              f"{checks} unsigned range checks (jae), {stack} stack accesses")
        for addr, ins in body:
            print(f"  {addr:x}: {ins}")


if __name__ == "__main__":
    main()
