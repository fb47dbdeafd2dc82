#!/usr/bin/env bash
# ctest-labels: slow
# promql items against a real Prometheus (Debian's, scraping itself every
# second on loopback), through verify_items() on a checklist file (the
# tests/helpers/verify_items driver: the library with no store). An instant
# condition that holds and one that does not; `for:` over scraped data
# that holds once the data covers the hold and is refused while it does
# not; `for:` turning a condition that holds now into a failure because
# it did not hold over the whole window; an empty result (fails, or passes
# with empty_ok); Prometheus's own error words; an unreachable server.
# About 15 s, most of it waiting for scrapes.
. "$(dirname "$0")/lib.sh"
need jq curl prometheus python3

driver="$BUILDDIR/verify_items"
[ -x "$driver" ] || die "no $driver (built with the tree)"

closed=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start_prometheus self
prom=$PROM

# first_up: the time of the first scrape Prometheus has of itself ("" until then).
first_up() {
	curl -fsS --get "$prom/api/v1/query" --data-urlencode 'query=min_over_time(timestamp(up)[5m:1s])' |
		jq -r '.data.result[0].value[1] // ""'
}
for ((i = 0; i < 200; i++)); do
	[ -n "$(first_up)" ] && break
	sleep 0.1
done
t0=$(first_up)
[ -n "$t0" ] || die "prometheus did not scrape itself within 20 s"

# checklist NOW: the items, with thresholds relative to NOW (Unix seconds).
checklist() {
	cat <<YAML
version: 1
prometheus:
  self: $prom
  gone: http://127.0.0.1:$closed
items:
  - {id: up-now, title: up, verify: {promql: {server: self, query: up, condition: "== 1"}}}
  - {id: up-zero, title: up is 0, verify: {promql: {server: self, query: up, condition: "== 0"}}}
  - {id: up-held, title: up for 4s, verify: {promql: {server: self, query: up, condition: "== 1", for: 4s, step: 1s}}}
  - {id: clock-now, title: time now, verify: {promql: {server: self, query: vector(time()), condition: "> $(($1 - 2))"}}}
  - {id: clock-held, title: time held, verify: {promql: {server: self, query: vector(time()), condition: "> $(($1 - 2))", for: 6s, step: 1s}}}
  - {id: empty, title: empty, verify: {promql: {server: self, query: no_such_metric_here, condition: "< 1"}}}
  - {id: empty-ok, title: empty ok, verify: {promql: {server: self, query: no_such_metric_here, condition: "< 1", empty_ok: true}}}
  - {id: bad-query, title: bad, verify: {promql: {server: self, query: "up{", condition: "< 1"}}}
  - {id: unreachable, title: gone, verify: {promql: {server: gone, query: up, condition: "== 1", timeout: 2s}}}
YAML
}

# field FILE ID JQ: one item's field from the driver's JSON lines.
field() {
	jq -r --arg id "$2" "select(.id == \$id) | $3" "$1"
}

# --- a hold longer than the data Prometheus has: not shown ---
# (samples come at whole steps: data since t0 covers a hold when
# now - t0 + step >= hold; Prometheus started seconds ago)
checklist "$(date +%s)" >"$WORK/early.yaml"
sed -i 's/for: 4s, step: 1s/for: 60s, step: 1s/' "$WORK/early.yaml"
set +e
timeout 60 "$driver" "$WORK/early.yaml" >"$WORK/early.jsonl" 2>"$WORK/early.err"
set -e
expect_eq "up == 1 for 60s fails: Prometheus has seconds of data" "$(field "$WORK/early.jsonl" up-held .status)" fail
expect_match "saying the data is too short" "$(field "$WORK/early.jsonl" up-held .summary)" \
	"^the data covers only [0-9.]+m?s of the 1m the condition must hold$"

# --- once Prometheus holds 6 s of its own scrapes ---
while python3 -c "import sys, time; sys.exit(0 if time.time() - $t0 < 6.5 else 1)"; do sleep 0.2; done
now=$(date +%s)
checklist "$now" >"$WORK/c.yaml"
set +e
timeout 60 "$driver" "$WORK/c.yaml" >"$WORK/r.jsonl" 2>"$WORK/r.err"
rc=$?
set -e
expect_eq "a failing item: exit 1" "$rc" 1
expect_eq "every item reported once" "$(jq -r .id "$WORK/r.jsonl" | sort | tr '\n' ' ')" \
	"bad-query clock-held clock-now empty empty-ok unreachable up-held up-now up-zero "
jq -c . "$WORK/r.jsonl" | sed 's/^/# /'

expect_eq "up == 1 passes" "$(field "$WORK/r.jsonl" up-now .status)" pass
expect_match "its summary" "$(field "$WORK/r.jsonl" up-now .summary)" '^every sample == 1 \(1 series, 1 samples; worst 1\)$'
expect_eq "its evidence: the query" "$(field "$WORK/r.jsonl" up-now .evidence.query)" up
expect_eq "its evidence: the server" "$(field "$WORK/r.jsonl" up-now .evidence.server)" self
expect_eq "its evidence: one series" "$(field "$WORK/r.jsonl" up-now .evidence.series)" 1
expect_eq "its evidence: the worst sample's labels" "$(field "$WORK/r.jsonl" up-now .evidence.worst.labels.job)" self

expect_eq "up == 0 fails" "$(field "$WORK/r.jsonl" up-zero .status)" fail
expect_match "naming the series and the value" "$(field "$WORK/r.jsonl" up-zero .summary)" \
	'^1\{__name__="up",instance="127\.0\.0\.1:[0-9]+",job="self"\} is not == 0 \(1 of 1 samples, 1 of 1 series\)$'

expect_eq "up == 1 for 4s passes" "$(field "$WORK/r.jsonl" up-held .status)" pass
expect_match "over the range" "$(field "$WORK/r.jsonl" up-held .summary)" '^every sample == 1 over 4s \(1 series, [45] samples'
expect_eq "a range query: a matrix" "$(field "$WORK/r.jsonl" up-held .evidence.result_type)" matrix

expect_eq "time() > now-2 holds now" "$(field "$WORK/r.jsonl" clock-now .status)" pass
expect_eq "but not for the last 6s" "$(field "$WORK/r.jsonl" clock-held .status)" fail
expect_match "its first samples are the worst" "$(field "$WORK/r.jsonl" clock-held .summary)" \
	"is not > $((now - 2)) \\([0-9]+ of [0-9]+ samples, 1 of 1 series over 6s\\)$"
worst=$(field "$WORK/r.jsonl" clock-held .evidence.worst.value)
at=$(field "$WORK/r.jsonl" clock-held .evidence.worst.at)
# time()'s value is its own sample's time: the worst is the earliest sample
expect_true "the worst sample ($worst at $at) is the earliest, and fails" python3 -c "
import sys, datetime
at = datetime.datetime.strptime('$at', '%Y-%m-%dT%H:%M:%S.%fZ').replace(tzinfo=datetime.timezone.utc).timestamp()
sys.exit(0 if abs(float('$worst') - at) < 0.002 and float('$worst') <= $now - 2 else 1)"
expect_eq "7 samples, one a second over 6 s" "$(field "$WORK/r.jsonl" clock-held .evidence.samples)" 7

expect_eq "an empty result fails" "$(field "$WORK/r.jsonl" empty .summary)" "no series"
expect_eq "unless empty_ok" "$(field "$WORK/r.jsonl" empty-ok .status)" pass
expect_eq "a bad query fails" "$(field "$WORK/r.jsonl" bad-query .status)" fail
expect_match "in Prometheus's words" "$(field "$WORK/r.jsonl" bad-query .summary)" '^prometheus: bad_data: .*parse error'
expect_eq "an unreachable server fails" "$(field "$WORK/r.jsonl" unreachable .status)" fail
expect_match "naming the server" "$(field "$WORK/r.jsonl" unreachable .summary)" "^prometheus 'gone': "
finish
