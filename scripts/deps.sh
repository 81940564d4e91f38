#!/usr/bin/env bash
# Installs what Confab needs on Debian 12. Run as root.
#   deps.sh          build and run dependencies
#   deps.sh --test   plus what the test suite needs (Chromium, Node.js, clang for fuzzing)
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_PKGS=(build-essential cmake pkg-config libglib2.0-dev libnice-dev libsrtp2-dev libssl-dev
            libmicrohttpd-dev libjansson-dev)
TEST_PKGS=(chromium iproute2 util-linux clang libclang-rt-14-dev procps janus curl
           stun-client coturn iptables)

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
    # Packages with a service (janus, coturn) must not start it on the host network:
    # tests start their own copy inside a private network namespace.
    policy=/usr/sbin/policy-rc.d
    own_policy=0
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && own_policy=1
    fi
    apt-get install -y -q --no-install-recommends "${missing[@]}"
    if ((own_policy)); then rm -f "$policy"; fi
fi
# Never leave a packaged janus or coturn running outside a test's namespace.
for svc in janus coturn; do
    if command -v systemctl >/dev/null 2>&1 && systemctl is-enabled $svc >/dev/null 2>&1; then
        systemctl disable --now $svc >/dev/null 2>&1 || true
    fi
done

scripts/srtp.sh

if [[ "${1:-}" == "--test" ]]; then
    (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
fi
