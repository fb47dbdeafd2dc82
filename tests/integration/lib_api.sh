# lib_api.sh: what the API scenarios (t1115-t1119) share; source it after
# lib.sh and lib_launch.sh (it sources lib_serve.sh).
#
#   api_tokens                 writes $WORK/tokens (ann, bob) and sets TOK_ANN, TOK_BOB
#   api_serve DB [ARGS...]     `preflight serve` on a free loopback port with
#                              those tokens, notify loop off (lib_serve.sh's
#                              start_serve: SERVE_URL, SERVE_PID); SERVE_LOG its log
#   api_stop DESC              stops it (lib_serve.sh's stop_serve) and asserts it
#                              exited 0 with no sanitizer report in its log
#   api METHOD PATH [CURL ARGS...]   one request; API_STATUS (the HTTP status),
#                              API_BODY (the body), API_HEADERS (the head)
#   api_as TOKEN METHOD PATH [CURL ARGS...]   the same with Authorization: Bearer TOKEN
#   api_err                    the error body's "code: message" of API_BODY

# shellcheck source=lib_serve.sh
. "$SRCDIR/tests/integration/lib_serve.sh"

api_tokens() {
	TOK_ANN=ann-0123456789abcdef-token
	TOK_BOB=bob-fedcba9876543210-token
	printf '# the API scenarios\nann:%s\nbob:%s\n' "$TOK_ANN" "$TOK_BOB" >"$WORK/tokens"
	chmod 600 "$WORK/tokens"
}

# api_serve DB [ARGS...]: lib_serve.sh's start_serve on a free loopback
# port with the tokens of api_tokens, the notify loop off; SERVE_LOG is
# its stderr (the log).
api_serve() {
	local db=$1
	shift
	start_serve --listen 127.0.0.1:0 --db "$db" --tokens "$WORK/tokens" --no-notify "$@"
	SERVE_LOG=$SERVE_ERR
}

api_stop() {
	stop_serve
	expect_eq "$1: the server exits 0 on SIGTERM" "$SERVE_RC" 0
	expect_no_match "$1: ... no sanitizer report in its log" "$(cat "$SERVE_LOG")" "Sanitizer|runtime error"
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
