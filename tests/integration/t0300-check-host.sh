#!/usr/bin/env bash
# preflight check without a target, and the output formats and exit codes
# every run shares: JSON that parses and carries every check, tty headings
# and colour rules, junit that validates, prom in the textfile format, -o,
# --fail-on.
. "$(dirname "$0")/lib.sh"
need jq xmllint script

# ---- host only, JSON --------------------------------------------------------
pf "$WORK/list.txt" list-checks
expect_rc "list-checks exits 0" 0
for id in "${ALL_CHECK_IDS[@]}"; do
	expect_match "list-checks lists $id" "$(cat "$WORK/list.txt")" "(^|[[:space:]])${id//./\\.}([[:space:]]|$)"
done

pf_json "$WORK/host.json" --window 0
expect_rc "host-only check exits 0 or 1" 0 1
expect_true "host-only JSON parses and has a checks array" json_ok "$WORK/host.json"
show "$WORK/host.json.err" 10
expect_eq "no target pid in a host-only report" \
	"$(jq -r '.target.pid // 0' "$WORK/host.json")" 0
for id in "${ALL_CHECK_IDS[@]}"; do
	expect_ne "host-only report carries $id" "$(check_status "$WORK/host.json" "$id")" absent
done
# The default checklist runs every check of the registry that runs on its
# defaults (builtin; the metric.* checks need a metric from a checklist), once.
pf "$WORK/list.json" list-checks --json
expect_rc "list-checks --json exits 0" 0
expect_eq "report checks = list-checks ids" \
	"$(jq -r '.checks[].check' "$WORK/host.json" | sort | tr '\n' ' ')" \
	"$(jq -r '.[] | select(.builtin) | .id' "$WORK/list.json" | sort | tr '\n' ' ')"
expect_eq "the checks left out of the built-in checklist are the metric.* ones" \
	"$(jq -r '.[] | select(.builtin | not) | .id' "$WORK/list.json" | tr '\n' ' ')" \
	"metric.gauge metric.rate metric.increase metric.quantile "
# The checks that need a process are skipped; the contract's target
# checks are among them.
target_ids=$(jq -r '.[] | select(.needs_target and .builtin) | .id' "$WORK/list.json")
for id in cpu.gomaxprocs mem.gomemlimit go.buildinfo go.version go.race go.cgo \
	go.vcs-modified sec.pprof-exposure fd.process net.close-wait net.listen-queue; do
	expect_match "list-checks marks $id as needing a target" "$target_ids" "^${id//./\\.}$"
done
for id in $target_ids; do
	expect_eq "host-only run skips target check $id" "$(check_status "$WORK/host.json" "$id")" skip
done
# Host checks judge the host: they are not skipped.
for id in cpu.topology net.tcp-states fd.system clock.source; do
	expect_in "host-only run judges $id" "$(check_status "$WORK/host.json" "$id")" pass warn fail
done
expect_eq "summary counts add up to the checks" \
	"$(jq '[.summary[]] | add' "$WORK/host.json")" "$(jq '.checks | length' "$WORK/host.json")"
for st in pass warn fail skip error; do
	expect_eq "summary.$st matches the checks" "$(jq -r ".summary.$st" "$WORK/host.json")" \
		"$(jq --arg s "$st" '[.checks[] | select(.status == $s)] | length' "$WORK/host.json")"
done
expect_eq "every check has layer, summary and evidence" \
	"$(jq '[.checks[] | select((.layer | IN("code","runtime","infra","business")) and (.summary | type) == "string" and (.summary | length) > 0 and (.evidence | type) == "object")] | length' "$WORK/host.json")" \
	"$(jq '.checks | length' "$WORK/host.json")"
expect_eq "cpu.topology evidence cpus = online CPUs (getconf)" \
	"$(check_ev "$WORK/host.json" cpu.topology cpus)" "$(getconf _NPROCESSORS_ONLN)"

# ---- tty ----------------------------------------------------------------------
pf "$WORK/host.tty" check --format tty --window 0
expect_rc "tty check exits 0 or 1" 0 1
tty_out=$(cat "$WORK/host.tty")
for layer in code runtime infra business; do
	expect_match "tty has the $layer heading" "$tty_out" "^[^a-z]*$layer([^a-z]|$)"
done
expect_no_match "tty to a file has no ANSI escapes" "$tty_out" $'\e'
# A pseudo-terminal: colour is allowed, except under NO_COLOR.
TERM=xterm-256color script -qec "'$PREFLIGHT' check --format tty --window 0" /dev/null \
	</dev/null >"$WORK/pty.out" 2>&1 || true
expect_match "tty on a terminal has colour" "$(cat "$WORK/pty.out")" $'\e\\['
NO_COLOR=1 TERM=xterm-256color script -qec "'$PREFLIGHT' check --format tty --window 0" /dev/null \
	</dev/null >"$WORK/pty-nocolor.out" 2>&1 || true
expect_no_match "NO_COLOR on a terminal gives no ANSI escapes" "$(cat "$WORK/pty-nocolor.out")" $'\e'
expect_match "NO_COLOR output still has the infra heading" "$(cat "$WORK/pty-nocolor.out")" infra

# ---- junit --------------------------------------------------------------------
pf "$WORK/host.xml" check --format junit --window 0
expect_rc "junit check exits 0 or 1" 0 1
expect_true "junit validates with xmllint" xmllint --noout "$WORK/host.xml"
expect_eq "junit has one testcase per check" \
	"$(xmllint --xpath 'count(//testcase)' "$WORK/host.xml" 2>/dev/null)" "$(jq '[.[] | select(.builtin)] | length' "$WORK/list.json")"

# The CI page and the exit status agree: red (a <failure> or an <error>)
# exactly when preflight exits 1, under both --fail-on levels; an error
# result under --fail-on fail is a skipped test case, not an <error>.
for fo in fail warn; do
	pf "$WORK/fo-$fo.xml" check --format junit --window 1 --fail-on "$fo"
	red=$(xmllint --xpath 'count(//testcase/failure) + count(//testcase/error)' "$WORK/fo-$fo.xml" 2>/dev/null)
	[ "$red" -gt 0 ] && want=1 || want=0
	expect_rc "junit --fail-on $fo: exit $want with $red red test cases" "$want"
	expect_eq "junit --fail-on $fo: failures+errors attributes = red test cases" \
		"$(xmllint --xpath 'number(/testsuites/testsuite/@failures) + number(/testsuites/testsuite/@errors)' "$WORK/fo-$fo.xml" 2>/dev/null)" "$red"
	# The suite's time is the run's wall time: the 1 s window at least.
	expect_num "junit --fail-on $fo: suite time covers the window" \
		"$(xmllint --xpath 'string(/testsuites/testsuite/@time)' "$WORK/fo-$fo.xml" 2>/dev/null)" '>=' 1
done
expect_eq "junit --fail-on fail: no <error> element" \
	"$(xmllint --xpath 'count(//testcase/error)' "$WORK/fo-fail.xml" 2>/dev/null)" 0
expect_eq "junit: skipped attribute counts the skipped test cases" \
	"$(xmllint --xpath 'number(/testsuites/testsuite/@skipped) = count(//testcase/skipped)' "$WORK/fo-fail.xml" 2>/dev/null)" true

# ---- prom ---------------------------------------------------------------------
pf "$WORK/host.prom" check --format prom --window 0
expect_rc "prom check exits 0 or 1" 0 1
bad=$(grep -Ev '^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$|^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? -?([0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?|NaN|[-+]?Inf)( -?[0-9]+)?$' \
	"$WORK/host.prom" || true)
expect_eq "every prom line is HELP, TYPE or a sample" "$bad" ""
expect_true "prom has at least one TYPE gauge" grep -Eq '^# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* gauge$' "$WORK/host.prom"
# Every sample's metric has a TYPE line before it.
untyped=$(awk '/^# TYPE /{t[$3]=1; next} /^#/{next} {n=$0; sub(/[{ ].*/, "", n); if (!(n in t)) print n}' \
	"$WORK/host.prom" | sort -u)
expect_eq "every sample's metric is declared by a TYPE line first" "$untyped" ""
for id in "${ALL_CHECK_IDS[@]}"; do
	expect_true "prom has a series for $id" grep -Fq "\"$id\"" "$WORK/host.prom"
done
if command -v promtool >/dev/null 2>&1; then
	expect_true "promtool check metrics accepts the prom output" sh -c "promtool check metrics <'$WORK/host.prom'"
else
	skip_one "promtool check metrics accepts the prom output" "promtool is not installed"
fi
# A state set: for each check, exactly one of its status series is 1.
not_one=$(awk '/^preflight_check_status\{/ { match($0, /id="[^"]*"/); id = substr($0, RSTART, RLENGTH); n[id] += $NF }
	END { for (i in n) if (n[i] != 1) print i, n[i] }' "$WORK/host.prom")
expect_eq "preflight_check_status has exactly one status set to 1 per check" "$not_one" ""
expect_match "prom carries the run's wall time" "$(cat "$WORK/host.prom")" \
	'^preflight_last_run_duration_seconds [0-9.e+-]+$'
expect_eq "... and a state set for every check" \
	"$(grep -o '^preflight_check_status{id="[^"]*"' "$WORK/host.prom" | sort -u | wc -l)" "$(jq '[.[] | select(.builtin)] | length' "$WORK/list.json")"

# ---- markdown -----------------------------------------------------------------
pf "$WORK/host.md" check --format markdown --window 0
expect_rc "markdown check exits 0 or 1" 0 1
expect_match "markdown names clock.source" "$(cat "$WORK/host.md")" 'clock\.source'

# ---- -o FILE ------------------------------------------------------------------
pf "$WORK/o.stdout" check --format json --window 0 -o "$WORK/o.json"
expect_rc "-o check exits 0 or 1" 0 1
expect_true "-o writes a JSON report to the file" json_ok "$WORK/o.json"
expect_eq "-o leaves stdout empty" "$(wc -c <"$WORK/o.stdout")" 0
pf "$WORK/o2.stdout" check --format json --window 0 -o "$WORK/no/such/dir/r.json"
expect_rc "-o into a missing directory is an input error" 2
expect_eq "... with one line on stderr" "$(wc -l <"$WORK/o2.stdout.err")" 1

# ---- exit codes and --fail-on -------------------------------------------------
# The exit code follows the report it came with: 1 exactly when a check is
# at or above --fail-on.
for fo in warn fail; do
	pf "$WORK/fo.out" check --format json --window 0 --fail-on "$fo" -o "$WORK/fo-$fo.json"
	if [ "$fo" = warn ]; then
		n=$(jq '.summary.warn + .summary.fail + .summary.error' "$WORK/fo-$fo.json")
	else
		n=$(jq '.summary.fail + .summary.error' "$WORK/fo-$fo.json")
	fi
	[ "$n" -gt 0 ] && want=1 || want=0
	expect_rc "--fail-on $fo exits $want with $n findings at or above $fo" "$want"
done

# A target with exactly one CLOSE_WAIT socket gives a known warn: the two
# --fail-on levels must disagree on it.
cat >"$WORK/cw.yaml" <<'EOF'
version: 1
name: close-wait only
items:
  - id: cw
    check: net.close-wait
EOF
start_demo -- -addr 127.0.0.1:0 -debug-addr 127.0.0.1:0 -close-wait 1
pf_json "$WORK/cw-warn.json" --pid "$DEMO_PID" --window 0 --checklist "$WORK/cw.yaml" --fail-on warn
expect_eq "one CLOSE_WAIT socket warns" "$(check_status "$WORK/cw-warn.json" net.close-wait)" warn
expect_rc "a warn with --fail-on warn exits 1" 1
pf_json "$WORK/cw-fail.json" --pid "$DEMO_PID" --window 0 --checklist "$WORK/cw.yaml" --fail-on fail
expect_rc "a warn with --fail-on fail exits 0" 0
pf_json "$WORK/cw-default.json" --pid "$DEMO_PID" --window 0 --checklist "$WORK/cw.yaml"
expect_rc "--fail-on defaults to fail" 0
expect_eq "a checklist of one item gives a report of one check" \
	"$(jq '.checks | length' "$WORK/cw-default.json")" 1

# ---- usage errors -------------------------------------------------------------
usage_error() { # DESC ARGS...
	local d=$1
	shift
	pf "$WORK/usage.out" "$@"
	expect_rc "$d exits 2" 2
	expect_eq "$d: nothing on stdout" "$(wc -c <"$WORK/usage.out")" 0
	expect_eq "$d: one line on stderr" "$(wc -l <"$WORK/usage.out.err")" 1
}
usage_error "unknown format" check --format yaml
usage_error "unknown --fail-on" check --fail-on maybe
usage_error "non-numeric pid" check --pid 12ab
usage_error "negative window" check --window -1
pf "$WORK/usage.out" check --frobnicate
expect_rc "unknown option exits 2" 2
expect_match "unknown option is named on stderr" "$(cat "$WORK/usage.out.err")" frobnicate
usage_error "--pid and --process together" check --pid 1 --process init

finish
