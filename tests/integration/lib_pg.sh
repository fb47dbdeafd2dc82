# lib_pg.sh: a real PostgreSQL server for the tests/integration scenarios.
# Source it after lib.sh (its traps, start_bg, stop_proc, skip and die):
#
#   . "$(dirname "$0")/lib.sh"
#   . "$(dirname "$0")/lib_pg.sh"
#   start_postgres          # exports PG_URL, or skips (77) without PostgreSQL
#   preflight run --db "$PG_URL" ...
#
# What it gives: Debian's PostgreSQL (/usr/lib/postgresql/*/bin, the newest
# installed) with a fresh cluster under $WORK/pg, listening only on a Unix
# socket in that directory (listen_addresses=''; nothing on the network),
# fsync off (the scratch data need not survive a crash), and a database
# "preflight". PostgreSQL refuses to run as root: when we are root, the
# cluster directory belongs to the postgres system user and the tools run
# as that user (runuser; the server under setpriv, which execs, so the pid
# we stop is the server's). The server runs under timeout, so it ends by
# itself after PG_LIFETIME even if this script is killed; the EXIT trap
# stops it first.
#
#   PG_URL   postgresql:///preflight?host=$WORK/pg&user=postgres
#   PG_DIR   the socket directory; PG_BIN the server's bin directory
#   pg_psql SQL...   runs psql on the database (for a test's own checks)
#   pg_available     true when start_postgres would not skip (for a scenario
#                    that also has SQLite steps to run without it)

: "${_lib_main_pid:?source lib.sh before lib_pg.sh}"

PG_LIFETIME=${PG_LIFETIME:-$DEMO_LIFETIME}
# How long the server may take to accept connections after its start.
PG_READY_TIMEOUT=${PG_READY_TIMEOUT:-60}

# _pg_as CMD...: CMD as the postgres user when we are root.
_pg_as() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

pg_psql() {
	_pg_as "$PG_BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$PG_DIR" -U postgres -d preflight -c "$*"
}

# _pg_missing: why PostgreSQL cannot be started here (empty when it can);
# sets PG_BIN.
_pg_missing() {
	local d
	PG_BIN=
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/postgres" ] && [ -x "$d/initdb" ] && PG_BIN=$d
	done
	if [ -z "$PG_BIN" ]; then
		echo "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/postgres)"
	elif [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
		echo "no 'postgres' user to run PostgreSQL as (it refuses root)"
	elif [ "$(id -u)" = 0 ] && ! command -v runuser >/dev/null 2>&1; then
		echo "'runuser' is not installed"
	elif [ "$(id -u)" = 0 ] && ! command -v setpriv >/dev/null 2>&1; then
		echo "'setpriv' is not installed"
	fi
}

pg_available() {
	[ -z "$(_pg_missing)" ]
}

start_postgres() {
	local i why
	why=$(_pg_missing)
	[ -z "$why" ] || skip "$why"
	_pg_missing >/dev/null    # PG_BIN, in this shell
	local -a as_pg=()
	if [ "$(id -u)" = 0 ]; then
		as_pg=(setpriv --reuid=postgres --regid=postgres --init-groups --)
		# the postgres user must reach $WORK/pg through $WORK (mktemp's 0700)
		chmod 711 "$WORK"
	fi
	PG_DIR=$WORK/pg
	mkdir -p "$PG_DIR"
	[ "$(id -u)" = 0 ] && chown postgres: "$PG_DIR"
	if ! _pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --no-locale --no-sync \
		>"$WORK/pg-initdb.log" 2>&1; then
		show "$WORK/pg-initdb.log"
		die "initdb failed"
	fi
	start_bg PG_PID "${as_pg[@]}" timeout "$PG_LIFETIME" "$PG_BIN/postgres" -D "$PG_DIR/data" \
		-c listen_addresses= -c unix_socket_directories="$PG_DIR" -c fsync=off \
		-c synchronous_commit=off -c full_page_writes=off -c max_connections=50
	for ((i = 0; i < PG_READY_TIMEOUT * 10; i++)); do
		"$PG_BIN/pg_isready" -q -h "$PG_DIR" -U postgres -t 1 && break
		kill -0 "$PG_PID" 2>/dev/null || break
		sleep 0.1
	done
	if ! "$PG_BIN/pg_isready" -q -h "$PG_DIR" -U postgres -t 1; then
		show "$WORK/bg.$_n_started.log"
		die "PostgreSQL did not accept connections within ${PG_READY_TIMEOUT}s"
	fi
	_pg_as "$PG_BIN/createdb" -h "$PG_DIR" -U postgres preflight || die "createdb failed"
	PG_URL="postgresql:///preflight?host=$PG_DIR&user=postgres"
	export PG_URL PG_DIR PG_BIN
}
