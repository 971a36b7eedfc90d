#!/bin/sh
# The demo: installs the dependencies, builds omc (Release) into build/, converts the small
# CNN shipped in models/cnn_small with omc, runs it 20 times with omrun and prints the
# output and the time per inference, then checks the output against the numpy reference
# stored next to the model (models/cnn_small/expected.npy). Needs no Python.
# Usage: scripts/demo.sh        (from anywhere; BUILD_DIR overrides build/)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
JOBS=${JOBS:-2}
MODEL=$ROOT/models/cnn_small

"$ROOT/scripts/install-deps.sh"
cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release
cmake --build "$BUILD_DIR" -j"$JOBS" --target omc omrun omdump npy_compare

OUT=$BUILD_DIR/demo
rm -rf "$OUT"
mkdir -p "$OUT"
run() {
    echo "\$ $*" | sed "s#$ROOT/##g"
    "$@"
}
echo
echo "== convert: ONNX -> .om"
run "$BUILD_DIR/tools/omc" "$MODEL/model.onnx" -o "$OUT/cnn_small.om"
run "$BUILD_DIR/tools/omdump" "$OUT/cnn_small.om" | sed -n '1,/^outputs:/{/^features:/d;p}; /^outputs:/,/^$/p' | uniq
echo
echo "== run: 20 inferences on models/cnn_small/input.npy"
run "$BUILD_DIR/tools/omrun" "$OUT/cnn_small.om" --input "$MODEL/input.npy" --loop 20
run "$BUILD_DIR/tools/omrun" "$OUT/cnn_small.om" --input "$MODEL/input.npy" --output "$OUT/out" >/dev/null
echo
echo "== check against the numpy reference (models/cnn_small/expected.npy)"
run "$BUILD_DIR/tests/e2e/npy_compare" "$OUT/out/prob.npy" "$MODEL/expected.npy"
