#!/bin/bash
# ctest-labels: slow
# Several processes on one store at once, on SQLite and on PostgreSQL: two
# append events, two claim and deliver outbox messages, one tails the log
# (seq > last) meanwhile. Every event is there once, seqs are unique, the
# tailer saw every one of them (none committed behind its back with a
# smaller seq), and every message was delivered by exactly one claimant.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_pg.sh"

LOAD=$BUILDDIR/store_load
[ -x "$LOAD" ] || die "store_load is not built"
N=200       # events per appender
MSGS=60     # outbox messages

# bg NAME CMD...: starts CMD (bounded by timeout), its stdout in $WORK/NAME.out.
declare -A bg_pid=()
bg() {
	local name=$1 pid
	shift
	start_bg pid bash -c 'out=$1; shift; exec "$@" >"$out"' _ "$WORK/$name.out" timeout 120 "$@"
	bg_pid[$name]=$pid
}

run_case() { # BACKEND DB
	local be=$1 db=$2 run total name rc
	run=$("$LOAD" init "$db" 3 "$MSGS")
	# run.open, alert.queued per message, the appends, alert.sent per message
	total=$((1 + MSGS + 2 * N + MSGS))
	bg "$be-tail" "$LOAD" tail "$db" "$total"
	bg "$be-A" "$LOAD" append "$db" "$run" "$N" A
	bg "$be-B" "$LOAD" append "$db" "$run" "$N" B
	bg "$be-X" "$LOAD" claim "$db" X
	bg "$be-Y" "$LOAD" claim "$db" Y
	for name in tail A B X Y; do
		wait "${bg_pid[$be-$name]}" && rc=0 || rc=$?
		expect_eq "$be: $name exits 0" "$rc" 0
		[ "$rc" = 0 ] || show "$WORK/$be-$name.out"
	done
	"$LOAD" dump "$db" >"$WORK/$be.dump"
	expect_eq "$be: every event is in the log" "$(wc -l <"$WORK/$be.dump")" "$total"
	expect_eq "$be: no seq twice" "$(cut -d' ' -f1 "$WORK/$be.dump" | sort -n | uniq -d | wc -l)" 0
	expect_eq "$be: A's events 1..$N all there" \
		"$(awk '$4 == "A" && $2 ~ /^item/ {print $5}' "$WORK/$be.dump" | sort -un | wc -l)" "$N"
	expect_eq "$be: B's events 1..$N all there" \
		"$(awk '$4 == "B" && $2 ~ /^item/ {print $5}' "$WORK/$be.dump" | sort -un | wc -l)" "$N"
	expect_eq "$be: the tailer saw exactly the log, in order" \
		"$(cut -d' ' -f1 "$WORK/$be.dump" | tr '\n' ' ')" "$(tr '\n' ' ' <"$WORK/$be-tail.out")"
	expect_eq "$be: every message delivered" "$(cat "$WORK/$be-X.out" "$WORK/$be-Y.out" | sort -un | wc -l)" "$MSGS"
	expect_eq "$be: no message delivered twice" \
		"$(cat "$WORK/$be-X.out" "$WORK/$be-Y.out" | sort -n | uniq -d | wc -l)" 0
	expect_eq "$be: one alert.sent per message" "$(grep -c ' alert.sent ' "$WORK/$be.dump")" "$MSGS"
}

fresh_case() { # BACKEND DB: four processes create and migrate one new store at once
	local be=$1 db=$2 i rc
	for i in 1 2 3 4; do
		bg "$be-new$i" "$LOAD" init "$db" 2 0
	done
	for i in 1 2 3 4; do
		wait "${bg_pid[$be-new$i]}" && rc=0 || rc=$?
		expect_eq "$be: opening a new store at once ($i) exits 0" "$rc" 0
	done
	expect_eq "$be: four runs, ids 1..4" "$(cat "$WORK/$be-new"[1-4].out | sort -n | tr '\n' ' ')" "1 2 3 4 "
}

run_case sqlite "$WORK/store.db"
fresh_case sqlite "$WORK/fresh.db"
if pg_available; then
	start_postgres
	run_case postgresql "$PG_URL"
	pg_psql "CREATE DATABASE fresh"
	fresh_case postgresql "${PG_URL/\/preflight?//fresh?}"
else
	skip_one "the same on PostgreSQL" "$(_pg_missing)"
fi
finish
