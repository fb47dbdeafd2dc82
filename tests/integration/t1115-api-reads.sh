#!/usr/bin/env bash
# ctest-labels: slow
# The JSON API's reads (docs/api.md) on a SQLite store: every GET with a
# token answers the report contract's objects (the run document is the
# one `preflight report --format json` writes), without a token or with a
# wrong one 401, with no-store caching; filters narrow the items, bad
# query values are 400 naming the parameter, unknown runs, items and
# follow-ups 404; the outbox shows its messages without the webhook URL;
# --open-reads lets GETs through without a token.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_launch.sh"
. "$(dirname "$0")/lib_api.sh"
need curl jq

fx="$SRCDIR/tests/fixtures/launch"
DB="$WORK/api.db"
api_tokens

pf "$WORK/run" run "$fx/api.yaml" --by ann --db "$DB" --format json
expect_rc "the run opens" 0
RUN=$(jq -r .run.id "$WORK/run")
# a failure opens a follow-up; the overdue item's alert goes to the outbox
pf "$WORK/fail" item fail "$RUN" pay-smoke --by bob --reason "card declined" --db "$DB"
expect_rc "an item fails (CLI)" 0
HOOK="http://127.0.0.1:9/hook-secret-path-$RANDOM"
T_API_HOOK_URL=$HOOK pf "$WORK/notify" notify --once --run "$RUN" --db "$DB"
FU=$(store_sql "$DB" "SELECT id FROM followups")

api_serve "$DB"

# every read: with a token 200, without one and with a wrong one 401
reads=(/api/v1/runs "/api/v1/runs/$RUN" "/api/v1/runs/$RUN/items" "/api/v1/runs/$RUN/items/db-backup"
	"/api/v1/runs/$RUN/items/db-backup/events" /api/v1/events /api/v1/followups "/api/v1/followups/$FU"
	/api/v1/outbox /api/v1/whoami)
for p in "${reads[@]}"; do
	api_as "$TOK_ANN" GET "$p"
	expect_eq "GET $p with a token: 200" "$API_STATUS" 200
	expect_true "... JSON" jq -e . "$WORK/api.body"
	expect_match "... not cached" "$API_HEADERS" '^cache-control: no-store'
	api GET "$p"
	expect_eq "GET $p without a token: 401" "$API_STATUS" 401
	expect_eq "... a JSON error" "$(jq -r .error.code <<<"$API_BODY")" unauthorized
	api_as wrong-token-0123456789 GET "$p"
	expect_eq "GET $p with a wrong token: 401" "$API_STATUS" 401
done

# runs
api_as "$TOK_ANN" GET /api/v1/runs
expect_eq "runs: the run, with its counts" "$(jq -c '.runs[0] | [.id, .name, .items, .counts.fail]' <<<"$API_BODY")" \
	"[$RUN,\"api launch\",5,1]"
pf "$WORK/runs.cli" runs --db "$DB" --format json
expect_eq "... the objects of 'preflight runs --format json'" "$(jq -c . <<<"$API_BODY")" "$(jq -c . "$WORK/runs.cli")"

# the run document: the report's
api_as "$TOK_ANN" GET "/api/v1/runs/$RUN"
pf "$WORK/report" report "$RUN" --db "$DB" --format json
strip='del(.run.as_of) | del(.items[].overdue_ms) | del(.followups[].overdue)'
expect_eq "the run: the document of 'preflight report --format json'" "$(jq -c "$strip" <<<"$API_BODY")" \
	"$(jq -c "$strip" "$WORK/report")"
api_as "$TOK_ANN" GET "/api/v1/runs/$RUN?module=payment&owner=ann"
expect_eq "... filtered by module and owner" "$(jq -c '[.items[].id]' <<<"$API_BODY")" '["db-backup","late"]'
pf "$WORK/report.f" report "$RUN" --db "$DB" --format json --module payment --owner ann
expect_eq "... as the report filters" "$(jq -c "$strip" <<<"$API_BODY")" "$(jq -c "$strip" "$WORK/report.f")"

# items
api_as "$TOK_ANN" GET "/api/v1/runs/$RUN/items"
expect_eq "items: all five, in checklist order" "$(jq -c '[.items[].id]' <<<"$API_BODY")" \
	'["db-backup","pay-smoke","order-smoke","cache-warm","late"]'
expect_eq "... with the run and the moment" "$(jq -r '"\(.run) \(.as_of | test("^20[0-9-]+T[0-9:]+Z$"))"' <<<"$API_BODY")" \
	"$RUN true"
api_as "$TOK_ANN" GET "/api/v1/runs/$RUN/items?env=staging"
expect_eq "... env=staging" "$(jq -c '[.items[].id]' <<<"$API_BODY")" '["cache-warm"]'
api_as "$TOK_ANN" GET "/api/v1/runs/$RUN/items?env=&module=&owner=&status=&overdue=0"
expect_eq "... empty filters are none" "$(jq '.items | length' <<<"$API_BODY")" 5
api_as "$TOK_ANN" GET "/api/v1/runs/$RUN/items?status=fail"
expect_eq "... status=fail" "$(jq -c '[.items[].id]' <<<"$API_BODY")" '["pay-smoke"]'
api_as "$TOK_ANN" GET "/api/v1/runs/$RUN/items?overdue=1"
expect_eq "... overdue=1" "$(jq -c '[.items[].id]' <<<"$API_BODY")" '["late"]'

# one item, and its history
api_as "$TOK_ANN" GET "/api/v1/runs/$RUN/items/pay-smoke"
expect_eq "an item: the report's object" "$(jq -c '[.id, .status, .executor, .note, .module]' <<<"$API_BODY")" \
	'["pay-smoke","fail","bob","card declined","payment"]'
expect_eq "... the same as in the report" "$(jq -c 'del(.overdue_ms)' <<<"$API_BODY")" \
	"$(jq -c '.items[] | select(.id == "pay-smoke") | del(.overdue_ms)' "$WORK/report")"
api_as "$TOK_ANN" GET "/api/v1/runs/$RUN/items/late"
expect_eq "... an overdue one says how late" "$(jq -r '.overdue and (.overdue_ms > 0)' <<<"$API_BODY")" true
api_as "$TOK_ANN" GET "/api/v1/runs/$RUN/items/pay-smoke/events"
expect_eq "its history, oldest first" "$(jq -c '[.events[].kind][0:2]' <<<"$API_BODY")" \
	'["item.fail","followup.open"]'
expect_eq "... with who and why" "$(jq -r '.events[0] | "\(.actor) \(.reason) \(.status)"' <<<"$API_BODY")" \
	"bob card declined fail"

# the event log
api_as "$TOK_ANN" GET /api/v1/events
n=$(event_count "$DB")
expect_eq "events: all of them" "$(jq '.events | length' <<<"$API_BODY")" "$n"
expect_eq "... last_seq is the newest" "$(jq .last_seq <<<"$API_BODY")" "$(jq '.events[-1].seq' <<<"$API_BODY")"
api_as "$TOK_ANN" GET "/api/v1/events?after=1&limit=2"
expect_eq "... after=1&limit=2: seqs 2 and 3, more to come" "$(jq -c '[[.events[].seq], .last_seq, .more]' <<<"$API_BODY")" \
	'[[2,3],3,true]'
api_as "$TOK_ANN" GET "/api/v1/events?after=$n"
expect_eq "... after the newest: none, last_seq stays" "$(jq -c '[(.events | length), .last_seq, .more]' <<<"$API_BODY")" \
	"[0,$n,false]"
api_as "$TOK_ANN" GET "/api/v1/events?run=$RUN&item=pay-smoke"
expect_eq "... run and item" "$(jq -c '[.events[].kind][0:2]' <<<"$API_BODY")" '["item.fail","followup.open"]'

# follow-ups
api_as "$TOK_ANN" GET /api/v1/followups
expect_eq "follow-ups: the failure's, with its run" "$(jq -c '[.followups[] | [.id, .run, .item, .status, .summary]]' <<<"$API_BODY")" \
	"[[$FU,$RUN,\"pay-smoke\",\"open\",\"card declined\"]]"
api_as "$TOK_ANN" GET "/api/v1/followups?run=$RUN&open=1"
expect_eq "... run=&open=1" "$(jq '.followups | length' <<<"$API_BODY")" 1
api_as "$TOK_ANN" GET "/api/v1/followups/$FU"
expect_eq "... one" "$(jq -c '[.id, .owner, .status]' <<<"$API_BODY")" "[$FU,\"bob\",\"open\"]"

# the outbox: what it says and how delivery goes, never where it goes
api_as "$TOK_ANN" GET /api/v1/outbox
expect_eq "outbox: the overdue item's alert" "$(jq -r '[.messages[] | select(.item == "late")] | length > 0' <<<"$API_BODY")" true
expect_eq "... its fields" "$(jq -c '.messages[0] | keys' <<<"$API_BODY")" \
	'["attempts","body","channel","created_at","dedupe_key","id","item","kind","last_error","next_attempt_at","run","sent_at","state"]'
expect_no_match "... never the webhook URL" "$API_BODY" "hook-secret-path|127\.0\.0\.1:9"
api_as "$TOK_ANN" GET "/api/v1/outbox?state=sent"
expect_eq "... state=sent: none delivered" "$(jq '.messages | length' <<<"$API_BODY")" 0

# refusals
bad() { # DESC PATH STATUS ERE
	api_as "$TOK_ANN" GET "$2"
	expect_eq "$1: $3" "$API_STATUS" "$3"
	expect_match "... $(sed 's/\\//g' <<<"$4")" "$(api_err)" "$4"
}
bad "limit=abc" "/api/v1/runs?limit=abc" 400 "bad_request: query parameter 'limit' must be an integer from 1 to 1000, not 'abc'"
bad "limit=0" "/api/v1/events?limit=0" 400 "parameter 'limit'"
bad "limit over the maximum" "/api/v1/events?limit=5001" 400 "from 1 to 5000"
bad "status=nope" "/api/v1/runs/$RUN/items?status=nope" 400 "query parameter 'status' must be one of pending, running, pass, fail, skip, not 'nope'"
bad "run=0" "/api/v1/events?run=0" 400 "query parameter 'run'"
bad "overdue=yes" "/api/v1/runs/$RUN?overdue=yes" 400 "query parameter 'overdue' must be 1 or 0"
bad "state=lost" "/api/v1/outbox?state=lost" 400 "query parameter 'state' must be one of pending, sent, dead"
bad "after=-1" "/api/v1/events?after=-1" 400 "query parameter 'after'"
bad "an unknown run" /api/v1/runs/4242 404 "not_found: no run 4242"
bad "a run that is not a number" /api/v1/runs/abc/items 404 "not_found: no run 'abc'"
bad "an unknown item" "/api/v1/runs/$RUN/items/db-bakup" 404 "not_found: run $RUN has no item 'db-bakup'; its items: db-backup"
bad "an unknown item's events" "/api/v1/runs/$RUN/items/nope/events" 404 "has no item 'nope'"
bad "an unknown follow-up" /api/v1/followups/999 404 "not_found: no follow-up 999"
bad "an unknown path" /api/v1/nothing 404 "not_found"
api_as "$TOK_ANN" DELETE "/api/v1/runs/$RUN"
expect_eq "another method: 405" "$API_STATUS" 405

# whoami: who the token is
api_as "$TOK_BOB" GET /api/v1/whoami
expect_eq "whoami with a token: its name, no CSRF token" "$(jq -c '[.actor, .via, .csrf]' <<<"$API_BODY")" '["bob","api",null]'
expect_no_match "the log never holds a token" "$(cat "$SERVE_LOG")" "$TOK_ANN|$TOK_BOB"

# --open-reads: GETs without a token, never a POST
api_stop "the first server"
api_serve "$DB" --open-reads
for p in "${reads[@]}"; do
	api GET "$p"
	expect_eq "--open-reads: GET $p without a token: 200" "$API_STATUS" 200
done
api GET /api/v1/whoami
expect_eq "--open-reads: whoami says nobody" "$(jq -c '[.actor, .via]' <<<"$API_BODY")" '[null,null]'
api POST "/api/v1/runs/$RUN/items/db-backup/confirm"
expect_eq "--open-reads: a POST without a token: 401" "$API_STATUS" 401
api_as wrong-token-0123456789 GET /api/v1/runs
expect_eq "--open-reads: a wrong token is still refused" "$API_STATUS" 401
expect_eq "... nothing written" "$(event_count "$DB")" "$n"

api_stop "the server"
finish
