#!/usr/bin/env bash
# preflight check reads the checklist loop's format (examples/launch.yaml:
# exec, http, promql and manual items, people, notify channels, alerts,
# jira) and runs only its check: items; the other kinds belong to
# `preflight run`, so check never executes a command or asks a URL. Bad
# files exit 2 with FILE:LINE:COL, and a pasted secret is not echoed.
. "$(dirname "$0")/lib.sh"
need jq

launch="$SRCDIR/examples/launch.yaml"

# ---- the shipped launch checklist ------------------------------------------
pf_json "$WORK/launch.json" --checklist "$launch" --window 0
expect_rc "check --checklist launch.yaml exits 0 or 1" 0 1
expect_true "the report parses" json_ok "$WORK/launch.json"
expect_eq "only the check: items ran" \
	"$(jq -r '[.checks[].id] | sort | join(" ")' "$WORK/launch.json")" "fd-limit net.sysctl"
expect_eq "the check: items keep their owner" \
	"$(jq -r '[.checks[] | .owner] | join(" ")' "$WORK/launch.json")" "dave dave"
expect_eq "a relative due is reported as written" \
	"$(jq -r '[.checks[] | select(.id == "net.sysctl")][0].due' "$WORK/launch.json")" "+2h"
expect_eq "nothing on stderr about the verify items" "$(cat "$WORK/launch.json.err")" ""
pf "$WORK/launch.txt" check --checklist "$launch" --window 0 --format tty --color never
expect_rc "the tty report works too" 0 1
expect_match "tty names net.sysctl" "$(cat "$WORK/launch.txt")" "net\.sysctl"
expect_no_match "tty does not list verify items" "$(cat "$WORK/launch.txt")" "db-migration|order-health|feature-flag"

# ---- check never runs an exec item, nor asks an http one --------------------
cat >"$WORK/exec.yaml" <<YAML
version: 1
items:
  - id: touch
    title: would leave a file behind
    verify: {exec: {command: "touch '$WORK/ran'"}}
  - id: ask
    title: would connect
    verify: {http: {url: "http://127.0.0.1:1/never"}}
  - id: sign-off
    title: a person confirms
    verify: manual
  - check: clock.sync
YAML
pf_json "$WORK/exec.json" --checklist "$WORK/exec.yaml" --window 0
expect_rc "a checklist with verify items exits 0 or 1" 0 1
expect_eq "only clock.sync ran" "$(jq -r '[.checks[].id] | join(" ")' "$WORK/exec.json")" "clock.sync"
expect_true "the exec item's command did not run" test ! -e "$WORK/ran"

# Only verify items: nothing to check, an empty report, exit 0.
printf 'version: 1\nitems:\n  - {id: a, title: t, verify: manual}\n' >"$WORK/manual.yaml"
pf_json "$WORK/manual.json" --checklist "$WORK/manual.yaml" --window 0
expect_rc "a checklist of manual items exits 0" 0
expect_eq "and reports no checks" "$(jq '.checks | length' "$WORK/manual.json")" 0

# ---- refusals: exit 2, FILE:LINE:COL, no secret echoed ----------------------
printf 'version: 1\nitems:\n  - id: a\n    title: t\n    verify: {shell: {command: x}}\n' >"$WORK/kind.yaml"
pf "$WORK/kind.out" check --checklist "$WORK/kind.yaml" --window 0
expect_rc "an unknown verify kind exits 2" 2
expect_match "it names file, line, column and the valid kinds" "$(cat "$WORK/kind.out.err")" \
	"kind\.yaml:5:14: unknown verify kind 'shell' \(valid: exec, http, promql, manual\)"

cat >"$WORK/secret.yaml" <<'YAML'
version: 1
notify:
  channels:
    - {name: ops, kind: wecom, url: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=TOPSECRET-693a"}
items: [{check: clock.sync}]
YAML
pf "$WORK/secret.out" check --checklist "$WORK/secret.yaml" --window 0
expect_rc "a literal webhook url exits 2" 2
expect_match "it says secrets never go in the checklist" "$(cat "$WORK/secret.out.err")" \
	"secret\.yaml:4:32: 'url' is refused in a channel: secrets never go in the checklist"
expect_no_match "the secret is not echoed" "$(cat "$WORK/secret.out" "$WORK/secret.out.err")" "TOPSECRET"

printf 'version: 1\npeople: {alice: {}}\nitems:\n  - {check: clock.sync, owner: bob}\n' >"$WORK/owner.yaml"
pf "$WORK/owner.out" check --checklist "$WORK/owner.yaml" --window 0
expect_rc "an owner missing from people: exits 2" 2
expect_match "it points at the owner" "$(cat "$WORK/owner.out.err")" \
	"owner\.yaml:4:32: unknown owner 'bob' \(not in people:\)"

finish
