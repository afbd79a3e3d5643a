#!/usr/bin/env bash
# Executes every notebooks/*.ipynb with the Cadena Jupyter kernel (kernelspec "java") and
# reports the result; a notebook fails when any of its cells raises an error or times out.
#
#   bash notebooks/run-notebooks.sh [--inplace | --compare] [--timeout SECONDS] [--no-build] [NOTEBOOK...]
#
#   --inplace        write the executed notebooks (with their outputs) back to their files;
#                    by default outputs go to a temporary directory and the files are untouched
#   --compare        also fail a notebook whose fresh text outputs differ from the committed ones
#                    (notebooks/compare_outputs.py: streams, text/plain, errors; image bytes and
#                    cells marked {"cadena": {"nondeterministic": true}} are not compared)
#   --timeout S      per-cell timeout in seconds (default 300)
#   --no-build       do not (re)build the kernel jar nor (re)install the library
#   NOTEBOOK...      run only these notebooks (default: notebooks/*.ipynb)
#
# What it does: installs Jupyter's Debian packages if missing (.ci/install-jupyter.sh), builds
# kernel/target/cadena-jupyter-kernel.jar and installs the library into ~/.m2 when their sources
# changed (notebooks load it with `%maven dev.cadena:cadena:<version>`), puts a kernelspec for
# this checkout's kernel in a temporary JUPYTER_PATH (nothing is installed for the user or the
# system), then runs `jupyter nbconvert --execute` on each notebook from the notebook's folder.
# The last line is "N passed, M failed" (counting notebooks); the exit status is 1 if M > 0.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
inplace=false
compare=false
timeout=300
build=true
notebooks=()

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --inplace) inplace=true ;;
    --compare) compare=true ;;
    --timeout) timeout=${2:?--timeout needs a number of seconds}; shift ;;
    --timeout=*) timeout=${1#--timeout=} ;;
    --no-build) build=false ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "run-notebooks: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) notebooks+=("$(cd "$(dirname "$1")" && pwd)/$(basename "$1")") ;;
  esac
  shift
done
if $inplace && $compare; then
  echo "run-notebooks: --inplace and --compare exclude each other" >&2
  exit 2
fi
if [ ${#notebooks[@]} -eq 0 ]; then
  shopt -s nullglob
  notebooks=("$repo"/notebooks/*.ipynb)
  shopt -u nullglob
fi

# Debian's Python has the Debian Jupyter packages; `python3` on PATH may be another install.
python=/usr/bin/python3
bash "$repo/.ci/install-jupyter.sh"

# Rebuilds when anything under the given sources is newer than the stamp file.
stale() {
  local stamp=$1; shift
  [ ! -e "$stamp" ] || [ -n "$(find "$@" -newer "$stamp" -print -quit 2>/dev/null)" ]
}
mvn_quiet() {
  # Offline first: everything is usually in ~/.m2 already, and it avoids network checks.
  mvn -q -B -o "$@" >/dev/null 2>&1 || mvn -q -B "$@"
}

jar="$repo/kernel/target/cadena-jupyter-kernel.jar"
if $build; then
  if stale "$jar" "$repo/kernel/pom.xml" "$repo/kernel/src/main"; then
    echo "run-notebooks: building the kernel jar" >&2
    mvn_quiet -f "$repo/kernel/pom.xml" -DskipTests package
    touch "$jar"
  fi
  # The notebooks load the library with `%maven dev.cadena:cadena:VERSION`, which resolves from
  # the local repository: install it there (and again whenever the sources changed).
  stamp="$repo/target/classes/.notebooks-stamp"
  version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' "$repo/pom.xml" | head -n 1)
  installed="${HOME}/.m2/repository/dev/cadena/cadena/$version/cadena-$version.jar"
  if stale "$stamp" "$repo/pom.xml" "$repo/src/main" || [ ! -f "$installed" ]; then
    echo "run-notebooks: installing the library ($version) into the local Maven repository" >&2
    mvn_quiet -f "$repo/pom.xml" -DskipTests install
    touch "$stamp"
  fi
fi
if [ ! -f "$jar" ]; then
  echo "run-notebooks: $jar is missing (run without --no-build)" >&2
  exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/cadena-notebooks.XXXXXX")
trap 'rm -rf "$work"' EXIT

# A kernelspec visible only to this run: JUPYTER_PATH comes first in Jupyter's search order.
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/java}"
java_bin="${java_bin:-$(command -v java)}"
mkdir -p "$work/jupyter/kernels/java"
"$python" - "$work/jupyter/kernels/java/kernel.json" "$java_bin" "$jar" <<'PY'
import json, shlex, sys, os
path, java, jar = sys.argv[1:4]
opts = shlex.split(os.environ.get("CADENA_KERNEL_JAVA_OPTS", ""))
spec = {
    "argv": [java, "-Djava.awt.headless=true", *opts, "-jar", jar, "{connection_file}"],
    "display_name": "Java (Cadena kernel)",
    "language": "java",
    "interrupt_mode": "message",
}
with open(path, "w") as f:
    json.dump(spec, f, indent=2)
PY
export JUPYTER_PATH="$work/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"
export JUPYTER_RUNTIME_DIR="$work/runtime"   # connection files stay out of ~/.local
mkdir -p "$work/out"

passed=0
failed=0
for nb in "${notebooks[@]}"; do
  name=$(basename "$nb")
  log="$work/${name%.ipynb}.log"
  args=(--to notebook --execute
        "--ExecutePreprocessor.timeout=$timeout"
        --ExecutePreprocessor.startup_timeout=120
        --ExecutePreprocessor.record_timing=False)   # no timestamps: --inplace diffs stay small
  if $inplace; then
    args+=(--inplace)
  else
    args+=(--output-dir "$work/out")
  fi
  start=$(date +%s)
  if (cd "$(dirname "$nb")" && "$python" -m nbconvert "${args[@]}" "$nb") >"$log" 2>&1; then
    if $compare && ! "$python" "$repo/notebooks/compare_outputs.py" "$nb" "$work/out/$name" >"$log.diff" 2>&1; then
      failed=$((failed + 1))
      echo "FAIL $name ($(( $(date +%s) - start ))s): outputs differ from the committed notebook"
      sed 's/^/    /' "$log.diff"
      continue
    fi
    passed=$((passed + 1))
    echo "PASS $name ($(( $(date +%s) - start ))s)"
  else
    failed=$((failed + 1))
    echo "FAIL $name ($(( $(date +%s) - start ))s)"
    # nbclient's exception shows the failing cell and the kernel's report; the Python stack
    # above it is nbconvert's and says nothing about the notebook.
    if grep -q '^nbclient\.exceptions\.' "$log"; then
      sed -n '/^nbclient\.exceptions\./,$p' "$log" | head -n 60 | sed 's/^/    /'
    else
      tail -n 40 "$log" | sed 's/^/    /'
    fi
  fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
