#!/usr/bin/env bash
# Cadena vs PyTorch on the CPU, measured in the same run: builds, runs both sides interleaved
# (A B A B ...), and prints one table. See bench/README.md.
#
# usage: bash bench/run.sh [--quick] [--rounds N] [--skip-peer] [--out DIR]
#   --quick      smoke run (1 round, fewer sizes and repeats; about 40 s)
#   --rounds N   interleaved rounds (default 3; quick: 1)
#   --skip-peer  Cadena only
#   --out DIR    where the JSON lines and the table go (default target/bench/<timestamp>)
# environment:
#   CADENA_JAVA_OPTS  JVM flags for Cadena (default below: the Vector API module, Parallel GC,
#                     64 MiB young generation)
#   PEER_DIR          the PyTorch peer scripts (default /work/shared/bench/pytorch)
#   PYTHON            Debian's interpreter with python3-torch (default /usr/bin/python3)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

MODE=full
ROUNDS=""
SKIP_PEER=0
OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) MODE=quick ;;
    --rounds) ROUNDS="$2"; shift ;;
    --skip-peer) SKIP_PEER=1 ;;
    --out) OUT="$2"; shift ;;
    -h|--help) sed -n 2,14p "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
[ -n "$ROUNDS" ] || { [ "$MODE" = quick ] && ROUNDS=1 || ROUNDS=3; }
OUT="${OUT:-target/bench/$(date +%Y%m%d-%H%M%S)-$MODE}"
mkdir -p "$OUT"
PYTHON="${PYTHON:-/usr/bin/python3}"
PEER_DIR="${PEER_DIR:-/work/shared/bench/pytorch}"
export PEER_DIR
JAVA_OPTS="${CADENA_JAVA_OPTS:---add-modules jdk.incubator.vector -XX:+UseParallelGC -Xmn64m}"
OPENBLAS_DIR=/usr/lib/x86_64-linux-gnu/openblas-openmp

T0=$(date +%s)
log() { echo "[bench $(( $(date +%s) - T0 ))s] $*" >&2; }

# ---------------------------------------------------------------- machine
{
  echo "date: $(date -Is)"
  echo "mode: $MODE, rounds: $ROUNDS"
  echo "cpu: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p'), $(nproc) cpus"
  echo "jdk: $(java -version 2>&1 | head -2 | tail -1)"
  echo "java_opts: $JAVA_OPTS"
  echo "loadavg_before: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$OUT/machine.txt"
log "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------- build
log "building (mvn -q -DskipTests test-compile)"
mvn -q -DskipTests test-compile dependency:build-classpath -Dmdep.includeScope=runtime \
  -Dmdep.outputFile=target/bench-classpath.txt 2>&1 | grep -v '^WARNING: Using incubator' >&2 || true
[ -f target/test-classes/dev/cadena/bench/CadenaBench.class ] || { echo "build failed" >&2; exit 1; }
CP="target/classes:target/test-classes:$(cat target/bench-classpath.txt)"

# ---------------------------------------------------------------- peer set-up
PEER=1
if [ "$SKIP_PEER" = 1 ]; then
  PEER=0
  log "peer skipped (--skip-peer)"
else
  missing=""
  "$PYTHON" -c 'import torch' 2>/dev/null || missing="$missing python3-torch"
  "$PYTHON" -c 'import numpy' 2>/dev/null || missing="$missing python3-numpy"
  [ -e "$OPENBLAS_DIR/libblas.so.3" ] || missing="$missing libopenblas0-openmp"
  [ -f "$PEER_DIR/w1_matmul.py" ] || missing="$missing peer-scripts($PEER_DIR)"
  if [ -n "$missing" ]; then
    PEER=0
    echo "PEER SKIPPED: missing:$missing" >&2
    echo "  install with: apt-get install -y python3-torch python3-numpy libopenblas0-openmp" >&2
    echo "  (and point PEER_DIR at the directory holding w1_matmul.py ... peak_numpy.py)" >&2
    echo "peer: skipped, missing:$missing" >> "$OUT/machine.txt"
  fi
fi

# The peer: Debian's torch with OpenBLAS (OpenMP build) pinned and its AVX-512 kernels forced;
# OMP threads match torch's. Cadena: the Vector API module on, Parallel.setThreads(threads).
peer() {  # peer THREADS SCRIPT ARGS...
  local t="$1"; shift
  env LD_LIBRARY_PATH="$OPENBLAS_DIR" OPENBLAS_CORETYPE=SkylakeX OMP_NUM_THREADS="$t" \
    BENCH_CONFIG="$MODE" BENCH_RUN="$ROUND" "$PYTHON" "$@" --threads "$t" \
    >> "$OUT/pytorch.jsonl" 2>> "$OUT/pytorch.err"
}
cadena() {  # cadena THREADS WORKLOAD ARGS...
  local t="$1" w="$2"; shift 2
  # shellcheck disable=SC2086
  BENCH_CONFIG="$MODE" BENCH_RUN="$ROUND" java $JAVA_OPTS -cp "$CP" dev.cadena.bench.CadenaBench \
    "$w" --threads "$t" "$@" >> "$OUT/cadena.jsonl" 2>> "$OUT/cadena.err"
}

if [ "$MODE" = quick ]; then
  W1_SIZES=256,1024; W1_THREADS="2"; W1_T=0.5
  W2_ARGS=(--steps 60 --warmup 20); W3_ARGS=(--reps 8 --warmup 3); W5_ARGS=(--stop-at-target)
else
  W1_SIZES=64,256,512,1024; W1_THREADS="1 2"; W1_T=1.5
  W2_ARGS=(--steps 200 --warmup 20); W3_ARGS=(--reps 20 --warmup 3); W5_ARGS=()
fi

# One job = one workload on both sides, back to back; the side that goes first alternates by
# round so that neither always gets the quieter moment.
both() {  # both LABEL "cadena args" "peer args"
  local label="$1" cargs="$2" pargs="$3"
  if [ "$PEER" = 0 ]; then
    log "round $ROUND: $label (cadena)"; eval "cadena $cargs"; return
  fi
  if [ $(( ROUND % 2 )) = 1 ]; then
    log "round $ROUND: $label (cadena, then pytorch)"; eval "cadena $cargs"; eval "peer $pargs"
  else
    log "round $ROUND: $label (pytorch, then cadena)"; eval "peer $pargs"; eval "cadena $cargs"
  fi
}

# The BLAS peak, before the rounds and after them: the table takes the quieter (faster) one.
blas_peak() {
  [ "$PEER" = 1 ] || return 0
  log "BLAS peak (numpy dot 2048x2048, 2 threads)"
  env LD_LIBRARY_PATH="$OPENBLAS_DIR" OPENBLAS_CORETYPE=SkylakeX OMP_NUM_THREADS=2 \
    BENCH_CONFIG="$MODE" BENCH_RUN="$ROUND" "$PYTHON" "$PEER_DIR/peak_numpy.py" --reps 10 \
    >> "$OUT/peak.jsonl" 2>> "$OUT/pytorch.err"
}
ROUND=0
blas_peak

for ROUND in $(seq 1 "$ROUNDS"); do
  for t in $W1_THREADS; do
    both "W1 matmul, $t thread(s)" \
      "$t w1 --sizes $W1_SIZES --target-s $W1_T" \
      "$t $PEER_DIR/w1_matmul.py --sizes $W1_SIZES --target-s $W1_T"
  done
  both "W2 MLP step" "2 w2 ${W2_ARGS[*]}" "2 $PEER_DIR/w2_mlp_step.py ${W2_ARGS[*]}"
  both "W3 graph overhead" "2 w3 ${W3_ARGS[*]}" "2 $PEER_DIR/w3_chain.py ${W3_ARGS[*]}"
  both "W5 MNIST to 96%" "2 w5 ${W5_ARGS[*]}" "2 bench/pytorch_w5_mnist.py ${W5_ARGS[*]}"
done

ROUND=$(( ROUNDS + 1 ))
[ "$MODE" = quick ] || blas_peak
echo "loadavg_after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"
echo "wall_seconds: $(( $(date +%s) - T0 ))" >> "$OUT/machine.txt"
log "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
"$PYTHON" bench/report.py "$OUT" | tee "$OUT/table.md"
log "done in $(( $(date +%s) - T0 )) s; results in $OUT"
