#!/usr/bin/env bash
# preflight goroutines on input that used to hang it or fool it: endless
# input with no dump in it (/dev/urandom, `yes`), a debug=1 dump cut in the
# middle of a record (once "4 goroutines at (:0)", exit 0), and a listener
# that accepts and never answers (once three timeouts in a row, naming
# only the last URL). Each ends quickly, in one line, with exit 2.
. "$(dirname "$0")/lib.sh"
need jq python3 timeout

fx=$SRCDIR/tests/fixtures/goroutines

# ---- endless input with no goroutine header ----------------------------------
start=$SECONDS
set +e
timeout 20 "$PREFLIGHT" goroutines /dev/urandom >"$WORK/urandom" 2>"$WORK/urandom.err"
rc=$?
set -e
expect_eq "/dev/urandom: exit 2, not the 20 s guard" "$rc" 2
expect_num "... within a few seconds" $((SECONDS - start)) '<' 10
expect_eq "... one line on stderr" "$(wc -l <"$WORK/urandom.err")" 1
expect_match "... saying it is no goroutine dump" "$(cat "$WORK/urandom.err")" \
	"'/dev/urandom': not a goroutine profile: (binary data|no 'goroutine N \[state\]:' line in its first 1 MiB)"
expect_eq "... nothing on stdout" "$(wc -c <"$WORK/urandom")" 0
expect_true "... no raw escape byte on stderr" bash -c "! grep -qP '\x1b' '$WORK/urandom.err'"

set +e
yes | timeout 20 "$PREFLIGHT" goroutines - >"$WORK/yes" 2>"$WORK/yes.err"
rc=${PIPESTATUS[1]}
set -e
expect_eq "yes | preflight goroutines -: exit 2" "$rc" 2
expect_eq "... one line on stderr" "$(wc -l <"$WORK/yes.err")" 1
expect_match "... naming the first 1 MiB and what it starts with" "$(cat "$WORK/yes.err")" \
	"'-': not a goroutine profile: no 'goroutine N \[state\]:' line in its first 1 MiB, and it starts with 'y'"

set +e
yes '' | timeout 20 "$PREFLIGHT" goroutines - >"$WORK/blank" 2>"$WORK/blank.err"
rc=${PIPESTATUS[1]}
set -e
expect_eq "endless blank lines: exit 2" "$rc" 2
expect_match "... only blank lines" "$(cat "$WORK/blank.err")" "only blank lines in its first 1 MiB"

# A crash log keeps working: text before its goroutines is skipped.
{ printf 'app log line %d\n' $(seq 1 2000); cat "$fx/go1.26/crash-sigquit.txt"; } >"$WORK/log-then-crash.txt"
pf "$WORK/crash.json" goroutines --format json "$WORK/log-then-crash.txt"
expect_rc "a log followed by a crash traceback: read" 0
expect_eq "... every goroutine of the traceback" "$(jq '.snapshots[0].total' "$WORK/crash.json")" \
	"$(grep -c '^goroutine [0-9]' "$fx/go1.26/crash-sigquit.txt")"

# ---- a debug=1 dump cut in the middle of a record ---------------------------------
# Cut inside the first frame line of the first record: the record that
# was "4 goroutines at (:0)".
d1=$fx/go1.26/series-1.debug1.txt
cut_at=$(($(head -n 2 "$d1" | wc -c) + 11))
head -c "$cut_at" "$d1" >"$WORK/cut1.txt"
expect_match "the cut fixture ends inside a frame line" "$(tail -n 1 "$WORK/cut1.txt")" $'^#\t0x[0-9a-f]+\t?$'
pf "$WORK/cut1.out" goroutines "$WORK/cut1.txt" "$WORK/cut1.txt" "$WORK/cut1.txt"
expect_rc "cut mid-record, three times: exit 0 (nothing left to suspect)" 0
expect_no_match "... no group with an empty site" "$(cat "$WORK/cut1.out")" '\(:0\)'
expect_match "... stderr says the last record was dropped" "$(cat "$WORK/cut1.out.err")" \
	"'.*cut1\.txt' is cut in the middle of a record: its last record was dropped"
pf "$WORK/cut1.json" goroutines --format json "$WORK/cut1.txt"
expect_eq "... json: no groups, truncated, record_dropped" \
	"$(jq -c '[(.groups | length), .snapshots[0].truncated, .snapshots[0].record_dropped]' "$WORK/cut1.json")" \
	'[0,true,true]'

# Cut at every 50th byte of a whole dump: never a group the whole dump
# does not have, never a site of "(:0)".
pf "$WORK/whole.json" goroutines --format json "$d1"
jq -r '.groups[].key' "$WORK/whole.json" | sort >"$WORK/whole.keys"
size=$(wc -c <"$d1")
bad=0
n=0
for ((c = 120; c < size; c += 127)); do
	head -c "$c" "$d1" >"$WORK/c.txt"
	pf "$WORK/c.json" goroutines --format json "$WORK/c.txt"
	n=$((n + 1))
	if [ "$PF_RC" != 0 ] || [ -n "$(jq -r '.groups[].key' "$WORK/c.json" | sort | comm -23 - "$WORK/whole.keys")" ] ||
		jq -e '[.groups[] | select(.site == "")] | length > 0' "$WORK/c.json" >/dev/null; then
		bad=$((bad + 1))
		[ "$bad" -le 3 ] && show "$WORK/c.json" 20
	fi
done
expect_eq "cut at $n places: no invented group, no empty site" "$bad" 0

# ---- a listener that accepts and never answers ---------------------------------
start_bg hang python3 "$SRCDIR/tests/integration/fake_pprof.py" --hang --ready "$WORK/hang.port" --lifetime 60
for i in $(seq 1 100); do
	[ -s "$WORK/hang.port" ] && break
	sleep 0.1
done
[ -s "$WORK/hang.port" ] || die "the hanging listener did not start"
url="http://127.0.0.1:$(cat "$WORK/hang.port")"
start=$SECONDS
pf "$WORK/hang" goroutines --timeout 1s "$url"
took=$((SECONDS - start))
expect_rc "never answers, --timeout 1s: exit 2" 2
expect_num "... over in one timeout, not three in a row ($took s)" "$took" '<' 10
expect_eq "... one line on stderr" "$(wc -l <"$WORK/hang.err")" 1
msg=$(cat "$WORK/hang.err")
expect_match "... says how long it waited" "$msg" "timed out after 1s"
expect_match "... names the goroutine profile URL" "$msg" "'$url/debug/pprof/goroutine\?debug=1'"
expect_match "... and the index page" "$msg" "'$url/debug/pprof/'"
expect_match "... and /metrics" "$msg" "'$url/metrics'"
expect_match "... asked at once" "$msg" "asked at once"

# The bare number is still seconds.
start=$SECONDS
pf "$WORK/hang2" goroutines --timeout 1 --samples 5 "$url"
expect_rc "--timeout 1 (seconds), --samples 5: exit 2" 2
expect_num "... still one timeout" $((SECONDS - start)) '<' 10

finish
