#!/bin/sh
# Installs the dependencies, configures and builds omc into build/ and runs every test
# (unit, end-to-end on ONNX's backend test data and the repo's models, tool behaviour).
# Usage: scripts/test.sh        (from anywhere; BUILD_DIR overrides build/)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
JOBS=${JOBS:-2}

"$ROOT/scripts/install-deps.sh"
cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release
cmake --build "$BUILD_DIR" -j"$JOBS"
cd "$BUILD_DIR"
ctest --output-on-failure -j"$JOBS"

# ThreadSanitizer: the runtime's and the AscendCL facade's tests (label `runtime`) in a
# second tree built with -DOMC_TSAN=ON (only those targets are built).
TSAN_BUILD_DIR=${TSAN_BUILD_DIR:-$BUILD_DIR-tsan}
cmake -S "$ROOT" -B "$TSAN_BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOMC_TSAN=ON
cmake --build "$TSAN_BUILD_DIR" -j"$JOBS" --target om_runtime_tests
cd "$TSAN_BUILD_DIR"
# without address randomization when possible (TSan rejects some high-entropy layouts)
NORAND=""
if setarch "$(uname -m)" -R true 2>/dev/null; then NORAND="setarch $(uname -m) -R"; fi
$NORAND ctest -L runtime --output-on-failure -j"$JOBS"

# AddressSanitizer + UndefinedBehaviorSanitizer (and LeakSanitizer): the runtime's tests and
# the hostile-input tests (damaged artifacts, ONNX models and IR text through the tools:
# tools.*, fuzz.onnx, fuzz.ir) in a third tree built with -DOMC_SANITIZE=ON.
# allocator_may_return_null: a damaged artifact may ask for terabytes, and the runtime must
# see NULL as it would from malloc.
ASAN_BUILD_DIR=${ASAN_BUILD_DIR:-$BUILD_DIR-asan}
cmake -S "$ROOT" -B "$ASAN_BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOMC_SANITIZE=ON
cmake --build "$ASAN_BUILD_DIR" -j"$JOBS" --target om_runtime_tests omc omrun omdump om_patch om_fuzz npy_compare
cd "$ASAN_BUILD_DIR"
export ASAN_OPTIONS=allocator_may_return_null=1
ctest -L runtime --output-on-failure -j"$JOBS"
ctest -R '^tools\.|^fuzz\.' -E '^tools\.install$' --output-on-failure -j"$JOBS"
