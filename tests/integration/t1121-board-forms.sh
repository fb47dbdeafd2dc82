#!/usr/bin/env bash
# The board without JavaScript (docs/board.md), with curl: every page
# answers HTML with its security headers; a form action answers 303 back
# to the page it came from, or the page again with 400/409 and the refusal
# next to the item; the same route answers JSON to fetch; a back field
# that leaves the site is not followed; CSRF is required; assets carry
# ETags; board paths that do not exist get an HTML 404; outside text is
# escaped.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_launch.sh"
. "$(dirname "$0")/lib_board.sh"

need jq curl

db=$WORK/board.db
board_run "$db"
start_board "$db"
jar=$WORK/ann.jar

# headers: STATUS, then the named header's value
get() { # OUT URL [CURL ARGS]: the body into OUT, headers into OUT.h; prints the status
	local out=$1 url=$2
	shift 2
	curl -sS -o "$out" -D "$out.h" -w '%{http_code}' "$@" "$url"
}
header() { # FILE NAME
	sed -n "s/^$2: *//Ip" "$1" | tr -d '\r' | head -n1
}

# anonymous: the board sends you to log in, the login page is public
code=$(get "$WORK/anon" "$BOARD/runs/$RUN?module=payment")
expect_eq "an anonymous page view is sent to the login" "$code" 303
expect_match "... which comes back to the page" "$(header "$WORK/anon.h" Location)" "^/login\?next="
code=$(get "$WORK/login" "$BOARD/login?error=token")
expect_eq "the login page is public" "$code" 200
expect_true "... and says a wrong token was given" grep -q 'wrong token' "$WORK/login"
expect_eq "... with the board's CSP" "$(header "$WORK/login.h" Content-Security-Policy)" \
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"

board_login ann "$jar"

code=$(get "$WORK/runs" "$BOARD/" -b "$jar")
expect_eq "GET / answers" "$code" 200
expect_match "... as HTML" "$(header "$WORK/runs.h" Content-Type)" '^text/html'
expect_eq "... nosniff" "$(header "$WORK/runs.h" X-Content-Type-Options)" nosniff
expect_eq "... same-origin referrers" "$(header "$WORK/runs.h" Referrer-Policy)" same-origin
expect_true "... listing the run" grep -q "href=\"/runs/$RUN\"" "$WORK/runs"

code=$(get "$WORK/run" "$BOARD/runs/$RUN?module=payment" -b "$jar")
expect_eq "a run's page answers" "$code" 200
expect_eq "the module filter shows the payment items only" \
	"$(grep -o 'data-label="module">[^<]*' "$WORK/run" | sort -u)" 'data-label="module">payment'
expect_true "an item's title is escaped" grep -q 'published &lt;b&gt;both&lt;/b&gt; shifts' <(curl -sS -b "$jar" "$BOARD/runs/$RUN")
expect_true "no inline style or script on the page" bash -c "! grep -Eq ' style=|<style|<script>' '$WORK/run'"

code=$(get "$WORK/frag" "$BOARD/runs/$RUN?module=payment&fragment=live" -b "$jar")
expect_eq "the live fragment answers" "$code" 200
expect_true "... without the page's frame" bash -c "! grep -q '<html' '$WORK/frag'"
expect_true "... with the items" grep -q 'data-key="item-pay-flag"' "$WORK/frag"
expect_true "an item's live fragment has no frame" \
	bash -c "curl -sS -b '$jar' '$BOARD/runs/$RUN/items/pay-flag?fragment=live' | grep -q '<h2>History</h2>' && ! curl -sS -b '$jar' '$BOARD/runs/$RUN/items/pay-flag?fragment=live' | grep -q '<html'"
expect_true "nor has the runs list's" \
	bash -c "! curl -sS -b '$jar' '$BOARD/?fragment=live' | grep -q '<html'"
expect_true "nor has the follow-ups'" \
	bash -c "! curl -sS -b '$jar' '$BOARD/followups?run=$RUN&fragment=live' | grep -q '<html'"

# actions without JavaScript
back="/runs/$RUN?module=payment"
code=$(get "$WORK/c1" "$BOARD/runs/$RUN/items/pay-flag/confirm" -b "$jar" \
	--data-urlencode "csrf=$CSRF" --data-urlencode "back=$back")
expect_eq "confirm answers 303" "$code" 303
expect_eq "... back to the page it came from" "$(header "$WORK/c1.h" Location)" "$back"
pf "$WORK/st.json" status "$RUN" --db "$db" --format json
expect_eq "the item is pass" "$(json_item "$WORK/st.json" pay-flag status)" pass
expect_eq "... by the token's name" "$(json_item "$WORK/st.json" pay-flag executor)" ann
expect_eq "the event says it came from the board" \
	"$(store_sql "$db" "SELECT json_extract(data, '\$.via') FROM events WHERE item_id = 'pay-flag' AND kind = 'item.confirm'")" board

code=$(get "$WORK/s1" "$BOARD/runs/$RUN/items/pay-signoff/skip" -b "$jar" \
	--data-urlencode "csrf=$CSRF" --data-urlencode "back=$back")
expect_eq "skip without a reason: 400" "$code" 400
expect_true "... the page again, the message next to the item" \
	grep -q '<div class="alert" role="alert">skip needs a reason' "$WORK/s1"
expect_true "... with the filter it had" grep -q '<option value="payment" selected="selected">' "$WORK/s1"

code=$(get "$WORK/c2" "$BOARD/runs/$RUN/items/pay-flag/confirm" -b "$jar" \
	--data-urlencode "csrf=$CSRF" --data-urlencode "back=/runs/$RUN/items/pay-flag")
expect_eq "confirming it again: 409" "$code" 409
expect_true "... the item's page again, saying who was first" grep -q 'already pass (by ann)' "$WORK/c2"

code=$(get "$WORK/s2" "$BOARD/runs/$RUN/items/pay-signoff/skip" -b "$jar" -H 'Accept: application/json' \
	--data-urlencode "csrf=$CSRF" --data-urlencode "back=$back")
expect_eq "asked for JSON, a refusal is 400" "$code" 400
expect_eq "... {ok: false, message}" "$(jq -c '[.ok, (.message | test("needs a reason"))]' "$WORK/s2")" '[false,true]'
code=$(get "$WORK/s3" "$BOARD/runs/$RUN/items/pay-signoff/skip" -b "$jar" -H 'Accept: application/json' \
	-H "X-CSRF-Token: $CSRF" --data-urlencode "reason=finance signs off on Monday" --data-urlencode "back=$back")
expect_eq "with a reason and the CSRF header: 200" "$code" 200
expect_eq "... {ok: true}" "$(jq -c .ok "$WORK/s3")" true

long=$(head -c 5000 /dev/zero | tr '\0' x)
code=$(get "$WORK/long" "$BOARD/runs/$RUN/items/pay-refund/skip" -b "$jar" -H 'Accept: application/json' \
	-H "X-CSRF-Token: $CSRF" --data-urlencode "reason=$long")
expect_eq "a reason over 4000 bytes is refused, not cut" "$code" 400
expect_match "... saying so" "$(jq -r .message "$WORK/long")" 'at most 4000'

code=$(get "$WORK/evil" "$BOARD/runs/$RUN/items/pay-refund/confirm" -b "$jar" \
	--data-urlencode "csrf=$CSRF" --data-urlencode "back=//evil.example/")
expect_eq "a back field that leaves the site is not followed" "$(header "$WORK/evil.h" Location)" "/runs/$RUN"

code=$(get "$WORK/nocsrf" "$BOARD/runs/$RUN/items/ord-canary/confirm" -b "$jar" --data-urlencode "back=$back")
expect_in "without the CSRF token: refused" "$code" 403 401
pf "$WORK/st2.json" status "$RUN" --db "$db" --format json
expect_eq "... nothing recorded" "$(json_item "$WORK/st2.json" ord-canary status)" pending

code=$(get "$WORK/nocsrf2" "$BOARD/runs/$RUN/items/ord-canary/confirm" -b "$jar" -H 'Accept: text/html' \
	--data-urlencode "csrf=wrong" --data-urlencode "back=$back")
expect_eq "a wrong CSRF token from a browser: 403" "$code" 403
expect_true "... as the board's HTML page" grep -q 'missing or wrong CSRF token' "$WORK/nocsrf2"
expect_match "... with its CSP" "$(header "$WORK/nocsrf2.h" Content-Security-Policy)" "frame-ancestors 'none'"

code=$(get "$WORK/nf" "$BOARD/runs/$RUN/items/no-such/confirm" -b "$jar" \
	--data-urlencode "csrf=$CSRF" --data-urlencode "back=/runs/$RUN")
expect_eq "an unknown item: 404" "$code" 404

# no session (none, or one that has ended): a browser's form goes to the
# login and comes back to the page it was on; a page's fetch reads JSON
code=$(get "$WORK/anonpost" "$BOARD/runs/$RUN/items/ord-canary/confirm" -H 'Accept: text/html' \
	--data-urlencode "back=/runs/$RUN?module=pay ment")
expect_eq "a form posted without a session: 303" "$code" 303
expect_eq "... to the login, then back to the form's page" "$(header "$WORK/anonpost.h" Location)" \
	"/login?next=%2Fruns%2F$RUN%3Fmodule%3Dpay%20ment"
code=$(get "$WORK/oldpost" "$BOARD/runs/$RUN/items/ord-canary/confirm" -H 'Accept: text/html' \
	-b "preflight_session=v1.616e6e.1.00.00" --data-urlencode "csrf=$CSRF" --data-urlencode "back=/followups")
expect_eq "an ended session's form: the login, then its page" "$(header "$WORK/oldpost.h" Location)" \
	"/login?next=%2Ffollowups"
code=$(get "$WORK/anonfetch" "$BOARD/runs/$RUN/items/ord-canary/confirm" -H 'Accept: application/json' \
	-H "X-CSRF-Token: $CSRF" --data-urlencode "back=$back")
expect_eq "a page's fetch without a session: 401" "$code" 401
expect_eq "... in JSON" "$(jq -r .error.code "$WORK/anonfetch")" unauthorized
pf "$WORK/st3.json" status "$RUN" --db "$db" --format json
expect_eq "... nothing recorded" "$(json_item "$WORK/st3.json" ord-canary status)" pending

# a bearer token on a form route acts too; the event says it came by the API
code=$(get "$WORK/bearer" "$BOARD/runs/$RUN/items/ord-canary/confirm" -H "Authorization: Bearer $TOKEN_BOB" --data-urlencode "back=$back" \
	-H 'Accept: application/json')
expect_eq "a bearer token on a board form route: 200" "$code" 200
expect_eq "... recorded via the API (via follows the credential)" \
	"$(store_sql "$db" "SELECT actor || ' ' || json_extract(data, '\$.via') FROM events WHERE item_id = 'ord-canary' AND kind = 'item.confirm'")" "bob api"

# follow-ups
fid=$(jq -r '.followups[0].id' "$WORK/st2.json")
code=$(get "$WORK/f1" "$BOARD/followups/$fid/close" -b "$jar" --data-urlencode "csrf=$CSRF" \
	--data-urlencode "back=/followups")
expect_eq "closing a follow-up without its RCA: 400" "$code" 400
expect_true "... the follow-ups page, the message next to it" grep -q 'needs its RCA' "$WORK/f1"
code=$(get "$WORK/f2" "$BOARD/followups/$fid/close" -b "$jar" --data-urlencode "csrf=$CSRF" \
	--data-urlencode "rca=the job ran before the deploy" --data-urlencode "back=/followups?run=$RUN")
expect_eq "with one: 303" "$code" 303
code=$(get "$WORK/f3" "$BOARD/followups?run=$RUN" -b "$jar")
expect_true "the follow-up shows closed, with its RCA" grep -q 'the job ran before the deploy' "$WORK/f3"

# the item's history
code=$(get "$WORK/hist" "$BOARD/runs/$RUN/items/pay-signoff" -b "$jar")
expect_eq "an item's page answers" "$code" 200
expect_eq "its history lists the skip, by ann via the board" \
	"$(grep -c '<td data-label="who">ann</td><td data-label="via">board</td>' "$WORK/hist")" 1

# errors as HTML pages
code=$(get "$WORK/404run" "$BOARD/runs/999" -b "$jar")
expect_eq "an unknown run: 404" "$code" 404
expect_match "... an HTML page" "$(header "$WORK/404run.h" Content-Type)" '^text/html'
code=$(get "$WORK/404path" "$BOARD/no/such/page" -b "$jar" -H 'Accept: text/html,*/*')
expect_eq "a path that is no page, from a browser: 404" "$code" 404
expect_true "... the board's HTML page" grep -q '<h1>404 Not found</h1>' "$WORK/404path"
code=$(get "$WORK/404api" "$BOARD/api/v1/no-such" -b "$jar" -H 'Accept: text/html')
expect_eq "under /api/ it stays JSON" "$(jq -r .error.code "$WORK/404api")" not_found
code=$(get "$WORK/404item" "$BOARD/runs/$RUN/items/pay-flg" -b "$jar")
expect_eq "an unknown item: 404" "$code" 404
expect_true "... suggesting the likely one" grep -q 'pay-flag' "$WORK/404item"

# assets
css=$(grep -o '/assets/board.css?v=[0-9a-f]*' "$WORK/runs" | head -n1)
code=$(get "$WORK/css" "$BOARD$css")
expect_eq "the stylesheet is served without a session" "$code" 200
expect_match "... as CSS" "$(header "$WORK/css.h" Content-Type)" '^text/css'
expect_match "... cached for good under its versioned URL" "$(header "$WORK/css.h" Cache-Control)" immutable
etag=$(header "$WORK/css.h" ETag)
code=$(get "$WORK/css2" "$BOARD/assets/board.css" -H "If-None-Match: $etag")
expect_eq "... and 304 for its ETag" "$code" 304
code=$(get "$WORK/js" "$BOARD/assets/board.js")
expect_match "the script is JavaScript" "$(header "$WORK/js.h" Content-Type)" '^text/javascript'
code=$(get "$WORK/noasset" "$BOARD/assets/nope.js")
expect_eq "an unknown asset: 404" "$code" 404

expect_eq "no token in the server's log" "$(grep -c -e "$TOKEN_ANN" -e "$TOKEN_BOB" "$BOARD_LOG" || true)" 0
finish
