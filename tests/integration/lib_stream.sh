# lib_stream.sh: `preflight serve` and its live feed for the scenarios
# t1105-t1114; source it after lib.sh (it sources lib_serve.sh). Gives:
#   make_tokens NAME...       $WORK/tokens with a fresh token per NAME; the
#                             token of NAME in TOKEN_<NAME>
#   start_server VAR ARGS...  `preflight serve --listen 127.0.0.1:0 ARGS`
#                             (lib_serve.sh's start_serve) with those tokens;
#                             sets VAR to its base URL, VAR_PID, VAR_LOG (its
#                             log: standard error)
#   api URL [CURL ARGS...]    curl with the first token; body on stdout,
#                             the status code in API_CODE
#   open_stream NAME URL [CURL ARGS...]
#                             a `curl -N` on URL in the background (the
#                             first token), its head in $WORK/NAME.head and
#                             body in $WORK/NAME.body; returns when the head
#                             says 200 (10 s at most; else 1)
#   close_stream NAME         ends it
#   wait_stream NAME ERE [S]  until the body matches ERE (S seconds, default 15)
#   stream_events NAME        "SEQ KIND" per frame received so far
#   stream_data NAME SEQ      that frame's data (JSON)
# Only 127.0.0.1 is connected to; every wait is bounded.

. "$SRCDIR/tests/integration/lib_serve.sh"
need curl jq

make_tokens() {
	local n t
	: >"$WORK/tokens"
	chmod 600 "$WORK/tokens"
	for n in "$@"; do
		t=tok-$n-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
		printf '%s:%s\n' "$n" "$t" >>"$WORK/tokens"
		printf -v "TOKEN_$n" '%s' "$t"
		[ -n "${TOKEN:-}" ] || TOKEN=$t
	done
}

start_server() {
	local var=$1
	shift
	start_serve --listen 127.0.0.1:0 --tokens "$WORK/tokens" "$@"
	printf -v "$var" '%s' "$SERVE_URL"
	printf -v "${var}_PID" '%s' "$SERVE_PID"
	printf -v "${var}_LOG" '%s' "$SERVE_ERR"
}

api() {
	local url=$1
	shift
	API_CODE=$(curl -s --max-time 10 -o "$WORK/api.out" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
		"$@" "$url") || API_CODE=000
	cat "$WORK/api.out"
}

open_stream() {
	local name=$1 url=$2 i pid
	shift 2
	rm -f "$WORK/$name.head" "$WORK/$name.body"
	_n_started=$((_n_started + 1))
	curl -sN --max-time 120 -D "$WORK/$name.head" -o "$WORK/$name.body" -H "Authorization: Bearer $TOKEN" \
		"$@" "$url" </dev/null >/dev/null 2>&1 &
	pid=$!
	_pids+=("$pid")
	printf -v "STREAM_PID_$name" '%s' "$pid"
	for ((i = 0; i < 100; i++)); do
		grep -q '^HTTP/1.1 200' "$WORK/$name.head" 2>/dev/null && [ -s "$WORK/$name.body" ] && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	return 1
}

# close_stream NAME: ends the curl (a TERM ends it at once; stop_proc's
# watchdog could cost seconds here).
close_stream() {
	local v="STREAM_PID_$1" i
	for i in "${!_pids[@]}"; do
		[ "${_pids[i]}" = "${!v}" ] && unset "_pids[i]"
	done
	kill -TERM "${!v}" 2>/dev/null || true
	wait "${!v}" 2>/dev/null || true
}

wait_stream() {
	local i
	for ((i = 0; i < ${3:-15} * 10; i++)); do
		grep -Eq "$2" "$WORK/$1.body" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

stream_events() {
	awk '/^id: / { id = $2 } /^event: / { print id, $2 }' "$WORK/$1.body"
}

stream_data() {
	awk -v want="$2" '/^id: / { id = $2 } /^data: / && id == want { sub(/^data: /, ""); print; exit }' "$WORK/$1.body"
}
