#!/usr/bin/env bash
# Starts `ads server` on a fresh data dir and a free port, then runs the
# interop tests (official OCI TypeScript SDK clients from tests/peers) with
# Node's test runner against it.
# usage: tests/interop/run.sh ADS_BINARY [TEST_FILE...]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
ads="$1"; shift
tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then tests=("$here"/*.test.js); fi
if [ ! -d "$here/../peers/node_modules/oci-datascience" ]; then
  echo "tests/peers has no node_modules: run scripts/setup (npm ci --prefix tests/peers)" >&2
  exit 1
fi
work="$(mktemp -d)"
port="$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"$ads" server --data-dir "$work/data" --port "$port" --config-file "$work/config" \
  >"$work/server.log" 2>&1 &
pid=$!
cleanup() {
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then cat "$work/server.log" >&2; exit 1; fi
  sleep 0.1
done
export ADS_ENDPOINT="http://127.0.0.1:$port" ADS_CONFIG_FILE="$work/config" ADS_WORK_DIR="$work"
export NODE_PATH="$here/../peers/node_modules"
status=0
node --test --test-concurrency=1 "${tests[@]}" || status=$?
if [ $status -ne 0 ]; then echo "--- server log"; tail -n 50 "$work/server.log"; fi
exit $status
