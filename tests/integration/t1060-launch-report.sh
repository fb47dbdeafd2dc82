#!/usr/bin/env bash
# `preflight report` (docs/launch-report.md), the same steps on SQLite and
# on PostgreSQL: a run with a passed, a failed, a skipped, an overdue and a
# pending item, whose titles and reasons are hostile, rendered in every
# format. A report is a document: exit 0 whatever the run holds, 1 only
# when --fail-on finds what it names, 2 for a missing run or store; the
# store is only read; every format escapes what people typed.
. "$(dirname "$0")/lib.sh"

[ -f "$SRCDIR/tests/integration/lib_launch.sh" ] || skip "needs tests/integration/lib_launch.sh (the launch commands)"
"$PREFLIGHT" run --help >/dev/null 2>&1 || skip "this preflight has no 'run' command yet"
. "$SRCDIR/tests/integration/lib_launch.sh"
need xmllint

launch_stores

cat >"$WORK/report.yaml" <<'YAML'
version: 1
name: report scenario
owner: alice
defaults:
  env: prod
  owner: bob
  due: +2h
items:
  - id: build-ok
    title: "the build is green"
    module: infra
    verify:
      exec:
        command: "exit 0"
        timeout: 20s
  - id: migrate
    title: "the migration is at v42"
    module: infra
    owner: carol
    change: DEP-7
    verify:
      exec:
        command: [/bin/sh, -c, "echo 'schema at v41' >&2; exit 3"]
        timeout: 20s
  - id: hostile
    title: "<script>alert(1)</script> | a pipe"
    module: payment
    verify: manual
  - id: late
    title: "security review"
    module: payment
    due: 2020-01-01
    verify: manual
  - id: flag
    title: "checkout flag at 5%"
    module: order
    verify: manual
YAML

REASON='<img src=x onerror=alert(1)> | not needed | for this launch'

pass() { # KIND
	local k=$1 db run out n0 f
	db=$(store_url "$k" report)
	out="$WORK/$k"

	pf "$out.empty" report --db "$db"
	expect_rc "$k: report on a store without runs is refused" 2
	expect_match "$k: ... saying there is no run" "$(cat "$out.empty.err")" 'no run'

	pf "$out.run.json" run "$WORK/report.yaml" --env prod --by alice --db "$db" --format json
	expect_rc "$k: the run has a failed item" 1
	run=$(jq -r '.run.id' "$out.run.json")
	pf "$out.skip" item skip "$run" hostile --by dave --reason "$REASON" --db "$db"
	expect_rc "$k: skip the hostile item" 0
	n0=$(event_count "$db")

	pf "$out.json" report "$run" --format json -o "$out.r.json" --db "$db"
	expect_rc "$k: a report exits 0 even with failed and overdue items" 0
	expect_eq "$k: -o FILE gets the report, stdout nothing" "$(wc -c <"$out.json")" 0
	expect_eq "$k: json names the run" "$(jq '.run.id' "$out.r.json")" "$run"
	expect_eq "$k: every item is in it" "$(jq '.items | length' "$out.r.json")" 5
	expect_eq "$k: counts" "$(jq -c '[.summary.pass, .summary.fail, .summary.skip, .summary.pending]' "$out.r.json")" \
		'[1,1,1,2]'
	expect_eq "$k: the skip reason keeps its exact text" "$(json_item "$out.r.json" hostile skip_reason)" "$REASON"
	expect_eq "$k: ... and who skipped" "$(json_item "$out.r.json" hostile executor)" dave
	expect_eq "$k: the late item is overdue" "$(json_item "$out.r.json" late overdue)" true
	expect_num "$k: ... by years" "$(json_item "$out.r.json" late overdue_ms)" '>' 31536000000
	expect_eq "$k: the failed item carries its change" "$(json_item "$out.r.json" migrate change)" DEP-7
	expect_match "$k: times are RFC 3339 UTC" "$(jq -r '.run.opened_at' "$out.r.json")" \
		'^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'
	expect_match "$k: closed items have closed_at" "$(json_item "$out.r.json" build-ok closed_at)" 'Z$'
	expect_eq "$k: the failure's follow-up is listed" "$(jq -r '.followups[0].item' "$out.r.json")" migrate

	pf "$out.md" report "$run" --db "$db"
	expect_rc "$k: markdown (the default) exits 0" 0
	expect_true "$k: markdown has the runbook's table" \
		grep -qF '| item id | executor | elapsed | result | note | change id |' "$out.md"
	expect_true "$k: ... a row per item" grep -q '^| `migrate` | alice | .* | \*\*FAIL\*\* | .* | DEP-7 |$' "$out.md"
	expect_true "$k: a pipe in a reason cannot end a cell" grep -qF 'not needed \| for this launch' "$out.md"
	expect_true "$k: markup in a reason stays text" grep -qF '\<img src=x onerror=alert(1)\>' "$out.md"
	expect_true "$k: skip reasons have their section" grep -q '^## Skipped items' "$out.md"

	pf "$out.junit" report "$run" --format junit -o "$out.r.xml" --db "$db"
	expect_rc "$k: junit exits 0" 0
	expect_true "$k: junit is well-formed XML" xmllint --noout "$out.r.xml"
	expect_eq "$k: fail and the two unfinished items are failures, the skip skipped" \
		"$(xmllint --xpath 'concat(//testsuite/@tests, "/", //testsuite/@failures, "/", //testsuite/@skipped)' "$out.r.xml")" \
		"5/3/1"
	expect_eq "$k: an unfinished item is a failure of type pending" \
		"$(xmllint --xpath 'string(//testcase[@name="flag"]/failure/@type)' "$out.r.xml")" pending
	expect_eq "$k: a testcase's class is its module" \
		"$(xmllint --xpath 'string(//testcase[@name="late"]/@classname)' "$out.r.xml")" payment

	pf "$out.html" report "$run" --format html -o "$out.r.html" --db "$db"
	expect_rc "$k: html exits 0" 0
	expect_true "$k: html is well-formed" xmllint --noout "$out.r.html"
	expect_true "$k: ... and HTML" xmllint --html --noout "$out.r.html"
	expect_no_match "$k: html runs and fetches nothing" "$(cat "$out.r.html")" '<script|<img|<link|<[^>]* (src|href)=|https?://'
	expect_true "$k: the hostile title is text" grep -qF '&lt;script&gt;alert(1)&lt;/script&gt; | a pipe' "$out.r.html"
	expect_eq "$k: four charts" "$(grep -c '^<svg class="chart"' "$out.r.html")" 4

	pf "$out.f1" report "$run" --fail-on fail -o "$out.f1.md" --db "$db"
	expect_rc "$k: --fail-on fail with a failed item exits 1" 1
	expect_true "$k: ... and still writes the report" test -s "$out.f1.md"
	pf "$out.f2" report "$run" --fail-on fail --module payment --db "$db"
	expect_rc "$k: --fail-on fail where the shown items did not fail exits 0" 0
	pf "$out.f3" report "$run" --fail-on overdue --module payment --db "$db"
	expect_rc "$k: --fail-on overdue with an overdue item exits 1" 1
	pf "$out.f4" report "$run" --fail-on open --module infra --format json --db "$db"
	expect_rc "$k: --fail-on open with a failed item exits 1" 1
	expect_eq "$k: --module shows only its items" "$(jq -c '[.items[].id]' "$out.f4")" '["build-ok","migrate"]'

	pf "$out.latest" report --format json --db "$db"
	expect_eq "$k: report without RUN is the newest run" "$(jq '.run.id' "$out.latest")" "$run"
	pf "$out.none" report 9999 --db "$db"
	expect_rc "$k: an unknown run is refused" 2
	expect_match "$k: ... naming it and the runs there are, as status does" "$(cat "$out.none.err")" \
		"no run 9999 in .*; its newest runs: $run\$"
	pf "$out.bad" report abc --db "$db"
	expect_rc "$k: a RUN that is not a number is refused" 2
	pf "$out.fmt" report "$run" --format prom --db "$db"
	expect_rc "$k: an unknown format is refused" 2
	expect_eq "$k: reports wrote no event" "$(event_count "$db")" "$n0"
}

for k in "${STORES[@]}"; do
	pass "$k"
done

pf "$WORK/unreach" report 1 --db "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2"
expect_rc "an unreachable store is refused" 2
expect_no_match "... without echoing a password" "$(cat "$WORK/unreach.err")" 'secret'
finish
