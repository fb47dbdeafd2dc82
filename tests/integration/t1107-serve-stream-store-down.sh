#!/bin/bash
# ctest-labels: slow
# The live feed outlives its store going away (PostgreSQL stopped and
# started again under a running `preflight serve`): the open stream stays
# open, the failure is logged once (not once per poll), and when the store
# answers again the event another process wrote reaches the stream.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_stream.sh"
. "$(dirname "$0")/lib_pg.sh"
start_postgres
db=$PG_URL
export PREFLIGHT_DB=

# the server lib_pg.sh started, stopped (fast: the clients' sessions are
# cut) and started again on the same data
pg_stop() {
	_pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 30 stop >"$WORK/pg-stop.log" 2>&1 || true
	stop_proc "$PG_PID"
}
pg_start() {
	local -a as_pg=() i
	[ "$(id -u)" = 0 ] && as_pg=(setpriv --reuid=postgres --regid=postgres --init-groups --)
	start_bg PG_PID "${as_pg[@]}" timeout "$PG_LIFETIME" "$PG_BIN/postgres" -D "$PG_DIR/data" \
		-c listen_addresses= -c unix_socket_directories="$PG_DIR" -c fsync=off \
		-c synchronous_commit=off -c full_page_writes=off -c max_connections=50
	for ((i = 0; i < 300; i++)); do
		"$PG_BIN/pg_isready" -q -h "$PG_DIR" -U postgres -t 1 && return 0
		sleep 0.1
	done
	die "PostgreSQL did not come back"
}

cat >"$WORK/cl.yaml" <<'YAML'
version: 1
name: shop launch
owner: ann
items:
  - {id: db, title: "database migrated", verify: {manual: {}}}
  - {id: cache, title: "cache warm", verify: {manual: {}}}
YAML
pf "$WORK/run" run "$WORK/cl.yaml" --by ann --db "$db"
expect_rc "the run opens" 0
make_tokens ann
start_server S --db "$db" --no-notify
expect_true "a stream opens" open_stream live "$S/api/v1/stream"

pg_stop
sleep 2   # eight polls fail meanwhile
expect_eq "the failure is logged once, not once per poll" "$(grep -c 'hub: reading the store failed' "$S_LOG")" 1
expect_true "the stream is still open" kill -0 "$STREAM_PID_live"

pg_start
pf "$WORK/c1" item confirm 1 db --by carol --db "$db"
expect_rc "another process confirms once the store is back" 0
seq=$(pg_psql "SELECT MAX(seq) FROM events")
expect_true "the open stream gets it" wait_stream live "^id: $seq$"
expect_eq "... as the confirmation" "$(stream_data live "$seq" | jq -r '"\(.kind) \(.item) \(.actor)"')" \
	"item.confirm db carol"
expect_true "the log says the store answers again" grep -q 'hub: reading the store works again' "$S_LOG"
close_stream live
finish
