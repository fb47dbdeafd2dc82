#!/bin/bash
# The event streams at the server's side: a stream is an open response
# (text/event-stream, no-store, X-Accel-Buffering: no) that costs no
# thread while it waits; --max-streams caps them (503 with Retry-After
# beyond); a closed stream frees its place; an event another process
# writes reaches every open stream; SIGTERM ends the streams (the clients
# see the end, they do not hang) and the server exits 0.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_serve.sh"
need curl jq

T=ann-0123456789abcdef
serve_tokens "$WORK/tokens" "ann:$T"
db=$WORK/store.db
cat >"$WORK/cl.yaml" <<'YAML'
version: 1
name: streams
items:
  - {id: a, title: "first", verify: {manual: {}}}
  - {id: b, title: "second", verify: {manual: {}}}
YAML
pf "$WORK/open" run "$WORK/cl.yaml" --db "$db" --by ann
expect_rc "a run opened" 0 1
# one worker thread: open streams must not hold it
start_serve --listen 127.0.0.1:0 --db "$db" --tokens "$WORK/tokens" --no-notify --max-streams 2 --threads 1

stream() {   # NAME: a stream in the background, its head and body in files
	curl -sN --max-time 60 -D "$WORK/$1.head" -o "$WORK/$1.body" -H "Authorization: Bearer $T" \
		"$SERVE_URL/api/v1/stream" </dev/null >/dev/null 2>&1 &
	printf -v "PID_$1" '%s' "$!"
	_pids+=("$!")
	for _ in $(seq 100); do grep -q '^retry:' "$WORK/$1.body" 2>/dev/null && return 0; sleep 0.1; done
	return 1
}
expect_true "a stream opens" stream s1
expect_match "... as an event stream" "$(cat "$WORK/s1.head")" "Content-Type: text/event-stream"
expect_match "... never cached" "$(cat "$WORK/s1.head")" "Cache-Control: no-store"
expect_match "... nor buffered by a proxy" "$(cat "$WORK/s1.head")" "X-Accel-Buffering: no"
expect_true "a second stream opens" stream s2
expect_eq "the one worker thread still serves requests" "$(curl -s --max-time 5 "$SERVE_URL/healthz" | jq -r .status)" ok
expect_match "/metrics counts the streams" "$(curl -s "$SERVE_URL/metrics")" "preflight_serve_sse_streams 2"
h=$(curl -s -D - -o "$WORK/third" --max-time 5 -H "Authorization: Bearer $T" "$SERVE_URL/api/v1/stream")
expect_match "a third with --max-streams 2: 503" "$h" "^HTTP/1.1 503 "
expect_match "... with Retry-After" "$h" "Retry-After: 5"
expect_eq "... and a JSON error" "$(jq -r .error.code "$WORK/third")" unavailable

stop_proc "$PID_s2"
for _ in $(seq 50); do
	curl -s "$SERVE_URL/metrics" | grep -q "preflight_serve_sse_streams 1" && break
	sleep 0.1
done
expect_match "a closed stream frees its place" "$(curl -s "$SERVE_URL/metrics")" "preflight_serve_sse_streams 1"
expect_true "... a new one opens" stream s3

pf "$WORK/act" item confirm 1 a --by bob --db "$db"
expect_rc "another process confirms an item" 0
for _ in $(seq 150); do
	grep -q '^event: item.confirm' "$WORK/s1.body" && grep -q '^event: item.confirm' "$WORK/s3.body" && break
	sleep 0.1
done
expect_match "it reaches the first stream" "$(cat "$WORK/s1.body")" "event: item.confirm"
expect_match "... and the newer one" "$(cat "$WORK/s3.body")" "event: item.confirm"

kill -TERM "$SERVE_PID"
ended=yes
for p in "$PID_s1" "$PID_s3"; do
	for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$p" 2>/dev/null && ended=no
done
expect_eq "SIGTERM ends the open streams (their clients see the end)" "$ended" yes
stop_serve
expect_eq "... and the server exits 0" "$SERVE_RC" 0
finish
