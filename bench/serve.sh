#!/usr/bin/env bash
# serve: the JSON API of `preflight serve` under load, against what a user
# would otherwise run, and the live feed's fan-out.
#
# Stores of 100,000 events (tests/helpers/store_load.c fill), SQLite:
#   many: 1,000 runs x 10 items x 100 events; item i3 of run 500 is read
#   one:  1 run x 1,000 items x 100,000 events; item i500 of run 1 is read
# For each: `preflight serve` on 127.0.0.1 (a free port, a bearer token,
# the notify loop off), then
#   wrk -t2 -c32 -d10s --latency  GET /api/v1/runs/R/items/I
#     (requests/s, p50 and p99 latency; every answer checked 200 first;
#     after a 2 s warm-up in which each worker thread derives the view),
#     once on a quiet store and once while another process appends an
#     event every 0.5 s (each write invalidates the API's view cache)
#   hyperfine: `preflight status R --format json` per call, the same
#     facts read the way a script would without the server
#   ratio = requests/s x the command's mean seconds.
# Then the fan-out (bench/sse_fanout.py): STREAMS (default 100) streams
# open on /api/v1/stream, one `preflight item confirm` in another process,
# the time until every stream has the event.
#
# Usage: bench/serve.sh [BUILD_DIR]          (default: build)
# BENCH_OUT=DIR keeps the stores there (and reuses them next time);
# WRK_DURATION (default 10s), STREAMS (default 100).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
load=$build/store_load
bin=$build/preflight
[ -x "$load" ] && [ -x "$bin" ] || { echo "serve: $build has no preflight or store_load (make build)" >&2; exit 1; }
for t in wrk hyperfine curl jq python3; do
	command -v "$t" >/dev/null || { echo "serve: '$t' is not installed" >&2; exit 1; }
done

# lib.sh: a scratch $WORK removed at exit; lib_serve.sh: start_serve.
export PREFLIGHT=$bin BUILDDIR=$build SRCDIR=$here/..
. "$here/../tests/integration/lib.sh"
. "$here/../tests/integration/lib_serve.sh"
out=${BENCH_OUT:-$WORK}
mkdir -p "$out"
duration=${WRK_DURATION:-10s}
streams=${STREAMS:-100}
export PREFLIGHT_DB=

token=bench-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf 'bench:%s\n' "$token" >"$WORK/tokens"
chmod 600 "$WORK/tokens"

# start_server DB: sets SERVER (host:port) and SERVER_PID.
start_server() {
	start_serve --listen 127.0.0.1:0 --db "$1" --tokens "$WORK/tokens" --no-notify
	SERVER=${SERVE_URL#http://}
	SERVER_PID=$SERVE_PID
}

# ms VALUE: wrk's "1.23ms" / "850.00us" / "1.02s" in ms.
ms() {
	awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) ; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}

# wrk_item URL: sets RPS, P50, P99 (ms) of wrk on URL; every answer must be 2xx.
wrk_item() {
	local w code
	code=$(curl -s -o "$WORK/item.json" -w '%{http_code}' -H "Authorization: Bearer $token" "$1")
	[ "$code" = 200 ] || { cat "$WORK/item.json" >&2; die "GET $1 answered $code"; }
	# warm-up: every worker thread derives the view once (measured apart:
	# the "with a write" figures below)
	wrk -t2 -c32 -d2s -H "Authorization: Bearer $token" "$1" >/dev/null
	w=$(wrk -t2 -c32 -d"$duration" --latency -H "Authorization: Bearer $token" "$1")
	if grep -q 'Non-2xx' <<<"$w"; then
		echo "$w" >&2
		die "wrk saw non-2xx answers"
	fi
	RPS=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$w")
	P50=$(ms "$(awk '$1 == "50%" { print $2 }' <<<"$w")")
	P99=$(ms "$(awk '$1 == "99%" { print $2 }' <<<"$w")")
}

bench_items() { # NAME DB RUN ITEM
	local name=$1 db=$2 run=$3 item=$4 url mean writer
	start_server "$db"
	url="http://$SERVER/api/v1/runs/$run/items/$item"
	wrk_item "$url"
	RPS_QUIET=$RPS
	printf '%-4s GET /api/v1/runs/%s/items/%s: %.0f req/s, p50 %s ms, p99 %s ms (wrk -t2 -c32 -d%s)\n' \
		"$name" "$run" "$item" "$RPS" "$P50" "$P99" "$duration"
	if [ "$name" = many ]; then
		# the floor: the HTTP layer and one MAX(seq) query, no view
		wrk_item "http://$SERVER/healthz"
		printf '%-4s GET /healthz (the floor): %.0f req/s, p50 %s ms, p99 %s ms\n' "$name" "$RPS" "$P50" "$P99"
	fi
	# the same while another process writes an event every 0.5 s: each
	# write makes every thread derive the run's view again
	(
		trap 'exit 0' TERM
		while :; do
			"$load" append "$db" "$run" 1 bench >/dev/null
			sleep 0.5
		done
	) &
	writer=$!
	wrk_item "$url"
	kill "$writer"
	wait "$writer" 2>/dev/null || true
	printf '%-4s ... with a write every 0.5 s: %.0f req/s, p50 %s ms, p99 %s ms\n' "$name" "$RPS" "$P50" "$P99"
	stop_proc "$SERVER_PID"
	hyperfine -N -i --warmup 3 --runs 30 --export-json "$WORK/hf.json" \
		"$bin status $run --format json --db $db" >/dev/null 2>&1 || true
	mean=$(jq -r '.results[0].mean' "$WORK/hf.json")
	printf '%-4s preflight status %s --format json: %.1f ms per call (%.0f calls/s)\n' "$name" "$run" \
		"$(echo "$mean * 1000" | bc -l)" "$(echo "1 / $mean" | bc -l)"
	printf '%-4s ratio (no writes): %.0fx\n' "$name" "$(echo "$RPS_QUIET * $mean" | bc -l)"
}

fill() { # DB RUNS ITEMS EVENTS
	if [ -s "$1" ]; then
		echo "$(basename "$1"): exists, reused (BENCH_OUT)"
	else
		"$load" fill "$1" "$2" "$3" "$4"
	fi
}

echo "# $(date -u +%FT%TZ) $(uname -m), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
fill "$out/many.db" 1000 10 100
fill "$out/one.db" 1 1000 100000
bench_items many "$out/many.db" 500 i3
bench_items one "$out/one.db" 1 i500

# the fan-out: every stream gets one confirmation written by another
# process (found by the hub's poll, every 0.25 s), then one made through
# this server's API (the write kicks the hub)
start_server "$out/many.db"
for item in i7 i8; do
	"$bin" item reopen 500 $item --by bench --reason "bench" --db "$out/many.db" >/dev/null 2>&1 || true
done
python3 "$here/sse_fanout.py" "$SERVER" "$token" "$streams" item.confirm 30 -- \
	"$bin" item confirm 500 i7 --by bench --reason "bench fan-out" --db "$out/many.db" |
	sed 's/^/fan-out, written by another process: /'
python3 "$here/sse_fanout.py" "$SERVER" "$token" "$streams" item.confirm 30 -- \
	curl -fs -o /dev/null -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
	-d '{"reason": "bench fan-out"}' "http://$SERVER/api/v1/runs/500/items/i8/confirm" |
	sed 's/^/fan-out, written through the API: /'
stop_proc "$SERVER_PID"
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
