#!/usr/bin/env bash
# make demo: builds the demo Go service (tests/targets/demo), starts it with
# risky settings, runs `preflight check` against it in tty format, and
# stops it. Usage: scripts/demo.sh PATH/TO/preflight
#
# The risks: pprof and expvar on 0.0.0.0, a 256 fd limit with 200 fds held
# open, GOMAXPROCS=8 pinned to one CPU, 3 sockets left in CLOSE_WAIT. The
# demo exits 0 when preflight reports findings (that is what it is for);
# a usage error, an internal error or a crash of preflight fails it.
set -euo pipefail

die() {
	echo "demo: $*" >&2
	exit 1
}

pf=${1:-}
[ -n "$pf" ] || die "usage: scripts/demo.sh PATH/TO/preflight"
[ -x "$pf" ] || die "'$pf' is not an executable; build it first (make build)"
for tool in prlimit taskset; do
	command -v "$tool" >/dev/null 2>&1 || die "'$tool' is missing (Debian package util-linux; scripts/install-deps.sh installs it)"
done
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
builddir=$(cd "$(dirname "$pf")" && pwd)
pf="$builddir/$(basename "$pf")"
go=$("$root/scripts/find-go.sh") || exit 1

# Build under the lock the integration tests take (tests/integration/lib.sh),
# so `make demo` and a running `ctest` never write the binary at once; the
# rename keeps a running copy intact.
bin="$builddir/targets/demo"
mkdir -p "$builddir/targets"
(
	flock -w 300 9 || die "timed out waiting for the build lock of '$bin'"
	cd "$root/tests/targets/demo"
	GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-buildvcs=false "$go" build -o "$bin.tmp.$$" . ||
		die "'$go build' of tests/targets/demo failed"
	mv -f "$bin.tmp.$$" "$bin"
) 9>"$builddir/targets/.lock-demo"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/preflight-demo.XXXXXX")
demo_pid= waiter= serve_pid=
cleanup() {
	set +e
	[ -n "$serve_pid" ] && kill -TERM "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
	if [ -n "$demo_pid" ] && kill -0 "$demo_pid" 2>/dev/null; then
		kill -TERM "$demo_pid" 2>/dev/null
		# Bounded: SIGKILL if it has not gone in 5 s.
		sleep 5 &
		local dog=$!
		wait -n "$waiter" "$dog" 2>/dev/null
		kill -KILL "$demo_pid" 2>/dev/null
		{ kill "$dog" && wait "$dog"; } 2>/dev/null
	elif [ -n "$waiter" ]; then
		# Never got its pid: end whatever the waiting shell started.
		pkill -KILL -P "$waiter" 2>/dev/null
	fi
	[ -n "$waiter" ] && wait "$waiter" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# One CPU this shell may run on (not necessarily CPU 0).
cpu=$(taskset -pc $$ | sed 's/.*: //; s/[-,].*//')
nofile=256
extra_fds=200
close_wait=3

# The demo writes its pid into a FIFO once every listener is up; we hold the
# FIFO open read-write, so neither side blocks, and the waiting shell writes
# "exited N" into it if the demo dies first.
mkfifo "$tmp/ready"
exec {ready}<>"$tmp/ready"
(
	set +e
	exec {w}>"$tmp/ready" {ready}>&-
	env -u GOMEMLIMIT -u GODEBUG GOMAXPROCS=8 \
		prlimit --nofile=$nofile:$nofile taskset -c "$cpu" "$bin" \
		-addr 127.0.0.1:0 -debug-addr 0.0.0.0:0 -metrics \
		-open-fds $extra_fds -close-wait $close_wait \
		-max-lifetime 2m -ready-file "$tmp/ready" \
		</dev/null >"$tmp/demo.log" 2>&1 {w}>&-
	echo "exited $?" >&"$w"
) 2>/dev/null &
waiter=$!
line=
read -r -t 30 -u "$ready" line || line="no answer within 30 s"
exec {ready}>&-
case $line in
[0-9]*) demo_pid=$line ;;
*)
	cat "$tmp/demo.log" >&2
	die "the demo service did not start: $line"
	;;
esac
debug=$(sed -n 's/.* debug=\([^ ]*\).*/\1/p' "$tmp/demo.log")

echo "demo: pid $demo_pid with pprof+expvar on $debug (all interfaces), fd limit $nofile with $extra_fds extra fds open, GOMAXPROCS=8 pinned to CPU $cpu, $close_wait CLOSE_WAIT sockets"
echo

set +e
"$pf" check --pid "$demo_pid" --format tty
rc=$?
set -e
case $rc in
0 | 1)
	echo
	echo "demo: preflight exited $rc (1 = findings at or above --fail-on; expected here)"
	;;
*)
	echo "demo: preflight check failed with exit code $rc (2 usage or input error, 3 internal error, >128 a signal)" >&2
	exit "$rc"
	;;
esac

# ---- the launch loop ---------------------------------------------------------
echo
echo "demo: the launch loop: a run of scripts/demo-launch.yaml against the same service"
echo
db="$tmp/launch.db"
sed "s/@DEBUG@/127.0.0.1:${debug##*:}/" "$root/scripts/demo-launch.yaml" >"$tmp/launch.yaml"
loop() {   # a step of the loop that must not be a usage or internal error
	local rc=0
	"$pf" "$@" --db "$db" || rc=$?
	[ "$rc" -le 1 ] || die "preflight $1 failed with exit code $rc"
}
loop run "$tmp/launch.yaml" --env prod --by bob --pid "$demo_pid" --window 0
run=$("$pf" runs --db "$db" --format json | jq -r '.runs[0].id')
echo
echo "demo: people act on the manual items (every action is an event, with who and when):"
loop item confirm "$run" ORD-CHK-005 --by carol --change DEP-1234
loop item skip "$run" ORD-CHK-007 --by carol --reason "degrade switch rehearsed last week (DEP-1180)"
echo
loop status "$run"
echo
loop report "$run" --format html -o "$builddir/demo-launch.html"
echo "demo: the run's HTML report (charts inline, no network): $builddir/demo-launch.html"
echo "demo: the same as markdown: $pf report $run --db <store> --format markdown"

# ---- the board and the API -----------------------------------------------------
echo
echo "demo: preflight serve on the same store: the board and the JSON API (loopback, a throw-away token)"
token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
( umask 077; printf 'demo:%s\n' "$token" >"$tmp/tokens" )
"$pf" serve --listen 127.0.0.1:0 --db "$db" --tokens "$tmp/tokens" --no-notify >"$tmp/serve.out" 2>"$tmp/serve.log" &
serve_pid=$!
for _ in $(seq 100); do
	grep -q "listening on" "$tmp/serve.out" 2>/dev/null && break
	kill -0 "$serve_pid" 2>/dev/null || break
	sleep 0.1
done
base=$(sed -n 's/^preflight serve: listening on //p' "$tmp/serve.out")
[ -n "$base" ] || { cat "$tmp/serve.log" >&2; die "preflight serve did not start"; }
api() { curl -sS --max-time 5 -H "Authorization: Bearer $token" "$@"; }
echo "demo: an item through the API: GET $base/api/v1/runs/$run/items/ORD-CHK-005"
api "$base/api/v1/runs/$run/items/ORD-CHK-005" | jq -c '{id, status, executor, change}'
echo "demo: a skip without a reason is refused by the API as by the command line:"
api -X POST -H 'Content-Type: application/json' -d '{}' "$base/api/v1/runs/$run/items/ORD-CHK-006/skip" | jq -c .
echo "demo: /metrics (items of open runs by status):"
curl -sS --max-time 5 "$base/metrics" | grep '^preflight_launch_items{' | head -5
kill -TERM "$serve_pid"
wait "$serve_pid" || die "preflight serve did not stop cleanly on SIGTERM"
serve_pid=
echo "demo: to see the board: $pf serve --db <store> --tokens FILE, then open http://127.0.0.1:8088/ and log in with a token (docs/board.md)"
