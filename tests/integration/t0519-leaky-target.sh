#!/usr/bin/env bash
# The leaky target keeps the promises the leak scenarios rely on: it refuses
# any address off loopback, every socket it opens stays on 127.0.0.1, it
# ends by itself at -max-lifetime, its ready file carries the pid and the
# chosen addresses, and its leaks stop at -max-leaked. No preflight needed.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/targets/leaky/leaky.sh"
need jq curl ss

each_build() {
	local label=$1 bin=$2 rc out pid i

	set +e
	out=$(timeout 30 "$bin" -addr 0.0.0.0:0 -max-lifetime 20s 2>&1)
	rc=$?
	set -e
	expect_eq "$label: -addr 0.0.0.0:0 is refused" "$rc" 1
	expect_match "$label: ... saying why" "$out" 'not a loopback address'

	set +e
	out=$(timeout 30 "$bin" -max-lifetime 1s 2>&1)
	rc=$?
	set -e
	expect_eq "$label: -max-lifetime 1s ends the process by itself" "$rc" 0
	expect_match "$label: ... and says so" "$out" 'max-lifetime 1s reached'

	# A regular ready file (start_leaky uses a FIFO): replaced by rename once everything is up.
	"$bin" -ready-file "$WORK/ready-$label" -max-lifetime 60s >"$WORK/file-$label.log" 2>&1 &
	pid=$!
	_pids+=("$pid")
	for ((i = 0; i < 300; i++)); do
		[ -s "$WORK/ready-$label" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	expect_eq "$label: ready file line 1 is the pid" "$(sed -n 1p "$WORK/ready-$label" 2>/dev/null)" "$pid"
	expect_match "$label: ... then the service address" "$(sed -n 2p "$WORK/ready-$label" 2>/dev/null)" '^service=127\.0\.0\.1:[0-9]+$'
	expect_match "$label: ... then the debug address" "$(sed -n 3p "$WORK/ready-$label" 2>/dev/null)" '^debug=127\.0\.0\.1:[0-9]+$'
	stop_proc "$pid"

	# The cap holds whatever is asked.
	start_leaky "$bin" -max-leaked 25
	out=$(leaky_post '/admin/leak?kind=recv&n=100')
	expect_eq "$label: -max-leaked 25: a call for 100 gets 25" "$(jq .added <<<"$out")" 25
	set +e
	out=$(curl -sS --noproxy '*' --max-time 10 -o /dev/null -w '%{http_code}' -X POST "$LEAKY_SVC/admin/leak?kind=send&n=1")
	set -e
	expect_eq "$label: ... and the next is refused (409)" "$out" 409
	stop_leaky

	start_leaky "$bin"
	for kind in httpclient conn healthy; do
		leaky_post "/admin/leak?kind=$kind&n=5" >/dev/null
	done
	leaky_until 30 '.pool_workers > 10'
	out=$(ss -Htanp 2>/dev/null | grep "pid=$LEAKY_PID," || true)
	expect_ne "$label: the target has sockets to look at" "$out" ""
	expect_eq "$label: every socket of the target is on 127.0.0.1 at both ends" \
		"$(awk '{ print $4; if ($5 !~ /:\*$/) print $5 }' <<<"$out" | grep -cv '^127\.0\.0\.1:' || true)" 0
	stop_leaky
}
for_each_build each_build
finish
