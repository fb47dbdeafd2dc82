#!/bin/bash
# ctest-labels: slow
# The store's unit cases (tests/unit/test_store.c) on a real PostgreSQL
# server: the same table of cases that runs on SQLite, so both backends
# keep one behaviour.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_pg.sh"

[ -x "$BUILDDIR/test_store" ] || skip "test_store is not built (cmocka missing)"
start_postgres

out=$(PREFLIGHT_TEST_PG_URL=$PG_URL "$BUILDDIR/test_store" 2>&1) && rc=0 || rc=$?
expect_eq "test_store passes on SQLite and PostgreSQL" "$rc" 0
expect_match "the PostgreSQL group ran" "$out" 'the same cases on PostgreSQL'
expect_no_match "no PostgreSQL case was skipped" "$out" 'PostgreSQL cases are skipped'
expect_match "every PostgreSQL case passed" "$out" 'PASSED.*15 test'
[ "$rc" = 0 ] || printf '%s\n' "$out" | tail -40 | sed 's/^/#   /'

# The store made the tables it needs, and only in our database.
tables=$(pg_psql "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'")
expect_eq "the schema's tables" "$tables" "events,followups,meta,outbox,run_items,runs"
finish
