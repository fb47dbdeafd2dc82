#!/usr/bin/env bash
# A `preflight run` stopped while a long exec item runs (docs/launch.md,
# "When a run is interrupted"), on SQLite and on PostgreSQL:
#   SIGTERM: what was recorded stays (the quick item's pass), the running
#            item is recorded as failed "interrupted by SIGTERM" with no
#            follow-up, its command is stopped, preflight dies of SIGTERM;
#            `run --resume RUN` runs it again and it passes;
#   SIGKILL: nothing can be recorded, the item stays `running`; --resume
#            sees its process is gone, reopens it and runs it.
# A checklist changed since the run opened is refused by --resume.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_launch.sh"

launch_stores
sed "s|@WORK@|$WORK|g" "$SRCDIR/tests/fixtures/launch/interrupt.yaml" >"$WORK/interrupt.yaml"
MARK="sleep 47.25"

# started DB: true once the long item's start is in the store and the
# quick one's result too (the events the kill must not lose).
started() {
	local q="SELECT count(*) FROM events WHERE run_id = (SELECT max(run_id) FROM events) AND
		((item_id = 'long' AND kind = 'item.start') OR (item_id = 'quick' AND kind = 'item.result'))"
	case $1 in
	postgres*) [ "$(psql "$1" -qAtc "$q" 2>/dev/null)" = 2 ] ;;
	*) [ "$(sqlite3 "$1" "$q" 2>/dev/null)" = 2 ] ;;
	esac
}

# sleeper_pids: the long item's sleep, if it still runs.
sleeper_pids() {
	pgrep -f -x "$MARK" || true
}

# run_and_kill SIG DB: starts the run, waits (bounded) until the long item
# runs, sends SIG; sets RUN_RC.
run_and_kill() {
	local sig=$1 db=$2 pid i
	rm -f "$WORK/fast"
	set +e
	"$PREFLIGHT" run "$WORK/interrupt.yaml" --by alice --db "$db" --format json >"$WORK/killed.out" 2>"$WORK/killed.err" &
	pid=$!
	set -e
	for i in $(seq 1 300); do
		started "$db" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	expect_true "$sig: the long item started within 30 s" started "$db"
	kill -"$sig" "$pid" 2>/dev/null || true
	set +e
	# braces: bash reports a job killed by a signal on the shell's stderr
	{ wait "$pid"; } 2>/dev/null
	RUN_RC=$?
	set -e
}

pass() {
	local k=$1 db run i left
	db=$(store_url "$k" intr)

	run_and_kill TERM "$db"
	expect_eq "$k: preflight dies of SIGTERM" "$RUN_RC" 143
	expect_match "$k: it says what it recorded and how to go on" "$(cat "$WORK/killed.err")" \
		"interrupted: run [0-9]+'s running items \(long\) are recorded as failed.*--resume [0-9]+"
	run=$(sqlite_or_pg_run "$db")
	pf "$WORK/$k.st" status "$run" --format json --db "$db"
	expect_eq "$k: the quick item's pass stays" "$(json_item "$WORK/$k.st" quick status)" pass
	expect_eq "$k: the running item is failed" "$(json_item "$WORK/$k.st" long status)" fail
	expect_eq "$k: ... as interrupted" "$(json_item "$WORK/$k.st" long note)" "interrupted by SIGTERM"
	expect_eq "$k: the manual item still waits" "$(json_item "$WORK/$k.st" person status)" pending
	expect_eq "$k: an interruption opens no follow-up" "$(jq '.followups | length' "$WORK/$k.st")" 0
	for i in $(seq 1 50); do
		left=$(sleeper_pids)
		[ -z "$left" ] && break
		sleep 0.1
	done
	expect_eq "$k: the long item's command was stopped with it" "$left" ""

	# a changed checklist is not resumed
	sed 's/a quick check/a quick check, changed/' "$WORK/interrupt.yaml" >"$WORK/changed.yaml"
	pf "$WORK/$k.chg" run "$WORK/changed.yaml" --resume "$run" --by alice --db "$db"
	expect_rc "$k: --resume with a changed checklist is refused" 2
	expect_match "$k: ... naming the item" "$(cat "$WORK/$k.chg.err")" "item 'quick' .* not what run $run was opened with"

	touch "$WORK/fast"
	pf "$WORK/$k.res" run "$WORK/interrupt.yaml" --resume "$run" --by bob --db "$db" --format json
	expect_rc "$k: --resume runs the interrupted item, which passes" 0
	expect_eq "$k: the same run" "$(jq .run.id "$WORK/$k.res")" "$run"
	expect_eq "$k: long passed on its second cycle" \
		"$(json_item "$WORK/$k.res" long status)/$(json_item "$WORK/$k.res" long cycle)/$(json_item "$WORK/$k.res" long executor)" \
		"pass/1/bob"
	expect_eq "$k: quick was not run again" "$(json_item "$WORK/$k.res" quick cycle)" 0

	# SIGKILL: nothing records the running item; --resume finds it orphaned
	run_and_kill KILL "$db"
	expect_eq "$k: preflight was killed" "$RUN_RC" 137
	for left in $(sleeper_pids); do
		kill "$left" 2>/dev/null || true   # SIGKILL leaves it behind (documented)
	done
	run=$(sqlite_or_pg_run "$db")
	pf "$WORK/$k.st2" status "$run" --format json --db "$db"
	expect_eq "$k: after SIGKILL the long item stays running" "$(json_item "$WORK/$k.st2" long status)" running
	touch "$WORK/fast"
	pf "$WORK/$k.res2" run "$WORK/interrupt.yaml" --resume "$run" --by bob --db "$db" --format json
	expect_rc "$k: --resume runs an item whose process is gone" 0
	expect_eq "$k: ... and it passes" "$(json_item "$WORK/$k.res2" long status)" pass
}

# the newest run id, read from the store itself
sqlite_or_pg_run() {
	case $1 in
	postgres*) psql "$1" -qAtc "SELECT max(run_id) FROM events" ;;
	*) sqlite3 "$1" "SELECT max(run_id) FROM events" ;;
	esac
}

for k in "${STORES[@]}"; do
	pass "$k"
done
finish
