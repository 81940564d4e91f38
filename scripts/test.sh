#!/usr/bin/env bash
# Installs what the tests need, builds Confab three ways and runs every test:
#   1. release build: unit tests and browser end-to-end tests (ctest);
#   2. ASan+UBSan build: the same tests against the sanitized server;
#   3. libFuzzer build: each fuzz target for FUZZ_SECONDS (default 30).
# Ends with one "N passed, N failed" line; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
JOBS=$(nproc)
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
passed=0
failed=0

bash scripts/deps.sh --test || { echo "dependency installation failed"; exit 1; }

export LSAN_OPTIONS="suppressions=$ROOT/tests/lsan.supp:print_suppressions=0"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

# run_ctest NAME BUILD_DIR CMAKE_ARGS...
run_ctest() {
    local name=$1 dir=$2
    shift 2
    echo "== $name: configure and build"
    if ! cmake -S . -B "$dir" "$@" >"$dir.configure.log" 2>&1; then
        cat "$dir.configure.log"
        echo "== $name: configure FAILED"
        failed=$((failed + 1))
        return
    fi
    if ! cmake --build "$dir" -j"$JOBS"; then
        echo "== $name: build FAILED"
        failed=$((failed + 1))
        return
    fi
    echo "== $name: ctest"
    ctest --test-dir "$dir" --output-on-failure --timeout 600 2>&1 | tee "$dir.ctest.log"
    local line total nfail
    line=$(grep -E "tests passed, [0-9]+ tests? failed out of [0-9]+" "$dir.ctest.log" | tail -1)
    if [[ -z "$line" ]]; then
        echo "== $name: ctest gave no summary"
        failed=$((failed + 1))
        return
    fi
    nfail=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
    total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")
    passed=$((passed + total - nfail))
    failed=$((failed + nfail))
}

mkdir -p build
run_ctest "release" build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo
run_ctest "sanitizers" build/asan -DCMAKE_BUILD_TYPE=Debug -DCONFAB_SANITIZE=ON

echo "== fuzz: configure and build"
if CC=clang cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONFAB_FUZZ=ON \
    >build/fuzz.configure.log 2>&1 && cmake --build build/fuzz -j"$JOBS"; then
    for f in build/fuzz/tests/fuzz/fuzz_*; do
        [[ -x "$f" ]] || continue
        t=$(basename "$f")
        corpus=build/fuzz/corpus/$t
        mkdir -p "$corpus"
        seeds=()
        [[ -d tests/fuzz/corpus/$t ]] && seeds=(tests/fuzz/corpus/"$t")
        echo "== fuzz: $t for ${FUZZ_SECONDS}s"
        if "$f" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 -print_final_stats=1 \
            "$corpus" "${seeds[@]}" >"build/fuzz/$t.log" 2>&1; then
            passed=$((passed + 1))
            tail -3 "build/fuzz/$t.log"
        else
            failed=$((failed + 1))
            echo "== fuzz: $t FAILED"
            tail -60 "build/fuzz/$t.log"
        fi
    done
else
    cat build/fuzz.configure.log
    echo "== fuzz: build FAILED"
    failed=$((failed + 1))
fi

echo "confab: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
