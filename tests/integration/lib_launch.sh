# lib_launch.sh: what the scenarios of the checklist loop (t1070-t1099)
# share; source it after lib.sh. Each scenario runs the same steps on every
# store: a SQLite file, and a real PostgreSQL server when lib_pg.sh can
# start one (Debian's, in $WORK, on a Unix socket).
#
#   launch_stores          fills STORES with "sqlite" and, when it starts, "pg"
#   store_url KIND TAG     a fresh, empty store of KIND for one pass: a file, or a new database
#   event_count URL        the events in the store (sqlite3 / psql, not preflight)
#   store_sql URL SQL      one statement on the store, rows as text
#   json_item FILE ID KEY  one field of an item in a run's JSON report

STORES=()

launch_stores() {
	need sqlite3 jq
	STORES=(sqlite)
	# shellcheck source=lib_pg.sh
	. "$SRCDIR/tests/integration/lib_pg.sh"
	if pg_available; then
		start_postgres
		need psql
		STORES+=(pg)
	else
		skip_one "the same steps on PostgreSQL" "$(_pg_missing)"
	fi
}

# store_url KIND TAG: prints a fresh store's URL.
store_url() {
	case $1 in
	sqlite) echo "$WORK/$2.db" ;;
	pg)
		# one database per pass, on the server start_postgres started
		local base=${PG_URL%%\?*} db="t_$2"
		PGOPTIONS=--client-min-messages=warning psql "$PG_URL" -qAtc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
		echo "${base%/*}/$db${PG_URL#"$base"}"
		;;
	esac
}

# event_count URL: how many events the store holds (0 when it has no
# event table yet: nothing was written).
event_count() {
	case $1 in
	postgres://* | postgresql://*)
		psql "$1" -qAtc "SELECT count(*) FROM events" 2>/dev/null || echo 0
		;;
	*)
		if [ -f "$1" ]; then
			sqlite3 "$1" "SELECT count(*) FROM events" 2>/dev/null || echo 0
		else
			echo 0
		fi
		;;
	esac
}

# store_sql URL SQL: one statement on the store, its rows as text.
store_sql() {
	case $1 in
	postgres://* | postgresql://*) psql "$1" -qAtc "$2" ;;
	*) sqlite3 "$1" "$2" ;;
	esac
}

json_item() {
	jq -r --arg id "$2" --arg k "$3" '[.items[] | select(.id == $id)][0][$k]
		| if . == null then "null" elif type == "object" or type == "array" then tojson else . end' "$1"
}
