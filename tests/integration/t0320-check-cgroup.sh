#!/usr/bin/env bash
# The demo inside a child cgroup we make: a CPU quota of 0.5 CPU and a
# 256 MiB memory limit. cpu.gomaxprocs must judge against the quota,
# mem.gomemlimit against the limit, mem.cgroup-headroom must report the
# limit we wrote, and cpu.throttling must see a busy loop being throttled.
# Works on cgroup v1 controllers (this machine: v1 with a v2 hierarchy
# beside them) and on a pure v2 hierarchy; skips, with the reason, when it
# cannot make the cgroup.
. "$(dirname "$0")/lib.sh"
need jq findmnt taskset

QUOTA_US=50000
PERIOD_US=100000
LIMIT=$((256 << 20))
CG_NAME="preflight-$TEST_NAME-$$"

[ "$(id -u)" = 0 ] || skip "making a cgroup needs root (running as uid $(id -u))"

# cg_parent CONTROLLER: the directory of our own cgroup for CONTROLLER on
# v1 ("" when that controller is not mounted as v1).
cg_v1_parent() {
	local mnt path
	mnt=$(findmnt -rn -t cgroup -o TARGET,OPTIONS | awk -v c="$1" '{
		n = split($2, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) { print $1; exit } }')
	[ -n "$mnt" ] || return 0
	path=$(awk -F: -v c="$1" '{ n = split($2, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) print $3 }' /proc/self/cgroup)
	echo "$mnt${path%/}"
}

# Leftovers of a run that was killed before its trap could run.
sweep_stale() {
	local d pid
	for d in "$@"; do
		for d in "$d"/preflight-"$TEST_NAME"-*; do
			[ -d "$d" ] || continue
			pid=${d##*-}
			kill -0 "$pid" 2>/dev/null || rmdir "$d" 2>/dev/null || true
		done
	done
}

# rm_cgroup DIR: ends what is left in DIR (only this scenario put processes
# there) and removes it; bounded.
rm_cgroup() {
	local d=$1 i p
	[ -d "$d" ] || return 0
	for i in $(seq 1 25); do
		rmdir "$d" 2>/dev/null && return 0
		for p in $(cat "$d/cgroup.procs" 2>/dev/null); do
			kill -KILL "$p" 2>/dev/null || true
		done
		sleep 0.2
	done
	echo "# could not remove cgroup $d" >&2
}

cpu_dir= mem_dir= procs=()
v1_cpu=$(cg_v1_parent cpu)
v1_mem=$(cg_v1_parent memory)
if [ -n "$v1_cpu" ] && [ -n "$v1_mem" ]; then
	CG_LAYOUT="v1 (cpu at $v1_cpu, memory at $v1_mem)"
	sweep_stale "$v1_cpu" "$v1_mem"
	cpu_dir="$v1_cpu/$CG_NAME"
	mem_dir="$v1_mem/$CG_NAME"
	mkdir "$cpu_dir" 2>"$WORK/mkdir.err" || skip "cannot make a v1 cpu cgroup under $v1_cpu: $(cat "$WORK/mkdir.err")"
	at_exit "rm_cgroup '$cpu_dir'"
	mkdir "$mem_dir" 2>"$WORK/mkdir.err" || skip "cannot make a v1 memory cgroup under $v1_mem: $(cat "$WORK/mkdir.err")"
	at_exit "rm_cgroup '$mem_dir'"
	echo "$PERIOD_US" >"$cpu_dir/cpu.cfs_period_us" && echo "$QUOTA_US" >"$cpu_dir/cpu.cfs_quota_us" ||
		skip "cannot set a CPU quota in $cpu_dir"
	echo "$LIMIT" >"$mem_dir/memory.limit_in_bytes" || skip "cannot set a memory limit in $mem_dir"
	procs=("$cpu_dir/cgroup.procs" "$mem_dir/cgroup.procs")
elif [ -f /sys/fs/cgroup/cgroup.controllers ]; then
	# Pure v2: a child of the root, where enabling controllers for children
	# is always allowed (no internal-process rule at the root).
	CG_LAYOUT="v2 (/sys/fs/cgroup)"
	root=/sys/fs/cgroup
	for c in cpu memory; do
		grep -qw "$c" "$root/cgroup.controllers" || skip "the v2 hierarchy at $root has no $c controller"
		grep -qw "$c" "$root/cgroup.subtree_control" ||
			echo "+$c" >"$root/cgroup.subtree_control" 2>/dev/null ||
			skip "cannot enable the $c controller for children of $root"
	done
	sweep_stale "$root"
	cpu_dir="$root/$CG_NAME"
	mem_dir=$cpu_dir
	mkdir "$cpu_dir" 2>"$WORK/mkdir.err" || skip "cannot make a v2 cgroup under $root: $(cat "$WORK/mkdir.err")"
	at_exit "rm_cgroup '$cpu_dir'"
	echo "$QUOTA_US $PERIOD_US" >"$cpu_dir/cpu.max" || skip "cannot write cpu.max in $cpu_dir"
	echo "$LIMIT" >"$cpu_dir/memory.max" || skip "cannot write memory.max in $cpu_dir"
	procs=("$cpu_dir/cgroup.procs")
else
	skip "no cgroup v1 cpu and memory controllers and no cgroup v2 hierarchy at /sys/fs/cgroup"
fi
echo "# cgroup layout: $CG_LAYOUT; quota $QUOTA_US/$PERIOD_US us, memory limit $LIMIT bytes"

# A wrapper that moves itself into the cgroup and then execs the command,
# so the demo starts inside it (its runtime reads the quota at start).
in_cgroup=(sh -c 'while [ "$1" != @@ ]; do echo $$ >"$1" || exit 97; shift; done; shift; exec "$@"' in-cgroup "${procs[@]}" @@)
clean_env=(env -u GOMAXPROCS -u GOMEMLIMIT -u GODEBUG)
flags=(-addr 127.0.0.1:0 -debug-addr 127.0.0.1:0)

gomaxprocs_verdict() { # EFFECTIVE CAPACITY
	awk -v e="$1" -v c="$2" 'BEGIN {
		print (e > 2 * c) ? "fail" : (e > c) ? "warn" : (e < 0.5 * c) ? "warn" : "pass" }'
}

DEMO_BIN=$(build_go_target demo)
DEMO125_BIN=$(build_go_target demo 1.25)
cpu=$(taskset -pc $$ | sed 's/.*: //; s/[-,].*//')

# ---- cpu.gomaxprocs against the quota -----------------------------------------
start_demo "${clean_env[@]}" "${in_cgroup[@]}" -- "${flags[@]}"
expect_true "the demo runs in the cgroup" grep -qx "$DEMO_PID" "${procs[0]}"
pf_json "$WORK/q.json" --pid "$DEMO_PID" --window 0
expect_rc "check exits 0 or 1" 0 1
expect_eq "quota 0.5 CPU: quota_cpus is 1 (rounded up)" "$(check_ev "$WORK/q.json" cpu.gomaxprocs quota_cpus)" 1
eff=$(check_ev "$WORK/q.json" cpu.gomaxprocs effective)
expect_eq "go line < 1.25: effective equals the runtime's own GOMAXPROCS (blind to the quota)" "$eff" "$(demo_gomaxprocs)"
expect_eq "... which is the affinity count" "$eff" "$(check_ev "$WORK/q.json" cpu.gomaxprocs usable_cpus)"
expect_eq "... verdict: $eff Ps against a 1-CPU quota" "$(check_status "$WORK/q.json" cpu.gomaxprocs)" \
	"$(gomaxprocs_verdict "$eff" 1)"
stop_demo "$DEMO_PID"

for g in 4 1; do
	start_demo "${clean_env[@]}" GOMAXPROCS=$g "${in_cgroup[@]}" -- "${flags[@]}"
	pf_json "$WORK/q$g.json" --pid "$DEMO_PID" --window 0
	expect_eq "GOMAXPROCS=$g under the 1-CPU quota: $(gomaxprocs_verdict $g 1)" \
		"$(check_status "$WORK/q$g.json" cpu.gomaxprocs)" "$(gomaxprocs_verdict $g 1)"
	stop_demo "$DEMO_PID"
done

# The same source with a go 1.25 line: the runtime's container-aware default
# (min(affinity, max(2, ceil(quota)))). preflight derives it from the
# binary's DefaultGODEBUG and must agree with the runtime.
go=$("$SRCDIR/scripts/find-go.sh")
expect_match "the go 1.22 build turns containermaxprocs off" "$("$go" version -m "$DEMO_BIN")" 'containermaxprocs=0'
expect_no_match "the go 1.25 build does not" "$("$go" version -m "$DEMO125_BIN")" 'containermaxprocs=0'
for aff in all one; do
	wrap=("${clean_env[@]}")
	[ "$aff" = one ] && wrap+=(taskset -c "$cpu")
	DEMO_BIN=$DEMO125_BIN start_demo "${wrap[@]}" "${in_cgroup[@]}" -- "${flags[@]}"
	pf_json "$WORK/q125-$aff.json" --pid "$DEMO_PID" --window 0
	eff=$(check_ev "$WORK/q125-$aff.json" cpu.gomaxprocs effective)
	expect_eq "go 1.25 line, affinity $aff: effective equals the runtime's own GOMAXPROCS" "$eff" "$(demo_gomaxprocs)"
	expect_match "... source names the container-aware rule" \
		"$(check_ev "$WORK/q125-$aff.json" cpu.gomaxprocs source)" 'container|quota'
	cap=$(awk -v u="$(check_ev "$WORK/q125-$aff.json" cpu.gomaxprocs usable_cpus)" 'BEGIN { print (u < 1) ? u : 1 }')
	expect_eq "... verdict against the quota" "$(check_status "$WORK/q125-$aff.json" cpu.gomaxprocs)" \
		"$(gomaxprocs_verdict "$eff" "$cap")"
	stop_demo "$DEMO_PID"
done

# ---- mem.gomemlimit and mem.cgroup-headroom -------------------------------------
# GOMEMLIMIT vs the 256 MiB limit: none warns, above fails, below half warns.
for case in none:warn 512MiB:fail 100MiB:warn 230MiB:pass; do
	gml=${case%%:*} want=${case#*:}
	env_words=("${clean_env[@]}")
	[ "$gml" != none ] && env_words+=(GOMEMLIMIT="$gml")
	start_demo "${env_words[@]}" "${in_cgroup[@]}" -- "${flags[@]}"
	pf_json "$WORK/m-$gml.json" --pid "$DEMO_PID" --window 0
	expect_eq "GOMEMLIMIT=$gml with a 256 MiB limit: mem.gomemlimit $want" \
		"$(check_status "$WORK/m-$gml.json" mem.gomemlimit)" "$want"
	if [ "$gml" = none ]; then
		headroom="$WORK/m-$gml.json"
	fi
	stop_demo "$DEMO_PID"
done
expect_eq "mem.gomemlimit limit_bytes is the limit we wrote" "$(check_ev "$headroom" mem.gomemlimit limit_bytes)" "$LIMIT"
expect_eq "mem.cgroup-headroom limit_bytes is the limit we wrote" "$(check_ev "$headroom" mem.cgroup-headroom limit_bytes)" "$LIMIT"
expect_num "mem.cgroup-headroom usage_bytes is above 0" "$(check_ev "$headroom" mem.cgroup-headroom usage_bytes)" '>' 0
expect_num "... and below the limit" "$(check_ev "$headroom" mem.cgroup-headroom usage_bytes)" '<' "$LIMIT"
expect_num "mem.cgroup-headroom oom_kills is 0" "$(check_ev "$headroom" mem.cgroup-headroom oom_kills)" '==' 0
expect_eq "a demo using a few MiB of 256 has headroom" "$(check_status "$headroom" mem.cgroup-headroom)" pass

# ---- cpu.throttling -------------------------------------------------------------
# The quota drops to 2 ms per 100 ms period: a busy loop uses that up early
# in every period and is throttled for the rest, however loaded the host
# is (at 0.5 CPU, a busy loop starved by other work may not reach its quota,
# and the verdict would depend on the load).
set_quota() { # QUOTA_US PERIOD_US
	if [ -f "$cpu_dir/cpu.max" ]; then
		echo "$1 $2" >"$cpu_dir/cpu.max"
	else
		echo "$1" >"$cpu_dir/cpu.cfs_quota_us"
	fi
}
start_demo "${clean_env[@]}" "${in_cgroup[@]}" -- "${flags[@]}"
pf_json "$WORK/t-idle.json" --pid "$DEMO_PID" --window 1
expect_in "idle demo under a quota: cpu.throttling judged" "$(check_status "$WORK/t-idle.json" cpu.throttling)" pass warn fail
expect_ne "... with nr_periods evidence" "$(check_ev "$WORK/t-idle.json" cpu.throttling nr_periods)" absent
expect_ne "... and nr_throttled evidence" "$(check_ev "$WORK/t-idle.json" cpu.throttling nr_throttled)" absent

set_quota 2000 "$PERIOD_US"
start_bg burner timeout 120 "${in_cgroup[@]}" sh -c 'while :; do :; done'
pf_json "$WORK/t-busy.json" --pid "$DEMO_PID" --window 2 --timeout 1
expect_eq "a busy loop sharing a 0.02 CPU quota: cpu.throttling fail" "$(check_status "$WORK/t-busy.json" cpu.throttling)" fail
expect_num "... throttled ratio above 5%" "$(check_ev "$WORK/t-busy.json" cpu.throttling ratio)" '>' 0.05
expect_num "... nr_throttled above 0" "$(check_ev "$WORK/t-busy.json" cpu.throttling nr_throttled)" '>' 0
stop_proc "$burner"

finish
