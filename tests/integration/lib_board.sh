# lib_board.sh: what the board's scenarios (t1120-t1124) share; source it
# after lib.sh.
#
#   board_run DB             opens the board's checklist run in DB (manual items,
#                            one failure, one overdue item); sets RUN
#   board_rehearsal DB       an earlier run of it, closed (the runs page has two)
#   start_board DB [ARGS...] `preflight serve` on a free loopback port with the
#                            tokens file $WORK/tokens (ann and bob); sets BOARD
#                            (its URL), BOARD_PID, BOARD_LOG; stopped at exit
#   board_login NAME JAR     a session for the token NAME into the cookie jar JAR
#                            (POST /login as the login form does); sets CSRF
#                            (the session's form token, read from a page)

TOKEN_ANN=ann-token-0123456789abcdef
TOKEN_BOB=bob-token-0123456789abcdef

board_run() {
	local db=$1 late
	late=$(date -u -d '-65 min' +%Y-%m-%dT%H:%M:%SZ)
	sed "s|@LATE@|$late|" "$SRCDIR/tests/fixtures/launch/board.yaml" >"$WORK/board.yaml"
	pf "$WORK/board-run.json" run "$WORK/board.yaml" --env prod --by alice --db "$db" --format json
	[ "$PF_RC" = 1 ] || { show "$WORK/board-run.json.err"; die "the board's run did not open (exit $PF_RC)"; }
	RUN=$(jq -r '.run.id' "$WORK/board-run.json")
}

board_rehearsal() {
	local db=$1 run
	sed "s|@LATE@|2026-01-01T00:00:00Z|" "$SRCDIR/tests/fixtures/launch/board.yaml" >"$WORK/rehearsal.yaml"
	pf "$WORK/rehearsal.json" run "$WORK/rehearsal.yaml" --env prod --by bob --db "$db" --format json
	run=$(jq -r '.run.id' "$WORK/rehearsal.json")
	pf "$WORK/rehearsal.close" close "$run" --by bob --reason "dress rehearsal done" --db "$db"
	[ "$PF_RC" = 0 ] || { show "$WORK/rehearsal.close.err"; die "the rehearsal run did not close"; }
}

start_board() {
	local db=$1 i line
	shift
	printf 'ann:%s\nbob:%s\n' "$TOKEN_ANN" "$TOKEN_BOB" >"$WORK/tokens"
	chmod 600 "$WORK/tokens"
	BOARD_LOG=$WORK/serve.log
	"$PREFLIGHT" serve --listen 127.0.0.1:0 --db "$db" --tokens "$WORK/tokens" --no-notify "$@" \
		</dev/null >"$WORK/serve.out" 2>"$BOARD_LOG" &
	BOARD_PID=$!
	_pids+=("$BOARD_PID")
	for ((i = 0; i < 200; i++)); do
		line=$(head -n1 "$WORK/serve.out" 2>/dev/null || true)
		case $line in
		"preflight serve: listening on http://"*)
			BOARD=${line#preflight serve: listening on }
			return 0
			;;
		esac
		kill -0 "$BOARD_PID" 2>/dev/null || { show "$BOARD_LOG"; die "preflight serve exited at start"; }
		sleep 0.05
	done
	show "$BOARD_LOG"
	die "preflight serve did not say where it listens within 10 s"
}

board_login() {
	local name=$1 jar=$2 token
	case $name in
	ann) token=$TOKEN_ANN ;;
	bob) token=$TOKEN_BOB ;;
	esac
	curl -sS -o /dev/null -c "$jar" --data-urlencode "token=$token" --data-urlencode "next=/" "$BOARD/login"
	CSRF=$(curl -sS -b "$jar" "$BOARD/" | sed -n 's/.*<meta name="csrf-token" content="\([^"]*\)".*/\1/p' | head -n1)
	[ -n "$CSRF" ] || die "no session for $name: the board shows no CSRF token"
}
