#!/usr/bin/env bash
# board: what the board of `preflight serve` costs a browser: page weight
# (bytes transferred for a run's page with its CSS, script and icon, cold
# and with the assets cached) and time to first paint / first contentful
# paint in Debian's headless Chromium (bench/board.mjs, playwright-core
# from tests/browser). The run: 60 manual items over 6 modules, a third of
# them acted on, on a SQLite store; the server on loopback.
# Usage: bench/board.sh [BUILD_DIR]     (default: build); LOADS=N browsers (10)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
bin=$build/preflight
[ -x "$bin" ] || { echo "board: $bin is not built (make build)" >&2; exit 1; }
[ -x /usr/bin/chromium ] || { echo "board: needs Debian's chromium" >&2; exit 1; }
if [ ! -d "$root/tests/browser/node_modules/playwright-core" ]; then
	(cd "$root/tests/browser" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi

work=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

{
	echo "version: 1"
	echo "name: board benchmark"
	echo "owner: alice"
	echo "defaults: {env: prod, owner: bob, due: +2h}"
	echo "items:"
	for i in $(seq 1 60); do
		echo "  - {id: item-$i, title: \"item number $i of the launch\", module: module-$((i % 6)), verify: manual}"
	done
} >"$work/bench.yaml"
"$bin" run "$work/bench.yaml" --by alice --db "$work/board.db" --format json >"$work/run.json" || true
run=$(jq -r '.run.id' "$work/run.json")
for i in $(seq 1 20); do
	case $((i % 3)) in
	0) "$bin" item confirm "$run" "item-$i" --by carol --db "$work/board.db" >/dev/null ;;
	1) "$bin" item skip "$run" "item-$i" --by carol --reason "not in this launch" --db "$work/board.db" >/dev/null ;;
	2) "$bin" item fail "$run" "item-$i" --by carol --reason "answered 500" --db "$work/board.db" >/dev/null ;;
	esac
done

token=bench-token-0123456789abcdef
echo "bench:$token" >"$work/tokens"
"$bin" serve --listen 127.0.0.1:0 --db "$work/board.db" --tokens "$work/tokens" --no-notify \
	>"$work/serve.out" 2>"$work/serve.log" &
pid=$!
for _ in $(seq 1 200); do
	grep -q 'listening on' "$work/serve.out" 2>/dev/null && break
	sleep 0.05
done
url=$(sed -n '1s/^preflight serve: listening on //p' "$work/serve.out")
[ -n "$url" ] || { cat "$work/serve.log" >&2; exit 1; }

echo "run page: 60 items, $(curl -s -o /dev/null -w '%{size_download}' -H "Authorization: Bearer $token" "$url/runs/$run") bytes of HTML"
BOARD=$url RUN=$run TOKEN=$token WORK=$work node "$here/board.mjs"
