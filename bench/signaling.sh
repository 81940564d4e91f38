#!/bin/sh
# Signaling load benchmark (docs/benchmarks.md): starts a fresh confab for
# each run inside a private network namespace, runs `confab-bench signaling`
# against it, and prints the median of the runs.
#
#   bench/signaling.sh [-b BUILD_DIR] [-n RUNS] [-o OUT_DIR] [-s SERVER_OPTIONS]
#                      [-- BENCH_OPTION...]
#
# SERVER_OPTIONS are added to confab's command line (one string, split on
# spaces), e.g. -s "--chat-rate 100 --chat-burst 200" to lift its chat rate
# limit for a capacity probe.
# BUILD_DIR holds signaling/confab and bench/confab-bench (default: build);
# CONFAB_BIN and CONFAB_BENCH_BIN, when set, name the two binaries instead.
# The bench options default to the issue 3 scenario: 1000 peers, 100 rooms,
# 200 joins/s, then 10 s of chat at 1 message/s per peer. Each run's JSON
# goes to OUT_DIR/run-N.json, the medians to OUT_DIR/summary.json.
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

# Scenario defaults, overridable by the options given after --.
set -- --peers 1000 --rooms 100 --join-rate 200 --chat-rate 1 --duration 10 "$@"
peers=$(printf '%s\n' "$@" | awk 'p {v=$0; p=0} /^--peers$/ {p=1} END {print v}')
rooms=$(printf '%s\n' "$@" | awk 'p {v=$0; p=0} /^--rooms$/ {p=1} END {print v}')
per_room=$(((peers + rooms - 1) / rooms))

# One descriptor per connection on both sides, plus headroom. (dash and
# bash both have ulimit -n, which POSIX leaves out.)
# shellcheck disable=SC3045
ulimit -n $((peers * 2 + 256)) 2>/dev/null || ulimit -n "$(ulimit -Hn)"

# Room limits that fit the scenario, where this confab has them.
limits=
if "$confab" --help | grep -q -- --max-peers-per-room; then
	limits="--max-peers-per-room $per_room"
fi
if "$confab" --help | grep -q -- --max-rooms; then
	limits="$limits --max-rooms $rooms"
fi


failed=0
files=
n=1
while [ $n -le "$runs" ]; do
	# shellcheck disable=SC2086 # lists of words
	start_confab "$out/confab-$n.log" $limits $server_opts
	echo "== run $n of $runs: confab pid $pid on port $port ($limits $server_opts)"
	"$bench" signaling --url "ws://127.0.0.1:$port/ws" --server-pid "$pid" \
		--json "$out/run-$n.json" "$@" || failed=1
	files="$files $out/run-$n.json"
	stop_confab "$out/confab-$n.log"
	n=$((n + 1))
done

# shellcheck disable=SC2086 # files is a list of paths without spaces
node "$here/summary.mjs" "$out/summary.json" $files || failed=1
echo "reports in $out"
exit $failed
