#!/bin/bash
# ctest-labels: slow
# Two `preflight serve` on one PostgreSQL store, each running the deadline
# and outbox loop every second: an item that becomes due during the test
# is alerted exactly once (the recorder counts one request, the outbox one
# sent message, the log one alert.queued and one alert.sent), and both
# servers show the same state: an item confirmed through server A's API
# reads confirmed from server B's API, and B's stream shows the event; an
# item confirmed by the CLI (a third process) shows on both.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_stream.sh"
. "$(dirname "$0")/lib_notify.sh"
. "$(dirname "$0")/lib_pg.sh"
start_postgres
db=$PG_URL
export PREFLIGHT_DB=
start_recorder

cat >"$WORK/cl.yaml" <<'YAML'
version: 1
name: pay launch
owner: ann
notify:
  channels:
    - {name: wh, kind: webhook, url_env: T_HOOK_URL}
alerts:
  remind_every: 30m
  channels: [wh]
items:
  - {id: soon, title: "due a few seconds after the run opens", owner: ann, due: "+8s", verify: {manual: {}}}
  - {id: other, title: "confirmed through server A", owner: bob, verify: {manual: {}}}
  - {id: third, title: "confirmed by the CLI", owner: bob, verify: {manual: {}}}
YAML
pf "$WORK/run" run "$WORK/cl.yaml" --by ann --db "$db"
expect_rc "the run opens" 0
opened=$(date +%s)

make_tokens ann
start_server A --db "$db" --notify-interval 1s
start_server B --db "$db" --notify-interval 1s
expect_true "B's stream opens" open_stream b "$B/api/v1/stream?run=1"
expect_true "A's stream opens" open_stream a "$A/api/v1/stream?run=1"
if [ $(($(date +%s) - opened)) -lt 7 ]; then
	expect_eq "before the due time nothing was sent" "$(rec_stat requests)" 0
else
	skip_one "before the due time nothing was sent" "the servers took too long to start"
fi

# the alert: wait for it (the item is due 8 s after the run opened), then
# let both loops run a few more rounds and count
for ((i = 0; i < 300; i++)); do
	[ "$(rec_stat requests)" -ge 1 ] 2>/dev/null && break
	sleep 0.1
done
expect_eq "the due alert arrived" "$(rec_stat requests)" 1
sleep 4   # four more rounds of each server's loop: none may send it again
expect_eq "exactly once: one request at the recorder" "$(rec_stat requests)" 1
expect_eq "... no duplicates" "$(rec_stat duplicates)" "[]"
expect_eq "... one alert.queued in the log" "$(pg_psql "SELECT COUNT(*) FROM events WHERE kind = 'alert.queued'")" 1
expect_eq "... one alert.sent" "$(pg_psql "SELECT COUNT(*) FROM events WHERE kind = 'alert.sent'")" 1
expect_eq "... one outbox row, sent" "$(pg_psql "SELECT state FROM outbox")" sent
expect_true "B's stream shows the alert's events" wait_stream b "^event: alert.sent"
expect_true "A's stream too" wait_stream a "^event: alert.sent"

# the same state through either server
api "$A/api/v1/runs/1/items/other/confirm" -X POST -H 'Content-Type: application/json' \
	-d '{"reason": "checked on A"}' >"$WORK/confirm.json"
expect_eq "confirm through A's API" "$API_CODE" 200
seq=$(pg_psql "SELECT MAX(seq) FROM events WHERE kind = 'item.confirm' AND item_id = 'other'")
expect_true "B's stream shows the confirmation made through A" wait_stream b "^id: $seq$"
expect_eq "... as item.confirm by the token's name" "$(stream_data b "$seq" | jq -r '"\(.kind) \(.item) \(.actor)"')" \
	"item.confirm other ann"
api "$B/api/v1/runs/1/items/other" >"$WORK/b-other.json"
expect_eq "B's API reads it confirmed" "$API_CODE/$(jq -r .status "$WORK/b-other.json")" 200/pass
api "$A/api/v1/runs/1/items/other" >"$WORK/a-other.json"
expect_eq "A's API reads the same" "$(jq -r .status "$WORK/a-other.json")" pass

pf "$WORK/cli" item confirm 1 third --by carol --db "$db"
expect_rc "a third process confirms an item" 0
seq=$(pg_psql "SELECT MAX(seq) FROM events")
expect_true "A's stream shows it" wait_stream a "^id: $seq$"
expect_true "B's stream shows it" wait_stream b "^id: $seq$"
for s in A B; do
	u=${!s}
	api "$u/api/v1/runs/1/items/third" >"$WORK/$s-third.json"
	expect_eq "$s's API reads it confirmed by carol" \
		"$(jq -r '"\(.status) \(.executor)"' "$WORK/$s-third.json")" "pass carol"
done
expect_eq "both streams saw the same events" "$(stream_events a)" "$(stream_events b)"

close_stream a
close_stream b
stop_proc "$A_PID"
stop_proc "$B_PID"
expect_eq "still one request after both stopped" "$(rec_stat requests)" 1
expect_true "no token in either log" bash -c "! grep -qF -- '$TOKEN' '$A_LOG' '$B_LOG'"
finish
