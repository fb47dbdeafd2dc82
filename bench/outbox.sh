#!/usr/bin/env bash
# Outbox delivery rate: 2,000 messages (500 overdue items x 4 webhook
# channels, each under its 600-a-minute limit) delivered by one
# `preflight notify --once` to the local recorder (tests/targets/recorder),
# against a curl loop posting the same 2,000 bodies to the same recorder.
# preflight's figure includes the store's work per message (claim, settle
# with its event, in SQLite with WAL). Figures in docs/notify.md.
# Usage: bench/outbox.sh path/to/preflight [path/to/notify_testdriver]
set -euo pipefail
bin=$(cd "$(dirname "${1:?usage: $0 path/to/preflight [notify_testdriver]}")" && pwd)/$(basename "$1")
driver=${2:-$(dirname "$bin")/notify_testdriver}
here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
work=$(mktemp -d)
rec_pid=
trap '[ -n "$rec_pid" ] && kill "$rec_pid" 2>/dev/null; rm -rf "$work"' EXIT
go=$("$src/scripts/find-go.sh")
(cd "$src/tests/targets/recorder" && GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-buildvcs=false "$go" build -o "$work/recorder" .)
"$work/recorder" -port-file "$work/port" -lifetime 600s >/dev/null 2>&1 &
rec_pid=$!
for _ in $(seq 1 100); do [ -s "$work/port" ] && break; sleep 0.1; done
export BENCH_HOOK="http://127.0.0.1:$(cat "$work/port")/webhook"
{
	echo "version: 1"
	echo "name: outbox bench"
	echo "notify:"
	echo "  channels:"
	for c in a b c d; do echo "    - {name: $c, kind: webhook, url_env: BENCH_HOOK, rate_per_min: 600}"; done
	echo "items:"
	for i in $(seq 1 500); do echo "  - {id: ITEM-$i, title: item $i, verify: {manual: {}}}"; done
} >"$work/cl.yaml"
db="$work/bench.db"
"$driver" "$db" open "$work/cl.yaml" 60 >/dev/null
# the bodies, for the curl loop: exactly what preflight will post
PREFLIGHT_DB= "$bin" notify --dry-run --format json --db "$db" >"$work/plan.json"
n=$(jq length "$work/plan.json")
jq -c '.[] | .body' "$work/plan.json" >"$work/bodies.jsonl"
jq -r '.[] | .id' "$work/plan.json" >"$work/ids"

start=$(date +%s.%N)
PREFLIGHT_DB= "$bin" notify --once --db "$db" >"$work/once.out" 2>/dev/null
end=$(date +%s.%N)
sent=$(grep -o 'sent [0-9]*' "$work/once.out" | cut -d' ' -f2)
pf_s=$(echo "$end - $start" | bc -l)

start=$(date +%s.%N)
exec 3<"$work/ids"
while IFS= read -r body; do
	IFS= read -r id <&3
	curl -s -o /dev/null -X POST -H 'Content-Type: application/json' -H "Idempotency-Key: $id" \
		--data-binary "$body" "$BENCH_HOOK"
done <"$work/bodies.jsonl"
exec 3<&-
end=$(date +%s.%N)
curl_s=$(echo "$end - $start" | bc -l)

printf 'messages: %d due, %d sent by preflight\n' "$n" "$sent"
printf 'preflight notify --once: %.2f s, %.0f messages/s (store: SQLite, WAL; claim + post + settle each)\n' \
	"$pf_s" "$(echo "$sent / $pf_s" | bc -l)"
printf 'curl loop (one process per POST): %.2f s, %.0f messages/s\n' "$curl_s" "$(echo "$n / $curl_s" | bc -l)"
curl -s "http://127.0.0.1:$(cat "$work/port")/stats" | jq -c '{delivered, distinct, duplicates: (.duplicates | length), invalid}'
