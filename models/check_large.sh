#!/bin/sh
# Issue 4's acceptance check on the large models (minutes; not part of ctest):
#   models/check_large.sh BUILD_DIR [WORK_DIR]
# Generates ResNet-50 and the BERT-base encoder (make_models.py --large) into WORK_DIR
# (default BUILD_DIR/large; the .onnx files are never committed), compiles each with the
# default pipeline (--stats) and without the rewrite passes, runs both on the model's
# input.npy and checks:
#   - omdump shows no BatchNormalization (ResNet-50), LayerNormalization and Gelu
#     recognized (BERT; a Gelu may sit in a MatMul's fused epilogue: om_activation = "Gelu"),
#   - the arena is at most 1.25x the peak of simultaneously live bytes (ResNet-50),
#   - outputs with and without the passes agree within rtol 1e-3 (atol 1e-5).
set -eu
B=$(cd "$1" && pwd)
W=${2:-$B/large}
PY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$W"
cd "$W"
[ -f resnet50/model.onnx ] && [ -f bert/model.onnx ] || $PY "$HERE/make_models.py" --large "$W" resnet50 bert
OFF="--disable-pass simplify --disable-pass cse --disable-pass fold-batchnorm --disable-pass fold-mul-add"
OFF="$OFF --disable-pass matmul-add-to-gemm --disable-pass layernorm-fusion --disable-pass gelu-fusion"
fail() { echo "FAIL: $*"; exit 1; }
for m in resnet50 bert; do
    echo "== $m"
    "$B/tools/omc" $m/model.onnx -o $m.om --stats 2>$m.stats || fail "omc $m"
    grep -v ' = 0$' $m.stats
    # shellcheck disable=SC2086
    "$B/tools/omc" $m/model.onnx -o ${m}_base.om $OFF || fail "omc $m without the passes"
    "$B/tools/omdump" $m.om >$m.dump
    sed -n '/^memory plan:/,+2p' $m.dump
    "$B/tools/omrun" $m.om --input $m/input.npy --output out_$m >/dev/null
    "$B/tools/omrun" ${m}_base.om --input $m/input.npy --output out_${m}_base >/dev/null
    $PY - "$m" <<'PYEOF' || fail "$m outputs differ"
import glob, os, sys
import numpy as np
m = sys.argv[1]
total = 0
for f in sorted(glob.glob("out_%s/*.npy" % m)):
    a = np.load(f); b = np.load(os.path.join("out_%s_base" % m, os.path.basename(f)))
    d = np.abs(a.astype(np.float64) - b)
    bad = int((d > 1e-3 * np.abs(b) + 1e-5).sum())
    print("%s %s: max abs diff %.3g, %d elements outside rtol 1e-3" % (m, os.path.basename(f), d.max(), bad))
    total += bad
sys.exit(1 if total else 0)
PYEOF
done
grep -q 'BatchNormalization(' resnet50.dump && fail "resnet50 still has BatchNormalization"
ratio=$(sed -n 's/.*arena\/peak \([0-9.]*\)).*/\1/p' resnet50.dump)
$PY -c "import sys; sys.exit(0 if float('$ratio') <= 1.25 else 1)" || fail "resnet50 arena/peak $ratio > 1.25"
grep -q 'LayerNormalization(' bert.dump || fail "bert: no LayerNormalization"
grep -Eq 'Gelu\(|om_activation = "Gelu"' bert.dump || fail "bert: no Gelu"
echo "resnet50: no BatchNormalization, arena/peak $ratio; bert: $(grep -c 'LayerNormalization(' bert.dump) LayerNormalization," \
     "$(grep -Ec 'Gelu\(|om_activation = "Gelu"' bert.dump) Gelu"
echo PASS
