#!/usr/bin/env bash
# The new host facts against what the kernel, the tools and the Go runtime
# say themselves:
#   - per-thread affinity against `taskset -a -p PID` after `taskset -p`
#     (the main thread only) and after `taskset -a -p` (every thread), and
#     the demo's own GOMAXPROCS (its /metrics) after each: Go >= 1.25
#     re-reads the mask of its sysmon thread, not the main thread's;
#   - PSI against /proc/pressure read around the run;
#   - the target's RSS against /proc/PID/status, the processes of its
#     memory cgroup against cgroup.procs;
#   - a non-Go target (sleep): every Go check skips saying so, the checks
#     that apply to any process still judge it.
. "$(dirname "$0")/lib.sh"
need jq taskset curl

DEMO_BIN=$(build_go_target demo)
no_go_env=(env -u GOMAXPROCS -u GOMEMLIMIT -u GODEBUG -u GOGC)

# expand LIST: "0-2,5" -> "0 1 2 5"
expand() {
	tr ',' '\n' <<<"$1" | awk -F- '{ if (NF == 2) for (i = $1; i <= $2; i++) printf "%d ", i; else printf "%d ", $1 }'
}
# taskset_threads PID: "TID LIST" per thread, as taskset sees them.
taskset_threads() {
	taskset -a -p -c "$1" | sed -n "s/^pid \([0-9]*\)'s current affinity list: \(.*\)$/\1 \2/p"
}
runtime_gomaxprocs() { # ADDR
	curl -s --max-time 5 "http://$1/metrics" | sed -n 's/^go_sched_gomaxprocs_threads \([0-9]*\)$/\1/p'
}

mine=$(taskset -pc $$ | sed 's/.*: //')
read -ra cpus <<<"$(expand "$mine")"

# same_cpus A B: the two CPU lists name the same CPUs ("0,1" = "0-1").
same_cpus() { [ "$(expand "$1")" = "$(expand "$2")" ]; }

# affinity_run NAME DEMO_BINARY FOLLOWS: taskset -p, then taskset -a -p, on a
# demo. Sets RUNTIME_AFTER_ALL to the runtime's GOMAXPROCS after taskset -a
# -p: polled for up to 5 s when FOLLOWS is 1 (the runtime should follow),
# read once after 1.5 s (sysmon's period is 1 s) otherwise. Leaves the
# reports in $WORK/NAME-*.json.
affinity_run() {
	local name=$1 follows=$3 gmp0 main_list others other_list desc gmp _
	DEMO_BIN=$2
	start_demo "${no_go_env[@]}" -- -addr 127.0.0.1:0 -debug-addr 127.0.0.1:0 -metrics
	svc=$(demo_addr service)
	gmp0=$(runtime_gomaxprocs "$svc")
	expect_eq "$name: the runtime reports GOMAXPROCS = the CPUs of our mask" "$gmp0" "${#cpus[@]}"

	taskset -p -c "$first" "$DEMO_PID" >/dev/null
	taskset_threads "$DEMO_PID" >"$WORK/$name.threads"
	main_list=$(awk -v p="$DEMO_PID" '$1 == p { print $2 }' "$WORK/$name.threads")
	others=$(awk -v p="$DEMO_PID" '$1 != p { print $2 }' "$WORK/$name.threads" | sort | uniq -c | sort -rn)
	other_list=$(head -1 <<<"$others" | awk '{ print $2 }')
	expect_eq "$name: taskset -p changed the main thread only" "$main_list" "$first"
	expect_eq "... the other threads kept one mask" "$(wc -l <<<"$others")" 1
	expect_true "... ours" same_cpus "$other_list" "$mine"

	pf_json "$WORK/$name-main.json" --pid "$DEMO_PID" --window 0
	expect_rc "$name: check after taskset -p exits 0 or 1" 0 1
	desc=$(check_ev "$WORK/$name-main.json" cpu.affinity-numa thread_affinity)
	# Thread counts move (the runtime starts threads); the masks must not.
	expect_match "cpu.affinity-numa: the threads as taskset -a -p shows them" "$desc" \
		"^main thread $first, [0-9]+ other threads [0-9,-]+\$"
	expect_true "... the other threads' mask" same_cpus "${desc##* }" "$other_list"
	expect_eq "... threads_differ" "$(check_ev "$WORK/$name-main.json" cpu.affinity-numa threads_differ)" true
	expect_true "... judged on every thread's CPUs" same_cpus \
		"$(check_ev "$WORK/$name-main.json" cpu.affinity-numa cpus)" "$mine"
	expect_num "... threads counted like /proc/PID/task" \
		"$(check_ev "$WORK/$name-main.json" cpu.affinity-numa threads)" ">=" "$(wc -l <"$WORK/$name.threads")"
	expect_eq "cpu.gomaxprocs: usable CPUs are the other threads' mask" \
		"$(check_ev "$WORK/$name-main.json" cpu.gomaxprocs usable_cpus)" "${#cpus[@]}"
	expect_eq "... and it passes" "$(check_status "$WORK/$name-main.json" cpu.gomaxprocs)" pass
	# Whatever re-reads the mask (Go >= 1.25's sysmon, every second) reads
	# its own thread's, which taskset -p left alone.
	sleep 1.5
	expect_eq "$name: the runtime still reports GOMAXPROCS=${#cpus[@]}" "$(runtime_gomaxprocs "$svc")" "${#cpus[@]}"

	taskset -a -p -c "$first" "$DEMO_PID" >/dev/null
	expect_eq "$name: taskset -a -p changed every thread" \
		"$(awk '{ print $2 }' <(taskset_threads "$DEMO_PID") | sort -u)" "$first"
	if [ "$follows" = 1 ]; then
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			gmp=$(runtime_gomaxprocs "$svc")
			[ "$gmp" = 1 ] && break
			sleep 0.5
		done
	else
		sleep 1.5
		gmp=$(runtime_gomaxprocs "$svc")
	fi
	RUNTIME_AFTER_ALL=$gmp
	pf_json "$WORK/$name-all.json" --pid "$DEMO_PID" --window 0
	expect_match "cpu.affinity-numa: every thread on one CPU" \
		"$(check_ev "$WORK/$name-all.json" cpu.affinity-numa thread_affinity)" "^all [0-9]+ threads $first\$"
	expect_eq "... threads_differ" "$(check_ev "$WORK/$name-all.json" cpu.affinity-numa threads_differ)" false
	expect_eq "cpu.gomaxprocs: usable CPUs 1" "$(check_ev "$WORK/$name-all.json" cpu.gomaxprocs usable_cpus)" 1
	expect_eq "... effective: the service's own report" \
		"$(check_ev "$WORK/$name-all.json" cpu.gomaxprocs effective)" "$(runtime_gomaxprocs "$svc")"
}

mine=$(taskset -pc $$ | sed 's/.*: //')
read -ra cpus <<<"$(expand "$mine")"
if [ "${#cpus[@]}" -lt 2 ]; then
	skip_one "per-thread affinity" "this shell may use ${#cpus[@]} CPU; two are needed"
else
	first=${cpus[0]}

	# A go 1.22 module: the runtime counts the main thread's mask once, at
	# start (osinit), and never again (updatemaxprocs=0).
	affinity_run go1.22 "$(build_go_target demo)" 0
	expect_eq "go1.22: after taskset -a -p the runtime keeps GOMAXPROCS=${#cpus[@]}" "$RUNTIME_AFTER_ALL" \
		"${#cpus[@]}"
	expect_eq "... which now warns: more Ps than the one CPU" \
		"$(check_status "$WORK/go1.22-all.json" cpu.gomaxprocs)" warn

	# ---- the target's memory -------------------------------------------------
	rss_kb=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB$/\1/p' "/proc/$DEMO_PID/status")
	rss=$(check_ev "$WORK/go1.22-all.json" mem.cgroup-headroom rss_bytes)
	if [ "$(check_status "$WORK/go1.22-all.json" mem.cgroup-headroom)" = skip ]; then
		skip_one "mem.cgroup-headroom: RSS" "no memory cgroup here"
	else
		expect_num "mem.cgroup-headroom: rss_bytes near VmRSS (${rss_kb} kB) from below" "$rss" ">=" \
			"$((rss_kb * 1024 / 2))"
		expect_num "... and from above" "$rss" "<=" "$((rss_kb * 1024 * 2))"
		# The demo shares our cgroup with this shell at least.
		memdir=$(check_ev "$WORK/go1.22-all.json" mem.cgroup-headroom cgroup)
		if [ -r "$memdir/cgroup.procs" ] && [ "$(wc -l <"$memdir/cgroup.procs")" -ge 2 ]; then
			expect_eq "... a cgroup shared with this shell is called shared" \
				"$(check_ev "$WORK/go1.22-all.json" mem.cgroup-headroom shared)" true
			expect_num "... cgroup_processes" \
				"$(check_ev "$WORK/go1.22-all.json" mem.cgroup-headroom cgroup_processes)" ">=" 2
			expect_match "... the summary names the service's own RSS" \
				"$(check_field "$WORK/go1.22-all.json" mem.cgroup-headroom summary)" "own RSS .*shared"
		else
			skip_one "... a cgroup shared with this shell is called shared" \
				"'$memdir/cgroup.procs' unreadable or listing fewer than 2 processes"
		fi
	fi
	stop_demo "$DEMO_PID"

	# A go 1.25 module: sysmon re-reads the affinity every second, from its
	# own thread -- which taskset -p did not touch and taskset -a -p did.
	affinity_run go1.25 "$(build_go_target demo 1.25)" 1
	expect_eq "go1.25: after taskset -a -p the runtime follows: GOMAXPROCS=1" "$RUNTIME_AFTER_ALL" 1
	expect_eq "... and the check passes" "$(check_status "$WORK/go1.25-all.json" cpu.gomaxprocs)" pass
	stop_demo "$DEMO_PID"
fi

# ---- PSI ------------------------------------------------------------------------
total() { sed -n 's/^some .*total=\([0-9]*\)$/\1/p' /proc/pressure/cpu; }
if [ -r /proc/pressure/cpu ]; then
	before=$(total)
	pf_json "$WORK/psi.json" --window 1
	after=$(total)
	got=$(jq -r '[.checks[] | select(.check == "host.pressure")][0].evidence.host.cpu.some.total_us' "$WORK/psi.json")
	expect_num "host.pressure: cpu total= read after ours before the run" "$got" ">=" "$before"
	expect_num "... and before ours after it" "$got" "<=" "$after"
	expect_eq "... judged over the window" "$(check_ev "$WORK/psi.json" host.pressure judged)" window
	expect_in "... a verdict, not a skip" "$(check_status "$WORK/psi.json" host.pressure)" pass warn fail
else
	pf_json "$WORK/psi.json" --window 0
	expect_eq "host.pressure without /proc/pressure skips" "$(check_status "$WORK/psi.json" host.pressure)" skip
	expect_match "... naming CONFIG_PSI and psi=0" "$(check_field "$WORK/psi.json" host.pressure summary)" \
		"CONFIG_PSI.*psi=0"
fi

# ---- a target that is not Go ------------------------------------------------
start_bg sleeper sleep 300
exe=$(readlink "/proc/$sleeper/exe")
pf_json "$WORK/sleep.json" --pid "$sleeper" --window 0
expect_rc "check of 'sleep' exits 0 or 1" 0 1
# One jq for all: "ID STATUS SUMMARY" per check.
jq -r '.checks[] | "\(.check) \(.status) \(.summary)"' "$WORK/sleep.json" >"$WORK/sleep.lines"
for id in go.buildinfo go.version go.race go.cgo go.vcs-modified cpu.gomaxprocs mem.gomemlimit \
	go.heap-pressure go.gc-cpu go.gc-pause go.goroutines go.goroutine-leak go.mutex-contention \
	go.block-contention sec.pprof-exposure; do
	expect_eq "sleep: $id skips: not a Go binary" "$(awk -v id="$id" '$1 == id { $1 = ""; print substr($0, 2) }' \
		"$WORK/sleep.lines")" "skip not a Go binary ($exe)"
done
for id in fd.process net.close-wait net.listen-queue cpu.affinity-numa; do
	expect_in "sleep: $id still judges" "$(awk -v id="$id" '$1 == id { print $2 }' "$WORK/sleep.lines")" \
		pass warn fail
done
expect_no_match "... and gives no Go advice" "$(jq -r '.checks[] | select(.status != "skip") | .remedy // empty' \
	"$WORK/sleep.json")" "GOGC|GOMAXPROCS|GOMEMLIMIT|pprof"
stop_proc "$sleeper"

finish
