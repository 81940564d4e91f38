#!/usr/bin/env bash
# Installs dependencies, builds Confab and starts it on http://localhost:8080.
# Extra arguments go to confab (see `confab --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONFAB_E2E=OFF >/dev/null
cmake --build build -j"$(nproc)" --target confab
exec ./build/signaling/confab "$@"
