#!/usr/bin/env bash
# A run of N automatic checklist items (default 1,000: a quarter `true`, a
# quarter `test -f FILE`, half HTTP GETs of a loopback server, the demo
# target) through verify_items() (the tests/helpers/verify_items driver, the
# library `preflight run` calls), against the same work done by a shell
# loop: `sh -c CMD` per exec item and `curl` per URL. Timed with
# hyperfine; the figures are in docs/verify.md. Also `preflight run` of
# the same checklist: the same verification plus a run opened in a SQLite
# store and two events per item (start, result) written as items end.
# Usage: bench/run_items.sh BUILD_DIR [N] [RUNS]
set -euo pipefail
build=$(cd "${1:?usage: $0 BUILD_DIR [N] [RUNS]}" && pwd)
n=${2:-1000}
runs=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
driver="$build/verify_items"
[ -x "$driver" ] || { echo "no $driver: build the tree first" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "hyperfine is not installed" >&2; exit 2; }
command -v curl >/dev/null || { echo "curl is not installed" >&2; exit 2; }

work=$(mktemp -d)
demo_pid=
cleanup() {
	[ -n "$demo_pid" ] && kill "$demo_pid" 2>/dev/null && wait "$demo_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# The demo: a Go net/http server on a free loopback port.
demo="$build/targets/demo"
if [ ! -x "$demo" ]; then
	go=$("$root/scripts/find-go.sh")
	mkdir -p "$build/targets"
	(cd "$root/tests/targets/demo" && GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-buildvcs=false "$go" build -o "$demo" .)
fi
"$demo" -addr 127.0.0.1:0 -debug-addr "" -max-lifetime 10m >"$work/demo.log" 2>&1 &
demo_pid=$!
for ((i = 0; i < 100; i++)); do
	svc=$(sed -n 's/.* service=\([^ ]*\).*/\1/p' "$work/demo.log")
	[ -n "$svc" ] && break
	sleep 0.1
done
[ -n "$svc" ] || { echo "the demo did not start" >&2; cat "$work/demo.log" >&2; exit 1; }
url="http://$svc/"
touch "$work/present"

q=$((n / 4)) h=$((n - 2 * (n / 4)))
{
	echo "version: 1"
	echo "items:"
	for ((i = 0; i < q; i++)); do
		echo "  - {id: t$i, title: t, verify: {exec: {command: \"true\"}}}"
		echo "  - {id: f$i, title: f, verify: {exec: {command: \"test -f $work/present\"}}}"
	done
	for ((i = 0; i < h; i++)); do
		echo "  - {id: h$i, title: h, verify: {http: {url: \"$url\", body_contains: ok}}}"
	done
} >"$work/items.yaml"
cat >"$work/loop.sh" <<SH
for ((i = 0; i < $q; i++)); do sh -c true; done
for ((i = 0; i < $q; i++)); do sh -c "test -f $work/present"; done
for ((i = 0; i < $h; i++)); do curl -fsS "$url" | grep -q ok; done
SH

# One run first: every item must pass, or the timing means nothing.
"$driver" "$work/items.yaml" >"$work/check.jsonl" 2>"$work/check.err" ||
	{ echo "verify_items: not every item passed" >&2; grep -v '"pass"' "$work/check.jsonl" | head -3 >&2; exit 1; }
[ "$(wc -l <"$work/check.jsonl")" = "$n" ] || { echo "verify_items reported $(wc -l <"$work/check.jsonl") of $n" >&2; exit 1; }

echo "== $n items ($q true, $q test -f, $h GET $url) on $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
hyperfine --runs "$runs" --warmup 1 --style basic --export-markdown "$work/table.md" \
	-n "verify_items, parallel 8" "$driver $work/items.yaml --parallel 8 >/dev/null 2>&1" \
	-n "verify_items, parallel 1" "$driver $work/items.yaml --parallel 1 >/dev/null 2>&1" \
	-n "preflight run (SQLite store)" "$build/preflight run $work/items.yaml --by bench --db $work/bench.db --format json -o /dev/null" \
	-n "shell loop (sh -c, curl)" "bash $work/loop.sh"
cat "$work/table.md"
