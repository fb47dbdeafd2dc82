#!/usr/bin/env bash
# preflight goroutines against the leaky target, one channel leak switched
# on at a time (a ticker never stopped, a receive nobody sends to, a send
# nobody receives): each is reported at its own call site with its
# pattern, its count agrees with what the target says it leaked, and
# nothing else is suspected. With the machine's Go and with Go 1.19.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/targets/leaky/leaky.sh"
need jq curl

# one_leak LABEL BIN KIND FUNC SOURCE_TEXT PATTERN_ERE CREATOR
one_leak() {
	local label=$1 bin=$2 kind=$3 func=$4 text=$5 pat=$6 creator=$7 out a0 a1
	local d="$label $kind"
	out="$WORK/$kind-$label.json"
	# 10 more every 200 ms: every second sample sees about 50 more.
	start_leaky "$bin" -leak "$kind" -leak-n 10 -leak-every 200ms -leak-for 200s
	a0=$(leaky_added "$kind")
	goroutines "$out"
	a1=$(leaky_added "$kind")
	stop_leaky
	expect_rc "$d: preflight goroutines reports" 1
	expect_suspect "$d" "$out" "$func" "$(leaky_line "$text")" "$pat" "$creator"
	expect_count_between "$d" "$a0" "$a1"
	expect_only_suspects "$d: no other suspect" "$out" "$func"
}

each_build() {
	local label=$1 bin=$2
	one_leak "$label" "$bin" ticker main.refreshLoop 'for range time.NewTicker(period).C {' \
		'^ticker never stopped' main.leakTickers
	one_leak "$label" "$bin" recv main.waitForReply 'v := <-reply' \
		'^receive on a channel nobody sends to' main.leakReceivers
	one_leak "$label" "$bin" send main.sendResult 'result <- v * v' \
		'^send with no receiver' main.leakSenders
}
for_each_build each_build
finish
