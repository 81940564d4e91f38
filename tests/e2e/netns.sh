#!/bin/sh
# Run a command inside a fresh private network namespace that has only a
# loopback interface, so nothing the tests start can reach any other host.
#
#   netns.sh CMD [ARG...]
set -eu

if [ "$#" -eq 0 ]; then
	echo "usage: $0 CMD [ARG...]" >&2
	exit 2
fi

if [ "${CONFAB_NETNS_INSIDE:-}" != "1" ]; then
	CONFAB_NETNS_INSIDE=1
	export CONFAB_NETNS_INSIDE
	self=$(readlink -f "$0")
	if [ "$(id -u)" -eq 0 ]; then
		exec unshare --net -- /bin/sh "$self" "$@"
	fi
	# Unprivileged: a user namespace gives us the right to make a network one.
	exec unshare --user --map-root-user --net -- /bin/sh "$self" "$@"
fi

ip link set lo up
# Refuse to run if the namespace is not what we think it is: any interface
# other than lo, or any route off loopback, would let traffic escape.
if ip -o link show | grep -qv ': lo:'; then
	echo "netns.sh: unexpected interface in the namespace:" >&2
	ip -o link show >&2
	exit 1
fi
if [ -n "$(ip route show)" ] || [ -n "$(ip -6 route show 2>/dev/null | grep -v ' dev lo ' || true)" ]; then
	echo "netns.sh: unexpected route in the namespace:" >&2
	ip route show >&2
	ip -6 route show >&2
	exit 1
fi

# Whatever the command leaves behind in this namespace (a server or browser
# orphaned by a crashed test) is ended with it: only our own descendants can
# be in a namespace this script just made.
reap() {
	self_ns=$(readlink /proc/$$/ns/net)
	for d in /proc/[0-9]*; do
		pid=${d#/proc/}
		[ "$pid" = "$$" ] && continue
		[ "$(readlink "$d/ns/net" 2>/dev/null)" = "$self_ns" ] || continue
		kill -CONT "$pid" 2>/dev/null || true
		kill -KILL "$pid" 2>/dev/null || true
	done
}
trap 'reap' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

set +e
"$@" &
wait $!
exit $?
