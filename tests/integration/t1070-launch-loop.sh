#!/usr/bin/env bash
# ctest-labels: slow
# The launch loop from a checklist to the report (docs/launch.md), the same
# steps on SQLite and on PostgreSQL: `run` verifies exec and http items
# against a local server and leaves manual ones pending; people confirm,
# skip, fail and reopen items under the runbook's rules (skip needs a
# reason, an overdue item needs a delay reason, no silent no-ops); `status`
# filters and its exit code; `runs`; the run rendered in every format.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_launch.sh"

launch_stores
start_fake fake_pprof.py web --vars "$SRCDIR/tests/fixtures/launch/vars.json"
sed "s|@URL@|$FAKE_URL|g" "$SRCDIR/tests/fixtures/launch/loop.yaml" >"$WORK/loop.yaml"

pass() { # KIND: the loop on one store
	local k=$1 db run out
	db=$(store_url "$k" loop)
	out="$WORK/$k"

	pf "$out.run.json" run "$WORK/loop.yaml" --env prod --by alice --db "$db" --format json
	expect_rc "$k: run with failed automatic items exits 1" 1
	run=$(jq -r '.run.id' "$out.run.json")
	expect_match "$k: the run's id comes first in its JSON" "$run" '^[0-9]+$'
	expect_eq "$k: exec item that exits 0 passed" "$(json_item "$out.run.json" exec-ok status)" pass
	expect_eq "$k: http item that answers passed" "$(json_item "$out.run.json" http-ok status)" pass
	expect_eq "$k: exec item that exits 3 failed" "$(json_item "$out.run.json" exec-fail status)" fail
	expect_eq "$k: http item on a missing page failed" "$(json_item "$out.run.json" http-down status)" fail
	expect_match "$k: its note says what it got" "$(json_item "$out.run.json" http-down note)" '404'
	expect_eq "$k: manual items wait for a person" "$(json_item "$out.run.json" feature-flag status)" pending
	expect_eq "$k: the executor of an automatic item is --by" "$(json_item "$out.run.json" exec-ok executor)" alice
	expect_num "$k: its duration is recorded" "$(json_item "$out.run.json" exec-ok elapsed_ms)" '>=' 0
	expect_eq "$k: --env prod leaves the staging item out" "$(json_item "$out.run.json" staging-only id)" null
	expect_eq "$k: seven items are in the run" "$(jq '.items | length' "$out.run.json")" 7
	expect_eq "$k: each failure opened a follow-up" \
		"$(jq -c '[.followups[] | .item] | sort' "$out.run.json")" '["exec-fail","http-down"]'
	expect_eq "$k: a follow-up is owned by the item's owner" \
		"$(jq -r '.followups[] | select(.item == "exec-fail") | .owner' "$out.run.json")" carol

	pf "$out.tty" run "$WORK/loop.yaml" --env prod --by alice --db "$db" --only exec-ok,feature-flag
	expect_rc "$k: a run of passing items exits 0" 0
	expect_match "$k: tty output starts with the run id" "$(head -n1 "$out.tty")" '^run [0-9]+ '

	# people act on the items of the first run
	pf "$out.c1" item confirm "$run" feature-flag --by carol --change DEP-9 --db "$db"
	expect_rc "$k: confirm a pending manual item" 0
	expect_eq "$k: item says what it did" "$(cat "$out.c1")" "run $run item feature-flag: pending -> pass by carol"
	pf "$out.c2" item confirm "$run" feature-flag --by bob --db "$db"
	expect_rc "$k: confirming it again is refused" 2
	expect_match "$k: ... saying who was first" "$(cat "$out.c2.err")" "already pass \(by carol\)"
	pf "$out.s1" item skip "$run" signoff --by alice --db "$db"
	expect_rc "$k: skip without --reason is refused" 2
	expect_match "$k: ... saying it needs one" "$(cat "$out.s1.err")" 'skip needs --reason'
	pf "$out.s2" item skip "$run" signoff --by alice --reason "finance signs off tomorrow" --db "$db"
	expect_rc "$k: skip with a reason" 0
	pf "$out.l1" item confirm "$run" late-review --by bob --db "$db"
	expect_rc "$k: an overdue item is not confirmed without a delay reason" 2
	expect_match "$k: ... and the message names its due time" "$(cat "$out.l1.err")" \
		"was due 2020-01-02T00:00:00Z .*needs --reason"
	pf "$out.l1s" status "$run" --db "$db"
	expect_match "$k: status shows the due time that message names, not a day earlier's date" \
		"$(grep '^late-review ' "$out.l1s")" " 2020-01-02 00:00 "
	pf "$out.l2" item confirm "$run" late-review --by bob --reason "reviewer was on leave" --db "$db"
	expect_rc "$k: with the delay reason it is confirmed" 0
	pf "$out.f1" item confirm "$run" exec-fail --by carol --db "$db"
	expect_rc "$k: a person may confirm a failed automatic item" 0
	pf "$out.r1" item reopen "$run" exec-fail --by carol --reason "double-check" --db "$db"
	expect_rc "$k: reopen a passed item" 0
	# a long reason in Chinese: the follow-up's summary is the whole reason, still UTF-8
	why="still at v41: $(printf '数据库迁移未完成%.0s' $(seq 30))"
	pf "$out.f2" item fail "$run" exec-fail --by carol --reason "$why" --db "$db"
	expect_rc "$k: fail it by hand" 0
	expect_match "$k: failing opens a follow-up" "$(cat "$out.f2")" 'follow-up [0-9]+ opened'
	fu=$(sed -n 's/.*follow-up \([0-9]*\) opened.*/\1/p' "$out.f2")
	pf "$out.fl" followup list --run "$run" --format json --db "$db"
	expect_eq "$k: the follow-up lists with the reason as its summary" \
		"$(jq -r ".[] | select(.id == ${fu:-0}) | .summary" "$out.fl")" "$why"
	pf "$out.u1" item confirm "$run" feature-flagg --by carol --db "$db"
	expect_rc "$k: an unknown item is refused" 2
	expect_match "$k: ... naming the closest ids first" "$(cat "$out.u1.err")" "no item 'feature-flagg'; its items: feature-flag, "
	pf "$out.u2" item confirm 9999 feature-flag --by carol --db "$db"
	expect_rc "$k: an unknown run is refused" 2
	expect_match "$k: ... naming the runs there are" "$(cat "$out.u2.err")" "no run 9999 .*its newest runs: $((run + 1)), $run$"
	pf "$out.u3" item confirm "$run" exec-ok --db "$db"
	expect_rc "$k: item without --by is refused" 2

	pf "$out.st.json" status "$run" --format json --db "$db"
	expect_rc "$k: status with failed items exits 1" 1
	expect_eq "$k: the confirmation is recorded with its change" \
		"$(json_item "$out.st.json" feature-flag status)/$(json_item "$out.st.json" feature-flag executor)/$(json_item "$out.st.json" feature-flag change)" \
		"pass/carol/DEP-9"
	expect_eq "$k: the skip keeps its reason" "$(json_item "$out.st.json" signoff skip_reason)" \
		"finance signs off tomorrow"
	expect_eq "$k: the late confirmation keeps its delay reason" \
		"$(json_item "$out.st.json" late-review delay_reason)" "reviewer was on leave"
	expect_eq "$k: the reopened item went round once" "$(json_item "$out.st.json" exec-fail cycle)" 1
	expect_eq "$k: counts" "$(jq -c '[.summary.pass, .summary.fail, .summary.skip, .summary.pending]' "$out.st.json")" \
		'[4,2,1,0]'

	pf "$out.fail.json" status "$run" --status fail --format json --db "$db"
	expect_rc "$k: status --status fail exits 1" 1
	expect_eq "$k: ... and shows only failed items" "$(jq -c '[.items[].id]' "$out.fail.json")" '["exec-fail","http-down"]'
	pf "$out.mod.json" status "$run" --module order --status pass --format json --db "$db"
	expect_rc "$k: status of passed items exits 0" 0
	expect_eq "$k: filters combine" "$(jq -c '[.items[].id]' "$out.mod.json")" '["http-ok","feature-flag"]'
	pf "$out.own.json" status "$run" --owner carol --format json --db "$db"
	expect_eq "$k: --owner" "$(jq -c '[.items[].id]' "$out.own.json")" '["exec-fail","feature-flag"]'
	pf "$out.latest.json" status --format json --db "$db"
	expect_eq "$k: status without RUN shows the newest run" "$(jq '.run.id' "$out.latest.json")" "$((run + 1))"
	pf "$out.runs.json" runs --format json --db "$db"
	expect_rc "$k: runs exits 0" 0
	expect_eq "$k: runs lists both, newest first" "$(jq -c '[.runs[].id]' "$out.runs.json")" "[$((run + 1)),$run]"
	pf "$out.runs1" runs --limit 1 --format json --db "$db"
	expect_eq "$k: runs --limit" "$(jq '.runs | length' "$out.runs1")" 1

	local f
	for f in tty markdown junit html json; do
		pf "$out.report.$f" status "$run" --format "$f" -o "$out.report.$f.out" --db "$db"
		expect_rc "$k: the run renders as $f" 1
		expect_true "$k: ... into -o FILE" test -s "$out.report.$f.out"
	done
	for f in markdown junit html json; do
		pf "$out.rep.$f" report "$run" --format "$f" -o "$out.rep.$f.out" --db "$db"
		expect_rc "$k: report $f" 0
		expect_true "$k: ... is written" test -s "$out.rep.$f.out"
	done
	expect_eq "$k: report and status render the same run" "$(jq -c '[.items[] | [.id, .status, .executor]]' "$out.rep.json.out")" \
		"$(jq -c '[.items[] | [.id, .status, .executor]]' "$out.report.json.out")"
	expect_match "$k: markdown has the runbook's table" "$(cat "$out.report.markdown.out")" 'exec-fail.*carol'
	if command -v xmllint >/dev/null; then
		expect_true "$k: junit is well-formed XML" xmllint --noout "$out.report.junit.out"
	fi
	expect_no_match "$k: html loads nothing from the network" "$(cat "$out.report.html.out")" '(src|href)="https?:'
}

for k in "${STORES[@]}"; do
	pass "$k"
done
finish
