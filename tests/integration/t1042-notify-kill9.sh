#!/bin/bash
# ctest-labels: slow
# kill -9 of `preflight notify` while a robot hangs on a message, then a
# restart: nothing lost (every alert arrives, once the dead notifier's lease
# has run out) and nothing duplicated. On SQLite and on PostgreSQL.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_notify.sh"
[ -f "$(dirname "$0")/lib_pg.sh" ] && . "$(dirname "$0")/lib_pg.sh"

scenario() {   # NAME DB
	local name=$1 db=$2 run pid i delivered=0 requests=0
	start_recorder -faults hang
	notify_checklist "$WORK/cl.yaml" wh
	run=$("$DRIVER" "$db" open "$WORK/cl.yaml" 60)
	PREFLIGHT_DB= start_bg pid "$PREFLIGHT" notify --once --db "$db" --timeout 4s --lease 1s
	for i in $(seq 1 200); do   # bounded: 20 s
		requests=$(rec_stat requests)
		[ "$requests" -ge 1 ] && break
		sleep 0.1
	done
	expect_eq "$name: the robot hangs on the first message" "$requests" 1
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null || true
	expect_eq "$name: nothing delivered before the kill" "$(rec_stat delivered)" 0
	pf_notify "$WORK/pending.json" notify --list --state pending --format json --db "$db"
	expect_eq "$name: the 3 messages are still pending" "$(jq length "$WORK/pending.json")" 3
	# restart until done: the hung message comes back when its lease (the
	# longer of --lease and two timeouts: 8 s) runs out; the others at once
	for i in $(seq 1 120); do   # bounded: 60 s
		pf_notify "$WORK/once.out" notify --once --db "$db" --timeout 5s
		delivered=$(rec_stat delivered)
		[ "$delivered" -ge 3 ] && break
		sleep 0.5
	done
	expect_eq "$name: after the restart, nothing lost" "$delivered" 3
	expect_eq "$name: nothing duplicated" "$(rec_stat duplicates)" "[]"
	pf_notify "$WORK/sent.json" notify --list --state sent --format json --db "$db"
	expect_eq "$name: the outbox: 3 sent" "$(jq length "$WORK/sent.json")" 3
	stop_recorder
}

scenario sqlite "$WORK/store.db"
if declare -F pg_available >/dev/null && pg_available; then
	start_postgres
	scenario postgresql "$PG_URL"
else
	skip_one "the same on PostgreSQL" "no lib_pg.sh or no PostgreSQL here"
fi
finish
