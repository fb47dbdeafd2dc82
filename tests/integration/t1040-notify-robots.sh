#!/bin/bash
# preflight notify against the recorder, on SQLite and on PostgreSQL: each
# robot gets the exact JSON it expects (WeCom text with
# mentioned_mobile_list and markdown, DingTalk markdown and text with
# at.atMobiles and a valid signature, Slack blocks with <@U..>, the generic
# webhook with its id as Idempotency-Key, a Jira sub-task whose key is
# recorded on the follow-up); --dry-run sends nothing; a second round sends
# nothing twice; the secrets are in no log, output or store dump.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_notify.sh"
[ -f "$(dirname "$0")/lib_pg.sh" ] && . "$(dirname "$0")/lib_pg.sh"

rec_lines() {   # PATH: the recorder's records of that path
	jq -c --arg p "$1" 'select(.path == $p)' "$REC_LOG"
}

scenario() {   # NAME DB
	local name=$1 db=$2 run fu n
	start_recorder
	notify_checklist "$WORK/cl.yaml" wc dt dx sl wh
	run=$(PARENT_TICKET=ORD-100 "$DRIVER" "$db" open "$WORK/cl.yaml" 60)
	fu=$("$DRIVER" "$db" fail "$run" ORD-2 "cache warm timed out")
	expect_eq "$name: the run and its follow-up" "$run/$fu" "1/1"

	pf_notify "$WORK/dry.json" notify --dry-run --format json --db "$db"
	expect_rc "$name: --dry-run exits 0" 0
	expect_eq "$name: --dry-run lists every due message" "$(jq length "$WORK/dry.json")" 20
	expect_eq "$name: --dry-run sends nothing" "$(rec_stat requests)" 0

	pf_notify "$WORK/once.out" notify --once --db "$db" --timeout 5s
	expect_rc "$name: notify --once exits 0" 0
	expect_match "$name: it says what went (the follow-up queued its own 6)" "$(cat "$WORK/once.out")" "queued 15, sent 21, retry later 0, dead 0"
	expect_eq "$name: the recorder took every message" "$(rec_stat delivered)" 21
	expect_eq "$name: each body exactly as its robot expects" "$(rec_stat invalid)" 0
	expect_eq "$name: no duplicates" "$(rec_stat duplicates)" "[]"

	# WeCom: a message that must page someone by mobile goes as text
	n=$(rec_lines /wecom | jq -r '.body | fromjson | select(.msgtype == "text") | .text.mentioned_mobile_list | join(",")' | sort -u | tr '\n' ' ')
	expect_eq "$name: wecom text mentions the owner's mobile" "$n" "13800000001 "
	n=$(rec_lines /wecom | jq -r '.body | fromjson | select(.msgtype == "markdown") | .markdown.content' | grep -c 'ORD-3 is overdue')
	expect_eq "$name: wecom markdown for an item nobody owns" "$n" 1
	# DingTalk: signed, @mobile in the text and in at.atMobiles
	n=$(rec_lines /dingtalk | jq -r 'select(.query | test("timestamp=[0-9]+&sign=")) | .seq' | wc -l)
	expect_eq "$name: every dingtalk URL signed" "$n" 8
	n=$(rec_lines /dingtalk | jq -r '.body | fromjson | select(.msgtype == "markdown") | select(.at.atMobiles == ["13800000001"] and .at.isAtAll == false) | .markdown.text' | grep -c '@13800000001')
	expect_eq "$name: dingtalk markdown @mentions the owner" "$n" 3
	n=$(rec_lines /dingtalk | jq -r '.body | fromjson | select(.msgtype == "text") | .text.content' | grep -c 'is overdue')
	expect_eq "$name: dingtalk text format" "$n" 3
	# Slack: <@member> mentions, blocks with mrkdwn
	n=$(rec_lines /slack | jq -r '.body | fromjson | .text' | grep -c '<@U0ALICE>')
	expect_eq "$name: slack mentions the owner by member id" "$n" 3
	# webhook: the documented fields, id == Idempotency-Key
	n=$(rec_lines /webhook | jq -r '(.body | fromjson) as $b | select(.headers["Idempotency-Key"] == $b.id) | $b.stage' | sort | tr '\n' ' ')
	expect_eq "$name: webhook stages, id as Idempotency-Key" "$n" "due due due followup-open "
	# Jira: a Sub-task under the run's parent, the key recorded
	n=$(rec_lines /rest/api/2/issue | jq -r '.body | fromjson | .fields | "\(.project.key) \(.parent.key) \(.issuetype.name)"')
	expect_eq "$name: jira sub-task" "$n" "ORD ORD-100 Sub-task"
	expect_match "$name: jira bearer auth" "$(rec_lines /rest/api/2/issue | jq -r '.headers.Authorization')" "^Bearer "
	pf_notify "$WORK/fu.json" followup list --format json --db "$db"
	expect_eq "$name: the follow-up carries the Jira key" "$(jq -r '.[0].ticket' "$WORK/fu.json")" "ORD-1001"

	pf_notify "$WORK/again.out" notify --once --db "$db"
	expect_match "$name: a second round sends nothing again" "$(cat "$WORK/again.out")" "queued 0, sent 0"
	expect_eq "$name: still no duplicates" "$(rec_stat delivered)" 21

	pf_notify "$WORK/list.json" notify --list --format json --db "$db"
	expect_eq "$name: the outbox: every message sent" "$(jq '[.[] | select(.state == "sent")] | length' "$WORK/list.json")" 21
	pf_notify "$WORK/list.txt" notify --list --db "$db"
	pf_notify "$WORK/close.out" followup close "$fu" --rca "cache node was cold" --by alice --db "$db"
	expect_rc "$name: followup close exits 0" 0
	pf_notify "$WORK/close2.out" followup close "$fu" --rca again --by bob --db "$db"
	expect_rc "$name: closing it twice is refused" 2
	expect_match "$name: ... saying so" "$(cat "$WORK/close2.out.err")" "already closed"

	# secrets: in no output, log, or the store
	if [ "$db" = "${PG_URL:-}" ]; then
		for t in events outbox runs run_items followups; do
			pg_psql "SELECT * FROM $t" >"$WORK/dump.$t"
		done
	else
		sqlite3 "$db" .dump >"$WORK/dump.sqlite"
	fi
	expect_no_secret "$name: secrets in no output, log or store" "$WORK"/*.out "$WORK"/*.err "$WORK"/*.json \
		"$WORK"/list.txt "$WORK"/dump.*
	expect_true "$name: the store dump is not empty" grep -q 'ORD-1' "$WORK"/dump.*
	stop_recorder
	rm -f "$WORK"/dump.*
}

need sqlite3
scenario sqlite "$WORK/store.db"
if declare -F pg_available >/dev/null && pg_available; then
	start_postgres
	scenario postgresql "$PG_URL"
else
	skip_one "the same on PostgreSQL" "no lib_pg.sh or no PostgreSQL here"
fi
finish
