#!/usr/bin/env bash
# ctest-labels: slow
# Differential: metric.quantile against Prometheus's own histogram_quantile
# on the same bucket deltas. Debian's prometheus scrapes the demo on
# loopback every second; the test feeds the demo's histogram a known mix of
# observations inside preflight's window, then asks Prometheus for
#   histogram_quantile(q, sum by (le) (x_bucket) - sum by (le) (x_bucket offset D))
# at a time whose two lookups fall before and after the feed: the same
# window's deltas, so both answers must agree to the last bits, at p10
# (the first bucket), p50, p90, p97 (the last finite bucket) and at p99 and
# p99.9, whose ranks land in the +Inf bucket. About 35 s, most of it
# waiting for scrapes.
. "$(dirname "$0")/lib.sh"
need jq curl prometheus python3

DEMO_BIN=$(build_go_target demo)
start_demo -- -addr 127.0.0.1:0 -debug-addr 127.0.0.1:0 -metrics
svc=$(demo_addr service)
observe() { curl -fsS "http://$svc/observe?$1" >/dev/null || die "observe $1 failed"; }
reads() { curl -fsS "http://$svc/metric-reads"; }
now() { python3 -c 'import time; print("%.3f" % time.time())'; }

start_prometheus "$svc"
prom=$PROM

# query EXPR TIME: the scalar value of an instant query ("none" if empty).
query() {
	curl -fsS --get "$prom/api/v1/query" --data-urlencode "query=$1" --data-urlencode "time=$2" |
		jq -r '.data.result[0].value[1] // "none"'
}

# Before the window: observations preflight must not count.
observe 'v=0.5&n=1000'
observe 'v=0.002&n=300'
# Until Prometheus has them (a scrape after the feed), then one more second.
for ((i = 0; i < 100; i++)); do
	[ "$(query 'demo_request_duration_seconds_count' "$(now)")" = 1300 ] && break
	sleep 0.1
done
expect_eq "prometheus scraped the demo" "$(query 'demo_request_duration_seconds_count' "$(now)")" 1300
sleep 1

cat >"$WORK/q.yaml" <<'YAML'
version: 1
items:
  - {id: p50, check: metric.quantile, params: {metric: demo_request_duration_seconds, quantile: 0.5, fail: 100}}
  - {id: p90, check: metric.quantile, params: {metric: demo_request_duration_seconds, quantile: 0.9, fail: 100}}
  - {id: p99, check: metric.quantile, params: {metric: demo_request_duration_seconds, quantile: 0.99, fail: 100}}
  - {id: p999, check: metric.quantile, params: {metric: demo_request_duration_seconds, quantile: 0.999, fail: 100}}
  - {id: p97, check: metric.quantile, params: {metric: demo_request_duration_seconds, quantile: 0.97, fail: 100}}
  - {id: p10, check: metric.quantile, params: {metric: demo_request_duration_seconds, quantile: 0.1, fail: 100}}
YAML

before=$(reads)
pf_json "$WORK/r.json" --pid "$DEMO_PID" --window 3s --checklist "$WORK/q.yaml" &
pf_pid=$!
# The window's first read is the second GET of /metrics after the probe.
for ((i = 0; i < 250; i++)); do
	[ "$(reads)" -ge $((before + 2)) ] && break
	sleep 0.01
done
t_before=$(now)
# A mix over the buckets: 37 in (0.5 ms, 1 ms], 120 in (2.5, 5], 55 in
# (10, 25], 9 in (250, 500] ms and 4 beyond the last bound (1 s).
observe 'v=0.0007&n=37'
observe 'v=0.004&n=120'
observe 'v=0.02&n=55'
observe 'v=0.3&n=9'
observe 'v=2&n=4'
t_after=$(now)
wait "$pf_pid" || true
json_ok "$WORK/r.json" || { show "$WORK/r.json.err"; die "no report"; }

# Prometheus: evaluated 2.2 s after the feed (a scrape after it), looking
# back past its start (a scrape before it, after the first feed).
t_eval=$(python3 -c "print('%.3f' % ($t_after + 2.2))")
offset_ms=$(python3 -c "print(int(($t_eval - $t_before) * 1000) + 300)")
while [ "$(python3 -c "import time; print(int(time.time() > $t_eval + 0.3))")" = 0 ]; do sleep 0.1; done
delta="sum by (le) (demo_request_duration_seconds_bucket) - sum by (le) (demo_request_duration_seconds_bucket offset ${offset_ms}ms)"
expect_eq "prometheus sees the window's 225 observations" \
	"$(query "sum(demo_request_duration_seconds_count) - sum(demo_request_duration_seconds_count offset ${offset_ms}ms)" "$t_eval")" 225

for item in p10:0.1 p50:0.5 p90:0.9 p97:0.97 p99:0.99 p999:0.999; do
	id=${item%%:*} q=${item#*:}
	ours=$(jq -r --arg id "$id" '.checks[] | select(.id == $id) | .evidence.value // "none"' "$WORK/r.json")
	theirs=$(query "histogram_quantile($q, $delta)" "$t_eval")
	expect_eq "$id: 225 observations in preflight's window" \
		"$(jq -r --arg id "$id" '.checks[] | select(.id == $id) | .evidence.observations' "$WORK/r.json")" 225
	expect_true "$id: preflight $ours = prometheus $theirs" python3 -c "
import sys; a, b = float('$ours'), float('$theirs')
sys.exit(0 if abs(a - b) <= 1e-12 * max(1.0, abs(b)) else 1)"
done
finish
