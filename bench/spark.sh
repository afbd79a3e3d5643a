#!/usr/bin/env bash
# The Spark bench row (docs/distributed.md): data-parallel Cadena on local[1] and local[2]
# against the single-process loop with the same global batch, on the embedded MNIST digits.
# Installs the library into ~/.m2, builds spark/, runs dev.cadena.spark.SparkBench and prints
# its JSON line (also saved under target/bench/spark-<timestamp>.json).
#
# usage: bash bench/spark.sh [SparkBench flags, e.g. --steps 100 --batch 128 --masters "local[1];local[2]"]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
mvn -B -q -DskipTests install >&2
mvn -B -q -f spark/pom.xml test-compile >&2
mkdir -p target/bench
OUT="target/bench/spark-$(date +%Y%m%d-%H%M%S).json"
ARGS="$*"
mvn -B -q -f spark/pom.xml exec:exec -Dexec.mainClass=dev.cadena.spark.SparkBench \
    -Dexec.args="$ARGS" | grep -o '{"bench".*}' | tee "$OUT"
