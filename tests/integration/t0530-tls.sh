#!/usr/bin/env bash
# pprof over TLS: the demo's debug listener (/debug/pprof/, /debug/vars)
# served over https with a certificate signed by a CA the test makes with
# openssl. The listener is found as TLS; sec.pprof-exposure sees pprof
# there without trusting the certificate (fail on 0.0.0.0, pass on
# 127.0.0.1); the runtime checks verify it by default, so without --cacert
# they are errors that name the URL and the fix, with --cacert or
# --insecure they read the runtime, and with another CA they are errors.
# goroutines, contention and watch on an https:// URL take the same
# options. A TLS server that is not Go (openssl s_server) is found too. Only 127.0.0.1 is ever connected to.
. "$(dirname "$0")/lib.sh"
need jq openssl
# TLS handshakes cost CPU on both sides: on a machine loaded far beyond its
# cores (load 13 on 2, an ASan build) one took longer than 10 s, and the
# error a check shows is then a timeout instead of the certificate's.
TLS_TIMEOUT=${TLS_TIMEOUT:-30}

DEMO_BIN=$(build_go_target demo)

# make_ca DIR NAME: a self-signed CA (DIR/ca.crt, DIR/ca.key).
make_ca() {
	mkdir -p "$1"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$1/ca.key" -out "$1/ca.crt" -days 2 -subj "/CN=$2" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" >>"$WORK/openssl.log" 2>&1 ||
		{ show "$WORK/openssl.log"; die "openssl could not make a CA in $1"; }
}
# make_server DIR: a server certificate for 127.0.0.1, ::1 and localhost
# signed by DIR's CA (DIR/server.crt, DIR/server.key).
make_server() {
	(
		cd "$1" &&
			openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
				-keyout server.key -out server.csr -subj "/CN=127.0.0.1" &&
			printf '%s\n' "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost" \
				"extendedKeyUsage=serverAuth" "keyUsage=critical,digitalSignature" >server.ext &&
			openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
				-days 2 -extfile server.ext -out server.crt
	) >>"$WORK/openssl.log" 2>&1 || { show "$WORK/openssl.log"; die "openssl could not sign in $1"; }
}
make_ca "$WORK/tls" "preflight test CA"
make_server "$WORK/tls"
make_ca "$WORK/other" "another CA"
CA=$WORK/tls/ca.crt
tls_flags=(-debug-tls-cert "$WORK/tls/server.crt" -debug-tls-key "$WORK/tls/server.key")
plain_go=(env -u GOMAXPROCS -u GOMEMLIMIT -u GODEBUG)

# endpoint_of FILE PORT FIELD: a field of the exposure evidence's endpoint
# on PORT ("absent" when missing).
endpoint_of() {
	jq -r --arg p ":$2" --arg f "$3" '[.checks[] | select(.check == "sec.pprof-exposure")][0].evidence.endpoints
		| map(select(.addr | endswith($p)))[0][$f] | if . == null then "absent" else . end' "$1"
}
# runtime_status FILE: "check=status" of every runtime check but the exposure's.
runtime_status() {
	jq -r '[.checks[] | select(.layer == "runtime" and (.check | startswith("go.")))
		| "\(.check)=\(.status)"] | join(" ")' "$1"
}

# ---- on 0.0.0.0 ----------------------------------------------------------------
start_demo "${plain_go[@]}" -- -addr 127.0.0.1:0 -debug-addr 0.0.0.0:0 "${tls_flags[@]}"
pid=$DEMO_PID
dport=$(demo_addr debug)
dport=${dport##*:}
expect_match "the demo serves its debug listener over TLS" "$(cat "$DEMO_LOG")" 'debug-tls=yes'
expect_match "... curl --cacert reads its pprof index" \
	"$(curl -s --noproxy '*' --max-time 5 --cacert "$CA" "https://127.0.0.1:$dport/debug/pprof/")" 'goroutine\?debug=1'

pf_json "$WORK/any.json" --timeout "$TLS_TIMEOUT" --pid "$pid" --window 0
expect_rc "check without --cacert exits 1 (exposure fails, runtime checks in error)" 1
expect_eq "the listener is found as TLS" "$(endpoint_of "$WORK/any.json" "$dport" tls)" true
expect_eq "... and pprof is seen on it" "$(endpoint_of "$WORK/any.json" "$dport" pprof)" true
expect_eq "... its certificate did not verify against the system's CAs" \
	"$(endpoint_of "$WORK/any.json" "$dport" tls_verified)" false
expect_match "... and the evidence says why" "$(endpoint_of "$WORK/any.json" "$dport" tls_error)" \
	"https://(127\\.0\\.0\\.1|\\[::1\\]):$dport/.*certificate"
expect_eq "the service listener is plain HTTP" \
	"$(endpoint_of "$WORK/any.json" "$(demo_addr service | sed 's/.*://')" tls)" false
expect_eq "pprof over TLS on 0.0.0.0 fails sec.pprof-exposure" \
	"$(check_status "$WORK/any.json" sec.pprof-exposure)" fail
expect_match "... the summary names the port and TLS" \
	"$(check_field "$WORK/any.json" sec.pprof-exposure summary)" ":$dport serves /debug/pprof/ and /debug/vars \\(over TLS\\)"
for c in go.goroutines go.heap-pressure go.goroutine-leak; do
	expect_eq "without --cacert, $c is an error" "$(check_status "$WORK/any.json" "$c")" error
	expect_match "... naming the URL, curl's words and the fix" "$(check_field "$WORK/any.json" "$c" summary)" \
		"https://(127\\.0\\.0\\.1|\\[::1\\]):$dport/.*certificate.*pass --cacert FILE or --insecure"
done
echo "# without --cacert: $(runtime_status "$WORK/any.json")"

pf_json "$WORK/ca.json" --timeout "$TLS_TIMEOUT" --pid "$pid" --window 1s --cacert "$CA"
expect_rc "check --cacert exits 1 (the exposure still fails)" 1
expect_eq "with --cacert the certificate verifies" "$(endpoint_of "$WORK/ca.json" "$dport" tls_verified)" true
expect_eq "... no tls_error" "$(endpoint_of "$WORK/ca.json" "$dport" tls_error)" absent
expect_eq "... sec.pprof-exposure still fails" "$(check_status "$WORK/ca.json" sec.pprof-exposure)" fail
expect_eq "... go.goroutines reads the profile" "$(check_status "$WORK/ca.json" go.goroutines)" pass
expect_num "... and counts the demo's goroutines" "$(check_ev "$WORK/ca.json" go.goroutines count)" ">=" 2
expect_eq "... no runtime check is in error" \
	"$(jq '[.checks[] | select(.layer == "runtime" and .status == "error")] | length' "$WORK/ca.json")" 0
echo "# with --cacert: $(runtime_status "$WORK/ca.json")"

pf_json "$WORK/k.json" --timeout "$TLS_TIMEOUT" --pid "$pid" --window 0 -k
expect_eq "with -k go.goroutines reads the profile" "$(check_status "$WORK/k.json" go.goroutines)" pass
expect_eq "... the certificate is not verified (nor asked)" "$(endpoint_of "$WORK/k.json" "$dport" tls_verified)" false
expect_eq "... and no tls_error" "$(endpoint_of "$WORK/k.json" "$dport" tls_error)" absent
expect_eq "... no runtime check is in error" \
	"$(jq '[.checks[] | select(.layer == "runtime" and .status == "error")] | length' "$WORK/k.json")" 0

pf_json "$WORK/other.json" --timeout "$TLS_TIMEOUT" --pid "$pid" --window 0 --cacert "$WORK/other/ca.crt"
expect_eq "with another CA the exposure still fails" "$(check_status "$WORK/other.json" sec.pprof-exposure)" fail
expect_eq "... and go.goroutines is an error" "$(check_status "$WORK/other.json" go.goroutines)" error
expect_match "... naming the fix" "$(check_field "$WORK/other.json" go.goroutines summary)" \
	'pass --cacert FILE or --insecure'

pf "$WORK/nofile.out" check --pid "$pid" --window 0 --cacert "$WORK/no-such.pem"
expect_rc "an unreadable --cacert is a usage error" 2
expect_match "... naming the file" "$(cat "$WORK/nofile.out.err")" "cacert '.*no-such\\.pem'"

# ---- the commands that take a URL ------------------------------------------
url="https://127.0.0.1:$dport"
pf "$WORK/gr-none.out" goroutines -t "$TLS_TIMEOUT" -n 1 "$url"
expect_rc "goroutines on https:// without --cacert: exit 2" 2
expect_match "... naming the fix" "$(cat "$WORK/gr-none.out.err")" 'pass --cacert FILE or --insecure'
pf "$WORK/gr-ca.out" goroutines -t "$TLS_TIMEOUT" -n 1 --format json --cacert "$CA" "$url"
expect_rc "goroutines --cacert on https://: exit 0" 0
expect_true "... with a snapshot" jq -e '(.snapshots | length) == 1' "$WORK/gr-ca.out"
pf "$WORK/gr-k.out" goroutines -t "$TLS_TIMEOUT" -n 1 -k "$url/debug/pprof/"
expect_rc "goroutines -k on https://: exit 0" 0
pf "$WORK/gr-http.out" goroutines -t "$TLS_TIMEOUT" -n 1 "http://127.0.0.1:$dport"
expect_rc "goroutines on http:// to the TLS port: exit 2" 2
expect_match "... saying the listener speaks TLS" "$(cat "$WORK/gr-http.out.err")" 'speaks TLS; use https://'
echo "not a certificate" >"$WORK/bad.pem"
pf "$WORK/gr-bad.out" goroutines -t "$TLS_TIMEOUT" -n 1 --cacert "$WORK/bad.pem" "$url"
expect_rc "goroutines with a --cacert that is no PEM bundle: exit 2" 2
expect_match "... saying so" "$(cat "$WORK/gr-bad.out.err")" 'bad\.pem.*is the --cacert FILE a PEM bundle'
pf "$WORK/ct-none.out" contention -t "$TLS_TIMEOUT" "$url"
expect_rc "contention on https:// without --cacert: exit 2" 2
expect_match "... naming the fix" "$(cat "$WORK/ct-none.out.err")" 'pass --cacert FILE or --insecure'
pf "$WORK/ct-ca.out" contention -t "$TLS_TIMEOUT" --cacert "$CA" "$url"
expect_rc "contention --cacert: exit 0" 0
pf "$WORK/w-ca.out" watch -t "$TLS_TIMEOUT" -n 2 -i 100ms -d "$WORK/watch" --cacert "$CA" "$url"
expect_rc "watch --cacert: exit 0" 0
pf "$WORK/w-none.out" watch -t "$TLS_TIMEOUT" -n 2 -i 100ms -d "$WORK/watch" "$url"
expect_rc "watch on https:// without --cacert: exit 2 (never answered)" 2
expect_match "... naming the fix" "$(cat "$WORK/w-none.out.err")" 'pass --cacert FILE or --insecure'
stop_demo "$pid"

# ---- on 127.0.0.1 -------------------------------------------------------------
start_demo "${plain_go[@]}" -- -addr 127.0.0.1:0 -debug-addr 127.0.0.1:0 "${tls_flags[@]}"
lport=$(demo_addr debug)
lport=${lport##*:}
pf_json "$WORK/lo.json" --timeout "$TLS_TIMEOUT" --pid "$DEMO_PID" --window 0 --cacert "$CA"
expect_eq "pprof over TLS on 127.0.0.1 passes sec.pprof-exposure" \
	"$(check_status "$WORK/lo.json" sec.pprof-exposure)" pass
expect_eq "... found as TLS, verified" \
	"$(endpoint_of "$WORK/lo.json" "$lport" tls) $(endpoint_of "$WORK/lo.json" "$lport" tls_verified)" "true true"
pf_json "$WORK/lo-none.json" --timeout "$TLS_TIMEOUT" --pid "$DEMO_PID" --window 0
expect_eq "... and passes without --cacert too (the probe looks without trusting)" \
	"$(check_status "$WORK/lo-none.json" sec.pprof-exposure)" pass
expect_eq "... while go.goroutines is an error" "$(check_status "$WORK/lo-none.json" go.goroutines)" error

# ---- a TLS server that is not Go --------------------------------------------
# openssl s_server answers plain HTTP with nothing (no 400 as Go's net/http
# sends): found as TLS all the same, its certificate verified with --cacert.
start_bg spid openssl s_server -accept 127.0.0.1:0 -cert "$WORK/tls/server.crt" -key "$WORK/tls/server.key" -www
slog="$WORK/bg.$_n_started.log"
for ((i = 0; i < 50; i++)); do
	grep -q '^ACCEPT' "$slog" && break
	sleep 0.1
done
sport=$(sed -n 's/^ACCEPT .*:\([0-9]*\)$/\1/p' "$slog")
pf_json "$WORK/sserver.json" --timeout "$TLS_TIMEOUT" --pid "$spid" --window 0 --cacert "$CA"
expect_eq "openssl s_server's listener is found as TLS, verified, answering HTTP" \
	"$(endpoint_of "$WORK/sserver.json" "${sport:-none}" tls) $(endpoint_of "$WORK/sserver.json" "${sport:-none}" tls_verified) $(endpoint_of "$WORK/sserver.json" "${sport:-none}" http)" \
	"true true true"
finish
