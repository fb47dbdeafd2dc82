#!/bin/bash
# ctest-labels: slow
# A webhook and a DingTalk robot that time out, fail with 500, answer 429
# with Retry-After and their rate-limit errcode, then recover: the notifier
# loop (`preflight notify` without --once) retries with backoff and every
# alert arrives exactly once; SIGTERM stops the loop cleanly (exit 0). On
# SQLite and on PostgreSQL.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_notify.sh"
[ -f "$(dirname "$0")/lib_pg.sh" ] && . "$(dirname "$0")/lib_pg.sh"

scenario() {   # NAME DB
	local name=$1 db=$2 run pid i delivered=0 rc
	start_recorder -faults timeout,500,429,busy,timeout,busy -sleep 4s
	notify_checklist "$WORK/cl.yaml" wh dt
	run=$("$DRIVER" "$db" open "$WORK/cl.yaml" 60)
	PREFLIGHT_DB= start_bg pid "$PREFLIGHT" notify --db "$db" --interval 200ms --timeout 1s --backoff 300ms
	for i in $(seq 1 300); do   # bounded: 60 s
		delivered=$(rec_stat delivered)
		[ "$delivered" -ge 6 ] && break
		sleep 0.2
	done
	expect_eq "$name: all 6 alerts (3 items x 2 channels) arrived" "$delivered" 6
	sleep 1   # one more round or so: nothing more may arrive
	kill -TERM "$pid"
	set +e
	wait "$pid"
	rc=$?
	set -e
	expect_eq "$name: SIGTERM ends the loop with exit 0" "$rc" 0
	expect_eq "$name: each exactly once (no duplicate ids)" "$(rec_stat duplicates)" "[]"
	expect_eq "$name: 6 distinct messages" "$(rec_stat distinct)" 6
	expect_num "$name: the faults were met (requests)" "$(rec_stat requests)" ">=" 12
	expect_eq "$name: every body valid" "$(rec_stat invalid)" 0
	pf_notify "$WORK/list.json" notify --list --format json --db "$db"
	expect_eq "$name: the outbox: 6 sent" "$(jq '[.[] | select(.state == "sent")] | length' "$WORK/list.json")" 6
	expect_num "$name: retried messages count their attempts" \
		"$(jq '[.[] | .attempts] | add' "$WORK/list.json")" ">=" 6
	expect_match "$name: the log says why it retried" "$(cat "$WORK"/bg.*.log)" \
		"retry: .*(HTTP 500|HTTP 429|errcode 130101|timed out|timeout)"
	expect_no_secret "$name: secrets in no log" "$WORK"/bg.*.log "$WORK/list.json"
	stop_recorder
	rm -f "$WORK"/bg.*.log
}

scenario sqlite "$WORK/store.db"
if declare -F pg_available >/dev/null && pg_available; then
	start_postgres
	scenario postgresql "$PG_URL"
else
	skip_one "the same on PostgreSQL" "no lib_pg.sh or no PostgreSQL here"
fi
finish
