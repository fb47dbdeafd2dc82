#!/usr/bin/env bash
# net.timewait-ratio splits the host's TIME_WAIT sockets by owner
# (src/collect/tw_owner.h) on a live census, in a network namespace of its
# own so every TIME_WAIT socket is one this scenario made (tw_scene.py):
#   120 the target closed first on its listener T1      -> service_inbound
#    30 the target closed first towards backend B,
#       where it keeps one connection open              -> service_outbound
#     7 a client on this host closed first towards T2   -> clients_of_service
#     5 the backend closed first on its listener B2     -> other_servers
#     3 the client closed first towards backend B3      -> unattributed
# Each count is held against what ss(8) lists for the same addresses, the
# target is judged by its own 150 against its one ESTABLISHED connection,
# and a run without --pid judges the host and says so.
if [ "${TW_NETNS:-}" != 1 ]; then
	if [ "$(id -u)" != 0 ] || ! unshare -n true 2>/dev/null; then
		echo "SKIP: $(basename "$0" .sh): needs a network namespace of its own (root, unshare -n)"
		exit 77
	fi
	TW_NETNS=1 exec unshare -n "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"

need jq ss python3 ip
ip link set lo up

scene=$SRCDIR/tests/integration/tw_scene.py
N=120 M=30 K=7 L=5 U=3

# ready FIFO VAR: reads the ports a role announced, within 30 s.
ready() {
	local fifo=$1 fd line
	local -n _ports=$2
	exec {fd}<>"$fifo"
	read -r -t 30 -u "$fd" line || die "$fifo: no ports announced within 30 s"
	exec {fd}>&-
	_ports=$line
}

mkfifo "$WORK/backend.ready" "$WORK/target.ready"
start_bg backend_pid python3 "$scene" backend "$WORK/backend.ready"
ready "$WORK/backend.ready" bports
read -r B B2 B3 <<<"$bports"
start_bg target_pid python3 "$scene" target "$WORK/target.ready" "$B" "$M"
ready "$WORK/target.ready" tports
read -r T1 T2 <<<"$tports"
timeout 60 python3 "$scene" client "$T1" "$T2" "$B2" "$B3" "$N" "$K" "$L" "$U" ||
	die "the client did not finish"

# The last FINs of each exchange cross after the client returns: wait,
# bounded, until the namespace holds every TIME_WAIT socket made.
total=$((N + M + K + L + U))
for _ in $(seq 100); do
	[ "$(ss -Htan state time-wait | wc -l)" -ge "$total" ] && break
	sleep 0.1
done
tw_ss() { ss -Htan state time-wait "$@" | wc -l; }
# The scene is made by real exchanges: on a loaded machine one of them
# may end with the other side closing first. What is judged below is
# preflight against what ss lists; the scene's own counts only have to
# be near what it meant (at most 2 short).
near() { # DESC GOT WANT
	expect_num "$1" "$2" "<=" "$3"
	expect_num "$1 (at most 2 short)" "$2" ">=" "$(($3 - 2))"
}
ss_total=$(tw_ss)
near "ss: $total TIME_WAIT sockets in the namespace" "$ss_total" "$total"

# What ss lists, before preflight probes the target's listeners over HTTP
# (those probes make TIME_WAIT sockets of their own after the census).
ss_t1=$(tw_ss "sport = :$T1") ss_b=$(tw_ss "dport = :$B") ss_t2=$(tw_ss "dport = :$T2") ss_b2=$(tw_ss "sport = :$B2")
ss_b3=$(tw_ss "dport = :$B3")
# T2 never answers HTTP: a short probe timeout.
pf_json "$WORK/r.json" --pid "$target_pid" --window 0 --timeout 1s
expect_true "the report is valid JSON" json_ok "$WORK/r.json"
owners=$(check_ev "$WORK/r.json" net.timewait-ratio time_wait_owners)
owner() { jq -r --arg k "$1" '.[$k]' <<<"$owners"; }
expect_eq "service_inbound: local port T1, as ss lists them" "$(owner service_inbound)" "$ss_t1"
near "... $N of them" "$(owner service_inbound)" "$N"
expect_eq "service_outbound: towards B, where the target keeps a connection" "$(owner service_outbound)" "$ss_b"
near "... $M of them" "$(owner service_outbound)" "$M"
expect_eq "clients_of_service: towards T2 from this host" "$(owner clients_of_service)" "$ss_t2"
near "... $K of them" "$(owner clients_of_service)" "$K"
expect_eq "other_servers: local port B2, the backend's listener" "$(owner other_servers)" "$ss_b2"
near "... $L of them" "$(owner other_servers)" "$L"
expect_eq "unattributed: towards B3, as ss lists them" "$(owner unattributed)" "$ss_b3"
near "... $U of them" "$(owner unattributed)" "$U"
expect_eq "time_wait is the namespace's $ss_total, as ss counted" \
	"$(check_ev "$WORK/r.json" net.timewait-ratio time_wait)" "$ss_total"
expect_eq "service_time_wait: inbound + outbound" "$(check_ev "$WORK/r.json" net.timewait-ratio service_time_wait)" \
	$((ss_t1 + ss_b))
expect_eq "service_established: the one connection the target keeps" \
	"$(check_ev "$WORK/r.json" net.timewait-ratio service_established)" 1
expect_eq "judged: the service" "$(check_ev "$WORK/r.json" net.timewait-ratio judged)" service
expect_eq "150 TIME_WAIT per ESTABLISHED warns" "$(check_status "$WORK/r.json" net.timewait-ratio)" warn
expect_match "the summary carries the split" "$(check_field "$WORK/r.json" net.timewait-ratio summary)" \
	"service: $((ss_t1 + ss_b)), clients of the service on this host: $ss_t2, other processes: $ss_b2, unattributed: $ss_b3"
expect_match "mostly inbound: the remedy says the service closes first" \
	"$(check_field "$WORK/r.json" net.timewait-ratio remedy)" "closes accepted connections first"

# Without a target, the host is judged, and the remedy asks for --pid.
pf_json "$WORK/host.json" --window 0
expect_eq "no --pid: judged is the host" "$(check_ev "$WORK/host.json" net.timewait-ratio judged)" host
expect_eq "... and no split" "$(check_ev "$WORK/host.json" net.timewait-ratio time_wait_split)" absent
expect_match "... the summary says host-wide" "$(check_field "$WORK/host.json" net.timewait-ratio summary)" "^host-wide"
finish
