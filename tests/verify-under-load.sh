#!/usr/bin/env bash
# Runs the verification project RUNS times in a row while every CPU is kept busy, so that a test that passes only
# on an idle machine (a race, a wait that does not resume) fails here before it reaches CI. Stops at the first
# failing run. The load is stress-ng when it is installed, else busy loops; either ends with this script, and on its
# own after LOAD_LIMIT whatever happens.
set -euo pipefail

runs=${RUNS:-3}
workers=${LOAD_WORKERS:-$(nproc)}
limit=${LOAD_LIMIT:-4h}
dotnet=${DOTNET:-dotnet}
config=${CONFIG:-Release}
filter=${FILTER:-}

if ! [[ $runs =~ ^[1-9][0-9]*$ && $workers =~ ^[0-9]+$ ]]; then
  echo "error: RUNS must be a positive number and LOAD_WORKERS a number (got RUNS=$runs, LOAD_WORKERS=$workers); hint: make verify-under-load RUNS=10" >&2
  exit 2
fi

load=()
stop_load() {
  for pid in "${load[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait "${load[@]}" 2>/dev/null || true
}
trap stop_load EXIT
trap 'exit 130' INT TERM

if (( workers > 0 )); then
  if command -v stress-ng >/dev/null; then
    timeout "$limit" stress-ng --cpu "$workers" --quiet &
    load+=($!)
    what="stress-ng --cpu $workers"
  else
    for _ in $(seq "$workers"); do
      timeout "$limit" bash -c 'while :; do :; done' &
      load+=($!)
    done
    what="$workers busy loops"
  fi
else
  what="no added load"
fi

for run in $(seq "$runs"); do
  echo "verify-under-load: run $run of $runs ($what)"
  started=$SECONDS
  if ! "$dotnet" test tests/AiConformance.Verification -c "$config" --no-build -nologo ${filter:+--filter "$filter"}; then
    echo "verify-under-load: run $run of $runs FAILED after $(( SECONDS - started )) s"
    exit 1
  fi
  echo "verify-under-load: run $run of $runs passed in $(( SECONDS - started )) s"
done
echo "verify-under-load: all $runs runs passed ($what)"
