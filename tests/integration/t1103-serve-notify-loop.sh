#!/bin/bash
# The deadline and outbox loop runs inside preflight serve: a run whose
# items are overdue gets its alerts delivered by the server alone (every
# --notify-interval), each once, with one log line per round and no
# secret in the log; /metrics shows the items by status, the overdue count
# and the emptied outbox. With --no-notify the server queues and sends
# nothing. SIGTERM stops the loop at once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_notify.sh"
. "$(dirname "$0")/lib_serve.sh"

db=$WORK/store.db
serve_tokens "$WORK/tokens" "ann:ann-0123456789abcdef"
start_recorder
notify_checklist "$WORK/cl.yaml" wh
run=$("$DRIVER" "$db" open "$WORK/cl.yaml" 60)
expect_eq "a run with 3 overdue items" "$run" 1

# --no-notify: nothing moves
PREFLIGHT_DB= start_serve --listen 127.0.0.1:0 --db "$db" --tokens "$WORK/tokens" --no-notify
m=$(curl -s "$SERVE_URL/metrics")
expect_match "/metrics: the run's items by status" "$m" 'preflight_launch_items\{run="1",status="pending"\} 3'
expect_match "/metrics: its overdue items" "$m" 'preflight_launch_items_overdue\{run="1"\} 3'
sleep 1
expect_eq "--no-notify: nothing delivered" "$(rec_stat delivered)" 0
stop_serve
expect_eq "... exit 0" "$SERVE_RC" 0

PREFLIGHT_DB= start_serve --listen 127.0.0.1:0 --db "$db" --tokens "$WORK/tokens" --notify-interval 200ms \
	--notify-timeout 2s
for _ in $(seq 1 150); do   # bounded: 15 s
	[ "$(rec_stat delivered)" -ge 3 ] && break
	sleep 0.1
done
expect_eq "the server's own loop delivered the 3 alerts" "$(rec_stat delivered)" 3
sleep 1   # a few more rounds: nothing more may go
expect_eq "... each once" "$(rec_stat duplicates)" "[]"
expect_eq "... and no more" "$(rec_stat delivered)" 3
m=$(curl -s "$SERVE_URL/metrics")
expect_match "/metrics: the outbox is empty" "$m" 'preflight_outbox_messages\{state="pending"\} 0'
expect_match "/metrics: no pending age" "$m" 'preflight_outbox_oldest_pending_seconds 0\.000'
stop_serve
expect_eq "SIGTERM: exit 0 (within stop_serve's 10 s, else it is killed)" "$SERVE_RC" 0
expect_match "one log line for the round that sent them" "$(cat "$SERVE_ERR")" "notify: queued [0-9]+, sent [1-3], "
expect_eq "no line for the rounds with nothing to do" "$(grep -c 'notify: queued 0, sent 0, retry later 0, dead 0' "$SERVE_ERR")" 0
expect_no_secret "no robot secret in the server's log" "$SERVE_ERR"
finish
