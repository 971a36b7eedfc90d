#!/bin/sh
# The AscendCL sample end to end against an installed omc:
#   1. cmake --install the build tree into a fresh prefix (AscendCL's layout under it);
#   2. the headers compile as C (gcc -std=c11 -Wall -Werror) and the sample builds with its
#      plain CMakeLists.txt pointed at the prefix (-DASCEND_TOOLKIT_HOME);
#   3. omc compiles models/cnn_small; the sample runs it on input.npy's bytes (libascendcl.so
#      from <prefix>/runtime/lib64) and prints the top-5;
#   4. omrun runs the same model and input; top-5 of its prob.npy must match the sample's
#      lines exactly.
# Environment: CMAKE BUILD_DIR OMC OMRUN PYTHON SAMPLE_DIR MODELS WORK.
set -eu
: "${CMAKE:?}" "${BUILD_DIR:?}" "${OMC:?}" "${OMRUN:?}" "${PYTHON:?}" "${SAMPLE_DIR:?}"
: "${MODELS:?}" "${WORK:?}"
rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK"
PREFIX=$WORK/prefix

echo "\$ cmake --install $BUILD_DIR --prefix $PREFIX"
"$CMAKE" --install "$BUILD_DIR" --prefix "$PREFIX" > install.log
for f in runtime/include/acl/acl.h runtime/include/acl/acl_base.h runtime/include/acl/acl_rt.h \
         runtime/include/acl/acl_mdl.h; do
    test -f "$PREFIX/$f" || { echo "missing $PREFIX/$f"; exit 1; }
done
for d in runtime/lib64 runtime/lib64/stub; do
    for l in libascendcl.so libacl_cblas.so libacl_dvpp.so; do
        test -f "$PREFIX/$d/$l" || { echo "missing $PREFIX/$d/$l"; exit 1; }
    done
done

printf '#include "acl/acl.h"\nint main(void) { return aclGetRecentErrMsg() == 0; }\n' > c_check.c
gcc -std=c11 -Wall -Wextra -Werror -pedantic -I"$PREFIX/runtime/include" -c c_check.c -o c_check.o
echo "headers compile as C11"

echo "\$ cmake -S $SAMPLE_DIR -B sample-build -DASCEND_TOOLKIT_HOME=$PREFIX"
"$CMAKE" -S "$SAMPLE_DIR" -B sample-build -DASCEND_TOOLKIT_HOME="$PREFIX" \
    -DCMAKE_CXX_FLAGS="-Wall -Wextra -Werror" > sample-config.log
"$CMAKE" --build sample-build > sample-build.log 2>&1 || { cat sample-build.log; exit 1; }

"$OMC" "$MODELS/cnn_small/model.onnx" -o cnn_small.om
"$PYTHON" -c "import numpy as np, sys; np.load(sys.argv[1]).astype('<f4').tofile(sys.argv[2])" \
    "$MODELS/cnn_small/input.npy" input.bin

echo "\$ acl_sample cnn_small.om input.bin"
LD_LIBRARY_PATH=$PREFIX/runtime/lib64 ./sample-build/acl_sample cnn_small.om input.bin > sample.out
cat sample.out
grep '^top ' sample.out > sample.top5
test "$(wc -l < sample.top5)" -eq 5

echo "\$ omrun cnn_small.om --input input.npy --output out"
"$OMRUN" cnn_small.om --input "$MODELS/cnn_small/input.npy" --output out > omrun.out
"$PYTHON" - out/prob.npy > omrun.top5 <<'PY'
import sys
import numpy as np
v = np.load(sys.argv[1]).astype(np.float32).reshape(-1)
order = sorted(range(v.size), key=lambda i: (-float(v[i]), i))
for k, i in enumerate(order[:5]):
    print("top %d: index[%d] value[%.6f]" % (k + 1, i, float(v[i])))
PY
echo "omrun top-5:"
cat omrun.top5
diff sample.top5 omrun.top5
echo "same top-5"
