#!/bin/sh
# Janus (Debian's `janus` 1.1.2) for the bench, inside the private network
# namespace the caller is already in (tests/e2e/netns.sh makes one).
#
#   run.sh net   ADDR                  give the namespace ADDR on a veth pair
#   run.sh start -d DIR -a ADDR [-w WS_PORT] [-h HTTP_PORT] [-l LEVEL] [-c CPU]
#   run.sh stop  -d DIR
#
# start writes a configuration to DIR (VideoRoom plugin only, WebSocket and
# HTTP transports bound to ADDR, ICE limited to ADDR, no STUN, no mDNS, one
# media event loop, no event handlers), starts janus in the background, waits
# until GET /janus/info answers, and prints `pid PID ws://ADDR:WS_PORT/`.
# The pid is also in DIR/janus.pid and the log in DIR/janus.log. -c pins
# janus to one CPU (taskset), for a comparison with a one-worker server.
# `net` is done by `start` when ADDR is not yet an address of the namespace.
#
# Why a veth pair: libnice and Janus 1.1.2 skip loopback interfaces when
# gathering, so in a loopback-only namespace every Janus handle fails with
# "Error gathering candidates". Both ends of the pair stay in the namespace,
# so nothing can leave it.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
libdir=/usr/lib/x86_64-linux-gnu/janus
[ -d "$libdir" ] || libdir=$(dirname "$(dirname "$(find /usr/lib -name libjanus_videoroom.so -print -quit 2>/dev/null)")")

die() {
	echo "janus/run.sh: $*" >&2
	exit 2
}

# Refuse to touch the network of anything but a namespace of our own: the
# caller must have unshared it (its namespace differs from init's).
check_private_netns() {
	[ "$(readlink /proc/self/ns/net)" != "$(readlink /proc/1/ns/net 2>/dev/null || echo none)" ] ||
		die "not inside a private network namespace (run under tests/e2e/netns.sh)"
}

has_addr() {
	ip -o addr show | grep -q " inet $1/"
}

setup_net() {
	addr=$1
	check_private_netns
	has_addr "$addr" && return 0
	ip link set lo up
	if ! ip link show cfbjanus0 >/dev/null 2>&1; then
		ip link add cfbjanus0 type veth peer name cfbjanus1
	fi
	ip addr add "$addr/32" dev cfbjanus0
	ip link set cfbjanus0 up
	ip link set cfbjanus1 up
}

write_config() {
	dir=$1 addr=$2 ws=$3 http=$4 level=$5
	mkdir -p "$dir/conf" "$dir/plugins" "$dir/transports" "$dir/events" "$dir/loggers"
	# Folders holding only what we load: VideoRoom, and the two transports.
	ln -sf "$libdir/plugins/libjanus_videoroom.so" "$dir/plugins/"
	ln -sf "$libdir/transports/libjanus_websockets.so" "$dir/transports/"
	ln -sf "$libdir/transports/libjanus_http.so" "$dir/transports/"
	sed -e "s|@DIR@|$dir|g" -e "s|@ADDR@|$addr|g" -e "s|@LEVEL@|$level|g" \
		"$here/janus.jcfg.in" >"$dir/conf/janus.jcfg"
	sed -e "s|@ADDR@|$addr|g" -e "s|@PORT@|$ws|g" \
		"$here/janus.transport.websockets.jcfg.in" >"$dir/conf/janus.transport.websockets.jcfg"
	sed -e "s|@ADDR@|$addr|g" -e "s|@PORT@|$http|g" \
		"$here/janus.transport.http.jcfg.in" >"$dir/conf/janus.transport.http.jcfg"
	cp "$here/janus.plugin.videoroom.jcfg" "$dir/conf/"
}

wait_up() {
	pid=$1 url=$2 log=$3
	i=0
	while [ $i -lt 100 ]; do
		kill -0 "$pid" 2>/dev/null || { tail -20 "$log" >&2; die "janus exited while starting"; }
		if curl -sf --noproxy '*' -m 1 "$url" 2>/dev/null | grep -q '"janus": *"server_info"'; then
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	tail -20 "$log" >&2
	kill "$pid" 2>/dev/null || true
	die "janus did not answer $url within 10 s"
}

start() {
	dir="" addr="" ws=8188 http=8088 level=3 cpu=""
	while getopts d:a:w:h:l:c: opt; do
		case $opt in
		d) dir=$OPTARG ;;
		a) addr=$OPTARG ;;
		w) ws=$OPTARG ;;
		h) http=$OPTARG ;;
		l) level=$OPTARG ;;
		c) cpu=$OPTARG ;;
		*) exit 2 ;;
		esac
	done
	if [ -z "$dir" ] || [ -z "$addr" ]; then die "start needs -d DIR and -a ADDR"; fi
	command -v janus >/dev/null || die "janus not installed (apt-get install janus)"
	[ -e "$libdir/plugins/libjanus_videoroom.so" ] || die "no VideoRoom plugin under $libdir"
	setup_net "$addr"
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	write_config "$dir" "$addr" "$ws" "$http" "$level"
	pin=
	[ -n "$cpu" ] && pin="taskset -c $cpu"
	# -N: nothing on stdout; the log file is set in janus.jcfg.
	$pin janus -N -C "$dir/conf/janus.jcfg" -F "$dir/conf" >/dev/null 2>"$dir/janus.stderr" &
	pid=$!
	echo "$pid" >"$dir/janus.pid"
	wait_up "$pid" "http://$addr:$http/janus/info" "$dir/janus.log"
	echo "pid $pid ws://$addr:$ws/"
}

stop() {
	dir=""
	while getopts d: opt; do
		case $opt in
		d) dir=$OPTARG ;;
		*) exit 2 ;;
		esac
	done
	if [ -z "$dir" ] || [ ! -f "$dir/janus.pid" ]; then die "stop needs -d DIR of a started janus"; fi
	pid=$(cat "$dir/janus.pid")
	kill -TERM "$pid" 2>/dev/null || return 0
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -KILL "$pid" 2>/dev/null || true
	rm -f "$dir/janus.pid"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
net) [ $# -eq 1 ] || die "usage: run.sh net ADDR"; setup_net "$1" ;;
start) start "$@" ;;
stop) stop "$@" ;;
*) die "usage: run.sh net ADDR | start -d DIR -a ADDR [-w PORT] [-h PORT] [-l LEVEL] [-c CPU] | stop -d DIR" ;;
esac
