#!/usr/bin/env bash
# t0220: a Go target inside a network namespace the test creates, checked
# from the root namespace (a container, as far as the network goes). The
# census, the listeners and the probes must be the target's namespace's:
#  - `tcp-census --pid` agrees with `nsenter -t PID -n ss -tan`, state by
#    state (differential, as t0200 holds the census against ss);
#  - check's listeners are the target's, as ss lists them inside; a host
#    listener is not attributed to it;
#  - the probes went into the namespace: the target's pprof port is also
#    bound on the host's loopback by a plain HTTP server that serves no
#    pprof, and the runtime checks still read the target's pprof;
#  - the net.* sysctls are the namespace's (somaxconn and the port range
#    set inside differ from the host's);
#  - without CAP_SYS_ADMIN the namespace cannot be entered: every check
#    that needed it is ERROR naming /proc/PID/ns/net and the privilege,
#    never the host's numbers.
# Needs root (creating a namespace, entering it); skipped (77) otherwise.
. "$(dirname "$0")/lib.sh"

need ip ss nsenter jq python3 curl setpriv
[ "$(id -u)" = 0 ] || skip "needs root to create and enter a network namespace"
NS="pf-t0220-$$-$RANDOM"
ip netns add "$NS" 2>"$WORK/netns.err" || skip "cannot create a network namespace: $(cat "$WORK/netns.err")"
at_exit "ip netns del '$NS' 2>/dev/null"
ip netns exec "$NS" ip link set lo up || die "cannot bring up lo in $NS"
# Values the host is unlikely to have, so reading the host's shows.
ip netns exec "$NS" sysctl -qw net.core.somaxconn=1234 || die "cannot set somaxconn in $NS"
ip netns exec "$NS" sysctl -qw net.ipv4.ip_local_port_range="20000 20999" || die "cannot set the port range in $NS"

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
dport=$(free_port)
hport=$(free_port)
while [ "$hport" = "$dport" ]; do hport=$(free_port); done

# On the host's loopback: the same port as the target's pprof (a plain
# HTTP server: no pprof there), and a host-only listener.
start_bg shadow_pid python3 -m http.server --bind 127.0.0.1 "$dport"
start_bg host_pid python3 -m http.server --bind 127.0.0.1 "$hport"
for _ in $(seq 100); do
	curl -s -o /dev/null "http://127.0.0.1:$dport/" && curl -s -o /dev/null "http://127.0.0.1:$hport/" && break
	sleep 0.1
done
expect_true "the host's shadow server answers on 127.0.0.1:$dport" curl -sf -o /dev/null "http://127.0.0.1:$dport/"

# The binary exists only in the target's mount view: `ip netns exec` gives
# it a mount namespace of its own, where a tmpfs over $WORK/private holds a
# copy (the directory stays empty in ours).
mkdir "$WORK/private"
DEMO_BIN=$(build_go_target demo)
# shellcheck disable=SC2016 # expanded by the inner shell
start_demo ip netns exec "$NS" sh -c 'mount -t tmpfs none "$0" && cp "$1" "$0/demo" && shift && exec "$0/demo" "$@"' \
	"$WORK/private" -- -metrics -close-wait 4 -addr 127.0.0.1:8080 -debug-addr "127.0.0.1:$dport"
pid=$DEMO_PID
# Some short connections inside the namespace: TIME_WAIT on the client side.
for _ in 1 2 3 4 5; do
	ip netns exec "$NS" curl -s -o /dev/null "http://127.0.0.1:8080/" || true
done

target_ns=$(readlink "/proc/$pid/ns/net")
expect_ne "the target's network namespace is not ours" "$target_ns" "$(readlink /proc/self/ns/net)"

# ---- tcp-census --pid against ss inside the namespace ----------------------
keys=(established syn_sent syn_recv fin_wait1 fin_wait2 time_wait close close_wait last_ack listen closing)
declare -A ss_name=(
	[established]=established [syn_sent]=syn-sent [syn_recv]=syn-recv
	[fin_wait1]=fin-wait-1 [fin_wait2]=fin-wait-2 [time_wait]=time-wait
	[close]=closed [close_wait]=close-wait [last_ack]=last-ack
	[listen]=listening [closing]=closing
)
agreed=0
for attempt in 1 2 3 4 5; do
	json=$("$PREFLIGHT" tcp-census --pid "$pid" --json) || die "'tcp-census --pid $pid' failed"
	differ=
	for k in "${keys[@]}"; do
		[[ $json =~ \"$k\":([0-9]+) ]] || die "key '$k' missing from $json"
		theirs=$(nsenter -t "$pid" -n ss -Htan state "${ss_name[$k]}" | wc -l)
		[ "${BASH_REMATCH[1]}" = "$theirs" ] || differ+="$k: preflight ${BASH_REMATCH[1]}, ss $theirs; "
	done
	if [ -z "$differ" ]; then
		agreed=1
		break
	fi
	echo "# attempt $attempt: $differ"
	sleep 0.2
done
expect_eq "tcp-census --pid agrees with 'nsenter -t PID -n ss -tan' on every state" "$agreed" 1
[[ $json =~ \"close_wait\":([0-9]+) ]]
expect_num "the namespace's census holds the target's 4 CLOSE_WAIT" "${BASH_REMATCH[1]}" ">=" 4
[[ $json =~ \"time_wait\":([0-9]+) ]]
expect_num "and the TIME_WAIT of the connections made inside" "${BASH_REMATCH[1]}" ">=" 1
expect_ne "it is not the host's census" "$json" "$("$PREFLIGHT" tcp-census --json)"
pf "$WORK/census.usage" tcp-census --pid "$pid" --replay /dev/null
expect_rc "--pid with --replay is a usage error" 2

# ---- check from the root namespace ------------------------------------------
pf_json "$WORK/check.json" --pid "$pid" --window 1
expect_true "check wrote a JSON report" json_ok "$WORK/check.json"
expect_eq "the executable is the copy in the target's mount view" "$(jq -r .target.exe "$WORK/check.json")" \
	"$WORK/private/demo"
expect_true "which our mount view does not have" test ! -e "$WORK/private/demo"
expect_eq "go.buildinfo reads it through /proc/PID/exe" "$(check_status "$WORK/check.json" go.buildinfo)" pass
expect_eq "the report names the target's namespace" "$(jq -r .target.netns "$WORK/check.json")" "target ($target_ns)"

mine=$(jq -r '.target.listeners | sort | join(" ")' "$WORK/check.json")
theirs=$(nsenter -t "$pid" -n ss -Hltnp | grep "pid=$pid," | awk '{print $4}' | sort | tr '\n' ' ' | sed 's/ $//')
expect_eq "the listeners are the target's, as ss lists them inside its namespace" "$mine" "$theirs"
expect_match "the target's pprof listener is among them" "$mine" "127\.0\.0\.1:$dport( |$)"
expect_no_match "the host-only listener 127.0.0.1:$hport is not attributed" "$mine" "127\.0\.0\.1:$hport( |$)"
expect_eq "the host's shadow on the same port is not attributed twice" \
	"$(jq -r --arg a "127.0.0.1:$dport" '[.target.listeners[] | select(. == $a)] | length' "$WORK/check.json")" 1

expect_eq "sec.pprof-exposure passes: pprof found on the namespace's loopback" \
	"$(check_status "$WORK/check.json" sec.pprof-exposure)" pass
expect_eq "go.goroutines read the target's pprof (the host's port serves none)" \
	"$(check_status "$WORK/check.json" go.goroutines)" pass
expect_match "cpu.gomaxprocs took the target's own /metrics" \
	"$(check_field "$WORK/check.json" cpu.gomaxprocs summary)" "go_sched_gomaxprocs_threads at http://127\.0\.0\.1:8080/metrics"
expect_eq "go.goroutine-leak counted the target's connections in its namespace at each snapshot" \
	"$(jq -r '.checks[] | select(.check == "go.goroutine-leak") | .evidence | if .connections_note then .connections_note else (.connections | type) end' "$WORK/check.json")" array
expect_eq "net.close-wait counts the target's 4 CLOSE_WAIT sockets" \
	"$(check_ev "$WORK/check.json" net.close-wait close_wait)" 4
for id in net.tcp-states net.timewait-ratio net.close-wait net.sysctl net.ephemeral-ports sec.pprof-exposure; do
	expect_eq "$id says the target's namespace was read" "$(check_ev "$WORK/check.json" "$id" netns)" "target ($target_ns)"
done
expect_eq "net.sysctl reads somaxconn of the namespace" "$(check_ev "$WORK/check.json" net.sysctl somaxconn)" 1234
expect_eq "and its ip_local_port_range" "$(check_ev "$WORK/check.json" net.sysctl ip_local_port_range)" 20000-20999
expect_ne "the host's somaxconn is another" "$(sysctl -n net.core.somaxconn)" 1234
expect_eq "fd.system stays host-wide (no netns evidence)" "$(check_ev "$WORK/check.json" fd.system netns)" absent

# The cgroup is the target's, read through our own mounts: `ip netns exec`
# gave it a mount namespace without any cgroup mount, so its own mountinfo
# shows none. It shares this shell's cgroup, whose controllers must show.
pf_json "$WORK/self.json" --pid $$ --window 0
for id in mem.cgroup-headroom cpu.throttling; do
	expect_eq "$id judges the target's cgroup as it judges ours (same cgroup)" \
		"$(check_field "$WORK/check.json" "$id" status)" "$(check_field "$WORK/self.json" "$id" status)"
done
if grep -q "no cgroup memory controller" <<<"$(check_field "$WORK/self.json" mem.cgroup-headroom summary)"; then
	skip_one "mem.cgroup-headroom found the target's memory controller" "no memory controller visible here"
else
	expect_no_match "mem.cgroup-headroom found the target's memory controller" \
		"$(check_field "$WORK/check.json" mem.cgroup-headroom summary)" "no cgroup memory controller"
fi

# The tty report says whose namespace it read.
pf "$WORK/check.tty" check --pid "$pid" --window 0 --timeout 5 --color never
expect_match "the tty report names the namespace" "$(cat "$WORK/check.tty")" "^netns: target \(net:\["

# ---- without CAP_SYS_ADMIN ---------------------------------------------------
# Root with ptrace access but without CAP_SYS_ADMIN: the link opens, setns fails.
PREFLIGHT_REAL=$PREFLIGHT
PREFLIGHT="setpriv --bounding-set=-sys_admin $PREFLIGHT_REAL"
set +e
$PREFLIGHT --help >/dev/null 2>&1
usable=$?
set -e
if [ "$usable" -eq 0 ]; then
	set +e
	timeout -k 5 "$PF_HANG_GUARD" $PREFLIGHT check --format json --pid "$pid" --window 0 --timeout 5 >"$WORK/noadmin.json" 2>"$WORK/noadmin.err"
	PF_RC=$?
	set -e
	_pf_last_err="$WORK/noadmin.err"
	expect_rc "without CAP_SYS_ADMIN, check exits 1 (errors)" 1
	for id in net.tcp-states net.timewait-ratio net.close-wait net.listen-queue net.sysctl net.ephemeral-ports \
		sec.pprof-exposure go.goroutines; do
		expect_eq "$id is error" "$(check_status "$WORK/noadmin.json" "$id")" error
		expect_match "$id names the namespace and the privilege" "$(check_field "$WORK/noadmin.json" "$id" summary)" \
			"/proc/$pid/ns/net: Operation not permitted.*CAP_SYS_ADMIN"
	done
	expect_eq "the listeners are unknown, not none" "$(jq -r '.target.listeners' "$WORK/noadmin.json")" null
	set +e
	$PREFLIGHT tcp-census --pid "$pid" >"$WORK/noadmin.census" 2>"$WORK/noadmin.census.err"
	rc=$?
	set -e
	expect_eq "tcp-census --pid without CAP_SYS_ADMIN exits 2" "$rc" 2
	expect_match "and says why" "$(cat "$WORK/noadmin.census.err")" "/proc/$pid/ns/net: Operation not permitted.*CAP_SYS_ADMIN"
	expect_eq "and prints no census" "$(wc -c <"$WORK/noadmin.census")" 0
else
	skip_one "without CAP_SYS_ADMIN" "setpriv cannot drop it here"
fi
PREFLIGHT=$PREFLIGHT_REAL
finish
