#!/usr/bin/env bash
# The new host facts end to end through --root, on tests/fixtures/host/psi-v2:
# PSI of a kernel before 5.13 for the host and the target's cgroup, four
# threads after `taskset -p 0x3 4242` (main thread 0-1, three on 0-15) on
# two NUMA nodes, a memory limit on the slice above the service, and two
# processes in the service's cgroup.
. "$(dirname "$0")/lib.sh"
need jq
fx=$SRCDIR/tests/fixtures/host/psi-v2

pf_json "$WORK/w0.json" --root "$fx" --pid 4242 --window 0 --timeout 1s
expect_rc "check on the fixture: findings, exit 1" 1
expect_eq "host.pressure: fails on the host's cpu some avg10 61.2%" \
	"$(check_status "$WORK/w0.json" host.pressure)" fail
expect_match "... the summary quotes it" "$(check_field "$WORK/w0.json" host.pressure summary)" \
	"^cpu some 61\.2% avg10 \(host; fail above 50%"
expect_eq "... judged on avg10 without a window" "$(check_ev "$WORK/w0.json" host.pressure judged)" avg10
expect_eq "... no cpu full line on this kernel" \
	"$(jq -r '[.checks[] | select(.check == "host.pressure")][0].evidence.host.cpu.full' "$WORK/w0.json")" null
expect_eq "... the cgroup's memory full avg10" \
	"$(jq -r '[.checks[] | select(.check == "host.pressure")][0].evidence.cgroup.memory.full.avg10' "$WORK/w0.json")" 0.042
expect_eq "... the cgroup's directory" \
	"$(jq -r '[.checks[] | select(.check == "host.pressure")][0].evidence.cgroup.dir' "$WORK/w0.json")" \
	/sys/fs/cgroup/services.slice/order.slice/order-api.service

# Over a window the files do not change: nothing stalled in it.
pf_json "$WORK/w1.json" --root "$fx" --pid 4242 --window 1 --timeout 1s
expect_eq "host.pressure over a 1 s window of unchanged files: judged on the window" \
	"$(check_ev "$WORK/w1.json" host.pressure judged)" window
expect_eq "... and passes" "$(check_status "$WORK/w1.json" host.pressure)" pass

expect_eq "cpu.affinity-numa: the threads disagree" \
	"$(check_ev "$WORK/w0.json" cpu.affinity-numa thread_affinity)" "main thread 0-1, 3 other threads 0-15"
expect_eq "... warns (both nodes, memory on both)" "$(check_status "$WORK/w0.json" cpu.affinity-numa)" warn
expect_match "... and names taskset -a" "$(check_field "$WORK/w0.json" cpu.affinity-numa remedy)" "taskset -a -p"
expect_eq "cpu.gomaxprocs: usable CPUs from the other threads' mask" \
	"$(check_ev "$WORK/w0.json" cpu.gomaxprocs usable_cpus)" 16

expect_eq "mem.cgroup-headroom: the slice's usage is judged" \
	"$(check_ev "$WORK/w0.json" mem.cgroup-headroom usage_bytes)" 943718400
expect_eq "... warns at 88%" "$(check_status "$WORK/w0.json" mem.cgroup-headroom)" warn
expect_eq "... the service's RSS" "$(check_ev "$WORK/w0.json" mem.cgroup-headroom rss_bytes)" 209715200
expect_eq "... processes in its cgroup" "$(check_ev "$WORK/w0.json" mem.cgroup-headroom cgroup_processes)" 2
expect_match "... shared, and why" "$(check_ev "$WORK/w0.json" mem.cgroup-headroom shared_reason)" \
	"limit is set on /sys/fs/cgroup/services.slice"

finish
