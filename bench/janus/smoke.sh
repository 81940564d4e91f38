#!/bin/sh
# Smoke test of the bench's Janus target (ctest bench_janus_smoke): inside a
# private network namespace, starts Janus with run.sh and runs janus_probe:
# session, handle, room, join, the bench publisher's offer answered, then
# (with a media time) real ICE/DTLS/SRTP media through Janus to a subscriber.
# Correctness only, no timing thresholds.
#
#   smoke.sh JANUS_PROBE_BIN [MEDIA_SECONDS]
#
# Exit status: 0 passed, 1 failed, 77 skipped (janus is not installed).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$(dirname "$here")")
probe=${1:?usage: smoke.sh JANUS_PROBE_BIN [MEDIA_SECONDS]}
media=${2:-2}
addr=10.99.0.1

if ! command -v janus >/dev/null 2>&1; then
	echo "smoke.sh: janus is not installed (apt-get install janus); skipping"
	exit 77
fi
if [ "${CONFAB_NETNS_INSIDE:-}" != "1" ]; then
	exec sh "$root/tests/e2e/netns.sh" sh "$0" "$@"
fi

dir=$(mktemp -d /tmp/confab-janus-smoke.XXXXXX)
trap 'sh "$here/run.sh" stop -d "$dir" 2>/dev/null || true' EXIT
sh "$here/run.sh" start -d "$dir" -a "$addr"
rc=0
# The media peers gather on the veth address too: Linux drops packets
# between 127.0.0.1 and any other address, so ICE from loopback fails.
"$probe" --url "ws://$addr:8188/" --media "$media" --address "$addr" || rc=1
if [ $rc -ne 0 ]; then
	echo "smoke.sh: janus log ($dir/janus.log):" >&2
	tail -30 "$dir/janus.log" >&2
fi
exit $rc
