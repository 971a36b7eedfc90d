#!/bin/sh
# Runs one of the repo's models end to end through the real tools, as a user would:
#   model_test.sh NAME [OMC_ARGS...]
# omc models/NAME/model.onnx -o NAME.om [OMC_ARGS], then omrun --input input.npy --output
# DIR (once single-threaded, once with --threads 2), and npy_compare of DIR/prob.npy with
# models/NAME/expected.npy (made by models/make_models.py's numpy reference).
# Environment: OMC OMRUN NPY_COMPARE MODELS WORK (set by tests/e2e/CMakeLists.txt).
set -eu
NAME=$1
shift
: "${WORK:?}" "${MODELS:?}"
rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK"
M=$MODELS/$NAME

echo "\$ omc $M/model.onnx -o $NAME.om $*"
"$OMC" "$M/model.onnx" -o "$NAME.om" "$@"
for threads in 1 2; do
    echo "\$ omrun $NAME.om --input input.npy --output out$threads --threads $threads"
    "$OMRUN" "$NAME.om" --input "$M/input.npy" --output "out$threads" --threads "$threads"
    ls "out$threads"
    "$NPY_COMPARE" --rtol 1e-3 --atol 1e-6 "out$threads/prob.npy" "$M/expected.npy"
done
