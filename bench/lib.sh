# Shared by the bench scripts (sourced, POSIX sh, after `here` and `root`
# are set).

# bench_options "$@": the options media.sh and signaling.sh share
# (-b BUILD_DIR, -n RUNS, -o OUT_DIR, -s SERVER_OPTIONS). Sets build, runs,
# out, server_opts, and nshift: how many arguments the caller shifts away
# (a following "--" included).
bench_options() {
	build=$root/build
	runs=3
	out=
	server_opts=
	OPTIND=1
	while getopts b:n:o:s: opt; do
		case $opt in
		b) build=$(cd "$OPTARG" && pwd) ;;
		n) runs=$OPTARG ;;
		o) out=$OPTARG ;;
		s) server_opts=$OPTARG ;;
		*) exit 2 ;;
		esac
	done
	nshift=$((OPTIND - 1))
	shift $nshift
	if [ "${1:-}" = "--" ]; then nshift=$((nshift + 1)); fi
}

# bench_enter_netns "$@": re-runs the calling script inside a private
# network namespace (nothing it sends can leave it), with the options parsed.
bench_enter_netns() {
	[ "${CONFAB_NETNS_INSIDE:-}" = "1" ] && return 0
	exec sh "$root/tests/e2e/netns.sh" sh "$0" -b "$build" -n "$runs" ${out:+-o "$out"} \
		${server_opts:+-s "$server_opts"} -- "$@"
}

# bench_binaries: sets confab and bench (CONFAB_BIN / CONFAB_BENCH_BIN
# override), makes out (a fresh temporary folder by default).
bench_binaries() {
	confab=${CONFAB_BIN:-$build/signaling/confab}
	bench=${CONFAB_BENCH_BIN:-$build/bench/confab-bench}
	for f in "$confab" "$bench"; do
		[ -x "$f" ] || { echo "$(basename "$0"): $f not found; build first (-b BUILD_DIR)" >&2; exit 2; }
	done
	[ -n "$out" ] || out=$(mktemp -d "/tmp/confab-$(basename "$0" .sh).XXXXXX")
	mkdir -p "$out"
}

# start_confab LOG [CONFAB_OPTION...]: starts $confab on a free loopback
# port with its log in LOG; sets pid and port, or exits 2 with the log.
start_confab() {
	log=$1
	shift
	: >"$log" # exists before the background job opens it, so sed can read it
	"$confab" --port 0 --bind 127.0.0.1 --ice-address 127.0.0.1 "$@" 2>"$log" &
	pid=$!
	port=
	i=0
	while [ $i -lt 100 ] && [ -z "$port" ]; do
		port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$log")
		kill -0 "$pid" 2>/dev/null || break
		[ -n "$port" ] || sleep 0.1
		i=$((i + 1))
	done
	if [ -z "$port" ]; then
		echo "$(basename "$0"): confab did not start; its log:" >&2
		cat "$log" >&2
		kill "$pid" 2>/dev/null || true
		exit 2
	fi
}

# stop_confab LOG: stops the confab start_confab started; sets failed=1 when
# it did not exit cleanly (a sanitizer report, a crash, a hang on SIGTERM).
stop_confab() {
	kill -TERM "$pid"
	if ! wait "$pid"; then
		echo "$(basename "$0"): confab exited with an error; see $1" >&2
		failed=1
	fi
}
