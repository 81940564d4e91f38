#!/bin/sh
# confab-stun seen through a NAT. Inside a private network namespace
# (re-enters tests/e2e/netns.sh) this builds two more namespaces of its own:
#
#   [this ns: confab-stun 10.201.0.1 (+ .3 alternate)]
#        | veth 10.201.0.0/24
#   [router ns: 10.201.0.2, iptables MASQUERADE out of rpub]
#        | veth 192.168.77.0/24
#   [client ns: 192.168.77.2, default route via the router]
#
# Clients in the client namespace must be told the NAT's outside address
# (10.201.0.2), never their own: coturn's turnutils_stunclient, Debian's
# stun (which must also detect the NAT), a TCP client, and a libnice agent
# and headless Chromium (chromium_srflx.mjs), which must each gather a
# server-reflexive candidate with that address.
#   nat.sh CONFAB_STUN_BIN NICE_SRFLX_BIN
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/stun/lib.sh
. "$here/lib.sh"
if [ "${CONFAB_NETNS_INSIDE:-}" != "1" ]; then
	exec sh "$here/../e2e/netns.sh" sh "$here/nat.sh" "$@"
fi
bin=$1 nice=$2
for tool in stun turnutils_stunclient node iptables; do
	command -v $tool >/dev/null || { echo "nat.sh: $tool missing (scripts/deps.sh --test)"; exit 1; }
done
R=cstun-router-$$ CL=cstun-client-$$
out=$(mktemp -d)
srv=
cleanup() {
	[ -n "$srv" ] && kill $srv 2>/dev/null || true
	ip netns del $R 2>/dev/null || true
	ip netns del $CL 2>/dev/null || true
	rm -rf "$out"
}
trap cleanup EXIT
ip netns add $R
ip netns add $CL
ip link add pub0 type veth peer name rpub netns $R
ip addr add 10.201.0.1/24 dev pub0
ip addr add 10.201.0.3/24 dev pub0
ip link set pub0 up
ip -n $R link set lo up
ip -n $R addr add 10.201.0.2/24 dev rpub
ip -n $R link set rpub up
ip -n $R link add rlan type veth peer name clan netns $CL
ip -n $R addr add 192.168.77.1/24 dev rlan
ip -n $R link set rlan up
ip -n $CL link set lo up
ip -n $CL addr add 192.168.77.2/24 dev clan
ip -n $CL link set clan up
ip -n $CL route add default via 192.168.77.1
ip netns exec $R sysctl -qw net.ipv4.ip_forward=1
ip netns exec $R iptables -t nat -A POSTROUTING -o rpub -j MASQUERADE

"$bin" --listen 10.201.0.1 --alternate-address 10.201.0.3 --threads 2 >"$out/server.log" 2>&1 &
srv=$!
stun_wait_ready "$out/server.log"
fail=0
check() { # name, grep pattern, file
	if grep -qE "$2" "$3"; then echo "ok: $1"; else echo "FAIL: $1 (no /$2/)"; cat "$3"; fail=1; fi
}
refute() {
	if grep -qE "$2" "$3"; then echo "FAIL: $1 (/$2/ present)"; cat "$3"; fail=1; else echo "ok: $1"; fi
}
inside() { ip netns exec $CL "$@"; }

inside timeout 20 turnutils_stunclient 10.201.0.1 >"$out/turn.txt" 2>&1 || true
check "turnutils_stunclient behind NAT: told the NAT's address" "UDP reflexive addr: 10.201.0.2:[0-9]+" "$out/turn.txt"
refute "turnutils_stunclient behind NAT: not its own address" "reflexive addr: 192\.168\.77\.2" "$out/turn.txt"

inside timeout 30 stun 10.201.0.1 -v >"$out/stun.txt" 2>&1 || true
check "stun behind NAT: mapped address is the NAT's" "MappedAddress = 10.201.0.2:" "$out/stun.txt"
refute "stun behind NAT: never its own" "MappedAddress = 192\.168\.77\.2" "$out/stun.txt"
check "stun behind NAT: NAT detected" "is nat  = 1" "$out/stun.txt"

inside node "$here/tcp_client.mjs" 10.201.0.1 3478 192.168.77.2 >"$out/tcp.txt" 2>&1 || true
check "TCP behind NAT: mapped address is the NAT's" "mapped 10.201.0.2:[0-9]+ local 192.168.77.2:" "$out/tcp.txt"

inside "$nice" 10.201.0.1 3478 10.201.0.2 >"$out/nice.txt" 2>&1 || true
check "libnice agent behind NAT: srflx candidate with the NAT's address" "candidate srflx 10.201.0.2:[0-9]+" "$out/nice.txt"
check "libnice agent: host candidate is its own" "candidate host 192.168.77.2:" "$out/nice.txt"

if [ -x /usr/bin/chromium ] && [ -d "$here/../e2e/node_modules/playwright-core" ]; then
	inside timeout 90 node "$here/chromium_srflx.mjs" 10.201.0.1 3478 >"$out/chromium.txt" 2>&1 || true
	check "Chromium behind NAT: srflx candidate with the NAT's address" "candidate srflx 10.201.0.2:[0-9]+" "$out/chromium.txt"
	check "Chromium: host candidate is its own" "candidate host 192.168.77.2:" "$out/chromium.txt"
else
	echo "FAIL: Chromium or playwright-core missing (scripts/deps.sh --test)"
	fail=1
fi

echo "nat.sh: $([ $fail = 0 ] && echo passed || echo FAILED)"
exit $fail
