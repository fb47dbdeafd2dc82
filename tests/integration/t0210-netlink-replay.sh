#!/usr/bin/env bash
# t0210: netlink record and replay. A recorded census (tests/fixtures/
# netlink/sockgen, made by its capture.sh in a fresh network namespace)
# replays offline to exactly what ss counted when it was recorded, by
# --replay and by PREFLIGHT_NETLINK_REPLAY; preflight check --root on the
# captured /proc of the same process attributes the recorded sockets to it
# as ss -p did. A live census recorded with --record replays to the same
# output; damaged recordings are one-line input errors.
. "$(dirname "$0")/lib.sh"
need jq

fx="$SRCDIR/tests/fixtures/netlink/sockgen"
keys=(established syn_sent syn_recv fin_wait1 fin_wait2 time_wait close close_wait last_ack listen closing)

# counts_json FILE: "state N" lines as the JSON object tcp-census --json prints.
counts_json() {
	awk 'BEGIN { printf "{" } { printf "%s\"%s\":%s", (NR > 1 ? "," : ""), $1, $2 } END { print "}" }' "$1"
}

# ---- the recorded fixture, offline ------------------------------------------
pf "$WORK/replay.txt" tcp-census --replay "$fx/census.nlrec"
expect_rc "tcp-census --replay exits 0" 0
expect_eq "--replay prints what ss counted at record time" "$(cat "$WORK/replay.txt")" "$(cat "$fx/ss-counts.txt")"
PREFLIGHT_NETLINK_REPLAY="$fx/census.nlrec" pf "$WORK/env.json" tcp-census --json
expect_rc "PREFLIGHT_NETLINK_REPLAY: exits 0" 0
expect_eq "PREFLIGHT_NETLINK_REPLAY: the same counts as JSON" "$(cat "$WORK/env.json")" "$(counts_json "$fx/ss-counts.txt")"
# --replay wins over the environment.
PREFLIGHT_NETLINK_REPLAY=/nonexistent pf "$WORK/both.txt" tcp-census --replay "$fx/census.nlrec"
expect_rc "--replay wins over PREFLIGHT_NETLINK_REPLAY" 0

# ---- socket attribution offline: check --root on the captured process -------
PREFLIGHT_NETLINK_REPLAY="$fx/census.nlrec" pf_json "$WORK/check.json" --root "$fx/root" --pid 4343 --window 0 --timeout 1
expect_rc "check --root FIXTURE --pid 4343 exits 0 or 1" 0 1
expect_true "the report parses" json_ok "$WORK/check.json"
for k in "${keys[@]}"; do
	expect_eq "host $k = ss at record time" "$(check_ev "$WORK/check.json" net.tcp-states "$k")" \
		"$(awk -v k="$k" '$1 == k { print $2 }' "$fx/ss-counts.txt")"
	expect_eq "pid 4343 $k = ss -p at record time" \
		"$(jq -r --arg k "$k" '.checks[] | select(.check == "net.tcp-states") | .evidence.target[$k]' "$WORK/check.json")" \
		"$(awk -v k="$k" '$1 == k { print $2 }' "$fx/ss-pid-counts.txt")"
done
expect_eq "the target's listeners are the ones ss listed" \
	"$(jq -r '.target.listeners[]' "$WORK/check.json" | sort)" "$(cat "$fx/ss-listeners.txt")"
expect_eq "net.close-wait counts the process's CLOSE_WAIT sockets" \
	"$(check_ev "$WORK/check.json" net.close-wait close_wait)" "$(awk '$1 == "close_wait" { print $2 }' "$fx/ss-pid-counts.txt")"
expect_eq "net.close-wait warns on them" "$(check_status "$WORK/check.json" net.close-wait)" warn

# ---- record live, replay: the same output -----------------------------------
need ss
SG_BIN=$(build_go_target sockgen)
mkfifo "$WORK/sg.in" "$WORK/sg.out"
exec {sg_in}<>"$WORK/sg.in"
start_bg sg_pid sh -c 'exec "$0" -listen 2 -established 3 -close-wait 1 -hold 120s <"$1" >"$2"' \
	"$SG_BIN" "$WORK/sg.in" "$WORK/sg.out"
exec {sg_out}<"$WORK/sg.out"
ready=
while IFS= read -r -t 60 -u "$sg_out" line; do
	[ "$line" = ready ] && { ready=1; break; }
done
[ -n "$ready" ] || die "sockgen did not become ready"
pf "$WORK/live.json" tcp-census --json --record "$WORK/live.nlrec"
expect_rc "tcp-census --record exits 0" 0
expect_true "the recording starts with the magic" sh -c "head -c 8 '$WORK/live.nlrec' | grep -q PFNLREC"
pf "$WORK/again.json" tcp-census --json --replay "$WORK/live.nlrec"
expect_rc "replaying it exits 0" 0
expect_eq "the replay prints exactly what the recording run printed" "$(cat "$WORK/again.json")" "$(cat "$WORK/live.json")"
expect_num "... with sockgen's listeners in it" "$(jq .listen "$WORK/again.json")" '>=' 2
expect_num "... and its CLOSE_WAIT socket" "$(jq .close_wait "$WORK/again.json")" '>=' 1
exec {sg_in}>&- {sg_out}<&-

# ---- errors -------------------------------------------------------------------
one_line_error() { # DESC ARGS...
	local d=$1
	shift
	pf "$WORK/err.out" "$@"
	expect_rc "$d: exit 2" 2
	expect_eq "$d: one line on stderr" "$(wc -l <"$WORK/err.out.err")" 1
	expect_eq "$d: nothing on stdout" "$(wc -c <"$WORK/err.out")" 0
}
head -c 100 "$fx/census.nlrec" >"$WORK/cut.nlrec"
one_line_error "a recording cut short" tcp-census --replay "$WORK/cut.nlrec"
expect_match "... names the file and the record" "$(cat "$WORK/err.out.err")" "cut\.nlrec.*record 1 is cut short"
one_line_error "not a recording" tcp-census --replay "$fx/ss-counts.txt"
expect_match "... says so" "$(cat "$WORK/err.out.err")" "not a netlink recording"
one_line_error "a missing recording" tcp-census --replay "$WORK/none.nlrec"
one_line_error "--record to stdout" tcp-census --record -
one_line_error "--record into a missing directory" tcp-census --record "$WORK/no/dir/r.nlrec"
# A failed census leaves no recording behind.
one_line_error "--record while replaying a damaged one" tcp-census --replay "$WORK/cut.nlrec" --record "$WORK/out.nlrec"
expect_true "... and no half recording" test ! -e "$WORK/out.nlrec"
PREFLIGHT_NETLINK_REPLAY="$WORK/cut.nlrec" pf "$WORK/cut.json" check --format json --window 0
expect_rc "check with a damaged replay still reports" 0 1
expect_eq "... net.tcp-states is error" "$(check_status "$WORK/cut.json" net.tcp-states)" error
expect_match "... naming the recording" "$(check_field "$WORK/cut.json" net.tcp-states summary)" "cut\.nlrec"

finish
