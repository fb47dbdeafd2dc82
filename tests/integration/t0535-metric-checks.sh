#!/usr/bin/env bash
# The metric.* checks against the demo's own /metrics: a histogram, a
# counter and a gauge the test feeds through /observe while preflight's
# window runs, so the window's observations are known exactly, and every
# verdict is held on both sides of its threshold. Also: --metrics-url,
# an explicit page that does not answer, --window 0.
. "$(dirname "$0")/lib.sh"
need jq curl

DEMO_BIN=$(build_go_target demo)
start_demo -- -addr 127.0.0.1:0 -debug-addr 127.0.0.1:0 -metrics
svc=$(demo_addr service)
observe() { curl -fsS "http://$svc/observe?$1" >/dev/null || die "observe $1 failed"; }
# Observations before the window are not the window's.
observe 'v=0.5&n=1000'

cat >"$WORK/m.yaml" <<'YAML'
version: 1
items:
  # Every window below gets 100 observations of 3 ms: all in (2.5 ms, 5 ms],
  # p99 = 2.5 + 2.5 * 99/100 = 4.975 ms.
  - id: p99-pass
    check: metric.quantile
    params: {metric: demo_request_duration_seconds, quantile: 0.99, warn: 0.005, fail: 0.01}
  - id: p99-warn
    check: metric.quantile
    params: {metric: demo_request_duration_seconds, quantile: 0.99, warn: 0.0049, fail: 0.01}
  - id: p99-fail
    check: metric.quantile
    params: {metric: demo_request_duration_seconds, quantile: 0.99, fail: 0.0049}
  - id: p50
    check: metric.quantile
    params: {metric: demo_request_duration_seconds, quantile: 0.5, fail: 0.01}
  - id: rate
    check: metric.rate
    params: {metric: 'demo_requests_total{code="200"}', warn: 1000000}
  - id: increase-pass
    check: metric.increase
    params: {metric: demo_requests_total, fail: 100}
  - id: increase-fail
    check: metric.increase
    params: {metric: demo_requests_total, fail: 99}
  - id: errors
    check: metric.increase
    params: {metric: 'demo_requests_total{code="500"}', fail: 0}
  - id: queue
    check: metric.gauge
    params: {metric: demo_queue_depth, warn: 5, fail: 10}
  - id: typo
    check: metric.gauge
    params: {metric: demo_queue_dept, fail: 1}
YAML

ev() { jq -r --arg id "$2" --arg k "$3" '[.checks[] | select(.id == $id)][0].evidence[$k] // "absent"' "$1"; }
st() { jq -r --arg id "$2" '[.checks[] | select(.id == $id)][0].status // "absent"' "$1"; }

reads() { curl -fsS "http://$svc/metric-reads"; }

# The window: preflight reads the page at its start and end; the test adds
# its observations in between: once the demo has served /metrics twice
# more (the listener probe, then the window's first read).
run_window() { # OUT EXTRA-ARGS...
	local out=$1 before i
	shift
	before=$(reads)
	# In a subshell: its exit status carries preflight's (PF_RC is set there).
	(pf_json "$out" --pid "$DEMO_PID" --window 3s --checklist "$WORK/m.yaml" "$@"; exit "$PF_RC") &
	local pid=$!
	for ((i = 0; i < 250; i++)); do
		[ "$(reads)" -ge $((before + 2)) ] && break
		sleep 0.01
	done
	observe 'v=0.003&n=100&queue=7'
	if wait "$pid"; then PF_RC=0; else PF_RC=$?; fi
	_pf_last_err="$out.err"
}

run_window "$WORK/a.json"
json_ok "$WORK/a.json" || { show "$WORK/a.json.err"; die "no report"; }
expect_eq "p99 below warn: pass" "$(st "$WORK/a.json" p99-pass)" pass
expect_num "... the value is histogram_quantile's 4.975 ms" "$(ev "$WORK/a.json" p99-pass value)" '==' 0.004975
expect_eq "... 100 observations in the window" "$(ev "$WORK/a.json" p99-pass observations)" 100
expect_eq "... in the bucket (2.5 ms, 5 ms]" \
	"$(ev "$WORK/a.json" p99-pass bucket_lower) $(ev "$WORK/a.json" p99-pass bucket_upper)" "0.0025 0.005"
expect_match "... the summary says it" "$(jq -r '.checks[] | select(.id == "p99-pass") | .summary' "$WORK/a.json")" \
	'^demo_request_duration_seconds p99 over [0-9.]+ s = 4.9[78] ms \(warn 5 ms, fail 10 ms\)'
expect_eq "p99 just above warn: warn" "$(st "$WORK/a.json" p99-warn)" warn
expect_eq "p99 just above fail: fail" "$(st "$WORK/a.json" p99-fail)" fail
expect_rc "a run with failing metric items exits 1" 1
expect_num "p50 = 2.5 + 2.5 * 50/100 ms" "$(ev "$WORK/a.json" p50 value)" '==' 0.00375
w=$(ev "$WORK/a.json" rate window_s)
expect_num "the window between the two reads is about 3 s" "$w" ">" 1.5
expect_num "... and not more than the run" "$w" '<' 10
expect_eq "the counter increased by 100" "$(ev "$WORK/a.json" rate increase)" 100
expect_eq "rate = 100 / window" "$(jq -n --argjson w "$w" --argjson r "$(ev "$WORK/a.json" rate rate)" \
	'(($r - 100 / $w) | fabs) < 1e-9')" true
expect_eq "increase 100 at fail 100: pass (equal passes)" "$(st "$WORK/a.json" increase-pass)" pass
expect_eq "increase 100 above fail 99: fail" "$(st "$WORK/a.json" increase-fail)" fail
expect_eq "a code=500 series that never appeared: skip" "$(st "$WORK/a.json" errors)" skip
expect_eq "the gauge's last value 7 (warn 5, fail 10): warn" "$(st "$WORK/a.json" queue)" warn
expect_eq "a misspelt metric: error" "$(st "$WORK/a.json" typo)" error
expect_match "... naming the one meant" "$(jq -r '.checks[] | select(.id == "typo") | .summary' "$WORK/a.json")" \
	"did you mean 'demo_queue_depth'"
expect_eq "the page read is the service listener's" "$(ev "$WORK/a.json" queue url)" "http://$svc/metrics"

# --metrics-url: the same page given explicitly; one that refuses is an error.
run_window "$WORK/b.json" --metrics-url "http://$svc/metrics"
expect_eq "--metrics-url: the same verdict" "$(st "$WORK/b.json" p99-pass)" pass
expect_num "... the same p99" "$(ev "$WORK/b.json" p99-pass value)" '==' 0.004975
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
pf_json "$WORK/c.json" --pid "$DEMO_PID" --window 1s --checklist "$WORK/m.yaml" --metrics-url "http://127.0.0.1:$port/metrics"
expect_rc "a page that cannot be read: exit 1" 1
expect_eq "... every metric item is an error" "$(jq -r '[.checks[] | .status] | unique | join(",")' "$WORK/c.json")" error
expect_match "... naming the URL" "$(jq -r '.checks[0].summary' "$WORK/c.json")" "127.0.0.1:$port/metrics"
pf "$WORK/d.out" check --pid "$DEMO_PID" --metrics-url ftp://x/metrics
expect_rc "--metrics-url must be http(s): usage error" 2

# --window 0: one read; rates and quantiles skip, the gauge is judged.
pf_json "$WORK/e.json" --pid "$DEMO_PID" --window 0 --checklist "$WORK/m.yaml"
expect_eq "window 0: quantile skips" "$(st "$WORK/e.json" p99-pass)" skip
expect_eq "... rate skips" "$(st "$WORK/e.json" rate)" skip
expect_eq "... the gauge is judged" "$(st "$WORK/e.json" queue)" warn

# No observation in the window: skip, not pass.
pf_json "$WORK/f.json" --pid "$DEMO_PID" --window 1s --checklist "$WORK/m.yaml"
expect_eq "no observations in the window: skip" "$(st "$WORK/f.json" p99-pass)" skip
expect_match "... saying so" "$(jq -r '.checks[] | select(.id == "p99-pass") | .summary' "$WORK/f.json")" \
	'no observations in the window'
finish
