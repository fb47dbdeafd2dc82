#!/usr/bin/env bash
# ctest-labels: slow
# The API and the store behind it, on SQLite and on PostgreSQL: what
# another process writes (the CLI) is what the next read answers, though
# the API keeps each thread's last run view while no event was appended;
# the clock still moves an item past its due time in a kept view; and on
# PostgreSQL, a store that goes away is 503 with a JSON error, never a
# crash.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_launch.sh"
. "$(dirname "$0")/lib_api.sh"
need curl jq

launch_stores
fx="$SRCDIR/tests/fixtures/launch"
api_tokens

cat >"$WORK/soon.yaml" <<'YAML'
version: 1
name: due soon
items:
  - {id: soon, title: "due in three seconds", verify: manual, due: +3s}
YAML

pass() {
	local K=$1 DB RUN RUN2 i
	DB=$(store_url "$K" store)
	pf "$WORK/$K.run" run "$fx/api.yaml" --by ann --db "$DB" --format json
	RUN=$(jq -r .run.id "$WORK/$K.run")
	api_serve "$DB" --threads 1
	local item="/api/v1/runs/$RUN/items/cache-warm"

	api_as "$TOK_ANN" GET "$item"
	expect_eq "$K: the item, pending" "$(jq -r .status <<<"$API_BODY")" pending
	api_as "$TOK_ANN" GET "$item"
	pf "$WORK/$K.cli" item confirm "$RUN" cache-warm --by carol --db "$DB"
	expect_rc "$K: another process confirms it" 0
	api_as "$TOK_ANN" GET "$item"
	expect_eq "$K: the next read says so" "$(jq -c '[.status, .executor]' <<<"$API_BODY")" '["pass","carol"]'
	pf "$WORK/$K.cli2" item reopen "$RUN" cache-warm --by carol --db "$DB"
	api_as "$TOK_ANN" GET "/api/v1/runs/$RUN"
	expect_eq "$K: ... the run document too" "$(jq -r '.items[] | select(.id == "cache-warm") | .status' <<<"$API_BODY")" pending

	# the clock: a kept view still turns overdue
	pf "$WORK/$K.run2" run "$WORK/soon.yaml" --by ann --db "$DB" --format json
	RUN2=$(jq -r .run.id "$WORK/$K.run2")
	api_as "$TOK_ANN" GET "/api/v1/runs/$RUN2/items/soon"
	expect_eq "$K: an item due in 3 s: not overdue" "$(jq -r .overdue <<<"$API_BODY")" false
	for ((i = 0; i < 100; i++)); do
		api_as "$TOK_ANN" GET "/api/v1/runs/$RUN2/items/soon"
		[ "$(jq -r .overdue <<<"$API_BODY")" = true ] && break
		sleep 0.1
	done
	expect_eq "$K: ... overdue once its time passed, with no event written" \
		"$(jq -c '[.overdue, (.overdue_ms > 0)]' <<<"$API_BODY")" '[true,true]'
	api_as "$TOK_ANN" GET "/api/v1/runs/$RUN2"
	expect_eq "$K: ... the run's summary counts it" "$(jq .summary.overdue <<<"$API_BODY")" 1

	if [ "$K" = pg ]; then
		# fast shutdown: the server ends the sessions it has (SIGTERM would
		# wait for them to end by themselves)
		_pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" stop -m fast -w -t 30 >/dev/null
		stop_proc "$PG_PID"
		api_as "$TOK_ANN" GET "$item"
		expect_eq "$K: PostgreSQL gone: 503" "$API_STATUS" 503
		expect_eq "$K: ... a JSON error" "$(jq -r .error.code <<<"$API_BODY")" unavailable
		api_as "$TOK_ANN" POST "/api/v1/runs/$RUN/items/cache-warm/confirm"
		expect_eq "$K: ... a write too" "$API_STATUS" 503
		expect_no_match "$K: ... never the password or a stack" "$API_BODY" "password|<html"
		expect_eq "$K: ... saying only that (the store's message may name its host)" \
			"$(jq -r .error.message <<<"$API_BODY")" "the store is unreachable; the next request tries again"
		expect_match "$K: ... the log has the store's own message" "$(cat "$SERVE_LOG")" "api: POST /api/v1/runs/$RUN/items/cache-warm/confirm: "
		expect_true "$K: the server is still running" kill -0 "$SERVE_PID"
	fi
	api_stop "$K"
}

for k in "${STORES[@]}"; do
	pass "$k"
done

finish
