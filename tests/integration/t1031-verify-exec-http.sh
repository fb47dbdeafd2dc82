#!/usr/bin/env bash
# exec and http items from a checklist file, through verify_items() (the
# tests/helpers/verify_items driver): http items against the demo Go
# target on loopback (status, body match, a status other than expected, a
# listener that accepts and never answers, a refused port), exec items
# (pass, an exit code, a timeout whose background grandchild is gone
# afterwards, a missing program), `parallel:` honoured, every item
# reported once, and nothing left running.
. "$(dirname "$0")/lib.sh"
need jq python3

driver="$BUILDDIR/verify_items"
[ -x "$driver" ] || die "no $driver (built with the tree)"
DEMO_BIN=$(build_go_target demo)
start_demo -- -addr 127.0.0.1:0 -debug-addr "" -hang-addr 127.0.0.1:0
svc=$(demo_addr service)
hang=$(demo_addr hang)
closed=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cat >"$WORK/c.yaml" <<YAML
version: 1
parallel: 3
items:
  - {id: root, title: root, verify: {http: {url: "http://$svc/", body_contains: ok}}}
  - {id: root-regex, title: regex, verify: {http: {url: "http://$svc/", body_regex: "^o+k"}}}
  - {id: root-wrong, title: wrong, verify: {http: {url: "http://$svc/", body_contains: "not there"}}}
  - {id: created, title: created, verify: {http: {url: "http://$svc/orders", method: POST, body: "{}", expect_status: 201}}}
  - {id: hang, title: hang, verify: {http: {url: "http://$hang/", timeout: 1s}}}
  - {id: refused, title: refused, verify: {http: {url: "http://127.0.0.1:$closed/", timeout: 2s}}}
  - {id: true, title: "true", verify: {exec: {command: "true"}}}
  - {id: exit3, title: exit 3, verify: {exec: {command: "echo failing >&2; exit 3"}}}
  - {id: exit3-ok, title: exit 3 expected, verify: {exec: {command: [sh, -c, "exit 3"], expect_exit: 3}}}
  - {id: slow, title: slow, verify: {exec: {command: "sleep 60 & echo \$! > $WORK/grandchild; wait", timeout: 500ms}}}
  - {id: nothere, title: not there, verify: {exec: {command: [/nonexistent/preflight-smoke, --env, prod]}}}
  - {id: file, title: file, verify: {exec: {command: [test, -f, "$WORK/c.yaml"]}}}
  - {id: person, title: a person, verify: manual}
YAML

set +e
timeout 60 "$driver" "$WORK/c.yaml" >"$WORK/r.jsonl" 2>"$WORK/r.err"
rc=$?
set -e
jq -c '{id, status, summary}' "$WORK/r.jsonl" | sed 's/^/# /'
expect_eq "failing items: exit 1" "$rc" 1
expect_eq "every automatic item reported once, the manual one not run" \
	"$(jq -r .id "$WORK/r.jsonl" | sort | tr '\n' ' ')" \
	"created exit3 exit3-ok file hang nothere refused root root-regex root-wrong slow true "
expect_match "parallel: 3 honoured" "$(cat "$WORK/r.err")" "at most [123] items at once"

field() { jq -r --arg id "$1" "select(.id == \$id) | $2" "$WORK/r.jsonl"; }
expect_eq "GET / passes" "$(field root .status)" pass
expect_eq "its evidence: status" "$(field root .evidence.status)" 200
expect_eq "its evidence: the body's head" "$(field root .evidence.body_excerpt)" ok
expect_eq "body_regex passes" "$(field root-regex .status)" pass
expect_eq "a body without the text fails" "$(field root-wrong .summary)" 'HTTP 200, but the body does not contain "not there"'
expect_eq "another status than expected fails" "$(field created .summary)" "HTTP 200, want 201"
expect_eq "its evidence: the method" "$(field created .evidence.method)" POST
expect_eq "a listener that never answers fails" "$(field hang .summary)" "GET http://$hang/: no answer within 1s"
expect_eq "its status is null" "$(field hang .evidence.status)" null
expect_match "a refused port fails, in curl's words" "$(field refused .summary)" "^GET http://127.0.0.1:$closed/: .*connect"

expect_eq "true passes" "$(field true .summary | sed 's/ in .*//')" "exit 0"
expect_match "exit 3 fails with its output" "$(field exit3 .summary)" '^exit 3, want 0, after [0-9.]+m?s: failing$'
expect_eq "exit 3 expected passes" "$(field exit3-ok .status)" pass
expect_eq "test -f passes" "$(field file .status)" pass
expect_match "a timeout fails" "$(field slow .summary)" '^timed out after 500ms; stopped with SIG(TERM|KILL)$'
expect_eq "its evidence says so" "$(field slow .evidence.timed_out)" true
gc=$(cat "$WORK/grandchild")
gone=no
for ((i = 0; i < 50; i++)); do
	if ! kill -0 "$gc" 2>/dev/null || [ "$(ps -o stat= -p "$gc" 2>/dev/null | cut -c1)" = Z ]; then
		gone=yes
		break
	fi
	sleep 0.1
done
expect_eq "its background grandchild is gone" "$gone" yes
expect_eq "a missing program fails, named" "$(field nothere .summary)" \
	"cannot run '/nonexistent/preflight-smoke': No such file or directory"
expect_eq "its evidence: the command" "$(field nothere '.evidence.command | join(" ")')" "/nonexistent/preflight-smoke --env prod"
finish
