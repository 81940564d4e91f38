#!/bin/sh
# STUN benchmark (docs/benchmarks.md, "STUN (issue 6)"): confab-stun against
# coturn's turnserver (Debian's coturn, STUN only), one after the other in a
# private network namespace, on the same address, each server pinned to one
# core (taskset) and driven by `confab-bench stun` pinned to another. Runs
# alternate (confab-stun, coturn, confab-stun, ...) so drift on a noisy
# machine hits both; the medians and their ratio are printed at the end.
#
#   bench/stun.sh [-b BUILD_DIR] [-n RUNS] [-d SECONDS] [-o OUT_DIR]
#                 [-c SERVER_CORE] [-l BENCH_CORE] [-- BENCH_OPTION...]
#
# BUILD_DIR holds stun/confab-stun and bench/confab-bench (default: build);
# CONFAB_STUN_BIN and CONFAB_BENCH_BIN name them instead. Each run's JSON
# goes to OUT_DIR/<server>-N.json. Without turnserver only confab-stun runs.
# Exit status: 0 when every run reported no problem (every answer matched
# its request and carried the client's address; nothing lost).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=$root/build runs=3 secs=5 out= score=0 bcore=1
[ "$(nproc)" -gt 1 ] || bcore=0
OPTIND=1
while getopts b:n:d:o:c:l: opt; do
	case $opt in
	b) build=$(cd "$OPTARG" && pwd) ;;
	n) runs=$OPTARG ;;
	d) secs=$OPTARG ;;
	o) out=$OPTARG ;;
	c) score=$OPTARG ;;
	l) bcore=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ "${1:-}" = "--" ] && shift
if [ "${CONFAB_NETNS_INSIDE:-}" != "1" ]; then
	exec sh "$root/tests/e2e/netns.sh" sh "$0" -b "$build" -n "$runs" -d "$secs" \
		${out:+-o "$out"} -c "$score" -l "$bcore" -- "$@"
fi
stun=${CONFAB_STUN_BIN:-$build/stun/confab-stun}
bench=${CONFAB_BENCH_BIN:-$build/bench/confab-bench}
for f in "$stun" "$bench"; do
	[ -x "$f" ] || { echo "stun.sh: $f not found; build first (-b BUILD_DIR)" >&2; exit 2; }
done
[ -n "$out" ] || out=$(mktemp -d /tmp/confab-stun-bench.XXXXXX)
mkdir -p "$out"
# One address of this namespace only, for both servers and the clients.
ADDR=10.202.0.1
ip addr add $ADDR/32 dev lo
servers="confab-stun"
command -v turnserver >/dev/null && servers="confab-stun coturn" ||
	echo "stun.sh: turnserver not installed (coturn): confab-stun only" >&2

pid=
start() { # name
	case $1 in
	confab-stun)
		taskset -c "$score" "$stun" --listen $ADDR --port 3478 --threads 1 --rate 0 \
			>"$out/$1.log" 2>&1 &
		;;
	coturn)
		# STUN only, no TURN relay, no TLS/DTLS, no auth, no CLI, no RFC 5780
		# (confab-stun runs without its alternate address too); -m 0: the
		# listener does everything in one thread.
		taskset -c "$score" turnserver -n --stun-only --no-tls --no-dtls --no-auth --no-cli \
			--no-rfc5780 -L $ADDR -p 3478 -m 0 --no-software-attribute \
			--log-file stdout --simple-log >"$out/$1.log" 2>&1 &
		;;
	esac
	pid=$!
	# Ready when it answers: a short bench run with one socket.
	i=0
	until "$bench" stun --server $ADDR:3478 --sockets 1 --window 1 --duration 0.2 \
		>/dev/null 2>&1; do
		i=$((i + 1))
		if [ $i -gt 50 ] || ! kill -0 $pid 2>/dev/null; then
			echo "stun.sh: $1 did not start; its log:" >&2
			cat "$out/$1.log" >&2
			exit 2
		fi
		sleep 0.1
	done
}
stop() {
	kill -TERM $pid 2>/dev/null || true
	wait $pid 2>/dev/null || true
}

failed=0
n=1
while [ $n -le "$runs" ]; do
	for s in $servers; do
		start $s
		echo "== $s run $n"
		# User and system CPU ticks apart (/proc/PID/stat fields 14, 15):
		# where an answer's cost goes.
		t0=$(awk '{print $14, $15}' /proc/$pid/stat)
		taskset -c "$bcore" "$bench" stun --server $ADDR:3478 --duration "$secs" --server-pid $pid \
			--json "$out/$s-$n.json" "$@" || failed=1
		t1=$(awk '{print $14, $15}' /proc/$pid/stat)
		echo "$t0 $t1 $(getconf CLK_TCK)" >"$out/$s-$n.ticks"
		stop
	done
	n=$((n + 1))
done

# Medians per server, and confab-stun / coturn.
node - "$out" $servers <<'JS'
const fs = require('fs');
const [dir, ...servers] = process.argv.slice(2);
const keys = [['responses_per_s', 'answers/s', 0], ['rtt_p50_us', 'p50 µs', 1], ['rtt_p99_us', 'p99 µs', 1],
  ['server_cpu_pct', 'server CPU %', 1], ['server_cpu_us_per_answer', 'CPU µs/answer', 2],
  ['user_us_per_answer', 'user µs/answer', 2], ['sys_us_per_answer', 'kernel µs/answer', 2], ['loss_pct', 'loss %', 2]];
const med = (a) => { const s = a.filter((x) => x !== null).sort((x, y) => x - y); return s.length ? s[(s.length - 1) >> 1] : null; };
const rows = {};
for (const s of servers) {
  const names = fs.readdirSync(dir).filter((f) => f.startsWith(`${s}-`) && f.endsWith('.json'));
  const runs = names.map((f) => {
    const r = JSON.parse(fs.readFileSync(`${dir}/${f}`, 'utf8')).results.stun;
    const [u0, s0, u1, s1, hz] = fs.readFileSync(`${dir}/${f.replace(/json$/, 'ticks')}`, 'utf8').trim().split(/ +/).map(Number);
    r.user_us_per_answer = r.answered ? ((u1 - u0) * 1e6) / hz / r.answered : null;
    r.sys_us_per_answer = r.answered ? ((s1 - s0) * 1e6) / hz / r.answered : null;
    return r;
  });
  rows[s] = Object.fromEntries(keys.map(([k]) => [k, med(runs.map((r) => r[k]))]));
  rows[s].runs = runs.length;
}
const fmt = (v, d) => (v === null ? '-' : v.toFixed(d));
console.log(`\n| server | runs | ${keys.map((k) => k[1]).join(' | ')} |`);
console.log(`|---|---|${keys.map(() => '---').join('|')}|`);
for (const s of servers) console.log(`| ${s} | ${rows[s].runs} | ${keys.map(([k, , d]) => fmt(rows[s][k], d)).join(' | ')} |`);
if (rows.coturn && rows['confab-stun']) {
  const r = (k) => (rows.coturn[k] ? rows['confab-stun'][k] / rows.coturn[k] : null);
  console.log(`| ratio confab-stun / coturn | | ${keys.map(([k]) => fmt(r(k), 2)).join(' | ')} |`);
}
fs.writeFileSync(`${dir}/summary.json`, JSON.stringify(rows, null, 1));
JS
echo "stun.sh: results in $out"
exit $failed
