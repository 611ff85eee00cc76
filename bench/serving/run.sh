#!/usr/bin/env bash
# Serving benchmark: wrk against four HTTP servers answering the same iris random-forest
# prediction for the same payload, on this machine, at concurrency 1, 16 and 64.
#
#   ads      `ads server` + a deployment of examples/iris/model.onnx, POST /<ocid>/predict,
#            OCI-signed (see "Signing" below)
#   python   the ADS way: an ADS-style score.py with the same forest fitted by sklearn
#            (joblib), under gunicorn + Flask, one sync worker per core
#   ort      onnxruntime-node 1.30.0 on examples/iris/model.onnx behind Node's http,
#            one cluster worker per core
#   nginx    a static body of the same size as ads's answer (the HTTP ceiling)
#   kserve   (not in the default PEERS) the same ads deployment through KServe v2
#            POST /v2/models/<name>/infer on a server started with --kserve-unsigned: the
#            ads serving path without the RSA verify, for comparison with the unsigned peers
#
#   bench/serving/run.sh ADS_BINARY
#   DURATION=5s CONCURRENCY="1 16" PEERS="ads nginx" bench/serving/run.sh build/ads
#   SOAK=300 bench/serving/run.sh build/ads     # the 5-minute soak at concurrency 64
#
# Prints one row per peer and concurrency (req/s, p50, p99 in microseconds, errors, and the
# server's CPU time per request: user + system of all its processes over the run), then the
# ratios the serving issue asks for. Exit status 1 when a run had errors or non-2xx answers
# (a benchmark of failures is no benchmark); the targets themselves are reported, not enforced.
#
# Signing: wrk cannot compute a signature per request, but the server accepts a signed date
# up to 5 minutes old (docs/signing.md, max_skew) and keeps no replay cache, so the script
# signs the one request wrk repeats right before each run (DURATION must stay well under
# 5 minutes). ads therefore pays its full request path, signature check included.
#
# Installs what is missing: wrk, nginx-light, gunicorn, python3-flask, python3-sklearn with
# apt-get; onnxruntime-node (pinned in bench/peers/package-lock.json) with npm ci into
# bench/peers/node_modules. Builds nothing: pass the ads binary.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/bench/serving"
ADS_BIN=$(realpath "${1:-${ADS_BIN:-}}" 2>/dev/null || true)
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
CONCURRENCY=${CONCURRENCY:-"1 16 64"}
PEERS=${PEERS:-"ads python ort nginx"}
WORKERS=${WORKERS:-$(nproc)}
WRK_THREADS=${WRK_THREADS:-$(nproc)}
BASE_PORT=${BASE_PORT:-18480}
PAYLOAD=${PAYLOAD:-'[[5.1, 3.5, 1.4, 0.2]]'}
# runtime.yaml names a conda pack as ADS requires; the native ONNX runtime does not use it.
CONDA_PACK=${CONDA_PACK:-oci://service-conda-packs@id19sfcrra6z/service_pack/cpu/General_ML/1.0/generalml_p311_cpu_x86_64_v1}
WORK=${WORK:-$(mktemp -d /tmp/ads-bench-serving.XXXXXX)}
mkdir -p "$WORK"

log() { echo "bench/serving: $*" >&2; }
die() { log "$*"; exit 1; }

[[ -x "$ADS_BIN" ]] || die "usage: bench/serving/run.sh ADS_BINARY (got '${1:-}')"

# ------------------------------------------------------------------ dependencies

need_apt=()
command -v wrk >/dev/null || need_apt+=(wrk)
command -v nginx >/dev/null || need_apt+=(nginx-light)
command -v gunicorn >/dev/null || need_apt+=(gunicorn)
/usr/bin/python3 -c 'import flask' 2>/dev/null || need_apt+=(python3-flask)
/usr/bin/python3 -c 'import sklearn, joblib, pandas' 2>/dev/null ||
  need_apt+=(python3-sklearn python3-joblib python3-pandas)
command -v openssl >/dev/null || need_apt+=(openssl)
command -v curl >/dev/null || need_apt+=(curl)
if [[ " $PEERS " == *" ort "* ]] && ! command -v npm >/dev/null; then need_apt+=(nodejs npm); fi
if ((${#need_apt[@]})); then
  log "installing ${need_apt[*]}"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${need_apt[@]}" >&2
fi
if [[ " $PEERS " == *" ort "* && ! -d "$ROOT/bench/peers/node_modules/onnxruntime-node" ]]; then
  log "installing onnxruntime-node into bench/peers (npm ci --ignore-scripts)"
  (cd "$ROOT/bench/peers" && npm ci --ignore-scripts --no-audit --no-fund >&2)
fi

# ------------------------------------------------------------------ process handling

PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

# Starts a server in the background (its own process group, so that its workers stop with
# it) and remembers its pid.
start() {
  local name=$1
  shift
  setsid "$@" >"$WORK/$name.log" 2>&1 &
  PIDS+=("$!")
}

stop_last() {
  local pid=${PIDS[-1]}
  kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  unset 'PIDS[-1]'
}

wait_http() {  # URL [curl args...]: until it answers 2xx, 20 s at most
  local url=$1
  shift
  for _ in $(seq 200); do
    if curl -sf -o /dev/null "$@" "$url"; then return 0; fi
    sleep 0.1
  done
  die "no answer from $url (logs in $WORK)"
}

# ------------------------------------------------------------------ measuring

RESULTS="$WORK/results.txt"
: >"$RESULTS"

# run_wrk PEER URL: wrk at each concurrency; the request headers come from BENCH_H_*
# (and for ads are re-signed before every run by the function in SIGN, when set).
# The server's CPU time (user + system, all its processes and threads) per request is
# printed next to the throughput: it does not depend on how the VM's cores were shared
# during the run as much as req/s does, and it says where a peer's budget goes.
TICKS_PER_SECOND=$(getconf CLK_TCK)
# group_cpu_ticks PGID: user + system clock ticks of the live processes of a process group.
group_cpu_ticks() {
  local f total=0 fields
  for f in /proc/[0-9]*/stat; do
    # Fields after the ")" ending the command name: state is 3, pgrp 5, utime 14, stime 15.
    fields=$(sed 's/^.*) //' "$f" 2>/dev/null) || continue
    read -r -a fields <<<"$fields"
    ((${#fields[@]} > 12)) && [[ ${fields[2]} == "$1" ]] &&
      total=$((total + fields[11] + fields[12]))
  done
  echo "$total"
}

SIGN=""
run_wrk() {
  local peer=$1 url=$2 c threads line ticks
  for c in $CONCURRENCY; do
    threads=$WRK_THREADS
    ((threads > c)) && threads=$c
    [[ -n "$SIGN" ]] && $SIGN
    wrk -t "$threads" -c "$c" -d "$WARMUP" -s "$HERE/post.lua" "$url" >/dev/null
    [[ -n "$SIGN" ]] && $SIGN
    ticks=$(group_cpu_ticks "${PIDS[-1]}")
    line=$(wrk -t "$threads" -c "$c" -d "$DURATION" -s "$HERE/post.lua" "$url" |
      grep '^RESULT') || die "wrk failed against $peer"
    ticks=$(($(group_cpu_ticks "${PIDS[-1]}") - ticks))
    echo "$peer $c ${line#RESULT } server_cpu_ticks=$ticks" | tee -a "$RESULTS" >&2
  done
}

export BENCH_BODY="$PAYLOAD"
body_len=$(printf '%s' "$PAYLOAD" | wc -c)

# ------------------------------------------------------------------ (a) ads

SIGN_KEY="" SIGN_KEY_ID="" SIGN_TARGET="" SIGN_HOST="" SIGN_AHEAD=0
# Signs the one request wrk repeats. The date is SIGN_AHEAD seconds in the future (the server
# accepts dates up to 5 minutes either side of its clock), which is how the soak covers
# 5 minutes with a single signature.
sign_ads() {
  local date sha string sig
  date=$(LC_ALL=C date -u -d "@$(($(date +%s) + SIGN_AHEAD))" '+%a, %d %b %Y %H:%M:%S GMT')
  sha=$(printf '%s' "$PAYLOAD" | openssl dgst -sha256 -binary | base64 -w0)
  string="date: $date
(request-target): post $SIGN_TARGET
host: $SIGN_HOST
content-length: $body_len
content-type: application/json
x-content-sha256: $sha"
  sig=$(printf '%s' "$string" | openssl dgst -sha256 -sign "$SIGN_KEY" | base64 -w0)
  export BENCH_H_Host="$SIGN_HOST" BENCH_H_date="$date" BENCH_H_x_content_sha256="$sha"
  export BENCH_H_Authorization="Signature version=\"1\",keyId=\"$SIGN_KEY_ID\",algorithm=\"rsa-sha256\",headers=\"date (request-target) host content-length content-type x-content-sha256\",signature=\"$sig\""
}
unsign() { unset BENCH_H_Host BENCH_H_date BENCH_H_x_content_sha256 BENCH_H_Authorization; }

config_value() { sed -n "s/^$1[[:space:]]*=[[:space:]]*//p" "$WORK/ads-config" | head -n 1; }

# Starts ads with a deployment of the iris model and leaves it running (the last of PIDS),
# with SIGN_* set for its predict URL, ADS_URL.
ADS_URL=""
setup_ads() {
  local port=$((BASE_PORT + 1)) tenancy project model deployment out
  rm -rf "$WORK/ads-data" "$WORK/ads-config" "$WORK/iris-artifact"
  start ads "$ADS_BIN" server --data-dir "$WORK/ads-data" --config-file "$WORK/ads-config" \
    --host 127.0.0.1 --port "$port" "$@"
  wait_http "http://127.0.0.1:$port/health"
  export OCI_CONFIG_FILE="$WORK/ads-config"
  unset OCI_CONFIG_PROFILE
  tenancy=$(config_value tenancy)
  "$ADS_BIN" model prepare "$ROOT/examples/iris/model.onnx" --artifact-dir "$WORK/iris-artifact" \
    --inference-conda-env "$CONDA_PACK" --X-sample "$ROOT/examples/iris/X.csv" \
    --y-sample "$ROOT/examples/iris/y.csv" >&2
  project=$("$ADS_BIN" project create --compartment-id "$tenancy" --display-name bench -o json |
    /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  model=$("$ADS_BIN" model save "$WORK/iris-artifact" --compartment-id "$tenancy" \
    --project-id "$project" --display-name iris-rf -o json |
    /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  # Capacity = cores; the bandwidth cap (429 above it) is raised to its maximum so that the
  # benchmark measures serving, not the cap.
  out=$("$ADS_BIN" model deploy "$model" --display-name iris-bench --instance-count "$WORKERS" \
    --bandwidth-mbps 10000 --wait -o json)
  deployment=$(/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' <<<"$out")
  "$ADS_BIN" model predict "$deployment" --data "$PAYLOAD" >"$WORK/ads.answer"
  log "ads answers $(cat "$WORK/ads.answer")"

  SIGN_KEY=$(config_value key_file)
  SIGN_KEY_ID="$(config_value tenancy)/$(config_value user)/$(config_value fingerprint)"
  SIGN_TARGET="/$deployment/predict"
  SIGN_HOST="127.0.0.1:$port"
  sign_ads
  curl -sf -X POST "http://127.0.0.1:$port$SIGN_TARGET" -H "content-type: application/json" \
    -H "date: $BENCH_H_date" -H "x-content-sha256: $BENCH_H_x_content_sha256" \
    -H "authorization: $BENCH_H_Authorization" --data-binary "$PAYLOAD" >/dev/null ||
    die "the pre-signed request is refused (see $WORK/ads.log)"
  ADS_URL="http://127.0.0.1:$port$SIGN_TARGET"
}

bench_ads() {
  setup_ads
  SIGN=sign_ads
  run_wrk ads "$ADS_URL"
  SIGN=""
  unsign
  stop_last
}

# The same deployment through KServe v2 on a server with --kserve-unsigned: one FP32 [1, 4]
# tensor with the payload's row, named as the model's metadata names its input.
bench_kserve() {
  local port=$((BASE_PORT + 1)) url meta
  setup_ads --kserve-unsigned
  unsign
  url="http://127.0.0.1:$port/v2/models/iris-bench"
  meta=$(curl -sf "$url") || die "GET $url failed (see $WORK/ads.log)"
  BENCH_BODY=$(/usr/bin/python3 -c '
import json, sys
meta, rows = json.loads(sys.argv[1]), json.loads(sys.argv[2])
flat = [float(x) for row in rows for x in row]
print(json.dumps({"inputs": [{"name": meta["inputs"][0]["name"], "shape": [len(rows), len(rows[0])],
                              "datatype": "FP32", "data": flat}]}))' "$meta" "$PAYLOAD")
  export BENCH_BODY
  log "kserve answers $(curl -sf -X POST -H 'content-type: application/json' --data-binary "$BENCH_BODY" \
    "$url/infer")" || die "the KServe request is refused (see $WORK/ads.log)"
  run_wrk kserve "$url/infer"
  BENCH_BODY="$PAYLOAD"
  stop_last
}

# ------------------------------------------------------------------ (b) python (the ADS way)

bench_python() {
  local port=$((BASE_PORT + 2)) dir="$WORK/python"
  mkdir -p "$dir"
  cp "$HERE/score.py" "$HERE/flask_app.py" "$dir/"
  /usr/bin/python3 "$HERE/make_sklearn_iris.py" "$dir" >&2
  start python /usr/bin/python3 -m gunicorn --chdir "$dir" -w "$WORKERS" \
    -b "127.0.0.1:$port" --log-level warning flask_app:app
  wait_http "http://127.0.0.1:$port/predict" -X POST -H 'content-type: application/json' \
    --data-binary "$PAYLOAD"
  log "python answers $(curl -s -X POST -H 'content-type: application/json' \
    --data-binary "$PAYLOAD" "http://127.0.0.1:$port/predict")"
  run_wrk python "http://127.0.0.1:$port/predict"
  stop_last
}

# ------------------------------------------------------------------ (c) onnxruntime-node

bench_ort() {
  local port=$((BASE_PORT + 3))
  start ort env NODE_PATH="$ROOT/bench/peers/node_modules" node "$HERE/ort_server.js" \
    "$ROOT/examples/iris/model.onnx" "$port" "$WORKERS"
  wait_http "http://127.0.0.1:$port/predict" -X POST -H 'content-type: application/json' \
    --data-binary "$PAYLOAD"
  log "ort answers $(curl -s -X POST -H 'content-type: application/json' \
    --data-binary "$PAYLOAD" "http://127.0.0.1:$port/predict")"
  run_wrk ort "http://127.0.0.1:$port/predict"
  stop_last
}

# ------------------------------------------------------------------ (d) nginx

bench_nginx() {
  local port=$((BASE_PORT + 4)) dir="$WORK/nginx" answer
  mkdir -p "$dir/logs"
  # The same bytes ads answered (a fixed answer when ads was not benchmarked).
  answer=$(cat "$WORK/ads.answer" 2>/dev/null || echo '{"prediction": [[0], [[1.0, 0.0, 0.0]]]}')
  printf '%s' "$answer" >"$dir/answer.json"
  cat >"$dir/nginx.conf" <<EOF
worker_processes $WORKERS;
daemon off;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 10000000;
  server {
    listen 127.0.0.1:$port;
    location /predict {
      default_type application/json;
      return 200 '$(cat "$dir/answer.json")';
    }
  }
}
EOF
  start nginx nginx -p "$dir" -c "$dir/nginx.conf"
  wait_http "http://127.0.0.1:$port/predict" -X POST --data-binary "$PAYLOAD"
  run_wrk nginx "http://127.0.0.1:$port/predict"
  stop_last
}

# ------------------------------------------------------------------ soak (SOAK=seconds)

# The issue's soak: ads alone at SOAK_CONCURRENCY (64) for SOAK seconds (300) after a warm-up;
# passes with zero errors and the server's resident memory grown by under 5% from the end of
# the warm-up to the end of the run. The server's RSS is also sampled every 30 s into
# $WORK/soak-rss.txt, so a slow leak shows as a trend rather than one number.
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

soak_ads() {
  local seconds=$1 c=${SOAK_CONCURRENCY:-64} pid sampler line rss0 rss1 threads=$WRK_THREADS
  ((seconds <= 420)) || die "SOAK is at most 420 s (one signature, valid 5 minutes either side)"
  setup_ads
  pid=${PIDS[-1]}
  SIGN_AHEAD=$((seconds / 2 + 10))
  sign_ads
  wrk -t "$threads" -c "$c" -d "$WARMUP" -s "$HERE/post.lua" "$ADS_URL" >/dev/null
  rss0=$(rss_kb "$pid")
  (while sleep 30; do echo "$(date -u +%T) rss_kb=$(rss_kb "$pid")"; done) >"$WORK/soak-rss.txt" &
  sampler=$!
  line=$(wrk -t "$threads" -c "$c" -d "${seconds}s" -s "$HERE/post.lua" "$ADS_URL" |
    grep '^RESULT') || die "wrk failed in the soak"
  kill "$sampler" 2>/dev/null || true
  rss1=$(rss_kb "$pid")
  kill -0 "$pid" 2>/dev/null || die "the server died during the soak (see $WORK/ads.log)"
  stop_last
  cat "$WORK/soak-rss.txt" >&2
  /usr/bin/python3 - "$seconds" "$c" "$rss0" "$rss1" ${line#RESULT } <<'PY'
import sys
seconds, c, rss0, rss1 = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
r = {k: float(v) for k, v in (x.split("=") for x in sys.argv[5:])}
errors = int(r["socket_errors"] + r["non2xx"])
growth = 100.0 * (rss1 - rss0) / rss0
print(f"\nsoak: ads at c={c} for {seconds} s: {r['requests']:.0f} requests, {r['rps']:.0f} req/s, "
      f"p50 {r['p50_us']:.0f} us, p99 {r['p99_us']:.0f} us")
print(f"errors: {errors}  (target 0: {'met' if errors == 0 else 'NOT met'})")
print(f"resident memory: {rss0} kB after warm-up, {rss1} kB at the end, {growth:+.2f}%  "
      f"(target < 5%: {'met' if growth < 5 else 'NOT met'})")
sys.exit(0 if errors == 0 and growth < 5 else 1)
PY
}

if [[ -n "${SOAK:-}" ]]; then
  soak_ads "$SOAK"
  exit $?
fi

for peer in $PEERS; do
  case $peer in
    ads) bench_ads ;;
    python) bench_python ;;
    ort) bench_ort ;;
    nginx) bench_nginx ;;
    kserve) bench_kserve ;;
    *) die "unknown peer $peer (ads python ort nginx kserve)" ;;
  esac
done

# ------------------------------------------------------------------ report

/usr/bin/python3 - "$RESULTS" "$(nproc)" "$DURATION" "$TICKS_PER_SECOND" <<'EOF'
import sys
tick_us = 1e6 / float(sys.argv[4])

rows = {}
for line in open(sys.argv[1]):
    peer, c, *kv = line.split()
    rows[(peer, int(c))] = {k: float(v) for k, v in (x.split("=") for x in kv)}

print(f"\n{sys.argv[2]} cores, {sys.argv[3]} per run, wrk on the same machine\n")
print(f"{'peer':<8} {'conc':>5} {'req/s':>10} {'p50 us':>8} {'p99 us':>8} {'errors':>7} "
      f"{'server cpu us/req':>18}")
bad = False
for (peer, c), r in rows.items():
    errors = int(r["socket_errors"] + r["non2xx"])
    bad |= errors > 0
    cpu = r["server_cpu_ticks"] * tick_us / r["requests"] if r["requests"] > 0 else 0.0
    print(f"{peer:<8} {c:>5} {r['rps']:>10.0f} {r['p50_us']:>8.0f} {r['p99_us']:>8.0f} {errors:>7} "
          f"{cpu:>18.1f}")

targets = [("python", 20.0), ("ort", 1.5), ("nginx", 0.5)]
concs = sorted({c for _, c in rows})
for ours in ("ads", "kserve"):
    if not any(p == ours for p, _ in rows):
        continue
    print()
    for peer, target in targets:
        for c in concs:
            a, p = rows.get((ours, c)), rows.get((peer, c))
            if a and p and p["rps"] > 0:
                ratio = a["rps"] / p["rps"]
                met = "met" if ratio >= target else "NOT met"
                print(f"{ours}/{peer:<7} c={c:<3} {ratio:8.2f}  (target >= {target}: {met})")
    a16 = rows.get((ours, 16))
    if a16:
        met = "met" if a16["p99_us"] <= 2000 else "NOT met"
        print(f"{ours} p99 at c=16: {a16['p99_us'] / 1000:.2f} ms  (target <= 2 ms: {met})")
sys.exit(1 if bad else 0)
EOF
