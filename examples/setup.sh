#!/bin/sh
# Installs what holdfast needs from Debian's packages (only what is
# missing) and builds it into build/. Run from anywhere in the checkout, as
# root or as a user with sudo. Used by examples/demo.sh and test/run.sh.
set -eu

cd "$(dirname "$0")/.."

packages="gcc libc6-dev pkg-config meson ninja-build libuv1-dev libhttp-parser-dev libinih-dev python3 curl"
[ -n "${HOLDFAST_EXTRA_PACKAGES:-}" ] && packages="$packages $HOLDFAST_EXTRA_PACKAGES"

missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done

if [ -n "$missing" ]; then
    if [ "$(id -u)" -eq 0 ]; then
        sudo=""
    elif command -v sudo >/dev/null 2>&1; then
        sudo="sudo"
    else
        echo "setup: need root or sudo to install:$missing" >&2
        exit 1
    fi
    echo "setup: installing$missing"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

build=${HOLDFAST_BUILD_DIR:-build}
if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" ${HOLDFAST_MESON_ARGS:-} >/dev/null
fi
ninja -C "$build" >/dev/null
echo "setup: built $build/holdfast"
