#!/usr/bin/env bash
# preflight watch against tests/targets/heapgrow, driven by its admin calls
# to a heap at its GC goal, a pile of goroutines and a GC eating the CPU:
# each condition gives an event line and complete files, and not before;
# a healthy target allocating hard (HeapAlloc/NextGC above 0.85 between
# cycles) gives none, and go.heap-pressure agrees both times; the
# cooldown holds, --keep keeps each incident's first capture, SIGTERM
# stops it cleanly, errors do not kill it, and a target that never
# answers is exit 2 in one line.
# Only 127.0.0.1 is connected to; every run is bounded by --count or
# --duration and the hang guard.
. "$(dirname "$0")/lib.sh"
need jq curl gzip

DEMO_BIN=$(build_go_target heapgrow)
loop=(-addr 127.0.0.1:0 -debug-addr 127.0.0.1:0)
# Two Ps whatever the machine, so the driven GC load looks the same everywhere.
start_demo env GOMAXPROCS=2 -- "${loop[@]}"
URL="http://$(demo_addr debug)"
PID=$DEMO_PID

admin() { # PATH?QUERY: one admin call, its answer on stdout
	curl -sf --max-time 30 "$URL/admin/$1" || die "admin call '$1' failed"
}

# watch NAME ARGS...: runs preflight watch on $URL, saving to $WORK/NAME.d
# unless ARGS say --dir; stdout in $WORK/NAME, stderr in $WORK/NAME.err.
watch() {
	local name=$1
	shift
	pf "$WORK/$name" watch --dir "$WORK/$name.d" --interval 100ms "$@" "$URL"
}

events() { # NAME [REASON]: the number of event lines (of REASON)
	grep -cE "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z ${2:-[a-z-]+} " "$WORK/$1" || true
}

# check_event_files DIR STEM: the files of one event are there and valid.
check_event_files() {
	local dir=$1 stem=$2
	expect_true "heap profile of $stem is gzip" gzip -t "$dir/heap-$stem.pb.gz"
	expect_match "debug=1 dump of $stem starts as a goroutine profile" \
		"$(head -n1 "$dir/goroutine-$stem.txt")" '^goroutine profile: total [0-9]+$'
	expect_true "memstats of $stem is JSON with memstats.HeapAlloc" \
		jq -e '.memstats.HeapAlloc | type == "number"' "$dir/memstats-$stem.json"
}

stem_of() { # NAME N: the stem of the Nth event line (from its heap file)
	sed -n "${2}p" "$WORK/$1" | sed -n 's/.* saved heap-\([^ ]*\)\.pb\.gz.*/\1/p'
}

no_partials() { # DIR
	[ -z "$(find "$1" -name '.*.partial' -print -quit)" ]
}

# ---- idle: nothing crosses -------------------------------------------------
watch idle --count 20 --pid "$PID" --gc-cpu 0.05
expect_rc "idle target: exit 0 after --count" 0
expect_eq "... no event line" "$(events idle)" 0
expect_eq "... no file written" "$(ls -A "$WORK/idle.d" | wc -l)" 0
expect_match "... the start line says what is watched" "$(cat "$WORK/idle.err")" \
	'heap-pressure >= 0.85 \(post-GC trough\) gc-cpu >= 0.05 \(over the last window\) goroutines >= 500000; goroutine profiles debug=1$'
expect_match "... and the summary counts 20 samples" "$(cat "$WORK/idle.err")" 'after 20 samples: 0 events'

# ---- heap pressure: a healthy target allocating hard -------------------------
# Two goroutines make garbage without pause at GOGC=100 with almost no live
# heap: hundreds of cycles a second, and between them HeapAlloc climbs to
# NextGC and past it. A rule on one sample at 0.85 fires on this; the
# post-GC trough (what go.heap-pressure judges) stays low.
admin "churn?n=2" >/dev/null
high=0
for i in $(seq 1 20); do
	r=$(curl -sf --max-time 5 "$URL/debug/vars" | jq -r '.memstats | .HeapAlloc / .NextGC >= 0.85')
	[ "$r" = true ] && high=$((high + 1))
done
expect_num "a healthy target under churn: single samples at 0.85 of the goal or above ($high of 20)" "$high" ">=" 1
# The heap trigger at its default; the GC CPU trigger off: two goroutines
# churning on two cores spend 8% of the CPU in GC on a quiet machine, but a
# loaded CI host once pushed the share past go.gc-cpu's fail (0.25), where
# an event is right and not this case's point.
watch healthy --duration 6s --window 1s --pid "$PID" --gc-cpu 0
expect_rc "... watched 6 s with the default heap threshold: exit 0" 0
expect_eq "... no event at all" "$(events healthy)" 0
expect_eq "... no file" "$(ls -A "$WORK/healthy.d" | wc -l)" 0
pf_json "$WORK/healthy-check.json" --pid "$PID" --window 2
expect_eq "... and go.heap-pressure passes it (it judges the same trough)" \
	"$(check_status "$WORK/healthy-check.json" go.heap-pressure)" pass
admin reset >/dev/null

# ---- heap pressure: the heap at its goal -----------------------------------
# GOGC off and a memory limit pin the goal; retained heap up to 92% of it,
# and garbage on top so the GC runs: right after each cycle the heap is
# still at 0.92 of its goal.
admin "gc?gogc=-1&memlimit_mib=64" >/dev/null
ratio=$(admin "fill?ratio=0.92" | sed -n 's/^ratio=\([0-9.]*\).*/\1/p')
expect_num "the target reports HeapAlloc/NextGC $ratio" "$ratio" ">=" 0.92
# Idle, nothing makes a cycle end: a heap at its goal but nothing to judge.
# The fill's last cycle may still be running, and on a loaded machine a
# late one ends inside the watch; wait (bounded) until NumGC stands still
# for a second, and judge the no-event rule only over a watch during which
# no cycle ended (one that did end makes the event right, and is said).
numgc() { curl -sf --max-time 5 "$URL/debug/vars" | jq -r .memstats.NumGC; }
gc_before=$(numgc)
for i in $(seq 1 10); do
	sleep 1
	gc_now=$(numgc)
	[ "$gc_now" = "$gc_before" ] && break
	gc_before=$gc_now
done
watch heap-idle --count 15 --window 1s --gc-cpu 0 --goroutines 0
gc_after=$(numgc)
if [ "$gc_after" = "$gc_before" ]; then
	expect_eq "heap at its goal, no GC cycle in the window: no event" "$(events heap-idle)" 0
else
	skip_one "heap at its goal, no GC cycle in the window: no event" \
		"a GC cycle ended during the watch (NumGC $gc_before -> $gc_after) on this loaded machine"
fi
admin "churn?n=1" >/dev/null
watch heap --count 25 --window 1s --gc-cpu 0 --goroutines 0
expect_rc "heap at its goal: exit 0" 0
expect_eq "... exactly one heap-pressure event (cooldown 60s)" "$(events heap heap-pressure)" 1
expect_eq "... and no other" "$(events heap)" 1
line=$(head -n1 "$WORK/heap")
expect_match "... the line names value and threshold" "$line" \
	'^[0-9T:-]+Z heap-pressure (0\.9[0-9]|1\.[0-9]+) >= 0\.85: saved '
stem=$(stem_of heap 1)
expect_match "... files are named by UTC time and reason" "$stem" '^[0-9]{8}T[0-9]{6}Z-heap-pressure$'
check_event_files "$WORK/heap.d" "$stem"
expect_true "... no debug=2 dump by default" test ! -e "$WORK/heap.d/goroutine-$stem.debug2.txt"
expect_eq "... the meta file says debug=1, and why" \
	"$(jq -r '.stacks | [.profile, .why] | join(": ")' "$WORK/heap.d/meta-$stem.json")" \
	"debug=1: debug=1 only: --full-stacks not given (a debug=2 dump stops the target's world while it prints every stack)"
expect_eq "... and the check it mirrors" "$(jq -r '.crossings[0].check' "$WORK/heap.d/meta-$stem.json")" go.heap-pressure
expect_eq "... four files, nothing else" "$(ls -A "$WORK/heap.d" | wc -l)" 4
pf_json "$WORK/heap-check.json" --pid "$PID" --window 2
expect_eq "... and go.heap-pressure fails the same target" "$(check_status "$WORK/heap-check.json" go.heap-pressure)" fail
if go=$("$SRCDIR/scripts/find-go.sh" 2>/dev/null); then
	expect_true "... go tool pprof reads the heap profile" \
		"$go" tool pprof -raw "$WORK/heap.d/heap-$stem.pb.gz"
else
	skip_one "... go tool pprof reads the heap profile" "no Go toolchain"
fi

# The cooldown is per reason and --cooldown 0 disables it: an event per
# sample, all of one incident; --keep 2 keeps its first capture and its
# latest, and says what it removed.
watch keep --count 18 --window 1s --cooldown 0 --keep 2 --gc-cpu 0 --goroutines 0
expect_rc "--cooldown 0 --keep 2: exit 0" 0
n=$(events keep heap-pressure)
expect_num "... a heap-pressure event per sample once the window is full ($n)" "$n" ">=" 4
expect_eq "... files of two events are left" "$(ls "$WORK/keep.d" | grep -c '^heap-')" 2
expect_eq "... eight files in all" "$(ls -A "$WORK/keep.d" | wc -l)" 8
expect_true "... the incident's first capture is kept" test -e "$WORK/keep.d/heap-$(stem_of keep 1).pb.gz"
expect_true "... and its latest" test -e "$WORK/keep.d/heap-$(stem_of keep "$n").pb.gz"
expect_true "... the one before the latest is gone" test ! -e "$WORK/keep.d/heap-$(stem_of keep $((n - 1))).pb.gz"
expect_eq "... the first capture's meta file says so" \
	"$(jq -c '.incident | [.capture, .first]' "$WORK/keep.d/meta-$(stem_of keep 1).json")" '[1,true]'
expect_match "... stderr names what was removed" "$(cat "$WORK/keep.err")" \
	"--keep 2: removed 1 event: $(stem_of keep 2) \\(a later capture 2 of incident [0-9TZ]+-heap-pressure-i1\\)"
expect_eq "... every stem is distinct" "$(for i in $(seq 1 "$n"); do stem_of keep "$i"; done | sort -u | wc -l)" "$n"
# A file that only looks like ours in part is never pruned.
touch "$WORK/keep.d/heap-notes.txt" "$WORK/keep.d/README"
watch keep2 --dir "$WORK/keep.d" --count 12 --window 1s --cooldown 0 --keep 2 --gc-cpu 0 --goroutines 0
expect_num "a second run on that directory, --keep 2: its own incident" "$(events keep2)" ">=" 1
expect_eq "... two events' files left" "$(ls "$WORK/keep.d" | grep -c '^memstats-')" 2
expect_true "... the first run's first capture is one of them" test -e "$WORK/keep.d/heap-$(stem_of keep 1).pb.gz"
expect_true "... the second run's first capture the other" test -e "$WORK/keep.d/heap-$(stem_of keep2 1).pb.gz"
expect_true "... other files are left alone" test -e "$WORK/keep.d/heap-notes.txt" -a -e "$WORK/keep.d/README"
watch keep3 --dir "$WORK/keep.d" --count 11 --window 1s --cooldown 0 --keep 1 --gc-cpu 0 --goroutines 0
expect_eq "--keep 1: one event left" "$(ls "$WORK/keep.d" | grep -c '^memstats-')" 1
expect_true "... the newest incident's first capture" test -e "$WORK/keep.d/heap-$(stem_of keep3 1).pb.gz"

admin reset >/dev/null

# ---- goroutines ------------------------------------------------------------
admin "goroutines?n=10500" >/dev/null
watch gor0 --count 3 --gc-cpu 0 --heap-pressure 0
expect_eq "10500 goroutines, the default threshold (go.goroutines' fail, 500000): no event" "$(events gor0)" 0
watch gor --count 5 --gc-cpu 0 --heap-pressure 0 --goroutines 10000 --full-stacks
expect_rc "10500 goroutines: exit 0" 0
expect_eq "... one goroutines event at --goroutines 10000" "$(events gor goroutines)" 1
expect_match "... the line has the count" "$(head -n1 "$WORK/gor")" 'goroutines 105[0-9]{2} >= 10000: saved '
stem=$(stem_of gor 1)
check_event_files "$WORK/gor.d" "$stem"
total=$(sed -n '1s/^goroutine profile: total //p' "$WORK/gor.d/goroutine-$stem.txt")
expect_num "... the dump holds the parked goroutines" "$total" ">=" 10500
expect_true "... --full-stacks, 10500 < --max-debug2 20000: a debug=2 dump" test -s "$WORK/gor.d/goroutine-$stem.debug2.txt"
expect_match "... which is the full-stack format" "$(head -n1 "$WORK/gor.d/goroutine-$stem.debug2.txt")" \
	'^goroutine [0-9]+ \['
expect_match "... and the meta file says why" "$(jq -r .stacks.why "$WORK/gor.d/meta-$stem.json")" \
	'^debug=2 too: 105[0-9]{2} goroutines < --max-debug2 20000 \(--full-stacks\)$'
expect_num "... debug=2 has the parked goroutines, one traceback each" \
	"$(grep -c '^goroutine [0-9]* \[' "$WORK/gor.d/goroutine-$stem.debug2.txt")" ">=" 10500

watch gor2 --count 3 --gc-cpu 0 --heap-pressure 0 --goroutines 10000 --full-stacks --max-debug2 10000
expect_eq "--max-debug2 10000 with 10500 goroutines: one event" "$(events gor2 goroutines)" 1
stem=$(stem_of gor2 1)
expect_true "... no debug=2 dump" test ! -e "$WORK/gor2.d/goroutine-$stem.debug2.txt"
expect_true "... the debug=1 dump is there" test -s "$WORK/gor2.d/goroutine-$stem.txt"
expect_match "... and stderr says why" "$(cat "$WORK/gor2.err")" 'no debug=2 dump: 105[0-9]{2} goroutines >= --max-debug2 10000'
expect_match "... as does the meta file" "$(jq -r .stacks.why "$WORK/gor2.d/meta-$stem.json")" \
	'^debug=1 only: 105[0-9]{2} goroutines >= --max-debug2 10000$'

watch gor3 --count 3 --gc-cpu 0 --heap-pressure 0 --goroutines 20000
expect_eq "--goroutines 20000 with 10500: no event" "$(events gor3)" 0

# Growth: from 0 parked to 3000 within a 1 s window is far above 100/s.
admin "goroutines?n=0" >/dev/null
watch growth0 --count 15 --gc-cpu 0 --heap-pressure 0 --goroutine-growth 100 --window 1s
expect_eq "a steady count: no goroutine-growth event" "$(events growth0)" 0
(
	# The parked goroutines arrive while the watch runs: after its first
	# samples (the start line), in steps.
	for i in $(seq 1 100); do
		grep -q 'watching' "$WORK/growth.err" 2>/dev/null && break
		sleep 0.1
	done
	for n in 1000 2000 3000; do
		curl -sf --max-time 10 "$URL/admin/goroutines?n=$n" >/dev/null
		sleep 0.3
	done
) &
driver=$!
watch growth --count 40 --gc-cpu 0 --heap-pressure 0 --goroutines 0 --goroutine-growth 100 --window 1s
wait "$driver" || true
expect_eq "a rising count: one goroutine-growth event" "$(events growth goroutine-growth)" 1
expect_match "... the line gives the rate" "$(grep goroutine-growth "$WORK/growth")" 'goroutine-growth [0-9]+/s >= 100/s: saved'
admin reset >/dev/null

# ---- GC CPU ----------------------------------------------------------------
# A retained heap, GOGC=1 and two goroutines making garbage: the GC never
# stops. Judged over the last window (--pid), against a low threshold so
# the machine's speed does not decide; the idle run above, same threshold,
# had no event.
admin "gc?gogc=-1&memlimit_mib=64" >/dev/null
admin "fill?ratio=0.5" >/dev/null
admin "gc?gogc=1&memlimit_mib=0" >/dev/null
admin "churn?n=2" >/dev/null
watch gc --duration 4s --pid "$PID" --gc-cpu 0.05 --heap-pressure 0 --goroutines 0 --window 1s
expect_rc "GC under churn: exit 0" 0
expect_eq "... one gc-cpu event" "$(events gc gc-cpu)" 1
expect_match "... the line has the fraction" "$(head -n1 "$WORK/gc")" 'gc-cpu 0\.[0-9]{2} >= 0\.05: saved'
check_event_files "$WORK/gc.d" "$(stem_of gc 1)"
admin reset >/dev/null
# Reset: the cumulative fraction stays up, the last window's falls to 0.
watch gc-after --duration 3s --pid "$PID" --gc-cpu 0.05 --heap-pressure 0 --goroutines 0 --window 1s
expect_eq "after reset, over the last window: no gc-cpu event" "$(events gc-after)" 0
# The same target, judged on the cumulative fraction (no --pid) against
# half of what it now is, still fires: what --pid is for.
cum=$(curl -sf --max-time 10 "$URL/debug/vars" | jq -r .memstats.GCCPUFraction)
expect_num "... while the cumulative GCCPUFraction ($cum) is still above 0" "$cum" ">" 0
half=$(awk -v c="$cum" 'BEGIN { printf "%.6f", c / 2 }')
watch gc-cum --count 3 --gc-cpu "$half" --heap-pressure 0 --goroutines 0
expect_eq "... and without --pid (cumulative) --gc-cpu $half fires" "$(events gc-cum gc-cpu)" 1
expect_match "... the start line says cumulative" "$(cat "$WORK/gc-cum.err")" 'cumulative'

# ---- SIGTERM mid-run, and one watcher per directory ------------------------
admin "goroutines?n=5000" >/dev/null
set +e
"$PREFLIGHT" watch --dir "$WORK/term.d" --interval 100ms --duration 120s --cooldown 0 \
	--goroutines 100 --gc-cpu 0 --heap-pressure 0 "$URL" >"$WORK/term" 2>"$WORK/term.err" &
wpid=$!
set -e
_pids+=("$wpid")
for i in $(seq 1 300); do
	[ "$(events term)" -ge 3 ] && break
	kill -0 "$wpid" 2>/dev/null || break
	sleep 0.1
done
expect_num "the watcher saves events back to back" "$(events term)" ">=" 3
pf "$WORK/second" watch --dir "$WORK/term.d" --count 1 "$URL"
expect_rc "a second watcher on the same directory: exit 2" 2
expect_match "... saying so" "$(cat "$WORK/second.err")" 'another preflight watch'
kill -TERM "$wpid"
# Bounded: a stop costs at most the fetch under way.
for i in $(seq 1 150); do
	kill -0 "$wpid" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$wpid" 2>/dev/null; then
	_not_ok "SIGTERM: the watcher exits within 15 s" "still running"
	kill -KILL "$wpid"
fi
set +e
wait "$wpid"
rc=$?
set -e
expect_eq "SIGTERM: exit 0" "$rc" 0
expect_match "... the summary says why it stopped" "$(cat "$WORK/term.err")" 'stopped by SIGTERM'
expect_true "... no partial file left" no_partials "$WORK/term.d"
n=$(events term)
bad=0
for i in $(seq 1 "$n"); do
	stem=$(stem_of term "$i")
	[ -e "$WORK/term.d/heap-$stem.pb.gz" ] || continue # pruned (--keep 20)
	gzip -t "$WORK/term.d/heap-$stem.pb.gz" 2>/dev/null || bad=$((bad + 1))
	head -n1 "$WORK/term.d/goroutine-$stem.txt" | grep -q '^goroutine profile: total' || bad=$((bad + 1))
	jq -e .memstats "$WORK/term.d/memstats-$stem.json" >/dev/null 2>&1 || bad=$((bad + 1))
done
expect_eq "... every event printed has complete files" "$bad" 0
expect_eq "... and every file belongs to a printed event" \
	"$(ls "$WORK/term.d" | sed -n 's/^heap-\(.*\)\.pb\.gz$/\1/p' | while read -r s; do
		grep -qF "heap-$s.pb.gz" "$WORK/term" || echo "$s"
	done | wc -l)" 0
admin reset >/dev/null

# SIGTERM while an event's heap profile is on its way (the target holds
# profiles back 3 s): the fetch is finished, the event abandoned, nothing
# written, exit 0.
admin "goroutines?n=200" >/dev/null
admin "slow?ms=3000" >/dev/null
set +e
"$PREFLIGHT" watch --dir "$WORK/mid.d" --interval 100ms --duration 120s --goroutines 100 --gc-cpu 0 \
	--heap-pressure 0 "$URL" >"$WORK/mid" 2>"$WORK/mid.err" &
wpid=$!
set -e
_pids+=("$wpid")
# The start line comes after the first sample, which crosses: the event's
# first fetch starts right after it.
for i in $(seq 1 100); do
	grep -q 'watching' "$WORK/mid.err" 2>/dev/null && break
	sleep 0.1
done
kill -TERM "$wpid"
for i in $(seq 1 150); do
	kill -0 "$wpid" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$wpid" 2>/dev/null; then
	_not_ok "SIGTERM mid-event: the watcher exits within 15 s" "still running"
	kill -KILL "$wpid"
fi
set +e
wait "$wpid"
rc=$?
set -e
expect_eq "SIGTERM mid-event: exit 0" "$rc" 0
expect_match "... the event is abandoned" "$(cat "$WORK/mid.err")" 'abandoned: stopping'
expect_eq "... no event line" "$(events mid)" 0
expect_eq "... and no file at all, partial or whole" "$(ls -A "$WORK/mid.d" | wc -l)" 0
admin reset >/dev/null

# SIGINT (Ctrl-C) likewise. A background job of a script ignores SIGINT
# unless told otherwise: the subshell restores it before the exec.
set +e
( trap - INT; exec "$PREFLIGHT" watch --dir "$WORK/int.d" --interval 100ms --duration 120s "$URL" \
	>"$WORK/int" 2>"$WORK/int.err" ) &
wpid=$!
set -e
_pids+=("$wpid")
for i in $(seq 1 100); do
	grep -q 'watching' "$WORK/int.err" 2>/dev/null && break
	sleep 0.1
done
kill -INT "$wpid"
for i in $(seq 1 150); do
	kill -0 "$wpid" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$wpid" 2>/dev/null; then
	_not_ok "SIGINT: the watcher exits within 15 s" "still running"
	kill -KILL "$wpid"
fi
set +e
wait "$wpid"
rc=$?
set -e
expect_eq "SIGINT: exit 0" "$rc" 0
expect_match "... the summary says why it stopped" "$(cat "$WORK/int.err")" 'stopped by SIGINT'

# ---- errors while watching, and a target that is never there ---------------
# The target goes away mid-run: failures are counted, reported once per
# 10 s, and the watch carries on until --duration.
start_demo env GOMAXPROCS=2 -- "${loop[@]}"
url2="http://$(demo_addr debug)"
(
	for i in $(seq 1 100); do
		grep -q 'watching' "$WORK/gone.err" 2>/dev/null && break
		sleep 0.1
	done
	kill -TERM "$DEMO_PID"
) &
killer=$!
pf "$WORK/gone" watch --dir "$WORK/gone.d" --interval 100ms --duration 4s "$url2"
wait "$killer" || true
expect_rc "target gone mid-run: exit 0 at --duration" 0
expect_eq "... one error line (rate-limited)" \
	"$(grep -c "preflight watch: '$url2/debug/" "$WORK/gone.err")" 1
failed=$(sed -n 's/.* \([0-9]*\) failed requests$/\1/p' "$WORK/gone.err")
expect_num "... and the summary counts every failed request" "$failed" ">=" 4

pf "$WORK/never" watch --dir "$WORK/never.d" --count 3 "$url2"
expect_rc "a URL nothing answers on: exit 2" 2
expect_eq "... in one line" "$(wc -l <"$WORK/never.err")" 1
expect_match "... naming the URL" "$(cat "$WORK/never.err")" "'$url2/debug/vars'"
expect_eq "... nothing on stdout" "$(wc -c <"$WORK/never")" 0

start_demo env GOMAXPROCS=2 -- "${loop[@]}"
pf "$WORK/svc" watch --dir "$WORK/svc.d" --count 3 "http://$(demo_addr service)"
expect_rc "the service listener (no expvar, no pprof): exit 2" 2
expect_match "... 404 in one line" "$(cat "$WORK/svc.err")" '404'
expect_eq "... one line" "$(wc -l <"$WORK/svc.err")" 1

pf "$WORK/fast" watch --interval 20ms --count 1 "$URL"
expect_rc "--interval 20ms is refused" 2
expect_match "... because every sample stops the world" "$(cat "$WORK/fast.err")" 'below 50ms'

# ---- a Go 1.19 target: its index page and memstats --------------------------
go119=/usr/lib/go-1.19/bin/go
if [ -x "$go119" ]; then
	out="$BUILDDIR/targets/heapgrow-go1.19"
	mkdir -p "$BUILDDIR/targets"
	(
		flock -w 300 9 || exit 1
		if [ ! -x "$out" ] || [ -n "$(find "$SRCDIR/tests/targets/heapgrow" -newer "$out" -print -quit)" ]; then
			export GOCACHE="${GOCACHE:-$BUILDDIR/go-cache-1.19}"
			(cd "$SRCDIR/tests/targets/heapgrow" && GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-buildvcs=false \
				"$go119" build -o "$out.tmp.$$" .) && mv -f "$out.tmp.$$" "$out"
		fi
	) 9>"$BUILDDIR/targets/.lock-heapgrow-go1.19" || die "cannot build heapgrow with Go 1.19"
	DEMO_BIN=$out start_demo env GOMAXPROCS=2 -- "${loop[@]}" -goroutines 10200
	pf "$WORK/old" watch --dir "$WORK/old.d" --interval 100ms --count 3 --gc-cpu 0 --goroutines 10000 \
		"http://$(demo_addr debug)"
	expect_rc "a Go 1.19 target: exit 0" 0
	expect_match "... its goroutine count is read" "$(head -n1 "$WORK/old")" 'goroutines 102[0-9]{2} >= 10000'
	check_event_files "$WORK/old.d" "$(stem_of old 1)"
else
	skip_one "a Go 1.19 target" "no $go119"
fi

finish
