#!/usr/bin/env bash
# `preflight goroutines --format json DUMP` against the way people group a
# goroutine dump by hand, an awk script that strips argument values and
# counts stacks (bench/group_stacks.awk, run with mawk), on debug=2 dumps of
# 10,000, 100,000 and 1,000,000 goroutines written uncapped by
# runtime.Stack (as a crash log or SIGQUIT dump holds them; the runtime
# caps a /debug/pprof dump at 64 MiB). Checks both count the same
# goroutines and stacks, then times each RUNS times (page cache warm; a
# small dump is run several times per timing, about 200 MiB in all) and
# prints the medians: throughput in MiB/s (wall clock and CPU time, which
# other load on the machine disturbs less) and peak RSS (/usr/bin/time). Goal: at least 5x mawk's throughput, and a
# peak RSS that does not grow with the dump.
# The dumps go to a temporary directory and are removed at the end.
# Usage: bench/goroutines.sh PREFLIGHT
# Env: SIZES (default "10000 100000 1000000"), STACKS (distinct stacks,
#      default 36), RUNS (default 3), BENCH_OUT (keep the dumps there).
set -euo pipefail
bin=${1:?usage: $0 path/to/preflight}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
sizes=${SIZES:-10000 100000 1000000}
stacks=${STACKS:-36}
runs=${RUNS:-3}
awk_script=$here/group_stacks.awk

for tool in mawk jq /usr/bin/time; do
	command -v "$tool" >/dev/null || { echo "goroutines: '$tool' is missing (scripts/install-deps.sh installs it)" >&2; exit 1; }
done
if [ -n "${BENCH_OUT:-}" ]; then
	out=$BENCH_OUT
	mkdir -p "$out"
else
	out=$(mktemp -d)
	trap 'rm -rf "$out"' EXIT
fi
go=$("$src/scripts/find-go.sh")
(cd "$src/tests/targets/dumpgen" && GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-buildvcs=false "$go" build -o "$out/dumpgen" .)

# measure REPS CMD...: CMD run REPS times in a row under /usr/bin/time
# (its clock ticks are 10 ms: small dumps are timed over several runs);
# prints "wall cpu" per run.
measure() {
	local reps=$1
	shift
	/usr/bin/time -f '%e %U %S' -o "$out/time.txt" \
		bash -c 'for ((i = 0; i < $0; i++)); do "$@" >/dev/null; done' "$reps" "$@"
	awk -v r="$reps" '{ printf "%.5f %.5f\n", $1 / r, ($2 + $3) / r }' "$out/time.txt"
}

# peak_rss CMD...: the peak RSS of one run of CMD, in KiB.
peak_rss() {
	/usr/bin/time -f '%M' -o "$out/rss.txt" "$@" >/dev/null
	cat "$out/rss.txt"
}

# median_of RUNS REPS CMD...: the median of RUNS measures by wall time,
# "wall cpu", and the peak RSS of one more run: "wall cpu rss".
median_of() {
	local n=$1 reps=$2 i m
	shift 2
	m=$(for ((i = 0; i < n; i++)); do
		measure "$reps" "$@"
	done | sort -n | awk -v n="$n" 'NR == int((n + 1) / 2)')
	echo "$m $(peak_rss "$@")"
}

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), kernel $(uname -r), $(mawk -W version 2>&1 | head -1)"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-9s %9s %7s | %22s %8s | %22s %8s | %7s %7s\n' goroutines MiB stacks \
	"preflight MiB/s wall/cpu" "RSS MiB" "mawk MiB/s wall/cpu" "RSS MiB" "x wall" "x cpu"
for n in $sizes; do
	dump=$out/dump-$n.txt
	"$out/dumpgen" -bench "$n" -stacks "$stacks" -o "$dump" -max-lifetime 30m
	bytes=$(stat -c %s "$dump")
	mib=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')

	# Both must see the same dump before the timing means anything.
	"$bin" goroutines --format json "$dump" >"$out/pf.json" || true
	pf_total=$(jq '.snapshots[0].total' "$out/pf.json")
	pf_groups=$(jq '.groups | length' "$out/pf.json")
	mawk -f "$awk_script" "$dump" >"$out/awk.txt"
	awk_total=$(awk -F'\t' '$2 == "total" { print $1 }' "$out/awk.txt")
	awk_groups=$(awk -F'\t' '$2 != "total"' "$out/awk.txt" | wc -l)
	if [ "$pf_total" != "$awk_total" ] || [ "$pf_groups" != "$awk_groups" ]; then
		echo "goroutines: preflight saw $pf_total goroutines in $pf_groups groups, mawk $awk_total in $awk_groups" >&2
		exit 1
	fi

	cat "$dump" >/dev/null
	# about 200 MiB read per measure
	reps=$(awk -v b="$bytes" 'BEGIN { r = int(200 * 1048576 / b); print r < 1 ? 1 : r }')
	read -r pw pc pr < <(median_of "$runs" "$reps" "$bin" goroutines --format json "$dump")
	read -r aw ac ar < <(median_of "$runs" "$reps" mawk -f "$awk_script" "$dump")
	awk -v n="$n" -v mib="$mib" -v g="$pf_groups" -v pw="$pw" -v pc="$pc" -v pr="$pr" \
		-v aw="$aw" -v ac="$ac" -v ar="$ar" 'function rate(t) { return t > 0 ? mib / t : 0 }
		BEGIN {
			printf "%-9s %9s %7s | %10.0f / %9.0f %8.1f | %10.0f / %9.0f %8.1f | %6.1fx %6.1fx\n",
				n, mib, g, rate(pw), rate(pc), pr / 1024, rate(aw), rate(ac), ar / 1024,
				rate(pw) / rate(aw), rate(pc) / rate(ac)
		}'
	[ -n "${BENCH_OUT:-}" ] || rm -f "$dump"
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
