#!/usr/bin/env bash
# ctest-labels: slow
# The API from a browser's session (docs/api.md, "Authentication"): after
# POST /login with a token, the session cookie reads; GET /api/v1/whoami
# tells a script the session's name and CSRF token; a write with the
# cookie needs that token in X-CSRF-Token (missing or wrong: 403, nothing
# written) and is then recorded with the session's name, data.via
# "board"; a forged cookie is no session.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_launch.sh"
. "$(dirname "$0")/lib_api.sh"
need curl jq

fx="$SRCDIR/tests/fixtures/launch"
DB="$WORK/api.db"
api_tokens
pf "$WORK/run" run "$fx/api.yaml" --by ann --db "$DB" --format json
expect_rc "the run opens" 0
RUN=$(jq -r .run.id "$WORK/run")
api_serve "$DB"
jar="$WORK/cookies"
url="/api/v1/runs/$RUN/items/db-backup/confirm"

api POST /login -c "$jar" --data-urlencode "token=$TOK_BOB" --data-urlencode "next=/"
expect_in "login with a token: a redirect" "$API_STATUS" 302 303
expect_match "... setting the session cookie" "$API_HEADERS" "^set-cookie: preflight_session=.*HttpOnly"
expect_no_match "... which is not the token" "$API_HEADERS" "$TOK_BOB"

api GET /api/v1/whoami -b "$jar"
expect_eq "whoami with the cookie: 200" "$API_STATUS" 200
expect_eq "... its name and via board" "$(jq -c '[.actor, .via]' <<<"$API_BODY")" '["bob","board"]'
csrf=$(jq -r .csrf <<<"$API_BODY")
expect_match "... and its CSRF token" "$csrf" '^[0-9a-zA-Z_-]{16,}$'
api GET "/api/v1/runs/$RUN/items/db-backup" -b "$jar"
expect_eq "a read with the cookie alone: 200" "$API_STATUS" 200

n=$(event_count "$DB")
api POST "$url" -b "$jar"
expect_eq "a write with the cookie and no CSRF token: 403" "$API_STATUS $(api_err)" "403 forbidden: missing or wrong CSRF token"
api POST "$url" -b "$jar" -H "X-CSRF-Token: ${csrf%?}x"
expect_eq "... with a wrong one: 403" "$API_STATUS" 403
api POST "$url" -b "$jar" -H "X-CSRF-Token: $csrf" -H "Content-Type: application/json" -d '{"reason": "x", "actor": "ann"}'
expect_eq "... the right one, but a body choosing who acts: 400" "$API_STATUS" 400
expect_eq "... nothing written" "$(event_count "$DB")" "$n"

api POST "$url" -b "$jar" -H "X-CSRF-Token: $csrf"
expect_eq "with the right CSRF token: 200" "$API_STATUS" 200
expect_eq "... the event's actor is the session's name" "$(jq -r .item.executor <<<"$API_BODY")" bob
api_as "$TOK_ANN" GET "/api/v1/runs/$RUN/items/db-backup/events"
expect_eq "... via board" "$(jq -r '.events[-1] | "\(.actor) \(.data.via)"' <<<"$API_BODY")" "bob board"

# a cookie of another key, or edited, is no session
cookie=$(awk '$6 == "preflight_session" { print $7 }' "$jar")
api GET /api/v1/whoami -H "Cookie: preflight_session=${cookie%?}A"
expect_eq "an edited cookie: 401" "$API_STATUS" 401
api POST "/api/v1/runs/$RUN/items/pay-smoke/confirm" -H "Cookie: preflight_session=${cookie%?}A" -H "X-CSRF-Token: $csrf"
expect_eq "... cannot write" "$API_STATUS" 401
api POST /login --data-urlencode "token=wrong-token-0123456789" --data-urlencode "next=/"
expect_no_match "a wrong token at login sets no session" "$API_HEADERS" "^set-cookie: preflight_session=[^;]+"
expect_no_match "the log never holds a token or a cookie" "$(cat "$SERVE_LOG")" "$TOK_ANN|$TOK_BOB|${cookie:-no-cookie}"

api_stop "the server"
finish
