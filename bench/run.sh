#!/usr/bin/env bash
# Runs every benchmark against the tools a user would otherwise run, in one
# run, and prints the figures recorded in docs/bench.md.
# Usage: bench/run.sh path/to/preflight
set -euo pipefail
bin=${1:?usage: $0 path/to/preflight}
here=$(cd "$(dirname "$0")" && pwd)
echo "== machine: $(nproc) CPUs, $(uname -r), $(date -u +%Y-%m-%d)"
echo "== host-only check"
"$here/host_check.sh" "$bin"
if [ -x "$here/tcp_census.sh" ]; then
  echo "== TCP census vs ss"
  "$here/tcp_census.sh" "$bin"
fi
if [ -x "$here/goroutines.sh" ]; then
  echo "== goroutine dump grouping vs awk"
  "$here/goroutines.sh" "$bin"
fi
if [ -x "$here/watch_overhead.sh" ]; then
  echo "== preflight watch: cost to the target"
  "$here/watch_overhead.sh" "$bin"
fi
build=$(cd "$(dirname "$bin")" && pwd)
echo "== the checklist loop: 1,000 automatic items vs a shell loop"
"$here/run_items.sh" "$build" 1000 1
echo "== the checklist loop: status on a 100,000-event store"
"$here/store_status.sh" "$build"
echo "== the checklist loop: outbox delivery vs a curl loop"
"$here/outbox.sh" "$bin"
echo "== preflight serve: item reads vs status, and the live feed's fan-out"
"$here/serve.sh" "$build"
