#!/bin/sh
# docs/ops.md is the output of `omc --list-ops --format markdown`.
#   ops_doc.sh OMC DOC            rewrite DOC (the CMake target docs_ops)
#   ops_doc.sh OMC DOC --check    fail with a diff when DOC is stale (the ctest docs.ops)
set -eu
OMC=$1
DOC=$2
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
"$OMC" --list-ops --format markdown >"$tmp"
if [ "${3:-}" = "--check" ]; then
    if ! diff -u "$DOC" "$tmp"; then
        echo "docs/ops.md is stale: regenerate it with 'cmake --build <build> --target docs_ops' and commit it"
        exit 1
    fi
    echo "docs/ops.md is up to date ($(grep -c '^| [A-Z]' "$DOC") ops)"
    exit 0
fi
mkdir -p "$(dirname "$DOC")"
cp "$tmp" "$DOC"
echo "wrote $DOC"
