#!/bin/bash
# The live feed of `preflight serve` across processes (SQLite): a stream
# opened on GET /api/v1/stream gets, within a bounded wait, the event that
# another process (`preflight item confirm`) wrote to the store, as an SSE
# frame with the event's seq as its id and the report contract's event
# object as its data; ?run= keeps one run's events; without a token the
# stream is refused; bad parameters are a clear 400; the token is in no log.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_stream.sh"
need sqlite3

db=$WORK/store.db
export PREFLIGHT_DB=
cat >"$WORK/cl.yaml" <<'YAML'
version: 1
name: shop launch
owner: ann
items:
  - {id: db, title: "database migrated", owner: ann, verify: {manual: {}}}
  - {id: cache, title: "cache warm", owner: bob, verify: {manual: {}}}
  - {id: flag, title: "feature flag on", verify: {manual: {}}}
YAML
pf "$WORK/run1" run "$WORK/cl.yaml" --by ann --db "$db"
pf "$WORK/run2" run "$WORK/cl.yaml" --by ann --db "$db"
expect_eq "two runs opened" "$(sqlite3 "$db" 'SELECT COUNT(*) FROM runs')" 2

make_tokens ann
start_server S --db "$db" --no-notify

# refused: no token, bad parameters
expect_eq "no token: 401" "$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$S/api/v1/stream")" 401
api "$S/api/v1/stream?after=abc" >"$WORK/bad.json"
expect_eq "after=abc: 400" "$API_CODE" 400
expect_eq "... with the API's error body" "$(jq -r .error.code "$WORK/bad.json")" bad_request
api "$S/api/v1/stream?run=-1" >/dev/null
expect_eq "run=-1: 400" "$API_CODE" 400
api "$S/api/v1/stream" -H "Last-Event-ID: 12x" >/dev/null
expect_eq "a Last-Event-ID that is not a seq: 400" "$API_CODE" 400
api "$S/api/v1/stream" -X POST >/dev/null
expect_eq "POST: 405" "$API_CODE" 405

# a stream of everything and one of run 2 only, then writes from other processes
expect_true "a stream opens" open_stream all "$S/api/v1/stream"
expect_match "... as an event stream" "$(tr -d '\r' <"$WORK/all.head")" "content-type: text/event-stream"
expect_true "a run-2 stream opens" open_stream run2 "$S/api/v1/stream?run=2"
pf "$WORK/c1" item confirm 1 db --by carol --db "$db"
expect_rc "another process confirms run 1's db" 0
seq1=$(sqlite3 "$db" 'SELECT MAX(seq) FROM events')
expect_true "the stream has it within 15 s" wait_stream all "^event: item.confirm"
expect_eq "one frame, its id the event's seq" "$(stream_events all)" "$seq1 item.confirm"
d=$(stream_data all "$seq1")
expect_eq "its data: the event object (run, item, status, actor)" \
	"$(jq -r '"\(.seq) \(.run) \(.item) \(.kind) \(.status) \(.actor)"' <<<"$d")" "$seq1 1 db item.confirm pass carol"
expect_eq "... with the report contract's fields" "$(jq -c 'keys' <<<"$d")" \
	'["actor","at","change","data","host","item","kind","reason","run","seq","status"]'

pf "$WORK/c2" item skip 2 flag --by dan --reason "not in this release" --db "$db"
seq2=$(sqlite3 "$db" 'SELECT MAX(seq) FROM events')
expect_true "run 2's skip reaches the run-2 stream" wait_stream run2 "^event: item.skip"
expect_true "... and the stream of everything" wait_stream all "^event: item.skip"
expect_eq "the run-2 stream has only run 2's event" "$(stream_events run2)" "$seq2 item.skip"
expect_eq "the reason travels with it" "$(stream_data run2 "$seq2" | jq -r .reason)" "not in this release"
expect_eq "the stream of everything has both, in order" "$(stream_events all | tr '\n' ' ')" \
	"$seq1 item.confirm $seq2 item.skip "

# several events at once, written by several processes, arrive in seq order
pf "$WORK/c3" item confirm 2 db --by erin --db "$db" &
w1=$!
pf "$WORK/c4" item confirm 1 cache --by bob --db "$db" &
w2=$!
pf "$WORK/c5" item fail 2 cache --by bob --reason "cold" --db "$db" &
w3=$!
wait "$w1" "$w2" "$w3"
last=$(sqlite3 "$db" 'SELECT MAX(seq) FROM events')
expect_true "the stream reaches the last seq" wait_stream all "^id: $last$"
want=$(sqlite3 "$db" "SELECT seq || ' ' || kind FROM events WHERE seq > $seq2 ORDER BY seq" | tr '\n' ' ')
got=$(stream_events all | awk -v s="$seq2" '$1 > s' | tr '\n' ' ')
expect_eq "every event after, in the store's order (the follow-up's too)" "$got" "$want"
expect_eq "the run-2 stream: run 2's events only" \
	"$(stream_events run2 | cut -d' ' -f1 | tr '\n' ' ')" \
	"$(sqlite3 "$db" "SELECT seq FROM events WHERE run_id = 2 AND seq >= $seq2 ORDER BY seq" | tr '\n' ' ')"
close_stream all
close_stream run2

expect_true "the server still answers" curl -fs --max-time 5 -o /dev/null "$S/healthz"
stop_proc "$S_PID"
expect_true "no token in the server's log" bash -c "! grep -qF -- '$TOKEN' '$S_LOG'"
finish
