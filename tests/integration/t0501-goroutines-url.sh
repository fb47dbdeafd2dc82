#!/usr/bin/env bash
# preflight goroutines against a live listener (the demo target): the URL
# forms it accepts, debug=1 snapshots with one debug=2 dump below
# --max-debug2 and none above, and the errors a URL can give: no pprof
# (404), a listener that never answers (timeout), nothing listening.
. "$(dirname "$0")/lib.sh"
need jq

start_demo -- -addr 127.0.0.1:0 -debug-addr 127.0.0.1:0 -hang-addr 127.0.0.1:0
debug="http://$(demo_addr debug)"
service="http://$(demo_addr service)"
hang="http://$(demo_addr hang)"

pf "$WORK/live.json" goroutines --samples 2 --interval 300ms --format json "$debug"
expect_rc "live: exit 0 or 1" 0 1
j=$WORK/live.json
expect_eq "live: two debug=1 snapshots" "$(jq -c '[.snapshots[].debug]' "$j")" '[1,1]'
expect_match "live: taken_at is a UTC time" "$(jq -r '.snapshots[0].taken_at' "$j")" \
	'^20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-9:]{8}\.[0-9]{3}Z$'
expect_match "live: the goroutine URL" "$(jq -r '.snapshots[0].source' "$j")" \
	"^$(sed 's/[.]/\\./g' <<<"$debug")/debug/pprof/goroutine\?debug=1$"
expect_eq "live: one debug=2 dump for the states" "$(jq -c '.detail | [.debug, .truncated]' "$j")" '[2,false]'
# The demo's own goroutines (accept loops, main) are there in every dump;
# the server's connection goroutines come and go with our requests.
expect_num "live: the demo's own goroutines are there" \
	"$(jq '[.groups[] | select(.site != null and (.site | startswith("main.")))] | length' "$j")" '>=' 2
# Those parked in every snapshot have their state from the dump; a stack
# caught mid-flight in one snapshot (the debug listener's accept loop
# handing over our own request) may be absent from the dump, and has none.
expect_eq "live: the parked ones have states from the debug=2 dump" \
	"$(jq '[.groups[] | select(.site != null and (.site | startswith("main.")) and all(.counts[]; . > 0)) | .state != ""] | all' "$j")" true
expect_eq "live: main.main is in select {}" \
	"$(jq -r '[.groups[] | select(.site != null and (.site | startswith("main.main"))) | .state] | first' "$j")" 'select (no cases)'
expect_eq "live: no leak in the demo" "$(jq '.suspects | length' "$j")" 0

# The same listener named three ways.
for url in "$debug/" "$debug/debug/pprof/" "$debug/debug/pprof/goroutine?debug=2"; do
	pf "$WORK/form.json" goroutines --samples 1 --format json "$url"
	expect_rc "URL form '$url': accepted" 0 1
	expect_match "URL form '$url': read from the goroutine profile" \
		"$(jq -r '.snapshots[0].source' "$WORK/form.json")" "/debug/pprof/goroutine\?debug=1$"
done

# Above --max-debug2 no debug=2 dump is asked for.
pf "$WORK/cap.json" goroutines --samples 1 --max-debug2 1 --format json "$debug"
expect_rc "--max-debug2 1: exit 0" 0
expect_eq "--max-debug2 1: no debug=2 dump" "$(jq '.detail' "$WORK/cap.json")" null
expect_match "--max-debug2 1: and says so" "$(cat "$WORK/cap.json.err")" "no debug=2 dump above --max-debug2 1"
expect_match "--max-debug2 1: with the count from the index page" "$(cat "$WORK/cap.json.err")" "pprof index page"

# The service listener answers "ok" to any path.
pf "$WORK/nopprof" goroutines --samples 1 "$service"
expect_rc "no pprof on the listener: exit 2" 2
expect_eq "no pprof: one line on stderr" "$(wc -l <"$WORK/nopprof.err")" 1
expect_match "no pprof: says what it got" "$(cat "$WORK/nopprof.err")" "not a goroutine profile.*starts with 'ok'"
pf "$WORK/404" goroutines --samples 1 "$debug/elsewhere/debug/pprof/goroutine"
expect_rc "a path with no handler: exit 2" 2
expect_eq "a path with no handler: one line on stderr" "$(wc -l <"$WORK/404.err")" 1
expect_match "a path with no handler: says 404" "$(cat "$WORK/404.err")" "404"

start=$SECONDS
pf "$WORK/hang" goroutines --samples 3 --timeout 1 "$hang"
expect_rc "a listener that never answers: exit 2" 2
expect_eq "never answers: one line on stderr" "$(wc -l <"$WORK/hang.err")" 1
expect_match "never answers: says it timed out" "$(cat "$WORK/hang.err")" "time|timed out"
expect_num "never answers: gives up after the first timeouts, not the guard" $((SECONDS - start)) '<' 30

finish
