#!/usr/bin/env bash
# Cadena vs PyTorch on the CPU, measured in the same run: builds, runs both sides interleaved,
# and prints one table. Every Cadena workload runs twice per round: with the JVM settings a user
# of the README gets (the headline) and with tuned GC flags. See bench/README.md.
#
# usage: bash bench/run.sh [--quick] [--rounds N] [--skip-peer] [--out DIR]
#   --quick      smoke run (1 round, fewer sizes and repeats; about 1.5 min)
#   --rounds N   interleaved rounds (default 3; quick: 1)
#   --skip-peer  Cadena only
#   --out DIR    where the JSON lines and the table go (default target/bench/<timestamp>-<mode>)
# environment:
#   CADENA_JAVA_OPTS        JVM flags of the headline runs (default: the flags in .mvn/jvm.config,
#                           read at run time; the JVM's default GC and heap)
#   CADENA_JAVA_OPTS_TUNED  JVM flags of the tuned runs (default: --add-modules
#                           jdk.incubator.vector -XX:+UseParallelGC -Xmn64m)
#   PEER_DIR                the shared PyTorch peer scripts (default: shared/bench/pytorch beside
#                           the project, i.e. <project>/../shared/bench/pytorch)
#   PYTHON                  Debian's interpreter with python3-torch (default /usr/bin/python3)
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
    -h|--help) sed -n 2,18p "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
[ -n "$ROUNDS" ] || { [ "$MODE" = quick ] && ROUNDS=1 || ROUNDS=3; }
OUT="${OUT:-target/bench/$(date +%Y%m%d-%H%M%S)-$MODE}"
mkdir -p "$OUT"
PYTHON="${PYTHON:-/usr/bin/python3}"
PEER_DIR="${PEER_DIR:-$ROOT/../shared/bench/pytorch}"
export PEER_DIR
OPENBLAS_DIR=/usr/lib/x86_64-linux-gnu/openblas-openmp
# OpenBLAS 0.3.21 does not recognise recent AMD cores and falls back to SSE3 kernels; name the
# widest kernel set this CPU runs (forcing SkylakeX on a CPU without AVX-512 dies with SIGILL).
# OPENBLAS_CORETYPE set by the caller wins.
if [ -z "${OPENBLAS_CORETYPE:-}" ]; then
  if grep -qw avx512f /proc/cpuinfo; then OPENBLAS_CORETYPE=SkylakeX
  elif grep -qw avx2 /proc/cpuinfo; then OPENBLAS_CORETYPE=Haswell
  else OPENBLAS_CORETYPE=Prescott; fi
fi
export OPENBLAS_CORETYPE

# The headline: exactly what Maven's JVM gets from .mvn/jvm.config (lines starting with # are
# dropped, the rest joined), so the figures are those of a user who follows the README.
if [ -n "${CADENA_JAVA_OPTS+set}" ]; then
  JAVA_OPTS_DEFAULTS="$CADENA_JAVA_OPTS"
  DEFAULTS_FROM="CADENA_JAVA_OPTS"
elif [ -f .mvn/jvm.config ]; then
  JAVA_OPTS_DEFAULTS="$(grep -v '^[[:space:]]*#' .mvn/jvm.config | tr -s ' \t\r\n' ' ' | sed 's/^ //; s/ $//')"
  DEFAULTS_FROM=".mvn/jvm.config"
else
  echo "run.sh: .mvn/jvm.config not found; set CADENA_JAVA_OPTS for the headline runs" >&2
  exit 1
fi
JAVA_OPTS_TUNED="${CADENA_JAVA_OPTS_TUNED:---add-modules jdk.incubator.vector -XX:+UseParallelGC -Xmn64m}"

T0=$(date +%s)
log() { echo "[bench $(( $(date +%s) - T0 ))s] $*" >&2; }

# ---------------------------------------------------------------- machine
{
  echo "date: $(date -Is)"
  echo "mode: $MODE, rounds: $ROUNDS"
  echo "cpu: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p'), $(nproc) cpus"
  echo "cpu_simd: $(grep -qw avx512f /proc/cpuinfo && echo AVX-512 || { grep -qw avx2 /proc/cpuinfo && echo AVX2 || echo SSE; }), peer OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE"
  echo "jdk: $(java -version 2>&1 | head -2 | tail -1)"
  echo "java_opts (JVM defaults, from $DEFAULTS_FROM): $JAVA_OPTS_DEFAULTS"
  echo "java_opts (tuned flags): $JAVA_OPTS_TUNED"
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
  echo "peer: skipped (--skip-peer)" >> "$OUT/machine.txt"
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
  else
    echo "peer_dir: $(cd "$PEER_DIR" && pwd)" >> "$OUT/machine.txt"
  fi
fi

# Every JSON line gets the job that produced it ("job": "w2_steady", ...), so that the report can
# tell apart runs of the same script with different arguments (W2 and W2 steady state).
tag() { sed "s/^{/{\"job\": \"$1\", /"; }

# The peer: Debian's torch with OpenBLAS (OpenMP build) pinned and its AVX-512 kernels forced;
# OMP threads match torch's. A failed run is logged and leaves its rows n/a in the table.
peer() {  # peer JOB THREADS SCRIPT ARGS...
  local job="$1" t="$2"; shift 2
  env LD_LIBRARY_PATH="$OPENBLAS_DIR" OPENBLAS_CORETYPE="$OPENBLAS_CORETYPE" OMP_NUM_THREADS="$t" \
    PYTHONDONTWRITEBYTECODE=1 BENCH_CONFIG="$MODE" BENCH_RUN="$ROUND" \
    "$PYTHON" "$@" --threads "$t" 2>> "$OUT/pytorch.err" | tag "$job" >> "$OUT/pytorch.jsonl" \
    || log "  pytorch $job failed (exit $?); see $OUT/pytorch.err"
}
# Cadena: CONFIG is "defaults" (JAVA_OPTS_DEFAULTS) or "tuned" (JAVA_OPTS_TUNED); the record
# carries it as jvm_config. Parallel.setThreads(threads) inside.
cadena() {  # cadena CONFIG JOB THREADS WORKLOAD ARGS...
  local config="$1" job="$2" t="$3" w="$4"; shift 4
  local opts="$JAVA_OPTS_DEFAULTS"
  [ "$config" = tuned ] && opts="$JAVA_OPTS_TUNED"
  # shellcheck disable=SC2086  # the JVM flags are a word list
  BENCH_CONFIG="$MODE" BENCH_RUN="$ROUND" BENCH_JVM_CONFIG="$config" \
    java $opts -cp "$CP" dev.cadena.bench.CadenaBench "$w" --threads "$t" "$@" \
    2>> "$OUT/cadena.err" | tag "$job" >> "$OUT/cadena.jsonl" \
    || log "  cadena ($config) $job failed (exit $?); see $OUT/cadena.err"
}

if [ "$MODE" = quick ]; then
  W1_SIZES=256,1024; W1_THREADS="2"; W1_T=0.5
  W2_ARGS="--steps 60 --warmup 20"; W2S_ARGS="--steps 100 --warmup 300"
  W3_ARGS="--reps 8 --warmup 3"; W5_ARGS="--stop-at-target"; W9_ARGS="--reps 10 --warmup 5"; W8_ARGS="--steps 3"
  W7_ARGS="--steps 30 --warmup 10"
else
  # W1 repeats for 1.0 s (not the scripts' 1.5 s) per size and dtype: each W1 job now runs three
  # times per round, and n = 1024 still gets about 50 timed repeats.
  W1_SIZES=64,256,512,1024; W1_THREADS="1 2"; W1_T=1.0
  W2_ARGS="--steps 200 --warmup 20"; W2S_ARGS="--steps 300 --warmup 1000"
  W3_ARGS="--reps 20 --warmup 3"; W5_ARGS=""; W9_ARGS="--reps 30 --warmup 10"; W8_ARGS="--steps 10"
  W7_ARGS="--steps 100 --warmup 20"
fi

# One job = one workload on all sides, back to back: Cadena under JVM defaults, Cadena tuned, the
# peer. The order mirrors from round to round (odd: defaults, tuned, pytorch; even: pytorch,
# tuned, defaults): Cadena and the peer take turns to go first, and over two rounds each side's
# mean position is the same, so a slow drift of the machine favours none.
job() {  # job ID LABEL "cadena threads workload args" "peer threads script args"
  local id="$1" label="$2" cargs="$3" pargs="$4" order side
  if [ $(( ROUND % 2 )) = 1 ]; then order="defaults tuned pytorch"; else order="pytorch tuned defaults"; fi
  [ "$PEER" = 1 ] || order="${order/pytorch/}"
  log "round $ROUND: $label ($(echo $order | sed 's/ /, /g'))"
  for side in $order; do
    # shellcheck disable=SC2086  # the argument strings are word lists
    case "$side" in
      pytorch) peer "$id" $pargs ;;
      *) cadena "$side" "$id" $cargs ;;
    esac
  done
}

# A Cadena-only job (no peer script measures it): both JVM settings, in the order of the round.
cadena_job() {  # cadena_job ID LABEL "cadena threads workload args"
  local id="$1" label="$2" cargs="$3" order side
  if [ $(( ROUND % 2 )) = 1 ]; then order="defaults tuned"; else order="tuned defaults"; fi
  log "round $ROUND: $label (Cadena only: $(echo $order | sed 's/ /, /g'))"
  for side in $order; do
    # shellcheck disable=SC2086  # the argument string is a word list
    cadena "$side" "$id" $cargs
  done
}

# The BLAS peak, before the rounds and after them: the table takes the quieter (faster) one.
blas_peak() {
  [ "$PEER" = 1 ] || return 0
  log "BLAS peak (numpy dot 2048x2048, 2 threads)"
  env LD_LIBRARY_PATH="$OPENBLAS_DIR" OPENBLAS_CORETYPE="$OPENBLAS_CORETYPE" OMP_NUM_THREADS=2 \
    PYTHONDONTWRITEBYTECODE=1 BENCH_CONFIG="$MODE" BENCH_RUN="$ROUND" \
    "$PYTHON" "$PEER_DIR/peak_numpy.py" --reps 10 >> "$OUT/peak.jsonl" 2>> "$OUT/pytorch.err" \
    || log "  BLAS peak failed (exit $?); see $OUT/pytorch.err"
}
ROUND=0
blas_peak

for ROUND in $(seq 1 "$ROUNDS"); do
  for t in $W1_THREADS; do
    job w1 "W1 matmul, $t thread(s)" \
      "$t w1 --sizes $W1_SIZES --target-s $W1_T" \
      "$t $PEER_DIR/w1_matmul.py --sizes $W1_SIZES --target-s $W1_T"
  done
  job w2 "W2 MLP step" "2 w2 $W2_ARGS" "2 $PEER_DIR/w2_mlp_step.py $W2_ARGS"
  job w2_steady "W2 steady state" "2 w2 $W2S_ARGS" "2 $PEER_DIR/w2_mlp_step.py $W2S_ARGS"
  job w2_parts "W2 phases" "2 w2parts $W2_ARGS" "2 bench/pytorch_w2_parts.py $W2_ARGS"
  job w3 "W3 graph overhead" "2 w3 $W3_ARGS" "2 $PEER_DIR/w3_chain.py $W3_ARGS"
  job w5 "W5 MNIST to 96%" "2 w5 $W5_ARGS" "2 bench/pytorch_w5_mnist.py $W5_ARGS"
  job w7 "W7 CNN step" "2 w7 $W7_ARGS" "2 bench/pytorch_w7_cnn.py $W7_ARGS"
  job w9 "W9 transforms" "2 w9 $W9_ARGS" "2 bench/pytorch_w9_transforms.py $W9_ARGS"
  cadena_job w8 "W8 checkpointing" "2 w8 $W8_ARGS"
done

ROUND=$(( ROUNDS + 1 ))
[ "$MODE" = quick ] || blas_peak
echo "loadavg_after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"
echo "wall_seconds: $(( $(date +%s) - T0 ))" >> "$OUT/machine.txt"
log "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
"$PYTHON" bench/report.py "$OUT" | tee "$OUT/table.md"
log "done in $(( $(date +%s) - T0 )) s; results in $OUT"
