#!/usr/bin/env bash
# preflight contention against the leaky target: goroutines serialising on
# one mutex around real work put that function first in both profiles (the
# mutex profile names the unlocker, the block profile the waiter), also
# beside a busy healthy service; with the profiles off it says so and how
# to turn them on. With the machine's Go and with Go 1.19.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/targets/leaky/leaky.sh"
need jq curl

hot=main.updateSharedDigest

# expect_first DESC OUT PROFILE SOURCE_TEXT: the profile's first site is
# the hot function, at the line holding SOURCE_TEXT.
expect_first() {
	local d=$1 out=$2 prof=$3 fl
	fl=$(leaky_line "$4")
	expect_eq "$d: $prof profile is on" "$(jq -r ".$prof.enabled" "$out")" true
	expect_eq "$d: $prof: $hot ranks first" "$(jq -r ".$prof.sites[0].function" "$out")" "$hot"
	expect_eq "$d: $prof: ... at ${fl#*/}" \
		"$(jq -r ".$prof.sites[0] | \"\(.file | sub(\".*/tests/targets/\"; \"\")):\(.line)\"" "$out")" "$fl"
	expect_num "$d: $prof: ... with a delay" "$(jq -r ".$prof.sites[0].delay_seconds" "$out")" '>' 0
}

each_build() {
	local label=$1 bin=$2 out

	out="$WORK/on-$label.json"
	start_leaky "$bin" -mutex-fraction 1 -block-rate 1 -leak contention -leak-for 200s
	leaky_until 30 '.hot_updates >= 2000'
	pf "$out" contention --format json "$LEAKY_DEBUG"
	expect_rc "$label: preflight contention exits 0" 0
	expect_first "$label contention" "$out" mutex 'hotMu.Unlock()'
	expect_first "$label contention" "$out" block 'hotMu.Lock()'

	# A busy service beside it (a pool of up to 200 workers behind a
	# mutex of its own, HTTP handlers): the lock everyone queues on still
	# leads the mutex profile. (The block profile is led by the idle
	# workers' waits for jobs then, which is right: they block longer.)
	out="$WORK/busy-$label.json"
	leaky_post '/admin/leak?kind=healthy&for=200s' >/dev/null
	leaky_until 30 '.pool_workers > 10'
	pf "$out" contention --format json "$LEAKY_DEBUG"
	expect_rc "$label busy: preflight contention exits 0" 0
	expect_first "$label busy" "$out" mutex 'hotMu.Unlock()'
	stop_leaky

	# Profiles off (the default in a Go service): nothing to rank, and
	# the remedy says how to turn each on.
	out="$WORK/off-$label.json"
	start_leaky "$bin" -leak contention -leak-for 200s
	leaky_until 30 '.hot_updates >= 2000'
	pf "$out" contention --format json "$LEAKY_DEBUG"
	stop_leaky
	expect_rc "$label off: preflight contention exits 0" 0
	expect_eq "$label off: mutex profile off" "$(jq -r '.mutex.enabled' "$out")" false
	expect_eq "$label off: block profile off" "$(jq -r '.block.enabled' "$out")" false
	expect_eq "$label off: no site ranked" "$(jq '[.mutex.sites[], .block.sites[]] | length' "$out")" 0
	expect_match "$label off: the mutex remedy says how to enable it" \
		"$(jq -r '.mutex.remedy' "$out")" 'SetMutexProfileFraction'
	expect_match "$label off: the block remedy says how to enable it" \
		"$(jq -r '.block.remedy' "$out")" 'SetBlockProfileRate'
}
for_each_build each_build
finish
