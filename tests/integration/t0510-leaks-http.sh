#!/usr/bin/env bash
# preflight goroutines against the leaky target's HTTP leaks, one at a time:
# an http.Client without a timeout calling a loopback listener that never
# answers (the caller is stuck in our code), and responses whose bodies are
# never closed (no frame of ours is left: the Transport's readLoop
# goroutines pile up). Right site, right pattern, counts that agree with
# the target's own, and nothing suspected outside the leak's goroutines.
# With the machine's Go and with Go 1.19.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/targets/leaky/leaky.sh"
need jq curl

dial=net/http.'(*Transport)'.dialConn

each_build() {
	local label=$1 bin=$2 out a0 a1 d

	d="$label httpclient"
	out="$WORK/httpclient-$label.json"
	start_leaky "$bin" -leak httpclient -leak-n 10 -leak-every 200ms -leak-for 200s
	a0=$(leaky_added httpclient)
	goroutines "$out"
	a1=$(leaky_added httpclient)
	stop_leaky
	expect_rc "$d: preflight goroutines reports" 1
	expect_suspect "$d" "$out" main.fetchWithoutTimeout \
		"$(leaky_line 'resp, err := noTimeoutClient.Get(url)')" '^HTTP client with no timeout' main.leakHTTPClients
	expect_count_between "$d" "$a0" "$a1"
	# The connection goroutines (readLoop, writeLoop) of the stuck requests
	# leak with them; anything else would be noise.
	expect_only_suspects "$d: no suspect beyond the requests and their connections" \
		"$out" main.fetchWithoutTimeout "$dial"

	d="$label conn"
	out="$WORK/conn-$label.json"
	start_leaky "$bin" -leak conn -leak-n 10 -leak-every 200ms -leak-for 200s
	a0=$(leaky_added conn)
	goroutines "$out"
	a1=$(leaky_added conn)
	stop_leaky
	expect_rc "$d: preflight goroutines reports" 1
	# The site is the Transport's: nothing of ours is on these stacks. The
	# file:line is the Go release's net/http/transport.go.
	expect_suspect "$d" "$out" 'net/http.(*persistConn).readLoop' 'net/http/transport.go' \
		'^connection never closed' "$dial"
	expect_count_between "$d" "$a0" "$a1"
	expect_match "$d: ... the remedy says to close the body" "$(jq -r .remedy <<<"$SUSPECT")" 'Body\.Close|close'
	# The server side (in the same process) keeps one conn goroutine per
	# connection too: a leak as well, created by the server.
	expect_only_suspects "$d: no suspect beyond the connections' goroutines" \
		"$out" "$dial" 'net/http.(*Server).Serve'
}
for_each_build each_build
finish
