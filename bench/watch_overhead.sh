#!/usr/bin/env bash
# What `preflight watch --interval 200ms` costs the service it watches:
# the target's CPU time (utime+stime from /proc/PID/stat) over a fixed
# window, with and without the watcher, for an idle target and for one
# under light steady load, in one run. Phases alternate (off, on, off,
# on...) so drift hits both sides alike. Prints the figures recorded in
# docs/bench.md. Goal: the difference under 1% of one core.
#
# The target is tests/targets/heapgrow (expvar + net/http/pprof on
# 127.0.0.1); the load is one curl process sending GET /work at a fixed
# rate over one kept-alive connection (curl --rate), bounded in count.
# The thresholds are set out of reach, so what is measured is the
# sampling itself (/debug/vars and the /debug/pprof/ index every 200 ms),
# not the profiles an event saves.
#
# Usage: bench/watch_overhead.sh PREFLIGHT
# Env: WINDOW (seconds per phase, default 30), REPEAT (pairs per case,
#      default 2), RATE (requests per second under load, default 200),
#      INTERVAL (default 200ms), CASES (default "idle load"),
#      BENCH_OUT (scratch dir).
set -euo pipefail
bin=${1:?usage: $0 path/to/preflight}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
window=${WINDOW:-30}
repeat=${REPEAT:-2}
rate=${RATE:-200}
interval=${INTERVAL:-200ms}
cases=${CASES:-idle load}
out=${BENCH_OUT:-$(mktemp -d)}
mkdir -p "$out"

for tool in curl awk; do
	command -v "$tool" >/dev/null || { echo "watch_overhead: '$tool' is missing (scripts/install-deps.sh installs it)" >&2; exit 1; }
done
go=$("$src/scripts/find-go.sh")
(cd "$src/tests/targets/heapgrow" && GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-buildvcs=false "$go" build -o "$out/heapgrow" .)

target= load= watcher=
stop() { # PID: TERM, then a bounded wait, then KILL
	[ -n "${1:-}" ] || return 0
	kill -TERM "$1" 2>/dev/null || true
	timeout 10 tail --pid="$1" -f /dev/null 2>/dev/null || kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}
cleanup() {
	stop "$watcher"
	stop "$load"
	stop "$target"
}
trap cleanup EXIT

# The target lives for the whole run at most, whatever happens to us.
life=$(( (window + 10) * repeat * 4 + 120 ))  # 2 cases x 2 phases
"$out/heapgrow" -addr 127.0.0.1:0 -debug-addr 127.0.0.1:0 -max-lifetime "${life}s" \
	-ready-file "$out/ready" >"$out/heapgrow.log" 2>&1 &
target=$!
for _ in $(seq 1 100); do
	[ -s "$out/ready" ] && break
	kill -0 "$target" 2>/dev/null || { cat "$out/heapgrow.log" >&2; exit 1; }
	sleep 0.1
done
[ -s "$out/ready" ] || { echo "watch_overhead: the target did not start" >&2; exit 1; }
svc=$(sed -n 's/.* service=\([^ ]*\).*/\1/p' "$out/heapgrow.log")
dbg=$(sed -n 's/.* debug=\([^ ]*\).*/\1/p' "$out/heapgrow.log")
hz=$(getconf CLK_TCK)

ticks() { # PID: utime+stime in clock ticks (fields 14 and 15; comm may hold spaces)
	sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

# phase CASE WATCH(0|1): CPU of the target (and of the watcher) over the window.
phase() {
	local case=$1 on=$2 t0 t1 w0 w1
	if [ "$case" = load ]; then
		# Bounded: enough requests for the window and the warm-up, at RATE.
		curl -s --rate "$rate/s" "http://$svc/work?[1-$(( rate * (window + 5) ))]" >/dev/null &
		load=$!
	fi
	if [ "$on" = 1 ]; then
		"$bin" watch --interval "$interval" --dir "$out/events" --duration "$((window + 5))s" \
			--heap-pressure 0.9999 --gc-cpu 0.99 --goroutines 10000000 "http://$dbg" \
			>"$out/watch.out" 2>"$out/watch.err" &
		watcher=$!
	fi
	sleep 2 # the watcher's first samples, curl's connection
	t0=$(ticks "$target")
	[ "$on" = 1 ] && w0=$(ticks "$watcher")
	sleep "$window"
	t1=$(ticks "$target")
	[ "$on" = 1 ] && w1=$(ticks "$watcher")
	if [ "$on" = 1 ]; then
		stop "$watcher"
		watcher=
		[ ! -s "$out/watch.out" ] || { echo "watch_overhead: an event fired: $(cat "$out/watch.out")" >&2; exit 1; }
	fi
	if [ -n "$load" ]; then
		stop "$load"
		load=
	fi
	awk -v c="$case" -v on="$on" -v t="$((t1 - t0))" -v w="$(( ${w1:-0} - ${w0:-0} ))" -v hz="$hz" -v win="$window" \
		'BEGIN { printf "%s %s %.4f %.4f\n", c, on, 100 * t / hz / win, 100 * w / hz / win }' | tee -a "$out/phases"
}

: >"$out/phases"
echo "# case watcher target_cpu_%core watcher_cpu_%core (window ${window}s, interval $interval, load $rate req/s)" >&2
for case in $cases; do
	for _ in $(seq 1 "$repeat"); do
		phase "$case" 0 >&2
		phase "$case" 1 >&2
	done
done

echo "== preflight watch --interval $interval overhead on the target ($(nproc) CPUs, ${window}s windows, $repeat pairs)"
# Per case: the mean CPU without and with, and the difference of each
# off/on pair (mean and median: one noisy window moves the mean, not the
# median).
awk -v cases="$cases" '
	$2 == 0 { off[$1, ++noff[$1]] = $3 }
	$2 == 1 { on[$1, ++non[$1]] = $3; w[$1] += $4 }
	END {
		printf "%-6s %15s %13s %15s %17s %15s\n", "case", "without %core", "with %core", "overhead mean", "overhead median", "watcher %core"
		nc = split(cases, cl, " ")
		for (i = 1; i <= nc; i++) {
			c = cl[i]; n = non[c]; so = 0; sn = 0
			for (k = 1; k <= n; k++) { so += off[c, k]; sn += on[c, k]; d[k] = on[c, k] - off[c, k] }
			for (a = 1; a <= n; a++) for (b = a + 1; b <= n; b++) if (d[b] < d[a]) { t = d[a]; d[a] = d[b]; d[b] = t }
			med = n % 2 ? d[(n + 1) / 2] : (d[n / 2] + d[n / 2 + 1]) / 2
			printf "%-6s %15.3f %13.3f %14.3f%% %16.3f%% %15.3f\n", c, so / n, sn / n, (sn - so) / n, med, w[c] / n
		}
	}' "$out/phases"
