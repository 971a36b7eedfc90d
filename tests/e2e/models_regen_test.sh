#!/bin/sh
# models/make_models.py is the source of the committed models: its numpy reference ops
# agree with ONNX's backend test data (--self-check), and running it again reproduces the
# committed files byte for byte.
# Environment: PYTHON (/usr/bin/python3 with python3-onnx and python3-numpy), MODELS, WORK.
set -eu
: "${WORK:?}" "${MODELS:?}" "${PYTHON:?}"
rm -rf "$WORK"
mkdir -p "$WORK"
"$PYTHON" "$MODELS/make_models.py" --self-check
"$PYTHON" "$MODELS/make_models.py" "$WORK"
for m in mlp cnn_small; do
    for f in model.onnx input.npy expected.npy; do
        cmp "$WORK/$m/$f" "$MODELS/$m/$f"
    done
done
echo "regenerated files are identical to the committed ones"
