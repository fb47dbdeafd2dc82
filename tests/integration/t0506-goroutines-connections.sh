#!/usr/bin/env bash
# preflight goroutines URL counts the target's ESTABLISHED connections at
# each snapshot (the owner of the URL's port, or --pid), and judges the
# goroutines that follow connections against them: a watch-stream stack
# that grows by 30 while the target opens 6 more connections per snapshot
# is no suspect; the same growth with no new connection is one. The target
# (tests/integration/fake_conns.py) opens the connections to itself before
# answering each profile, so the count the sampler takes after the answer
# sees them. Loopback only.
. "$(dirname "$0")/lib.sh"
need jq python3

gr() { # OUT ARGS...
	local out=$1
	shift
	pf "$out" goroutines -n 3 -i 300ms --format json "$@"
}
ws='go.etcd.io/etcd/server/v3/etcdserver/api/v3rpc.(*serverWatchStream).sendLoop'

# ---- connections rise with the streams: no suspect ---------------------------------------
start_fake fake_conns.py grow --base 5 --step 15 --grow-conns 3
gr "$WORK/grow.json" "$FAKE_URL"
expect_rc "streams grow with connections: exit 0" 0
j=$WORK/grow.json
expect_eq "... the stream stack grew by 30" "$(jq -c --arg s "$ws" '.groups[] | select(.site == $s) | .counts' "$j")" '[5,20,35]'
expect_eq "... the connections of the port's owner were counted" "$(jq '.connections.pid' "$j")" "$FAKE_PID"
expect_eq "... at every snapshot" "$(jq '.connections.counts | length' "$j")" 3
c=($(jq -r '.connections.counts[]' "$j"))
# 12 sockets the target opened (both ends of 6 connections), less the
# sampler's own connections that its first, parallel requests opened and
# libcurl's cache let go since (up to 3)
expect_num "... and rose with the 12 sockets the target opened (${c[*]})" "$((c[2] - c[0]))" '>=' 9
expect_eq "... no suspect" "$(jq '.suspects | length' "$j")" 0
pf "$WORK/grow.txt" goroutines -n 3 -i 300ms "$FAKE_URL"
expect_match "tty: the connections line" "$(cat "$WORK/grow.txt")" "^connections of pid $FAKE_PID \(ESTABLISHED\): [0-9]+ [0-9]+ [0-9]+$"
grow_pid=$FAKE_PID grow_url=$FAKE_URL

# ---- the same growth with no new connection: a suspect ------------------------------------
# (each fake's stack grows by 15 a profile, whoever asks: later runs
# against it see the same growth)
start_fake fake_conns.py flat --base 5 --step 15
flat_url=$FAKE_URL
gr "$WORK/flat.json" "$flat_url"
expect_rc "streams grow, connections do not: exit 1" 1
j=$WORK/flat.json
expect_eq "... the connections were counted" "$(jq '.connections.counts | length' "$j")" 3
expect_eq "... the stream stack is the suspect" "$(jq -r '[.suspects[].site | sub(" \\(.*"; "")] | join(",")' "$j")" "$ws"

# ---- --pid: another process's connections decide --------------------------------------------
# The target grows its connections, but the process named holds none:
# the streams outgrow its (flat) connections.
start_bg idle sleep 60
gr "$WORK/pid.json" --pid "$idle" "$grow_url"
expect_rc "--pid of a process without connections: exit 1" 1
expect_eq "... its connections were counted" "$(jq -c '.connections | [.pid, .counts]' "$WORK/pid.json")" "[$idle,[0,0,0]]"
stop_proc "$grow_pid"

# ---- what cannot be counted ------------------------------------------------------------------
pf "$WORK/pidfile" goroutines --pid 1 "$SRCDIR/tests/fixtures/goroutines/go1.26/debug1.txt"
expect_rc "--pid with a saved dump: exit 2" 2
expect_match "... saying why" "$(cat "$WORK/pidfile.err")" "--pid goes with a URL"
pf "$WORK/files.json" goroutines --format json "$SRCDIR/tests/fixtures/goroutines/go1.26/debug1.txt"
expect_eq "saved dumps: connections null" "$(jq '.connections' "$WORK/files.json")" null
gr "$WORK/gone.json" --pid 4194304 "$flat_url"
expect_rc "--pid of no process: the analysis goes on without the count (exit 1: the stack grew)" 1
expect_eq "... connections null" "$(jq '.connections' "$WORK/gone.json")" null
expect_match "... and stderr says why" "$(cat "$WORK/gone.json.err")" "connections not counted.*pid 4194304"

# ---- another user's target, found but not readable -----------------------------------------
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && id nobody >/dev/null 2>&1 &&
	setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups test -x "$PREFLIGHT"; then
	set +e
	setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
		"$PREFLIGHT" goroutines -n 3 -i 300ms --format json "$flat_url" >"$WORK/nobody.json" 2>"$WORK/nobody.err"
	set -e
	expect_eq "as nobody against root's target: connections null" "$(jq '.connections' "$WORK/nobody.json")" null
	expect_match "... and stderr says why, and what would do" "$(cat "$WORK/nobody.err")" \
		"connections not counted .*port [0-9]+ belongs to no process whose fds we may read.*root"
else
	skip_one "as nobody against root's target" "needs root, setpriv and a user nobody"
fi

finish
