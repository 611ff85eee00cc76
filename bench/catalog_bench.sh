#!/usr/bin/env bash
# The catalog benchmark: starts `ads server` on a temporary data dir, runs
# catalog_bench against it (CRUD rates, list latency over a seeded
# compartment, artifact upload/download vs `cp`), prints a summary, stops the
# server and removes the temp files.
#
#   bench/catalog_bench.sh                              # full size: 100k models, 1 GiB
#   bench/catalog_bench.sh --models 10000 --artifact-mb 256 --ops 200   # quick
#   bench/catalog_bench.sh --list-ops 1000   # p99 of the list rows over 10 samples, not 2
#   BUILD=build-h6 bench/catalog_bench.sh
#   ADS_BIN=build-lead/ads BUILD=build-h6 bench/catalog_bench.sh   # an existing server binary
#
# The data dir and the artifact file live on the same disk (under $TMPDIR, or
# the build dir with WORKDIR=...), so `cp` and the server write to the same
# disk. Caches are not dropped: cp and the transfers are timed the same way
# with whatever the page cache holds.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build-bench}
MODELS=100000
ARTIFACT_MB=1024
OPS=300
LIST_OPS=200
THREADS=4
while [[ $# -gt 0 ]]; do
  case "$1" in
    --models) MODELS=$2; shift 2 ;;
    --artifact-mb) ARTIFACT_MB=$2; shift 2 ;;
    --ops) OPS=$2; shift 2 ;;
    --list-ops) LIST_OPS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    *) echo "usage: $0 [--models N] [--artifact-mb MB] [--ops N] [--list-ops N] [--threads N]" >&2; exit 2 ;;
  esac
done

log() { echo "catalog_bench: $*" >&2; }

find_bin() {  # the runtime output dir differs between configurations
  for p in "$BUILD/$1" "$BUILD/bench/$1" "$BUILD/src/cli/$1"; do
    [[ -x "$p" ]] && { echo "$p"; return; }
  done
}
ADS_BIN=${ADS_BIN:-$(find_bin ads || true)}
BENCH_BIN=${BENCH_BIN:-$(find_bin catalog_bench || true)}
if [[ -z "$ADS_BIN" || -z "$BENCH_BIN" ]]; then
  log "building ads and catalog_bench in $BUILD (Release)"
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DADS_BUILD_BENCH=ON >/dev/null
  cmake --build "$BUILD" -j"$(nproc)" --target ads catalog_bench >/dev/null
  ADS_BIN=$(find_bin ads)
  BENCH_BIN=$(find_bin catalog_bench)
fi

WORK=$(mktemp -d "${WORKDIR:-${TMPDIR:-/tmp}}/ads-catalog-bench.XXXXXX")
SERVER_PID=
cleanup() {
  if [[ -n "$SERVER_PID" ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# The artifact is written once to the file, once by the server, once by the
# download and once by cp: keep 5x its size free, else shrink it.
FREE_MB=$(( $(df -Pk "$WORK" | awk 'NR==2 {print $4}') / 1024 ))
if (( FREE_MB < 5 * ARTIFACT_MB )); then
  NEW=$(( FREE_MB / 5 ))
  log "NOTE: only ${FREE_MB} MiB free on $WORK; artifact shrunk from ${ARTIFACT_MB} to ${NEW} MiB"
  ARTIFACT_MB=$NEW
fi
LOAD_START=$(uptime | sed 's/.*load average://')
ART="$WORK/artifact.bin"
head -c $(( ARTIFACT_MB * 1024 * 1024 )) /dev/urandom > "$ART"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
CONFIG="$WORK/config"
"$ADS_BIN" server --data-dir "$WORK/data" --port "$PORT" --config-file "$CONFIG" \
    > "$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
  grep -q '^listening' "$WORK/server.log" 2>/dev/null && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.1
done
log "server pid $SERVER_PID on port $PORT, data in $WORK (artifact ${ARTIFACT_MB} MiB)"

"$BENCH_BIN" --config "$CONFIG" --endpoint "http://127.0.0.1:$PORT" --threads "$THREADS" \
    --ops "$OPS" --list-ops "$LIST_OPS" --models "$MODELS" --artifact "$ART" | tee "$WORK/bench.out"

echo
echo "== summary (models=$MODELS, artifact=${ARTIFACT_MB} MiB, threads=$THREADS; caches not dropped)"
echo "  $(nproc) cores; load at start:$LOAD_START; at end:$(uptime | sed 's/.*load average://')"
grep -E 'ops/s|seeding|PASS|MISS|MiB/s' "$WORK/bench.out" | sed 's/^/  /'
