#!/usr/bin/env bash
# Never pass what was not read: a root Go service with pprof on 0.0.0.0
# and GOMAXPROCS=16, checked by root and by an unprivileged user (nobody,
# through setpriv). Root sees the two failures. nobody cannot read
# /proc/PID/{fd,environ,exe} of a root process: every check that needed
# them is error and names the file and the privilege that would fix it;
# none of them passes or skips, and the run does not exit 0 -- under
# --fail-on fail too, so a CI job run without privilege cannot go green.
. "$(dirname "$0")/lib.sh"

need jq setpriv
[ "$(id -u)" = 0 ] || skip "needs root to start the target as root and drop to nobody"
nobody_uid=$(id -u nobody 2>/dev/null) || skip "no user nobody"
nobody_gid=$(id -g nobody)
# nobody must be able to reach and run the binary under test.
setpriv --reuid="$nobody_uid" --regid="$nobody_gid" --clear-groups "$PREFLIGHT" --version >/dev/null 2>&1 ||
	skip "nobody cannot run $PREFLIGHT (a directory on its path is not world-searchable)"

# as_nobody OUT ARGS...: preflight check --format json as nobody, stdout to
# OUT (written by this root shell), exit code in PF_RC.
as_nobody() {
	local out=$1
	shift
	_pf_last_err="$out.err"
	set +e
	timeout -k 5 "$PF_HANG_GUARD" setpriv --reuid="$nobody_uid" --regid="$nobody_gid" --clear-groups \
		"$PREFLIGHT" check --format json --timeout "$PF_PROBE_TIMEOUT" "$@" >"$out" 2>"$out.err"
	PF_RC=$?
	set -e
}

start_demo env -u GOMEMLIMIT -u GODEBUG GOMAXPROCS=16 -- -addr 127.0.0.1:0 -debug-addr 0.0.0.0:0
# Exposed to the network: stopped as soon as both runs are done.

# ---- root: the two failures -----------------------------------------------------
pf_json "$WORK/root.json" --pid "$DEMO_PID" --window 0 --fail-on fail
expect_rc "root: exit 1 on the failures" 1
expect_eq "root: sec.pprof-exposure fails" "$(check_status "$WORK/root.json" sec.pprof-exposure)" fail
cpus=$(nproc)
if [ "$cpus" -lt 8 ]; then
	expect_eq "root: cpu.gomaxprocs fails (16 on $cpus CPUs)" "$(check_status "$WORK/root.json" cpu.gomaxprocs)" fail
else
	skip_one "root: cpu.gomaxprocs fails" "$cpus CPUs: GOMAXPROCS=16 is not more than twice them"
fi

# ---- nobody: errors that name what and why ---------------------------------------
as_nobody "$WORK/nobody.json" --pid "$DEMO_PID" --window 1 --fail-on fail
stop_demo "$DEMO_PID"
expect_true "nobody: the report is valid JSON" json_ok "$WORK/nobody.json"
expect_ne "nobody: the exit status is not 0" "$PF_RC" 0
expect_rc "nobody: exit 1 (errors are findings, even under --fail-on fail)" 1

# Checks that need /proc/PID/fd (the socket inodes that attribute the
# census to the pid), /proc/PID/environ or /proc/PID/exe.
needs_fd="sec.pprof-exposure net.listen-queue net.close-wait net.timewait-ratio fd.process go.heap-pressure go.gc-cpu go.gc-pause
go.goroutines go.goroutine-leak go.mutex-contention go.block-contention"
needs_environ="cpu.gomaxprocs mem.gomemlimit"
needs_exe="go.buildinfo go.version go.race go.cgo go.vcs-modified"
for id in $needs_fd $needs_environ $needs_exe; do
	st=$(check_status "$WORK/nobody.json" "$id")
	expect_eq "nobody: $id is error" "$st" error
done
for id in $needs_fd; do
	expect_match "nobody: $id names /proc/PID/fd and the privilege" \
		"$(check_field "$WORK/nobody.json" "$id" summary)" \
		"/proc/$DEMO_PID/fd: permission denied \(run as the service's user or root, or with CAP_SYS_PTRACE\)"
done
for id in $needs_environ; do
	expect_match "nobody: $id names /proc/PID/environ and the privilege" \
		"$(check_field "$WORK/nobody.json" "$id" summary)" "/proc/$DEMO_PID/environ: permission denied .*CAP_SYS_PTRACE"
done
for id in $needs_exe; do
	expect_match "nobody: $id names the executable and the privilege" \
		"$(check_field "$WORK/nobody.json" "$id" summary)" "/proc/$DEMO_PID/exe.*permission denied .*CAP_SYS_PTRACE"
done
expect_match "nobody: the listeners are unknown, not none" \
	"$(check_field "$WORK/nobody.json" net.listen-queue summary)" "^listeners unknown"
expect_no_match "nobody: no 'no pprof found' guess" \
	"$(check_field "$WORK/nobody.json" sec.pprof-exposure summary)" "no pprof found|no TCP listeners"
# No check that needed what nobody could not read passes or skips.
expect_eq "nobody: none of them is pass or skip" \
	"$(jq -r --arg ids "$needs_fd $needs_environ $needs_exe" '($ids | split("[ \n]+"; null)) as $l
		| [.checks[] | select(.check as $c | $l | index($c)) | select(.status == "pass" or .status == "skip")
		| .check] | join(",")' "$WORK/nobody.json")" ""
# What nobody can read still judges: the host's census and its own limits view.
expect_in "nobody: net.tcp-states still judges the host" "$(check_status "$WORK/nobody.json" net.tcp-states)" pass warn fail
finish
