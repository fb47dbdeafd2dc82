#!/usr/bin/env bash
# ab: the same commands timed with two preflight binaries in one run
# (hyperfine, one after the other), so a refactoring can show it changed no
# figure: host-only check, TCP census, and grouping a large goroutine dump.
# Usage: bench/ab.sh OLD_PREFLIGHT NEW_PREFLIGHT
set -euo pipefail
old=${1:?usage: $0 OLD NEW}
new=${2:?usage: $0 OLD NEW}
here=$(cd "$(dirname "$0")" && pwd)
out=${BENCH_OUT:-$(mktemp -d)}
runs=${RUNS:-30}
command -v hyperfine >/dev/null || { echo "ab: hyperfine is missing" >&2; exit 1; }

# A 100k-goroutine debug=2 dump, as bench/goroutines.sh makes it.
dump=$out/dump-100k.txt
if [ ! -s "$dump" ]; then
	go=$("$here/../scripts/find-go.sh")
	(cd "$here/../tests/targets/dumpgen" && GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-buildvcs=false "$go" build -o "$out/dumpgen" .)
	"$out/dumpgen" -bench 100000 -stacks 36 -o "$dump" -max-lifetime 30m
fi

ab() {   # name, then the arguments after the binary
	local name=$1
	shift
	hyperfine --warmup 3 --runs "$runs" --style basic -N -i --export-json "$out/$name.json" \
		"$old $*" "$new $*" >/dev/null 2>&1
	jq -r --arg n "$name" '"\($n)\told \(.results[0].median*1000 | .*10|round/10) ms\tnew \(.results[1].median*1000 | .*10|round/10) ms\tnew/old \((.results[1].median/.results[0].median)*100|round/100)"' "$out/$name.json"
}
ab host-check check --window 0 --format json -o /dev/null
ab tcp-census tcp-census --json
ab group-100k goroutines --format json "$dump"
