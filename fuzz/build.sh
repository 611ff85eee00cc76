#!/bin/sh
# Builds the libFuzzer targets with clang++ into build-fuzz/ (outside CMake,
# so the normal gcc build is unaffected) and seeds the model corpus from
# libonnx-testdata models and tests/data/engine/ml.
#
#   fuzz/build.sh                  # build; JOBS=2 to compile in parallel
#   build-fuzz/model_fuzzer -fork=1 -ignore_crashes=1 -max_total_time=600 \
#       -artifact_prefix=build-fuzz/crashes/ build-fuzz/corpus
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$ROOT/build-fuzz}
JOBS=${JOBS:-1}
CXX=${CXX:-clang++}
FLAGS="-std=c++20 -g -O1 -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
FLAGS="$FLAGS -fsanitize=fuzzer-no-link,address,undefined -DONNX_ML=1 -DONNX_NAMESPACE=onnx"
FLAGS="$FLAGS -I$ROOT/src"
mkdir -p "$OUT/obj" "$OUT/corpus" "$OUT/crashes"

SOURCES=$(ls "$ROOT"/src/engine/*.cc "$ROOT"/src/engine/kernels/*.cc | grep -v '_test\.cc$')
SOURCES="$SOURCES $ROOT/src/base/status.cc $ROOT/src/base/strings.cc $ROOT/src/base/env.cc"
for src in $SOURCES; do
  obj="$OUT/obj/$(echo "${src#$ROOT/src/}" | tr / _).o"
  if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ]; then
    echo "$src $obj"
  fi
done | xargs -r -P "$JOBS" -n 2 sh -c "$CXX $FLAGS -c \"\$0\" -o \"\$1\" || exit 255"

$CXX $FLAGS -fsanitize=fuzzer -c "$ROOT/fuzz/model_fuzzer.cc" -o "$OUT/obj/model_fuzzer.o"
$CXX -fsanitize=fuzzer,address,undefined -o "$OUT/model_fuzzer" "$OUT/obj/"*.o \
  -lonnx_proto -lprotobuf -lpthread
$CXX $FLAGS -fsanitize=fuzzer -o "$OUT/http_request_fuzzer" "$ROOT/fuzz/http_request_fuzzer.cc" "$ROOT/src/http/parser.cc" "$ROOT/src/http/message.cc" "$ROOT/src/base/strings.cc" "$ROOT/src/base/status.cc"

# Seed corpus: every libonnx-testdata model plus our ai.onnx.ml cases.
for m in /usr/share/libonnx-testdata/data/*/*/model.onnx "$ROOT"/tests/data/engine/ml/*/model.onnx; do
  [ -f "$m" ] || continue
  cp "$m" "$OUT/corpus/$(basename "$(dirname "$m")").onnx"
done
echo "built $OUT/model_fuzzer; corpus: $(ls "$OUT/corpus" | wc -l) models"
