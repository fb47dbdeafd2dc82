#!/usr/bin/env bash
# preflight check's Go runtime checks against the leaky target, each driven
# across its threshold and held against the target's own view
# (/admin/status reads runtime.MemStats in the process):
#   go.heap-pressure  passes idle; fails once the heap runs at its GC goal
#                     (64 MiB kept with GOGC=10: HeapAlloc/NextGC >= 0.91);
#   go.gc-cpu         passes idle; crosses 0.25 once the GC storm has;
#   the healthy service under load: no fail anywhere, no leak suspected;
#   go.goroutine-leak names a receive leak's call site;
#   go.mutex-contention / go.block-contention skip a profile that is off
#                     (the runtime's default) saying how to enable it, and
#                     name the contended function when on.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/targets/leaky/leaky.sh"
need jq curl

RT_CHECKS=(go.heap-pressure go.gc-cpu go.gc-pause go.goroutines go.goroutine-leak go.mutex-contention go.block-contention)

# check_rt OUT: preflight check of the target, JSON, with a 3 s window.
check_rt() {
	pf_json "$1" --pid "$LEAKY_PID" --window 3
	expect_rc "$(basename "$1" .json): preflight check ran (exit 0 or 1)" 0 1
}

# idle_ok OUT ID DESC: an idle target passes ID, or -- when no GC cycle
# ended in the window, so there is nothing to judge -- skips saying so;
# never pass on nothing (docs/checks.md).
idle_ok() {
	local st
	st=$(check_status "$1" "$2")
	if [ "$st" = skip ]; then
		expect_match "$3 (skip: no GC cycle in the window)" "$(check_field "$1" "$2" summary)" "no GC cycle"
	else
		expect_eq "$3" "$st" pass
	fi
}

# check_says OUT ID TEXT: the check's result mentions TEXT anywhere
# (summary, evidence, remedy).
check_says() {
	jq -e --arg id "$2" --arg t "$3" '[.checks[] | select(.check == $id)][0] | tostring | contains($t)' "$1" >/dev/null
}

each_build() {
	local label=$1 bin=$2 out id

	# ---- heap pressure: idle, then at its GC goal --------------------------
	start_leaky "$bin"
	out="$WORK/idle-$label.json"
	check_rt "$out"
	for id in "${RT_CHECKS[@]}"; do
		expect_ne "$label idle: $id is in the report" "$(check_status "$out" "$id")" absent
	done
	idle_ok "$out" go.heap-pressure "$label idle: go.heap-pressure passes"
	expect_num "$label idle: ... p95 below 0.70" "$(check_ev "$out" go.heap-pressure p95)" '<' 0.70
	idle_ok "$out" go.gc-cpu "$label idle: go.gc-cpu passes"
	expect_eq "$label idle: go.goroutine-leak passes" "$(check_status "$out" go.goroutine-leak)" pass
	expect_eq "$label idle: go.mutex-contention skips: profile off (the runtime's default)" "$(check_status "$out" go.mutex-contention)" skip
	expect_true "$label idle: ... and says how to enable it" check_says "$out" go.mutex-contention SetMutexProfileFraction
	expect_eq "$label idle: go.block-contention skips: profile off (the runtime's default)" "$(check_status "$out" go.block-contention)" skip
	expect_true "$label idle: ... and says how to enable it" check_says "$out" go.block-contention SetBlockProfileRate

	leaky_post '/admin/leak?kind=heap&n=64' >/dev/null
	leaky_until 30 '.next_gc >= 64 * 1048576 and .heap_alloc / .next_gc >= 0.85'
	out="$WORK/heap-$label.json"
	check_rt "$out"
	expect_eq "$label heap at goal: go.heap-pressure fails" "$(check_status "$out" go.heap-pressure)" fail
	expect_num "$label heap at goal: ... p95 >= 0.85" "$(check_ev "$out" go.heap-pressure p95)" '>=' 0.85
	expect_num "$label heap at goal: ... over several samples" "$(check_ev "$out" go.heap-pressure samples)" '>=' 5
	expect_num "$label heap at goal: ... next_gc_bytes is the target's (64 MiB kept)" \
		"$(check_ev "$out" go.heap-pressure next_gc_bytes)" '>=' $((64 << 20))
	stop_leaky

	# ---- GC CPU: idle, then a GC storm (one P, so the machine is spared) ----
	start_leaky "$bin" GOMAXPROCS=1
	out="$WORK/gc-idle-$label.json"
	check_rt "$out"
	idle_ok "$out" go.gc-cpu "$label gc idle: go.gc-cpu passes"
	if [ "$(check_status "$out" go.gc-cpu)" = pass ]; then
		expect_num "$label gc idle: ... share below 0.10" "$(check_ev "$out" go.gc-cpu gc_cpu_fraction)" '<' 0.10
	else
		expect_num "$label gc idle: ... lifetime share below 0.10" "$(check_ev "$out" go.gc-cpu lifetime_fraction)" '<' 0.10
	fi
	leaky_post '/admin/leak?kind=gc&for=120s' >/dev/null
	leaky_until 60 '.gc_cpu_fraction >= 0.30'
	out="$WORK/gc-storm-$label.json"
	check_rt "$out"
	expect_eq "$label gc storm: go.gc-cpu fails (>= 0.25)" "$(check_status "$out" go.gc-cpu)" fail
	expect_num "$label gc storm: ... share >= 0.25" "$(check_ev "$out" go.gc-cpu gc_cpu_fraction)" '>=' 0.25
	expect_eq "$label gc storm: ... judged over the window" "$(check_ev "$out" go.gc-cpu scope)" window
	expect_num "$label gc storm: ... GC cycles in the window" "$(check_ev "$out" go.gc-cpu gc_cycles_in_window)" '>' 0
	leaky_post '/admin/stop?kind=gc' >/dev/null
	stop_leaky

	# ---- healthy under load: no false fail, no suspect ---------------------
	start_leaky "$bin" -leak healthy -leak-for 300s
	leaky_until 30 '.pool_workers > 10'
	out="$WORK/healthy-$label.json"
	check_rt "$out"
	stop_leaky
	for id in "${RT_CHECKS[@]}"; do
		expect_in "$label healthy under load: $id does not fail" "$(check_status "$out" "$id")" pass warn skip
	done
	expect_eq "$label healthy under load: go.goroutine-leak passes" "$(check_status "$out" go.goroutine-leak)" pass

	# ---- a receive leak: named by go.goroutine-leak ------------------------
	start_leaky "$bin" -leak recv -leak-n 10 -leak-every 200ms -leak-for 300s
	out="$WORK/leak-$label.json"
	check_rt "$out"
	stop_leaky
	expect_in "$label recv leak: go.goroutine-leak warns or fails" "$(check_status "$out" go.goroutine-leak)" warn fail
	expect_true "$label recv leak: ... names main.waitForReply" check_says "$out" go.goroutine-leak main.waitForReply
	expect_true "$label recv leak: ... and its pattern" check_says "$out" go.goroutine-leak 'receive on a channel nobody sends to'

	# ---- contention with the profiles on -----------------------------------
	start_leaky "$bin" -mutex-fraction 1 -block-rate 1 -leak contention -leak-for 300s
	leaky_until 30 '.hot_updates >= 2000'
	out="$WORK/contention-$label.json"
	check_rt "$out"
	stop_leaky
	for id in go.mutex-contention go.block-contention; do
		expect_in "$label contention: $id warns or fails" "$(check_status "$out" "$id")" warn fail
		expect_eq "$label contention: ... its profile is on" "$(check_ev "$out" "$id" enabled)" true
		expect_match "$label contention: ... main.updateSharedDigest tops it" \
			"$(jq -r --arg id "$id" '[.checks[] | select(.check == $id)][0].evidence.top[0].site' "$out")" \
			'^main\.updateSharedDigest([ (]|$)'
		expect_num "$label contention: ... waiting > 0.1 s per second" "$(check_ev "$out" "$id" rate)" '>=' 0.1
	done
}
for_each_build each_build
finish
