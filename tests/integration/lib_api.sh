# lib_api.sh: what the API scenarios (t1115-t1119) share; source it after
# lib.sh and lib_launch.sh.
#
#   api_tokens                 writes $WORK/tokens (ann, bob) and sets TOK_ANN, TOK_BOB
#   start_serve DB [ARGS...]   `preflight serve` on a free loopback port with
#                              those tokens, notify loop off; waits (20 s at most)
#                              for its "listening on" line; sets SERVE_URL,
#                              SERVE_PID, SERVE_LOG (its stderr). Stopped at exit.
#   stop_serve                 stops it (SIGTERM) now
#   api METHOD PATH [CURL ARGS...]   one request; API_STATUS (the HTTP status),
#                              API_BODY (the body), API_HEADERS (the head)
#   api_as TOKEN METHOD PATH [CURL ARGS...]   the same with Authorization: Bearer TOKEN
#   api_err                    the error body's "code: message" of API_BODY

api_tokens() {
	TOK_ANN=ann-0123456789abcdef-token
	TOK_BOB=bob-fedcba9876543210-token
	printf '# the API scenarios\nann:%s\nbob:%s\n' "$TOK_ANN" "$TOK_BOB" >"$WORK/tokens"
	chmod 600 "$WORK/tokens"
}

start_serve() {
	local db=$1 i
	shift
	_n_started=$((_n_started + 1))
	local out="$WORK/serve.$_n_started.out"
	SERVE_LOG="$WORK/serve.$_n_started.log"
	timeout "$DEMO_LIFETIME" "$PREFLIGHT" serve --listen 127.0.0.1:0 --db "$db" --tokens "$WORK/tokens" \
		--no-notify "$@" </dev/null >"$out" 2>"$SERVE_LOG" &
	SERVE_PID=$!
	_pids+=("$SERVE_PID")
	SERVE_URL=
	for ((i = 0; i < 200; i++)); do
		SERVE_URL=$(sed -n 's/^preflight serve: listening on \(http[^ ]*\).*/\1/p' "$out" | head -n 1)
		[ -n "$SERVE_URL" ] && break
		kill -0 "$SERVE_PID" 2>/dev/null || break
		sleep 0.1
	done
	if [ -z "$SERVE_URL" ]; then
		show "$out"
		show "$SERVE_LOG"
		die "preflight serve did not say where it listens within 20 s"
	fi
}

stop_serve() {
	[ -n "${SERVE_PID:-}" ] && stop_proc "$SERVE_PID"
	SERVE_PID=
}

api() {
	local method=$1 path=$2
	shift 2
	set +e
	API_STATUS=$(curl -sS --max-time 20 -X "$method" -o "$WORK/api.body" -D "$WORK/api.head" -w '%{http_code}' \
		"$@" "$SERVE_URL$path")
	set -e
	API_BODY=$(cat "$WORK/api.body" 2>/dev/null || true)
	API_HEADERS=$(cat "$WORK/api.head" 2>/dev/null || true)
}

api_as() {
	local tok=$1
	shift
	api "$1" "$2" -H "Authorization: Bearer $tok" "${@:3}"
}

api_err() {
	jq -r '"\(.error.code): \(.error.message)"' <<<"$API_BODY" 2>/dev/null || echo "not JSON: $API_BODY"
}
