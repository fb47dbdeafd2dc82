#!/usr/bin/env bash
# What this machine cannot show, end to end through --root: captured and
# hand-made /proc and /sys trees for a two-node NUMA host, an hpet
# clocksource, and a process in a cgroup v2 hierarchy with a quota, a
# memory limit and recorded OOM kills.
set -euo pipefail
: "${PREFLIGHT:?}" "${SRCDIR:?}"
fx=$SRCDIR/tests/fixtures/host
fails=0
check() { # check DESCRIPTION EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then echo "ok   $1"; else echo "FAIL $1: want '$2', got '$3'"; fails=$((fails + 1)); fi
}
ev() { jq -r --arg id "$2" ".checks[] | select(.id == \$id) | $3" "$1"; }

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# Two NUMA nodes with 8 CPUs each, SMT on.
"$PREFLIGHT" check --root "$fx/numa-2node" --window 0 --format json -o "$tmp/numa.json" || true
check "numa: nodes" 2 "$(ev "$tmp/numa.json" cpu.topology .evidence.nodes)"
check "numa: cpus" 16 "$(ev "$tmp/numa.json" cpu.topology .evidence.cpus)"
check "numa: smt" true "$(ev "$tmp/numa.json" cpu.topology .evidence.smt)"

# hpet: slow time reads warn.
"$PREFLIGHT" check --root "$fx/hpet" --window 0 --format json -o "$tmp/hpet.json" || true
check "hpet: status" warn "$(ev "$tmp/hpet.json" clock.source .status)"
check "hpet: current" hpet "$(ev "$tmp/hpet.json" clock.source .evidence.current)"

# A process (fake pid 4242) in services.slice/order.slice/order-api.service
# on cgroup v2: its own cpu.max is 1.5 CPUs, services.slice allows 1;
# memory.max 512 MiB with 3 OOM kills; GOMAXPROCS=16 and GOMEMLIMIT=2GiB.
rc=0
"$PREFLIGHT" check --root "$fx/v2-quota" --pid 4242 --window 0 --format json -o "$tmp/v2.json" || rc=$?
check "v2: exit code (fail findings)" 1 "$rc"
check "v2: gomaxprocs effective" 16 "$(ev "$tmp/v2.json" cpu.gomaxprocs .evidence.effective)"
check "v2: gomaxprocs source" "the environment (/proc/4242/environ)" "$(ev "$tmp/v2.json" cpu.gomaxprocs .evidence.source)"
check "v2: gomaxprocs origin" environment "$(ev "$tmp/v2.json" cpu.gomaxprocs .evidence.origin)"
check "v2: quota_cpus (tightest ancestor)" 1 "$(ev "$tmp/v2.json" cpu.gomaxprocs .evidence.quota_cpus)"
check "v2: usable_cpus (affinity 0-15 within cpuset 0-3)" 4 "$(ev "$tmp/v2.json" cpu.gomaxprocs .evidence.usable_cpus)"
check "v2: gomaxprocs status" fail "$(ev "$tmp/v2.json" cpu.gomaxprocs .status)"
check "v2: gomemlimit above the limit" fail "$(ev "$tmp/v2.json" mem.gomemlimit .status)"
check "v2: memory limit" 536870912 "$(ev "$tmp/v2.json" mem.gomemlimit .evidence.limit_bytes)"
check "v2: headroom oom kills" 3 "$(ev "$tmp/v2.json" mem.cgroup-headroom .evidence.oom_kills)"
check "v2: headroom status" fail "$(ev "$tmp/v2.json" mem.cgroup-headroom .status)"
check "v2: fd soft limit" 1024 "$(ev "$tmp/v2.json" fd.process .evidence.soft)"
check "v2: fd open" 3 "$(ev "$tmp/v2.json" fd.process .evidence.open)"
check "v2: fd below expected connections" warn "$(ev "$tmp/v2.json" fd.process .status)"
check "v2: throttling counted where the quota binds" 182340 "$(ev "$tmp/v2.json" cpu.throttling .evidence.nr_periods)"
check "v2: no build info (no exe link)" error "$(ev "$tmp/v2.json" go.buildinfo .status)"

# A pid missing from the tree is an input error.
rc=0
"$PREFLIGHT" check --root "$fx/v2-quota" --pid 4243 --window 0 >/dev/null 2>"$tmp/err" || rc=$?
check "missing pid: exit 2" 2 "$rc"
check "missing pid: one line" 1 "$(wc -l <"$tmp/err")"

[ "$fails" -eq 0 ] || { echo "$fails assertion(s) failed"; exit 1; }
