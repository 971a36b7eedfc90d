#!/bin/sh
# Nothing is skipped silently: every candidate case of the ops issue 2 lists
# (DATA/node/test_<op> and test_<op>_*) must appear in exactly one of expected_pass.txt and
# known_fail.txt (the latter with a reason), and every listed case must exist.
#   check_lists.sh DATA_DIR EXPECTED_PASS KNOWN_FAIL
set -eu
DATA=$1
PASS=$2
FAIL=$3
OPS='add|sub|mul|div|relu|sigmoid|tanh|clip|matmul|gemm|conv|maxpool|averagepool|globalaveragepool|flatten|reshape|transpose|concat|softmax|batchnorm'

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ls "$DATA/node" | grep -E "^test_($OPS)(_.*)?\$" | sort >"$tmp/candidates"
grep -v -e '^#' -e '^[[:space:]]*$' "$PASS" | awk '{print $1}' | sort >"$tmp/pass"
grep -v -e '^#' -e '^[[:space:]]*$' "$FAIL" | awk '{print $1}' | sort >"$tmp/fail"
status=0

noreason=$(grep -v -e '^#' -e '^[[:space:]]*$' "$FAIL" | awk 'NF < 2 {print $1}')
if [ -n "$noreason" ]; then
    echo "known_fail.txt entries without a reason: $noreason"
    status=1
fi
dups=$(cat "$tmp/pass" "$tmp/fail" | uniq -d)
if [ -n "$dups" ]; then
    echo "listed twice: $dups"
    status=1
fi
cat "$tmp/pass" "$tmp/fail" | sort -u >"$tmp/listed"
unlisted=$(comm -23 "$tmp/candidates" "$tmp/listed")
if [ -n "$unlisted" ]; then
    echo "candidate cases in neither list: $unlisted"
    status=1
fi
for c in $(cat "$tmp/listed"); do
    case "$c" in */*) d=$DATA/$c ;; *) d=$DATA/node/$c ;; esac
    if [ ! -f "$d/model.onnx" ]; then
        echo "listed case does not exist: $d"
        status=1
    fi
done
echo "$(wc -l <"$tmp/candidates") candidate cases: $(comm -12 "$tmp/candidates" "$tmp/pass" | wc -l) expected to pass, $(comm -12 "$tmp/candidates" "$tmp/fail" | wc -l) known failures; $(comm -23 "$tmp/pass" "$tmp/candidates" | wc -l) more passing cases of the suite listed"
exit $status
