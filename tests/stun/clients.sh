#!/bin/sh
# confab-stun against independent clients, inside a private network
# namespace (re-enters tests/e2e/netns.sh): Debian's `stun` (RFC 3489 NAT
# type discovery, needs RFC 5780's second address), coturn's
# turnutils_stunclient (RFC 5389/5780) and a TCP client written from the
# RFC (tcp_client.mjs). Every one must see its own address and port as the
# mapped address, and the RFC 5780 answers must come from the other address.
# Non-STUN input is ignored (UDP) or hung up on (TCP); the per-source rate
# limit answers a burst and drops the rest; the counters (SIGUSR1) agree.
#   clients.sh CONFAB_STUN_BIN
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/stun/lib.sh
. "$here/lib.sh"
if [ "${CONFAB_NETNS_INSIDE:-}" != "1" ]; then
	exec sh "$here/../e2e/netns.sh" sh "$here/clients.sh" "$@"
fi
bin=$1
for tool in stun turnutils_stunclient node; do
	command -v $tool >/dev/null || { echo "clients.sh: $tool missing (scripts/deps.sh --test)"; exit 1; }
done
# Three addresses on loopback, only inside this namespace: the server's
# primary and alternate, and the client's own.
S1=10.200.0.1 S2=10.200.0.2 C=10.200.0.3
for a in $S1 $S2 $C; do ip addr add $a/32 dev lo; done
out=$(mktemp -d)
"$bin" --listen $S1 --alternate-address $S2 --port 3478 --threads 2 --rate 0 >"$out/server.log" 2>&1 &
srv=$!
trap 'kill $srv 2>/dev/null || true; rm -rf "$out"' EXIT
stun_wait_ready "$out/server.log"
counters() { # pid log: SIGUSR1, then waits for the whole dump
	kill -USR1 "$1"
	i=0
	until grep -q "^confab_stun_sent_bytes_total" "$2" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 100 ] || { echo "FAIL: no counters from confab-stun"; exit 1; }
		sleep 0.1
	done
}
fail=0
check() { # name, grep pattern, file
	if grep -qE "$2" "$3"; then echo "ok: $1"; else echo "FAIL: $1 (no /$2/)"; cat "$3"; fail=1; fi
}

# Debian stun-client 0.97: classic RFC 3489 with a fixed source port.
timeout 20 stun $S1 -v -i $C -p 41000 >"$out/stun.txt" 2>&1 || true
check "stun: mapped address is the client's" "MappedAddress = $C:41000" "$out/stun.txt"
check "stun: change-IP answer came from the other address" "SourceAddress = $S2:3478" "$out/stun.txt"
check "stun: CHANGED-ADDRESS is the other address and port" "ChangedAddress = $S2:3479" "$out/stun.txt"
check "stun: no NAT detected" "Primary: Open" "$out/stun.txt"

# coturn's turnutils_stunclient: RFC 5389 plus its RFC 5780 probes.
timeout 20 turnutils_stunclient -L $C $S1 >"$out/turn.txt" 2>&1 || true
port=$(sed -n "s/.*UDP reflexive addr: $C:\([0-9]*\).*/\1/p" "$out/turn.txt" | head -1)
check "turnutils_stunclient: reflexive address is the client's" "UDP reflexive addr: $C:[0-9]+" "$out/turn.txt"
check "turnutils_stunclient: OTHER-ADDRESS" "Other addr: : $S2:3479" "$out/turn.txt"
check "turnutils_stunclient: change IP+port answered from there" "Response origin: : $S2:3479" "$out/turn.txt"
check "turnutils_stunclient: all three probes answered" "RFC 5780 response 3" "$out/turn.txt"
[ -n "$port" ] || { echo "FAIL: no reflexive port"; fail=1; }

# TCP, and non-STUN bytes on TCP and UDP: the server hangs up on the stream,
# stays silent on UDP, and keeps answering.
node "$here/tcp_client.mjs" $S1 3478 $C >"$out/tcp.txt" 2>&1 || true
tcp_local=$(sed -n 's/.* local \(.*\)$/\1/p' "$out/tcp.txt")
check "TCP: mapped address is the connection's local address" "mapped $tcp_local local" "$out/tcp.txt"
node "$here/tcp_client.mjs" $S1 3478 $C --garbage >"$out/garbage.txt" 2>&1 || true
check "TCP: not STUN, connection closed" "closed on garbage" "$out/garbage.txt"
node -e "const s=require('dgram').createSocket('udp4');s.send(Buffer.from('hello, not stun, not even close'),3478,'$S1',()=>s.close())"
timeout 20 turnutils_stunclient -L $C $S1 >"$out/turn3.txt" 2>&1 || true
check "still answering after garbage" "UDP reflexive addr: $C:[0-9]+" "$out/turn3.txt"

# The per-source limit: a second server allowing 5 requests (burst) at
# 1/s answers a burst of 50 from one address about 5 times, never 50.
"$bin" --listen $S1 --port 3600 --threads 1 --rate 1 --burst 5 >"$out/limited.log" 2>&1 &
lim=$!
stun_wait_ready "$out/limited.log"
node -e "
const s = require('dgram').createSocket('udp4');
let got = 0;
s.on('message', () => got++);
s.bind(0, '$C', () => {
  for (let i = 0; i < 50; i++) {
    const b = Buffer.alloc(20); b.writeUInt16BE(1, 0); b.writeUInt32BE(0x2112a442, 4); b.writeUInt32BE(i, 16);
    s.send(b, 3600, '$S1');
  }
  setTimeout(() => { console.log('answered ' + got + ' of 50'); s.close(); }, 3000);
});" >"$out/limit.txt" 2>&1
counters $lim "$out/limited.log"
kill $lim
wait $lim || true
check "rate limit: only the burst is answered" "answered [5-6] of 50" "$out/limit.txt"
check "rate limit: the rest counted" "^confab_stun_rate_limited_total 4[45]$" "$out/limited.log"

# The counters saw it all: the two non-STUN inputs dropped, nothing failed.
counters $srv "$out/server.log"
check "counters: both non-STUN inputs dropped" "^confab_stun_dropped_total 2$" "$out/server.log"
check "counters: TCP request counted" "^confab_stun_tcp_requests_total 1$" "$out/server.log"
check "counters: no error responses" "^confab_stun_error_responses_total 0$" "$out/server.log"
kill $srv
wait $srv || { echo "FAIL: confab-stun exited with an error"; fail=1; }
echo "clients.sh: $([ $fail = 0 ] && echo passed || echo FAILED)"
exit $fail
