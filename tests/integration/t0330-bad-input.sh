#!/usr/bin/env bash
# Bad input to preflight check: a clear error and the right exit code, never
# a crash (exit 3 or a signal) and never a hang (every run is under a 60 s
# guard; the guard firing is a failure).
. "$(dirname "$0")/lib.sh"
need jq setpriv

loop=(-addr 127.0.0.1:0 -debug-addr 127.0.0.1:0)
DEMO_BIN=$(build_go_target demo)

# expect_no_crash DESC: PF_RC is 0, 1 or 2.
expect_no_crash() {
	expect_rc "$1: exit 0, 1 or 2 (not 3, not a signal, not the hang guard)" 0 1 2
}

# ---- --window takes the duration grammar of every command ----------------------
for bad in 2x 5mm -1s 2h; do
	pf_json "$WORK/win-bad.json" --window "$bad"
	expect_rc "--window $bad: exit 2" 2
	expect_eq "... one line on stderr" "$(wc -l <"$WORK/win-bad.json.err")" 1
	expect_match "... naming the option" "$(cat "$WORK/win-bad.json.err")" "^preflight check: --window takes a duration"
done

# ---- a pid that does not exist --------------------------------------------------
pid_max=$(cat /proc/sys/kernel/pid_max)
for pid in $((pid_max + 1)) 999999999; do
	pf_json "$WORK/nopid.json" --pid "$pid"
	expect_rc "--pid $pid (no such process): exit 2" 2
	expect_eq "... one line on stderr" "$(wc -l <"$WORK/nopid.json.err")" 1
	expect_match "... naming the pid" "$(cat "$WORK/nopid.json.err")" "$pid"
done
# A pid that was ours a moment ago and has been reaped.
true &
gone=$!
wait "$gone"
if kill -0 "$gone" 2>/dev/null; then
	skip_one "--pid of a reaped process" "pid $gone was reused at once"
else
	pf_json "$WORK/reaped.json" --pid "$gone"
	expect_rc "--pid $gone (just reaped): exit 2" 2
	expect_eq "... one line on stderr" "$(wc -l <"$WORK/reaped.json.err")" 1
	expect_match "... saying there is no such process" "$(cat "$WORK/reaped.json.err")" "no (such )?process|not found|does not exist|exited"
fi

# ---- a pid that exits during the check --------------------------------------------
# The demo exits 1 s after it starts; the 2 s sampling window outlasts it.
start_demo -- "${loop[@]}" -exit-after 1s
pf_json "$WORK/exits.json" --pid "$DEMO_PID" --window 2
expect_no_crash "a pid that exits mid-check"
said="$(cat "$WORK/exits.json.err" "$WORK/exits.json")"
expect_match "... the report or the error says the process went away" "$said" \
	"exited|went away|vanished|no longer|no (such )?process|gone"
if [ "$PF_RC" != 2 ]; then
	expect_true "... and a report that is still valid JSON" json_ok "$WORK/exits.json"
elif [ -s "$WORK/exits.json" ]; then
	expect_true "... the report it did write is valid JSON" json_ok "$WORK/exits.json"
fi

# ---- permission denied ------------------------------------------------------------
# preflight as nobody against a root-owned demo: /proc/PID/environ, fd/ and
# exe are unreadable. A copy of the binary in a directory nobody can reach,
# in case the build directory is not.
if [ "$(id -u)" != 0 ]; then
	skip_one "permission denied against a root-owned demo" "needs root to run as nobody"
elif ! getent passwd nobody >/dev/null || ! getent group nogroup >/dev/null; then
	skip_one "permission denied against a root-owned demo" "no 'nobody' user or 'nogroup' group"
else
	start_demo -- "${loop[@]}"
	chmod 755 "$WORK"
	cp "$PREFLIGHT" "$WORK/preflight"
	chmod 755 "$WORK/preflight"
	set +e
	(cd / && timeout -k 5 "$PF_HANG_GUARD" setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$WORK/preflight" check --format json --pid "$DEMO_PID" --window 0 \
		>"$WORK/eacces.json" 2>"$WORK/eacces.json.err")
	PF_RC=$?
	set -e
	_pf_last_err="$WORK/eacces.json.err"
	expect_no_crash "permission denied"
	said="$(cat "$WORK/eacces.json.err"; jq -r '.checks[]? | select(.status == "error" or .status == "skip") | .summary' "$WORK/eacces.json" 2>/dev/null)"
	expect_match "... says permission was denied" "$said" "permission|denied|not permitted"
	if [ "$PF_RC" != 2 ]; then
		expect_true "... the report is valid JSON" json_ok "$WORK/eacces.json"
		expect_in "... fd.process cannot be judged (error or skip)" \
			"$(check_status "$WORK/eacces.json" fd.process)" error skip
	fi
	stop_demo "$DEMO_PID"
fi

# ---- a process that is not Go -------------------------------------------------
start_bg sleeper sleep 300
pf_json "$WORK/sleep.json" --pid "$sleeper" --window 0
expect_rc "check of 'sleep' exits 0 or 1" 0 1
for id in go.buildinfo go.version go.race go.cgo go.vcs-modified; do
	expect_eq "non-Go target: $id skips" "$(check_status "$WORK/sleep.json" "$id")" skip
done
expect_match "... go.buildinfo says why" "$(check_field "$WORK/sleep.json" go.buildinfo summary)" "not a go|no go build"
stop_proc "$sleeper"

# ---- an executable deleted after start ------------------------------------------
# What a deploy that replaces the binary in place leaves behind: the build
# info must still be read from the running image (/proc/PID/exe), not from
# the path, which is gone.
cp "$DEMO_BIN" "$WORK/deleted-demo"
DEMO_BIN="$WORK/deleted-demo" start_demo -- "${loop[@]}"
rm "$WORK/deleted-demo"
pf_json "$WORK/deleted.json" --pid "$DEMO_PID" --window 0
expect_rc "an executable deleted after start: exit 0 or 1" 0 1
expect_eq "... go.buildinfo still reads it" "$(check_status "$WORK/deleted.json" go.buildinfo)" pass
expect_eq "... and finds its Go version" "$(check_ev "$WORK/deleted.json" go.buildinfo go_version)" \
	"$("$("$SRCDIR/scripts/find-go.sh")" version -m "$DEMO_BIN" | awk 'NR == 1 {print $2}')"
stop_demo "$DEMO_PID"

# ---- checklists -----------------------------------------------------------------
# A YAML syntax error: the flow sequence opened on line 4 is never closed.
cat >"$WORK/bad.yaml" <<'EOF'
version: 1
name: broken
items:
  - id: fds
    check: [fd.process
  - id: clock
    check: clock.sync
EOF
pf_json "$WORK/badyaml.json" --window 0 --checklist "$WORK/bad.yaml"
expect_rc "malformed YAML checklist: exit 2" 2
expect_match "... the error is FILE:LINE:COL, at the unclosed sequence (line 5) or where it is noticed (6)" \
	"$(cat "$WORK/badyaml.json.err")" "$WORK/bad.yaml:[56]:[0-9]+"
expect_eq "... on one line" "$(wc -l <"$WORK/badyaml.json.err")" 1
expect_eq "... and no report" "$(wc -c <"$WORK/badyaml.json")" 0

cat >"$WORK/unknown.yaml" <<'EOF'
version: 1
name: unknown check
items:
  - id: fds
    check: fd.process
  - id: typo
    check: net.close-wiat
EOF
pf_json "$WORK/unknown.json" --window 0 --checklist "$WORK/unknown.yaml"
expect_rc "unknown check id in a checklist: exit 2" 2
expect_match "... the error names the id" "$(cat "$WORK/unknown.json.err")" "net\.close-wiat"
expect_match "... at its line (6 or 7)" "$(cat "$WORK/unknown.json.err")" "$WORK/unknown.yaml:[67]:[0-9]+"

pf_json "$WORK/nofile.json" --window 0 --checklist "$WORK/no-such.yaml"
expect_rc "a checklist file that does not exist: exit 2" 2
expect_match "... naming it" "$(cat "$WORK/nofile.json.err")" "no-such\.yaml"

# ---- a listener that accepts and never answers ------------------------------------
# The probe must give up by itself: the run finishes (under the 60 s
# guard), the hanging listener is reported, and the other listeners are
# still probed.
start_demo -- "${loop[@]}" -hang-addr 127.0.0.1:0
hang=$(demo_addr hang)
pf_json "$WORK/hang.json" --pid "$DEMO_PID" --window 0 --timeout 3
expect_rc "a hanging listener: the check completes (exit 0 or 1)" 0 1
expect_true "... with a valid report" json_ok "$WORK/hang.json"
ep=$(jq -c --arg a "$hang" '[.checks[] | select(.check == "sec.pprof-exposure")][0].evidence.endpoints[]? | select(.addr == $a)' "$WORK/hang.json")
expect_ne "... the hanging listener $hang is among the probed endpoints" "$ep" ""
expect_eq "... and did not count as serving pprof" "$(jq -r '.pprof' <<<"${ep:-null}")" false
expect_eq "... while the real debug listener still did" \
	"$(check_status "$WORK/hang.json" sec.pprof-exposure)" pass

# ---- --window with a unit -----------------------------------------------------------
pf_json "$WORK/win-ms.json" --pid "$DEMO_PID" --window 300ms --timeout 3
expect_rc "--window 300ms: accepted (exit 0 or 1)" 0 1
expect_eq "... the listen queue was sampled over 0.3 s" "$(check_ev "$WORK/win-ms.json" net.listen-queue window_s)" 0.3


# ---- checklist parameters validated at load time ------------------------------------
# Values that make no sense are refused when the file loads, with one line
# FILE:LINE:COL: <check>.<param>: <what is wrong>; <what is valid>, and exit 2.
cat >"$WORK/params-version.yaml" <<'EOF'
version: 1
items:
  - check: go.version
    params: {min_version: 1.20}
EOF
pf_json "$WORK/params-version.json" --window 0 --checklist "$WORK/params-version.yaml"
expect_rc "an unquoted version (the YAML number 1.2): exit 2" 2
expect_eq "... one line, at the value, saying what is valid" "$(cat "$WORK/params-version.json.err")" \
	"preflight check: $WORK/params-version.yaml:4:27: go.version.min_version: 1.20 is a number (1.2 to YAML), write the version as a string (\"1.20\"); valid: a Go version such as \"1.21\" or \"go1.21.5\""
expect_eq "... and no report" "$(wc -c <"$WORK/params-version.json")" 0

cat >"$WORK/params-order.yaml" <<'EOF'
version: 1
items:
  - check: go.heap-pressure
    params:
      warn: 0.9
      fail: 0.5
EOF
pf_json "$WORK/params-order.json" --window 0 --checklist "$WORK/params-order.yaml"
expect_rc "warn above fail: exit 2" 2
expect_eq "... one line naming both" "$(cat "$WORK/params-order.json.err")" \
	"preflight check: $WORK/params-order.yaml:5:13: go.heap-pressure.warn: warn 0.9 is above fail 0.5; warn must not exceed fail"

cat >"$WORK/params-negative.yaml" <<'EOF'
version: 1
items:
  - check: net.close-wait
    params: {warn: -1}
EOF
pf_json "$WORK/params-negative.json" --window 0 --checklist "$WORK/params-negative.yaml"
expect_rc "a negative count: exit 2" 2
expect_eq "... one line" "$(cat "$WORK/params-negative.json.err")" \
	"preflight check: $WORK/params-negative.yaml:4:20: net.close-wait.warn: -1 is negative; valid: an integer from 0 to 1000000000 (sockets)"

pf_json "$WORK/params-example.json" --window 0 --checklist "$SRCDIR/examples/checklist.yaml"
expect_rc "the shipped example checklist loads (exit 0 or 1)" 0 1

finish
