# Shared by the bench scripts (sourced, POSIX sh).

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
