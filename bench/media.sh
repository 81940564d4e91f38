#!/bin/sh
# Media benchmark (docs/benchmarks.md): inside a private network namespace,
# measures the floor once, then for each run starts a fresh confab, runs
# `confab-bench media` against it and prints the median of the runs.
#
#   bench/media.sh [-b BUILD_DIR] [-n RUNS] [-o OUT_DIR] [-s SERVER_OPTIONS]
#                  [-- BENCH_OPTION...]
#
# e.g. bench/media.sh -b build -- --preset webinar --duration 10
# SERVER_OPTIONS are added to confab's command line (one string, split on
# spaces), e.g. -s "--workers 1".
# BUILD_DIR holds signaling/confab and bench/confab-bench (default: build);
# CONFAB_BIN and CONFAB_BENCH_BIN, when set, name the two binaries instead.
# Each run's JSON goes to OUT_DIR/run-N.json, the floor to OUT_DIR/floor.json,
# the medians to OUT_DIR/summary.json.
# Exit status: 0 when every run reported no problem.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
bench_options "$@"
shift "$nshift"
bench_enter_netns "$@"
bench_binaries

# shellcheck disable=SC3045 # dash and bash both have ulimit -n
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

# The floor, measured once with nothing else running; every run divides by it.
"$bench" floor --json "$out/floor.json" >"$out/floor.txt"
cat "$out/floor.txt"
floor_ns=$(node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
console.log(r.results.floor.total_ns)' "$out/floor.json")


failed=0
files=
n=1
while [ $n -le "$runs" ]; do
	# shellcheck disable=SC2086 # lists of words
	start_confab "$out/confab-$n.log" --max-peers-per-room 1000 $server_opts
	echo "== run $n of $runs: confab pid $pid on port $port ($server_opts)"
	"$bench" media --url "ws://127.0.0.1:$port/ws" --server-pid "$pid" \
		${floor_ns:+--floor-ns "$floor_ns"} --json "$out/run-$n.json" "$@" || failed=1
	files="$files $out/run-$n.json"
	stop_confab "$out/confab-$n.log"
	n=$((n + 1))
done

# shellcheck disable=SC2086 # files is a list of paths without spaces
node "$here/summary.mjs" "$out/summary.json" $files || failed=1
echo "reports in $out"
exit $failed
