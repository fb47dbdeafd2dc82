#!/bin/bash
# preflight serve, the basics a user relies on: it listens on loopback and
# refuses another address without --allow-remote (and warns with it when
# there is no TLS); a bad tokens file is refused with one line that never
# shows the token; /healthz and /metrics (valid for promtool, with the
# latency histogram); https with a certificate from files; SIGHUP reopens
# the log after logrotate moved it; SIGTERM lets a request in flight finish
# and exits 0; no token or cookie ever reaches the log.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_serve.sh"
need curl python3 jq

DB=$WORK/db.sqlite
T_ANN=ann-0123456789abcdef
T_BOB=bob-fedcba9876543210
serve_tokens "$WORK/tokens" "ann:$T_ANN" "# the release crew" "bob:$T_BOB"

# ---- configuration refused: exit 2, one line, no token --------------------------
pf "$WORK/remote" serve --listen 0.0.0.0:0 --db "$DB" --tokens "$WORK/tokens"
expect_rc "a non-loopback address without --allow-remote: exit 2" 2
expect_eq "... one line" "$(wc -l <"$WORK/remote.err")" 1
expect_match "... saying what to give" "$(cat "$WORK/remote.err")" \
	"^preflight serve: refusing to listen on 0\.0\.0\.0:0.*--allow-remote"
expect_eq "... and nothing on stdout (not listening)" "$(cat "$WORK/remote")" ""

bad_tokens() {   # DESC WANT-ERE LINES...
	local d=$1 want=$2
	shift 2
	serve_tokens "$WORK/bad" "$@"
	pf "$WORK/bad.out" serve --listen 127.0.0.1:0 --db "$DB" --tokens "$WORK/bad"
	expect_rc "$d: exit 2" 2
	expect_eq "$d: one line" "$(wc -l <"$WORK/bad.out.err")" 1
	expect_match "$d: says why, with the line" "$(cat "$WORK/bad.out.err")" "$want"
	expect_no_match "$d: never shows a token" "$(cat "$WORK/bad.out.err")" "short-tok|$T_ANN|$T_BOB"
}
bad_tokens "a short token" "bad line 2: the token of 'bob' is shorter than 16 bytes" "ann:$T_ANN" "bob:short-tok"
bad_tokens "a duplicate name" "line 3: the name 'ann' is already given on line 1" "ann:$T_ANN" "" "ann:$T_BOB"
bad_tokens "a duplicate token" "line 2: the token of 'bob' is already given to 'ann' on line 1" "ann:$T_ANN" "bob:$T_ANN"
bad_tokens "a line without a colon" "line 1: not NAME:TOKEN" "$T_ANN"
bad_tokens "a name with a space" "line 1: a name has only letters" "ann smith:$T_ANN"
bad_tokens "no entry at all" "has no NAME:TOKEN line" "# nobody yet"
pf "$WORK/none" serve --listen 127.0.0.1:0 --db "$DB"
expect_rc "no tokens at all: exit 2" 2
expect_match "... saying how to give them" "$(cat "$WORK/none.err")" "no tokens: give --tokens FILE or \\\$PREFLIGHT_TOKENS"
pf "$WORK/nokey" serve --listen 127.0.0.1:0 --db "$DB" --tokens "$WORK/tokens" --session-key "$WORK/tokens.missing"
expect_rc "an unreadable --session-key: exit 2" 2
pf "$WORK/badcert" serve --listen 127.0.0.1:0 --db "$DB" --tokens "$WORK/tokens" --tls-cert "$WORK/tokens" \
	--tls-key "$WORK/tokens"
expect_rc "a certificate that is not PEM: exit 2" 2
expect_match "... named" "$(cat "$WORK/badcert.err")" "--tls-cert '.*' is not PEM"

# a port in use: exit 2 with the address and the reason
python3 -c 'import socket,time,sys; s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(60)' >"$WORK/busy.port" &
busy=$!
_pids+=("$busy")
for _ in $(seq 50); do [ -s "$WORK/busy.port" ] && break; sleep 0.1; done
port=$(cat "$WORK/busy.port")
pf "$WORK/busy" serve --listen "127.0.0.1:$port" --db "$DB" --tokens "$WORK/tokens"
expect_rc "a port in use: exit 2" 2
expect_eq "... one line naming it" "$(cat "$WORK/busy.err")" \
	"preflight serve: cannot listen on 127.0.0.1:$port: Address already in use"
stop_proc "$busy"

# a tokens file others can read: served, with a warning
chmod 644 "$WORK/tokens"
start_serve --listen 127.0.0.1:0 --db "$DB" --tokens "$WORK/tokens" --no-notify
expect_match "a tokens file readable by others is warned about" "$(cat "$SERVE_ERR")" \
	"warning: the tokens file .* can be read by group or others \(mode 644\)"
stop_serve
chmod 600 "$WORK/tokens"

# ---- --allow-remote without TLS warns (an address of this machine only
# inside a private network namespace, so nothing is exposed) ---------------------
if unshare -rn true 2>/dev/null && command -v ip >/dev/null; then
	set +e
	timeout 20 unshare -rn bash -c '
		ip link set lo up && ip addr add 192.0.2.7/32 dev lo || exit 99
		"$1" serve --listen 192.0.2.7:0 --allow-remote --db "$2" --tokens "$3" --no-notify >"$4" 2>"$5" &
		pid=$!
		for i in $(seq 100); do [ -s "$4" ] && break; sleep 0.1; done
		curl -s "http://192.0.2.7:$(sed -n "s/.*192.0.2.7://p" "$4")/healthz" >"$4.health"
		kill -TERM $pid; wait $pid' _ "$PREFLIGHT" "$DB" "$WORK/tokens" "$WORK/ns.out" "$WORK/ns.err"
	rc=$?
	set -e
	if [ "$rc" = 99 ]; then
		skip_one "--allow-remote warns without TLS" "no address can be added in a network namespace here"
	else
		expect_match "--allow-remote: listening on the remote address" "$(cat "$WORK/ns.out")" \
			"^preflight serve: listening on http://192\.0\.2\.7:[0-9]+$"
		expect_match "... serving" "$(cat "$WORK/ns.out.health")" '"status":"ok"'
		expect_match "... with the clear-text warning on stderr" "$(cat "$WORK/ns.err")" \
			"tokens and session cookies cross the network in clear text; give --tls-cert/--tls-key or put a TLS proxy in front"
		expect_eq "... exit 0 on SIGTERM" "$rc" 0
	fi
else
	skip_one "--allow-remote warns without TLS" "no user and network namespaces here"
fi

# ---- a running server --------------------------------------------------------------
start_serve --listen 127.0.0.1:0 --db "$DB" --tokens "$WORK/tokens" --log "$WORK/serve.log" --access-log \
	--no-notify
expect_match "the first stdout line says where" "$(head -n1 "$SERVE_OUT")" \
	"^preflight serve: listening on http://127\.0\.0\.1:[0-9]+$"
url=$SERVE_URL
health=$(curl -s -w '\n%{http_code}' "$url/healthz")
expect_eq "/healthz: 200" "$(tail -n1 <<<"$health")" 200
expect_eq "/healthz: status, store, last_seq" "$(head -n1 <<<"$health" | jq -c .)" \
	'{"status":"ok","store":"sqlite","last_seq":0}'
expect_eq "HEAD /healthz: 200 without a body" "$(curl -s -I -o /dev/null -w '%{http_code}' "$url/healthz")" 200

# a login and bearer calls, so the log has had every chance to see a secret
cookie=$(curl -s -D - -o /dev/null --data-urlencode "token=$T_ANN" --data-urlencode next=/ "$url/login" |
	sed -n 's/^Set-Cookie: \(preflight_session=[^;]*\).*/\1/ip')
expect_match "a login sets the session cookie" "$cookie" "^preflight_session=v1\."
curl -s -H "Authorization: Bearer $T_BOB" "$url/api/v1/whoami" >"$WORK/who"
expect_eq "a bearer token is its name" "$(jq -c . "$WORK/who")" '{"actor":"bob","via":"api"}'
curl -s -H "Authorization: Bearer wrong-$T_BOB" "$url/api/v1/whoami" >/dev/null
curl -s -b "$cookie" "$url/api/v1/whoami" >/dev/null

curl -s "$url/metrics" >"$WORK/metrics"
if command -v promtool >/dev/null; then
	expect_true "/metrics passes promtool check metrics" promtool check metrics <"$WORK/metrics"
else
	skip_one "/metrics passes promtool check metrics" "promtool is not installed"
fi
expect_match "/metrics: the latency histogram by route and class" "$(cat "$WORK/metrics")" \
	'preflight_http_request_duration_seconds_bucket\{route="/healthz",code="2xx",le="0\.005"\} [0-9]+'
expect_match "/metrics: the 401s counted under their route" "$(cat "$WORK/metrics")" \
	'preflight_http_request_duration_seconds_count\{route="/api/v1/whoami",code="4xx"\} 1'
expect_match "/metrics: outbox backlog" "$(cat "$WORK/metrics")" 'preflight_outbox_messages\{state="pending"\} 0'
expect_match "/metrics: build info" "$(cat "$WORK/metrics")" 'preflight_build_info\{version="[^"]+"\} 1'
expect_match "/metrics: live streams" "$(cat "$WORK/metrics")" 'preflight_serve_sse_streams 0'

# SIGHUP after logrotate moved the file: a new file at the path
mv "$WORK/serve.log" "$WORK/serve.log.1"
kill -HUP "$SERVE_PID"
for _ in $(seq 50); do [ -s "$WORK/serve.log" ] && break; sleep 0.1; done
curl -s "$url/healthz" >/dev/null
sleep 0.2
expect_match "SIGHUP: the new log says it was reopened" "$(cat "$WORK/serve.log" 2>/dev/null)" "log reopened \(SIGHUP\)"
expect_match "... and gets the next access line" "$(cat "$WORK/serve.log" 2>/dev/null)" "GET /healthz 200"
expect_match "the old file kept the earlier lines" "$(cat "$WORK/serve.log.1")" "login: ann from 127\.0\.0\.1"
expect_match "the access log names the actor" "$(cat "$WORK/serve.log.1")" "GET /api/v1/whoami 200 [0-9.]+ms bob"

# SIGTERM while a request is in flight (its body still arriving): it finishes, then exit 0
python3 - "$url" "$T_ANN" >"$WORK/slow.out" 2>&1 <<'PY' &
import socket, sys, time, urllib.parse
url, token = sys.argv[1], sys.argv[2]
host, port = url.split("//")[1].split(":")
body = urllib.parse.urlencode({"token": token, "next": "/after"}).encode()
s = socket.create_connection((host, int(port)), timeout=15)
s.sendall(b"POST /login HTTP/1.1\r\nHost: %s:%s\r\nContent-Type: application/x-www-form-urlencoded\r\n"
          b"Content-Length: %d\r\n\r\n" % (host.encode(), port.encode(), len(body)))
print("head sent", flush=True)
for i in range(0, len(body), 8):
    s.sendall(body[i:i + 8])
    time.sleep(0.15)
data = b""
while True:
    c = s.recv(4096)
    if not c:
        break
    data += c
    if b"\r\n\r\n" in data:
        break
print(data.split(b"\r\n")[0].decode())
print([l for l in data.decode().split("\r\n") if l.lower().startswith("location")][0])
PY
slow=$!
for _ in $(seq 50); do grep -q "head sent" "$WORK/slow.out" 2>/dev/null && break; sleep 0.1; done
sleep 0.3
kill -TERM "$SERVE_PID"
sleep 0.3
expect_eq "after SIGTERM no new connection is taken" \
	"$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url/healthz")" 000
set +e
wait "$slow"
set -e
expect_eq "the request in flight got its answer" "$(sed -n 2p "$WORK/slow.out")" "HTTP/1.1 303 See Other"
expect_eq "... the whole of it" "$(sed -n 3p "$WORK/slow.out")" "Location: /after"
stop_serve
expect_eq "SIGTERM: exit 0" "$SERVE_RC" 0
expect_match "the log says it stopped" "$(cat "$WORK/serve.log")" "stopped$"

log=$(cat "$WORK/serve.log" "$WORK/serve.log.1" "$SERVE_ERR")
expect_no_match "no token in the log" "$log" "$T_ANN|$T_BOB|0123456789abcdef|fedcba9876543210"
expect_no_match "no cookie in the log" "$log" "${cookie#preflight_session=}|preflight_session="

# ---- IPv6 loopback ------------------------------------------------------------------------
if python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null; then
	start_serve --listen '[::1]:0' --db "$DB" --tokens "$WORK/tokens" --no-notify
	expect_match "IPv6: listening on [::1]" "$SERVE_URL" '^http://\[::1\]:[0-9]+$'
	expect_eq "IPv6: /healthz" "$(curl -s -g "$SERVE_URL/healthz" | jq -r .status)" ok
	stop_serve
else
	skip_one "IPv6 loopback" "no ::1 here"
fi

# ---- https with a certificate from files --------------------------------------------
if command -v openssl >/dev/null; then
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/key.pem" -out "$WORK/cert.pem" -days 2 \
		-subj /CN=localhost -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" 2>/dev/null
	start_serve --listen 127.0.0.1:0 --db "$DB" --tokens "$WORK/tokens" --tls-cert "$WORK/cert.pem" \
		--tls-key "$WORK/key.pem" --no-notify
	expect_match "TLS: listening on https" "$SERVE_URL" "^https://127\.0\.0\.1:[0-9]+$"
	expect_eq "TLS: /healthz through curl --cacert" \
		"$(curl -s --cacert "$WORK/cert.pem" "$SERVE_URL/healthz" | jq -r .status)" ok
	expect_match "TLS: the session cookie is Secure" \
		"$(curl -s -D - -o /dev/null --cacert "$WORK/cert.pem" --data-urlencode "token=$T_ANN" "$SERVE_URL/login")" \
		"Set-Cookie: preflight_session=[^;]+; Path=/; Max-Age=43200; HttpOnly; SameSite=Strict; Secure"
	expect_eq "TLS: plain http is not answered as http" \
		"$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http${SERVE_URL#https}/healthz")" 000
	stop_serve
	expect_eq "TLS: exit 0 on SIGTERM" "$SERVE_RC" 0
else
	skip_one "TLS" "openssl is not installed"
fi

# ---- the systemd unit in examples/ -----------------------------------------------------
if command -v systemd-analyze >/dev/null; then
	mkdir -p "$WORK/unit"
	sed "s|/usr/bin/preflight|$PREFLIGHT|" "$SRCDIR/examples/systemd/preflight-serve.service" \
		>"$WORK/unit/preflight-serve.service"
	expect_true "systemd-analyze verify passes the unit" \
		env SYSTEMD_LOG_LEVEL=warning systemd-analyze verify "$WORK/unit/preflight-serve.service"
else
	skip_one "systemd-analyze verify passes the unit" "systemd-analyze is not installed"
fi
finish
