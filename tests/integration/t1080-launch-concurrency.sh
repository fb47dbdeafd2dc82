#!/usr/bin/env bash
# ctest-labels: slow
# Two processes acting on the items of one run at the same time, on SQLite
# and on PostgreSQL (docs/launch.md: check and append in one write
# transaction): one confirms and reopens, the other skips and reopens, in
# bounded loops. Every command either records its event (exit 0) or is
# refused because the other got there first (exit 2, never 3: no "database
# is locked"); no event is lost (events added = commands that said yes);
# and each item's log is one consistent chain: every event's "from" is the
# status the previous one set.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_launch.sh"

launch_stores
ROUNDS=${ROUNDS:-3}
ITEMS=(a1 a2 a3 a4 a5)

# worker NAME ACTION DB RUN: ACTION then reopen, each item, ROUNDS times;
# one exit code per line in $WORK/NAME.rc.
worker() {
	local name=$1 action=$2 db=$3 run=$4 r i rc
	local extra=()
	[ "$action" = skip ] && extra=(--reason "skipped by $name")
	for ((r = 0; r < ROUNDS; r++)); do
		for i in "${ITEMS[@]}"; do
			set +e
			timeout 60 "$PREFLIGHT" item "$action" "$run" "$i" --by "$name" "${extra[@]}" --db "$db" \
				>/dev/null 2>>"$WORK/$name.err"
			rc=$?
			echo "$rc" >>"$WORK/$name.rc"
			timeout 60 "$PREFLIGHT" item reopen "$run" "$i" --by "$name" --db "$db" \
				>/dev/null 2>>"$WORK/$name.err"
			echo "$?" >>"$WORK/$name.rc"
			set -e
		done
	done
}

# the item events of the store as "item from to" lines in seq order
chain() {
	local q="SELECT item_id, data, status FROM events WHERE item_id IS NOT NULL AND status IS NOT NULL ORDER BY seq"
	case $1 in
	postgres*) psql "$1" -qAt -F $'\t' -c "$q" ;;
	*) sqlite3 -separator $'\t' "$1" "$q" ;;
	esac
}

pass() {
	local k=$1 db run before after ok pa pb
	db=$(store_url "$k" conc)
	rm -f "$WORK/a.rc" "$WORK/b.rc" "$WORK/a.err" "$WORK/b.err"

	pf "$WORK/$k.run" run "$SRCDIR/tests/fixtures/launch/small.yaml" --by alice --db "$db" --format json
	expect_rc "$k: the run opens" 0
	run=$(jq -r .run.id "$WORK/$k.run")
	before=$(event_count "$db")

	worker a confirm "$db" "$run" &
	pa=$!
	worker b skip "$db" "$run" &
	pb=$!
	wait "$pa"
	wait "$pb"

	after=$(event_count "$db")
	ok=$(cat "$WORK/a.rc" "$WORK/b.rc" | grep -cx 0 || true)
	expect_num "$k: some commands of each worker succeeded" "$ok" '>' 0
	expect_eq "$k: every command ran" "$(cat "$WORK/a.rc" "$WORK/b.rc" | wc -l)" $((ROUNDS * ${#ITEMS[@]} * 4))
	expect_eq "$k: the refusals are refusals (exit 2), never errors" \
		"$(cat "$WORK/a.rc" "$WORK/b.rc" | grep -vx 0 | grep -cvx 2 || true)" 0
	expect_no_match "$k: no store error" "$(cat "$WORK/a.err" "$WORK/b.err")" 'locked|busy|internal|deadlock|serializ'
	expect_eq "$k: no lost event: events added = commands that said yes" "$((after - before))" "$ok"

	# Replay the log: each event starts from the status the one before set.
	chain "$db" | python3 -c '
import json, sys
names = ["pending", "running", "pass", "fail", "skip"]
state, bad = {}, 0
for line in sys.stdin:
    item, data, status = line.rstrip("\n").split("\t")
    d = json.loads(data) if data else {}
    cur = state.get(item, "pending")
    fr = d.get("from", cur)
    if fr != cur:
        bad += 1
        print(f"{item}: event from {fr} but the item was {cur}", file=sys.stderr)
    state[item] = names[int(status)]
print(bad)
' >"$WORK/$k.chain" 2>"$WORK/$k.chain.err"
	expect_eq "$k: every item's log is one consistent chain" "$(cat "$WORK/$k.chain")" 0
	show "$WORK/$k.chain.err" 5

	pf "$WORK/$k.st" status "$run" --format json --db "$db"
	expect_eq "$k: status agrees with the replayed log" \
		"$(jq -c '[.items[] | select(.status != "pending")] | length' "$WORK/$k.st")" \
		"$(chain "$db" | awk -F'\t' '{s[$1] = $3} END {n = 0; for (i in s) if (s[i] != 0) n++; print n}')"
}

for k in "${STORES[@]}"; do
	pass "$k"
done
finish
