# lib_serve.sh: helpers for the `preflight serve` scenarios (t11xx); source
# after lib.sh.
#
#   serve_tokens FILE NAME:TOKEN...   a tokens file, mode 600
#   start_serve ARGS...               `preflight serve ARGS` in the background;
#                                     waits (10 s at most) for its first stdout
#                                     line and sets SERVE_URL (http://127.0.0.1:PORT),
#                                     SERVE_PID, SERVE_OUT and SERVE_ERR (its files).
#                                     Stopped by the EXIT trap.
#   stop_serve [PID]                  SIGTERM and wait (10 s, then KILL); sets SERVE_RC
#   free_port                         a loopback port nobody listens on now

serve_tokens() {
	local f=$1
	shift
	printf '%s\n' "$@" >"$f"
	chmod 600 "$f"
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_serve() {
	local i line=
	_n_started=$((_n_started + 1))
	SERVE_OUT="$WORK/serve.$_n_started.out"
	SERVE_ERR="$WORK/serve.$_n_started.err"
	"$PREFLIGHT" serve "$@" </dev/null >"$SERVE_OUT" 2>"$SERVE_ERR" &
	SERVE_PID=$!
	_pids+=("$SERVE_PID")
	for ((i = 0; i < 100; i++)); do
		line=$(head -n 1 "$SERVE_OUT" 2>/dev/null || true)
		case $line in
		"preflight serve: listening on "*) break ;;
		esac
		if ! kill -0 "$SERVE_PID" 2>/dev/null; then
			show "$SERVE_ERR"
			die "preflight serve exited before listening"
		fi
		sleep 0.1
	done
	case $line in
	"preflight serve: listening on "*) SERVE_URL=${line#preflight serve: listening on } ;;
	*) die "preflight serve did not say where it listens in 10 s" ;;
	esac
}

stop_serve() {
	local pid=${1:-$SERVE_PID} i
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	set +e
	wait "$pid"
	SERVE_RC=$?
	set -e
	for i in "${!_pids[@]}"; do
		[ "${_pids[i]}" = "$pid" ] && unset "_pids[i]"
	done
	return 0
}
