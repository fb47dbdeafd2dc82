#!/usr/bin/env bash
# preflight goroutines --match REGEX: only the groups whose site (function
# or file:line), state or creator (function or file:line) matches, each
# text on its own (so ^ and $ anchor within one), POSIX extended and
# case-sensitive as grep -E; on saved dumps, a series and a URL, in the
# tty, JSON and HTML outputs; "N of M groups match"; the exit status
# counts the suspects shown; a bad regex is a usage error.
. "$(dirname "$0")/lib.sh"
need jq python3

fx=$SRCDIR/tests/fixtures/goroutines
d=$fx/go1.26
series=("$d"/series-{1,2,3}.debug1.txt "$d/series-3.debug2.txt")

sites() { jq -r '[.groups[].site] | unique | join(",")' "$1"; }
gj() { # OUT REGEX ARGS...: --format json --match REGEX
	local out=$1 re=$2
	shift 2
	pf "$out" goroutines --no-source --format json --match "$re" "$@"
}

pf "$WORK/all.json" goroutines --no-source --format json "${series[@]}"
all=$(jq '.groups | length' "$WORK/all.json")
expect_eq "without --match: match is null" "$(jq '.match' "$WORK/all.json")" null

# ---- each field ----------------------------------------------------------------------
gj "$WORK/site.json" '^main\.leakyHandler\.func1$' "${series[@]}"
expect_rc "site function, anchored: exit 1 (its suspect shown)" 1
expect_eq "... only that group" "$(sites "$WORK/site.json")" main.leakyHandler.func1
expect_eq "... and its suspect" "$(jq -r '[.suspects[].site | sub(" .*"; "")] | join(",")' "$WORK/site.json")" \
	main.leakyHandler.func1
expect_eq "... match: the regex, groups shown, groups in all, suspects in all" \
	"$(jq -c '.match | [.regex, .groups, .groups_all, .suspects_all]' "$WORK/site.json")" \
	"[\"^main\\\\.leakyHandler\\\\.func1\$\",1,$all,2]"

gj "$WORK/where.json" 'states\.go:66$' "${series[@]}"
expect_eq "site file:line: the worker pool" "$(sites "$WORK/where.json")" 'main.(*worker).run'
expect_rc "... no suspect shown: exit 0" 0

gj "$WORK/state.json" '^chan send$' "${series[@]}"
expect_eq "state (from the debug=2 dump): every group blocked sending, and only those" \
	"$(jq -r '[.groups[].state] | unique | join(",")' "$WORK/state.json")" "chan send"
expect_num "... several of them" "$(jq '.groups | length' "$WORK/state.json")" '>=' 2

gj "$WORK/creator.json" '^main\.writeFixtures$' "${series[@]}"
expect_eq "creator function: the groups it started" "$(jq -r '[.groups[].created_by] | unique | join(",")' "$WORK/creator.json")" \
	main.writeFixtures
gj "$WORK/created-at.json" 'states\.go:323$' "${series[@]}"
expect_eq "creator file:line: the same groups" "$(jq -c '[.groups[].key]' "$WORK/created-at.json")" \
	"$(jq -c '[.groups[].key]' "$WORK/creator.json")"

# main.recvForever's second frame: neither a site nor a creator
expect_eq "(a frame of one group)" \
	"$(jq '[.groups[] | select(.stack | map(.func) | index("main.(*fixture).startStates.func1"))] | length' "$WORK/all.json")" 1
gj "$WORK/frames.json" '^main\.\(\*fixture\)\.startStates\.func1$' "${series[@]}"
expect_eq "a frame below the site is not matched" "$(jq '.groups | length' "$WORK/frames.json")" 0
gj "$WORK/case.json" 'CHAN SEND' "${series[@]}"
expect_eq "case-sensitive, as grep -E" "$(jq '.groups | length' "$WORK/case.json")" 0

# debug=1 only: no state, no creator
gj "$WORK/d1.json" 'chan receive' "$d"/series-{1,2,3}.debug1.txt
expect_eq "debug=1 has no state to match" "$(jq '.groups | length' "$WORK/d1.json")" 0
expect_rc "... and no suspect shown: exit 0" 0

# ---- the summary in each format ------------------------------------------------------------
pf "$WORK/tty" goroutines --no-source --match 'worker' "${series[@]}"
expect_rc "tty, suspects only among the others: exit 0" 0
out=$(cat "$WORK/tty")
expect_match "tty: N of M groups match" "$out" "^1 of $all groups match 'worker'$"
expect_match "tty: says where the suspects are" "$out" '^no leak suspect among the matching groups \(2 among the others\)$'
pf "$WORK/html" goroutines --no-source --format html --match 'worker' "${series[@]}"
expect_true "html: valid by the strict checker" python3 "$SRCDIR/tests/integration/html_check.py" "$WORK/html"
expect_match "html: N of M groups match" "$(cat "$WORK/html")" \
	"<p class=\"match\">1 of $all groups match <code>worker</code>; 2 leak suspects among the others</p>"
expect_eq "html: one group" "$(grep -c '^<details' "$WORK/html")" 1

# ---- bad regex ---------------------------------------------------------------------------
pf "$WORK/bad" goroutines --match 'main.(' "$d/debug1.txt"
expect_rc "a bad regex: exit 2" 2
expect_eq "... one line on stderr" "$(wc -l <"$WORK/bad.err")" 1
expect_match "... with regerror's reason" "$(cat "$WORK/bad.err")" "--match 'main\.\(': .*(paren|\()"
expect_eq "... nothing on stdout" "$(wc -c <"$WORK/bad")" 0

# ---- a URL -------------------------------------------------------------------------------
start_bg fake python3 "$SRCDIR/tests/integration/fake_conns.py" --ready "$WORK/fake.port" --lifetime 60 --base 5 --step 15
for i in $(seq 1 100); do
	[ -s "$WORK/fake.port" ] && break
	sleep 0.1
done
[ -s "$WORK/fake.port" ] || die "fake target did not start"
url="http://127.0.0.1:$(cat "$WORK/fake.port")"
pf "$WORK/url.json" goroutines -n 3 -i 300ms --format json --match '^main\.main$' "$url"
expect_rc "a URL, the growing streams filtered out: exit 0" 0
expect_eq "... only main.main" "$(sites "$WORK/url.json")" main.main
expect_eq "... 1 of 2 groups, the suspect among the others" "$(jq -c '.match | [.groups, .groups_all, .suspects_all]' "$WORK/url.json")" \
	'[1,2,1]'

finish
