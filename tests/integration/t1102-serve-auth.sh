#!/bin/bash
# preflight serve's authentication: bearer tokens (none, wrong, right),
# --open-reads, the board's login (a bad token, a safe and an unsafe next),
# the session cookie (forged, expired, accepted by a second server sharing
# --session-key), the CSRF token on a write (missing, wrong, right, as a
# header and as a form field), a foreign Origin, a bearer write without
# CSRF, and the lockout after repeated failed logins.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_serve.sh"
need curl python3 jq

DB=$WORK/db.sqlite
T_ANN=ann-0123456789abcdef
T_BOB=bob-fedcba9876543210
serve_tokens "$WORK/tokens" "ann:$T_ANN,bob:$T_BOB"
head -c 48 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$WORK/session.key"
chmod 600 "$WORK/session.key"
start_serve --listen 127.0.0.1:0 --db "$DB" --tokens "$WORK/tokens" --no-notify --session-key "$WORK/session.key" \
	--access-log
A=$SERVE_URL
A_PID=$SERVE_PID

code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
# login TOKEN [NEXT] -> prints the response headers
login() { curl -s -D - -o /dev/null --data-urlencode "token=$1" ${2:+--data-urlencode "next=$2"} "$A/login"; }
cookie_of() { sed -n 's/^Set-Cookie: \(preflight_session=[^;]*\).*/\1/ip' <<<"$1"; }
location_of() { sed -n 's/^Location: \(.*\)\r$/\1/ip' <<<"$1"; }

# ---- bearer tokens -------------------------------------------------------------------
hdrs=$(curl -s -D - -o "$WORK/r" "$A/api/v1/whoami")
expect_match "a read without a token: 401" "$hdrs" "^HTTP/1.1 401 "
expect_match "... WWW-Authenticate: Bearer" "$hdrs" 'WWW-Authenticate: Bearer realm="preflight"'
expect_eq "... a JSON error" "$(jq -r .error.code "$WORK/r")" unauthorized
expect_eq "a wrong token: 401" "$(code -H "Authorization: Bearer x$T_ANN" "$A/api/v1/whoami")" 401
expect_eq "a token's prefix: 401" "$(code -H "Authorization: Bearer ${T_ANN:0:18}" "$A/api/v1/whoami")" 401
expect_eq "Basic instead of Bearer: 401" "$(code -u "ann:$T_ANN" "$A/api/v1/whoami")" 401
expect_eq "the right token: its name, via api" \
	"$(curl -s -H "Authorization: Bearer $T_BOB" "$A/api/v1/whoami" | jq -c .)" '{"actor":"bob","via":"api"}'
expect_eq "the comma-separated tokens both work" \
	"$(curl -s -H "Authorization: Bearer $T_ANN" "$A/api/v1/whoami" | jq -r .actor)" ann

# ---- the login form ---------------------------------------------------------------------
h=$(login "wrong-$T_ANN" "/runs/3?env=prod")
expect_match "a bad token: 303" "$h" "^HTTP/1.1 303 "
expect_eq "... back to the login page, saying why, keeping next" "$(location_of "$h")" \
	"/login?error=token&next=%2Fruns%2F3%3Fenv%3Dprod"
expect_eq "... and no cookie" "$(cookie_of "$h")" ""
h=$(login "$T_ANN" "/runs/3?env=prod")
expect_eq "a good token: 303 to next" "$(location_of "$h")" "/runs/3?env=prod"
expect_match "... the session cookie: HttpOnly, SameSite=Strict, Path=/" "$h" \
	"Set-Cookie: preflight_session=v1\.[^;]+; Path=/; Max-Age=43200; HttpOnly; SameSite=Strict"
C_ANN=$(cookie_of "$h")
expect_eq "next=//elsewhere is not followed" "$(location_of "$(login "$T_ANN" "//evil.example/x")")" /
expect_eq "next=https://elsewhere is not followed" "$(location_of "$(login "$T_ANN" "https://evil.example/")")" /
expect_eq "no next: the board" "$(location_of "$(login "$T_ANN")")" /

who=$(curl -s -b "$C_ANN" "$A/api/v1/whoami")
expect_eq "the session is its token's name, via board" "$(jq -r '.actor + " " + .via' <<<"$who")" "ann board"
CSRF=$(jq -r .csrf <<<"$who")
expect_match "... with its CSRF token" "$CSRF" "^[0-9a-f]{64}$"

# ---- CSRF on a write (POST /logout: a session and its CSRF token) --------------------
expect_eq "a write with neither session nor token: to the login page" "$(code -X POST "$A/logout")" 303
h=$(curl -s -D - -o "$WORK/w" -b "$C_ANN" -X POST "$A/logout")
expect_match "a session write without the CSRF token: 403" "$h" "^HTTP/1.1 403 "
expect_eq "... saying so" "$(jq -r .error.message "$WORK/w")" "missing or wrong CSRF token"
# its last digit changed (to 0, or to 1 when it is 0: else 1 run in 16 sent the right one)
bad=${CSRF%?}$([ "${CSRF: -1}" = 0 ] && echo 1 || echo 0)
expect_eq "a wrong CSRF token: 403" "$(code -b "$C_ANN" -H "X-CSRF-Token: $bad" -X POST "$A/logout")" 403
expect_eq "another session's CSRF token: 403" \
	"$(code -b "$C_ANN" -H "X-CSRF-Token: $(curl -s -b "$(cookie_of "$(login "$T_BOB")")" "$A/api/v1/whoami" | jq -r .csrf)" \
		-X POST "$A/logout")" 403
h=$(curl -s -D - -o /dev/null -b "$C_ANN" -H "X-CSRF-Token: $CSRF" -X POST "$A/logout")
expect_match "the right CSRF token in X-CSRF-Token: done" "$h" "^HTTP/1.1 303 "
expect_match "... the logout clears the cookie" "$h" "Set-Cookie: preflight_session=; Path=/; Max-Age=0"
expect_eq "the right CSRF token as the form field csrf: done" \
	"$(code -b "$C_ANN" --data-urlencode "csrf=$CSRF" "$A/logout")" 303
expect_eq "a foreign Origin, even with the right CSRF token: 403" \
	"$(code -b "$C_ANN" -H "X-CSRF-Token: $CSRF" -H "Origin: http://evil.example" -X POST "$A/logout")" 403
expect_eq "this server's own Origin: done" \
	"$(code -b "$C_ANN" -H "X-CSRF-Token: $CSRF" -H "Origin: $A" -X POST "$A/logout")" 303
expect_eq "a login from a foreign Origin: 403" \
	"$(code -H "Origin: http://evil.example" --data-urlencode "token=$T_ANN" "$A/login")" 403
# behind a TLS proxy: the browser's Origin is https://NAME, the proxy says so
px=(-H "X-Forwarded-Proto: https" -H "X-Forwarded-Host: board.example")
hdrs=$(curl -s -D - -o /dev/null "${px[@]}" -H "Origin: https://board.example" --data-urlencode "token=$T_ANN" "$A/login")
expect_match "a login through a TLS proxy (X-Forwarded-Proto/-Host): 303" "$hdrs" "^HTTP/1.1 303 "
expect_match "... its cookie is Secure" "$(grep -i '^set-cookie' <<<"$hdrs")" "; Secure"
expect_eq "... a foreign Origin through the proxy: 403" \
	"$(code "${px[@]}" -H "Origin: https://evil.example" --data-urlencode "token=$T_ANN" "$A/login")" 403
expect_eq "... the proxy's name over plain http: 403" \
	"$(code "${px[@]}" -H "Origin: http://board.example" --data-urlencode "token=$T_ANN" "$A/login")" 403
expect_eq "a bearer write needs no CSRF token (no ambient credential)" \
	"$(code -H "Authorization: Bearer $T_ANN" -X POST "$A/logout")" 303

# ---- forged and expired sessions -----------------------------------------------------
v=${C_ANN#preflight_session=}
IFS=. read -r ver name expiry nonce mac <<<"$v"
bob_hex=$(printf bob | od -An -tx1 | tr -d ' \n')
expect_eq "a cookie with another name and the old signature: 401" \
	"$(code -b "preflight_session=$ver.$bob_hex.$expiry.$nonce.$mac" "$A/api/v1/whoami")" 401
expect_eq "a cookie with a later expiry and the old signature: 401" \
	"$(code -b "preflight_session=$ver.$name.$((expiry + 86400000)).$nonce.$mac" "$A/api/v1/whoami")" 401
expect_eq "a cookie of garbage: 401" "$(code -b "preflight_session=v1.....x" "$A/api/v1/whoami")" 401

# a second server sharing the session key accepts the session; one with its own key does not
start_serve --listen 127.0.0.1:0 --db "$DB" --tokens "$WORK/tokens" --no-notify --session-key "$WORK/session.key"
expect_eq "a second server with the same --session-key accepts the session" \
	"$(curl -s -b "$C_ANN" "$SERVE_URL/api/v1/whoami" | jq -r .actor)" ann
expect_eq "... and the same CSRF token" "$(curl -s -b "$C_ANN" "$SERVE_URL/api/v1/whoami" | jq -r .csrf)" "$CSRF"
stop_serve
start_serve --listen 127.0.0.1:0 --db "$DB" --tokens "$WORK/tokens" --no-notify --session-ttl 1s
expect_eq "a server with a random key refuses it" "$(code -b "$C_ANN" "$SERVE_URL/api/v1/whoami")" 401
short=$(curl -s -D - -o /dev/null --data-urlencode "token=$T_ANN" "$SERVE_URL/login")
short=$(cookie_of "$short")
expect_eq "a fresh session works" "$(code -b "$short" "$SERVE_URL/api/v1/whoami")" 200
sleep 1.5
expect_eq "... and is refused once expired (--session-ttl 1s)" "$(code -b "$short" "$SERVE_URL/api/v1/whoami")" 401
stop_serve

# ---- --open-reads ------------------------------------------------------------------------
start_serve --listen 127.0.0.1:0 --db "$DB" --tokens "$WORK/tokens" --no-notify --open-reads
expect_eq "--open-reads: a read needs nothing" "$(curl -s "$SERVE_URL/api/v1/whoami" | jq -c .)" \
	'{"actor":null,"via":null}'
expect_eq "--open-reads: a wrong token is still refused" \
	"$(code -H "Authorization: Bearer nope-nope-nope-nope" "$SERVE_URL/api/v1/whoami")" 401
expect_eq "--open-reads: a write still needs a session" "$(code -X POST "$SERVE_URL/logout")" 303
stop_serve
start_serve --listen 127.0.0.1:0 --db "$DB" --tokens "$WORK/tokens" --no-notify --protect-metrics
expect_eq "--protect-metrics: /metrics needs a token" "$(code "$SERVE_URL/metrics")" 401
expect_eq "... and answers with one" "$(code -H "Authorization: Bearer $T_ANN" "$SERVE_URL/metrics")" 200
stop_serve

# ---- SIGHUP reloads the tokens: one added, one revoked, without a restart --------------
A_ERR=$(ls "$WORK"/serve.*.err | head -n 1)
C_BOB=$(cookie_of "$(login "$T_BOB")")
expect_eq "bob's session works before the reload" "$(curl -s -b "$C_BOB" "$A/api/v1/whoami" | jq -r .actor)" bob
T_CAROL=carol-0a1b2c3d4e5f6789
serve_tokens "$WORK/tokens" "ann:$T_ANN" "carol:$T_CAROL"
kill -HUP "$A_PID"
for _ in $(seq 50); do grep -q "tokens reloaded" "$A_ERR" && break; sleep 0.1; done
expect_match "SIGHUP: the reload is logged with the count" "$(cat "$A_ERR")" "SIGHUP: tokens reloaded \(2\)"
expect_eq "... a token added works at once" \
	"$(curl -s -H "Authorization: Bearer $T_CAROL" "$A/api/v1/whoami" | jq -r .actor)" carol
expect_eq "... a token removed is refused" "$(code -H "Authorization: Bearer $T_BOB" "$A/api/v1/whoami")" 401
expect_eq "... and so is its person's session" "$(code -b "$C_BOB" "$A/api/v1/whoami")" 401
expect_eq "... the others' sessions go on" "$(curl -s -b "$C_ANN" "$A/api/v1/whoami" | jq -r .actor)" ann
printf 'no colon here\n' >"$WORK/tokens"
kill -HUP "$A_PID"
for _ in $(seq 50); do grep -q "tokens not reloaded" "$A_ERR" && break; sleep 0.1; done
expect_match "a broken tokens file on SIGHUP: logged, the old tokens stay" "$(cat "$A_ERR")" \
	"SIGHUP: tokens not reloaded, the old ones stay: .*line 1"
expect_eq "... carol's token still works" "$(code -H "Authorization: Bearer $T_CAROL" "$A/api/v1/whoami")" 200
serve_tokens "$WORK/tokens" "ann:$T_ANN" "bob:$T_BOB"
kill -HUP "$A_PID"
for _ in $(seq 50); do [ "$(grep -c "tokens reloaded" "$A_ERR")" -ge 2 ] && break; sleep 0.1; done
expect_eq "bob's token back: his old session works again (sessions are signed, not stored)" \
	"$(curl -s -b "$C_BOB" "$A/api/v1/whoami" | jq -r .actor)" bob

# ---- failed logins lock an address out for a while --------------------------------
for i in 1 2 3 4 5; do login "bad-$i-$T_ANN" >/dev/null; done
h=$(login "$T_ANN")
expect_eq "after 5 failed logins even the right token waits" "$(location_of "$h")" "/login?error=locked"
expect_match "... saying how long" "$h" "Retry-After: 30"
expect_eq "... a bearer token is not locked out" \
	"$(code -H "Authorization: Bearer $T_ANN" "$A/api/v1/whoami")" 200

stop_serve "$A_PID"
expect_eq "exit 0" "$SERVE_RC" 0
log=$(cat "$WORK"/serve.*.err)
expect_no_match "no token, cookie or CSRF token in the log" "$log" "$T_ANN|$T_BOB|$T_CAROL|$CSRF|$mac|0123456789abcdef"
expect_match "failed logins are logged with the address" "$log" "login refused from 127\.0\.0\.1: unknown token"
finish
