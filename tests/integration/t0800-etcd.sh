#!/usr/bin/env bash
# ctest-labels: slow
# A real Go service nobody here wrote: etcd 3.6 (tests/targets/etcd, built
# from the Go module proxy through a wrapper around etcdmain), under a load
# client (tests/targets/etcdload) that ramps from 2 to 40 clients over 10 s,
# each on its own gRPC connection. preflight check (5 s window) and
# preflight goroutines run during the ramp. A smoke scenario: it asserts
# only that the runs complete, the JSON is valid and names the right pid;
# every check's status and every leak suspect are recorded as TAP comments
# (the evidence for issue 7, whose acceptance tests will assert on them).
# Then the same etcd over TLS on 0.0.0.0: /debug/pprof/ is served on the
# https client listener, and what sec.pprof-exposure says is recorded.
# Skipped (77) when the module proxy cannot be reached and the modules are
# not in the module cache. Only 127.0.0.1 is ever connected to.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_etcd.sh"
need jq curl

t_build=$SECONDS
need_etcd
echo "# etcd and etcdload built or found in $((SECONDS - t_build)) s: $ETCD_BIN, $ETCDLOAD_BIN"
echo "# $(GOTOOLCHAIN=local "$("$SRCDIR/scripts/find-go.sh")" version -m "$ETCD_BIN" |
	awk '$1 == "dep" && $2 == "go.etcd.io/etcd/server/v3" { s = $3 } NR == 1 { g = $2 } END { print "etcd server " s ", built with " g }')"

# comment_checks FILE: every check of a JSON report as a TAP comment.
comment_checks() {
	jq -r '.checks[] | "# check \(.check) \(.status): \(.summary)"' "$1"
}

# comment_suspects LABEL FILE JQPATH: each suspect at JQPATH as a comment.
comment_suspects() {
	jq -r --arg l "$1" "($3 // [])"' | if length == 0 then "# \($l): no suspect" else
		.[] | "# \($l) suspect: \(.site) created by \(.created_by // "?"): \(.count) (\(.counts // [] | map(tostring) | join(" -> "))), \(.state // "" | if . == "" then "state ?" else . end), \(.reason); pattern: \(.pattern)" end' "$2"
}

# ---- plain etcd on loopback under a ramping load -----------------------------

start_etcd url pid
expect_match "etcd answers /health as healthy" \
	"$(curl -s --noproxy '*' --max-time 5 "$url/health")" '"health":"true"'
expect_eq "etcd serves /debug/pprof/ on its client URL (--enable-pprof)" \
	"$(curl -s --noproxy '*' --max-time 5 -o /dev/null -w '%{http_code}' "$url/debug/pprof/")" 200
echo "# /debug/pprof/ on the metrics listener ($ETCD_METRICS_URL): HTTP $(curl -s --noproxy '*' --max-time 5 -o /dev/null -w '%{http_code}' "$ETCD_METRICS_URL/debug/pprof/")"
echo "# etcd idle: $(etcd_goroutines "$url") goroutines"

start_etcdload lpid -endpoints "$url" -clients-start 2 -clients-end 40 -ramp 10s \
	-duration "${ETCD_LOAD_DURATION:-16s}" -rate 10
t_load=$SECONDS
echo "# load started (pid $lpid): 2 clients, $(etcd_goroutines "$url") goroutines in etcd"

# check and goroutines at once, both inside the 10 s ramp; each under pf's
# hang guard, in a subshell that leaves the exit code in a file.
( pf_json "$WORK/check.stdout" --pid "$pid" --window 5s -o "$WORK/check.json"
  echo "$PF_RC $((SECONDS - t_load))" >"$WORK/check.rc" ) &
p_check=$!
( pf "$WORK/goroutines.json" goroutines --format json "$url"
  echo "$PF_RC $((SECONDS - t_load))" >"$WORK/goroutines.rc" ) &
p_gr=$!
wait "$p_check" "$p_gr" || true
read -r check_rc check_end <"$WORK/check.rc" || check_rc=missing
read -r gr_rc gr_end <"$WORK/goroutines.rc" || gr_rc=missing
echo "# check ended ${check_end:-?} s and goroutines ${gr_end:-?} s after the load started (the ramp is 10 s)"

PF_RC=$check_rc _pf_last_err="$WORK/check.stdout.err"
expect_rc "check --pid etcd --window 5s completes (0 or 1)" 0 1
expect_true "check's JSON is valid" json_ok "$WORK/check.json"
expect_eq "check's target.pid is etcd's" "$(jq -r '.target.pid' "$WORK/check.json" 2>/dev/null)" "$pid"
if json_ok "$WORK/check.json"; then
	echo "# check summary: $(jq -c '.summary' "$WORK/check.json")"
	echo "# check listeners: $(jq -c '.target.listeners' "$WORK/check.json")"
	comment_checks "$WORK/check.json"
	comment_suspects "check go.goroutine-leak" "$WORK/check.json" \
		'[.checks[] | select(.check == "go.goroutine-leak")][0].evidence.suspects'
fi

PF_RC=$gr_rc _pf_last_err="$WORK/goroutines.json.err"
expect_rc "goroutines URL completes (0 or 1)" 0 1
expect_true "goroutines' JSON is valid, with its snapshots" \
	jq -e '(.snapshots | length) >= 2 and (.groups | type) == "array"' "$WORK/goroutines.json"
if jq -e . "$WORK/goroutines.json" >/dev/null 2>&1; then
	echo "# goroutines snapshots: $(jq -c '[.snapshots[].total]' "$WORK/goroutines.json") goroutines, detail: $(jq -c '.detail.total // null' "$WORK/goroutines.json")"
	comment_suspects "goroutines URL" "$WORK/goroutines.json" '.suspects'
fi

# The load reaches its 40 clients (bounded: its status line every second).
for ((i = 0; i < 300; i++)); do
	grep -q ' clients=40 ' "${_etcdload_log[$lpid]}" && break
	sleep 0.1
done
echo "# etcd under 40 clients: $(etcd_goroutines "$url") goroutines"
expect_true "the load ends by itself" wait_etcdload "$lpid" 60
done_line=$(grep ' done after ' "${_etcdload_log[$lpid]}" || true)
echo "# load: ${done_line#*: }"
expect_match "the load reached 40 clients" "$done_line" ' clients=40 '
echo "# etcd after the load: $(etcd_goroutines "$url") goroutines"
stop_etcd "$pid"

# ---- etcd over TLS, client listener on 0.0.0.0 --------------------------------

if ! command -v openssl >/dev/null 2>&1; then
	skip_one "etcd over TLS" "openssl is not installed"
	finish
fi
start_etcd_tls turl tpid
tport=${turl##*:}
expect_eq "TLS: the client listener is bound to every address" \
	"$(ss -Htlnp "sport = :$tport" 2>/dev/null | grep -c "pid=$tpid,")" 1
expect_match "TLS: ... and not to loopback only" \
	"$(ss -Htlnp "sport = :$tport" 2>/dev/null | awk '{ print $4 }')" "^(\\*|0\\.0\\.0\\.0|\\[::\\]):$tport\$"
expect_eq "TLS: /debug/pprof/ answers on the https client URL" \
	"$(curl -s --noproxy '*' --max-time 5 --cacert "$ETCD_CACERT" -o /dev/null -w '%{http_code}' "$turl/debug/pprof/")" 200
expect_match "TLS: ... with pprof's index" \
	"$(curl -s --noproxy '*' --max-time 5 --cacert "$ETCD_CACERT" "$turl/debug/pprof/")" 'goroutine\?debug=1'
echo "# TLS: plain http://127.0.0.1:$tport/debug/pprof/ gets HTTP $(curl -s --noproxy '*' --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$tport/debug/pprof/")"
start_etcdload tlpid -endpoints "$turl" -cacert "$ETCD_CACERT" -clients-start 2 -clients-end 4 \
	-ramp 1s -duration 3s
expect_true "TLS: the load client works over https with the test CA" wait_etcdload "$tlpid" 30
pf_json "$WORK/check-tls.stdout" --pid "$tpid" --window 0 -o "$WORK/check-tls.json"
expect_rc "TLS: check --pid completes (0 or 1)" 0 1
expect_eq "TLS: check's target.pid is etcd's" "$(jq -r '.target.pid' "$WORK/check-tls.json" 2>/dev/null)" "$tpid"
if json_ok "$WORK/check-tls.json"; then
	echo "# TLS check listeners: $(jq -c '.target.listeners' "$WORK/check-tls.json")"
	echo "# TLS check sec.pprof-exposure $(check_status "$WORK/check-tls.json" sec.pprof-exposure): $(check_field "$WORK/check-tls.json" sec.pprof-exposure summary) (issue 7 wants fail)"
	jq -r '.checks[] | select(.layer == "runtime" and .check != "sec.pprof-exposure")
		| "# TLS check \(.check) \(.status): \(.summary)"' "$WORK/check-tls.json"
fi
finish
