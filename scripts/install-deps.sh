#!/bin/sh
# Installs the Debian 12 packages omc needs to build and test. Idempotent: when every
# package is already installed it changes nothing and needs no network; otherwise it runs
# `apt-get update` once and installs only the missing ones (with sudo when not root).
set -eu

PACKAGES="cmake gcc make llvm-19-dev llvm-19-tools libprotobuf-c-dev protobuf-c-compiler \
libonnx-dev libcmocka-dev python3-onnx python3-numpy libonnx-testdata binutils"

missing=""
for p in $PACKAGES; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$status" in
        *"install ok installed"*) ;;
        *) missing="$missing $p" ;;
    esac
done

if [ -z "$missing" ]; then
    echo "install-deps: all packages present"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "install-deps: missing packages:$missing (run as root or install sudo)" >&2
    exit 1
fi

echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
