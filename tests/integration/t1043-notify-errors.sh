#!/bin/bash
# ctest-labels: slow
# How the notifier meets answers that will not change and settings that
# are missing: Jira 400 and 401 and a DingTalk signature refused are dead
# at once, in the endpoint's words (exit 1); a webhook URL or Jira setting
# missing from the environment keeps the message pending with a clear
# error until it is set; a channel's rate limit holds messages back
# without counting an attempt; usage errors and an unreachable store exit 2.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_notify.sh"

n=0
fresh() {   # [RECORDER FLAGS...]: a new store and recorder, a run due a minute ago
	n=$((n + 1))
	DB="$WORK/store$n.db"
	[ -n "${REC_PID:-}" ] && stop_recorder
	start_recorder "$@"
	notify_checklist "$WORK/cl.yaml" "${CHANNELS:-wh}"
	PARENT_TICKET=ORD-100 "$DRIVER" "$DB" open "$WORK/cl.yaml" 60 >/dev/null
}

# --- Jira 400: dead, with Jira's words
CHANNELS=wh fresh -jira-answer 400
"$DRIVER" "$DB" fail 1 ORD-2 "cache cold" >/dev/null
pf_notify "$WORK/j400.out" notify --once --db "$DB"
expect_rc "jira 400: exit 1 (a message is dead)" 1
expect_match "jira 400: the log gives Jira's words" "$(cat "$WORK/j400.out.err")" \
	"jira:followup:1: dead: Jira answered HTTP 400; parent: Could not find issue"
pf_notify "$WORK/j400.json" notify --list --state dead --format json --db "$DB"
expect_eq "jira 400: one dead message, the Jira one" "$(jq -r '.[].kind' "$WORK/j400.json")" jira
expect_eq "jira 400: tried once" "$(jq -r '.[].attempts' "$WORK/j400.json")" 1

# --- Jira 401: dead, pointing at the token
CHANNELS=wh fresh -jira-answer 401
"$DRIVER" "$DB" fail 1 ORD-2 "cache cold" >/dev/null
pf_notify "$WORK/j401.out" notify --once --db "$DB"
expect_rc "jira 401: exit 1" 1
expect_match "jira 401: says to check the token" "$(cat "$WORK/j401.out.err")" \
	"dead: Jira answered HTTP 401: not allowed, check PREFLIGHT_JIRA_TOKEN"

# --- Jira not configured here: pending, retried once set
CHANNELS=wh fresh
"$DRIVER" "$DB" fail 1 ORD-2 "cache cold" >/dev/null
PREFLIGHT_JIRA_URL= pf_notify "$WORK/jnone.out" notify --once --db "$DB"
expect_rc "jira unset: exit 0 (it will go once set)" 0
expect_match "jira unset: says what to set" "$(cat "$WORK/jnone.out.err")" \
	'retry: jira: \$PREFLIGHT_JIRA_URL is not set \(set it; the message is retried\)'
pf_notify "$WORK/jnone.json" notify --list --state pending --format json --db "$DB"
expect_eq "jira unset: the message is pending" "$(jq -r '.[].kind' "$WORK/jnone.json")" jira
expect_match "jira unset: its last error says so" "$(jq -r '.[].last_error' "$WORK/jnone.json")" "PREFLIGHT_JIRA_URL is not set"
sqlite3 "$DB" "UPDATE outbox SET next_attempt_ms = 0 WHERE state = 'pending'"   # skip the backoff
PREFLIGHT_JIRA_USER=alice@example.com pf_notify "$WORK/jset.out" notify --once --db "$DB"
expect_rc "jira set: exit 0" 0
expect_match "jira set (Basic auth, Jira Cloud): created" "$(cat "$WORK/jset.out.err")" "jira:followup:1: sent: HTTP 201: created ORD-1001"
expect_match "jira set: Basic credentials were sent" \
	"$(jq -r 'select(.path == "/rest/api/2/issue") | .headers.Authorization' "$REC_LOG")" "^Basic "
pf_notify "$WORK/fu.json" followup list --format json --db "$DB"
expect_eq "jira set: the follow-up has its key" "$(jq -r '.[0].ticket' "$WORK/fu.json")" ORD-1001

# --- DingTalk signature refused (wrong secret): dead, errcode 310000
CHANNELS=dt fresh
T_DING_SECRET=SECwrong-secret-000 pf_notify "$WORK/sign.out" notify --once --db "$DB"
expect_rc "bad signature: exit 1" 1
expect_match "bad signature: dead with DingTalk's words" "$(cat "$WORK/sign.out.err")" "dead: errcode 310000: sign not match"
expect_no_match "bad signature: neither secret nor signature in the log" "$(cat "$WORK/sign.out.err")" "SECwrong|sign=[^*]"

# --- the webhook URL missing: pending, the message says which variable
CHANNELS=wh fresh
T_HOOK_URL= pf_notify "$WORK/nourl.out" notify --once --db "$DB"
expect_rc "url unset: exit 0" 0
expect_match "url unset: names the variable" "$(cat "$WORK/nourl.out.err")" "channel 'wh': \\\$T_HOOK_URL is not set"
expect_eq "url unset: nothing sent" "$(rec_stat requests)" 0
sqlite3 "$DB" "UPDATE outbox SET next_attempt_ms = 0 WHERE state = 'pending'"
pf_notify "$WORK/url.out" notify --once --db "$DB"
expect_eq "url set: all 3 go" "$(rec_stat delivered)" 3

# --- rate limit: 2 a minute, 3 due: one held, not an attempt
CHANNELS=wh fresh
sed -i 's/url_env: T_HOOK_URL}/url_env: T_HOOK_URL, rate_per_min: 2}/' "$WORK/cl.yaml"
DB="$WORK/rate.db"
"$DRIVER" "$DB" open "$WORK/cl.yaml" 60 >/dev/null
pf_notify "$WORK/rate.out" notify --once --db "$DB"
expect_rc "rate limit: exit 0" 0
expect_match "rate limit: one held back" "$(cat "$WORK/rate.out")" "sent 2, retry later 0, dead 0, held by rate limit 1"
expect_eq "rate limit: 2 reached the robot" "$(rec_stat requests)" 2
pf_notify "$WORK/rate.json" notify --list --state pending --format json --db "$DB"
expect_eq "rate limit: the held one is pending, no attempt counted" "$(jq -r '.[].attempts' "$WORK/rate.json")" 0

# --- usage and store errors
pf_notify "$WORK/u1.out" notify --state sent --db "$DB"
expect_rc "--state without --list: exit 2" 2
pf_notify "$WORK/u2.out" followup close 1 --by alice --db "$DB"
expect_rc "close without --rca: exit 2" 2
expect_match "... naming --rca" "$(cat "$WORK/u2.out.err")" "--rca"
pf_notify "$WORK/u5.out" followup close 1 --rca "$(printf 'cold\033[2Jcache')" --by alice --db "$DB"
expect_rc "close with a control byte in --rca: exit 2, as item --reason" 2
expect_match "... naming --rca" "$(cat "$WORK/u5.out.err")" "--rca holds a control character"
pf_notify "$WORK/u3.out" followup close 99 --rca x --by alice --db "$DB"
expect_rc "close of no such follow-up: exit 2" 2
pf_notify "$WORK/u6.out" notify --once --run 99 --db "$DB"
expect_rc "notify --run of no such run: exit 2, as status" 2
expect_match "... naming the runs there are" "$(cat "$WORK/u6.out.err")" "no run 99 in .*; its newest runs: "
pf_notify "$WORK/u7.out" followup list --run 99 --db "$DB"
expect_rc "followup list --run of no such run: exit 2" 2
expect_eq "... and no table header before the error" "$(cat "$WORK/u7.out")" ""
pf_notify "$WORK/u4.out" notify --once --db "postgresql:///nodb?host=$WORK/nosock&connect_timeout=2"
expect_rc "an unreachable store: exit 2" 2

expect_no_secret "secrets in no output or log" "$WORK"/*.out "$WORK"/*.err "$WORK"/*.json
finish
