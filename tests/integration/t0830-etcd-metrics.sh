#!/usr/bin/env bash
# ctest-labels: slow
# examples/etcd.yaml against a real etcd 3.6 (tests/targets/etcd) under the
# load client: every item is judged (no error), from the metrics listener
# etcd has of its own (--listen-metrics-urls) or the client listener, both
# of which the probes find, and from --metrics-url; the numbers are
# plausible against what etcd's own /metrics says. Skipped (77) as t0800
# is when etcd cannot be built. Only 127.0.0.1 is connected to.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_etcd.sh"
need jq curl

need_etcd
start_etcd url pid
start_etcdload lpid -endpoints "$url" -clients-start 4 -clients-end 12 -ramp 4s -duration 30s -rate 20
pack=$SRCDIR/examples/etcd.yaml
n_items=$(grep -c '^  - id:' "$pack")

st() { jq -r --arg id "$2" '[.checks[] | select(.id == $id)][0].status // "absent"' "$1"; }
ev() { jq -r --arg id "$2" --arg k "$3" '[.checks[] | select(.id == $id)][0].evidence[$k] // "absent"' "$1"; }

for how in probed explicit; do
	extra=()
	[ "$how" = explicit ] && extra=(--metrics-url "$ETCD_METRICS_URL/metrics")
	pf_json "$WORK/$how.json" --pid "$pid" --window 5s --checklist "$pack" "${extra[@]}"
	expect_rc "$how: check completes (0 or 1)" 0 1
	jq -r '.checks[] | "# \(.id) \(.status): \(.summary)"' "$WORK/$how.json"
	expect_eq "$how: every item of examples/etcd.yaml is reported" "$(jq '.checks | length' "$WORK/$how.json")" "$n_items"
	expect_eq "$how: no item is in error" \
		"$(jq -r '[.checks[] | select(.status == "error") | .id] | join(",")' "$WORK/$how.json")" ""
	expect_match "$how: the page is on loopback" "$(ev "$WORK/$how.json" etcd-has-leader url)" '^http://127\.0\.0\.1:[0-9]+/metrics$'
	expect_eq "$how: a one-member etcd has a leader" "$(st "$WORK/$how.json" etcd-has-leader)" pass
	expect_eq "$how: ... and no leader change in the window" "$(st "$WORK/$how.json" etcd-leader-changes)" pass
	expect_eq "$how: ... nor failed proposals" "$(st "$WORK/$how.json" etcd-proposals-failed)" pass
	for id in etcd-wal-fsync-p99 etcd-backend-commit-p99; do
		s=$(st "$WORK/$how.json" "$id")
		expect_in "$how: $id judged under load" "$s" pass warn fail
		v=$(ev "$WORK/$how.json" "$id" value)
		expect_num "$how: $id p99 > 0" "$v" '>' 0
		expect_num "$how: ... and below 10 s" "$v" '<' 10
		expect_num "$how: ... from observations in the window" "$(ev "$WORK/$how.json" "$id" observations)" '>' 0
		w=$(ev "$WORK/$how.json" "$id" window_s)
		expect_num "$how: ... a window of about 5 s" "$w" '>' 3
		expect_num "$how: ... (not more)" "$w" '<' 15
	done
done
expect_eq "explicit: the page read is --metrics-url" "$(ev "$WORK/explicit.json" etcd-has-leader url)" \
	"$ETCD_METRICS_URL/metrics"

# Plausible against etcd itself: the window's fsyncs are at most all fsyncs
# so far, and at least one per second of load (20 puts a second).
total=$(curl -s --noproxy '*' --max-time 5 "$ETCD_METRICS_URL/metrics" |
	awk '$1 == "etcd_disk_wal_fsync_duration_seconds_count" { print $2 }')
obs=$(ev "$WORK/explicit.json" etcd-wal-fsync-p99 observations)
expect_num "the window's WAL fsyncs ($obs) are at most etcd's total" "$obs" '<=' "$total"
expect_num "... and at least a few per second under load" "$obs" '>=' 5
expect_true "the load ends by itself" wait_etcdload "$lpid" 60
finish
