#!/bin/bash
# Resuming the live feed (SQLite): a client that reconnects with
# Last-Event-ID (what a browser's EventSource sends) gets only the events
# after it, and the header wins over the URL's after=; ?after=N replays
# from N; a cursor older than what the server keeps gets "event: reset";
# after a restart of the server, a reconnect still resumes where it was.
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
  - {id: db, title: "database migrated", verify: {manual: {}}}
  - {id: cache, title: "cache warm", verify: {manual: {}}}
  - {id: flag, title: "feature flag on", verify: {manual: {}}}
YAML
pf "$WORK/run1" run "$WORK/cl.yaml" --by ann --db "$db"
make_tokens ann
start_server S --db "$db" --no-notify
maxseq() { sqlite3 "$db" 'SELECT MAX(seq) FROM events'; }

expect_true "a stream opens" open_stream first "$S/api/v1/stream"
pf "$WORK/c1" item confirm 1 db --by carol --db "$db"
s1=$(maxseq)
expect_true "it gets the first confirmation" wait_stream first "^id: $s1$"
close_stream first

# events while nobody listens
pf "$WORK/c2" item confirm 1 cache --by carol --db "$db"
s2=$(maxseq)
pf "$WORK/c3" item skip 1 flag --by carol --reason "later" --db "$db"
s3=$(maxseq)

expect_true "a reconnect with Last-Event-ID opens" open_stream again "$S/api/v1/stream" -H "Last-Event-ID: $s1"
expect_true "... and catches up" wait_stream again "^id: $s3$"
expect_eq "... with only the events after it, in order" "$(stream_events again | tr '\n' ' ')" \
	"$s2 item.confirm $s3 item.skip "
close_stream again

expect_true "Last-Event-ID wins over after=" open_stream hdr "$S/api/v1/stream?after=0" -H "Last-Event-ID: $s2"
expect_true "... (it catches up)" wait_stream hdr "^id: $s3$"
expect_eq "... only the event after the header's seq" "$(stream_events hdr)" "$s3 item.skip"
close_stream hdr

expect_true "?after=N replays from N" open_stream replay "$S/api/v1/stream?after=$s1"
expect_true "... (it catches up)" wait_stream replay "^id: $s3$"
expect_eq "... the events after N" "$(stream_events replay | tr '\n' ' ')" "$s2 item.confirm $s3 item.skip "
close_stream replay

expect_true "a cursor past the end opens" open_stream ahead "$S/api/v1/stream?after=$((s3 + 1000))"
pf "$WORK/c4" item reopen 1 db --by carol --reason "again" --db "$db"
sleep 1
expect_eq "... and, as asked, shows nothing up to that seq" "$(stream_events ahead)" ""
close_stream ahead

# more events than the server keeps (4096): an old cursor is told to reset
"$BUILDDIR/store_load" fill "$db" 1 3 5000 >/dev/null
s5=$(maxseq)
expect_true "a stream just before the bulk's end opens" open_stream tail "$S/api/v1/stream?after=$((s5 - 1))"
expect_true "... so the server has seen the bulk" wait_stream tail "^id: $s5$"
close_stream tail
open_stream stale "$S/api/v1/stream" -H "Last-Event-ID: $s1" || true
expect_true "a cursor older than what is kept gets event: reset" wait_stream stale "^event: reset"
expect_eq "... and nothing else" "$(stream_events stale | grep -vc ' reset$' || true)" 0
close_stream stale
expect_true "a recent cursor still resumes" open_stream recent "$S/api/v1/stream" -H "Last-Event-ID: $((s5 - 3))"
expect_true "... with the last three events" wait_stream recent "^id: $s5$"
expect_eq "... exactly those" "$(stream_events recent | cut -d' ' -f1 | tr '\n' ' ')" \
	"$(sqlite3 "$db" "SELECT seq FROM events WHERE seq > $((s5 - 3)) ORDER BY seq" | tr '\n' ' ')"
close_stream recent

# a restarted server knows the newest events already: a reconnect goes on
stop_proc "$S_PID"
pf "$WORK/c5" item confirm 1 db --by carol --reason "after the restart" --db "$db"
s6=$(maxseq)
start_server S --db "$db" --no-notify
expect_true "after a restart, a reconnect opens" open_stream restart "$S/api/v1/stream" -H "Last-Event-ID: $s5"
expect_true "... and gets the event written while the server was down" wait_stream restart "^id: $s6$"
expect_eq "... only that one" "$(stream_events restart)" "$s6 item.confirm"
close_stream restart
finish
