#!/usr/bin/env bash
# ctest-labels: slow
# What the API does with a POST body it cannot take (docs/api.md,
# "Errors"): a body over --max-body is 413, one that is not
# application/json 415, malformed JSON 400 naming the line and column,
# an unknown field 400 naming it (who acts is never a field: it is the
# token's name), a field of the wrong type 400 naming it, text that is
# not UTF-8 400; each a JSON error, nothing written, the server still
# answering the next request.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_launch.sh"
. "$(dirname "$0")/lib_api.sh"
need curl jq head

fx="$SRCDIR/tests/fixtures/launch"
DB="$WORK/api.db"
api_tokens
pf "$WORK/run" run "$fx/api.yaml" --by ann --db "$DB" --format json
expect_rc "the run opens" 0
RUN=$(jq -r .run.id "$WORK/run")
api_serve "$DB"
url="/api/v1/runs/$RUN/items/order-smoke/skip"
J=(-H "Content-Type: application/json")
n=$(event_count "$DB")

refused() { # DESC STATUS ERE CURL-ARGS...
	local d=$1 st=$2 ere=$3
	shift 3
	api_as "$TOK_ANN" POST "$url" "$@"
	expect_eq "$d: $st" "$API_STATUS" "$st"
	expect_match "... $(sed 's/\\//g' <<<"$ere")" "$(api_err)" "$ere"
}

# size
head -c 70000 /dev/zero | tr '\0' 'x' | sed 's/^/{"reason": "/; s/$/"}/' >"$WORK/big.json"
refused "a body over 64 KiB" 413 "^payload_too_large" "${J[@]}" --data-binary @"$WORK/big.json"
# a reason over the actions' limit, in a body under the server's
head -c 5000 /dev/zero | tr '\0' 'r' | sed 's/^/{"reason": "/; s/$/"}/' >"$WORK/long.json"
refused "a reason over 4000 bytes" 400 "^bad_request: reason is 5000 bytes long; at most 4000 are kept" \
	"${J[@]}" --data-binary @"$WORK/long.json"

# type
refused "a text/plain body" 415 "^unsupported_media_type: the body must be application/json, not 'text/plain'" \
	-H "Content-Type: text/plain" -d '{"reason": "x"}'
refused "a form" 415 "^unsupported_media_type: .*application/x-www-form-urlencoded" -d 'reason=x'
refused "no Content-Type" 415 "^unsupported_media_type" -H "Content-Type:" -d '{"reason": "x"}'

# syntax
refused "malformed JSON" 400 "^bad_request: malformed JSON at line 2, column [0-9]+" "${J[@]}" \
	--data-binary $'{"reason": "x",\n "change": }'
refused "a truncated body" 400 "^bad_request: malformed JSON at line 1" "${J[@]}" -d '{"reason": "x'
refused "an array" 400 "^bad_request: the body must be a JSON object" "${J[@]}" -d '["reason"]'
refused "a duplicate field" 400 "^bad_request: malformed JSON .*duplicate" "${J[@]}" -d '{"reason": "a", "reason": "b"}'
refused "not UTF-8" 400 "^bad_request: malformed JSON" "${J[@]}" --data-binary $'{"reason": "\xff\xfe"}'
refused "a NUL in a string" 400 "^bad_request: malformed JSON" "${J[@]}" -d '{"reason": "a\u0000b"}'

# fields
refused "choosing who acts" 400 "^bad_request: unknown field 'actor'; this call takes reason, change" "${J[@]}" \
	-d '{"reason": "x", "actor": "mallory"}'
refused "an unknown field" 400 "^bad_request: unknown field 'by'" "${J[@]}" -d '{"by": "mallory"}'
refused "a number for a reason" 400 "^bad_request: field 'reason' must be a string" "${J[@]}" -d '{"reason": 5}'
refused "an object for a change" 400 "^bad_request: field 'change' must be a string" "${J[@]}" \
	-d '{"reason": "x", "change": {"id": 1}}'
api_as "$TOK_ANN" POST /api/v1/followups/1/close "${J[@]}" -d '{"reason": "x"}'
expect_eq "close with a reason instead of an rca: 400 naming it" "$API_STATUS $(api_err)" \
	"400 bad_request: unknown field 'reason'; this call takes rca"

expect_eq "nothing was written" "$(event_count "$DB")" "$n"
api_as "$TOK_ANN" POST "$url" -H "Content-Type: application/json; charset=utf-8" -d '{"reason": "no orders this time", "change": null}'
expect_eq "the server still answers: a good body with a charset is taken" "$API_STATUS" 200
expect_eq "... once" "$(event_count "$DB")" "$((n + 1))"
expect_true "the server is still running" kill -0 "$SERVE_PID"
expect_no_match "the log never holds a token" "$(cat "$SERVE_LOG")" "$TOK_ANN|$TOK_BOB"

api_stop "the server"
finish
