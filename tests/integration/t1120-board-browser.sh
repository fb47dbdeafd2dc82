#!/usr/bin/env bash
# ctest-labels: slow
# The board in a real browser (docs/board.md): Debian's headless Chromium
# driven by playwright-core (tests/browser/board.mjs) against `preflight
# serve` with a run open: log in with a token, filter to one module,
# confirm an item (the event's actor is the token's name), skip another
# without a reason (refused, the message on the page) and with one, while
# a second browser sees both changes live without reloading; the item's
# history, the follow-ups, a phone's cards, no CSP violation.
# UPDATE_SCREENSHOTS=1 rewrites docs/img/board-*.png.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_launch.sh"
. "$(dirname "$0")/lib_board.sh"

need jq curl node npm
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || skip "no Chromium at $CHROMIUM (Debian's chromium package)"

# playwright-core from the lock file, once: npm ci when node_modules is
# missing or was installed from another lock file.
browser_deps() {
	local dir=$SRCDIR/tests/browser stamp sum
	stamp=$dir/node_modules/.preflight-lock-sum
	sum=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
	[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ] && return 0
	if ! (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 timeout 300 npm ci --no-audit --no-fund --loglevel=error \
		>"$WORK/npm.log" 2>&1); then
		show "$WORK/npm.log"
		skip "npm ci in tests/browser failed (is the npm registry reachable?)"
	fi
	echo "$sum" >"$stamp"
}
browser_deps

db=$WORK/board.db
board_rehearsal "$db"
board_run "$db"
start_board "$db"

shots=
if [ "${UPDATE_SCREENSHOTS:-0}" = 1 ]; then
	shots=$SRCDIR/docs/img
	mkdir -p "$shots"
fi

set +e
BOARD=$BOARD RUN=$RUN TOKEN=$TOKEN_ANN DB=$db PREFLIGHT=$PREFLIGHT WORK=$WORK SHOTS=$shots CHROMIUM=$CHROMIUM \
	timeout 300 node "$SRCDIR/tests/browser/board.mjs" >"$WORK/browser.tap" 2>"$WORK/browser.err"
rc=$?
set -e
cat "$WORK/browser.tap"
[ -s "$WORK/browser.err" ] && show "$WORK/browser.err"
expect_eq "the browser scenario passed" "$rc" 0
expect_true "the browser scenario ran to its end" grep -q '^1\.\.[0-9]' "$WORK/browser.tap"

# the token never reaches the log
expect_eq "no token in the server's log" "$(grep -c -e "$TOKEN_ANN" -e "$TOKEN_BOB" "$BOARD_LOG" || true)" 0
finish
