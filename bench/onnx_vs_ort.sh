#!/usr/bin/env bash
# Our engine (`ads onnx bench`) against onnxruntime-node 1.30.0 on the models of
# bench/models/make_bench_models.py, for batch 1 and 1000 and 1 and 2 threads.
# Prints a table: our median, ORT's median (both microseconds per run, measured
# in-process: ours around Session::Run, ORT's around session.run in Node, so ORT's
# includes ~6 us of JS/N-API overhead per call) and the ratio ORT/ours (> 1: we are
# faster).
#
#   bench/onnx_vs_ort.sh                 # builds build-bench/ (Release) if needed
#   ADS_BIN=build-h3/ads bench/onnx_vs_ort.sh
#   MODELS="rf_reg mlp" ITER1=2000 ITER1000=50 bench/onnx_vs_ort.sh
#
# Needs: cmake + g++ (to build ads), Debian's /usr/bin/python3 with python3-sklearn,
# python3-xgboost and python3-onnx (models), node + npm (the peer, installed from the
# npm registry into bench/peers/node_modules with --ignore-scripts).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build-bench}
ADS_BIN=${ADS_BIN:-$BUILD/ads}
MODEL_DIR=${MODEL_DIR:-$BUILD/models}
ITER1=${ITER1:-2000}        # timed runs at batch 1
ITER1000=${ITER1000:-30}    # timed runs at batch 1000
THREADS=${THREADS:-"1 2"}
BATCHES=${BATCHES:-"1 1000"}

log() { echo "onnx_vs_ort: $*" >&2; }

if [[ ! -x "$ADS_BIN" ]]; then
  log "building $ADS_BIN"
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DADS_BUILD_BENCH=ON \
      -DADS_BUILD_TESTS=OFF >/dev/null
  cmake --build "$BUILD" -j"$(nproc)" --target ads kernels_bench >/dev/null
fi

if [[ ! -d "$ROOT/bench/peers/node_modules/onnxruntime-node" ]]; then
  log "installing onnxruntime-node into bench/peers (npm ci --ignore-scripts)"
  (cd "$ROOT/bench/peers" && npm ci --ignore-scripts --no-audit --no-fund >/dev/null)
fi

if [[ ! -f "$MODEL_DIR/models.txt" ]]; then
  log "generating models into $MODEL_DIR"
  /usr/bin/python3 "$ROOT/bench/models/make_bench_models.py" --out "$MODEL_DIR" >&2
fi

# The value of key=<float> on the last line of a command's output.
field() { tail -n 1 | tr ' ' '\n' | sed -n "s/^$1=//p"; }

printf '%-8s %6s %7s %14s %14s %9s\n' model batch threads ours_us ort_us ort/ours
while read -r name input; do
  if [[ -n "${MODELS:-}" && " $MODELS " != *" $name "* ]]; then continue; fi
  for batch in $BATCHES; do
    iters=$ITER1
    [[ $batch == 1 ]] || iters=$ITER1000
    for threads in $THREADS; do
      ours=$("$ADS_BIN" onnx bench "$MODEL_DIR/$name.onnx" \
          --input "$input=$MODEL_DIR/$name.b$batch.pb" --threads "$threads" \
          --iterations "$iters" --warmup 10 | field median_us)
      ort=$(node "$ROOT/bench/peers/ort_bench.js" "$MODEL_DIR/$name.onnx" \
          --input "$input=$MODEL_DIR/$name.b$batch.npy" --threads "$threads" \
          --iterations "$iters" --warmup 10 | field median_us)
      ratio=$(awk -v a="$ort" -v b="$ours" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
      printf '%-8s %6s %7s %14s %14s %9s\n' "$name" "$batch" "$threads" "$ours" "$ort" "$ratio"
    done
  done
done < "$MODEL_DIR/models.txt"
