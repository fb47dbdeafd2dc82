#!/usr/bin/env bash
# preflight close, on SQLite and on PostgreSQL: a run with open items is
# closed only with --reason (refused without, nothing written); once
# closed, nothing more is recorded in it (item, close again: exit 2), its
# alerts stop (notify's plan for it is empty, where it held the overdue
# item's alert before), and status, runs and the JSON report say when it
# closed; the run.close event keeps who, why and what was left open.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_launch.sh"

launch_stores
fx="$SRCDIR/tests/fixtures/launch"

pass() {
	K=$1
	DB=$(store_url "$K" close)
	local out="$WORK/$K" run before

	pf "$out.run" run "$fx/close.yaml" --by alice --db "$DB" --format json
	expect_rc "$K: the run opens (manual items only: exit 0)" 0
	run=$(jq -r .run.id "$out.run")

	pf "$out.plan0" notify --once --dry-run --run "$run" --db "$DB" --format json
	expect_eq "$K: before closing, the overdue item's alert is due" \
		"$(jq -r '[.[] | select(.item == "late")] | length' "$out.plan0")" 1

	before=$(event_count "$DB")
	pf "$out.noreason" close "$run" --by alice --db "$DB"
	expect_rc "$K: closing with open items and no --reason: exit 2" 2
	expect_match "$K: ... saying what is open" "$(cat "$out.noreason.err")" "still has 2 open items and 0 open follow-ups; closing it needs --reason"
	expect_eq "$K: ... nothing written" "$(event_count "$DB")" "$before"

	pf "$out.nobody" close "$run" --db "$DB" --reason x
	expect_rc "$K: close without --by: exit 2" 2

	pf "$out.close" close "$run" --by alice --reason "launched; the rest moves to the next release" --db "$DB"
	expect_rc "$K: close with a reason: exit 0" 0
	expect_match "$K: ... says what it left open" "$(cat "$out.close")" "run $run closed by alice with 2 open items"
	expect_eq "$K: one run.close event" \
		"$(store_sql "$DB" "SELECT count(*) FROM events WHERE kind = 'run.close' AND run_id = $run")" 1
	expect_eq "$K: ... with who and why" \
		"$(store_sql "$DB" "SELECT actor || '|' || reason FROM events WHERE kind = 'run.close'")" \
		"alice|launched; the rest moves to the next release"

	before=$(event_count "$DB")
	pf "$out.again" close "$run" --by bob --reason again --db "$DB"
	expect_rc "$K: closing it again: exit 2" 2
	expect_match "$K: ... already closed" "$(cat "$out.again.err")" "run $run is already closed"
	pf "$out.item" item confirm "$run" ok --by alice --db "$DB"
	expect_rc "$K: an item of a closed run cannot be confirmed: exit 2" 2
	expect_match "$K: ... saying so" "$(cat "$out.item.err")" "run $run is closed"
	expect_eq "$K: ... nothing written" "$(event_count "$DB")" "$before"

	pf "$out.plan1" notify --once --dry-run --run "$run" --db "$DB" --format json
	expect_eq "$K: after closing, no alert is due for it" "$(jq -r 'length' "$out.plan1")" 0

	pf "$out.json" status "$run" --db "$DB" --format json
	expect_match "$K: status says when it closed" "$(jq -r .run.closed_at "$out.json")" '^20[0-9-]+T[0-9:]+Z$'
	pf "$out.runs" runs --db "$DB" --format json
	expect_true "$K: runs lists it closed" jq -e --argjson r "$run" '.runs[] | select(.id == $r) | .closed_at != null' "$out.runs"

	pf "$out.missing" close 4242 --by alice --reason x --db "$DB"
	expect_rc "$K: an unknown run: exit 2" 2
}

for k in "${STORES[@]}"; do
	pass "$k"
done

finish
