#!/bin/sh
# Tool behaviour tests, one ctest per CASE:  tools_test.sh CASE
#
# Environment (set by tests/e2e/CMakeLists.txt): OMC OMRUN OMDUMP (the tools), OM_PATCH
# (tests/e2e/om_patch.c), NPY_COMPARE, LIBOMRT (path of libomrt.so), MODELS (the repo's
# models/ folder), WORK (a scratch folder of this test; emptied first), PYTHON
# (/usr/bin/python3), READELF, BUILD_ROOT (the build folder, for cmake --install), E2E_SRC
# (this folder).
#
# Conventions checked for every failure case: a non-zero exit status below 128 (no crash,
# no abort), exactly one line on stderr, naming the problem (a keyword per case), and no
# output file left behind.
set -u

CASE=$1
: "${WORK:?}" "${MODELS:?}"
rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK" || exit 1
CNN=$MODELS/cnn_small/model.onnx
MLP=$MODELS/mlp/model.onnx

fail() {
    echo "FAIL [$CASE]: $*" >&2
    exit 1
}

# run_expect_error KEYWORD_REGEX CMD... : the command must fail cleanly with one stderr line
# matching KEYWORD_REGEX (case-insensitive extended regex).
run_expect_error() {
    re=$1
    shift
    "$@" >out.txt 2>err.txt
    rc=$?
    echo "\$ $*"
    echo "exit $rc; stderr:"
    cat err.txt
    [ "$rc" -ne 0 ] || fail "expected a non-zero exit status"
    [ "$rc" -lt 128 ] || fail "exit status $rc: killed by a signal (crash)"
    lines=$(grep -c '' err.txt)
    [ "$lines" -eq 1 ] || fail "expected exactly one line on stderr, got $lines"
    grep -Eiq -- "$re" err.txt || fail "stderr does not match /$re/"
}

compile_cnn() {
    "$OMC" "$CNN" -o cnn.om || fail "omc failed on $CNN"
    [ -s cnn.om ] || fail "omc wrote no cnn.om"
}

case "$CASE" in
help)
    for t in "$OMC" "$OMRUN" "$OMDUMP"; do
        "$t" --help >help.txt 2>&1 || fail "$t --help exited $?"
        [ -s help.txt ] || fail "$t --help printed nothing"
        grep -qi usage help.txt || fail "$t --help has no usage line"
        echo "$(basename "$t") --help: $(head -n1 help.txt)"
    done
    ;;
truncated_onnx)
    size=$(wc -c <"$CNN")
    head -c $((size / 2)) "$CNN" >trunc.onnx
    run_expect_error 'trunc|pars|decod|invalid|protobuf|onnx' "$OMC" trunc.onnx -o trunc.om
    [ ! -e trunc.om ] || fail "omc left trunc.om behind"
    leftovers=$(ls -A | grep -v -e '^trunc.onnx$' -e '^out.txt$' -e '^err.txt$' || true)
    [ -z "$leftovers" ] || fail "omc left files behind: $leftovers"
    ;;
om_bad_magic)
    compile_cnn
    "$OM_PATCH" magic cnn.om bad.om || fail "om_patch"
    run_expect_error 'magic' "$OMRUN" bad.om --output outdir
    run_expect_error 'magic' "$OMDUMP" bad.om
    ;;
om_truncated)
    compile_cnn
    size=$(wc -c <cnn.om)
    "$OM_PATCH" truncate cnn.om short.om $((size - 100)) || fail "om_patch"
    run_expect_error 'truncat' "$OMRUN" short.om --output outdir
    run_expect_error 'truncat' "$OMDUMP" short.om
    "$OM_PATCH" truncate cnn.om header.om 40 || fail "om_patch"
    run_expect_error 'truncat|short|header' "$OMRUN" header.om --output outdir
    ;;
om_bad_checksum)
    compile_cnn
    "$OM_PATCH" flip cnn.om flipped.om || fail "om_patch"
    cmp -s cnn.om flipped.om && fail "om_patch changed nothing"
    run_expect_error 'checksum|crc' "$OMRUN" flipped.om --output outdir
    run_expect_error 'checksum|crc' "$OMDUMP" flipped.om
    ;;
om_major_version)
    compile_cnn
    "$OM_PATCH" major cnn.om v2.om || fail "om_patch"
    run_expect_error 'version' "$OMRUN" v2.om --output outdir
    grep -Eiq 'checksum|crc' err.txt && fail "the CRC check fired, not the version check"
    run_expect_error 'version' "$OMDUMP" v2.om
    ;;
om_cpu_features)
    compile_cnn
    # A feature this machine lacks, spelled as the runtime's cpuid table names it
    # (runtime/cpu_features.c); /proc/cpuinfo spells some of them differently.
    flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true)
    missing=""
    for cand in avx512_fp16:avx512fp16 avx_vnni:avxvnni avx512_bf16:avx512bf16 \
                avx512_vbmi2:avx512vbmi2 avx512_vpopcntdq:avx512vpopcntdq gfni:gfni \
                avx512f:avx512f avx2:avx2; do
        case " $flags " in
            *" ${cand%%:*} "*) ;;
            *) missing=${cand#*:}; break ;;
        esac
    done
    if [ -n "$missing" ]; then
        "$OM_PATCH" features cnn.om nofeat.om "$missing" || fail "om_patch"
        run_expect_error "lacks.*$missing|$missing.*(lack|missing|not supported)" \
            "$OMRUN" nofeat.om --output outdir
        # omdump inspects an artifact made for another CPU and shows what it needs
        "$OMDUMP" nofeat.om >dump.txt || fail "omdump refused an artifact for another CPU"
        grep -q "$missing" dump.txt || fail "omdump does not show the required $missing"
    else
        echo "this CPU has every candidate feature; only the unknown-feature case is tested"
    fi
    # A feature name the runtime cannot check is refused too, never ignored.
    "$OM_PATCH" features cnn.om unknown.om "amx-fp16" || fail "om_patch"
    run_expect_error "amx-fp16" "$OMRUN" unknown.om --output outdir
    ;;
dynamic_dim_unpinned)
    # The MLP's input x has a symbolic batch dim.
    run_expect_error "'x'|input x" "$OMC" "$MLP" -o mlp.om
    grep -Eiq 'batch|dim' err.txt || fail "the message does not name the dim"
    [ ! -e mlp.om ] || fail "omc left mlp.om behind"
    leftovers=$(ls -A | grep -v -e '^out.txt$' -e '^err.txt$' || true)
    [ -z "$leftovers" ] || fail "omc left files behind: $leftovers"
    # an unwritable output folder is an error too, with nothing left behind
    run_expect_error 'no-such-dir|directory|cannot|open' "$OMC" "$CNN" -o no-such-dir/cnn.om
    ;;
runtime_deps)
    [ -f "$LIBOMRT" ] || fail "no $LIBOMRT"
    "$READELF" -d "$LIBOMRT" >dyn.txt || fail "readelf failed"
    grep NEEDED dyn.txt
    if grep NEEDED dyn.txt | grep -Eiq 'llvm|protobuf|onnx|stdc\+\+'; then
        fail "libomrt.so depends on LLVM/protobuf/C++"
    fi
    ;;
omdump_text)
    compile_cnn
    "$OMDUMP" cnn.om >dump.txt 2>err.txt || { cat err.txt; fail "omdump exited non-zero"; }
    head -n 60 dump.txt
    for want in x prob 'float|f32' Conv Softmax; do
        grep -Eq "$want" dump.txt || fail "omdump output lacks '$want'"
    done
    grep -Eiq 'target|triple' dump.txt || fail "omdump output shows no target"
    grep -Eiq 'arena|memory' dump.txt || fail "omdump output shows no memory plan"
    # format 1.2: CODE is stored compressed; the table shows stored and decoded sizes
    grep -Eq "^  CODE +[0-9]+ +[0-9]+ +[0-9]+ +64  [0-9a-f]{8} omlz$" dump.txt ||
        fail "omdump's section table shows no compressed CODE with its raw size"
    "$OMDUMP" "$CNN" >dump_onnx.txt 2>err.txt || { cat err.txt; fail "omdump model.onnx exited non-zero"; }
    grep -q Conv dump_onnx.txt || fail "omdump model.onnx shows no Conv"
    # format 1.1: each step shows the label a failed run-time check names
    grep -Eq " ; node '[^']*' \(Conv\)$" dump.txt || fail "omdump's steps show no label node '...' (Conv)"
    # a format 1.0 artifact has no labels: the listing has no label column
    "$OMDUMP" "$E2E_SRC/../unit/runtime/fixtures/model_v1_0.om" >dump10.txt 2>err.txt ||
        { cat err.txt; fail "omdump of the format 1.0 fixture exited non-zero"; }
    grep -q "add_f32" dump10.txt || fail "omdump of the format 1.0 fixture lists no steps"
    ! grep -q " ; " dump10.txt || fail "omdump shows a label column for a format 1.0 artifact"
    ;;
omdump_json)
    compile_cnn
    "$OMDUMP" --format json cnn.om >dump.json 2>err.txt || { cat err.txt; fail "omdump --format json exited non-zero"; }
    "$PYTHON" -m json.tool dump.json >pretty.json || fail "omdump --format json is not valid JSON"
    head -c 1500 pretty.json
    echo
    grep -q '"prob"' dump.json || fail "JSON lacks the output name"
    "$PYTHON" -c 'import json,sys; s=json.load(open("dump.json"))["plan"]["steps"]; assert s and all(" (" in x.get("label","") for x in s), s' ||
        fail "JSON steps lack their labels"
    "$PYTHON" -c 'import json,sys; c=[x for x in json.load(open("dump.json"))["sections"] if x["kind"]=="CODE"][0]; assert c["encoding"]=="omlz" and c["raw_size"]>c["size"]>0, c' ||
        fail "JSON sections lack CODE's encoding and raw size"
    "$OMDUMP" --format json "$CNN" >dump_onnx.json 2>err.txt || { cat err.txt; fail "omdump --format json model.onnx failed"; }
    "$PYTHON" -m json.tool dump_onnx.json >/dev/null || fail "omdump --format json model.onnx is not valid JSON"
    ;;
deterministic)
    "$OMC" "$CNN" -o a.om || fail "omc (1) failed"
    "$OMC" "$CNN" -o b.om || fail "omc (2) failed"
    cmp a.om b.om || fail "two compilations differ"
    "$OMC" "$MLP" --input-shape "x:2,64" -o c.om || fail "omc mlp (1) failed"
    "$OMC" "$MLP" --input-shape "x:2,64" -o d.om || fail "omc mlp (2) failed"
    cmp c.om d.om || fail "two compilations of the MLP differ"
    echo "byte-identical: $(wc -c <a.om) and $(wc -c <c.om) bytes"
    ;;
omc_modes)
    # --emit ir / llvm, --dump-ir, the ATC spelling, and IR text as input: the IR omc prints
    # compiles to an artifact that gives the same result as the ONNX model.
    "$OMC" "$CNN" --emit ir >cnn.ir || fail "omc --emit ir failed"
    grep -q '^graph "cnn_small"' cnn.ir || fail "--emit ir does not print the graph"
    grep -q 'Conv(' cnn.ir || fail "--emit ir shows no Conv"
    "$OMC" "$CNN" --emit llvm -o cnn.ll || fail "omc --emit llvm failed"
    grep -q '^define .*@om_k' cnn.ll || fail "--emit llvm has no kernel definitions"
    "$OMC" "$CNN" --dump-ir dumps -o dumped.om || fail "omc --dump-ir failed"
    [ -s dumps/01-propagate-declared-shapes.ir ] || fail "--dump-ir wrote no 01-propagate-declared-shapes.ir"
    [ -s dumps/02-infer-shapes.ir ] || fail "--dump-ir wrote no 02-infer-shapes.ir"
    ls dumps
    "$OMC" cnn.ir -o from_ir.om || fail "omc cannot compile its own IR text"
    "$OMRUN" from_ir.om --input "$MODELS/cnn_small/input.npy" --output out_ir >/dev/null || fail "omrun from_ir.om"
    "$NPY_COMPARE" --rtol 1e-3 --atol 1e-6 out_ir/prob.npy "$MODELS/cnn_small/expected.npy" || fail "IR round trip: wrong result"
    "$OMC" --model="$MLP" --framework=5 --output=atc --input_shape="x:2,64" --soc_version=Ascend310 2>note.txt || fail "ATC spelling failed"
    [ -s atc.om ] || fail "--output=atc did not write atc.om"
    "$OMRUN" atc.om --input "$MODELS/mlp/input.npy" --output out_atc >/dev/null || fail "omrun atc.om"
    "$NPY_COMPARE" --rtol 1e-3 --atol 1e-6 out_atc/prob.npy "$MODELS/mlp/expected.npy" || fail "ATC spelling: wrong result"
    ;;
omrun_modes)
    # zeros by default, seeded random data, --loop timing figures
    compile_cnn
    "$OMRUN" cnn.om --output zeros >/dev/null || fail "omrun on zeros failed"
    "$OMRUN" cnn.om --random 7 --output r1 >/dev/null || fail "omrun --random failed"
    "$OMRUN" cnn.om --random 7 --output r2 >/dev/null || fail "omrun --random failed"
    "$OMRUN" cnn.om --random 8 --output r3 >/dev/null || fail "omrun --random failed"
    cmp r1/prob.npy r2/prob.npy || fail "--random 7 is not deterministic"
    cmp -s r1/prob.npy r3/prob.npy && fail "--random 7 and --random 8 give the same output"
    cmp -s r1/prob.npy zeros/prob.npy && fail "--random gives the same output as zeros"
    "$OMRUN" cnn.om --loop 5 --threads 2 >loop.txt || fail "omrun --loop failed"
    cat loop.txt
    grep -q 'prob' loop.txt || fail "no output summary without --output"
    for w in average median min; do
        grep -q "$w" loop.txt || fail "--loop does not print the $w time"
    done
    # bfloat16 inputs and outputs: numpy has none, so float32 .npy in (rounded to nearest
    # even) and out (exact); y = Relu(x) + x, checked against numpy's own rounding
    if [ -n "${PYTHON:-}" ]; then
        "$PYTHON" - <<'PY' || fail "cannot make the bf16 model"
import numpy as np, onnx
from onnx import helper as h, TensorProto as T
g = h.make_graph([h.make_node("Relu", ["x"], ["r"]), h.make_node("Add", ["r", "x"], ["y"])], "bf",
                 [h.make_tensor_value_info("x", T.BFLOAT16, [2, 3])], [h.make_tensor_value_info("y", T.BFLOAT16, [2, 3])])
onnx.save(h.make_model(g, opset_imports=[h.make_opsetid("", 17)]), "bf.onnx")
np.save("bfx.npy", np.array([1.0, -2.0, 3.00390625, 0.1, -0.5, 1e-3], np.float32).reshape(2, 3))
np.save("bfx16.npy", np.zeros((2, 3), np.float16))
PY
        "$OMC" bf.onnx -o bf.om || fail "omc failed on the bf16 model"
        "$OMRUN" bf.om --input bfx.npy --output bfout > bf.txt || fail "omrun with a float32 .npy for a bf16 input failed"
        grep -q "bfloat16, written as float32" bf.txt || fail "omrun does not say the bf16 output became float32"
        "$PYTHON" - <<'PY' || fail "wrong bf16 result"
import numpy as np
x = np.load("bfx.npy")
b = ((x.view(np.uint32) + 0x7fff + ((x.view(np.uint32) >> 16) & 1)) & 0xffff0000).view(np.float32)  # to bf16, RNE
want = np.maximum(b, 0) + b
want = ((want.view(np.uint32) + 0x7fff + ((want.view(np.uint32) >> 16) & 1)) & 0xffff0000).view(np.float32)
y = np.load("bfout/y.npy")
assert y.dtype == np.float32 and y.shape == (2, 3), (y.dtype, y.shape)
assert np.array_equal(y, want), (y, want)
PY
        run_expect_error 'bf16.*float32' "$OMRUN" bf.om --input bfx16.npy
    fi
    ;;
install)
    # cmake --install into a fresh prefix; the installed tools convert and run the CNN, and
    # a user program builds against the installed header and library alone.
    cmake --install "$BUILD_ROOT" --prefix "$WORK/prefix" >install.log || { cat install.log; fail "cmake --install failed"; }
    P=$WORK/prefix
    for f in bin/omc bin/omrun bin/omdump include/omrt.h; do
        [ -e "$P/$f" ] || fail "not installed: $f"
    done
    lib=$(ls -d "$P"/lib*/libomrt.so 2>/dev/null | head -n1)
    [ -n "$lib" ] || fail "libomrt.so not installed"
    libdir=$(dirname "$lib")
    "$P/bin/omc" "$CNN" -o cnn.om || fail "installed omc failed"
    "$P/bin/omrun" cnn.om --input "$MODELS/cnn_small/input.npy" --output out || fail "installed omrun failed"
    "$NPY_COMPARE" --rtol 1e-3 --atol 1e-6 out/prob.npy "$MODELS/cnn_small/expected.npy" || fail "installed omrun: wrong result"
    # shellcheck disable=SC2086
    ${CC:-cc} ${USER_CFLAGS:-} -std=c11 -o user "$E2E_SRC/install_user.c" -I"$P/include" -L"$libdir" -lomrt \
        -Wl,-rpath,"$libdir" || fail "a user program does not build against the installed runtime"
    ./user cnn.om || fail "the user program failed"
    ;;
om_fuzz)
    # damaged tables with correct CRCs (tests/e2e/om_fuzz.c): every load ends in success or
    # an error message, never a crash or a sanitizer report; seeds fixed, so reruns repeat
    : "${OM_FUZZ:?}"
    compile_cnn
    "$OMC" "$MLP" --input-shape x:2,64 -o mlp.om || fail "omc failed on $MLP"
    "$OM_FUZZ" cnn.om 3000 1 > fuzz.txt 2>&1 || { cat fuzz.txt >&2; fail "om_fuzz on cnn.om"; }
    "$OM_FUZZ" mlp.om 3000 2 >> fuzz.txt 2>&1 || { cat fuzz.txt >&2; fail "om_fuzz on mlp.om"; }
    cat fuzz.txt
    grep -q " refused with a message" fuzz.txt || fail "om_fuzz printed no summary"
    # omdump reads what the runtime does not (the GRAPH text): the same damage, through it
    mkdir damaged
    "$OM_FUZZ" cnn.om 200 3 damaged > /dev/null 2>&1 || fail "om_fuzz could not write damaged artifacts"
    for f in damaged/*.om; do
        for format in text json; do
            "$OMDUMP" "$f" --format $format > /dev/null 2> err.txt
            rc=$?
            [ $rc -lt 128 ] || fail "omdump --format $format crashed on $f (status $rc)"
            [ $rc -eq 0 ] || [ "$(grep -c . err.txt)" -eq 1 ] || fail "omdump --format $format on $f: status $rc, stderr: $(cat err.txt)"
        done
    done
    ;;
*)
    fail "unknown case"
    ;;
esac
echo "PASS [$CASE]"
exit 0
