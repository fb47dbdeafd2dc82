#!/usr/bin/env bash
# preflight goroutines against the leaky target's lock leak: a function
# returns early holding a sync.Mutex, and every later caller queues behind
# it for ever. Go 1.19 shows those waiters as [semacquire], newer releases
# as [sync.Mutex.Lock]: both must be called a lock never released, at the
# caller's Lock line. With the machine's Go and with Go 1.19.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/targets/leaky/leaky.sh"
need jq curl

each_build() {
	local label=$1 bin=$2 out a0 a1 d="$1 lock"
	out="$WORK/lock-$label.json"
	start_leaky "$bin" -leak lock -leak-n 10 -leak-every 200ms -leak-for 200s
	a0=$(leaky_added lock)
	goroutines "$out"
	a1=$(leaky_added lock)
	stop_leaky
	expect_rc "$d: preflight goroutines reports" 1
	expect_suspect "$d" "$out" main.waitForStuckLock "$(leaky_line 'stuckMu.Lock() // blocks for ever')" \
		'^lock never released' main.leakLockWaiters
	expect_count_between "$d" "$a0" "$a1"
	expect_only_suspects "$d: no other suspect" "$out" main.waitForStuckLock
}
for_each_build each_build
finish
