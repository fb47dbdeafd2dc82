#!/usr/bin/env bash
# preflight goroutines on saved dumps (tests/fixtures/goroutines, Go 1.19
# and the machine's Go): one dump grouped, a series of snapshots with its
# leak suspects, crash logs, stdin, CRLF, cut files, and bad input — the
# tty and JSON outputs and the exit codes. No network.
. "$(dirname "$0")/lib.sh"
need jq

fx=$SRCDIR/tests/fixtures/goroutines

# gr OUT ARGS...: preflight goroutines ARGS, stdout in OUT, rc in PF_RC.
gr() {
	local out=$1
	shift
	pf "$out" goroutines "$@"
}

one_line_error() { # DESC OUT ERE
	expect_eq "$1: one line on stderr" "$(wc -l <"$2.err")" 1
	expect_match "$1: ... saying why" "$(cat "$2.err")" "$3"
	expect_eq "$1: ... and nothing on stdout" "$(wc -c <"$2")" 0
}

for v in go1.19 go1.26; do
	d=$fx/$v
	header=$(sed -n 's/^goroutine profile: total \([0-9]*\)$/\1/p' "$d/debug1.txt")

	# ---- one dump, grouped ---------------------------------------------------
	gr "$WORK/$v-d2.txt" "$d/debug2.txt" --frames 2 --top 0
	expect_rc "$v debug=2 tty: exit 0 (no suspect)" 0
	out=$(cat "$WORK/$v-d2.txt")
	expect_match "$v debug=2 tty: names the snapshot and its total" "$out" "debug=2\): $header goroutines in [0-9]+ groups"
	expect_match "$v debug=2 tty: a group per state, with its site" "$out" "^ +3 +chan receive +main\.recvForever \(states\.go:20\)"
	expect_match "$v debug=2 tty: created by" "$out" "created by main\.\(\*fixture\)\.start \(.*/states\.go:[0-9]+\)"
	expect_match "$v debug=2 tty: says there is no suspect" "$out" "^no leak suspect$"

	gr "$WORK/$v-d2.json" --format json "$d/debug2.txt"
	expect_rc "$v debug=2 json: exit 0" 0
	j=$WORK/$v-d2.json
	expect_eq "$v debug=2 json: one snapshot" "$(jq '.snapshots | length' "$j")" 1
	expect_eq "$v debug=2 json: debug 2, not truncated, taken_at null (a file)" \
		"$(jq -c '.snapshots[0] | [.debug, .truncated, .taken_at]' "$j")" '[2,false,null]'
	expect_eq "$v debug=2 json: total = the debug=1 header of the same capture" "$(jq '.snapshots[0].total' "$j")" "$header"
	expect_eq "$v debug=2 json: the groups add up to the total" "$(jq '[.groups[].counts[0]] | add' "$j")" "$header"
	expect_eq "$v debug=2 json: biggest group first" "$(jq '[.groups[].counts[0]] | . == (sort | reverse)' "$j")" true
	expect_eq "$v debug=2 json: every group has its fields" \
		"$(jq '[.groups[] | (.key | test("^[0-9a-f]{16}$")) and (.stack | length > 0)
			and (.stack[0] | has("func") and has("file") and has("line"))
			and (.state | type == "string") and (.created_by | type == "string")
			and (.counts | length == 1)] | all' "$j")" true
	expect_eq "$v debug=2 json: no suspect" "$(jq '.suspects | length' "$j")" 0
	if [ "$v" = go1.19 ]; then want=semacquire; else want=sync.Mutex.Lock; fi
	expect_eq "$v debug=2 json: the mutex waiters' state" \
		"$(jq -r '.groups[] | select(.site == "main.lockForever") | .state' "$j")" "$want"

	# The same capture at debug=1: the same stacks under the same keys (all
	# but the goroutine writing the dump).
	gr "$WORK/$v-d1.json" --format json "$d/debug1.txt"
	expect_rc "$v debug=1 json: exit 0" 0
	expect_eq "$v debug=1 json: total = header, debug 1" \
		"$(jq -c '.snapshots[0] | [.total, .debug, .truncated]' "$WORK/$v-d1.json")" "[$header,1,false]"
	expect_eq "$v debug=1 json: the groups add up to the header" "$(jq '[.groups[].counts[0]] | add' "$WORK/$v-d1.json")" "$header"
	keys() { jq -r '.groups[] | select(.stack | map(.func) | any(startswith("runtime/pprof.writeGoroutine")) | not)
		| "\(.key) \(.counts[0])"' "$1" | sort; }
	expect_eq "$v debug=1 and debug=2: same keys and counts" "$(keys "$WORK/$v-d1.json")" "$(keys "$j")"

	# ---- long waits ---------------------------------------------------------
	# A few receivers blocked for 12 minutes are what a program's own fixed
	# set looks like: one dump shows no growth, so the wait rule needs a
	# group of 10 (docs/goroutines.md).
	gr "$WORK/$v-7min-small.json" --format json "$d/debug2-7min.txt"
	expect_rc "$v 7 minutes, a few receivers: exit 0" 0
	expect_eq "$v 7 minutes, a few receivers: no suspect" "$(jq '.suspects | length' "$WORK/$v-7min-small.json")" 0
	# the same dump with the receivers' records 5 times over
	awk 'BEGIN { RS = ""; ORS = "\n\n" } { print } /main\.recvForever/ { for (i = 0; i < 4; i++) print }' \
		"$d/debug2-7min.txt" >"$WORK/$v-7min-big.txt"
	gr "$WORK/$v-7min.json" --format json "$WORK/$v-7min-big.txt"
	expect_rc "$v 7 minutes: exit 1 (suspects)" 1
	j=$WORK/$v-7min.json
	expect_eq "$v 7 minutes: groups of 10 or more" "$(jq '[.suspects[].count] | min >= 10' "$j")" true
	expect_eq "$v 7 minutes: two suspects, both receivers" \
		"$(jq -r '[.suspects[].site | sub(" .*"; "")] | unique | join(",")' "$j")" main.recvForever
	expect_eq "$v 7 minutes: the longest wait" "$(jq '[.suspects[].wait_minutes] | max' "$j")" 12
	expect_eq "$v 7 minutes: pattern" "$(jq -r '.suspects[0].pattern' "$j")" "receive on a channel nobody sends to"
	expect_match "$v 7 minutes: reason" "$(jq -r '.suspects[0].reason' "$j")" "^blocked for 12 minutes on chan receive$"
	expect_match "$v 7 minutes: created by, with where" "$(jq -r '.suspects[0].created_by' "$j")" \
		'^main\.\(\*fixture\)\.start \(.*/states\.go:[0-9]+\)$'
	expect_eq "$v 7 minutes: --wait-minutes 13 clears them" \
		"$(pf "$WORK/x" goroutines --format json --wait-minutes 13 "$WORK/$v-7min-big.txt"; jq '.suspects | length' "$WORK/x")" 0
	# --wait-min-count moves that floor: both sides of each group's size
	gr "$WORK/$v-wmc.json" --format json --wait-min-count 15 "$WORK/$v-7min-big.txt"
	expect_eq "$v 7 minutes --wait-min-count 15: only the group of 15" "$(jq -c '[.suspects[].count]' "$WORK/$v-wmc.json")" '[15]'
	gr "$WORK/$v-wmc.json" --format json --wait-min-count 16 "$WORK/$v-7min-big.txt"
	expect_rc "$v 7 minutes --wait-min-count 16: no suspect, exit 0" 0
	gr "$WORK/$v-wmc.json" --format json --wait-min-count 3 "$d/debug2-7min.txt"
	expect_num "$v 7 minutes, a few receivers, --wait-min-count 3: suspects" "$(jq '.suspects | length' "$WORK/$v-wmc.json")" '>=' 1
	gr "$WORK/$v-7min.txt" "$WORK/$v-7min-big.txt"
	expect_match "$v 7 minutes tty: the suspect, its pattern and fix" "$(cat "$WORK/$v-7min.txt")" \
		"pattern: receive on a channel nobody sends to"
	expect_match "$v 7 minutes tty: the fix" "$(cat "$WORK/$v-7min.txt")" "fix: close the channel"

	# ---- a series of snapshots, oldest first --------------------------------
	gr "$WORK/$v-series.json" --format json "$d"/series-{1,2,3}.debug1.txt "$d/series-3.debug2.txt"
	expect_rc "$v series: exit 1 (suspects)" 1
	j=$WORK/$v-series.json
	expect_eq "$v series: four snapshots, debug 1,1,1,2" "$(jq -c '[.snapshots[].debug]' "$j")" '[1,1,1,2]'
	expect_eq "$v series: counts per snapshot" "$(jq '[.groups[].counts | length] | unique' "$j" | jq -c .)" '[4]'
	expect_eq "$v series: the suspects are the two growing stacks" \
		"$(jq -r '[.suspects[].site | sub(" .*"; "")] | sort | join(",")' "$j")" "main.leakyHandler.func1,main.tickerLoop"
	s() { jq -r --arg f "$1" ".suspects[] | select(.site | startswith(\$f + \" \")) | $2" "$j"; }
	expect_eq "$v series: leak counts" "$(s main.leakyHandler.func1 '.counts | map(tostring) | join(" ")')" "4 8 12 12"
	expect_eq "$v series: its growth" "$(s main.leakyHandler.func1 .growth)" 8
	expect_eq "$v series: its pattern, from the debug=2 states" "$(s main.leakyHandler.func1 .pattern)" "send with no receiver"
	expect_match "$v series: created by" "$(s main.leakyHandler.func1 .created_by)" '^main\.leakyHandler \('
	# its source is not at hand: the dump alone shows a receive
	expect_eq "$v series: the ticker loop" "$(s main.tickerLoop .pattern)" "receive on a channel nobody sends to"
	expect_eq "$v series: the worker pool rose and fell: not a suspect" \
		"$(jq '[.groups[] | select(.site == "main.(*worker).run")] | .[0].counts | map(tostring) | join(" ")' "$j")" '"4 12 3 3"'
	gr "$WORK/$v-series.txt" "$d"/series-{1,2,3}.debug1.txt
	expect_rc "$v series tty (debug=1 only): exit 1" 1
	expect_match "$v series tty: counts oldest first" "$(cat "$WORK/$v-series.txt")" "^ +4 8 12 +- +main\.leakyHandler\.func1"
	expect_match "$v series tty: without states, the generic pattern" "$(cat "$WORK/$v-series.txt")" \
		"pattern: blocked goroutines accumulating"
	gr "$WORK/$v-minus.json" --format json --min-growth 9 "$d"/series-{1,2,3}.debug1.txt
	expect_rc "$v series --min-growth 9: no suspect, exit 0" 0

	# ---- a crash log, stdin, CRLF, cut files ---------------------------------
	gr "$WORK/$v-crash.json" --format json "$d/crash-sigquit.txt"
	expect_rc "$v crash log: exit 0" 0
	expect_eq "$v crash log: every goroutine of the traceback" "$(jq '.snapshots[0].total' "$WORK/$v-crash.json")" \
		"$(grep -c '^goroutine [0-9]' "$d/crash-sigquit.txt")"

	pf "$WORK/$v-stdin.json" goroutines --format json - <"$d/debug1.txt"
	expect_rc "$v stdin: exit 0" 0
	expect_eq "$v stdin: same groups as the file" "$(jq -c '[.groups[].key]' "$WORK/$v-stdin.json")" \
		"$(jq -c '[.groups[].key]' "$WORK/$v-d1.json")"

	sed 's/$/\r/' "$WORK/$v-7min-big.txt" >"$WORK/$v-crlf.txt"
	gr "$WORK/$v-crlf.json" --format json "$WORK/$v-crlf.txt"
	expect_rc "$v CRLF: exit 1 as with LF" 1
	expect_eq "$v CRLF: the same groups and suspects" \
		"$(jq -c '[.groups[] | [.key, .state, .counts]], [.suspects[] | .wait_minutes]' "$WORK/$v-crlf.json")" \
		"$(jq -c '[.groups[] | [.key, .state, .counts]], [.suspects[] | .wait_minutes]' "$WORK/$v-7min.json")"

	head -c 20000 "$d/debug2.txt" >"$WORK/$v-cut.txt"
	gr "$WORK/$v-cut.json" --format json "$WORK/$v-cut.txt"
	expect_rc "$v cut debug=2: still read (exit 0)" 0
	expect_eq "$v cut debug=2: reported as truncated" "$(jq '.snapshots[0].truncated' "$WORK/$v-cut.json")" true
	expect_match "$v cut debug=2: and said on stderr" "$(cat "$WORK/$v-cut.json.err")" "truncated"
	head -n 20 "$d/debug1.txt" >"$WORK/$v-cut1.txt"
	gr "$WORK/$v-cut1.json" --format json "$WORK/$v-cut1.txt"
	expect_eq "$v cut debug=1: reported as truncated" "$(jq '.snapshots[0].truncated' "$WORK/$v-cut1.json")" true
done

# ---- bad input: exit 2, one line, never a crash -------------------------------
gr "$WORK/missing" "$WORK/no-such-dump.txt"
expect_rc "missing file: exit 2" 2
one_line_error "missing file" "$WORK/missing" "no-such-dump\.txt.*(No such file|cannot open)"

printf '<!DOCTYPE html>\n<html><head><title>Login</title></head></html>\n' >"$WORK/login.html"
gr "$WORK/html" "$WORK/login.html"
expect_rc "HTML: exit 2" 2
one_line_error "HTML" "$WORK/html" "login\.html.*HTML"

: >"$WORK/empty.txt"
gr "$WORK/empty" "$WORK/empty.txt"
expect_rc "empty file: exit 2" 2
one_line_error "empty file" "$WORK/empty" "empty"

printf 'hello\nthis is a log file, not a goroutine dump\n' >"$WORK/garbage.txt"
gr "$WORK/garbage" "$WORK/garbage.txt"
expect_rc "garbage: exit 2" 2
one_line_error "garbage" "$WORK/garbage" "not a goroutine profile"

printf '\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff' >"$WORK/proto.pb.gz"
gr "$WORK/gz" "$WORK/proto.pb.gz"
expect_rc "a gzipped protobuf (debug=0): exit 2" 2
one_line_error "a gzipped protobuf" "$WORK/gz" "binary|debug=1"

gr "$WORK/dir" "$WORK"
expect_rc "a directory: exit 2" 2
expect_eq "a directory: one line on stderr" "$(wc -l <"$WORK/dir.err")" 1

# a good file then a bad one: the bad one decides
gr "$WORK/mixed" "$fx/go1.26/debug1.txt" "$WORK/garbage.txt"
expect_rc "a good and a bad file: exit 2" 2

gr "$WORK/mix-url" "$fx/go1.26/debug1.txt" http://127.0.0.1:1
expect_rc "a file and a URL: exit 2" 2
gr "$WORK/badfmt" --format xml "$fx/go1.26/debug1.txt"
expect_rc "--format xml: exit 2" 2
gr "$WORK/badn" --samples 0 http://127.0.0.1:1
expect_rc "--samples 0: exit 2" 2
gr "$WORK/wmc0" --wait-min-count 0 "$fx/go1.26/debug1.txt"
expect_rc "--wait-min-count 0: exit 2" 2
gr "$WORK/badint" --interval soon http://127.0.0.1:1
expect_rc "--interval soon: exit 2" 2
gr "$WORK/noargs"
expect_rc "no input: exit 2" 2
gr "$WORK/help" --help
expect_rc "--help: exit 0" 0
expect_match "--help: usage" "$(cat "$WORK/help")" "^usage: preflight goroutines"

# Nothing listens on port 1: refused at once.
gr "$WORK/refused" --samples 1 --timeout 2 http://127.0.0.1:1
expect_rc "connection refused: exit 2" 2
one_line_error "connection refused" "$WORK/refused" "127\.0\.0\.1:1"

finish
