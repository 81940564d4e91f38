# Shared by the STUN interop tests (clients.sh, nat.sh); sourced, not run.

# stun_wait_ready LOG: waits (10 s at most) until the confab-stun writing
# LOG says it listens; fails the test with the log otherwise.
stun_wait_ready() {
	_i=0
	until grep -q "listening on" "$1" 2>/dev/null; do
		_i=$((_i + 1))
		[ $_i -lt 100 ] || { echo "FAIL: confab-stun did not start"; cat "$1"; exit 1; }
		sleep 0.1
	done
}
