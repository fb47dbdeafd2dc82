# lib_notify.sh: the notify scenarios' common steps (t104x). Source after
# lib.sh. Gives:
#   start_recorder [FLAGS...]   the recorder (tests/targets/recorder) on
#                               127.0.0.1; sets REC (its base URL), REC_LOG,
#                               REC_PID; secrets in the URLs below
#   notify_checklist FILE       a checklist with one channel of each kind,
#                               pointing at the recorder through env/files
#   DRIVER                      the test-only driver (opens runs, fails items)
#   rec_stat FIELD              a field of the recorder's /stats
#   pf_notify OUT ARGS...       pf with PREFLIGHT_DB unset (--db given)
# The secrets every scenario looks for in logs, events and reports:
WECOM_KEY=wecomKEY-0d6f1a
DING_TOKEN=dingTOKEN-93be77
DING_SECRET=SECding-5ad0c2e9f1
SLACK_PATH=T000/B000/slackXOXB-77aa
JIRA_TOKEN=jiraTOKEN-e41f00
SECRETS=("$WECOM_KEY" "$DING_TOKEN" "$DING_SECRET" "$SLACK_PATH" "$JIRA_TOKEN")

DRIVER="$BUILDDIR/notify_testdriver"
[ -x "$DRIVER" ] || die "no $DRIVER (built with the tree)"
need curl jq

start_recorder() {
	local bin i
	bin=$(build_go_target recorder)
	REC_LOG="$WORK/recorder.$RANDOM.jsonl"
	rm -f "$WORK/rec.port"
	start_bg REC_PID "$bin" -port-file "$WORK/rec.port" -log "$REC_LOG" -dingtalk-secret "$DING_SECRET" \
		-jira-token "$JIRA_TOKEN" -lifetime 300s "$@"
	for i in $(seq 1 100); do
		[ -s "$WORK/rec.port" ] && break
		sleep 0.1
	done
	[ -s "$WORK/rec.port" ] || die "the recorder did not start"
	REC="http://127.0.0.1:$(cat "$WORK/rec.port")"
	export T_WECOM_URL="$REC/wecom?key=$WECOM_KEY"
	export T_DING_URL="$REC/dingtalk?access_token=$DING_TOKEN"
	export T_DING_SECRET="$DING_SECRET"
	export T_HOOK_URL="$REC/webhook"
	printf '%s/slack?path=%s\n' "$REC" "$SLACK_PATH" >"$WORK/slack-url"
	export PREFLIGHT_JIRA_URL="$REC/" PREFLIGHT_JIRA_TOKEN="$JIRA_TOKEN"
}

stop_recorder() {
	stop_proc "$REC_PID"
}

rec_stat() {
	curl -s --max-time 5 "$REC/stats" | jq -c ".$1"
}

# notify_checklist FILE [CHANNEL...]: the channels alerts go to (default all four).
notify_checklist() {
	local f=$1 chans
	shift
	chans=$(IFS=,; echo "${*:-wc,dt,sl,wh}")
	cat >"$f" <<YAML
version: 1
name: order launch
owner: carol
people:
  alice: {name: "Alice Li", mobile: "13800000001", slack: U0ALICE}
  carol: {name: "Carol", mobile: "13800000003", slack: U0CAROL}
notify:
  channels:
    - {name: wc, kind: wecom, url_env: T_WECOM_URL}
    - {name: wm, kind: wecom, url_env: T_WECOM_URL}
    - {name: dt, kind: dingtalk, url_env: T_DING_URL, secret_env: T_DING_SECRET}
    - {name: dx, kind: dingtalk, url_env: T_DING_URL, secret_env: T_DING_SECRET, format: text}
    - {name: sl, kind: slack, url_file: $WORK/slack-url}
    - {name: wh, kind: webhook, url_env: T_HOOK_URL}
alerts:
  remind_every: 30m
  escalate_after: 3
  channels: [$chans]
jira: {project: ORD}
items:
  - {id: ORD-1, title: "orders db ready", owner: alice, verify: {manual: {}}}
  - {id: ORD-2, title: "cache warm", owner: alice, verify: {manual: {}}}
  - {id: ORD-3, title: "nobody's", verify: {manual: {}}}
YAML
}

pf_notify() {
	local out=$1
	shift
	PREFLIGHT_DB= pf "$out" "$@"
}

# expect_no_secret DESC FILE...: none of the secrets appears in the files.
expect_no_secret() {
	local d=$1 s hits=
	shift
	for s in "${SECRETS[@]}"; do
		if grep -qF -- "$s" "$@" 2>/dev/null; then
			hits+="$s in $(grep -lF -- "$s" "$@" | tr '\n' ' ')"
		fi
	done
	if [ -z "$hits" ]; then _ok "$d"; else _not_ok "$d" "$hits"; fi
}
