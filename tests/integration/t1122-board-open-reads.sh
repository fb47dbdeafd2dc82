#!/usr/bin/env bash
# The board with --open-reads (docs/board.md): anyone on the network can
# look (the pages, the live fragment), nobody can act without a session
# (no forms shown to them, a POST sends them to log in or is refused), and
# logging out forgets the session in that browser.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_launch.sh"
. "$(dirname "$0")/lib_board.sh"

need jq curl

db=$WORK/board.db
board_run "$db"
start_board "$db" --open-reads

code=$(curl -sS -o "$WORK/anon" -w '%{http_code}' "$BOARD/runs/$RUN")
expect_eq "an anonymous reader sees the run's page" "$code" 200
expect_true "... without action forms" bash -c "! grep -q 'method=\"post\"' '$WORK/anon'"
expect_true "... offered to log in" grep -q 'href="/login"' "$WORK/anon"
expect_true "... with its items" grep -q 'data-key="item-pay-flag"' "$WORK/anon"
code=$(curl -sS -o /dev/null -w '%{http_code}' "$BOARD/runs/$RUN?fragment=live&status=pending")
expect_eq "the live fragment is open too" "$code" 200
code=$(curl -sS -o /dev/null -w '%{http_code}' "$BOARD/runs/$RUN/items/pay-flag")
expect_eq "and an item's history" "$code" 200

code=$(curl -sS -o /dev/null -w '%{http_code}' "$BOARD/runs/$RUN/items/pay-flag/confirm" \
	--data-urlencode "back=/runs/$RUN")
expect_in "an anonymous action is refused" "$code" 401 403 303
pf "$WORK/st.json" status "$RUN" --db "$db" --format json
expect_eq "... nothing recorded" "$(json_item "$WORK/st.json" pay-flag status)" pending

jar=$WORK/ann.jar
board_login ann "$jar"
expect_true "logged in, the page has forms" bash -c "curl -sS -b '$jar' '$BOARD/runs/$RUN' | grep -q 'method=\"post\"'"
code=$(curl -sS -o /dev/null -D "$WORK/out.h" -w '%{http_code}' -b "$jar" -c "$jar" "$BOARD/logout" \
	--data-urlencode "csrf=$CSRF")
expect_eq "log out: 303" "$code" 303
expect_true "after it, no forms again" bash -c "! curl -sS -b '$jar' '$BOARD/runs/$RUN' | grep -q 'method=\"post\"'"

code=$(curl -sS -o "$WORK/locked" -w '%{http_code}' "$BOARD/login?error=locked")
expect_true "the login page explains a lock-out" grep -q 'too many wrong tokens' "$WORK/locked"
finish
