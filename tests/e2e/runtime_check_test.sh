#!/bin/sh
# A run-time shape check through the real tools, as a user meets it:
#
#   Reshape(data f32[2,3,4], shape i64[4])  with `shape` a GRAPH INPUT (not a constant)
#   and the output declared f32[2,3,2,2]
#
# omc compiles the declared shape and a kernel that checks the run-time shape values
# against it. omrun with shape [2,3,2,2] must give numpy's reshape; with [4,3,2,1] (same
# element count, other shape) it must fail cleanly: exit status 1..127, one stderr line
# naming the node, the op and the failed check, and no output file. omdump lists the
# step's label (format 1.1) in text and JSON.
#
# Environment (tests/e2e/CMakeLists.txt): OMC OMRUN OMDUMP (the tools), PYTHON
# (/usr/bin/python3 with onnx and numpy), WORK (scratch folder, emptied first).
set -u
: "${OMC:?}" "${OMRUN:?}" "${OMDUMP:?}" "${PYTHON:?}" "${WORK:?}"
rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK" || exit 1

fail() {
    echo "FAIL [runtime_check]: $*" >&2
    exit 1
}

"$PYTHON" - <<'EOF' || fail "could not build the model with $PYTHON (needs onnx and numpy)"
import numpy as np
import onnx
from onnx import TensorProto, helper

node = helper.make_node("Reshape", ["data", "shape"], ["y"], name="reshape_y")
graph = helper.make_graph(
    [node], "runtime_check",
    [helper.make_tensor_value_info("data", TensorProto.FLOAT, [2, 3, 4]),
     helper.make_tensor_value_info("shape", TensorProto.INT64, [4])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3, 2, 2])])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])
onnx.checker.check_model(model)
onnx.save(model, "model.onnx")

data = (np.arange(24, dtype=np.float32) * 0.5 - 3.0).reshape(2, 3, 4)
np.save("data.npy", data)
np.save("shape_ok.npy", np.array([2, 3, 2, 2], dtype=np.int64))
np.save("shape_ok0.npy", np.array([0, 3, -1, 2], dtype=np.int64))  # 0 copies, -1 infers
np.save("shape_bad.npy", np.array([4, 3, 2, 1], dtype=np.int64))
np.save("expected.npy", data.reshape(2, 3, 2, 2))
EOF

"$OMC" model.onnx -o model.om 2>omc_err.txt || fail "omc failed: $(cat omc_err.txt)"
[ -s model.om ] || fail "omc wrote no model.om"
echo "omc: compiled model.om ($(wc -c <model.om) bytes)"

# omdump names the step (format 1.1 labels), in text and JSON
"$OMDUMP" model.om >dump.txt 2>&1 || fail "omdump failed"
grep -q "node 'reshape_y' (Reshape)" dump.txt || fail "omdump's steps do not show the label node 'reshape_y' (Reshape)"
"$OMDUMP" model.om --format json >dump.json 2>&1 || fail "omdump --format json failed"
"$PYTHON" - <<'EOF' || fail "omdump's JSON has no step label"
import json
steps = json.load(open("dump.json"))["plan"]["steps"]
labels = [s.get("label") for s in steps]
assert "node 'reshape_y' (Reshape)" in labels, labels
EOF
echo "omdump: steps carry the label node 'reshape_y' (Reshape)"

# values that agree with the declared shape: numpy's result
for shape in shape_ok shape_ok0; do
    "$OMRUN" model.om --input data.npy,$shape.npy --output "out_$shape" >run.txt 2>err.txt ||
        fail "omrun with $shape.npy exited $?: $(cat err.txt)"
    "$PYTHON" - "out_$shape/y.npy" <<'EOF' || fail "omrun's output with $shape.npy differs from numpy's reshape"
import sys
import numpy as np
got, want = np.load(sys.argv[1]), np.load("expected.npy")
assert got.dtype == want.dtype and got.shape == want.shape, (got.dtype, got.shape)
assert np.array_equal(got, want), (got, want)
EOF
    echo "omrun $shape: output equals numpy's reshape"
done

# values that disagree: a clean failure naming the node and the check, no output file
for loop in 1 3; do
    "$OMRUN" model.om --input data.npy,shape_bad.npy --output out_bad --loop $loop >out.txt 2>err.txt
    rc=$?
    echo "omrun shape_bad (--loop $loop): exit $rc; stderr: $(cat err.txt)"
    [ "$rc" -ne 0 ] || fail "omrun accepted shape [4,3,2,1] for a model compiled for [2,3,2,2]"
    [ "$rc" -lt 128 ] || fail "omrun exit status $rc: killed by a signal (crash)"
    lines=$(grep -c '' err.txt)
    [ "$lines" -eq 1 ] || fail "expected exactly one line on stderr, got $lines"
    grep -q "node 'reshape_y' (Reshape)" err.txt || fail "the error does not name node 'reshape_y' (Reshape)"
    grep -q "run-time shape input" err.txt || fail "the error does not name the failed check"
    if [ "$loop" -gt 1 ]; then
        grep -q "run 1 of $loop" err.txt || fail "the error does not say which run failed"
    fi
    [ ! -e out_bad/y.npy ] || fail "omrun left out_bad/y.npy behind after a failed run"
done
echo "PASS [runtime_check]"
