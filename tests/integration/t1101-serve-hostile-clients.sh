#!/bin/bash
# ctest-labels: slow
# preflight serve against clients that misbehave: a slowloris head (one
# byte every 0.3 s) gets 408 within the head deadline while a normal client
# is served meanwhile; a body that trickles gets 408 too; a body over
# --max-body gets 413 (by its Content-Length, before it is sent, or past
# the limit when chunked); Content-Length lies, malformed requests, a huge
# header, too many connections from one address, an unknown path (404) and
# a wrong method (405 with Allow). After each the server still answers.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_serve.sh"
need curl python3 jq

serve_tokens "$WORK/tokens" "ann:ann-0123456789abcdef"
start_serve --listen 127.0.0.1:0 --db "$WORK/db.sqlite" --tokens "$WORK/tokens" --no-notify \
	--header-timeout 2s --max-body 4096 --max-per-ip 6 --access-log
port=${SERVE_URL##*:}
hc() { timeout 30 python3 "$SRCDIR/tests/integration/hostile_client.py" "$port" "$1"; }
alive() { expect_eq "$1: the server still answers /healthz" "$(hc healthz)" "HTTP/1.1 200 OK"; }

out=$(hc slowloris)
expect_eq "slowloris: 408" "$(sed -n 1p <<<"$out")" "HTTP/1.1 408 Request Timeout"
expect_match "slowloris: a JSON error" "$(sed -n 2p <<<"$out")" '"code":"request_timeout"'
expect_in "slowloris: within the 2 s deadline (and the reaper's tick)" "$(sed -n 's/^took=//p' <<<"$out")" 1 2 3
expect_eq "slowloris: another client was served meanwhile" "$(sed -n 's/^other=//p' <<<"$out")" "HTTP/1.1 200 OK"
expect_eq "slowloris: ... at once" "$(sed -n 's/^other_fast=//p' <<<"$out")" yes
alive slowloris

out=$(hc slowbody)
expect_eq "a body trickling in: 408" "$(sed -n 1p <<<"$out")" "HTTP/1.1 408 Request Timeout"
expect_in "... within the deadline" "$(sed -n 's/^took=//p' <<<"$out")" 1 2 3
alive "slow body"

out=$(hc bigbody)
expect_eq "Content-Length over --max-body: 413 before the body is sent" "$(sed -n 1p <<<"$out")" \
	"HTTP/1.1 413 Content Too Large"
expect_match "... a JSON error" "$(sed -n 2p <<<"$out")" '"code":"payload_too_large".*4096 bytes'
out=$(hc bigchunked)
expect_eq "a chunked body past --max-body: 413" "$(sed -n 1p <<<"$out")" "HTTP/1.1 413 Content Too Large"
expect_match "... a JSON error" "$(sed -n 2p <<<"$out")" '"code":"payload_too_large"'
alive "big bodies"

out=$(hc cl-long)
expect_match "a body longer than its Content-Length: the first request answered" "$(sed -n 1p <<<"$out")" \
	"^HTTP/1.1 303 "
expect_match "... the rest refused as a malformed request (or the connection closed)" \
	"$(sed -n 's/^answers=//p' <<<"$out")" "^[12]$"
out=$(hc cl-short)
expect_eq "a body shorter than its Content-Length: 408 once the deadline passes" "$(sed -n 1p <<<"$out")" \
	"HTTP/1.1 408 Request Timeout"
alive "Content-Length lies"

while read -r line; do
	expect_match "a malformed request: a 4xx, 505 or closed ($line)" "$line" "^(HTTP/1.1 (4[0-9][0-9]|505) |closed$)"
done < <(hc malformed)
alive "malformed requests"
expect_match "a 200 KB header: refused" "$(hc bigheader)" "^(HTTP/1.1 4[0-9][0-9] |closed$)"
alive "a huge header"

out=$(hc per-ip:10)
expect_eq "10 connections from one address with --max-per-ip 6: 6 served" "$(sed -n 's/^answered=//p' <<<"$out")" 6
expect_eq "... 4 closed at once" "$(sed -n 's/^refused=//p' <<<"$out")" 4
alive "too many connections"

body=$(curl -s -w '\n%{http_code}' "$SERVE_URL/no/such/path")
expect_eq "an unknown path: 404" "$(tail -n1 <<<"$body")" 404
expect_eq "... a JSON error" "$(head -n1 <<<"$body" | jq -r .error.code)" not_found
hdrs=$(curl -s -D - -o "$WORK/405" -X DELETE "$SERVE_URL/healthz")
expect_match "a wrong method: 405" "$hdrs" "^HTTP/1.1 405 "
expect_match "... with Allow" "$hdrs" "Allow: GET, HEAD"
expect_eq "... a JSON error" "$(jq -r .error.code "$WORK/405")" method_not_allowed

code=$(curl -s -o /dev/null -w '%{http_code}' "$SERVE_URL/x%0Aforged%20login:%20admin%0D")
expect_eq "a path with an encoded line break: 404" "$code" 404
expect_true "the server is still running" kill -0 "$SERVE_PID"
stop_serve
expect_eq "and stops with exit 0" "$SERVE_RC" 0
expect_match "the log names the 408s" "$(cat "$SERVE_ERR")" "request head not complete after 2s: 408"
expect_eq "the access log quotes it on one line: no forged line" "$(grep -c '^forged' "$SERVE_ERR" || true)" 0
expect_match "... its control bytes shown as ?" "$(cat "$SERVE_ERR")" 'GET /x\?forged login: admin\? 404 '
finish
