#!/usr/bin/env bash
# ctest-labels: slow
# No false alarm on a healthy etcd (issue 7). The recorded debug=2 dump of
# etcd 3.6 after 331 s of uptime with 4 steady clients (64 goroutines:
# main, the signal loop, purge and monitor loops, gRPC transports and watch
# streams, many blocked for 5 minutes) gives no suspect; before the rules
# of docs/goroutines.md it gave 17. Then a live etcd under the load client
# ramping from 2 to 40 clients (each on its own gRPC connection), with
# `goroutines URL` and `check --pid` inside the ramp: no suspect, and
# go.goroutine-leak pass or skip, on ETCD_LEAK_RUNS runs in a row (3 by
# default so CI stays fast; issue 7 asks for 10 once). Skipped (77) as
# t0800 is when etcd cannot be built. Only 127.0.0.1 is connected to.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_etcd.sh"
need jq curl

FX=$SRCDIR/tests/fixtures/goroutines

# suspects_text FILE JQPATH: the suspects as one line each, for the TAP
# diagnostics when one shows up.
suspects_text() {
	jq -r "($2 // [])[] | \"\(.site) created by \(.created_by // \"?\"): \(.count), \(.reason); \(.pattern)\"" "$1" 2>/dev/null
}

# ---- the recorded dump ----------------------------------------------------------

for f in etcd-3.6-5min-debug2.txt etcd-3.6-5min-debug1.txt; do
	pf "$WORK/$f.json" goroutines --format json "$FX/$f"
	expect_rc "$f: exit 0 (no suspect)" 0
	expect_eq "$f: no suspect" "$(jq '.suspects | length' "$WORK/$f.json")" 0
done
expect_eq "the debug=2 fixture still has its 64 goroutines" \
	"$(jq '.snapshots[0].total' "$WORK/etcd-3.6-5min-debug2.txt.json")" 64

# ---- a live etcd under a ramping load --------------------------------------------

need_etcd
start_etcd url pid
runs=${ETCD_LEAK_RUNS:-3}
clean=0
for ((run = 1; run <= runs; run++)); do
	start_etcdload lpid -endpoints "$url" -clients-start 2 -clients-end 40 -ramp 10s \
		-duration "${ETCD_LOAD_DURATION:-16s}" -rate 10
	# both inside the 10 s ramp, each under pf's hang guard, in a
	# subshell that leaves the exit code in a file
	( pf_json "$WORK/check.$run.stdout" --pid "$pid" --window 5s -o "$WORK/check.$run.json"
	  echo "$PF_RC" >"$WORK/check.$run.rc" ) &
	p_check=$!
	( pf "$WORK/gr.$run.json" goroutines --format json "$url"
	  echo "$PF_RC" >"$WORK/gr.$run.rc" ) &
	p_gr=$!
	wait "$p_check" "$p_gr" || true
	read -r check_rc <"$WORK/check.$run.rc" || check_rc=missing
	read -r gr_rc <"$WORK/gr.$run.rc" || gr_rc=missing

	PF_RC=$gr_rc _pf_last_err="$WORK/gr.$run.json.err"
	expect_rc "run $run: goroutines URL exits 0 (no suspect)" 0
	n_gr=$(jq '.suspects | length' "$WORK/gr.$run.json" 2>/dev/null || echo '?')
	if [ "$n_gr" = 0 ]; then
		_ok "run $run: goroutines URL: no suspect ($(jq -c '[.snapshots[].total]' "$WORK/gr.$run.json") goroutines)"
	else
		mapfile -t lines < <(suspects_text "$WORK/gr.$run.json" .suspects)
		_not_ok "run $run: goroutines URL: no suspect" "${lines[@]}"
	fi

	PF_RC=$check_rc _pf_last_err="$WORK/check.$run.stdout.err"
	expect_rc "run $run: check --pid completes (0 or 1)" 0 1
	st=$(check_status "$WORK/check.$run.json" go.goroutine-leak)
	if [ "$st" = pass ] || [ "$st" = skip ]; then
		_ok "run $run: check go.goroutine-leak $st: $(check_field "$WORK/check.$run.json" go.goroutine-leak summary)"
	else
		mapfile -t lines < <(suspects_text "$WORK/check.$run.json" \
			'[.checks[] | select(.check == "go.goroutine-leak")][0].evidence.suspects')
		_not_ok "run $run: check go.goroutine-leak pass or skip (is '$st')" "${lines[@]}"
	fi
	[ "$n_gr" = 0 ] && { [ "$st" = pass ] || [ "$st" = skip ]; } && clean=$((clean + 1))
	expect_true "run $run: the load ends by itself" wait_etcdload "$lpid" 60
done
echo "# $clean of $runs runs in a row without a suspect"
stop_etcd "$pid"
finish
