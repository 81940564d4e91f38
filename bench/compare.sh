#!/bin/sh
# Confab and Janus side by side (issue 4, docs/benchmarks.md): inside a
# private network namespace, runs identical `confab-bench media` scenarios
# against a fresh Confab and a fresh Janus (VideoRoom), alternating, and
# prints the median of each figure and the ratio Confab / Janus.
#
#   bench/compare.sh [-b BUILD_DIR] [-n RUNS] [-o OUT_DIR] [-a ADDR] [-c SERVER_CPU]
#                    [-p "PRESET..."] [-- BENCH_OPTION...]
#
# -p   presets to run (default "webinar meeting")
# -n   runs per preset and server (default 3)
# -a   the namespace address both servers and the bench use (default
#      10.99.0.1, on a veth pair made inside the namespace: Janus's ICE skips
#      loopback, and Linux drops packets between 127.0.0.1 and other
#      addresses, so everyone uses this one)
# -c   CPU both servers are pinned to, one at a time (default 0 when the
#      machine has 2 or more CPUs; "" to not pin); the bench gets the others
# BENCH_OPTIONs are added to every run, e.g. -- --duration 20.
#
# Both servers get one media thread: confab --workers 1; Janus event_loops=1
# (bench/janus/janus.jcfg.in). Installs nothing: it checks for janus (apt-get
# install janus), node, ip, taskset and the two binaries, and says what is
# missing. BUILD_DIR holds signaling/confab and bench/confab-bench (default:
# build); CONFAB_BIN and CONFAB_BENCH_BIN override them.
# Each run's JSON goes to OUT_DIR/<preset>-<server>-<n>.json; the table also
# goes to OUT_DIR/compare.json. Exit status: 0 when every run reported no
# problem, 1 when some did, 2 when the comparison could not run.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=$root/build
runs=3
out=
addr=10.99.0.1
presets="webinar meeting"
cpu="unset"
while getopts b:n:o:a:c:p: opt; do
	case $opt in
	b) build=$(cd "$OPTARG" && pwd) ;;
	n) runs=$OPTARG ;;
	o) out=$OPTARG ;;
	a) addr=$OPTARG ;;
	c) cpu=$OPTARG ;;
	p) presets=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ "${1:-}" = "--" ] && shift

die() {
	echo "compare.sh: $*" >&2
	exit 2
}

if [ "${CONFAB_NETNS_INSIDE:-}" != "1" ]; then
	exec sh "$root/tests/e2e/netns.sh" sh "$0" -b "$build" -n "$runs" ${out:+-o "$out"} \
		-a "$addr" -c "$cpu" -p "$presets" -- "$@"
fi

confab=${CONFAB_BIN:-$build/signaling/confab}
bench=${CONFAB_BENCH_BIN:-$build/bench/confab-bench}
for f in "$confab" "$bench"; do
	[ -x "$f" ] || die "$f not found; build first (-b BUILD_DIR)"
done
for tool in janus node ip taskset curl; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool not found (janus: apt-get install janus)"
done
if ! "$bench" media --help 2>&1 | grep -q -- '--target'; then
	die "this confab-bench has no 'media --target confab|janus' yet: the Janus target" \
		"(bench/janus_target.c) is not wired into it, so there is nothing to compare"
fi

[ -n "$out" ] || out=$(mktemp -d /tmp/confab-compare.XXXXXX)
mkdir -p "$out"
out=$(cd "$out" && pwd)
# shellcheck disable=SC3045 # dash and bash both have ulimit -n
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

# Servers on one CPU, the bench on the rest, when there are two or more.
ncpu=$(nproc)
if [ "$cpu" = unset ]; then
	cpu=
	[ "$ncpu" -ge 2 ] && cpu=0
fi
server_pin=""
bench_pin=""
if [ -n "$cpu" ]; then
	server_pin="taskset -c $cpu"
	others=$(awk -v n="$ncpu" -v c="$cpu" 'BEGIN { s = ""; for (i = 0; i < n; i++) if (i != c) s = s (s ? "," : "") i; print s }')
	[ -n "$others" ] && bench_pin="taskset -c $others"
fi

sh "$here/janus/run.sh" net "$addr"

# The floor, measured once with nothing else running; every run divides by it.
# shellcheck disable=SC2086 # a command prefix
$bench_pin "$bench" floor --json "$out/floor.json" >"$out/floor.txt"
floor_ns=$(node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
console.log(r.results.floor.total_ns)' "$out/floor.json")

# start_confab LOG: a fresh confab with one worker; sets pid, url.
start_confab() {
	# shellcheck disable=SC2086 # a command prefix
	$server_pin "$confab" --port 0 --bind "$addr" --ice-address "$addr" --workers 1 \
		--max-peers-per-room 1000 2>"$1" &
	pid=$!
	port=
	i=0
	while [ $i -lt 100 ] && [ -z "$port" ]; do
		port=$(sed -n "s|.*listening on http://$addr:\([0-9]*\)/.*|\1|p" "$1" 2>/dev/null || true)
		kill -0 "$pid" 2>/dev/null || break
		[ -n "$port" ] || sleep 0.1
		i=$((i + 1))
	done
	if [ -z "$port" ]; then
		cat "$1" >&2
		kill "$pid" 2>/dev/null || true
		die "confab did not start"
	fi
	url="ws://$addr:$port/ws"
}

# start_janus DIR: a fresh Janus with one media event loop; sets pid, url.
start_janus() {
	line=$(sh "$here/janus/run.sh" start -d "$1" -a "$addr" -w 8188 -h 8088 -l 2 ${cpu:+-c "$cpu"}) ||
		die "janus did not start; see $1/janus.log"
	pid=${line#pid }
	pid=${pid%% *}
	url=${line##* }
}

failed=0
n=1
while [ "$n" -le "$runs" ]; do
	for preset in $presets; do
		for server in confab janus; do
			name=$preset-$server-$n
			if [ $server = confab ]; then
				start_confab "$out/$name.log"
			else
				rm -rf "$out/$name.janus"
				start_janus "$out/$name.janus"
			fi
			echo "== $name: pid $pid at $url"
			# shellcheck disable=SC2086 # a command prefix
			$bench_pin "$bench" media --target $server --url "$url" --preset "$preset" \
				--server-pid "$pid" --floor-ns "$floor_ns" --json "$out/$name.json" "$@" \
				>"$out/$name.txt" 2>&1 || failed=1
			tail -1 "$out/$name.txt"
			if [ $server = confab ]; then
				kill -TERM "$pid"
				wait "$pid" || { echo "compare.sh: confab exited with an error" >&2; failed=1; }
			else
				sh "$here/janus/run.sh" stop -d "$out/$name.janus"
			fi
		done
	done
	n=$((n + 1))
done

# shellcheck disable=SC2086 # presets is a list of words
node "$here/janus/compare.mjs" "$out" "$out/compare.json" $presets || failed=1
echo "reports in $out"
exit $failed
