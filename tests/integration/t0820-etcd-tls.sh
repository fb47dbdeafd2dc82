#!/usr/bin/env bash
# ctest-labels: slow
# Issue 7's acceptance test for TLS: a real etcd 3.6 (tests/targets/etcd)
# with its client listener, and /debug/pprof/ on it (--enable-pprof), over
# TLS on 0.0.0.0, its certificate signed by a CA made by the test
# (start_etcd_tls). preflight finds the listener as TLS and
# sec.pprof-exposure fails without trusting the certificate; without
# --cacert the runtime checks that read the client listener are errors that
# name the fix; with --cacert "$ETCD_CACERT" they read the runtime, as they
# do with --insecure. Skipped (77) when the module proxy cannot be reached
# and the modules are not in the module cache. Only 127.0.0.1 is ever
# connected to.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_etcd.sh"
need jq curl openssl
# TLS handshakes cost CPU on both sides: on a machine loaded far beyond its
# cores (load 13 on 2, an ASan build) one took longer than 10 s, and the
# error a check shows is then a timeout instead of the certificate's.
TLS_TIMEOUT=${TLS_TIMEOUT:-30}

need_etcd
start_etcd_tls url pid
port=${url##*:}
mport=${ETCD_METRICS_URL##*:}
expect_match "etcd's client listener is bound to every address" \
	"$(ss -Htlnp "sport = :$port" 2>/dev/null | awk '{ print $4 }')" "^(\\*|0\\.0\\.0\\.0|\\[::\\]):$port\$"
expect_match "... and serves pprof's index over https (curl --cacert)" \
	"$(curl -s --noproxy '*' --max-time 5 --cacert "$ETCD_CACERT" "$url/debug/pprof/")" 'goroutine\?debug=1'
echo "# plain http://127.0.0.1:$port/debug/pprof/ gets HTTP $(curl -s --noproxy '*' --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/debug/pprof/" || true)"

# endpoint_of FILE PORT FIELD: the exposure evidence's endpoint on PORT.
endpoint_of() {
	jq -r --arg p ":$2" --arg f "$3" '[.checks[] | select(.check == "sec.pprof-exposure")][0].evidence.endpoints
		| map(select(.addr | endswith($p)))[0][$f] | if . == null then "absent" else . end' "$1"
}
comment_runtime() { # LABEL FILE
	jq -r --arg l "$1" '.checks[] | select(.layer == "runtime") | "# \($l): \(.check) \(.status): \(.summary)"' "$2"
}

pf_json "$WORK/none.json" --timeout "$TLS_TIMEOUT" --pid "$pid" --window 1s
expect_rc "check without --cacert exits 1" 1
comment_runtime "no --cacert" "$WORK/none.json"
expect_eq "the client listener is found as TLS" "$(endpoint_of "$WORK/none.json" "$port" tls)" true
expect_eq "... serving pprof" "$(endpoint_of "$WORK/none.json" "$port" pprof)" true
expect_eq "... its certificate not verified by the system's CAs" \
	"$(endpoint_of "$WORK/none.json" "$port" tls_verified)" false
expect_eq "the metrics listener is plain HTTP" "$(endpoint_of "$WORK/none.json" "$mport" tls)" false
expect_eq "sec.pprof-exposure fails: pprof over TLS on 0.0.0.0" \
	"$(check_status "$WORK/none.json" sec.pprof-exposure)" fail
expect_match "... naming the port and TLS" "$(check_field "$WORK/none.json" sec.pprof-exposure summary)" \
	":$port serves /debug/pprof/.*\\(over TLS\\)"
# pprof is only on the client listener: what reads it cannot read it.
for c in go.goroutines go.goroutine-leak go.mutex-contention; do
	expect_eq "without --cacert, $c is an error" "$(check_status "$WORK/none.json" "$c")" error
	expect_match "... naming the URL and the fix" "$(check_field "$WORK/none.json" "$c" summary)" \
		"https://.*:$port/.*pass --cacert FILE or --insecure"
done

pf_json "$WORK/ca.json" --timeout "$TLS_TIMEOUT" --pid "$pid" --window 1s --cacert "$ETCD_CACERT"
expect_rc "check --cacert exits 1 (the exposure)" 1
comment_runtime "--cacert" "$WORK/ca.json"
expect_eq "with --cacert the certificate verifies" "$(endpoint_of "$WORK/ca.json" "$port" tls_verified)" true
expect_eq "... sec.pprof-exposure still fails" "$(check_status "$WORK/ca.json" sec.pprof-exposure)" fail
expect_eq "... go.goroutines reads etcd's goroutines" "$(check_status "$WORK/ca.json" go.goroutines)" pass
expect_num "... more than a handful" "$(check_ev "$WORK/ca.json" go.goroutines count)" ">=" 20
expect_eq "... no runtime check is in error" \
	"$(jq -r '[.checks[] | select(.layer == "runtime" and .status == "error") | .check] | join(" ")' "$WORK/ca.json")" ""

pf_json "$WORK/k.json" --timeout "$TLS_TIMEOUT" --pid "$pid" --window 0 --insecure
expect_eq "with --insecure go.goroutines reads etcd's goroutines" "$(check_status "$WORK/k.json" go.goroutines)" pass
expect_eq "... sec.pprof-exposure fails" "$(check_status "$WORK/k.json" sec.pprof-exposure)" fail

pf "$WORK/gr.json" goroutines -t "$TLS_TIMEOUT" -n 1 --format json --cacert "$ETCD_CACERT" "$url"
expect_rc "goroutines --cacert on etcd's https:// URL: exit 0 or 1" 0 1
expect_true "... with a snapshot" jq -e '(.snapshots | length) == 1' "$WORK/gr.json"
finish
