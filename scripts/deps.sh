#!/usr/bin/env bash
# Installs what Confab needs on Debian 12. Run as root.
#   deps.sh          build and run dependencies
#   deps.sh --test   plus what the test suite needs (Chromium, Node.js, clang for fuzzing)
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_PKGS=(build-essential cmake pkg-config libglib2.0-dev libnice-dev libsrtp2-dev libssl-dev
            libmicrohttpd-dev libjansson-dev)
TEST_PKGS=(chromium iproute2 util-linux clang libclang-rt-14-dev procps)

want=("${BUILD_PKGS[@]}")
if [[ "${1:-}" == "--test" ]]; then
    want+=("${TEST_PKGS[@]}")
    command -v node >/dev/null 2>&1 || want+=(nodejs)
    command -v npm >/dev/null 2>&1 || want+=(npm)
fi

missing=()
for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [[ "${1:-}" == "--test" ]]; then
    (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
fi
