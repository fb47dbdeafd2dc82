#!/usr/bin/env bash
# `preflight tcp-census` against `ss -tan | wc -l` and `ss -s`, with at
# least 20,000 TCP sockets alive (held by tests/targets/sockgen on
# 127.0.0.1), in one run. Checks the counts agree, then times all three
# with hyperfine and prints the medians and ratios recorded in
# docs/bench-tcp-census.md. Goal: tcp-census at least 2x faster than
# `ss -tan | wc -l`.
# Usage: bench/tcp_census.sh PREFLIGHT
# Env: ESTABLISHED (connections held open, 2 sockets each; default 6000),
#      TIME_WAIT (default 10000), RUNS (default 20), BENCH_OUT (result dir).
set -euo pipefail
bin=${1:?usage: $0 path/to/preflight}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
established=${ESTABLISHED:-6000}
time_wait=${TIME_WAIT:-10000}
runs=${RUNS:-20}
out=${BENCH_OUT:-$(mktemp -d)}
mkdir -p "$out"

for tool in hyperfine jq ss; do
	command -v "$tool" >/dev/null || { echo "tcp_census: '$tool' is missing (scripts/install-deps.sh installs it)" >&2; exit 1; }
done
go=$("$src/scripts/find-go.sh")
sockgen="$out/sockgen"
(cd "$src/tests/targets/sockgen" && GOTOOLCHAIN=local GOFLAGS=-buildvcs=false "$go" build -o "$sockgen" .)

pid=
cleanup() {
	exec 3>&- 2>/dev/null || true
	if [ -n "$pid" ]; then
		timeout 10 tail --pid="$pid" -f /dev/null 2>/dev/null || kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -f "$out/in" "$out/sockgen.out"
}
trap cleanup EXIT

# sockgen needs one fd per ESTABLISHED socket; TIME_WAIT sockets need none.
mkfifo "$out/in" "$out/sockgen.out"
"$sockgen" -established "$established" -time-wait "$time_wait" -hold 120s \
	<"$out/in" >"$out/sockgen.out" 2>"$out/sockgen.err" &
pid=$!
exec 3>"$out/in"
exec 4<"$out/sockgen.out"
created=
line=
while IFS= read -r -t 120 line <&4; do
	case "$line" in
	created\ *) created=${line#created } ;;
	ready) break ;;
	esac
done
[ "$line" = ready ] || { echo "tcp_census: sockgen failed: $(cat "$out/sockgen.err")" >&2; exit 1; }

# The counts must agree before the timing means anything. Other processes
# may move them between the two readings: retry a few times.
total_of() { jq '[.[]] | add'; }
agreed=
for attempt in 1 2 3 4 5; do
	mine=$("$bin" tcp-census --json | total_of)
	theirs=$(ss -Htan | wc -l)
	if [ "$mine" -eq "$theirs" ]; then
		agreed=1
		break
	fi
done
[ -n "$agreed" ] || { echo "tcp_census: preflight counted $mine TCP sockets, ss $theirs (5 attempts)" >&2; exit 1; }
if [ "$mine" -lt 20000 ]; then
	echo "tcp_census: only $mine TCP sockets alive, the benchmark wants 20,000 (raise ESTABLISHED/TIME_WAIT)" >&2
	exit 1
fi
census=$("$bin" tcp-census --json)

hyperfine --warmup 3 --runs "$runs" --style basic \
	--export-json "$out/tcp_census.json" \
	"$bin tcp-census" \
	'ss -tan | wc -l' \
	'ss -s' >&2

median() { jq -r --arg c "$1" '.results[] | select(.command == $c) | .median * 1000' "$out/tcp_census.json"; }
m_pf=$(median "$bin tcp-census")
m_ss=$(median 'ss -tan | wc -l')
m_sum=$(median 'ss -s')
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), kernel $(uname -r), $(ss -V | head -1)"
echo "sockgen: $created"
echo "TCP sockets alive: $mine (preflight and ss agreed on attempt $attempt); census: $census"
printf 'median preflight tcp-census: %.1f ms\n' "$m_pf"
printf 'median ss -tan | wc -l:      %.1f ms\n' "$m_ss"
printf 'median ss -s:                %.1f ms\n' "$m_sum"
awk -v a="$m_pf" -v b="$m_ss" -v c="$m_sum" 'BEGIN {
	printf "ratio (ss -tan | wc -l)/preflight: %.2fx (goal >= 2x)\n", b / a
	printf "ratio (ss -s)/preflight: %.2fx\n", c / a
}'
echo "hyperfine results: $out/tcp_census.json"
