#!/usr/bin/env bash
# Installs the Debian packages that notebooks/run-notebooks.sh needs to execute notebooks:
# nbconvert (the executor CLI), nbclient, nbformat and jupyter_client (kernel launching).
# Idempotent and quiet: does nothing when every package is already installed, and prints
# apt's output only when apt fails. Needs root (or sudo) the first time.
set -euo pipefail

packages=(jupyter-nbconvert python3-nbconvert python3-nbclient python3-nbformat
          python3-jupyter-client jupyter-client)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "install-jupyter: installing ${missing[*]}" >&2
# Refresh the index only when a package is unknown to apt, so repeated runs stay offline.
if ! apt-cache show "${missing[@]}" >/dev/null 2>&1; then
  $sudo apt-get update -qq >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
fi
if ! DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >"$log" 2>&1; then
  cat "$log" >&2
  exit 1
fi
