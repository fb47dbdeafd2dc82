#!/usr/bin/env bash
# store_status: how long the run view behind `preflight status` takes on a
# store of 100,000 events, on SQLite and on PostgreSQL, and the same item
# query through the engine's own CLI (sqlite3, psql) for comparison.
#
# Two stores of 100,000 events each (tests/helpers/store_load.c fill):
#   many: 1,000 runs x 10 items x 100 events (run.open included); the view
#         of one run in the middle
#   one:  1 run x 1,000 items x 100,000 events: the view of that run
# The event mix: start, result (fail, with evidence and a duration), reopen,
# confirm (with a change), skip; due times in the past, so every derived
# field has something to derive.
#
# Figures (store_load view, 50 views in one process after a first cold
# one): first, median and best wall time, median CPU time. Then a whole
# process (open + one view + close) 20 times, median wall time. Then the
# CLI running the item query. PostgreSQL: a server from
# tests/integration/lib_pg.sh (started and stopped here), or BENCH_PG_URL;
# the same two stores are copied into it from the SQLite files (COPY: a
# fill through the store's API costs four round trips per event).
#
# Usage: bench/store_status.sh [BUILD_DIR]     (default: build)
# BENCH_OUT=DIR keeps the SQLite stores there (and reuses them next time).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
load=$build/store_load
[ -x "$load" ] || { echo "store_status: $load is not built (make build)" >&2; exit 1; }

# lib.sh gives a scratch $WORK removed at exit; lib_pg.sh a PostgreSQL.
export PREFLIGHT=$build/preflight BUILDDIR=$build SRCDIR=$here/..
. "$here/../tests/integration/lib.sh"
. "$here/../tests/integration/lib_pg.sh"
out=${BENCH_OUT:-$WORK}
PG_LIFETIME=${PG_LIFETIME:-3600s}

# The view's item query (src/store/store_view.c items_full_sql) for run ?1.
ITEMS_SQL="WITH i AS MATERIALIZED (SELECT i.*,
  (SELECT MAX(x.seq) FROM events x WHERE x.run_id = i.run_id AND x.item_id = i.item_id
   AND x.status IS NOT NULL) AS s_seq,
  (SELECT y.item_seq FROM events y WHERE y.run_id = i.run_id AND y.item_id = i.item_id
   ORDER BY y.seq DESC LIMIT 1) AS n_events,
  (SELECT y.cycle FROM events y WHERE y.run_id = i.run_id AND y.item_id = i.item_id
   ORDER BY y.seq DESC LIMIT 1) AS cycle
  FROM run_items i WHERE i.run_id = RUN)
 SELECT i.item_id, i.title, i.owner, i.module, i.env, i.severity, i.verify_kind, i.planned_change,
 i.due_ms, i.definition, s.seq, s.at_ms, s.status, s.actor, s.reason, s.data, i.n_events, i.cycle,
 (SELECT c.change_id FROM events c WHERE c.run_id = i.run_id AND c.item_id = i.item_id
  AND c.change_id IS NOT NULL ORDER BY c.seq DESC LIMIT 1),
 (SELECT c.data FROM events c WHERE c.run_id = i.run_id AND c.kind = 'item.result'
  AND c.item_id = i.item_id ORDER BY c.seq DESC LIMIT 1),
 (SELECT c.reason FROM events c WHERE c.run_id = i.run_id AND c.item_id = i.item_id
  AND c.reason IS NOT NULL AND c.kind IN ('item.confirm', 'item.skip', 'item.fail')
  AND i.due_ms > 0 AND c.at_ms > i.due_ms ORDER BY c.seq DESC LIMIT 1)
 FROM i
 LEFT JOIN events s ON s.seq = i.s_seq
 ORDER BY i.position"

now_ms() { date +%s%3N; }

# process_median DB RUN: open + one view + close, 20 times: the median ms.
process_median() {
	local i t0 t1
	for i in $(seq 20); do
		t0=$(date +%s%N)
		"$load" view "$1" "$2" 1 >/dev/null
		t1=$(date +%s%N)
		echo $(((t1 - t0) / 1000))
	done | sort -n | awk '{ a[NR] = $1 } END { printf "%.2f", a[int((NR + 1) / 2)] / 1000 }'
}

# copy_to_pg SQLITE_FILE URL: the schema made by the store, the rows copied.
copy_to_pg() {
	local t
	"$load" init "$2" 0 0 >/dev/null       # creates the schema (and a run 1 we drop)
	"$PG_BIN/psql" -X -q -d "$2" -c "TRUNCATE events, run_items, runs CASCADE" >/dev/null
	for t in runs run_items events; do
		sqlite3 -csv "$1" "SELECT * FROM $t" |
			"$PG_BIN/psql" -X -q -d "$2" -c "\\copy $t FROM STDIN WITH (FORMAT csv)"
	done
	"$PG_BIN/psql" -X -q -d "$2" -c "SELECT setval('runs_id_seq', (SELECT MAX(id) FROM runs));
		SELECT setval('events_seq_seq', (SELECT MAX(seq) FROM events))" >/dev/null
	# what autovacuum would have done by now: statistics and the visibility map
	"$PG_BIN/psql" -X -q -d "$2" -c "VACUUM ANALYZE"
}

bench_store() { # BACKEND NAME DB RUNS ITEMS EVENTS VIEW_RUN [SQLITE_FILE to copy]
	local be=$1 name=$2 db=$3 t0 t1
	t0=$(now_ms)
	if [ -n "${8:-}" ]; then
		copy_to_pg "$8" "$db"
	elif [ -s "$db" ]; then
		echo "$be $name: $db exists, reused (BENCH_OUT)"
	else
		"$load" fill "$db" "$4" "$5" "$6"
	fi
	t1=$(now_ms)
	printf '%-10s %-4s %s %d runs x %d items x %d events: %.1f s\n' "$be" "$name" \
		"$([ -n "${8:-}" ] && echo copy || echo fill)" "$4" "$5" "$6" "$(echo "($t1 - $t0) / 1000" | bc -l)"
	printf '%-10s %-4s view: %s\n' "$be" "$name" "$("$load" view "$db" "$7" 50)"
	printf '%-10s %-4s whole process (open, view, close), median of 20: %s ms\n' "$be" "$name" \
		"$(process_median "$db" "$7")"
}

cli_sqlite() { # DB RUN
	command -v sqlite3 >/dev/null || { echo "sqlite3 CLI: not installed"; return; }
	printf 'sqlite3 CLI, the item query, 3 runs: %s\n' "$(printf '.timer on\n.output /dev/null\n%s;\n%s;\n%s;\n' \
		"${ITEMS_SQL//RUN/$2}" "${ITEMS_SQL//RUN/$2}" "${ITEMS_SQL//RUN/$2}" | sqlite3 "$1" 2>&1 |
		awk '/Run Time/ { printf "%.1f ms (user %.1f)  ", $4 * 1000, $6 * 1000 }')"
}

cli_psql() { # URL RUN
	local t
	t=$(for i in 1 2 3; do printf '\\timing on\n%s;\n' "${ITEMS_SQL//RUN/$2}"; done |
		"$PG_BIN/psql" -X -q -d "$1" -o /dev/null 2>&1 | awk '/^Time:/ { printf "%s ms  ", $2 }')
	printf 'psql CLI, the item query, 3 runs: %s\n' "$t"
}

echo "# $(date -u +%FT%TZ) $(uname -m), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
bench_store sqlite many "$out/many.db" 1000 10 100 500
bench_store sqlite one "$out/one.db" 1 1000 100000 1
echo "sqlite     many $(cli_sqlite "$out/many.db" 500)"
echo "sqlite     one  $(cli_sqlite "$out/one.db" 1)"

if [ -n "${BENCH_PG_URL:-}" ] || pg_available; then
	if [ -z "${BENCH_PG_URL:-}" ]; then
		start_postgres
		pg_psql "CREATE DATABASE many" && pg_psql "CREATE DATABASE one"
		many_url=${PG_URL/\/preflight?//many?}
		one_url=${PG_URL/\/preflight?//one?}
	else
		# two databases next to the given one; dropped first if present
		PG_BIN=${PG_BIN:-$(dirname "$(command -v psql)")}
		"$PG_BIN/psql" -X -q -d "$BENCH_PG_URL" -c "DROP DATABASE IF EXISTS pf_bench_many" -c "DROP DATABASE IF EXISTS pf_bench_one" \
			-c "CREATE DATABASE pf_bench_many" -c "CREATE DATABASE pf_bench_one"
		many_url=$(sed -E 's#^(postgres(ql)?://[^/?]*)/?[^?]*#\1/pf_bench_many#' <<<"$BENCH_PG_URL")
		one_url=$(sed -E 's#^(postgres(ql)?://[^/?]*)/?[^?]*#\1/pf_bench_one#' <<<"$BENCH_PG_URL")
	fi
	command -v sqlite3 >/dev/null || { echo "postgresql: skipped (the sqlite3 CLI copies the stores)"; exit 0; }
	bench_store postgresql many "$many_url" 1000 10 100 500 "$out/many.db"
	bench_store postgresql one "$one_url" 1 1000 100000 1 "$out/one.db"
	if [ -n "${PG_BIN:-}" ]; then
		echo "postgresql many $(cli_psql "$many_url" 500)"
		echo "postgresql one  $(cli_psql "$one_url" 1)"
	fi
else
	echo "postgresql: skipped ($(_pg_missing))"
fi
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
