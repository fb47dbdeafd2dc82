# lib.sh: shared by the tests/integration/tNNNN-*.sh scenarios; source it
# first. CTest sets PREFLIGHT (the binary under test), SRCDIR and BUILDDIR.
#
# What it gives a scenario:
#   - a scratch directory $WORK, removed at exit (kept when KEEP_WORK=1);
#   - start_demo / stop_proc: every process started is stopped by the EXIT
#     trap, every wait is bounded, readiness is an event (a FIFO), not a sleep;
#   - at_exit CMD: more cleanup (cgroups), run last-registered first;
#   - pf OUT ARGS...: runs preflight under a hang guard, exit code in $PF_RC;
#   - jq helpers over the JSON report: check_status, check_ev, check_field;
#   - TAP-like assertions that keep going and a finish that counts them;
#   - skip "reason": the whole scenario is skipped (exit 77).
# Only 127.0.0.1 is ever connected to.

set -euo pipefail

: "${PREFLIGHT:?PREFLIGHT must name the preflight binary under test}"
: "${SRCDIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${BUILDDIR:?BUILDDIR must name the build directory}"

TEST_NAME=$(basename "$0" .sh)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/preflight-$TEST_NAME.XXXXXX")
# How long a started target may live at most, whatever happens to us: if
# CTest kills this script with SIGKILL, no trap runs, but the demo still ends.
DEMO_LIFETIME=${DEMO_LIFETIME:-300s}
# A preflight run that takes longer than this is a hang, and a failure.
PF_HANG_GUARD=${PF_HANG_GUARD:-60}

_pids=()
_cleanups=()
_n_ok=0
_n_fail=0
_n_skip=0
_n_started=0

# The scenario's own shell; subshells (a watchdog killed before it execs
# `sleep`) inherit the EXIT trap and must not clean up under the test.
_lib_main_pid=$BASHPID

# The last command that failed, for a scenario that set -e ends without a
# word (errtrace: functions and subshells report too; the trap only notes).
_last_err=
set -E
trap '_last_err="$BASH_COMMAND (status $?, line $LINENO)"' ERR

_lib_exit() {
	local rc=$?
	[ "$BASHPID" = "$_lib_main_pid" ] || exit "$rc"
	set +e
	if [ "$rc" != 0 ] && [ "$rc" != 77 ] && [ -n "$_last_err" ]; then
		echo "# $TEST_NAME: ended with status $rc; the last failed command: $_last_err" >&2
	fi
	local p i
	for p in "${_pids[@]}"; do
		stop_proc "$p" "${_demo_of[$p]:-}"
	done
	for ((i = ${#_cleanups[@]} - 1; i >= 0; i--)); do
		eval "${_cleanups[i]}"
	done
	if [ "${KEEP_WORK:-0}" = 1 ]; then
		echo "# scratch directory kept: $WORK"
	else
		rm -rf "$WORK"
	fi
	exit "$rc"
}
trap _lib_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

at_exit() {
	_cleanups+=("$1")
}

die() {
	echo "$TEST_NAME: $*" >&2
	exit 1
}

skip() {
	echo "SKIP: $TEST_NAME: $*"
	exit 77
}

# need CMD...: skip when a tool the scenario relies on is missing.
need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "'$c' is not installed"
	done
}

# ---- assertions -----------------------------------------------------------

_ok() {
	_n_ok=$((_n_ok + 1))
	echo "ok $((_n_ok + _n_fail + _n_skip)) - $1"
}

_not_ok() {
	_n_fail=$((_n_fail + 1))
	echo "not ok $((_n_ok + _n_fail + _n_skip)) - $1"
	shift
	local l
	for l in "$@"; do
		printf '#   %s\n' "$l"
	done
}

# skip_one DESC REASON: one assertion that cannot be made here.
skip_one() {
	_n_skip=$((_n_skip + 1))
	echo "ok $((_n_ok + _n_fail + _n_skip)) - $1 # SKIP $2"
}

expect_eq() { # DESC GOT WANT
	if [ "$2" = "$3" ]; then _ok "$1"; else _not_ok "$1" "got:  '$2'" "want: '$3'"; fi
}

expect_ne() { # DESC GOT UNWANTED
	if [ "$2" != "$3" ]; then _ok "$1"; else _not_ok "$1" "got '$2', which it must not be"; fi
}

expect_in() { # DESC GOT WANT...
	local d=$1 got=$2 w
	shift 2
	for w in "$@"; do
		if [ "$got" = "$w" ]; then
			_ok "$d"
			return 0
		fi
	done
	_not_ok "$d" "got:  '$got'" "want one of: $*"
}

expect_match() { # DESC GOT ERE (case-insensitive)
	if grep -Eqi -- "$3" <<<"$2"; then _ok "$1"; else _not_ok "$1" "got:  '$(head -c 600 <<<"$2")'" "want match: /$3/i"; fi
}

expect_no_match() { # DESC GOT ERE (case-insensitive)
	if ! grep -Eqi -- "$3" <<<"$2"; then _ok "$1"; else _not_ok "$1" "'$(grep -Ei -m1 -- "$3" <<<"$2")' matches /$3/i"; fi
}

expect_true() { # DESC CMD...
	local d=$1
	shift
	if "$@" >/dev/null 2>&1; then _ok "$d"; else _not_ok "$d" "failed: $*"; fi
}

# expect_num DESC GOT OP WANT: numeric comparison (evidence may be real);
# OP is one of == != < <= > >=.
expect_num() {
	if awk -v a="$2" -v b="$4" -v op="$3" 'BEGIN {
		if (a !~ /^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/) exit 1
		r = (op == "==") ? a == b : (op == "!=") ? a != b : (op == "<") ? a < b : \
		    (op == "<=") ? a <= b : (op == ">") ? a > b : (op == ">=") ? a >= b : 0
		exit !r }'; then
		_ok "$1"
	else
		_not_ok "$1" "got:  '$2'" "want: $3 $4"
	fi
}

# finish: prints the closing count and exits 1 when anything failed.
finish() {
	echo "# $TEST_NAME: $_n_ok passed, $_n_fail failed, $_n_skip skipped"
	[ "$_n_fail" -eq 0 ]
	exit $?
}

# show FILE [LINES]: a file's head as TAP comments, for diagnosis.
show() {
	[ -s "$1" ] || return 0
	echo "# --- $1"
	head -n "${2:-40}" "$1" | sed 's/^/#   /'
}

# ---- building Go targets --------------------------------------------------

# build_go_target NAME [GOLINE]: builds tests/targets/NAME with the
# machine's Go into $BUILDDIR/targets/NAME (NAME-goGOLINE when the module's
# go line is replaced, e.g. 1.25 to get that release's GODEBUG defaults) and
# prints the path. Built once per build directory: parallel scenarios take
# a lock, and a binary newer than every source file is reused. The binary is
# replaced by rename, so a running copy is never overwritten in place.
build_go_target() {
	local name=$1 goline=${2:-}
	local src="$SRCDIR/tests/targets/$name"
	local dir="$BUILDDIR/targets"
	local out="$dir/$name${goline:+-go$goline}"
	local go
	[ -d "$src" ] || die "no target '$src'"
	go=$("$SRCDIR/scripts/find-go.sh") || die "cannot build '$name' without Go"
	mkdir -p "$dir"
	(
		flock -w 300 9 || die "timed out waiting for the build lock of '$out'"
		if [ -x "$out" ] && [ -z "$(find "$src" -newer "$out" -print -quit)" ]; then
			exit 0
		fi
		local bsrc=$src
		if [ -n "$goline" ]; then
			bsrc=$(mktemp -d "$dir/.src-$name.XXXXXX")
			cp -R "$src/." "$bsrc/"
			(cd "$bsrc" && GOTOOLCHAIN=local "$go" mod edit -go="$goline")
		fi
		# No network (standard library only), no toolchain download, and no
		# VCS stamp, so the binary does not depend on the state of the tree.
		if [ -z "${GOCACHE:-}" ] && [ -z "${HOME:-}" ] && [ -z "${XDG_CACHE_HOME:-}" ]; then
			export GOCACHE="$BUILDDIR/go-cache" GOPATH="$BUILDDIR/go-path"
		fi
		(cd "$bsrc" && GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-buildvcs=false \
			"$go" build -o "$out.tmp.$$" .) || die "'$go build' of '$name' failed"
		mv -f "$out.tmp.$$" "$out"
		[ "$bsrc" = "$src" ] || rm -rf "$bsrc"
	) 9>"$dir/.lock-$name${goline:+-go$goline}" || exit 1
	echo "$out"
}

# ---- processes ------------------------------------------------------------

# stop_proc PID [VICTIM]: sends SIGTERM to VICTIM (default PID; a demo whose
# waiting shell is PID), waits for PID, and escalates to SIGKILL when it has
# not ended within 5 s. PID must be a child of this shell.
stop_proc() {
	local pid=$1 victim=${2:-} dog done_pid= i
	for i in "${!_pids[@]}"; do
		[ "${_pids[i]}" = "$pid" ] && unset "_pids[i]"
	done
	if ! kill -0 "$pid" 2>/dev/null; then
		wait "$pid" 2>/dev/null || true
		return 0
	fi
	# Signal the victim only while it is still the shell's child, so a
	# recycled pid is never hit.
	if [ -n "$victim" ] && [ "$(ps -o ppid= -p "$victim" 2>/dev/null | tr -d ' ')" != "$pid" ]; then
		victim=
	fi
	kill -TERM "${victim:-$pid}" 2>/dev/null || true
	sleep 5 &
	dog=$!
	wait -n -p done_pid "$pid" "$dog" 2>/dev/null || true
	if [ "$done_pid" != "$pid" ]; then
		[ -n "$victim" ] && kill -KILL "$victim" 2>/dev/null
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	# Braces: bash reports a job killed by a signal on the shell's stderr.
	{ kill "$dog" && wait "$dog"; } 2>/dev/null || true
}

# start_bg VAR CMD...: starts CMD in the background (output to
# $WORK/bg.N.log), stops it at exit, and stores its pid in VAR.
start_bg() {
	local -n _ret=$1
	shift
	_n_started=$((_n_started + 1))
	"$@" </dev/null >"$WORK/bg.$_n_started.log" 2>&1 &
	_ret=$!
	_pids+=("$_ret")
}

# start_prometheus TARGET: Debian's prometheus on a free loopback port,
# scraping TARGET (host:port, job "target"; "self": its own /metrics, job
# "self") every second,
# its data under $WORK/prom; waits until it is ready (30 s at most) and
# sets PROM (its URL) and PROM_PID. Stopped by the EXIT trap.
start_prometheus() {
	local target=$1 job=target port i
	need prometheus curl python3
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	[ "$target" = self ] && job=self && target=127.0.0.1:$port
	mkdir -p "$WORK/prom"
	cat >"$WORK/prom.yml" <<YAML
global:
  scrape_interval: 1s
  scrape_timeout: 900ms
scrape_configs:
  - job_name: $job
    static_configs:
      - targets: ['$target']
YAML
	start_bg PROM_PID timeout 300 prometheus --config.file="$WORK/prom.yml" --storage.tsdb.path="$WORK/prom" \
		--web.listen-address="127.0.0.1:$port" --log.level=warn
	PROM="http://127.0.0.1:$port"
	for ((i = 0; i < 300; i++)); do
		curl -fsS "$PROM/-/ready" >/dev/null 2>&1 && return 0
		kill -0 "$PROM_PID" 2>/dev/null || { show "$WORK/bg.$_n_started.log"; die "prometheus exited"; }
		sleep 0.1
	done
	die "prometheus not ready in 30 s"
}

# start_fake SCRIPT NAME [ARGS...]: a Python stand-in target
# (tests/integration/SCRIPT: fake_pprof.py, fake_conns.py), ready when it has
# written its port to $WORK/NAME.port (a bounded poll: 10 s). Sets FAKE_URL
# and FAKE_PID; it ends with the scenario, or by itself after FAKE_LIFETIME
# seconds (default 180).
start_fake() {
	local script=$1 name=$2 i
	shift 2
	start_bg FAKE_PID python3 "$SRCDIR/tests/integration/$script" --ready "$WORK/$name.port" \
		--lifetime "${FAKE_LIFETIME:-180}" "$@"
	for i in $(seq 1 100); do
		[ -s "$WORK/$name.port" ] && break
		sleep 0.1
	done
	[ -s "$WORK/$name.port" ] || die "fake target '$name' ($script) did not start"
	FAKE_URL="http://127.0.0.1:$(cat "$WORK/$name.port")"
}

# start_demo [WRAPPER...] -- [DEMO FLAGS...]: starts the demo (DEMO_BIN, or
# the built tests/targets/demo) under the wrapper words (taskset, prlimit,
# env, setpriv: each execs the next, so the pid is the demo's own), waits
# until it reports ready, and sets DEMO_PID and DEMO_LOG. Ends the scenario
# when the demo is not ready within 60 s or exits first.
#
# The demo writes its pid into a FIFO we hold open read-write; the shell
# waiting on the demo writes "exited N" into it when the demo ends, so a
# demo that dies at start is noticed at once rather than at the timeout.
declare -A _demo_of=()
start_demo() {
	local wrap=() fd line sh
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		wrap+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	if [ -z "${DEMO_BIN:-}" ]; then
		DEMO_BIN=$(build_go_target demo) || exit 1
	fi
	_n_started=$((_n_started + 1))
	local fifo="$WORK/ready.$_n_started"
	DEMO_LOG="$WORK/demo.$_n_started.log"
	mkfifo "$fifo"
	exec {fd}<>"$fifo"
	(
		set +e
		exec {w}>"$fifo" {fd}>&-
		"${wrap[@]}" "$DEMO_BIN" -max-lifetime "$DEMO_LIFETIME" -ready-file "$fifo" "$@" \
			</dev/null >"$DEMO_LOG" 2>&1 {w}>&-
		echo "exited $?" >&"$w"
	) 2>/dev/null &
	sh=$!
	_pids+=("$sh")
	if ! read -r -t 60 -u "$fd" line; then
		line="no answer within 60 s"
	fi
	exec {fd}>&-
	case $line in
	[0-9]*) ;;
	*)
		show "$DEMO_LOG"
		die "demo (${wrap[*]} $DEMO_BIN $*) did not become ready: $line"
		;;
	esac
	_demo_of[$sh]=$line
	DEMO_PID=$line
}

# stop_demo PID: stops one demo started by start_demo before the end.
stop_demo() {
	local sh
	for sh in "${!_demo_of[@]}"; do
		if [ "${_demo_of[$sh]}" = "$1" ]; then
			stop_proc "$sh" "$1"
			unset "_demo_of[$sh]"
			return 0
		fi
	done
	return 1
}

# demo_addr KIND: the address (host:port) the demo's log line reports for
# KIND (service, debug, hang).
demo_addr() {
	sed -n "s/.* $1=\([^ ]*\).*/\1/p;T;q" "${2:-$DEMO_LOG}"
}

# demo_gomaxprocs: the GOMAXPROCS the demo's runtime reported at start.
demo_gomaxprocs() {
	sed -n 's/.* gomaxprocs=\([0-9]*\).*/\1/p;T;q' "${1:-$DEMO_LOG}"
}

# ---- running preflight and reading its report -----------------------------

# pf OUT ARGS...: runs "$PREFLIGHT ARGS" with stdout to OUT and stderr to
# OUT.err, under a hang guard; the exit code is in PF_RC (124 = the guard
# fired, >= 128 = killed by a signal).
pf() {
	local out=$1
	shift
	_pf_last_err="$out.err"
	set +e
	timeout -k 5 "$PF_HANG_GUARD" "$PREFLIGHT" "$@" >"$out" 2>"$out.err"
	PF_RC=$?
	set -e
}

# pf_json OUT ARGS...: pf with "check --format json". Unless ARGS set
# --timeout, probes get PF_PROBE_TIMEOUT seconds: a healthy demo answers at
# once, and the slack keeps a loaded CI machine from turning a slow answer
# into a different verdict.
PF_PROBE_TIMEOUT=${PF_PROBE_TIMEOUT:-10}
pf_json() {
	local out=$1 a
	shift
	for a in "$@"; do
		if [ "$a" = --timeout ]; then
			pf "$out" check --format json "$@"
			return
		fi
	done
	pf "$out" check --format json --timeout "$PF_PROBE_TIMEOUT" "$@"
}

# expect_rc DESC WANT...: PF_RC is one of WANT (shows stderr if not).
expect_rc() {
	local d=$1 w
	shift
	for w in "$@"; do
		if [ "$PF_RC" = "$w" ]; then
			_ok "$d"
			return 0
		fi
	done
	_not_ok "$d" "exit code $PF_RC, want one of: $*" "$(head -c 600 "$_pf_last_err" 2>/dev/null)"
}
_pf_last_err=/dev/null

# check_status FILE ID: the status of check ID in a JSON report ("absent"
# when the report has no such check).
check_status() {
	jq -r --arg id "$2" '[.checks[] | select(.check == $id)][0].status // "absent"' "$1"
}

# check_ev FILE ID KEY: one evidence value ("absent" when missing); objects
# and arrays come out as compact JSON.
check_ev() {
	jq -r --arg id "$2" --arg k "$3" '[.checks[] | select(.check == $id)][0].evidence[$k]
		| if . == null then "absent" elif type == "object" or type == "array" then tojson else . end' "$1"
}

# check_field FILE ID FIELD: a top-level field of a check (summary, remedy...).
check_field() {
	jq -r --arg id "$2" --arg f "$3" '[.checks[] | select(.check == $id)][0][$f] // "absent"' "$1"
}

# json_ok FILE: the file is one valid JSON document with a checks array.
json_ok() {
	jq -e '(.checks | type) == "array"' "$1" >/dev/null 2>&1
}

# ss_pid_count STATE PID: TCP sockets of PID in STATE (ss's names:
# close-wait, listening...), as ss counts them.
ss_pid_count() {
	ss -Htanp state "$1" 2>/dev/null | grep -c "pid=$2," || true
}

# The ids every report must carry (the contract in the issue).
ALL_CHECK_IDS=(
	cpu.topology cpu.affinity-numa cpu.throttling mem.cgroup-headroom
	net.tcp-states net.timewait-ratio net.close-wait net.listen-queue
	net.sysctl net.ephemeral-ports fd.process fd.system clock.source
	clock.sync cpu.gomaxprocs mem.gomemlimit go.buildinfo go.version
	go.race go.cgo go.vcs-modified sec.pprof-exposure
)
