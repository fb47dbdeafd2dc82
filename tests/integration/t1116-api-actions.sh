#!/usr/bin/env bash
# ctest-labels: slow
# The API's writes on SQLite and on PostgreSQL (docs/api.md, "Actions"):
# confirm, fail, skip, reopen and close a follow-up answer the event's
# seq, the transition and the item after it; the event records the
# token's name as its actor and data.via "api"; the CLI's rules refuse the
# same things with the same words (skip without a reason 400, confirming
# a passed item 409, an overdue item without the delay's reason 400); an
# unknown run, item or follow-up is 404; no token or a wrong one 401; a
# refused call writes nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_launch.sh"
. "$(dirname "$0")/lib_api.sh"
need curl jq

launch_stores
fx="$SRCDIR/tests/fixtures/launch"
api_tokens
J=(-H "Content-Type: application/json")

pass() {
	local K=$1 DB RUN n fu
	DB=$(store_url "$K" api)
	pf "$WORK/$K.run" run "$fx/api.yaml" --by ann --db "$DB" --format json
	expect_rc "$K: the run opens" 0
	RUN=$(jq -r .run.id "$WORK/$K.run")
	api_serve "$DB"
	local base="/api/v1/runs/$RUN/items"

	# every write: without a token and with a wrong one 401, nothing written
	n=$(event_count "$DB")
	for a in confirm fail skip reopen; do
		api POST "$base/db-backup/$a" "${J[@]}" -d '{"reason": "x"}'
		expect_eq "$K: POST $a without a token: 401" "$API_STATUS" 401
		api_as wrong-token-0123456789 POST "$base/db-backup/$a" "${J[@]}" -d '{"reason": "x"}'
		expect_eq "$K: POST $a with a wrong token: 401" "$API_STATUS" 401
	done
	api POST /api/v1/followups/1/close "${J[@]}" -d '{"rca": "x"}'
	expect_eq "$K: close without a token: 401" "$API_STATUS" 401
	api_as wrong-token-0123456789 POST /api/v1/followups/1/close "${J[@]}" -d '{"rca": "x"}'
	expect_eq "$K: close with a wrong token: 401" "$API_STATUS" 401
	expect_eq "$K: ... nothing written" "$(event_count "$DB")" "$n"

	# confirm: no body needed
	api_as "$TOK_ANN" POST "$base/db-backup/confirm"
	expect_eq "$K: confirm: 200" "$API_STATUS" 200
	expect_eq "$K: ... the transition and the item after it" \
		"$(jq -c '[.from, .to, .followup, .item.id, .item.status, .item.executor]' <<<"$API_BODY")" \
		'["pending","pass",null,"db-backup","pass","ann"]'
	expect_eq "$K: ... its seq is the event's" "$(jq .seq <<<"$API_BODY")" "$(store_sql "$DB" "SELECT max(seq) FROM events")"
	expect_eq "$K: ... recorded as the token's name, via the API" \
		"$(store_sql "$DB" "SELECT kind || ' ' || actor FROM events WHERE seq = $(jq .seq <<<"$API_BODY")")" "item.confirm ann"
	api_as "$TOK_ANN" GET "/api/v1/runs/$RUN/items/db-backup/events"
	expect_eq "$K: ... data.via is api" "$(jq -r '.events[-1].data.via' <<<"$API_BODY")" api

	n=$(event_count "$DB")
	api_as "$TOK_BOB" POST "$base/db-backup/confirm"
	expect_eq "$K: confirming it again: 409" "$API_STATUS" 409
	expect_eq "$K: ... the actions' message" "$(api_err)" "conflict: item 'db-backup' of run $RUN is already pass (by ann)"
	api_as "$TOK_BOB" POST "$base/db-backup/skip" "${J[@]}" -d '{"reason": "not needed"}'
	expect_eq "$K: skipping a passed item: 409" "$API_STATUS" 409
	expect_match "$K: ... reopen it first" "$(api_err)" "is already pass \(by ann\); reopen it first"
	expect_eq "$K: ... nothing written" "$(event_count "$DB")" "$n"

	# reopen, then confirm with a change ticket
	api_as "$TOK_BOB" POST "$base/db-backup/reopen" "${J[@]}" -d '{"reason": "restore test redone"}'
	expect_eq "$K: reopen: 200, pass -> pending" "$API_STATUS $(jq -c '[.from, .to, .item.cycle]' <<<"$API_BODY")" '200 ["pass","pending",1]'
	api_as "$TOK_BOB" POST "$base/db-backup/confirm" "${J[@]}" -d '{"change": "DEP-42"}'
	expect_eq "$K: confirm after reopening: 200, by bob, with the change" \
		"$API_STATUS $(jq -c '[.to, .item.executor, .item.change]' <<<"$API_BODY")" '200 ["pass","bob","DEP-42"]'

	# skip needs a reason
	n=$(event_count "$DB")
	api_as "$TOK_ANN" POST "$base/order-smoke/skip"
	expect_eq "$K: skip without a reason: 400" "$API_STATUS" 400
	expect_eq "$K: ... saying so" "$(api_err)" "bad_request: skip needs a reason: why the item is not done"
	api_as "$TOK_ANN" POST "$base/order-smoke/skip" "${J[@]}" -d '{"reason": null}'
	expect_eq "$K: ... a null reason is none: 400" "$API_STATUS" 400
	api_as "$TOK_ANN" POST "$base/order-smoke/skip" "${J[@]}" -d '{"reason": ""}'
	expect_eq "$K: ... an empty one: 400" "$API_STATUS $(api_err)" "400 bad_request: reason needs a non-empty value"
	api_as "$TOK_ANN" POST "$base/order-smoke/skip" "${J[@]}" -d '{"reason": "a\u0007b"}'
	expect_match "$K: ... a control character: 400" "$API_STATUS $(api_err)" "^400 bad_request: reason holds a control character"
	expect_eq "$K: ... nothing written" "$(event_count "$DB")" "$n"
	api_as "$TOK_ANN" POST "$base/order-smoke/skip" "${J[@]}" -d '{"reason": "no orders in this release"}'
	expect_eq "$K: skip with a reason: 200" "$API_STATUS $(jq -c '[.to, .item.skip_reason]' <<<"$API_BODY")" \
		'200 ["skip","no orders in this release"]'

	# an overdue item needs the delay's reason
	api_as "$TOK_ANN" POST "$base/late/confirm"
	expect_eq "$K: confirming an overdue item without a reason: 400" "$API_STATUS" 400
	expect_match "$K: ... asks for the delay's reason" "$(api_err)" "item 'late' of run $RUN was due 2020-06-01T12:00:00Z .*; confirming it now needs a reason, the reason for the delay"
	api_as "$TOK_ANN" POST "$base/late/confirm" "${J[@]}" -d '{"reason": "waited for the vendor"}'
	expect_eq "$K: ... with it: 200, the delay recorded" "$API_STATUS $(jq -r .item.delay_reason <<<"$API_BODY")" \
		"200 waited for the vendor"

	# fail opens a follow-up; closing it needs the RCA, once
	api_as "$TOK_BOB" POST "$base/pay-smoke/fail" "${J[@]}" -d '{"reason": "card declined"}'
	expect_eq "$K: fail: 200, with the follow-up it opened" "$API_STATUS $(jq -c '[.to, (.followup | type)]' <<<"$API_BODY")" \
		'200 ["fail","number"]'
	fu=$(jq .followup <<<"$API_BODY")
	api_as "$TOK_BOB" GET "/api/v1/followups/$fu"
	expect_eq "$K: ... the follow-up, open" "$(jq -c '[.item, .status, .summary]' <<<"$API_BODY")" '["pay-smoke","open","card declined"]'
	api_as "$TOK_BOB" POST "/api/v1/followups/$fu/close"
	expect_eq "$K: close without an RCA: 400" "$API_STATUS $(api_err)" \
		"400 bad_request: closing a follow-up needs its RCA: the root cause"
	api_as "$TOK_BOB" POST "/api/v1/followups/$fu/close" "${J[@]}" -d '{"rca": "the test card expired\nrenewed"}'
	expect_eq "$K: close with it: 200, closed by bob" \
		"$API_STATUS $(jq -c '[.followup.status, .followup.closed_by, .followup.rca, (.seq | type)]' <<<"$API_BODY")" \
		'200 ["closed","bob","the test card expired\nrenewed","number"]'
	expect_eq "$K: ... via the API" \
		"$(store_sql "$DB" "SELECT actor FROM events WHERE kind = 'followup.close'")" bob
	api_as "$TOK_ANN" POST "/api/v1/followups/$fu/close" "${J[@]}" -d '{"rca": "again"}'
	expect_eq "$K: closing it again: 409" "$API_STATUS $(api_err)" "409 conflict: follow-up $fu is already closed (by bob)"
	api_as "$TOK_ANN" POST /api/v1/followups/999/close "${J[@]}" -d '{"rca": "x"}'
	expect_eq "$K: an unknown follow-up: 404, without the store's name" "$API_STATUS $(api_err)" \
		"404 not_found: no follow-up 999"

	# unknown run and item
	n=$(event_count "$DB")
	api_as "$TOK_ANN" POST /api/v1/runs/4242/items/db-backup/confirm
	expect_eq "$K: an unknown run: 404, without the store's name" "$API_STATUS $(api_err)" "404 not_found: no run 4242"
	api_as "$TOK_ANN" POST "$base/db-bakup/confirm"
	expect_match "$K: an unknown item: 404, the likely one named" "$API_STATUS $(api_err)" \
		"^404 not_found: run $RUN has no item 'db-bakup'; its items: db-backup"
	api_as "$TOK_ANN" GET "$base/cache-warm/confirm"
	expect_eq "$K: GET on an action: 405" "$API_STATUS" 405
	expect_eq "$K: ... nothing written" "$(event_count "$DB")" "$n"

	# six people confirm one item at the same moment: one wins, five are told
	local pids=() i codes
	for i in 1 2 3 4 5 6; do
		curl -sS --max-time 20 -o /dev/null -w '%{http_code}\n' -X POST -H "Authorization: Bearer $TOK_BOB" \
			"$SERVE_URL$base/cache-warm/confirm" >"$WORK/race.$i" &
		pids+=($!)
	done
	wait "${pids[@]}"
	codes=$(cat "$WORK"/race.* | sort | uniq -c | awk '{ printf "%s*%s ", $2, $1 }')
	expect_eq "$K: six confirms at once: one 200, five 409" "$codes" "200*1 409*5 "
	expect_eq "$K: ... one event" \
		"$(store_sql "$DB" "SELECT count(*) FROM events WHERE item_id = 'cache-warm' AND kind = 'item.confirm'")" 1

	# the board's view and the report agree with what the API did
	pf "$WORK/$K.report" report "$RUN" --db "$DB" --format json
	expect_eq "$K: the report shows every action" \
		"$(jq -c '[.items[] | "\(.id)=\(.status)"]' "$WORK/$K.report")" \
		'["db-backup=pass","pay-smoke=fail","order-smoke=skip","cache-warm=pass","late=pass"]'
	expect_eq "$K: every event of the API says via api" \
		"$(store_sql "$DB" "SELECT count(*) FROM events WHERE kind IN ('item.confirm','item.fail','item.skip','item.reopen','followup.close') AND data NOT LIKE '%\"via\":\"api\"%' AND data NOT LIKE '%\"via\": \"api\"%'")" 0
	expect_no_match "$K: the log never holds a token" "$(cat "$SERVE_LOG")" "$TOK_ANN|$TOK_BOB"
	api_stop "$K"
}

for k in "${STORES[@]}"; do
	pass "$k"
done

finish
