#!/usr/bin/env bash
# ctest-labels: slow
# Bad input to the loop's commands, on SQLite and on PostgreSQL: each is
# one clear line naming FILE:LINE:COL or the field, exit 2, and nothing
# written to the store (its events counted with sqlite3/psql before and
# after): an unknown verify kind, duplicate ids, an owner missing from
# people, skip without a reason, an overdue item confirmed without a delay
# reason, an unreachable database, a store a newer preflight wrote.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_launch.sh"

launch_stores
fx="$SRCDIR/tests/fixtures/launch"

# refused OUT DESC ERE ARGS...: preflight ARGS exits 2 with one line
# matching ERE, and the store's events are what they were.
refused() {
	local out=$1 desc=$2 ere=$3 before after
	shift 3
	before=$(event_count "$DB")
	pf "$out" "$@"
	after=$(event_count "$DB")
	expect_rc "$K: $desc: exit 2" 2
	expect_eq "$K: $desc: one line" "$(wc -l <"$out.err")" 1
	expect_match "$K: $desc: says what" "$(cat "$out.err")" "$ere"
	expect_eq "$K: $desc: nothing written" "$after" "$before"
}

pass() {
	K=$1
	DB=$(store_url "$K" bad)
	local out="$WORK/$K" run

	pf "$out.ok" run "$fx/small.yaml" --by alice --db "$DB" --format json
	expect_rc "$K: a run of manual items exits 0" 0
	run=$(jq -r .run.id "$out.ok")
	expect_num "$K: its events are in the store" "$(event_count "$DB")" '>' 0

	refused "$out.kind" "unknown verify kind" "bad-kind.yaml:6:7: .*unknown verify kind 'shell'" \
		run "$fx/bad-kind.yaml" --by alice --db "$DB"
	refused "$out.dup" "duplicate ids" "bad-dup.yaml:[0-9]+:[0-9]+: .*duplicate.*smoke" \
		run "$fx/bad-dup.yaml" --by alice --db "$DB"
	refused "$out.owner" "owner not in people" "bad-owner.yaml:[0-9]+:[0-9]+: .*mallory" \
		run "$fx/bad-owner.yaml" --by alice --db "$DB"
	refused "$out.jira" "jira: without a parent issue" "bad-jira.yaml' has a jira: section but no parent issue.*--jira-parent" \
		run "$fx/bad-jira.yaml" --by alice --db "$DB"
	refused "$out.only" "--only of an unknown item" "has no item 'nope'" \
		run "$fx/small.yaml" --by alice --only a1,nope --db "$DB"
	refused "$out.skip" "skip without reason" "skip needs --reason" \
		item skip "$run" a1 --by bob --db "$DB"
	refused "$out.late" "overdue confirm without delay reason" \
		"item 'old' of run $run was due 2020-06-01T12:00:00Z .*--reason" \
		item confirm "$run" old --by bob --db "$DB"
	refused "$out.latefail" "overdue fail without delay reason" "was due 2020-06-01T12:00:00Z" \
		item fail "$run" old --by bob --db "$DB"
	refused "$out.empty" "an empty reason" "--reason takes a non-empty value" \
		item skip "$run" a1 --by bob --reason "" --db "$DB"
	refused "$out.action" "an unknown action" "'approve' is not an action" \
		item approve "$run" a1 --by bob --db "$DB"
	refused "$out.run" "an unknown run" "no run 424242 in .*; its newest runs: $run$" \
		item confirm 424242 a1 --by bob --db "$DB"
	refused "$out.ctl" "a control character in --reason" "--reason holds a control character" \
		item skip "$run" a1 --by bob --reason $'a\033[2Jb' --db "$DB"
	refused "$out.status" "status of an unknown run" "no run 424242" status 424242 --db "$DB"

	# A store written by a newer preflight: refused by every command, and
	# left as it was (its events and its version).
	store_sql "$DB" "UPDATE meta SET value = '999' WHERE key = 'schema_version'"
	expect_eq "$K: the store now says schema 999" \
		"$(store_sql "$DB" "SELECT value FROM meta WHERE key = 'schema_version'")" 999
	local c
	for c in "status" "runs" "item confirm $run a1 --by bob" "run $fx/small.yaml --by alice"; do
		# shellcheck disable=SC2086
		refused "$out.newer" "${c%% *} on a store from a newer schema" "schema 999.*upgrade preflight" $c --db "$DB"
	done
	expect_eq "$K: its version is left as it was" \
		"$(store_sql "$DB" "SELECT value FROM meta WHERE key = 'schema_version'")" 999
}

for k in "${STORES[@]}"; do
	pass "$k"
done

# Stores that cannot be used: the same line from every command.
K=any
DB="$WORK/none.db"
for c in "run $SRCDIR/tests/fixtures/launch/small.yaml --by alice" "item confirm 1 a1 --by bob" "status" "runs"; do
	# shellcheck disable=SC2086
	pf "$WORK/unreach" $c --db "postgresql://alice:s3cretpw@127.0.0.1:1/x?connect_timeout=5"
	expect_rc "${c%% *}: an unreachable database exits 2" 2
	expect_eq "${c%% *}: ... in one line" "$(wc -l <"$WORK/unreach.err")" 1
	expect_match "${c%% *}: ... naming the store" "$(cat "$WORK/unreach.err")" '127\.0\.0\.1'
	expect_no_match "${c%% *}: ... without its password" "$(cat "$WORK/unreach.err")" 's3cretpw'
done

finish
